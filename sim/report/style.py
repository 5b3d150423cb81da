"""How the report's figures look: sizes for a projector, one colour-blind-safe colour per strategy.

Strategies are coloured with the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"),
the baseline black; past eight strategies the colours repeat, told apart by dashed lines,
other markers and hatched bars. Parts of a whole
(sources of revenue, kinds of cost, roles) take Paul Tol's pale "light" colours, so they are
never mistaken for a strategy; differences use the purple-orange diverging map (ColorBrewer
PuOr). All read for colour-blind viewers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, fontManager, get_font
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.typing import LineStyleType, RcKeyType

# Okabe-Ito, most distinct first; black is kept for the baseline.
OKABE_ITO = (
    "#E69F00",  # orange
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
)
BASELINE_COLOUR = "#000000"
# Paul Tol's "light" scheme (CB-safe, pale, so parts never read as strategies); grey for the rest.
PARTS = (
    "#77AADD",
    "#EE8866",
    "#EEDD88",
    "#44BB99",
    "#FFAABB",
    "#99DDFF",
    "#BBCC33",
    "#AAAA00",
)
REST = "#DDDDDD"
# Past seven other strategies the colours repeat: the repeats differ in dash, marker and hatch.
DASHES: tuple[LineStyleType, ...] = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D")
HATCHES = ("", "//", "..", "xx")

# DejaVu Sans (shipped with matplotlib) has Latin, Cyrillic and Greek. Names in scripts it lacks
# (Chinese, Japanese, Korean) are drawn from the first of these fonts that is installed (for
# example Debian's fonts-noto-cjk or fonts-wqy-microhei); without one they show as boxes.
FALLBACK_FONTS = (
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Source Han Sans",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)


def font_families() -> list[str]:
    """Return the figures' font families: DejaVu Sans, then the installed fallback fonts."""
    installed = {font.name for font in fontManager.ttflist}
    return ["DejaVu Sans", *(name for name in FALLBACK_FONTS if name in installed)]


FAMILIES = font_families()


def _not_a_missing_bold(record: logging.LogRecord) -> bool:
    """Drop matplotlib's note that a fallback font has no bold (it draws the regular one)."""
    return "Failed to find font weight" not in record.getMessage()


logging.getLogger("matplotlib.font_manager").addFilter(_not_a_missing_bold)

# A 16:9 slide at 110 dpi is 1,466 x 825 pixels: large type for the back of a meeting room.
SLIDE = (13.33, 7.5)
DPI = 110
RC: dict[RcKeyType, Any] = {
    "font.family": FAMILIES,
    "font.size": 15,
    "axes.titlesize": 17,
    "axes.titleweight": "bold",
    "axes.labelsize": 15,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "legend.fontsize": 13,
    "figure.titlesize": 20,
    "figure.titleweight": "bold",
    "lines.linewidth": 2.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "text.parse_math": False,  # labels and sums are text: "$1.2 $M", a label with "$...$"
}


@dataclass(frozen=True)
class Look:
    """Colour, line style, marker and bar hatching of one strategy."""

    colour: str
    dash: LineStyleType = "-"
    marker: str = "o"
    hatch: str = ""


def strategy_looks(labels: Iterable[str], baseline: str | None = None) -> dict[str, Look]:
    """One look per strategy, in the order given; the baseline is black and solid."""
    looks: dict[str, Look] = {}
    others = 0
    for label in dict.fromkeys(labels):
        if label == baseline:
            looks[label] = Look(BASELINE_COLOUR)
            continue
        colour = OKABE_ITO[others % len(OKABE_ITO)]
        round_ = (others // len(OKABE_ITO)) % len(DASHES)
        looks[label] = Look(colour, DASHES[round_], MARKERS[round_], HATCHES[round_])
        others += 1
    return looks


def parts_colours(names: Sequence[str], rest: str | None = None) -> dict[str, str]:
    """Return a pale colour per part of a stacked whole, in order; ``rest`` is grey."""
    colours, k = {}, 0
    for name in names:
        if name == rest:
            colours[name] = REST
        else:
            colours[name] = PARTS[k % len(PARTS)]
            k += 1
    return colours


def text_colour(colour: str) -> str:
    """Darken a strategy's colour where it is too pale for text on white (the yellow)."""
    r, g, b = mpl.colors.to_rgb(colour)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    if luminance <= 0.55:
        return colour
    factor = 0.55 / luminance
    return mpl.colors.to_hex((r * factor, g * factor, b * factor))


def ink_on(colour: tuple[float, ...]) -> str:
    """Black or white, whichever reads on a cell of ``colour``."""
    r, g, b = colour[:3]
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"


@contextmanager
def projector() -> Iterator[None]:
    """Matplotlib settings for large, legible figures (restored afterwards)."""
    with mpl.rc_context(RC):
        yield


def new_figure(rows: int = 1, cols: int = 1, size: tuple[float, float] = SLIDE) -> Figure:
    """Return a figure drawn by the Agg backend (no window, no global pyplot state)."""
    with projector():
        figure = Figure(figsize=size, dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        figure.subplots(rows, cols, squeeze=False)
    return figure


FOOTER_SIZE = 10  # points: the footer's type
CAPTION_SIZE = 11  # points: a caption's type under a figure in the PDF
CAPTION_WIDTH = 125  # letters "n" of a caption's line (at 11 points, a slide's width)
PAD = 0.06  # inches between the parts stacked at a figure's foot
LIMIT = 199.0  # inches: the tallest page a PDF reader shows (14,400 points)


def wrap(text: str, width: float, lines: int | None = None) -> str:
    """Break ``text`` into lines as wide as ``width`` letters "n" at most.

    Widths are measured in the figures' font, so wide letters such as W or Ш count for more.
    Lines break at spaces; a word (a strategy's name such as ``split_vip``) is broken only when
    it is wider than a line by itself, then after ``_``, ``-``, ``.`` or ``/`` where it can and
    anywhere where it must. Past ``lines`` lines the last one ends in "…".
    """
    limit = width * _advance("n")
    pieces = [
        part
        for word in re.split(r"(?<=\s)", text)
        for part in (re.split(r"(?<=[_./-])", word) if measure(word.rstrip()) > limit else [word])
    ]
    out: list[str] = []
    line = ""
    for piece in pieces:
        while measure(piece.rstrip()) > limit:
            if line.strip():
                out.append(line)
                line = ""
            cut = next(k for k in range(len(piece), 0, -1) if measure(piece[:k]) <= limit or k == 1)
            out.append(piece[:cut])
            piece = piece[cut:]
        if measure((line + piece).rstrip()) <= limit:
            line += piece
        else:
            out.append(line)
            line = piece
    out.append(line)
    out = [o.rstrip() for o in out if o.strip()] or [""]
    if lines is not None and len(out) > lines:
        out = out[:lines]
        while out[-1] and measure(out[-1] + "…") > limit:
            out[-1] = out[-1][:-1]
        out[-1] = out[-1].rstrip() + "…"
    return "\n".join(out)


def measure(text: str) -> float:
    """Return the width of one line of ``text`` in the figures' font, in points at 10 points."""
    return sum(_advance(c) for c in text)


def letters(text: str) -> float:
    """Return the width of the widest line of ``text`` in letters "n"."""
    return max(measure(line) for line in text.splitlines() or [""]) / _advance("n")


@cache
def _advance(char: str) -> float:
    for family in FAMILIES:  # the first font that has the letter draws it
        font = get_font(findfont(FontProperties(family=family)))
        if font.get_char_index(ord(char)):
            break
    font.set_size(10, 72)
    return font.load_char(ord(char)).linearHoriAdvance / 65536


def line_count(texts: Iterable[str]) -> int:
    """Return the most lines any of ``texts`` takes."""
    return max((t.count("\n") + 1 for t in texts), default=1)


def inches(points: float, lines: int = 1, spacing: float = 1.3) -> float:
    """Return the height of ``lines`` lines of type of ``points`` points, in inches."""
    return lines * points * spacing / 72


def stamp(figure: Figure, text: str) -> None:
    """Write a footer (what the figure shows) at the bottom right, in room kept for it."""
    figure.text(
        0.995, 0.0, text, ha="right", va="bottom", fontsize=FOOTER_SIZE, color="0.35",
        gid="footer",
    )  # fmt: skip
    arrange_foot(figure)


def caption(figure: Figure, text: str, width: int = CAPTION_WIDTH) -> None:
    """Write ``text`` under the figure, made taller to hold it (the plots keep their size)."""
    lines = wrap(text, width)
    w, h = figure.get_size_inches()
    figure.set_size_inches(w, min(h + inches(CAPTION_SIZE, line_count([lines])) + PAD, LIMIT))
    figure.text(0.01, 0.0, lines, fontsize=CAPTION_SIZE, va="bottom", ha="left", gid="caption")
    arrange_foot(figure)


def arrange_foot(figure: Figure) -> None:
    """Stack the footer, the caption and the figure's legends from the bottom up.

    Each gets its own room, and the plots stay above them.
    """
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    height = figure.bbox.height  # pixels
    pad = PAD * figure.dpi
    y = pad / 2
    for gid in ("footer", "caption"):
        for text in [t for t in figure.texts if t.get_gid() == gid]:
            text.set_y(y / height)
            y += text.get_window_extent(renderer).height + pad
    for legend in figure.legends:
        legend.set_bbox_to_anchor((0, y / height, 1, 1 - y / height), figure.transFigure)
        legend.set_loc("lower center")
        y += legend.get_window_extent(renderer).height + pad
    bottom = min(y / height, 0.9)
    engine = figure.get_layout_engine()
    assert isinstance(engine, ConstrainedLayoutEngine)  # as ``new_figure`` makes it
    engine.set(rect=(0, bottom, 1, 1 - bottom))


def tall(base: float, content: float) -> float:
    """Return a figure's height in inches: the slide's, or more when ``content`` needs it.

    ``content`` is in inches; the height is at most a PDF page's.
    """
    return min(max(SLIDE[1], base + content), LIMIT - 3)


@dataclass(frozen=True)
class Scale:
    """How a quantity is shown: divide by ``divisor``, call the unit ``unit``."""

    divisor: float
    unit: str


def money_scale(largest: float) -> Scale:
    """Millions of dollars, thousands, or dollars, whichever keeps the numbers short."""
    largest = abs(largest)
    if largest >= 1e6:
        return Scale(1e6, "$M")
    if largest >= 1e3:
        return Scale(1e3, "$k")
    return Scale(1.0, "$")
