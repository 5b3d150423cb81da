"""The metrics of a run: one definition, read by the study, the report and the workshop."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim import metrics
from sim.report import tables
from sim.study.result import KEY_METRICS
from sim.workshop import app
from sim.workshop.session import ROUND_METRICS

SUMMED = (
    *metrics.TOTALS,
    *metrics.PEOPLE_TOTALS,
    *metrics.PROGRAMME_TOTALS,
    *metrics.BEHAVIOUR_TOTALS,
)


def table(months: int = 24, active: float = 100.0) -> pd.DataFrame:
    """Return a monthly table of ``months`` months with simple, known values."""
    month = np.arange(1, months + 1)
    frame = pd.DataFrame({"month": month, "year": (month - 1) // 12 + 1})
    for i, column in enumerate(SUMMED):
        frame[column] = month * (i + 1.0)
    frame["active_clients"] = active + month
    frame["retention_12m"] = np.where(month >= 12, 0.5 + month / 100, np.nan)
    frame["unattended_share"] = month / 1000
    frame["headcount"] = 10 + month
    frame["hunting_hours_per_seller"] = np.where(month > 2, 80.0 + month, np.nan)
    return frame


def test_the_summary_has_every_name_in_order_and_each_rule() -> None:
    frame = table()
    s = metrics.summary(frame)
    assert tuple(s) == metrics.SUMMARY_NAMES
    assert s["years"] == 2
    for column in SUMMED:
        assert s[column] == frame[column].sum()
    first = frame.iloc[0]
    assert s["active_start"] == (
        first["active_clients"]
        - first["new_clients"]
        - first["reactivated_clients"]
        + first["lost_clients"]
    )
    assert s["active_end"] == 124.0 and s["headcount"] == 34.0
    assert s["retention_12m"] == pytest.approx(0.74) and s["unattended_share"] == 0.024
    year_two = frame[frame["year"] == 2]
    assert s["final_year_profit"] == year_two["profit"].sum()
    assert s["final_year_new_clients"] == year_two["new_clients"].sum()
    churn = year_two["lost_clients"].sum() / year_two["active_clients"].mean()
    assert s["final_year_churn"] == pytest.approx(churn)


def test_behaviour_is_summed_averaged_and_a_share_of_the_escalations_settled() -> None:
    frame = table()
    s = metrics.summary(frame)
    assert s["hunting_hours_per_seller"] == pytest.approx(80.0 + np.arange(3, 25).mean())
    answered, dropped = frame["escalations_answered"].sum(), frame["escalations_unanswered"].sum()
    assert s["escalations_answered_share"] == pytest.approx(answered / (answered + dropped))
    frame["escalations_answered"] = frame["escalations_unanswered"] = 0.0
    frame["hunting_hours_per_seller"] = np.nan  # no hunting seller, no client department
    s = metrics.summary(frame)
    assert math.isnan(s["escalations_answered_share"])
    assert math.isnan(s["hunting_hours_per_seller"])


def test_a_part_year_is_the_final_year_and_retention_needs_12_months() -> None:
    frame = table(months=15)
    assert list(metrics.final_year(frame)["month"]) == [13, 14, 15]
    assert math.isnan(metrics.retention(table(months=11)))
    assert metrics.retention(frame) == pytest.approx(0.65)


def test_a_final_year_with_no_active_client_has_nan_churn() -> None:
    frame = table(months=12, active=0.0).assign(active_clients=0.0)
    assert math.isnan(metrics.final_year_churn(frame))
    assert math.isnan(metrics.summary(frame)["final_year_churn"])


def test_a_table_with_no_months_has_no_summary_but_its_totals_are_zero() -> None:
    empty = table().iloc[:0]
    assert metrics.total(empty, "profit") == 0.0
    with pytest.raises(ValueError, match="no months"):
        metrics.summary(empty)


def test_cumulative_profit_sums_from_the_first_month() -> None:
    frame = table(months=4)
    assert metrics.cumulative_profit(frame).tolist() == frame["profit"].cumsum().tolist()
    assert metrics.cumulative_profit(frame).iloc[-1] == metrics.total(frame, "profit")
    two = pd.concat([frame.assign(run=1), frame.assign(run=2)], ignore_index=True)
    per_run = metrics.cumulative_profit(two, ["run"]).tolist()
    assert per_run == metrics.cumulative_profit(frame).tolist() * 2


def test_the_study_the_report_and_the_workshop_show_the_same_headline() -> None:
    names = [m.name for m in metrics.HEADLINE]
    assert list(KEY_METRICS) == list(tables.HEADLINE) == list(ROUND_METRICS) == names
    assert set(names) <= set(metrics.SUMMARY_NAMES)
    assert [kind for _, kind in KEY_METRICS.values()] == [m.kind for m in metrics.HEADLINE]
    assert tables.BETTER["staff_cost"] == -1 and tables.BETTER["profit"] == 1
    assert tables.HEADLINE["revenue_collected"][0] == "revenue collected"
    assert KEY_METRICS["revenue_collected"][0] == "revenue"


def test_the_rounds_table_reads_the_headline_in_the_rooms_units() -> None:
    results = {m.name: 2e6 if m.kind == "money" else 0.5 for m in metrics.HEADLINE}
    results |= {"hunting_hours_per_seller": 80.0, "escalations_answered_share": 0.95}
    rounds = pd.DataFrame(
        [
            {
                "round": "r",
                "changes": "",
                **results,
                **{f"{name}_vs_baseline": value / 2 for name, value in results.items()},
            }
        ]
    )
    shown = app._readable(rounds)
    assert list(shown.columns[2::2]) == [
        "revenue $M",
        "gross profit $M",
        "staff cost $M",
        "op. profit $M",
        "retention %",
        "clients",
        "hunting h / seller / month",
        "escalations answered %",
    ]
    assert shown["op. profit $M"].iloc[0] == 2.0
    assert shown["hunting h / seller / month vs baseline"].iloc[0] == 40.0
    assert shown["escalations answered %"].iloc[0] == 95.0
    assert shown["retention % vs baseline"].iloc[0] == 25.0
