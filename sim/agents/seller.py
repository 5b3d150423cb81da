"""Sellers: field people who own their clients, visit them and develop their needs into projects.

Hunters, generalists and account managers are sellers (the roles that sell in ``sim.roles``);
hunters and generalists also hunt (calls, meetings, proposals). A seller's day (``Seller.step``)
runs in this order: fill the seat first if its replacement is due today (``Staffing.hire``; an empty
seat does nothing until then); serve the own book; hand off the clients due (hunters, ``Handoff``);
visit the clients escalated by a specialist (``Visits``; for those who hunt, which and when by
pay, ``Effort``); follow up letter responses (``LetterCampaign``); work on the yearly VIP pass
if seconded (``VipProgramme``); make the week's planned consultative visits (``Visits``; for
those who hunt, how often by pay, ``Effort``); hold the due proposals and meetings
(``Pipeline``); and ask for prospecting calls with whatever is left, placed in bulk by
``Pipeline`` once every seller has stepped. An account manager's day is its own
(``AccountManager.step``).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.client import ACTIVE
from sim.agents.staff import Staff

WEEK = 5  # working days; sellers plan their consultative visits weekly

if TYPE_CHECKING:
    from sim.model import SalesModel


class Seller(Staff):
    """A field seller: owns the clients he won (or was given) and, if he hunts, works a pipeline."""

    def __init__(self, model: SalesModel, staff_idx: int, load: np.ndarray) -> None:
        super().__init__(model, staff_idx, load)
        self.owned: set[int] = set()
        self._owned_array: np.ndarray | None = None
        self._owned_dirty = False
        self._owned_built = 0
        self.escalations: deque[int] = deque()
        self.planned_visits: deque[int] = deque()
        self.meetings: deque[tuple[int, int]] = deque()
        self.proposals: deque[tuple[int, int]] = deque()
        self.responses: deque[tuple[int, int]] = deque()  # (last day, client) from letters
        self.wins = 0
        self.pipeline_credit = 0.0
        months = model.scenario.staffing.initial_experience_months
        self.hired_day = -round(months * model.days_per_month)
        self.morale = 1.0
        self.vacant_until: int | None = None  # the seat is empty until this day

    # ---- people ----------------------------------------------------------------------------
    @property
    def win_skill(self) -> float:
        """Share of an experienced seller's selling strength (kept in ``staff_win_skill``)."""
        return float(self.model.staff_win_skill[self.staff_idx])

    @property
    def vacant(self) -> bool:
        """Whether the seat is empty (the seller quit; a replacement is being hired)."""
        return self.vacant_until is not None

    def experience_months(self) -> float:
        """Months on the job."""
        return float((self.model.day - self.hired_day) / self.model.days_per_month)

    def cheer(self, change: float) -> None:
        """Move morale by ``change`` (a win, a lost proposal, a lost client), within 0-1."""
        self.morale = min(1.0, max(0.0, self.morale + change))

    # ---- ownership -------------------------------------------------------------------------
    def own(self, client_id: int) -> None:
        """Become the supervising seller of a client (bonuses, escalations, visits)."""
        self.owned.add(client_id)
        self._owned_dirty = True

    def disown(self, client_id: int) -> None:
        """Stop supervising a client (it went to a competitor)."""
        self.owned.discard(client_id)
        self._owned_dirty = True

    def owned_ids(self) -> np.ndarray:
        """Return the ids of this seller's won clients, sorted (rebuilt at most every 4 weeks)."""
        stale = self.model.day - self._owned_built >= 4 * WEEK
        if self._owned_array is None or (stale and self._owned_dirty):
            self._owned_built = self.model.day
            self._owned_dirty = False
            self._owned_array = np.sort(
                np.fromiter(self.owned, dtype=np.int64, count=len(self.owned))
            )
        return self._owned_array

    def take(self, client_id: int) -> None:
        """Add a client to the book, letting the smallest go if the book is over its limit."""
        super().take(client_id)
        limit = self.model.scenario.sellers.book_limit_load * self.model.hours_per_day
        while self.load_hours > limit and len(self.book) > 1:
            value = self.model.book.value
            smallest = min((c for c in self.book if c != client_id), key=value.__getitem__)
            self.mechanisms.assignment.let_go(smallest)

    # ---- the day ---------------------------------------------------------------------------
    def step(self) -> None:
        """One working day."""
        day = self.model.day
        if self.vacant_until is not None:
            if day < self.vacant_until:
                self.start_day(0.0)  # no one in the seat
                return
            self.mechanisms.staffing.hire(self, day)
        self.start_day()
        self.before_selling(day)
        self._visit_escalations(day)
        self._follow_up_responses(day)
        vip = self.mechanisms.vip
        vip.work_on_pass(self, vip.secondment_hours(self, day), day)
        self._visit_due_clients(day)
        if self._work_pipeline(day):
            self._make_calls(day)

    def before_selling(self, day: int) -> None:
        """Role-specific work done after serving and before visits (nothing by default)."""

    def handoffs_clear(self) -> None:
        """Forget the planned hand-offs (the seller left; none by default)."""

    def _visit_escalations(self, day: int) -> None:
        """Visit the escalated clients in order as time allows (``Effort`` if pay decides)."""
        effort = self.mechanisms.effort
        if effort.applies(self):
            effort.answer_escalations(self, day)
            return
        hours = self.model.scenario.visits.visit_hours
        while self.escalations and self.hours_left >= hours:
            client_id = self.escalations.popleft()
            if self.model.book.state[client_id] == ACTIVE and self.try_spend("visits", hours):
                self.mechanisms.visits.visit(client_id, day)
                effort.answered(client_id, day)
            else:
                effort.unanswered(client_id)

    def _follow_up_responses(self, day: int) -> None:
        """Follow up clients who answered a letter, oldest first; stale ones are lost."""
        if not self.responses:
            return
        hours = self.model.scenario.letters.response_hours
        while self.responses and (self.responses[0][0] < day or self.hours_left >= hours):
            last_day, client_id = self.responses.popleft()
            if last_day < day:
                self.model.ledger.add("letter_responses_lapsed", 1)
            elif self.try_spend("responses", hours):
                self.mechanisms.letters.follow_up(client_id, self)

    def _visit_due_clients(self, day: int) -> None:
        """Plan the week's consultative visits on its first day; make them as time allows."""
        visits, effort = self.mechanisms.visits, self.mechanisms.effort
        paced = effort.applies(self)  # each client's interval by what its visits pay
        if day % WEEK == 0:
            owned = self.owned_ids()
            mine = owned[self.model.book.owner[owned] == self.staff_idx]
            interval = effort.plan_intervals(self, mine, day) if paced else None
            self.planned_visits = deque(visits.due(mine, day, interval).tolist())
        hours = self.model.scenario.visits.visit_hours
        while self.planned_visits and self.hours_left >= hours:
            client_id = self.planned_visits.popleft()
            own = float(effort.interval[client_id]) if paced else None
            if visits.is_due(client_id, day, own) and self.try_spend("visits", hours):
                visits.visit(client_id, day)

    def _work_pipeline(self, day: int) -> bool:
        """Hold the proposals and meetings that are due; return True if none is left waiting.

        A meeting longer than what is left of the day is prepared over several days: the hours
        are saved (``pipeline_credit``) and no new calls are made while meetings are overdue.
        """
        pipeline, cfg = self.mechanisms.pipeline, self.model.scenario.pipeline
        for queue, hours in (
            (self.proposals, cfg.proposal_hours),
            (self.meetings, cfg.meeting_hours),
        ):
            while queue and queue[0][0] <= day:
                if not self._pay_with_credit(hours):
                    return False
                client_id = queue.popleft()[1]
                if queue is self.proposals:
                    pipeline.close_deal(self, client_id, day)
                elif pipeline.meeting_goes_well(client_id):
                    self.proposals.append((day + cfg.days_to_proposal, client_id))
                else:
                    pipeline.prospect_declined(client_id, day)
        return True

    def _pay_with_credit(self, hours: float) -> bool:
        """Spend ``hours`` on the pipeline from saved hours and today's; save today's if short."""
        if self.pipeline_credit + self.hours_left + 1e-9 < hours:
            self.pipeline_credit += self.hours_left
            self.try_spend("pipeline", self.hours_left)
            return False
        from_today = max(0.0, hours - self.pipeline_credit)
        self.pipeline_credit = max(0.0, self.pipeline_credit - hours)
        self.try_spend("pipeline", from_today)
        return True

    def _make_calls(self, day: int) -> None:
        """Spend the rest of the day on prospecting calls (placed in bulk by ``Pipeline``)."""
        calls = int(self.hours_left / self.model.scenario.pipeline.call_hours + 1e-9)
        if calls > 0:
            self.mechanisms.pipeline.request_calls(self, calls)

    def calls_made(self, leads: list[int], meetings: list[int], day: int) -> None:
        """Book the time of the calls made today and the meetings they got."""
        self.try_spend("calls", len(leads) * self.model.scenario.pipeline.call_hours)
        due = day + self.model.scenario.pipeline.days_to_meeting
        self.meetings.extend((due, client_id) for client_id in meetings)
