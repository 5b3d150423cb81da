"""Letter writers: the letter-sales section (seed 003), or its phone variant."""

from __future__ import annotations

from sim.agents.staff import Staff


class LetterWriter(Staff):
    """A non-seller who writes personal letters (or phones) to clients no one in sales works with.

    Each day the writer contacts the clients the section has not contacted for longest (dormant
    clients and active clients nobody serves), as many as ``letters.letters_per_day`` (or
    ``letters.phone_calls_per_day``) and the day allow. A client who answers is passed to a
    seller (``SalesModel.contact``). The writer serves no book; the rest of the day is other
    office work, not modelled.
    """

    role = "writer"

    def step(self) -> None:
        """One working day of letters (or calls)."""
        cfg = self.model.scenario.letters
        self.start_day()
        hours = cfg.hours_each(self.model.hours_per_day)
        count = int(min(cfg.per_day(), self.hours_left / hours + 1e-9))
        ids = self.model.next_contacts(count)
        if ids.size:
            self.try_spend("letters", ids.size * hours)
            self.model.contact(ids)
