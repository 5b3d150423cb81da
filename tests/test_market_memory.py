"""Market memory: refusals lower a prospect's odds, a rival's contract keeps it off the list.

The minimal world is the small young company (two reps, 200 prospects) run for 15 years: with
the market's memory its wins dry up once the niche has been worked; without it every yearly call
is a fresh chance and wins go on.
"""

import numpy as np
import pandas as pd
import pytest
from conftest import run, scenario

from sim import economics as eco
from sim.agents.client import PROSPECT
from sim.model import SalesModel

NO_MEMORY = ("pipeline.meeting_factor_per_refusal=1", "pipeline.rival_contract_months=0")
LONG = "calendar.horizon_years=15"
SEEDS = (1, 2, 3)


def _wins_by_five_years(*overrides: str) -> np.ndarray:
    """New clients in years 1-5, 6-10 and 11-15, summed over the seeds."""
    total = np.zeros(3)
    for seed in SEEDS:
        frame = run("young_unsplit", LONG, *overrides, seed=seed)
        total += frame["new_clients"].to_numpy().reshape(3, 60).sum(axis=1)
    return total


def test_meeting_chance_falls_by_the_factor_per_refusal() -> None:
    refusals = np.arange(6)
    chance = eco.meeting_chance(0.06, 0.5, refusals)
    np.testing.assert_allclose(chance, 0.06 * 0.5**refusals)
    assert (eco.meeting_chance(0.06, 1.0, refusals) == 0.06).all()  # off: exactly the input


def test_memory_acts_only_when_a_company_is_called_again() -> None:
    """Within a first year no one is called twice (a "no" blocks for 12 months): same table."""
    one_year = ("calendar.horizon_years=1", "pipeline.recontact_after_months=12")
    pd.testing.assert_frame_equal(run("split", *one_year), run("split", *one_year, *NO_MEMORY))
    two_years = ("calendar.horizon_years=2", "pipeline.recontact_after_months=12")
    assert not run("split", *two_years).equals(run("split", *two_years, *NO_MEMORY))


def test_wins_saturate_in_a_small_market_only_with_memory() -> None:
    remembered = _wins_by_five_years()
    forgotten = _wins_by_five_years(*NO_MEMORY)
    assert remembered[0] > 0
    assert remembered[2] <= 0.1 * remembered[0]  # the niche is worked out
    assert forgotten[2] >= 0.4 * forgotten[0]  # a fresh chance at every call: wins go on
    assert forgotten.sum() > remembered.sum()


def test_the_sellers_keep_calling_a_worked_out_market() -> None:
    """Memory is the market's, not the sellers': the calls go on, the meetings stop."""
    last_years = slice(120, 180)
    remembered = run("young_unsplit", LONG, seed=1).iloc[last_years]
    forgotten = run("young_unsplit", LONG, *NO_MEMORY, seed=1).iloc[last_years]
    assert remembered["calls"].sum() >= 0.9 * forgotten["calls"].sum()
    assert remembered["meetings"].sum() < 0.5 * forgotten["meetings"].sum()


@pytest.mark.parametrize(("term_months", "blocked_months"), [(60.0, 60.0), (0.0, 12.0)])
def test_a_prospect_signed_with_a_rival_is_under_contract(
    term_months: float, blocked_months: float
) -> None:
    s = scenario(
        "young_unsplit",
        f"pipeline.rival_contract_months={term_months}",
        "pipeline.recontact_after_months=12",
    )
    model = SalesModel(s, seed=1)
    book, days = model.book, s.calendar.working_days_per_month
    prospect = int(np.flatnonzero(book.state == PROSPECT)[0])
    before = int(book.attempts[prospect])
    model.pipeline.signed_with_rival(prospect, 100)
    assert book.blocked_until[prospect] == 100 + round(blocked_months * days)
    assert book.attempts[prospect] == before + 1  # a "no" to us: lower odds next time
