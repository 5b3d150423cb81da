"""Where a strategy's profit difference comes from: the exact split of sim.decompose."""

import hypothesis.extra.numpy as hnp
import numpy as np
import pandas as pd
import pytest
from conftest import run
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.decompose import INPUTS, PARTS, decompose
from sim.metrics import client_months, summary
from sim.study.result import paired_parts

MONEY = st.floats(-1e8, 1e8, allow_nan=False)
MONTHS = st.integers(0, 10**6).map(float)  # sums of month-end client counts


def side(draw: st.DrawFn, size: int) -> dict[str, np.ndarray]:
    """One side's whole-horizon metrics, ``size`` replications."""
    money = {k: draw(hnp.arrays(np.float64, size, elements=MONEY)) for k in INPUTS[:3]}
    months = draw(hnp.arrays(np.float64, size, elements=MONTHS))
    inflow = draw(hnp.arrays(np.float64, size, elements=MONTHS))
    return {**money, "client_months": months, "inflow_client_months": inflow}


@st.composite
def pairs(draw: st.DrawFn) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    size = draw(st.integers(1, 8))
    return side(draw, size), side(draw, size)


@given(pairs())
@settings(max_examples=300, deadline=None)
def test_the_parts_sum_exactly_to_the_difference_in_operating_profit(
    pair: tuple[dict[str, np.ndarray], dict[str, np.ndarray]],
) -> None:
    strategy, baseline = pair
    parts = decompose(strategy, baseline)
    assert list(parts) == [*PARTS, "total"]
    profit = {
        name: s["gross_profit"] - s["staff_cost"] - s["other_cost"]
        for name, s in (("s", strategy), ("b", baseline))
    }
    summed = sum(parts[p] for p in PARTS)
    largest = 1 + max(np.abs(v).max() for v in parts.values())  # rounding is relative to it
    np.testing.assert_allclose(summed, parts["total"], rtol=0, atol=1e-12 * largest)
    np.testing.assert_allclose(parts["total"], profit["s"] - profit["b"], rtol=0, atol=1e-6)


def test_a_strategy_against_itself_has_no_parts() -> None:
    s = summary(run("split"))
    parts = decompose(s, s)
    assert all(float(v) == 0.0 for v in parts.values())


def test_the_client_months_split_into_the_start_the_inflows_and_the_outflows() -> None:
    frame = run("unsplit_letters")
    months, inflow = client_months(frame)
    outflow = frame["lost_clients"].cumsum().sum()
    start = summary(frame)["active_start"] * len(frame)
    assert months == pytest.approx(start + inflow - outflow, abs=1e-6)
    assert inflow > 0 and outflow > 0


# A quiet base: one specialist serves the active clients, no one hunts, nothing else runs.
QUIET = (
    "organisation.generalists=0",
    "organisation.hunters=0",
    "organisation.specialists=2",
    "calendar.horizon_years=2",
)


def test_a_strategy_that_only_adds_clients_shows_in_clients_won() -> None:
    """A hunter who wins at no cost (salary, desk and bonus 0): only inflows change."""
    free = ("sellers.salary_usd_per_month=0", "money.desk_usd_per_month=0")
    free += ("money.new_client_bonus_share=0", "money.ongoing_bonus_share=0")
    free += ("money.project_bonus_share=0",)
    base = summary(run("split", *QUIET, *free))
    plus = summary(run("split", *QUIET, *free, "organisation.hunters=1"))
    assert plus["new_clients"] > base["new_clients"]
    parts = {k: float(v) for k, v in decompose(plus, base).items()}
    assert parts["clients_won"] > 0
    assert parts["staff_cost"] == 0 and parts["other_cost"] == 0
    assert parts["clients_won"] > abs(parts["clients_kept"])
    assert parts["clients_won"] > abs(parts["value_per_client"])


def test_a_strategy_that_only_costs_shows_in_staff_cost() -> None:
    """A hunter who never wins: no client changes, the whole difference is his cost."""
    quiet = (*QUIET, "market.active_clients=0", "organisation.specialists=1")
    base = summary(run("young_unsplit", *quiet))
    plus = summary(run("young_unsplit", *quiet, "organisation.hunters=1", "pipeline.buy_prob=0"))
    parts = {k: float(v) for k, v in decompose(plus, base).items()}
    assert parts["staff_cost"] < 0
    assert parts["clients_won"] == 0 and parts["clients_kept"] == 0
    assert parts["value_per_client"] == pytest.approx(0, abs=1e-6)
    assert parts["total"] == pytest.approx(plus["profit"] - base["profit"], rel=1e-9)


def test_paired_parts_average_the_split_over_the_replications() -> None:
    rows = []
    for seed in (1, 2, 3):
        for name in ("unsplit", "split"):
            s = summary(run(name, "calendar.horizon_years=2", seed=seed))
            rows.append({"scenario": name, "point": 0, "replication": seed, **s})
    runs = pd.DataFrame(rows)
    parts = paired_parts(runs, "unsplit").set_index("part")
    assert list(parts.index) == [*PARTS, "total"]
    assert (parts["pairs"] == 3).all() and (parts["scenario"] == "split").all()
    difference = (
        runs[runs.scenario == "split"]["profit"].to_numpy()
        - runs[runs.scenario == "unsplit"]["profit"].to_numpy()
    )
    assert parts.loc["total", "mean"] == pytest.approx(difference.mean(), rel=1e-9)
    assert parts.loc[list(PARTS), "mean"].sum() == pytest.approx(difference.mean(), rel=1e-9)
    assert (parts["low"] <= parts["mean"]).all() and (parts["mean"] <= parts["high"]).all()


def test_a_strategy_that_only_loses_fewer_clients_shows_in_clients_kept() -> None:
    """No rival poaches: the same clients, staff and costs, fewer clients lost."""
    base = summary(run("split", *QUIET))
    calm = summary(run("split", *QUIET, "market.competitors.poach_per_month=0"))
    assert calm["lost_clients"] < base["lost_clients"]
    parts = {k: float(v) for k, v in decompose(calm, base).items()}
    assert parts["clients_kept"] > 0
    assert parts["clients_kept"] > abs(parts["clients_won"])
    assert parts["total"] > 0
