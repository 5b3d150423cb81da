"""Reports: built from stored results only; every figure has its series; the page is whole."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import os
import re
import shutil
from collections.abc import Callable
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS, salesim
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from pydantic import ValidationError

from sim.decompose import PARTS
from sim.report import Report, build_report, frames, tables
from sim.report import figures as fig
from sim.report.build import CLIENT_SERIES, COST_SERIES, REVENUE_SERIES, _breakeven_text
from sim.report.frames import order
from sim.report.html import Page
from sim.report.pdf import _settings_pages, _text_pages, _title_pages
from sim.report.style import caption, measure, stamp, strategy_looks, wrap
from sim.study import StudyError, StudyResult, load, plan_study, run_plan, store
from sim.study.spec import ScenarioEntry, Study

FAST = {"market.prospects": 2000}
PNG = b"\x89PNG\r\n\x1a\n"
STRATEGIES = ["unsplit", "split", "split_letters_vip"]


def write_study(folder: Path, name: str, data: dict[str, object]) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(json.dumps({"name": name, **data}), encoding="utf-8")  # JSON is YAML
    return path


@pytest.fixture(scope="module")
def strategies(tmp_path_factory: pytest.TempPathFactory) -> StudyResult:
    """Three strategies, three paired replications, two years: stored, then loaded."""
    folder = tmp_path_factory.mktemp("strategies")
    path = write_study(
        folder,
        "three",
        {
            "baseline": "unsplit",
            "replications": 3,
            "horizon_years": 2,
            "scenarios": [{"path": str(SCENARIOS / f"{s}.yaml"), "set": FAST} for s in STRATEGIES],
        },
    )
    run_plan(plan_study(path), folder / "out", workers=1, progress=False)
    return load(folder / "out")


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> StudyResult:
    """The young company split against unsplit over size x horizon, 2 x 2 points."""
    folder = tmp_path_factory.mktemp("sweep")
    scaled = ["market.past_clients", "market.active_clients", "market.prospects"]
    path = write_study(
        folder,
        "grid",
        {
            "baseline": "young_unsplit",
            "replications": 3,
            "scenarios": [
                str(SCENARIOS / "young_unsplit.yaml"),
                str(SCENARIOS / "young_split.yaml"),
            ],
            "sweep": {
                "variables": {
                    "company_size": {"values": [1, 10], "scales": scaled},
                    "calendar.horizon_years": {"values": [1, 2]},
                }
            },
        },
    )
    run_plan(plan_study(path), folder / "out", workers=1, progress=False)
    return load(folder / "out")


@pytest.fixture(scope="module")
def built(strategies: StudyResult) -> Report:
    """The small study's report, built with the model made unusable: it must not run."""

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the report ran the model")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sim.model.SalesModel.run", refuse)
        patch.setattr("sim.model.SalesModel.step", refuse)
        patch.setattr("sim.study.execute.simulate", refuse)
        return build_report(strategies.path, stream=io.StringIO())


def gids(figure: Figure) -> set[str]:
    return {a.get_gid() for a in figure.findobj() if a.get_gid()}


def colour_of(figure: Figure, gid: str) -> str:
    artist = next(a for a in figure.findobj() if a.get_gid() == gid)
    get = getattr(artist, "get_color", None) or artist.get_facecolor
    colour = get()
    return to_hex(colour if isinstance(colour, str) else np.asarray(colour).reshape(-1, 4)[0])


class Links(HTMLParser):
    """Every image source, link target, element id and outside resource of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.outside: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "img":
            self.images.append(str(a.get("src")))
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        if tag in {"script", "link", "iframe"}:
            self.outside.append(tag)


# ---- the report as a whole ---------------------------------------------------------------------
@pytest.mark.slow
def test_the_report_builds_from_a_small_study_without_running_the_model(
    strategies: StudyResult, built: Report
) -> None:
    report = built
    assert report.html == strategies.path / "report.html"
    assert report.pdf.read_bytes().startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", report.pdf.read_bytes()))
    # summary, title, where the difference comes from, figures, settings, provenance
    assert pages == 1 + 1 + 1 + len(report.figures) + 2
    names = [p.name for p in report.figures]
    assert names == sorted(names) and len(names) == 10
    for path in report.figures:
        data = path.read_bytes()
        assert data.startswith(PNG)
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert (width, height) == (1466, 825)  # a 16:9 slide
    assert not list(strategies.path.rglob("*.tmp"))  # every file was written whole
    assert report.notes and "replications" in report.notes[0]  # 3 < 5: the intervals are wide


@pytest.mark.slow
def test_the_page_has_no_broken_image_links_and_needs_nothing_from_outside(
    built: Report,
) -> None:
    report = built
    text = report.html.read_text(encoding="utf-8")
    page = Links()
    page.feed(text)
    assert len(page.images) == len(report.figures)
    for source, path in zip(page.images, report.figures, strict=True):
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1]) == path.read_bytes()
    for link in page.links:  # in the page, or the model's documents in the source
        local = link.endswith(("docs/MODEL.md", "docs/VALIDATION.md")) and ":" not in link
        assert local or (link.startswith("#") and link[1:] in page.ids), link
    assert page.outside == []
    assert "http://" not in text and "https://" not in text
    # The headline, the settings that differ and the provenance are on it.
    assert {"headline-table", "settings-table", "provenance-table"} <= page.ids
    plain = text.replace("<wbr>", "")  # where a long name may break
    assert "organisation.letter_writers" in plain and "organisation.vip_leads" in plain
    assert "from the stored runs only" in text
    assert "docs/VALIDATION.md" in text  # the provenance names how the model is validated


def test_the_best_values_are_marked(strategies: StudyResult, built: Report) -> None:
    text = built.html.read_text(encoding="utf-8").replace("<wbr>", "")
    table = text[text.index('id="headline-table"') : text.index("</table>", text.index("headline"))]
    rows = {m.group(1): m.group(0) for m in re.finditer(r"</span>([a-z_]+)</td>.*?</tr>", table)}
    profit = strategies.summary.query("metric == 'profit'").set_index("scenario")["mean"]
    best = profit.idxmax()
    cells = re.findall(r"<td( class=\"best\")?>([^<]*)", rows[best])
    # the operating-profit column: revenue, gross profit, staff cost, operating profit
    assert cells[3][0] and "★" in cells[3][1]
    assert sum("★" in c for _, c in re.findall(r"<td( class=\"best\")?>([^<]*)", table)) == 6


@pytest.mark.slow
def test_an_incomplete_study_is_reported_with_a_warning(
    strategies: StudyResult, tmp_path: Path
) -> None:
    out = tmp_path / "copy"
    shutil.copytree(strategies.path, out)
    for path in sorted((out / "runs").glob("*.parquet"))[:2]:
        path.unlink()
    (out / "figures" / "11-break-even.png").write_bytes(PNG)  # an earlier build drew it
    for mine in ("99-notes.png", "02-clients-v2.png"):  # the user's own files
        (out / "figures" / mine).write_bytes(PNG)
    report = build_report(out, stream=io.StringIO())
    assert any("Only 7 of the 9 planned runs" in n for n in report.notes)
    assert "Only 7 of the 9 planned runs" in report.html.read_text(encoding="utf-8")
    short = next(n for n in report.notes if n.startswith("Fewer replications"))
    counts = load(out).runs.groupby("scenario").size()
    assert all(f"{s} {n} of 3" in short for s, n in counts[counts < 3].items())
    assert not (out / "figures" / "11-break-even.png").exists()
    assert (out / "figures" / "99-notes.png").exists()
    assert (out / "figures" / "02-clients-v2.png").exists()


# ---- the figures -------------------------------------------------------------------------------
def test_every_figure_is_drawn_by_agg_and_every_strategy_keeps_its_colour(
    strategies: StudyResult,
) -> None:
    ts, looks = strategies.timeseries, strategy_looks(STRATEGIES, "unsplit")
    bands = frames.series_bands(ts, ["active_clients", "profit"])
    drawn = [
        fig.plot_series(bands, {"active_clients": ("Active", "count")}, looks),
        fig.plot_series(bands, {"profit": ("Profit", "money")}, looks),
        fig.plot_survival(frames.survival(ts, strategies.runs), looks),
    ]
    assert all(isinstance(f.canvas, FigureCanvasAgg) for f in drawn)
    for strategy in STRATEGIES:
        colours = {
            colour_of(drawn[0], f"active_clients|{strategy}"),
            colour_of(drawn[1], f"profit|{strategy}"),
            colour_of(drawn[2], f"on the books at the start|{strategy}"),
        }
        assert colours == {looks[strategy].colour.lower()}
    assert looks["unsplit"].colour == "#000000"
    assert len({looks[s].colour for s in STRATEGIES}) == 3


def test_the_time_series_have_a_line_and_a_band_per_strategy(strategies: StudyResult) -> None:
    panels = {**CLIENT_SERIES, **REVENUE_SERIES, **COST_SERIES}
    bands = frames.series_bands(strategies.timeseries, list(panels))
    figure = fig.plot_series(bands, panels)
    expected = {f"{m}|{s}{band}" for m in panels for s in STRATEGIES for band in ("", "|band")}
    assert gids(figure) == expected
    # The band holds the line, and the line is the mean of the replications.
    line = next(a for a in figure.findobj() if a.get_gid() == "active_clients|split")
    direct = strategies.timeseries.query("scenario == 'split'").groupby("month")["active_clients"]
    np.testing.assert_allclose(line.get_ydata(), direct.mean().to_numpy())
    shown = bands.query("metric == 'cumulative_profit' and scenario == 'split'")
    profit = strategies.timeseries.query("scenario == 'split'")
    by_run = profit.groupby("replication")["profit"].sum().mean()
    assert shown["mean"].iloc[-1] == pytest.approx(by_run)
    assert (shown["low"] <= shown["mean"]).all() and (shown["mean"] <= shown["high"]).all()


def test_money_is_conserved_in_the_stacked_figures(strategies: StudyResult) -> None:
    ts = strategies.timeseries
    runs = ts.groupby("scenario")[["revenue_booked", "total_cost", "lost_clients"]].sum() / 3
    for frame, total in (
        (frames.revenue_by_source(ts), "revenue_booked"),
        (frames.cost_by_role(ts), "total_cost"),
        (frames.cost_by_kind(ts), "total_cost"),
        (frames.losses_by_cause(ts), "lost_clients"),
    ):
        sums = frame.groupby("scenario")["mean"].sum()
        np.testing.assert_allclose(sums, runs.loc[sums.index, total], rtol=1e-9)
    sources = frames.revenue_by_source(ts).set_index(["scenario", "source"])["mean"]
    assert sources[("split_letters_vip", "letters")] > 0
    assert sources[("split_letters_vip", "VIP programme")] > 0
    assert sources[("split", "VIP programme")] == 0 and sources[("split", "letters")] == 0
    assert (sources >= 0).all()


def test_the_stacked_figures_have_a_bar_per_strategy_and_part(strategies: StudyResult) -> None:
    ts = strategies.timeseries
    figure = fig.plot_stacked(
        {"Sources": frames.revenue_by_source(ts)},
        {"Sources": list(frames.REVENUE_SOURCES.values())},
    )
    parts = list(frames.REVENUE_SOURCES.values())
    assert gids(figure) == {f"Sources|{p}|{s}" for p in parts for s in STRATEGIES}
    roles = fig.plot_stacked(
        {"Roles": frames.cost_by_role(ts)},
        {"Roles": [*frames.ROLE_NAMES.values(), "programmes & tools"]},
    )
    shown = {g.split("|")[1] for g in gids(roles)}
    # Roles no strategy staffs (account managers here) are left out of the legend and bars.
    assert shown == {
        "hunters", "generalists", "specialists", "letter writers", "VIP leads",
        "programmes & tools",
    }  # fmt: skip


def test_survival_curves_start_at_one_and_never_rise(strategies: StudyResult) -> None:
    curves = frames.survival(strategies.timeseries, strategies.runs)
    figure = fig.plot_survival(curves)
    cohorts = ("on the books at the start", "won during the run")
    assert {f"{c}|{s}" for c in cohorts for s in STRATEGIES} <= gids(figure)
    for (_, _), curve in curves.groupby(["scenario", "cohort"]):
        values = curve.sort_values("age")["mean"].to_numpy()
        assert values[0] == 1.0 and (np.diff(values) <= 1e-12).all()
    start = curves.query("cohort == 'on the books at the start'")
    assert start["age"].max() == 24


def test_the_team_figure_shows_each_role_a_strategy_staffs(strategies: StudyResult) -> None:
    team = frames.team(strategies.timeseries)
    staffed = set(zip(team["scenario"], team["role"], strict=True))
    assert ("unsplit", "generalists") in staffed and ("unsplit", "hunters") not in staffed
    assert ("split_letters_vip", "VIP leads") in staffed
    assert ("split_letters_vip", "letter writers") in staffed
    per_person = team.query("measure == 'clients per person'")
    assert set(per_person["role"]) <= {"hunters", "generalists", "specialists"}  # hold books
    utilisation = team.query("measure == 'utilisation'")["mean"]
    assert ((utilisation > 0) & (utilisation <= 1)).all()
    shown = gids(fig.plot_team(team))
    assert {f"{m}|{r}|{s}" for s, r, m in team[["scenario", "role", "measure"]].to_numpy()} == shown


@pytest.mark.slow
def test_the_break_even_chart_marks_where_the_difference_crosses_zero(
    sweep: StudyResult,
) -> None:
    diffs = frames.differences(sweep.summary, "profit", sweep.sweep)
    assert len(diffs) == 4  # young_split at 2 x 2 points
    figure = fig.plot_breakeven(diffs, "company_size", sweep.baseline, by="calendar.horizon_years")
    for years in (1, 2):
        line = diffs[diffs["calendar.horizon_years"] == years].sort_values("company_size")
        changes = np.sign(line["diff"]).nunique() > 1
        name = f"young_split|horizon years = {years}"
        assert {name, f"{name}|band"} <= gids(figure)
        assert (f"{name}|break-even" in gids(figure)) == changes
    heat = fig.plot_heatmap(diffs, "company_size", "calendar.horizon_years", sweep.baseline)
    image = next(a for a in heat.findobj() if a.get_gid() == "young_split|heatmap")
    assert image.get_array().shape == (2, 2)


def test_a_latin_hypercube_sweep_is_drawn_without_a_grid() -> None:
    rng = np.random.default_rng(3)
    size, years = rng.uniform(1, 15, 6), rng.uniform(1, 5, 6)
    diff = (size - 4) * 1e5
    diffs = pd.DataFrame(
        {"scenario": "split", "point": range(6), "size": size, "years": years, "diff": diff,
         "diff_low": diff - 5e4, "diff_high": diff + 5e4, "mean": 1e6}
    )  # fmt: skip
    heat = fig.plot_heatmap(diffs, "size", "years", "unsplit")
    dots = next(a for a in heat.findobj() if a.get_gid() == "split|heatmap")
    assert len(dots.get_offsets()) == 6  # a dot per point, not an image
    chart = fig.plot_breakeven(diffs, "size", "unsplit")
    line = next(a for a in chart.findobj() if a.get_gid() == "split|split")
    assert list(line.get_xdata()) == sorted(size)
    diamond = next(a for a in chart.findobj() if a.get_gid() == "split|split|break-even")
    assert diamond.get_xdata()[0] == pytest.approx(4.0, rel=0.02)  # where (size - 4) crosses 0
    points = gids(fig.plot_breakeven(diffs, "size", "unsplit", connect=False))
    assert "split|split" in points and "split|split|break-even" not in points  # as a study does


def test_crossings_are_interpolated_between_the_points() -> None:
    x = np.array([1.0, 2.0, 4.0])
    up, down = True, False
    assert frames.crossings(x, [-1.0, 1.0, 3.0]) == [(1.5, up)]
    assert frames.crossings(x, [1.0, 2.0, 3.0]) == []
    assert frames.crossings(x, [-1.0, 1.0, -1.0]) == [(1.5, up), (3.0, down)]
    assert frames.crossings(x, [np.nan, 1.0, -1.0]) == [(3.0, down)]
    assert frames.crossings(x, [-1.0, np.nan, 1.0]) == [(2.5, up)]
    assert frames.crossings(x, [-1.0, 0.0, -1.0]) == []  # touching zero is not crossing
    assert frames.crossings(x, [-1.0, 0.0, 1.0]) == [(2.0, up)]
    # On a log scale the crossing is halfway in log x: the geometric mean.
    ((at, _),) = frames.crossings(np.array([1.0, 100.0]), [-1.0, 1.0], log=True)
    assert at == pytest.approx(10.0)


def test_the_caption_gives_the_crossings_the_chart_marks(sweep: StudyResult) -> None:
    diffs = frames.differences(sweep.summary, "profit", sweep.sweep)
    fake = diffs.assign(diff=np.where(diffs["company_size"] == 1, -1e5, 3e5))
    text = _breakeven_text(fake, "company_size", "calendar.horizon_years")
    chart = fig.plot_breakeven(fake, "company_size", "young_unsplit", by="calendar.horizon_years")
    for years in (1, 2):
        name = f"young_split|horizon years = {years}|break-even"
        diamond = next(a for a in chart.findobj() if a.get_gid() == name)
        at = diamond.get_xdata()[0]
        assert at == pytest.approx(10 ** (np.log10(10) * 0.25))  # a quarter of the way, in log
        assert f"pays above company_size ≈ {at:.3g}" in text


def test_the_headline_marks_ties_and_nothing_for_a_single_strategy() -> None:
    summary = pd.DataFrame(
        {"scenario": ["a", "b"], "metric": "retention_12m", "n": 3,
         "mean": [0.86666666, 0.86666667],
         "low": [0.8, 0.8], "high": [0.9, 0.95], "diff": [np.nan, 0.0],
         "diff_low": [np.nan, -0.02], "diff_high": [np.nan, 0.02]}
    )  # fmt: skip
    both = tables.headline(summary, "a", ["a", "b"])
    assert both["best"].tolist() == [True, True]  # equal as shown: both best
    alone = tables.headline(summary[summary["scenario"] == "a"], "a", ["a"])
    assert alone["best"].tolist() == [False]
    wide = summary.assign(high=[0.9, 1.4])
    assert "100.0]" in tables.headline(wide, "a", ["a", "b"])["value"].iloc[1]  # cut at 100 %


def test_the_command_table_cuts_share_intervals_at_100_as_the_report_does() -> None:
    from pathlib import Path

    from sim.study.result import StudyResult, format_table

    summary = pd.DataFrame(
        {"scenario": ["a", "b"], "point": 0, "metric": "retention_12m", "n": 5,
         "mean": [0.946, 0.02], "low": [0.838, -0.03], "high": [1.054, 0.07],
         "diff": [np.nan, -0.926], "diff_low": [np.nan, -1.1], "diff_high": [np.nan, -0.8]}
    )  # fmt: skip
    runs = pd.DataFrame({"scenario": ["a", "b"], "point": 0, "replication": 0})
    result = StudyResult("s", Path("."), "a", [], runs, pd.DataFrame(), summary,
                         pd.DataFrame(), 2)  # fmt: skip
    text = format_table(result, {"retention_12m": ("retention", "share")})
    assert "94.6 [83.8, 100.0]" in text
    assert "2.0 [0.0, 7.0]" in text
    assert "-92.6 [-110.0, -80.0]" in text  # a difference of shares is not a share
    assert "105.4" not in text


@pytest.mark.slow
def test_a_sweep_whose_baseline_misses_the_last_point_shows_an_earlier_one(
    sweep: StudyResult, tmp_path: Path
) -> None:
    out = tmp_path / "copy"
    shutil.copytree(sweep.path, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    last = next(v for v in manifest["variants"] if v["point"] == 3 and v["baseline"])
    for path in (out / "runs").glob(f"{last['hash'][:16]}-r*.parquet"):
        path.unlink()
    report = build_report(out, stream=io.StringIO())
    assert report.point == 2
    assert [p.name for p in report.figures][-2:] == ["11-break-even.png", "12-heat-map.png"]
    shown = build_report(out, point=3, stream=io.StringIO())
    assert any("young_unsplit has no stored runs" in n for n in shown.notes)
    assert any(p.name.endswith("-break-even.png") for p in shown.figures)
    assert not any(p.name.endswith("-differences.png") for p in shown.figures)


def test_too_few_clients_won_leave_the_survival_panel_with_a_word(sweep: StudyResult) -> None:
    small = sweep.timeseries[sweep.timeseries["point"] == 0]  # size 1, one year
    curves = frames.survival(small, sweep.runs)
    assert curves.query("cohort == 'won during the run'").empty
    figure = fig.plot_survival(curves)
    texts = [t.get_text() for t in figure.findobj(Text)]
    assert any("too few clients won" in t for t in texts)


@pytest.mark.slow
def test_a_sweep_report_adds_the_break_even_chart_and_heat_map(sweep: StudyResult) -> None:
    report = build_report(sweep.path, stream=io.StringIO())
    names = [p.name for p in report.figures]
    assert names[-2:] == ["11-break-even.png", "12-heat-map.png"]
    assert report.point == 3  # the last point
    assert any("company_size = 10" in n for n in report.notes)
    text = report.html.read_text(encoding="utf-8")
    assert "The sweep&#x27;s points" in text or "The sweep's points" in text
    with pytest.raises(StudyError, match=r"--point 4: .* 3 \(company_size = 10, calendar"):
        build_report(sweep.path, point=4)


def test_a_plot_of_several_sweep_points_is_refused(sweep: StudyResult) -> None:
    with pytest.raises(ValueError, match="sweep points"):
        frames.series_bands(sweep.timeseries, ["profit"])


# ---- the command ---------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_report_can_go_to_another_folder(strategies: StudyResult, tmp_path: Path) -> None:
    before = sorted(p.name for p in strategies.path.iterdir())
    done = salesim("report", str(strategies.path), "--out", str(tmp_path / "slides"), "--quiet")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "slides" / "report.html").exists()
    assert len(list((tmp_path / "slides" / "figures").glob("*.png"))) == 10
    assert sorted(p.name for p in strategies.path.iterdir()) == before


@pytest.mark.slow
def test_the_report_command_says_where_the_report_is(sweep: StudyResult) -> None:
    done = salesim("report", str(sweep.path), "--point", "0", "--quiet")
    assert done.returncode == 0, done.stderr
    assert f"report: {sweep.path / 'report.html'}" in done.stdout
    assert done.stderr == ""
    assert "company_size = 1, calendar.horizon_years = 1" in done.stdout  # the point shown


@pytest.mark.slow
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "no study results here"),
        (lambda p: p, "no study results here"),
        (lambda p: [(p / "manifest.json").write_text("{", encoding="utf-8"), p][1], "unreadable"),
    ],
)
def test_a_folder_without_a_study_is_a_clear_error(
    tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    folder = make(tmp_path)
    done = salesim("report", str(folder))
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_a_study_file_or_a_point_of_a_study_without_sweep_gets_a_hint(
    strategies: StudyResult, tmp_path: Path
) -> None:
    study = tmp_path / "three.yaml"
    study.write_text("name: three\n", encoding="utf-8")
    done = salesim("report", str(study))
    assert done.returncode == 2 and "give a study's results folder" in done.stderr
    done = salesim("report", str(strategies.path), "--point", "1")
    assert done.returncode == 2 and "this study has no sweep" in done.stderr


@pytest.mark.slow
def test_a_single_run_folder_is_refused_with_a_hint(tmp_path: Path) -> None:
    salesim("run", str(SCENARIOS / "young_split.yaml"), "--years", "1", "--out", str(tmp_path))
    done = salesim("report", str(tmp_path))
    assert done.returncode == 2 and "salesim compare" in done.stderr


def test_a_report_that_cannot_be_written_is_a_clear_error_and_leaves_no_page(
    strategies: StudyResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "copy"
    shutil.copytree(strategies.path, out, ignore=shutil.ignore_patterns("report.*", "figures"))

    def full(path: Path, _: object) -> None:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr("sim.report.build.write_atomic", full)
    with pytest.raises(StudyError, match=r"cannot write the report \(No space left on device"):
        build_report(out, stream=io.StringIO())
    assert not (out / "report.html").exists() and not (out / "report.pdf").exists()


def test_runs_of_another_version_are_not_reported_but_explained(
    strategies: StudyResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "copy"
    shutil.copytree(strategies.path, out)
    monkeypatch.setattr("sim.study.store.__version__", "0.0.1")
    monkeypatch.setattr("sim.report.build.__version__", "0.0.1")
    with pytest.raises(StudyError, match=r"9 by salesim 0\.2\.0; this is salesim 0\.0\.1"):
        build_report(out)


@pytest.mark.slow
def test_study_report_runs_then_reports(tmp_path: Path) -> None:
    path = write_study(
        tmp_path,
        "tiny",
        {
            "baseline": "young_unsplit",
            "replications": 2,
            "horizon_years": 1,
            "scenarios": [
                str(SCENARIOS / "young_unsplit.yaml"),
                str(SCENARIOS / "young_split.yaml"),
            ],
        },
    )
    out = tmp_path / "out"
    done = salesim("study", str(path), "--workers", "1", "--out", str(out), "--report", "--quiet")
    assert done.returncode == 0, done.stderr
    assert (out / "report.html").exists() and (out / "report.pdf").exists()
    assert f"report: {out / 'report.html'}" in done.stdout
    frame = pd.read_csv(out / "summary.csv")
    assert set(frame["scenario"]) == {"young_unsplit", "young_split"}


# ---- long labels and many strategies: every text fits -------------------------------------------
def _longest_label() -> int:
    """The longest label the study schema accepts."""
    fits = [n for n in range(1, 301) if _valid_label("a" * n)]
    assert fits and fits[-1] < 300
    return fits[-1]


def _valid_label(label: str) -> bool:
    try:
        ScenarioEntry(path="x.yaml", label=label)
    except ValidationError:
        return False
    return True


def _most_strategies() -> int:
    """The most scenarios a study may compare."""
    limits = [
        m.max_length for m in Study.model_fields["scenarios"].metadata if hasattr(m, "max_length")
    ]
    assert limits
    return int(limits[0])


# Latin without spaces, Cyrillic with spaces, and the widest letter with no place to break.
STEMS = (
    ("split_hunters_and_farmers_with_letters_and_a_vip_programme_for_the_largest_clients", "_"),
    ("Раздельная продажа с письмами и программой VIP для крупных клиентов и всех", " "),
    ("W" * 300, ""),
)


def long_labels(count: int, longest: int) -> list[str]:
    """``count`` different labels of ``longest`` characters."""
    labels = []
    for i in range(count):
        stem, sep = STEMS[i % len(STEMS)]
        tail = f"{sep}{i:03d}"
        labels.append(stem[: longest - len(tail)] + tail)
    assert len(set(labels)) == count and {len(s) for s in labels} == {longest}
    return labels


def relabelled(result: StudyResult, labels: list[str]) -> tuple[StudyResult, dict[str, object]]:
    """The stored study with its strategies copied, in turn, under ``labels`` (the first is the
    baseline), and its manifest to match."""
    manifest = store.read_manifest(result.path)
    originals = [result.baseline, *(s for s in order(result.runs) if s != result.baseline)]
    origin = {label: originals[i % len(originals)] for i, label in enumerate(labels)}

    def copied(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.concat(
            [frame[frame["scenario"] == o].assign(scenario=s) for s, o in origin.items()],
            ignore_index=True,
        )

    records = {v["label"]: v for v in manifest["variants"]}
    variants = [
        {**records[o], "label": s, "display": s, "baseline": i == 0}
        for i, (s, o) in enumerate(origin.items())
    ]
    runs = copied(result.runs)
    status = {**manifest["status"], "planned": len(runs)}
    changed = {**manifest, "baseline": labels[0], "variants": variants, "status": status}
    fake = dataclasses.replace(
        result,
        baseline=labels[0],
        runs=runs,
        timeseries=copied(result.timeseries),
        summary=copied(result.summary),
        planned=len(runs),
    )
    return fake, changed


def misfits(figure: Figure) -> list[str]:
    """What does not fit in a drawn figure: text beyond its edges, a caption, footer or legend
    over another, tick labels over each other, a table's text beyond its cell."""
    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    page = figure.bbox
    found = []

    def outside(box: Bbox) -> bool:
        return box.x0 < page.x0 - 1 or box.x1 > page.x1 + 1 or box.y0 < -1 or box.y1 > page.y1 + 1

    tight = figure.get_tightbbox(renderer).transformed(figure.dpi_scale_trans)
    if outside(tight):
        found.append(f"the drawing {tight.bounds} is beyond the page {page.bounds}")
    texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
    ticks = ax_ticks(figure)
    for text in texts:
        ax = text.axes
        if ax is not None and not ax.get_visible():
            continue
        if text in ticks:
            continue  # ticks beyond an axis's view are not drawn; the tight box covers the rest
        if outside(text.get_window_extent(renderer)):
            found.append(f"text beyond the page: {text.get_text()[:40]!r}")
    feet = [t for t in figure.texts if t.get_gid() in {"footer", "caption"} and t.get_text()]
    blocks = [(f"{t.get_gid()}", t.get_window_extent(renderer)) for t in feet]
    blocks += [("legend", legend.get_window_extent(renderer)) for legend in figure.legends]
    blocks += [
        ("axes", ax.get_tightbbox(renderer)) for ax in figure.axes if ax.get_visible() and ax.axison
    ]
    for i, (a, box) in enumerate(blocks):
        for b, other in blocks[i + 1 :]:
            if {a, b} != {"axes"} and box.overlaps(other):
                found.append(f"{a} over {b}")
    for ax in figure.axes:
        labels = [t for t in ax.get_yticklabels() if t.get_visible() and t.get_text().strip()]
        shown = [t.get_window_extent(renderer) for t in labels]
        for i, box in enumerate(shown):
            if any(box.overlaps(other) for other in shown[i + 1 :]):
                found.append(f"tick label over another: {labels[i].get_text()[:40]!r}")
        for table in ax.tables:
            for cell in table.get_celld().values():
                inner, box = (
                    cell.get_text().get_window_extent(renderer),
                    cell.get_window_extent(renderer),
                )
                if not (
                    inner.x0 >= box.x0 - 0.5
                    and inner.x1 <= box.x1 + 0.5
                    and inner.y0 >= box.y0 - 0.5
                    and inner.y1 <= box.y1 + 0.5
                ):
                    found.append(f"cell text beyond its cell: {cell.get_text().get_text()[:40]!r}")
    return found


def ax_ticks(figure: Figure) -> set[Text]:
    return {t for ax in figure.axes for t in [*ax.get_xticklabels(), *ax.get_yticklabels()]}


class Recording(PdfPages):
    """A PDF whose pages are kept for a look after the report is built."""

    pages: ClassVar[list[Figure]] = []

    def savefig(self, figure: Figure | None = None, **kwargs: Any) -> None:  # type: ignore[override]
        Recording.pages.append(figure)  # type: ignore[arg-type]
        super().savefig(figure, **kwargs)


def test_wrapped_names_fit_their_width_and_lose_nothing() -> None:
    for label in [*long_labels(3, 64), "short", "a b", "Ш" * 64]:
        wrapped = wrap(label, 20)
        assert all(measure(line) <= 20 * measure("n") + 1e-9 for line in wrapped.splitlines())
        assert wrapped.replace("\n", "").replace(" ", "") == label.replace(" ", "")
    assert wrap("W" * 64, 10).count("\n") > 5  # a word too wide is broken inside
    lines = wrap("split_hunters_and_farmers_with_letters", 16).splitlines()
    assert len(lines) > 1 and all(line.endswith("_") for line in lines[:-1])  # broken at _
    cut = wrap("a " * 100, 10, lines=2)
    assert cut.count("\n") == 1 and cut.endswith("…")


def test_a_name_that_fits_a_line_is_never_broken_inside() -> None:
    text = "12-month retention of split, split_vip and split_accounts"
    for width in range(16, 60):
        words = [w for line in wrap(text, width).splitlines() for w in line.split()]
        assert words == text.split(), width  # split_vip stays whole, never "split_" / "vip"


@pytest.mark.slow
def test_the_longest_labels_fit_every_page_and_figure(
    strategies: StudyResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    longest = _longest_label()
    labels = long_labels(9, longest)
    fake, manifest = relabelled(strategies, labels)
    monkeypatch.setattr("sim.report.build.load", lambda _: fake)
    monkeypatch.setattr("sim.report.build.store.read_manifest", lambda _: manifest)
    monkeypatch.setattr("sim.report.pdf.PdfPages", Recording)
    Recording.pages = []
    report = build_report(strategies.path, out=tmp_path, stream=io.StringIO())
    assert len(Recording.pages) > len(report.figures) + 2
    problems = {i: misfits(page) for i, page in enumerate(Recording.pages, start=1)}
    assert {i: p for i, p in problems.items() if p} == {}
    text = report.html.read_text(encoding="utf-8")
    assert all(escape(label) in text.replace("<wbr>", "") for label in labels)
    # Every name is drawn whole: its lines, joined, give it back.
    drawn = {t.get_text().replace("\n", "") for page in Recording.pages for t in page.findobj(Text)}
    for label in labels:
        assert any(label.replace(" ", "") == d.replace(" ", "") for d in drawn), label


@pytest.mark.slow
def test_the_longest_labels_fit_a_sweep_report(
    sweep: StudyResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    labels = long_labels(4, _longest_label())
    fake, manifest = relabelled(sweep, labels)
    monkeypatch.setattr("sim.report.build.load", lambda _: fake)
    monkeypatch.setattr("sim.report.build.store.read_manifest", lambda _: manifest)
    monkeypatch.setattr("sim.report.pdf.PdfPages", Recording)
    Recording.pages = []
    report = build_report(sweep.path, out=tmp_path, stream=io.StringIO())
    assert [p.name for p in report.figures][-2:] == ["11-break-even.png", "12-heat-map.png"]
    problems = {i: misfits(page) for i, page in enumerate(Recording.pages, start=1)}
    assert {i: p for i, p in problems.items() if p} == {}


@pytest.mark.slow
def test_the_most_strategies_allowed_fit(strategies: StudyResult) -> None:
    labels = long_labels(_most_strategies(), _longest_label())
    fake, _ = relabelled(strategies, labels)
    looks = strategy_looks(labels, labels[0])
    summary = fake.summary
    ts = fake.timeseries
    figures = [
        fig.plot_differences(summary, labels[0], {"profit": ("Profit", "money")}, looks),
        fig.plot_stacked(
            {"Cost by kind": frames.cost_by_kind(ts)},
            {"Cost by kind": ["salaries", "bonuses"]},
            looks,
        ),
        fig.plot_series(
            frames.series_bands(ts, ["active_clients"]),
            {"active_clients": ("Active clients", "count")},
            looks,
        ),
    ]
    for figure in figures:
        stamp(figure, "salesim · a footer")
        caption(figure, "A caption naming " + labels[1] + " at length. " * 5)
    headline = tables.headline(summary, labels[0], labels)
    settings = pd.DataFrame(
        [
            {
                "parameter": "organisation.hunters",
                "unit": "",
                "meaning": "",
                **{s: str(i) for i, s in enumerate(labels)},
            }
        ]
    )
    page = Page(
        title="salesim report: " + labels[2], description="", notes=["note " * 60],
        headline=headline, headline_caption="", strategies=labels, colours={},
        baseline=labels[0], figures=[], settings=settings, points=pd.DataFrame(),
        provenance=[("scenarios", ", ".join(labels))], study_text="",
    )  # fmt: skip
    figures += _title_pages(page) + _settings_pages(settings)
    figures += _text_pages("Provenance", [f"{k}: {v}" for k, v in page.provenance])
    problems = {i: misfits(f) for i, f in enumerate(figures)}
    assert {i: p for i, p in problems.items() if p} == {}
    assert all(f.get_size_inches()[1] <= 200 for f in figures)  # a PDF page's most


@pytest.mark.slow
def test_the_page_fits_a_1400_pixel_window(
    strategies: StudyResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chromium = Path(os.environ.get("SALESIM_CHROMIUM", "/usr/bin/chromium"))
    if not chromium.exists():
        pytest.skip(f"no Chromium at {chromium}")
    sync = pytest.importorskip("playwright.sync_api")
    labels = long_labels(9, _longest_label())
    fake, manifest = relabelled(strategies, labels)
    monkeypatch.setattr("sim.report.build.load", lambda _: fake)
    monkeypatch.setattr("sim.report.build.store.read_manifest", lambda _: manifest)
    report = build_report(strategies.path, out=tmp_path, stream=io.StringIO())
    with sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            view = browser.new_page(viewport={"width": 1400, "height": 1000})
            view.goto(report.html.as_uri())
            widths = view.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,"
                " [...document.querySelectorAll('table')].map("
                "t => (t.closest('.wide') || t).getBoundingClientRect().right)]"
            )
        finally:
            browser.close()
    scroll, client, rights = widths
    assert scroll <= client
    assert all(right <= client for right in rights)


def test_names_in_any_script_are_drawn_with_their_letters() -> None:
    """Latin, Cyrillic and Greek come from DejaVu Sans; Chinese from an installed CJK font."""
    import warnings

    from sim.report.style import FAMILIES, new_figure

    names = ["Раздельная продажа", "Ωμέγα", "分割销售"]
    if len(FAMILIES) == 1:
        if os.environ.get("SALESIM_REQUIRE_CJK_FONT"):
            raise RuntimeError("SALESIM_REQUIRE_CJK_FONT is set but no CJK font is installed")
        names = names[:2]
    figure = new_figure()
    figure.gca().set_title("  ".join(names))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        FigureCanvasAgg(figure).draw()
        with PdfPages(io.BytesIO()) as pdf:
            pdf.savefig(figure)
    assert measure("分割") > measure("n")  # a wide letter is measured in its own font


def test_the_report_says_where_the_profit_difference_comes_from(
    strategies: StudyResult, built: Report
) -> None:
    text = built.html.read_text(encoding="utf-8").replace("<wbr>", "")
    assert 'href="#decomposition"' in text
    start = text.index('id="decomposition-table"')
    table = text[start : text.index("</table>", start)]
    for label in (*PARTS.values(), "Operating profit (sum)"):
        assert f">{label}</td>" in table
    others = [s for s in STRATEGIES if s != strategies.baseline]
    assert all(f"{s}</th>" in table for s in others) and f"{strategies.baseline}</th>" not in table
    parts = strategies.decomposition
    assert (strategies.path / "decomposition.csv").exists()
    summary = strategies.summary.query("metric == 'profit'").set_index("scenario")
    for strategy in others:
        mine = parts[parts["scenario"] == strategy].set_index("part")
        assert mine.loc["total", "mean"] == pytest.approx(summary.loc[strategy, "diff"], rel=1e-9)
        assert mine.loc[list(PARTS), "mean"].sum() == pytest.approx(mine.loc["total", "mean"])
