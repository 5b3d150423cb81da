"""Workshop sessions at once: start times, months played, dropped connections, memory.

Run by hand (needs Chromium):  python benchmarks/bench_workshop_sessions.py [--sessions 12]

Starts ``salesim workshop`` as a user does and opens ``--sessions`` sessions at the same moment.
``--browsers`` of them are real Chromium pages (one browser context each, like a team's
laptop); the others are protocol sessions (``tests/solara_client.py``): they fetch the page and
every file the browser fetched, open the websocket and exchange the same messages, but draw
nothing. Each session's start is the time until it shows "Month 0". Then every session presses
Play; for ``--play`` seconds the benchmark counts how far each gets and whether any connection
drops. Last, the server's memory (RSS) is measured before and after ``--cycles`` browser
sessions are opened and closed one after another.

A workshop room needs a dozen teams: every session should start within 10 s, keep advancing and
stay connected; a closed session's memory should be freed. In a room each team's browser runs on
its own laptop. On a two-core machine twelve Chromiums alone need 44-57 s of processor to load
the page (mostly Solara's 3.5 MB front-end script), so ``--browsers 12`` measures this machine's
browsers, not the server. The default, one real browser among eleven protocol sessions, puts the
server under a full room's load and shows what one team's browser sees. Before measuring, one
browser page is opened and closed (the teacher checking the room's page), which also records
the files a browser fetches.

Measured on 2 shared cores (``--sessions 12 --play 20 --cycles 10 --nice-browsers 15``, all
browsers), the server used 15.2 s of processor to start the 12 sessions (1.27 s each) before the
month-0 models were copied, the static files compressed once and the libraries frozen out of the
garbage collector's full collections, and 3.4 s (0.28 s each) after; the browsers used 44-57 s.
With the defaults (one browser, eleven protocol sessions, 30 s of play), three runs each,
alternating with the code before a frame redrew only its live part and the monthly table was
built column by column: all 12 showed month 0 within 4.5-6.7 s (3.7-5.7 s before), the Chromium
page last; playing, they advanced 11.0-11.2 session-months a second in all (7.7-9.1 before);
30 sessions opened and closed left the server 24 MB smaller. ``--browsers 12``: month 0 after
16.9-27.6 s, with 47 s of the browsers' processor against 3.8 s of the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from tempfile import mkdtemp
from urllib.parse import urlsplit

import psutil
from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from solara_client import ProtocolSession  # noqa: E402
from workshop_server import start_workshop  # noqa: E402

CHROMIUM = os.environ.get("SALESIM_CHROMIUM", "/usr/bin/chromium")
MONTH = re.compile(r"Month (\d+) of (\d+)")
HORIZON_MONTHS = 60  # the reference scenario's five years: a session there has stopped playing


def cpu_s(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def browsers_cpu_s(server: int) -> float:
    """Processor seconds used so far by this process's children but the server: the browsers."""
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            if child.pid != server and server not in {p.pid for p in child.parents()}:
                times = child.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def rss_mb(pid: int) -> float:
    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [process, *process.children(True)]) / 2**20


class BrowserSession:
    """A team's page in a real Chromium context."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.page: Page | None = None
        self.started_s = float("nan")
        self.dropped: list[str] = []
        self.months: list[int] = []
        self.fetched: list[str] = []

    async def open(self, url: str, t0: float) -> None:
        context = await self.browser.new_context(viewport={"width": 1600, "height": 1000})
        page = await context.new_page()

        def watch(ws: object) -> None:
            ws.on("close", lambda *_: self.dropped.append(f"closed {time.monotonic() - t0:.0f} s"))  # type: ignore[attr-defined]

        page.on("websocket", watch)
        page.on(
            "request",
            lambda request: self.fetched.append(request.url) if request.method == "GET" else None,
        )
        await page.goto(url, timeout=180_000)
        await page.get_by_text("Month 0 of").wait_for(timeout=180_000)
        self.started_s = time.monotonic() - t0
        self.page = page

    async def month(self) -> int:
        assert self.page is not None
        text = await self.page.get_by_text(MONTH).inner_text(timeout=5_000)
        found = MONTH.search(text)
        return int(found.group(1)) if found else -1

    async def click(self, label: str) -> None:
        assert self.page is not None
        await self.page.get_by_role("button", name=label).click()

    async def close(self) -> None:
        assert self.page is not None
        await self.page.close(run_before_unload=True)
        await self.page.context.close()


class Protocol:
    """A team's page as protocol messages (``tests/solara_client.py``), with the bench's records."""

    def __init__(self, url: str, assets: tuple[str, ...]) -> None:
        self.client = ProtocolSession(url, assets)
        self.dropped: list[str] = []
        self.months: list[int] = []

    @property
    def started_s(self) -> float:
        return self.client.started_s

    async def open(self, url: str, t0: float) -> None:
        await self.client.open(t0)

    async def month(self) -> int:
        if self.client.closed:
            raise ConnectionError(self.client.closed)
        month = self.client.month()
        return -1 if month is None else month

    async def click(self, label: str) -> None:
        await self.client.click(label)

    async def close(self) -> None:
        await self.client.close()


def same_site(urls: list[str], url: str) -> tuple[str, ...]:
    """The paths of ``urls`` on the workshop's own host, in order, each once: not the page, not
    its API calls."""
    host = urlsplit(url).netloc
    paths = [
        urlsplit(u).path + (f"?{urlsplit(u).query}" if urlsplit(u).query else "")
        for u in urls
        if urlsplit(u).scheme == "http" and urlsplit(u).netloc == host
    ]
    return tuple(dict.fromkeys(p for p in paths if p != "/" and not p.startswith("/_solara/api/")))


async def warm_up(browser: Browser, url: str) -> tuple[str, ...]:
    """Open and close one browser page (the teacher checking it); the files it fetched."""
    session = BrowserSession(browser)
    await session.open(url, time.monotonic())
    await session.close()
    return same_site(session.fetched, url)


async def concurrent(
    browser: Browser, url: str, sessions: int, browsers: int, play_s: float, pid: int
) -> None:
    assets = await warm_up(browser, url)
    await asyncio.sleep(2)
    opened: list[BrowserSession | Protocol] = [BrowserSession(browser) for _ in range(browsers)]
    opened += [Protocol(url, assets) for _ in range(sessions - browsers)]
    here = psutil.Process()
    t0, cpu0, browsers0 = time.monotonic(), cpu_s(pid), browsers_cpu_s(pid)
    clients0 = sum(here.cpu_times()[:2])
    await asyncio.gather(*(s.open(url, t0) for s in opened))
    starts = sorted(s.started_s for s in opened)
    used = cpu_s(pid) - cpu0
    print(
        f"{sessions} sessions opened at once ({browsers} in Chromium, {sessions - browsers} "
        f"protocol sessions fetching the page and {len(assets)} files): first shown after "
        f"{starts[0]:.1f} s, median {starts[len(starts) // 2]:.1f} s, last {starts[-1]:.1f} s"
    )
    if browsers:
        shown = ", ".join(f"{s.started_s:.1f}" for s in opened[:browsers])
        print(f"  the Chromium pages showed month 0 after {shown} s")
    print(
        f"  the server used {used:.1f} s of processor for them ({used / sessions:.2f} s a "
        f"session), the browsers {browsers_cpu_s(pid) - browsers0:.1f} s, the protocol "
        f"sessions {sum(here.cpu_times()[:2]) - clients0:.1f} s (load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); server memory "
        f"{rss_mb(pid):.0f} MB with them open"
    )
    await asyncio.gather(*(s.click("Play") for s in opened))
    t1, cpu1 = time.monotonic(), cpu_s(pid)
    while time.monotonic() - t1 < play_s:
        await asyncio.sleep(5)
        for s in opened:
            try:
                s.months.append(await s.month())
            except Exception as err:  # a dropped page: record it, go on
                s.dropped.append(type(err).__name__)
    elapsed = time.monotonic() - t1
    reached = [max(s.months, default=0) for s in opened]
    stalls = sum(
        1
        for s in opened
        for a, b in zip(s.months, s.months[1:], strict=False)
        if b <= a < HORIZON_MONTHS
    )
    print(
        f"  played {elapsed:.0f} s: months reached min {min(reached)}, max {max(reached)} "
        f"({sum(reached) / elapsed:.1f} session-months/s in all); 5-s intervals without "
        f"progress: {stalls}; dropped connections: {sum(len(s.dropped) for s in opened)}; "
        f"server processor {(cpu_s(pid) - cpu1) / elapsed:.2f} s a second"
    )
    for s in opened:
        await s.close()


async def cycles(browser: Browser, url: str, count: int, pid: int) -> None:
    async def once() -> None:
        session = BrowserSession(browser)
        await session.open(url, time.monotonic())
        await session.click("Step")
        await session.page.get_by_text("Month 1 of").wait_for(timeout=60_000)  # type: ignore[union-attr]
        await session.close()

    await once()  # the first session loads what every session shares
    await asyncio.sleep(2)
    before = rss_mb(pid)
    for _ in range(count):
        await once()
    await asyncio.sleep(5)  # closed tabs tell the server; give it a moment to free them
    after = rss_mb(pid)
    print(
        f"memory: {before:.0f} MB after one session, {after:.0f} MB after {count} more were "
        f"opened and closed ({(after - before) / count:+.2f} MB a closed session)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=12)
    parser.add_argument(
        "--browsers",
        type=int,
        default=1,
        metavar="N",
        help="how many of the sessions are Chromium pages; the rest are protocol sessions (1)",
    )
    parser.add_argument(
        "--play",
        type=float,
        default=30.0,
        help="seconds of play (30; a session alone reaches the 60-month horizon in 30 s)",
    )
    parser.add_argument("--cycles", type=int, default=30)
    parser.add_argument(
        "--nice-browsers",
        type=int,
        default=0,
        metavar="N",
        help="run the browsers and protocol sessions at this niceness (the server keeps 0): in "
        "a room each team's browser runs on its own laptop, not on the server's cores",
    )
    args = parser.parse_args()
    # the protocol sessions fetch a page's files side by side, as browsers do: enough threads
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(8 * args.sessions + 8))
    if not 0 <= args.browsers <= args.sessions:
        parser.error("--browsers must be between 0 and --sessions")
    server, port, _ = start_workshop(ROOT / "scenarios" / "reference.yaml", Path(mkdtemp()))
    if args.nice_browsers:
        os.nice(args.nice_browsers)  # inherited by Playwright and Chromium, not the server
    url = f"http://127.0.0.1:{port}/"
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox"]
            )
            print(f"server: {rss_mb(server.pid):.0f} MB before any session")
            if args.sessions:
                await concurrent(browser, url, args.sessions, args.browsers, args.play, server.pid)
            if args.cycles:
                await cycles(browser, url, args.cycles, server.pid)
            await browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    asyncio.run(main())
