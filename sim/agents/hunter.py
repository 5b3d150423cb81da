"""Hunters: field sellers who win clients and hand them to the client department."""

from __future__ import annotations

from collections import deque

from sim.agents.seller import Seller


class Hunter(Seller):
    """Wins clients, serves them through the first deals, then hands them to a specialist.

    After the hand-off the hunter stays the supervising seller: he keeps the ongoing bonus,
    visits when a specialist escalates, and makes the periodic consultative visits (seed 000).
    """

    role = "hunter"

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
        if not self.model.specialists:
            return
        handoff = self.model.scenario.handoff
        personal = handoff.style == "personal"
        while self._handoffs and self._handoffs[0][0] <= day:
            _, client_id, won_day = self._handoffs[0]
            if client_id in self.book and self.model.book.won_day[client_id] == won_day:
                if personal and not self.try_spend("handoff", handoff.intro_hours):
                    return
                self.model.hand_off(client_id, personal=personal)
            self._handoffs.popleft()
