"""What every staff member has: a working day of hours, a book of clients and its workload."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

from sim.economics import attention, load_ratio

if TYPE_CHECKING:
    from sim.mechanisms import Mechanisms
    from sim.model import SalesModel

ACTIVITIES = (
    "serving",
    "handoff",
    "visits",
    "responses",
    "pipeline",
    "calls",
    "escalation",
    "letters",
    "vip",
)


class Staff(Agent):
    """A staff member with a daily time budget and a book of clients to serve.

    ``load_hours`` is the service time per day the book demands; ``attention`` is the share of
    it the person actually gave today (1 when not overloaded), and the load ratio (demand over
    the day's hours, kept in ``SalesModel.staff_load_ratio``) how far above capacity he works.
    ``mechanisms`` are the mechanisms the person acts through, given once by the model when it
    has built them.
    """

    mechanisms: Mechanisms

    def __init__(self, model: SalesModel, staff_idx: int, load: np.ndarray) -> None:
        super().__init__(model)
        self.staff_idx = staff_idx
        self.book: set[int] = set()
        self.load_hours = 0.0
        self.attention = 1.0
        self.hours_left = 0.0
        self._load = load  # service hours per day of each client, for this role
        self.hours_by_activity = dict.fromkeys(ACTIVITIES, 0.0)

    @property
    def attention(self) -> float:
        """Share of the book's demand given today, 0-1 (kept in ``SalesModel.staff_attention``)."""
        return float(self.model.staff_attention[self.staff_idx])

    @attention.setter
    def attention(self, share: float) -> None:
        self.model.staff_attention[self.staff_idx] = share

    @property
    def vacant(self) -> bool:
        """Whether the seat is empty (never, but for a seller who quit)."""
        return False

    def take(self, client_id: int) -> None:
        """Add a client to this person's book."""
        self.book.add(client_id)
        self.load_hours += float(self._load[client_id])
        self.model.book.server[client_id] = self.staff_idx

    def drop(self, client_id: int) -> None:
        """Remove a client from this person's book (the caller sets its new server)."""
        self.book.discard(client_id)
        self.load_hours = max(0.0, self.load_hours - float(self._load[client_id]))
        if not self.book:
            self.load_hours = 0.0

    def relative_load(self) -> float:
        """Workload of the book as a share of a working day."""
        return self.load_hours / self.model.hours_per_day

    def start_day(self, hours: float | None = None) -> None:
        """Serve the book first: attention is what the day allows of what the book demands."""
        hours = self.model.hours_per_day if hours is None else hours
        served = min(self.load_hours, hours)
        self.attention = attention(self.load_hours, hours)
        self.model.staff_load_ratio[self.staff_idx] = load_ratio(self.load_hours, hours)
        self.hours_left = hours - served
        self.spend("serving", served)

    def spend(self, activity: str, hours: float) -> None:
        """Book time spent on an activity (for utilisation and time-use outputs)."""
        self.hours_by_activity[activity] += hours

    def try_spend(self, activity: str, hours: float) -> bool:
        """Spend ``hours`` on an activity if the day still has them."""
        if hours > self.hours_left + 1e-9:
            return False
        self.hours_left -= hours
        self.spend(activity, hours)
        return True

    def reset_month(self) -> dict[str, float]:
        """Return this month's hours by activity and start a new month."""
        used, self.hours_by_activity = self.hours_by_activity, dict.fromkeys(ACTIVITIES, 0.0)
        return used
