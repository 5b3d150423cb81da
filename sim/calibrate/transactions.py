"""A run's transaction log: every booked order as a CRM-like row (client id, date, amount).

The simulator counts working days; a CRM counts calendar days. Working day ``t`` of a run is
dated ``start + floor(t × (365.25 / 12) / D)`` calendar days, ``D`` =
``calendar.working_days_per_month``: a simulated month of ``D`` working days spans a twelfth of
the Julian year, so rates a month are the same in both clocks, and with ``D <= 30`` every
working day gets its own date. ``start`` is :data:`START` unless given.

Only the clients' orders are logged (``ClientDynamics._orders``, after missed orders are taken
out): a won client's first deal and the projects of revealed needs are booked elsewhere and
are not orders of the client's repeat-purchase process (docs/MODEL.md, sections 7.5 and 8).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.config.schema import Scenario
from sim.economics import CALENDAR_DAYS_PER_MONTH as DAYS_PER_MONTH
from sim.model import SalesModel

START = pd.Timestamp("2000-01-01")
"""Calendar date of working day 0 when none is given (an arbitrary, documented origin)."""


def working_day_dates(days: np.ndarray, days_per_month: int, start: pd.Timestamp) -> pd.Series:
    """Return the calendar date of each working day.

    Parameters
    ----------
    days : numpy.ndarray
        Working days from 0, shape (n,).
    days_per_month : int
        Working days in a simulated month (``calendar.working_days_per_month``).
    start : pandas.Timestamp
        Date of working day 0.

    Returns
    -------
    pandas.Series
        Dates (datetime64), shape (n,): ``start + floor(t × (365.25/12) / D)`` days.
    """
    offset = np.floor(np.asarray(days, dtype=float) * DAYS_PER_MONTH / days_per_month)
    return pd.Series(start + pd.to_timedelta(offset.astype(np.int64), unit="D"))


@dataclass
class LoggedRun:
    """A run with its order log.

    Attributes
    ----------
    frame : pandas.DataFrame
        The monthly table (``SalesModel.timeseries``).
    orders : pandas.DataFrame
        One row per booked order: ``client`` (id, int), ``day`` (working day), ``amount``
        (USD), in booking order.
    days_per_month : int
        Working days a month of the run.
    """

    frame: pd.DataFrame
    orders: pd.DataFrame
    days_per_month: int

    def transactions(self, start: pd.Timestamp = START) -> pd.DataFrame:
        """Return the CRM-like log, one row per order, in booking order.

        Parameters
        ----------
        start : pandas.Timestamp
            Date of working day 0 (:func:`working_day_dates`).

        Returns
        -------
        pandas.DataFrame
            Columns ``client`` (id), ``date`` (ISO day, ``YYYY-MM-DD``) and ``amount`` (USD,
            rounded to the cent).
        """
        dates = working_day_dates(self.orders["day"].to_numpy(), self.days_per_month, start)
        return pd.DataFrame(
            {
                "client": self.orders["client"].to_numpy(),
                "date": dates.dt.strftime("%Y-%m-%d").to_numpy(),
                "amount": self.orders["amount"].round(2).to_numpy(),
            }
        )


def run_logged(scenario: Scenario, seed: int | None = None, days: int | None = None) -> LoggedRun:
    """Run ``scenario`` and record every order its clients book.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    seed : int, optional
        Root seed (default: the scenario's).
    days : int, optional
        Working days to run (default: the scenario's horizon).

    Returns
    -------
    LoggedRun
        The monthly table of the months completed and the order log.
    """
    model = SalesModel(scenario, seed=seed)
    log: list[tuple[int, np.ndarray, np.ndarray]] = []
    model.dynamics.order_log = log
    end = model.horizon_days if days is None else days
    while model.day < end:
        model.step()
    ids = [who for _, who, _ in log]
    orders = pd.DataFrame(
        {
            "client": np.concatenate(ids) if ids else np.empty(0, np.int64),
            "day": np.repeat([d for d, _, _ in log], [len(w) for w in ids]).astype(np.int64),
            "amount": np.concatenate([a for _, _, a in log]) if ids else np.empty(0),
        }
    )
    return LoggedRun(model.timeseries(), orders, model.days_per_month)
