"""The workshop dashboard: play the current settings against a frozen baseline in a browser.

Served by ``salesim workshop`` (Solara). Every browser tab is its own session: its own
scenario, settings, runs and rounds. Mesa's SolaraViz drives one model with one set of
parameters; the dashboard needs two runs side by side (the baseline is frozen while the
settings change) and rounds that outlive a reset, so it is built on Solara directly.
"""

from __future__ import annotations

import base64
import io
import math
import os
import threading
import time
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import solara
from matplotlib.figure import Figure

from sim.config.loader import ConfigError
from sim.config.schema import Scenario
from sim.workshop.files import load_offered, offered
from sim.workshop.levers import LEVERS, Lever
from sim.workshop.session import Workshop

SCENARIOS = Path(os.environ.get("SALESIM_SCENARIOS", "scenarios"))
DEFAULT_SCENARIO = os.environ.get("SALESIM_SCENARIO", "reference.yaml")
SEED = int(os.environ.get("SALESIM_SEED", "1"))
FRAME_S = 0.5  # charts redraw at most twice a second while playing
SPEEDS = [1, 2, 3, 6]  # simulated months per redraw
LABEL_STYLE = {"font-size": "15px", "margin-top": "6px"}  # above the slider: full-width tracks
CURRENT, BASELINE = "#0072B2", "#7f7f7f"  # colour-blind-safe blue; grey for the baseline
CHARTS = (
    ("active_clients", "Active clients", "clients", 1.0),
    ("new_clients", "New clients a month", "clients", 1.0),
    ("lost_clients", "Lost clients a month", "clients", 1.0),
    ("revenue_collected", "Revenue collected a month", "$k", 1e3),
    ("staff_cost", "Staff cost a month", "$k", 1e3),
    ("cumulative_profit", "Cumulative profit", "$M", 1e6),
)


def scenario_files() -> list[str]:
    """List the scenario files a facilitator can pick (see ``sim.workshop.files.offered``)."""
    return list(offered(SCENARIOS))


def load(name: object) -> Scenario:
    """Load a picked scenario: only a file the folder offers, whatever the browser sends."""
    return load_offered(SCENARIOS, name)


class LiveCharts:
    """Six charts, current settings (blue) against the baseline (grey, dashed).

    The figure is built once per session and only its lines change, so a redraw costs a
    fraction of a new figure (about 0.3 s against 1 s).
    """

    def __init__(self, horizon_months: int) -> None:
        self.figure = Figure(figsize=(13, 6.5))
        self.figure.subplots_adjust(
            left=0.06, right=0.99, top=0.88, bottom=0.09, hspace=0.42, wspace=0.28
        )
        self.lines: list[tuple[Any, Any, Any, str, float]] = []
        for ax, (column, title, unit, scale) in zip(
            self.figure.subplots(2, 3).flat, CHARTS, strict=True
        ):
            (base,) = ax.plot([], [], "--", color=BASELINE, linewidth=2.2, label="baseline")
            (now,) = ax.plot([], [], "-", color=CURRENT, linewidth=2.2, label="current settings")
            ax.set_title(title, fontsize=14)
            ax.set_ylabel(unit, fontsize=12)
            ax.set_xlim(0, horizon_months)
            ax.tick_params(labelsize=11)
            ax.grid(alpha=0.3)
            self.lines.append((ax, base, now, column, scale))
        handles = [self.lines[0][2], self.lines[0][1]]
        self.figure.legend(handles=handles, loc="upper center", ncol=2, fontsize=13, frameon=False)
        self.lines[-1][0].set_xlabel("month", fontsize=12)

    def update(self, workshop: Workshop) -> None:
        """Put the months so far on the charts."""
        current, baseline = workshop.frames()
        months = list(range(1, len(current) + 1))
        for ax, base, now, column, scale in self.lines:
            for line, frame in ((base, baseline), (now, current)):
                values = (
                    frame["profit"].cumsum() if column == "cumulative_profit" else frame[column]
                )
                line.set_data(months, (values / scale).tolist())
            ax.relim()
            ax.autoscale_view(scalex=False)

    def png(self, dpi: int = 100) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi)
        return buffer.getvalue()


def money(x: float) -> str:
    sign = "+" if x > 0 else ("-" if x < 0 else "")
    x = abs(x)
    return f"{sign}${x / 1e6:,.2f}M" if x >= 1e6 else f"{sign}${x / 1e3:,.0f}k"


@solara.component
def LeverControl(lever: Lever, value: Any, on_value: Any) -> None:
    """One control, with the schema's range."""
    if lever.kind == "bool":
        solara.Switch(label=lever.label, value=bool(value), on_value=on_value)
    elif lever.kind == "choice":
        solara.Select(label=lever.label, values=list(lever.choices), value=value, on_value=on_value)
    else:
        whole = lever.kind == "int"
        cast = int if whole else float
        solara.Text(f"{lever.label}: {cast(value):g}", style=LABEL_STYLE)
        slider = solara.SliderInt if whole else solara.SliderFloat
        slider(
            label="",
            value=cast(value),
            min=cast(lever.low or 0),
            max=cast(lever.high or 0),
            step=cast(lever.step or 1),
            on_value=on_value,
            thumb_label=False,
        )


@solara.component
def Page() -> None:
    files = scenario_files()
    scenario_name = solara.use_reactive(DEFAULT_SCENARIO if DEFAULT_SCENARIO in files else "")
    problem = solara.use_reactive("")
    tick = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(SPEEDS[0])
    round_name = solara.use_reactive("")
    lock = solara.use_memo(threading.Lock, [])

    def start() -> tuple[Workshop | None, str]:
        if not files:
            return None, f"no scenario files in {SCENARIOS.resolve()}"
        try:
            return Workshop(load(scenario_name.value), SEED), ""
        except ConfigError as err:
            return None, str(err)

    workshop, load_error = solara.use_memo(start, [scenario_name.value])

    def refresh() -> None:
        tick.value += 1

    def play() -> None:
        while playing.value and workshop is not None and not workshop.finished:
            begun = time.monotonic()
            with lock:
                workshop.step(speed.value)
            refresh()
            time.sleep(max(0.0, FRAME_S - (time.monotonic() - begun)))
        playing.value = False

    solara.lab.use_task(play, dependencies=[playing.value, workshop], prefer_threaded=True)

    solara.Title("salesim workshop")
    if workshop is None:  # a scenario that does not load: say why, and let another be picked
        if files:
            solara.Select(label="Scenario", values=files, value=scenario_name)
        Problem(load_error)
        return

    def act(action: Any) -> Any:
        def run(*args: Any) -> None:
            problem.value = ""
            try:
                with lock:
                    action(*args)
            except (ValueError, KeyError) as err:
                problem.value = str(err).splitlines()[0]
            refresh()

        return run

    with solara.Columns([1, 3]):
        with solara.Column(style={"padding": "8px"}):
            Controls(workshop, files, scenario_name, act, tick.value)
        with solara.Column(style={"padding": "8px"}):
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
                solara.Button(
                    "Pause" if playing.value else "Play",
                    color="primary",
                    on_click=lambda: playing.set(not playing.value),
                    disabled=workshop.finished,
                )
                solara.Button(
                    "Step", on_click=act(lambda: workshop.step(1)), disabled=playing.value
                )
                solara.Button("Reset", on_click=act(workshop.reset), disabled=playing.value)
                solara.Text("months per redraw:")
                solara.ToggleButtonsSingle(value=speed, values=SPEEDS)
                solara.Button(
                    "Make these settings the baseline", on_click=act(workshop.freeze_baseline)
                )
            Status(workshop, tick.value)
            if problem.value:
                Problem(problem.value)
            Charts(workshop, tick.value)
            Rounds(workshop, round_name, act, tick.value)


@solara.component
def Controls(workshop: Workshop, files: list[str], scenario_name: Any, act: Any, tick: int) -> None:
    """The scenario and the levers, grouped as a manager thinks of them (``tick``: redraw)."""
    solara.Select(label="Scenario", values=files, value=scenario_name)
    for group in dict.fromkeys(lever.group for lever in LEVERS):
        solara.Markdown(f"**{group}**")
        for lever in (lv for lv in LEVERS if lv.group == group):
            LeverControl(
                lever,
                workshop.settings[lever.path],
                act(lambda v, path=lever.path: workshop.change(path, v)),
            )


@solara.component
def Status(workshop: Workshop, tick: int) -> None:
    difference = workshop.difference()
    retention = difference["retention_12m"]
    shown = "n/a (needs 12 months)" if math.isnan(retention) else f"{retention * 100:+.1f} points"
    solara.Markdown(
        f"### Month {workshop.month} of {workshop.horizon_months}  \n"
        f"**Profit so far, current − baseline: {money(difference['profit'])}** · "
        f"**12-month retention, current − baseline: {shown}**"
    )


@solara.component
def Charts(workshop: Workshop, tick: int) -> None:
    charts = solara.use_memo(lambda: LiveCharts(workshop.horizon_months), [workshop])

    def render() -> bytes:
        charts.update(workshop)
        return charts.png()

    image = solara.use_memo(render, [tick, workshop])
    solara.Image(image, format="png", width="100%")
    DownloadLink(image, "salesim-charts.png", "Export charts (PNG)", "image/png")


@solara.component
def Rounds(workshop: Workshop, round_name: Any, act: Any, tick: int) -> None:
    solara.Markdown("### Rounds")
    with solara.Row(style={"align-items": "center"}):
        solara.InputText("Round name", value=round_name, continuous_update=True)
        solara.Button(
            "Commit round",
            color="primary",
            on_click=act(lambda: workshop.commit(round_name.value)),
        )
    if workshop.rounds:
        TextTable(_readable(workshop.rounds_table()))
        csv = workshop.rounds_csv().encode()
        DownloadLink(csv, "salesim-rounds.csv", "Export rounds (CSV)", "text/csv")


@solara.component
def Problem(message: str) -> None:
    """A problem, in red, as the loader words it (file, line, field)."""
    solara.Text(
        message,
        style={
            "color": "#b00020",
            "white-space": "pre-wrap",
            "font-size": "15px",
            "margin": "8px 0",
        },
    )


@solara.component
def DownloadLink(data: bytes, filename: str, label: str, mime: str) -> None:
    """A link that saves ``data`` as a file (the data travel inside the page: works offline)."""
    href = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    solara.HTML(
        tag="a",
        unsafe_innerHTML=label,
        attributes={"href": href, "download": filename, "role": "button"},
        style={
            "display": "inline-block",
            "padding": "6px 14px",
            "margin": "4px 0",
            "border": "1px solid #0072B2",
            "border-radius": "4px",
            "color": "#0072B2",
            "text-decoration": "none",
            "font-weight": "500",
        },
    )


def table_cells(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Return a frame's header and rows as the strings shown (thousands separators)."""

    def cell(column: str, value: Any) -> str:
        if isinstance(value, float):
            return f"{value:+,.2f}" if column.endswith("vs baseline") else f"{value:,.2f}"
        return str(value)

    columns = [str(c) for c in frame.columns]
    rows = [
        [cell(c, v) for c, v in zip(columns, row, strict=True)]
        for row in frame.itertuples(index=False)
    ]
    return columns, rows


@solara.component
def TextTable(frame: pd.DataFrame) -> None:
    """Show a table whose every cell is a text node: a name as typed, never read as markup."""
    header, rows = table_cells(frame)
    right = [pd.api.types.is_numeric_dtype(dtype) for dtype in frame.dtypes]
    cell = "padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: "
    with solara.v.Html(
        tag="table", style_="border-collapse: collapse; font-size: 14px; margin: 8px 0"
    ):
        with solara.v.Html(tag="thead"), solara.v.Html(tag="tr"):
            for text, numeric in zip(header, right, strict=True):
                align = "right" if numeric else "left"
                solara.v.Html(tag="th", style_=cell + align, children=[text])
        with solara.v.Html(tag="tbody"):
            for row in rows:
                with solara.v.Html(tag="tr"):
                    for text, numeric in zip(row, right, strict=True):
                        align = "right" if numeric else "left"
                        solara.v.Html(tag="td", style_=cell + align, children=[text])


def _readable(table: pd.DataFrame) -> pd.DataFrame:
    """The rounds table in the units a room reads: $M, %, clients."""
    out = pd.DataFrame({"round": table["round"], "changes": table["changes"]})
    for column, label, scale in (
        ("revenue_collected", "revenue $M", 1e6),
        ("staff_cost", "staff cost $M", 1e6),
        ("profit", "profit $M", 1e6),
        ("retention_12m", "retention %", 0.01),
        ("active_end", "clients", 1.0),
    ):
        out[label] = (table[column] / scale).round(2)
        out[f"{label} vs baseline"] = (table[f"{column}_vs_baseline"] / scale).round(2)
    return out
