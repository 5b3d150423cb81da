"""Overload: a server above capacity makes more errors and misses orders (ODD 7.1, 7.3, 7.5)."""

from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd
from conftest import Interval, interval, run, scenario
from hypothesis import given
from hypothesis import strategies as st

from sim import economics as eco
from sim.model import SalesModel

# One specialist serving 300 clients; no sellers, no wake-ups: only the book's load varies.
ONE_SPECIALIST = (
    "organisation.hunters=0",
    "organisation.specialists=1",
    "market.past_clients=300",
    "market.active_clients=300",
    "clients.dormant_reactivation_per_month=0",
    "calendar.horizon_years=2",
)
OFF = ("overload.enabled=false",)
SEEDS = range(1, 7)
LOADS = (1, 2, 3)

ratios = st.floats(0.0, 50.0, allow_nan=False)
shares = st.floats(0.0, 1.0, allow_nan=False)


# ---- the pure functions --------------------------------------------------------------------
@given(st.floats(0.0, 1e4), st.floats(1e-6, 1e4))
def test_load_ratio_is_demand_over_hours(demand: float, hours: float) -> None:
    ratio = eco.load_ratio(demand, hours)
    assert ratio == (demand / hours if demand > 0 else 0.0)
    assert (ratio > 1.0) == (eco.attention(demand, hours) < 1.0)


def test_load_ratio_of_an_empty_book_or_seat() -> None:
    assert eco.load_ratio(0.0, 8.0) == 0.0
    assert eco.load_ratio(5.0, 0.0) == 1.0  # no one at work: nothing done in a hurry


@given(ratios, ratios, st.floats(0.0, 10.0))
def test_incident_multiplier_is_one_at_capacity_and_grows_with_overload(
    a: float, b: float, k: float
) -> None:
    low, high = sorted((a, b))
    m_low, m_high = eco.incident_multiplier(np.array([low, high]), k)
    assert m_low <= m_high
    if high <= 1.0:
        assert m_high == 1.0
    assert m_high == 1.0 + k * max(0.0, high - 1.0)


@given(ratios, ratios, shares)
def test_missed_order_chance_is_zero_at_capacity_and_bounded(a: float, b: float, s: float) -> None:
    low, high = sorted((a, b))
    c_low, c_high = eco.missed_order_chance(np.array([low, high]), s)
    assert 0.0 <= c_low <= c_high <= s
    if high <= 1.0:
        assert c_high == 0.0


def test_missed_order_chance_is_the_undone_share_of_the_work() -> None:
    chance = eco.missed_order_chance(np.array([2.0, 4.0]), 1.0)
    assert np.allclose(chance, [0.5, 0.75])  # 1 - 1/ratio: the fluid limit of an overloaded queue


# ---- the off switch ------------------------------------------------------------------------
def test_off_is_the_same_as_zero_effects_and_misses_nothing() -> None:
    off = run("split_letters", *OFF, "calendar.horizon_years=2")
    zero = run(
        "split_letters",
        "calendar.horizon_years=2",
        "overload.incident_per_overload=0",
        "overload.missed_order_share=0",
    )
    on = run("split_letters", "calendar.horizon_years=2")
    pd.testing.assert_frame_equal(off, zero)
    assert off["orders_missed"].sum() == 0 and off["revenue_missed"].sum() == 0
    assert (off["mean_load_ratio"] > 1).any()  # the specialists are overloaded ...
    assert on["orders_missed"].sum() > 0  # ... so, on, they miss orders
    assert on["incidents"].sum() > off["incidents"].sum()


# ---- one specialist at 1x, 2x and 3x its capacity -------------------------------------------
@cache
def _capacity(seed: int, load: int) -> float:
    """Capacity (small clients) that puts the specialist's starting book at ``load`` x it."""
    model = SalesModel(scenario("split", *ONE_SPECIALIST), seed=seed)
    cfg = model.scenario.specialists
    demand = model.specialists[0].load_hours / model.hours_per_day * cfg.capacity_clients
    return demand / load * (1 + 1e-9)  # just below the load (rounding)


def _world(seed: int, load: int, *extra: str) -> pd.DataFrame:
    cap = f"specialists.capacity_clients={_capacity(seed, load)}"
    return run("split", *ONE_SPECIALIST, cap, *extra, seed=seed)


def _churn(frame: pd.DataFrame) -> float:
    return float(frame["lost_clients"].sum() / (len(frame) / 12) / frame["active_clients"].mean())


def _days_receivable(frame: pd.DataFrame) -> float:
    """Mean open invoices in days of mean bookings (days sales outstanding, 365-day year)."""
    return float(frame["receivables"].mean() / frame["revenue_booked"].mean() * 365 / 12)


# Each outcome and its sign: +1 when more is worse.
OUTCOMES: dict[str, tuple[Callable[[pd.DataFrame], float], int]] = {
    "incidents": (lambda f: float(f["incidents"].sum()), +1),
    "orders_missed": (lambda f: float(f["orders_missed"].sum()), +1),
    "mean_satisfaction": (lambda f: float(f["mean_satisfaction"].mean()), -1),
    "revenue_collected": (lambda f: float(f["revenue_collected"].sum()), -1),
    "days_receivable": (_days_receivable, +1),
    "churn": (_churn, +1),
}


def _worsening(name: str, low: int, high: int) -> Interval:
    """Paired 95 % interval of how much worse an outcome is at the high load than the low one."""
    metric, worse = OUTCOMES[name]
    return interval([worse * (metric(_world(s, high)) - metric(_world(s, low))) for s in SEEDS])


def test_at_capacity_overload_changes_nothing() -> None:
    for seed in SEEDS[:3]:
        on, off = _world(seed, 1), _world(seed, 1, *OFF)
        assert (on["mean_load_ratio"] <= 1.0).all()
        pd.testing.assert_frame_equal(on, off)


def test_service_degrades_monotonically_from_1x_to_3x_capacity() -> None:
    for name in OUTCOMES:
        for low, high in ((1, 2), (2, 3)):
            step = _worsening(name, low, high)
            assert step.low > 0, f"{name} {low}x -> {high}x: {step}"


def _damage(name: str, seed: int, load: int) -> float:
    """How much worse an outcome is with the mechanism on than off (same world and seed)."""
    metric, worse = OUTCOMES[name]
    return worse * (metric(_world(seed, load)) - metric(_world(seed, load, *OFF)))


def test_the_mechanism_costs_more_the_further_above_capacity() -> None:
    """The part of the damage due to overload itself (on - off) grows from 1x to 2x to 3x.

    Its effect on churn is within the noise of six 2-year runs (its satisfaction loss is a few
    points); on collections it shows at 3x (the missed orders).
    """
    for name in ("incidents", "orders_missed", "mean_satisfaction"):
        assert all(_damage(name, s, 1) == 0 for s in SEEDS)
        for low, high in ((1, 2), (2, 3)):
            step = interval([_damage(name, s, high) - _damage(name, s, low) for s in SEEDS])
            assert step.low > 0, f"{name} damage {low}x -> {high}x: {step}"
    lost = interval([_damage("revenue_collected", s, 3) for s in SEEDS])
    assert lost.low > 0, f"collections lost at 3x: {lost}"
