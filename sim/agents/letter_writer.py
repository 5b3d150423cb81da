"""Letter writers: the letter-sales section (seed 003), or its phone variant.

``LetterWriter`` is the person; ``LetterCampaign`` picks whom to write to, sends the letters,
passes the answers to sellers and turns a seller's follow-up into an order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sim.agents.client import DORMANT, NEVER, NO_ONE, PROSPECT
from sim.agents.staff import Staff
from sim.assignment import seller_of
from sim.bonuses import book_revenue

if TYPE_CHECKING:
    from sim.agents.client import ClientBook
    from sim.agents.seller import Seller
    from sim.config.schema import LettersConfig
    from sim.ledger import Ledger
    from sim.lifecycle import Lifecycle
    from sim.randomness import RandomStreams


class LetterWriter(Staff):
    """A non-seller who writes personal letters (or phones) to clients no one in sales works with.

    Each day the writer contacts the clients the section has not contacted for longest (dormant
    clients and active clients nobody serves), as many as ``letters.letters_per_day`` (or
    ``letters.phone_calls_per_day``) and the day allow. A client who answers is passed to a
    seller (``LetterCampaign.contact``). The writer serves no book; the rest of the day is other
    office work, not modelled.
    """

    def step(self) -> None:
        """One working day of letters (or calls)."""
        letters, day = self.mechanisms.letters, self.model.day
        self.start_day()
        hours = letters.cfg.hours_each(self.model.hours_per_day)
        count = int(min(letters.cfg.per_day(), self.hours_left / hours + 1e-9))
        ids = letters.next_contacts(count, day)
        if ids.size:
            self.try_spend("letters", ids.size * hours)
            letters.contact(ids, day)


class LetterCampaign:
    """Letters (or calls) to clients no one in sales works with, and the orders they bring.

    Parameters
    ----------
    cfg
        The ``letters`` section (rates, postage, reply and order chances).
    book
        The client book.
    streams
        The named random streams (``letter``: a reply; ``letter-order``: an order).
    ledger
        The month's counters.
    staff
        All staff, by staff index.
    hunting_sellers
        The sellers a reply may go to (the sellers who hunt).
    lifecycle
        Client moves (a dormant client who orders is active again).
    """

    def __init__(
        self,
        cfg: LettersConfig,
        book: ClientBook,
        streams: RandomStreams,
        ledger: Ledger,
        staff: list[Staff],
        hunting_sellers: list[Seller],
        lifecycle: Lifecycle,
    ) -> None:
        self.cfg = cfg
        self.book = book
        self.streams = streams
        self.ledger = ledger
        self.staff = staff
        self.hunting_sellers = hunting_sellers
        self.lifecycle = lifecycle

    def next_contacts(self, count: int, day: int) -> npt.NDArray[np.intp]:
        """Return the ``count`` dormant or unattended clients contacted longest ago (never first).

        Ties go by client id, so the section cycles through the base round-robin.
        """
        b = self.book
        if count <= 0:
            return b.active_ids()[:0]
        active = b.active_ids()
        targets = np.concatenate([b.dormant_ids(), active[b.server[active] == NO_ONE]])
        targets = targets[b.last_contact_day[targets] < day]
        if targets.size > count:
            key = (b.last_contact_day[targets].astype(np.int64) - NEVER) * b.size + targets
            pick = np.argpartition(key, count - 1)[:count]
            targets = targets[pick[np.argsort(key[pick])]]
        out: npt.NDArray[np.intp] = targets
        return out

    def contact(self, ids: npt.NDArray[np.intp], day: int) -> None:
        """Send letters (or call); clients reachable at the address on file may answer.

        A dormant client's chance to answer falls with its time dormant
        (``Lifecycle.responsiveness``).

        An answer goes to the client's seller, or to the seller on staff with the fewest
        answers waiting; it lapses after ``letters.response_expiry_days``.
        """
        cfg, b = self.cfg, self.book
        b.last_contact_day[ids] = day
        b.contacts[ids] += 1
        self.ledger.add("letters_sent", ids.size)
        self.ledger.add("letters_postage", ids.size * cfg.usd_each())
        u = self.streams.keyed_uniform("letter", ids, b.contacts[ids])
        reply = cfg.reply_prob() * self.lifecycle.responsiveness(ids, day)  # 1 without decay
        answered = ids[~b.stale_contact[ids] & (u < reply)]
        self.ledger.add("letter_responses", answered.size)
        expiry = day + cfg.response_expiry_days
        on_staff = [s for s in self.hunting_sellers if not s.vacant]
        for client_id in answered.tolist():
            seller = seller_of(b, self.staff, client_id)
            if seller is None or seller.vacant:
                if not on_staff:
                    self.ledger.add("letter_responses_lapsed", 1)
                    continue
                seller = min(on_staff, key=lambda s: len(s.responses))
            seller.responses.append((expiry, client_id))

    def follow_up(self, client_id: int, seller: Seller) -> None:
        """Follow up a response: it may become an order (and wake a dormant client)."""
        cfg, b = self.cfg, self.book
        state = b.state[client_id]
        if state == PROSPECT:
            return  # gone to a rival meanwhile
        u = self.streams.keyed_uniform1("letter-order", client_id, int(b.contacts[client_id]))
        if u >= cfg.order_prob:
            return
        if state == DORMANT:
            if b.owner[client_id] < 0:
                b.owner[client_id] = seller.staff_idx
                seller.own(client_id)
            self.lifecycle.reactivate(np.array([client_id]))
        amount = float(b.value[client_id]) * cfg.order_months_of_value
        b.receivable[client_id] += amount
        book_revenue(self.ledger, amount, "letter_revenue")
        self.ledger.add("letter_orders", 1)
