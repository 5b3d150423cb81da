"""report.xlsx and run --csv: numbers as numbers, formats, frozen headers, nothing executable."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from sim.cli import main
from sim.metrics import HEADLINE
from sim.report import Report, build_report, tables
from sim.report.workbook import SHEETS, XLSX, Contents, write_workbook
from sim.spreadsheet import TRIGGERS, inert
from sim.study import StudyError, StudyResult, load, plan_study, run_plan
from sim.study.result import column_scale, format_cell

FAST = {"market.prospects": 2000}


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> StudyResult:
    """Two strategies, two paired replications, one year: stored, then loaded."""
    folder = tmp_path_factory.mktemp("pair")
    path = folder / "pair.yaml"
    entries = [{"path": str(SCENARIOS / f"{s}.yaml"), "set": FAST} for s in ("unsplit", "split")]
    data = {"name": "pair", "baseline": "unsplit", "replications": 2, "horizon_years": 1}
    path.write_text(json.dumps({**data, "scenarios": entries}), encoding="utf-8")
    run_plan(plan_study(path), folder / "out", workers=1, progress=False)
    return load(folder / "out")


@pytest.fixture(scope="module")
def built(study: StudyResult) -> Report:
    return build_report(study.path, stream=io.StringIO())


def header(sheet: Worksheet) -> list[str]:
    return [str(c.value) for c in sheet[1]]


def column(sheet: Worksheet, title: str) -> list[Any]:
    at = header(sheet).index(title) + 1
    return [sheet.cell(row=r, column=at).value for r in range(2, sheet.max_row + 1)]


def row_of(sheet: Worksheet, strategy: str) -> dict[str, Any]:
    names = header(sheet)
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if row[0] == strategy:
            return dict(zip(names, row, strict=True))
    raise AssertionError(f"no row {strategy}")


# ---- the workbook of a built report -----------------------------------------------------------
@pytest.mark.slow
def test_a_report_writes_a_workbook_with_frozen_headers_and_formatted_numbers(
    study: StudyResult, built: Report
) -> None:
    assert built.xlsx == study.path / XLSX
    book = load_workbook(built.xlsx)
    assert tuple(book.sheetnames) == SHEETS
    for sheet in book.worksheets:
        assert sheet.freeze_panes is not None and sheet.freeze_panes.endswith("2"), sheet.title
        assert all(c.font.bold for c in sheet[1])
        assert all(sheet.column_dimensions[c.column_letter].width >= 8 for c in sheet[1])
    headline = book["headline"]
    assert headline.freeze_panes == "B2"  # the header row and the strategy column
    assert [r[0] for r in headline.iter_rows(min_row=2, values_only=True)] == ["unsplit", "split"]
    formats = {c.value: headline.cell(row=3, column=c.column).number_format for c in headline[1]}
    assert formats["operating profit [USD]"] == "#,##0"
    assert formats["retention [%]"] == "0.0%"
    assert formats["operating profit: Δ to unsplit [USD]"].startswith("+#,##0;-#,##0")
    assert formats["retention: Δ to unsplit [points]"] == "+0.0;-0.0;0.0"  # not "+2.3%"
    for r in headline.iter_rows(min_row=2, min_col=2):
        assert all(isinstance(c.value, int | float) or c.value is None for c in r)
    base = row_of(headline, "unsplit")
    assert base["operating profit: Δ to unsplit [USD]"] is None  # no difference to itself
    monthly = book["monthly"]
    assert monthly.freeze_panes == "C2"  # strategy and month stay in sight
    assert len(column(monthly, "month")) == 2 * 12
    assert {monthly.cell(row=2, column=c).number_format for c in (4, 5)} == {"#,##0.0"}
    money = header(monthly).index("operating profit [USD]") + 1
    assert monthly.cell(row=2, column=money).number_format == "#,##0"
    settings = row_of_parameter(book["settings"], "organisation.hunters")
    assert settings["unsplit"] == 0 and settings["split"] > 0  # numbers, not "0"
    items = [r[0] for r in book["provenance"].iter_rows(min_row=2, values_only=True)]
    assert {"study", "salesim", "git revision", "seeds", "packages"} <= set(items)
    assert any(str(i).startswith("strategy split at point 0") for i in items)
    assert not list(study.path.glob("*.tmp")) and not list(study.path.glob(".report*"))


def row_of_parameter(sheet: Worksheet, parameter: str) -> dict[str, Any]:
    names = header(sheet)
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if row[0] == parameter:
            return dict(zip(names, row, strict=True))
    raise AssertionError(f"no setting {parameter}")


@pytest.mark.slow
def test_the_workbook_holds_the_numbers_the_page_shows(study: StudyResult, built: Report) -> None:
    book = load_workbook(built.xlsx)
    split = row_of(book["headline"], "split")
    stats = study.summary.set_index(["scenario", "metric"])
    page = tables.headline(study.summary, study.baseline, ["unsplit", "split"])
    shown = page.set_index(["scenario", "metric"])
    money = study.summary.loc[study.summary["metric"].isin(["profit", "staff_cost"]), "mean"]
    for metric, title in (("profit", "operating profit"), ("retention_12m", "retention")):
        unit = "USD" if metric == "profit" else "%"
        cells = [split[f"{title}{part} [{unit}]"] for part in ("", ": 95 % low", ": 95 % high")]
        assert cells[0] == pytest.approx(stats.loc[("split", metric), "mean"], rel=1e-12)
        if metric == "profit":  # the page's text is the workbook's number, rounded
            scale = column_scale("money", study.summary.loc[
                study.summary["metric"].isin([m.name for m in HEADLINE if m.kind == "money"]),
                "mean"])  # fmt: skip
            assert format_cell(*cells, scale) == shown.loc[("split", metric), "value"]
        # a share's difference in percentage points, as on the page
        change, scale = ("USD", 1.0) if metric == "profit" else ("points", 100.0)
        diff = split[f"{title}: Δ to unsplit [{change}]"]
        assert diff == pytest.approx(scale * stats.loc[("split", metric), "diff"], rel=1e-12)
    assert not money.empty
    monthly = book["monthly"]
    months = pd.DataFrame(
        list(monthly.iter_rows(min_row=2, values_only=True)), columns=header(monthly)
    )
    ts = study.timeseries
    expected = ts.groupby(["scenario", "month"], sort=False)["profit"].mean()
    got = months.set_index(["strategy", "month"])["operating profit [USD]"]
    assert np.allclose(got.to_numpy(), expected.reindex(got.index).to_numpy(), rtol=1e-12)


@pytest.mark.slow
def test_the_report_command_says_where_the_workbook_is(
    study: StudyResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(study.path), "--out", str(tmp_path), "--quiet"]) == 0
    assert f"{tmp_path / XLSX} (the tables, for a spreadsheet)" in capsys.readouterr().out
    assert load_workbook(tmp_path / XLSX).sheetnames == list(SHEETS)


def test_a_workbook_that_cannot_be_written_leaves_the_earlier_one_whole(
    study: StudyResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "copy"
    shutil.copytree(study.path, out, ignore=shutil.ignore_patterns("report.*", "figures"))
    (out / XLSX).write_bytes(b"an earlier workbook")

    def half(path: Path, _: object) -> None:
        Path(path).write_bytes(b"PK\x03\x04 half")
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr("sim.report.build.write_workbook", half)
    monkeypatch.setattr("sim.report.build._figures", lambda ctx: [])  # nothing to draw
    with pytest.raises(StudyError, match=r"report\.xlsx: cannot write the report \(No space"):
        build_report(out, stream=io.StringIO())
    assert (out / XLSX).read_bytes() == b"an earlier workbook"
    assert not (out / "report.html").exists()  # the page comes last
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


# ---- the workbook's cells, from small made-up frames -----------------------------------------
HOSTILE = ('=HYPERLINK("http://x")', "@SUM(1)", "-2+3", "+1", "\tcmd")


def made_up(labels: list[str], points: int = 1, sweep: list[str] | None = None) -> Contents:
    """Two replications of each strategy at each point, every headline metric, two months."""
    sweep = sweep or []
    rows, months, runs = [], [], []
    for point in range(points):
        for i, label in enumerate(labels):
            for metric in HEADLINE:
                mean = -1000.0 * (i + 1) if metric.kind == "money" else 0.5 + i / 10
                rows.append({
                    "scenario": label, "point": point, "metric": metric.name, "n": 2,
                    "mean": mean, "low": mean - 1, "high": mean + 1,
                    "diff": np.nan if i == 0 else -5.0, "diff_low": np.nan if i == 0 else -7.0,
                    "diff_high": np.nan if i == 0 else -3.0,
                })  # fmt: skip
            runs.append({"scenario": label, "point": point, **{n: 10 * point for n in sweep}})
            for rep in (0, 1):
                for month in (1, 2):
                    months.append({
                        "scenario": label, "replication": rep, "point": 0, "month": month,
                        "profit": -100.0 * month + rep, "active_clients": 10 + rep,
                    })  # fmt: skip
    return Contents(
        summary=pd.DataFrame(rows),
        runs=pd.DataFrame(runs),
        timeseries=pd.DataFrame(months),
        strategies=labels,
        baseline=labels[0],
        sweep=sweep,
        monthly={"active_clients": "active clients", "profit": "operating profit"},
        scenarios={
            label: {"organisation": {"hunters": i, "name": label}} for i, label in enumerate(labels)
        },
        provenance=[("study", HOSTILE[0]), ("command", "-2+3 --set x=@y"), ("bell", "ring\x07")],
        notes=[("note", "=1+1")],
        variants=[
            {"label": label, "point": 0, "scenario": label, "hash": "ab" * 32, "seeds": [1, 2]}
            for label in labels
        ],
    )


def test_no_cell_of_the_workbook_runs_as_a_formula(tmp_path: Path) -> None:
    path = tmp_path / XLSX
    write_workbook(path, made_up(list(HOSTILE)))
    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    book = load_workbook(path)
    texts = [
        c.value for s in book.worksheets for r in s.iter_rows() for c in r
        if isinstance(c.value, str)
    ]  # fmt: skip
    assert texts and all(inert(t) == t for t in texts)  # each is neutralised already
    assert not [t for t in texts if t[0] in TRIGGERS and t not in {"+1", "-"}]  # not formulas
    assert "ring\ufffd" in texts  # a character a workbook cannot hold is replaced, not fatal
    assert '\'=HYPERLINK("http://x")' in texts and "'@SUM(1)" in texts and "'-2+3" in texts
    headline = book["headline"]
    assert headline["A2"].value == '\'=HYPERLINK("http://x")' and headline["A2"].data_type == "s"
    # a negative number is a number, not a formula
    assert isinstance(row_of(headline, "'@SUM(1)")["operating profit [USD]"], int | float)
    assert row_of(headline, "'@SUM(1)")["operating profit [USD]"] == -2000.0
    assert book["monthly"]["E2"].data_type == "n" and book["monthly"]["E2"].value == -99.5


def test_a_plain_dash_and_counts_are_not_escaped_but_formulas_are(tmp_path: Path) -> None:
    from dataclasses import replace

    path = tmp_path / XLSX
    contents = made_up(["a", "b"])
    scenarios = {
        label: {"organisation": {"billing_system": i == 1}} for i, label in enumerate(["a", "b"])
    }
    provenance = [*contents.provenance, ("failed runs", "0"), ("git revision", "0123456")]
    write_workbook(path, replace(contents, scenarios=scenarios, provenance=provenance))
    book = load_workbook(path)
    billing = row_of_parameter(book["settings"], "organisation.billing_system")
    assert billing["unit"] == "-"  # "no unit", not the escaped "'-"
    items = {r[0]: r[1] for r in book["provenance"].iter_rows(min_row=2, values_only=True)}
    assert items["failed runs"] == 0 and isinstance(items["failed runs"], int)  # a number
    assert items["git revision"] == "0123456"  # text that only looks like a number
    assert items["command"] == "'-2+3 --set x=@y" and items["note"] == "'=1+1"  # still inert


def test_a_sweep_gives_one_headline_row_per_strategy_and_point(tmp_path: Path) -> None:
    path = tmp_path / XLSX
    write_workbook(path, made_up(["a", "b"], points=3, sweep=["company_size"]))
    headline = load_workbook(path)["headline"]
    assert header(headline)[:4] == ["strategy", "point", "company_size", "replications [runs]"]
    assert headline.freeze_panes == "D2"  # strategy, point and the swept value stay in sight
    keys = [r[:3] for r in headline.iter_rows(min_row=2, values_only=True)]
    assert keys == [(s, p, 10 * p) for p in range(3) for s in ("a", "b")]
    # as on the page: the best mean of each point is blue, a significant difference bold
    names = header(headline)
    profit, staff = names.index("operating profit [USD]") + 1, names.index("staff cost [USD]") + 1
    blue = [[headline.cell(row=r, column=c).fill.fgColor.rgb.endswith("E8F0FB") for r in
             range(2, 8)] for c in (profit, staff)]  # fmt: skip
    assert blue == [[True, False] * 3, [False, True] * 3]  # a earns more; b costs less
    delta = names.index("operating profit: Δ to a [USD]") + 1
    assert [headline.cell(row=r, column=delta).font.b for r in range(2, 8)] == [False, True] * 3


# ---- salesim run --csv ------------------------------------------------------------------------
def test_run_csv_writes_the_monthly_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, path = tmp_path / "res", tmp_path / "Таблица" / "months.csv"  # created on the way
    argv = ["run", str(SCENARIOS / "reference.yaml"), "--years", "1", "--out", str(out)]
    assert main([*argv, "--csv", str(path)]) == 0
    assert f"monthly table: {path}" in capsys.readouterr().err
    written = pd.read_csv(path)
    pd.testing.assert_frame_equal(written, pd.read_parquet(out / "timeseries.parquet"))
    assert not [p for p in path.parent.iterdir() if p.name != path.name]  # no temporary file


def test_run_csv_refuses_a_bad_path_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    one = ["run", str(SCENARIOS / "reference.yaml"), "--years", "1", "--out", str(tmp_path / "r")]
    two = [*one[:2], str(SCENARIOS / "split.yaml"), *one[2:]]
    cases = [
        ([*one, "--csv", str(tmp_path)], "--csv"),
        ([*one, "--csv", str(tmp_path / "notes.txt")], "exists and is not a .csv"),
        ([*two, "--csv", str(tmp_path / "m.csv")], "--csv: give one scenario"),
        ([*one, "--csv", str(tmp_path / "m.csv"), "--transactions", str(tmp_path / "m.csv")],
         "name the same file"),
    ]  # fmt: skip
    for argv, message in cases:
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert message in err and "running" not in err, (argv, err)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "r").exists() and not (tmp_path / "m.csv").exists()
