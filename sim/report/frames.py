"""Tidy frames for the report, computed from a study's stored results (pure functions).

Every function takes the frames of ``sim.study.StudyResult`` (``timeseries``, ``runs``,
``summary``), restricted to one sweep point where it says so, and returns a long frame that a
plot function draws as it is. Means come with 95 % t-intervals over the replications.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from functools import cache
from typing import NamedTuple

import numpy as np
import pandas as pd

from sim.cohorts import AGES, kept_column
from sim.metrics import cumulative_profit, opening_clients
from sim.roles import NAMES, ROLES
from sim.study.stats import CONFIDENCE, student_t_quantile

RUN = ["scenario", "replication"]

# Where booked revenue comes from (they sum to revenue_booked). The VIP programme's part is its
# pitched sales and the extra usage of the clients whose bottlenecks it fixed, taken out of the
# new clients' and repeat orders.
REVENUE_SOURCES = {
    "source_new": "new clients",
    "source_repeat": "repeat orders",
    "revenue_project": "projects",
    "letter_revenue": "letters",
    "source_vip": "VIP programme",
}
ROLE_NAMES = {role.name: role.label for role in ROLES}  # as the report names them
# What the money is spent on: column, label (they sum to total_cost).
COST_KINDS = {
    "salaries": "salaries",
    "bonuses": "bonuses",
    "desks": "workplaces",
    "other_cost": "programmes & tools",
}
LOSS_CAUSES = {
    "lost_lapsed": "stopped ordering (dormant)",
    "lost_to_competitor": "taken by a competitor",
}


COHORTS = ("on the books at the start", "won during the run")
MIN_AT_RISK = 20  # clients won: fewer make a survival share too coarse to draw


@cache
def _t(df: int) -> float:
    return student_t_quantile(0.5 + CONFIDENCE / 2, df)


def one_point(frame: pd.DataFrame) -> pd.DataFrame:
    """Check that a frame holds one sweep point (a plot of several would mix them)."""
    if "point" in frame.columns and frame["point"].nunique() > 1:
        points = sorted(frame["point"].unique().tolist())
        raise ValueError(
            f"the frame holds sweep points {points}; select one first, e.g. "
            "frame[frame['point'] == 0]"
        )
    return frame


def order(frame: pd.DataFrame) -> list[str]:
    """Return the strategies in the order they first appear (the study's order)."""
    return list(dict.fromkeys(frame["scenario"]))


def mean_band(frame: pd.DataFrame, keys: list[str], value: str = "value") -> pd.DataFrame:
    """Mean of ``value`` over replications per ``keys``, with its 95 % interval."""
    grouped = frame.groupby(keys, sort=False)[value]
    out = grouped.agg(mean="mean", sd="std", n="count").reset_index()
    t = out["n"].map(lambda n: _t(int(n) - 1) if n > 1 else math.nan)
    half = t * out["sd"] / np.sqrt(out["n"])
    out["low"], out["high"] = out["mean"] - half, out["mean"] + half
    return out.drop(columns="sd")


def series_bands(
    timeseries: pd.DataFrame, columns: list[str], smooth: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """Monthly mean and 95 % band per strategy of each column.

    ``cumulative_profit`` may be asked for: the profit summed from the first month. ``smooth``
    maps a column to a number of months: each run's values are first averaged over that many
    months up to each month (fewer at the start). Returns ``scenario, metric, month, mean, low,
    high, n``.
    """
    frame = one_point(timeseries)
    if "cumulative_profit" in columns:
        frame = frame.assign(cumulative_profit=cumulative_profit(frame, RUN))
    for column, months in (smooth or {}).items():
        rolling = frame.groupby(RUN, sort=False)[column].rolling(months, min_periods=1).mean()
        frame = frame.assign(**{column: rolling.reset_index(level=RUN, drop=True)})
    long = frame.melt(
        id_vars=[*RUN, "month"], value_vars=columns, var_name="metric", value_name="value"
    )
    return mean_band(long, ["scenario", "metric", "month"])


def per_run_totals(timeseries: pd.DataFrame, columns: dict[str, str], name: str) -> pd.DataFrame:
    """Total ``columns`` over the horizon for each run.

    Returns a long frame ``scenario, replication, name, value``; ``name`` holds the columns'
    labels.
    """
    frame = one_point(timeseries)
    totals = frame.groupby(RUN, sort=False)[list(columns)].sum().reset_index()
    long = totals.melt(id_vars=RUN, var_name=name, value_name="value")
    long[name] = long[name].map(columns)
    return long


def revenue_by_source(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Average the booked revenue over the horizon per strategy and source.

    Returns ``scenario, source, mean, low, high, n`` (USD).
    """
    frame = timeseries.assign(
        source_new=timeseries["revenue_new"] - timeseries["vip_uplift_new"],
        source_repeat=timeseries["revenue_repeat"]
        - (timeseries["vip_uplift_revenue"] - timeseries["vip_uplift_new"]),
        source_vip=timeseries["vip_pitch_revenue"] + timeseries["vip_uplift_revenue"],
    )
    totals = per_run_totals(frame, REVENUE_SOURCES, "source")
    return mean_band(totals, ["scenario", "source"])


def cost_by_kind(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Average the cost over the horizon per strategy and kind.

    The kinds (salaries, bonuses, workplaces, programmes and tools) sum to total_cost (USD).
    """
    totals = per_run_totals(timeseries, COST_KINDS, "kind")
    return mean_band(totals, ["scenario", "kind"])


def cost_by_role(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Average the cost over the horizon per strategy and role.

    What no role costs (billing system, postage, VIP fixes) is ``programmes & tools``. They sum
    to total_cost (USD).
    """
    columns = {f"{r.name}_cost": r.label for r in ROLES}
    columns["other_cost"] = COST_KINDS["other_cost"]
    totals = per_run_totals(timeseries, columns, "role")
    return mean_band(totals, ["scenario", "role"])


def losses_by_cause(timeseries: pd.DataFrame, rate: bool = False) -> pd.DataFrame:
    """Average the clients lost over the horizon per strategy and cause.

    With ``rate``, per 100 client-years (losses / the active clients' months x 1,200), so that
    strategies that keep more clients compare fairly.
    """
    totals = per_run_totals(timeseries, LOSS_CAUSES, "cause")
    if rate:
        frame = one_point(timeseries)
        exposure = frame.groupby(RUN, sort=False)["active_clients"].sum() / 1200.0
        per = exposure.reindex(pd.MultiIndex.from_frame(totals[RUN])).to_numpy()
        totals = totals.assign(value=totals["value"] / np.where(per > 0, per, np.nan))
    return mean_band(totals, ["scenario", "cause"])


def survival(timeseries: pd.DataFrame, runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cohort survival curves per strategy: ``scenario, cohort, age, mean, low, high, n``.

    Cohort ``on the books at the start``: share of the clients active at the start still active
    without a break, by month (age = month). Cohort ``won during the run``: share of the clients
    won still active without a break ``age`` months after the month of the win (the ages of
    ``sim.cohorts.AGES``, and 100 % at the win): the product, age after age, of the share kept
    from one age to the next by the cohorts old enough to reach it (an actuarial life table),
    at the ages with at least ``MIN_AT_RISK`` clients won behind them (on average over the
    runs). The start's count comes from ``runs['active_start']`` when given, else from the
    first month.
    """
    frame = one_point(timeseries)
    first = frame[frame["month"] == frame["month"].min()].set_index(RUN)
    start = opening_clients(first)  # each run's active_start (sim.metrics)
    if runs is not None:
        if "point" in runs.columns and "point" in frame.columns:
            runs = runs[runs["point"].isin(frame["point"].unique())]
        start = runs.set_index(RUN)["active_start"].reindex(start.index).fillna(start)
    keyed = frame.set_index(RUN)
    base = pd.DataFrame(
        {
            "age": keyed["month"],
            "value": keyed["start_clients_kept"] / start.reindex(keyed.index).replace(0, np.nan),
        }
    ).reset_index()
    at_win = pd.DataFrame({"age": 0, "value": 1.0}, index=start.index).reset_index()
    pieces = [at_win.assign(at_risk=np.inf)]
    last = frame.groupby(RUN, sort=False)["month"].transform("max")
    runs_of = [frame[c] for c in RUN]
    alive = pd.Series(1.0, index=start.index)
    previous, before = 0, frame["new_clients"]  # at age 0 (the win) every client is kept
    for age in AGES:
        # Survival from the previous age to this one, over the cohorts that reached this age;
        # the product over ages is the survival curve (it never rises).
        reached = frame["month"] <= last - (age - previous)
        entering = before.where(reached, 0).groupby(runs_of).sum()
        kept = frame[kept_column(age)].groupby(runs_of).sum()
        alive = alive * (kept / entering.where(entering > 0)).reindex(alive.index)
        won_then = frame["new_clients"].where(frame["month"] <= last - age, 0)
        at_risk = won_then.groupby(runs_of).sum().reindex(alive.index)
        pieces.append(pd.DataFrame({"age": age, "value": alive, "at_risk": at_risk}).reset_index())
        previous, before = age, frame[kept_column(age)]
    won = pd.concat(pieces, ignore_index=True)
    # Late ages rest on the first months' few wins: keep ages with enough clients behind them.
    enough = won.groupby(["scenario", "age"])["at_risk"].transform("mean") >= MIN_AT_RISK
    won = won[enough]
    drawn = won[won["age"] > 0].groupby("scenario")["age"].size()  # more than the win itself
    won = won[won["scenario"].isin(drawn[drawn > 0].index)]
    parts = [
        pd.concat([at_win, base]).assign(cohort=COHORTS[0]),
        won.drop(columns="at_risk").assign(cohort=COHORTS[1]),
    ]
    long = pd.concat(parts, ignore_index=True).dropna(subset=["value"])
    return mean_band(long, ["scenario", "cohort", "age"])


def team(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Describe the team by role, averaged over the last year.

    Returns ``scenario, role, measure, mean, low, high, n``; measures ``headcount`` (people),
    ``utilisation`` (hours worked / available) and ``clients per person`` (clients in the role's
    books / headcount). Roles a strategy does not staff are left out.
    """
    frame = one_point(timeseries)
    last = frame[frame["year"] == frame["year"].max()]
    rows = []
    for role in NAMES:
        heads = last[f"{role}_headcount"]
        books = last[f"{role}_clients_served"].sum() > 0  # writers and VIP leads hold no books
        per_person = last[f"{role}_clients_served"] / heads.where(heads > 0)
        for measure, values in (
            ("headcount", heads),
            ("utilisation", last[f"{role}_utilisation"]),
            ("clients per person", per_person if books else None),
        ):
            if values is None:
                continue
            part = last[RUN].assign(role=ROLE_NAMES[role], measure=measure, value=values)
            rows.append(part)
    long = pd.concat(rows, ignore_index=True)
    per_run = long.groupby([*RUN, "role", "measure"], sort=False)["value"].mean().reset_index()
    heads = per_run[per_run["measure"] == "headcount"].groupby(["scenario", "role"])["value"]
    staffed = heads.max().gt(0).rename("staffed").reset_index()
    per_run = per_run.merge(staffed, on=["scenario", "role"], sort=False)
    per_run = per_run[per_run.pop("staffed")]
    return mean_band(per_run, ["scenario", "role", "measure"])


def differences(summary: pd.DataFrame, metric: str, sweep: list[str]) -> pd.DataFrame:
    """Select the paired difference to the baseline of one metric at every sweep point.

    Returns ``scenario, point, <sweep variables>, diff, diff_low, diff_high, mean``; baseline
    rows are left out.
    """
    rows = summary[(summary["metric"] == metric) & summary["diff"].notna()]
    return rows[["scenario", "point", *sweep, "diff", "diff_low", "diff_high", "mean"]].copy()


class Crossing(NamedTuple):
    """Where a difference crosses zero, and whether it rises there (pays above that value)."""

    at: float
    rising: bool


def log_scale(values: np.ndarray) -> bool:
    """Whether positive values spanning ten times or more are drawn on a log scale."""
    values = np.asarray(values, dtype=float)
    return bool(values.size and values.min() > 0 and values.max() / values.min() >= 10)


def crossings(x: np.ndarray, y: np.ndarray, log: bool = False) -> list[Crossing]:
    """Find where a curve through ``(x, y)`` (x ascending) changes sign.

    Straight lines join the points (in log x when ``log``). A curve that only touches zero does
    not cross.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    u = np.log(x) if log else x
    kept = [i for i in range(len(y)) if np.isfinite(y[i]) and y[i] != 0]
    found = []
    for i, j in itertools.pairwise(kept):
        if y[i] * y[j] > 0:
            continue
        zeros = [k for k in range(i + 1, j) if y[k] == 0]
        if zeros:  # the curve is at zero there
            at = float(np.mean(u[zeros]))
        else:
            at = float(u[i] + (u[j] - u[i]) * y[i] / (y[i] - y[j]))
        found.append(Crossing(float(np.exp(at)) if log else at, bool(y[j] > 0)))
    return found


def is_clear(x: np.ndarray, low: np.ndarray, high: np.ndarray, at: float) -> bool:
    """Tell whether a crossing at ``at`` is clear.

    It is when the points on either side of it (x ascending) both have 95 % intervals that
    exclude zero.
    """
    x, low, high = (np.asarray(v, dtype=float) for v in (x, low, high))
    left, right = np.flatnonzero(x < at), np.flatnonzero(x > at)
    if not left.size or not right.size:
        return False
    sides = (left[-1], right[0])
    return all(low[i] > 0 or high[i] < 0 for i in sides)
