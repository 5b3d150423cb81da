"""Where text goes on a figure: names wrapped, rows as tall as their names, legends at the foot.

Widths are counted in letters "n" of the figure's font (``sim.report.style.letters``) so that
any allowed label length and any count of strategies fits a slide.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.report.style import LIMIT, Look, arrange_foot, inches, letters, line_count, tall, wrap

NAME_WIDTH = 26  # letters "n" of a strategy's name on a line beside a bar or in a title
LEGEND_CHARS = 115  # letters "n" of legend text a slide's width holds
LEGEND_ROOM = 1.4  # inches a slide keeps for a legend at its foot
LEGEND_NAME = 32  # letters "n" of a strategy's name on a line of a legend
TITLE_CHARS = 60  # letters "n" of a line of a figure's title


def wrap_names(strategies: Sequence[str], width: int = NAME_WIDTH) -> list[str]:
    """Return the strategies' names as a figure shows them: wrapped to ``width`` characters."""
    return [wrap(s, width) for s in strategies]


def rows_height(strategies: Sequence[str], base: float = 2.8) -> float:
    """Return the height of a figure with a row per strategy, each as tall as its name."""
    row = inches(13, line_count(wrap_names(strategies))) + 0.2
    return tall(base, row * len(strategies))


def grid_shape(count: int) -> tuple[int, int]:
    """Return the rows and columns of a grid of ``count`` panels (three a row past four)."""
    return {1: (1, 1), 2: (1, 2), 3: (1, 3), 4: (2, 2)}.get(count, (math.ceil(count / 3), 3))


PANEL_CHARS = 28  # letters "n" of a line of a panel's title, legend or axis label


def title_points(columns: int) -> float:
    """Return the points of a panel's title: smaller when three panels share the width."""
    return 14 if columns > 2 else 17


def strategy_legend(figure: Figure, looks: Mapping[str, Look], labels: Sequence[str]) -> None:
    """Put the strategies' legend (colour, dash; markers when colours repeat) at the foot."""
    repeats = any(looks[s].marker != "o" for s in labels)  # colours repeat: show markers
    handles = [
        Line2D(
            [], [], color=looks[s].colour, linestyle=looks[s].dash, linewidth=3,
            marker=looks[s].marker if repeats else None, markersize=9,
        )
        for s in labels
    ]  # fmt: skip
    foot_legend(figure, handles, wrap_names(labels, LEGEND_NAME))


def foot_legend(figure: Figure, handles: Sequence[Artist], names: Sequence[str]) -> None:
    """Put a legend at the figure's foot, in as many columns as fit.

    The figure grows by what the legend needs beyond the room a slide keeps for it.
    """
    widest = max(letters(name) for name in names)
    columns = max(1, min(len(names), 4, LEGEND_CHARS // (widest + 6)))
    legend = figure.legend(handles, names, loc="lower center", ncols=columns, frameon=False)
    high = legend.get_window_extent(figure.canvas.get_renderer()).height / figure.dpi  # type: ignore[attr-defined]
    w, h = figure.get_size_inches()
    figure.set_size_inches(w, min(h + max(0.0, high - LEGEND_ROOM), LIMIT - 3))
    arrange_foot(figure)
