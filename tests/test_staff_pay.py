"""Pay that changes behaviour: specialists' pay basis (ODD 7.21) and pay against the market (7.20).

Minimal worlds compare runs of one seed with the mechanism off and with its code path forced
(bit for bit), paired replications compare settings (common random numbers, 95 % intervals),
and property tests check the pure functions of ``sim.economics``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import interval, run, scenario, total
from hypothesis import given
from hypothesis import strategies as st

from sim import economics as eco
from sim.model import SalesModel

SEEDS = range(1, 11)
PAY_OFF = ("staffing.quit_pay_elasticity=0", "staffing.morale_pay_elasticity=0")
WEIGHT = "specialists.pay_weight=0.3"
VOLUME = (WEIGHT, "specialists.pay_basis=volume")
ACCURACY = (WEIGHT, "specialists.pay_basis=accuracy")
PAY_CUT = (
    "money.new_client_bonus_share=0",
    "money.ongoing_bonus_share=0",
    "money.project_bonus_share=0",
)
SHORT = ("calendar.horizon_years=2",)


def _paired(a: tuple[str, ...], b: tuple[str, ...], column: str, name: str = "split"):
    """95 % interval of the column's total in b minus in a, over SEEDS."""
    metric = total(column)
    return interval([metric(run(name, *b, seed=s)) - metric(run(name, *a, seed=s)) for s in SEEDS])


# ---- specialists' pay basis ------------------------------------------------------------------
def test_weight_zero_is_the_run_without_the_multipliers() -> None:
    """Weight 0 leaves the multipliers unread; forcing them in (all ones) changes no digit."""
    s = scenario("split", *SHORT)
    off = SalesModel(s, seed=3).run()
    forced = SalesModel(s, seed=3)
    seats = len(forced.staff) + 1
    assert forced.dynamics.order_multiplier is None  # off: the path is not taken
    forced.dynamics.order_multiplier = np.ones(seats)
    forced.dynamics.incident_multiplier = np.ones(seats)
    pd.testing.assert_frame_equal(off, forced.run(), check_exact=True)


def test_weight_zero_ignores_the_basis_and_the_effects() -> None:
    a = run("split", *SHORT, "specialists.pay_basis=volume", seed=4)
    effects = ("specialists.order_effect_per_weight=1", "specialists.error_effect_per_weight=1")
    b = run("split", *SHORT, "specialists.pay_basis=accuracy", *effects, seed=4)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_weight_changes_only_the_specialists_clients() -> None:
    """In a world without specialists the weight changes nothing (no seat carries it)."""
    base = run("unsplit", *SHORT, seed=5)
    pd.testing.assert_frame_equal(base, run("unsplit", *SHORT, *VOLUME, seed=5), check_exact=True)


def test_variable_pay_is_paid_at_target() -> None:
    """The weight moves pay from salary to bonus; the specialists cost the same."""
    base = run("split", *SHORT, seed=6)
    paid = run("split", *SHORT, *VOLUME, seed=6)
    np.testing.assert_allclose(paid["specialist_cost"], base["specialist_cost"], rtol=1e-12)
    assert (paid["specialist_salaries"] < base["specialist_salaries"]).all()
    assert (paid["specialist_bonuses"] > base["specialist_bonuses"]).all()


def test_volume_pay_brings_more_incidents_and_orders_than_accuracy() -> None:
    incidents = _paired(ACCURACY, VOLUME, "incidents")
    booked = _paired(ACCURACY, VOLUME, "revenue_booked")
    assert incidents.low > 0, incidents
    assert booked.low > 0, booked


def test_errors_alone_move_incidents() -> None:
    """Without the order push (which brings missed orders too), the error channel alone."""
    errors_only = ("specialists.order_effect_per_weight=0",)
    more = _paired((*ACCURACY, *errors_only), (*VOLUME, *errors_only), "incidents")
    fewer = _paired(errors_only, (*ACCURACY, *errors_only), "incidents")
    assert more.low > 0, more
    assert fewer.high < 0, fewer


# ---- pay against the market ------------------------------------------------------------------
def test_elasticities_zero_are_the_run_without_the_pay_comparison(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Elasticities 0: the same table as with the pay terms bypassed (quits as before)."""
    off = run("unsplit", *PAY_OFF, seed=7)
    monkeypatch.setattr(eco, "pay_quit_multiplier", lambda ratio, elasticity: 1.0)
    monkeypatch.setattr(eco, "morale_target", lambda ratio, elasticity: 1.0)
    bypassed = SalesModel(scenario("unsplit", "staffing.quit_pay_elasticity=3"), seed=7).run()
    pd.testing.assert_frame_equal(off, bypassed, check_exact=True)
    assert off["quits"].sum() > 0  # turnover happens, so the comparison can tell


def test_pay_to_market_measures_smoothed_pay() -> None:
    frame = run("unsplit", *SHORT, seed=8)
    assert frame["pay_to_market"].notna().all()
    assert 0.5 < frame["pay_to_market"].iloc[6:].mean() < 2.0
    nobody = run("split", *SHORT, "organisation.hunters=0", seed=8)
    assert nobody["pay_to_market"].isna().all()


def test_pay_to_market_is_pay_over_the_reference() -> None:
    """Unsmoothed, it is the month's salary + bonuses per seated generalist over the market."""
    frame = run("unsplit", *SHORT, "staffing.pay_smoothing_months=1", seed=9)
    paid = frame["generalist_salaries"] + frame["generalist_bonuses"]
    expected = paid / frame["generalist_headcount"] / 4760.0
    np.testing.assert_allclose(frame["pay_to_market"], expected, rtol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["split", "unsplit"])
def test_a_pay_cut_loses_people(name: str) -> None:
    cut = _paired((), PAY_CUT, "quits", name)
    assert cut.low > 0, cut


@pytest.mark.slow
@pytest.mark.parametrize(
    "channel",
    [("staffing.morale_pay_elasticity=0",), ("staffing.quit_pay_elasticity=0",)],
    ids=["quit elasticity alone", "morale alone"],
)
def test_each_channel_alone_loses_people(channel: tuple[str, ...]) -> None:
    cut = _paired(channel, (*channel, *PAY_CUT), "quits", "unsplit")
    assert cut.low > 0, cut


def test_a_pay_cut_without_the_pay_comparison_keeps_quits() -> None:
    """With the elasticities 0 pay is a pure cost: the same people quit (the claim's control)."""
    for seed in (1, 2):
        a = run("unsplit", *SHORT, *PAY_OFF, seed=seed)
        b = run("unsplit", *SHORT, *PAY_OFF, *PAY_CUT, seed=seed)
        pd.testing.assert_series_equal(a["quits"], b["quits"])


# ---- pure functions --------------------------------------------------------------------------
shares = st.floats(0, 1)
ratios = st.floats(0, 10)


@given(basis=st.sampled_from(["volume", "accuracy"]), w1=shares, w2=shares, a=shares, b=shares)
def test_pay_basis_multipliers_move_with_weight(
    basis: str, w1: float, w2: float, a: float, b: float
) -> None:
    lo, hi = sorted((w1, w2))
    (o1, i1), (o2, i2) = (eco.pay_basis_multipliers(basis, w, a, b) for w in (lo, hi))
    assert min(o1, i1, o2, i2) >= 0
    if basis == "volume":
        assert o2 >= o1 and i2 >= i1
    else:
        assert o2 <= o1 and i2 <= i1
    assert eco.pay_basis_multipliers(basis, 0.0, a, b) == (1.0, 1.0)


def test_pay_basis_refuses_an_unknown_basis() -> None:
    with pytest.raises(ValueError, match="volume"):
        eco.pay_basis_multipliers("speed", 0.5, 0.1, 0.1)


@given(salary=st.floats(0, 1e5), bonus=st.floats(0, 1e5), w=shares)
def test_variable_pay_keeps_the_pay_at_target(salary: float, bonus: float, w: float) -> None:
    fixed, variable = eco.variable_pay_split(salary, bonus, w)
    assert fixed >= 0 and variable >= 0
    assert math.isclose(fixed + variable, salary + bonus, rel_tol=1e-12, abs_tol=1e-9)


@given(r1=ratios, r2=ratios, e=st.floats(0, 5), base=shares, morale=shares, weight=st.floats(0, 10))
def test_quitting_falls_and_morale_target_rises_with_pay(
    r1: float, r2: float, e: float, base: float, morale: float, weight: float
) -> None:
    lo, hi = sorted((r1, r2))
    assert eco.pay_quit_multiplier(lo, e) >= eco.pay_quit_multiplier(hi, e)
    assert eco.morale_target(lo, e) <= eco.morale_target(hi, e)
    assert 0.0 <= eco.morale_target(lo, e) <= 1.0
    chance = min(1.0, eco.quit_chance(base, morale, weight) * eco.pay_quit_multiplier(lo, e))
    assert 0.0 <= chance <= 1.0
    assert eco.pay_quit_multiplier(lo, 0.0) == 1.0 and eco.morale_target(lo, 0.0) == 1.0


@given(prev=st.floats(0, 1e5), pay=st.floats(0, 1e5), months=st.floats(1, 60))
def test_smoothed_pay_lies_between_the_old_average_and_the_month(
    prev: float, pay: float, months: float
) -> None:
    new = eco.smoothed_pay(prev, pay, months)
    assert min(prev, pay) - 1e-9 <= new <= max(prev, pay) + 1e-9
    assert eco.smoothed_pay(prev, pay, 1.0) == pytest.approx(pay, abs=1e-6)  # no smoothing
