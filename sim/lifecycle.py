"""Clients leaving and coming back: lapse, loss to a rival, reactivation.

A client who stops ordering becomes dormant and is scheduled to order again unprompted some
day (``ClientDynamics``); a client a rival takes becomes a prospect again, owned by no one, with
part of its open invoices written off. Either way its server lets it go and a selling server
loses heart (seed 001). A dormant client who orders again (unprompted, or after a letter) is
active again and is given a server (``Assignment``): a second lifetime, at part of its former
value and likelier to lapse again; the longer it has been dormant, the less likely it answers
or comes back on its own.

The path of a client poached: ``ClientDynamics`` (sim/agents/client.py) draws one uniform per
active client a day; ``Poaching`` (sim/agents/competitor.py) turns the client's state into the
chance and picks the rival by strength; ``Lifecycle.hold_rival_choices`` holds the day's
choices; then each ``Competitor.step`` takes its own through ``Lifecycle.poach``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import numpy as np
import numpy.typing as npt

from sim import economics as eco
from sim.agents.client import ACTIVE, DORMANT, NO_ONE, PROSPECT

if TYPE_CHECKING:
    from sim.agents.client import ClientBook, ClientDynamics, DayFlows
    from sim.agents.seller import Seller
    from sim.agents.staff import Staff
    from sim.assignment import Assignment
    from sim.cohorts import Cohorts
    from sim.config.schema import Scenario
    from sim.ledger import Ledger
    from sim.pipeline import Pipeline
    from sim.randomness import RandomStreams


class Lifecycle:
    """Move clients between the active, dormant and prospect states.

    Parameters
    ----------
    scenario
        The scenario (sections ``clients``, ``staffing``).
    book
        The client book.
    streams
        The named random streams (``wake``: when a dormant client orders again).
    ledger
        The month's counters.
    staff
        All staff, by staff index.
    staff_is_seller
        Whether each seat is a seller's, shape (staff + 1,), last slot "no one".
    assignment
        Who serves whom (release, new server).
    pipeline
        The prospect pipeline (a client lost to a rival is a prospect again).
    cohorts
        Cohort counts (a client leaving breaks its spell).
    dynamics
        The daily client update (it schedules wake-ups).
    """

    def __init__(
        self,
        scenario: Scenario,
        book: ClientBook,
        streams: RandomStreams,
        ledger: Ledger,
        staff: list[Staff],
        staff_is_seller: npt.NDArray[np.bool_],
        assignment: Assignment,
        pipeline: Pipeline,
        cohorts: Cohorts,
        dynamics: ClientDynamics,
    ) -> None:
        self.clients_cfg = scenario.clients
        self.lost_client_morale = scenario.staffing.morale_loss_per_lost_client
        self.book = book
        self.streams = streams
        self.ledger = ledger
        self.staff = staff
        self.staff_is_seller = staff_is_seller
        self.assignment = assignment
        self.pipeline = pipeline
        self.cohorts = cohorts
        self.dynamics = dynamics
        self._poached = np.empty(0, dtype=np.int64)
        self._rival = np.empty(0, dtype=np.int64)

    def hold_rival_choices(self, flows: DayFlows) -> None:
        """Hold the clients that chose a rival today, until each rival takes its own (``poach``)."""
        self._poached, self._rival = flows.poached, flows.rival

    def poach(self, rival: int, day: int) -> int:
        """Let rival number ``rival`` take the clients that chose it today; return how many."""
        if self._poached.size == 0:
            return 0
        taken = self._poached[self._rival == rival]
        taken = taken[self.book.state[taken] == ACTIVE]
        self.lose(taken, "competitor", day)
        return int(taken.size)

    def lapse(self, ids: npt.NDArray[np.intp], day: int) -> None:
        """Make the clients still active who stopped ordering today dormant."""
        if ids.size:
            self.lose(ids[self.book.state[ids] == ACTIVE], "lapsed", day)

    def lose(self, ids: npt.NDArray[np.intp], cause: str, day: int) -> None:
        """Move active clients out of the active state: ``lapsed`` (dormant) or ``competitor``."""
        if ids.size == 0:
            return
        b = self.book
        for client_id, server in zip(ids.tolist(), b.server[ids].tolist(), strict=True):
            if server >= 0 and self.staff_is_seller[server]:
                cast("Seller", self.staff[server]).cheer(-self.lost_client_morale)
            self.assignment.release(client_id)
        self.cohorts.leave(ids)
        self.ledger.add("key_clients_lost", int(np.count_nonzero(b.tier[ids] > 0)))
        self.ledger.add("consultative_lost", int(np.count_nonzero(b.consultative[ids])))
        self.ledger.add("second_lifetime_lost", int(np.count_nonzero(b.lifetimes[ids] > 1)))
        if cause == "competitor":
            self._disown(ids)
            written_off = b.receivable[ids] * self.clients_cfg.bad_debt_share_on_loss
            b.receivable[ids] -= written_off
            self.ledger.add("bad_debt", float(written_off.sum()))
            b.set_state(ids, PROSPECT)
            self.pipeline.signed_with_rival(ids, day)
            self.ledger.add("lost_to_competitor", ids.size)
        else:
            self._fall_asleep(ids, day)
            self.ledger.add("lost_lapsed", ids.size)

    def _disown(self, ids: npt.NDArray[np.intp]) -> None:
        """Clients gone to a competitor no longer belong to the seller who won them."""
        for client_id in ids.tolist():
            seller = self.assignment.seller_of(client_id)
            if seller is not None:
                seller.disown(client_id)
        self.book.owner[ids] = NO_ONE

    def _fall_asleep(self, ids: npt.NDArray[np.intp], day: int) -> None:
        """Clients become dormant; each may order again unprompted some day."""
        self.book.set_state(ids, DORMANT)
        self.book.lapsed_day[ids] = day
        self.dynamics.schedule_wakeups(self.streams, ids, day, self.book.naps[ids])
        self.book.naps[ids] += 1

    def responsiveness(self, ids: npt.NDArray[np.intp], day: int) -> npt.NDArray[np.float64]:
        """Return the share of a fresh lapser's chance to answer that each client has left.

        Dormant clients' share halves every ``clients.dormant_response_half_life_months``
        since they lapsed (``sim.economics.dormant_responsiveness``); other clients keep 1.
        """
        b = self.book
        away = np.where(b.state[ids] == DORMANT, day - b.lapsed_day[ids], 0)
        return eco.dormant_responsiveness(away, self.dynamics.half_life_days)

    def reactivate(self, ids: npt.NDArray[np.intp]) -> None:
        """Dormant clients order again: a second lifetime, in good spirits, given a server.

        Each returns at ``clients.second_lifetime_value_share`` of its former value and with
        its lapse chance multiplied by ``clients.second_lifetime_lapse_multiple`` (the win-back
        literature: Kumar, Bhagwat & Zhang 2015, J. Marketing 79(4)).
        """
        b, cfg = self.book, self.clients_cfg
        ids = ids[b.state[ids] == DORMANT]
        if ids.size == 0:
            return
        b.set_state(ids, ACTIVE)
        b.satisfaction[ids] = cfg.initial_satisfaction
        b.value[ids] *= cfg.second_lifetime_value_share
        b.lapse_multiple[ids] = cfg.second_lifetime_lapse_multiple * b.dropout_multiple[ids]
        b.lifetimes[ids] += 1
        for client_id in ids.tolist():
            self.assignment.assign_server(client_id)
        self.ledger.add("reactivated_clients", ids.size)
