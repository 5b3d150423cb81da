"""A workshop session without a browser: the messages a team's browser exchanges with the server.

A browser opening the workshop fetches the page and its static files, then opens one websocket
per page and speaks the Jupyter widget protocol over it (messages recorded from Chromium):

1. ``kernel_info_request``;
2. ``comm_open`` of a ``solara.control`` comm, then ``comm_msg`` ``{"method": "run"}``;
3. the server answers with one ``comm_open`` per widget (its state) and later ``comm_msg``
   ``update`` messages as the state changes; a click is a ``comm_msg`` ``{"method": "custom",
   "content": {"event": "click"}}`` on the button's comm.

``ProtocolSession`` does exactly this and keeps every widget's state, so the server's share of a
session's start can be measured with a dozen sessions at once on a machine too small to also run a
dozen browsers (in a workshop room each team's browser runs on its own laptop). It parses what the
server sends but draws nothing.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import websockets
from solara.server.kernel import deserialize_binary_message

MONTH = re.compile(r"Month (\d+) of (\d+)")
COOKIE = "solara-session-id"


def fetch(url: str, cookie: str | None = None) -> tuple[bytes, str | None]:
    """GET ``url`` as a browser does (compressed, a missing file is no error).

    Return the body and the session cookie the server sets (or ``cookie``, the one sent).
    """
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, br"})
    if cookie:
        request.add_header("Cookie", f"{COOKIE}={cookie}")
    try:
        answer = urllib.request.urlopen(request, timeout=120)
    except urllib.error.HTTPError as error:  # a browser goes on after a missing file (a 404)
        answer = error
    with answer:
        body = answer.read()
        for header in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name.strip() == COOKIE:
                return body, rest.split(";")[0]
    return body, cookie


def message(msg_type: str, content: dict[str, Any], session: str) -> str:
    """Return one Jupyter message on the shell channel, as JSON text."""
    return json.dumps(
        {
            "header": {
                "msg_id": uuid.uuid4().hex,
                "msg_type": msg_type,
                "session": session,
                "username": "",
                "version": "5.3",
                "date": "",
            },
            "parent_header": {},
            "metadata": {},
            "content": content,
            "buffers": [],
            "channel": "shell",
        }
    )


def texts(value: Any) -> Iterator[str]:
    """Yield every string inside a widget's state (children lists, labels, values)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)


class ProtocolSession:
    """One team's page, driven over the websocket the way Chromium drives it.

    Parameters
    ----------
    url
        The workshop's address, ending in ``/``.
    assets
        Further paths (relative to ``url``) to fetch before opening the websocket, as a
        browser fetches the page's scripts, styles and fonts.
    """

    def __init__(self, url: str, assets: tuple[str, ...] = ()) -> None:
        self.url = url
        self.assets = assets
        self.widgets: dict[str, dict[str, Any]] = {}
        self.started_s = float("nan")
        self.closed: str | None = None
        self.websocket: Any = None
        self.session = uuid.uuid4().hex
        self.kernel, self.page = uuid.uuid4(), uuid.uuid4()  # as the page makes them up
        self.cookie: str | None = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    async def open(self, t0: float) -> None:
        """Load the page and its assets, connect, run the app; ``started_s`` when month 0 shows."""
        _, self.cookie = await asyncio.to_thread(fetch, self.url)
        await asyncio.gather(  # a browser fetches a page's files side by side
            *(asyncio.to_thread(fetch, self.url + a.lstrip("/"), self.cookie) for a in self.assets)
        )
        address = self.url.replace("http", "ws", 1)
        self.websocket = await websockets.connect(
            f"{address}jupyter/api/kernels/{self.kernel}/channels?session_id={self.page}",
            additional_headers={"Cookie": f"{COOKIE}={self.cookie}"},
            max_size=None,
        )
        self._reader = asyncio.create_task(self._read())
        control = uuid.uuid4().hex
        await self._send("kernel_info_request", {})
        await self._send(
            "comm_open", {"comm_id": control, "target_name": "solara.control", "data": {}}
        )
        run = {"method": "run", "args": {"path": "/", "dark": False, "themes": {}, "appName": None}}
        await self._send("comm_msg", {"comm_id": control, "data": run})
        await self.wait_for_month(lambda m: m == 0)
        self.started_s = time.monotonic() - t0

    async def _send(self, msg_type: str, content: dict[str, Any]) -> None:
        await self.websocket.send(message(msg_type, content, self.session))

    async def _read(self) -> None:
        try:
            async for frame in self.websocket:  # text, or binary when a message has buffers
                text = isinstance(frame, str)
                self._apply(json.loads(frame) if text else deserialize_binary_message(frame))
        except websockets.ConnectionClosed as closed:
            self.closed = f"{closed.rcvd.code if closed.rcvd else 'no close frame'}"
        except Exception as error:  # a message this client cannot read: say so, do not hang
            self.closed = f"unreadable message: {error!r}"
        else:
            self.closed = "closed"
        finally:
            self._changed.set()

    def _apply(self, msg: dict[str, Any]) -> None:
        kind = msg["header"]["msg_type"]
        content = msg["content"]
        if kind == "comm_open":
            self.widgets[content["comm_id"]] = dict(content["data"].get("state", {}))
        elif kind == "comm_msg" and content["data"].get("method") == "update":
            self.widgets.setdefault(content["comm_id"], {}).update(content["data"]["state"])
        elif kind == "comm_close":
            self.widgets.pop(content["comm_id"], None)
        else:
            return
        self._changed.set()

    def month(self) -> int | None:
        """Return the month the page's heading shows (None before it shows one).

        Raises
        ------
        AssertionError
            If more than one widget shows a month heading (a stale one left behind).
        """
        shown = [
            int(found.group(1))
            for state in self.widgets.values()
            for text in texts(state)
            if (found := MONTH.fullmatch(text))
        ]
        assert len(shown) <= 1, f"month headings {shown}"
        return shown[0] if shown else None

    async def wait_for_month(self, wanted: Callable[[int], bool], timeout: float = 180.0) -> int:
        """Wait until the heading's month satisfies ``wanted``; return that month.

        Raises
        ------
        ConnectionError
            If the session is closed meanwhile (by the server, or a message it cannot read).
        TimeoutError
            After ``timeout`` seconds: a guard against hanging, not a measure of speed.
        """
        deadline = time.monotonic() + timeout
        while True:
            month = self.month()
            if month is not None and wanted(month):
                return month
            if self.closed:
                raise ConnectionError(f"the server closed the session ({self.closed})")
            self._changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"month {month} after {timeout:.0f} s")
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                continue

    def button(self, label: str) -> str:
        """Return the comm id of the button labelled ``label``; LookupError if there is none."""
        for comm, state in self.widgets.items():
            if state.get("_model_name") == "BtnModel" and label in state.get("children", []):
                return comm
        raise LookupError(f"no {label!r} button on the page")

    async def click(self, label: str) -> None:
        """Press a button, as a browser sends the click."""
        event = {"method": "custom", "content": {"event": "click", "data": {}}}
        await self._send("comm_msg", {"comm_id": self.button(label), "data": event})

    async def close(self) -> None:
        """Close the page as a closed tab does: the websocket goes, and the unload beacon."""
        try:
            if self.websocket is not None:
                await self.websocket.close()
                beacon = urllib.request.Request(
                    f"{self.url}_solara/api/close/{self.kernel}?session_id={self.page}",
                    data=b"",
                    headers={"Cookie": f"{COOKIE}={self.cookie}"},
                )
                await asyncio.to_thread(lambda: urllib.request.urlopen(beacon, timeout=60).close())
        finally:
            if self._reader is not None:
                await self._reader
