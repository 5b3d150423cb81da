"""Statistics of a study: means with 95 % intervals and paired differences (pure functions)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95


def student_t_quantile(p: float, df: int) -> float:
    """Return the ``p`` quantile of Student's t with ``df`` degrees of freedom.

    Parameters
    ----------
    p : float
        The probability, strictly between 0 and 1 (0.975 for a two-sided 95 % interval).
    df : int
        Degrees of freedom, at least 1 (the values less one for a mean's interval).

    Returns
    -------
    float
        ``scipy.stats.t.ppf(p, df)``: 2.262 for p = 0.975 and df = 9, approaching the normal
        1.960 as ``df`` grows.

    Raises
    ------
    ValueError
        If ``p`` is not strictly between 0 and 1 or ``df`` is below 1.
    """
    if not 0 < p < 1:
        raise ValueError("p must be between 0 and 1")
    if df < 1:
        raise ValueError("df must be at least 1")
    return float(stats.t.ppf(p, df))


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
