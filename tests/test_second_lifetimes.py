"""Second lifetimes: a client back from dormancy is worth less, lapses sooner, and answers less
the longer it has been away (the win-back literature; MODEL.md 7.7)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from conftest import run, scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import economics as eco
from sim.agents.client import ACTIVE, DORMANT
from sim.model import SalesModel

OFF = (
    "clients.second_lifetime_value_share=1",
    "clients.second_lifetime_lapse_multiple=1",
    "clients.dormant_response_half_life_months=0",
)
SMALL = ("market.prospects=50",)


def test_a_woken_client_returns_at_the_value_share_with_the_lapse_multiple() -> None:
    model = SalesModel(
        scenario(
            "split",
            *SMALL,
            "clients.second_lifetime_value_share=0.6",
            "clients.second_lifetime_lapse_multiple=2.5",
        ),
        seed=1,
    )
    b = model.book
    client = int(b.dormant_ids()[0])
    before = float(b.value[client])
    assert b.lapse_multiple[client] == 1.0 and b.lifetimes[client] == 1
    model.lifecycle.reactivate(np.array([client]))
    assert b.state[client] == ACTIVE
    assert b.value[client] == 0.6 * before
    assert b.lapse_multiple[client] == 2.5 and b.lifetimes[client] == 2
    model.lifecycle.lose(np.array([client]), "lapsed", model.day)
    assert b.state[client] == DORMANT and b.lapsed_day[client] == model.day
    model.lifecycle.reactivate(np.array([client]))
    assert math.isclose(b.value[client], 0.36 * before) and b.lifetimes[client] == 3


def test_with_the_mechanism_off_a_woken_client_is_its_old_self() -> None:
    model = SalesModel(scenario("split", *SMALL, *OFF), seed=1)
    b = model.book
    client = int(b.dormant_ids()[0])
    before = float(b.value[client])
    model.lifecycle.reactivate(np.array([client]))
    assert b.value[client] == before and b.lapse_multiple[client] == 1.0


def _lapse_hazard_ratio(multiple: float) -> float:
    """Monthly lapse hazard of second-lifetime clients over that of first-lifetime ones.

    A world where clients only lapse: no rivals, incidents, prospects, wake-ups or satisfaction
    effect; half the base is woken on day 0 and both halves then lapse for three months.
    """
    model = SalesModel(
        scenario(
            "split",
            "market.past_clients=10000",
            "market.active_clients=5000",
            "market.prospects=0",
            "market.competitors.count=0",
            "clients.incident_per_month=0",
            "clients.lapse_dissatisfaction_weight=0",
            "clients.lapse_per_month=0.05",
            "clients.dormant_reactivation_per_month=0",
            f"clients.second_lifetime_lapse_multiple={multiple}",
        ),
        seed=4,
    )
    b = model.book
    model.lifecycle.reactivate(b.dormant_ids().copy())
    while model.day < 3 * model.days_per_month:
        model.step()
    first = np.mean(b.state[:5000] != ACTIVE)
    second = np.mean(b.state[5000:10000] != ACTIVE)
    frame = model.timeseries()  # the monthly table counts the second lifetimes
    assert frame["second_lifetime_lost"].sum() == np.count_nonzero(b.state[5000:10000] != ACTIVE)
    assert frame["second_lifetime_clients"].iloc[-1] == np.count_nonzero(
        b.state[5000:10000] == ACTIVE
    )
    return math.log1p(-second) / math.log1p(-first)


def test_a_second_lifetime_lapses_at_the_multiple_of_the_first() -> None:
    assert abs(_lapse_hazard_ratio(2.0) - 2.0) < 0.25
    assert abs(_lapse_hazard_ratio(1.0) - 1.0) < 0.15


def test_the_longer_a_client_has_been_dormant_the_less_it_answers_a_letter() -> None:
    model = SalesModel(
        scenario(
            "split_letters",
            *SMALL,
            "letters.stale_contact_share=0",
            "letters.response_prob=0.6",
            "clients.dormant_response_half_life_months=12",
        ),
        seed=2,
    )
    b = model.book
    dormant = b.dormant_ids().copy()
    fresh, old = dormant[::2], dormant[1::2]
    b.lapsed_day[fresh] = 0
    b.lapsed_day[old] = -12 * model.days_per_month  # one half-life ago
    rates = []
    for group in (fresh, old):
        model.letters.contact(group, model.day)
        rates.append(model.ledger.close().get("letter_responses", 0.0) / group.size)
    assert abs(rates[0] - 0.6) < 0.05, rates
    assert abs(rates[1] / rates[0] - 0.5) < 0.07, rates


def _woken_within(half_life_months: float, months_away: float) -> float:
    """Share of dormant clients who order again unprompted within a year."""
    model = SalesModel(
        scenario(
            "split",
            *SMALL,
            "clients.dormant_reactivation_per_month=0.1",
            f"clients.dormant_response_half_life_months={half_life_months}",
        ),
        seed=3,
    )
    dynamics, b, days = model.dynamics, model.book, model.days_per_month
    dynamics._wakeups.clear()
    ids = b.dormant_ids()
    dynamics.schedule_wakeups(
        model.streams, ids, 0, b.naps[ids] + 50, np.full(ids.size, months_away * days)
    )
    woken = sum(dynamics.due_wakeups(day).size for day in range(1, 12 * days + 1))
    return woken / ids.size


def test_unprompted_returns_fade_with_the_time_dormant() -> None:
    geometric = 1 - 0.9**12
    assert abs(_woken_within(0, 0) - geometric) < 0.03
    # A fresh lapser with a 12-month half-life: cumulative hazard ln(1/0.9) x 12 / ln 2 x 1/2.
    fresh = 1 - math.exp(-math.log(1 / 0.9) * 12 / math.log(2) * 0.5)
    assert abs(_woken_within(12, 0) - fresh) < 0.03
    away = 1 - math.exp(-math.log(1 / 0.9) * 12 / math.log(2) * 0.5 * 0.5)
    assert abs(_woken_within(12, 12) - away) < 0.03
    assert _woken_within(12, 24) < _woken_within(12, 12) < _woken_within(12, 0) < geometric


def test_without_returns_the_second_lifetime_settings_change_nothing() -> None:
    quiet = ("calendar.horizon_years=2", "clients.dormant_reactivation_per_month=0")
    on = (
        "clients.second_lifetime_value_share=0.5",
        "clients.second_lifetime_lapse_multiple=3",
        "clients.dormant_response_half_life_months=6",
    )
    base = run("split", *quiet, *OFF)
    plus = run("split", *quiet, *on)
    assert base["reactivated_clients"].sum() == 0
    pd.testing.assert_frame_equal(plus, base)


def test_the_mechanism_shortens_and_shrinks_what_letters_bring_back() -> None:
    years = "calendar.horizon_years=3"
    off = run("split_letters", years, *OFF)
    on = run("split_letters", years)
    assert on["reactivated_clients"].sum() < off["reactivated_clients"].sum()
    assert on["letter_revenue"].sum() < off["letter_revenue"].sum()


@settings(max_examples=200, deadline=None)
@given(
    days=st.floats(0, 5000),
    more=st.floats(0, 5000),
    half_life=st.floats(1, 2000),
)
def test_responsiveness_starts_at_one_halves_each_half_life_and_falls(
    days: float, more: float, half_life: float
) -> None:
    r = eco.dormant_responsiveness(np.array([0.0, days, days + more, half_life]), half_life)
    assert r[0] == 1.0 and math.isclose(r[3], 0.5)
    assert 0 <= r[2] <= r[1] <= 1
    assert (eco.dormant_responsiveness(np.array([days]), 0.0) == 1.0).all()


@settings(max_examples=200, deadline=None)
@given(
    u=st.floats(0, 0.999999),
    du=st.floats(0, 1),
    p=st.floats(1e-5, 0.5),
    half_life=st.floats(1, 5000),
    away=st.floats(0, 5000),
    more=st.floats(0, 5000),
)
def test_wake_waits_are_whole_days_longer_with_decay_and_with_time_away(
    u: float, du: float, p: float, half_life: float, away: float, more: float
) -> None:
    u2 = u + (0.999999 - u) * du
    w = eco.wake_wait_days(np.array([u, u2, u]), p, half_life, np.array([away, away, away + more]))
    finite = w[np.isfinite(w)]
    assert (finite >= 1).all() and (finite == np.round(finite)).all()
    assert w[0] <= w[1] and w[0] <= w[2]  # later uniforms, longer time away: no sooner
    geometric = math.ceil(math.log1p(-u) / math.log1p(-p))
    assert w[0] >= geometric - 1  # decay only slows the return


@settings(max_examples=100, deadline=None)
@given(u=st.floats(0, 0.99), p=st.floats(1e-3, 0.2))
def test_wake_waits_tend_to_the_geometric_as_the_half_life_grows(u: float, p: float) -> None:
    w = eco.wake_wait_days(np.array([u]), p, 1e12, np.array([0.0]))
    geometric = max(1, math.ceil(math.log1p(-u) / math.log1p(-p)))
    assert abs(w[0] - geometric) <= 1
    assert eco.wake_wait_days(np.array([u]), 0.0, 10.0, np.array([0.0]))[0] == math.inf
    assert eco.wake_wait_days(np.array([u]), 1.0, 10.0, np.array([0.0]))[0] == 1
