"""Pure functions for money and probabilities: numbers in, numbers out.

The array functions (``per_day`` to ``seller_bonus_share``, ``months_kept``,
``visit_months_saved``, ``visit_pay_per_hour``, ``effort_multiplier``, ``paced_interval_days``,
and ``value_tiers`` on a whole array) work element by element: given NumPy arrays they return
arrays of the broadcast shape, and given NumPy scalars they return the matching element, to
within rounding (NumPy's vectorised ``pow`` and ``exp`` may round differently from its scalar
ones). The scalar functions (``attention``, ``win_probability``, ``desks_needed``,
``lognormal``, ``fix_pays``, ``skill``, ``quit_chance``, and the pay functions from
``pay_basis_multipliers`` on but for the array ones just named) take and return plain
numbers. None of them reads or changes any state; the parameters come from the scenario's
configuration (``sim/config/schema.py``), where each default names its source.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import overload

import numpy as np

_STANDARD_NORMAL = NormalDist()

CALENDAR_DAYS_PER_MONTH = 365.25 / 12


@overload
def per_day(per_month: float, working_days_per_month: int) -> float: ...
@overload
def per_day(per_month: np.ndarray, working_days_per_month: int) -> np.ndarray: ...
def per_day(per_month: float | np.ndarray, working_days_per_month: int) -> float | np.ndarray:
    """Convert a monthly probability to the per-working-day probability with the same effect.

    Parameters
    ----------
    per_month
        Chance over one month, any shape; values outside [0, 1] are clipped into it.
    working_days_per_month
        Working days in a month (positive).

    Returns
    -------
    float or numpy.ndarray
        The daily chance ``1 - (1 - p) ** (1 / days)``: over ``working_days_per_month``
        independent days it compounds back to the monthly chance. Same shape as ``per_month``.
    """
    daily: float | np.ndarray = 1.0 - (1.0 - np.clip(per_month, 0.0, 1.0)) ** (
        1.0 / working_days_per_month
    )
    return daily


@overload
def per_day_small(per_month: float, working_days_per_month: int) -> float: ...
@overload
def per_day_small(per_month: np.ndarray, working_days_per_month: int) -> np.ndarray: ...
def per_day_small(per_month: float | np.ndarray, working_days_per_month: int) -> float | np.ndarray:
    """Convert a small monthly chance to a daily one, to first order.

    ``per_month / working_days_per_month`` (monthly chances above 1 count as 1). For a monthly
    chance ``p`` in [0, 1] it is at most ``per_day(p)``, and for ``p <= 1/2`` short of it by at
    most ``p ** 2 / 2``: use it for small chances, where it is faster.

    Parameters
    ----------
    per_month
        Non-negative chance over one month, any shape.
    working_days_per_month
        Working days in a month (positive).

    Returns
    -------
    float or numpy.ndarray
        The daily chance, same shape as ``per_month``.
    """
    daily: float | np.ndarray = np.minimum(per_month, 1.0) / working_days_per_month
    return daily


def pareto_value(u: np.ndarray, shape: float, minimum: float, cap_multiple: float) -> np.ndarray:
    """Draw Pareto values above a minimum from uniforms, capped at a multiple of the minimum.

    Parameters
    ----------
    u
        Uniforms in [0, 1), any shape (one per value drawn).
    shape
        Pareto shape (tail index, positive); smaller means heavier tails.
    minimum
        Smallest value (USD a month for client values).
    cap_multiple
        The values are capped at ``minimum * cap_multiple``.

    Returns
    -------
    numpy.ndarray
        ``minimum * (1 - u) ** (-1 / shape)``, capped; same shape as ``u``, increasing in ``u``.
    """
    return np.minimum(minimum * (1.0 - u) ** (-1.0 / shape), minimum * cap_multiple)


def segment_of(value: np.ndarray, medium_from: float, xl_from: float) -> np.ndarray:
    """Return the segment of each client by its monthly value.

    Parameters
    ----------
    value
        Monthly values (USD), any shape.
    medium_from, xl_from
        Lower bounds (USD a month, inclusive) of the medium/large and extra-large segments.

    Returns
    -------
    numpy.ndarray of int8
        0 (small/medium), 1 (medium/large) or 2 (extra-large); same shape as ``value``.
    """
    return (value >= medium_from).astype(np.int8) + (value >= xl_from).astype(np.int8)


def attention(demand_hours: float, available_hours: float) -> float:
    """Return the share of the demanded service time a server can give.

    Parameters
    ----------
    demand_hours
        Hours of service the server's clients ask for.
    available_hours
        Hours the server has (negative counts as none).

    Returns
    -------
    float
        ``available / demand`` in [0, 1]; 1 when the server is not overloaded or nothing is
        demanded.
    """
    if demand_hours <= 0.0:
        return 1.0
    return min(1.0, max(0.0, available_hours) / demand_hours)


def service_quality(
    attention_level: np.ndarray, role_quality: np.ndarray, unattended_quality: float
) -> np.ndarray:
    """Return the quality a client gets: from the unattended level up to the server's quality.

    Parameters
    ----------
    attention_level
        Attention each client gets, in [0, 1].
    role_quality
        Quality of each client's server's role (broadcast with ``attention_level``).
    unattended_quality
        Quality a client with no attention gets.

    Returns
    -------
    numpy.ndarray
        Linear interpolation between ``unattended_quality`` (no attention) and ``role_quality``
        (full attention), of the broadcast shape.
    """
    quality: np.ndarray = unattended_quality + (role_quality - unattended_quality) * attention_level
    return quality


def usage_factor(satisfaction: np.ndarray, weight: float) -> np.ndarray:
    """Return the multiplier of a client's ordering from its satisfaction.

    Parameters
    ----------
    satisfaction
        Satisfaction of each client, in [0, 1].
    weight
        How much ordering depends on satisfaction, in [0, 1].

    Returns
    -------
    numpy.ndarray
        ``1 - weight + weight * satisfaction``: 1 for a fully satisfied client, ``1 - weight``
        for an unsatisfied one; same shape as ``satisfaction``.
    """
    return 1.0 - weight + weight * satisfaction


def win_probability(buy_prob: float, our_strength: float, rival_strength: float) -> float:
    """Return the chance we win a proposal against bidding rivals.

    Parameters
    ----------
    buy_prob
        Chance the client buys from anyone, in [0, 1].
    our_strength
        Our strength (positive).
    rival_strength
        Total strength of the rivals bidding (non-negative).

    Returns
    -------
    float
        ``buy_prob`` times our share of the total strength.
    """
    return buy_prob * our_strength / (our_strength + rival_strength)


def visit_protection(
    days_since_visit: np.ndarray, protection_days: float, strength: float
) -> np.ndarray:
    """Return the share of competitors' pull removed by a recent personal visit.

    Parameters
    ----------
    days_since_visit
        Days since each client's last visit (negative counts as 0).
    protection_days
        Decay time of the protection (days, positive).
    strength
        Protection right after a visit, in [0, 1].

    Returns
    -------
    numpy.ndarray
        ``strength * exp(-days / protection_days)``, same shape as ``days_since_visit``.
    """
    protection: np.ndarray = strength * np.exp(-np.maximum(days_since_visit, 0) / protection_days)
    return protection


def poach_pull(
    attention_level: np.ndarray,
    satisfaction: np.ndarray,
    hidden: np.ndarray,
    need: np.ndarray,
    protection: np.ndarray,
    weights: tuple[float, float, float, float],
) -> np.ndarray:
    """Return the multiplier of the base poaching chance from neglect, needs and protection.

    Parameters
    ----------
    attention_level, satisfaction
        Attention and satisfaction of each client, in [0, 1]; less of either pulls more.
    hidden
        Hidden potential of each client, in [0, 1].
    need
        Open needs of each client (counted up to 1).
    protection
        Share of the pull removed by a recent visit, in [0, 1] (see ``visit_protection``).
    weights
        Non-negative weights of neglect, dissatisfaction, hidden potential and need.

    Returns
    -------
    numpy.ndarray
        The multiplier, between 0 and ``max_poach_pull(weights)``; broadcast shape of the inputs.
    """
    w_neglect, w_dissat, w_hidden, w_need = weights
    pull = (
        1.0
        + w_neglect * (1.0 - attention_level)
        + w_dissat * (1.0 - satisfaction)
        + w_hidden * hidden
        + w_need * np.minimum(need, 1.0)
    )
    multiplier: np.ndarray = pull * (1.0 - protection)
    return multiplier


def max_poach_pull(weights: tuple[float, float, float, float]) -> float:
    """Return the largest value ``poach_pull`` can take (no attention or satisfaction, full needs).

    Parameters
    ----------
    weights
        The weights given to ``poach_pull``.

    Returns
    -------
    float
        ``1 + sum(weights)``.
    """
    return 1.0 + sum(weights)


def lapse_multiplier(satisfaction: np.ndarray, weight: float) -> np.ndarray:
    """Return the multiplier of the base chance to stop ordering, from dissatisfaction.

    Parameters
    ----------
    satisfaction
        Satisfaction of each client, in [0, 1].
    weight
        Extra multiple for a fully dissatisfied client (non-negative).

    Returns
    -------
    numpy.ndarray
        ``1 + weight * (1 - satisfaction)``, same shape as ``satisfaction``.
    """
    return 1.0 + weight * (1.0 - satisfaction)


def payment_rate(payment_days: np.ndarray, working_days_per_month: int) -> np.ndarray:
    """Return the share of an open balance a chased client pays per working day.

    Parameters
    ----------
    payment_days
        Each client's payment terms (calendar days).
    working_days_per_month
        Working days in a month.

    Returns
    -------
    numpy.ndarray
        One over the terms in working days (at most 1), same shape as ``payment_days``.
    """
    working_days = payment_days * working_days_per_month / CALENDAR_DAYS_PER_MONTH
    rate: np.ndarray = 1.0 / np.maximum(working_days, 1.0)
    return rate


def payment_share_per_day(
    pay_rate: np.ndarray, chaser_attention: np.ndarray, chase_effect: float
) -> np.ndarray:
    """Return the share of an open invoice balance paid on one working day, given who chases it.

    Parameters
    ----------
    pay_rate
        Each client's rate when fully chased (see ``payment_rate``).
    chaser_attention
        Attention of the person who chases the invoice, in [0, 1].
    chase_effect
        Share of the rate that depends on chasing, in [0, 1].

    Returns
    -------
    numpy.ndarray
        The share, in [0, 1]; broadcast shape of the inputs.
    """
    share: np.ndarray = np.minimum(
        1.0, (1.0 - chase_effect + chase_effect * chaser_attention) * pay_rate
    )
    return share


def seller_bonus_share(
    age_days: np.ndarray, new_days: float, new_share: float, ongoing_share: float
) -> np.ndarray:
    """Return the bonus share of a payment: large while the client is new, small afterwards.

    Parameters
    ----------
    age_days
        Days since each paying client was won.
    new_days
        Days a client counts as new.
    new_share, ongoing_share
        Bonus shares of a payment while the client is new and afterwards.

    Returns
    -------
    numpy.ndarray
        ``new_share`` where ``age_days < new_days``, else ``ongoing_share``; same shape as
        ``age_days``.
    """
    return np.where(age_days < new_days, new_share, ongoing_share)


def desks_needed(headcount: int, per_person: float) -> int:
    """Return the fully equipped workplaces for a headcount at a share of a desk each.

    Parameters
    ----------
    headcount
        People (non-negative).
    per_person
        Desks per person (a person who shares a desk with two others needs 1/3).

    Returns
    -------
    int
        ``ceil(headcount * per_person)``, forgiving rounding errors of 1e-9.
    """
    return math.ceil(headcount * per_person - 1e-9)


def value_tiers(values: np.ndarray, key_share: float, top_share: float) -> np.ndarray:
    """Return the Pareto tier of each client by value: 2 = most valuable, 1 = key, 0 = the rest.

    Clients are taken largest first (ties in their order); a client is in a tier while the value
    of the clients before it is less than the tier's share of the total (so the tier gives at
    least that share).

    Parameters
    ----------
    values
        One-dimensional array of client values (non-negative).
    key_share, top_share
        Shares of the total value, in [0, 1], that the key tier (1 and 2) and the top tier (2)
        give at least.

    Returns
    -------
    numpy.ndarray of int8
        The tier of each client, same shape as ``values``; all 0 when the total is not positive.
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
    """Return the ``u``-quantile of a log-normal distribution.

    Parameters
    ----------
    u
        Uniform in [0, 1]; clipped to [1e-12, 1 - 1e-12] so the quantile is finite.
    median
        Median of the distribution (positive).
    sigma
        Standard deviation of its logarithm (non-negative).

    Returns
    -------
    float
        ``median * exp(sigma * z)`` for the standard normal ``u``-quantile ``z``.
    """
    u = min(max(u, 1e-12), 1 - 1e-12)
    return median * math.exp(sigma * _STANDARD_NORMAL.inv_cdf(u))


def fix_pays(cost_usd: float, uplift_usd_per_month: float, payback_months: float) -> bool:
    """Tell whether a bottleneck is worth fixing: the extra usage repays the cost in time.

    Parameters
    ----------
    cost_usd
        One-off cost of the fix (USD).
    uplift_usd_per_month
        Extra usage the fix brings (USD a month).
    payback_months
        Months within which the fix must pay for itself.

    Returns
    -------
    bool
        True if ``uplift * payback >= cost``.
    """
    return uplift_usd_per_month * payback_months >= cost_usd


def skill(experience_months: float, green_factor: float, ramp_months: float) -> float:
    """Return the share of an experienced seller's effect a seller has after months on the job.

    Parameters
    ----------
    experience_months
        Months on the job (negative counts as 0).
    green_factor
        Share a newcomer has on the first day, in [0, 1].
    ramp_months
        Learning time (months, positive): the gap to full skill shrinks by ``e`` every
        ``ramp_months``.

    Returns
    -------
    float
        The share, from ``green_factor`` at 0 months rising towards 1.
    """
    learned = 1.0 - math.exp(-max(experience_months, 0.0) / ramp_months)
    return green_factor + (1.0 - green_factor) * learned


def quit_chance(base_per_month: float, morale: float, weight: float) -> float:
    """Return the chance a seller quits this month: low morale raises it.

    Parameters
    ----------
    base_per_month
        Chance a month at full morale.
    morale
        The seller's morale, in [0, 1].
    weight
        Extra multiple of the base chance at zero morale (non-negative).

    Returns
    -------
    float
        ``base * (1 + weight * (1 - morale))``, at most 1.
    """
    return min(1.0, base_per_month * (1.0 + weight * (1.0 - morale)))


def talley_salespeople(
    accounts: np.ndarray, calls_per_year: np.ndarray, call_hours: float, selling_hours: float
) -> float:
    """Return the salespeople a workload needs, by Talley's workload method.

    Salespeople = sum(accounts x calls a year x call length) / selling time of one
    salesperson a year (Talley 1961, "How to design sales territories", J. Marketing 25(3);
    the textbook example of Kotler & Armstrong, Principles of Marketing: 1,000 Type-A
    accounts at 36 calls a year and 2,000 Type-B accounts at 12 need 60,000 calls; a
    salesperson making 1,000 calls a year, the company needs 60).

    Parameters
    ----------
    accounts
        Accounts in each class, shape (k,), non-negative.
    calls_per_year
        Calls a year each account of a class needs, shape (k,), non-negative.
    call_hours
        Length of one call (hours, positive).
    selling_hours
        Selling time of one salesperson a year (hours, positive).

    Returns
    -------
    float
        Full-time salespeople needed (fractional).
    """
    workload = float(np.sum(np.asarray(accounts) * np.asarray(calls_per_year))) * call_hours
    return workload / selling_hours


@overload
def routine_hours_per_day(
    contacts_per_year: float, contact_hours: float, selling_share: float, days_per_year: int
) -> float: ...
@overload
def routine_hours_per_day(
    contacts_per_year: np.ndarray, contact_hours: float, selling_share: float, days_per_year: int
) -> np.ndarray: ...
def routine_hours_per_day(
    contacts_per_year: float | np.ndarray,
    contact_hours: float,
    selling_share: float,
    days_per_year: int,
) -> float | np.ndarray:
    """Return the working time a day one served client takes, by Talley's workload method.

    A client's share of a seller is its calls a year x call length / the seller's selling
    time a year (:func:`talley_salespeople` for one account); times the working hours of a
    day it is ``contacts x hours / (selling_share x days_per_year)`` hours a day, whatever the
    length of the day. The non-selling time (travel, orders, invoices) goes with the contacts.

    Parameters
    ----------
    contacts_per_year
        Contacts a year the client needs, scalar or shape (n,), non-negative.
    contact_hours
        Length of one contact (hours, positive).
    selling_share
        Share of working time that is selling time, in (0, 1].
    days_per_year
        Working days a year (positive).

    Returns
    -------
    float or numpy.ndarray
        Hours of a working day, shaped like ``contacts_per_year``.
    """
    return contacts_per_year * contact_hours / (selling_share * days_per_year)


def meeting_chance(
    first_call_prob: float, factor_per_refusal: float, refusals: np.ndarray
) -> np.ndarray:
    """Return the chance that a call gets a meeting, given each prospect's earlier refusals.

    Parameters
    ----------
    first_call_prob
        Chance that a first call gets a meeting, in [0, 1] (``pipeline.call_to_meeting_prob``).
    factor_per_refusal
        Factor on that chance per earlier "no", in [0, 1]
        (``pipeline.meeting_factor_per_refusal``; 1 gives ``first_call_prob`` exactly).
    refusals
        Earlier refusals of each prospect called, non-negative integers, shape (calls,).

    Returns
    -------
    numpy.ndarray
        ``first_call_prob * factor_per_refusal ** refusals``, shape (calls,). Source of the
        geometric fall: repeat mailings to the same list pull about half the previous one
        (McCarthy & King, practitioner direct-mail experience).
    """
    factor = np.power(float(factor_per_refusal), refusals.astype(np.float64))
    return first_call_prob * factor


def dormant_responsiveness(days_dormant: np.ndarray, half_life_days: float) -> np.ndarray:
    """Return the share of a fresh lapser's responsiveness left after time dormant.

    Parameters
    ----------
    days_dormant
        Working days since each client lapsed (negative counts as 0), any shape.
    half_life_days
        Working days in which the responsiveness halves; 0 or less means no decay.

    Returns
    -------
    numpy.ndarray
        ``0.5 ** (days / half_life)`` in (0, 1], the shape of ``days_dormant``; all ones when
        there is no decay. Willingness to return falls with the time away (Pick, Thomas,
        Tillmanns & Krafft 2016, JAMS 44); the half-life is an assumption.
    """
    days = np.maximum(np.asarray(days_dormant, dtype=float), 0.0)
    if half_life_days <= 0:
        return np.ones_like(days)
    with np.errstate(over="ignore"):  # a half-life of a split second: nothing left, 0
        out: np.ndarray = np.exp2(-days / half_life_days)
    return out


def wake_wait_days(
    u: np.ndarray, p_day: float, half_life_days: float, dormant_days: np.ndarray
) -> np.ndarray:
    """Return the working days until a dormant client orders again unprompted, or infinity.

    The chance a day is ``p_day`` for a fresh lapser and halves every ``half_life_days`` of
    dormancy (``dormant_responsiveness``), so the cumulative hazard is finite and some clients
    never come back. The wait is drawn by inverting the cumulative hazard (continuous in time,
    rounded up to whole days), given that the client is still dormant ``dormant_days`` after
    its lapse.

    Parameters
    ----------
    u
        Uniforms in [0, 1), shape (n,).
    p_day
        Daily chance of a fresh lapser, in [0, 1].
    half_life_days
        Working days in which the chance halves (positive).
    dormant_days
        Working days each client has already been dormant, shape (n,), non-negative.

    Returns
    -------
    numpy.ndarray of float
        Whole working days, at least 1, or ``inf`` for a client who never wakes, shape (n,).
        With ``p_day = 0`` every wait is ``inf``. As ``half_life_days`` grows the waits tend
        to the geometric ``ceil(ln(1 - u) / ln(1 - p_day))``.
    """
    u = np.asarray(u, dtype=float)
    if p_day <= 0:
        return np.full(u.shape, np.inf)
    if p_day >= 1:
        return np.ones(u.shape)
    rate = -math.log1p(-p_day)  # hazard a working day of a fresh lapser
    fresh = rate * half_life_days / math.log(2)  # cumulative hazard of a fresh lapser
    # Still to come: the fresh one x 2^(-days dormant / half-life) (``dormant_responsiveness``).
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):  # nothing left: never
        left = fresh * dormant_responsiveness(dormant_days, half_life_days)  # wakes (x is inf)
        x = -np.log1p(-u) / left  # share of the remaining cumulative hazard used up
    wait = np.full(u.shape, np.inf)
    wakes = x < 1
    wait[wakes] = np.maximum(1.0, np.ceil(-half_life_days * np.log2(1.0 - x[wakes])))
    return wait


def load_ratio(demand_hours: float, available_hours: float) -> float:
    """Return how many times its available hours a server's book demands (ODD 7.1).

    Parameters
    ----------
    demand_hours
        Hours of service the server's clients ask for a day.
    available_hours
        Hours the server has for them that day.

    Returns
    -------
    float
        ``demand / available``: 1 at capacity, 2 when the book asks for twice the day. 0 when
        nothing is demanded; 1 when no hours are available (an empty seat: no one works in a
        hurry, and the clients are unattended, ``attention`` 0).
    """
    if demand_hours <= 0.0:
        return 0.0
    if available_hours <= 0.0:
        return 1.0
    return demand_hours / available_hours


def incident_multiplier(ratio: np.ndarray, per_overload: float) -> np.ndarray:
    """Return the multiplier of a client's incident chance from its server's overload (ODD 7.3).

    Parameters
    ----------
    ratio
        Load ratio of each client's server (``load_ratio``), non-negative, any shape.
    per_overload
        Extra multiple of the base chance per unit of load above capacity (non-negative):
        KC & Terwiesch (2009, Management Science 55(9)) find 2 % more adverse outcomes per
        10 % more overwork, about 0.2 (see ``overload.incident_per_overload``).

    Returns
    -------
    numpy.ndarray
        ``1 + per_overload * max(0, ratio - 1)``: 1 at or below capacity; same shape as
        ``ratio``.
    """
    multiplier: np.ndarray = 1.0 + per_overload * np.maximum(ratio - 1.0, 0.0)
    return multiplier


def missed_order_chance(ratio: np.ndarray, share: float) -> np.ndarray:
    """Return the chance an order placed with a server is missed (lost, unhandled; ODD 7.5).

    An overloaded queue whose customers give up after a while serves what its capacity allows
    and loses the rest: ``1 - 1 / ratio`` of the arrivals (the fluid limit of a many-server
    queue with abandonment, Whitt 2006, Operations Research 54(1)). ``share`` is how much of
    that falls on orders rather than on the other, deferrable work.

    Parameters
    ----------
    ratio
        Load ratio of each ordering client's server (``load_ratio``), non-negative, any shape.
    share
        Share of the undone work that falls on orders, in [0, 1]: 0 when orders always come
        first, 1 when they wait their turn with everything else.

    Returns
    -------
    numpy.ndarray
        ``share * max(0, 1 - 1 / ratio)``, in [0, share]: 0 at or below capacity; same shape as
        ``ratio``.
    """
    undone = np.where(ratio > 1.0, 1.0 - 1.0 / np.maximum(ratio, 1.0), 0.0)
    chance: np.ndarray = share * undone
    return chance


def segment_margins(
    company: float, small: float | None, medium: float | None, xl: float | None
) -> np.ndarray:
    """Return the gross margin of each client segment, the company's where none is given.

    Parameters
    ----------
    company
        The company-wide gross margin, share 0-1 of revenue (``money.gross_margin``).
    small, medium, xl
        The segments' own margins, share 0-1, or ``None`` to take ``company``
        (``money.gross_margin_by_segment``).

    Returns
    -------
    numpy.ndarray
        Shape (3,): the margins of the small, medium and xl segments, in the order of
        ``sim.agents.client.SEGMENT_NAMES`` (the segment codes 0, 1, 2).
    """
    return np.array([company if m is None else m for m in (small, medium, xl)], dtype=float)


def cost_of_goods(paid: np.ndarray, segment: np.ndarray, margins: np.ndarray) -> float:
    """Return the cost of the goods behind payments: each payment times one minus its margin.

    The cost of goods is charged when a payment is collected, at the margin of the payer's
    segment: ``sum(paid * (1 - margins[segment]))``. With every margin 1 it is 0.

    Parameters
    ----------
    paid
        Payments received, USD, shape (payers,); non-negative.
    segment
        The payer's segment code of each payment (0 small, 1 medium, 2 xl), shape (payers,).
    margins
        Gross margin of each segment, shares 0-1, shape (3,) (``segment_margins``).

    Returns
    -------
    float
        The cost of goods, USD: between 0 and ``paid.sum()``.
    """
    return float(np.dot(paid, 1.0 - margins[segment]))


def pay_basis_multipliers(
    basis: str, weight: float, order_effect: float, error_effect: float
) -> tuple[float, float]:
    """Return how a specialist's pay basis moves his clients' orders and incidents (ODD 7.21).

    Paid on volume, a specialist pushes orders and makes more errors; paid for accuracy, he
    makes fewer errors and pushes less (multitask agency: pay on the measured dimension draws
    effort from the unmeasured one, Holmström & Milgrom 1991, JLEO 7; piece rates raise output,
    Lazear 2000, AER 90(5), and lower quality where it is not paid for, Hong, Hossain, List &
    Tanaka 2018, IER 59(2)).

    Parameters
    ----------
    basis
        ``"volume"`` or ``"accuracy"`` (``specialists.pay_basis``).
    weight
        Share of the specialist's pay that is variable on that basis, in [0, 1]
        (``specialists.pay_weight``); 0 is no incentive.
    order_effect
        Relative change of his clients' order rate per unit weight, in [0, 1]
        (``specialists.order_effect_per_weight``).
    error_effect
        Relative change of his clients' incident chance per unit weight, in [0, 1]
        (``specialists.error_effect_per_weight``).

    Returns
    -------
    tuple of float
        ``(orders, incidents)``: multipliers ``1 + s x effect x weight`` with ``s = +1`` for
        volume and ``-1`` for accuracy; both non-negative, exactly 1 at weight 0.

    Raises
    ------
    ValueError
        If ``basis`` is neither ``"volume"`` nor ``"accuracy"``.
    """
    if basis not in ("volume", "accuracy"):
        raise ValueError(f"pay basis must be 'volume' or 'accuracy', not {basis!r}")
    sign = 1.0 if basis == "volume" else -1.0
    orders = max(0.0, 1.0 + sign * order_effect * weight)
    incidents = max(0.0, 1.0 + sign * error_effect * weight)
    return orders, incidents


def variable_pay_split(salary: float, fixed_bonus: float, weight: float) -> tuple[float, float]:
    """Return a person's salary and bonus when ``weight`` of his pay is variable, paid at target.

    The pay at target, ``salary + fixed_bonus``, is unchanged: ``weight`` of it moves from the
    fixed parts into the variable bonus, which the norm-setting firm pays in full on average.

    Parameters
    ----------
    salary, fixed_bonus
        Today's base pay and fixed bonus, USD a month (non-negative).
    weight
        Share of the pay that is variable, in [0, 1].

    Returns
    -------
    tuple of float
        ``(salary x (1 - w), fixed_bonus x (1 - w) + w x (salary + fixed_bonus))``, USD a month;
        at weight 0 exactly ``(salary, fixed_bonus)``.
    """
    keep = 1.0 - weight
    return salary * keep, fixed_bonus * keep + weight * (salary + fixed_bonus)


def smoothed_pay(previous: float, pay: float, months: float) -> float:
    """Return a seller's pay smoothed over about ``months`` months (exponential average).

    Parameters
    ----------
    previous
        The smoothed pay so far, USD a month (a newcomer's starts at the market reference).
    pay
        This month's pay, salary plus bonuses earned, USD.
    months
        Smoothing time, months (at least 1; 1 is no smoothing).

    Returns
    -------
    float
        ``previous + (pay - previous) / months``.
    """
    return previous + (pay - previous) / months


MIN_PAY_RATIO = 0.01
"""Floor of the pay ratio in ``pay_quit_multiplier``: a guard, not a figure; a pay of 0 would
make the multiple infinite, so it is capped at ``100 ** elasticity``."""


def pay_quit_multiplier(pay_ratio: float, elasticity: float) -> float:
    """Return the multiple of a seller's quit chance from his pay against the market (ODD 7.20).

    Parameters
    ----------
    pay_ratio
        Smoothed pay over the market reference (non-negative; floored at ``MIN_PAY_RATIO``).
    elasticity
        Elasticity of quitting with respect to relative pay, magnitude (non-negative;
        ``staffing.quit_pay_elasticity``; about 1 after Manning 2003 and Dal Bó, Finan & Rossi
        2013, QJE 128(3)).

    Returns
    -------
    float
        ``ratio ** -elasticity``: above 1 below the market, below 1 above it, exactly 1 at
        elasticity 0.
    """
    if elasticity == 0.0:
        return 1.0
    return float(max(pay_ratio, MIN_PAY_RATIO) ** -elasticity)


def morale_target(pay_ratio: float, elasticity: float) -> float:
    """Return the morale a seller's monthly recovery tends to, from his pay against the market.

    Parameters
    ----------
    pay_ratio
        Smoothed pay over the market reference (non-negative).
    elasticity
        How strongly pay below the market lowers the target (non-negative;
        ``staffing.morale_pay_elasticity``).

    Returns
    -------
    float
        ``min(1, ratio) ** elasticity`` in [0, 1]: 1 at or above the market, and exactly 1 at
        elasticity 0.
    """
    if elasticity == 0.0:
        return 1.0
    return float(min(1.0, max(pay_ratio, 0.0)) ** elasticity)


# ---- pay per hour of a seller's activities (ODD 7.22) ---------------------------------------
def hunting_wins_per_hour(
    call_hours: float,
    meeting_prob: float,
    meeting_hours: float,
    proposal_prob: float,
    proposal_hours: float,
    win_prob: float,
) -> float:
    """Return the clients a seller expects to win per hour of hunting.

    A first call costs ``call_hours``; it gets a meeting with ``meeting_prob``, which costs
    ``meeting_hours`` and leads to a proposal with ``proposal_prob``, which costs
    ``proposal_hours`` and wins with ``win_prob`` (the funnel of ``Pipeline``, ODD 7.9).

    Parameters
    ----------
    call_hours, meeting_hours, proposal_hours
        Hours of a call, a meeting and a proposal (positive).
    meeting_prob, proposal_prob, win_prob
        Chances of a meeting per call, a proposal per meeting and a win per proposal, 0-1.

    Returns
    -------
    float
        Wins per hour: ``m p w / (call + m (meeting + p proposal))`` [clients/hour].
    """
    hours = call_hours + meeting_prob * (meeting_hours + proposal_prob * proposal_hours)
    return meeting_prob * proposal_prob * win_prob / hours


def new_client_pay(
    new_share: float,
    ongoing_share: float,
    value_usd_per_month: float,
    new_months: float,
    horizon_months: float,
) -> float:
    """Return the bonus a seller expects from one new client within his planning horizon.

    Parameters
    ----------
    new_share, ongoing_share
        ``money.new_client_bonus_share`` and ``money.ongoing_bonus_share``, 0-1.
    value_usd_per_month
        The client's expected collections a month (USD).
    new_months
        ``money.new_client_bonus_months``.
    horizon_months
        The planning horizon (``effort.horizon_months``, positive).

    Returns
    -------
    float
        ``value (new x min(new_months, H) + ongoing x max(0, H - new_months))`` [USD];
        the client is taken to stay the horizon through.
    """
    first = min(new_months, horizon_months)
    return value_usd_per_month * (new_share * first + ongoing_share * (horizon_months - first))


def hunting_pay_per_hour(client_pay_usd: float, wins_per_hour: float) -> float:
    """Return a seller's expected bonus per hour of hunting: ``client_pay x wins_per_hour``.

    Parameters
    ----------
    client_pay_usd
        Bonus expected from one new client (``new_client_pay``, USD).
    wins_per_hour
        Clients won per hour of hunting (``hunting_wins_per_hour``).

    Returns
    -------
    float
        USD per hour.
    """
    return client_pay_usd * wins_per_hour


def months_kept(hazard_per_month: np.ndarray, horizon_months: float) -> np.ndarray:
    """Return the expected months a client stays within the horizon at a constant hazard.

    Parameters
    ----------
    hazard_per_month
        Monthly hazard of losing the client (non-negative), any shape.
    horizon_months
        The horizon (positive).

    Returns
    -------
    numpy.ndarray
        ``(1 - exp(-h H)) / h`` (``H`` where ``h`` is 0), same shape as the hazard.
    """
    h = np.asarray(hazard_per_month, dtype=float)
    safe = np.where(h > 0, h, 1.0)
    kept: np.ndarray = np.where(h > 0, -np.expm1(-safe * horizon_months) / safe, horizon_months)
    return kept


def lasting_share(adjust_per_month: float, horizon_months: float) -> float:
    """Return the mean share of a satisfaction gain still there over the horizon.

    Satisfaction moves towards its service level by ``adjust_per_month`` a month (ODD 7.2), so
    a gain fades as ``(1 - a)^t``.

    Parameters
    ----------
    adjust_per_month
        ``clients.satisfaction_adjust_per_month``, 0-1.
    horizon_months
        The horizon (positive).

    Returns
    -------
    float
        ``(1 - (1 - a)^H) / (H x -ln(1 - a))``: 1 for ``a = 0``, 0 for ``a = 1``.
    """
    if adjust_per_month <= 0:
        return 1.0
    if adjust_per_month >= 1:
        return 0.0
    rate = -math.log1p(-adjust_per_month)
    return -math.expm1(-rate * horizon_months) / (rate * horizon_months)


def visit_months_saved(
    satisfaction: np.ndarray,
    gain: float,
    lasting: float,
    lapse_per_month: np.ndarray | float,
    lapse_weight: float,
    poach_per_month: float,
    dissatisfaction_weight: float,
    protection: float,
    horizon_months: float,
) -> np.ndarray:
    """Return the months of a client's payments within the horizon a visit now saves.

    Without a visit the client is lost at the hazard ``lapse (1 + w_l (1 - s)) + poach
    (1 + w_d (1 - s))`` (ODD 7.7, 7.8); a visit raises satisfaction by ``gain`` (a
    ``lasting`` share of it on average over the horizon) and removes a ``protection`` share of
    the competitors' pull on average over the horizon. The other terms of the pull (neglect,
    hidden dissatisfaction, needs) are left out.

    Parameters
    ----------
    satisfaction
        Visible satisfaction of each client, 0-1, shape (n,).
    gain
        ``visits.satisfaction_gain``, 0-1.
    lasting
        Mean share of the gain kept over the horizon (``lasting_share``), 0-1.
    lapse_per_month
        Each client's monthly lapse chance when fully satisfied (scalar or shape (n,)).
    lapse_weight
        ``clients.lapse_dissatisfaction_weight``.
    poach_per_month
        Monthly chance that the competitors together take a satisfied client.
    dissatisfaction_weight
        ``market.competitors.dissatisfaction_weight``.
    protection
        Mean share of the pull removed over the horizon after a visit, 0-1.
    horizon_months
        The horizon (positive).

    Returns
    -------
    numpy.ndarray
        ``kept(with visit) - kept(without)`` (``months_kept``), non-negative, shape (n,)
        [months].
    """
    s = np.asarray(satisfaction, dtype=float)
    visited = s + (np.minimum(1.0, s + gain) - s) * lasting

    def hazard(sat: np.ndarray, shield: float) -> np.ndarray:
        dissatisfied = 1.0 - sat
        poach = poach_per_month * (1.0 + dissatisfaction_weight * dissatisfied) * (1.0 - shield)
        out: np.ndarray = lapse_per_month * (1.0 + lapse_weight * dissatisfied) + poach
        return out

    saved: np.ndarray = np.maximum(
        0.0,
        months_kept(hazard(visited, protection), horizon_months)
        - months_kept(hazard(s, 0.0), horizon_months),
    )
    return saved


def mean_protection(strength: float, protection_months: float, horizon_months: float) -> float:
    """Return the mean share of competitors' pull a visit removes over the horizon.

    Parameters
    ----------
    strength
        ``visits.protection_strength``, 0-1.
    protection_months
        ``visits.protection_months`` (positive): the decay time of the protection.
    horizon_months
        The horizon (positive).

    Returns
    -------
    float
        ``strength x tau / H x (1 - exp(-H / tau))`` (the mean of ``visit_protection``).
    """
    tau = protection_months
    return strength * tau / horizon_months * -math.expm1(-horizon_months / tau)


def visit_pay_per_hour(
    client_share: np.ndarray,
    kept_usd: np.ndarray,
    project_usd: np.ndarray,
    growth_usd: np.ndarray,
    project_share: float,
    skill: float,
    visit_hours: float,
) -> np.ndarray:
    """Return a seller's expected bonus per hour of a visit to each of his clients.

    A visit keeps payments that would be lost (``kept_usd``) and may uncover a need the seller
    develops (chance ``skill``) into a project (``project_usd``, paid by the client and so
    under the seller's client share, plus the project bonus) that also raises the client's
    payments (``growth_usd`` within the horizon, under the client share; ODD 7.4, 7.15).

    Parameters
    ----------
    client_share
        The share the seller earns on each client's payments now (new or ongoing by its age),
        shape (n,).
    kept_usd
        Payments within the horizon the visit keeps: value x months saved
        (``visit_months_saved``), USD, shape (n,).
    project_usd
        The project a visit is expected to uncover (USD), shape (n,).
    growth_usd
        The rise of the client's payments within the horizon that project brings (USD),
        shape (n,).
    project_share
        ``money.project_bonus_share``, 0-1.
    skill
        The seller's chance of developing an uncovered need into a project, 0-1.
    visit_hours
        ``visits.visit_hours`` (positive).

    Returns
    -------
    numpy.ndarray
        ``(share (kept + skill (project + growth)) + project_share skill project) / hours``
        [USD/hour], shape (n,).
    """
    developed = skill * (project_usd + growth_usd)
    pay: np.ndarray = (
        client_share * (kept_usd + developed) + project_share * skill * project_usd
    ) / visit_hours
    return pay


def effort_multiplier(
    task_pay: np.ndarray,
    hunting_pay: float,
    task_pay_ref: np.ndarray,
    hunting_pay_ref: float,
    responsiveness: float,
) -> np.ndarray:
    """Return how many times the fixed rules' effort a seller gives a task (ODD 7.22).

    The task's pay per hour relative to hunting, over the same ratio under the reference plan,
    raised to the responsiveness: ``m = [(r / r_hunt) / (r_ref / r_hunt_ref)]^rho``. Where a
    ratio is 0/0 (nothing pays) the seller keeps the fixed rules (``m = 1``); a task paid
    while its reference was not, or while hunting pays nothing, gets ``inf``.

    Parameters
    ----------
    task_pay, task_pay_ref
        Pay per hour of the task under the plan and under the reference plan (USD/hour, >= 0),
        same shape.
    hunting_pay, hunting_pay_ref
        Pay per hour of hunting under the plan and the reference plan (USD/hour, >= 0).
    responsiveness
        ``effort.responsiveness`` (>= 0); 0 gives 1 everywhere.

    Returns
    -------
    numpy.ndarray
        The multiplier, in [0, inf], shape of ``task_pay``.
    """
    task = np.asarray(task_pay, dtype=float)
    if responsiveness == 0:
        return np.ones_like(task)
    top = task * hunting_pay_ref
    bottom = np.asarray(task_pay_ref, dtype=float) * hunting_pay
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where((top == 0) & (bottom == 0), 1.0, top / bottom)
        out: np.ndarray = ratio**responsiveness
    return out


def paced_interval_days(
    interval_days: float, multiplier: np.ndarray, max_pace: float
) -> np.ndarray:
    """Return the days between a seller's periodic visits to each client.

    Parameters
    ----------
    interval_days
        The schedule's interval (``visits.interval_months`` in working days).
    multiplier
        The effort multiplier of a visit to each client (``effort_multiplier``), >= 0.
    max_pace
        ``effort.max_visit_pace`` (>= 1).

    Returns
    -------
    numpy.ndarray
        ``interval / clip(m, 0, max_pace)`` [working days]; ``inf`` (never) where ``m`` is 0.
    """
    pace = np.clip(np.asarray(multiplier, dtype=float), 0.0, max_pace)
    with np.errstate(divide="ignore", over="ignore"):  # m 0 or tiny: never (inf)
        days: np.ndarray = interval_days / pace
    return days


def capped_pareto_mean(shape: float, minimum: float, cap_multiple: float) -> float:
    """Return the mean of ``pareto_value``: a Pareto value capped at ``cap_multiple`` x minimum.

    The cap moves the tail's mass onto the cap (``E[min(X, c m)] = m + int_m^cm (m / x)^a dx``);
    it does not renormalise the density, so this is not the truncated Pareto's mean.

    Parameters
    ----------
    shape
        Pareto shape (positive).
    minimum
        Smallest value (USD a month).
    cap_multiple
        Cap as a multiple of the minimum (>= 1).

    Returns
    -------
    float
        ``m (1 + (1 - c^(1 - a)) / (a - 1))`` (``m (1 + ln c)`` for ``a = 1``) [USD a month].
    """
    if abs(shape - 1.0) < 1e-12:  # the limit a -> 1, where the general formula is 0/0
        return minimum * (1.0 + math.log(cap_multiple))
    tail = float(cap_multiple ** (1.0 - shape))
    return minimum * (1.0 + (1.0 - tail) / (shape - 1.0))


def new_client_rate_factor(age_days: np.ndarray, boost: float, decay_days: float) -> np.ndarray:
    """Return the multiple of a client's order rate (and drop-out) at ``age_days`` since its win.

    ``g = 1 + boost × exp(-age / decay)``: a new client buys more often at first, and the
    excess decays. In the BG/NBD extended this way a client drops out only just after a
    purchase, so its drop-out hazard follows the same multiple: the simulator applies it to
    the client's own lapse chance (7.7), not to the rivals' pull (7.8). Source: the
    nonstationarity of a new cohort's repeat buying (Fader & Hardie 2001, Interfaces 31(3),
    S94-S107), fitted by ``salesim calibrate`` (docs/MODEL.md, section 8), whose likelihood
    uses this same factor in the fit's time unit (:func:`sim.calibrate.btyd.rate_factor`).

    Parameters
    ----------
    age_days
        Working days since each client was won, any shape (a client never won: a huge age).
    boost
        ``κ``, the excess rate at the win (>= 0; 0 gives 1 everywhere) [unitless].
    decay_days
        ``τ``, the excess's decay time [working days] (> 0).

    Returns
    -------
    numpy.ndarray
        Multiples >= 1 [unitless], the shape of ``age_days``.
    """
    age = np.maximum(np.asarray(age_days, dtype=float), 0.0)
    with np.errstate(over="ignore"):  # a never-won client's huge age over a tiny decay: inf
        decayed = np.exp(-(age / decay_days))
    factor: np.ndarray = 1.0 + boost * decayed
    return factor


def order_rate_multiplier(u: np.ndarray, shape: float) -> np.ndarray:
    """Return clients' order-rate multipliers: gamma with mean 1 and shape ``shape``.

    BG/NBD's purchase rates are ``Gamma(r, α)`` across clients (Fader, Hardie & Lee 2005,
    Marketing Science 24(2), section 3); divided by their mean ``r / α`` they are ``Gamma(r, r)``
    (shape ``r``, rate ``r``), whatever the time unit. Drawn by inverting the distribution
    function at ``u`` (``scipy.special.gammaincinv``), so one uniform gives one multiplier.

    Parameters
    ----------
    u
        Uniforms in [0, 1), any shape.
    shape
        The gamma's shape ``r`` (> 0; smaller is more dispersed: the coefficient of variation
        is ``1 / sqrt(r)``).

    Returns
    -------
    numpy.ndarray
        Multipliers >= 0 [unitless], the shape of ``u``; mean 1 over uniform ``u``.
    """
    from scipy.special import gammaincinv  # here: only when the mechanism is on

    multiplier: np.ndarray = gammaincinv(shape, np.asarray(u, dtype=float)) / shape
    return multiplier


def dropout_multiple(u: np.ndarray, a: float, b: float, rate_multiplier: np.ndarray) -> np.ndarray:
    """Return clients' multiples of the base lapse chance under BG/NBD's drop-out.

    In BG/NBD a client drops out after each purchase with its own chance ``p ~ Beta(a, b)``
    (Fader, Hardie & Lee 2005, Marketing Science 24(2), section 3), so while it buys at rate
    ``λ`` its drop-out hazard is ``p λ``. Relative to the population's mean hazard ``E[p] E[λ]``
    (``p`` and ``λ`` independent), a client's hazard is ``(p / E[p]) × (λ / E[λ])``: its
    drop chance over the mean ``a / (a + b)``, times its order-rate multiplier. The mean of the
    multiple over clients is 1, so the base lapse chance stays the mean.

    Parameters
    ----------
    u
        Uniforms in [0, 1), shape (n,); ``p`` is drawn by inverting the beta's distribution
        function at ``u`` (``scipy.special.betaincinv``).
    a, b
        The beta's parameters (> 0).
    rate_multiplier
        Each client's order-rate multiplier (``order_rate_multiplier``; 1 when off), shape (n,).

    Returns
    -------
    numpy.ndarray
        Multiples >= 0 of the lapse chance [unitless], shape (n,).
    """
    from scipy.special import betaincinv  # here: only when the mechanism is on

    p = betaincinv(a, b, np.asarray(u, dtype=float))
    multiple: np.ndarray = p * (a + b) / a * rate_multiplier
    return multiple
