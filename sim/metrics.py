"""The metrics of a run, defined once: pure functions of its monthly table.

A run's monthly table is the frame ``SalesModel.run()`` returns: one row per month, in order,
with the columns of docs/MODEL.md, appendix B. Every number a study stores per run
(``runs.csv``, ``summary.csv``), the report's headline, the command's run summary and the
workshop's rounds and running difference come from the functions below:

- ``summary``: every whole-horizon metric of one run, as a dict (keys ``SUMMARY_NAMES``);
- ``HEADLINE``: the six metrics strategies are compared on, with their labels, kinds and the
  direction that is better;
- ``total``, ``at_end``, ``final_year``, ``active_start``, ``final_year_churn``, ``retention``,
  ``client_months``, ``cumulative_profit``: the rules ``summary`` is made of, for a table of
  any number of months (the workshop applies them to the months played so far).

Money is in USD, shares are fractions 0-1, clients and people are counts. A metric is NaN,
not 0, when the group it is a share of is empty (each function says when).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Kind = Literal["money", "share", "count"]


@dataclass(frozen=True)
class Metric:
    """A headline metric: its key in ``summary``, how it is labelled and which way is better.

    Attributes
    ----------
    name : str
        Key in ``summary`` and column of ``runs.csv`` (its rows in ``summary.csv``).
    label : str
        Short label: the study's printed table and the workshop's rounds table.
    kind : {"money", "share", "count"}
        How a value is shown: USD, a fraction 0-1 shown as %, a count.
    better : {1, -1}
        1 when the highest value is the best, -1 when the lowest is.
    long_label : str
        Label where there is room (the report's headline table); ``label`` when empty.
    """

    name: str
    label: str
    kind: Kind
    better: int = 1
    long_label: str = ""

    @property
    def heading(self) -> str:
        """Return the long label, or the short one when there is no long one."""
        return self.long_label or self.label


# The metrics strategies are compared on, in the order every table shows them.
HEADLINE: tuple[Metric, ...] = (
    Metric("revenue_collected", "revenue", "money", long_label="revenue collected"),
    Metric("gross_profit", "gross profit", "money"),
    Metric("staff_cost", "staff cost", "money", better=-1),
    Metric("profit", "op. profit", "money", long_label="operating profit"),
    Metric("retention_12m", "retention", "share"),
    Metric("active_end", "clients", "count"),
)

# Monthly columns whose whole-horizon metric is their sum, under the same name.
TOTALS = (
    "revenue_collected",
    "cost_of_goods",
    "gross_profit",
    "staff_cost",
    "other_cost",
    "profit",
    "new_clients",
    "reactivated_clients",
    "lost_clients",
)
PEOPLE_TOTALS = ("quits", "hires")
PROGRAMME_TOTALS = (
    "letters_sent",
    "letter_responses",
    "letter_revenue",
    "vip_meetings",
    "vip_fixes",
    "vip_uplift_revenue",
)
# What people did, summed: the behaviour a pay plan moves (MODEL.md 7.21, 7.22).
BEHAVIOUR_TOTALS = (
    "visits",
    "escalations_answered",
    "escalations_unanswered",
    "escalation_wait_days",
    "incidents",
)

SUMMARY_NAMES = (
    "years",
    *TOTALS,
    "active_start",
    "active_end",
    "final_year_profit",
    "final_year_new_clients",
    "final_year_churn",
    "retention_12m",
    "unattended_share",
    "headcount",
    *PEOPLE_TOTALS,
    *PROGRAMME_TOTALS,
    "client_months",
    "inflow_client_months",
    *BEHAVIOUR_TOTALS,
    "hunting_hours_per_seller",
    "escalations_answered_share",
)  # the keys of summary(), in its order


def total(frame: pd.DataFrame, column: str) -> float:
    """Sum a monthly column over the months of the table.

    Parameters
    ----------
    frame : pandas.DataFrame
        A monthly table (one row per month).
    column : str
        A flow column: a count or an amount of one month (``profit`` [USD], ``new_clients``
        [clients], ...).

    Returns
    -------
    float
        The sum, in the column's unit; 0.0 for a table with no months.
    """
    return float(frame[column].sum())


def at_end(frame: pd.DataFrame, column: str) -> float:
    """Return a monthly column's value in the last month of the table.

    Parameters
    ----------
    frame : pandas.DataFrame
        A monthly table with at least one month.
    column : str
        A stock or a share measured at month end (``active_clients``, ``headcount``, ...).

    Returns
    -------
    float
        The value, in the column's unit; NaN where the column is NaN that month.

    Raises
    ------
    IndexError
        If the table has no months.
    """
    return float(frame[column].iloc[-1])


def retention(frame: pd.DataFrame) -> float:
    """Return the 12-month retention at the end of the table.

    Parameters
    ----------
    frame : pandas.DataFrame
        A monthly table with at least one month.

    Returns
    -------
    float
        Share 0-1 of the clients active 12 month-ends before the last month's end (the start,
        for month 12) who are active at it. NaN before month 12 and when no client was active
        12 month-ends before.

    Raises
    ------
    IndexError
        If the table has no months.
    """
    return at_end(frame, "retention_12m")


def opening_clients(rows: pd.DataFrame) -> pd.Series:
    """Return the active clients at the start of each row's month.

    Parameters
    ----------
    rows : pandas.DataFrame
        Rows of monthly tables (any number, of any runs).

    Returns
    -------
    pandas.Series
        Per row [clients]: active at the month's end, less those won and reactivated in the
        month, plus those lost in it.
    """
    return (
        rows["active_clients"]
        - rows["new_clients"]
        - rows["reactivated_clients"]
        + rows["lost_clients"]
    )


def active_start(frame: pd.DataFrame) -> float:
    """Return the active clients at the start of the run.

    Parameters
    ----------
    frame : pandas.DataFrame
        A monthly table that begins with the run's first month.

    Returns
    -------
    float
        The clients active before the first month [clients] (``opening_clients`` of it).

    Raises
    ------
    IndexError
        If the table has no months.
    """
    return float(opening_clients(frame.iloc[:1]).iloc[0])


def final_year(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the months of the table's last year (all 12 months of a full run).

    Parameters
    ----------
    frame : pandas.DataFrame
        A monthly table with a ``year`` column.

    Returns
    -------
    pandas.DataFrame
        The rows whose ``year`` is the highest; no rows for a table with no months.
    """
    last: pd.DataFrame = frame[frame["year"] == frame["year"].max()]
    return last


def final_year_churn(frame: pd.DataFrame) -> float:
    """Return the clients lost in the last year per mean active client that year.

    Parameters
    ----------
    frame : pandas.DataFrame
        A monthly table with at least one month.

    Returns
    -------
    float
        Clients lost in the final year / the mean of the month-end active clients over its
        months [1/year for a full year]. NaN when no client was active at any of those
        month ends.
    """
    last = final_year(frame)
    mean_active = last["active_clients"].mean()
    if not mean_active:
        return np.nan
    return float(last["lost_clients"].sum() / mean_active)


def cumulative_profit(frame: pd.DataFrame, runs: list[str] | None = None) -> pd.Series:
    """Return the profit summed from each run's first month to each of its months.

    Parameters
    ----------
    frame : pandas.DataFrame
        One run's monthly table, or several runs' tables one after another.
    runs : list of str, optional
        Columns that tell the runs apart (``scenario, replication``); none for one run.

    Returns
    -------
    pandas.Series
        Per month [USD], with the table's index.
    """
    if runs:
        return frame.groupby(runs)["profit"].cumsum()
    return frame["profit"].cumsum()


def summary(frame: pd.DataFrame) -> dict[str, float]:
    """Return the whole-horizon metrics of one run.

    Parameters
    ----------
    frame : pandas.DataFrame
        One run's monthly table, from its first month (``SalesModel.run()``).

    Returns
    -------
    dict of str to float
        Keys ``SUMMARY_NAMES``, in that order: ``years`` (the last month's year); the
        ``TOTALS``, ``PEOPLE_TOTALS`` and ``PROGRAMME_TOTALS`` summed over the horizon (USD or
        counts); ``active_start`` and ``active_end`` (active clients before the first and at
        the last month's end); ``final_year_profit`` [USD] and ``final_year_new_clients``
        summed over the last year; ``final_year_churn`` (see ``final_year_churn``);
        ``retention_12m`` (see ``retention``), ``unattended_share`` (share 0-1 of the client
        base, active and dormant, no one serves; NaN when the base is empty) and
        ``headcount`` (staff) at the end; ``client_months`` and ``inflow_client_months``
        (see ``client_months``); the ``BEHAVIOUR_TOTALS`` summed (visits, escalations
        answered and dropped, the answered ones' days of waiting, incidents);
        ``hunting_hours_per_seller`` (the monthly column's mean over the months that have
        one [hours a month]; NaN with no hunting seller) and ``escalations_answered_share``
        (see ``escalations_answered_share``).

    Raises
    ------
    ValueError
        If the table has no months.
    """
    if frame.empty:
        raise ValueError("a monthly table with no months has no summary")
    last = final_year(frame)
    out: dict[str, float] = {"years": int(frame["year"].max())}
    out.update({column: total(frame, column) for column in TOTALS})
    out["active_start"] = active_start(frame)
    out["active_end"] = at_end(frame, "active_clients")
    out["final_year_profit"] = total(last, "profit")
    out["final_year_new_clients"] = total(last, "new_clients")
    out["final_year_churn"] = final_year_churn(frame)
    out["retention_12m"] = retention(frame)
    out["unattended_share"] = at_end(frame, "unattended_share")
    out["headcount"] = at_end(frame, "headcount")
    out.update({column: total(frame, column) for column in (*PEOPLE_TOTALS, *PROGRAMME_TOTALS)})
    out["client_months"], out["inflow_client_months"] = client_months(frame)
    out.update({column: total(frame, column) for column in BEHAVIOUR_TOTALS})
    hunting = frame["hunting_hours_per_seller"].dropna()
    out["hunting_hours_per_seller"] = float(hunting.mean()) if len(hunting) else math.nan
    out["escalations_answered_share"] = escalations_answered_share(frame)
    return out


def escalations_answered_share(frame: pd.DataFrame) -> float:
    """Return the share of the escalations settled that a seller's visit answered.

    Parameters
    ----------
    frame : pandas.DataFrame
        A monthly table with ``escalations_answered`` [visits] and ``escalations_unanswered``
        [flags] (dropped: the client left, recovered or waited too long; MODEL.md 7.13).

    Returns
    -------
    float
        ``answered / (answered + unanswered)`` over the table's months, a share 0-1; NaN when
        no escalation was settled (no client department, or escalation off).
    """
    answered = total(frame, "escalations_answered")
    settled = answered + total(frame, "escalations_unanswered")
    return answered / settled if settled > 0 else math.nan


def client_months(frame: pd.DataFrame) -> tuple[float, float]:
    """Return the client-months of a run, and the part the clients who came in account for.

    Parameters
    ----------
    frame : pandas.DataFrame
        One run's monthly table, from its first month.

    Returns
    -------
    tuple of float
        ``sum_t active(t)``, the month-end active clients summed over the months
        [client-months], and ``sum_t cum_in(t)``, the clients that came in (``new_clients`` +
        ``reactivated_clients``) up to each month end, summed over the months
        [client-months]: a client won in month t of T counts T - t + 1 months. Since
        ``active(t) = active(0) + cum_in(t) - cum_out(t)`` (``cum_out``: ``lost_clients`` up to
        month t), the first is ``T * active(0)`` + the second - the outflows' client-months
        (``sim.decompose``).
    """
    inflow = (frame["new_clients"] + frame["reactivated_clients"]).cumsum()
    return float(frame["active_clients"].sum()), float(inflow.sum())
