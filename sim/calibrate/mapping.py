"""From BTYD fits to scenario quantities: a first-order mapping (pure functions).

The scenario describes clients by a monthly order rate, a monthly chance of lapsing, a count of
past and active clients and a value distribution; BG/NBD and Gamma-Gamma describe them by
mixing distributions over purchase rates, drop-out chances and spend. The functions here give
the population quantities the scenario's parameters can be set from (docs/MODEL.md, section 8).

Sources: P(alive), Fader, Hardie & Lee (2005), Marketing Science 24(2), equation (13); the
means of the gamma and beta mixing distributions, ibid. section 3; the mean spend of the
Gamma-Gamma model, Fader & Hardie (2013), "The Gamma-Gamma model of monetary value", E(Z) =
p γ / (q - 1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.calibrate.btyd import DAYS_PER_UNIT
from sim.config.schema import Scenario

DAYS_PER_MONTH = 365.25 / 12


def p_alive(
    params: dict[str, float],
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,  # noqa: N803 - the papers' name
) -> np.ndarray:
    """Return each client's probability of being alive at the end of the calibration period.

    ``P = 1 / (1 + [x > 0] a / (b + x - 1) ((α + T) / (α + t_x))^(r + x))`` (FHL 2005, eq. 13);
    a client without repeat purchases is alive for sure under BG/NBD (it can drop out only at
    a purchase).

    Parameters
    ----------
    params : dict[str, float]
        BG/NBD estimates r, alpha, a, b.
    x, t_x, T : numpy.ndarray
        Per-client summaries, shape (n,), in the fit's time unit.

    Returns
    -------
    numpy.ndarray
        Shape (n,), probabilities in (0, 1].
    """
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    x = np.asarray(x, dtype=float)
    repeat = x > 0
    log_odds = np.full_like(x, -np.inf)
    xr = x[repeat]
    log_odds[repeat] = (
        np.log(a)
        - np.log(b + xr - 1)
        + (r + xr)
        * (
            np.log(alpha + np.asarray(T, float)[repeat])
            - np.log(alpha + np.asarray(t_x, float)[repeat])
        )
    )
    return np.asarray(1.0 / (1.0 + np.exp(log_odds)))


def orders_per_month(params: dict[str, float], unit: str) -> float:
    """Return the population's mean purchase rate while alive, per month: ``r / α`` rescaled.

    Parameters
    ----------
    params : dict[str, float]
        BG/NBD estimates (``alpha`` in ``unit``).
    unit : str
        The fit's time unit, a key of :data:`sim.calibrate.btyd.DAYS_PER_UNIT`.

    Returns
    -------
    float
        Purchases a month (a month = 365.25 / 12 days).
    """
    return params["r"] / params["alpha"] * DAYS_PER_MONTH / DAYS_PER_UNIT[unit]


def drop_per_month(params: dict[str, float], unit: str) -> float:
    """Return the monthly chance that an alive client drops out, to first order.

    A client drops out after a purchase with chance ``p``; with the mixing distributions
    independent, the population's mean drop-out hazard is ``E[p] E[λ] = a / (a + b) × r / α``
    a time unit, made a monthly chance ``1 - exp(-h)``. First order: the survivors' mix of
    ``p`` and ``λ`` drifts towards low drop-out chances over time, which this ignores.

    Parameters
    ----------
    params : dict[str, float]
        BG/NBD estimates.
    unit : str
        The fit's time unit.

    Returns
    -------
    float
        A monthly chance in [0, 1).
    """
    hazard = params["a"] / (params["a"] + params["b"]) * orders_per_month(params, unit)
    return float(1.0 - np.exp(-hazard))


def mean_spend(params: dict[str, float]) -> float | None:
    """Return the Gamma-Gamma population's mean spend per purchase, ``p γ / (q - 1)``.

    Parameters
    ----------
    params : dict[str, float]
        Gamma-Gamma estimates p, q, gamma.

    Returns
    -------
    float or None
        Money per purchase; None if ``q <= 1`` (the mean is infinite).
    """
    if params["q"] <= 1:
        return None
    return params["p"] * params["gamma"] / (params["q"] - 1)


NOT_IDENTIFIED = (
    "organisation, staffing, pay and bonuses (the staff)",
    "market.prospects, market.competitors and the pipeline (the funnel and the rivals)",
    "clients.consultative_share and the ratio of consultative to transactional orders",
    "clients.value_pareto_shape and value_cap_multiple (the value distribution's shape)",
    "clients.dormant_reactivation_per_month (BG/NBD drop-outs never return)",
    "clients.lapse_dissatisfaction_weight, satisfaction, incidents, service and payments",
)
"""What a transaction log cannot tell: these keep the base scenario's values."""


def scenario_fields(result: dict[str, Any], base: Scenario) -> list[tuple[str, float | int, str]]:
    """Return the scenario fields set from a calibration, with the value and its source.

    Parameters
    ----------
    result : dict[str, Any]
        The content of ``calibration.json`` (:func:`sim.calibrate.command.analyse`).
    base : Scenario
        The scenario the calibrated one extends (its values fill what the data cannot tell).

    Returns
    -------
    list[tuple[str, float | int, str]]
        ``(dotted path, value, comment)``: the comment names the row of ``calibration.json``
        the value comes from and how.

    Notes
    -----
    First-order mapping (docs/MODEL.md, section 8): the state at the end of the calibration
    period (past clients = clients fitted, active = the sum of P(alive)); the orders a month of
    transactional and consultative clients keep the base's ratio and consultative share and
    average to the fitted rate; the monthly lapse is the fitted drop-out chance less the base's
    poaching chance (both end a client's ordering); the smallest monthly value makes the
    base's Pareto shape's mean (cap ignored) equal the fitted mean spend times the order rate.
    """
    pop, counts = result["population"], result["counts"]
    clients, market = base.clients, base.market
    rate = float(pop["orders_per_month_alive"])
    share = clients.consultative_share
    ratio = clients.orders_per_month_consultative / clients.orders_per_month_transactional
    transactional = min(10.0, rate / (1 - share + share * ratio))
    consultative = min(10.0, transactional * ratio)
    lapse = max(0.0, float(pop["drop_per_month"]) - market.competitors.poach_per_month)
    past = int(counts["clients_in_calibration"])
    active = min(past, round(float(pop["clients_alive_at_until"])))
    fields: list[tuple[str, float | int, str]] = [
        ("market.past_clients", past, "counts.clients_in_calibration"),
        ("market.active_clients", active, "population.clients_alive_at_until (sum of P(alive))"),
        (
            "clients.orders_per_month_transactional",
            round(transactional, 6),
            f"population.orders_per_month_alive = {rate:.4g}, base ratio {ratio:.3g} and "
            f"consultative share {share:.3g}",
        ),
        (
            "clients.orders_per_month_consultative",
            round(consultative, 6),
            "the transactional rate times the base's ratio",
        ),
        (
            "clients.lapse_per_month",
            round(lapse, 6),
            f"population.drop_per_month = {pop['drop_per_month']:.4g} less the base's "
            f"market.competitors.poach_per_month = {market.competitors.poach_per_month:.4g}",
        ),
    ]
    spend = pop["mean_spend_per_purchase"]
    if spend is not None:
        shape = clients.value_pareto_shape
        value_min = spend * rate * (shape - 1) / shape
        fields.append(
            (
                "clients.value_min_usd_per_month",
                round(max(value_min, 0.01), 4),
                f"population.mean_spend_per_purchase = {spend:.4g} x orders a month "
                f"{rate:.4g} = mean value a month; Pareto minimum for the base's shape {shape}",
            )
        )
    return fields


def scenario_text(
    fields: list[tuple[str, float | int, str]], extends: str, name: str, source: str
) -> str:
    """Render a scenario file that extends ``extends`` and sets ``fields``, with comments.

    Parameters
    ----------
    fields : list[tuple[str, float | int, str]]
        From :func:`scenario_fields`: dotted paths ``section.field``.
    extends : str
        The base file, relative to the written file's folder.
    name, source : str
        The scenario's name and the export it was calibrated on.

    Returns
    -------
    str
        YAML text.
    """
    lines = [
        f"# Calibrated by salesim calibrate from {source} (calibration.json in this folder).",
        "# Each value below gives its source row in calibration.json. Not identified by the",
        "# data, kept at the base's values:",
        *(f"#   - {item}" for item in NOT_IDENTIFIED),
        f"extends: {extends}",
        f"name: {name}",
    ]
    sections: dict[str, list[tuple[str, float | int, str]]] = {}
    for path, value, comment in fields:
        section, _, rest = path.partition(".")
        sections.setdefault(section, []).append((rest, value, comment))
    for section, items in sections.items():
        lines.append(f"{section}:")
        for rest, value, comment in items:
            lines.append(f"  {rest}: {value}  # {comment}")
    return "\n".join(lines) + "\n"
