"""Pure money and probability functions."""

import numpy as np
import pytest

from sim import economics as eco
from sim.agents.competitor import Poaching
from sim.randomness import RandomStreams


def test_per_day_compounds_back_to_the_monthly_chance() -> None:
    for p in (0.0, 0.004, 0.3, 1.0):
        daily = eco.per_day(p, 21)
        assert 1 - (1 - daily) ** 21 == pytest.approx(p, abs=1e-12)


def test_pareto_top_fifth_share_matches_mccarthy_winer() -> None:
    u = RandomStreams(2).keyed_uniform("v", np.arange(400_000), 0)
    values = np.sort(eco.pareto_value(u, 1.33, 300.0, 1e9))[::-1]
    share = values[: values.size // 5].sum() / values.sum()
    assert 0.60 < share < 0.74  # theory 0.2 ** (1 - 1 / 1.33) = 0.67


def test_pareto_respects_minimum_and_cap() -> None:
    v = eco.pareto_value(np.array([0.0, 0.5, 0.999999999]), 1.5, 100.0, 50.0)
    assert v[0] == 100.0 and v[1] > 100.0 and v[2] == 5000.0


def test_segments_by_value() -> None:
    seg = eco.segment_of(np.array([10.0, 2000.0, 15999.0, 16000.0]), 2000.0, 16000.0)
    assert seg.tolist() == [0, 1, 1, 2]


def test_attention_is_one_until_overloaded_then_falls() -> None:
    assert eco.attention(0.0, 8.0) == 1.0
    assert eco.attention(6.0, 8.0) == 1.0
    assert eco.attention(16.0, 8.0) == 0.5
    assert eco.attention(16.0, -1.0) == 0.0


def test_win_probability_falls_with_rivals() -> None:
    assert eco.win_probability(0.6, 1.0, 0.0) == pytest.approx(0.6)
    assert eco.win_probability(0.6, 1.0, 1.0) == pytest.approx(0.3)
    assert eco.win_probability(0.6, 1.0, 2.0) < eco.win_probability(0.6, 1.0, 1.0)


def test_poach_pull_rises_with_neglect_and_falls_with_protection() -> None:
    weights = (3.0, 2.0, 4.0, 2.0)
    served = eco.poach_pull(
        np.array(1.0), np.array(1.0), np.array(0.0), np.array(0.0), np.array(0.0), weights
    )
    neglected = eco.poach_pull(
        np.array(0.0), np.array(0.5), np.array(0.5), np.array(0.2), np.array(0.0), weights
    )
    visited = eco.poach_pull(
        np.array(0.0), np.array(0.5), np.array(0.5), np.array(0.2), np.array(0.7), weights
    )
    assert served == pytest.approx(1.0)
    assert neglected == pytest.approx(1 + 3 + 1 + 2 + 0.4)
    assert visited == pytest.approx(neglected * 0.3)


def test_visit_protection_decays() -> None:
    p = eco.visit_protection(np.array([0, 63, 630]), 63.0, 0.7)
    assert p[0] == pytest.approx(0.7) and p[1] == pytest.approx(0.7 / np.e) and p[2] < 0.001


def test_payment_speed_depends_on_chasing() -> None:
    rate = eco.payment_rate(np.array(30.0), 21)
    assert rate == pytest.approx(1 / (30 * 21 / (365.25 / 12)))
    chased = eco.payment_share_per_day(rate, np.array(1.0), 0.5)
    ignored = eco.payment_share_per_day(rate, np.array(0.0), 0.5)
    assert ignored == pytest.approx(chased / 2)
    assert 0 < chased < 1


def test_bonus_share_new_then_ongoing() -> None:
    share = eco.seller_bonus_share(np.array([0, 125, 126, 10_000]), 126.0, 0.1, 0.02)
    assert share.tolist() == [0.1, 0.1, 0.02, 0.02]


def test_desks() -> None:
    assert eco.desks_needed(6, 1 / 3) == 2
    assert eco.desks_needed(7, 1 / 3) == 3
    assert eco.desks_needed(3, 0.5) == 2
    assert eco.desks_needed(0, 1.0) == 0


def test_poaching_one_at_a_time_matches_arrays() -> None:
    """The few-candidates path and the array path take the same clients, by the same rivals."""
    rule = Poaching(0.02, (1.0, 2.0, 1.0, 0.5), np.cumsum([1.0, 2.0, 0.5]), 63.0, 0.7, 21)
    rng = np.random.default_rng(3)
    n = 400
    columns = (
        rng.uniform(0, rule.top, n),
        rng.uniform(0, 1, n),
        rng.uniform(0, 1, n),
        rng.uniform(0, 1, n),
        rng.uniform(0, 2, n),
        rng.integers(0, 400, n),
    )
    hit, rival = rule.taken(*columns)
    assert 0 < hit.size < n
    assert set(rival.tolist()) == {0, 1, 2}
    for start in range(0, n, 5):
        few = [c[start : start + 5] for c in columns]
        few_hit, few_rival = rule.taken(*few)
        inside = (hit >= start) & (hit < start + 5)
        assert few_hit.tolist() == (hit[inside] - start).tolist()
        assert few_rival.tolist() == rival[inside].tolist()
