"""salesim calibrate tells a new user what the fit means: staff cost, periods, names, hints."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, run, scenario

from sim.calibrate import check, mapping
from sim.calibrate.command import currency_warnings
from sim.calibrate.reading import looks_like_cdnow, read_export
from sim.cli import main
from sim.config.loader import load_model
from sim.config.schema import Scenario

CDNOW = ROOT / "tests" / "data" / "cdnow" / "CDNOW_sample.txt"


def calibrate(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["calibrate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def cdnow(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """The CDNOW sample calibrated to 1997-09-30 without the check: folder, stdout, stderr.

    The folder's name holds a character a scenario name cannot (the name is sanitised).
    """
    out = tmp_path_factory.mktemp("cal") / "CDNOW sample!"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(
            ["calibrate", str(CDNOW), "--format", "cdnow", "--until", "1997-09-30", "--out",
             str(out), "--no-check"]
        )  # fmt: skip
    assert code == 0, stderr.getvalue()
    return out, stdout.getvalue(), stderr.getvalue()


# --- the staff cost against the calibrated gross margin ----------------------------------


def test_staff_cost_is_the_ledgers_salaries_and_desks_at_the_start() -> None:
    # the reference's sellers have no fixed bonus: its first month's salaries and desks
    first = run("reference").iloc[0]
    assert mapping.staff_cost_usd_per_month(scenario("reference")) == pytest.approx(
        first["salaries"] + first["desks"]
    )
    split = scenario("split")  # the specialists' accuracy bonus is fixed pay: counted
    salaries_desks = run("split").iloc[0][["salaries", "desks"]].sum()
    assert mapping.staff_cost_usd_per_month(split) > salaries_desks


def _fit(revenue_per_month: float) -> dict:
    """A calibration.json whose alive clients bring ``revenue_per_month``."""
    alive = {"alive": 100.0, "orders_per_month": 1.0, "spend_per_order": revenue_per_month / 100}
    return {"alive": alive}


@pytest.mark.parametrize("side", [0.99, 1.01])
def test_warns_exactly_when_staff_cost_exceeds_the_gross_margin(side: float) -> None:
    base = scenario("reference")
    staff = mapping.staff_cost_usd_per_month(base)
    # a revenue whose gross margin is `side` times the staff cost
    found = mapping.staff_cost_check(_fit(side * staff / base.money.gross_margin), base)
    assert found is not None
    assert found["ratio"] == pytest.approx(1 / side, rel=1e-4)
    assert found["staff_cost_per_year"] == pytest.approx(12 * staff, abs=0.01)
    if side < 1:
        assert "organisation.generalists" in found["warning"]
        assert "sellers.salary_usd_per_month" in found["warning"] and "--set" in found["warning"]
        # the example shows the syntax, it recommends no headcount
        assert "organisation.generalists=N, N your company's number" in found["warning"]
    else:
        assert found["warning"] is None


def test_no_staff_cost_check_without_a_fitted_spend() -> None:
    fit = {"alive": {"alive": 100.0, "orders_per_month": 1.0, "spend_per_order": None}}
    assert mapping.staff_cost_check(fit, scenario("reference")) is None


def test_cdnow_warns_on_stderr_in_the_json_and_at_the_top_of_the_report(
    cdnow: tuple[Path, str, str],
) -> None:
    out, _, err = cdnow
    fit = json.loads((out / "calibration.json").read_text(encoding="utf-8"))
    written = load_model(Scenario, out / "scenario.yaml")
    assert fit["staff_cost"]["staff_cost_per_year"] == pytest.approx(
        12 * mapping.staff_cost_usd_per_month(written), abs=0.01
    )
    assert fit["staff_cost"]["ratio"] > 10  # a music retailer's margin with a B2B staff
    assert len(fit["warnings"]) == 1 and "organisation.generalists" in fit["warnings"][0]
    assert "warning:" in err and "organisation.generalists" in err
    page = (out / "report.html").read_text(encoding="utf-8")
    summary = page.index("In short")
    assert summary < page.index("<img") and "Warning: the scenario" in page[summary:]


# --- the periods of the holdout and of the check -----------------------------------------


def test_the_printed_holdout_names_its_period(cdnow: tuple[Path, str, str]) -> None:
    _, out, _ = cdnow
    assert "holdout 1997-10-01 to 1998-06-30 (39 weeks): 1882 repeat transactions" in out


def test_the_check_span_is_the_days_the_check_counts() -> None:
    until = pd.Timestamp("1997-09-30")
    first, last = check.months_span(until, 8)
    assert check.span_text(until, 8) == f"the 8 whole months {first.date()} to {last.date()}"
    days = pd.DataFrame(
        {"client": ["a", "a", "a", "a"], "date": [until, first, last, last + pd.Timedelta(days=1)]}
    ).assign(amount=1.0)
    seen = check.observed_months(days, pd.Index(["a"]), until, 8)
    assert seen["orders"].sum() == 2  # the first and the last day, not until nor the day after


def test_report_and_summary_say_the_period_and_units(cdnow: tuple[Path, str, str]) -> None:
    out, _, _ = cdnow
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "holdout 1997-10-01 to 1998-06-30 (39 weeks)" in page
    assert "USD of revenue a month" in page and "clients are still alive" in page


# --- names after the company -------------------------------------------------------------


def test_scenarios_are_named_after_the_calibration_folder(cdnow: tuple[Path, str, str]) -> None:
    out, stdout, _ = cdnow
    assert load_model(Scenario, out / "scenario.yaml").name == "CDNOW_sample_"
    assert load_model(Scenario, out / "split.yaml").name == "CDNOW_sample__split"
    assert "--out results/compare_CDNOW_sample_" in stdout


# --- hints and the order of messages -----------------------------------------------------


def test_a_cdnow_file_without_format_suggests_format_cdnow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert looks_like_cdnow("00004 0001 19970101  2   29.33")
    assert not looks_like_cdnow("client;date;amount")
    code, _, err = calibrate(capsys, str(CDNOW), "--out", str(tmp_path / "cal"))
    assert code == 2 and "--format cdnow" in err and "--delimiter" not in err


def test_a_missing_file_is_refused_before_the_progress_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = calibrate(capsys, str(tmp_path / "nofile.csv"), "--out", str(tmp_path / "c"))
    assert code == 2 and "cannot read the file" in err
    assert "reading and fitting" not in err
    assert not (tmp_path / "c").exists()


# --- the export's currency ------------------------------------------------------------------


def rouble_export(folder: Path, rate: float) -> Path:
    """CDNOW as a Russian CRM writes it: roubles at ``rate`` to the dollar, marked ``руб.``."""
    cdnow = pd.read_csv(CDNOW, sep=r"\s+", header=None, names=["id", "day", "n", "usd"], dtype=str)
    day = pd.to_datetime(cdnow["day"], format="%Y%m%d").dt.strftime("%d.%m.%Y")
    amount = (cdnow["usd"].astype(float) * rate).map(lambda x: f"{x:,.2f}".replace(",", " "))
    written = zip(cdnow["id"], day, amount, strict=True)
    rows = [f"{c};{d};{a.replace('.', ',')} руб." for c, d, a in written]
    path = folder / "заказы.csv"
    path.write_text("Клиент;Дата;Сумма\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_rouble_export_is_read_as_usd_only_with_a_warning_and_converted_with_per_usd(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, cdnow: tuple[Path, str, str]
) -> None:
    export = rouble_export(tmp_path, 90.0)
    args = ("--until", "1997-09-30", "--no-check")
    code, out, err = calibrate(capsys, str(export), "--out", str(tmp_path / "as_read"), *args)
    assert code == 0
    read = json.loads((tmp_path / "as_read" / "calibration.json").read_text("utf-8"))
    assert read["input"]["currencies"] == ["RUB"] and read["input"]["per_usd"] is None
    assert "amounts marked RUB" in out
    assert "marked RUB but read as USD" in read["warnings"][0] and "--per-usd" in err
    code, out, err = calibrate(
        capsys, str(export), "--out", str(tmp_path / "usd"), "--per-usd", "90", *args
    )
    assert code == 0 and "marked RUB but read as USD" not in err
    converted = json.loads((tmp_path / "usd" / "calibration.json").read_text("utf-8"))
    assert converted["input"]["per_usd"] == 90.0
    page = (tmp_path / "usd" / "report.html").read_text("utf-8")
    assert "(amounts in RUB divided by 90)" in page
    dollars = json.loads((cdnow[0] / "calibration.json").read_text("utf-8"))
    # the same company in dollars: the same clients and orders, the spend of the CDNOW fit
    for key in ("alive", "orders_per_month", "spend_per_order"):
        assert converted["alive"][key] == pytest.approx(dollars["alive"][key], rel=1e-4), key
    assert read["alive"]["spend_per_order"] == pytest.approx(
        90 * dollars["alive"]["spend_per_order"], rel=1e-4
    )


@pytest.mark.parametrize(
    ("marked", "per_usd", "warned"),
    [
        ([], None, []),
        ([], 90.0, []),
        (["USD"], None, []),
        (["RUB"], 90.0, []),
        (["RUB"], None, ["marked RUB but read as USD"]),
        (["USD"], 90.0, ["marked USD, yet --per-usd divided them by 90"]),
        (["EUR", "USD"], None, ["several currencies"]),  # not also "give --per-usd"
        (["EUR", "RUB"], 90.0, ["several currencies"]),
    ],
)
def test_currency_warnings_say_what_is_read_as_usd(
    marked: list[str], per_usd: float | None, warned: list[str]
) -> None:
    found = currency_warnings(marked, per_usd)
    assert len(found) == len(warned)
    assert all(part in text for part, text in zip(warned, found, strict=True))


def test_currencies_are_read_from_the_rows_used_and_the_amount_columns_header(
    tmp_path: Path,
) -> None:
    plain = "client,date,amount\na,2020-01-05,10\nb,2020-02-05,n/a EUR\na,2020-03-05,12\n"
    (tmp_path / "plain.csv").write_text(plain, encoding="utf-8")
    export = read_export(tmp_path / "plain.csv")
    assert len(export.rejected) == 1 and export.currencies == []  # a bad row is not used
    header = "Клиент;Дата;Сумма, руб.\nа;05.01.2020;10\nб;05.02.2020;12\n"
    (tmp_path / "header.csv").write_text(header, encoding="utf-8")
    # "Сумма, руб." is found as the amount (its currency aside) and says what the amounts are in
    assert read_export(tmp_path / "header.csv", dayfirst=True).currencies == ["RUB"]


@pytest.mark.parametrize("rate", ["1e-7", "1e-20", "2e9"])
def test_a_rate_outside_what_the_fits_can_take_is_refused(
    rate: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["calibrate", str(CDNOW), "--per-usd", rate, "--out", str(tmp_path / "x")])
    assert (
        exit_.value.code == 2 and "expected a number from 1e-06 to 1e+09" in capsys.readouterr().err
    )
    assert not (tmp_path / "x").exists()
