"""Hunters: field sellers who win clients and hand them to the client department.

``Hunter`` is the person (he keeps the queue of his planned hand-offs); ``Handoff`` moves a
client from its hunter to a specialist, cold or with a personal introduction (seed 000).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from sim.agents.seller import Seller
from sim.agents.staff import Staff

if TYPE_CHECKING:
    from sim.agents.client import ClientBook
    from sim.agents.specialist import Specialist
    from sim.config.schema import HandoffConfig
    from sim.ledger import Ledger


class Hunter(Seller):
    """Wins clients, serves them through the first deals, then hands them to a specialist.

    After the hand-off the hunter stays the supervising seller: he keeps the ongoing bonus,
    visits when a specialist escalates, and makes the periodic consultative visits (seed 000).
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._handoffs: deque[tuple[float, int, int]] = deque()

    def take(self, client_id: int) -> None:
        """Serve a client; a client just won is queued for the hand-off."""
        super().take(client_id)
        won_day = int(self.model.book.won_day[client_id])
        if won_day == self.model.day:
            due = won_day + self.model.scenario.handoff.after_months * self.model.days_per_month
            self._handoffs.append((due, client_id, won_day))

    def handoffs_clear(self) -> None:
        """Forget the planned hand-offs (the hunter left)."""
        self._handoffs.clear()

    def before_selling(self, day: int) -> None:
        """Hand off the clients whose first months are over, if there is a client department."""
        handoff = self.mechanisms.handoff
        if not handoff.possible:
            return
        personal = handoff.cfg.style == "personal"
        while self._handoffs and self._handoffs[0][0] <= day:
            _, client_id, won_day = self._handoffs[0]
            if client_id in self.book and self.model.book.won_day[client_id] == won_day:
                if personal and not self.try_spend("handoff", handoff.cfg.intro_hours):
                    return
                handoff.hand_off(client_id, personal=personal)
            self._handoffs.popleft()


class Handoff:
    """The hand-off of a client from its hunter to the specialist with the most room.

    Parameters
    ----------
    cfg
        The ``handoff`` section (style, introduction hours, cold hand-off costs).
    book
        The client book.
    staff
        All staff, by staff index.
    specialists
        The client department (without one there is no hand-off).
    ledger
        The month's counters (``handoffs``).
    """

    def __init__(
        self,
        cfg: HandoffConfig,
        book: ClientBook,
        staff: list[Staff],
        specialists: list[Specialist],
        ledger: Ledger,
    ) -> None:
        self.cfg = cfg
        self.book = book
        self.staff = staff
        self.specialists = specialists
        self.ledger = ledger

    @property
    def possible(self) -> bool:
        """Whether there is a client department to hand clients to."""
        return bool(self.specialists)

    def hand_off(self, client_id: int, personal: bool) -> None:
        """Move a client from its hunter to the least-loaded specialist.

        A cold hand-off (not ``personal``) costs satisfaction and raises hidden dissatisfaction.
        """
        b, cfg = self.book, self.cfg
        self.staff[b.server[client_id]].drop(client_id)
        min(self.specialists, key=Staff.relative_load).take(client_id)
        if not personal:
            b.satisfaction[client_id] = max(
                0.0, b.satisfaction[client_id] - cfg.cold_satisfaction_drop
            )
            b.hidden[client_id] = min(1.0, b.hidden[client_id] + cfg.cold_hidden_rise)
        self.ledger.add("handoffs", 1)
