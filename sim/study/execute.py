"""Running a study's runs: in this process, on a local Dask cluster, or on a remote one.

The parent process submits runs and stores each result as it completes; workers only simulate.
A run that raises comes back as an error (it is not retried: the same seed would fail again);
a worker that dies is replaced, and its run is retried by the Dask scheduler
(``distributed.scheduler.allowed-failures`` times, then recorded as failed). A cluster that has
had no worker staying up for ``distributed.scheduler.no-workers-timeout`` (60 s unless set) stops
the study with ``ClusterLostError``: no workers at all, or only worker processes that keep dying
and being restarted. The runs not yet finished are left for the next call.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import traceback
from asyncio import CancelledError
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError as FutureCancelledError
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

import sim
from sim.config.schema import Scenario
from sim.errors import SchedulerError
from sim.model import SalesModel

if TYPE_CHECKING:
    from collections.abc import Iterator

    from distributed import Client

    from sim.study.plan import RunTask

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
CONNECT_TIMEOUT_S = 20
WORKER_SATURATION = 1.0  # a local worker holds one run at a time: a dying one takes only its own
NO_WORKERS_TIMEOUT_S = 60.0  # unless distributed.scheduler.no-workers-timeout says otherwise
# The default choice of workers_for: one simulated month of a reference-sized company in this
# process, and a local cluster's start, import of salesim on its workers and shut-down, on an
# otherwise idle two-core machine (a compare of 12 five-year runs took 10 s in one process; the
# cluster 9-11 s). On the same machine busy with other work (load 8-10),
# benchmarks/bench_cluster_choice.py measured 34-53 ms and 16-21 s: both grow, the break-even
# moves from about 1,700 to 800-950 run-months. A larger company costs more a month: the
# cluster is then chosen later than it could be, never for a plan it cannot pay back.
RUN_MONTH_S = 0.012
CLUSTER_START_S = 10.0
POLL_S = 0.1  # how often the parent looks for finished runs
WATCH_S = 1.0  # how often it counts the cluster's workers
NOISY_LOGGERS = (
    "tornado.application",
    "asyncio",
    *(
        f"distributed.{name}"
        for name in ("batched", "client", "comm.tcp", "core", "nanny", "scheduler", "worker")
    ),
)


@dataclass(frozen=True)
class Outcome:
    """What a run gives back: its monthly table, or the error it raised."""

    frame: pd.DataFrame | None
    error: str | None
    wall_time_s: float


Simulate = Callable[[Scenario, int], Outcome]
OnDone = Callable[["RunTask", Outcome], None]


class ClusterLostError(Exception):
    """The Dask cluster has had no worker staying up for too long (or its scheduler went away)."""


def simulate(scenario: Scenario, seed: int) -> Outcome:
    """Run one scenario with one seed; an exception becomes an error record."""
    start = time.perf_counter()
    try:
        frame = SalesModel(scenario, seed=seed).run()
    except Exception as exc:  # every failure of a run is recorded, not fatal
        text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        where = traceback.extract_tb(exc.__traceback__)[-1]
        error = f"{text} (at {os.path.basename(where.filename)}:{where.lineno})"
        return Outcome(None, error, time.perf_counter() - start)
    return Outcome(frame, None, time.perf_counter() - start)


def default_workers() -> int:
    """One worker per CPU core."""
    return max(1, os.cpu_count() or 1)


def workers_for(run_months: int, cores: int) -> int:
    """Choose where a plan runs by default: in this process (1) or on ``cores`` local workers.

    A local cluster costs ``CLUSTER_START_S`` to start, import salesim on its workers and shut
    down; it then runs about ``cores`` times as fast. It pays back when ``CLUSTER_START_S +
    T / cores < T``, with ``T = run_months * RUN_MONTH_S`` the plan's time in this process.

    Parameters
    ----------
    run_months : int
        The plan's runs still to do times their horizons in months.
    cores : int
        The workers a local cluster would start (one per core).

    Returns
    -------
    int
        1 (run in this process) or ``cores`` (start a local cluster). Both give the same
        results, run by run.
    """
    if cores < 2:
        return 1
    in_process = run_months * RUN_MONTH_S
    return cores if CLUSTER_START_S + in_process / cores < in_process else 1


def execute(
    tasks: Sequence[RunTask],
    on_done: OnDone,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    run: Simulate = simulate,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Run every task and call ``on_done`` in this process as each one completes.

    ``on_ready`` is called once the workers are up (at once when running in this process).
    """
    if not tasks:
        return
    if scheduler is None and workers == 1:
        if on_ready is not None:
            on_ready()
        for task in tasks:
            on_done(task, run(task.variant.scenario, task.seed))
        return
    patience = no_workers_timeout()
    with _one_line_logs(), _client(workers, scheduler) as client:
        if on_ready is not None:
            on_ready()
        where = f"the Dask scheduler at {scheduler}" if scheduler else "the local Dask cluster"
        _run_on_dask(client, tasks, on_done, run, where, patience)


def no_workers_timeout() -> float:
    """Seconds a cluster may have no workers before the study stops."""
    import dask
    from dask.utils import parse_timedelta

    value = dask.config.get("distributed.scheduler.no-workers-timeout", None)
    if value is None:
        return NO_WORKERS_TIMEOUT_S
    try:
        seconds = float(parse_timedelta(value, default="s"))
        if not 0 <= seconds < float("inf"):
            raise ValueError(seconds)
        return seconds
    except (AttributeError, TypeError, ValueError, KeyError):
        raise SchedulerError(
            f"distributed.scheduler.no-workers-timeout (Dask configuration): expected a duration "
            f"such as 60s or 5m, got {value!r}"
        ) from None


def _run_on_dask(
    client: Client,
    tasks: Sequence[RunTask],
    on_done: OnDone,
    run: Simulate,
    where: str,
    patience: float,
) -> None:
    """Submit every task and store the results as they come; stop if the workers are gone."""
    from distributed import as_completed
    from distributed.scheduler import NoValidWorkerError, NoWorkerError

    pending = {client.submit(run, t.variant.scenario, t.seed, pure=False): t for t in tasks}
    # the results are gathered in the background: a worker that dies holding one blocks nothing
    finished = as_completed(list(pending), with_results=True, raise_errors=False)
    watch, watched = WorkerWatch(patience), time.monotonic()
    try:
        while pending:
            stored = False
            for future, result in finished.next_batch(block=False):
                # the result as gathered (the future's status may have moved on since: a
                # worker that died holding the result makes it "pending" again)
                if isinstance(result, Outcome):
                    outcome = result
                else:
                    exc = _exception(result)
                    # cancelled, and not by us: the scheduler went away
                    if isinstance(exc, CancelledError | FutureCancelledError):
                        raise ClusterLostError(f"lost the connection to {where}")
                    if isinstance(exc, NoWorkerError | NoValidWorkerError):  # Dask gave up
                        raise _lost(where, patience)
                    # a run that kept killing its workers (KilledWorker) fails, not the study
                    outcome = Outcome(None, f"{type(exc).__name__}: {exc}", 0.0)
                future.release()
                on_done(pending.pop(future), outcome)
                stored = True
            now = time.monotonic()
            if stored:
                watch.progress()
                continue
            if now - watched >= WATCH_S:
                watched = now
                if watch.stalled(_workers(client, where), now):
                    raise _lost(where, patience)
            time.sleep(POLL_S)
    finally:
        for future in pending:
            future.cancel()


class WorkerWatch:
    """Decide when a cluster has had no worker staying up for too long.

    A worker stays up when the same worker (by address) is seen at two consecutive looks, at
    least ``WATCH_S`` apart. A nanny restarts a killed worker at a new address, so a cluster
    whose worker processes keep dying within a second shows new addresses at every look, or
    none: both count as having no worker. A finished run also shows the cluster working.

    Parameters
    ----------
    patience : float
        Seconds without a worker staying up (and without a finished run) before ``stalled``
        says so: ``distributed.scheduler.no-workers-timeout``.
    """

    def __init__(self, patience: float) -> None:
        self.patience = patience
        self._seen: frozenset[str] = frozenset()
        self._since: float | None = None

    def progress(self) -> None:
        """Note that a run has finished: the cluster works."""
        self._since = None

    def stalled(self, workers: frozenset[str], now: float) -> bool:
        """Look at the cluster's workers (addresses) at time ``now`` (s); say if it stalled."""
        up, self._seen = bool(workers & self._seen), workers
        if up:
            self._since = None
            return False
        if self._since is None:  # the first look without one starts the clock
            self._since = now
            return False
        return now - self._since >= self.patience


def _exception(result: object) -> BaseException:
    """Return the exception of a failed future as ``as_completed(raise_errors=False)`` gives it.

    That is a (type, exception, traceback) triple, or the exception itself.
    """
    if isinstance(result, tuple) and len(result) == 3 and isinstance(result[1], BaseException):
        return result[1]
    if isinstance(result, BaseException):
        return result
    return RuntimeError(f"unexpected result {type(result).__name__}")


def _workers(client: Client, where: str) -> frozenset[str]:
    try:
        return frozenset(client.nthreads())
    except OSError as err:  # the scheduler itself is gone (CommClosedError is an OSError)
        raise ClusterLostError(f"lost the connection to {where} ({err})") from None


def _lost(where: str, patience: float) -> ClusterLostError:
    return ClusterLostError(
        f"{where} has had no worker staying up for {patience:g} s (none at all, or its worker "
        "processes kept dying: out of memory, or killed?)"
    )


def check_scheduler(address: str, origin: str = "the scheduler address") -> None:
    """Check a scheduler address before anything is written.

    Its form, its scheme, and that something listens there.

    Parameters
    ----------
    address : str
        ``tcp://host:port`` (``host:port`` means the same), or another scheme Dask knows
        (``tls://``, ``ws://``, ``wss://``, ``ucx://``).
    origin : str, optional
        Where the address comes from (``--scheduler``, say), for the message.

    Raises
    ------
    SchedulerError
        If the address is malformed, its scheme is unknown to Dask or only works inside one
        process, or nothing answers at a network address.
    """
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import backends

    example = "expected a Dask scheduler address like tcp://host:8786"
    shown = f"{origin} {address!r}"
    if not address.strip() or not address.isprintable():
        raise SchedulerError(f"{shown}: {example}")
    try:
        scheme, location = parse_address(address)
    except ValueError:
        raise SchedulerError(f"{shown}: {example}") from None
    if scheme not in backends:
        known = ", ".join(f"{name}://" for name in sorted(backends) if name != "inproc")
        raise SchedulerError(f"{shown}: Dask does not know the scheme {scheme}:// ({known})")
    if scheme == "inproc":
        raise SchedulerError(
            f"{shown}: an inproc:// scheduler exists only inside one Python process; {example}"
        )
    try:
        host, port = parse_host_port(location)
    except ValueError:
        raise SchedulerError(f"{shown}: {example} (a host and a port)") from None
    if not host or not 0 < port < 65536 or not location.rpartition(":")[2].isascii():
        raise SchedulerError(f"{shown}: {example} (a host and a port from 1 to 65535)")
    if scheme == "ucx":
        return  # not necessarily over TCP: Dask checks it when it connects
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
    except (OSError, ValueError) as err:
        reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
        raise SchedulerError(f"cannot reach the Dask scheduler at {address}: {reason}") from None


@contextmanager
def _client(workers: int, scheduler: str | None) -> Iterator[Client]:
    """Return a client of the given scheduler, or of a local cluster of ``workers`` processes."""
    import dask
    from distributed import Client, LocalCluster

    from sim.study.worker_logs import OneLineWorkerLogs

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as err:
            raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from None
        lost = False
        try:
            _check_workers(client, scheduler)
            yield client
        except ClusterLostError:
            lost = True
            raise
        finally:
            with _quiet("distributed.client", lost):  # no traceback of its reconnecting
                client.close()
        return
    try:
        settings = {
            "distributed.scheduler.worker-saturation": WORKER_SATURATION,
            "distributed.scheduler.no-workers-timeout": None,  # the parent watches (quietly)
        }
        with dask.config.set(settings), _no_sigint():
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: never clash with another cluster
                silence_logs=logging.ERROR,
            )
    except RuntimeError as err:
        raise SchedulerError(
            f"could not start {workers} local worker processes ({err}). In a Python script, "
            "start studies under `if __name__ == '__main__':`, or use workers=1"
        ) from None
    with cluster, Client(cluster) as client:
        _check_workers(client, "the local cluster")  # also imports salesim on every worker
        client.register_plugin(OneLineWorkerLogs())  # also on a worker that replaces a dead one
        yield client


class _OneLine(logging.Filter):
    """Log a Dask or Tornado error as one line: its message and exception, no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(exc).__name__}: {exc})".strip()
            record.args = None
            record.exc_info = record.exc_text = None
        return True


@contextmanager
def _one_line_logs() -> Iterator[None]:
    """Log Dask's errors in one line each while a study runs.

    A lost connection or a dead worker is one line; what it means for the study is said by the
    study.
    """
    one_line = _OneLine()
    loggers = [logging.getLogger(name) for name in NOISY_LOGGERS]
    for logger in loggers:
        logger.addFilter(one_line)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(one_line)


@contextmanager
def _quiet(logger_name: str, quiet: bool = True) -> Iterator[None]:
    """Silence a logger for a while (when its errors say only what the study already said)."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    if quiet:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def _no_sigint() -> Iterator[None]:
    """Start worker processes that ignore Ctrl-C: the parent stops them when it is interrupted."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _salesim_version() -> str:
    return sim.__version__


def _check_workers(client: Client, scheduler: str) -> None:
    """Refuse a cluster whose workers lack salesim or run another version of it."""
    try:
        versions: dict[str, Any] = client.run(_salesim_version)
    except Exception as err:  # anything here means the workers cannot run us
        raise SchedulerError(
            f"the workers of {scheduler} cannot run salesim ({type(err).__name__}: {err}); "
            "install the same salesim on every worker"
        ) from None
    if not versions:
        raise SchedulerError(f"the Dask scheduler at {scheduler} has no workers")
    other = {v for v in versions.values() if v != sim.__version__}
    if other:
        raise SchedulerError(
            f"the workers of {scheduler} run salesim {', '.join(sorted(other))}, "
            f"this is {sim.__version__}; install the same version on every worker"
        )
