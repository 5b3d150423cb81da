"""The VIP programme (seed 004): key-client meetings, the yearly pass, bottleneck fixes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import paired, run, scenario, total

from sim import economics as eco
from sim.model import SalesModel

SEEDS = (1, 2, 3)


def key_loss_rate(frame: pd.DataFrame) -> float:
    """Key clients lost per year per key client."""
    years = len(frame) / 12
    return float(frame["key_clients_lost"].sum() / years / frame["key_clients"].mean())


def pass_quarter(frame: pd.DataFrame, column: str) -> float:
    """A column summed over the months the yearly pass runs in (months 2-4 of each year)."""
    in_pass = ((frame["month"] - 1) % 12 + 1).isin([2, 3, 4])
    return float(frame.loc[in_pass, column].sum())


def test_value_tiers_follow_the_pareto_split() -> None:
    values = eco.pareto_value(np.random.default_rng(1).uniform(size=3000), 1.33, 300, 200)
    tiers = eco.value_tiers(values, 0.8, 0.3)
    total_value = values.sum()
    assert values[tiers >= 1].sum() / total_value >= 0.8
    assert values[tiers == 2].sum() / total_value >= 0.3
    assert values[tiers >= 1].min() >= values[tiers == 0].max()
    assert values[tiers == 2].min() >= values[tiers == 1].max()
    # Dropping the smallest key client would fall below the share: the tier is minimal.
    smallest = values[tiers >= 1].min()
    assert (values[tiers >= 1].sum() - smallest) / total_value < 0.8
    assert (eco.value_tiers(values, 0.0, 0.0) == 0).all()


@pytest.mark.slow
def test_the_programme_raises_retention_of_key_clients() -> None:
    drop = paired(("split",), ("split_vip",), key_loss_rate, SEEDS)
    assert drop.high < 0, drop


def test_fixed_bottlenecks_raise_usage_and_repay_their_cost() -> None:
    frame = run("split_vip")
    assert frame["vip_bottlenecks_found"].sum() > frame["vip_fixes"].sum() > 0
    assert frame["vip_fixes_cost"].sum() > 0
    assert frame["vip_uplift_revenue"].sum() > 5 * frame["vip_fixes_cost"].sum()
    # The uplift is part of the orders: within new clients' orders for the new clients' share.
    uplift_new = frame["vip_uplift_new"]
    assert (uplift_new <= frame["revenue_new"] + 1e-6).all()
    assert (frame["vip_uplift_revenue"] - uplift_new <= frame["revenue_repeat"] + 1e-6).all()
    assert (uplift_new >= 0).all() and uplift_new.sum() < frame["vip_uplift_revenue"].sum()
    none = run("split_vip", "vip.bottleneck_share=0")
    assert none["vip_fixes"].sum() == 0 and none["vip_uplift_revenue"].sum() == 0


@pytest.mark.slow
def test_the_yearly_pass_costs_hunting_time() -> None:
    frame = run("split_vip")
    seconded = frame["vip_seconded_hours"].sum()
    assert seconded > 0
    assert pass_quarter(frame, "vip_seconded_hours") == pytest.approx(seconded, rel=1e-12)
    hunting = paired(
        ("split",),
        ("split_vip",),
        lambda f: pass_quarter(f, "hunting_hours_per_seller"),
        SEEDS,
    )
    assert hunting.high < 0, hunting
    fewer = paired(("split",), ("split_vip",), lambda f: pass_quarter(f, "new_clients"), SEEDS)
    assert fewer.high < 0, fewer


@pytest.mark.slow
def test_pitching_at_every_meeting_does_worse_than_relationship_meetings() -> None:
    pitch = ("split_vip", "vip.pitch_share=1")
    assert run(*pitch)["vip_pitch_revenue"].sum() > 0
    assert run("split_vip")["vip_pitches"].sum() == 0
    profit = paired(("split_vip",), pitch, total("profit"), SEEDS)
    assert profit.high < 0, profit
    losses = paired(("split_vip",), pitch, key_loss_rate, SEEDS)
    assert losses.low > 0, losses


def test_meetings_go_to_due_key_clients_most_valuable_first() -> None:
    model = SalesModel(scenario("split_vip", "organisation.vip_leads=2"), seed=4)
    model.vip.update_tiers()  # what the first step does first
    b = model.book
    first, second = (model.vip.meetings_due(lead, model.day) for lead in model.vip_leads)
    due = np.concatenate([first, second])
    assert due.size == np.count_nonzero(b.tier > 0)  # never met: all due, split between leads
    assert not set(first.tolist()) & set(second.tolist())
    order = np.empty(due.size, dtype=due.dtype)
    order[0::2], order[1::2] = first, second
    keys = list(zip(-b.tier[order], -b.value[order], strict=True))
    assert keys == sorted(keys)
    client = int(first[0])
    model.vip.meeting(client, model.day)
    assert not model.vip.meeting_due(client, model.day + 1)
    assert b.last_visit_day[client] == model.day  # a relationship meeting protects


def test_no_programme_no_vip_activity() -> None:
    frame = run("split")
    for column in ("vip_meetings", "vip_questionnaires", "vip_fixes", "vip_cost"):
        assert frame[column].sum() == 0, column
    assert frame["key_clients"].min() > 0  # tiers are kept for comparison all the same
