"""Client-department specialists: office staff who serve clients and collect payments.

``Specialist`` is the person; ``Escalation`` flags the at-risk clients in the specialists'
books each morning and passes a specialist's call to the client's seller (seed 000).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import economics as eco
from sim.agents.staff import Staff
from sim.assignment import seller_of

if TYPE_CHECKING:
    from sim.agents.client import ClientBook
    from sim.config.schema import EscalationConfig, SpecialistConfig
    from sim.ledger import Ledger


class Specialist(Staff):
    """Serves a large book from the office: takes orders, chases payments, flags problems.

    A specialist never visits. When a client's visible satisfaction drops below the escalation
    threshold, the specialist calls its owner, the seller who won it or was given it (a
    hunter, generalist or account manager; seed 000, "protect your investments"), if
    escalation is on. These calls come first; the book gets the rest of the
    day.
    """

    def step(self) -> None:
        """One working day: flag at-risk clients to their owners, then serve the book."""
        escalation = self.mechanisms.escalation
        call_hours = self.model.scenario.specialists.escalation_call_hours
        hours = self.model.hours_per_day
        calls = escalation.flagged(self.staff_idx)
        if call_hours > 0:
            calls = calls[: int(hours / call_hours)]
        for client_id in calls:
            escalation.escalate(int(client_id), self.model.day)
        self.start_day(hours - len(calls) * call_hours)
        self.spend("escalation", len(calls) * call_hours)


class Escalation:
    """At-risk clients flagged to the specialists, and their calls to the clients' owners.

    Parameters
    ----------
    cfg
        The ``escalation`` section (threshold, cool-down).
    book
        The client book.
    staff
        All staff, by staff index.
    specialists
        The client department (without one, no client is flagged).
    ledger
        The month's counters (``escalations``).
    days_per_month
        Working days in a month.
    """

    def __init__(
        self,
        cfg: EscalationConfig,
        book: ClientBook,
        staff: list[Staff],
        specialists: list[Specialist],
        ledger: Ledger,
        days_per_month: int,
    ) -> None:
        self.cfg = cfg
        self.book = book
        self.staff = staff
        # Whether each seat is a specialist's, shape (staff + 1,), last slot "no one".
        self.staff_is_specialist = np.zeros(len(staff) + 1, dtype=np.bool_)
        self.staff_is_specialist[[s.staff_idx for s in specialists]] = True
        self.ledger = ledger
        self.cooldown_days = cfg.cooldown_months * days_per_month
        self.on = cfg.enabled and bool(specialists)
        self._flags: dict[int, list[int]] = {}

    def flag(self, day: int) -> None:
        """Flag today's at-risk clients: below the threshold, owned, in a specialist's book.

        A client flagged is not flagged again within the cool-down.
        """
        self._flags = {}
        if not self.on:
            return
        b = self.book
        ids = b.active_ids()
        ids = ids[b.satisfaction[ids] < self.cfg.satisfaction_threshold]
        server = b.server[ids]
        flagged = (
            self.staff_is_specialist[server]
            & (b.owner[ids] >= 0)
            & (day - b.last_flag_day[ids] >= self.cooldown_days)
        )
        for client_id, staff_idx in zip(
            ids[flagged].tolist(), server[flagged].tolist(), strict=True
        ):
            self._flags.setdefault(staff_idx, []).append(client_id)

    def flagged(self, staff_idx: int) -> list[int]:
        """Return the at-risk clients in a specialist's book today."""
        return self._flags.get(staff_idx, [])

    def escalate(self, client_id: int, day: int) -> None:
        """Pass a specialist's call to the client's seller, who will visit."""
        self.book.last_flag_day[client_id] = day
        seller = seller_of(self.book, self.staff, client_id)
        if seller is not None:
            seller.escalations.append(client_id)
            self.ledger.add("escalations", 1)


def pay_basis_by_seat(
    cfg: SpecialistConfig, specialists: list[Specialist], seats: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return each seat's multiples of its clients' order rate and incident chance (ODD 7.21).

    Parameters
    ----------
    cfg
        The ``specialists`` section (``pay_basis``, ``pay_weight`` and the effects per weight).
    specialists
        The client department.
    seats
        Staff seats, the "no one" slot included (staff + 1).

    Returns
    -------
    tuple of numpy.ndarray
        ``(orders, incidents)``, each shape (seats,): ``sim.economics.pay_basis_multipliers``
        at the specialists' seats, 1 everywhere else (so a weight of 0 is exactly no change).
    """
    orders, incidents = np.ones(seats), np.ones(seats)
    order_m, incident_m = eco.pay_basis_multipliers(
        cfg.pay_basis, cfg.pay_weight, cfg.order_effect_per_weight, cfg.error_effect_per_weight
    )
    idx = [s.staff_idx for s in specialists]
    orders[idx] = order_m
    incidents[idx] = incident_m
    return orders, incidents
