"""From BTYD fits to scenario fields (pure functions).

The scenario describes clients by a monthly order rate, a monthly chance of lapsing, a count of
past and active clients and a value distribution; BG/NBD and Gamma-Gamma describe them by
mixing distributions over purchase rates, drop-out chances and spend. The functions here give
the fitted rates of the clients alive at the end of the calibration period and set the
scenario's parameters so that a served client of the simulator realises them (docs/MODEL.md,
section 8).

Sources: P(alive) (:func:`sim.calibrate.btyd.p_alive`), Fader, Hardie & Lee (2005), Marketing
Science 24(2), equation (13); the means of the gamma and beta mixing distributions, ibid.
section 3; the mean spend of the Gamma-Gamma model, Fader & Hardie (2013), "The Gamma-Gamma
model of monetary value", E(Z) = p γ / (q - 1).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.calibrate.btyd import DAYS_PER_UNIT, operational_time, p_alive, rate_factor
from sim.config.safe_yaml import dump_yaml
from sim.config.schema import Scenario
from sim.economics import CALENDAR_DAYS_PER_MONTH as DAYS_PER_MONTH
from sim.economics import capped_pareto_mean, lapse_multiplier, usage_factor

MAX_ORDERS_PER_MONTH = 10.0
"""The schema's upper bound on ``clients.orders_per_month_*``: a faster rate is written as it."""
MIN_VALUE_USD = 0.01
"""A cent: the floor of ``clients.value_min_usd_per_month``, which the schema wants above 0."""
_Field = tuple[str, float | int, str]  # (dotted path, value, comment) of a written field


def _significant(value: float) -> float:
    """Round to 7 significant digits: a fit's e^-15 (3e-7) must not round to 0 (= off)."""
    return float(f"{value:.7g}")


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


def alive_means(
    bgnbd: dict[str, float],
    gamma: dict[str, float] | None,
    summary: dict[str, np.ndarray],
    unit: str,
) -> dict[str, float]:
    """Return the purchase rate, drop-out and spend of the clients alive at the period's end.

    Given a client's ``(x, t_x, T)`` and that it is alive, BG/NBD's posterior of its purchase
    rate is ``Gamma(r + x, α + T)`` and of its drop-out chance ``Beta(a, b + x)``, independent
    (the alive part of the likelihood, FHL 2005 equation 3, factorises), so its expected rate
    is ``(r + x) / (α + T)`` and its drop-out hazard ``a / (a + b + x) × (r + x) / (α + T)``.
    With the new-client component (``kappa``, ``tau`` in ``bgnbd``), times are operational
    (:func:`sim.calibrate.btyd.operational_time`) and the rate is the client's base rate: the
    simulator starts its past clients past the component, so what remains of it at the
    period's end (``new_client_excess_at_until``, the mean of ``g(T) - 1``) is left out.
    Its expected spend per purchase is Gamma-Gamma's ``p (γ + x m_x) / (p x + q - 1)`` (Fader &
    Hardie 2013, equation 5; the prior mean ``p γ / (q - 1)`` when x = 0). Each client is
    weighted by its P(alive) (:func:`p_alive`); spend by P(alive) times rate (a mean per order).

    Parameters
    ----------
    bgnbd, gamma : dict[str, float]
        The estimates (``gamma`` None: spend not fitted).
    summary : dict[str, numpy.ndarray]
        ``x``, ``t_x``, ``T`` and ``m_x`` (NaN for x = 0), shape (n,), times in ``unit``.
    unit : str
        The fit's time unit.

    Returns
    -------
    dict[str, float]
        ``alive`` (Σ P(alive), clients), ``new_client_excess_at_until`` (0 without the
        component), ``orders_per_month`` (a month while alive),
        ``drop_per_month`` (a monthly chance, ``1 - exp(-hazard)``), ``spend_per_order``
        (money; NaN without ``gamma``).
    """
    r, alpha, a, b = (bgnbd[k] for k in ("r", "alpha", "a", "b"))
    x, t_x, age = (np.asarray(summary[k], dtype=float) for k in ("x", "t_x", "T"))
    weight = p_alive(bgnbd, x, t_x, age)
    clock = operational_time(bgnbd, age)
    rate = (r + x) / (alpha + clock) * DAYS_PER_MONTH / DAYS_PER_UNIT[unit]
    hazard = a / (a + b + x) * rate
    alive = float(weight.sum())
    spend = float("nan")
    if gamma is not None and gamma["q"] > 1:
        p, q, g = gamma["p"], gamma["q"], gamma["gamma"]
        m_x = np.nan_to_num(np.asarray(summary["m_x"], dtype=float))
        each = p * (g + x * m_x) / (p * x + q - 1)
        spend = float((weight * rate * each).sum() / (weight * rate).sum())
    excess = float((weight * (rate_factor(bgnbd, age) - 1.0)).sum() / alive)
    return {
        "alive": alive,
        "new_client_excess_at_until": excess,
        "orders_per_month": float((weight * rate).sum() / alive),
        "drop_per_month": float(1.0 - np.exp(-(weight * hazard).sum() / alive)),
        "spend_per_order": spend,
    }


def served_quality(base: Scenario) -> float:
    """Return the service quality the base's servers give a client at full attention (7.2).

    Parameters
    ----------
    base : Scenario
        The base scenario: specialists serve if it has any, else the sellers.

    Returns
    -------
    float
        ``specialists.service_quality`` or ``sellers.service_quality``, 0-1.
    """
    if base.organisation.specialists > 0:
        return base.specialists.service_quality
    return base.sellers.service_quality


def typical_satisfaction(base: Scenario) -> float:
    """Return the satisfaction a fully served client settles at, incidents included.

    Satisfaction closes ``k`` = ``satisfaction_adjust_per_month`` of its gap to the quality
    ``q`` a month (docs/MODEL.md 7.2) and drops ``δ`` at ``i`` incidents a month (7.3); in the
    continuous limit ``ds/dt = κ (q - s) - i δ``, ``κ = -ln(1 - k)``, it settles at
    ``s* = q - i δ / κ`` (clipped to 0-1).

    Parameters
    ----------
    base : Scenario
        The base scenario.

    Returns
    -------
    float
        ``s*``, 0-1.
    """
    c = base.clients
    q = served_quality(base)
    if c.satisfaction_adjust_per_month <= 0:
        return c.initial_satisfaction
    # A guard, not a figure: k = 1 (the gap closed at once) would make kappa infinite.
    kappa = -np.log1p(-min(c.satisfaction_adjust_per_month, 0.999999))
    return float(np.clip(q - c.incident_per_month * c.incident_satisfaction_drop / kappa, 0, 1))


def rival_per_month(base: Scenario, satisfaction: float) -> float:
    """Return the monthly chance that rivals take a fully served client of the base (7.8).

    ``B × L`` with ``B = poach_per_month × count × strength`` and the pull ``L = 1 + w_s (1 -
    s) + w_h h̄ + w_n n̄`` at attention 1 and no visit protection, ``h̄`` and ``n̄`` the mean
    hidden dissatisfaction and need of the base's past clients at the start (grown over a
    uniform 0 to ``market.initial_months_on_books`` months, docs/MODEL.md 5, capped at 1),
    averaged over the consultative share.

    Parameters
    ----------
    base : Scenario
        The base scenario.
    satisfaction : float
        The clients' satisfaction, 0-1.

    Returns
    -------
    float
        A monthly chance.
    """
    rivals, c = base.market.competitors, base.clients
    months = base.market.initial_months_on_books

    def mean_capped(growth: float) -> float:  # E[min(1, g U M)], U uniform on 0-1
        top = growth * months
        return top / 2 if top <= 1 else 1 - 1 / (2 * top)

    share = c.consultative_share
    hidden = (1 - share) * mean_capped(c.hidden_growth_per_month_transactional) + share * (
        mean_capped(c.hidden_growth_per_month_consultative)
    )
    need = (1 - share) * mean_capped(c.need_growth_per_month_transactional) + share * (
        mean_capped(c.need_growth_per_month_consultative)
    )
    pull = (
        1
        + rivals.dissatisfaction_weight * (1 - satisfaction)
        + rivals.hidden_weight * hidden
        + rivals.need_weight * need
    )
    return rivals.poach_per_month * rivals.count * rivals.strength * pull


def client_workload(clients: int, value_min: float, base: Scenario) -> float:
    """Return the routine workload of ``clients`` active clients, in small-client units (7.1).

    Each client weighs ``routine_load_weights[segment]`` (× ``sellers.consultative_load_factor``
    if consultative); the segment shares follow the Pareto tail ``(m / threshold)^a``.

    Parameters
    ----------
    clients : int
        Active clients.
    value_min : float
        The Pareto minimum value, USD a month.
    base : Scenario
        Its other client fields (shape, thresholds, weights, consultative share).

    Returns
    -------
    float
        Small-client equivalents.
    """
    c = base.clients
    w_small, w_medium, w_xl = c.routine_load_weights

    def tail(threshold: float) -> float:
        return float(min(1.0, (value_min / threshold) ** c.value_pareto_shape))

    medium, xl = tail(c.medium_from_usd_per_month), tail(c.xl_from_usd_per_month)
    weight = w_small * (1 - medium) + w_medium * (medium - xl) + w_xl * xl
    consult = 1 + c.consultative_share * (base.sellers.consultative_load_factor - 1)
    return clients * weight * consult


NOT_IDENTIFIED = (
    "organisation: the servers' number is scaled from the base's by the clients' workload "
    "(each serves the workload the base's do); the mix of roles, pay and bonuses are the base's",
    "market.prospects, market.competitors and the pipeline (the funnel and the rivals; the "
    "rivals' share of the drop-out is the base's)",
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
    The mapping sets the base's parameters so that the REALISED rates of a served client at
    the base's typical satisfaction equal the fitted rates of the clients alive at the end of
    the calibration period (docs/MODEL.md, section 8): staff sized so the clients are served
    (:func:`client_workload`), satisfaction ``s*`` (:func:`typical_satisfaction`), orders a
    month set to ``rate / usage(s*)``, the lapse chance to ``(drop - rivals(s*)) / (1 + w (1 -
    s*))``, and the value distribution's minimum so that the mean value a month times
    ``usage(s*)`` equals the fitted revenue a month of an alive client.
    """
    alive, counts = result["alive"], result["counts"]
    s_star = typical_satisfaction(base)
    usage = float(usage_factor(np.asarray(s_star), base.clients.usage_satisfaction_weight))
    at = f"at the served satisfaction s* = {s_star:.3g}"
    past = int(counts["clients_in_calibration"])
    active = min(past, round(float(alive["alive"])))
    fields: list[tuple[str, float | int, str]] = [
        ("market.past_clients", past, "counts.clients_in_calibration"),
        ("market.active_clients", active, "alive.alive (sum of P(alive))"),
        *_order_fields(alive, base, usage, at),
        _lapse_field(alive, base, s_star, at),
        *_spread_fields(purchase_params(result)),
        *_new_client_fields(result),
    ]
    value_min = base.clients.value_min_usd_per_month
    value = _value_field(alive, base, usage)
    if value is not None:
        field, value_min = value
        fields.append(field)
    fields.extend(_staff(base, active, value_min))
    return fields


def _order_fields(alive: dict[str, Any], base: Scenario, usage: float, at: str) -> list[_Field]:
    """Set the order rates so a served client orders the alive clients' rate (base's mix)."""
    clients = base.clients
    rate = float(alive["orders_per_month"]) / usage
    share = clients.consultative_share
    ratio = clients.orders_per_month_consultative / clients.orders_per_month_transactional
    transactional = min(MAX_ORDERS_PER_MONTH, rate / (1 - share + share * ratio))
    consultative = min(MAX_ORDERS_PER_MONTH, transactional * ratio)
    return [
        (
            "clients.orders_per_month_transactional",
            _significant(transactional),
            f"alive.orders_per_month = {alive['orders_per_month']:.4g} / usage {usage:.3g} {at}; "
            f"base ratio {ratio:.3g} and consultative share {share:.3g}",
        ),
        (
            "clients.orders_per_month_consultative",
            _significant(consultative),
            "the transactional rate times the base's ratio",
        ),
    ]


def _lapse_field(alive: dict[str, Any], base: Scenario, s_star: float, at: str) -> _Field:
    """Set the lapse chance so lapse and the base's rivals together give the fitted drop-out."""
    multiplier = float(
        lapse_multiplier(np.asarray(s_star), base.clients.lapse_dissatisfaction_weight)
    )
    rivals = rival_per_month(base, s_star)
    drop = float(alive["drop_per_month"])
    lapse = max(0.0, drop - rivals) / multiplier
    return (
        "clients.lapse_per_month",
        _significant(lapse),
        f"(alive.drop_per_month = {drop:.4g} - rivals' chance {rivals:.4g} {at}) / the "
        f"dissatisfaction multiplier {multiplier:.3g}"
        + ("; the base's rivals alone take more: drop-out over-stated" if drop < rivals else ""),
    )


def purchase_params(result: dict[str, Any]) -> dict[str, float]:
    """Return the purchase model's estimates the scenario uses (``purchase_model.params``).

    Parameters
    ----------
    result : dict[str, Any]
        ``calibration.json``'s content; one written before the new-client component has
        only ``bgnbd``, which is then returned.

    Returns
    -------
    dict[str, float]
        r, alpha, a, b (per the file's time unit), and kappa, tau with the component.
    """
    model = result.get("purchase_model")
    return dict(model["params"]) if model else dict(result["bgnbd"])


def _new_client_fields(result: dict[str, Any]) -> list[_Field]:
    """Set the new-client component (``kappa``, ``tau`` rescaled to months), or switch it off."""
    params = purchase_params(result)
    if "kappa" not in params:  # written, so that a base's own component does not remain
        return [
            (
                "clients.new_client_order_boost",
                0.0,
                "the stationary BG/NBD (purchase_model.used): no new-client component",
            )
        ]
    unit = str(result["time_unit"])
    months = params["tau"] * DAYS_PER_UNIT[unit] / DAYS_PER_MONTH
    return [
        (
            "clients.new_client_order_boost",
            _significant(params["kappa"]),
            "purchase_model.params.kappa: a new client's excess order rate (unitless)",
        ),
        (
            "clients.new_client_boost_months",
            _significant(months),
            f"purchase_model.params.tau = {params['tau']:.4g} {unit}s, in months",
        ),
    ]


def _spread_fields(bgnbd: dict[str, float]) -> list[_Field]:
    """Set the clients' own order rates and drop-out to BG/NBD's mixing distributions.

    ``r``, ``a`` and ``b`` have no time unit (``α``, the time scale, is in the mean rate the
    order fields set), so they are written as fitted: the order-rate multiplier is
    ``Gamma(r, r)`` (mean 1) and the drop chance per order ``Beta(a, b)`` (docs/MODEL.md 5, 8).
    """
    return [
        (
            "clients.order_rate_shape",
            _significant(bgnbd["r"]),
            "purchase_model.params.r: the purchase rates' gamma shape (unitless; the mean is set "
            "above)",
        ),
        (
            "clients.dropout_beta_a",
            _significant(bgnbd["a"]),
            "purchase_model.params.a: the drop chance per order is Beta(a, b) (unitless)",
        ),
        (
            "clients.dropout_beta_b",
            _significant(bgnbd["b"]),
            "purchase_model.params.b; a client's lapse chance is the one above x p / E[p] x its "
            "rate multiplier",
        ),
    ]


def _value_field(
    alive: dict[str, Any], base: Scenario, usage: float
) -> tuple[_Field, float] | None:
    """Set the value minimum so a served client pays the fitted revenue; None without spend.

    Returns the field and the unrounded minimum (USD a month), which sizes the staff.
    """
    spend = alive.get("spend_per_order")
    if spend is None or not np.isfinite(spend):
        return None
    shape, cap = base.clients.value_pareto_shape, base.clients.value_cap_multiple
    revenue = float(alive["orders_per_month"]) * spend
    mean_multiple = capped_pareto_mean(shape, 1.0, cap)
    value_min = max(revenue / usage / mean_multiple, MIN_VALUE_USD)
    field = (
        "clients.value_min_usd_per_month",
        round(value_min, 4),
        f"alive.spend_per_order = {spend:.4g} x alive.orders_per_month = revenue "
        f"{revenue:.4g} a month; / usage; / the capped Pareto mean "
        f"{mean_multiple:.4g} (shape {shape}, cap {cap})",
    )
    return field, value_min


def _staff(base: Scenario, active: int, value_min: float) -> list[tuple[str, float | int, str]]:
    """Scale the base's servers so each carries the workload the base's carry at the start."""
    org = base.organisation
    role = "specialists" if org.specialists > 0 else "generalists"
    count = getattr(org, role)
    scaled = scaled_servers(count, active, value_min, base)
    if count == 0 or scaled is None:
        return []
    mine = client_workload(active, value_min, base)
    theirs = client_workload(base.market.active_clients, base.clients.value_min_usd_per_month, base)
    return [
        (
            f"organisation.{role}",
            scaled,
            f"not identified: the base's {count} times the clients' workload "
            f"{mine:.4g} / the base's {theirs:.4g} (small-client units)",
        )
    ]


def scaled_servers(count: int, active: int, value_min: float, base: Scenario) -> int | None:
    """Return ``count`` servers of the base scaled to carry the workload the base's carry.

    Parameters
    ----------
    count : int
        The base's servers of one role.
    active : int
        The calibrated company's active clients.
    value_min : float
        Its value distribution's minimum, USD a month.
    base : Scenario
        The base (its active clients and value minimum are the reference workload).

    Returns
    -------
    int or None
        ``max(1, ceil(count × mine / theirs))`` (:func:`client_workload`); None if the base
        has no workload to scale from.
    """
    theirs = client_workload(base.market.active_clients, base.clients.value_min_usd_per_month, base)
    if theirs <= 0:
        return None
    mine = client_workload(active, value_min, base)
    return max(1, math.ceil(count * mine / theirs))


def comment_text(text: str) -> str:
    r"""Return ``text`` fit for a YAML comment: one line, control characters escaped.

    A file name may hold a line break (``x\nstaffing:\n  quit_per_month: 0.9``); written
    as it is after ``#`` it would add fields to the scenario.
    """
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


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
        f"# Calibrated by salesim calibrate from {comment_text(source)} (calibration.json in "
        "this folder).",
        "# Each value below gives its source row in calibration.json. Not identified by the",
        "# data, kept at the base's values:",
        *(f"#   - {item}" for item in NOT_IDENTIFIED),
        dump_yaml({"extends": extends, "name": name}, sort_keys=False).rstrip("\n"),
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


STAFF_COST_THRESHOLD = 1.0
"""Staff cost over gross margin above which ``salesim calibrate`` warns (a share, 1 = equal).

Not a figure from a source but an accounting identity: a company whose staff cost exceeds its
gross margin makes an operating loss before any other cost (operating profit = gross profit -
staff cost - other cost, sim/ledger.py). Transaction data do not identify the staff or its pay
(:data:`NOT_IDENTIFIED`), so such a scenario describes no company that could exist."""


def staff_cost_usd_per_month(scenario: Scenario) -> float:
    """Return a scenario's fixed staff cost a month at its starting headcounts.

    For every role of :data:`sim.roles.ROLES`: headcount x (salary + fixed bonus, with the
    variable pay at target) + the desks it needs x ``money.desk_usd_per_month``, the costs the
    monthly ledger books as ``staff_cost`` (sim/recorder.py) less the bonuses earned on sales,
    which only add to it. A lower bound of the simulated staff cost.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its ``organisation`` headcounts and the roles' pay and desk fields).

    Returns
    -------
    float
        USD a month (non-negative).
    """
    from sim.economics import desks_needed
    from sim.roles import ROLES

    desk = scenario.money.desk_usd_per_month
    total = 0.0
    for role in ROLES:
        heads = role.heads(scenario)
        pay = role.salary_usd(scenario) + role.fixed_bonus_usd(scenario)
        total += heads * pay + desks_needed(heads, role.desks_per_person(scenario)) * desk
    return total


def staff_fields(scenario: Scenario) -> tuple[list[str], list[str]]:
    """Return the headcount and pay fields of the roles a scenario staffs (dotted paths)."""
    from sim.roles import ROLES

    staffed = [role for role in ROLES if role.heads(scenario) > 0]
    heads = [f"organisation.{role.headcount}" for role in staffed]
    pay = list(dict.fromkeys(f"{role.section}.{role.salary}" for role in staffed))
    return heads, pay


def staff_cost_check(result: dict[str, Any], scenario: Scenario) -> dict[str, Any] | None:
    """Return the written scenario's staff cost a year against the fitted company's margin.

    Parameters
    ----------
    result : dict[str, Any]
        The content of ``calibration.json``; read: ``alive`` (clients, orders a month and
        spend per order of the clients alive at ``until``).
    scenario : Scenario
        The written scenario (its headcounts, pay and ``money.gross_margin``).

    Returns
    -------
    dict[str, Any] or None
        ``revenue_per_year`` (alive clients x orders a month x spend per order x 12, in the
        export's currency), ``gross_margin_per_year`` (times ``money.gross_margin``),
        ``staff_cost_per_year`` (:func:`staff_cost_usd_per_month` x 12), ``ratio`` (staff cost
        over gross margin; inf when the margin is 0), ``threshold``
        (:data:`STAFF_COST_THRESHOLD`) and ``warning`` (a sentence, or None when the ratio is
        at most the threshold); None when the spend was not fitted (no revenue to compare).
    """
    alive = result["alive"]
    spend = alive.get("spend_per_order")
    if spend is None or spend != spend:
        return None
    revenue = 12.0 * float(alive["alive"]) * float(alive["orders_per_month"]) * float(spend)
    margin = revenue * scenario.money.gross_margin
    staff = 12.0 * staff_cost_usd_per_month(scenario)
    ratio = staff / margin if margin > 0 else math.inf
    warning = None
    if ratio > STAFF_COST_THRESHOLD:
        heads, pay = staff_fields(scenario)
        example = heads[0] if heads else "organisation.generalists"
        warning = (
            f"the scenario's staff cost, {staff:,.0f} USD a year (the base's pay and a headcount "
            f"scaled from the base's workload, not from the data), exceeds the calibrated "
            f"company's gross margin, {margin:,.0f} USD a year (revenue {revenue:,.0f} x "
            f"money.gross_margin {scenario.money.gross_margin:g}): the simulated company makes "
            "a loss whatever the organisation. Transaction data cannot tell the staff or its "
            f"pay: set your company's headcounts ({', '.join(heads)}), pay ({', '.join(pay)}) "
            "and money.gross_margin, with --set (e.g. salesim run scenario.yaml --set "
            f"{example}=N, N your company's number) or by editing scenario.yaml"
        )
    return {
        "revenue_per_year": round(revenue, 2),
        "gross_margin_per_year": round(margin, 2),
        "staff_cost_per_year": round(staff, 2),
        "ratio": round(ratio, 4) if math.isfinite(ratio) else None,
        "threshold": STAFF_COST_THRESHOLD,
        "warning": warning,
    }
