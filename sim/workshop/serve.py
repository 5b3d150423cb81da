"""Serve the workshop dashboard from this process (no child process).

The server runs inside the ``salesim`` process itself, so whatever stops that process stops the
server with it: Ctrl-C (SIGINT), SIGTERM, SIGHUP (the terminal closing), or SIGKILL. Nothing is
left listening on the port.
"""

from __future__ import annotations

import os
import signal
import warnings
from pathlib import Path

# Seconds a session whose browser tab went away (closed, crashed, lost its network) is kept
# for a reconnect before its memory is freed. Solara's own default is a day.
CULL_TIMEOUT = "60s"
# Keepalive of each browser connection: a ping every 20 s, dropped if no answer within 60 s
# (a busy browser on a shared laptop may answer late; a dead one is still noticed).
PING_INTERVAL_S, PING_TIMEOUT_S = 20.0, 60.0
# Seconds open connections get to close after a stop signal before the server exits anyway.
SHUTDOWN_S = 3


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
    # uvicorn stops on SIGINT and SIGTERM; a closed terminal (SIGHUP) stops it the same way.
    signal.signal(signal.SIGHUP, lambda *_: setattr(server, "should_exit", True))
    server.run()  # a port already in use: uvicorn says so and exits with 1
    return 0
