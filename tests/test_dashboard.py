"""The workshop dashboard in a real browser (Playwright driving Debian's Chromium)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from conftest import SCENARIOS

CHROMIUM = os.environ.get("SALESIM_CHROMIUM", "/usr/bin/chromium")
MONTH = re.compile(r"Month (\d+) of (\d+)")

if not Path(CHROMIUM).exists():
    if os.environ.get("SALESIM_REQUIRE_BROWSER"):
        raise RuntimeError(f"SALESIM_REQUIRE_BROWSER is set but {CHROMIUM} is missing")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt install chromium)", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.slow  # a browser and a server per test: long


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``salesim workshop`` as a user starts it, on a free port."""
    yield from serve(SCENARIOS / "reference.yaml", tmp_path_factory.mktemp("workshop"))


@pytest.fixture
def broken_server(tmp_path: Path) -> Iterator[str]:
    """The workshop on a folder that also holds a scenario with a mistake."""
    (tmp_path / "reference.yaml").write_text((SCENARIOS / "reference.yaml").read_text())
    (tmp_path / "broken.yaml").write_text("name: broken\norganisation:\n  hunterz: 2\n")
    yield from serve(tmp_path / "reference.yaml", tmp_path)


def start_workshop(scenario: Path, folder: Path) -> tuple[subprocess.Popen[bytes], int, Path]:
    """``salesim workshop`` on a free port, once it answers; its process, port and log."""
    port = free_port()
    log = folder / f"server-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sim.cli",
                "workshop",
                "--scenario",
                str(scenario),
                "--port",
                str(port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return process, port, log
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                process.wait()
                raise RuntimeError(f"the workshop did not start:\n{log.read_text()}") from None
            time.sleep(0.3)


def descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def leftovers(port: int, known: list[psutil.Process]) -> list[str]:
    """Processes still alive that served ``port`` (known children, or by command line), and
    the port itself if anything still listens on it."""
    found = {p.pid: p for p in known if p.is_running() and p.status() != psutil.STATUS_ZOMBIE}
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if str(port) in cmdline and any("workshop" in part or "solara" in part for part in cmdline):
            found[proc.pid] = proc
    problems = [f"process {pid} still running: {p.cmdline()}" for pid, p in found.items()]
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            problems.append(f"port {port} still accepts connections")
    return problems


def stop_and_check(process: subprocess.Popen[bytes], port: int, how: signal.Signals) -> None:
    """Stop the workshop with a signal; assert it exits and leaves nothing behind."""
    children = descendants(process.pid)
    os.kill(process.pid, how)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"the workshop did not stop on {how.name}") from None
    for child in children:  # give a dying child the moment it needs to go
        with contextlib.suppress(psutil.NoSuchProcess, psutil.TimeoutExpired):
            child.wait(timeout=10)
    problems = leftovers(port, children)
    for child in children:  # a failed check must not leave a server behind either
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    assert problems == []


def serve(scenario: Path, folder: Path) -> Iterator[str]:
    process, port, log = start_workshop(scenario, folder)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop_and_check(process, port, signal.SIGTERM)
    assert f"http://127.0.0.1:{port}" in log.read_text()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def open_page(browser: object, url: str) -> Page:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})  # type: ignore[attr-defined]
    page.goto(url)
    expect(page.get_by_text("Month 0 of 60")).to_be_visible(timeout=60_000)
    return page


def month(page: Page) -> int:
    return int(MONTH.search(page.get_by_text(MONTH).inner_text()).group(1))  # type: ignore[union-attr]


def chart(page: Page) -> bytes:
    """The live charts as drawn in the browser."""
    return page.locator(".solara-echarts").first.screenshot()


@pytest.mark.parametrize(
    "how", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGKILL], ids=lambda s: s.name
)
def test_stopping_the_workshop_stops_everything_it_started(
    how: signal.Signals, browser: object, tmp_path: Path
) -> None:
    """Whatever stops ``salesim workshop`` (Ctrl-C, SIGTERM, a closed terminal, kill -9 as when
    its parent dies hard) leaves no server on the port and no process behind, even mid-play."""
    process, port, _ = start_workshop(SCENARIOS / "reference.yaml", tmp_path)
    try:
        page = open_page(browser, f"http://127.0.0.1:{port}/")
        page.get_by_role("button", name="Play").click()
        expect(page.get_by_text(MONTH)).not_to_have_text("Month 0 of 60", timeout=60_000)
        stop_and_check(process, port, how)
        page.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


SESSIONS = 12  # a workshop room: a dozen teams


def test_a_dozen_sessions_at_once_all_play_and_stay_connected(
    browser: object, tmp_path: Path
) -> None:
    """Twelve teams open the dashboard at the same moment and press Play: every page shows its
    months advancing, no connection drops, and a closed session stops playing on the server."""
    process, port, _ = start_workshop(SCENARIOS / "reference.yaml", tmp_path)
    url = f"http://127.0.0.1:{port}/"
    dropped: list[str] = []
    try:
        contexts = [browser.new_context() for _ in range(SESSIONS)]  # type: ignore[attr-defined]
        pages = [context.new_page() for context in contexts]
        for i, page in enumerate(pages):
            page.on(
                "websocket",
                lambda ws, i=i: ws.on("close", lambda *_: dropped.append(f"session {i}")),
            )
            page.goto(url, wait_until="commit")  # all load at once
        for page in pages:
            expect(page.get_by_text("Month 0 of 60")).to_be_visible(timeout=180_000)
        for page in pages:
            page.get_by_role("button", name="Play").click()
        first = [0] * SESSIONS
        deadline = time.monotonic() + 300
        while min(first) < 2 and time.monotonic() < deadline:
            first = [month(page) for page in pages]
            time.sleep(1)
        assert min(first) >= 2, f"months reached: {first}"
        later = first
        while any(b <= a < 60 for a, b in zip(first, later, strict=True)):
            assert time.monotonic() < deadline, f"stalled: {first} then {later}"
            time.sleep(1)
            later = [month(page) for page in pages]
        assert dropped == []
        for page in pages:  # still a live page, not a reconnecting one
            expect(page.get_by_role("button", name="Pause")).to_be_enabled()
        assert server_state(url)["kernels"]["total"] == SESSIONS
        for page in pages:  # the teams close their tabs, mid-play
            page.close(run_before_unload=True)
        # every session is freed at once, and its playing loop ends with it: the server idles
        deadline = time.monotonic() + 120
        while (state := server_state(url))["kernels"]["total"] or state["websockets"]["open"]:
            assert time.monotonic() < deadline, state  # a session or its socket is left
            time.sleep(1)
        server = psutil.Process(process.pid)
        time.sleep(2)
        before = sum(server.cpu_times()[:2])  # user + system
        time.sleep(10)
        used = sum(server.cpu_times()[:2]) - before
        assert used < 1.0, f"{used:.1f} s of processor in 10 s with no session open"
        for context in contexts:
            context.close()
        stop_and_check(process, port, signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def server_state(url: str) -> dict[str, Any]:
    """Sessions (kernels), connections and threads of the server, from Solara's /resourcez."""
    with urllib.request.urlopen(url + "resourcez", timeout=30) as answer:
        return json.load(answer)  # type: ignore[no-any-return]


def test_a_change_plays_against_the_baseline_and_the_numbers_move(
    server: str, browser: object, tmp_path: Path
) -> None:
    page = open_page(browser, server)
    first_chart = chart(page)
    hunters = page.get_by_role("slider").first
    hunters.focus()
    for _ in range(3):
        hunters.press("ArrowRight")
    expect(page.get_by_text("Hunters: 3")).to_be_visible()
    page.get_by_role("button", name="Play").click()
    deadline = time.monotonic() + 60
    while month(page) < 4 and time.monotonic() < deadline:
        time.sleep(0.2)
    page.get_by_role("button", name="Pause").click()
    assert month(page) >= 4
    assert chart(page) != first_chart
    profit = page.get_by_text(re.compile("Operating profit so far")).inner_text()
    assert "current − baseline: $0k" not in profit, profit
    page.screenshot(path=str(tmp_path / "playing.png"), full_page=True)
    page.close()


def test_two_tabs_are_two_sessions(server: str, browser: object) -> None:
    first, second = open_page(browser, server), open_page(browser, server)
    slider = first.get_by_role("slider").first
    slider.focus()
    slider.press("ArrowRight")
    first.get_by_role("button", name="Step").click()
    expect(first.get_by_text("Month 1 of 60")).to_be_visible()
    expect(first.get_by_text("Hunters: 1")).to_be_visible()
    expect(second.get_by_text("Month 0 of 60")).to_be_visible()
    expect(second.get_by_text("Hunters: 0")).to_be_visible()
    first.close()
    second.close()


def test_rounds_are_listed_and_exported(server: str, browser: object) -> None:
    page = open_page(browser, server)
    page.get_by_label("Round name").fill("as it is")
    page.get_by_role("button", name="Commit round").click()
    expect(page.get_by_text("as it is")).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        page.get_by_text("Export rounds (CSV)").click()
    text = Path(download.value.path()).read_text()
    assert text.startswith("round,changes,revenue_collected")
    assert "as it is,(baseline)" in text
    with page.expect_download() as picture:
        page.get_by_text("Export charts (PNG)").click()
    assert Path(picture.value.path()).read_bytes()[:4] == b"\x89PNG"
    page.close()


def test_a_scenario_with_a_mistake_is_reported_and_another_can_be_picked(
    broken_server: str, browser: object
) -> None:
    page = open_page(browser, broken_server)
    page.get_by_role("button", name="reference.yaml").first.click()
    page.get_by_text("broken.yaml").last.click()
    expect(page.get_by_text(re.compile(r"broken.yaml:3:3: organisation.hunterz"))).to_be_visible()
    expect(page.get_by_text("did you mean 'hunters'", exact=False)).to_be_visible()
    page.get_by_role("button", name="broken.yaml").first.click()
    page.get_by_text("reference.yaml").last.click()
    expect(page.get_by_text("Month 0 of 60")).to_be_visible()
    page.close()


HOSTILE = '<img src=x onerror="window.__pwned=1">'


@pytest.fixture
def hostile_server(tmp_path: Path) -> Iterator[str]:
    """A one-year scenario, and a file whose name and content are markup."""
    (tmp_path / "small.yaml").write_text(
        f"name: small\nextends: {SCENARIOS / 'reference.yaml'}\ncalendar:\n  horizon_years: 1\n"
    )
    (tmp_path / f"{HOSTILE}.yaml").write_text(f"name: x\n'{HOSTILE}': 1\n")
    yield from serve(tmp_path / "small.yaml", tmp_path)


def test_names_and_messages_are_shown_as_text_and_no_script_runs(
    hostile_server: str, browser: object, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})  # type: ignore[attr-defined]
    page.goto(hostile_server)
    expect(page.get_by_text("Month 0 of 12")).to_be_visible(timeout=60_000)
    formula = '=HYPERLINK("http://evil.example","x")'
    for name in (HOSTILE, formula):
        page.get_by_label("Round name").fill(name)
        page.get_by_role("button", name="Commit round").click()
        expect(page.get_by_role("cell", name=name, exact=True)).to_be_visible(timeout=60_000)
    assert page.locator('img[src="x"]').count() == 0
    page.get_by_role("cell", name=formula, exact=True).scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "rounds.png"))
    with page.expect_download() as download:
        page.get_by_text("Export rounds (CSV)").click()
    text = Path(download.value.path()).read_text()
    assert '\n"\'=HYPERLINK(""http://evil.example"",""x"")",' in text
    assert f'\n"{HOSTILE.replace(chr(34), chr(34) * 2)}",' in text
    page.get_by_role("button", name="small.yaml").first.click()
    page.get_by_text(f"{HOSTILE}.yaml").last.click()
    expect(page.get_by_text(f"{HOSTILE}.yaml:2:1: {HOSTILE}: unknown field")).to_be_visible()
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("window.__pwned") is None
    page.close()
