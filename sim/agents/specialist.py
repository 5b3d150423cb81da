"""Client-department specialists: office staff who serve clients and collect payments."""

from __future__ import annotations

from sim.agents.staff import Staff


class Specialist(Staff):
    """Serves a large book from the office: takes orders, chases payments, flags problems.

    A specialist never visits. When a client's visible satisfaction drops below the escalation
    threshold, the specialist calls the hunter who won it (seed 000, "protect your
    investments"), if escalation is on and the day leaves time for the call.
    """

    role = "specialist"

    def step(self) -> None:
        """One working day: serve the book, then flag at-risk clients to their hunters."""
        self.start_day()
        call_hours = self.model.scenario.specialists.escalation_call_hours
        for client_id in self.model.flagged_clients(self.staff_idx):
            if not self.try_spend("escalation", call_hours):
                break
            self.model.escalate(int(client_id))
