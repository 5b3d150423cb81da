"""Monthly books: money and event counters summed over the month, then one tidy row.

The column list and units are in ``COLUMNS`` (and in docs/MODEL.md, kept equal by a test).
"""

from __future__ import annotations

from collections import defaultdict

from sim.cohorts import AGES, kept_column
from sim.roles import ROLES

COLUMNS: dict[str, str] = {
    "month": "month number, 1 = first month [month]",
    "year": "year number, 1 = first year [year]",
    "active_clients": "clients ordering and on the books at month end [clients]",
    "dormant_clients": "past clients who stopped ordering, at month end [clients]",
    "new_clients": "prospects won this month [clients]",
    "reactivated_clients": "dormant clients who ordered again this month [clients]",
    "lost_clients": "clients who left the active state (lapsed + to competitor) [clients]",
    "lost_lapsed": "clients who stopped ordering (became dormant) this month [clients]",
    "lost_to_competitor": "clients taken by a competitor this month [clients]",
    "active_small": "active small/medium clients at month end [clients]",
    "active_medium": "active medium/large clients at month end [clients]",
    "active_xl": "active extra-large clients at month end [clients]",
    "revenue_booked": "orders and projects booked this month [USD]",
    "revenue_new": "booked from clients in their first bonus months [USD]",
    "revenue_repeat": "booked from other clients' orders [USD]",
    "revenue_project": "booked from projects uncovered at visits or close work [USD]",
    "letter_revenue": "booked from orders that followed a letter (or call) [USD]",
    "vip_pitch_revenue": "booked from sales pitched at VIP meetings [USD]",
    "vip_uplift_revenue": "part of orders booked due to fixed bottlenecks (in new/repeat) [USD]",
    "vip_uplift_new": "the part of vip_uplift_revenue booked in revenue_new [USD]",
    "revenue_collected": "payments received this month [USD]",
    "bad_debt": "unpaid invoices written off this month [USD]",
    "receivables": "open invoices at month end [USD]",
    "salaries": "base pay of all staff this month [USD]",
    "bonuses": "bonuses of all staff this month [USD]",
    "desks": "cost of workplaces this month [USD]",
    "staff_cost": "salaries + bonuses + desks [USD]",
    "billing_system": "billing system cost this month [USD]",
    "letters_postage": "postage of letters (or call charges, phone variant) [USD]",
    "vip_fixes_cost": "one-off cost of bottlenecks fixed by the VIP programme [USD]",
    "other_cost": "tools and programmes (billing system, postage, VIP fixes) [USD]",
    "total_cost": "staff_cost + other_cost [USD]",
    "profit": (
        "operating profit: gross_profit - staff_cost - other_cost (= gross_profit - total_cost) "
        "[USD]"
    ),
    "retention_12m": (
        "share of the clients active 12 months ago (the start for month 12) still active (NaN "
        "before month 12 and when no client was active 12 months ago) [0-1]"
    ),
    "start_clients_kept": (
        "clients active at the start and active without a break since, at month end [clients]"
    ),
    "unattended_share": (
        "share of the client base (active + dormant) that no one serves (NaN when the base is "
        "empty) [0-1]"
    ),
    "mean_attention": (
        "mean attention active clients got at month end (NaN when no client is active) [0-1]"
    ),
    "mean_satisfaction": (
        "mean visible satisfaction of active clients at month end (NaN when no client is "
        "active) [0-1]"
    ),
    "mean_hidden": (
        "mean hidden dissatisfaction of active clients at month end (NaN when no client is "
        "active) [0-1]"
    ),
    "headcount": "staff at month end [people]",
    "calls": "prospecting calls made this month [calls]",
    "meetings": "meetings with prospects held this month [meetings]",
    "proposals": "proposals presented this month [proposals]",
    "prospects_to_competitor": "proposals lost to a competitor this month [prospects]",
    "visits": "personal visits to clients (consultative + escalation) this month [visits]",
    "escalations": "at-risk clients flagged by specialists to their hunter this month [flags]",
    "handoffs": "clients handed from a hunter to a specialist this month [clients]",
    "account_transfers": "clients given to an account manager this month [clients]",
    "projects": "unmet needs uncovered and booked as projects this month [projects]",
    "projects_lost": "uncovered needs the seller failed to develop into a project [projects]",
    "hunting_hours_per_seller": (
        "hours per hunting seller on calls and pipeline this month (NaN when the organisation "
        "has no hunters or generalists) [hours]"
    ),
    "new_clients_per_seller": (
        "new clients per hunting seller this month (NaN when the organisation has no hunters or "
        "generalists) [clients]"
    ),
    "letters_sent": "letters sent (or calls made) by the letter-sales section [letters]",
    "letter_responses": "clients who answered a letter (or call) [responses]",
    "letter_responses_lapsed": "responses no seller followed up in time [responses]",
    "letter_orders": "followed-up responses that became an order [orders]",
    "letters_cost": "writers' salaries, bonuses and desks + postage [USD]",
    "quits": "hunting sellers (hunters, generalists) who quit this month [people]",
    "newcomer_quits": "hunting sellers who quit within staffing.ramp_months of joining [people]",
    "newcomer_quit_risk": (
        "the newcomers' quit chances summed: expected newcomer_quits [expected people]"
    ),
    "hires": "replacements who started this month [people]",
    "vacancies": "empty hunting sellers' seats at month end [people]",
    "newcomers": "hunting sellers within staffing.ramp_months of joining, at month end [people]",
    "mean_morale": (
        "mean morale of the hunting sellers on staff at month end (NaN when none is) [0-1]"
    ),
    "active_consultative": "active consultative clients at month end [clients]",
    "consultative_lost": "consultative clients who left the active state this month [clients]",
    "key_clients": "active key clients at month end (tiers by value set at month start) [clients]",
    "key_clients_lost": "key clients who left the active state this month [clients]",
    "vip_meetings": "relationship meetings with key clients this month [meetings]",
    "vip_pitches": "VIP meetings with a sales pitch this month [meetings]",
    "vip_questionnaires": "questionnaires and service checks of the yearly pass [visits]",
    "vip_pass_missed": "active clients the yearly pass did not reach in its window [clients]",
    "vip_bottlenecks_found": "service bottlenecks found by the service checks [bottlenecks]",
    "vip_fixes": "bottlenecks fixed [bottlenecks]",
    "vip_seconded_hours": "hunting sellers' hours given to the yearly pass [hours]",
    "vip_seconded_cost": "those hours valued at the sellers' salary (inside salaries) [USD]",
    "vip_cost": "VIP leads' cost + fixes + seconded sellers' time at salary [USD]",
    "second_lifetime_clients": (
        "active clients back from dormancy (a second or later lifetime) at month end [clients]"
    ),
    "second_lifetime_lost": (
        "clients in a second or later lifetime who left the active state this month [clients]"
    ),
    "incidents": "service incidents clients noticed this month, missed orders included [incidents]",
    "orders_missed": "orders an overloaded server missed this month (not booked) [orders]",
    "revenue_missed": "value of the missed orders (not in revenue_booked) [USD]",
    "mean_load_ratio": (
        "mean load ratio (hours demanded / hours available) of the servers of active clients "
        "at month end, 0 for no server (NaN when no client is active) [ratio]"
    ),
    "cost_of_goods": (
        "cost of the goods behind the payments received: each payment x (1 - its payer's "
        "segment gross margin) [USD]"
    ),
    "gross_profit": "revenue_collected - cost_of_goods [USD]",
    "pay_to_market": (
        "mean over the hunting sellers in their seats of smoothed pay (salary + bonuses) / "
        "staffing.market_pay_usd_per_month (NaN when none is in a seat) [ratio]"
    ),
    "escalations_answered": "escalations answered by the seller's visit this month [visits]",
    "escalations_unanswered": (
        "escalations dropped without a visit this month: the client left, recovered or waited "
        "too long [flags]"
    ),
    "escalation_wait_days": (
        "working days from the specialist's call to the visit, summed over the escalations "
        "answered this month [days]"
    ),
}
for _age in AGES:
    COLUMNS[kept_column(_age)] = (
        f"clients won {_age} month{'s' if _age > 1 else ''} before this month, active without a "
        "break since [clients]"
    )
for _role in ROLES:  # the role columns, in the role table's order
    _name, _label = _role.name, _role.label
    COLUMNS[f"{_name}_headcount"] = f"{_label} at month end [people]"
    COLUMNS[f"{_name}_salaries"] = f"base pay of {_label} [USD]"
    COLUMNS[f"{_name}_bonuses"] = f"bonuses of {_label} [USD]"
    COLUMNS[f"{_name}_desks"] = f"workplaces of {_label} [USD]"
    COLUMNS[f"{_name}_cost"] = f"salaries + bonuses + desks of {_label} [USD]"
    COLUMNS[f"{_name}_utilisation"] = (
        f"hours worked / hours available, {_label} (NaN when there are none) [0-1]"
    )
    COLUMNS[f"{_name}_clients_served"] = f"clients in {_label}' books at month end [clients]"


class Ledger:
    """Counters summed over the current month."""

    def __init__(self) -> None:
        self.month: defaultdict[str, float] = defaultdict(float)

    def add(self, key: str, amount: float) -> None:
        """Add ``amount`` to this month's counter ``key``."""
        self.month[key] += amount

    def close(self) -> dict[str, float]:
        """Return this month's counters and start the next month from zero."""
        done, self.month = dict(self.month), defaultdict(float)
        return done


COUNT_UNITS = (
    "[clients]",
    "[calls]",
    "[meetings]",
    "[proposals]",
    "[prospects]",
    "[visits]",
    "[flags]",
    "[projects]",
    "[letters]",
    "[responses]",
    "[orders]",
    "[bottlenecks]",
    "[incidents]",
    "[people]",
    "[month]",
    "[year]",
)
COUNT_COLUMNS = tuple(
    name
    for name, text in COLUMNS.items()
    if text.endswith(COUNT_UNITS) and not name.endswith("_per_seller")
)
