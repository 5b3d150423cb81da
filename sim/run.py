"""Run one scenario and summarise it (the metrics are those of ``sim.metrics``)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config.schema import Scenario
from sim.metrics import SUMMARY_NAMES, summary
from sim.model import SalesModel


@dataclass(frozen=True)
class RunResult:
    """Hold the monthly table of one run, with what produced it."""

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


def format_summary(name: str, seed: int, frame: pd.DataFrame) -> str:
    """Return a short readable summary of one run (``sim.metrics.summary``)."""
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
            f"cost of goods {money(s['cost_of_goods'])}, gross profit "
            f"{money(s['gross_profit'])}, staff cost {money(s['staff_cost'])}, other cost "
            f"{money(s['other_cost'])}, operating profit {money(s['profit'])}",
            f"  clients: {s['active_start']:.0f} active at start -> {s['active_end']:.0f} at end; "
            f"{s['new_clients']:.0f} won, {s['reactivated_clients']:.0f} reactivated, "
            f"{s['lost_clients']:.0f} lost",
            f"  final year: operating profit {money(s['final_year_profit'])}, "
            f"new clients {s['final_year_new_clients']:.0f}, "
            f"clients lost / mean active {rate(s['final_year_churn'])}, "
            f"12-month retention {rate(s['retention_12m'])}, "
            f"unattended share of the base {rate(s['unattended_share'])}, "
            f"headcount {s['headcount']:.0f}",
            *extras,
        ]
    )


__all__ = ["SUMMARY_NAMES", "RunResult", "format_summary", "run_scenario", "summary"]
