"""Client-department specialists: office staff who serve clients and collect payments."""

from __future__ import annotations

from sim.agents.staff import Staff


class Specialist(Staff):
    """Serves a large book from the office: takes orders, chases payments, flags problems.

    A specialist never visits. When a client's visible satisfaction drops below the escalation
    threshold, the specialist calls the hunter who won it (seed 000, "protect your
    investments"), if escalation is on. These calls come first; the book gets the rest of the
    day.
    """

    role = "specialist"

    def step(self) -> None:
        """One working day: flag at-risk clients to their hunters, then serve the book."""
        call_hours = self.model.scenario.specialists.escalation_call_hours
        day = self.model.hours_per_day
        calls = self.model.flagged_clients(self.staff_idx)
        if call_hours > 0:
            calls = calls[: int(day / call_hours)]
        for client_id in calls:
            self.model.escalate(int(client_id))
        self.start_day(day - len(calls) * call_hours)
        self.spend("escalation", len(calls) * call_hours)
