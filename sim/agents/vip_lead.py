"""VIP-programme leads (seed 004): key-client meetings and the yearly pass over all clients."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.seller import WEEK
from sim.agents.staff import Staff

if TYPE_CHECKING:
    from sim.model import SalesModel


class VipLead(Staff):
    """Runs the VIP programme: meets key clients for the relationship and leads the yearly pass.

    Each week the lead plans the relationship meetings that are due (the most valuable clients
    monthly, the other key clients quarterly, seed 004), most valuable first, and holds them as
    time allows. During the yearly pass the rest of the day goes to questionnaires and service
    checks, with the sellers seconded to the pass. The lead serves no book.
    """

    role = "vip_lead"

    def __init__(self, model: SalesModel, staff_idx: int, load: np.ndarray) -> None:
        super().__init__(model, staff_idx, load)
        self.planned: deque[int] = deque()

    def step(self) -> None:
        """One working day: due relationship meetings, then the yearly pass."""
        model, day = self.model, self.model.day
        self.start_day()
        if day % WEEK == 0:
            self.planned = deque(model.vip_meetings_due(self, day).tolist())
        hours = model.scenario.vip.meeting_hours
        while self.planned and self.hours_left >= hours:
            client_id = self.planned.popleft()
            if model.vip_meeting_due(client_id, day) and self.try_spend("vip", hours):
                model.vip_meeting(client_id, day)
        model.work_on_pass(self, self.hours_left)
