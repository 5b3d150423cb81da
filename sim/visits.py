"""Consultative visits and what personal contact uncovers: hidden problems and projects.

Sellers (and account managers) visit the clients they own when a specialist escalates and
periodically (``visits.interval_months``, seed 000); VIP meetings and the yearly questionnaire
are personal meetings too. Every personal contact, and the close work of a seller's day
(``ClientDynamics``), reveals a client's hidden dissatisfaction (fixed at once) and its unmet
needs: a need becomes a project if the owner, green or experienced, develops it (seed 001).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import numpy as np
import numpy.typing as npt

from sim.agents.client import ACTIVE, NO_ONE
from sim.bonuses import book_revenue

if TYPE_CHECKING:
    from sim.agents.client import ClientBook
    from sim.agents.seller import Seller
    from sim.agents.staff import Staff
    from sim.bonuses import Bonuses
    from sim.config.schema import Scenario
    from sim.ledger import Ledger
    from sim.randomness import RandomStreams

SMALL = 8  # below this many clients, per-client Python is faster than array calls


class Visits:
    """Visits due, personal meetings, and the reveal of hidden problems and needs.

    Parameters
    ----------
    scenario
        The scenario (sections ``visits``, ``clients``, ``staffing``).
    book
        The client book.
    streams
        The named random streams (``project``: whether a need becomes a project).
    ledger
        The month's counters.
    bonuses
        Bonus accrual (the project share goes to the client's owner).
    staff
        All staff, by staff index.
    staff_is_seller
        Whether each seat is a seller's, shape (staff + 1,), last slot "no one".
    staff_win_skill
        Each seat's skill at developing a project (0-1), shape (staff + 1,); read live.
    days_per_month
        Working days in a month.
    """

    def __init__(
        self,
        scenario: Scenario,
        book: ClientBook,
        streams: RandomStreams,
        ledger: Ledger,
        bonuses: Bonuses,
        staff: list[Staff],
        staff_is_seller: npt.NDArray[np.bool_],
        staff_win_skill: npt.NDArray[np.float64],
        days_per_month: int,
    ) -> None:
        self.cfg = scenario.visits
        self.clients_cfg = scenario.clients
        self.lost_project_morale = scenario.staffing.morale_loss_per_lost_project
        self.book = book
        self.streams = streams
        self.ledger = ledger
        self.bonuses = bonuses
        self.staff = staff
        self.staff_is_seller = staff_is_seller
        self.staff_win_skill = staff_win_skill
        self.interval_days = self.cfg.interval_months * days_per_month

    # ---- visits due ------------------------------------------------------------------------
    def due(
        self,
        owned: npt.NDArray[np.intp],
        day: int,
        interval_days: npt.NDArray[np.float64] | None = None,
    ) -> npt.NDArray[np.intp]:
        """Return, of a seller's clients, the active ones due a periodic consultative visit.

        ``interval_days`` gives each client's own interval, shape of ``owned`` (``Effort``);
        ``None`` is the schedule, ``visits.interval_months``.
        """
        cfg = self.cfg
        if cfg.interval_months <= 0 or owned.size == 0:
            return owned[:0]
        b = self.book
        interval = self.interval_days if interval_days is None else interval_days
        due = (b.state[owned] == ACTIVE) & (day - b.last_visit_day[owned] >= interval)
        if cfg.applies_to == "consultative":
            due &= b.consultative[owned]
        out: npt.NDArray[np.intp] = owned[due]
        return out

    def is_due(self, client_id: int, day: int, interval_days: float | None = None) -> bool:
        """Return whether one client is (still) due a periodic consultative visit."""
        b, cfg = self.book, self.cfg
        interval = self.interval_days if interval_days is None else interval_days
        return bool(
            cfg.interval_months > 0
            and b.state[client_id] == ACTIVE
            and day - b.last_visit_day[client_id] >= interval
            and (cfg.applies_to == "all" or b.consultative[client_id])
        )

    # ---- meetings --------------------------------------------------------------------------
    def visit(self, client_id: int, day: int) -> None:
        """Visit a client: hidden problems and needs come out, the relation warms."""
        self.meet(client_id, day, self.cfg.satisfaction_gain, protect=True)
        self.ledger.add("visits", 1)

    def meet(self, client_id: int, day: int, gain: float, protect: bool) -> None:
        """Hold a personal meeting: satisfaction moves by ``gain``; hidden things come out.

        A meeting that builds the relationship (``protect``) also protects the client from
        competitors for a while (7.8).
        """
        b = self.book
        if protect:
            b.last_visit_day[client_id] = day
        b.satisfaction[client_id] = min(1.0, max(0.0, b.satisfaction[client_id] + gain))
        self.reveal_one(client_id)

    # ---- reveals and project money ---------------------------------------------------------
    def reveal(self, ids: npt.NDArray[np.intp]) -> None:
        """Uncover hidden dissatisfaction (fixed) and unmet needs (a project) of clients.

        A need (capped at 1) is worth ``need * value * clients.project_value_months`` USD. The
        owner (else a selling server, else no one) develops it with probability equal to his
        skill (stream ``project``, keyed by client and project try); a project is booked, grows
        the client's value and pays the owner his project bonus. ``ids`` are distinct active
        clients; below ``SMALL`` of them the clients are done one at a time by ``reveal_one``,
        which changes the same state and draws the same numbers.
        """
        if ids.size < SMALL:
            for client_id in ids.tolist():
                self.reveal_one(client_id)
            return
        b, cfg = self.book, self.clients_cfg
        need = np.minimum(b.need[ids], 1.0)
        project = need * b.value[ids] * cfg.project_value_months
        b.hidden[ids] = 0.0
        b.need[ids] = 0.0
        beneficiary = np.where(
            b.owner[ids] >= 0,
            b.owner[ids],
            np.where(self.staff_is_seller[b.server[ids]], b.server[ids], NO_ONE),
        )
        tried = project > 0
        u = self.streams.keyed_uniform("project", ids, b.projects[ids])
        b.projects[ids] += tried
        sold = tried & (u < self.staff_win_skill[beneficiary])
        for seller_idx in beneficiary[tried & ~sold].tolist():
            self._project_lost(seller_idx)
        ids, need, project, beneficiary = ids[sold], need[sold], project[sold], beneficiary[sold]
        b.receivable[ids] += project
        b.value[ids] *= 1.0 + need * cfg.need_expansion_share
        self.bonuses.on_projects(beneficiary, project)
        book_revenue(self.ledger, float(project.sum()), "revenue_project")
        self.ledger.add("projects", int(ids.size))

    def reveal_one(self, client_id: int) -> None:
        """``reveal`` for one client, in plain Python."""
        b, cfg = self.book, self.clients_cfg
        need = min(float(b.need[client_id]), 1.0)
        project = need * float(b.value[client_id]) * cfg.project_value_months
        b.hidden[client_id] = 0.0
        b.need[client_id] = 0.0
        if project <= 0:
            return
        owner, server = int(b.owner[client_id]), int(b.server[client_id])
        beneficiary = owner if owner >= 0 else (server if self.staff_is_seller[server] else -1)
        attempt = int(b.projects[client_id])
        b.projects[client_id] += 1
        skill = self.staff_win_skill[beneficiary]
        if self.streams.keyed_uniform1("project", client_id, attempt) >= skill:
            self._project_lost(beneficiary)
            return
        b.receivable[client_id] += project
        b.value[client_id] *= 1.0 + need * cfg.need_expansion_share
        self.bonuses.on_project(beneficiary, project)
        book_revenue(self.ledger, project, "revenue_project")
        self.ledger.add("projects", 1)

    def _project_lost(self, seller_idx: int) -> None:
        """Count a need not developed into a project; a seller on staff loses heart (seed 001)."""
        self.ledger.add("projects_lost", 1)
        if seller_idx >= 0:
            seller = cast("Seller", self.staff[seller_idx])
            if not seller.vacant:
                seller.cheer(-self.lost_project_morale)
