"""Skill, morale and turnover (seed 001): experience, losing heart, quitting, green replacements."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from conftest import interval, paired, run, scenario

from sim import economics as eco
from sim.agents.client import ACTIVE, NO_ONE
from sim.model import SalesModel

SEEDS = tuple(range(1, 11))


def consultative_loss_rate(frame: pd.DataFrame) -> float:
    """Consultative clients lost per year per active consultative client."""
    years = len(frame) / 12
    return float(frame["consultative_lost"].sum() / years / frame["active_consultative"].mean())


def quits_per_seller_year(frame: pd.DataFrame) -> float:
    """Sellers who quit per seller-year."""
    return float(frame["quits"].sum() / (len(frame) / 12) / 6)


def test_skill_grows_from_green_to_full() -> None:
    assert eco.skill(0, 0.5, 9) == 0.5
    assert eco.skill(9, 0.5, 9) < eco.skill(18, 0.5, 9) < 1.0
    assert eco.skill(600, 0.5, 9) == 1.0
    assert eco.quit_chance(0.01, 1.0, 4) == 0.01
    assert eco.quit_chance(0.01, 0.0, 4) == 0.05


def test_a_quit_empties_the_seat_and_a_green_replacement_takes_a_book() -> None:
    model = SalesModel(scenario("unsplit", "calendar.horizon_years=1"), seed=2)
    for _ in range(3):
        model.step()
    b = model.book
    leaver, senior = model.generalists[0], model.generalists[1]
    book = sorted(leaver.book)
    model.staffing.quit(leaver, model.day)
    assert leaver.vacant and not leaver.book and not leaver.meetings
    assert (b.server[book] == NO_ONE).all()  # no client department: unattended
    assert (b.owner[book] == leaver.staff_idx).all()
    model.step()
    assert model.staff_attention[leaver.staff_idx] == 1.0  # an empty seat serves no one
    assert leaver.vacant_until is not None
    while model.day < leaver.vacant_until:
        model.step()
    assert leaver.vacant
    model.staffing.hire(leaver, model.day)  # what his first day does first
    assert leaver.experience_months() == 0 and leaver.morale == 1.0
    assert leaver.win_skill == model.scenario.staffing.green_win_factor
    assert model.staff_win_skill[leaver.staff_idx] == leaver.win_skill
    mine = np.fromiter(leaver.book, dtype=np.int64)
    assert mine.size > 0
    assert b.consultative[mine].mean() > b.consultative[book].mean()  # seed 001
    assert (b.state[mine] == ACTIVE).all()
    assert np.isin(b.owner[mine], [leaver.staff_idx, NO_ONE]).all()  # woken clients: no owner
    assert not b.consultative[np.fromiter(senior.book, dtype=np.int64)].all()
    frame = model.run()
    assert frame["hires"].sum() >= 1


@pytest.mark.slow
def test_unsplit_sellers_lose_heart_and_quit_more_than_hunters() -> None:
    morale = paired(("split",), ("unsplit",), lambda f: float(f["mean_morale"].mean()), SEEDS)
    assert morale.high < 0, morale
    quits = paired(("split",), ("unsplit",), quits_per_seller_year, SEEDS)
    assert quits.low > 0, quits


def newcomer_quit_risk(frame: pd.DataFrame) -> float:
    """Newcomers' quit chance per newcomer-month (each month's risk is taken at its month end)."""
    return float(frame["newcomer_quit_risk"].sum() / frame["newcomers"].iloc[:-1].sum())


@pytest.mark.slow
def test_newcomer_quit_risk_is_the_chance_each_newcomer_quits() -> None:
    # The chance ignores morale and pay against the market here.
    flat = run("unsplit", "staffing.quit_morale_weight=0", "staffing.quit_pay_elasticity=0")
    assert flat["newcomers"].sum() > 0
    assert newcomer_quit_risk(flat) == pytest.approx(0.01)
    frames = [run(name, seed=s) for name in ("split", "unsplit") for s in SEEDS]
    expected = sum(f["newcomer_quit_risk"].sum() for f in frames)
    realised = sum(f["newcomer_quits"].sum() for f in frames)
    assert abs(realised - expected) < 3 * np.sqrt(expected), (realised, expected)  # Poisson


@pytest.mark.slow
def test_newcomers_raise_unsplit_consultative_losses_against_split() -> None:
    """Seed 001: in the unsplit model newcomers get the hard consultative clients and lose them.

    Without turnover a generalist keeps the consultative clients he won better than the split's
    specialists do; with the reference's turnover the green replacements take that lead away
    (at the reference's workload the two then lose them about equally often).
    """
    off = ("staffing.quit_per_month=0",)

    def gap(*world: str) -> Callable[[int], float]:
        def unsplit_minus_split(seed: int) -> float:
            lost = [consultative_loss_rate(run(n, *world, seed=seed)) for n in ("unsplit", "split")]
            return lost[0] - lost[1]

        return unsplit_minus_split

    more = interval([gap()(s) - gap(*off)(s) for s in SEEDS])
    assert more.low > 0, more


@pytest.mark.slow
def test_giving_newcomers_the_hard_clients_loses_more_of_them() -> None:
    even = ("unsplit", "staffing.newcomer_gets=even")
    more = paired(even, ("unsplit",), consultative_loss_rate, SEEDS[:5])
    assert more.low > 0, more


def test_turnover_off_means_no_quits_and_no_learning_curve() -> None:
    frame = run("unsplit", "staffing.quit_per_month=0")
    assert frame["quits"].sum() == 0 and frame["hires"].sum() == 0
    assert (frame["vacancies"] == 0).all() and (frame["newcomers"] == 0).all()
    assert (frame["generalist_headcount"] == 6).all()


def test_an_empty_seat_costs_no_salary() -> None:
    frame = run("unsplit")
    filled = frame["generalist_headcount"] + frame["vacancies"]
    assert (filled == 6).all()
    assert frame["vacancies"].max() > 0
    salary = scenario("unsplit").sellers.salary_usd_per_month
    np.testing.assert_allclose(frame["generalist_salaries"], frame["generalist_headcount"] * salary)


def test_green_sellers_fail_to_develop_needs_into_projects() -> None:
    years = "calendar.horizon_years=1"
    calm = "staffing.quit_per_month=0"
    green = run("unsplit", years, calm, "staffing.initial_experience_months=0")
    seasoned = run("unsplit", years, calm, "staffing.initial_experience_months=600")
    assert seasoned["projects_lost"].sum() == 0
    tried = green["projects"].sum() + green["projects_lost"].sum()
    assert 0.1 < green["projects_lost"].sum() / tried < 0.5  # skill starts at 0.5 and grows
    assert green["revenue_project"].sum() < seasoned["revenue_project"].sum()
    assert green["mean_morale"].mean() < seasoned["mean_morale"].mean()
