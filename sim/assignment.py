"""Who owns and who serves each client: giving a client a server, letting it go, moving it.

Every client has an owner (the seller who won it; bonuses, escalations, visits) and a server
(the person whose book it is in; attention, payments), both staff indices in the client book,
``-1`` for no one. The rules for a client who needs a server (at the start, when reactivated,
when its seller's book is full) are here; account transfers are ``Accounts``'s
(sim/agents/account_manager.py), the hunter's hand-off is ``Handoff``'s (sim/agents/hunter.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import numpy as np
import numpy.typing as npt

from sim.agents.client import NO_ONE
from sim.agents.staff import Staff

if TYPE_CHECKING:
    from sim.agents.account_manager import Accounts
    from sim.agents.client import ClientBook
    from sim.agents.generalist import Generalist
    from sim.agents.seller import Seller
    from sim.agents.specialist import Specialist


def seller_of(book: ClientBook, staff: list[Staff], client_id: int) -> Seller | None:
    """Return the supervising seller (owner) of a client, or None."""
    owner = int(book.owner[client_id])
    return cast("Seller", staff[owner]) if owner >= 0 else None


def release(book: ClientBook, staff: list[Staff], client_id: int) -> None:
    """Let the server drop a client: it stays in its state but no one attends to it."""
    server = book.server[client_id]
    if server >= 0:
        staff[server].drop(client_id)
    book.server[client_id] = NO_ONE


def move_client(book: ClientBook, staff: list[Staff], client_id: int, seller: Seller) -> None:
    """Move a client to another seller, who becomes its owner and its server."""
    release(book, staff, client_id)
    owner = seller_of(book, staff, client_id)
    if owner is not None:
        owner.disown(client_id)
    book.owner[client_id] = seller.staff_idx
    seller.own(client_id)
    seller.take(client_id)


class Assignment:
    """Give clients a server and let them go when a seller's book is full.

    Parameters
    ----------
    book
        The client book (``owner`` and ``server`` are written).
    staff
        All staff, by staff index.
    specialists, generalists
        The client department and the generalist sellers (either may be empty).
    accounts
        Account transfers (a client of an account segment goes to an account manager first).
    seller_load
        Service hours a day each client needs from a seller, shape (clients,). The array is
        shared, not copied: it is read at each assignment, so it sees a client's load drop to
        routine when its close work is over.
    book_limit_hours
        Service hours a day beyond which a generalist takes no more clients.
    """

    def __init__(
        self,
        book: ClientBook,
        staff: list[Staff],
        specialists: list[Specialist],
        generalists: list[Generalist],
        accounts: Accounts,
        seller_load: npt.NDArray[np.float64],
        book_limit_hours: float,
    ) -> None:
        self.book = book
        self.staff = staff
        self.specialists = specialists
        self.generalists = generalists
        self.accounts = accounts
        self.seller_load = seller_load
        self.book_limit_hours = book_limit_hours

    def seller_of(self, client_id: int) -> Seller | None:
        """Return the supervising seller (owner) of a client, or None."""
        return seller_of(self.book, self.staff, client_id)

    def release(self, client_id: int) -> None:
        """Let the server drop a client: it stays in its state but no one attends to it."""
        release(self.book, self.staff, client_id)

    def move(self, client_id: int, seller: Seller) -> None:
        """Move a client to another seller, who becomes its owner and its server."""
        move_client(self.book, self.staff, client_id, seller)

    def assign_server(self, client_id: int, prefer_owner: bool = False) -> None:
        """Give an active client someone to serve it.

        The client department takes every client. Without one, a client goes to its own seller
        (at the start) or to the generalist with the most room if it fits in his day; else no
        one attends to it. A client of an account segment goes to an account manager with room
        first.
        """
        if self.accounts.transfer(client_id):
            return
        if self.specialists:
            min(self.specialists, key=Staff.relative_load).take(client_id)
            return
        owner = self.seller_of(client_id)
        if prefer_owner and owner is not None:
            owner.take(client_id)
            return
        self.book.server[client_id] = NO_ONE
        if self.generalists:
            roomiest = min(self.generalists, key=Staff.relative_load)
            if roomiest.load_hours + self.seller_load[client_id] <= self.book_limit_hours:
                roomiest.take(client_id)

    def let_go(self, client_id: int) -> None:
        """Let a client go from a full book: to an account manager, a specialist, or no one."""
        self.release(client_id)
        if self.accounts.transfer(client_id):
            return
        if self.specialists:
            min(self.specialists, key=Staff.relative_load).take(client_id)
