"""Serve the workshop dashboard from this process (no child process).

The server runs inside the ``salesim`` process itself, so whatever stops that process stops the
server with it: Ctrl-C (SIGINT), SIGTERM, SIGHUP (the terminal closing), or SIGKILL. Nothing is
left listening on the port.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import signal
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

# Seconds a session whose browser tab went away (closed, crashed, lost its network) is kept
# for a reconnect before its memory is freed. Solara's own default is a day.
CULL_TIMEOUT = "60s"
# Keepalive of each browser connection: a ping every 20 s, dropped if no answer within 60 s
# (a busy browser on a shared laptop may answer late; a dead one is still noticed).
PING_INTERVAL_S, PING_TIMEOUT_S = 20.0, 60.0
# Seconds open connections get to close after a stop signal before the server exits anyway.
SHUTDOWN_S = 3
# Seconds after a session closes before its freed memory is handed back to the system.
SETTLE_S = 2.0


class MemoryReturner:
    """Hand memory freed by closed sessions back to the system.

    A session's runs are freed when it closes, but the C allocator keeps the pages for reuse
    (one pool per thread that used them), so the server's size would only grow session after
    session. A while after each close, this collects and trims the heap (``malloc_trim``, where
    the C library has it).
    """

    def __init__(self) -> None:
        self.wanted = threading.Event()
        name = ctypes.util.find_library("c")
        self.trim = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
        threading.Thread(target=self._loop, name="salesim-memory", daemon=True).start()

    def session_started(self) -> Callable[[], None]:
        """Solara calls this when a session starts; the returned function when it ends."""
        return self.wanted.set

    def _loop(self) -> None:
        while self.wanted.wait():
            self.wanted.clear()
            if self.wanted.wait(SETTLE_S):  # another close meanwhile: wait for it to settle
                continue
            gc.collect()
            if self.trim is not None:
                self.trim(0)


def serve(host: str, port: int, scenarios: Path, scenario: str, seed: int) -> int:
    """Serve the dashboard on ``host``:``port`` until the process is stopped; return 0.

    Parameters
    ----------
    host, port
        Address to listen on.
    scenarios
        Folder of the scenario files a session can pick.
    scenario
        File name (in ``scenarios``) each new session starts with.
    seed
        Seed of both runs of every session.
    """
    os.environ.update(
        {
            "SALESIM_SCENARIOS": str(scenarios),
            "SALESIM_SCENARIO": scenario,
            "SALESIM_SEED": str(seed),
            "SOLARA_APP": "sim.workshop.app",
            "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # nothing leaves this machine
            "SOLARA_KERNEL_CULL_TIMEOUT": CULL_TIMEOUT,
            "SERVER_NAME": host,
            "SERVER_PORT": str(port),
        }
    )
    warnings.filterwarnings("ignore", "Cookies with samesite=none require https")  # plain http
    import solara.lifecycle
    import uvicorn  # after the environment: Solara reads its settings when imported
    from solara.__main__ import LOGGING_CONFIG
    from solara.server import settings

    settings.main.mode = "production"
    settings.kernel.cull_timeout = CULL_TIMEOUT
    config = uvicorn.Config(
        "solara.server.starlette:app",
        host=host,
        port=port,
        log_config=LOGGING_CONFIG,
        log_level="warning",
        ws_ping_interval=PING_INTERVAL_S,
        ws_ping_timeout=PING_TIMEOUT_S,
        timeout_graceful_shutdown=SHUTDOWN_S,
    )
    server = uvicorn.Server(config)
    solara.lifecycle.on_kernel_start(MemoryReturner().session_started)
    # uvicorn stops on SIGINT and SIGTERM; a closed terminal (SIGHUP) stops it the same way.
    signal.signal(signal.SIGHUP, lambda *_: setattr(server, "should_exit", True))
    server.run()  # a port already in use: uvicorn says so and exits with 1
    return 0
