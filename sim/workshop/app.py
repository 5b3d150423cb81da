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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import solara
from matplotlib.figure import Figure
from matplotlib.ticker import AutoLocator

from sim.config.loader import ConfigError
from sim.config.schema import Scenario
from sim.metrics import HEADLINE, cumulative_profit
from sim.workshop.files import load_offered, offered
from sim.workshop.levers import LEVERS, Lever, idle
from sim.workshop.session import Workshop

SCENARIOS = Path(os.environ.get("SALESIM_SCENARIOS", "scenarios"))
DEFAULT_SCENARIO = os.environ.get("SALESIM_SCENARIO", "reference.yaml")
SEED = int(os.environ.get("SALESIM_SEED", "1"))
FRAME_S = 0.5  # charts redraw at most twice a second while playing
SPEEDS = [1, 2, 3, 6]  # simulated months per redraw
LABEL_STYLE = {"font-size": "15px", "margin-top": "6px"}  # above the slider: full-width tracks
GROUP_STYLE = {"font-size": "16px", "font-weight": "bold", "margin-top": "12px", "display": "block"}
CURRENT, BASELINE = "#0072B2", "#7f7f7f"  # colour-blind-safe blue; grey for the baseline
CHARTS = (
    ("active_clients", "Active clients", "clients", 1.0),
    ("new_clients", "New clients a month", "clients", 1.0),
    ("lost_clients", "Lost clients a month", "clients", 1.0),
    ("revenue_collected", "Revenue collected a month", "$k", 1e3),
    ("staff_cost", "Staff cost a month", "$k", 1e3),
    ("cumulative_profit", "Cumulative operating profit", "$M", 1e6),
)
ROUND_BEHAVIOUR_LABELS = {  # what the bonus levers move, in the rounds table
    "hunting_hours_per_seller": ("hunting h / seller / month", 1.0),
    "escalations_answered_share": ("escalations answered %", 0.01),
}
ROUND_UNITS = {"money": (1e6, " $M"), "share": (0.01, " %"), "count": (1.0, "")}  # rounds table
PERCENT_UNITS = ("share 0-1", "probability")  # lever units shown as percentages
SINGULAR = {"people": "person", "sellers": "seller"}  # "1 person", not "1 people"
RANGE_STYLE = {"font-size": "13px", "color": "#555"}  # a slider's lowest and highest value
IDLE_STYLE = {"font-size": "13px", "color": "#8a5a00", "font-style": "italic", "display": "block"}
STATUS_STYLE = {"font-size": "16px", "font-weight": "bold", "margin": "4px 0 8px"}
HEADING_STYLE = {"font-size": "24px", "margin": "8px 0 4px", "display": "block"}
PLACEHOLDER = "Press Play (or Step) to start: the charts fill in month by month."
# Solara's "runs on Solara" banner sits bottom right, over the page's last buttons; the banner is
# switched off where the server starts (``sim.workshop.serve``) and hidden here too, in case the
# page is served another way.
# A column is no wider than its share of the screen: a wide rounds table scrolls inside it
# instead of pushing COMMIT ROUND and the exports off a 1280-pixel projector.
PAGE_CSS = (
    "div:has(> b > a[href='https://solara.dev']) { display: none !important; }\n"
    ".v-col { min-width: 0; }"
)


def scenario_files() -> list[str]:
    """List the scenario files a facilitator can pick (see ``sim.workshop.files.offered``)."""
    return list(offered(SCENARIOS))


def load(name: object) -> Scenario:
    """Load a picked scenario: only a file the folder offers, whatever the browser sends."""
    return load_offered(SCENARIOS, name)


class LiveCharts:
    """Six charts, current settings (blue) against the baseline (grey, dashed), as a PNG.

    Drawn on the server only when a session exports its charts; the page draws its own live
    charts in the browser (see ``chart_option``).
    """

    def __init__(self, horizon_months: int) -> None:
        self.figure = Figure(figsize=(13, 6.5))
        self.figure.subplots_adjust(
            left=0.06, right=0.99, top=0.88, bottom=0.09, hspace=0.42, wspace=0.28
        )
        self.lines: list[tuple[Any, Any, Any, str, float]] = []
        self.placeholders: list[Any] = []  # "press Play to start", until the first month
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
            ax.set_yticks([])  # no months yet: no made-up scale (-0.04 to 0.04)
            self.placeholders.append(
                ax.text(
                    0.5,
                    0.5,
                    "press Play to start",
                    transform=ax.transAxes,
                    ha="center",
                    va="center",
                    fontsize=14,
                    color="#777777",
                )
            )
            self.lines.append((ax, base, now, column, scale))
        handles = [self.lines[0][2], self.lines[0][1]]
        self.figure.legend(handles=handles, loc="upper center", ncol=2, fontsize=13, frameon=False)
        self.lines[-1][0].set_xlabel("month", fontsize=12)

    def update(self, workshop: Workshop) -> None:
        """Put the months so far on the charts."""
        current, baseline = workshop.frames()
        months = list(range(1, len(current) + 1))
        if months:
            while self.placeholders:
                self.placeholders.pop().remove()
        for ax, base, now, column, scale in self.lines:
            if months:
                ax.yaxis.set_major_locator(AutoLocator())
            for line, frame in ((base, baseline), (now, current)):
                values = _values(frame, column)
                line.set_data(months, (values / scale).tolist())
            ax.relim()
            ax.autoscale_view(scalex=False)

    def png(self, dpi: int = 100) -> bytes:
        """Return the charts as a PNG image at ``dpi`` dots per inch."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi)
        return buffer.getvalue()


def _values(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return a chart's values: a monthly column, or ``cumulative_profit`` (``sim.metrics``)."""
    return cumulative_profit(frame) if column == "cumulative_profit" else frame[column]


def _points(months: list[int], values: pd.Series, scale: float) -> list[list[float | None]]:
    return [
        [month, round(v / scale, 4) if math.isfinite(v) else None]
        for month, v in zip(months, values.tolist(), strict=True)
    ]


def chart_option(workshop: Workshop) -> dict[str, Any]:
    """Return the six live charts as an ECharts option, drawn by the browser.

    A frame is a few kilobytes of numbers instead of a picture drawn on the server (0.5 s of
    a processor each), so a dozen sessions can play at once.
    """
    current, baseline = workshop.frames()
    months = list(range(1, len(current) + 1))
    titles, grids, x_axes, y_axes, series, graphics = [], [], [], [], [], []
    for i, (column, title, unit, scale) in enumerate(CHARTS):
        row, col = divmod(i, 3)
        titles.append(
            {
                "text": title,
                "left": f"{20 + col * 33}%",
                "top": f"{6 + row * 48}%",
                "textAlign": "center",
                "textStyle": {"fontSize": 15},
            }
        )
        grids.append(
            {
                "left": f"{6 + col * 33}%",
                "width": "26%",
                "top": f"{15 + row * 48}%",
                "height": "27%",
            }
        )
        x_axes.append(
            {
                "gridIndex": i,
                "type": "value",
                "min": 0,
                "max": workshop.horizon_months,
                "name": "month" if row == 1 else "",
                "nameLocation": "middle",
                "nameGap": 26,
                "axisLabel": {"fontSize": 12},
            }
        )
        y_axes.append(
            {
                "gridIndex": i,
                "type": "value",
                "scale": True,
                "name": unit,
                "nameTextStyle": {"fontSize": 13},
                "axisLabel": {"fontSize": 12},
            }
            if months
            else {  # no months yet: no made-up scale (ECharts would show -0.04 to 0.04)
                "gridIndex": i,
                "type": "value",
                "min": 0,
                "max": 1,
                "name": unit,
                "nameTextStyle": {"fontSize": 13},
                "axisLabel": {"show": False},
                "axisTick": {"show": False},
                "splitLine": {"show": False},
            }
        )
        if not months:
            graphics.append(
                {
                    "type": "text",
                    "left": f"{10 + col * 33}%",
                    "top": f"{27 + row * 48}%",
                    "silent": True,
                    "style": {"text": "press Play to start", "fontSize": 16, "fill": "#777"},
                }
            )
        for name, frame, colour, dash in (
            ("baseline", baseline, BASELINE, "dashed"),
            ("current settings", current, CURRENT, "solid"),
        ):
            values = _values(frame, column)
            series.append(
                {
                    "name": name,
                    "type": "line",
                    "xAxisIndex": i,
                    "yAxisIndex": i,
                    "data": _points(months, values, scale),
                    "showSymbol": False,
                    "lineStyle": {"color": colour, "width": 2.5, "type": dash},
                    "itemStyle": {"color": colour},
                }
            )
    return {
        "animation": False,  # a frame replaces the last: nothing to animate, less work
        "title": titles,
        "legend": {
            "top": 0,
            "data": ["current settings", "baseline"],
            "textStyle": {"fontSize": 15},
        },
        "tooltip": {"trigger": "axis"},
        "grid": grids,
        "xAxis": x_axes,
        "yAxis": y_axes,
        "series": series,
        "graphic": graphics,  # before the first month: what to do, over each empty chart
    }


def chart_png(workshop: Workshop) -> bytes:
    """Draw the six charts as a PNG (for the export: on the server, on demand)."""
    charts = LiveCharts(workshop.horizon_months)
    charts.update(workshop)
    return charts.png()


_EMPTY_CHARTS: dict[int, bytes] = {}
_EMPTY_CHARTS_LOCK = threading.Lock()


def empty_chart_png(horizon_months: int) -> bytes:
    """Return the charts before the first month as a PNG.

    Drawn once per horizon for every session: sessions that open at once wait for the first
    drawing instead of each drawing it (half a second of a processor each).
    """
    with _EMPTY_CHARTS_LOCK:
        if horizon_months not in _EMPTY_CHARTS:
            _EMPTY_CHARTS[horizon_months] = LiveCharts(horizon_months).png()
        return _EMPTY_CHARTS[horizon_months]


def money(x: float) -> str:
    """Show a signed amount of USD in $M from a million, else in $k (``+$1.25M``, ``-$40k``)."""
    sign = "+" if x > 0 else ("-" if x < 0 else "")
    x = abs(x)
    return f"{sign}${x / 1e6:,.2f}M" if x >= 1e6 else f"{sign}${x / 1e3:,.0f}k"


def shown_value(lever: Lever, value: Any) -> str:
    """Return a lever's value as a room reads it: with its unit, shares as percentages.

    ``0.1`` of a share is ``"10 %"``, ``5000`` USD/month ``"5,000 USD/month"``, ``3`` hunters
    ``"3 people"``.
    """
    if lever.unit in PERCENT_UNITS:
        return f"{round(float(value) * 100, 2):g} %"
    number = f"{int(value):,}" if lever.kind == "int" else f"{float(value):,.10g}"
    unit = SINGULAR.get(lever.unit, lever.unit) if number == "1" else lever.unit
    return f"{number} {unit}".strip()


@solara.component
def LeverControl(lever: Lever, value: Any, on_value: Any, reason: str = "") -> None:
    """One control, with the schema's range and unit; disabled, with ``reason``, when idle."""
    off = bool(reason)
    if lever.kind == "bool":
        solara.Switch(label=lever.label, value=bool(value), on_value=on_value, disabled=off)
    elif lever.kind == "choice":
        solara.Select(
            label=lever.label,
            values=list(lever.choices),
            value=value,
            on_value=on_value,
            disabled=off,
        )
    else:
        solara.Text(f"{lever.label}: {shown_value(lever, value)}", style=LABEL_STYLE)
        if lever.kind == "int":
            solara.SliderInt(
                label="",
                value=int(value),
                min=int(lever.low or 0),
                max=int(lever.high or 0),
                step=int(lever.step or 1),
                on_value=on_value,
                thumb_label=False,
                disabled=off,
            )
        else:
            solara.SliderFloat(
                label="",
                value=float(value),
                min=float(lever.low or 0),
                max=float(lever.high or 0),
                step=float(lever.step or 1),
                on_value=on_value,
                thumb_label=False,
                disabled=off,
            )
        with solara.Row(justify="space-between", style={"margin-top": "-14px"}):
            solara.Text(shown_value(lever, lever.low or 0), style=RANGE_STYLE)
            solara.Text(shown_value(lever, lever.high or 0), style=RANGE_STYLE)
    if off:  # right under the control (a switch or a list keeps a margin below it)
        lift = "-4px" if lever.kind in ("int", "float") else "-22px"
        solara.Text(reason, style={**IDLE_STYLE, "margin-top": lift, "margin-bottom": "8px"})


def page_watch() -> Any:
    """Return a function telling whether the session still has a page open in a browser.

    A session whose tab was closed ends at once; one whose browser went silent (a crash, a
    lost network) is kept for a reconnect until Solara culls it, but stops playing meanwhile.
    """
    try:
        from solara.server import kernel_context

        context = kernel_context.get_current_context()
    except Exception:  # not served (a test rendering the page directly): always open
        return lambda: True

    def open_somewhere() -> bool:
        try:
            return kernel_context.PageStatus.CONNECTED in tuple(context.page_status.values())
        except RuntimeError:  # a page connecting or leaving right now: ask again next month
            return True

    return open_somewhere


@solara.component
def Page() -> None:
    """Show one session's dashboard: levers, play controls, status, charts and rounds.

    The session (``Workshop``) is made when the page opens and again when another scenario is
    picked; it plays in a thread of its own (``play``), never in the server's event loop.
    """
    problem = solara.use_reactive("")
    tick = solara.use_reactive(0)  # a new frame: month, charts (``Live`` alone reads it)
    revision = solara.use_reactive(0)  # a change of settings or rounds: controls, rounds table
    playing = solara.use_reactive(False)
    files = scenario_files()  # read again at each drawing of the page, not of a frame
    scenario_name = solara.use_reactive(DEFAULT_SCENARIO if DEFAULT_SCENARIO in files else "")
    speed = solara.use_reactive(SPEEDS[0])
    round_name = solara.use_reactive("")
    lock = solara.use_memo(threading.RLock, [])
    connected = solara.use_memo(page_watch, [])

    def start() -> tuple[Workshop | None, str]:
        if not files:
            return None, f"no scenario files in {SCENARIOS.resolve()}"
        try:
            return Workshop(load(scenario_name.value), SEED), ""
        except ConfigError as err:
            return None, str(err)

    workshop, load_error = solara.use_memo(start, [scenario_name.value])

    def play(stop: threading.Event) -> None:
        """Advance month by month in this session's own thread.

        A frame at most every ``FRAME_S`` s; stop at once when paused, replaced, closed or no
        longer watched, and show the month reached when a pause lands mid-frame.
        """
        assert workshop is not None

        def going() -> bool:
            return not stop.is_set() and connected() and not workshop.finished

        shown = workshop.month
        while going():
            begun = time.monotonic()
            months = speed.value if speed.value in SPEEDS else SPEEDS[0]  # a browser's value
            for _ in range(months):  # one month at a time: a pause is heard within one
                if not going():
                    break
                with lock:
                    workshop.step(1)
            if stop.is_set():
                break
            tick.value += 1
            shown = workshop.month
            stop.wait(max(0.0, FRAME_S - (time.monotonic() - begun)))
        if workshop.month != shown and connected():
            tick.value += 1  # a pause landed mid-frame: show the month it let finish
        if not stop.is_set():
            playing.value = False  # the end, or a page gone (it finds itself paused if it returns)

    def player() -> Any:
        if not playing.value or workshop is None:
            return None
        stop = threading.Event()
        # A daemon thread started here belongs to this session (Solara hands it the session's
        # context); it never holds up the server's exit. (Solara 1.58's use_task would keep
        # the first of these functions, and with it the session's runs, for ever: solara#1180.)
        threading.Thread(target=play, args=(stop,), name="salesim-play", daemon=True).start()
        return stop.set  # on pause, another scenario, or the session's end

    solara.use_effect(player, [playing.value, workshop])

    def make_act() -> Any:
        def act(action: Any) -> Any:
            def run(*args: Any) -> None:
                problem.value = ""
                try:
                    with lock:
                        action(*args)
                except (ValueError, KeyError) as err:
                    problem.value = str(err).splitlines()[0]
                revision.value += 1
                tick.value += 1

            return run

        return act

    act = solara.use_memo(make_act, [workshop])  # the same callbacks from frame to frame

    solara.Title("salesim workshop")
    solara.Style(PAGE_CSS)
    if workshop is None:  # a scenario that does not load: say why, and let another be picked
        if files:
            solara.Select(label="Scenario", values=files, value=scenario_name)
        Problem(load_error)
        return

    with solara.Columns([1, 3]):
        with solara.Column(style={"padding": "8px"}):
            Controls(workshop, files, scenario_name, act, revision.value)
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
            Live(workshop, tick, problem.value, playing.value, lock, connected)
            Rounds(workshop, round_name, act, revision.value)


@solara.component
def Live(
    workshop: Workshop,
    tick: solara.Reactive[int],
    problem: str,
    playing: bool,
    lock: Any,
    connected: Callable[[], bool],
) -> None:
    """Show what a frame changes: the month, the running difference, a problem, the charts.

    Only this part of the page reads ``tick``, so only it is drawn again at each frame while
    playing; the levers, buttons and rounds wait for an action.
    """
    frame = tick.value
    with lock:  # a consistent picture: never half a step
        month, difference, option = workshop.month, workshop.difference(), chart_option(workshop)
    Status(month, workshop.horizon_months, difference)
    if problem:
        Problem(problem)
    Charts(workshop, option, frame, playing, lock, connected())


@solara.component
def Controls(
    workshop: Workshop, files: list[str], scenario_name: Any, act: Any, revision: int
) -> None:
    """Show the scenario and the levers, grouped as a manager thinks of them.

    ``revision`` changes when the controls must be drawn again.
    """
    solara.Select(label="Scenario", values=files, value=scenario_name)
    cannot_act = idle(workshop.current.scenario)  # the current settings applied
    for group in dict.fromkeys(lever.group for lever in LEVERS):
        solara.Text(group, style=GROUP_STYLE)  # plain text: lighter than a Markdown widget
        for lever in (lv for lv in LEVERS if lv.group == group):
            LeverControl(
                lever,
                workshop.settings[lever.path],
                act(lambda v, path=lever.path: workshop.change(path, v)),
                cannot_act.get(lever.path, ""),
            )


@solara.component
def Status(month: int, horizon: int, difference: dict[str, float]) -> None:
    """Show the month and the running difference (``Workshop.difference``) as numbers."""
    retention = difference["retention_12m"]
    shown = "n/a (needs 12 months)" if math.isnan(retention) else f"{retention * 100:+.1f} points"
    solara.Text(f"Month {month} of {horizon}", style=HEADING_STYLE)
    solara.Text(
        f"Operating profit so far, current − baseline: {money(difference['profit'])} · "
        f"12-month retention, current − baseline: {shown}",
        style=STATUS_STYLE,
    )


@solara.component
def Charts(
    workshop: Workshop,
    option: dict[str, Any],
    tick: int,
    playing: bool,
    lock: Any,
    watched: bool = True,
) -> None:
    """Show the live charts (drawn by the browser) and, when paused, their export as a PNG.

    The PNG is drawn on the server (about half a second of a processor), so only for a page
    that is ``watched``: not for one whose tab was just closed.
    """
    if workshop.month == 0:
        solara.Text(PLACEHOLDER, style={"font-size": "16px", "color": "#555"})
    solara.FigureEcharts(option=option, attributes={"style": "height: 640px; width: 100%"})

    def export() -> bytes | None:
        if playing or not watched:
            return None
        if workshop.month == 0:  # empty charts: the same picture for every session
            return empty_chart_png(workshop.horizon_months)
        with lock:
            return chart_png(workshop)

    image = solara.use_memo(export, [tick, workshop, playing, watched])
    if image is None:
        solara.Text("Pause to export the charts (PNG).", style={"margin": "4px 0"})
    else:
        DownloadLink(image, "salesim-charts.png", "Export charts (PNG)", "image/png")


@solara.component
def Rounds(workshop: Workshop, round_name: Any, act: Any, tick: int) -> None:
    """Show the round name, the commit button, the rounds table and its CSV export."""
    solara.Text("Rounds", style=HEADING_STYLE)
    with solara.Row(style={"align-items": "center"}):
        solara.InputText("Round name", value=round_name, continuous_update=True)
        solara.Button(
            "Commit round",
            color="primary",
            on_click=act(lambda: workshop.commit(round_name.value)),
        )
    if workshop.rounds:
        TextTable(_readable(workshop.rounds_table()), round_kinds())
        csv = workshop.rounds_csv().encode()
        DownloadLink(csv, "salesim-rounds.csv", "Export rounds (CSV)", "text/csv")


@solara.component
def Problem(message: str) -> None:
    """Show a problem in red, as the loader words it (file, line, field)."""
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
    """Show a link that saves ``data`` as a file (the data travel inside the page: offline)."""
    href = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    solara.HTML(
        tag="a",
        unsafe_innerHTML=label,
        attributes={"href": href, "download": filename, "role": "button"},
        style={
            "display": "inline-block",
            "align-self": "flex-start",  # as wide as its label, not the column
            "padding": "6px 14px",
            "margin": "4px 0",
            "border": "1px solid #0072B2",
            "border-radius": "4px",
            "color": "#0072B2",
            "text-decoration": "none",
            "font-weight": "500",
        },
    )


def cell_text(kind: str, value: Any, signed: bool = False) -> str:
    """Return one number of the rounds table as shown, by its kind.

    Parameters
    ----------
    kind
        ``"money"`` (in $M: ``$12.35M``), ``"share"`` (in %: ``85.3 %``, a difference in
        points), ``"count"`` (a whole number: ``291``), ``"hours"`` (one decimal), else text.
    value
        The number, already in the column's unit (``_readable``); NaN shows as ``n/a``.
    signed
        Whether it is a difference against the baseline (always signed: ``+$0.25M``).
    """
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    if math.isnan(value):
        return "n/a"
    if kind == "money":
        sign = "+" if signed and value >= 0 else ("-" if value < 0 else "")
        return f"{sign}${abs(value):,.2f}M"
    if kind == "share":
        return f"{value:+.1f} pts" if signed else f"{value:.1f} %"
    if kind == "count":
        return f"{value:+,.0f}" if signed else f"{value:,.0f}"
    return f"{value:+,.1f}" if signed else f"{value:,.1f}"


def round_kinds() -> dict[str, str]:
    """Return the kind of every number column of the rounds table as shown (``_readable``)."""
    kinds: dict[str, str] = {m.label + ROUND_UNITS[m.kind][1]: m.kind for m in HEADLINE}
    for name, (label, _) in ROUND_BEHAVIOUR_LABELS.items():
        kinds[label] = "share" if name.endswith("_share") else "hours"
    return kinds | {f"{label} vs baseline": kind for label, kind in kinds.items()}


def table_cells(
    frame: pd.DataFrame, kinds: dict[str, str] | None = None
) -> tuple[list[str], list[list[str]]]:
    """Return a frame's header and rows as the strings shown.

    A column listed in ``kinds`` is shown by its kind (``cell_text``); one ending in
    "vs baseline" is signed. Any other number has two decimals and thousands separators.
    """
    kinds = kinds or {}

    def cell(column: str, value: Any) -> str:
        signed = column.endswith("vs baseline")
        if column in kinds:
            return cell_text(kinds[column], value, signed)
        if isinstance(value, float):
            return f"{value:+,.2f}" if signed else f"{value:,.2f}"
        return str(value)

    columns = [str(c) for c in frame.columns]
    rows = [
        [cell(c, v) for c, v in zip(columns, row, strict=True)]
        for row in frame.itertuples(index=False)
    ]
    return columns, rows


@solara.component
def TextTable(frame: pd.DataFrame, kinds: dict[str, str] | None = None) -> None:
    """Show a table whose every cell is a text node: a name as typed, never read as markup.

    ``kinds`` says how number columns are shown (``table_cells``).
    """
    header, rows = table_cells(frame, kinds)
    right = [pd.api.types.is_numeric_dtype(dtype) for dtype in frame.dtypes]
    cell = "padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: "
    with (
        solara.v.Html(tag="div", style_="overflow-x: auto; contain: inline-size"),  # wide: scrolls
        solara.v.Html(
            tag="table", style_="border-collapse: collapse; font-size: 14px; margin: 8px 0"
        ),
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
    """Return the rounds table in the units a room reads: $M, %, clients (``ROUND_UNITS``)."""
    out = pd.DataFrame({"round": table["round"], "changes": table["changes"]})
    for metric in HEADLINE:
        scale, unit = ROUND_UNITS[metric.kind]
        label = metric.label + unit
        out[label] = (table[metric.name] / scale).round(2)
        out[f"{label} vs baseline"] = (table[f"{metric.name}_vs_baseline"] / scale).round(2)
    for name, (label, scale) in ROUND_BEHAVIOUR_LABELS.items():
        out[label] = (table[name] / scale).round(1)
        out[f"{label} vs baseline"] = (table[f"{name}_vs_baseline"] / scale).round(1)
    return out
