"""One-line logs inside a local cluster's worker processes (imported only with Dask)."""

from __future__ import annotations

import logging

from distributed.diagnostics.plugin import WorkerPlugin

from sim.study.execute import NOISY_LOGGERS, _OneLine


class OneLineWorkerLogs(WorkerPlugin):
    """Log a local worker's errors in one line, as the parent does, never as a traceback.

    When a study is interrupted, the scheduler can close a moment before a worker hears of it;
    the worker's failed heartbeat is then one line on the terminal, not a traceback.
    """

    name = "salesim-one-line-logs"

    def setup(self, worker: object) -> None:
        """Add the one-line filter to the worker process's noisy loggers (once per process)."""
        for name in NOISY_LOGGERS:
            logger = logging.getLogger(name)
            if not any(isinstance(f, _OneLine) for f in logger.filters):
                logger.addFilter(_OneLine())
