"""Serve the workshop dashboard from this process (no child process).

The server runs inside the ``salesim`` process itself, so whatever stops that process stops the
server with it: Ctrl-C (SIGINT), SIGTERM, SIGHUP (the terminal closing), or SIGKILL. Nothing is
left listening on the port.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import os
import signal
import threading
import warnings
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

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


Message = MutableMapping[str, Any]  # an ASGI message
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Message, Receive, Send], Awaitable[None]]

# Paths of the page's static files (scripts, styles, fonts): the same bytes for every browser.
STATIC_PREFIXES = ("/static/", "/_solara/cdn/", "/jupyter/nbextensions/")
STATIC_CACHE_MB = 64  # at most this much of them kept in memory
CONDITIONAL = (b"if-none-match", b"if-modified-since", b"range")


class StaticCache:
    """Answer each static file of the page from memory after its first request.

    Solara compresses a static file again for every request: a dozen browsers opening the page
    at once cost the server seconds of processor in compression alone (its scripts are
    megabytes). This wraps the server's ASGI app and keeps each complete answer with status
    200 to a GET of a static path, per path, query and whether the browser takes gzip, then
    replays it; requests for a file already on its way wait for it instead of compressing it
    again. Conditional and range requests, and everything else, go to the app.

    Parameters
    ----------
    app : callable
        The ASGI app to wrap.
    limit_mb : float
        Megabytes of answers kept at most; an answer that does not fit is not kept.
    """

    def __init__(self, app: App, limit_mb: float = STATIC_CACHE_MB) -> None:
        self.app = app
        self.limit = int(limit_mb * 2**20)
        self.size = 0
        self.kept: dict[tuple[str, bytes, bool], list[Message]] = {}
        self.pending: dict[tuple[str, bytes, bool], asyncio.Event] = {}

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        """Answer one ASGI connection: from memory when kept, else from the app."""
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        pending = self.pending.get(key)
        if pending is not None:  # the same file on its way to another browser: wait for it
            await pending.wait()
        kept = self.kept.get(key)
        if kept is not None:
            for message in kept:
                await send(dict(message))
            return
        messages: list[Message] = []

        async def record(message: Message) -> None:
            messages.append(dict(message))
            await send(message)

        first = pending is None
        if first:
            self.pending[key] = asyncio.Event()
        try:
            await self.app(scope, receive, record)
            self._keep(key, messages)
        finally:
            if first:
                self.pending.pop(key).set()

    def _key(self, scope: Message) -> tuple[str, bytes, bool] | None:
        """Return what tells one static answer from another, or None for any other request."""
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") != "GET":
            return None
        if not path.startswith(STATIC_PREFIXES):
            return None
        headers = dict(scope.get("headers") or [])
        if any(name in headers for name in CONDITIONAL):
            return None
        gzip = b"gzip" in headers.get(b"accept-encoding", b"")
        return path, scope.get("query_string", b""), gzip

    def _keep(self, key: tuple[str, bytes, bool], messages: list[Message]) -> None:
        """Keep a whole answer with status 200, if there is room."""
        if not messages or messages[0].get("type") != "http.response.start":
            return
        if messages[0].get("status") != 200:
            return
        body = messages[1:]
        if any(m.get("type") != "http.response.body" for m in body):
            return
        if not body or body[-1].get("more_body", False):
            return
        size = sum(len(m.get("body", b"")) for m in body)
        if self.size + size > self.limit or key in self.kept:
            return
        self.kept[key] = messages
        self.size += size


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


def freeze_loaded() -> None:
    """Keep everything loaded so far out of the garbage collector's full collections.

    A full collection visits every object the collector tracks. The server's libraries hold
    about 200,000 of them, and each session's runs create enough objects to set off a full
    collection every other session: about 0.3 s of a processor each, more than the rest of a
    session's start. Frozen (``gc.freeze``), the libraries' objects are no longer visited;
    sessions' objects still are, and are freed as before.
    """
    gc.collect()
    gc.freeze()


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
            "SOLARA_THEME_SHOW_BANNER": "False",  # its "runs on Solara" banner covers buttons
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
    settings.theme.show_banner = False  # in case Solara was imported before the environment
    settings.kernel.cull_timeout = CULL_TIMEOUT
    from solara.server.starlette import app

    import sim.workshop.app  # noqa: F401  (loaded now, so that its objects are frozen below)

    config = uvicorn.Config(
        StaticCache(app),
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
    freeze_loaded()
    server.run()  # a port already in use: uvicorn says so and exits with 1
    return 0
