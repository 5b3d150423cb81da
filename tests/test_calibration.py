"""Field patterns: the pattern functions on hand-made tables, the command, and the calibration.

The tests marked ``calibration`` assert that the reference company (scenarios/unsplit.yaml)
shows every field pattern of ``sim.patterns.TARGETS``: the whole 95 % interval over 10
replications lies in the cited range (docs/VALIDATION.md).
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS, run, salesim, scenario

from sim.ledger import COLUMNS
from sim.model import SalesModel
from sim.patterns import (
    BY_TARGET,
    PATTERNS,
    TARGETS,
    Measured,
    Replication,
    acquisition_share,
    annual_churn,
    compensation_cost_of_sales,
    format_table,
    funnel_rate,
    loss_share,
    measure,
    measure_replications,
    pay_ratio,
    replicate,
    retention_effect,
    sales_cost_share,
    top_share,
    verdict,
    with_churn_hazards_scaled,
)
from sim.study.stats import Interval

REPLICATIONS = 10


def table(months: int = 24, **columns: float | list[float]) -> pd.DataFrame:
    """A monthly table of zeros with the given columns set (a number: every month)."""
    frame = pd.DataFrame(0.0, index=range(months), columns=list(COLUMNS))
    for name, value in columns.items():
        assert name in COLUMNS, name
        frame[name] = value
    return frame


# ---- the pattern functions ------------------------------------------------------------------


def test_annual_churn_is_losses_a_year_over_mean_active() -> None:
    # 2 years, 100 then 300 active clients (mean 200), 2 lost a month: 24 a year / 200.
    frame = table(active_clients=[100.0] * 12 + [300.0] * 12, lost_clients=2.0)
    frame["lost_lapsed"], frame["lost_to_competitor"] = 0.5, 1.5
    assert annual_churn(frame) == pytest.approx(24 / 200)
    assert annual_churn(frame, "lost_lapsed") == pytest.approx(6 / 200)
    assert annual_churn(frame, "lost_to_competitor") == pytest.approx(18 / 200)


def test_annual_churn_without_clients_is_nan() -> None:
    assert math.isnan(annual_churn(table(lost_clients=0.0)))
    assert math.isnan(annual_churn(table(months=0)))


def test_acquisition_share_reads_the_first_quarter_hunting_over_worked_hours() -> None:
    # 4 generalists on 168-hour months, 75 % busy: 126 hours worked each a month. In months
    # 1-3 each hunts 31.5 hours (25 %); from month 4, 100 hours, which must not count.
    frame = table(
        generalist_headcount=4.0,
        generalist_utilisation=0.75,
        hunting_hours_per_seller=[31.5] * 3 + [100.0] * 21,
    )
    assert acquisition_share(frame, 168.0) == pytest.approx(0.25)


def test_acquisition_share_counts_vacant_seats_in_the_hunting_hours() -> None:
    # hunting_hours_per_seller divides by every seat (3 on staff + 1 vacant): the hours hunted
    # are 80 x 4 = 320 a month, against 3 x 160 worked.
    frame = table(
        months=12,
        generalist_headcount=3.0,
        vacancies=1.0,
        generalist_utilisation=1.0,
        hunting_hours_per_seller=80.0,
    )
    assert acquisition_share(frame, 160.0) == pytest.approx(320 / 480)


def test_acquisition_share_without_sellers_is_nan() -> None:
    assert math.isnan(acquisition_share(table(), 168.0))


def test_acquisition_share_is_nan_with_hunters_on_staff() -> None:
    # hunting_hours_per_seller mixes hunters and generalists: the generalists' share is unknown.
    frame = table(
        months=12,
        generalist_headcount=2.0,
        generalist_utilisation=1.0,
        hunter_headcount=[0.0] * 2 + [1.0] * 10,
        hunter_utilisation=1.0,
        hunting_hours_per_seller=50.0,
    )
    assert math.isnan(acquisition_share(frame, 160.0))
    frame["hunter_headcount"] = 0.0
    assert acquisition_share(frame, 160.0) == pytest.approx(100 / 320)


def test_loss_share_is_one_cause_over_all_losses() -> None:
    frame = table(months=12, lost_clients=4.0, lost_to_competitor=3.0, lost_lapsed=1.0)
    assert loss_share(frame) == pytest.approx(0.75)
    assert loss_share(frame, "lost_lapsed") == pytest.approx(0.25)
    assert math.isnan(loss_share(table()))


def test_top_share_of_a_known_distribution() -> None:
    # 10 paying clients: the top 2 pay 60 + 20 of 100; zeros are not clients of the year.
    revenue = [60, 20, 5, 5, 2, 2, 2, 2, 1, 1, 0, 0, 0]
    assert top_share(revenue) == pytest.approx(0.8)
    assert top_share([1.0] * 10) == pytest.approx(0.2)  # equal clients: 20 % give 20 %
    assert top_share([5.0, 1.0, 1.0]) == pytest.approx(5 / 7)  # 20 % of 3 rounds up to 1
    assert math.isnan(top_share([0.0, 0.0]))


def test_top_share_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="share"):
        top_share([1.0], share=0.0)
    with pytest.raises(ValueError, match="negative"):
        top_share([1.0, -1.0])


def test_funnel_rates_divide_each_stage_by_the_one_before() -> None:
    frame = table(months=12, calls=100.0, meetings=8.0, proposals=4.0, new_clients=1.0)
    assert funnel_rate(frame, "call_to_meeting") == pytest.approx(0.08)
    assert funnel_rate(frame, "meeting_to_proposal") == pytest.approx(0.5)
    assert funnel_rate(frame, "proposal_to_win") == pytest.approx(0.25)
    assert math.isnan(funnel_rate(table(), "call_to_meeting"))
    with pytest.raises(KeyError):
        funnel_rate(frame, "lead_to_call")


def test_sales_cost_and_pay_shares_of_revenue_collected() -> None:
    frame = table(
        months=12,
        revenue_collected=1000.0,
        staff_cost=90.0,
        other_cost=10.0,
        salaries=60.0,
        bonuses=20.0,
        revenue_booked=5000.0,  # booked is not collected: must not count
    )
    assert sales_cost_share(frame) == pytest.approx(0.1)
    assert compensation_cost_of_sales(frame) == pytest.approx(0.08)
    assert math.isnan(sales_cost_share(table(staff_cost=1.0)))


def test_pay_ratio_with_specialists_uses_their_realised_pay() -> None:
    frame = table(
        months=12,
        hunter_headcount=2.0,
        hunter_salaries=8000.0,
        hunter_bonuses=2000.0,  # 5,000 a person-month
        specialist_headcount=1.0,
        specialist_salaries=2400.0,
        specialist_bonuses=100.0,  # 2,500 a person-month
    )
    assert pay_ratio(frame, service_pay_usd=1.0) == pytest.approx(2.0)


def test_pay_ratio_without_specialists_uses_the_configured_service_pay() -> None:
    frame = table(
        months=12, generalist_headcount=6.0, generalist_salaries=27000.0, generalist_bonuses=3000.0
    )
    assert pay_ratio(frame, service_pay_usd=2500.0) == pytest.approx(2.0)
    assert math.isnan(pay_ratio(table(), service_pay_usd=2500.0))


def test_verdict_needs_the_whole_interval_inside_the_range() -> None:
    target = BY_TARGET["churn"]  # 5-15 % a year
    assert verdict(Interval(0.10, 0.08, 0.12, 10), target) == "in"
    assert verdict(Interval(0.14, 0.13, 0.16, 10), target) == "out"  # straddles the edge
    assert verdict(Interval(0.28, 0.25, 0.31, 10), target) == "out"
    assert verdict(Interval(0.10, math.nan, math.nan, 1), target) == "n/a"
    assert verdict(Interval(0.10, 0.08, 0.12, 10), BY_TARGET["churn_lapsed"]) == "n/a"


def test_every_target_has_a_pattern_a_range_and_a_source() -> None:
    assert set(PATTERNS) == {t.name for t in TARGETS}
    for t in TARGETS:
        assert t.citation and t.source, t.name
        if t.kind == "report":
            assert math.isnan(t.low) and math.isnan(t.high), t.name
        else:
            assert t.low < t.high, t.name
        if t.kind == "target":
            assert any(str(year) in t.citation for year in range(1960, 2030)), t.name


def test_measure_over_hand_made_replications() -> None:
    churns = [0.07, 0.10, 0.13]
    reps = [
        Replication(
            table(active_clients=100.0, lost_clients=c * 100 / 12, calls=10.0, meetings=1.0),
            np.array([3.0, 1.0, 1.0, 1.0, 1.0]),
            168.0,
            2500.0,
        )
        for c in churns
    ]
    measured = {m.target.name: m for m in measure_replications(reps)}
    churn = measured["churn"]
    assert churn.values == pytest.approx(tuple(churns))
    assert churn.interval.mean == pytest.approx(0.10)
    half = 4.303 * 0.03 / math.sqrt(3)  # t(0.975, 2) x sd / sqrt(n)
    assert churn.interval.low == pytest.approx(0.10 - half, rel=1e-3)
    assert churn.verdict == "out"  # 2.5 %-17.5 % is wider than 5-15 %
    assert measured["top20_share"].interval.mean == pytest.approx(3 / 7)
    assert measured["call_to_meeting"].interval.mean == pytest.approx(0.1)
    assert measured["acquisition_share"].verdict == "n/a"  # no sellers at all


def test_measure_needs_two_replications() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        measure(scenario("unsplit"), replications=1)


def test_format_table_shows_every_pattern_with_its_source() -> None:
    interval = Interval(0.285, 0.25, 0.32, 10)
    text = format_table([Measured(t, (0.285,), interval) for t in TARGETS])
    for t in TARGETS:
        assert t.label.strip() in text
        assert t.citation in text
    assert "28.5% [25.0%, 32.0%] /yr" in text
    assert "Talley" in text


# ---- the hook: what each client paid ----------------------------------------------------------


def test_payments_per_client_add_up_to_revenue_collected() -> None:
    model = SalesModel(scenario("unsplit", "calendar.horizon_years=1"), seed=3)
    frame = model.run()
    assert model.book.collected.sum() == pytest.approx(frame["revenue_collected"].sum())
    assert (model.book.collected >= 0).all()


def test_replication_keeps_the_last_year_of_payments() -> None:
    rep = replicate(scenario("unsplit", "calendar.horizon_years=2"), seed=3)
    last_year = rep.frame["revenue_collected"].iloc[-12:].sum()
    assert rep.client_revenue.sum() == pytest.approx(last_year)
    assert rep.hours_per_month == pytest.approx(8.0 * 21)


# ---- the command ------------------------------------------------------------------------------


def test_patterns_command_prints_the_table() -> None:
    result = salesim(
        "patterns",
        str(SCENARIOS / "unsplit.yaml"),
        "--replications",
        "2",
        "--years",
        "1",
        "--set",
        "market.prospects=300",
    )
    assert result.returncode == 0, result.stderr
    assert "model mean [95 % CI]" in result.stdout
    for t in TARGETS:
        assert t.label.strip() in result.stdout


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--replications", "1"], "--replications: must be between 2 and 1000, got 1"),
        (["--seed", "x"], "--seed: expected a whole number, got 'x'"),
        (["--set", "market.prospects=-3"], "market.prospects: Input should be greater"),
    ],
)
def test_patterns_bad_option_exits_2(args: list[str], expect: str) -> None:
    result = salesim("patterns", str(SCENARIOS / "unsplit.yaml"), *args)
    assert result.returncode == 2
    assert expect in result.stderr
    assert "Traceback" not in result.stderr


def test_patterns_missing_or_bad_file_is_located(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = salesim("patterns", str(missing))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{missing}:"), result.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\norganisation:\n  hunterz: 3\n", encoding="utf-8")
    result = salesim("patterns", str(bad))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{bad}:3:"), result.stderr


def test_patterns_refuses_a_study_file() -> None:
    result = salesim("patterns", str(SCENARIOS.parent / "studies" / "strategies.yaml"))
    assert result.returncode == 2
    assert "is a study file" in result.stderr


# ---- the calibration of the reference company ---------------------------------------------


@pytest.fixture(scope="module")
def reference() -> dict[str, Measured]:
    measured = measure(scenario("unsplit"), replications=REPLICATIONS, seed=1)
    return {m.target.name: m for m in measured}


@pytest.mark.calibration
@pytest.mark.parametrize("name", [t.name for t in TARGETS if t.kind != "report"])
def test_reference_company_shows_the_field_pattern(
    reference: dict[str, Measured], name: str
) -> None:
    m = reference[name]
    t = m.target
    assert m.verdict == "in", (
        f"{t.label.strip()}: model {m.interval.mean:.3g} [{m.interval.low:.3g}, "
        f"{m.interval.high:.3g}] over {REPLICATIONS} replications; field range "
        f"[{t.low:.3g}, {t.high:.3g}] ({t.source})"
    )


# ---- a held-back pattern: what fewer defections are worth ----------------------------------


def test_scaling_the_churn_hazards_changes_only_them() -> None:
    base = scenario("unsplit")
    kept = with_churn_hazards_scaled(base, 0.5)
    assert kept.clients.lapse_per_month == pytest.approx(base.clients.lapse_per_month / 2)
    assert kept.market.competitors.poach_per_month == pytest.approx(
        base.market.competitors.poach_per_month / 2
    )
    same = kept.model_dump()
    same["clients"]["lapse_per_month"] = base.clients.lapse_per_month
    same["market"]["competitors"]["poach_per_month"] = base.market.competitors.poach_per_month
    assert same == base.model_dump()
    with pytest.raises(ValueError, match="outside 0-1"):
        with_churn_hazards_scaled(base, -1.0)


def test_without_churn_hazards_no_client_is_lost_and_profit_rises() -> None:
    churn, profit = retention_effect(
        scenario("unsplit", "calendar.horizon_years=2"), 0.0, replications=2, seed=3
    )
    base = [annual_churn(run("unsplit", "calendar.horizon_years=2", seed=s)) for s in (3, 4)]
    assert churn.mean == pytest.approx(-float(np.mean(base)))  # every loss is gone
    assert profit.mean > 0


def test_a_world_without_clients_prints_every_share_as_n_a_and_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No clients and no prospects: every pattern that is a share of clients, calls or revenue
    is NaN and prints as n/a, never as nan or a crash; the pay ratio of the configured pay is
    still a number."""
    from sim.cli import main

    empty = ["market.past_clients=0", "market.active_clients=0", "market.prospects=0"]
    sets = [a for s in empty for a in ("--set", s)]
    args = ["patterns", str(SCENARIOS / "young_unsplit.yaml"), "--replications", "2"]
    assert main([*args, "--years", "1", *sets]) == 0
    out = capsys.readouterr().out
    rows = {line[:42].strip(): line[42:] for line in out.splitlines()[2:14]}
    assert len(rows) == 12 and "annual churn (all causes)" in rows
    assert "nan" not in out.lower().replace("n/a", "")
    for label, cells in rows.items():
        if label != "field : service pay incl. bonuses":
            assert cells.lstrip().startswith("n/a [n/a, n/a]"), label
