"""Global sensitivity analysis of a study: Morris screening and Sobol indices, with SALib.

A study whose ``sweep.method`` is ``morris`` or ``sobol`` runs every scenario at every point of
a sample drawn by SALib (Herman & Usher 2017, "SALib: An open-source Python library for
sensitivity analysis", Journal of Open Source Software 2(9), 97), each with the study's
replications on common random numbers. This module draws the sample, stores it, and turns the
runs into indices:

- Morris (Morris 1991, Technometrics 33(2), 161-174; μ* of Campolongo, Cariboni & Saltelli 2007,
  Environmental Modelling & Software 22(10), 1509-1518): μ*, the mean absolute elementary
  effect, with its bootstrap 95 % interval; σ, the spread of the effects (interactions or a
  curved response); μ, their signed mean.
- Sobol (Sobol 2001, Mathematics and Computers in Simulation 55, 271-280; estimators of
  Saltelli et al. 2010, Computer Physics Communications 181(2), 259-270): first-order S1 and
  total ST indices with bootstrap 95 % intervals (S2 of every pair with ``second_order``).

The estimators are SALib's own; nothing here estimates an index.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.output import write_atomic
from sim.study.spec import Sweep

SAMPLE_FILE = "sample.json"
TABLE_FILE = "sensitivity.csv"
COLUMNS = ("scenario", "metric", "quantity", "parameter", "index", "value", "conf")
CONFIDENCE = 0.95
RESAMPLES = 1000  # bootstrap resamples of SALib's intervals (SALib's default num_resamples)
DEFAULT_LEVELS = 4  # Morris levels: SALib's default
# The reading thresholds below are conventions of this report, not published values
# (assumptions; sweep 0.05-0.2, 0.05-0.2 and 0.01-0.1).
WIDE_SOBOL = 0.1  # a Sobol interval's half-width beyond which the sample is called too small
MORRIS_SHARE = 0.1  # Morris: a parameter decides when its μ* is this share of the largest
SOBOL_DECIDES = 0.05  # Sobol: a parameter decides when its ST's interval lies above this


def _problem(names: Sequence[str], bounds: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """Return SALib's problem: ``num_vars``, ``names`` and ``bounds`` ([low, high] each)."""
    return {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}


@dataclass(frozen=True)
class Sample:
    """The points of a Morris or Sobol study, as SALib drew them.

    Attributes
    ----------
    method : str
        ``morris`` or ``sobol``.
    names : tuple of str
        The swept variables, in the columns' order.
    bounds : tuple of (float, float)
        Each variable's range [low, high], in the field's unit (a factor for ``scales``).
    matrix : numpy.ndarray
        The points, shape (points, variables), as drawn (a whole-number field is rounded when
        it is set, not here: the analysis reads the drawn values).
    levels : int
        Morris: levels of each variable's grid (0 for Sobol).
    second_order : bool
        Sobol: whether the sample also serves the second-order indices.
    seed : int
        The study's seed, which drew the sample and seeds the bootstrap.
    """

    method: str
    names: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]
    matrix: np.ndarray
    levels: int
    second_order: bool
    seed: int

    @property
    def problem(self) -> dict[str, Any]:
        """Return SALib's problem: ``num_vars``, ``names`` and ``bounds``."""
        return _problem(self.names, self.bounds)

    @property
    def fingerprint(self) -> str:
        """Return a hash of what drew the sample (not of the points drawn)."""
        spec = [self.method, self.names, self.bounds, self.levels, self.second_order, self.seed]
        size = self.matrix.shape[0]
        return hashlib.sha256(json.dumps([*spec, size]).encode()).hexdigest()[:16]

    def points(self) -> list[dict[str, float]]:
        """Return the points as ``{variable: value}``, in order."""
        return [dict(zip(self.names, row, strict=True)) for row in self.matrix.tolist()]

    def record(self) -> dict[str, Any]:
        """Return the sample as JSON-ready data (``sample.json``)."""
        return {
            "method": self.method,
            "names": list(self.names),
            "bounds": [list(b) for b in self.bounds],
            "levels": self.levels,
            "second_order": self.second_order,
            "seed": self.seed,
            "fingerprint": self.fingerprint,
            "salib": _salib_version(),
            "points": self.matrix.tolist(),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Sample:
        """Return the sample stored by :meth:`record`.

        Raises
        ------
        KeyError, TypeError, ValueError
            If the record lacks a key or holds values of the wrong shape.
        """
        names = tuple(str(n) for n in record["names"])
        matrix = np.asarray(record["points"], dtype=float).reshape(-1, len(names))
        return cls(
            method=str(record["method"]),
            names=names,
            bounds=tuple((float(low), float(high)) for low, high in record["bounds"]),
            matrix=matrix,
            levels=int(record["levels"]),
            second_order=bool(record["second_order"]),
            seed=int(record["seed"]),
        )


def quantities(sweep: Sweep, scenarios: int) -> dict[str, str]:
    """Return the quantity analysed per metric: the sweep's ``analyse``, else profit's.

    Parameters
    ----------
    sweep : Sweep
        The study's sweep (``analyse``: metric -> ``level`` or ``difference``).
    scenarios : int
        Number of scenarios in the study.

    Returns
    -------
    dict of str to str
        Metric -> ``level`` or ``difference``; by default profit's difference to the baseline,
        or its level when the study has one scenario.
    """
    if sweep.analyse:
        return dict(sweep.analyse)
    return {"profit": "difference" if scenarios > 1 else "level"}


def point_count(sweep: Sweep) -> int:
    """Count the points of a Morris or Sobol sweep without drawing them.

    Parameters
    ----------
    sweep : Sweep
        A sweep whose ``method`` is ``morris`` or ``sobol``.

    Returns
    -------
    int
        Morris: trajectories x (variables + 1); Sobol: N x (variables + 2), or N x (2 x
        variables + 2) with second-order indices (Saltelli et al. 2010, section 3).
    """
    d = len(sweep.variables)
    if sweep.method == "morris":
        return (sweep.trajectories or 0) * (d + 1)
    n = sweep.base_samples or 0
    return n * (2 * d + 2 if sweep.second_order else d + 2)


def draw(
    sweep: Sweep, names: Sequence[str], bounds: Sequence[tuple[float, float]], seed: int
) -> Sample:
    """Draw the sample of a Morris or Sobol sweep with SALib.

    Parameters
    ----------
    sweep : Sweep
        Its method, trajectories and levels (Morris) or base sample and order (Sobol).
    names, bounds : sequence
        The variables and their ranges [low, high] (low < high).
    seed : int
        The study's seed: the same seed draws the same sample.

    Returns
    -------
    Sample
        ``point_count(sweep)`` points.
    """
    from SALib.sample import morris, sobol

    levels = (sweep.levels or DEFAULT_LEVELS) if sweep.method == "morris" else 0
    problem = _problem(names, bounds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib's notes on sizes the spec already checks
        if sweep.method == "morris":
            matrix = morris.sample(problem, sweep.trajectories or 0, num_levels=levels, seed=seed)
        else:
            matrix = sobol.sample(
                problem, sweep.base_samples or 0, calc_second_order=sweep.second_order,
                scramble=True, seed=seed,
            )  # fmt: skip
    return Sample(
        sweep.method, tuple(names), tuple(bounds), np.asarray(matrix, dtype=float), levels,
        sweep.second_order, seed,
    )  # fmt: skip


def write_sample(out: Path, sample: Sample) -> None:
    """Store the sample in ``out/sample.json`` (atomically), unless it is stored already."""
    path = out / SAMPLE_FILE
    stored = read_sample(out) if path.exists() else None
    if stored is not None and same(stored, sample):
        return
    text = json.dumps(sample.record()) + "\n"
    write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


def read_sample(out: Path) -> Sample | None:
    """Return the sample stored in ``out``, or ``None`` when none is (or it is unreadable)."""
    try:
        record = json.loads((out / SAMPLE_FILE).read_text(encoding="utf-8"))
        return Sample.from_record(record)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def same(a: Sample, b: Sample) -> bool:
    """Tell whether two samples hold the same points drawn the same way."""
    return a.fingerprint == b.fingerprint and np.array_equal(a.matrix, b.matrix)


def responses(
    runs: pd.DataFrame, metric: str, scenario: str, baseline: str | None, points: int
) -> np.ndarray:
    """Return the quantity analysed at each point, shape (points,); NaN where runs are missing.

    Parameters
    ----------
    runs : pandas.DataFrame
        One row per run: ``scenario``, ``point``, ``replication`` and the metric.
    metric : str
        The column analysed.
    scenario : str
        The scenario whose quantity it is.
    baseline : str or None
        ``None``: the level, the mean over the scenario's replications at each point. A label:
        the paired difference, the mean over the replications both have of the scenario's
        value minus the baseline's (the same seed: common random numbers).
    points : int
        Number of sample points.

    Returns
    -------
    numpy.ndarray
        The quantity at each point in the metric's unit, shape (points,); NaN at a point
        without runs (without paired runs for a difference).
    """
    mine = runs[runs["scenario"] == scenario].set_index(["point", "replication"])[metric]
    if baseline is not None:
        base = runs[runs["scenario"] == baseline].set_index(["point", "replication"])[metric]
        mine = (mine - base).dropna()
    by_point = mine.groupby(level="point").mean()
    return by_point.reindex(range(points)).to_numpy(dtype=float)


def _missing_note(
    runs: pd.DataFrame,
    scenario: str,
    baseline: str,
    quantity: str,
    what: str,
    metric: str,
    y: np.ndarray,
) -> str:
    """Say why some sample points have no value: runs missing, or the metric undefined.

    A metric is undefined (NaN) in a run where it is a share of nothing, such as the share of
    escalations answered in an organisation that raises none; running again does not help.
    """
    ran = set(runs.loc[runs["scenario"] == scenario, "point"])
    if quantity == "difference":
        ran &= set(runs.loc[runs["scenario"] == baseline, "point"])
    points = len(y)
    absent = points - len(ran)
    undefined = int(np.isnan(y).sum()) - absent
    if absent:
        return (
            f"{metric} of {what}: {absent} of {points} sample points have no runs, so no "
            "sensitivity indices yet; run the study again to finish it"
        )
    return (
        f"{metric} of {what}: undefined (NaN) at {undefined} of {points} sample points (a "
        "share of nothing in these runs, say); no sensitivity indices: analyse another metric"
    )


def analyse(
    runs: pd.DataFrame,
    sample: Sample,
    quantities: dict[str, str],
    scenarios: Sequence[str],
    baseline: str,
) -> tuple[pd.DataFrame, list[str]]:
    """Compute the sensitivity indices of every quantity analysed; say what limits them.

    Parameters
    ----------
    runs : pandas.DataFrame
        The study's per-run metrics (``StudyResult.runs``).
    sample : Sample
        The study's sample.
    quantities : dict of str to str
        Metric -> ``level`` or ``difference`` (``Sweep.analyse``).
    scenarios : sequence of str
        The scenarios' labels, in the study's order.
    baseline : str
        The baseline's label (its difference to itself is not analysed).

    Returns
    -------
    (pandas.DataFrame, list of str)
        The tidy table, columns :data:`COLUMNS` (one row per scenario, metric, parameter and
        index; ``conf`` is the half-width of the 95 % interval, NaN for an index without one),
        and notes: sample points without runs, a Sobol sample too small for its intervals.
    """
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    points = sample.matrix.shape[0]
    for metric, quantity in quantities.items():
        if metric not in runs:
            continue
        for scenario in scenarios:
            if quantity == "difference" and scenario == baseline:
                continue
            y = responses(runs, metric, scenario, baseline if quantity == "difference" else None,
                          points)  # fmt: skip
            what = f"{scenario} − {baseline}" if quantity == "difference" else scenario
            missing = int(np.isnan(y).sum())
            if missing:
                notes.append(_missing_note(runs, scenario, baseline, quantity, what, metric, y))
                continue
            ident = {"scenario": scenario, "metric": metric, "quantity": quantity}
            found = _indices(sample, y)
            rows += [{**ident, **row} for row in found]
            notes += _notes(sample, found, f"{metric} of {what}", y)
    return pd.DataFrame(rows, columns=list(COLUMNS)), notes


def _indices(sample: Sample, y: np.ndarray) -> list[dict[str, Any]]:
    """Return SALib's indices of one quantity as tidy rows (parameter, index, value, conf)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # a flat response divides by a zero variance
        if sample.method == "morris":
            return _morris_rows(sample, y)
        return _sobol_rows(sample, y)


def _morris_rows(sample: Sample, y: np.ndarray) -> list[dict[str, Any]]:
    """Return μ* (with its interval), σ and μ of each parameter (SALib's Morris analysis)."""
    from SALib.analyze import morris

    found = morris.analyze(
        sample.problem, sample.matrix, y, num_resamples=RESAMPLES, conf_level=CONFIDENCE,
        num_levels=sample.levels, seed=sample.seed,
    )  # fmt: skip
    rows: list[dict[str, Any]] = []
    for i, name in enumerate(sample.names):
        rows += [
            _row(name, "mu_star", found["mu_star"][i], found["mu_star_conf"][i]),
            _row(name, "sigma", found["sigma"][i], math.nan),
            _row(name, "mu", found["mu"][i], math.nan),
        ]
    return rows


def _sobol_rows(sample: Sample, y: np.ndarray) -> list[dict[str, Any]]:
    """Return S1 and ST of each parameter, and S2 of each pair if drawn (SALib's Sobol)."""
    from SALib.analyze import sobol

    if np.ptp(y) == 0:  # no variance to share out
        return [_row(name, i, math.nan, math.nan) for name in sample.names for i in ("S1", "ST")]
    found = sobol.analyze(
        sample.problem, y, calc_second_order=sample.second_order, num_resamples=RESAMPLES,
        conf_level=CONFIDENCE, seed=sample.seed,
    )  # fmt: skip
    rows: list[dict[str, Any]] = []
    for i, name in enumerate(sample.names):
        rows += [
            _row(name, "S1", found["S1"][i], found["S1_conf"][i]),
            _row(name, "ST", found["ST"][i], found["ST_conf"][i]),
        ]
    if sample.second_order:
        for i, first in enumerate(sample.names):
            for j in range(i + 1, len(sample.names)):
                pair = f"{first} & {sample.names[j]}"
                rows.append(_row(pair, "S2", found["S2"][i, j], found["S2_conf"][i, j]))
    return rows


def _row(parameter: str, index: str, value: Any, conf: Any) -> dict[str, Any]:
    return {"parameter": parameter, "index": index, "value": _float(value), "conf": _float(conf)}


def _float(value: Any) -> float:
    """Return a SALib value as a plain float (a masked entry as NaN)."""
    if value is np.ma.masked:
        return math.nan
    return float(value)


def _notes(sample: Sample, rows: list[dict[str, Any]], what: str, y: np.ndarray) -> list[str]:
    if np.ptp(y) == 0:
        return [f"{what} is the same at every sample point: no parameter moves it"]
    if sample.method != "sobol":
        return []
    confs = [r["conf"] for r in rows if r["index"] in ("S1", "ST") and math.isfinite(r["conf"])]
    widest = max(confs, default=0.0)
    if widest <= WIDE_SOBOL:
        return []
    return [
        f"{what}: a Sobol index's 95 % interval reaches ±{widest:.2f} (more than ±{WIDE_SOBOL}): "
        "the sample is too small to tell apart indices closer than that; double base_samples "
        "(or add replications, if the noise between seeds is large)"
    ]


def deciding(table: pd.DataFrame, scenario: str, metric: str) -> list[str]:
    """Return the parameters that decide a quantity, the strongest first.

    Parameters
    ----------
    table : pandas.DataFrame
        The indices (:func:`analyse`, columns :data:`COLUMNS`).
    scenario, metric : str
        The quantity's scenario and metric.

    Returns
    -------
    list of str
        Morris: the parameters whose μ* is at least :data:`MORRIS_SHARE` of the largest μ*
        (none when every μ* is 0). Sobol: those whose ST's 95 % interval has its lower end at
        least :data:`SOBOL_DECIDES` (the parameter, with its interactions, accounts for at
        least that share of the variance).
    """
    mine = table[(table["scenario"] == scenario) & (table["metric"] == metric)]
    if "mu_star" in set(mine["index"]):
        mu = mine[mine["index"] == "mu_star"].sort_values("value", ascending=False)
        top = float(mu["value"].max()) if len(mu) else 0.0
        if not top > 0:
            return []
        return mu.loc[mu["value"] >= MORRIS_SHARE * top, "parameter"].tolist()
    st = mine[mine["index"] == "ST"].sort_values("value", ascending=False)
    return st.loc[(st["value"] - st["conf"]) >= SOBOL_DECIDES, "parameter"].tolist()


def positive_share(runs: pd.DataFrame, metric: str, scenario: str, baseline: str) -> float:
    """Return the share of sample points where the scenario's mean paired difference is > 0.

    Parameters
    ----------
    runs : pandas.DataFrame
        One row per run (``scenario``, ``point``, ``replication`` and the metric).
    metric, scenario, baseline : str
        The metric, and the scenario compared with the baseline on common random numbers.

    Returns
    -------
    float
        A share, 0-1, of the points with paired runs; NaN when no point has any.
    """
    points = int(runs["point"].max()) + 1 if len(runs) else 0
    y = responses(runs, metric, scenario, baseline, points)
    y = y[~np.isnan(y)]
    return float((y > 0).mean()) if y.size else math.nan


def write_table(out: Path, table: pd.DataFrame) -> None:
    """Write ``sensitivity.csv`` atomically."""
    write_atomic(out / TABLE_FILE, lambda p: table.to_csv(p, index=False))


def _salib_version() -> str:
    try:
        return metadata.version("SALib")
    except metadata.PackageNotFoundError:
        return "unknown"
