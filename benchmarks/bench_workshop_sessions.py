"""Workshop sessions at once: start times, months played, dropped connections, memory.

Run by hand (needs Chromium):  python benchmarks/bench_workshop_sessions.py [--sessions 12]

Starts ``salesim workshop`` as a user does, opens ``--sessions`` browser sessions at once (one
browser context each, like a team's laptop), measures how long each takes to show its first
month and the processor time the server and the browsers used meanwhile, presses Play in all
of them and counts for ``--play`` seconds how far each gets and whether any connection drops.
Then measures the server's memory (RSS) before and after ``--cycles`` sessions are opened and
closed one after another.

A workshop room needs a dozen teams: every session should start within 10 s, keep advancing
and stay connected; a closed session's memory should be freed. On a small machine the
browsers' processor time, not the server's, sets the start times (in a room each browser runs
on its team's laptop): ``--nice-browsers 15`` keeps them from starving the server.

Measured on 2 shared cores (``--sessions 12 --play 20 --cycles 10 --nice-browsers 15``), the
server used 15.2 s of processor to start the 12 sessions (1.27 s each) before the month-0
models were copied, the static files compressed once and the libraries frozen out of the
garbage collector's full collections, and 3.4 s (0.28 s each) after; the browsers used 44-57 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("SALESIM_CHROMIUM", "/usr/bin/chromium")
MONTH = re.compile(r"Month (\d+) of (\d+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "workshop", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return process
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the workshop did not start") from None
            time.sleep(0.3)


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


async def month(page: Page) -> int:
    text = await page.get_by_text(MONTH).inner_text(timeout=5_000)
    found = MONTH.search(text)
    return int(found.group(1)) if found else -1


class Session:
    def __init__(self) -> None:
        self.page: Page | None = None
        self.started_s = float("nan")
        self.dropped: list[str] = []
        self.months: list[int] = []


async def open_session(browser: Browser, url: str, t0: float) -> Session:
    session = Session()
    context = await browser.new_context(viewport={"width": 1600, "height": 1000})
    page = await context.new_page()

    def watch(ws: object) -> None:
        ws.on("close", lambda *_: session.dropped.append(f"closed {time.monotonic() - t0:.0f} s"))  # type: ignore[attr-defined]

    page.on("websocket", watch)
    await page.goto(url, timeout=180_000)
    await page.get_by_text("Month 0 of").wait_for(timeout=180_000)
    session.started_s = time.monotonic() - t0
    session.page = page
    return session


async def concurrent(browser: Browser, url: str, sessions: int, play_s: float, pid: int) -> None:
    t0, cpu0, browsers0 = time.monotonic(), cpu_s(pid), browsers_cpu_s(pid)
    opened = await asyncio.gather(*(open_session(browser, url, t0) for _ in range(sessions)))
    starts = sorted(s.started_s for s in opened)
    used = cpu_s(pid) - cpu0
    print(
        f"{sessions} sessions opened at once: first shown after {starts[0]:.1f} s, median "
        f"{starts[len(starts) // 2]:.1f} s, last {starts[-1]:.1f} s; the server used "
        f"{used:.1f} s of processor for them ({used / sessions:.2f} s a session), the browsers "
        f"{browsers_cpu_s(pid) - browsers0:.1f} s (load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores); server memory {rss_mb(pid):.0f} MB with them open"
    )
    await asyncio.gather(*(s.page.get_by_role("button", name="Play").click() for s in opened))  # type: ignore[union-attr]
    t1, cpu1 = time.monotonic(), cpu_s(pid)
    while time.monotonic() - t1 < play_s:
        await asyncio.sleep(5)
        for s in opened:
            try:
                s.months.append(await month(s.page))  # type: ignore[arg-type]
            except Exception as err:  # a dropped page: record it, go on
                s.dropped.append(type(err).__name__)
    elapsed = time.monotonic() - t1
    reached = [max(s.months, default=0) for s in opened]
    stalls = sum(
        1 for s in opened for a, b in zip(s.months, s.months[1:], strict=False) if b <= a < 60
    )
    print(
        f"  played {elapsed:.0f} s: months reached min {min(reached)}, max {max(reached)} "
        f"({sum(reached) / elapsed:.1f} session-months/s in all); 5-s intervals without "
        f"progress: {stalls}; dropped connections: {sum(len(s.dropped) for s in opened)}; "
        f"server processor {(cpu_s(pid) - cpu1) / elapsed:.2f} s a second"
    )
    for s in opened:
        await s.page.close(run_before_unload=True)  # type: ignore[union-attr]
        await s.page.context.close()  # type: ignore[union-attr]


async def cycles(browser: Browser, url: str, count: int, pid: int) -> None:
    async def once() -> None:
        t0 = time.monotonic()
        session = await open_session(browser, url, t0)
        await session.page.get_by_role("button", name="Step").click()  # type: ignore[union-attr]
        await session.page.get_by_text("Month 1 of").wait_for(timeout=60_000)  # type: ignore[union-attr]
        await session.page.close(run_before_unload=True)  # type: ignore[union-attr]
        await session.page.context.close()  # type: ignore[union-attr]

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
    parser.add_argument("--play", type=float, default=60.0, help="seconds of play (60)")
    parser.add_argument("--cycles", type=int, default=30)
    parser.add_argument(
        "--nice-browsers",
        type=int,
        default=0,
        metavar="N",
        help="run the browsers at this niceness (the server keeps 0): in a room each team's "
        "browser runs on its own laptop, not on the server's cores",
    )
    args = parser.parse_args()
    port = free_port()
    server = start_server(port)
    if args.nice_browsers:
        os.nice(
            args.nice_browsers
        )  # inherited by the Playwright driver and Chromium, not the server
    url = f"http://127.0.0.1:{port}/"
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox"]
            )
            print(f"server: {rss_mb(server.pid):.0f} MB before any session")
            if args.sessions:
                await concurrent(browser, url, args.sessions, args.play, server.pid)
            if args.cycles:
                await cycles(browser, url, args.cycles, server.pid)
            await browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    asyncio.run(main())
