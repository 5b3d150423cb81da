"""Buy-till-you-die models fitted by maximum likelihood: BG/NBD and Gamma-Gamma.

Pure functions: a client-by-client summary of a transaction log (frequency, recency, age,
mean spend), the log-likelihoods written from the papers, and their maximisation with
``scipy.optimize`` over log-parameters from several starts.

Sources
-------
* BG/NBD: Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005), "'Counting your customers' the
  easy way: an alternative to the Pareto/NBD model", Marketing Science 24(2), 275-284,
  equation (6) (individual likelihood), (8)-(10) (counts and expectations) and (13) (P(alive)).
* The new-client component (``kappa``, ``tau``): a client's purchase rate while alive is
  ``λ g(t)``, ``g(t) = 1 + κ e^(-t/τ)`` at time ``t`` since its first purchase, the
  nonstationarity in repeat buying of a new cohort that Fader, P. S. & Hardie, B. G. S.
  (2001), "Forecasting repeat sales at CDNOW: a case study", Interfaces 31(3), S94-S107,
  capture with a separate time-varying component. BG/NBD holds unchanged in the operational
  time ``G(t) = ∫ g = t + κ τ (1 - e^(-t/τ))`` (a drop-out follows a purchase, not the clock);
  the likelihood gains ``Π g(t_j)`` over the client's repeat purchases.
* Gamma-Gamma: Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005), "RFM and CLV: using
  iso-value curves for customer base analysis", Journal of Marketing Research 42(4), 415-430;
  Fader, P. S. & Hardie, B. G. S. (2013), "The Gamma-Gamma model of monetary value",
  http://www.brucehardie.com/notes/025/gamma_gamma.pdf, equation (4) (density of the mean
  spend of x transactions).

No library was used: ``lifetimes`` 0.11.3 and ``btyd`` (the installable 0.1 releases) fail
to import on Python 3.11 with this environment's autograd/inspect, and ``pymc-marketing``
brings PyMC/PyTensor and Bayesian fits (see docs/MODEL.md, "Calibration").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import integrate, optimize, special, stats

from sim.economics import CALENDAR_DAYS_PER_MONTH, new_client_rate_factor

DAYS_PER_UNIT = {"day": 1.0, "week": 7.0, "month": CALENDAR_DAYS_PER_MONTH}
"""Length of a time unit in days (a month is a twelfth of the Julian year)."""

BGNBD = ("r", "alpha", "a", "b")
NEW_CLIENT = ("kappa", "tau")
"""The new-client component's parameters: the excess purchase rate at the first purchase
(relative, no unit) and its decay time (the fit's time unit)."""


def operational_time(params: dict[str, float], t: np.ndarray) -> np.ndarray:
    """Return the operational time ``G(t) = t + κ τ (1 - e^(-t/τ))`` of ages ``t``.

    ``t`` is the time since a client's first purchase; ``G`` counts it in units of the
    client's own base purchase rate.

    Parameters
    ----------
    params : dict[str, float]
        The purchase model's estimates; without ``kappa`` (or with ``kappa`` 0) ``G(t) = t``.
    t : numpy.ndarray
        Times since the first purchase, in the fit's unit, any shape (>= 0).

    Returns
    -------
    numpy.ndarray
        ``G(t)``, the shape of ``t``, in the same unit.
    """
    t = np.asarray(t, dtype=float)
    kappa, tau = params.get("kappa", 0.0), params.get("tau", 1.0)
    if kappa == 0.0:
        return t
    return np.asarray(t - kappa * tau * np.expm1(-t / tau))


def rate_factor(params: dict[str, float], t: np.ndarray) -> np.ndarray:
    """Return ``g(t) = 1 + κ e^(-t/τ)``, the purchase rate's multiple at age ``t``.

    The factor itself is :func:`sim.economics.new_client_rate_factor`, which the simulator
    applies in working days; here ``t`` and ``τ`` are in the fit's unit.

    Parameters
    ----------
    params : dict[str, float]
        The purchase model's estimates; without ``kappa`` the factor is 1.
    t : numpy.ndarray
        Times since the first purchase, in the fit's unit, any shape (>= 0).

    Returns
    -------
    numpy.ndarray
        ``g(t)`` >= 1 [unitless], the shape of ``t``.
    """
    return new_client_rate_factor(t, params.get("kappa", 0.0), params.get("tau", 1.0))


@dataclass(frozen=True)
class Fit:
    """A maximum-likelihood fit.

    Attributes
    ----------
    params : dict[str, float]
        The estimates, by the papers' names.
    log_likelihood : float
        The maximised log-likelihood (sum over clients).
    n : int
        Number of clients the fit used.
    converged : bool
        Whether a start's optimiser reported success at the best value (to 1e-6 relative)
        and no estimate sits at a bound (e^-15 or e^15): a homogeneous purchase rate, say,
        sends r and alpha to infinity.
    covariance : numpy.ndarray or None
        The asymptotic covariance of the natural logarithms of ``params`` (in their order),
        shape (k, k): the inverse of the observed information, the Hessian of the negative
        log-likelihood at the estimate (``scipy.differentiate.hessian``). None when the fit
        did not converge or the Hessian is not positive definite.
    """

    params: dict[str, float]
    log_likelihood: float
    n: int
    converged: bool
    covariance: np.ndarray | None = field(default=None, compare=False)

    def standard_errors(self) -> dict[str, float] | None:
        """Return each estimate's standard error, in the estimate's unit.

        The delta method: the value times the standard error of its logarithm, from
        ``covariance``. None without a covariance.
        """
        if self.covariance is None:
            return None
        log_se = np.sqrt(np.diag(self.covariance))
        return {k: float(v * se) for (k, v), se in zip(self.params.items(), log_se, strict=True)}


def summarise(
    days: pd.DataFrame, until: pd.Timestamp, end: pd.Timestamp, unit: str = "week"
) -> pd.DataFrame:
    """Summarise a daily transaction log per client (the BTYD sufficient statistics).

    Parameters
    ----------
    days : pandas.DataFrame
        One row per client and purchase day: columns ``client``, ``date`` (datetime64, a
        day), ``amount`` (money of that day's purchases, > 0). Several purchases of one
        client on one day must already be summed (the literature's convention).
    until : pandas.Timestamp
        Last day of the calibration period (inclusive).
    end : pandas.Timestamp
        Last day of the data (end of the holdout); ``end >= until``.
    unit : str
        Time unit of ``t_x`` and ``T``: a key of :data:`DAYS_PER_UNIT`.

    Returns
    -------
    pandas.DataFrame
        Index ``client``, one row per client whose first purchase is on or before ``until``;
        columns ``x`` (repeat purchase days in the calibration period), ``t_x`` (time of the
        last one since the first purchase, in ``unit``), ``T`` (time from the first purchase
        to ``until``), ``m_x`` (mean amount of the repeat purchase days, NaN when x = 0),
        ``x_star`` (purchase days in the holdout, after ``until`` up to ``end``), and
        ``first`` (date of the first purchase). Times follow Fader, Hardie & Lee (2005): a
        client's clock starts at the first purchase, which is not counted in x.
    """
    per = DAYS_PER_UNIT[unit]
    first = days.groupby("client", sort=False)["date"].min()
    first = first[first <= until]
    log = days[days["client"].isin(first.index)]
    start = log["client"].map(first)
    repeat = (log["date"] > start) & (log["date"] <= until)
    cal = log[repeat].groupby("client", sort=False)
    out = pd.DataFrame(index=first.index)
    out["x"] = cal.size().reindex(first.index, fill_value=0).astype(np.int64)
    last = cal["date"].max().reindex(first.index).fillna(first)
    out["t_x"] = (last - first).dt.days / per
    out["T"] = (until - first).dt.days / per
    out["m_x"] = cal["amount"].mean().reindex(first.index)
    hold = log[log["date"] > until].groupby("client", sort=False).size()
    out["x_star"] = hold.reindex(first.index, fill_value=0).astype(np.int64)
    out["first"] = first
    return out


def repeat_ages(days: pd.DataFrame, until: pd.Timestamp, unit: str = "week") -> np.ndarray:
    """Return every repeat purchase's time since its client's first purchase, up to ``until``.

    Parameters
    ----------
    days : pandas.DataFrame
        As :func:`summarise` (one row per client and purchase day).
    until : pandas.Timestamp
        Last day of the calibration period (inclusive).
    unit : str
        Time unit, a key of :data:`DAYS_PER_UNIT`.

    Returns
    -------
    numpy.ndarray
        Shape (repeat purchase days in the calibration period,), in ``unit`` (> 0).
    """
    first = days.groupby("client", sort=False)["date"].transform("min")
    repeat = (days["date"] > first) & (days["date"] <= until)
    return np.asarray((days["date"][repeat] - first[repeat]).dt.days / DAYS_PER_UNIT[unit])


def _collapsed(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,  # noqa: N803
) -> tuple[list[np.ndarray], np.ndarray]:
    """Collapse identical (x, t_x, T) rows; refuse an empty sample (ValueError)."""
    if len(x) == 0:
        raise ValueError("no clients to fit")
    return _unique(np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float))


def _unique(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Collapse identical rows of the given columns: the unique rows and their counts."""
    stacked = np.column_stack(columns)
    rows, counts = np.unique(stacked, axis=0, return_counts=True)
    return [rows[:, i] for i in range(rows.shape[1])], counts.astype(float)


def bgnbd_log_likelihood(
    r: float,
    alpha: float,
    a: float,
    b: float,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,  # noqa: N803 - the papers' name
) -> np.ndarray:
    """Return each client's BG/NBD log-likelihood, Fader, Hardie & Lee (2005) equation (6).

    ``L = B(a, b+x)/B(a, b) * Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
    + [x > 0] B(a+1, b+x-1)/B(a, b) * Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))``.

    Parameters
    ----------
    r, alpha : float
        Shape and scale (in time units) of the gamma mixing distribution of purchase rates.
    a, b : float
        Parameters of the beta mixing distribution of the drop-out probability.
    x, t_x, T : numpy.ndarray
        Repeat purchases, recency and age, shape (n,), times in one unit.

    Returns
    -------
    numpy.ndarray
        Shape (n,), natural logarithms.
    """
    counts, inverse = np.unique(np.asarray(x, dtype=float), return_inverse=True)
    return _bgnbd_terms(
        r, alpha, a, b, counts, inverse, np.asarray(t_x, float), np.asarray(T, float)
    )


def _bgnbd_terms(
    r: float,
    alpha: float,
    a: float,
    b: float,
    counts: np.ndarray,
    inverse: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,  # noqa: N803
) -> np.ndarray:
    """Evaluate equation (6) with the x-only terms computed once per distinct x.

    ``counts`` holds the distinct values of x and ``inverse`` each client's index into it,
    so the gamma and beta functions cost O(distinct x), the rest O(n).
    """
    base = special.gammaln(r + counts) - special.gammaln(r) + r * np.log(alpha)
    stays_x = special.betaln(a, b + counts) - special.betaln(a, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        drops_x = np.where(
            counts > 0,
            special.betaln(a + 1, b + counts - 1) - special.betaln(a, b),
            -np.inf,
        )
    power = (r + counts)[inverse]
    stays = stays_x[inverse] - power * np.log(alpha + T)
    drops = drops_x[inverse] - power * np.log(alpha + t_x)
    return np.asarray(base[inverse] + np.logaddexp(stays, drops))


def gamma_gamma_log_likelihood(
    p: float, q: float, gamma: float, x: np.ndarray, m_x: np.ndarray
) -> np.ndarray:
    """Return each client's Gamma-Gamma log-likelihood of the mean spend ``m_x`` of x purchases.

    Fader & Hardie (2013) equation (4): ``f(m_x | p, q, γ; x) = Γ(px+q) / (Γ(px) Γ(q)) *
    γ^q m_x^(px-1) x^(px) / (γ + x m_x)^(px+q)``.

    Parameters
    ----------
    p : float
        Shape of the gamma distribution of one purchase's spend.
    q, gamma : float
        Shape and scale (money) of the gamma mixing distribution of the spend's rate.
    x, m_x : numpy.ndarray
        Number of repeat purchases (> 0) and their mean amount (money, > 0); shape (n,), or
        any two shapes that broadcast.

    Returns
    -------
    numpy.ndarray
        Shape (n,) (the broadcast shape), natural logarithms of a density in 1/money.
    """
    x = np.asarray(x, dtype=float)
    m_x = np.asarray(m_x, dtype=float)
    px = p * x
    return np.asarray(
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(m_x)
        + px * np.log(x)
        - (px + q) * np.log(gamma + x * m_x)
    )


_BOUND = 15.0  # log-parameters stay in [-15, 15]: an estimate there means the data cannot fix it
_STARTS = (0.0, -1.0, 1.0)  # log-parameter offsets of the starts around a moment guess


def _maximise(
    negative: Callable[[np.ndarray], float],
    guess: np.ndarray,
    names: tuple[str, ...],
    n: int,
    covariance: bool = True,
) -> Fit:
    """Minimise ``negative(log_params)`` from several starts; keep the best (exp back)."""
    best: optimize.OptimizeResult | None = None
    results = []
    for offset in _STARTS:
        start = guess + offset
        with np.errstate(all="ignore"):
            res = optimize.minimize(
                negative,
                start,
                method="L-BFGS-B",
                bounds=[(-_BOUND, _BOUND)] * len(guess),
                options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9},
            )
        results.append(res)
        if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
            best = res
    if best is None:
        raise ValueError("the likelihood is not finite at any start")
    tolerance = 1e-6 * max(1.0, abs(best.fun))  # a start that converged to the same optimum
    converged = any(res.success and res.fun - best.fun <= tolerance for res in results)
    converged &= bool(np.all(np.abs(best.x) < _BOUND - 0.1))  # not at a bound: e^±15
    values = np.exp(best.x)
    return Fit(
        params={k: float(v) for k, v in zip(names, values, strict=True)},
        log_likelihood=float(-best.fun),
        n=n,
        converged=converged,
        covariance=_covariance(negative, best.x) if converged and covariance else None,
    )


HESSIAN_RTOL = 1e-4


def _covariance(negative: Callable[[np.ndarray], float], theta: np.ndarray) -> np.ndarray | None:
    """Invert the Hessian of ``negative`` at ``theta``; None if it is not positive definite."""
    from scipy.differentiate import hessian

    def many(z: np.ndarray) -> np.ndarray:  # points along the trailing axes, as scipy calls it
        flat = np.asarray(z).reshape(len(theta), -1)
        out = np.array([negative(flat[:, i]) for i in range(flat.shape[1])])
        return out.reshape(np.shape(z)[1:])

    with np.errstate(all="ignore"):  # to 1e-4 relative: standard errors need 2-3 digits
        found = hessian(many, theta, tolerances={"rtol": HESSIAN_RTOL})
    h = np.asarray(found.ddf, dtype=float)
    if not (np.all(found.success) and np.all(np.isfinite(h))):
        return None
    h = (h + h.T) / 2
    if np.linalg.eigvalsh(h).min() <= 0:
        return None
    return np.asarray(np.linalg.inv(h))


def fit_bgnbd(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> Fit:  # noqa: N803
    """Fit the BG/NBD model by maximum likelihood.

    Parameters
    ----------
    x, t_x, T : numpy.ndarray
        Per-client repeat purchases, recency and age (one time unit), shape (n,), n >= 1.

    Returns
    -------
    Fit
        ``params`` r, alpha, a, b; identical (x, t_x, T) rows are collapsed first, so the
        cost grows with the number of distinct rows, not of clients.

    Raises
    ------
    ValueError
        If there are no clients or the likelihood is not finite at any start.
    """
    (ux, ut, u_age), w = _collapsed(x, t_x, T)
    rate = max(float((ux * w).sum() / (u_age * w).sum()), 1e-6)
    guess = np.log([1.0, 1.0 / rate, 1.0, 1.0])
    counts, inverse = np.unique(ux, return_inverse=True)

    def negative(theta: np.ndarray) -> float:
        r, alpha, a, b = np.exp(theta)
        value = -float((w * _bgnbd_terms(r, alpha, a, b, counts, inverse, ut, u_age)).sum())
        return value if np.isfinite(value) else 1e300

    return _maximise(negative, guess, BGNBD, len(x))


def fit_bgnbd_new_client(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,  # noqa: N803
    ages: np.ndarray,
    start: dict[str, float],
    covariance: bool = True,
) -> Fit:
    """Fit BG/NBD with the new-client component (module docstring) by maximum likelihood.

    The log-likelihood of a client is BG/NBD's equation (6) at ``(x, G(t_x), G(T))`` plus
    ``Σ log g(t_j)`` over its repeat purchases' times ``t_j`` since its first purchase.

    Parameters
    ----------
    x, t_x, T : numpy.ndarray
        Per-client repeat purchases, recency and age (one time unit), shape (n,), n >= 1.
    ages : numpy.ndarray
        Every repeat purchase's time since its client's first purchase, shape (sum of x,),
        same unit (identical values are collapsed).
    start : dict[str, float]
        The plain BG/NBD estimates, where the search starts.
    covariance : bool
        Compute ``Fit.covariance`` (a Hessian: several seconds on 100,000 clients when the
        component is not identified); :func:`new_client_covariance` computes it later.

    Returns
    -------
    Fit
        ``params`` r, alpha, a, b, kappa, tau.

    Raises
    ------
    ValueError
        If there are no clients or the likelihood is not finite at any start.
    """
    negative, span = _new_client_negative(x, t_x, T, ages)
    # κ = 1 (a new client buys twice as often at first) decaying over a sixth of the longest
    # age: a start inside the data's range; _maximise also starts at e^-1 and e^+1 times it
    guess = np.log([*(start[k] for k in BGNBD), 1.0, span / 6])
    return _maximise(negative, guess, (*BGNBD, *NEW_CLIENT), len(x), covariance)


def new_client_covariance(
    fit: Fit,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,  # noqa: N803
    ages: np.ndarray,
) -> Fit:
    """Return ``fit`` (of :func:`fit_bgnbd_new_client`, same data) with its covariance.

    None if the fit did not converge or the Hessian is not positive definite.
    """
    if not fit.converged:
        return fit
    negative, _ = _new_client_negative(x, t_x, T, ages)
    theta = np.log([fit.params[k] for k in (*BGNBD, *NEW_CLIENT)])
    return replace(fit, covariance=_covariance(negative, theta))


def _new_client_negative(
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,  # noqa: N803
    ages: np.ndarray,
) -> tuple[Callable[[np.ndarray], float], float]:
    """Return the negative log-likelihood of the log-parameters, and the longest age."""
    (ux, ut, u_age), w = _collapsed(x, t_x, T)
    when, often = np.unique(np.asarray(ages, dtype=float), return_counts=True)
    counts, inverse = np.unique(ux, return_inverse=True)

    def negative(theta: np.ndarray) -> float:
        r, alpha, a, b, kappa, tau = np.exp(theta)
        clock = {"kappa": kappa, "tau": tau}
        terms = _bgnbd_terms(
            r,
            alpha,
            a,
            b,
            counts,
            inverse,
            operational_time(clock, ut),
            operational_time(clock, u_age),
        )
        value = -float((w * terms).sum() + (often * np.log(rate_factor(clock, when))).sum())
        return value if np.isfinite(value) else 1e300

    return negative, max(float(u_age.max()), 1e-6)


def bic(log_likelihood: float, parameters: int, n: int) -> float:
    """Return the Bayesian information criterion ``k ln n - 2 ln L``; lower is better.

    Schwarz, G. (1978), "Estimating the dimension of a model", Annals of Statistics 6(2).

    Parameters
    ----------
    log_likelihood : float
        The maximised log-likelihood ``ln L``.
    parameters : int
        The number of estimated parameters ``k``.
    n : int
        The number of clients the fit used.

    Returns
    -------
    float
        The criterion (log-likelihood units).
    """
    return float(parameters * np.log(n) - 2.0 * log_likelihood)


def fit_gamma_gamma(x: np.ndarray, m_x: np.ndarray) -> Fit:
    """Fit the Gamma-Gamma spend model by maximum likelihood on repeat buyers.

    Parameters
    ----------
    x, m_x : numpy.ndarray
        Repeat purchases (> 0) and their mean amount (> 0) of each repeat buyer, shape (n,).

    Returns
    -------
    Fit
        ``params`` p, q, gamma (gamma in money).

    Raises
    ------
    ValueError
        If there are no repeat buyers with a positive mean spend.
    """
    keep = (np.asarray(x) > 0) & (np.asarray(m_x) > 0)
    if not keep.any():
        raise ValueError("no repeat buyers with a positive spend to fit")
    (ux, um), w = _unique(np.asarray(x, float)[keep], np.asarray(m_x, float)[keep])
    mean = float((w * um).sum() / w.sum())
    guess = np.log([1.0, 1.0, mean])

    def negative(theta: np.ndarray) -> float:
        p, q, gamma = np.exp(theta)
        value = -float((w * gamma_gamma_log_likelihood(p, q, gamma, ux, um)).sum())
        return value if np.isfinite(value) else 1e300

    return _maximise(negative, guess, ("p", "q", "gamma"), int(keep.sum()))


def bgnbd_conditional_expectation(
    params: dict[str, float],
    t: float,
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,  # noqa: N803
) -> np.ndarray:
    """Return the expected purchases in (T, T+t] of each client, FHL (2005) equation (10).

    Equation (10) is the expectation of a client alive times his P(alive) (:func:`p_alive`).
    With the new-client component, times are operational (:func:`operational_time`).

    Parameters
    ----------
    params : dict[str, float]
        BG/NBD estimates r, alpha, a, b (and kappa, tau if the component is fitted).
    t : float
        Length of the holdout, in the fit's time unit.
    x, t_x, T : numpy.ndarray
        The clients' calibration summaries, shape (n,).

    Returns
    -------
    numpy.ndarray
        Shape (n,), expected purchases.
    """
    r, alpha, a, b = (params[k] for k in BGNBD)
    x = np.asarray(x, dtype=float)
    T = np.asarray(T, dtype=float)  # noqa: N806
    span = operational_time(params, T + t) - operational_time(params, T)
    alive = alive_purchases(r + x, span / (alpha + operational_time(params, T)), a, b + x)
    return np.asarray(alive * p_alive(params, x, t_x, T))


_HYP2F1_SAFE = 1e3  # scipy's hyp2f1 agrees with the integral to 1e-6 below this (tests)


def alive_purchases(s: np.ndarray, c: np.ndarray, a: float, B: np.ndarray) -> np.ndarray:  # noqa: N803
    """Return ``E[(1 - (1 + c p)^(-s)) / p]`` over ``p ~ Beta(a, B)``: purchases while alive.

    A client alive with purchase rate ``λ ~ Gamma(s, rate β)`` and drop chance per purchase
    ``p ~ Beta(a, B)`` makes ``(1 - e^(-λ p t)) / p`` purchases in ``t`` on average (Fader,
    Hardie & Lee 2005, Marketing Science 24(2), section 3); over ``λ`` that is ``(1 - (1 + c
    p)^(-s)) / p`` with ``c = t / β``, and over ``p`` FHL's closed form ``(a + B - 1) / (a - 1)
    [1 - (1 + c)^(-s) ₂F₁(s, B; a + B - 1; c / (1 + c))]`` (their equations 9 and 10). The
    closed form is used where scipy's ``hyp2f1`` is reliable (parameters below 1e3, ``a`` away
    from 0 and 1, a result within the bounds ``0 <= E <= s c``); elsewhere — a fit at its
    bounds: ``a → 0`` (no drop-out), ``r``, ``α``, ``a``, ``b`` → ∞ (equal rates or drop
    chances), ``a ≈ 1`` (a removable singularity) — the expectation is integrated over the
    quantiles of ``p`` (``scipy.integrate.quad_vec``), whose integrand is bounded by ``s c``
    and tends to it as ``p → 0`` (the limit without drop-out, ``a → 0``).

    Parameters
    ----------
    s, c, B : numpy.ndarray
        Gamma shape (> 0), holdout length over the gamma's rate (>= 0), beta's b (> 0); any
        shapes that broadcast.
    a : float
        Beta's a (> 0).

    Returns
    -------
    numpy.ndarray
        The broadcast shape: expected purchases, in ``[0, s c]``.
    """
    s, c, B = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (s, c, B)))  # noqa: N806
    out = np.full(s.shape, np.nan)
    if 0.01 < a < _HYP2F1_SAFE and abs(a - 1) > 0.05:
        easy = (s < _HYP2F1_SAFE) & (B < _HYP2F1_SAFE)
        with np.errstate(all="ignore"):
            hyp = special.hyp2f1(s[easy], B[easy], a + B[easy] - 1, c[easy] / (1 + c[easy]))
            closed = (a + B[easy] - 1) / (a - 1) * (1 - (1 + c[easy]) ** -s[easy] * hyp)
        top = s[easy] * c[easy] * (1 + 1e-9)
        out[easy] = np.where(np.isfinite(closed) & (closed >= 0) & (closed <= top), closed, np.nan)
    hard = np.isnan(out)
    if hard.any():
        out[hard] = _integrated(s[hard], c[hard], a, B[hard])
    return out


def _integrated(s: np.ndarray, c: np.ndarray, a: float, B: np.ndarray) -> np.ndarray:  # noqa: N803
    """Integrate :func:`alive_purchases` over the quantiles of ``p``, once per distinct row."""
    rows, inverse = np.unique(np.column_stack([s, c, B]), axis=0, return_inverse=True)
    us, uc, ub = rows[:, 0], rows[:, 1], rows[:, 2]
    shapes, which = np.unique(ub, return_inverse=True)  # few distinct b + x: invert once each

    def integrand(u: float) -> np.ndarray:
        p = special.betaincinv(a, shapes, u)[which]
        with np.errstate(all="ignore"):
            each = -np.expm1(-us * np.log1p(uc * p)) / p
        return np.asarray(np.where(p > 0, each, us * uc))

    value = integrate.quad_vec(integrand, 0.0, 1.0, epsrel=1e-9, epsabs=0.0)[0]
    return np.asarray(value)[inverse.ravel()]


def p_alive(
    params: dict[str, float],
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,  # noqa: N803 - the papers' name
) -> np.ndarray:
    """Return each client's probability of being alive at the end of the calibration period.

    ``P = 1 / (1 + [x > 0] a / (b + x - 1) ((α + T) / (α + t_x))^(r + x))`` (FHL 2005, eq. 13);
    a client without repeat purchases is alive for sure under BG/NBD (it can drop out only at
    a purchase). With the new-client component, times are operational.

    Parameters
    ----------
    params : dict[str, float]
        BG/NBD estimates r, alpha, a, b (and kappa, tau if the component is fitted).
    x, t_x, T : numpy.ndarray
        Per-client summaries, shape (n,), in the fit's time unit.

    Returns
    -------
    numpy.ndarray
        Shape (n,), probabilities in (0, 1].
    """
    r, alpha, a, b = (params[k] for k in BGNBD)
    x = np.asarray(x, dtype=float)
    repeat = x > 0
    log_odds = np.full_like(x, -np.inf)
    xr = x[repeat]
    recency = operational_time(params, np.asarray(t_x, float)[repeat])
    with np.errstate(divide="ignore", over="ignore"):  # b + x - 1 = 0 (b -> 0, x = 1): P = 0
        log_odds[repeat] = (
            np.log(a)
            - np.log(b + xr - 1)
            + (r + xr)
            * np.log1p(
                (operational_time(params, np.asarray(T, float)[repeat]) - recency)
                / (alpha + recency)
            )
        )  # log1p: (r + x) log((α + T) / (α + t_x)) stays exact when α and r are huge
        return np.asarray(1.0 / (1.0 + np.exp(log_odds)))


def bgnbd_expected_count(params: dict[str, float], t: np.ndarray) -> np.ndarray:
    """Return the expected repeat purchases in (0, t] of a new client, FHL (2005) equation (9).

    ``E[X(t)] = (a + b - 1) / (a - 1) × [1 - (α / (α + t))^r ₂F₁(r, b; a + b - 1; t / (α + t))]``.

    Parameters
    ----------
    params : dict[str, float]
        BG/NBD estimates r, alpha, a, b (and kappa, tau: times become operational).
    t : numpy.ndarray
        Times since the first purchase, in the fit's unit, any shape (>= 0).

    Returns
    -------
    numpy.ndarray
        Expected purchases, the shape of ``t``.
    """
    r, alpha, a, b = (params[k] for k in BGNBD)
    t = operational_time(params, np.asarray(t, dtype=float))
    return np.asarray(alive_purchases(np.asarray(r), t / alpha, a, np.asarray(b)))


def bgnbd_count_probability(params: dict[str, float], x: int, t: np.ndarray) -> np.ndarray:
    """Return P(X(t) = x), the chance of ``x`` repeat purchases in (0, t], FHL (2005) eq. (8).

    Parameters
    ----------
    params : dict[str, float]
        BG/NBD estimates r, alpha, a, b (and kappa, tau: times become operational).
    x : int
        Number of repeat purchases (>= 0).
    t : numpy.ndarray
        Times since the first purchase, in the fit's unit, shape (n,).

    Returns
    -------
    numpy.ndarray
        Probabilities, shape (n,).
    """
    r, alpha, a, b = (params[k] for k in BGNBD)
    # Purchases while alive are Poisson with a gamma(r, alpha) rate: negative binomial counts.
    counts = stats.nbinom(r, alpha / (alpha + operational_time(params, np.asarray(t, float))))
    alive = np.exp(special.betaln(a, b + x) - special.betaln(a, b)) * counts.pmf(x)
    if x == 0:
        return np.asarray(alive)
    dead = np.exp(special.betaln(a + 1, b + x - 1) - special.betaln(a, b)) * counts.sf(x - 1)
    return np.asarray(alive + dead)
