"""End-of-month accounting: pay the month's fixed costs and write one row of the table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import economics as eco
from sim.agents.client import NO_ONE
from sim.ledger import COLUMNS
from sim.roles import NAMES, ROLES, hunting_salary_usd

if TYPE_CHECKING:
    from sim.model import SalesModel

HUNTING = ("calls", "pipeline")


def month_row(model: SalesModel) -> dict[str, float]:
    """Close the month: counters, fixed costs, snapshot of clients and staff.

    Parameters
    ----------
    model
        The model at the end of a month (``model.day`` a multiple of ``days_per_month``).

    Returns
    -------
    dict of str to float
        One row of the monthly table: every column of ``sim.ledger.COLUMNS`` (0 where the month
        had none), money in USD for the month, counts, shares 0-1, and NaN where a ratio has no
        denominator (no active clients, no hunting sellers, before month 12 for
        ``retention_12m``).

    Notes
    -----
    Closing the month is not pure; it starts the next month in the model's accounts:

    - the ledger's month counters are returned and reset to zero (``Ledger.close``);
    - the bonuses accrued by role are taken and reset to zero (``Bonuses.take``);
    - the hunting sellers' smoothed pay takes in the month's salary and bonuses
      (``Staffing.close_pay_month``);
    - every staff member on the payroll returns its hours by activity and starts a new month
      (``Staff.reset_month``; vacant seats are skipped);
    - twelve-month retention records this month end's active clients (``Retention``);
    - the cohorts are counted; their membership does not change (``Cohorts.close_month``).
    """
    counts = model.ledger.close()
    month = model.day // model.days_per_month
    row: dict[str, float] = dict.fromkeys(COLUMNS, 0.0)
    row.update({k: v for k, v in counts.items() if k in row})
    row["month"] = month
    row["year"] = (month - 1) // 12 + 1
    row.update(_client_snapshot(model))
    row.update(_staff_costs(model))
    row["pay_to_market"] = model.staffing.close_pay_month(model.bonuses.last_month)
    row["lost_clients"] = row["lost_lapsed"] + row["lost_to_competitor"]
    row["retention_12m"] = model.retention.close_month(model.book.active_ids(), model.book.state)
    row.update(model.cohorts.close_month(month, model.book.active_ids()))
    other = (
        model.scenario.money.billing_system_usd_per_month
        if (model.scenario.organisation.billing_system and model.specialists)
        else 0.0
    )
    row["billing_system"] = other
    row["other_cost"] = other + row["letters_postage"] + row["vip_fixes_cost"]
    row["letters_cost"] = row["writer_cost"] + row["letters_postage"]
    hourly = hunting_salary_usd(model.scenario) / (model.hours_per_day * model.days_per_month)
    row["vip_seconded_cost"] = row["vip_seconded_hours"] * hourly
    row["vip_cost"] = row["vip_lead_cost"] + row["vip_fixes_cost"] + row["vip_seconded_cost"]
    row["total_cost"] = row["staff_cost"] + row["other_cost"]
    row["gross_profit"] = row["revenue_collected"] - row["cost_of_goods"]
    row["profit"] = row["gross_profit"] - row["total_cost"]  # operating profit
    hunting_sellers = len(model.hunting_sellers)
    row["new_clients_per_seller"] = (
        row["new_clients"] / hunting_sellers if hunting_sellers else np.nan
    )
    return row


def _client_snapshot(model: SalesModel) -> dict[str, float]:
    b = model.book
    active = b.active_ids()
    dormant = b.dormant_ids()
    server = b.server[active]
    base = active.size + dormant.size
    unattended = np.count_nonzero(server == NO_ONE) + dormant.size
    seg = np.bincount(b.segment[active], minlength=3)
    mean = (lambda a: float(a.mean())) if active.size else (lambda a: np.nan)
    return {
        "active_clients": active.size,
        "dormant_clients": dormant.size,
        "active_small": seg[0],
        "active_medium": seg[1],
        "active_xl": seg[2],
        "receivables": float(b.receivable.sum()),
        "unattended_share": unattended / base if base else np.nan,
        "mean_attention": mean(model.staff_attention[server]),
        "mean_load_ratio": mean(model.staff_load_ratio[server]),
        "mean_satisfaction": mean(b.satisfaction[active]),
        "mean_hidden": mean(b.hidden[active]),
        "key_clients": int(np.count_nonzero(b.tier[active] > 0)),
        "active_consultative": int(np.count_nonzero(b.consultative[active])),
        "second_lifetime_clients": int(np.count_nonzero(b.lifetimes[active] > 1)),
    }


def _staff_costs(model: SalesModel) -> dict[str, float]:
    """Pay the month's staff by role (``sim.roles.ROLES``) and take the staff's snapshot."""
    s, money = model.scenario, model.scenario.money
    bonuses = model.bonuses.take()
    available = model.hours_per_day * model.days_per_month
    out: dict[str, float] = {}
    hunting = 0.0
    for role in ROLES:
        r = role.name
        members = [m for m in model.role_members(r) if not m.vacant]
        n = len(members)
        hours = [m.reset_month() for m in members]
        bonus = bonuses[r] + role.fixed_bonus_usd(s) * n
        out[f"{r}_headcount"] = n
        out[f"{r}_salaries"] = role.salary_usd(s) * n
        out[f"{r}_bonuses"] = bonus
        out[f"{r}_desks"] = eco.desks_needed(n, role.desks_per_person(s)) * money.desk_usd_per_month
        out[f"{r}_cost"] = out[f"{r}_salaries"] + bonus + out[f"{r}_desks"]
        used = sum(sum(h.values()) for h in hours)
        out[f"{r}_utilisation"] = used / (available * n) if n else np.nan
        out[f"{r}_clients_served"] = sum(len(m.book) for m in members)
        hunting += sum(h[a] for h in hours for a in HUNTING)
    for kind, col in (("salaries", "salaries"), ("bonuses", "bonuses"), ("desks", "desks")):
        out[col] = sum(out[f"{r}_{kind}"] for r in NAMES)
    out["staff_cost"] = out["salaries"] + out["bonuses"] + out["desks"]
    out["headcount"] = sum(out[f"{r}_headcount"] for r in NAMES)
    hunting_sellers = len(model.hunting_sellers)
    out["hunting_hours_per_seller"] = hunting / hunting_sellers if hunting_sellers else np.nan
    on_staff = [s for s in model.hunting_sellers if not s.vacant]
    ramp = model.scenario.staffing.ramp_months
    out["vacancies"] = hunting_sellers - len(on_staff)
    out["newcomers"] = sum(s.experience_months() < ramp for s in on_staff)
    out["mean_morale"] = float(np.mean([s.morale for s in on_staff])) if on_staff else np.nan
    return out
