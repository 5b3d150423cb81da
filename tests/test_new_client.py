"""The new-client component: BG/NBD in operational time, its fit, its standard errors, the
simulator's mechanism and the check's parameter draws (docs/MODEL.md, section 8)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, run
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate, stats

from sim import economics as eco
from sim.calibrate import btyd
from sim.calibrate.check import parameter_draws
from sim.calibrate.reading import read_export

CDNOW = ROOT / "tests" / "data" / "cdnow" / "CDNOW_sample.txt"
# lifetimes' Quickstart (docs/Quickstart.md, BetaGeoFitter.summary on its CDNOW summary, the
# same 2,357 clients and 39 weeks): the estimates' standard errors
LIFETIMES_SE = {"r": 0.012557, "alpha": 0.378221, "a": 0.185719, "b": 0.705345}


@given(
    kappa=st.floats(0.0, 50.0),
    tau=st.floats(0.01, 100.0),
    t=st.lists(st.floats(0.0, 500.0), min_size=2, max_size=20),
)
def test_operational_time_starts_at_zero_grows_at_rate_g_and_exceeds_t_by_at_most_kappa_tau(
    kappa: float, tau: float, t: list[float]
) -> None:
    params = {"kappa": kappa, "tau": tau}
    times = np.sort(np.asarray(t))
    clock = btyd.operational_time(params, times)
    assert btyd.operational_time(params, np.array(0.0)) == 0.0
    assert np.all(np.diff(clock) >= -1e-9 * (1 + clock[1:]))
    excess = clock - times
    assert np.all(excess >= -1e-9) and np.all(excess <= kappa * tau * (1 + 1e-9) + 1e-9)
    factor = btyd.rate_factor(params, times)
    assert np.all((factor >= 1.0) & (factor <= 1.0 + kappa + 1e-12))


def test_operational_time_is_the_integral_of_the_rate_factor() -> None:
    params = {"kappa": 0.9, "tau": 5.5}
    for t in (0.5, 5.0, 40.0):
        area = integrate.quad(lambda u: float(btyd.rate_factor(params, np.array(u))), 0, t)[0]
        assert float(btyd.operational_time(params, np.array(t))) == pytest.approx(area, rel=1e-9)
    assert np.array_equal(btyd.operational_time({}, np.arange(3.0)), np.arange(3.0))


def _one_client(theta: dict[str, float], ages: np.ndarray, T: float) -> float:  # noqa: N803
    """The likelihood of one client's repeat purchases at ``ages`` up to ``T``, integrated
    numerically over its rate (Gamma(r, alpha)) and drop chance (Beta(a, b))."""
    r, alpha, a, b = (theta[k] for k in ("r", "alpha", "a", "b"))
    x = len(ages)
    g = float(np.prod(btyd.rate_factor(theta, ages)))
    big_t = float(btyd.operational_time(theta, np.array(T)))
    last = float(btyd.operational_time(theta, np.array(ages.max() if x else 0.0)))

    def inner(p: float, lam: float) -> float:
        alive = (1 - p) ** x * np.exp(-lam * big_t)
        dead = p * (1 - p) ** (x - 1) * np.exp(-lam * last) if x else 0.0
        density = stats.gamma.pdf(lam, r, scale=1 / alpha) * stats.beta.pdf(p, a, b)
        return float(lam**x * g * (alive + dead) * density)

    return integrate.dblquad(inner, 0, 60, 0, 1, epsrel=1e-10)[0]


@pytest.mark.parametrize("ages", [np.array([]), np.array([1.5]), np.array([0.5, 2.0, 9.0])])
def test_the_new_client_likelihood_is_bgnbd_in_operational_time_times_the_rate_factors(
    ages: np.ndarray,
) -> None:
    # an independent computation: the individual likelihood of a Poisson process of rate
    # lambda g(t) while alive, dropping out after a purchase with chance p, integrated over the
    # mixing distributions; against equation (6) at operational times times prod g(t_j)
    theta = {"r": 2.5, "alpha": 4.0, "a": 1.3, "b": 2.2, "kappa": 0.9, "tau": 3.0}
    T = 12.0  # noqa: N806
    x, last = len(ages), float(ages.max()) if len(ages) else 0.0
    closed = (
        btyd.bgnbd_log_likelihood(
            *(theta[k] for k in btyd.BGNBD),
            np.array([x]),
            btyd.operational_time(theta, np.array([last])),
            btyd.operational_time(theta, np.array([T])),
        )[0]
        + np.log(btyd.rate_factor(theta, ages)).sum()
    )
    assert closed == pytest.approx(np.log(_one_client(theta, ages, T)), abs=1e-6)


def _cdnow_summary() -> tuple[pd.DataFrame, np.ndarray]:
    export = read_export(CDNOW, "cdnow", {}, None, None, False, None)
    rows = export.rows[export.rows["amount"] >= 0]
    days = rows.groupby(["client", "date"], as_index=False)["amount"].sum()
    until = pd.Timestamp("1997-09-30")
    return btyd.summarise(days, until, days["date"].max()), btyd.repeat_ages(days, until)


def test_bgnbd_standard_errors_on_cdnow_match_the_published_table() -> None:
    summary, _ = _cdnow_summary()
    fit = btyd.fit_bgnbd(*(summary[k].to_numpy() for k in ("x", "t_x", "T")))
    errors = fit.standard_errors()
    assert errors is not None
    # lifetimes rounds its summary's times to 0.01 week: agreement within 0.1 %
    for name, published in LIFETIMES_SE.items():
        assert errors[name] == pytest.approx(published, rel=1e-3), name


def test_the_new_client_component_nests_bgnbd_and_fits_cdnow_better() -> None:
    summary, ages = _cdnow_summary()
    columns = [summary[k].to_numpy() for k in ("x", "t_x", "T")]
    plain = btyd.fit_bgnbd(*columns)
    extended = btyd.fit_bgnbd_new_client(*columns, ages, plain.params)
    assert extended.converged and extended.covariance is not None
    # nested: kappa = 0 is the stationary model, so the optimum can only be higher
    assert extended.log_likelihood > plain.log_likelihood + 20  # CDNOW: -9558.9 against -9582.4
    assert btyd.bic(extended.log_likelihood, 6, extended.n) < btyd.bic(
        plain.log_likelihood, 4, plain.n
    )
    errors = extended.standard_errors()
    assert errors is not None and extended.params["kappa"] > 3 * errors["kappa"]
    # the holdout's expectation moves towards what was observed (1,882)
    fitted = btyd.bgnbd_conditional_expectation(extended.params, 39.0, *columns).sum()
    stationary = btyd.bgnbd_conditional_expectation(plain.params, 39.0, *columns).sum()
    assert stationary < fitted < int(summary["x_star"].sum())


def _simulate(theta: dict[str, float], n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Clients of the extended model, first buying uniformly over 13 weeks, seen to week 40."""
    rng = np.random.default_rng(seed)
    r, alpha, a, b = (theta[k] for k in btyd.BGNBD)
    T = 40.0 - rng.uniform(0, 13, n)  # noqa: N806
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    clock, x, last = np.zeros(n), np.zeros(n), np.zeros(n)
    end = btyd.operational_time(theta, T)
    alive = np.arange(n)
    ages: list[np.ndarray] = []
    while alive.size:
        clock[alive] += rng.exponential(1.0, alive.size) / lam[alive]
        alive = alive[clock[alive] < end[alive]]
        x[alive] += 1
        last[alive] = clock[alive]
        ages.append(_inverse_clock(theta, clock[alive]))
        alive = alive[rng.random(alive.size) >= p[alive]]
    t_x = _inverse_clock(theta, last)
    return pd.DataFrame({"x": x, "t_x": t_x, "T": T}), np.concatenate(ages)


def _inverse_clock(theta: dict[str, float], u: np.ndarray) -> np.ndarray:
    """Real time whose operational time is ``u`` (G is increasing: bisection)."""
    low, high = np.zeros_like(u), u.copy()  # G(t) >= t, so t <= u
    for _ in range(60):
        mid = (low + high) / 2
        below = btyd.operational_time(theta, mid) < u
        low, high = np.where(below, mid, low), np.where(below, high, mid)
    return (low + high) / 2


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_fit_recovers_a_simulated_cohorts_new_client_component(seed: int) -> None:
    theta = {"r": 0.6, "alpha": 5.0, "a": 0.7, "b": 2.5, "kappa": 1.5, "tau": 4.0}
    summary, ages = _simulate(theta, 6000, seed)
    columns = [summary[k].to_numpy() for k in ("x", "t_x", "T")]
    plain = btyd.fit_bgnbd(*columns)
    fit = btyd.fit_bgnbd_new_client(*columns, ages, plain.params)
    errors = fit.standard_errors()
    assert fit.converged and errors is not None
    # each estimate within 3.5 of its own standard errors of the truth (6 at 99.95 % each)
    for name, truth in theta.items():
        assert abs(fit.params[name] - truth) < 3.5 * errors[name], (name, fit.params, errors)


def test_the_simulators_new_client_factor_is_one_plus_kappa_at_the_win_and_decays() -> None:
    factor = eco.new_client_rate_factor(np.array([0, 21, 42, 10**9]), 0.8, 21.0)
    np.testing.assert_allclose(factor, [1.8, 1 + 0.8 / np.e, 1 + 0.8 / np.e**2, 1.0])
    assert np.all(eco.new_client_rate_factor(np.array([0, 5]), 0.0, 3.0) == 1.0)


@pytest.mark.slow
def test_a_new_client_boost_raises_new_clients_orders_and_nothing_else_at_the_start() -> None:
    boost = ("clients.new_client_order_boost=1.0", "clients.new_client_boost_months=2")
    seeds = (1, 2, 3, 4)
    off = [run("reference", seed=seed) for seed in seeds]
    on = [run("reference", *boost, seed=seed) for seed in seeds]
    # the month before anyone is won is the same (initial clients are past their start)
    for a, b in zip(off, on, strict=True):
        pd.testing.assert_series_equal(a["revenue_repeat"].iloc[:1], b["revenue_repeat"].iloc[:1])
    new_off = np.mean([run["revenue_new"].sum() for run in off])
    new_on = np.mean([run["revenue_new"].sum() for run in on])
    assert new_on > 1.2 * new_off  # new clients order up to twice as often at first


def test_parameter_draws_follow_the_estimates_covariance_and_keep_fixed_ones() -> None:
    summary, _ = _cdnow_summary()
    params = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    cov = np.diag([0.05, 0.08, 0.2, 0.3]) ** 2
    result = {
        "time_unit": "week",
        "bgnbd": params,
        "gamma_gamma": None,
        "alive": {"note": "x"},
        "uncertainty": {"purchase": {"names": list(params), "log_covariance": cov.tolist()}},
    }
    draws = parameter_draws(result, summary, 400, seed=3)
    logs = np.log([[d["purchase_model"]["params"][k] for k in params] for d in draws])
    np.testing.assert_allclose(logs.mean(axis=0), np.log(list(params.values())), atol=0.05)
    np.testing.assert_allclose(logs.std(axis=0), np.sqrt(np.diag(cov)), rtol=0.15)
    assert len({d["alive"]["orders_per_month"] for d in draws}) == 400
    fixed = parameter_draws({**result, "uncertainty": None}, summary, 3)
    assert all(d["purchase_model"]["params"] == params for d in fixed)


NEW_WORLD = (  # only the clients' own dynamics: no servers, rivals, incidents or reactivation
    "organisation.generalists=0",
    "market.past_clients=3000",
    "market.active_clients=3000",
    "market.competitors.count=0",
    "clients.lapse_per_month=0.1",
    "clients.lapse_dissatisfaction_weight=0",
    "clients.usage_satisfaction_weight=0",
    "clients.incident_per_month=0",
    "clients.dormant_reactivation_per_month=0",
)


def _first_month(boost: float, seed: int) -> tuple[int, int]:
    """Orders and lapses in the first month of clients all won on day 0."""
    from conftest import scenario

    from sim.model import SalesModel

    world = scenario(
        "reference", *NEW_WORLD, f"clients.new_client_order_boost={boost}",
        "clients.new_client_boost_months=1",
    )  # fmt: skip
    model = SalesModel(world, seed=seed)
    model.book.won_day[model.book.active_ids()] = 0  # every client new on the first day
    log: list[tuple[int, np.ndarray, np.ndarray]] = []
    model.dynamics.order_log = log
    start = model.book.active_ids().copy()
    for _ in range(world.calendar.working_days_per_month):
        model.step()
    lapsed = int((model.book.lapsed_day[start] >= 0).sum())
    return sum(len(who) for _, who, _ in log), lapsed


def test_new_clients_order_and_lapse_at_their_rate_times_the_new_client_factor() -> None:
    # the factor averages (1 - e^-1) / 1 month x 3 + 1 = 2.90 over the first month at boost 3:
    # orders and the clients' own lapses both scale by it (paired seeds; 3,000 clients, about
    # 300 lapses and 1,000+ orders a month without it: 5 standard errors are about 20 %)
    for seed in (1, 2):
        orders_off, lapsed_off = _first_month(0.0, seed)
        orders_on, lapsed_on = _first_month(3.0, seed)
        factor = 1 + 3 * (1 - np.exp(-1))
        assert orders_on / orders_off == pytest.approx(factor, rel=0.2)
        assert lapsed_on / lapsed_off == pytest.approx(factor, rel=0.2)


def test_a_tiny_decay_time_gives_no_overflow_warning() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        factor = eco.new_client_rate_factor(np.array([0, 10**9]), 1e6, 1e-305)
    assert factor[0] == 1 + 1e6 and factor[1] == 1.0


def _fit(params: dict[str, float], log_likelihood: float, converged: bool = True) -> btyd.Fit:
    return btyd.Fit(params, log_likelihood, 1000, converged)


def test_the_purchase_model_uses_the_component_only_when_converged_seen_and_better() -> None:
    from sim.calibrate.command import _purchase_model

    plain = _fit({"r": 0.2, "alpha": 4.0, "a": 0.8, "b": 2.4}, -5000.0)
    extended = {"r": 0.3, "alpha": 7.0, "a": 0.6, "b": 2.5, "kappa": 0.9, "tau": 5.0}
    # 2 more parameters cost ln(1000) = 6.9 of log-likelihood in the BIC
    better, worse = -4990.0, -4997.0
    assert _purchase_model(plain, _fit(extended, better), 39.0)["used"] == "bgnbd_new_client"
    assert _purchase_model(plain, _fit(extended, worse), 39.0)["note"].endswith(
        "does not lower the BIC"
    )
    unseen = _purchase_model(plain, _fit({**extended, "tau": 500.0}, better), 39.0)
    assert unseen["used"] == "bgnbd" and "longer than the calibration" in unseen["note"]
    loose = _purchase_model(plain, _fit(extended, better, converged=False), 39.0)
    assert loose["used"] == "bgnbd" and loose["note"].endswith("did not converge")
    asked = _purchase_model(plain, None, 39.0)
    assert asked["used"] == "bgnbd" and "--stationary" in asked["note"]
    assert asked["params"] == plain.params


def test_gamma_gamma_draws_keep_q_above_one() -> None:
    summary, _ = _cdnow_summary()
    gamma = {"p": 6.25, "q": 1.3, "gamma": 15.4}
    result = {
        "time_unit": "week",
        "bgnbd": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
        "gamma_gamma": gamma,
        "alive": {},
        "uncertainty": {
            "gamma_gamma": {"names": list(gamma), "log_covariance": np.diag([0.01, 0.25, 0.01])},
        },
    }
    draws = parameter_draws(result, summary, 200, seed=5)
    q = np.array([d["gamma_gamma"]["q"] for d in draws])
    # about 30 % of the untruncated draws of log q ~ N(ln 1.3, 0.5^2) fall below ln 1
    assert q.min() > 1 and len(set(q)) == 200
    assert all(np.isfinite(d["alive"]["spend_per_order"]) for d in draws)


def test_the_check_says_whether_its_band_holds_the_fits_uncertainty() -> None:
    from sim.calibrate.check import Check
    from sim.calibrate.report import _draws_text

    frame = pd.DataFrame({"clients ordering": [1.0], "orders": [1.0], "revenue": [1.0]})
    runs = [frame] * 4
    assert "own draw" in _draws_text(Check(frame, runs, drawn=4))
    assert "only the simulation's" in _draws_text(Check(frame, runs, drawn=0))
    assert _draws_text(Check(frame, runs, drawn=3)).startswith("3 of the 4 replications")


@pytest.mark.slow
def test_a_stationary_calibration_switches_off_a_bases_own_component(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sim.cli import main
    from sim.config.loader import load_model
    from sim.config.schema import Scenario

    base = tmp_path / "boosted.yaml"
    reference = (ROOT / "scenarios" / "reference.yaml").as_posix()
    base.write_text(
        f"extends: {reference}\nclients:\n  new_client_order_boost: 5\n"
        "  new_client_boost_months: 3\n",
        encoding="utf-8",
    )
    out = tmp_path / "cal"
    argv = ["calibrate", str(CDNOW), "--format", "cdnow", "--until", "1997-09-30"]
    assert main([*argv, "--stationary", "--no-check", "--base", str(base), "--out", str(out)]) == 0
    written = load_model(Scenario, out / "scenario.yaml")
    assert written.clients.new_client_order_boost == 0
