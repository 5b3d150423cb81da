"""Client cohorts: who is still a client, counted by the month they became one.

A client belongs to a cohort from the month it is won (cohort ``m``) or, for the clients active
when the run starts, to cohort 0; it leaves its cohort for good the first time it stops being
active (lapsed or taken by a competitor), so a reactivated client does not count again. At every
month end the cohorts' members still active are counted, and the row of that month records the
start's cohort and the cohorts won ``AGES`` months before: survival curves then come from the
monthly table alone (``sim.report.frames.survival``), and a month's row never changes later.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from sim.agents.client import ACTIVE

START = 0  # the cohort of the clients active at the start
OUTSIDE = -1  # prospects, dormant clients, and clients who have left their cohort
AGES = (1, 3, 6, 12, 18, 24, 36, 48)  # months since the month of the win, recorded monthly


def kept_column(age: int) -> str:
    """Return the monthly column of the clients won ``age`` months before, still active."""
    return f"won_kept_{age}m"


class Cohorts:
    """Keep the cohort of every client and count each cohort's members still active.

    Parameters
    ----------
    size
        Number of clients and prospects (the client book's size).
    months
        Months in the run; cohorts are numbered 0 (the start's clients) to ``months``.
    active
        Ids of the clients active at the start (they form cohort ``START``).
    """

    def __init__(self, size: int, months: int, active: np.ndarray) -> None:
        self.months = months
        self.of = np.full(size, OUTSIDE, dtype=np.int32)
        self.of[active] = START

    def join(self, client_id: int, month: int) -> None:
        """Start a cohort with a prospect won during ``month`` (1 = the first)."""
        self.of[client_id] = month

    def leave(self, ids: np.ndarray) -> None:
        """Remove clients that stopped being active from their cohort for good."""
        self.of[ids] = OUTSIDE

    def close_month(self, month: int, active: np.ndarray) -> dict[str, int]:
        """Count, at the end of ``month``, the start's clients and the cohorts ``AGES`` old."""
        members = self.of[active]
        counts = np.bincount(members[members >= 0], minlength=self.months + 1)
        row = {"start_clients_kept": int(counts[START])}
        for age in AGES:
            cohort = month - age
            row[kept_column(age)] = int(counts[cohort]) if cohort >= 1 else 0
        return row


class Retention:
    """Twelve-month retention: the active clients of the last 13 month ends.

    Parameters
    ----------
    active
        Ids of the clients active at the start (the reference of month 12).
    """

    def __init__(self, active: np.ndarray) -> None:
        self._history: deque[np.ndarray] = deque([active.copy()], maxlen=13)

    def close_month(self, active: np.ndarray, state: np.ndarray) -> float:
        """Record this month end's active ids; return the share of those of 12 months ago kept.

        ``state`` is every client's state (``ACTIVE`` = 1). NaN before month 12, and when no
        client was active 12 month ends ago.
        """
        history = self._history
        history.append(active.copy())
        if len(history) < 13:
            return np.nan
        then = history[0]
        if then.size == 0:
            return np.nan
        return float(np.count_nonzero(state[then] == ACTIVE) / then.size)
