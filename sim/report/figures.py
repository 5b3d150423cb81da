"""Plot functions: tidy frames in (from ``sim.report.frames``), matplotlib figures out.

Each function returns a ``matplotlib.figure.Figure`` drawn by the Agg backend, sized for a
projector, and names its data artists with a ``gid`` (``"<panel>|<series>"``, bands end in
``"|band"``) so that tests and notebooks can find them. A notebook user can call them directly::

    from sim import study
    from sim.report import frames, figures
    result = study.load("results/strategies")
    bands = frames.series_bands(result.timeseries, ["active_clients"])
    figures.plot_series(bands, {"active_clients": ("Active clients", "count")})
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import cast

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from sim.report.frames import (
    COHORTS,
    MIN_AT_RISK,
    Crossing,
    crossings,
    is_clear,
    log_scale,
    order,
)
from sim.report.layout import (
    PANEL_CHARS,
    TITLE_CHARS,
    foot_legend,
    grid_shape,
    rows_height,
    strategy_legend,
    title_points,
    wrap_names,
)
from sim.report.style import (
    OKABE_ITO,
    PARTS,
    SLIDE,
    Look,
    Scale,
    ink_on,
    money_scale,
    new_figure,
    parts_colours,
    projector,
    strategy_looks,
    tall,
    text_colour,
    wrap,
)

# A panel: column -> (title, kind); kind is "money", "count" or "share".
Panels = Mapping[str, tuple[str, str]]
DIFF = ("diff", "diff_low", "diff_high")


def _looks(frame: pd.DataFrame, looks: Mapping[str, Look] | None) -> Mapping[str, Look]:
    return looks if looks is not None else strategy_looks(order(frame))


def _strategies(frame: pd.DataFrame, looks: Mapping[str, Look]) -> list[str]:
    """Return the strategies of the frame, in the order of ``looks`` (the study's order)."""
    present = set(frame["scenario"])
    return [s for s in looks if s in present] + [s for s in order(frame) if s not in looks]


def _colour_labels(ax: Axes, strategies: Sequence[str], looks: Mapping[str, Look]) -> None:
    for label, strategy in zip(ax.get_yticklabels(), strategies, strict=True):
        label.set_color(text_colour(looks[strategy].colour))


def _scale_for(kind: str, values: np.ndarray) -> Scale:
    """How to show values of a kind: money in $M, $k or $; shares in %; counts as they are."""
    if kind == "money":
        finite = values[np.isfinite(values)]
        return money_scale(float(np.abs(finite).max()) if finite.size else 0.0)
    if kind == "share":
        return Scale(0.01, "%")
    return Scale(1.0, "")


def _format_axis(ax: Axes, axis: str = "y") -> None:
    """Thousands separators on an axis of values already divided by their scale."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.10g}"))


def _hide_unused(figure: Figure, used: int) -> None:
    for ax in figure.axes[used:]:
        ax.set_visible(False)


def plot_series(
    bands: pd.DataFrame,
    panels: Panels,
    looks: Mapping[str, Look] | None = None,
    title: str | None = None,
    xlabel: str = "month",
) -> Figure:
    """Monthly means with their 95 % bands, one line per strategy, one panel per column.

    ``bands`` is ``frames.series_bands(...)``: ``scenario, metric, month, mean, low, high``.
    """
    looks = _looks(bands, looks)
    strategies = _strategies(bands, looks)
    with projector():
        rows, cols = grid_shape(len(panels))
        figure = new_figure(rows, cols)
        for ax, (metric, (name, kind)) in zip(figure.axes, panels.items(), strict=False):
            data = bands[bands["metric"] == metric]
            scale = _scale_for(kind, data[["mean", "low", "high"]].to_numpy(float))
            for strategy in strategies:
                mine = data[data["scenario"] == strategy]
                if mine.empty:
                    continue
                look = looks[strategy]
                low, mean, high = (mine[c] / scale.divisor for c in ("low", "mean", "high"))
                if kind == "count":
                    low = low.clip(lower=0.0)  # a count's interval stops at zero
                ax.fill_between(
                    mine["month"], low, high, color=look.colour, alpha=0.18, linewidth=0,
                    gid=f"{metric}|{strategy}|band",
                )  # fmt: skip
                ax.plot(
                    mine["month"], mean, color=look.colour, linestyle=look.dash, label=strategy,
                    gid=f"{metric}|{strategy}",
                )  # fmt: skip
            _format_axis(ax)
            ax.set_title(name)
            ax.set_ylabel(scale.unit)
            ax.set_xlabel(xlabel)
            if (data["low"] < 0).any():
                ax.axhline(0, color="0.3", linewidth=1)
        _hide_unused(figure, len(panels))
        strategy_legend(figure, looks, strategies)
        if title:
            figure.suptitle(title)
    return figure


def plot_differences(
    summary: pd.DataFrame,
    baseline: str,
    panels: Panels,
    looks: Mapping[str, Look] | None = None,
    title: str | None = None,
) -> Figure:
    """Each strategy's paired difference to the baseline with its 95 % interval, per metric.

    ``summary`` is ``StudyResult.summary`` at one point (``scenario, metric, diff, diff_low,
    diff_high``).
    """
    looks = _looks(summary, looks)
    strategies = [s for s in _strategies(summary, looks) if s != baseline]
    y = np.arange(len(strategies))[::-1]
    money = [m for m, (_, kind) in panels.items() if kind == "money"]
    rows = summary["metric"].isin(money) & summary["scenario"].isin(strategies)
    shared = _scale_for("money", summary.loc[rows, list(DIFF)].to_numpy(float))  # one unit
    with projector():
        figure = new_figure(1, len(panels), size=(SLIDE[0], rows_height(strategies)))
        for ax, (metric, (name, kind)) in zip(figure.axes, panels.items(), strict=True):
            data = summary[summary["metric"] == metric].set_index("scenario")
            values = data.loc[strategies, list(DIFF)].to_numpy(float)
            scale = shared if kind == "money" else _scale_for(kind, values)
            for yi, strategy in zip(y, strategies, strict=True):
                diff, low, high = data.loc[strategy, ["diff", "diff_low", "diff_high"]].to_numpy(
                    float
                )
                err = np.nan_to_num([[diff - low], [high - diff]]) / scale.divisor
                ax.errorbar(
                    diff / scale.divisor, yi, xerr=err, fmt=looks[strategy].marker,
                    color=looks[strategy].colour,
                    markersize=10, capsize=6, elinewidth=2.6, gid=f"{metric}|{strategy}",
                )  # fmt: skip
            ax.axvline(0, color=looks[baseline].colour, linewidth=1.2)
            _format_axis(ax, "x")
            ax.set_title(name)
            ax.set_xlabel(scale.unit or "difference")
            ax.set_yticks(y, wrap_names(strategies) if ax is figure.axes[0] else [""] * len(y))
            ax.grid(axis="y", alpha=0)
            ax.set_ylim(-0.6, len(y) - 0.4)
        _colour_labels(figure.axes[0], strategies, looks)
        figure.suptitle(title or wrap(f"Difference to {baseline}", TITLE_CHARS))
    return figure


def plot_stacked(
    panels: Mapping[str, pd.DataFrame],
    parts: Mapping[str, Sequence[str]],
    looks: Mapping[str, Look] | None = None,
    title: str | None = None,
    kind: str | Mapping[str, str] = "money",
    rest: str | None = None,
) -> Figure:
    """Horizontal stacked bars per strategy, one panel per frame, the total at each bar's end.

    ``panels`` maps a panel title to a frame ``scenario, <part>, mean`` whose second column
    names the part (e.g. ``frames.revenue_by_source``: ``source``); ``parts`` gives each panel's
    parts in stacking order (parts that are zero everywhere are left out). ``kind`` is "money"
    or a unit for counts (e.g. "clients"), for all panels or per panel title; the part named
    ``rest`` is grey. Strategies' names carry their colour.
    """
    first = next(iter(panels.values()))
    looks = _looks(first, looks)
    strategies = _strategies(first, looks)
    y = np.arange(len(strategies))[::-1]
    tables = {}
    for name, frame in panels.items():
        column = next(c for c in frame.columns if c not in {"scenario", "mean"})
        table = frame.pivot_table(index="scenario", columns=column, values="mean", sort=False)
        tables[name] = table.reindex(index=strategies, columns=list(parts[name])).fillna(0.0)
    shown = {
        name: [n for n in parts[name] if table[n].abs().sum() > 0] for name, table in tables.items()
    }
    every = list(dict.fromkeys(n for names in shown.values() for n in names))
    colours = parts_colours(every, rest)  # a part has one colour in every panel
    handles: dict[str, Artist] = {}
    with projector():
        figure = new_figure(1, len(panels), size=(SLIDE[0], rows_height(strategies, 3.4)))
        for ax, name in zip(figure.axes, panels, strict=True):
            table, names = tables[name], shown[name]
            unit = kind if isinstance(kind, str) else kind[name]
            scale = _scale_for(unit, table.sum(axis=1).to_numpy(float))
            left = np.zeros(len(strategies))
            for piece in names:
                widths = table[piece].to_numpy(float) / scale.divisor
                bars = ax.barh(
                    y, widths, left=left, color=colours[piece], label=piece, edgecolor="white",
                    height=0.72,
                )  # fmt: skip
                for bar, strategy in zip(bars, strategies, strict=True):
                    bar.set_gid(f"{name}|{piece}|{strategy}")
                handles.setdefault(piece, cast(Artist, bars))  # a legend takes bars (not in stubs)
                left += widths
            decimals = 1 if scale.divisor > 1 or left.max() < 100 else 0
            for yi, total in zip(y, left, strict=True):
                ax.text(total, yi, f" {total:,.{decimals}f}", va="center", fontsize=13)
            ax.set_xlim(0, left.max() * 1.15 if left.max() > 0 else 1)
            _format_axis(ax, "x")
            ax.set_title(name)
            ax.set_xlabel(scale.unit or unit)
            ax.set_yticks(y, wrap_names(strategies) if ax is figure.axes[0] else [""] * len(y))
            ax.grid(axis="y", alpha=0)
            ax.set_ylim(-0.6, len(y) - 0.4)
        _colour_labels(figure.axes[0], strategies, looks)
        foot_legend(figure, [handles[n] for n in every], every)
        if title:
            figure.suptitle(title)
    return figure


def plot_survival(survival: pd.DataFrame, looks: Mapping[str, Look] | None = None) -> Figure:
    """Draw cohort survival curves (``frames.survival``), one panel per cohort.

    One line per strategy, with its 95 % band.
    """
    looks = _looks(survival, looks)
    strategies = _strategies(survival, looks)
    cohorts = COHORTS
    xlabels = {
        "on the books at the start": "month",
        "won during the run": "months since the month of the win",
    }
    with projector():
        figure = new_figure(1, len(cohorts))
        for ax, cohort in zip(figure.axes, cohorts, strict=True):
            data = survival[survival["cohort"] == cohort]
            missing = [s for s in strategies if s not in set(data["scenario"])]
            if data.empty:
                ax.text(
                    0.5, 0.5, f"too few clients won to draw\n(fewer than {MIN_AT_RISK} at any age)",
                    ha="center", va="center", transform=ax.transAxes,
                )  # fmt: skip
            elif missing:
                listed = ", ".join(missing) if len(missing) <= 3 else f"{len(missing)} strategies"
                ax.text(
                    0.02, 0.03, wrap("too few clients won to draw: " + listed, 50, 4),
                    transform=ax.transAxes, fontsize=11, color="0.3", in_layout=False,
                )  # fmt: skip
            for strategy in strategies:
                mine = data[data["scenario"] == strategy]
                if mine.empty:
                    continue
                look = looks[strategy]
                ax.fill_between(
                    mine["age"], mine["low"].clip(0, 1), mine["high"].clip(0, 1),
                    color=look.colour, alpha=0.18, linewidth=0, gid=f"{cohort}|{strategy}|band",
                )  # fmt: skip
                ax.plot(
                    mine["age"], mine["mean"], color=look.colour, linestyle=look.dash,
                    marker="o" if len(mine) < 15 else None, gid=f"{cohort}|{strategy}",
                )  # fmt: skip
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_ylim(0, 1.02)
            ax.set_xlim(left=0)
            ax.set_title(f"Clients {cohort}")
            ax.set_xlabel(xlabels.get(cohort, "months"))
            ax.set_ylabel("still clients, without a break")
        strategy_legend(figure, looks, strategies)
        figure.suptitle("Cohort survival: the share of clients kept")
    return figure


def plot_team(team: pd.DataFrame, looks: Mapping[str, Look] | None = None) -> Figure:
    """Draw the team by role (``frames.team``): headcount, utilisation, clients per person.

    Horizontal bars grouped by role, one colour per strategy, 95 % intervals as whiskers.
    """
    looks = _looks(team, looks)
    strategies = _strategies(team, looks)
    roles = list(dict.fromkeys(team["role"]))
    measures = {
        "headcount": ("Headcount", "people"),
        "utilisation": ("Utilisation", "% of working hours"),
        "clients per person": ("Clients per person", "clients in the books / person"),
    }
    bars = len(roles) * max(len(strategies), 2)
    with projector():
        figure = new_figure(1, len(measures), size=(SLIDE[0], tall(3.0, 0.14 * bars)))
        per_role = (figure.get_size_inches()[1] - 3.0) * 72 / max(len(roles), 1)  # points
        for ax, (measure, (name, unit)) in zip(figure.axes, measures.items(), strict=True):
            data = team[team["measure"] == measure].set_index(["scenario", "role"])
            share = measure == "utilisation"
            for j, role in enumerate(roles):
                staffing = [s for s in strategies if (s, role) in data.index]
                height = 0.84 / max(len(staffing), 2)
                for i, strategy in enumerate(staffing):
                    cells = data.loc[(strategy, role), ["mean", "low", "high"]].to_numpy(float)
                    mean, low, high = (float(v) for v in cells)
                    if share:
                        low, high = max(low, 0.0), min(high, 1.0)
                    err = np.nan_to_num([[mean - low], [high - mean]])
                    y = j + (i - (len(staffing) - 1) / 2) * height
                    ax.barh(
                        y, mean, height, xerr=err, color=looks[strategy].colour, ecolor="0.3",
                        capsize=0, hatch=looks[strategy].hatch or None,
                        edgecolor="0.2" if looks[strategy].hatch else None,
                        gid=f"{measure}|{role}|{strategy}",
                    )  # fmt: skip
                    roomy = per_role * height >= 9  # points: the label fits the bar
                    if measure == "clients per person" and roomy:  # short bars by long ones
                        end = mean if math.isnan(high) else high
                        ax.text(end, y, f" {mean:,.0f}", va="center", fontsize=9)
            if share:
                ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
                ax.set_xlim(0, 1.05)
            else:
                _format_axis(ax, "x")
            ax.set_yticks(range(len(roles)), roles if ax is figure.axes[0] else [""] * len(roles))
            ax.invert_yaxis()
            ax.set_title(name)
            ax.set_xlabel(unit)
            ax.grid(axis="y", alpha=0)
        strategy_legend(figure, looks, strategies)
        figure.suptitle("The team in the last year, by role")
    return figure


def plot_breakeven(
    diffs: pd.DataFrame,
    x: str,
    baseline: str,
    by: str | None = None,
    looks: Mapping[str, Look] | None = None,
    metric_name: str = "profit",
    connect: bool = True,
) -> Figure:
    """Draw the paired difference to the baseline against a swept variable.

    Each difference has its 95 % interval; where the mean difference crosses zero (the
    break-even point) is marked with a diamond and written in the legend.

    ``diffs`` is ``frames.differences(...)``. One panel per strategy, or, with ``by`` (a second
    variable of a grid), per strategy and value of ``by``, each with its own scale. A variable
    spanning ten times or more is drawn on a log scale, and crossings are interpolated on it.
    ``connect=False`` (points that are not on a line, e.g. a Latin hypercube) draws each point
    with its interval and no line or crossing.
    """
    looks = _looks(diffs, looks)
    strategies = _strategies(diffs, looks)
    groups = sorted(diffs[by].unique()) if by else [None]
    panels = [(s, g) for s in strategies for g in groups]
    values = diffs[x].to_numpy(float)
    logarithmic = log_scale(values)
    scale = money_scale(float(diffs[["diff_low", "diff_high"]].abs().max().max()))  # one unit
    with projector():
        rows, cols = grid_shape(len(panels))
        figure = new_figure(rows, cols, size=(SLIDE[0], tall(1.6, 3.0 * rows)))
        for ax, (strategy, group) in zip(figure.axes, panels, strict=False):
            mine = diffs[diffs["scenario"] == strategy]
            line = (mine if group is None else mine[mine[by] == group]).sort_values(x)
            look = looks[strategy]
            xs = line[x].to_numpy(float)
            mean, low, high = (line[c].to_numpy(float) / scale.divisor for c in DIFF)
            name = strategy if group is None or by is None else f"{nice(by)} = {_short(group)}"
            if connect:
                found = crossings(xs, mean, log=logarithmic)
                label = wrap(
                    "mean difference"
                    + "".join(f"; {_crossing(c, is_clear(xs, low, high, c.at))}" for c in found),
                    PANEL_CHARS,
                )
                ax.fill_between(
                    xs, low, high, color=look.colour, alpha=0.18, linewidth=0,
                    gid=f"{strategy}|{name}|band",
                )  # fmt: skip
                ax.plot(
                    xs, mean, marker=look.marker, color=look.colour, linestyle=look.dash,
                    label=label, gid=f"{strategy}|{name}",
                )  # fmt: skip
                if found:
                    ax.plot(
                        [c.at for c in found], [0.0] * len(found), marker="D", markersize=14,
                        linestyle="none", color="white", markeredgecolor="black",
                        markeredgewidth=2, gid=f"{strategy}|{name}|break-even",
                    )  # fmt: skip
            else:
                err = np.nan_to_num([mean - low, high - mean])
                ax.errorbar(
                    xs, mean, yerr=err, fmt=look.marker, color=look.colour, capsize=4,
                    label="difference at each point", gid=f"{strategy}|{name}",
                )  # fmt: skip
            ax.axhline(0, color="0.2", linewidth=1.2)
            if logarithmic:
                ax.set_xscale("log")
                ticks = sorted(set(values)) if len(set(values)) <= 12 else None
                if ticks:
                    ax.set_xticks(ticks)
                ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
                ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
            _format_axis(ax)
            heading = name if len(strategies) == 1 else f"{strategy}, {name}"
            ax.set_title(wrap(heading, PANEL_CHARS), fontsize=title_points(cols))
            ax.set_xlabel(wrap(nice(x) + (" (log scale)" if logarithmic else ""), PANEL_CHARS))
            ax.set_ylabel(f"difference, {scale.unit}")
            ax.legend(fontsize=11 if cols > 2 else 12, loc="upper left")
        _hide_unused(figure, len(panels))
        shown = strategies[0] if len(strategies) == 1 else "each strategy"
        figure.suptitle(wrap(f"{metric_name.capitalize()}: {shown} − {baseline}", TITLE_CHARS))
    return figure


def _crossing(c: Crossing, clear: bool) -> str:
    side = "above" if c.rising else "below"
    return f"break-even at {c.at:.3g} (pays {side}{'' if clear else '; uncertain'})"


def plot_heatmap(
    diffs: pd.DataFrame, x: str, y: str, baseline: str, metric_name: str = "profit"
) -> Figure:
    """Draw the mean paired difference over two swept variables, one panel per strategy.

    On a full grid, cells coloured purple (gain) or orange (loss) and labelled with the value;
    cells whose 95 % interval includes 0 are labelled ``n.s.``. Points that do not form a grid
    (a Latin hypercube) are drawn as coloured dots.
    """
    strategies = order(diffs)
    scale = money_scale(float(diffs["diff"].abs().max()))
    high = max(float(diffs["diff"].abs().max()) / scale.divisor, 1e-9)
    low = -high  # symmetric: a colour's strength is the size of the difference
    norm = TwoSlopeNorm(0.0, low, high)
    cmap = mpl.colormaps["PuOr"]
    with projector():
        rows, cols = grid_shape(len(strategies))
        figure = new_figure(rows, cols, size=(SLIDE[0], tall(1.6, 3.4 * rows)))
        for ax, strategy in zip(figure.axes, strategies, strict=False):
            mine = diffs[diffs["scenario"] == strategy]
            grid = mine.pivot_table(index=y, columns=x, values="diff", aggfunc="mean")
            image: ScalarMappable
            if grid.notna().all().all() and grid.size == len(mine):
                image = ax.imshow(
                    grid.to_numpy() / scale.divisor, cmap=cmap, norm=norm, origin="lower",
                    aspect="auto", gid=f"{strategy}|heatmap",
                )  # fmt: skip
                ax.set_xticks(range(grid.shape[1]), [_short(v) for v in grid.columns])
                ax.set_yticks(range(grid.shape[0]), [_short(v) for v in grid.index])
                _label_cells(ax, mine, grid, (x, y), scale, lambda v: cmap(norm(v)))
            else:
                image = ax.scatter(
                    mine[x], mine[y], c=mine["diff"] / scale.divisor, cmap=cmap, norm=norm,
                    s=220, edgecolors="0.3", gid=f"{strategy}|heatmap",
                )  # fmt: skip
                unclear = mine[(mine["diff_low"] <= 0) & (mine["diff_high"] >= 0)]
                for _, p in unclear.iterrows():
                    ax.annotate(
                        "n.s.", (p[x], p[y]), xytext=(9, 6), textcoords="offset points",
                        fontsize=11,
                    )  # fmt: skip
            ax.grid(False)
            ax.set_xlabel(wrap(nice(x), PANEL_CHARS))
            ax.set_ylabel(wrap(nice(y), PANEL_CHARS))
            ax.set_title(wrap(f"{strategy} − {baseline}", PANEL_CHARS), fontsize=title_points(cols))
        _hide_unused(figure, len(strategies))
        bar = figure.colorbar(image, ax=figure.axes[: len(strategies)], shrink=0.9)
        bar.set_ticks([low, low / 2, 0.0, high / 2, high])
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:+,.2f}"))
        bar.set_label(
            f"{metric_name} difference, {scale.unit}\n(n.s.: its 95 % interval includes 0)"
        )
        figure.suptitle(
            wrap(f"{metric_name.capitalize()} difference to {baseline} over the sweep", TITLE_CHARS)
        )
    return figure


def _label_cells(
    ax: Axes,
    points: pd.DataFrame,
    grid: pd.DataFrame,
    axes: tuple[str, str],
    scale: Scale,
    colour_of: Callable[[float], tuple[float, ...]],
) -> None:
    x, y = axes
    columns, rows = list(grid.columns), list(grid.index)
    for _, p in points.iterrows():
        value = p["diff"] / scale.divisor
        significant = p["diff_low"] > 0 or p["diff_high"] < 0
        text = f"{value:+,.2f}" + ("" if significant else "\nn.s.")
        ax.text(
            columns.index(p[x]), rows.index(p[y]), text, ha="center", va="center", fontsize=13,
            fontweight="bold" if significant else "normal", color=ink_on(colour_of(value)),
        )  # fmt: skip


def nice(name: str) -> str:
    """Return a swept variable's name for a reader: its last part, with spaces."""
    return name.rsplit(".", 1)[-1].replace("_", " ")


def _short(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def plot_morris(indices: pd.DataFrame, title: str, money: bool = True) -> Figure:
    """Draw a Morris screen: μ* against σ, every parameter a labelled dot.

    ``indices`` is one quantity's rows of ``sensitivity.csv`` (``parameter, index, value,
    conf`` with the indices ``mu_star`` and ``sigma``). The whisker is μ*'s 95 % bootstrap
    interval; the dashed line σ = μ* parts effects that are mostly linear and additive (below)
    from those that depend on the other parameters or bend (above; Morris 1991). ``money``
    shows the values in $M, $k or $.
    """
    wide = indices.pivot_table(index="parameter", columns="index", values=["value", "conf"])
    mu, sigma, conf = (wide[c].to_numpy(float) for c in
                       (("value", "mu_star"), ("value", "sigma"), ("conf", "mu_star")))  # fmt: skip
    largest = float(np.nanmax(np.concatenate([mu + np.nan_to_num(conf), sigma, [0.0]])))
    scale = money_scale(largest) if money else Scale(1.0, "")
    with projector():
        figure = new_figure(size=(SLIDE[0], tall(1.6, 6.2)))
        ax = figure.axes[0]
        top = max(largest / scale.divisor * 1.08, 1e-9)
        ax.plot(
            [0, top], [0, top], linestyle="--", color="0.5", linewidth=1.4, gid="morris|diagonal"
        )
        ax.text(top, top, " σ = μ*", ha="left", va="center", fontsize=12, color="0.35")
        ax.errorbar(
            mu / scale.divisor, sigma / scale.divisor, xerr=np.nan_to_num(conf) / scale.divisor,
            fmt="o", color=OKABE_ITO[1], markersize=9, capsize=4, elinewidth=1.6,
            gid="morris|points",
        )  # fmt: skip
        for name, x, y in zip(wide.index, mu, sigma, strict=True):
            ax.annotate(
                nice(str(name)), (x / scale.divisor, y / scale.divisor), xytext=(6, 4),
                textcoords="offset points", fontsize=11, gid=f"morris|label|{name}",
            )  # fmt: skip
        ax.set_xlim(0, top * 1.25)
        ax.set_ylim(0, top * 1.08)
        _format_axis(ax)
        _format_axis(ax, "x")
        unit = f", {scale.unit}" if scale.unit else ""
        ax.set_xlabel(f"μ*: mean absolute effect{unit} (whisker: 95 % interval)")
        ax.set_ylabel(f"σ: spread of the effects{unit}")
        figure.suptitle(wrap(title, TITLE_CHARS))
    return figure


def plot_sobol(indices: pd.DataFrame, title: str) -> Figure:
    """Draw Sobol indices: ST and S1 bars per parameter, the largest ST on top.

    ``indices`` is one quantity's rows of ``sensitivity.csv`` with the indices ``ST`` and
    ``S1``; whiskers are their 95 % bootstrap intervals. ST is the share of the variance a
    parameter accounts for with its interactions, S1 alone.
    """
    wide = indices[indices["index"].isin(["ST", "S1"])].pivot_table(
        index="parameter", columns="index", values=["value", "conf"]
    )
    wide = wide.sort_values(("value", "ST"), ascending=True)
    y = np.arange(len(wide))
    colours = {"ST": PARTS[0], "S1": PARTS[1]}
    names = {"ST": "ST: total (with interactions)", "S1": "S1: first order (alone)"}
    with projector():
        figure = new_figure(size=(SLIDE[0], tall(2.4, 0.55 * len(wide) + 1.0)))
        ax = figure.axes[0]
        for offset, index in ((0.2, "ST"), (-0.2, "S1")):
            values = wide[("value", index)].to_numpy(float)
            err = np.nan_to_num(wide[("conf", index)].to_numpy(float))
            bars = ax.barh(
                y + offset, values, 0.38, xerr=err, color=colours[index], ecolor="0.2",
                capsize=4, label=names[index], gid=f"sobol|{index}",
            )  # fmt: skip
            for bar, name in zip(bars, wide.index, strict=True):
                bar.set_gid(f"sobol|{index}|{name}")
        ax.axvline(0, color="0.2", linewidth=1)
        ax.set_yticks(y, [nice(str(n)) for n in wide.index])
        ax.set_xlim(min(-0.05, ax.get_xlim()[0]), max(1.0, ax.get_xlim()[1]))
        ax.set_xlabel("share of the variance (whiskers: 95 % intervals)")
        ax.grid(axis="y", alpha=0)
        ax.legend(loc="lower right")
        figure.suptitle(wrap(title, TITLE_CHARS))
    return figure


__all__ = [
    "plot_breakeven",
    "plot_differences",
    "plot_heatmap",
    "plot_morris",
    "plot_series",
    "plot_sobol",
    "plot_stacked",
    "plot_survival",
    "plot_team",
]
