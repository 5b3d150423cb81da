"""Build a study's report from its stored results (never by running the model again).

``build_report("results/strategies")`` writes, into that folder:

- ``report.html``: one self-contained page (figures embedded; opens offline);
- ``report.pdf``: the same report for printing or sending;
- ``report.xlsx``: its tables as numbers, for a spreadsheet (``sim.report.workbook``);
- ``figures/NN-<name>.png``: each figure, for slides.

Every file is written atomically, the page last, so an interrupted build leaves no page that
looks complete.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO, cast

import pandas as pd
import yaml
from matplotlib.figure import Figure

from sim import __version__
from sim.output import folder_problem, write_atomic
from sim.report import figures as fig
from sim.report import frames, tables
from sim.report import summary as conclusion
from sim.report.figures import nice
from sim.report.html import Page, Shown, render
from sim.report.pdf import write_pdf
from sim.report.style import DPI, stamp, strategy_looks
from sim.report.workbook import XLSX, Contents, write_workbook
from sim.sources import name_sources
from sim.study import sensitivity, store
from sim.study.result import FEW, KEY_METRICS, StudyResult, short
from sim.study.runner import StudyError, load

HTML, PDF, FIGURES = "report.html", "report.pdf", "figures"
Drawing = tuple[str, str, str, Figure]  # file key, title, caption, figure
SWEEP_KEYS = ("break-even", "heat-map", "sensitivity")  # these show every point of a sweep
FIGURE_KEYS = (
    "differences", "clients", "revenue", "cost-profit", "revenue-sources", "cost-roles",
    "cost-kinds", "survival", "losses", "team", "break-even", "heat-map", "sensitivity",
)  # fmt: skip
DOC_VALIDATION = "docs/VALIDATION.md"
SAMPLED = ("morris", "sobol")  # sweeps whose points feed a sensitivity analysis

CLIENT_SERIES = {
    "active_clients": ("Active clients", "count"),
    "new_clients": ("New clients a month\n(3-month average)", "count"),
    "lost_clients": ("Clients lost a month\n(3-month average)", "count"),
}
REVENUE_SERIES = {
    "revenue_booked": ("Revenue booked a month", "money"),
    "revenue_collected": ("Revenue collected a month", "money"),
    "gross_profit": ("Gross profit a month", "money"),
}
COST_SERIES = {
    "staff_cost": ("Staff cost a month", "money"),
    "profit": ("Operating profit a month", "money"),
    "cumulative_profit": ("Operating profit\nto date", "money"),
}
SMOOTHED = {"new_clients": 3, "lost_clients": 3}  # noisy month to month: 3-month averages
DIFFERENCES = {
    "profit": ("Operating profit", "money"),
    "revenue_collected": ("Revenue collected", "money"),
    "gross_profit": ("Gross profit", "money"),
    "staff_cost": ("Staff cost", "money"),
}


@dataclass
class Report:
    """What a build wrote, and what a reader should know about it."""

    html: Path
    pdf: Path
    figures: list[Path]
    notes: list[str] = field(default_factory=list)
    point: int = 0
    xlsx: Path | None = None


@dataclass
class _Context:
    result: StudyResult
    manifest: dict[str, Any]
    point: int
    strategies: list[str]
    looks: dict[str, Any]
    timeseries: pd.DataFrame
    runs: pd.DataFrame
    summary: pd.DataFrame
    where: str  # "" or ", at company_size=15, ..." for a sweep
    identifiers: dict[str, str] = field(default_factory=dict)  # display name -> identifier


def build_report(
    folder: str | Path,
    point: int | None = None,
    stream: TextIO | None = None,
    out: str | Path | None = None,
) -> Report:
    """Write the report of the study stored in ``folder``; return where it went.

    The report goes into ``out``, by default that same folder.

    ``point`` picks the sweep point the headline and the per-strategy sections show (default:
    the last point at which the baseline and another strategy have runs); the sweep sections
    always show every point.
    """
    stream = sys.stderr if stream is None else stream
    results = _results_folder(Path(folder))
    result = load(results)
    manifest = store.read_manifest(results)
    if result.runs.empty:
        raise StudyError(f"{results}: no finished runs to report on{_other_versions(results)}")
    shown, manifest = _displayed(result, manifest)
    ctx = _context(shown, manifest, point)
    ctx.identifiers = {str(v["label"]): str(v["id"]) for v in manifest["variants"]}
    target = results if out is None else Path(out)
    _check_writable(target)
    notes = _notes(ctx, results)
    built = _figures(ctx)
    try:
        return _write(target, ctx, notes, built, stream)
    except OSError as err:
        where = err.filename or target
        raise StudyError(f"{where}: cannot write the report ({err.strerror or err})") from None


def _results_folder(folder: Path) -> Path:
    """Return the folder given, with a hint when it is a study file or a file of the folder."""
    if folder.is_file():
        if folder.name == store.MANIFEST:
            return folder.parent
        raise StudyError(
            f"{folder}: is a file; give a study's results folder (a study writes them to "
            f"results/<study name>, e.g. results/{folder.stem})"
        )
    return folder


def _check_writable(out: Path) -> None:
    """Refuse before drawing anything when the report's files cannot be written."""
    problem = folder_problem(out)
    if problem is not None:
        raise StudyError(problem)
    for folder in (out, out / FIGURES):
        if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
            raise StudyError(f"{folder}: the folder is not writable; the report goes there")


def _write(
    out: Path, ctx: _Context, notes: list[str], built: list[Drawing], stream: TextIO
) -> Report:
    """Write the figures, the PDF and the page (the page last)."""
    result, manifest = ctx.result, ctx.manifest
    folder_figures = out / FIGURES
    paths = []
    for i, (key, _, _, figure) in enumerate(built, start=1):
        path = folder_figures / f"{i:02d}-{key}.png"
        stamp(figure, _footer(ctx, every_point=key in SWEEP_KEYS))
        print(f"report: drawing {path.name}", file=stream, flush=True)
        write_atomic(path, functools.partial(figure.savefig, format="png", dpi=DPI))
        paths.append(path)
    _remove_stale(folder_figures, paths)
    headline = tables.headline(ctx.summary, result.baseline, ctx.strategies)
    parts = result.decomposition
    if not parts.empty:
        parts = parts[parts["point"] == ctx.point]
    decomposition = tables.decomposition(parts, ctx.strategies)
    scenarios = _scenarios(result.path, manifest, ctx.point)
    settings = tables.differing_settings(scenarios)
    provenance = [
        *tables.provenance(manifest, len(result.runs), len(result.failures)),
        ("strategies", _identified(ctx)),
        ("report built", f"{_now()} by salesim {__version__}, from the stored runs only"),
        (
            "validation",
            "how the model is verified, calibrated to field patterns and validated: "
            "docs/VALIDATION.md in the salesim source (the patterns of a scenario: "
            "salesim patterns SCENARIO.yaml)",
        ),
    ]
    listed = result.sweep and result.method not in SAMPLED  # a sample's points: sample.json
    points = tables.points_table(result.runs, result.sweep) if listed else pd.DataFrame()
    title = f"salesim report: {result.name}"
    description = str(manifest.get("study_resolved", {}).get("description") or "").strip()
    description = name_sources(description)  # the books by title, not "seed 002"
    page = Page(
        title=title,
        description=description,
        notes=notes,
        headline=headline,
        headline_caption=_headline_caption(ctx),
        strategies=ctx.strategies,
        colours={s: look.colour for s, look in ctx.looks.items()},
        baseline=result.baseline,
        figures=[
            Shown(key, name, caption, path.read_bytes())
            for (key, name, caption, _), path in zip(built, paths, strict=True)
        ],
        settings=settings,
        points=points,
        provenance=provenance,
        study_text=str(manifest.get("study_text") or ""),
        files=[f"{FIGURES}/{p.name}" for p in paths],
        decomposition=decomposition,
        decomposition_caption=_decomposition_caption(ctx),
        conclusion=_conclusion(ctx),
        conclusion_rule=conclusion.RULE,
        documents=_documents(out),
    )
    contents = _workbook(ctx, scenarios, provenance, notes)
    write_atomic(out / XLSX, lambda p: write_workbook(p, contents))
    drawn = [(name, caption, figure) for _, name, caption, figure in built]
    write_atomic(out / PDF, lambda p: write_pdf(p, page, drawn))
    text = render(page)
    write_atomic(out / HTML, lambda p: p.write_text(text, encoding="utf-8"))
    return Report(out / HTML, out / PDF, paths, notes, ctx.point, out / XLSX)


def _workbook(
    ctx: _Context,
    scenarios: dict[str, dict[str, Any]],
    provenance: list[tuple[str, str]],
    notes: list[str],
) -> Contents:
    """Return what the workbook shows: the study's frames as numbers, the page's texts."""
    result = ctx.result
    return Contents(
        summary=result.summary,
        runs=result.runs,
        timeseries=ctx.timeseries,
        strategies=list(dict.fromkeys(v["label"] for v in ctx.manifest["variants"])),
        baseline=result.baseline,
        sweep=result.sweep,
        scenarios=scenarios,
        provenance=provenance,
        notes=[
            *(("note", n) for n in notes),
            (
                "headline sheet",
                f"Totals over {_years(result.runs)} at each point: the mean of the replications "
                "with its 95 % interval (low, high); Δ: the paired difference to "
                f"{result.baseline} (common random numbers) with its 95 % interval, significant "
                "(bold) when the interval excludes 0; blue: the best mean of the column at its "
                "point. Retention: the 12-month retention at the end; "
                "clients: the active clients at the end.",
            ),
            ("monthly sheet", f"Each month{ctx.where}: the mean of the replications."),
        ],
        variants=ctx.manifest["variants"],
    )


def _displayed(result: StudyResult, manifest: dict[str, Any]) -> tuple[StudyResult, dict[str, Any]]:
    """Return the results and manifest with every strategy under its label as written.

    The manifest's variants keep their identifier as ``id``; studies stored before labels
    were display names show their identifiers.
    """
    shown = {str(v["label"]): str(v.get("display") or v["label"]) for v in manifest["variants"]}
    if len(set(shown.values())) < len(shown):  # not one name each: show the identifiers
        shown = {label: label for label in shown}

    def rename(frame: pd.DataFrame) -> pd.DataFrame:
        if "scenario" not in frame.columns:
            return frame
        return frame.assign(scenario=frame["scenario"].map(lambda s: shown.get(s, s)))

    result = dataclasses.replace(
        result,
        baseline=shown.get(result.baseline, result.baseline),
        runs=rename(result.runs),
        timeseries=rename(result.timeseries),
        summary=rename(result.summary),
        sensitivity=rename(result.sensitivity),
    )
    variants = [{**v, "id": v["label"], "label": shown[v["label"]]} for v in manifest["variants"]]
    return result, {**manifest, "variants": variants}


def _identified(ctx: _Context) -> str:
    """List each strategy's label as shown and its identifier in the stored results."""
    return "; ".join(
        f"{label} (identifier {ident})" if label != ident else ident
        for label, ident in ctx.identifiers.items()
    )


def _conclusion(ctx: _Context) -> list[str]:
    """Return the executive summary's sentences (``sim.report.summary``)."""
    result = ctx.result
    studies = [f"studies/{n}.yaml" for n in ("sensitivity", "sensitivity_sobol")]
    assumptions = conclusion.assumptions_sentence(
        result.method, result.sensitivity, result.baseline, studies
    )
    lines = conclusion.summarise(
        ctx.runs, result.baseline, ctx.strategies, _years(ctx.runs), assumptions
    )
    if result.sweep:
        lines.insert(0, f"At point {ctx.point} of the sweep{ctx.where}.")
    return lines


def _documents(out: Path) -> list[tuple[str, str, str]]:
    """Return the model's documents: name, path in the source, link from ``out`` ("" if none).

    The link is relative to the report's folder when the salesim source (with its docs/) is
    on this machine, as in a clone; an installed package has no docs/, so the path is text.
    """
    source = Path(__file__).resolve().parents[2]
    listed = []
    for name, path in (("The model (ODD)", "docs/MODEL.md"), ("Validation", DOC_VALIDATION)):
        found = source / path
        href = Path(os.path.relpath(found, out.resolve())).as_posix() if found.is_file() else ""
        listed.append((name, path, href))
    return listed


def _footer(ctx: _Context, every_point: bool) -> str:
    """Say what a figure shows, for a slide that travels without the page."""
    head = f"salesim · study {ctx.result.name} · {_replications(ctx)} replications · "
    if every_point:
        return head + f"every point of the sweep ({ctx.result.runs['point'].nunique()})"
    return head + _years(ctx.runs) + ctx.where.replace(", at ", " · at ")


def _context(result: StudyResult, manifest: dict[str, Any], point: int | None) -> _Context:
    points = sorted(result.runs["point"].unique().tolist())
    if point is None:
        point = _default_point(result.runs, result.baseline)
    elif not result.sweep and point != points[0]:
        raise StudyError(f"--point {point}: this study has no sweep (--point picks a sweep point)")
    elif point not in points:
        table = tables.points_table(result.runs, result.sweep)
        listed = "; ".join(
            f"{r['point']} ({', '.join(f'{n} = {r[n]}' for n in result.sweep)})"
            for _, r in table.iterrows()
        )
        raise StudyError(f"--point {point}: this study has runs at points {listed}")
    labels = list(dict.fromkeys(v["label"] for v in manifest["variants"]))
    present = set(result.runs.loc[result.runs["point"] == point, "scenario"])
    strategies = [s for s in labels if s in present]
    where = ""
    if result.sweep:
        values = result.runs[result.runs["point"] == point].iloc[0]
        where = ", at " + ", ".join(f"{n} = {short(values[n])}" for n in result.sweep)
    return _Context(
        result=result,
        manifest=manifest,
        point=point,
        strategies=strategies,
        looks=strategy_looks(labels, result.baseline),
        timeseries=result.timeseries[result.timeseries["point"] == point],
        runs=result.runs[result.runs["point"] == point],
        summary=result.summary[result.summary["point"] == point],
        where=where,
    )


def _default_point(runs: pd.DataFrame, baseline: str) -> int:
    """Return the last point (of a sweep) with runs of the baseline and another strategy.

    Without such a point, the last point with runs.
    """
    compared = [
        cast(int, p)
        for p, at in runs.groupby("point")
        if baseline in set(at["scenario"]) and at["scenario"].nunique() > 1
    ]
    return int(max(compared)) if compared else int(runs["point"].max())


def _notes(ctx: _Context, out: Path) -> list[str]:
    result, notes = ctx.result, []
    if not result.complete:
        notes.append(
            f"Only {len(result.runs)} of the {result.planned} planned runs are stored: the study "
            "was interrupted or some runs failed. Run the study again to finish it, then rebuild."
            + _other_versions(out)
        )
    if not result.failures.empty:
        notes.append(f"{len(result.failures)} runs failed; see runs/*.error.json.")
    if result.baseline not in ctx.strategies:
        notes.append(
            f"The baseline {result.baseline} has no stored runs{ctx.where}, so no differences "
            "to it can be shown."
        )
    short = _short_of_runs(ctx)
    if short:
        notes.append(f"Fewer replications than planned{ctx.where}: {short}.")
    counted = ctx.summary["n"][ctx.summary["n"] > 0]  # a metric NaN in every run counts none
    fewest = int(counted.min()) if not counted.empty else 0
    if fewest == 1:
        notes.append(
            "Only 1 replication for some strategies: there are no intervals, and no difference "
            "can be told from chance; use 10 or more replications to compare."
        )
    elif 0 < fewest < FEW:
        notes.append(
            f"Only {_replications(ctx)} replications per strategy: the intervals are wide; use "
            "10 or more to compare."
        )
    notes += [f"Sensitivity: {note}." for note in result.sensitivity_notes]
    if result.sweep:
        notes.append(
            f"The headline and the sections up to the team show one point of the sweep: point "
            f"{ctx.point}{ctx.where}; choose another with salesim report --point N (the points "
            + (
                "are in sample.json, in order)."
                if result.method in SAMPLED
                else "are listed at the end of the page)."
            )
        )
    return notes


def _short_of_runs(ctx: _Context) -> str:
    """Return the strategies with fewer stored runs than planned at the point shown."""
    planned = {
        v["label"]: len(v["seeds"]) for v in ctx.manifest["variants"] if v["point"] == ctx.point
    }
    stored = ctx.runs.groupby("scenario").size()
    short = [
        f"{s} {int(stored.get(s, 0))} of {n}"
        for s, n in planned.items()
        if int(stored.get(s, 0)) < n
    ]
    return ", ".join(short)


def _replications(ctx: _Context) -> str:
    """How many replications the statistics rest on: "30", or "2-3" when they differ."""
    counted = ctx.summary["n"][ctx.summary["n"] > 0]  # a metric NaN in every run counts none
    if counted.empty:
        return "0"
    low, high = int(counted.min()), int(counted.max())
    return str(high) if low == high else f"{low}-{high}"


def _other_versions(out: Path) -> str:
    """Return a hint when the folder holds runs stored by another version of salesim."""
    versions: dict[str, int] = {}
    unreadable = 0
    for path in sorted((out / store.RUNS).glob("*.parquet")):
        meta = store.read_metadata(path)
        if meta is None:
            unreadable += 1
            continue
        version = str(meta.get("salesim", "?"))
        if version != __version__:
            versions[version] = versions.get(version, 0) + 1
    damaged = f" ({unreadable} run files are unreadable and run again)" if unreadable else ""
    if not versions:
        return damaged
    listed = ", ".join(f"{n} by salesim {v}" for v, n in versions.items())
    return (
        f" ({listed}; this is salesim {__version__}, whose model may differ: run the study "
        "again to rerun them)"
    )


def _figures(ctx: _Context) -> list[Drawing]:
    """Every figure with its file key, title and caption, in the report's order."""
    result, looks, ts = ctx.result, ctx.looks, ctx.timeseries
    base, n = result.baseline, int(ctx.summary["n"].max()) if not ctx.summary.empty else 0
    reps = _replications(ctx)
    years = _years(ctx.runs)
    bands = frames.series_bands(
        ts,
        [*CLIENT_SERIES, *REVENUE_SERIES, "staff_cost", "profit", "cumulative_profit"],
        smooth=SMOOTHED,
    )
    drawings: list[tuple[str, str, str, Callable[[], Figure]]] = []
    if len(ctx.strategies) > 1 and base in ctx.strategies:
        drawings.append((
            "differences", f"Against {base}{ctx.where}",
            f"Each strategy's {years} totals minus {base}'s, replication by replication "
            f"(common random numbers, {reps} pairs): the dot is the mean difference, the "
            "whisker its 95 % interval. A whisker that does not cross the line is a real "
            "difference."
            if n > 1 else
            f"Each strategy's {years} totals minus {base}'s in the one replication stored: with "
            "no interval, a difference cannot be told from chance.",
            lambda: fig.plot_differences(ctx.summary, base, DIFFERENCES, looks),
        ))  # fmt: skip
    band_note = (
        f"Lines: the mean of {reps} replications; bands: its 95 % interval."
        if n > 1
        else "Lines: the one replication stored (no interval)."
    )
    drawings += [
        ("clients", f"Clients month by month{ctx.where}", band_note,
         lambda: fig.plot_series(bands, CLIENT_SERIES, looks)),
        ("revenue", f"Revenue month by month{ctx.where}",
         band_note + " Booked: orders and projects signed; collected: payments received; "
         "gross profit: collected - cost of goods.",
         lambda: fig.plot_series(bands, REVENUE_SERIES, looks)),
        ("cost-profit", f"Staff cost and operating profit{ctx.where}",
         band_note + " Operating profit = revenue collected - cost of goods - staff cost - "
         "other cost (programmes and tools).",
         lambda: fig.plot_series(bands, COST_SERIES, looks)),
        ("revenue-sources", f"Where the revenue comes from{ctx.where}",
         f"Revenue booked over {years}, mean of the replications. The VIP programme's part is "
         "its pitched sales and the extra usage of clients whose bottlenecks it fixed.",
         lambda: fig.plot_stacked(
             {"Revenue booked by source": frames.revenue_by_source(ts)},
             {"Revenue booked by source": list(frames.REVENUE_SOURCES.values())}, looks)),
        ("cost-roles", f"Where the money goes: cost by role{ctx.where}",
         f"Total cost over {years} (salaries, bonuses and workplaces of each role; programmes "
         "and tools: billing system, postage, VIP fixes), mean of the replications.",
         lambda: fig.plot_stacked(
             {"Cost by role": frames.cost_by_role(ts)},
             {"Cost by role": [*frames.ROLE_NAMES.values(), frames.COST_KINDS["other_cost"]]},
             looks, rest=frames.COST_KINDS["other_cost"])),
        ("cost-kinds", f"Where the money goes: cost by kind{ctx.where}",
         f"Total cost over {years} by kind, mean of the replications. Sellers' hours seconded "
         "to the VIP programme are inside salaries.",
         lambda: fig.plot_stacked(
             {"Cost by kind": frames.cost_by_kind(ts)},
             {"Cost by kind": list(frames.COST_KINDS.values())}, looks,
             rest=frames.COST_KINDS["other_cost"])),
        ("survival", f"Retention: cohort survival{ctx.where}",
         "Left: of the clients active at the start, the share still active without a break. "
         "Right: of the clients won during the run, the share still active without a break "
         "so many months after the month of the win (pooled over the months old enough; ages "
         f"with fewer than {frames.MIN_AT_RISK} clients won behind them are left out). "
         "Bands: 95 % intervals.",
         lambda: fig.plot_survival(frames.survival(ts, ctx.runs), looks)),
        ("losses", f"Retention: clients lost, by cause{ctx.where}",
         f"Clients who stopped being active over {years}, mean of the replications; right: per "
         "100 client-years (the active clients' months / 12), which compares strategies that "
         "keep different numbers of clients.",
         lambda: fig.plot_stacked(
             {"Clients lost": frames.losses_by_cause(ts),
              "Clients lost per 100 client-years": frames.losses_by_cause(ts, rate=True)},
             {"Clients lost": list(frames.LOSS_CAUSES.values()),
              "Clients lost per 100 client-years": list(frames.LOSS_CAUSES.values())},
             looks, kind={"Clients lost": "clients",
                          "Clients lost per 100 client-years": "per 100 client-years"})),
        ("team", f"The team{ctx.where}",
         "Averages over the last year: people on staff, hours worked / hours available, and "
         "clients in the role's books per person; whiskers: 95 % intervals.",
         lambda: fig.plot_team(frames.team(ts), looks)),
    ]  # fmt: skip
    sweep = _sweep_drawings(ctx)
    drawings = (
        sweep + drawings if result.method in SAMPLED else drawings + sweep
    )  # the answer first
    return [(key, title, caption, draw()) for key, title, caption, draw in drawings]


def _sweep_drawings(ctx: _Context) -> list[tuple[str, str, str, Callable[[], Figure]]]:
    result = ctx.result
    if result.method in SAMPLED:
        return _sensitivity_drawings(ctx)
    diffs = frames.differences(result.summary, "profit", result.sweep) if result.sweep else None
    if diffs is None or diffs.empty:
        return []
    x = result.sweep[0]
    second = result.sweep[1] if len(result.sweep) > 1 else None
    sweep = ctx.manifest.get("study_resolved", {}).get("sweep") or {}
    grid = sweep.get("method", "grid") == "grid"  # a Latin hypercube's points make no lines
    by = second if grid else None
    others = ", ".join(dict.fromkeys(diffs["scenario"]))
    if grid:
        how = (
            f"against {x}; bands: 95 % intervals. Diamonds mark where the mean difference "
            f"crosses zero, by straight lines between the points swept"
            f"{' (on the log scale drawn)' if frames.log_scale(diffs[x].to_numpy()) else ''}: "
            f"{_breakeven_text(diffs, x, by)}. Uncertain: an interval next to the crossing "
            "includes 0, so the point could lie elsewhere; more replications narrow it."
        )
    else:
        how = (
            f"at each point of the Latin hypercube against {x} (the other swept values vary "
            "from point to point, so no line is drawn); whiskers: 95 % intervals."
        )
    drawings = [
        (
            "break-even",
            f"Break-even: where does {others} pay against {result.baseline}?",
            "Profit difference to the baseline (totals over each point's horizon, paired "
            f"replications) {how}",
            lambda: fig.plot_breakeven(
                diffs, x, result.baseline, by=by, looks=ctx.looks, connect=grid
            ),
        )
    ]
    if second is not None:
        drawings.append(
            (
                "heat-map",
                f"Profit difference over {x} and {second}",
                "Mean paired profit difference to the baseline at every point; purple: the "
                "strategy earns more, orange: less (the same strength for the same size); "
                "'n.s.': its 95 % interval includes 0.",
                lambda: fig.plot_heatmap(diffs, x, second, result.baseline),
            )
        )
    return drawings


def _sensitivity_drawings(ctx: _Context) -> list[tuple[str, str, str, Callable[[], Figure]]]:
    """One figure per quantity analysed: Morris's μ*-σ chart or Sobol's bars."""
    result, table = ctx.result, ctx.result.sensitivity
    if table.empty:
        return []
    points = result.runs["point"].nunique()
    drawings: list[tuple[str, str, str, Callable[[], Figure]]] = []
    for (scenario, metric, quantity), rows in table.groupby(
        ["scenario", "metric", "quantity"], sort=False
    ):
        scenario, metric = str(scenario), str(metric)
        what = f"{scenario} − {result.baseline}" if quantity == "difference" else scenario
        label = DIFFERENCES.get(metric, (metric.replace("_", " ").capitalize(), ""))[0]
        title = f"Which assumptions decide: {label.lower()}, {what}"
        caption = _sensitivity_caption(result, rows, scenario, metric, str(quantity), points)
        money = KEY_METRICS.get(metric, ("", "money"))[1] == "money"
        if result.method == "morris":
            draw = functools.partial(fig.plot_morris, rows, title, money)
        else:
            draw = functools.partial(fig.plot_sobol, rows, title)
        drawings.append(("sensitivity", title, caption, draw))
    return drawings


def _sensitivity_caption(
    result: StudyResult, rows: pd.DataFrame, scenario: str, metric: str, quantity: str, points: int
) -> str:
    """How to read a sensitivity figure, and what it says: who decides, and the sign."""
    what = (
        f"{scenario}'s {metric} minus {result.baseline}'s, replication by replication (common "
        "random numbers), averaged at each point"
        if quantity == "difference"
        else f"{scenario}'s {metric}, the mean of the replications at each point"
    )
    if result.method == "morris":
        how = (
            f"Morris screening over {points} sample points of {what}. μ*: the mean absolute "
            "change of the quantity when one parameter moves across its range (a step of "
            "its grid), with its 95 % bootstrap interval; σ: how much that change varies with "
            "the other parameters (interactions, or a curved response). Deciding: μ* at "
            f"least {sensitivity.MORRIS_SHARE:.0%} of the largest."
        )
    else:
        how = (
            f"Sobol indices over {points} sample points of {what}, with 95 % bootstrap "
            "intervals. S1: the share of the quantity's variance a parameter causes alone; ST: "
            "with its interactions. Deciding: ST's interval above "
            f"{sensitivity.SOBOL_DECIDES:.0%}."
        )
    deciding = [nice(p) for p in sensitivity.deciding(rows, scenario, metric)]
    said = f" Deciding here: {', '.join(deciding)}." if deciding else " No parameter decides."
    if quantity == "difference":
        share = sensitivity.positive_share(result.runs, metric, scenario, result.baseline)
        if share in (0.0, 1.0):
            sign = (
                f" {scenario} {'wins' if share == 1.0 else 'loses'} at every sample point: "
                "within the ranges sampled, its sign does not depend on them."
            )
        else:
            sign = (
                f" {scenario} wins (a positive difference) at {share:.0%} of the sample points: "
                "its sign depends on these assumptions."
            )
        said += sign
    return how + said


def _breakeven_text(diffs: pd.DataFrame, x: str, by: str | None) -> str:
    """Describe the crossings the chart marks, in words."""
    log = frames.log_scale(diffs[x].to_numpy())
    keys = ["scenario", by] if by else ["scenario"]
    parts = []
    for key, line in diffs.groupby(keys, sort=False):
        strategy, *group = key if isinstance(key, tuple) else (key,)
        line = line.sort_values(x)
        xs, low, high = (line[c].to_numpy(float) for c in (x, "diff_low", "diff_high"))
        found = frames.crossings(xs, line["diff"].to_numpy(), log=log)
        where = f" at {by} = {short(group[0])}" if by else ""
        shown = " and ".join(
            f"pays {'above' if c.rising else 'below'} {x} ≈ {c.at:.3g}"
            + ("" if frames.is_clear(xs, low, high, c.at) else " (uncertain)")
            for c in found
        )
        parts.append(f"{strategy}{where}: {shown or 'no crossing in the range swept'}")
    return "; ".join(parts)


def _headline_caption(ctx: _Context) -> str:
    return (
        f"Totals over {_years(ctx.runs)}{ctx.where}: the mean of {_replications(ctx)} "
        "replications with its 95 % interval [low, high]. Gross profit = revenue collected - "
        "cost of goods (each payment at its segment's gross margin); operating profit = gross "
        "profit - staff cost - other cost (billing system, postage, VIP fixes). "
        "Retention is the 12-month retention at the end; clients are the active clients at "
        f"the end. Below each value, Δ: the paired difference to {ctx.result.baseline} with "
        "its 95 % interval; ▲ / ▼: significantly better / worse. ★ and blue: the best value "
        "of the column."
    )


def _decomposition_caption(ctx: _Context) -> str:
    base = ctx.result.baseline
    return (
        f"Each strategy's operating profit over {_years(ctx.runs)} minus {base}'s, split "
        "replication by replication into parts that sum to it exactly; the mean of "
        f"{_replications(ctx)} pairs with its 95 % interval. Extra clients won: the extra "
        "client-months of clients who came in (new and reactivated); clients kept: the "
        "client-months not lost to clients who left (with the starting book); both valued at "
        f"{base}'s gross profit per client-month. Gross profit per client-month: the "
        "strategy's client-months times its change in that value. Staff cost, other cost: "
        "the money saved (negative: spent). A strategy that wins more clients also has more "
        "to lose, so 'clients kept' can be negative while its churn rate is lower "
        "(docs/MODEL.md, 7.16)."
    )


def _years(runs: pd.DataFrame) -> str:
    years = sorted(runs["years"].unique().tolist()) if "years" in runs else []
    if len(years) == 1:
        return f"{years[0]} year{'s' if years[0] != 1 else ''}"
    return "each run's horizon"


def _scenarios(out: Path, manifest: dict[str, Any], point: int) -> dict[str, dict[str, Any]]:
    """Each strategy's resolved scenario at ``point``, as stored with the results."""
    scenarios = {}
    for record in manifest["variants"]:
        if record["point"] != point:
            continue
        path = out / "scenarios" / f"{record['hash'][:16]}.yaml"
        scenarios[record["label"]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return scenarios


def _remove_stale(folder: Path, keep: list[Path]) -> None:
    """Remove the figures an earlier build drew that this one did not (e.g. a sweep's).

    Other files, even named alike, are the user's and stay.
    """
    ours = re.compile(rf"\d\d-({'|'.join(map(re.escape, FIGURE_KEYS))})\.png")
    for path in folder.glob("[0-9][0-9]-*.png"):
        if path not in keep and ours.fullmatch(path.name):
            path.unlink(missing_ok=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


__all__ = ["Report", "build_report"]
