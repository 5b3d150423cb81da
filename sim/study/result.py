"""A study's results as tidy frames, and the table printed at its end."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.decompose import INPUTS, PARTS, decompose
from sim.metrics import HEADLINE, summary
from sim.output import write_atomic
from sim.spreadsheet import inert_frame
from sim.study import sensitivity, store
from sim.study.plan import Plan
from sim.study.stats import mean_interval, summarise

FEW = 5  # below this many replications, the table warns that its intervals are wide

# The headline metrics (``sim.metrics.HEADLINE``): column of the per-run table -> short label,
# and how to show a value.
KEY_METRICS: dict[str, tuple[str, str]] = {m.name: (m.label, m.kind) for m in HEADLINE}


@dataclass
class StudyResult:
    """Everything a study produced, as tidy frames.

    Attributes
    ----------
    name, path, baseline
        The study's name, its results folder and the baseline scenario's label.
    sweep
        Names of the swept variables (columns of the frames below).
    runs
        One row per stored run: ``scenario``, ``point``, the sweep variables, ``replication``,
        ``seed``, ``wall_time_s`` and the run's whole-horizon metrics (``sim.metrics.summary``).
    timeseries
        One row per run and month: the same keys and every monthly output column.
    summary
        One row per scenario, point and metric: ``n``, ``mean``, ``low``, ``high`` (95 %
        interval) and the paired difference to the baseline ``diff``, ``diff_low``,
        ``diff_high`` (over ``pairs`` replications).
    failures
        One row per run that raised or whose worker died: the keys and the ``error``.
    planned
        Number of runs the study asks for.
    horizons
        The simulated years of the variants.
    sensitivity
        Morris or Sobol studies: the indices, one row per scenario, metric, parameter and
        index (``sensitivity.COLUMNS``); empty for other studies or before every point has runs.
    sensitivity_notes
        What limits those indices (points without runs, a Sobol sample too small).
    """

    name: str
    path: Path
    baseline: str
    sweep: list[str]
    runs: pd.DataFrame
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    failures: pd.DataFrame
    planned: int
    horizons: list[int] = field(default_factory=list)
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    sensitivity_notes: list[str] = field(default_factory=list)
    method: str = "grid"

    @property
    def decomposition(self) -> pd.DataFrame:
        """Return where each strategy's difference in operating profit comes from.

        One row per strategy, sweep point and part of ``sim.decompose.PARTS`` (then
        ``total``): the mean over the paired replications and its 95 % interval, USD
        (``paired_parts``). Empty when no run is stored.
        """
        if self.runs.empty or not set(INPUTS) <= set(self.runs.columns):
            return pd.DataFrame()
        return paired_parts(self.runs, self.baseline, keys=["point", *self.sweep])

    @property
    def complete(self) -> bool:
        """Whether every planned run is stored."""
        return len(self.runs) == self.planned

    def table(self, metrics: dict[str, tuple[str, str]] | None = None) -> str:
        """Return the headline table: scenarios x key metrics, intervals and differences."""
        return format_table(self, metrics or KEY_METRICS)


def collect(out: Path, plan: Plan) -> StudyResult:
    """Read every stored run of the plan into tidy frames and compute the statistics."""
    keys = ["scenario", "point", *plan.sweep_names]
    runs, series, failures = [], [], []
    for task in plan.tasks:
        ident = {
            "scenario": task.variant.label,
            "point": task.variant.point,
            **task.variant.values,
            "replication": task.replication,
            "seed": task.seed,
        }
        if store.is_done(out, task):
            frame, meta = store.read_run(out, task)
            runs.append({**ident, "wall_time_s": meta.get("wall_time_s"), **summary(frame)})
            series.append(frame.assign(**ident))
            continue
        error = store.read_error(out, task)
        if error is not None:
            failures.append({**ident, "error": error})
    runs_frame = pd.DataFrame(runs)
    columns = [*keys, "replication", "seed"]
    timeseries = (
        pd.concat(series, ignore_index=True)[[*columns, *series[0].columns.drop(columns)]]
        if series
        else pd.DataFrame()
    )
    metrics = [c for c in runs_frame.columns if c not in {*columns, "wall_time_s", "years"}]
    stats = (
        summarise(runs_frame, metrics, plan.baseline_label, keys=["point", *plan.sweep_names])
        if len(runs_frame)
        else pd.DataFrame()
    )
    indices, notes = _sensitivity(runs_frame, plan)
    return StudyResult(
        name=plan.study.name,
        path=out,
        baseline=plan.baseline_label,
        sweep=plan.sweep_names,
        runs=runs_frame,
        timeseries=timeseries,
        summary=stats,
        failures=pd.DataFrame(failures),
        planned=len(plan.tasks),
        horizons=sorted({v.scenario.calendar.horizon_years for v in plan.variants}),
        sensitivity=indices,
        sensitivity_notes=notes,
        method=plan.study.sweep.method if plan.study.sweep else "grid",
    )


def _sensitivity(runs: pd.DataFrame, plan: Plan) -> tuple[pd.DataFrame, list[str]]:
    """Return the Morris or Sobol indices of a sample study and their notes (else nothing)."""
    sweep = plan.study.sweep
    if plan.sample is None or sweep is None:
        return pd.DataFrame(), []
    labels = list(dict.fromkeys(v.label for v in plan.variants))
    if runs.empty:
        return pd.DataFrame(columns=list(sensitivity.COLUMNS)), ["no sample point has runs yet"]
    quantities = sensitivity.quantities(sweep, len(labels))
    return sensitivity.analyse(runs, plan.sample, quantities, labels, plan.baseline_label)


def write_tables(result: StudyResult) -> None:
    """``summary.csv`` (statistics), ``runs.csv`` (per-run metrics) and ``decomposition.csv``.

    ``decomposition.csv`` holds ``StudyResult.decomposition`` (where each strategy's
    difference in operating profit comes from). Every file is written atomically.

    No text cell starts a formula when the files are opened in a spreadsheet
    (``sim.spreadsheet.inert``); numbers are written as numbers.
    """
    tables = [
        ("summary.csv", result.summary),
        ("runs.csv", result.runs),
        ("decomposition.csv", result.decomposition),
    ]
    if result.method in ("morris", "sobol"):
        tables.append(("sensitivity.csv", result.sensitivity))
    for name, frame in tables:
        write_atomic(result.path / name, _csv_writer(inert_frame(frame)))


def _csv_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
    """Return a function that writes ``frame`` as CSV, without its index, to a path."""

    def write(path: Path) -> None:
        frame.to_csv(path, index=False)

    return write


# Money is shown in millions, or in thousands when every mean of the column is below a million.
MONEY_UNITS = ((1e6, " $M", 2), (1e3, " $k", 1))
DECIMALS = {"share": 1, "count": 0}


def column_scale(kind: str, means: pd.Series) -> tuple[float, str, int]:
    """Divisor, unit label and decimals of a column."""
    if kind == "money":
        big = means.abs().max() >= 1e6 if len(means) else True
        return MONEY_UNITS[0] if big else MONEY_UNITS[1]
    if kind == "share":
        return 0.01, " %", DECIMALS["share"]
    return 1.0, "", DECIMALS["count"]


def cap_share(value: float) -> float:
    """Cut a bound of a share's interval to 0-1: a share cannot be below 0 % or above 100 %.

    A t interval of few replications can pass 0 % or 100 % (94.6 [83.8, 105.4] at 5
    replications); the command's table, the report and the workbook show it cut to the range.

    Parameters
    ----------
    value : float
        A bound (share 0-1); NaN stays NaN.

    Returns
    -------
    float
        ``value`` within 0-1.
    """
    return value if math.isnan(value) else min(max(value, 0.0), 1.0)


def _value(x: float, scale: tuple[float, str, int], signed: bool = False) -> str:
    if math.isnan(x):
        return "n/a"
    divisor, _, decimals = scale
    shown = round(x / divisor, decimals)
    if shown == 0:
        return f"{0:.{decimals}f}"  # never "-0" or "+0.00"
    sign = "+" if signed and shown > 0 else ""
    return f"{sign}{shown:,.{decimals}f}"


def format_cell(
    mean: float, low: float, high: float, scale: tuple[float, str, int], signed: bool = False
) -> str:
    """Show a mean with its interval, ``mean [low, high]`` (the mean alone when NaN bounds).

    Parameters
    ----------
    mean, low, high : float
        The value and its 95 % interval, in the metric's unit (USD, share 0-1, count).
    scale : tuple of (float, str, int)
        Divisor, unit label and decimals (``column_scale``).
    signed : bool
        Whether a positive mean is shown with ``+`` (a difference).

    Returns
    -------
    str
        The cell; ``n/a`` for a NaN mean.
    """
    if math.isnan(low):
        return _value(mean, scale, signed)
    return f"{_value(mean, scale, signed)} [{_value(low, scale)}, {_value(high, scale)}]"


def format_table(result: StudyResult, metrics: dict[str, tuple[str, str]]) -> str:
    """Scenarios x metrics as text: mean [95 % interval], and a paired-difference line."""
    if result.summary.empty:
        return f"{result.name}: no finished runs"
    stats = result.summary.set_index(["scenario", "point", "metric"])
    scales = {
        metric: column_scale(kind, result.summary.loc[result.summary["metric"] == metric, "mean"])
        for metric, (_, kind) in metrics.items()
    }
    header = ["scenario", *(f"{label}{scales[m][1]}" for m, (label, _) in metrics.items())]
    rows: list[list[str]] = []
    points = result.runs.drop_duplicates("point").sort_values("point")
    for _, point in points.iterrows():
        if result.sweep:
            shown = ", ".join(f"{n}={short(point[n])}" for n in result.sweep)
            rows.append([f"-- {shown}"] + [""] * len(metrics))
        order = list(dict.fromkeys(result.runs["scenario"]))
        for scenario in order:
            if (scenario, point["point"], next(iter(metrics))) not in stats.index:
                continue
            base = scenario == result.baseline
            line = [scenario + (" (baseline)" if base else "")]
            diff = [f"  vs {result.baseline}"]
            for metric in metrics:
                key: Any = (scenario, point["point"], metric)
                s, scale = stats.loc[key], scales[metric]
                low, high = float(s["low"]), float(s["high"])
                if metrics[metric][1] == "share":
                    low, high = cap_share(low), cap_share(high)
                line.append(format_cell(s["mean"], low, high, scale))
                diff.append(
                    format_cell(s["diff"], s["diff_low"], s["diff_high"], scale, signed=True)
                )
            rows.append(line)
            if not base:
                rows.append(diff)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def short(value: object) -> str:
    """Show a sweep value briefly: a float to 4 significant digits, anything else as text."""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def report_text(result: StudyResult) -> str:
    """Return what the command prints at the end: the table, failures, where the results are."""
    years = ", ".join(str(y) for y in result.horizons)
    plural = "" if result.horizons == [1] else "s"
    lines = [
        "",
        f"{result.name}: {len(result.runs)} of {result.planned} runs; totals over {years} "
        f"year{plural}; mean [95 % interval]; 'vs' lines: paired difference to "
        f"{result.baseline} [95 % interval]",
        "",
        result.table() if result.method not in ("morris", "sobol") else sensitivity_text(result),
    ]
    runs = result.runs
    fewest = int(runs.groupby(["scenario", "point"]).size().min()) if not runs.empty else 0
    if fewest == 1:
        lines += [
            "",
            "note: only 1 replication per scenario: there are no intervals, and no difference "
            "can be told from chance; use 10 or more to compare",
        ]
    elif 0 < fewest < FEW:
        lines += [
            "",
            f"note: only {fewest} replication{'s' if fewest != 1 else ''} per scenario: the "
            "intervals are wide (shares' are cut at 0 % and 100 %); use 10 or more to compare",
        ]
    if not result.failures.empty:
        count = len(result.failures)
        lines += ["", f"{count} runs failed (their errors are in runs/*.error.json):"]
        for _, failure in result.failures.head(10).iterrows():
            lines.append(
                f"  {failure['scenario']} replication {failure['replication']} "
                f"(seed {failure['seed']}): {failure['error']}"
            )
    lines += [
        "",
        f"results: {result.path}/ (summary.csv, runs.csv, decomposition.csv, "
        + ("sensitivity.csv, sample.json, " if result.method in ("morris", "sobol") else "")
        + "runs/*.parquet, manifest.json)",
    ]
    return "\n".join(lines)


def sensitivity_text(result: StudyResult) -> str:
    """Return the indices of a Morris or Sobol study as text, the strongest parameter first.

    Morris: μ* with its 95 % interval's half-width and σ; Sobol: ST and S1 with theirs. A
    difference is followed by the share of the sample points where it is positive.
    """
    table, lines = result.sensitivity, []
    points = result.runs["point"].nunique() if not result.runs.empty else 0
    morris = result.method == "morris"
    keys = ["scenario", "metric", "quantity"]
    for (scenario, metric, quantity), rows in table.groupby(keys, sort=False) if len(table) else ():
        scenario, metric = str(scenario), str(metric)
        what = f"{scenario} − {result.baseline}" if quantity == "difference" else str(scenario)
        first, second = ("mu_star", "sigma") if morris else ("ST", "S1")
        wide = rows.pivot_table(index="parameter", columns="index", values=["value", "conf"])
        wide = wide.sort_values(("value", first), ascending=False)
        width = max(len(str(p)) for p in wide.index)
        heading = "μ* ± 95 %, σ" if morris else "ST ± 95 %, S1 ± 95 %"
        lines.append(f"{metric} of {what} over {points} sample points ({heading}):")
        for parameter, row in wide.iterrows():
            cells = [f"{row[('value', first)]:.4g} ± {row[('conf', first)]:.2g}"]
            if morris:
                cells.append(f"σ {row[('value', second)]:.4g}")
            else:
                cells.append(f"S1 {row[('value', second)]:.3g} ± {row[('conf', second)]:.2g}")
            lines.append(f"  {str(parameter).ljust(width)}  " + "   ".join(cells))
        if quantity == "difference":
            share = sensitivity.positive_share(result.runs, metric, scenario, result.baseline)
            lines.append(f"  {what} > 0 at {share:.0%} of the sample points")
    lines += [f"note: {note}" for note in result.sensitivity_notes]
    return "\n".join(lines) if lines else f"{result.name}: no sensitivity indices yet"


def paired_parts(
    runs: pd.DataFrame, baseline: str, keys: Sequence[str] = ("point",)
) -> pd.DataFrame:
    """Return each strategy's split against the baseline: means and 95 % intervals.

    Parameters
    ----------
    runs : pandas.DataFrame
        One row per run: ``scenario``, ``replication``, the ``keys`` (the sweep point) and the
        metrics of ``sim.decompose.INPUTS`` (a study's ``runs.csv``).
    baseline : str
        The baseline scenario's label.
    keys : sequence of str
        Columns that tell the sweep points apart; a strategy is paired with the baseline at
        the same point, replication by replication.

    Returns
    -------
    pandas.DataFrame
        One row per strategy, point and part (``sim.decompose.PARTS`` then ``total``):
        ``scenario``, the ``keys``, ``part``, ``label``, ``mean``, ``low``, ``high`` [USD] (the
        mean over the paired replications and its 95 % t-interval, ``mean_interval``) and
        ``pairs``. Empty when there is no strategy or no paired replication.
    """
    labels = {**PARTS, "total": "Operating profit (sum)"}
    rows = []
    for key_values, group in runs.groupby(list(keys), sort=True):
        key_values = key_values if isinstance(key_values, tuple) else (key_values,)
        base = group[group["scenario"] == baseline].set_index("replication")
        for scenario, mine in group.groupby("scenario", sort=False):
            if scenario == baseline:
                continue
            mine = mine.set_index("replication")
            common = mine.index.intersection(base.index)
            if not len(common):
                continue
            parts = decompose(
                {k: mine.loc[common, k].to_numpy() for k in INPUTS},
                {k: base.loc[common, k].to_numpy() for k in INPUTS},
            )
            for part, values in parts.items():
                interval = mean_interval(values)
                rows.append(
                    {
                        "scenario": scenario,
                        **dict(zip(keys, key_values, strict=True)),
                        "part": part,
                        "label": labels[part],
                        "mean": interval.mean,
                        "low": interval.low,
                        "high": interval.high,
                        "pairs": interval.n,
                    }
                )
    return pd.DataFrame(rows)
