"""salesim calibrate on degenerate exports: finite values at the fit's bounds, or a refusal."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.calibrate import btyd, mapping
from sim.cli import main


def uniform_export(path: Path, clients: int = 2000, seed: int = 0) -> Path:
    """Write an export with no structure: 1-4 purchases a client, days and amounts uniform."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-01-01")
    rows = [
        (f"C{c}", (start + pd.Timedelta(days=int(d))).date().isoformat(), rng.uniform(10, 1000))
        for c in range(clients)
        for d in rng.integers(0, 730, rng.integers(1, 5))
    ]
    pd.DataFrame(rows, columns=["client", "date", "amount"]).round(2).to_csv(path, index=False)
    return path


def finite_numbers(block: object) -> list[float]:
    if isinstance(block, dict):
        return [n for v in block.values() for n in finite_numbers(v)]
    if isinstance(block, list):
        return [n for v in block for n in finite_numbers(v)]
    return [float(block)] if isinstance(block, int | float) and not isinstance(block, bool) else []


def test_a_uniform_random_export_gives_finite_values_and_a_valid_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = uniform_export(tmp_path / "uniform.csv")
    out = tmp_path / "out"
    code = main(
        ["calibrate", str(export), "--out", str(out), "--until", "2025-06-30", "--no-check"]
    )
    assert code == 0, capsys.readouterr().err
    fit = json.loads((out / "calibration.json").read_text(encoding="utf-8"))
    assert all(math.isfinite(v) for v in finite_numbers(fit))
    expected = fit["holdout"]["expected_transactions_bgnbd"]
    assert 0.5 < expected / fit["holdout"]["observed_transactions"] < 2
    assert (out / "scenario.yaml").is_file()


# --- the purchases of an alive client, at and near the limits ----------------------------


def test_closed_form_and_integral_agree_where_both_hold() -> None:
    s, c, b = np.array([0.243, 2.2, 7.0]), np.array([0.1, 1.5, 9.0]), np.array([2.4, 4.4, 9.4])
    closed = btyd.alive_purchases(s, c, 0.793, b)
    integrated = btyd._integrated(s, c, 0.793, b)
    assert closed == pytest.approx(integrated, rel=1e-7)


def test_no_drop_out_limit_is_the_nbd_mean() -> None:
    # a -> 0: p ~ Beta(a, B) sits at 0, nobody drops out, E = E[lambda] t = s c.
    s, c, b = np.array([0.5, 3.0, 20.0]), np.array([0.2, 2.0, 30.0]), np.array([1.0, 5.0, 50.0])
    assert btyd.alive_purchases(s, c, 2e-6, b) == pytest.approx(s * c, rel=1e-4)
    # and the general formula near the limit moves towards it
    near = btyd.alive_purchases(s, c, 2e-3, b)
    assert np.all(near < s * c) and near == pytest.approx(s * c, rel=0.05)


def test_equal_drop_chances_limit() -> None:
    # a, B -> infinity with a / (a + B) = p0: E = (1 - (1 + c p0)^-s) / p0
    p0, s, c = 0.08, np.array([1.0, 4.0]), np.array([0.5, 3.0])
    a = 2e5
    got = btyd.alive_purchases(s, c, a, a * (1 - p0) / p0)
    assert got == pytest.approx((1 - (1 + c * p0) ** -s) / p0, rel=1e-4)


def test_a_equal_to_one_is_continuous() -> None:
    s, c, b = np.array([0.7]), np.array([2.0]), np.array([3.0])
    values = [btyd.alive_purchases(s, c, a, b)[0] for a in (0.9, 0.99, 1.0, 1.01, 1.1)]
    assert all(math.isfinite(v) for v in values)
    assert values[2] == pytest.approx((values[1] + values[3]) / 2, rel=1e-3)


def test_equal_rates_at_huge_r_and_alpha_stay_finite() -> None:
    params = {"r": 18086.0, "alpha": 860332.0, "a": 125.0, "b": 1411.0}
    x, t_x, age = np.array([0.0, 1.0, 3.0]), np.array([0.0, 20.0, 60.0]), np.array([70.0] * 3)
    got = btyd.bgnbd_conditional_expectation(params, 26.0, x, t_x, age)
    assert np.all(np.isfinite(got)) and np.all(got > 0)
    assert np.all(np.isfinite(btyd.bgnbd_expected_count(params, np.array([1.0, 50.0]))))


# --- refusals ----------------------------------------------------------------------------


def write(path: Path, rows: list[tuple[str, str, float]]) -> Path:
    pd.DataFrame(rows, columns=["client", "date", "amount"]).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        ([(f"C{i}", "2025-03-01", 10.0) for i in range(5)] * 2, "no client buys on a second day"),
        ([(f"C{i}", f"2025-03-0{i + 1}", 10.0) for i in range(5)], "no client buys on a second"),
    ],
    ids=["all on one day", "one purchase each"],
)
def test_exports_that_fix_nothing_exit_2_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list, said: str
) -> None:
    export = write(tmp_path / "e.csv", rows)
    out = tmp_path / "out"
    assert main(["calibrate", str(export), "--out", str(out), "--no-check"]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err and "--until" in err
    assert not out.exists()


# --- the property: succeed with finite values and a valid scenario, or exit 2 ------------

clients_rows = st.lists(
    st.tuples(
        st.integers(0, 5),  # client
        st.integers(0, 200),  # day
        st.sampled_from([0.0, 1.0, 9.99, 10.0, 1234.5, 1e6]),  # amount
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=clients_rows, cut=st.integers(0, 200))
def test_calibrate_succeeds_with_finite_values_or_exits_2(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    rows: list[tuple[int, int, float]],
    cut: int,
) -> None:
    folder = tmp_path_factory.mktemp("prop")
    start = pd.Timestamp("2025-01-01")
    days = [(f"C{c}", (start + pd.Timedelta(days=d)).date().isoformat(), a) for c, d, a in rows]
    export = write(folder / "e.csv", days)
    until = (start + pd.Timedelta(days=min(cut, max(d for _, d, _ in rows)))).date().isoformat()
    out = folder / "out"
    code = main(
        ["calibrate", str(export), "--out", str(out), "--until", until, "--no-check", "--quiet"]
    )
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if code == 2:
        assert err.startswith("salesim: error:") and not out.exists()
        return
    assert code == 0, err
    fit = json.loads((out / "calibration.json").read_text(encoding="utf-8"))
    assert all(math.isfinite(v) for v in finite_numbers(fit))
    assert (out / "scenario.yaml").is_file()  # written only after it loaded (schema bounds)


def test_everyone_spending_the_same_gives_that_spend() -> None:
    # Gamma-Gamma with no spread at all: p and q run towards their bounds, the mean stays put.
    rng = np.random.default_rng(3)
    x = rng.integers(1, 6, 400).astype(float)
    fit = btyd.fit_gamma_gamma(x, np.full(x.size, 100.0))
    assert all(math.isfinite(v) for v in fit.params.values())
    assert mapping.mean_spend(fit.params) == pytest.approx(100.0, rel=0.01)


def test_a_failure_while_writing_leaves_no_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sim.calibrate import report

    def broken(*_args: object, **_kwargs: object) -> list[str]:
        raise OSError(28, "No space left on device", "report.html")

    monkeypatch.setattr(report, "write_report", broken)
    export = uniform_export(tmp_path / "small.csv", clients=60)
    out = tmp_path / "out"
    code = main(["calibrate", str(export), "--out", str(out), "--until", "2025-06-30"])
    assert code != 0 and "No space left" in capsys.readouterr().err
    assert not out.exists()  # scenario.yaml and split.yaml, written first, are gone too
