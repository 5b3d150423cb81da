"""Account managers (seed 003): one person who both sells to and serves a large client.

``AccountManager`` is the person; ``Accounts`` moves the clients of the account segments to
the account managers (account transfers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sim.agents.seller import Seller
from sim.agents.staff import Staff
from sim.assignment import move_client

if TYPE_CHECKING:
    from sim.agents.client import ClientBook
    from sim.ledger import Ledger


class AccountManager(Seller):
    """Serves a few large clients at close-work intensity and is their only contact.

    A client of a segment in ``accounts.segments`` goes to an account manager with room when its
    close work is over (or when it is served anew), instead of to a specialist or staying with
    the generalist who won it; the account manager becomes its owner and server. Close contact
    uncovers needs at a seller's rate (projects), and the account manager makes the periodic
    consultative visits and follows up letter responses. He does not prospect.
    """

    def step(self) -> None:
        """One working day: serve, follow up responses, visit."""
        day = self.model.day
        self.start_day()
        self._follow_up_responses(day)
        self._visit_due_clients(day)

    def take(self, client_id: int) -> None:
        """Serve a client (``Accounts`` checks there is room first)."""
        super(Seller, self).take(client_id)

    def has_room(self, load_hours: float) -> bool:
        """Whether a client of this service load fits in the book."""
        limit = self.model.scenario.accounts.book_limit_load * self.model.hours_per_day
        return bool(self.load_hours + load_hours <= limit + 1e-9)


class Accounts:
    """Account transfers: a client of an account segment goes to the account manager with room.

    Parameters
    ----------
    book
        The client book (``segment``, ``owner``, ``server``).
    staff
        All staff, by staff index.
    managers
        The account managers (may be empty: no transfers).
    segments
        Whether each size segment (small, medium, xl) is an account segment, shape (3,).
    close_load
        Service hours a day each client needs at close-work intensity, shape (clients,).
    ledger
        The month's counters (``account_transfers``).
    """

    def __init__(
        self,
        book: ClientBook,
        staff: list[Staff],
        managers: list[AccountManager],
        segments: npt.NDArray[np.bool_],
        close_load: npt.NDArray[np.float64],
        ledger: Ledger,
    ) -> None:
        self.book = book
        self.staff = staff
        self.managers = managers
        self._manager_seats = frozenset(m.staff_idx for m in managers)
        self.segments = segments
        self.close_load = close_load
        self.ledger = ledger

    def transfer(self, client_id: int) -> bool:
        """Give a client of an account segment to the account manager with the most room.

        The account manager becomes its owner and server. Return whether the client is with an
        account manager now (moved, or already there).
        """
        b = self.book
        if not self.managers or not self.segments[b.segment[client_id]]:
            return False
        if int(b.server[client_id]) in self._manager_seats:
            return True  # already with one
        manager = min(self.managers, key=Staff.relative_load)
        if not manager.has_room(float(self.close_load[client_id])):
            return False
        move_client(b, self.staff, client_id, manager)
        self.ledger.add("account_transfers", 1)
        return True
