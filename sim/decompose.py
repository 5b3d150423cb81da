"""Where a strategy's effect on operating profit comes from: an exact split, run by run.

The difference in operating profit between a strategy and its baseline over the same
horizon (a paired replication: the same seed) is split into five parts that sum to it
exactly:

- **clients won**: more client-months from clients who came in (new and reactivated);
- **clients kept**: fewer client-months lost to clients who left (lapsed or taken by a
  rival), with the starting book;
- **value per client**: gross profit per active client-month;
- **staff cost** and **other cost**: less spent (a saving is positive).

The identity. Operating profit is ``P = G - S - O`` (gross profit, staff cost, other cost;
USD over the horizon). Let ``C = sum_t active(t)`` be the client-months (month-end active
clients summed over the T months) and ``g = G / C`` the gross profit per client-month. Then,
with ``D`` the strategy minus the baseline and ``b``, ``s`` their values,

    D G = D C * g_b + (G_s - C_s * g_b)                           (value per client: C_s * D g)

and since ``active(t) = active(0) + cum_in(t) - cum_out(t)``,

    C = T * active(0) + I - L,  I = sum_t cum_in(t),  L = sum_t cum_out(t),

so ``D C * g_b = D I * g_b + (D C - D I) * g_b``: the first is **clients won**, the second
(``= (T * D active(0) - D L) * g_b``) **clients kept**. Every part is computed so that the
five sum to ``D P`` to rounding, whatever the inputs (also where the identity of the
client-months does not hold, or ``C_b = 0``: then ``g_b`` is taken as 0 and the whole
difference in gross profit is value per client).

A strategy that wins more clients also has more clients to lose: its ``clients kept`` part
can be negative while its churn rate is lower. The parts are additive accounting, not causes;
the monthly table says which mechanism moved them (docs/STUDIES.md).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

Values = float | npt.NDArray[np.float64]

#: The parts, in the order the tables show them: key -> label.
PARTS: dict[str, str] = {
    "clients_won": "Extra clients won",
    "clients_kept": "Clients kept",
    "value_per_client": "Gross profit per client-month",
    "staff_cost": "Staff cost",
    "other_cost": "Other cost",
}

#: The whole-horizon metrics the split reads (``sim.metrics.summary``).
INPUTS = (
    "gross_profit",
    "staff_cost",
    "other_cost",
    "client_months",
    "inflow_client_months",
)


def per_client_month(gross_profit: Values, months: Values) -> npt.NDArray[np.float64]:
    """Return gross profit per client-month, 0 where there were no client-months.

    Parameters
    ----------
    gross_profit
        Gross profit over the horizon, USD, any shape.
    months
        Client-months over the horizon (non-negative), broadcastable with ``gross_profit``.

    Returns
    -------
    numpy.ndarray
        USD per client-month, the broadcast shape.
    """
    g, c = np.asarray(gross_profit, dtype=float), np.asarray(months, dtype=float)
    safe = np.where(c > 0, c, 1.0)
    return np.where(c > 0, g / safe, 0.0)


def decompose(
    strategy: Mapping[str, Values], baseline: Mapping[str, Values]
) -> dict[str, npt.NDArray[np.float64]]:
    """Split the difference in operating profit, strategy minus baseline, into five parts.

    Parameters
    ----------
    strategy, baseline
        Whole-horizon metrics of paired runs (``sim.metrics.summary``), each a float or an
        array of one value per replication (the same shape on both sides): the keys of
        ``INPUTS`` -- ``gross_profit``, ``staff_cost``, ``other_cost`` [USD],
        ``client_months``, ``inflow_client_months`` [client-months].

    Returns
    -------
    dict of str to numpy.ndarray
        The keys of ``PARTS`` [USD], in its order, then ``total``: the difference in operating
        profit, ``D gross_profit - D staff_cost - D other_cost`` (equal to ``D profit`` to
        rounding, as each month's profit is its gross profit less its costs). The parts sum
        to ``total`` to rounding (see the module's identity). A saving in cost is positive.

    Raises
    ------
    KeyError
        If a metric of ``INPUTS`` is missing.
    """
    s = {k: np.asarray(strategy[k], dtype=float) for k in INPUTS}
    b = {k: np.asarray(baseline[k], dtype=float) for k in INPUTS}
    g_base = per_client_month(b["gross_profit"], b["client_months"])
    won = (s["inflow_client_months"] - b["inflow_client_months"]) * g_base
    clients = (s["client_months"] - b["client_months"]) * g_base
    gross = s["gross_profit"] - b["gross_profit"]
    staff = b["staff_cost"] - s["staff_cost"]
    other = b["other_cost"] - s["other_cost"]
    parts = {
        "clients_won": won,
        "clients_kept": clients - won,
        "value_per_client": gross - clients,
        "staff_cost": staff,
        "other_cost": other,
    }
    parts["total"] = gross + staff + other  # = D profit, as profit = G - S - O
    return parts
