"""The simulator check: the written scenario against the company's holdout months.

The calibrated scenario starts at the end of the calibration period with the company's
clients (``market.past_clients``, of whom ``Σ P(alive)`` active). The check runs it for the
holdout's whole months, with no reorganisation, in ``REPLICATIONS`` replications (seeds 1 to
N), and compares, month by month, the clients of the calibration period that order, their
orders and their revenue with what the export shows for the same clients. A month is
``365.25 / 12`` calendar days from the day after ``until`` (``D`` working days in the
simulator, the clock of :mod:`sim.calibrate.transactions`); a trailing part month is left out.
Only the past clients' orders are counted on both sides: clients won in the holdout are new
business the fit says nothing about.

The band is the 2.5-97.5 % range of the replications (a prediction interval for one month of
one company); the verdict holds a measure if its total over the holdout lies within the band
of the replications' totals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.calibrate.btyd import DAYS_PER_UNIT, operational_time, p_alive
from sim.calibrate.mapping import alive_means, purchase_params
from sim.calibrate.transactions import DAYS_PER_MONTH, run_logged
from sim.config.schema import Scenario

REPLICATIONS = 20
"""Replications of the check (a 2.5-97.5 % band from 20 runs is rough; see the report)."""
MEASURES = ("clients ordering", "orders", "revenue")
WON = "new clients"
"""Clients whose first purchase falls in a month of the check: compared, not part of the verdict
(the scenario's funnel and prospects are the base's, which transaction data do not identify)."""
BAND = (2.5, 97.5)
"""Percentiles of the replications that bound the band (a 95 % prediction interval)."""


def months_span(until: pd.Timestamp, months: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the first and last day of the check's ``months`` whole months after ``until``.

    A month of the check is ``DAYS_PER_MONTH`` days (365.25 / 12) counted from the day after
    ``until`` (:func:`observed_months`), so day ``d`` after ``until`` falls in month
    ``(d - 1) // DAYS_PER_MONTH`` and the last day counted is ``ceil(months x DAYS_PER_MONTH)``.
    """
    last = math.ceil(months * DAYS_PER_MONTH)
    return until + pd.Timedelta(days=1), until + pd.Timedelta(days=last)


def span_text(until: pd.Timestamp, months: int) -> str:
    """Return e.g. ``the 8 whole months 1997-10-01 to 1998-06-01`` (:func:`months_span`).

    Both days are counted: 8 months of 365.25 / 12 days end on the 244th day after ``until``.
    """
    first, last = months_span(until, months)
    plural = "month" if months == 1 else "months"
    return f"the {months} whole {plural} {first.date()} to {last.date()}"


def observed_months(
    days: pd.DataFrame, clients: pd.Index, until: pd.Timestamp, months: int
) -> pd.DataFrame:
    """Return the observed monthly measures of the calibration period's clients in the holdout.

    Parameters
    ----------
    days : pandas.DataFrame
        One row per client and purchase day: ``client``, ``date``, ``amount``.
    clients : pandas.Index
        The clients of the calibration period.
    until : pandas.Timestamp
        Last day of the calibration period.
    months : int
        Whole months of the holdout.

    Returns
    -------
    pandas.DataFrame
        Index month 0 .. months-1; columns :data:`MEASURES` (clients, purchase days, money) and
        :data:`WON` (clients of the export, not of the calibration period, whose first purchase
        falls in the month).
    """
    after = days[(days["date"] > until) & days["client"].isin(clients)]
    frame = _monthly(_by_month(after, until, months), months)
    first = days.groupby("client", sort=False)["date"].min()
    won = _by_month(first[first > until].to_frame("date"), until, months)
    frame[WON] = won["month"].value_counts().reindex(range(months), fill_value=0).astype(float)
    return frame


def _by_month(rows: pd.DataFrame, until: pd.Timestamp, months: int) -> pd.DataFrame:
    """Return the rows whose ``date`` falls in the check's months, with that ``month`` (0, ...)."""
    month = ((rows["date"] - until).dt.days - 1) // DAYS_PER_MONTH
    rows = rows.assign(month=month.astype(int))
    return rows[rows["month"] < months]


def _monthly(log: pd.DataFrame, months: int) -> pd.DataFrame:
    grouped = log.groupby("month")
    frame = pd.DataFrame(
        {
            MEASURES[0]: grouped["client"].nunique(),
            MEASURES[1]: grouped.size(),
            MEASURES[2]: grouped["amount"].sum(),
        }
    )
    return frame.reindex(range(months), fill_value=0).astype(float)


def simulated_months(scenario: Scenario, months: int, seed: int) -> pd.DataFrame:
    """Return one replication's monthly measures of the scenario's past clients.

    Parameters
    ----------
    scenario : Scenario
        The calibrated scenario.
    months : int
        Months to run.
    seed : int
        Root seed.

    Returns
    -------
    pandas.DataFrame
        As :func:`observed_months`; :data:`WON` is the run's ``new_clients`` (prospects won).
    """
    d = scenario.calendar.working_days_per_month
    run = run_logged(scenario, seed, days=months * d)
    log = run.orders[run.orders["client"] < scenario.market.past_clients]
    frame = _monthly(log.assign(month=log["day"] // d), months)
    won = run.frame["new_clients"].reset_index(drop=True)
    frame[WON] = won.reindex(range(months), fill_value=0).astype(float)
    return frame


def bgnbd_months(
    fit: dict[str, Any], summary: pd.DataFrame, unit: str, months: int, seed: int
) -> pd.DataFrame:
    """Return one draw of the fitted model's own forecast of the holdout months.

    Each client of the calibration period is alive with its P(alive) (Fader, Hardie & Lee
    2005, Marketing Science 24(2), equation 13) and, if so, buys at a rate drawn from its
    posterior ``Gamma(r + x, α + T)`` and drops out after each purchase with a chance drawn
    from ``Beta(a, b + x)`` (the alive term of the likelihood, ibid. equation 3, factorises);
    each purchase is worth the client's Gamma-Gamma expected spend ``p (γ + x m_x) / (p x +
    q - 1)`` (Fader & Hardie 2013, equation 5). With the new-client component the purchases
    are drawn in operational time (:func:`sim.calibrate.btyd.operational_time`). The
    simulator's clients follow the same processes; this forecast keeps the posterior's joint
    law of rate and drop-out, which a scenario (independent gamma and beta draws) cannot, so
    the two side by side separate the fit's error from the scenario's.

    Parameters
    ----------
    fit : dict[str, Any]
        ``calibration.json``'s content: the purchase model (``purchase_model``, else
        ``bgnbd``) and ``gamma_gamma`` (None, or ``q <= 1``:
        the revenue column is NaN).
    summary : pandas.DataFrame
        :func:`sim.calibrate.btyd.summarise`: ``x``, ``t_x``, ``T``, ``m_x``, in ``unit``.
    unit : str
        The fit's time unit, a key of :data:`sim.calibrate.btyd.DAYS_PER_UNIT`.
    months : int
        Whole months of the holdout.
    seed : int
        Seed of this draw (``numpy.random.default_rng``).

    Returns
    -------
    pandas.DataFrame
        As :func:`observed_months`.
    """
    rng = np.random.default_rng(seed)
    params = purchase_params(fit)
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    x, t_x, age = (summary[k].to_numpy(dtype=float) for k in ("x", "t_x", "T"))
    month = DAYS_PER_MONTH / DAYS_PER_UNIT[unit]  # a month in the fit's unit
    # the months' ends in each client's operational time since ``until`` (shape n x months)
    ends = operational_time(params, age[:, None] + month * np.arange(1, months + 1))
    ends -= operational_time(params, age)[:, None]
    rate = rng.gamma(r + x, 1.0 / (alpha + operational_time(params, age)))
    drop = rng.beta(a, b + x)
    spend = np.full(x.size, np.nan)
    gamma = fit.get("gamma_gamma")
    if gamma is not None and gamma["q"] > 1:
        p, q, g = gamma["p"], gamma["q"], gamma["gamma"]
        m_x = np.nan_to_num(summary["m_x"].to_numpy(dtype=float))
        spend = p * (g + x * m_x) / (p * x + q - 1)
    alive = (rng.random(x.size) < p_alive(params, x, t_x, age)).nonzero()[0]
    clock = np.zeros(x.size)
    rows: list[tuple[np.ndarray, np.ndarray]] = []
    while alive.size:
        with np.errstate(divide="ignore"):  # a rate drawn as 0 (r at e^-15): never buys
            clock[alive] += rng.exponential(1.0, alive.size) / rate[alive]
        alive = alive[clock[alive] < ends[alive, -1]]
        rows.append((alive, (clock[alive, None] >= ends[alive]).sum(axis=1)))
        alive = alive[rng.random(alive.size) >= drop[alive]]
    who = np.concatenate([ids for ids, _ in rows]) if rows else np.empty(0, dtype=int)
    when = np.concatenate([at for _, at in rows]) if rows else np.empty(0, dtype=int)
    log = pd.DataFrame({"client": who, "month": when, "amount": spend[who]})
    frame = _monthly(log, months)
    if np.isnan(spend).all():
        frame[MEASURES[2]] = np.nan
    return frame


@dataclass
class Check:
    """The simulator check's result.

    Attributes
    ----------
    observed : pandas.DataFrame
        :func:`observed_months`.
    runs : list[pandas.DataFrame]
        :func:`simulated_months` of each replication.
    fitted : list[pandas.DataFrame]
        :func:`bgnbd_months` of as many draws (empty: not computed).
    drawn : int
        Replications run on a draw of the estimates (:func:`parameter_draws`); the others
        ran on the estimates themselves.
    """

    observed: pd.DataFrame
    runs: list[pd.DataFrame]
    fitted: list[pd.DataFrame] = field(default_factory=list)
    drawn: int = 0

    def band(self, measure: str) -> pd.DataFrame:
        """Return the replications' mean and :data:`BAND` points of a measure, by month."""
        stack = np.stack([run[measure].to_numpy() for run in self.runs])
        low, high = np.percentile(stack, BAND, axis=0)
        return pd.DataFrame({"mean": stack.mean(axis=0), "low": low, "high": high})

    def totals(self) -> pd.DataFrame:
        """Return, per measure, the observed total, the replications' mean and band, the verdict."""
        rows = []
        for measure in MEASURES:
            sums = np.array([run[measure].sum() for run in self.runs])
            low, high = np.percentile(sums, BAND)
            seen = float(self.observed[measure].sum())
            inside = self.band(measure)
            share = float(
                (
                    (self.observed[measure] >= inside["low"])
                    & (self.observed[measure] <= inside["high"])
                ).mean()
            )
            fitted = [run[measure].sum() for run in self.fitted]
            rows.append(
                {
                    "measure": measure,
                    "observed": seen,
                    "bgnbd": float(np.mean(fitted)) if fitted else float("nan"),
                    "simulated": float(sums.mean()),
                    "low": float(low),
                    "high": float(high),
                    "months_within": share,
                    "holds": bool(low <= seen <= high),
                }
            )
        return pd.DataFrame(rows).set_index("measure")

    def won(self) -> dict[str, float]:
        """Return the new clients of the check's months: observed, simulated mean and band.

        Not part of :meth:`verdict`: the scenario's funnel and prospects are the base's, which
        transaction data do not identify; a cohort sample (CDNOW's) shows none by design.
        """
        sums = np.array([run[WON].sum() for run in self.runs])
        low, high = np.percentile(sums, BAND)
        return {
            "observed": float(self.observed[WON].sum()),
            "simulated": float(sums.mean()),
            "low": float(low),
            "high": float(high),
        }

    def won_text(self) -> str:
        """Return one sentence on :meth:`won`, saying it is not part of the verdict."""
        w = self.won()
        return (
            f"new clients (not part of the verdict: the scenario's funnel and prospects are "
            f"the base's, not fitted): {w['observed']:,.0f} in the data, {w['simulated']:,.0f} "
            f"simulated [{w['low']:,.0f}, {w['high']:,.0f}]"
        )

    def verdict(self) -> str:
        """Return one line: which measures the simulator reproduces over the holdout."""
        t = self.totals().to_dict("index")
        held = [m for m in MEASURES if t[m]["holds"]]
        missed = [
            f"{m} {t[m]['observed']:,.0f} outside [{t[m]['low']:,.0f}, {t[m]['high']:,.0f}]"
            for m in MEASURES
            if not t[m]["holds"]
        ]
        if not missed:
            return (
                f"reproduced: the holdout's total {', '.join(MEASURES)} lie within the 95 % "
                f"band of {len(self.runs)} replications"
            )
        return (
            "not reproduced: " + "; ".join(missed) + (f" (held: {', '.join(held)})" if held else "")
        )


def parameter_draws(
    result: dict[str, Any], summary: pd.DataFrame, replications: int, seed: int = 0
) -> list[dict[str, Any]]:
    """Return one calibration a replication, its estimates drawn from their sampling law.

    The purchase model's and Gamma-Gamma's log-estimates are drawn from the normal law of
    their asymptotic covariance (``uncertainty`` in ``calibration.json``: the inverse observed
    information), the simulation of parameter uncertainty of Krinsky & Robb (1986), Review of
    Economics and Statistics 68(4); the alive clients' means (:func:`sim.calibrate.mapping
    .alive_means`) are recomputed from each draw. A model without a covariance keeps its
    estimates in every draw. Gamma-Gamma's ``q`` is drawn above 1 (its mean spend is finite
    only there; at most :data:`MAX_REDRAWS` tries, else the estimate).

    Parameters
    ----------
    result : dict[str, Any]
        ``calibration.json``'s content.
    summary : pandas.DataFrame
        The clients' summary the fit used (``x``, ``t_x``, ``T``, ``m_x``).
    replications : int
        Draws to return.
    seed : int
        Seed (``numpy.random.default_rng``).

    Returns
    -------
    list[dict[str, Any]]
        ``replications`` copies of ``result`` with ``purchase_model.params``, ``gamma_gamma``
        and ``alive`` replaced.
    """
    rng = np.random.default_rng(seed)
    spread = result.get("uncertainty") or {}
    purchase, gamma = purchase_params(result), result.get("gamma_gamma")
    columns = {k: summary[k].to_numpy(dtype=float) for k in ("x", "t_x", "T", "m_x")}
    draws = []
    for _ in range(replications):
        drawn_purchase = _drawn(purchase, spread.get("purchase"), rng)
        drawn_gamma = None if gamma is None else _drawn(gamma, spread.get("gamma_gamma"), rng)
        if drawn_gamma is not None and gamma is not None and gamma["q"] > 1:
            # Gamma-Gamma's mean spend needs q > 1: the law is truncated there
            for _ in range(MAX_REDRAWS):
                if drawn_gamma["q"] > 1:
                    break
                drawn_gamma = _drawn(gamma, spread.get("gamma_gamma"), rng)
            else:
                drawn_gamma = dict(gamma)
        alive = alive_means(drawn_purchase, drawn_gamma, columns, str(result["time_unit"]))
        draw = {**result, "gamma_gamma": drawn_gamma, "alive": {**result["alive"], **alive}}
        draw["purchase_model"] = {**result.get("purchase_model", {}), "params": drawn_purchase}
        draws.append(draw)
    return draws


MAX_REDRAWS = 100
"""Draws tried before a replication keeps the estimates themselves."""


def _drawn(
    params: dict[str, float], law: dict[str, Any] | None, rng: np.random.Generator
) -> dict[str, float]:
    """Draw the estimates from the normal law of their logs (or keep them without one)."""
    if not law:
        return dict(params)
    names = list(law["names"])
    logs = rng.multivariate_normal(
        np.log([params[k] for k in names]), np.asarray(law["log_covariance"], dtype=float)
    )
    return {**params, **{k: float(v) for k, v in zip(names, np.exp(logs), strict=True)}}


def run_check(
    scenarios: list[Scenario],
    days: pd.DataFrame,
    clients: pd.Index,
    until: pd.Timestamp,
    months: int,
    fits: list[dict[str, Any]] | None = None,
    summary: pd.DataFrame | None = None,
    unit: str = "week",
    drawn: int = 0,
) -> Check:
    """Run the check: one run of each scenario (seeds 1, 2, ...) against the observed months.

    Parameters
    ----------
    scenarios : list[Scenario]
        The calibrated scenario of each replication: as written, or mapped from a parameter
        draw (:func:`parameter_draws`).
    days, clients, until, months
        As :func:`observed_months`.
    fits, summary, unit
        Each replication's calibration, the clients' summary and its time unit, as
        :func:`bgnbd_months`; with both given, the check also draws the fitted model's own
        forecast, one a replication.
    drawn : int
        How many of the replications run on a draw of the estimates (:attr:`Check.drawn`).

    Returns
    -------
    Check
        Observed and simulated months.
    """
    observed = observed_months(days, clients, until, months)
    runs = [
        simulated_months(scenario, months, seed) for seed, scenario in enumerate(scenarios, start=1)
    ]
    fitted = []
    if fits is not None and summary is not None:
        fitted = [
            bgnbd_months(fit, summary, unit, months, seed) for seed, fit in enumerate(fits, start=1)
        ]
    return Check(observed, runs, fitted, drawn)
