"""Run one scenario and summarise it."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config.schema import Scenario
from sim.model import SalesModel


@dataclass(frozen=True)
class RunResult:
    """The monthly table of one run, with what produced it."""

    scenario: Scenario
    seed: int
    frame: pd.DataFrame
    wall_time_s: float


def run_scenario(scenario: Scenario, seed: int | None = None) -> RunResult:
    """Build the model for ``scenario`` and run it to its horizon."""
    seed = scenario.seed if seed is None else seed
    start = time.perf_counter()
    frame = SalesModel(scenario, seed=seed).run()
    return RunResult(scenario, seed, frame, time.perf_counter() - start)


SUMMARY_NAMES = (
    "years",
    "revenue_collected",
    "staff_cost",
    "other_cost",
    "profit",
    "new_clients",
    "reactivated_clients",
    "lost_clients",
    "active_start",
    "active_end",
    "final_year_profit",
    "final_year_new_clients",
    "final_year_churn",
    "retention_12m",
    "unattended_share",
    "headcount",
    "quits",
    "hires",
    "letters_sent",
    "letter_responses",
    "letter_revenue",
    "vip_meetings",
    "vip_fixes",
    "vip_uplift_revenue",
)  # the keys of summary(), in its order


def summary(frame: pd.DataFrame) -> dict[str, float]:
    """Whole-horizon totals and final-year rates of one run."""
    last = frame[frame["year"] == frame["year"].max()]
    active_start = (
        frame["active_clients"].iloc[0]
        - frame["new_clients"].iloc[0]
        - frame["reactivated_clients"].iloc[0]
        + frame["lost_clients"].iloc[0]
    )
    mean_active = last["active_clients"].mean()
    return {
        "years": int(frame["year"].max()),
        "revenue_collected": float(frame["revenue_collected"].sum()),
        "staff_cost": float(frame["staff_cost"].sum()),
        "other_cost": float(frame["other_cost"].sum()),
        "profit": float(frame["profit"].sum()),
        "new_clients": float(frame["new_clients"].sum()),
        "reactivated_clients": float(frame["reactivated_clients"].sum()),
        "lost_clients": float(frame["lost_clients"].sum()),
        "active_start": float(active_start),
        "active_end": float(frame["active_clients"].iloc[-1]),
        "final_year_profit": float(last["profit"].sum()),
        "final_year_new_clients": float(last["new_clients"].sum()),
        "final_year_churn": float(last["lost_clients"].sum() / mean_active)
        if mean_active
        else np.nan,
        "retention_12m": float(frame["retention_12m"].iloc[-1]),
        "unattended_share": float(frame["unattended_share"].iloc[-1]),
        "headcount": float(frame["headcount"].iloc[-1]),
        "quits": float(frame["quits"].sum()),
        "hires": float(frame["hires"].sum()),
        "letters_sent": float(frame["letters_sent"].sum()),
        "letter_responses": float(frame["letter_responses"].sum()),
        "letter_revenue": float(frame["letter_revenue"].sum()),
        "vip_meetings": float(frame["vip_meetings"].sum()),
        "vip_fixes": float(frame["vip_fixes"].sum()),
        "vip_uplift_revenue": float(frame["vip_uplift_revenue"].sum()),
    }


def format_summary(name: str, seed: int, frame: pd.DataFrame) -> str:
    """Return a short readable summary of one run."""
    s = summary(frame)
    years = int(s["years"])

    def money(x: float) -> str:
        sign = "-" if x < 0 else ""
        return f"{sign}${abs(x) / 1e6:,.2f}M" if abs(x) >= 1e6 else f"{sign}${abs(x):,.0f}"

    def rate(x: float) -> str:
        return "n/a" if np.isnan(x) else f"{x:.1%}"

    def count(n: float, noun: str) -> str:
        return f"{n:,.0f} {noun}{'' if n == 1 else 's'}"

    extras = [
        f"  people: {count(s['quits'], 'seller')} quit, {count(s['hires'], 'replacement')} hired"
    ]
    if s["letters_sent"]:
        extras.append(
            f"  letters: {s['letters_sent']:,.0f} sent, {s['letter_responses']:,.0f} answered, "
            f"{money(s['letter_revenue'])} booked from the answers"
        )
    if s["vip_meetings"]:
        extras.append(
            f"  VIP programme: {s['vip_meetings']:,.0f} key-client meetings, "
            f"{s['vip_fixes']:.0f} bottlenecks fixed, "
            f"{money(s['vip_uplift_revenue'])} of extra usage"
        )
    return "\n".join(
        [
            f"{name} (seed {seed}, {years} year{'s' if years != 1 else ''})",
            f"  {years}-year totals: revenue collected {money(s['revenue_collected'])}, "
            f"staff cost {money(s['staff_cost'])}, other cost {money(s['other_cost'])}, "
            f"profit {money(s['profit'])}",
            f"  clients: {s['active_start']:.0f} active at start -> {s['active_end']:.0f} at end; "
            f"{s['new_clients']:.0f} won, {s['reactivated_clients']:.0f} reactivated, "
            f"{s['lost_clients']:.0f} lost",
            f"  final year: profit {money(s['final_year_profit'])}, "
            f"new clients {s['final_year_new_clients']:.0f}, "
            f"clients lost / mean active {rate(s['final_year_churn'])}, "
            f"12-month retention {rate(s['retention_12m'])}, "
            f"unattended share of the base {rate(s['unattended_share'])}, "
            f"headcount {s['headcount']:.0f}",
            *extras,
        ]
    )
