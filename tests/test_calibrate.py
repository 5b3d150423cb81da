"""salesim calibrate: BTYD likelihoods and fits, CDNOW estimates, reading real exports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from scipy import integrate, special, stats

from sim import economics as eco
from sim.calibrate import btyd, mapping
from sim.calibrate.reading import parse_amounts
from sim.cli import main
from sim.config.loader import load_model
from sim.config.schema import Scenario

CDNOW = ROOT / "tests" / "data" / "cdnow" / "CDNOW_sample.txt"

# Published estimates for the CDNOW 1/10 sample, 39-week calibration period to 1997-09-30,
# weeks as the time unit. BG/NBD: Fader, Hardie & Lee (2005), Marketing Science 24(2),
# section 5 (r = 0.243, alpha = 4.414, a = 0.793, b = 2.426), as also used by the BTYD R
# package's examples (bgnbd.PAlive) and lifetimes' test "params out is close to Hardie paper".
# Gamma-Gamma: Fader & Hardie (2013), "The Gamma-Gamma model of monetary value", fitted to the
# 946 repeat buyers (p = 6.25, q = 3.74, gamma = 15.44), as in BTYD's spend examples.
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def calibrate(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["calibrate", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def result(folder: Path) -> dict:
    return json.loads((folder / "calibration.json").read_text(encoding="utf-8"))


# --- likelihoods against independent numerical integration ------------------------------


@pytest.mark.parametrize(
    ("x", "t_x", "T"), [(0, 0.0, 38.86), (2, 30.43, 38.86), (1, 1.71, 38.86), (7, 29.0, 30.0)]
)
def test_bgnbd_likelihood_equals_integral_over_the_mixing_distributions(
    x: int,
    t_x: float,
    T: float,  # noqa: N803 - the papers' name
) -> None:
    # Given rate lam and drop-out p: P = (1-p)^x lam^x e^(-lam T)
    #                                  + [x>0] p (1-p)^(x-1) lam^x e^(-lam t_x)
    # (FHL 2005 eq. 3); integrate over lam ~ Gamma(r, scale 1/alpha), p ~ Beta(a, b).
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    lam = stats.gamma(r, scale=1 / alpha)
    pdist = stats.beta(a, b)

    def over_lam(age: float) -> float:
        return integrate.quad(lambda v: v**x * np.exp(-v * age) * lam.pdf(v), 0, np.inf)[0]

    stay = integrate.quad(lambda p: (1 - p) ** x * pdist.pdf(p), 0, 1)[0]
    value = stay * over_lam(T)
    if x > 0:
        drop = integrate.quad(lambda p: p * (1 - p) ** (x - 1) * pdist.pdf(p), 0, 1)[0]
        value += drop * over_lam(t_x)
    got = btyd.bgnbd_log_likelihood(r, alpha, a, b, np.array([x]), np.array([t_x]), np.array([T]))
    assert got[0] == pytest.approx(np.log(value), rel=1e-6)


@pytest.mark.parametrize(("x", "m_x"), [(1, 20.0), (3, 35.5), (10, 4.2)])
def test_gamma_gamma_likelihood_equals_integral_over_the_mixing_distribution(
    x: int, m_x: float
) -> None:
    # Mean of x spends Gamma(p, rate nu) is Gamma(p x, rate nu x); nu ~ Gamma(q, rate gamma).
    p, q, gamma = 6.25, 3.74, 15.44
    nu = stats.gamma(q, scale=1 / gamma)
    value = integrate.quad(
        lambda v: stats.gamma(p * x, scale=1 / (v * x)).pdf(m_x) * nu.pdf(v), 0, np.inf
    )[0]
    got = btyd.gamma_gamma_log_likelihood(p, q, gamma, np.array([x]), np.array([m_x]))
    assert got[0] == pytest.approx(np.log(value), rel=1e-6)


def test_bgnbd_fit_recovers_the_parameters_of_simulated_clients() -> None:
    rng = np.random.default_rng(7)
    truth = {"r": 0.8, "alpha": 6.0, "a": 0.7, "b": 3.0}
    n, T = 20_000, 52.0  # noqa: N806
    lam = rng.gamma(truth["r"], 1 / truth["alpha"], n)
    drop = rng.beta(truth["a"], truth["b"], n)
    x, t_x, t = np.zeros(n), np.zeros(n), np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():  # each client: exponential gaps; after each purchase drops with p
        t[alive] += rng.exponential(1 / lam[alive])
        alive &= t <= T
        x[alive] += 1
        t_x[alive] = t[alive]
        alive &= rng.random(n) >= drop
    fit = btyd.fit_bgnbd(x, t_x, np.full(n, T))
    assert fit.converged
    for name, value in truth.items():
        assert fit.params[name] == pytest.approx(value, rel=0.15), name


def test_gamma_gamma_fit_recovers_the_parameters_of_simulated_spend() -> None:
    rng = np.random.default_rng(3)
    p, q, gamma, n = 4.0, 3.0, 20.0, 20_000
    nu = rng.gamma(q, 1 / gamma, n)
    x = rng.integers(1, 8, n)
    m_x = rng.gamma(p * x, 1 / (nu * x))
    fit = btyd.fit_gamma_gamma(x, m_x)
    assert fit.params == pytest.approx({"p": p, "q": q, "gamma": gamma}, rel=0.1)


def test_identical_clients_are_collapsed_without_changing_the_likelihood() -> None:
    x, t_x = np.array([0, 2, 2, 0]), np.array([0, 5.0, 5.0, 0])
    T = np.array([9, 9, 9, 9.0])  # noqa: N806
    one = btyd.fit_bgnbd(x, t_x, T)
    total = btyd.bgnbd_log_likelihood(*one.params.values(), x, t_x, T).sum()
    assert one.log_likelihood == pytest.approx(total, rel=1e-12)


# --- CDNOW: the published estimates ------------------------------------------------------


def test_cdnow_reproduces_the_published_bgnbd_and_gamma_gamma_estimates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The fit is the subject (the simulator check is tested in test_calibrate_roundtrip.py).
    code, out, err = calibrate(
        capsys, str(CDNOW), "--format", "cdnow", "--until", "1997-09-30", "--out", str(tmp_path),
        "--no-check",
    )  # fmt: skip
    assert code == 0, err
    fit = result(tmp_path)
    # published to 3 decimals (BG/NBD) and 2 (Gamma-Gamma): equal after rounding, i.e. within
    # half a unit of the last published digit
    for name, value in PUBLISHED_BGNBD.items():
        assert fit["bgnbd"][name] == pytest.approx(value, abs=0.0005), name
    for name, value in PUBLISHED_GG.items():
        assert fit["gamma_gamma"][name] == pytest.approx(value, abs=0.005), name
    assert fit["time_unit"] == "week"
    counts = fit["counts"]
    assert (counts["clients"], counts["transactions"], counts["repeat_buyers"]) == (
        2357,
        6919,
        946,
    )
    assert counts["repeat_transactions"] == 2457
    assert fit["period"] == {
        "start": "1997-01-01",
        "until": "1997-09-30",
        "end": "1998-06-30",
        "calibration_length": pytest.approx(38.857, abs=1e-3),
        "holdout_length": 39.0,
    }
    assert len(fit["input"]["sha256"]) == 64
    assert "r = 0.2426" in out


# --- reading exports ---------------------------------------------------------------------

SALES = [  # client, ISO date, amount: the same three clients in every layout below
    ("A", "2024-01-05", 1200.50),
    ("A", "2024-02-10", 800.00),
    ("A", "2024-02-10", 100.00),  # same day: merged into one purchase of 900
    ("B", "2024-01-20", 2500.00),
    ("B", "2024-03-15", -300.00),  # a return
    ("B", "2024-04-01", 1234567.89),
    ("C", "2024-03-30", 50.00),
]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(SALES, columns=["Customer", "Invoice date", "Net"])


def _check(fit: dict) -> None:
    c = fit["counts"]
    assert (c["clients"], c["transactions"], c["returns"]) == (3, 7, 1)
    assert c["returns_amount"] == -300.0
    assert c["same_day_purchases_merged"] == 1
    assert c["repeat_transactions"] == 2  # A: 10 Feb; B: 1 Apr
    assert fit["spend"]["mean_repeat_spend"] == pytest.approx((900.0 + 1234567.89) / 2)


def test_reads_a_russian_csv_with_semicolons_decimal_commas_bom_crlf_and_quotes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["Контрагент;Дата документа;Сумма, руб."]
    for client, day, amount in SALES:
        d = pd.Timestamp(day)
        money = f"{amount:,.2f}".replace(",", " ").replace(".", ",")
        lines.append(f'"ООО ""{client}""";{d:%d.%m.%Y};{money} ₽')
    path = tmp_path / "orders.csv"
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    code, out, err = calibrate(capsys, str(path), "--out", str(tmp_path / "cal"), "--amount",
                               "Сумма, руб.")  # fmt: skip
    assert code == 0, err
    fit = result(tmp_path / "cal")
    _check(fit)
    assert fit["input"]["columns"] == {
        "client": "Контрагент",
        "date": "Дата документа",
        "amount": "Сумма, руб.",
    }
    assert "'Контрагент'" in out and "decimal mark ','" in out


def test_guesses_english_headers_and_us_dates_and_dollars(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = _frame()
    frame["Invoice date"] = pd.to_datetime(frame["Invoice date"]).dt.strftime("%m/%d/%Y")
    frame["Net"] = frame["Net"].map(lambda v: f"${v:,.2f}" if v >= 0 else f"(${-v:,.2f})")
    frame.to_csv(tmp_path / "orders.csv", index=False)
    code, _, err = calibrate(capsys, str(tmp_path / "orders.csv"), "--out", str(tmp_path / "o"))
    assert code == 0, err
    _check(result(tmp_path / "o"))
    assert "%m/%d/%Y" in " ".join(result(tmp_path / "o")["input"]["read_as"])


def test_reads_an_excel_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = _frame()
    frame["Invoice date"] = pd.to_datetime(frame["Invoice date"])
    frame.to_excel(tmp_path / "orders.xlsx", index=False)
    code, _, err = calibrate(capsys, str(tmp_path / "orders.xlsx"), "--out", str(tmp_path / "o"))
    assert code == 0, err
    _check(result(tmp_path / "o"))


def test_dates_out_of_order_give_the_same_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = pd.read_csv(CDNOW, sep=r"\s+", header=None, dtype=str)
    frame.columns = ["id", "client", "date", "cds", "amount"]
    frame.to_csv(tmp_path / "sorted.csv", index=False)
    frame.sample(frac=1.0, random_state=1).to_csv(tmp_path / "shuffled.csv", index=False)
    fits = []
    for name in ("sorted", "shuffled"):
        code, _, err = calibrate(
            capsys, str(tmp_path / f"{name}.csv"), "--until", "1997-09-30",
            "--out", str(tmp_path / name), "--no-check",  # the fits are compared, not checks
        )  # fmt: skip
        assert code == 0, err
        fits.append(result(tmp_path / name))
    assert fits[0]["bgnbd"] == fits[1]["bgnbd"]
    assert fits[0]["bgnbd"]["r"] == pytest.approx(PUBLISHED_BGNBD["r"], abs=0.0005)


def test_amount_forms() -> None:
    text = pd.Series(["1 234,50", "-12,00", "(3,5)", "7"])
    values, mark = parse_amounts(text)
    assert mark == ","
    assert values.tolist() == [1234.5, -12.0, -3.5, 7.0]
    values, mark = parse_amounts(pd.Series(["$1,234.50", "12.5-", "1,000"]))
    assert (mark, values.tolist()) == (".", [1234.5, -12.5, 1000.0])


# --- malformed exports: located message, exit 2, nothing written --------------------------


def _bad(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, *argv: str) -> str:
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "cal"
    code, _, err = calibrate(capsys, str(path), "--out", str(out), *argv)
    assert code == 2, err
    assert "Traceback" not in err
    assert not (out / "calibration.json").exists()
    return err


GOOD = "client,date,amount\nA,2024-01-05,10\nA,2024-02-05,20\nB,2024-01-07,5\n"


def test_wrong_delimiter_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _bad(tmp_path, capsys, GOOD.replace(",", ";"), "--delimiter", ",")
    assert "line 1" in err and "delimiter" in err


def test_missing_column_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _bad(tmp_path, capsys, "client,date\nA,2024-01-05\n")
    assert "amount" in err and "'client', 'date'" in err
    err = _bad(tmp_path, capsys, GOOD, "--amount", "Net")
    assert "no column 'Net'" in err


def test_text_in_the_amount_stops_with_file_line_column_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GOOD + "B,2024-02-01,twelve\n"
    err = _bad(tmp_path, capsys, text)
    assert f"{tmp_path / 'orders.csv'}:5: column 'amount': 'twelve': not an amount" in err
    assert "--skip-bad" in err


def test_skip_bad_writes_rejected_rows_and_counts_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(GOOD + "B,2024-02-01,twelve\n,2024-02-02,3\nC,2024-13-45,3\n", "utf-8")
    code, out, err = calibrate(capsys, str(path), "--out", str(tmp_path / "c"), "--skip-bad")
    assert code == 0, err
    rejected = pd.read_csv(tmp_path / "c" / "rejected.csv")
    assert rejected["line"].tolist() == [5, 6, 7]
    assert rejected["column"].tolist() == ["amount", "client", "date"]
    fit = result(tmp_path / "c")
    assert fit["counts"]["rejected_rows"] == 3
    assert fit["counts"]["transactions"] == 3
    assert "3 rows rejected" in out


def test_ambiguous_dates_are_refused_unless_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "client,date,amount\nA,01/02/2024,10\nA,03/04/2024,20\nB,05/06/2024,5\n"
    err = _bad(tmp_path, capsys, text)
    assert "--dayfirst" in err
    code, _, err = calibrate(capsys, str(tmp_path / "orders.csv"), "--out",
                             str(tmp_path / "d"), "--dayfirst")  # fmt: skip
    assert code == 0, err
    assert result(tmp_path / "d")["period"]["end"] == "2024-06-05"


def test_empty_file_and_header_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "empty" in _bad(tmp_path, capsys, "")
    assert "no transaction rows" in _bad(tmp_path, capsys, "client,date,amount\n")


def test_until_before_the_data_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "--until 2023-01-01" in _bad(tmp_path, capsys, GOOD, "--until", "2023-01-01")


@pytest.mark.slow
def test_a_50_megabyte_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(1)
    n = 2_200_000
    frame = pd.DataFrame(
        {
            "customer_id": rng.integers(0, 100_000, n),
            "order_date": (pd.Timestamp("2022-01-01") + pd.to_timedelta(
                rng.integers(0, 900, n), unit="D")).strftime("%Y-%m-%d"),
            "total": rng.gamma(2.0, 50.0, n).round(2),
        }
    )  # fmt: skip
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    assert path.stat().st_size > 50e6
    # Reading and fitting the big file is the subject here, not the simulator check (twenty runs
    # of 100,000 clients, nine tenths of this test's time; the check is tested on CDNOW).
    code, out, err = calibrate(capsys, str(path), "--out", str(tmp_path / "c"), "--until",
                               "2023-06-30", "--no-check")  # fmt: skip
    assert code == 0, err
    fit = result(tmp_path / "c")
    assert fit["counts"]["transactions"] == n
    assert fit["counts"]["clients"] == len(np.unique(frame["customer_id"]))
    # uniform random purchases: one rate for all and no drop-out, which BG/NBD can only reach
    # at a bound (r and alpha to infinity); the command says so instead of hiding it
    assert not fit["converged"]["bgnbd"]
    assert "warning: the bgnbd fit did not converge" in out


def test_amounts_mixing_decimal_marks_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _bad(tmp_path, capsys, 'client,date,amount\nA,2024-01-05,"12,5"\nA,2024-02-05,1.5\n')
    assert "column 'amount'" in err and "--decimal" in err


def test_dates_mixing_day_first_and_month_first_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _bad(tmp_path, capsys, "client,date,amount\nA,13/01/2024,10\nA,01/13/2024,20\n")
    assert "column 'date'" in err and "mix day-first and month-first" in err


# --- mapping to scenario quantities ------------------------------------------------------


def test_p_alive_is_the_share_of_the_likelihood_from_the_alive_branch() -> None:
    # Independent path: P(alive) = first term of eq. (6) / the whole likelihood.
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    x, t_x, T = np.array([0, 2, 5]), np.array([0.0, 30.43, 10.0]), np.full(3, 38.86)  # noqa: N806
    alive = (
        special.betaln(a, b + x)
        - special.betaln(a, b)
        + special.gammaln(r + x)
        - special.gammaln(r)
        + r * np.log(alpha)
        - (r + x) * np.log(alpha + T)
    )
    total = btyd.bgnbd_log_likelihood(r, alpha, a, b, x, t_x, T)
    params = {"r": r, "alpha": alpha, "a": a, "b": b}
    assert mapping.p_alive(params, x, t_x, T) == pytest.approx(np.exp(alive - total), rel=1e-9)
    assert mapping.p_alive(params, x, t_x, T)[0] == 1.0


def test_monthly_rates_and_mean_spend_of_the_cdnow_estimates() -> None:
    params = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    weekly = 0.243 / 4.414
    assert mapping.orders_per_month(params, "week") == pytest.approx(weekly * 365.25 / 12 / 7)
    day = {**params, "alpha": 4.414 * 7}  # the same clients with alpha in days
    assert mapping.orders_per_month(day, "day") == pytest.approx(weekly * 365.25 / 12 / 7)
    hazard = 0.793 / (0.793 + 2.426) * weekly * 365.25 / 12 / 7
    assert mapping.drop_per_month(params, "week") == pytest.approx(1 - np.exp(-hazard))
    assert mapping.mean_spend({"p": 6.25, "q": 3.74, "gamma": 15.44}) == pytest.approx(
        6.25 * 15.44 / 2.74
    )
    assert mapping.mean_spend({"p": 1.0, "q": 0.9, "gamma": 1.0}) is None


def test_writes_a_valid_calibrated_scenario_and_its_split(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cal"
    code, _, err = calibrate(  # the scenarios are the subject, not the simulator check
        capsys, str(CDNOW), "--format", "cdnow", "--until", "1997-09-30", "--out", str(out),
        "--no-check",
    )  # fmt: skip
    assert code == 0, err
    fit = result(out)
    scenario = load_model(Scenario, out / "scenario.yaml")
    split = load_model(Scenario, out / "split.yaml")
    base = load_model(Scenario, ROOT / "scenarios" / "reference.yaml")
    alive = fit["alive"]
    assert scenario.market.past_clients == fit["counts"]["clients_in_calibration"] == 2357
    assert scenario.market.active_clients == round(alive["alive"])
    # the REALISED rates of a served client at the typical satisfaction are the fitted ones
    s_star = mapping.typical_satisfaction(base)
    assert s_star == pytest.approx(0.8 - 0.08 * 0.3 / -np.log(0.7))
    usage = 1 - base.clients.usage_satisfaction_weight * (1 - s_star)
    share = base.clients.consultative_share
    mean_rate = (1 - share) * scenario.clients.orders_per_month_transactional + (
        share * scenario.clients.orders_per_month_consultative
    )
    assert mean_rate * usage == pytest.approx(alive["orders_per_month"], rel=1e-4)
    multiplier = 1 + base.clients.lapse_dissatisfaction_weight * (1 - s_star)
    rivals = mapping.rival_per_month(base, s_star)
    assert 0 < rivals < alive["drop_per_month"]
    assert scenario.clients.lapse_per_month * multiplier + rivals == pytest.approx(
        alive["drop_per_month"], abs=1e-5
    )
    mean_value = scenario.clients.value_min_usd_per_month * eco.capped_pareto_mean(1.33, 1.0, 200)
    assert mean_value * usage == pytest.approx(
        alive["orders_per_month"] * alive["spend_per_order"], rel=1e-3
    )
    # the servers are scaled by the workload: 2,018 small clients against the base's 300
    assert scenario.organisation.generalists == 38
    assert split.organisation.hunters == 38 and split.organisation.specialists == 19
    # what the data cannot tell stays the base's; the split differs only in its organisation
    assert scenario.market.prospects == base.market.prospects
    assert split.clients == scenario.clients and split.market == scenario.market
    assert split.organisation.generalists == 0
    text = (out / "scenario.yaml").read_text(encoding="utf-8")
    assert "# counts.clients_in_calibration" in text and "Not identified" in text
    assert fit["scenario"]["fields"]["market.past_clients"] == 2357


def test_a_bad_base_scenario_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "base.yaml").write_text("name: x\nclients:\n  lapse_per_month: 2\n", "utf-8")
    err = _bad(tmp_path, capsys, GOOD, "--base", str(tmp_path / "base.yaml"))
    assert "--base" in err and "lapse_per_month" in err
    assert not (tmp_path / "cal" / "scenario.yaml").exists()


def test_an_old_excel_workbook_is_refused_with_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "orders.xls").write_bytes(b"\xd0\xcf\x11\xe0 not read")
    code, _, err = calibrate(capsys, str(tmp_path / "orders.xls"), "--out", str(tmp_path / "c"))
    assert code == 2 and "save the sheet as .xlsx or CSV" in err


# --- installed without the source tree (pip install .): the scenario files come from ./scenarios


def test_an_installed_salesim_takes_the_scenarios_from_the_project_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As after `pip install .`: the package has no scenarios/ beside it.
    monkeypatch.setattr("sim.calibrate.command.SCENARIOS", tmp_path / "site-packages" / "x")
    monkeypatch.chdir(ROOT)  # the project folder the README works in
    out = tmp_path / "acme"
    args = [str(CDNOW), "--format", "cdnow", "--until", "1997-09-30", "--no-check"]
    code, _, err = calibrate(capsys, *args, "--out", str(out))
    assert code == 0, err
    assert (out / "scenario.yaml").is_file() and (out / "split.yaml").is_file()
    lonely = tmp_path / "mine" / "base.yaml"  # a base with no split.yaml beside it
    lonely.parent.mkdir()
    lonely.write_text((ROOT / "scenarios" / "reference.yaml").read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)  # and no ./scenarios either
    code, _, err = calibrate(capsys, *args, "--out", str(tmp_path / "b"), "--base", str(lonely))
    assert code == 2 and "no split.yaml beside it" in err and "Traceback" not in err
    assert not (tmp_path / "b").exists()
