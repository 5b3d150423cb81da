"""The prospect pipeline: leads, calls, meetings, proposals and deals (seeds 000-002).

Sellers ask for calls with the hours their day leaves; the calls are placed in bulk, in the
sellers' order, on the next prospects of the market's lead order that are free to be called. A
call may get a meeting, a meeting a proposal; at a proposal rivals may bid and the prospect buys
from us, from a rival or from no one. A prospect who says no may be called again after
``pipeline.recontact_after_months``; one who signs with a rival (at our proposal, or a client a
rival takes) only after ``pipeline.rival_contract_months``. The market remembers refusals: each
earlier "no" multiplies a prospect's chance of a meeting by ``pipeline.meeting_factor_per_refusal``
(``sim.economics.meeting_chance``). A client won needs close work from its seller for
``sellers.close_work_months``, then routine service (or an account manager).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sim import economics as eco
from sim.agents.client import ACTIVE, PROSPECT
from sim.agents.competitor import pick_by_strength
from sim.bonuses import book_revenue

if TYPE_CHECKING:
    from sim.agents.account_manager import Accounts
    from sim.agents.client import Client, ClientBook
    from sim.agents.competitor import Competitor
    from sim.agents.seller import Seller
    from sim.agents.staff import Staff
    from sim.cohorts import Cohorts
    from sim.config.schema import Scenario
    from sim.ledger import Ledger
    from sim.randomness import RandomStreams

IN_PIPELINE = 2**31 - 1  # ``blocked_until`` of a prospect someone is working on


class Pipeline:
    """Leads, calls, meetings, proposals and deals; the settling of new clients.

    Parameters
    ----------
    scenario
        The scenario (sections ``pipeline``, ``sellers``, ``staffing``, ``clients``,
        ``market.competitors``).
    book
        The client book.
    leads
        Client ids of the prospects in the order they are called (the market's lead order).
    streams
        The named random streams (``call``, ``meeting``, ``deal``, ``bid-<rival>``).
    ledger
        The month's counters.
    competitors
        The rivals that may bid for a prospect.
    staff
        All staff, by staff index.
    accounts
        Account transfers (a client of an account segment goes to an account manager once its
        close work is over).
    loads
        Service hours a day of each client, shape (clients,) each: ``close`` while new,
        ``routine`` afterwards, and ``seller`` (written) what a seller serving it spends now.
    at_seller_load
        Whether each seat serves its book at the ``seller`` load (the roles whose ``load`` is
        ``seller`` in ``sim.roles.ROLES``), shape (staff + 1,), last slot "no one".
    clients, new_client
        The client agents by id, and how to make one for a prospect won.
    cohorts
        Cohort counts (a client won joins the month's cohort).
    days_per_month
        Working days in a month.
    """

    def __init__(
        self,
        scenario: Scenario,
        book: ClientBook,
        leads: npt.NDArray[np.intp],
        streams: RandomStreams,
        ledger: Ledger,
        competitors: list[Competitor],
        staff: list[Staff],
        accounts: Accounts,
        loads: dict[str, npt.NDArray[np.float64]],
        at_seller_load: npt.NDArray[np.bool_],
        clients: dict[int, Client],
        new_client: Callable[[int], Client],
        cohorts: Cohorts,
        days_per_month: int,
    ) -> None:
        self.scenario = scenario
        self.cfg = scenario.pipeline
        self.book = book
        self.leads = leads
        self.streams = streams
        self.ledger = ledger
        self.competitors = competitors
        self.bid_streams = [f"bid-{c.index}" for c in competitors]
        self.staff = staff
        self.accounts = accounts
        self.close_load = loads["close"]
        self.routine_load = loads["routine"]
        self.seller_load = loads["seller"]
        self.at_seller_load = at_seller_load
        self.clients = clients
        self.new_client = new_client
        self.cohorts = cohorts
        self.days_per_month = days_per_month
        self._lead_pos = 0
        self._call_requests: list[tuple[Seller, int]] = []
        self._settling: deque[tuple[float, int, int]] = deque()

    # ---- calls -----------------------------------------------------------------------------
    def next_leads(self, count: int, day: int) -> npt.NDArray[np.intp]:
        """Return the next ``count`` prospects free to be called, in the lead order.

        The scan starts where the last one stopped and wraps around the lead order; the
        prospects returned are marked as in the pipeline (``blocked_until`` = ``IN_PIPELINE``).

        Parameters
        ----------
        count
            Number of prospects wanted (0 or more).
        day
            Today's working day; a prospect is free if it is still a prospect and not blocked
            after ``day`` (a recent "no" or already in the pipeline).

        Returns
        -------
        numpy.ndarray
            Client ids, shape (at most ``count``,): fewer when a full turn of the lead order
            finds no more free prospects.
        """
        b, leads = self.book, self.leads
        taken: list[npt.NDArray[np.intp]] = []
        scanned = 0
        while count > 0 and scanned < leads.size:
            width = min(max(64, 4 * count) << min(len(taken), 16), leads.size - scanned)
            end = self._lead_pos + width
            chunk = (
                leads[self._lead_pos : end]
                if end <= leads.size
                else np.take(leads, np.arange(self._lead_pos, end), mode="wrap")
            )
            free = ((b.state[chunk] == PROSPECT) & (b.blocked_until[chunk] <= day)).nonzero()[0]
            free = free[:count]
            used = int(free[-1]) + 1 if free.size == count else chunk.size
            taken.append(chunk[free])
            count -= free.size
            scanned += used
            self._lead_pos = (self._lead_pos + used) % max(leads.size, 1)
        out = np.concatenate(taken) if taken else leads[:0]
        b.blocked_until[out] = IN_PIPELINE
        return out

    def request_calls(self, seller: Seller, count: int) -> None:
        """Book ``count`` calls for a seller who will spend the rest of the day on them."""
        self._call_requests.append((seller, count))

    def place_calls(self, day: int) -> None:
        """Hand out today's leads to the sellers who asked, in their order; call them in bulk."""
        if not self._call_requests:
            return
        requests, self._call_requests = self._call_requests, []
        leads = self.next_leads(sum(n for _, n in requests), day)
        refusals = self.book.attempts[leads]
        meet = self.streams.keyed_uniform("call", leads, refusals) < eco.meeting_chance(
            self.cfg.call_to_meeting_prob, self.cfg.meeting_factor_per_refusal, refusals
        )
        self.prospect_declined(leads[~meet], day)
        self.ledger.add("calls", leads.size)
        start = 0
        for seller, count in requests:
            mine, got = leads[start : start + count], meet[start : start + count]
            start += count
            if mine.size:
                seller.calls_made(mine.tolist(), mine[got].tolist(), day)

    # ---- meetings and proposals ------------------------------------------------------------
    def meeting_goes_well(self, client_id: int) -> bool:
        """Hold a meeting; return whether it leads to a proposal."""
        self.ledger.add("meetings", 1)
        u = self.streams.keyed_uniform1("meeting", client_id, self.book.attempts[client_id])
        return u < self.cfg.meeting_to_proposal_prob

    def prospect_declined(
        self, ids: npt.NDArray[np.intp] | int, day: int, months: float = 0.0
    ) -> None:
        """Note that prospects said no: they may be called again after the recontact time.

        Parameters
        ----------
        ids
            The prospects (client ids).
        day
            Today's working day.
        months
            A longer wait before they are open again, if any (a contract signed with a rival);
            the wait is the longer of this and ``pipeline.recontact_after_months``.
        """
        wait = max(self.cfg.recontact_after_months, months) * self.days_per_month
        self.book.attempts[ids] += 1
        self.book.blocked_until[ids] = day + round(wait)

    def signed_with_rival(self, ids: npt.NDArray[np.intp] | int, day: int) -> None:
        """Note that prospects signed with a rival: they said no, and are under contract.

        They are not called again for ``pipeline.rival_contract_months``, or
        ``pipeline.recontact_after_months`` if longer (``prospect_declined``).
        """
        self.prospect_declined(ids, day, self.cfg.rival_contract_months)

    def close_deal(self, seller: Seller, client_id: int, day: int) -> None:
        """Present a proposal; rivals may bid; the prospect buys from us, a rival or no one.

        Each rival bids with chance ``market.competitors.bid_prob`` (its own stream
        ``bid-<rival>``); one ``deal`` draw ``u`` then decides: below the win probability
        (``sim.economics.win_probability`` of ``pipeline.buy_prob``, our strength
        ``sellers.win_strength`` times the seller's win skill, and the bidders' total
        strength) we win; below ``pipeline.buy_prob`` a bidding rival wins, picked by
        strength (the prospect is then under contract with it, ``signed_with_rival``); otherwise
        no one does. A prospect not won may be called again later.

        Parameters
        ----------
        seller
            The seller presenting (its morale moves by ``staffing.morale_gain_per_win`` or
            ``staffing.morale_loss_per_lost_proposal``).
        client_id
            The prospect.
        day
            Today's working day.
        """
        s, b = self.scenario, self.book
        attempt = int(b.attempts[client_id])
        self.ledger.add("proposals", 1)
        bid_prob, draw = s.market.competitors.bid_prob, self.streams.keyed_uniform1
        rivals = [
            c
            for c, stream in zip(self.competitors, self.bid_streams, strict=True)
            if draw(stream, client_id, attempt) < bid_prob
        ]
        rival_strength = sum(c.strength for c in rivals)
        ours = s.sellers.win_strength * seller.win_skill
        p_win = eco.win_probability(self.cfg.buy_prob, ours, rival_strength)
        u = self.streams.keyed_uniform1("deal", client_id, attempt)
        if u < p_win:
            seller.cheer(s.staffing.morale_gain_per_win)
            self.win_client(seller, client_id, day)
            return
        seller.cheer(-s.staffing.morale_loss_per_lost_proposal)
        if u < self.cfg.buy_prob and rivals:
            position = (u - p_win) / (self.cfg.buy_prob - p_win)
            cumulative = np.cumsum([c.strength for c in rivals])
            rival = rivals[int(pick_by_strength(cumulative, np.array([position]))[0])]
            rival.prospects_won += 1
            self.ledger.add("prospects_to_competitor", 1)
            self.signed_with_rival(client_id, day)
            return
        self.prospect_declined(client_id, day)

    def win_client(self, seller: Seller, client_id: int, day: int) -> None:
        """Sign a prospect: the seller owns and serves it; the first deal is booked."""
        b, s = self.book, self.scenario
        b.set_state(client_id, ACTIVE)
        if client_id not in self.clients:
            self.clients[client_id] = self.new_client(client_id)
        b.won_day[client_id] = day
        self.cohorts.join(client_id, day // self.days_per_month + 1)
        b.last_visit_day[client_id] = day
        b.satisfaction[client_id] = s.clients.initial_satisfaction
        b.hidden[client_id] = 0.0
        b.need[client_id] = 0.0
        b.owner[client_id] = seller.staff_idx
        seller.own(client_id)
        seller.wins += 1
        self.seller_load[client_id] = self.close_load[client_id]
        self._settling.append(
            (day + s.sellers.close_work_months * self.days_per_month, client_id, day)
        )
        seller.take(client_id)
        first = b.value[client_id] * self.cfg.first_order_months_of_value
        b.receivable[client_id] += first
        book_revenue(self.ledger, first, "revenue_new")
        self.ledger.add("new_clients", 1)

    # ---- new clients -----------------------------------------------------------------------
    def settle_new_clients(self, day: int) -> None:
        """Let clients whose close-work months are over need only routine service."""
        while self._settling and self._settling[0][0] <= day:
            _, client_id, won_day = self._settling.popleft()
            if self.book.won_day[client_id] != won_day:
                continue  # lost and won again since: a newer entry follows
            moved = self.accounts.transfer(client_id)  # leaves its seller at close-work load
            change = self.routine_load[client_id] - self.seller_load[client_id]
            self.seller_load[client_id] = self.routine_load[client_id]
            server = int(self.book.server[client_id])
            # Only the seats at the ``seller`` load serve at close-work load while a client is new.
            if not moved and self.at_seller_load[server] and client_id in self.staff[server].book:
                self.staff[server].load_hours += change
