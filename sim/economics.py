"""Pure functions for money and probabilities: numbers in, numbers out.

Every function works on scalars and on NumPy arrays alike.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

_STANDARD_NORMAL = NormalDist()

CALENDAR_DAYS_PER_MONTH = 365.25 / 12


def per_day(per_month: float | np.ndarray, working_days_per_month: int) -> float | np.ndarray:
    """Convert a monthly probability to the per-working-day probability with the same effect."""
    return 1.0 - (1.0 - np.clip(per_month, 0.0, 1.0)) ** (1.0 / working_days_per_month)


def per_day_small(per_month: np.ndarray, working_days_per_month: int) -> np.ndarray:
    """``per_day`` for small monthly chances (first-order, exact to within p**2 / 2)."""
    return np.minimum(per_month, 1.0) / working_days_per_month


def pareto_value(u: np.ndarray, shape: float, minimum: float, cap_multiple: float) -> np.ndarray:
    """Draw Pareto(shape) values above ``minimum`` from uniforms ``u``, capped."""
    return np.minimum(minimum * (1.0 - u) ** (-1.0 / shape), minimum * cap_multiple)


def segment_of(value: np.ndarray, medium_from: float, xl_from: float) -> np.ndarray:
    """Return 0 (small/medium), 1 (medium/large) or 2 (extra-large) by monthly value."""
    return (value >= medium_from).astype(np.int8) + (value >= xl_from).astype(np.int8)


def attention(demand_hours: float, available_hours: float) -> float:
    """Share of the demanded service time a server can give (1 when not overloaded)."""
    if demand_hours <= 0.0:
        return 1.0
    return min(1.0, max(0.0, available_hours) / demand_hours)


def service_quality(
    attention_level: np.ndarray, role_quality: np.ndarray, unattended_quality: float
) -> np.ndarray:
    """Quality a client gets: from the unattended level up to the server's role quality."""
    return unattended_quality + (role_quality - unattended_quality) * attention_level


def usage_factor(satisfaction: np.ndarray, weight: float) -> np.ndarray:
    """Multiplier of a client's ordering from its satisfaction."""
    return 1.0 - weight + weight * satisfaction


def win_probability(buy_prob: float, our_strength: float, rival_strength: float) -> float:
    """Chance we win a proposal when bidding rivals have total strength ``rival_strength``."""
    return buy_prob * our_strength / (our_strength + rival_strength)


def visit_protection(
    days_since_visit: np.ndarray, protection_days: float, strength: float
) -> np.ndarray:
    """Share of competitors' pull removed by a recent personal visit (decays exponentially)."""
    return strength * np.exp(-np.maximum(days_since_visit, 0) / protection_days)


def poach_pull(
    attention_level: np.ndarray,
    satisfaction: np.ndarray,
    hidden: np.ndarray,
    need: np.ndarray,
    protection: np.ndarray,
    weights: tuple[float, float, float, float],
) -> np.ndarray:
    """Multiplier of the base poaching chance from neglect, dissatisfaction and protection."""
    w_neglect, w_dissat, w_hidden, w_need = weights
    pull = (
        1.0
        + w_neglect * (1.0 - attention_level)
        + w_dissat * (1.0 - satisfaction)
        + w_hidden * hidden
        + w_need * np.minimum(need, 1.0)
    )
    return pull * (1.0 - protection)


def max_poach_pull(weights: tuple[float, float, float, float]) -> float:
    """The largest value ``poach_pull`` can take (no attention, no satisfaction, full needs)."""
    return 1.0 + sum(weights)


def lapse_multiplier(satisfaction: np.ndarray, weight: float) -> np.ndarray:
    """Multiplier of the base chance to stop ordering, from dissatisfaction."""
    return 1.0 + weight * (1.0 - satisfaction)


def payment_rate(payment_days: np.ndarray, working_days_per_month: int) -> np.ndarray:
    """Share of an open balance a chased client pays per working day (1 / working days)."""
    working_days = payment_days * working_days_per_month / CALENDAR_DAYS_PER_MONTH
    return 1.0 / np.maximum(working_days, 1.0)


def payment_share_per_day(
    pay_rate: np.ndarray, chaser_attention: np.ndarray, chase_effect: float
) -> np.ndarray:
    """Share of an open invoice balance paid on one working day, given who chases it."""
    return np.minimum(1.0, (1.0 - chase_effect + chase_effect * chaser_attention) * pay_rate)


def seller_bonus_share(
    age_days: np.ndarray, new_days: float, new_share: float, ongoing_share: float
) -> np.ndarray:
    """Bonus share of a payment: large while the client is new, small afterwards."""
    return np.where(age_days < new_days, new_share, ongoing_share)


def desks_needed(headcount: int, per_person: float) -> int:
    """Fully equipped workplaces for ``headcount`` people at ``per_person`` desks each."""
    return math.ceil(headcount * per_person - 1e-9)


def value_tiers(values: np.ndarray, key_share: float, top_share: float) -> np.ndarray:
    """Pareto tiers by value: 2 = most valuable, 1 = key, 0 = the rest.

    Clients are taken largest first; a client is in a tier while the value of the clients before
    it is less than the tier's share of the total (so the tier gives at least that share).
    """
    tiers = np.zeros(values.size, dtype=np.int8)
    total = float(values.sum())
    if total <= 0:
        return tiers
    order = np.argsort(-values, kind="stable")
    before = (np.cumsum(values[order]) - values[order]) / total
    tiers[order] = (before < key_share).astype(np.int8) + (before < top_share)
    return tiers


def lognormal(u: float, median: float, sigma: float) -> float:
    """The ``u``-quantile of a log-normal with this median and log-sd."""
    u = min(max(u, 1e-12), 1 - 1e-12)
    return median * math.exp(sigma * _STANDARD_NORMAL.inv_cdf(u))


def fix_pays(cost_usd: float, uplift_usd_per_month: float, payback_months: float) -> bool:
    """A bottleneck is worth fixing if the extra usage repays the cost within the payback."""
    return uplift_usd_per_month * payback_months >= cost_usd


def skill(experience_months: float, green_factor: float, ramp_months: float) -> float:
    """Share of an experienced seller's effect a seller has after some months on the job."""
    learned = 1.0 - math.exp(-max(experience_months, 0.0) / ramp_months)
    return green_factor + (1.0 - green_factor) * learned


def quit_chance(base_per_month: float, morale: float, weight: float) -> float:
    """Chance a seller quits this month: low morale raises it."""
    return min(1.0, base_per_month * (1.0 + weight * (1.0 - morale)))
