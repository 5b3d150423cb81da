"""Running a study's runs: in this process, on a local Dask cluster, or on a remote one.

The parent process submits runs and stores each result as it completes; workers only simulate.
A run that raises comes back as an error (it is not retried: the same seed would fail again);
a worker that dies is replaced, and its run is retried by the Dask scheduler
(``distributed.scheduler.allowed-failures`` times, then recorded as failed).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

import sim
from sim.config.schema import Scenario
from sim.model import SalesModel

if TYPE_CHECKING:
    from collections.abc import Iterator

    from distributed import Client

    from sim.study.plan import RunTask

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
CONNECT_TIMEOUT_S = 20
WORKER_SATURATION = 1.0  # a local worker holds one run at a time: a dying one takes only its own


@dataclass(frozen=True)
class Outcome:
    """What a run gives back: its monthly table, or the error it raised."""

    frame: pd.DataFrame | None
    error: str | None
    wall_time_s: float


Simulate = Callable[[Scenario, int], Outcome]
OnDone = Callable[["RunTask", Outcome], None]


class SchedulerError(Exception):
    """The Dask scheduler cannot be reached or its workers cannot run salesim."""


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
    with _client(workers, scheduler) as client:
        if on_ready is not None:
            on_ready()
        _run_on_dask(client, tasks, on_done, run)


def _run_on_dask(client: Client, tasks: Sequence[RunTask], on_done: OnDone, run: Simulate) -> None:
    from distributed import as_completed

    pending = {client.submit(run, t.variant.scenario, t.seed, pure=False): t for t in tasks}
    try:
        for future in as_completed(pending):
            task = pending.pop(future)
            try:
                outcome = future.result()
            except Exception as exc:  # a lost worker fails one run, not the study
                outcome = Outcome(None, f"{type(exc).__name__}: {exc}", 0.0)
            future.release()
            on_done(task, outcome)
    finally:
        for future in pending:
            future.cancel()


def check_scheduler(address: str, origin: str = "the scheduler address") -> None:
    """Check a scheduler address before anything is written: its form, its scheme, and that
    something listens there.

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
    """A client of the given scheduler, or of a local cluster of ``workers`` processes."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as err:
            raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from None
        with client:
            _check_workers(client, scheduler)
            yield client
        return
    try:
        saturation = {"distributed.scheduler.worker-saturation": WORKER_SATURATION}
        with dask.config.set(saturation), _no_sigint():
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
        yield client


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
