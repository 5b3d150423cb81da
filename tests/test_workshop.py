"""The workshop session: levers from the schema, a run against a frozen baseline, rounds."""

from __future__ import annotations

import asyncio
import csv
import io
import math
import re
import time
from collections.abc import Iterator

import ipyvuetify as v
import pandas as pd
import pytest
import solara
from conftest import scenario
from pydantic import ValidationError

from sim.config.fields import field_at
from sim.config.schema import Scenario
from sim.model import SalesModel
from sim.run import summary
from sim.workshop import app
from sim.workshop.levers import LEVERS, NEEDS, Lever, apply, idle, settings_of
from sim.workshop.serve import Message, Receive, Send, StaticCache
from sim.workshop.session import MONTH_ZERO, MonthZero, Workshop

SMALL = ("calendar.horizon_years=1", "market.prospects=2000")


def workshop(name: str = "split", seed: int = 3) -> Workshop:
    return Workshop(scenario(name, *SMALL), seed=seed)


def test_every_lever_is_a_scenario_field_within_the_schema_limits() -> None:
    base = scenario("split")
    values = settings_of(base)
    assert len(values) == len(LEVERS) >= 15
    for lever in LEVERS:
        if lever.kind in ("int", "float"):
            bounds = field_at(Scenario, lever.path).bounds
            assert bounds.admits(lever.low) and bounds.admits(lever.high), lever
            assert lever.low <= values[lever.path] <= lever.high, lever
        if lever.kind == "choice":
            assert values[lever.path] in lever.choices
        assert lever.help, lever.path
    assert apply(base, values) == base


def test_with_the_baseline_settings_both_runs_are_the_same() -> None:
    w = workshop()
    w.step(6)
    current, baseline = w.frames()
    assert len(current) == 6
    pd.testing.assert_frame_equal(current, baseline)
    assert w.difference()["profit"] == 0.0
    assert math.isnan(w.difference()["retention_12m"])  # needs 12 months of history
    w.step(6)
    assert w.difference() == {"profit": 0.0, "retention_12m": 0.0, "months": 12}


def test_a_change_restarts_the_current_run_and_the_difference_is_the_decision() -> None:
    w = workshop()
    w.step(4)
    before = w.baseline.frame().copy()
    w.change("organisation.hunters", 2)
    assert w.month == 0 and w.frames()[0].empty
    w.step(6)
    current, baseline = w.frames()
    pd.testing.assert_frame_equal(baseline.iloc[:4], before)
    direct = SalesModel(apply(w.scenario, w.settings), seed=3)
    for _ in range(6 * w.scenario.calendar.working_days_per_month):
        direct.step()
    pd.testing.assert_frame_equal(current, direct.timeseries())
    assert (current["hunter_headcount"] == 2).all()
    assert w.difference()["profit"] == pytest.approx(
        current["profit"].sum() - baseline["profit"].sum()
    )
    assert w.difference()["profit"] != 0


def test_a_value_outside_the_schema_is_refused_and_nothing_changes() -> None:
    w = workshop()
    w.step(2)
    with pytest.raises(ValueError, match="between 0 and"):  # the slider's range, first
        w.change("organisation.hunters", -1)
    with pytest.raises(ValidationError):  # the schema's check: not a whole number
        w.change("organisation.hunters", "6")
    with pytest.raises(KeyError):
        w.change("market.prospects", 10)
    assert w.month == 2 and w.settings["organisation.hunters"] == 6


def test_the_runs_stop_at_the_horizon_and_reset_starts_again() -> None:
    w = workshop()
    w.step(100)
    assert w.month == 12 and w.finished and len(w.frames()[0]) == 12
    w.reset()
    assert w.month == 0 and not w.finished


def test_a_committed_round_reports_its_full_run_against_the_baseline() -> None:
    w = workshop()
    w.commit("as is")
    w.change("organisation.specialists", 1)
    w.change("handoff.style", "cold")
    done = w.commit("  ")
    assert done.name == "Round 2"
    assert done.changes == {"organisation.specialists": 1, "handoff.style": "cold"}
    full = summary(SalesModel(apply(w.scenario, w.settings), seed=3).run())
    assert done.results["profit"] == full["profit"]
    table = pd.read_csv(io.StringIO(w.rounds_csv()))
    assert list(table["round"]) == ["as is", "Round 2"]
    assert table.loc[0, "profit_vs_baseline"] == 0
    assert table.loc[1, "profit_vs_baseline"] == pytest.approx(
        full["profit"] - table.loc[0, "profit"]
    )
    assert table.loc[0, "changes"] == "(baseline)"


def test_the_rounds_table_shows_the_behaviour_the_bonus_levers_move() -> None:
    # The whole market: freed hours go to hunting only where prospects are left to call.
    w = Workshop(scenario("split", "calendar.horizon_years=1"), seed=3)
    w.change("money.new_client_bonus_share", 0.3)  # hunting pays more per hour
    w.commit("hunt")
    w.change("money.new_client_bonus_share", 0.1)
    w.change("money.ongoing_bonus_share", 0.0)
    w.change("money.project_bonus_share", 0.0)  # no stake in old clients at all
    w.commit("no stake")
    table = pd.read_csv(io.StringIO(w.rounds_csv()))
    hunt, no_stake = table.iloc[0], table.iloc[1]
    assert hunt["hunting_hours_per_seller_vs_baseline"] > 0
    assert no_stake["escalations_answered_share_vs_baseline"] < -0.5
    still = Workshop(scenario("split", "calendar.horizon_years=1"), seed=3)
    still.change("effort.responsiveness", 0.0)  # sellers keep the fixed rules
    still.change("money.ongoing_bonus_share", 0.0)
    still.change("money.project_bonus_share", 0.0)
    row = still.commit("ignored").row()
    assert row["escalations_answered_share_vs_baseline"] == 0
    assert row["hunting_hours_per_seller_vs_baseline"] == 0


def test_freezing_makes_the_current_settings_the_baseline() -> None:
    w = workshop()
    w.change("organisation.hunters", 4)
    w.step(3)
    w.freeze_baseline()
    current, baseline = w.frames()
    pd.testing.assert_frame_equal(current, baseline)
    assert w.commit("frozen").results == w.commit("again").baseline


@pytest.mark.parametrize(
    "name", [None, 3, ["a"], "two\nlines", "tab\tinside", "x" * 65, "bell\x07"]
)
def test_a_round_name_that_is_not_one_line_of_text_is_refused_and_nothing_runs(
    name: object,
) -> None:
    w = workshop()
    with pytest.raises(ValueError, match="a round name is"):
        w.commit(name)  # type: ignore[arg-type]
    assert w.rounds == [] and w._baseline_result is None


def test_a_round_name_is_kept_as_typed() -> None:
    w = workshop()
    names = ["x" * 64, "  Раунд 2: найм  ", '<img src=x onerror="alert(1)">']
    for name in names:
        w.commit(name)
    assert [r.name for r in w.rounds] == [n.strip() for n in names]


@pytest.mark.parametrize("months", [0, -5, 1.5, "2", True, None])
def test_a_step_that_is_not_a_whole_number_of_months_is_refused(months: object) -> None:
    w = workshop()
    w.step(2)
    with pytest.raises(ValueError, match="whole number"):
        w.step(months)  # type: ignore[arg-type]
    assert w.month == 2 and len(w.frames()[0]) == 2


def test_a_lever_keeps_the_value_as_the_schema_reads_it() -> None:
    w = workshop()
    w.change("money.new_client_bonus_share", 0)
    assert type(w.settings["money.new_client_bonus_share"]) is float


def test_the_rounds_csv_holds_no_live_formula_and_numbers_stay_numbers() -> None:
    w = workshop()
    names = ['=HYPERLINK("http://evil.example","x")', "@SUM(A1:A2)", "-2+3", "+1", "-3.5"]
    w.commit(names[0])
    w.change("organisation.hunters", 0)  # a loss against the baseline: negative numbers
    for name in names[1:]:
        w.commit(name)
    text = w.rounds_csv()
    table = pd.read_csv(io.StringIO(text))
    assert list(table["round"]) == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'@SUM(A1:A2)",
        "'-2+3",
        "+1",
        "-3.5",
    ]
    assert (table["staff_cost_vs_baseline"].iloc[1:] < 0).all()  # fewer hunters cost less
    last = next(csv.DictReader(io.StringIO(text.splitlines()[0] + "\n" + text.splitlines()[-1])))
    assert last["round"] == "-3.5" and last["changes"] == "organisation.hunters=0"
    negative = last["staff_cost_vs_baseline"]
    assert negative.startswith("-") and float(negative) < 0  # written as a number, no quote


@pytest.mark.parametrize("name", ["split", "split_letters_vip"])
def test_a_session_started_from_a_kept_copy_plays_the_months_of_a_fresh_build(name: str) -> None:
    MONTH_ZERO.clear()
    first = Workshop(scenario(name, *SMALL), seed=5)  # builds the model once and keeps it
    copied = Workshop(scenario(name, *SMALL), seed=5)  # both runs are copies of it
    assert len(MONTH_ZERO._kept) == 1  # the model pickles: a session starts with a copy
    models = {id(w.current.model) for w in (first, copied)} | {id(copied.baseline.model)}
    assert len(models) == 3  # every run has a model of its own
    copied.step(13)
    fresh = SalesModel(apply(copied.scenario, copied.settings), seed=5).run()
    for played in copied.frames():
        pd.testing.assert_frame_equal(played, fresh.iloc[:13], check_exact=True)
    assert first.month == 0 and first.frames()[0].empty  # untouched by the other's play


def test_only_the_last_scenarios_are_kept_and_another_seed_is_another_model() -> None:
    kept = MonthZero(size=2)
    base = scenario("split", *SMALL)
    for hunters in (1, 2, 3):
        kept.model(apply(base, {"organisation.hunters": hunters}), seed=1)
    assert len(kept._kept) == 2
    kept.model(base, seed=1)
    days = base.calendar.working_days_per_month
    months = []
    for seed in (1, 2):
        copy, fresh = kept.model(base, seed=seed), SalesModel(base, seed=seed)
        for _ in range(days):
            copy.step()
            fresh.step()
        pd.testing.assert_frame_equal(copy.timeseries(), fresh.timeseries(), check_exact=True)
        months.append(copy.timeseries())
    assert not months[0].equals(months[1])
    assert len(kept._kept) == 2


class FakeApp:
    """An ASGI app answering every request with its count, and 404 for ``/static/missing``."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        self.calls += 1
        await asyncio.sleep(0.01)
        status = 404 if scope["path"].endswith("missing") else 200
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": f"answer {self.calls}".encode()})


def get(cache: StaticCache, path: str, *headers: tuple[bytes, bytes]) -> bytes:
    """The body of one GET through ``cache``."""
    scope = {"type": "http", "method": "GET", "path": path, "headers": list(headers)}
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request"}

    asyncio.run(cache(scope, receive, send))
    return b"".join(m.get("body", b"") for m in sent)


def test_a_static_file_is_answered_from_memory_after_its_first_request() -> None:
    app = FakeApp()
    cache = StaticCache(app)
    gzip = (b"accept-encoding", b"gzip, deflate")
    assert get(cache, "/static/main.js", gzip) == b"answer 1"
    assert get(cache, "/static/main.js", gzip) == b"answer 1" and app.calls == 1
    assert get(cache, "/static/main.js") == b"answer 2"  # no gzip: another answer
    assert get(cache, "/static/main.js", (b"if-none-match", b'"x"')) == b"answer 3"
    assert get(cache, "/", gzip) == b"answer 4" and get(cache, "/", gzip) == b"answer 5"
    assert get(cache, "/static/missing") == b"answer 6" and get(cache, "/static/missing")
    assert app.calls == 7  # a 404 is not kept


def test_browsers_asking_for_a_static_file_at_once_get_one_answer() -> None:
    app = FakeApp()
    cache = StaticCache(app)

    async def at_once() -> list[bytes]:
        bodies: list[list[bytes]] = [[] for _ in range(12)]

        async def one(i: int) -> None:
            async def send(message: Message) -> None:
                bodies[i].append(message.get("body", b""))

            async def receive() -> Message:
                return {"type": "http.request"}

            scope = {"type": "http", "method": "GET", "path": "/static/a.js", "headers": []}
            await cache(scope, receive, send)

        await asyncio.gather(*(one(i) for i in range(12)))
        return [b"".join(b) for b in bodies]

    assert asyncio.run(at_once()) == [b"answer 1"] * 12 and app.calls == 1


def test_a_full_cache_keeps_no_more() -> None:
    app = FakeApp()
    cache = StaticCache(app, limit_mb=12 / 2**20)
    get(cache, "/static/a.js"), get(cache, "/static/b.js")
    assert get(cache, "/static/a.js") == b"answer 1"  # 8 bytes kept: no room for the next
    assert get(cache, "/static/b.js") == b"answer 3" and app.calls == 3


def other_value(lever: Lever, value: object) -> object:
    """A value of the lever other than ``value``, within the slider."""
    if lever.kind == "bool":
        return not value
    if lever.kind == "choice":
        return next(c for c in lever.choices if c != value)
    assert lever.low is not None and lever.high is not None
    far = lever.high if value != lever.high else lever.low
    return int(far) if lever.kind == "int" else far


IDLE_WORLDS = {  # scenario and overrides: worlds in which some levers cannot act
    "no specialists, writers or VIP leads": ("reference", ()),
    "no variable pay for specialists": ("split", ()),
    "no hunter to hand off": ("split", ("organisation.hunters=0", "organisation.generalists=2")),
    "phone, not letters": ("split_phone", ()),
    "no seller at all": ("split", ("organisation.hunters=0",)),
}


@pytest.mark.parametrize("world", IDLE_WORLDS)
def test_a_lever_shown_as_idle_changes_no_month(world: str) -> None:
    """Every lever the page disables is one the model does not read in that world: changing
    it leaves every column of every month as it was."""
    name, overrides = IDLE_WORLDS[world]
    base = scenario(name, *SMALL, *overrides)
    reasons = idle(base)
    assert reasons, world
    as_is = SalesModel(base, seed=2).run()
    by_path = {lever.path: lever for lever in LEVERS}
    for path, reason in reasons.items():
        lever = by_path[path]
        moved = apply(base, {path: other_value(lever, lever.read(base))})
        assert moved != base, path
        pd.testing.assert_frame_equal(
            SalesModel(moved, seed=2).run(), as_is, check_exact=True, obj=f"{path} ({reason})"
        )


def test_a_lever_is_enabled_again_once_what_it_needs_is_there() -> None:
    base = scenario("reference", *SMALL)
    reasons = idle(base)
    assert reasons["vip.seconded_full_time"] == "needs a VIP-programme lead"
    assert reasons["vip.pitch_share"] == "needs a VIP-programme lead"
    assert reasons["letters.letters_per_day"] == "needs a letter writer"
    assert reasons["handoff.style"] == "needs a client-department specialist"
    assert "organisation.hunters" not in reasons and "money.gross_margin" not in reasons
    w = Workshop(base, seed=3)
    assert "vip.seconded_full_time" in idle(w.current.scenario)
    w.change("organisation.vip_leads", 1)
    assert "vip.seconded_full_time" not in idle(w.current.scenario)
    everything = apply(
        scenario("split_letters_vip", *SMALL),
        {"specialists.pay_weight": 0.2, "money.ongoing_bonus_share": 0.05},
    )
    assert idle(everything) == {}  # with every need met, every lever acts
    assert {p for need in NEEDS for p in need.paths} <= {lv.path for lv in LEVERS}


def test_a_slider_shows_its_value_and_range_in_the_fields_unit() -> None:
    by_path = {lever.path: lever for lever in LEVERS}
    hunters, share = by_path["organisation.hunters"], by_path["money.new_client_bonus_share"]
    pay = by_path["staffing.market_pay_usd_per_month"]
    assert (hunters.unit, share.unit, pay.unit) == ("people", "share 0-1", "USD/month")
    assert app.shown_value(hunters, 3) == "3 people" and app.shown_value(hunters, 1) == "1 person"
    assert app.shown_value(share, 0.1) == "10 %" and app.shown_value(share, 0.3) == "30 %"
    assert app.shown_value(pay, 4760.0) == "4,760 USD/month"
    assert all(lever.unit for lever in LEVERS if lever.kind in ("int", "float"))


def test_the_rounds_table_shows_counts_as_whole_numbers_money_as_money_shares_as_percent() -> None:
    w = workshop()
    w.commit("as is")
    w.change("organisation.hunters", 2)
    w.commit("fewer")
    header, rows = app.table_cells(app._readable(w.rounds_table()), app.round_kinds())
    row = dict(zip(header, rows[1], strict=True))
    assert re.fullmatch(r"\d[\d,]*", row["clients"]), row["clients"]
    assert re.fullmatch(r"[+-]\d[\d,]*", row["clients vs baseline"]), row
    assert re.fullmatch(r"-?\$\d[\d,]*\.\d\dM", row["op. profit $M"]), row
    assert re.fullmatch(r"[+-]\$\d[\d,]*\.\d\dM", row["op. profit $M vs baseline"]), row
    assert re.fullmatch(r"\d+\.\d %", row["retention %"]), row
    assert re.fullmatch(r"[+-]\d+\.\d pts", row["retention % vs baseline"]), row
    assert app.cell_text("count", 291.0) == "291" and app.cell_text("money", -0.04) == "-$0.04M"
    assert app.cell_text("share", float("nan")) == "n/a"


def test_before_the_first_month_the_charts_say_how_to_start_and_invent_no_scale() -> None:
    w = workshop()
    empty = app.chart_option(w)
    assert len(empty["graphic"]) == len(app.CHARTS)
    assert all(g["style"]["text"] == "press Play to start" for g in empty["graphic"])
    assert all(y["min"] == 0 and not y["axisLabel"]["show"] for y in empty["yAxis"])
    picture = app.LiveCharts(w.horizon_months)  # the export, drawn on the server
    assert [t.get_text() for t in picture.placeholders] == ["press Play to start"] * 6
    assert all(len(ax.get_yticks()) == 0 for ax, *_ in picture.lines)
    w.step(1)
    played = app.chart_option(w)
    assert played["graphic"] == []
    assert all("min" not in y and y["axisLabel"].get("show", True) for y in played["yAxis"])
    picture.update(w)
    assert picture.placeholders == [] and all(len(ax.get_yticks()) for ax, *_ in picture.lines)


class PageInProcess:
    """The workshop page rendered in this process (no server, no browser), with the reference
    company over one year; ``drawn`` counts the page's own drawings (each lists the folder)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.drawn = 0

        def listed() -> list[str]:
            self.drawn += 1
            return ["reference.yaml"]

        monkeypatch.setattr(app, "scenario_files", listed)
        monkeypatch.setattr(app, "load", lambda name: scenario("reference", *SMALL))
        monkeypatch.setattr(app, "DEFAULT_SCENARIO", "reference.yaml")
        self.box, self.rc = solara.render(app.Page(), handle_error=False)

    def widgets(self, w: object = None) -> list[object]:
        w = self.box if w is None else w
        children = getattr(w, "children", None) or []
        return [w, *(x for c in children if hasattr(c, "children") for x in self.widgets(c))]

    def click(self, label: str) -> None:
        btn = next(w for w in self.widgets() if isinstance(w, v.Btn) and label in w.children)
        btn.fire_event("click", {})

    def month(self) -> int:
        """The month the heading shows (-1 if caught between two drawings)."""
        shown = (c for w in self.widgets() for c in w.children if isinstance(c, str))
        found = (m.group(1) for c in shown if (m := re.fullmatch(r"Month (\d+) of 12", c)))
        return int(next(found, -1))


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[PageInProcess]:
    shown = PageInProcess(monkeypatch)
    try:
        yield shown
    finally:
        shown.rc.close()


def test_a_frame_while_playing_draws_again_only_the_live_part_of_the_page(
    page: PageInProcess,
) -> None:
    """A dozen sessions play on one processor: a frame redraws the month, the difference and
    the charts, not the levers, buttons and rounds (the page's own drawing lists the folder)."""
    drawn = page.drawn
    page.click("Play")
    deadline = time.monotonic() + 60
    while page.month() < 5:
        assert time.monotonic() < deadline, f"month {page.month()}"
        time.sleep(0.1)
    page.click("Pause")
    assert page.drawn - drawn <= 2  # Play, and perhaps Pause already: not 5 frames


def test_a_pause_that_lands_mid_frame_shows_the_month_the_runs_reached(
    page: PageInProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The facilitator presses Pause while a month is being simulated: that month finishes, and
    the page shows it (and its charts, and their PNG), not the month before."""
    step = Workshop.step
    months: list[int] = []

    def pause_during_the_third(self: Workshop, count: int = 1) -> None:
        months.append(count)
        if len(months) == 3:
            page.click("Pause")  # the click lands mid-frame: the page is drawn at once
        step(self, count)

    monkeypatch.setattr(Workshop, "step", pause_during_the_third)
    page.click("Play")
    deadline = time.monotonic() + 30
    while page.month() != 3:
        assert time.monotonic() < deadline, f"the page shows month {page.month()}, the runs 3"
        time.sleep(0.1)
    assert len(months) == 3  # and the play stopped there
