"""Account managers (seed 003): large clients get one person who sells to and serves them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import run, scenario

from sim.agents.client import ACTIVE
from sim.model import SalesModel

YEARS2 = "calendar.horizon_years=2"


def test_account_managers_own_and_serve_large_clients_within_their_capacity() -> None:
    model = SalesModel(scenario("split_accounts", YEARS2), seed=3)
    b = model.book
    limit = model.scenario.accounts.book_limit_load * model.hours_per_day
    for _ in range(2):
        for _ in range(120):
            model.step()
        for manager in model.account_managers:
            ids = np.fromiter(manager.book, dtype=np.int64)
            assert ids.size > 0
            assert (b.segment[ids] >= 1).all()  # medium/large and extra-large only
            assert (b.server[ids] == manager.staff_idx).all()
            assert (b.owner[ids] == manager.staff_idx).all()
            assert abs(manager.load_hours - model.close_load[ids].sum()) < 1e-6
            assert manager.load_hours <= limit + 1e-9
            assert manager.owned >= set(ids[b.state[ids] == ACTIVE].tolist())
    frame = model.timeseries()
    assert frame["account_transfers"].sum() >= sum(len(m.book) for m in model.account_managers)
    assert (frame["account_manager_headcount"] == 2).all()
    assert frame["calls"].sum() > 0 and frame["account_manager_utilisation"].mean() > 0.5


def test_seed_002_capacity_one_manager_keeps_one_or_two_extra_large_clients() -> None:
    model = SalesModel(
        scenario(
            "split_accounts", YEARS2, "organisation.account_managers=1", "accounts.segments=[xl]"
        ),
        seed=1,
    )
    model.step()
    (manager,) = model.account_managers
    assert 1 <= len(manager.book) <= 3  # seed 002: 1-3 extra-large clients in close work


def test_account_managers_with_no_account_segment_change_cost_only() -> None:
    base = run("split", YEARS2)
    idle = run("split_accounts", YEARS2, "accounts.segments=[]")
    assert idle["account_transfers"].sum() == 0
    for column in ("active_clients", "revenue_collected", "new_clients", "specialist_cost"):
        pd.testing.assert_series_equal(idle[column], base[column])
    np.testing.assert_allclose(base["profit"] - idle["profit"], idle["account_manager_cost"])
