"""The executive summary that opens the report: the conclusion in a few sentences.

Every sentence is generated from the stored runs of one sweep point: which strategy does best
on operating profit, retention and staff cost, by how much against the runner-up (the paired
difference, replication by replication on common random numbers, with its 95 % interval),
how sure that is in words, what the most profitable strategy gives up in retention when
another keeps more clients, which differences to the baseline are not significant, and which
assumptions the result rests on.

The wording rule (:func:`certainty`), for a paired difference ``d`` with 95 % interval
``[low, high]`` and half-width ``h = (high - low) / 2``:

- no interval (one replication, or no common replication): "cannot be told from chance";
- the interval includes 0 (``low <= 0 <= high``): "not distinguishable";
- the interval excludes 0 and ``|d| >= 2 h`` (its nearer end keeps at least half of the
  difference; about four standard errors): "clearly";
- the interval excludes 0 and ``|d| < 2 h``: "probably" (the sign is settled at the 95 % level,
  the size is not).

The rule is this project's convention (an assumption about plain wording), stated with the
report in plain language (:data:`RULE`) so that a reader can check it against the intervals
shown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from sim.study import sensitivity
from sim.study.result import FEW, cap_share, column_scale, format_cell
from sim.study.stats import Interval, mean_interval, paired_difference

NO_INTERVAL, SAME, PROBABLY, CLEARLY = (
    "cannot be told from chance",
    "not distinguishable",
    "probably",
    "clearly",
)
CLEAR_RATIO = 2.0  # |d| >= CLEAR_RATIO x half-width: "clearly"
TOP_PARAMETERS = 4  # deciding parameters named in the summary

RULE = (
    "How sure, in words. Each difference is measured run by run (same seeds), and its 95 % "
    "range is given in brackets. 'Clearly': the whole 95 % range is well away from no "
    "difference (even its end nearest to zero keeps at least half of the difference). "
    "'Probably': the whole range is on one side of zero, so the direction is settled, but it "
    "comes close to zero, so the size is not. 'Not distinguishable': the range includes no "
    "difference at all, so chance alone could explain it. With one run per strategy there is "
    "no range, and no difference can be told from chance."
)


@dataclass(frozen=True)
class Aspect:
    """One question the summary answers: a metric, its name, unit kind and better direction."""

    metric: str
    name: str
    kind: str
    better: int  # +1: the highest is best; -1: the lowest


ASPECTS = (
    Aspect("profit", "Operating profit", "money", +1),
    Aspect("retention_12m", "12-month retention", "share", +1),
    Aspect("staff_cost", "Staff cost", "money", -1),
)


def certainty(diff: Interval) -> str:
    """Word how sure a paired difference is (the module's rule).

    Parameters
    ----------
    diff : Interval
        The mean paired difference and its 95 % interval (NaN bounds: no interval).

    Returns
    -------
    str
        One of ``NO_INTERVAL``, ``SAME``, ``PROBABLY``, ``CLEARLY``.
    """
    if diff.n < 2 or math.isnan(diff.low) or math.isnan(diff.high) or math.isnan(diff.mean):
        return NO_INTERVAL
    if diff.low <= 0 <= diff.high:
        return SAME
    half = (diff.high - diff.low) / 2
    return CLEARLY if abs(diff.mean) >= CLEAR_RATIO * half else PROBABLY


def summarise(
    runs: pd.DataFrame,
    baseline: str,
    strategies: Sequence[str],
    years: str,
    assumptions: str,
) -> list[str]:
    """Return the executive summary's sentences for one sweep point.

    Parameters
    ----------
    runs : pandas.DataFrame
        One row per run at the point: ``scenario``, ``replication`` and the metrics of
        :data:`ASPECTS` (totals over the horizon in USD; retention a share 0-1).
    baseline : str
        The strategy the others are compared with.
    strategies : sequence of str
        The strategies shown, in order (display names as in ``runs``).
    years : str
        The horizon in words ("5 years").
    assumptions : str
        The closing sentence on what the result rests on (:func:`assumptions_sentence`).

    Returns
    -------
    list of str
        Plain sentences; no markup.
    """
    shown = [s for s in strategies if s in set(runs["scenario"])]
    if not shown:
        return ["No finished runs to summarise."]
    reps = int(runs.groupby("scenario").size().min())
    lines = [_reliability(reps, len(shown))] if reps < FEW else []
    if len(shown) == 1:
        lines.insert(0, _single(runs, shown[0], years))
    else:
        money = [a.metric for a in ASPECTS if a.kind == "money" and a.metric in runs]
        like = float(runs[money].abs().max().max()) if money else None  # one unit: $M or $k
        lines += [_best(runs, shown, a, years, like) for a in ASPECTS if a.metric in runs]
        lines += _trade_off(runs, shown)
        lines += _not_significant(runs, shown, baseline)
    lines.append(assumptions)
    return lines


def assumptions_sentence(
    method: str | None, table: pd.DataFrame, baseline: str, studies: Sequence[str]
) -> str:
    """Say which assumptions the result rests on.

    Parameters
    ----------
    method : str or None
        The study's sweep method (``morris``, ``sobol``, ...); ``None`` without a sweep.
    table : pandas.DataFrame
        The study's sensitivity indices (``StudyResult.sensitivity``; empty if none).
    baseline : str
        The baseline's display name.
    studies : sequence of str
        The sensitivity study files shipped with the project (``studies/sensitivity.yaml``).

    Returns
    -------
    str
        One or two sentences: the deciding parameters of this Morris or Sobol study, or where
        the project's sensitivity studies and its validation are documented.
    """
    if method in ("morris", "sobol") and not table.empty:
        index = "μ*" if method == "morris" else "ST"
        parts = []
        for (scenario, metric, quantity), rows in table.groupby(
            ["scenario", "metric", "quantity"], sort=False
        ):
            top = sensitivity.deciding(rows, str(scenario), str(metric))[:TOP_PARAMETERS]
            what = f"{scenario} − {baseline}" if quantity == "difference" else str(scenario)
            named = ", ".join(p.rsplit(".", 1)[-1].replace("_", " ") for p in top)
            parts.append(f"{metric} of {what}: {named or 'none decides'}")
        return (
            f"This study is a {method.capitalize()} sensitivity analysis; the assumptions that "
            f"decide (largest {index} first): " + "; ".join(parts) + "."
        )
    listed = " and ".join(studies)
    where = (
        f"the sensitivity studies {listed} test which of them decide"
        if studies
        else "no sensitivity study tests them"
    )
    return (
        "The result rests on the model's assumptions (the parameters whose source is "
        f"'assumption' in the settings); {where} (README, 'Which assumptions decide'); the "
        "model is documented in docs/MODEL.md and its validation in docs/VALIDATION.md."
    )


def _reliability(reps: int, strategies: int) -> str:
    if reps < 2:
        return (
            "Only 1 replication per strategy: there are no intervals, so no difference below "
            "can be told from chance; run 10 or more replications to compare."
        )
    what = "the intervals are wide" if strategies > 1 else "its interval is wide"
    return f"Only {reps} replications per strategy: {what}; run 10 or more to compare."


def _single(runs: pd.DataFrame, strategy: str, years: str) -> str:
    cells = []
    for a in ASPECTS:
        if a.metric not in runs:
            continue
        level = _level(runs.loc[runs["scenario"] == strategy, a.metric], a.kind)
        cells.append(f"{a.name.lower()} {_amount(level, a.kind, signed=False)}")
    return (
        f"One strategy only ({strategy}): nothing to compare it with. Over {years}: "
        + "; ".join(cells)
        + "."
    )


def _best(
    runs: pd.DataFrame, shown: Sequence[str], aspect: Aspect, years: str, like: float | None
) -> str:
    """Name the best strategy on one aspect and its paired lead over the runner-up.

    Money is shown in $M, or in $k when ``like`` (the largest amount) is below a million.
    """
    wide = runs.pivot_table(index="replication", columns="scenario", values=aspect.metric)
    means = wide.mean().reindex(list(shown)).dropna()
    if means.empty:
        return f"{aspect.name}: not available."
    ranked = (means * aspect.better).sort_values(ascending=False, kind="stable").index.tolist()
    best = ranked[0]
    if len(ranked) == 1:
        return f"{aspect.name}: only {best} has a value."
    second = ranked[1]
    both = wide[[best, second]].dropna()
    diff = paired_difference(both[best].to_numpy(), both[second].to_numpy())
    word = certainty(diff)
    mean = _level(wide[best], aspect.kind)
    unit = like if aspect.kind == "money" and like is not None else mean.mean
    level = _amount(mean, aspect.kind, signed=False, like=unit)
    gap = _amount(diff, aspect.kind, signed=True, like=unit)  # in the level's unit
    period = f"over {years}" if aspect.kind == "money" else "at the end"
    verb = "lowest" if aspect.better < 0 else "highest"
    if word == SAME:
        return (
            f"{aspect.name}: {best} has the {verb} ({level} {period}), but it is not "
            f"distinguishable from {second}: difference {gap} (95 % interval includes 0)."
        )
    if word == NO_INTERVAL:
        return (
            f"{aspect.name}: {best} has the {verb} ({level} {period}); its difference to "
            f"{second}, {gap}, cannot be told from chance (one replication, no interval)."
        )
    ahead = "below" if aspect.better < 0 else "ahead of"
    return (
        f"{aspect.name}: {best} does best ({level} {period}), {word} {ahead} {second}: "
        f"difference {gap} (paired, 95 % interval)."
    )


def _trade_off(runs: pd.DataFrame, shown: Sequence[str]) -> list[str]:
    """Say what the most profitable strategy gives up in retention, when another keeps more.

    The gap is the paired difference in 12-month retention between the strategy with the
    highest mean operating profit and the one with the highest mean retention, worded by
    :func:`certainty`. Nothing is said when one strategy is best on both.
    """
    profit, retention = ASPECTS[0], ASPECTS[1]
    if profit.metric not in runs or retention.metric not in runs:
        return []
    leaders = []
    for aspect in (profit, retention):
        wide = runs.pivot_table(index="replication", columns="scenario", values=aspect.metric)
        means = wide.mean().reindex(list(shown)).dropna()
        if means.empty:
            return []
        ranked = (means * aspect.better).sort_values(ascending=False, kind="stable")
        leaders.append(str(ranked.index[0]))
    earner, keeper = leaders
    if earner == keeper:
        return []
    wide = runs.pivot_table(index="replication", columns="scenario", values=retention.metric)
    both = wide[[earner, keeper]].dropna()
    diff = paired_difference(both[earner].to_numpy(), both[keeper].to_numpy())
    word = certainty(diff)
    gap = _amount(diff, "share", signed=True)
    if word in (CLEARLY, PROBABLY):
        return [
            f"Trade-off: {earner} earns most but keeps {abs(diff.mean) * 100:.1f} points fewer "
            f"clients than {keeper} after 12 months ({word}: retention difference {gap}, "
            "paired, 95 % interval)."
        ]
    why = "cannot be told from chance" if word == NO_INTERVAL else "is not distinguishable"
    return [
        f"Trade-off: {earner} earns most and {keeper} keeps the most clients, but the "
        f"retention difference between them, {gap}, {why}: no clear price in clients."
    ]


def _not_significant(runs: pd.DataFrame, shown: Sequence[str], baseline: str) -> list[str]:
    """Say which differences to the baseline are not significant (their interval covers 0)."""
    if baseline not in shown:
        return [f"The baseline {baseline} has no runs here, so no difference to it is shown."]
    parts = []
    for aspect in ASPECTS:
        if aspect.metric not in runs:
            continue
        wide = runs.pivot_table(index="replication", columns="scenario", values=aspect.metric)
        unclear = []
        for strategy in shown:
            if strategy == baseline or strategy not in wide:
                continue
            both = wide[[strategy, baseline]].dropna()
            diff = paired_difference(both[strategy].to_numpy(), both[baseline].to_numpy())
            if certainty(diff) in (SAME, NO_INTERVAL):
                unclear.append(strategy)
        if unclear:
            parts.append(f"{aspect.name.lower()} of {_listed(unclear)}")
    if not parts:
        return [
            f"Every difference to {baseline} in operating profit, retention and staff cost is "
            "significant (its 95 % interval excludes 0)."
        ]
    return [
        f"Not significant against {baseline} (the 95 % interval of the paired difference "
        f"includes 0, or there is none): {'; '.join(parts)}."
    ]


def _level(values: pd.Series, kind: str) -> Interval:
    """Return the mean of the runs with its 95 % interval; a share's interval cut to 0-1."""
    level = mean_interval(values.to_numpy(float))
    if kind != "share":
        return level
    return Interval(level.mean, cap_share(level.low), cap_share(level.high), level.n)


def _amount(value: Interval, kind: str, signed: bool, like: float | None = None) -> str:
    """Show a value or a difference with its interval and unit ($M, $k, % points).

    Money is in $M, or $k when ``like`` (default: the value itself) is below a million.
    """
    scale = column_scale(kind, pd.Series([value.mean if like is None else like]))
    text = format_cell(value.mean, value.low, value.high, scale, signed=signed)
    unit = scale[1].strip()
    if kind == "share" and signed:
        unit = "points"
    return f"{text} {unit}".strip()


def _listed(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]
