"""Clients' own order rates and drop-out (BG/NBD's mixing distributions, docs/MODEL.md 5, 7.7).

``clients.order_rate_shape`` gives each client a gamma multiplier of its type's order rate;
``clients.dropout_beta_a`` and ``_b`` a drop chance per order that ties its lapse chance to
its own rate. Off (0), the model is the two-class one to the last digit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import run, scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import economics as eco
from sim import market
from sim.calibrate.transactions import run_logged
from sim.config.problems import ConfigError
from sim.model import SalesModel

# Only the clients' own orders: no staff, rivals, incidents, lapsing, reactivation or
# satisfaction effects; one order rate.
WORLD = (
    "organisation.generalists=0",
    "market.past_clients=3000",
    "market.active_clients=3000",
    "market.prospects=0",
    "market.competitors.count=0",
    "clients.consultative_share=0",
    "clients.orders_per_month_transactional=1.0",
    "clients.lapse_per_month=0",
    "clients.lapse_dissatisfaction_weight=0",
    "clients.usage_satisfaction_weight=0",
    "clients.incident_per_month=0",
    "clients.dormant_reactivation_per_month=0",
)
MONTHS = 6
GRID = (np.arange(50_000) + 0.5) / 50_000  # a stratified sample of uniforms


def _orders_by_client(*extra: str, seed: int = 1) -> tuple[pd.DataFrame, int]:
    world = scenario("reference", *WORLD, *extra)
    d = world.calendar.working_days_per_month
    log = run_logged(world, seed, days=MONTHS * d).orders
    return log.assign(month=log["day"] // d), world.market.past_clients


def test_off_draws_nothing_and_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    off = SalesModel(scenario("split"), seed=2).run()
    monkeypatch.setattr(market, "_draw_own_rates", lambda *args: None)
    bypassed = SalesModel(scenario("split"), seed=2).run()
    pd.testing.assert_frame_equal(off, bypassed, check_exact=True)  # every column and month


def test_a_dispersed_order_rate_concentrates_the_same_orders_on_fewer_clients() -> None:
    shares, spreads, totals = [], [], []
    for shape in (0.0, 2.0, 0.25):
        log, clients = _orders_by_client(f"clients.order_rate_shape={shape}")
        per_client = log.groupby("client").size().reindex(range(clients), fill_value=0)
        shares.append(log.groupby("month")["client"].nunique().mean() / clients)
        spreads.append(per_client.var() / per_client.mean())  # 1 for Poisson counts
        totals.append(len(log))
    # the same orders (mean 1 a month over 3,000 clients: 18,000 +- 3 % for a shape of 0.25,
    # whose multipliers have a coefficient of variation of 2) ...
    assert totals[1] == pytest.approx(totals[0], rel=0.03)
    assert totals[2] == pytest.approx(totals[0], rel=0.06)
    # ... from fewer clients a month, each ordering more: one class orders as a Poisson
    # process (share 1 - e^-1 = 0.63, variance / mean 1); gamma-mixed, 1 - (1 + 1/k)^-k
    # (0.59 at shape 2, 0.33 at 0.25) and variance / mean 1 + mean / k over six months
    assert shares[0] == pytest.approx(1 - np.exp(-1), abs=0.02)
    assert shares[1] == pytest.approx(1 - 1.5**-2, abs=0.02)
    assert shares[2] == pytest.approx(1 - 5**-0.25, abs=0.02)
    assert spreads[0] == pytest.approx(1.0, abs=0.15)
    assert spreads[1] < spreads[2] and spreads[2] > 10


def test_the_drop_out_ties_a_clients_lapse_to_its_order_rate_at_the_same_mean() -> None:
    lapse = ("clients.lapse_per_month=0.05", "clients.order_rate_shape=0.5")
    plain = SalesModel(scenario("reference", *WORLD, *lapse), seed=3)
    tied = SalesModel(
        scenario(
            "reference", *WORLD, *lapse, "clients.dropout_beta_a=1", "clients.dropout_beta_b=3"
        ),
        seed=3,
    )
    for model in (plain, tied):
        for _ in range(MONTHS * model.days_per_month):
            model.step()
    rate = tied.book.orders_per_month[:3000]
    frequent = rate > np.median(rate)
    gone = [model.book.state[:3000] != 1 for model in (plain, tied)]
    # the same multipliers in both (common random numbers); only the drop-out differs
    np.testing.assert_array_equal(plain.book.orders_per_month, tied.book.orders_per_month)
    # without the drop-out, frequent and rare buyers lapse alike; with it, the frequent first
    assert gone[0][frequent].mean() == pytest.approx(gone[0][~frequent].mean(), abs=0.04)
    assert gone[1][frequent].mean() > 2 * gone[1][~frequent].mean()
    # about the same lapses in all (the base chance is the mean hazard: 1 - 0.95^6 = 0.26 at
    # first; the tied one ends lower, its fast lapsers gone first)
    assert gone[0].mean() == pytest.approx(1 - 0.95**MONTHS, abs=0.03)
    assert 0.15 < gone[1].mean() < gone[0].mean()


def test_a_frequent_buyer_keeps_its_order_size_and_its_value_scales() -> None:
    base = SalesModel(scenario("reference"), seed=4).book
    spread = SalesModel(scenario("reference", "clients.order_rate_shape=0.5"), seed=4).book
    np.testing.assert_allclose(
        spread.value / spread.orders_per_month, base.value / base.orders_per_month, rtol=1e-12
    )
    assert not np.allclose(spread.orders_per_month, base.orders_per_month)
    frame = run("reference", "clients.order_rate_shape=0.5")
    assert frame["revenue_repeat"].sum() > 0


@settings(max_examples=15, deadline=None)
@given(st.floats(min_value=0.05, max_value=50.0))
def test_the_order_rate_multiplier_has_mean_one_and_the_gamma_spread(shape: float) -> None:
    m = eco.order_rate_multiplier(GRID, shape)
    assert (m >= 0).all()
    assert m.mean() == pytest.approx(1.0, rel=0.02)
    assert m.var() == pytest.approx(1.0 / shape, rel=0.1)


def test_a_large_shape_gives_back_the_class_rate() -> None:
    m = eco.order_rate_multiplier(GRID, 1e6)
    np.testing.assert_allclose(m[100:-100], 1.0, atol=0.01)


@settings(max_examples=15, deadline=None)
@given(st.floats(min_value=0.1, max_value=20.0), st.floats(min_value=0.1, max_value=20.0))
def test_the_dropout_multiple_keeps_the_base_lapse_as_the_mean(a: float, b: float) -> None:
    u = np.random.default_rng(0).permutation(GRID)
    rate = eco.order_rate_multiplier(u[::-1], 0.5)  # independent of the drop chance
    multiple = eco.dropout_multiple(GRID, a, b, rate)
    assert multiple.mean() == pytest.approx(1.0, rel=0.03)
    p = eco.dropout_multiple(GRID, a, b, np.ones(GRID.size)) * a / (a + b)
    assert p.mean() == pytest.approx(a / (a + b), rel=1e-3) and p.max() <= 1.0


def test_the_drop_out_needs_both_beta_parameters() -> None:
    with pytest.raises(ConfigError, match="dropout_beta_a and dropout_beta_b"):
        scenario("reference", "clients.dropout_beta_a=0.8")
