"""The report as a PDF, drawn with matplotlib (no browser needed).

A page with the executive summary, a title page with the headline table, every figure, then
the settings and the provenance.

Long names are wrapped and tables that would not fit a page go on over several pages (rows of
strategies and of settings, columns of strategies), their type made smaller where a cell would
overflow, so that any label the study file allows and any number of strategies fits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.table import Table

from sim.report.html import Page
from sim.report.style import (
    CAPTION_WIDTH,
    SLIDE,
    arrange_foot,
    caption,
    inches,
    line_count,
    new_figure,
    projector,
    wrap,
)

TITLE_CHARS = 60  # letters "n" of a line of a page's title
NAME_WIDTH = 24  # letters "n" of a strategy's name on a line of a table
SETTING_COLUMNS = 4  # strategies side by side on a page of settings
TEXT_WIDTH = 110  # letters "n" of a line of a text page (12 points)
NOTE_WIDTH = 110  # letters "n" of a line of the notes on the title page (12 points)
TEXT_LINES = 32  # lines of a text page
TABLE_SIZE = 10.5  # points: a table's type, made smaller where a cell would overflow
SMALLEST = 6.0  # points: the smallest type a table is made


def write_pdf(path: Path, page: Page, figures: Sequence[tuple[str, str, Figure]]) -> None:
    """Write the whole report to ``path``.

    The page's headline, settings, points and provenance, and ``figures`` as (title, caption,
    figure), each with its title and caption below it (the figure is changed: save its PNG
    first).
    """
    with PdfPages(path, metadata={"Title": page.title, "Creator": "salesim"}) as pdf:
        for sheet in _summary_pages(page):
            pdf.savefig(sheet)
        for sheet in _title_pages(page):
            pdf.savefig(sheet)
        for sheet in _decomposition_pages(page):
            pdf.savefig(sheet)
        for name, text, figure in figures:
            sep = " " if name.endswith(("?", ".", "!")) else ". "
            caption(figure, f"{name}{sep}{text}")
            pdf.savefig(figure)
        for sheet in _settings_pages(page.settings):
            pdf.savefig(sheet)
        if not page.points.empty:
            lines = ["  ".join(f"{c}={v}" for c, v in r.items()) for _, r in page.points.iterrows()]
            for sheet in _text_pages("The sweep's points", lines):
                pdf.savefig(sheet)
        for sheet in _text_pages("Provenance", [f"{k}: {v}" for k, v in page.provenance]):
            pdf.savefig(sheet)
        info = pdf.infodict()
        info["CreationDate"] = datetime.now(UTC)


def _summary_pages(page: Page) -> list[Figure]:
    """Draw the executive summary, with the model's documents as paths (none without one)."""
    if not page.conclusion:
        return []
    lines = [text for line in page.conclusion for text in (f"• {line}", "")]
    lines += [page.conclusion_rule, ""] if page.conclusion_rule else []
    if page.documents:
        listed = "; ".join(f"{name}: {path}" for name, path, _ in page.documents)
        lines += [f"Read more in the salesim source: {listed}."]
    return _text_pages(f"{page.title}: summary", lines)


def _title_pages(page: Page) -> list[Figure]:
    """Draw the title, the description and notes, and the headline table.

    The table goes on over as many pages as its rows need.
    """
    headline, strategies = page.headline, page.strategies
    lines = wrap(page.description, NOTE_WIDTH).splitlines() if page.description else []
    lines += [w for n in page.notes for w in wrap("note: " + n, NOTE_WIDTH).splitlines()]
    sheets: list[Figure] = []
    if len(lines) > 12:  # long notes get pages of their own
        sheets = _text_pages(page.title, lines)
        lines = []
    if headline.empty:
        return sheets or _text_pages(page.title, lines or ["No finished runs."])
    metrics = list(dict.fromkeys(headline["metric"]))
    first = headline.drop_duplicates("metric").set_index("metric")
    columns = [
        f"{first.loc[m, 'label']}" + (f" ({first.loc[m, 'unit']})" if first.loc[m, "unit"] else "")
        for m in metrics
    ]
    cells = headline.set_index(["scenario", "metric"])
    rows, best = [], []
    for strategy in strategies:
        row, marks = [wrap(strategy, NAME_WIDTH)], [False]
        for metric in metrics:
            if (strategy, metric) not in cells.index:
                row.append("-")
                marks.append(False)
                continue
            c = cells.loc[(strategy, metric)]
            arrow = (" ▲" if c["better"] else " ▼") if c["significant"] else ""
            diff = f"\nΔ {c['difference']}{arrow}" if c["difference"] else "\nbaseline"
            row.append(c["value"] + (" *" if c["best"] else "") + diff)
            marks.append(bool(c["best"]))
        rows.append(row)
        best.append(marks)
    key = wrap(
        f"mean [95 % interval]; * and blue: the best value; Δ: paired difference to "
        f"{page.baseline} [95 % interval], ▲ / ▼ significantly better / worse",
        CAPTION_WIDTH,
    )
    row_height = inches(TABLE_SIZE, max(line_count(r[0] for r in rows), 2)) + 0.12
    room = SLIDE[1] - 1.1 - inches(11, line_count([key]))  # below the title, above the key
    start = 0
    while start < len(rows):
        text_room = inches(12, len(lines)) if lines else 0.0
        per_page = max(1, int((room - text_room) / row_height) - 1)
        chunk = slice(start, start + per_page)
        title = page.title if start == 0 else f"{page.title} (continued)"
        sheets.append(
            _headline_page(title, lines, ["strategy", *columns], rows[chunk], best[chunk], key)
        )
        start += per_page
        lines = []
    return sheets


def _headline_page(
    title: str,
    lines: list[str],
    columns: list[str],
    rows: list[list[str]],
    best: list[list[bool]],
    key: str,
) -> Figure:
    with projector():
        figure = new_figure()
        ax = figure.axes[0]
        ax.axis("off")
        figure.suptitle(wrap(title, TITLE_CHARS))
        if lines:
            ax.set_title("\n".join(lines), loc="left", fontsize=12, fontweight="normal")
        figure.text(0.01, 0.0, key, fontsize=11, va="bottom", ha="left", gid="caption")
        arrange_foot(figure)
        share = 0.25
        widths = [share, *[(1 - share) / (len(columns) - 1)] * (len(columns) - 1)]
        table = ax.table(
            cellText=rows, colLabels=[wrap(c, 22) for c in columns], colWidths=widths,
            cellLoc="center", loc="upper center",
        )  # fmt: skip
        for (r, c), cell in table.get_celld().items():
            if r > 0 and best[r - 1][c]:
                cell.set_facecolor("#e8f0fb")
            if c == 0 and r > 0:
                cell.get_text().set_horizontalalignment("left")
        _hang(figure, table, line_count(r[0] for r in rows))
        _fit(figure, table)
    return figure


def _hang(figure: Figure, table: Table, lines: int, header_lines: int = 2) -> None:
    """Give the table's rows the height of ``lines`` lines (the header ``header_lines``).

    The table hangs from the top of its axes; rows that would not fit are made lower.
    """
    figure.draw_without_rendering()  # lay out the axes
    assert table.axes is not None  # the table is drawn on axes
    tall = table.axes.bbox.height / figure.dpi * (1 - 2 * table.AXESPAD)
    header = inches(TABLE_SIZE, max(header_lines, 2)) + 0.12
    row = inches(TABLE_SIZE, max(lines, 2)) + 0.12
    count = max(r for r, _ in table.get_celld()) or 1
    shrink = min(1.0, tall / (header + row * count))
    for (r, _), cell in table.get_celld().items():
        cell.set_height((header if r == 0 else row) * shrink / tall * (1 - 2 * table.AXESPAD))


def _fit(figure: Figure, table: Table) -> None:
    """Make the table's type smaller until every cell's text lies inside its cell."""
    table.auto_set_font_size(False)
    size = TABLE_SIZE
    table.set_fontsize(size)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    while size > SMALLEST:
        figure.draw_without_rendering()
        if all(_inside(cell, renderer) for cell in table.get_celld().values()):
            return
        size -= 0.5
        table.set_fontsize(size)


def _inside(cell: object, renderer: object) -> bool:
    box = cell.get_window_extent(renderer)  # type: ignore[attr-defined]
    text = cell.get_text().get_window_extent(renderer)  # type: ignore[attr-defined]
    return (
        text.x0 >= box.x0 - 0.5
        and text.x1 <= box.x1 + 0.5
        and text.y0 >= box.y0 - 0.5
        and text.y1 <= box.y1 + 0.5
    )


def _decomposition_pages(page: Page) -> list[Figure]:
    """Draw where each strategy's profit difference comes from: parts x strategies.

    A page per group of strategies (columns); none when the page has no split.
    """
    frame = page.decomposition
    if frame.empty:
        return []
    unit = frame["unit"].iloc[0]
    title = "Where the difference comes from" + (f" ({unit})" if unit else "")
    strategies = [c for c in frame.columns if c not in {"part", "unit"}]
    pages = []
    for start in range(0, len(strategies), SETTING_COLUMNS):
        group = strategies[start : start + SETTING_COLUMNS]
        header = ["part", *(wrap(s, NAME_WIDTH) for s in group)]
        rows = [
            [wrap(str(r["part"]), 32, 3), *(wrap(str(r[s]), NAME_WIDTH, 3) for s in group)]
            for _, r in frame.iterrows()
        ]
        shown = title
        if len(strategies) > SETTING_COLUMNS:
            shown += f" (strategies {start + 1}-{start + len(group)} of {len(strategies)})"
        figure = _table_page(shown, header, rows, max(line_count(r) for r in rows))
        caption(figure, page.decomposition_caption)
        pages.append(figure)
    return pages


def _settings_pages(settings: pd.DataFrame) -> list[Figure]:
    """Draw the differing settings.

    A page per group of strategies (columns) and of settings (rows).
    """
    title = "What differs between the strategies"
    if settings.empty:
        return _text_pages(title, ["nothing but the names"])
    strategies = [c for c in settings.columns if c not in {"parameter", "unit", "meaning"}]
    groups = [
        strategies[i : i + SETTING_COLUMNS] for i in range(0, len(strategies), SETTING_COLUMNS)
    ]
    pages = []
    for g, group in enumerate(groups):
        header = ["parameter", *(wrap(s, NAME_WIDTH) for s in group)]
        rows = [
            [wrap(str(r["parameter"]), 32, 3), *(wrap(str(r[s]), NAME_WIDTH, 3) for s in group)]
            for _, r in settings.iterrows()
        ]
        lines = max(line_count(r) for r in rows)
        per_page = max(1, int(4.6 / (inches(TABLE_SIZE, lines) + 0.12)))
        for start in range(0, len(rows), per_page):
            where = []
            if len(groups) > 1:
                where.append(
                    f"strategies {g * SETTING_COLUMNS + 1}-"
                    f"{g * SETTING_COLUMNS + len(group)} of {len(strategies)}"
                )
            if len(rows) > per_page:
                where.append(
                    f"settings {start + 1}-{min(start + per_page, len(rows))} of {len(rows)}"
                )
            pages.append(
                _table_page(
                    title + (f" ({', '.join(where)})" if where else ""),
                    header,
                    rows[start : start + per_page],
                    lines,
                )
            )
    return pages


def _table_page(title: str, header: list[str], rows: list[list[str]], lines: int) -> Figure:
    with projector():
        figure = new_figure()
        ax = figure.axes[0]
        ax.axis("off")
        figure.suptitle(wrap(title, TITLE_CHARS), fontsize=17)
        share = 0.28 if len(header) > 2 else 0.5
        widths = [share, *[(1 - share) / (len(header) - 1)] * (len(header) - 1)]
        table = ax.table(
            cellText=rows, colLabels=header, colWidths=widths, cellLoc="left", loc="upper center"
        )
        _hang(figure, table, lines, line_count(header))
        _fit(figure, table)
    return figure


def _text_pages(title: str, lines: Sequence[str]) -> list[Figure]:
    """``lines`` wrapped to the page's width, over as many pages as they need."""
    wrapped = [w for line in lines for w in (wrap(line, TEXT_WIDTH).splitlines() or [""])]
    pages = []
    for start in range(0, max(len(wrapped), 1), TEXT_LINES):
        with projector():
            figure = new_figure()
            ax = figure.axes[0]
            ax.axis("off")
            figure.suptitle(wrap(title if start == 0 else f"{title} (continued)", TITLE_CHARS))
            ax.text(
                0, 1, "\n".join(wrapped[start : start + TEXT_LINES]), va="top", ha="left",
                fontsize=12,
            )  # fmt: skip
        pages.append(figure)
    return pages
