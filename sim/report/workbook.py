"""The report as an Excel workbook (``report.xlsx``), for analysts who work in a spreadsheet.

Four sheets, each with one frozen header row, units in the headers and numbers stored as
numbers with a number format (money in USD, shares as percentages and a difference of two
shares in percentage points, as on the page, counts):

- ``headline``: one row per strategy and sweep point; for each headline metric
  (``sim.metrics.HEADLINE``) the mean over the replications with its 95 % interval, and the
  paired difference to the baseline with its 95 % interval (``StudyResult.summary``);
- ``monthly``: one row per strategy and month of the point the report shows; the mean over the
  replications of the report's main monthly columns (``sim.report.frames.series_bands``);
- ``settings``: the parameters whose values differ between the strategies
  (``sim.report.tables.differing_settings``);
- ``provenance``: the report's provenance, its notes, and one row per strategy and point with
  its scenario file, configuration hash and seeds.

Every text cell goes through ``sim.spreadsheet.inert`` and is stored as text, so no label
(a strategy named ``=HYPERLINK(...)``, say) becomes a formula.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sim.ledger import COLUMNS
from sim.metrics import HEADLINE
from sim.report import frames
from sim.report.tables import differing_settings
from sim.spreadsheet import inert
from sim.study.result import cap_share

XLSX = "report.xlsx"
SHEETS = ("headline", "monthly", "settings", "provenance")

# Excel number formats by kind of value (the cell holds the plain number: USD, a share 0-1, a
# count); differences show their sign.
FORMATS = {"money": "#,##0", "share": "0.0%", "count": "#,##0.0", "whole": "0"}
SIGNED = {
    "money": "+#,##0;-#,##0;0",
    "points": "+0.0;-0.0;0.0",  # a difference of two shares, in percentage points
    "count": "+#,##0.0;-#,##0.0;0",
}
UNITS = {"money": "USD", "share": "%", "count": "clients"}
DIFFERENCE = {"share": "points"}  # a share's difference in percentage points, as on the page
# A column's unit, as its description in ``sim.ledger.COLUMNS`` ends: "[USD]", "[clients]".
_UNIT = re.compile(r"\[([^\]]+)\]\s*$")
# The monthly sheet's columns (``sim.ledger.COLUMNS``, and the profit to date) and their labels.
MONTHLY = {
    "active_clients": "active clients",
    "new_clients": "clients won",
    "lost_clients": "clients lost",
    "revenue_booked": "revenue booked",
    "revenue_collected": "revenue collected",
    "gross_profit": "gross profit",
    "staff_cost": "staff cost",
    "other_cost": "other cost",
    "profit": "operating profit",
    "cumulative_profit": "operating profit to date",
}
HEADER_FILL = PatternFill("solid", fgColor="F3F3F3")
BEST_FILL = PatternFill("solid", fgColor="E8F0FB")  # as the page marks the best value
WIDEST, NARROWEST = 60, 8  # column widths, in characters
HEADER_LINES = 4  # the header row's height, in lines of wrapped text


@dataclass
class Contents:
    """What the workbook shows, as the report built it.

    Attributes
    ----------
    summary : pandas.DataFrame
        ``StudyResult.summary`` at every sweep point (``scenario, point, metric, n, mean, low,
        high, diff, diff_low, diff_high``).
    runs : pandas.DataFrame
        ``StudyResult.runs`` (the sweep variables' values per point).
    timeseries : pandas.DataFrame
        ``StudyResult.timeseries`` at the point the report shows.
    strategies : list of str
        Every strategy of the study, in its order (the baseline first or where listed).
    baseline : str
        The baseline strategy's label.
    sweep : list of str
        The swept variables (columns of ``runs``).
    scenarios : mapping of str to mapping
        Strategy -> its resolved scenario at the point shown (nested dict).
    provenance : list of (str, str)
        The report's provenance, as shown on the page.
    notes : list of str
        The report's notes and captions, as (heading, text) pairs' texts.
    variants : list of mapping
        The manifest's variant records (``label, point, scenario, hash, seeds``).
    monthly : mapping of str to str
        Monthly columns to average (``sim.ledger.COLUMNS``, and ``cumulative_profit``) -> their
        labels; by default ``MONTHLY``.
    """

    summary: pd.DataFrame
    runs: pd.DataFrame
    timeseries: pd.DataFrame
    strategies: list[str]
    baseline: str
    sweep: list[str]
    scenarios: Mapping[str, Mapping[str, Any]]
    provenance: list[tuple[str, str]]
    notes: list[tuple[str, str]] = field(default_factory=list)
    variants: list[Mapping[str, Any]] = field(default_factory=list)
    monthly: Mapping[str, str] = field(default_factory=lambda: dict(MONTHLY))


def write_workbook(path: Path, contents: Contents) -> None:
    """Write the report's workbook to ``path`` (the caller makes the write atomic).

    Parameters
    ----------
    path : pathlib.Path
        The file to write (``.xlsx`` content whatever its suffix).
    contents : Contents
        The frames and texts the report built.

    Raises
    ------
    OSError
        The file cannot be written.
    """
    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    headline = book.create_sheet("headline")
    header, rows, formats = headline_table(contents)
    _fill(headline, header, rows, formats, keys=_keys(contents))
    _mark(headline, rows, _keys(contents) + 1, len(contents.sweep) > 0)
    _fill(book.create_sheet("monthly"), *monthly_table(contents), keys=2)
    _fill(book.create_sheet("settings"), *settings_table(contents), keys=1)
    _fill(book.create_sheet("provenance"), *provenance_table(contents), keys=1)
    book.save(path)


# A table for a sheet: header texts, rows of cells, and each column's number format ("" text).
Table = tuple[list[str], list[list[Any]], list[str]]


def _keys(contents: Contents) -> int:
    """Columns that name a headline row: strategy, then point and the sweep's variables."""
    return 1 + (1 + len(contents.sweep) if contents.sweep else 0)


def headline_table(contents: Contents) -> Table:
    """Return the headline in wide form: one row per strategy and point.

    Columns: ``strategy``, (``point`` and the swept variables for a sweep), ``replications``,
    then per metric of ``sim.metrics.HEADLINE``: mean, 95 % low, 95 % high, the difference to
    the baseline and its 95 % low and high. Share intervals are cut to 0-1, as on the page.
    Missing values (no difference for the baseline, no interval for one replication) are
    empty cells.
    """
    summary, base = contents.summary, contents.baseline
    header = ["strategy"]
    formats = [""]
    if contents.sweep:
        header += ["point", *contents.sweep]
        formats += ["whole", *("" for _ in contents.sweep)]
    header.append("replications [runs]")
    formats.append("whole")
    for m in HEADLINE:
        unit = UNITS[m.kind] if m.kind != "count" else "clients"
        change = DIFFERENCE.get(m.kind, m.kind)
        change_unit = "points" if change == "points" else unit
        name = m.heading
        header += [
            f"{name} [{unit}]",
            f"{name}: 95 % low [{unit}]",
            f"{name}: 95 % high [{unit}]",
            f"{name}: Δ to {base} [{change_unit}]",
            f"{name}: Δ 95 % low [{change_unit}]",
            f"{name}: Δ 95 % high [{change_unit}]",
        ]
        formats += [m.kind] * 3 + [f"signed {change}"] * 3
    values = _point_values(contents.runs, contents.sweep)
    keyed = summary.set_index(["point", "scenario", "metric"]).sort_index()
    cells = keyed if not summary.empty else None
    rows = []
    for point in sorted(summary["point"].unique().tolist()) if cells is not None else []:
        for strategy in contents.strategies:
            if (point, strategy, HEADLINE[0].name) not in cells.index:  # type: ignore[union-attr]
                continue
            row: list[Any] = [strategy]
            if contents.sweep:
                row += [point, *values.get(point, [None] * len(contents.sweep))]
            stats = cells.loc[(point, strategy)]  # type: ignore[union-attr]
            row.append(int(stats["n"].max()))
            for m in HEADLINE:
                row += _metric_cells(stats, m.name, m.kind, strategy == base)
            rows.append(row)
    return header, rows, formats


def _mark(sheet: Worksheet, rows: list[list[Any]], first: int, sweep: bool) -> None:
    """Mark the headline as the page does: the best mean of each metric, significant changes.

    The best mean (highest, or lowest where lower is better) among the strategies at a point
    gets a blue fill (none with a single strategy); a difference whose 95 % interval excludes 0
    is bold. ``first`` is the index in a row of the first metric's mean.
    """
    by_point: dict[Any, list[int]] = {}
    for r, row in enumerate(rows):
        by_point.setdefault(row[1] if sweep else 0, []).append(r)
    for i, metric in enumerate(HEADLINE):
        mean = first + 6 * i  # 0-based column of the mean; then low, high, Δ, Δ low, Δ high
        for members in by_point.values():
            values = {r: rows[r][mean] for r in members if rows[r][mean] is not None}
            if len(values) > 1:
                best = max(v * metric.better for v in values.values())
                for r, v in values.items():
                    if v * metric.better == best:
                        sheet.cell(row=r + 2, column=mean + 1).fill = BEST_FILL
        for r, row in enumerate(rows):
            low, high = row[mean + 4], row[mean + 5]
            if low is not None and high is not None and (low > 0 or high < 0):
                sheet.cell(row=r + 2, column=mean + 4).font = Font(bold=True)


def _metric_cells(stats: pd.DataFrame, metric: str, kind: str, is_base: bool) -> list[Any]:
    """Mean, low, high, difference and its low and high of one metric (None where missing)."""
    if metric not in stats.index:
        return [None] * 6
    s = stats.loc[metric]
    low, high = _number(s["low"]), _number(s["high"])
    if kind == "share":
        low = None if low is None else cap_share(low)
        high = None if high is None else cap_share(high)
    diffs = [None] * 3 if is_base else [_number(s[c]) for c in ("diff", "diff_low", "diff_high")]
    if kind == "share":  # a difference of two shares 0-1, in percentage points
        diffs = [None if d is None else 100.0 * d for d in diffs]
    return [_number(s["mean"]), low, high, *diffs]


def _point_values(runs: pd.DataFrame, sweep: Sequence[str]) -> dict[int, list[Any]]:
    """Each sweep point's values of the swept variables."""
    if not sweep or runs.empty:
        return {}
    points = runs.drop_duplicates("point")
    return {int(r["point"]): [_plain(r[n]) for n in sweep] for _, r in points.iterrows()}


def monthly_table(contents: Contents) -> Table:
    """Return the monthly means: one row per strategy and month, one column per main column.

    Each value is the mean over the replications of that month (no smoothing, unlike the
    report's 3-month averages of clients won and lost).
    """
    columns = list(contents.monthly)
    header = ["strategy", "month", "replications [runs]"]
    formats = ["", "whole", "whole"]
    for column in columns:
        unit = _unit(column)
        header.append(f"{contents.monthly[column]} [{unit}]")
        formats.append("money" if unit == "USD" else "count")
    if contents.timeseries.empty:
        return header, [], formats
    bands = frames.series_bands(contents.timeseries, columns)
    means = bands.pivot_table(
        index=["scenario", "month"], columns="metric", values="mean", sort=False
    )
    means["n"] = bands.groupby(["scenario", "month"], sort=False)["n"].max()
    rows = []
    for strategy in contents.strategies:
        if strategy not in means.index.get_level_values(0):
            continue
        for month, values in means.loc[strategy].sort_index().iterrows():
            cells = [_number(values[c]) for c in columns]
            rows.append([strategy, _plain(month), int(values["n"]), *cells])
    return header, rows, formats


def _unit(column: str) -> str:
    """Return a monthly column's unit as ``sim.ledger.COLUMNS`` gives it."""
    if column == "cumulative_profit":
        return "USD"
    found = _UNIT.search(COLUMNS.get(column, ""))
    return found.group(1) if found else "-"


def settings_table(contents: Contents) -> Table:
    """Return the parameters that differ between the strategies, values as numbers or text."""
    frame = differing_settings(contents.scenarios, shown=_setting)
    strategies = [c for c in frame.columns if c not in {"parameter", "unit", "meaning"}]
    header = ["parameter", "unit", "meaning", *strategies]
    rows = [[r[c] for c in header] for _, r in frame.iterrows()]
    formats = ["", "", "", *("general" for _ in strategies)]
    return header, rows, formats


def _setting(value: Any) -> Any:
    """Return a setting's value as a cell: numbers stay numbers, lists become text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        return ", ".join(str(_setting(v)) for v in value)
    return "-" if value is None else str(value)


def provenance_table(contents: Contents) -> Table:
    """Return the provenance: item and value, the notes, then one row per strategy and point.

    The strategies' rows give the scenario's name, its stored file (``scenarios/<hash>.yaml``),
    its configuration hash (SHA-256 of the resolved scenario) and the seeds of its runs.
    """
    header = ["item", "value"]
    rows: list[list[Any]] = [[item, _count(item, value)] for item, value in contents.provenance]
    rows += [[heading, text] for heading, text in contents.notes]
    for record in contents.variants:
        seeds = [int(s) for s in record.get("seeds", [])]
        digest = str(record.get("hash", ""))
        rows.append(
            [
                f"strategy {record.get('label')} at point {record.get('point')}",
                f"scenario {record.get('scenario')}; file scenarios/{digest[:16]}.yaml; "
                f"SHA-256 {digest}; seeds {_seeds(seeds)}",
            ]
        )
    return header, rows, ["", ""]


COUNTS = frozenset({"failed runs"})  # provenance items that are a number of runs


def _count(item: str, value: str) -> Any:
    """Return a provenance value that is a count (``COUNTS``) as a number, any other as text."""
    return int(value) if item in COUNTS and value.isdecimal() else value


def _seeds(seeds: list[int]) -> str:
    """Return seeds as text: ``1-30`` when consecutive, else listed."""
    if not seeds:
        return "-"
    if seeds == list(range(seeds[0], seeds[0] + len(seeds))) and len(seeds) > 2:
        return f"{seeds[0]}-{seeds[-1]}"
    return ", ".join(map(str, seeds))


def _number(value: Any) -> float | None:
    """Return a finite number as a float, anything missing or infinite as None (empty cell)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _plain(value: Any) -> Any:
    """Return a numpy scalar as a Python one (openpyxl writes those), text as it is."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _text(value: str) -> str:
    """Return text for a cell: never a formula, without characters a workbook cannot hold."""
    return str(inert(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)))


def _fill(
    sheet: Worksheet, header: list[str], rows: list[list[Any]], formats: list[str], keys: int
) -> None:
    """Write a header row and the rows; freeze the header and the ``keys`` first columns."""
    for col, title in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=col)
        cell.value = _text(title)
        cell.data_type = "s"
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(rows, start=2):
        for col, (value, kind) in enumerate(zip(row, formats, strict=True), start=1):
            _put(sheet, r, col, value, kind)
    sheet.freeze_panes = sheet.cell(row=2, column=keys + 1).coordinate
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    _widths(sheet, header, rows)


def _put(sheet: Worksheet, row: int, col: int, value: Any, kind: str) -> None:
    """Write one cell: text as inert text, a number with its kind's format, None as empty."""
    value = _plain(value)
    cell = sheet.cell(row=row, column=col)
    if value is None:
        return
    if isinstance(value, str):
        cell.value = _text(value)
        cell.data_type = "s"  # never read as a formula, whatever it starts with
        cell.alignment = Alignment(vertical="top", wrap_text=len(value) > WIDEST)
        return
    cell.value = value
    signed, _, base = kind.rpartition(" ")
    if base in FORMATS or base in SIGNED:
        cell.number_format = SIGNED[base] if signed else FORMATS[base]
    elif isinstance(value, float) and kind == "general":
        cell.number_format = "#,##0.######" if abs(value) >= 1000 else "General"


def _widths(sheet: Worksheet, header: list[str], rows: list[list[Any]]) -> None:
    """Size each column to its longest value (capped), the header wrapped over a few lines."""
    for col, title in enumerate(header, start=1):
        longest = max((len(_shown(row[col - 1])) for row in rows), default=0)
        words = max((len(w) for w in title.split()), default=0)
        wanted = max(longest, words, math.ceil(len(title) / HEADER_LINES)) + 2
        sheet.column_dimensions[get_column_letter(col)].width = min(max(wanted, NARROWEST), WIDEST)
    sheet.row_dimensions[1].height = 15 * HEADER_LINES


def _shown(value: Any) -> str:
    """Return roughly what a cell shows: money with thousands separators, shares as %."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:+,.1f}" if abs(value) >= 1 else f"{value:.3%}"
    return str(value)


__all__ = ["SHEETS", "XLSX", "Contents", "write_workbook"]
