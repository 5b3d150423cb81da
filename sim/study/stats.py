"""Statistics of a study: means with 95 % intervals and paired differences (pure functions)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

CONFIDENCE = 0.95


def student_t_cdf(t: float, df: int) -> float:
    """Student's t distribution function for a whole number of degrees of freedom.

    The closed forms of Abramowitz & Stegun 26.7.3-26.7.4 (finite sums in cos(theta)).
    """
    if df < 1:
        raise ValueError("df must be at least 1")
    theta = math.atan(t / math.sqrt(df))
    c2, s = math.cos(theta) ** 2, math.sin(theta)
    if df % 2 == 1:
        term, total = math.cos(theta), math.cos(theta) if df > 1 else 0.0
        for k in range(3, df - 1, 2):
            term *= c2 * (k - 1) / k
            total += term
        a = (2 / math.pi) * (theta + s * total)
    else:
        term = total = 1.0
        for k in range(2, df - 1, 2):
            term *= c2 * (k - 1) / k
            total += term
        a = s * total
    return 0.5 + 0.5 * a


def student_t_quantile(p: float, df: int) -> float:
    """Quantile of Student's t (by bisection on the distribution function)."""
    if not 0 < p < 1:
        raise ValueError("p must be between 0 and 1")
    low, high = -1.0, 1.0
    while student_t_cdf(low, df) > p:
        low *= 2
    while student_t_cdf(high, df) < p:
        high *= 2
    for _ in range(200):
        mid = 0.5 * (low + high)
        if student_t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-12:
            break
    return 0.5 * (low + high)


@dataclass(frozen=True)
class Interval:
    """A mean with its confidence interval (NaN bounds with fewer than two values)."""

    mean: float
    low: float
    high: float
    n: int


def mean_interval(values: Sequence[float] | np.ndarray) -> Interval:
    """Mean and 95 % t-interval of independent values (NaNs dropped)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return Interval(math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if x.size < 2:
        return Interval(mean, math.nan, math.nan, int(x.size))
    t = student_t_quantile(0.5 + CONFIDENCE / 2, int(x.size) - 1)
    half = t * float(x.std(ddof=1)) / math.sqrt(x.size)
    return Interval(mean, mean - half, mean + half, int(x.size))


def paired_difference(
    values: Sequence[float] | np.ndarray, baseline: Sequence[float] | np.ndarray
) -> Interval:
    """Mean and 95 % interval of ``values - baseline``, replication by replication."""
    a, b = np.asarray(values, dtype=float), np.asarray(baseline, dtype=float)
    if a.shape != b.shape:
        raise ValueError("paired values need the same replications")
    return mean_interval(a - b)


def summarise(
    runs: pd.DataFrame,
    metrics: Sequence[str],
    baseline: str,
    keys: Sequence[str] = ("point",),
) -> pd.DataFrame:
    """One row per scenario, sweep point and metric: the mean and the paired difference.

    ``runs`` has one row per run with the columns ``scenario``, ``replication``, the ``keys``
    (the sweep point) and the metrics. The difference is taken against the baseline scenario at
    the same point, over the replications both have.
    """
    rows = []
    for key_values, group in runs.groupby(list(keys), sort=True):
        key_values = key_values if isinstance(key_values, tuple) else (key_values,)
        base = group[group["scenario"] == baseline].set_index("replication")
        for scenario, rows_of in group.groupby("scenario", sort=False):
            mine = rows_of.set_index("replication")
            common = mine.index.intersection(base.index)
            for metric in metrics:
                level = mean_interval(mine[metric].to_numpy())
                diff = (
                    paired_difference(
                        mine.loc[common, metric].to_numpy(), base.loc[common, metric].to_numpy()
                    )
                    if scenario != baseline and len(common)
                    else Interval(math.nan, math.nan, math.nan, 0)
                )
                rows.append(
                    {
                        "scenario": scenario,
                        **dict(zip(keys, key_values, strict=True)),
                        "metric": metric,
                        "n": level.n,
                        "mean": level.mean,
                        "low": level.low,
                        "high": level.high,
                        "diff": diff.mean,
                        "diff_low": diff.low,
                        "diff_high": diff.high,
                        "pairs": diff.n,
                    }
                )
    return pd.DataFrame(rows)
