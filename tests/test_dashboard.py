"""The workshop dashboard in a real browser (Playwright driving Debian's Chromium)."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from conftest import SCENARIOS
from workshop_server import (
    serve,
    server_state,
    start_workshop,
    stop_and_check,
)

CHROMIUM = os.environ.get("SALESIM_CHROMIUM", "/usr/bin/chromium")
MONTH = re.compile(r"Month (\d+) of (\d+)")

if not Path(CHROMIUM).exists():
    if os.environ.get("SALESIM_REQUIRE_BROWSER"):
        raise RuntimeError(f"SALESIM_REQUIRE_BROWSER is set but {CHROMIUM} is missing")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt install chromium)", allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.slow  # a browser and a server per test: long


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


def covered(page: Page, target: Any) -> list[str]:
    """Points of ``target`` (its left edge, centre and right edge), scrolled to the bottom of
    the screen, where another element is on top or the screen ends: what a room cannot click."""
    target.evaluate("el => el.scrollIntoView({block: 'end'})")  # the bottom of the screen
    return target.evaluate(  # type: ignore[no-any-return]
        """el => {
            const r = el.getBoundingClientRect(), y = r.top + r.height / 2;
            const hit = x => document.elementFromPoint(x, y);
            return [r.left + 3, r.left + r.width / 2, r.right - 3]
                .filter(x => !el.contains(hit(x)))
                .map(x => `x ${Math.round(x)}: ${hit(x) ? hit(x).outerHTML : "off the screen"}`);
        }"""
    )


def overlaps(a: dict[str, float] | None, b: dict[str, float] | None) -> bool:
    if a is None or b is None:
        return False
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_on_a_projector_the_page_loads_clean_and_nothing_covers_its_buttons(
    server: str, browser: object, size: tuple[int, int], tmp_path: Path
) -> None:
    """No console error or failed request on load (the page once asked for KaTeX files that
    are not served); the charts say how to start instead of showing empty axes; no banner
    covers COMMIT ROUND or the exports; the rounds table counts clients in whole numbers."""
    width, height = size
    page = browser.new_page(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    page.on(
        "response", lambda r: errors.append(f"{r.status}: {r.url}") if r.status >= 400 else None
    )
    page.goto(server)
    expect(page.get_by_text("Month 0 of 60")).to_be_visible(timeout=60_000)
    placeholder = page.get_by_text("Press Play (or Step) to start")
    expect(placeholder).to_be_visible()
    page.get_by_label("Round name").fill("as it is")
    page.get_by_role("button", name="Commit round").click()
    expect(page.get_by_text("Export rounds (CSV)")).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1000)  # requests made as the page settles
    assert errors == []
    banners = [b for b in page.get_by_text("runs on Solara").all() if b.is_visible()]
    for name in ("Commit round", "Export rounds (CSV)", "Export charts (PNG)"):
        target = page.get_by_role("button", name=name).first
        assert covered(page, target) == [], name
        assert not any(overlaps(target.bounding_box(), b.bounding_box()) for b in banners), name
    header = page.locator("table th").all_inner_texts()
    cells = page.locator("table tbody tr").first.locator("td").all_inner_texts()
    row = dict(zip(header, cells, strict=True))
    assert re.fullmatch(r"\d[\d,]*", row["clients"]), row
    assert re.fullmatch(r"\$\d[\d,]*\.\d\dM", row["op. profit $M"]), row
    page.screenshot(path=str(tmp_path / "rounds.png"))
    page.get_by_role("button", name="Step").click()
    expect(page.get_by_text("Month 1 of 60")).to_be_visible()
    expect(placeholder).to_have_count(0)
    page.close()


DISABLED = re.compile(r"\bv-input--disabled\b")  # Vuetify's mark of a disabled control


def field(slider: Any) -> Any:
    """The control a slider's thumb belongs to (where Vuetify marks it disabled)."""
    return slider.locator("xpath=ancestor::div[contains(@class, 'v-input ')][1]")


def test_a_slider_shows_its_range_and_a_lever_that_cannot_act_is_disabled_until_it_can(
    server: str, browser: object
) -> None:
    from sim.workshop.levers import LEVERS

    sliders = [lever.path for lever in LEVERS if lever.kind in ("int", "float")]
    page = open_page(browser, server)
    expect(page.get_by_text("Hunters: 0 people")).to_be_visible()
    expect(page.get_by_text("30 people").first).to_be_visible()  # the hunters' slider's top
    expect(page.get_by_text("New-client bonus share: 10 %")).to_be_visible()
    seconded = page.get_by_role("slider").nth(sliders.index("vip.seconded_full_time"))
    pitch = page.get_by_role("slider").nth(sliders.index("vip.pitch_share"))
    reason = page.get_by_text("needs a VIP-programme lead")
    for slider in (seconded, pitch):
        expect(field(slider)).to_have_class(DISABLED)
    expect(reason).to_have_count(2)
    leads = page.get_by_role("slider").nth(sliders.index("organisation.vip_leads"))
    leads.focus()
    leads.press("ArrowRight")
    expect(page.get_by_text("VIP programme leads: 1 person")).to_be_visible()
    for slider in (seconded, pitch):
        expect(field(slider)).not_to_have_class(DISABLED)
    expect(reason).to_have_count(0)
    page.close()
