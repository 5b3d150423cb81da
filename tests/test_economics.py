"""Pure money and probability functions."""

import math
from collections.abc import Callable
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# Properties (Hypothesis) --------------------------------------------------------------------

PROPERTY = settings(deadline=None, max_examples=100)
chances = st.floats(0.0, 1.0)
shares = st.floats(0.0, 1.0)
days_a_month = st.integers(1, 31)
weights = st.tuples(*(st.floats(0.0, 10.0) for _ in range(4)))
EPS = 1e-12  # floating-point slack for monotonicity


@PROPERTY
@given(p=chances, q=chances, n=days_a_month)
def test_per_day_is_a_chance_rising_with_the_monthly_one_and_compounds_back(
    p: float, q: float, n: int
) -> None:
    low, high = sorted((p, q))
    assert 0.0 <= eco.per_day(low, n) <= eco.per_day(high, n) + EPS <= 1.0 + EPS
    assert 1 - (1 - eco.per_day(p, n)) ** n == pytest.approx(p, abs=1e-9)


@PROPERTY
@given(p=st.floats(0.0, 0.5), n=days_a_month)
def test_per_day_small_is_below_per_day_by_at_most_half_the_square(p: float, n: int) -> None:
    gap = eco.per_day(p, n) - eco.per_day_small(p, n)
    assert -EPS <= gap <= p * p / 2 + EPS


@PROPERTY
@given(
    u=st.floats(0.0, 1.0, exclude_max=True),
    v=st.floats(0.0, 1.0, exclude_max=True),
    shape=st.floats(0.5, 5.0),
    minimum=st.floats(1.0, 1e5),
    cap=st.floats(1.0, 1e4),
)
def test_pareto_value_rises_with_u_between_minimum_and_cap(
    u: float, v: float, shape: float, minimum: float, cap: float
) -> None:
    low, high = eco.pareto_value(np.array(sorted((u, v))), shape, minimum, cap)
    assert minimum * (1 - EPS) <= low <= high <= minimum * cap * (1 + EPS)


@PROPERTY
@given(
    a=st.floats(0.0, 1e6), b=st.floats(0.0, 1e6), medium=st.floats(0.0, 1e5), xl=st.floats(0, 1e6)
)
def test_segment_rises_with_value(a: float, b: float, medium: float, xl: float) -> None:
    medium, xl = sorted((medium, xl))
    low, high = eco.segment_of(np.array(sorted((a, b))), medium, xl).tolist()
    assert 0 <= low <= high <= 2
    assert (high == 0) == (max(a, b) < medium)


@PROPERTY
@given(d=st.floats(0.0, 1e3), e=st.floats(0.0, 1e3), h=st.floats(-10.0, 1e3), k=st.floats(0, 1e3))
def test_attention_falls_with_demand_and_rises_with_hours(
    d: float, e: float, h: float, k: float
) -> None:
    small, large = sorted((d, e))
    assert 0.0 <= eco.attention(large, h) <= eco.attention(small, h) <= 1.0
    assert eco.attention(d, h) <= eco.attention(d, h + k)


@PROPERTY
@given(a=shares, b=shares, role=st.floats(0.0, 1.0), unattended=st.floats(0.0, 1.0))
def test_service_quality_rises_with_attention_between_unattended_and_role_quality(
    a: float, b: float, role: float, unattended: float
) -> None:
    low, high = eco.service_quality(np.array(sorted((a, b))), np.array(role), unattended)
    if role >= unattended:
        assert unattended - EPS <= low <= high + EPS <= role + 2 * EPS
    else:
        assert unattended + EPS >= low >= high - EPS >= role - 2 * EPS


@PROPERTY
@given(s=shares, t=shares, w=shares)
def test_usage_factor_rises_with_satisfaction_from_one_minus_weight_to_one(
    s: float, t: float, w: float
) -> None:
    low, high = eco.usage_factor(np.array(sorted((s, t))), w)
    assert 1 - w - EPS <= low <= high + EPS <= 1 + 2 * EPS


@PROPERTY
@given(
    buy=chances,
    ours=st.floats(0.01, 100.0),
    more=st.floats(0.0, 100.0),
    rivals=st.floats(0.01, 100),
)
def test_win_probability_is_below_buy_chance_and_falls_with_rivals(
    buy: float, ours: float, more: float, rivals: float
) -> None:
    alone = eco.win_probability(buy, ours, 0.0)
    against = eco.win_probability(buy, ours, rivals)
    assert alone == pytest.approx(buy)
    assert 0.0 <= eco.win_probability(buy, ours, rivals + more) <= against <= alone + EPS
    assert against <= eco.win_probability(buy, ours + more, rivals) + EPS
    # Against one rival, the client buys from one of the two.
    assert against + eco.win_probability(buy, rivals, ours) == pytest.approx(buy)


@PROPERTY
@given(d=st.floats(-100.0, 1e4), e=st.floats(-100.0, 1e4), tau=st.floats(1.0, 365.0), s=shares)
def test_visit_protection_decays_from_its_strength(
    d: float, e: float, tau: float, s: float
) -> None:
    recent, old = eco.visit_protection(np.array(sorted((d, e))), tau, s)
    assert 0.0 <= old <= recent <= s
    assert eco.visit_protection(np.array(min(d, 0.0)), tau, s) == s


@PROPERTY
@given(
    low=st.tuples(shares, shares, shares, st.floats(0.0, 2.0), shares),
    high=st.tuples(shares, shares, shares, st.floats(0.0, 2.0), shares),
    w=weights,
)
def test_poach_pull_grows_with_neglect_and_need_and_stays_below_its_maximum(
    low: tuple[float, ...], high: tuple[float, ...], w: tuple[float, float, float, float]
) -> None:
    """More attention, satisfaction or protection pull less; more hidden potential or need, more."""
    lo = np.minimum(low, high)
    hi = np.maximum(low, high)
    most = (lo[0], lo[1], hi[2], hi[3], lo[4])  # the inputs that pull more
    least = (hi[0], hi[1], lo[2], lo[3], hi[4])
    pull_most = eco.poach_pull(*(np.array(x) for x in most), weights=w)
    pull_least = eco.poach_pull(*(np.array(x) for x in least), weights=w)
    assert 0.0 <= pull_least <= pull_most + 1e-9 <= eco.max_poach_pull(w) + 2e-9
    # Needs count up to 1: the most neglected client with any full need pulls the maximum.
    top = eco.poach_pull(*(np.array(x) for x in (0.0, 0.0, 1.0, 1.0 + hi[3], 0.0)), weights=w)
    assert top == pytest.approx(eco.max_poach_pull(w))


@PROPERTY
@given(s=shares, t=shares, w=st.floats(0.0, 10.0))
def test_lapse_multiplier_falls_with_satisfaction_from_one_plus_weight_to_one(
    s: float, t: float, w: float
) -> None:
    low, high = eco.lapse_multiplier(np.array(sorted((s, t))), w)
    assert 1.0 <= high <= low <= 1.0 + w


@PROPERTY
@given(
    d=st.floats(0.0, 365.0),
    e=st.floats(0.0, 365.0),
    n=days_a_month,
    chase=shares,
    a=shares,
    b=shares,
)
def test_payment_is_slower_for_longer_terms_and_faster_when_chased(
    d: float, e: float, n: int, chase: float, a: float, b: float
) -> None:
    short, long = eco.payment_rate(np.array(sorted((d, e))), n)
    assert 0.0 < long <= short <= 1.0
    less, more = eco.payment_share_per_day(short, np.array(sorted((a, b))), chase)
    assert 0.0 <= less <= more <= 1.0


@PROPERTY
@given(
    new_days=st.integers(0, 400).map(float) | st.floats(0.0, 400.0),
    new=shares,
    ongoing=shares,
)
def test_bonus_share_is_the_new_share_for_the_first_new_days_then_the_ongoing_one(
    new_days: float, new: float, ongoing: float
) -> None:
    """A client counts as new on its first ``ceil(new_days)`` days (ages 0, 1, ...)."""
    share = eco.seller_bonus_share(np.arange(500), new_days, new, ongoing)
    first = math.ceil(new_days)
    assert (share[:first] == new).all() and (share[first:] == ongoing).all()


@PROPERTY
@given(n=st.integers(0, 1000), more=st.integers(0, 100), share=st.sampled_from([1, 1 / 2, 1 / 3]))
def test_desks_are_the_fewest_that_seat_everyone(n: int, more: int, share: float) -> None:
    desks = eco.desks_needed(n, share)
    assert desks - 1 < n * share - 1e-9 and desks >= n * share - 1e-9
    assert desks <= eco.desks_needed(n + more, share)


@PROPERTY
@given(
    values=hnp.arrays(np.float64, st.integers(0, 60), elements=st.just(0.0) | st.floats(0.01, 1e6)),
    # A subnormal share (5e-324) times the total underflows to 0, which no tier can be below.
    key=st.floats(0.0, 1.0, allow_subnormal=False),
    top=st.floats(0.0, 1.0, allow_subnormal=False),
)
def test_value_tiers_are_the_fewest_largest_clients_giving_each_share(
    values: np.ndarray, key: float, top: float
) -> None:
    top, key = sorted((key, top))
    tiers = eco.value_tiers(values, key, top)
    total = values.sum()
    assert set(tiers.tolist()) <= {0, 1, 2}
    if total <= 0:
        assert not tiers.any()
        return
    for tier, share in ((1, key), (2, top)):
        inside = tiers >= tier
        assert values[inside].sum() >= share * total * (1 - 1e-9)
        if inside.any():  # without its smallest member, the tier gives less than its share
            assert values[inside].sum() - values[inside].min() < share * total * (1 + 1e-9)
    # A more valuable client is never in a lower tier.
    order = np.argsort(values, kind="stable")
    higher = values[order][1:] > values[order][:-1]
    assert (tiers[order][1:][higher] >= tiers[order][:-1][higher]).all()


@PROPERTY
@given(u=chances, v=chances, median=st.floats(0.01, 1e4), sigma=st.floats(0.0, 3.0))
def test_lognormal_quantile_rises_with_u_and_is_the_median_at_one_half(
    u: float, v: float, median: float, sigma: float
) -> None:
    low, high = sorted((u, v))
    assert 0.0 < eco.lognormal(low, median, sigma) <= eco.lognormal(high, median, sigma)
    assert eco.lognormal(0.5, median, sigma) == pytest.approx(median)


@PROPERTY
@given(
    cost=st.floats(0.0, 1e6),
    uplift=st.floats(0.0, 1e5),
    months=st.floats(0.0, 60.0),
    less=st.floats(0.0, 1e6),
    more=st.floats(0.0, 1e5),
)
def test_a_fix_that_pays_still_pays_when_cheaper_or_more_useful(
    cost: float, uplift: float, months: float, less: float, more: float
) -> None:
    if eco.fix_pays(cost, uplift, months):
        assert eco.fix_pays(max(cost - less, 0.0), uplift + more, months + more)
    assert eco.fix_pays(0.0, uplift, months)  # a free fix always pays
    assert eco.fix_pays(cost, 0.0, months) == (cost == 0.0)  # a useless one only if free
    assert eco.fix_pays(uplift * months * 0.99, uplift, months)  # repaid before the payback


@PROPERTY
@given(
    m=st.floats(-5.0, 600.0), more=st.floats(0.0, 600.0), green=shares, ramp=st.floats(0.1, 60.0)
)
def test_skill_rises_with_experience_from_green_to_one(
    m: float, more: float, green: float, ramp: float
) -> None:
    assert green <= eco.skill(m, green, ramp) <= eco.skill(m + more, green, ramp) <= 1.0
    assert eco.skill(0.0, green, ramp) == pytest.approx(green)


@PROPERTY
@given(base=chances, m=shares, n=shares, w=st.floats(0.0, 20.0))
def test_quit_chance_falls_with_morale_from_the_boosted_base(
    base: float, m: float, n: float, w: float
) -> None:
    low, high = sorted((m, n))
    assert 0.0 <= eco.quit_chance(base, high, w) <= eco.quit_chance(base, low, w) <= 1.0
    assert eco.quit_chance(base, 1.0, w) == pytest.approx(base)


# Each array function on arrays gives, element by element, what it gives on NumPy scalars.
ARRAY_RULES: dict[str, tuple[Callable[..., Any], tuple[Any, ...], tuple[Any, ...]]] = {
    # name: (function, strategies of the array arguments, strategies of the scalar arguments)
    "per_day": (eco.per_day, (chances,), (days_a_month,)),
    "per_day_small": (eco.per_day_small, (chances,), (days_a_month,)),
    "pareto_value": (
        eco.pareto_value,
        (st.floats(0.0, 1.0, exclude_max=True),),
        (st.floats(0.5, 5.0), st.floats(1.0, 1e5), st.floats(1.0, 1e4)),
    ),
    "segment_of": (eco.segment_of, (st.floats(0.0, 1e6),), (st.floats(0, 1e4), st.floats(0, 1e6))),
    "service_quality": (eco.service_quality, (shares, shares), (shares,)),
    "usage_factor": (eco.usage_factor, (shares,), (shares,)),
    "visit_protection": (eco.visit_protection, (st.floats(-10, 1e3),), (st.floats(1, 99), shares)),
    "poach_pull": (eco.poach_pull, (shares, shares, shares, st.floats(0, 2), shares), (weights,)),
    "lapse_multiplier": (eco.lapse_multiplier, (shares,), (st.floats(0.0, 10.0),)),
    "payment_rate": (eco.payment_rate, (st.floats(0.0, 365.0),), (days_a_month,)),
    "payment_share_per_day": (eco.payment_share_per_day, (shares, shares), (shares,)),
    "seller_bonus_share": (
        eco.seller_bonus_share,
        (st.floats(0.0, 1e4),),
        (st.floats(0.0, 1e3), shares, shares),
    ),
}


@pytest.mark.parametrize("name", sorted(ARRAY_RULES))
@settings(deadline=None, max_examples=40)
@given(data=st.data(), size=st.integers(1, 12))
def test_array_functions_agree_with_their_scalar_use(
    name: str, data: st.DataObject, size: int
) -> None:
    function, array_strategies, scalar_strategies = ARRAY_RULES[name]
    columns = [
        data.draw(hnp.arrays(np.float64, size, elements=s), label=f"array {k}")
        for k, s in enumerate(array_strategies)
    ]
    scalars = [data.draw(s, label=f"scalar {k}") for k, s in enumerate(scalar_strategies)]
    whole = np.asarray(function(*columns, *scalars))
    assert whole.shape == (size,)
    for i in range(size):
        one = function(*(c[i] for c in columns), *scalars)  # NumPy scalars
        assert np.ndim(one) == 0
        # NumPy's vectorised pow and exp may round differently from its scalar ones.
        assert one == pytest.approx(whole[i], rel=1e-12, abs=1e-15)


def test_segment_margins_take_the_company_margin_where_none_is_given() -> None:
    margins = eco.segment_margins(0.4, None, 0.3, None)
    assert margins.tolist() == [0.4, 0.3, 0.4]


@given(
    paid=hnp.arrays(np.float64, st.integers(0, 30), elements=st.floats(0, 1e6)),
    margins=hnp.arrays(np.float64, 3, elements=st.floats(0, 1)),
    data=st.data(),
)
@settings(max_examples=200, deadline=None)
def test_cost_of_goods_is_each_payment_at_its_segment_margin(
    paid: np.ndarray, margins: np.ndarray, data: st.DataObject
) -> None:
    segment = data.draw(hnp.arrays(np.int8, paid.size, elements=st.integers(0, 2)))
    cost = eco.cost_of_goods(paid, segment, margins)
    expected = sum(p * (1 - margins[s]) for p, s in zip(paid, segment, strict=True))
    assert cost == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert -1e-6 <= cost <= paid.sum() * (1 + 1e-12) + 1e-6  # never more than was paid
    assert eco.cost_of_goods(paid, segment, np.ones(3)) == 0.0  # margin 1: no cost of goods
    assert eco.cost_of_goods(paid, segment, np.zeros(3)) == pytest.approx(paid.sum(), rel=1e-12)
