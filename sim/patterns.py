"""Field patterns of the reference company: what each is, how a run measures it, its target.

Pattern-oriented modelling (Grimm et al. 2005, Science 310: 987-991) calibrates a model's
inputs so that several observed patterns appear together, not one outcome. This module holds
the patterns of the reference company in one place:

- ``TARGETS``: one row per pattern: its field value and accepted range, the unit, the source
  (author, year, venue) and what the source measures;
- the pattern functions: pure functions of a run's monthly table (docs/MODEL.md, appendix B)
  and, for the revenue concentration, of the revenue each client paid;
- ``replicate`` and ``measure``: run a scenario over replications ``seed, seed + 1, ...`` and
  give each pattern's mean with its 95 % t-interval (``sim.study.stats.mean_interval``).

A pattern is *in* its range when its whole 95 % interval lies inside the range. The command
``salesim patterns SCENARIO`` prints the table; tests/test_calibration.py asserts it for the
reference company (``scenarios/unsplit.yaml``). docs/VALIDATION.md documents the patterns,
which are used for calibration and which are held back.

Shares are fractions 0-1; churn is a fraction of the clients a year; the pay ratio is a plain
ratio. A pattern is NaN when the group it is a share of is empty (each function says when).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from sim.config.schema import Scenario
from sim.roles import BY_NAME
from sim.study.stats import Interval, mean_interval

Kind = Literal["target", "report"]
"""``target``: tested against a cited range; ``report``: shown without a range (no field figure
was found)."""

MONTHS_PER_YEAR = 12
TOP_SHARE = 0.2  # the "top 20 %" of clients (McCarthy & Winer)
START_MONTHS = 3  # "at the start": the first quarter, before the run's own wins change the books


@dataclass(frozen=True)
class Target:
    """One field pattern and what the reference company must show.

    Attributes
    ----------
    name : str
        Key of the pattern (``PATTERNS``, the test ids).
    label : str
        Short label in the printed table.
    field : str
        The field value as the source gives it.
    low, high : float
        Accepted range of the model's 95 % interval, in the pattern's unit (NaN for a
        ``report`` pattern).
    unit : str
        Unit of the value: ``share`` (0-1, shown as %), ``per year`` (0-1 of clients a year,
        shown as %) or ``ratio``.
    source : str
        Short citation shown in the table.
    citation : str
        Full citation: authors, year, venue, and what the source measures.
    kind : Kind
        ``target`` or ``report`` (see ``Kind``).
    """

    name: str
    label: str
    field: str
    low: float
    high: float
    unit: str
    source: str
    citation: str
    kind: Kind = "target"


_KBCM = (
    "KeyBanc Capital Markets & Pacific Crest, 2016 Private SaaS Company Survey (about 300 "
    "private B2B SaaS firms): median annual unit (customer) churn 10 %, median gross dollar "
    "churn about 8 % (7 % in 2015, 6 % in 2014, 8 % in 2013), lower for contracts of 2+ years; "
    "Bessemer Venture Partners, Scaling to $100 Million (2021, 200+ cloud firms): gross revenue "
    "retention 85-90 % by company size. The range 5-15 % a year spans these medians (as quoted "
    "by insivia.com and developmentcorporate.com)."
)
_CAUSE = (
    "No traceable published split of B2B defections into lapsing and going to a competitor was "
    "found. The often quoted '68 % perceived indifference, 14 % product, 9 % competition, "
    "5 % alternatives, 3 % moved, 1 % died' (attributed to the US SBA, the Rockefeller "
    "Corporation or the ASQ) has no traceable original study; it is shown in docs/VALIDATION.md "
    "but not tested."
)
_CARTER = (
    "Carter, Henderson, Arroniz & Palmatier 2014, 'Effect of salespeople's "
    "acquisition-retention trade-off on performance', J. Personal Selling & Sales Management "
    "34(2): 91-111: reps spend on average 54 % of their time on acquisition; sales per rep is "
    "an inverted U in that share, best near 45 % firm-wide. Range 40-65 %: assumption around "
    "the cited mean and optimum. Measured at the start, over the first three months: hunting "
    "hours / hours worked of the generalists (n/a for an organisation with hunters)."
)
_PARETO = (
    "McCarthy & Winer 2018, 'The Pareto rule in marketing revisited' (SSRN 3264425): the top "
    "20 % of customers give on average 67 % of revenue across 339 non-CPG firms (subscription "
    "firms 59 %); Kim, Singh & Winer 2017, Marketing Letters 28(4): 73 % for CPG. Range "
    "55-80 %: the two averages widened for the spread between firms (assumption). Measured "
    "over the last 12 months, among the clients who paid anything in them."
)
_FUNNEL_CALL = (
    "Conversations on cold lists that book a meeting (a model call is a conversation, the dials "
    "to reach it included in pipeline.call_hours), over all calls, repeat calls included: "
    "Cognism State of Cold Calling 2023 2 %, 2024 4.82 % (5,265 conversations), 6-8 % by "
    "region; Belkins 2025 4.6 % (175,000 dials). Range 2-8 %. Measured as meetings / calls "
    "over the horizon."
)
_FUNNEL_MEETING = (
    "Meetings set (sales-qualified leads) that become a proposal: TOPO 2017 Sales Development "
    "Benchmark, 22 % of SQLs close, which at a 47-50 % proposal win rate is 44-47 %; top "
    "sales-development teams turn 59 % of SQLs into opportunities (TOPO/Gartner 2019). Range "
    "44-60 %. Measured as proposals / meetings over the horizon."
)
_FUNNEL_PROPOSAL = (
    "Share of proposed or quoted opportunities won: RAIN Group Center for Sales Research (472 "
    "sellers) 47 % on average, 40 % for the 80 % below the top; CSO Insights Sales Performance "
    "Optimization 46.6 % (2016) and 47.3 % (2018) of forecast deals. Range 40-50 %. Measured "
    "as new clients / proposals over the horizon."
)
_SALES_COST = (
    "Zoltners, Sinha & Lorimer 2001, The Complete Guide to Accelerating Sales Force "
    "Performance (AMACOM), ch. 1: sales forces cost companies 1-40 % of sales (salaries, "
    "bonuses, expenses, infrastructure). Measured as (staff_cost + other_cost) / "
    "revenue_collected over the horizon."
)
_CCOS = (
    "Sibson Consulting 2010, 'Understanding CCOS', Perspectives 18(2); ZS Associates, "
    "'Putting CCOS to work for your incentive program': the median compensation cost of sales "
    "(cash pay of everyone involved in the sale / sales) of B2B sales forces falls between 3 % "
    "and 9 %. Measured as (salaries + bonuses) / revenue_collected over the horizon."
)
_PAY = (
    "US BLS Occupational Employment Statistics: median pay of a field sales rep about $57k a "
    "year against about $29k for a customer-service rep (2003-04, two different years); OES "
    "wages include commissions and production bonuses. Range 1.7-2.3: the 2:1 ratio +-15 % "
    "for the mismatch of years (assumption). Measured as the field sellers' salaries + bonuses "
    "per person-month / the service staff's (the configured specialist pay when the "
    "organisation has no specialists)."
)

TARGETS: tuple[Target, ...] = (
    Target(
        "churn",
        "annual churn (all causes)",
        "median ~10 %/yr",
        0.05,
        0.15,
        "per year",
        "KBCM 2016; Bessemer 2021",
        _KBCM,
    ),
    Target(
        "churn_lapsed",
        "  lapsed (stopped ordering)",
        "none found",
        math.nan,
        math.nan,
        "per year",
        "none found",
        _CAUSE,
        "report",
    ),
    Target(
        "churn_to_competitor",
        "  taken by a competitor",
        "none found",
        math.nan,
        math.nan,
        "per year",
        "none found",
        _CAUSE,
        "report",
    ),
    Target(
        "to_competitor_share",
        "  share of losses to a competitor",
        "none found",
        math.nan,
        math.nan,
        "share",
        "none found",
        _CAUSE,
        "report",
    ),
    Target(
        "acquisition_share",
        "generalists' hours on acquisition, start",
        "mean 54 %",
        0.40,
        0.65,
        "share",
        "Carter et al. 2014, JPSSM",
        _CARTER,
    ),
    Target(
        "top20_share",
        "top-20 % clients' share of revenue",
        "67 % (non-CPG)",
        0.55,
        0.80,
        "share",
        "McCarthy & Winer 2018; Kim et al. 2017",
        _PARETO,
    ),
    Target(
        "call_to_meeting",
        "call -> meeting",
        "2-8 % of calls",
        0.02,
        0.08,
        "share",
        "Cognism 2023-24; Belkins 2025",
        _FUNNEL_CALL,
    ),
    Target(
        "meeting_to_proposal",
        "meeting -> proposal",
        "44-59 % of meetings",
        0.44,
        0.60,
        "share",
        "TOPO 2017; TOPO/Gartner 2019",
        _FUNNEL_MEETING,
    ),
    Target(
        "proposal_to_win",
        "proposal -> won",
        "40-47 % of proposals",
        0.40,
        0.50,
        "share",
        "RAIN Group; CSO Insights 2016, 2018",
        _FUNNEL_PROPOSAL,
    ),
    Target(
        "sales_cost_share",
        "sales cost / revenue collected",
        "1-40 % of sales",
        0.01,
        0.40,
        "share",
        "Zoltners, Sinha & Lorimer 2001",
        _SALES_COST,
    ),
    Target(
        "compensation_cost_of_sales",
        "staff pay / revenue collected",
        "median 3-9 % (B2B)",
        0.03,
        0.09,
        "share",
        "Sibson 2010; ZS",
        _CCOS,
    ),
    Target(
        "pay_ratio",
        "field : service pay incl. bonuses",
        "about 2 : 1",
        1.7,
        2.3,
        "ratio",
        "US BLS OES",
        _PAY,
    ),
)
"""The field patterns of the reference company, in the order the table shows them."""

BY_TARGET: dict[str, Target] = {t.name: t for t in TARGETS}

INPUT_DERIVATIONS: tuple[str, ...] = (
    "Talley's workload method (accounts x calls a year x call length / selling time per rep; "
    "Talley 1961, J. Marketing 25(3)) derives the time per served client: an input "
    "derivation (docs/MODEL.md), not a realised pattern.",
)
"""Patterns used to derive inputs, listed with the realised patterns but not measured."""


@dataclass(frozen=True)
class Replication:
    """What one run gives the patterns.

    Attributes
    ----------
    frame : pandas.DataFrame
        The monthly table (``SalesModel.run``), one row per month.
    client_revenue : numpy.ndarray
        Payments received from each client over the last 12 months (or the whole horizon if
        shorter), USD, shape (clients,) (``ClientBook.collected``).
    hours_per_month : float
        Working hours of one person in a month (``calendar.hours_per_day`` x
        ``calendar.working_days_per_month``) [hours].
    service_pay_usd : float
        Configured pay of one service rep, salary + fixed bonus, USD a month (the pay ratio's
        denominator when the organisation has no specialists).
    """

    frame: pd.DataFrame
    client_revenue: npt.NDArray[np.float64]
    hours_per_month: float
    service_pay_usd: float


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else math.nan


def annual_churn(frame: pd.DataFrame, column: str = "lost_clients") -> float:
    """Return clients lost a year over the mean active clients.

    Parameters
    ----------
    frame : pandas.DataFrame
        Monthly table; reads ``column`` and ``active_clients`` (shape (months, ...)).
    column : str
        ``lost_clients`` (all causes), ``lost_lapsed`` or ``lost_to_competitor``.

    Returns
    -------
    float
        Churn [fraction of the clients a year]; NaN when no client was ever active or the
        table is empty.
    """
    if frame.empty:
        return math.nan
    years = len(frame) / MONTHS_PER_YEAR
    return _ratio(float(frame[column].sum()) / years, float(frame["active_clients"].mean()))


def acquisition_share(frame: pd.DataFrame, hours_per_month: float) -> float:
    """Return the generalists' share of their hours worked spent hunting, at the start.

    Carter et al. (2014) measure reps who both win and keep clients: generalists. Hunting hours
    (calls and pipeline) = ``hunting_hours_per_seller`` x the hunting seats
    (``generalist_headcount`` + ``vacancies``); hours worked = ``generalist_utilisation`` x
    ``hours_per_month`` x ``generalist_headcount``. Both are summed over the first
    ``START_MONTHS`` months, when the company is still the one observed.

    Parameters
    ----------
    frame : pandas.DataFrame
        Monthly table, shape (months, ...).
    hours_per_month : float
        Working hours of one person in a month [hours].

    Returns
    -------
    float
        Share 0-1; NaN when no generalist worked at the start, or when hunters were on staff then
        (their hours cannot be told from the generalists' in ``hunting_hours_per_seller``).
    """
    year = frame.iloc[:START_MONTHS]
    if (year["hunter_headcount"] > 0).any():
        return math.nan
    seats = year["generalist_headcount"] + year["vacancies"]
    hunting = (year["hunting_hours_per_seller"].fillna(0.0) * seats).sum()
    worked = (year["generalist_utilisation"].fillna(0.0) * year["generalist_headcount"]).sum()
    return _ratio(float(hunting), float(worked) * hours_per_month)


def loss_share(frame: pd.DataFrame, column: str = "lost_to_competitor") -> float:
    """Return one cause's share of the clients lost over the horizon.

    Parameters
    ----------
    frame : pandas.DataFrame
        Monthly table; reads ``column`` and ``lost_clients``.
    column : str
        ``lost_to_competitor`` or ``lost_lapsed``.

    Returns
    -------
    float
        Share 0-1; NaN when no client was lost.
    """
    return _ratio(float(frame[column].sum()), float(frame["lost_clients"].sum()))


def top_share(revenue: npt.ArrayLike, share: float = TOP_SHARE) -> float:
    """Return the share of revenue given by the top ``share`` of the paying clients.

    Parameters
    ----------
    revenue : array_like
        Revenue per client, USD, shape (clients,); clients with 0 are left out.
    share : float
        Share of the paying clients at the top, 0-1 (0.2: McCarthy & Winer's top 20 %). The
        count is rounded up (at least one client).

    Returns
    -------
    float
        Share 0-1 of the paying clients' revenue; NaN when no client paid anything.

    Raises
    ------
    ValueError
        If ``share`` is not in (0, 1] or a revenue is negative.
    """
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    x = np.asarray(revenue, dtype=float)
    if (x < 0).any():
        raise ValueError("revenue per client cannot be negative")
    paying = np.sort(x[x > 0])[::-1]
    if paying.size == 0:
        return math.nan
    top = math.ceil(share * paying.size - 1e-9)
    return float(paying[:top].sum() / paying.sum())


def funnel_rate(frame: pd.DataFrame, step: str) -> float:
    """Return a realised conversion rate of the prospect pipeline over the horizon.

    Parameters
    ----------
    frame : pandas.DataFrame
        Monthly table; reads ``calls``, ``meetings``, ``proposals``, ``new_clients``.
    step : str
        ``call_to_meeting`` (meetings / calls), ``meeting_to_proposal`` (proposals /
        meetings) or ``proposal_to_win`` (new_clients / proposals).

    Returns
    -------
    float
        Share 0-1; NaN when the earlier stage is empty.

    Raises
    ------
    KeyError
        If ``step`` is none of the three.
    """
    later, earlier = FUNNEL[step]
    return _ratio(float(frame[later].sum()), float(frame[earlier].sum()))


FUNNEL: dict[str, tuple[str, str]] = {
    "call_to_meeting": ("meetings", "calls"),
    "meeting_to_proposal": ("proposals", "meetings"),
    "proposal_to_win": ("new_clients", "proposals"),
}
"""Each funnel step: (later stage, earlier stage) columns of the monthly table."""


def sales_cost_share(frame: pd.DataFrame) -> float:
    """Return (staff cost + other cost) over revenue collected, over the horizon.

    Returns
    -------
    float
        Share (may exceed 1 when the department costs more than it collects); NaN when
        nothing was collected.
    """
    cost = float(frame["staff_cost"].sum() + frame["other_cost"].sum())
    return _ratio(cost, float(frame["revenue_collected"].sum()))


def compensation_cost_of_sales(frame: pd.DataFrame) -> float:
    """Return staff pay (salaries + bonuses) over revenue collected, over the horizon.

    Returns
    -------
    float
        Share; NaN when nothing was collected.
    """
    pay = float(frame["salaries"].sum() + frame["bonuses"].sum())
    return _ratio(pay, float(frame["revenue_collected"].sum()))


def pay_ratio(frame: pd.DataFrame, service_pay_usd: float) -> float:
    """Return a field seller's pay incl. bonuses over a service rep's, per person-month.

    Field sellers are hunters and generalists; service reps are specialists. Without
    specialists the denominator is ``service_pay_usd`` (their configured salary + fixed bonus).

    Parameters
    ----------
    frame : pandas.DataFrame
        Monthly table; reads ``<role>_salaries``, ``<role>_bonuses``, ``<role>_headcount``.
    service_pay_usd : float
        Configured pay of one service rep, USD a month.

    Returns
    -------
    float
        Ratio; NaN when no field seller was on staff or the service pay is 0.
    """
    field = ("hunter", "generalist")
    field_pay = sum(
        float(frame[f"{r}_salaries"].sum() + frame[f"{r}_bonuses"].sum()) for r in field
    )
    field_months = sum(float(frame[f"{r}_headcount"].sum()) for r in field)
    service_months = float(frame["specialist_headcount"].sum())
    if service_months > 0:
        service = _ratio(
            float(frame["specialist_salaries"].sum() + frame["specialist_bonuses"].sum()),
            service_months,
        )
    else:
        service = service_pay_usd
    return _ratio(_ratio(field_pay, field_months), service)


PATTERNS: dict[str, Callable[[Replication], float]] = {
    "churn": lambda r: annual_churn(r.frame),
    "churn_lapsed": lambda r: annual_churn(r.frame, "lost_lapsed"),
    "churn_to_competitor": lambda r: annual_churn(r.frame, "lost_to_competitor"),
    "to_competitor_share": lambda r: loss_share(r.frame),
    "acquisition_share": lambda r: acquisition_share(r.frame, r.hours_per_month),
    "top20_share": lambda r: top_share(r.client_revenue),
    "call_to_meeting": lambda r: funnel_rate(r.frame, "call_to_meeting"),
    "meeting_to_proposal": lambda r: funnel_rate(r.frame, "meeting_to_proposal"),
    "proposal_to_win": lambda r: funnel_rate(r.frame, "proposal_to_win"),
    "sales_cost_share": lambda r: sales_cost_share(r.frame),
    "compensation_cost_of_sales": lambda r: compensation_cost_of_sales(r.frame),
    "pay_ratio": lambda r: pay_ratio(r.frame, r.service_pay_usd),
}
"""How one replication measures each pattern of ``TARGETS`` (same keys)."""


def replicate(scenario: Scenario, seed: int) -> Replication:
    """Run ``scenario`` once with ``seed`` and keep what the patterns read.

    The per-client revenue is ``ClientBook.collected`` at the end minus its value 12 months
    before the end (the whole horizon when it is one year).
    """
    from sim.model import SalesModel  # the model imports the agents; keep this module light

    model = SalesModel(scenario, seed=seed)
    last_year = max(0, model.horizon_days - MONTHS_PER_YEAR * model.days_per_month)
    while model.day < last_year:
        model.step()
    before = model.book.collected.copy()
    while model.day < model.horizon_days:
        model.step()
    specialist = BY_NAME["specialist"]
    return Replication(
        frame=model.timeseries(),
        client_revenue=model.book.collected - before,
        hours_per_month=model.hours_per_day * model.days_per_month,
        service_pay_usd=specialist.salary_usd(scenario) + specialist.fixed_bonus_usd(scenario),
    )


@dataclass(frozen=True)
class Measured:
    """One pattern measured over replications, against its target.

    Attributes
    ----------
    target : Target
        The pattern and its accepted range.
    values : tuple of float
        The pattern in each replication, shape (replications,).
    interval : sim.study.stats.Interval
        Mean and 95 % t-interval of ``values`` (NaNs dropped).
    """

    target: Target
    values: tuple[float, ...]
    interval: Interval

    @property
    def verdict(self) -> str:
        """Return ``in`` (the whole interval inside the range), ``out``, or ``n/a``."""
        return verdict(self.interval, self.target)


def verdict(interval: Interval, target: Target) -> str:
    """Return ``in`` when the 95 % interval lies inside the target's range, else ``out``.

    ``n/a`` when the target has no range or the interval is undefined (NaN: an empty group, or
    fewer than two replications).
    """
    bounds = (interval.low, interval.high, target.low, target.high)
    if any(math.isnan(b) for b in bounds):
        return "n/a"
    return "in" if target.low <= interval.low and interval.high <= target.high else "out"


def measure_replications(replications: Sequence[Replication]) -> list[Measured]:
    """Measure every pattern of ``TARGETS`` over the given replications."""
    out = []
    for target in TARGETS:
        values = tuple(PATTERNS[target.name](r) for r in replications)
        out.append(Measured(target, values, mean_interval(values)))
    return out


def measure(scenario: Scenario, replications: int = 10, seed: int = 1) -> list[Measured]:
    """Run ``scenario`` with seeds ``seed .. seed + replications - 1`` and measure the patterns.

    Raises
    ------
    ValueError
        If ``replications`` < 2 (no interval).
    """
    if replications < 2:
        raise ValueError(f"an interval needs at least 2 replications, got {replications}")
    return measure_replications([replicate(scenario, seed + r) for r in range(replications)])


def _shown(value: float, unit: str) -> str:
    if math.isnan(value):
        return "n/a"
    return f"{value:.2f}" if unit == "ratio" else f"{value:.1%}"


def format_table(measured: Sequence[Measured]) -> str:
    """Return the printed table: pattern, model mean [95 % CI], field range, source, in/out.

    The full citations follow the table, numbered; then the input derivations.
    """
    rows = [("pattern", "model mean [95 % CI]", "field (accepted range)", "source", "in/out")]
    numbers: dict[str, int] = {}  # one number per citation, shared by the rows citing it
    for m in measured:
        numbers.setdefault(m.target.citation, len(numbers) + 1)
    for m in measured:
        t, iv, i = m.target, m.interval, numbers[m.target.citation]
        model = f"{_shown(iv.mean, t.unit)} [{_shown(iv.low, t.unit)}, {_shown(iv.high, t.unit)}]"
        accepted = (
            t.field
            if math.isnan(t.low)
            else f"{t.field} ({_shown(t.low, t.unit)}-{_shown(t.high, t.unit)})"
        )
        mark = m.verdict
        if t.unit == "per year":
            model += " /yr"
        rows.append((t.label, model, accepted, f"[{i}] {t.source}", mark))
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append("A pattern is in when its whole 95 % interval lies inside the accepted range.")
    lines.append("Sources:")
    lines += [f"[{i}] {citation}" for citation, i in numbers.items()]
    lines.append("Input derivations (not measured here):")
    lines += [f"- {text}" for text in INPUT_DERIVATIONS]
    return "\n".join(line.rstrip() for line in lines)


def with_churn_hazards_scaled(scenario: Scenario, factor: float) -> Scenario:
    """Return ``scenario`` with both base churn hazards multiplied by ``factor``.

    The hazards are ``clients.lapse_per_month`` and ``market.competitors.poach_per_month``
    (MODEL.md 7.7, 7.8); every other driver of churn (attention, satisfaction, hidden
    dissatisfaction, needs) multiplies them, so the realised churn scales with them.

    Raises
    ------
    ValueError
        If ``factor`` is negative or takes a monthly chance above 1.
    """
    lapse = scenario.clients.lapse_per_month * factor
    poach = scenario.market.competitors.poach_per_month * factor
    if factor < 0 or lapse > 1 or poach > 1:
        raise ValueError(f"factor {factor} gives monthly chances {lapse}, {poach} outside 0-1")
    clients = scenario.clients.model_copy(update={"lapse_per_month": lapse})
    rivals = scenario.market.competitors.model_copy(update={"poach_per_month": poach})
    market = scenario.market.model_copy(update={"competitors": rivals})
    return scenario.model_copy(update={"clients": clients, "market": market})


def retention_effect(
    scenario: Scenario, factor: float, replications: int = 10, seed: int = 1
) -> tuple[Interval, Interval]:
    """Measure what fewer defections are worth: the held-back pattern of Reichheld & Sasser.

    Reichheld & Sasser 1990 (Harvard Business Review 68(5)): cutting defections by 5 points
    raised profits 25-85 % in the service firms studied. The model's counterpart: the same
    company with both base churn hazards scaled by ``factor`` (choose it so that churn falls by
    about 5 points), paired over seeds ``seed .. seed + replications - 1``.

    Returns
    -------
    tuple of sim.study.stats.Interval
        The change in realised annual churn (fraction of clients a year; negative = fewer
        defections) and the relative change in total profit over the horizon (0.1 = +10 %).

    Raises
    ------
    ValueError
        If ``replications`` < 2 or ``factor`` is out of range.
    """
    from sim.model import SalesModel

    if replications < 2:
        raise ValueError(f"an interval needs at least 2 replications, got {replications}")
    kept = with_churn_hazards_scaled(scenario, factor)
    churn, profit = [], []
    for r in range(replications):
        base = SalesModel(scenario, seed=seed + r).run()
        more = SalesModel(kept, seed=seed + r).run()
        churn.append(annual_churn(more) - annual_churn(base))
        profit.append(_ratio(float(more["profit"].sum()), float(base["profit"].sum())) - 1)
    return mean_interval(churn), mean_interval(profit)
