"""The report as a PDF: a title page with the headline table, every figure, then the settings
and the provenance, drawn with matplotlib (no browser needed)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from sim.report.html import Page
from sim.report.style import FOOTER, new_figure, projector

ROWS_PER_PAGE = 16


def write_pdf(path: Path, page: Page, figures: Sequence[tuple[str, str, Figure]]) -> None:
    """Write the whole report to ``path``: the page's headline, settings, points and provenance,
    and ``figures`` as (title, caption, figure), each with its title and caption below it (the
    figure is changed: save its PNG first)."""
    with PdfPages(path, metadata={"Title": page.title, "Creator": "salesim"}) as pdf:
        pdf.savefig(_title_page(page))
        for name, caption, figure in figures:
            pdf.savefig(_captioned(figure, name, caption))
        for sheet in _settings_pages(page.settings):
            pdf.savefig(sheet)
        if not page.points.empty:
            lines = ["  ".join(f"{c}={v}" for c, v in r.items()) for _, r in page.points.iterrows()]
            pdf.savefig(_text_page("The sweep's points", lines))
        pdf.savefig(_text_page("Provenance", [f"{k}: {v}" for k, v in page.provenance]))
        info = pdf.infodict()
        info["CreationDate"] = datetime.now(UTC)


def _captioned(figure: Figure, title: str, caption: str) -> Figure:
    """Make room below the figure and write its title and caption there."""
    sep = " " if title.endswith(("?", ".", "!")) else ". "
    lines = textwrap.wrap(f"{title}{sep}{caption}", 170)
    bottom = FOOTER + 0.025 + 0.026 * len(lines)
    figure.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    figure.text(0.01, FOOTER + 0.005, "\n".join(lines), fontsize=11, va="bottom", ha="left")
    return figure


def _title_page(page: Page) -> Figure:
    headline, strategies, baseline = page.headline, page.strategies, page.baseline
    with projector():
        figure = new_figure()
        ax = figure.axes[0]
        ax.axis("off")
        figure.suptitle(page.title)
        lines = textwrap.wrap(page.description, 130) if page.description else []
        lines += [w for n in page.notes for w in textwrap.wrap("note: " + n, 130)]
        ax.text(0, 1.0, "\n".join(lines), va="top", ha="left", fontsize=12, transform=ax.transAxes)
        if headline.empty:
            return figure
        metrics = list(dict.fromkeys(headline["metric"]))
        first = headline.drop_duplicates("metric").set_index("metric")
        columns = [
            f"{first.loc[m, 'label']}"
            + (f" ({first.loc[m, 'unit']})" if first.loc[m, "unit"] else "")
            for m in metrics
        ]
        cells = headline.set_index(["scenario", "metric"])
        text, bold = [], []
        for strategy in strategies:
            row, marks = [], []
            for metric in metrics:
                c = cells.loc[(strategy, metric)]
                arrow = (" ▲" if c["better"] else " ▼") if c["significant"] else ""
                diff = f"\nΔ {c['difference']}{arrow}" if c["difference"] else "\nbaseline"
                row.append(c["value"] + (" *" if c["best"] else "") + diff)
                marks.append(bool(c["best"]))
            text.append(row)
            bold.append(marks)
        top = 0.9 - 0.03 * len(lines)
        table = ax.table(
            cellText=text, rowLabels=[textwrap.fill(s, 18) for s in strategies],
            colLabels=columns, cellLoc="center",
            bbox=[0.14, 0.05, 0.86, top - 0.05],
        )  # fmt: skip
        table.auto_set_font_size(False)
        table.set_fontsize(9.5)
        for (r, c), cell in table.get_celld().items():
            if r > 0 and c >= 0 and bold[r - 1][c]:
                cell.set_facecolor("#e8f0fb")
        ax.text(
            0, 0, f"mean [95 % interval]; * and blue: the best value; Δ: paired difference to "
            f"{baseline} [95 % interval], ▲ / ▼ significantly better / worse",
            transform=ax.transAxes, fontsize=11,
        )  # fmt: skip
    return figure


def _settings_pages(settings: pd.DataFrame) -> list[Figure]:
    if settings.empty:
        return [_text_page("What differs between the strategies", ["nothing but the names"])]
    strategies = [c for c in settings.columns if c not in {"parameter", "unit", "meaning"}]
    pages = []
    for start in range(0, len(settings), ROWS_PER_PAGE):
        chunk = settings.iloc[start : start + ROWS_PER_PAGE]
        with projector():
            figure = new_figure()
            ax = figure.axes[0]
            ax.axis("off")
            figure.suptitle("What differs between the strategies")
            rows = [[r["parameter"], *(r[s] for s in strategies)] for _, r in chunk.iterrows()]
            table = ax.table(
                cellText=rows, colLabels=["parameter", *strategies], loc="upper center",
                cellLoc="left",
            )  # fmt: skip
            table.auto_set_font_size(False)
            table.set_fontsize(11)
            table.auto_set_column_width(list(range(len(strategies) + 1)))
            table.scale(1, 1.9)
        pages.append(figure)
    return pages


def _text_page(title: str, lines: Sequence[str]) -> Figure:
    with projector():
        figure = new_figure()
        ax = figure.axes[0]
        ax.axis("off")
        figure.suptitle(title)
        wrapped = [w for line in lines for w in textwrap.wrap(line, 140) or [""]]
        ax.text(0, 1, "\n".join(wrapped), va="top", ha="left", fontsize=12, family="monospace")
    return figure
