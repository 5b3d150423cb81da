"""Hostile and careless input: located messages, exit 2, no traceback, nothing half-written.

Each test feeds a command what a careless user or a hostile file gives it (a file pasted from
two encodings, a binary renamed .csv, a formula as a client name, a date typed as 2204, an
output path that is the scenario itself) and asserts what the command does instead of
crashing, writing nonsense, or destroying a file.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, run, scenario

from sim.cli import main
from sim.config.fields import field_at
from sim.config.loader import ConfigError
from sim.config.schema import Scenario

ROWS = [
    ("A", "2024-01-05", "10"),
    ("A", "2024-02-05", "20"),
    ("B", "2024-01-07", "5"),
    ("B", "2024-03-07", "7"),
    ("C", "2024-01-09", "8"),
]


def _csv(rows: list[tuple[str, str, str]] = ROWS, sep: str = ",") -> str:
    return "\n".join(sep.join(r) for r in [("client", "date", "amount"), *rows]) + "\n"


def _calibrate(
    capsys: pytest.CaptureFixture[str], path: Path, out: Path, *argv: str
) -> tuple[int, str, str]:
    code = main(["calibrate", str(path), "--out", str(out), "--no-check", *argv])
    printed, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, printed, err


def _refused(capsys: pytest.CaptureFixture[str], path: Path, tmp_path: Path, *argv: str) -> str:
    out = tmp_path / "cal"
    code, _, err = _calibrate(capsys, path, out, *argv)
    assert code == 2, err
    assert not (out / "calibration.json").exists()
    return err


# --- salesim calibrate: encodings and bytes ---------------------------------------------


def test_a_file_mixing_utf8_and_windows_1251_is_refused_at_the_first_foreign_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "orders.csv"
    utf8 = _csv().encode("utf-8") + "Клиент,2024-03-01,5\n".encode()
    path.write_bytes(utf8 + "Клиент,2024-03-02,5\n".encode("cp1251"))
    err = _refused(capsys, path, tmp_path)
    assert f"{path}:8:" in err and "mixes encodings" in err
    # the other way round: a Windows-1251 file with a UTF-8 line pasted in
    cp1251 = _csv().encode() + "Клиент,2024-03-02,5\n".encode("cp1251")
    path.write_bytes(cp1251 + "Клиент,2024-03-01,5\n".encode())
    err = _refused(capsys, path, tmp_path)
    assert f"{path}:8:" in err and "mixes encodings" in err


def test_nul_bytes_and_a_binary_file_renamed_csv_are_refused_with_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(_csv().encode().replace(b"B,2024-01-07", b"B\x00,2024-01-07"))
    err = _refused(capsys, path, tmp_path)
    assert f"{path}:4: a NUL character" in err
    path.write_bytes(bytes(range(256)) * 40)  # a binary file: NULs and bytes of no encoding
    assert str(path) in _refused(capsys, path, tmp_path)


def test_a_utf16_export_with_its_byte_order_mark_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Excel's "Unicode text" export: UTF-16 with a BOM, tab-separated
    path = tmp_path / "orders.txt"
    path.write_bytes(_csv(sep="\t").encode("utf-16"))
    code, _, err = _calibrate(capsys, path, tmp_path / "cal", "--format", "csv")
    assert code == 0, err
    fit = json.loads((tmp_path / "cal" / "calibration.json").read_text(encoding="utf-8"))
    assert fit["counts"]["transactions"] == len(ROWS)


# --- salesim calibrate: cells a spreadsheet would run, markup in names --------------------


def test_a_formula_cell_neither_flips_the_delimiter_nor_runs_in_rejected_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    formula = '"=HYPERLINK(""http://x.example"";""click"")"'
    rows = [*ROWS, ("D", "2024-02-01", formula), ("D", "2024-02-02", formula)]
    path = tmp_path / "orders.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    out = tmp_path / "cal"
    code, _, err = _calibrate(capsys, path, out, "--skip-bad")
    assert code == 0, err  # the header's comma decides, not the formula's semicolons
    rejected = pd.read_csv(out / "rejected.csv", dtype=str)
    assert rejected["value"].tolist() == ['\'=HYPERLINK("http://x.example";"click")'] * 2
    assert rejected["line"].tolist() == ["7", "8"]


def test_markup_in_the_file_name_is_escaped_in_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "<script>alert(1)<'script>.csv"
    path.write_text(_csv(), encoding="utf-8")
    code, _, err = _calibrate(capsys, path, tmp_path / "cal")
    assert code == 0, err
    page = (tmp_path / "cal" / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)" in page


def test_cyrillic_file_and_folder_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "Выгрузки 1С"
    folder.mkdir()
    path = folder / "Продажи.csv"
    path.write_text(_csv(), encoding="utf-8")
    out = tmp_path / "Калибровка"
    code, printed, err = _calibrate(capsys, path, out)
    assert code == 0, err
    fit = json.loads((out / "calibration.json").read_text(encoding="utf-8"))
    assert fit["input"]["file"] == str(path)
    assert "Продажи.csv" in (out / "report.html").read_text(encoding="utf-8")
    assert str(out) in printed


# --- salesim calibrate: values and periods the data cannot have --------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "2204-01-01", "1677-01-01", "1024-05-05"])
def test_a_date_far_in_the_future_or_past_is_a_located_bad_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], day: str
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(_csv([*ROWS, ("C", day, "5")]), encoding="utf-8")
    err = _refused(capsys, path, tmp_path)
    assert f"{path}:7: column 'date': '{day}': outside the dates" in err
    code, _, err = _calibrate(capsys, path, tmp_path / "skip", "--skip-bad")
    assert code == 0, err
    fit = json.loads((tmp_path / "skip" / "calibration.json").read_text(encoding="utf-8"))
    assert fit["period"]["end"] == "2024-03-07"


@pytest.mark.parametrize("amount", ["1e308", "nan", "inf", "-inf", "9" * 400])
def test_amounts_that_are_not_money_are_located_bad_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], amount: str
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(_csv([*ROWS, ("C", "2024-02-02", amount)]), encoding="utf-8")
    assert f"{path}:7: column 'amount'" in _refused(capsys, path, tmp_path)


def test_until_after_the_last_transaction_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(_csv(), encoding="utf-8")
    err = _refused(capsys, path, tmp_path, "--until", "2100-01-01")
    assert "--until 2100-01-01 is after the last transaction (2024-03-07)" in err


def test_one_client_or_no_repeat_purchase_is_refused_before_a_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(_csv([("A", f"2024-0{m}-01", "10") for m in range(1, 9)]), "utf-8")
    assert "one client buys" in _refused(capsys, path, tmp_path)
    once = [("A", "2024-01-01", "5"), ("B", "2024-01-02", "5"), ("C", "2024-02-01", "5")]
    path.write_text(_csv(once), encoding="utf-8")
    err = _refused(capsys, path, tmp_path)
    assert "no client buys on a second day" in err and ".tmp" not in err
    assert not list((tmp_path / "cal").glob("*.yaml"))


def test_every_amount_negative_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(_csv([(c, d, "-" + a) for c, d, a in ROWS]), encoding="utf-8")
    assert "every amount is negative" in _refused(capsys, path, tmp_path)


# --- salesim calibrate: rows that do not split -------------------------------------------


def test_a_ragged_row_and_an_unclosed_quote_are_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(_csv() + "C,2024-01-01,5,extra,more\n", encoding="utf-8")
    err = _refused(capsys, path, tmp_path)
    assert f"{path}:7: 5 fields separated by ',', where the header has 3" in err
    path.write_text(_csv() + 'C,"2024-01-01,5\nD,2024-01-02,6\n', encoding="utf-8")
    assert f"{path}:7: a quote" in _refused(capsys, path, tmp_path)


# --- salesim calibrate: paths --------------------------------------------------------------


def test_a_broken_base_is_refused_before_the_folder_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(_csv(), encoding="utf-8")
    (tmp_path / "base.yaml").write_text("name: x\nmarket: [1, 2\n", encoding="utf-8")
    err = _refused(capsys, path, tmp_path, "--base", str(tmp_path / "base.yaml"))
    assert "--base" in err and "base.yaml" in err
    assert not (tmp_path / "cal").exists()


def test_a_folder_as_file_and_a_file_as_out_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "Is a directory" in _refused(capsys, tmp_path, tmp_path)
    path = tmp_path / "orders.csv"
    path.write_text(_csv(), encoding="utf-8")
    (tmp_path / "taken").write_text("mine", encoding="utf-8")
    code, _, err = _calibrate(capsys, path, tmp_path / "taken")
    assert code == 2 and "exists and is not a folder" in err
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "mine"


# --- salesim calibrate: options ---------------------------------------------------------------


def test_bad_delimiter_date_format_and_one_column_for_two_roles_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(_csv(), encoding="utf-8")
    for delimiter in ("", "::", '"'):
        with pytest.raises(SystemExit) as stop:
            main(["calibrate", str(path), "--out", str(tmp_path / "c"), "--delimiter", delimiter])
        assert stop.value.code == 2
        assert "expected one character" in capsys.readouterr().err
    err = _refused(capsys, path, tmp_path, "--date-format", "%Q")
    assert "--date-format '%Q'" in err and "bad directive" in err
    err = _refused(capsys, path, tmp_path, "--client", "amount", "--amount", "amount")
    assert "--client and --amount name the same column 'amount'" in err


def test_a_huge_single_line_is_a_located_bad_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(_csv() + "x" * 5_000_000 + "\n", encoding="utf-8")
    err = _refused(capsys, path, tmp_path)
    assert f"{path}:7: column 'date': '': not a date in the form ISO" in err
    assert len(err) < 2_000  # the cell is shortened in the message


# --- salesim run --transactions -----------------------------------------------------------


def _run_logged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, log: Path, scenario: Path | None = None
) -> tuple[int, str]:
    source = scenario or ROOT / "scenarios" / "reference.yaml"
    argv = [str(source), "--years", "1", "--out", str(tmp_path / "res"), "--transactions"]
    code = main(["run", *argv, str(log)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def test_a_transaction_log_path_that_cannot_be_a_log_is_refused_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "mine.yaml"
    text = (ROOT / "scenarios" / "reference.yaml").read_text(encoding="utf-8")
    source.write_text(text, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    cases = {
        tmp_path / "folder": "is a folder",
        tmp_path / "notes.txt" / "orders.csv": "is a file, not a folder",
        source: "the run reads or writes this file itself",
        tmp_path / "res" / "manifest.json": "the run reads or writes this file itself",
        tmp_path / "notes.txt": "exists and is not a .csv",
    }
    for log, message in cases.items():
        code, err = _run_logged(capsys, tmp_path, log, source)
        assert code == 2 and message in err, (log, err)
        assert "running" not in err  # refused before the run
    assert source.read_text(encoding="utf-8") == text
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "res").exists()


def test_an_interrupted_transaction_log_leaves_the_earlier_one_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sim.calibrate.transactions import LoggedRun

    log = tmp_path / "Заказы" / "лог.csv"
    code, err = _run_logged(capsys, tmp_path, log)  # a Cyrillic path, created on the way
    assert code == 0, err
    earlier = log.read_bytes()
    assert earlier.startswith(b"client,date,amount\n")

    def interrupted(self: LoggedRun, *args: object) -> pd.DataFrame:
        class Half:
            def to_csv(self, path: Path, index: bool) -> None:
                Path(path).write_text("client,date,amo", encoding="utf-8")
                raise KeyboardInterrupt

        return Half()  # type: ignore[return-value]

    monkeypatch.setattr(LoggedRun, "transactions", interrupted)
    code, err = _run_logged(capsys, tmp_path, log)
    assert code == 130
    assert log.read_bytes() == earlier
    assert sorted(p.name for p in log.parent.iterdir()) == ["лог.csv"]  # no temporary file


# --- the pay and effort fields at their extremes ----------------------------------------------

PAY_FIELDS = (
    "effort.responsiveness",
    "effort.horizon_months",
    "effort.max_visit_pace",
    "effort.max_escalation_wait_months",
    "specialists.pay_weight",
    "specialists.order_effect_per_weight",
    "specialists.error_effect_per_weight",
    "staffing.market_pay_usd_per_month",
    "staffing.pay_smoothing_months",
    "staffing.quit_pay_elasticity",
    "staffing.morale_pay_elasticity",
)


def _extremes(path: str) -> tuple[float, float]:
    """The smallest and largest value the schema takes (an open end: a hair inside it)."""
    bounds = field_at(Scenario, path).bounds
    assert bounds.low is not None and bounds.high is not None, path  # every one is bounded
    low = bounds.low if bounds.admits(bounds.low) else bounds.low + 1e-9
    high = bounds.high if bounds.admits(bounds.high) else bounds.high - 1e-9
    return float(low), float(high)


def _new_gaps(name: str, *overrides: str) -> list[str]:
    """Columns with an inf, or a NaN in a month where the default run has a number."""
    frame = run(name, *overrides).select_dtypes("number")
    base = run(name, *overrides[-1:]).select_dtypes("number")
    return [
        column
        for column in frame
        if np.isinf(frame[column].to_numpy(float)).any()
        or (frame[column].isna() & base[column].notna()).any()
    ]


@pytest.mark.parametrize("path", PAY_FIELDS)
def test_each_pay_and_effort_field_at_its_extremes_keeps_every_column_finite(path: str) -> None:
    for value in _extremes(path):
        for basis in ("accuracy", "volume"):
            overrides = (f"{path}={value!r}", f"specialists.pay_basis={basis}")
            assert not _new_gaps("unsplit", *overrides, "calendar.horizon_years=1"), overrides


@pytest.mark.parametrize("end", [0, 1])
@pytest.mark.parametrize("name", ["unsplit", "split"])
def test_all_pay_and_effort_fields_at_one_end_keep_every_column_finite(name: str, end: int) -> None:
    overrides = [f"{p}={_extremes(p)[end]!r}" for p in PAY_FIELDS]
    for basis in ("accuracy", "volume"):
        every = (*overrides, f"specialists.pay_basis={basis}", "calendar.horizon_years=3")
        assert not _new_gaps(name, *every)
    # and what the schema refuses is refused with its place, not run
    for path in PAY_FIELDS:
        for value in ("nan", "inf", "-1", "1e400"):
            with pytest.raises(ConfigError) as refused:
                scenario("unsplit", f"{path}={value}")
            assert path in str(refused.value)


def test_calibrate_refuses_a_folder_whose_scenarios_or_results_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(_csv(), encoding="utf-8")
    shipped = tmp_path / "scenarios"
    shipped.mkdir()
    split = (ROOT / "scenarios" / "split.yaml").read_text(encoding="utf-8")
    (shipped / "split.yaml").write_text(split, encoding="utf-8")
    code, _, err = _calibrate(capsys, path, shipped)
    assert code == 2 and "split.yaml: a scenario that salesim calibrate did not write" in err
    assert (shipped / "split.yaml").read_text(encoding="utf-8") == split
    assert not (shipped / "calibration.json").exists()
    assert main(["run", str(ROOT / "scenarios" / "reference.yaml"), "--years", "1", "--out",
                 str(tmp_path / "res")]) == 0  # fmt: skip
    before = (tmp_path / "res" / "scenario.yaml").read_bytes()
    code, _, err = _calibrate(capsys, path, tmp_path / "res")
    assert code == 2 and "holds the results of a salesim run" in err
    assert (tmp_path / "res" / "scenario.yaml").read_bytes() == before
    # its own folder, calibrated again, is fine
    assert _calibrate(capsys, path, tmp_path / "cal")[0] == 0
    assert _calibrate(capsys, path, tmp_path / "cal")[0] == 0


def test_workbook_cells_of_the_wrong_kind_and_an_empty_first_sheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import datetime

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["client", "date", "amount"])
    for client, day, amount in ROWS:
        sheet.append([client, datetime.datetime.fromisoformat(day), float(amount)])
    sheet.append(["D", datetime.datetime(9999, 12, 31), 8.0])
    sheet.append(["E", datetime.datetime(2024, 1, 9), True])
    sheet.append(["F", datetime.datetime(2024, 1, 9), datetime.datetime(2024, 1, 1)])
    book.save(tmp_path / "orders.xlsx")
    err = _refused(capsys, tmp_path / "orders.xlsx", tmp_path)
    assert "orders.xlsx:7: column 'date'" in err and "outside the dates" in err
    assert "orders.xlsx:8: column 'amount': 'True'" in err
    assert "orders.xlsx:9: column 'amount'" in err
    book = openpyxl.Workbook()
    book.create_sheet("data").append(["client", "date", "amount"])
    book.save(tmp_path / "second.xlsx")
    err = _refused(capsys, tmp_path / "second.xlsx", tmp_path)
    assert "first sheet is empty" in err and "--delimiter" not in err


# --- sensitivity studies --------------------------------------------------------------------


def test_a_metric_undefined_in_every_run_is_not_called_unfinished(tmp_path: Path) -> None:
    from test_sensitivity import ishigami_run, ishigami_study, quiet

    from sim.study.execute import Outcome

    def no_escalations_in_a(scenario: Scenario, seed: int) -> Outcome:
        outcome = ishigami_run(scenario, seed)
        if scenario.name == "a":  # no escalation: the share answered is a share of nothing
            outcome.frame["escalations_answered"] = 0
            outcome.frame["escalations_unanswered"] = 0
        else:
            outcome.frame["escalations_answered"] = 1 + seed % 5
            outcome.frame["escalations_unanswered"] = 1
        return outcome

    share = "escalations_answered_share"
    study = ishigami_study(tmp_path, method="morris", trajectories=4, analyse={share: "level"})
    result = quiet(study, tmp_path / "out", run=no_escalations_in_a)
    about_a = [n for n in result.sensitivity_notes if n.startswith(f"{share} of a:")]
    assert len(about_a) == 1
    assert "undefined (NaN)" in about_a[0] and "run the study again" not in about_a[0]
    assert "a" not in set(result.sensitivity["scenario"])


def test_file_and_base_names_cannot_write_fields_into_the_calibrated_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "evil\nstaffing:\n  quit_per_month: 0.9\n#.csv"
    path.write_text(_csv(), encoding="utf-8")
    folder = tmp_path / "my base: v2 #1 & 'copy'"
    folder.mkdir()
    base = folder / "base: *x.yaml"
    base.write_text(f"extends: {ROOT / 'scenarios' / 'reference.yaml'}\nname: odd\n", "utf-8")
    out = tmp_path / "cal"
    code, _, err = _calibrate(capsys, path, out, "--base", str(base))
    assert code == 0, err
    text = (out / "scenario.yaml").read_text(encoding="utf-8")
    assert "\nstaffing:" not in text and "evil\\nstaffing" in text
    from sim.config.loader import load_model

    reference = load_model(Scenario, ROOT / "scenarios" / "reference.yaml")
    for name in ("scenario.yaml", "split.yaml"):
        written = load_model(Scenario, out / name)
        assert written.staffing.quit_per_month == reference.staffing.quit_per_month


def test_iso_times_with_a_utc_offset_are_read_as_the_day_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        ("A", "2024-01-05T10:00:00+03:00", "10"),
        ("A", "2024-02-05T10:00:00Z", "20"),
        ("B", "2024-01-07T23:30:00-0500", "5"),
        ("B", "2024-03-07T00:15:00.5+05:30", "7"),
    ]
    path = tmp_path / "orders.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    code, _, err = _calibrate(capsys, path, tmp_path / "cal")
    assert code == 0, err
    fit = json.loads((tmp_path / "cal" / "calibration.json").read_text(encoding="utf-8"))
    assert (fit["period"]["start"], fit["period"]["end"]) == ("2024-01-05", "2024-03-07")
    assert fit["counts"]["transactions"] == 4


def test_every_amount_zero_fits_the_purchases_and_leaves_the_spend_unfitted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(_csv([(c, d, "0") for c, d, _ in ROWS]), encoding="utf-8")
    code, _, err = _calibrate(capsys, path, tmp_path / "cal")
    assert code == 0, err
    fit = json.loads((tmp_path / "cal" / "calibration.json").read_text(encoding="utf-8"))
    assert fit["gamma_gamma"] is None and "spends more than 0" in fit["spend"]["note"]
    assert fit["counts"]["zero_amount_rows"] == len(ROWS)


def test_a_read_only_folder_is_refused_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    locked = tmp_path / "read-only"
    locked.mkdir()
    real = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:
        # as for a user without write permission (the tests may run as root, who has it)
        if mode & os.W_OK and Path(str(path)).resolve().is_relative_to(locked):
            return False
        return real(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    path = tmp_path / "orders.csv"
    path.write_text(_csv(), encoding="utf-8")
    code, _, err = _calibrate(capsys, path, locked)
    assert code == 2 and "not writable" in err
    code, err = _run_logged(capsys, tmp_path, locked / "orders.csv")
    assert code == 2 and "not writable" in err and "running" not in err
    assert list(locked.iterdir()) == []
