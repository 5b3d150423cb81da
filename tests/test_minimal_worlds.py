"""Minimal worlds: add one thing that should change one number; check that only it changed."""

import numpy as np
import pandas as pd
from conftest import run

COST_COLUMNS = {
    "salaries",
    "bonuses",
    "desks",
    "staff_cost",
    "total_cost",
    "profit",
    "headcount",
    "hunting_hours_per_seller",
    "new_clients_per_seller",
}
# A seller who keeps failing may quit (seed 001): turnover changes headcount and cost only.
TURNOVER_COLUMNS = {
    "mean_morale",
    "quits",
    "newcomer_quits",
    "newcomer_quit_risk",
    "hires",
    "vacancies",
    "newcomers",
    "pay_to_market",  # his pay against the market moves his morale and quitting
}
# A base of dormant past clients who come back on their own, served by one specialist.
QUIET = (
    "organisation.generalists=0",
    "organisation.hunters=0",
    "organisation.specialists=1",
    "market.active_clients=0",
    "calendar.horizon_years=3",
)


def test_no_sellers_no_new_clients() -> None:
    frame = run("split", "organisation.hunters=0", "organisation.generalists=0")
    assert frame["new_clients"].sum() == 0
    assert frame["calls"].sum() == 0
    assert frame["reactivated_clients"].sum() > 0  # the base still lives


def test_a_hunter_who_never_wins_changes_cost_only() -> None:
    base = run("young_unsplit", *QUIET)
    plus = run("young_unsplit", *QUIET, "organisation.hunters=1", "pipeline.buy_prob=0")
    assert plus["calls"].sum() > 0 and plus["proposals"].sum() > 0
    assert plus["new_clients"].sum() == 0
    changed = {
        c
        for c in base.columns
        if not np.allclose(base[c].fillna(-1), plus[c].fillna(-1), rtol=0, atol=1e-9)
    }
    role = {c for c in changed if c.startswith("hunter_")}
    pipeline = {"calls", "meetings", "proposals", "prospects_to_competitor"}
    assert changed - role - pipeline <= COST_COLUMNS | TURNOVER_COLUMNS
    salary_and_desk = plus["hunter_salaries"] + plus["hunter_desks"]
    pd.testing.assert_series_equal(
        plus["staff_cost"] - base["staff_cost"], salary_and_desk, check_names=False
    )
    pd.testing.assert_series_equal(plus["revenue_collected"], base["revenue_collected"])
    pd.testing.assert_series_equal(plus["active_clients"], base["active_clients"])


def test_a_specialist_who_serves_no_one_changes_cost_only() -> None:
    base = run("young_unsplit", *QUIET, "clients.dormant_reactivation_per_month=0")
    plus = run(
        "young_unsplit",
        *QUIET,
        "clients.dormant_reactivation_per_month=0",
        "organisation.specialists=2",
    )
    assert base["active_clients"].sum() == 0
    extra = plus["staff_cost"] - base["staff_cost"]
    assert np.allclose(extra, plus["specialist_cost"] - base["specialist_cost"])
    assert (extra > 0).all()
    pd.testing.assert_series_equal(plus["revenue_collected"], base["revenue_collected"])


def test_nothing_happens_in_an_empty_market() -> None:
    frame = run(
        "young_unsplit", "market.past_clients=0", "market.active_clients=0", "market.prospects=0"
    )
    for column in (
        "active_clients",
        "new_clients",
        "revenue_booked",
        "revenue_collected",
        "lost_clients",
        "calls",
    ):
        assert frame[column].sum() == 0, column
    assert (frame["staff_cost"] > 0).all()
