"""Pay-driven effort: hunting sellers give their discretionary hours by what their plan pays.

A hunting seller (hunter or generalist) weighs a visit to one of his clients, and an
escalation, against hunting by the bonus he expects per hour of each (``sim.economics``,
ODD 7.22). His effort on the task is the fixed rules' effort times ``m = [(r / r_hunt) /
(r_ref / r_hunt_ref)]^rho``: the task's pay per hour relative to hunting, over the same ratio
under the reference plan (the ``money`` defaults, under which the fixed rules hold), to the
power ``effort.responsiveness``. A periodic visit comes every ``interval / m`` (at most
``effort.max_visit_pace`` times the schedule); an escalation is answered today with chance
``min(1, m)`` (stream ``escalation-answer``, keyed by client and day), else it waits and is
tried again on later days until the client is no longer at risk or it has waited
``effort.max_escalation_wait_months``. Hunting gets the rest of the day as before. Account
managers, who do not hunt, keep the fixed rules. ``effort.responsiveness`` 0 turns it off:
no multiplier is computed and no number is drawn; so does the reference plan itself, where
every multiplier is exactly 1.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sim import economics as eco
from sim.agents.client import ACTIVE
from sim.config.schema import MoneyConfig

if TYPE_CHECKING:
    from sim.agents.client import ClientBook
    from sim.agents.seller import Seller
    from sim.config.schema import Scenario
    from sim.ledger import Ledger
    from sim.randomness import RandomStreams

STREAM = "escalation-answer"
# The fields of ``money`` that make a pay plan (the rest of the section is not pay).
PLAN = (
    "new_client_bonus_share",
    "new_client_bonus_months",
    "ongoing_bonus_share",
    "project_bonus_share",
)
# A visit's parts for each client: age (days), payments kept, project, growth (USD).
_Parts = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


class Effort:
    """The sellers' choice of discretionary hours by pay per hour (``effort`` section).

    Parameters
    ----------
    scenario
        The scenario (sections ``effort``, ``money``, ``pipeline``, ``visits``, ``clients``,
        ``escalation``, ``market.competitors``, ``sellers``).
    book
        The client book.
    streams
        The named random streams (``escalation-answer``).
    ledger
        The month's counters (``escalations_answered``, ``escalations_unanswered``,
        ``escalation_wait_days``).
    staff_hunts
        Whether each seat hunts (hunters, generalists), shape (staff + 1,).
    days_per_month
        Working days in a month.
    """

    def __init__(
        self,
        scenario: Scenario,
        book: ClientBook,
        streams: RandomStreams,
        ledger: Ledger,
        staff_hunts: npt.NDArray[np.bool_],
        days_per_month: int,
    ) -> None:
        s, cfg = scenario, scenario.effort
        self.rho = cfg.responsiveness
        # Under the reference plan every multiplier is exactly 1 (the fixed rules), so nothing
        # needs computing: the mechanism is on only for another plan.
        reference = all(getattr(s.money, f) == getattr(MoneyConfig(), f) for f in PLAN)
        self.on = self.rho > 0 and not reference
        self.book = book
        self.streams = streams
        self.ledger = ledger
        self.staff_hunts = staff_hunts
        self.horizon = cfg.horizon_months
        self.max_pace = cfg.max_visit_pace
        self.max_wait_days = cfg.max_escalation_wait_months * days_per_month
        self.threshold = s.escalation.satisfaction_threshold
        self.visit_hours = s.visits.visit_hours
        self.interval_days = s.visits.interval_months * days_per_month
        self.money, self.ref = s.money, MoneyConfig()
        self.days = days_per_month
        self.project_months = s.clients.project_value_months
        self.expansion = s.clients.need_expansion_share
        self.sellers, self.pipeline = s.sellers, s.pipeline
        rivals = s.market.competitors
        self.rival_strength = rivals.bid_prob * rivals.count * rivals.strength
        self.lapse = s.clients.lapse_per_month
        self.lapse_weight = s.clients.lapse_dissatisfaction_weight
        self.poach = rivals.poach_per_month * rivals.count * rivals.strength
        self.dissatisfaction_weight = rivals.dissatisfaction_weight
        self.gain = s.visits.satisfaction_gain
        self.lasting = eco.lasting_share(s.clients.satisfaction_adjust_per_month, self.horizon)
        self.protection = eco.mean_protection(
            s.visits.protection_strength, s.visits.protection_months, self.horizon
        )
        c = s.clients
        self.mean_value = eco.capped_pareto_mean(
            c.value_pareto_shape, c.value_min_usd_per_month, c.value_cap_multiple
        )
        # Each client's interval between periodic visits as last planned (working days).
        self.interval = np.full(book.size, float(self.interval_days))
        self._put_off: set[int] = set()  # escalations a seller has put off (waiting)

    # ---- pay per hour ----------------------------------------------------------------------
    def applies(self, seller: Seller) -> bool:
        """Return whether the seller chooses by pay (on, not the reference plan, he hunts).

        Parameters
        ----------
        seller
            A seller in his seat.

        Returns
        -------
        bool
            False for every seller when the mechanism is off or the plan is the reference one.
        """
        return self.on and bool(self.staff_hunts[seller.staff_idx])

    def hunting_pay(self, skill: float, money: MoneyConfig) -> float:
        """Return a seller's expected bonus per hour of hunting under a plan.

        Parameters
        ----------
        skill
            The seller's selling skill (``Seller.win_skill``, 0-1).
        money
            The plan: the scenario's ``money`` section or the reference (its defaults).

        Returns
        -------
        float
            ``new_client_pay x hunting_wins_per_hour`` (``sim.economics``) [USD/hour].
        """
        p = self.pipeline
        win = eco.win_probability(
            p.buy_prob, self.sellers.win_strength * skill, self.rival_strength
        )
        wins = eco.hunting_wins_per_hour(
            p.call_hours,
            p.call_to_meeting_prob,
            p.meeting_hours,
            p.meeting_to_proposal_prob,
            p.proposal_hours,
            win,
        )
        pay = eco.new_client_pay(
            money.new_client_bonus_share,
            money.ongoing_bonus_share,
            self.mean_value,
            money.new_client_bonus_months,
            self.horizon,
        )
        return eco.hunting_pay_per_hour(pay, wins)

    def _visit_parts(self, ids: npt.NDArray[np.intp], day: int) -> _Parts:
        """Return each client's age (working days), payments kept, project and growth (USD).

        Each array has the shape of ``ids``; the pay of a visit under any plan follows from them
        (``visit_pay``).
        """
        b = self.book
        value = b.value[ids]
        saved = eco.visit_months_saved(
            b.satisfaction[ids],
            self.gain,
            self.lasting,
            self.lapse * b.lapse_multiple[ids],
            self.lapse_weight,
            self.poach,
            self.dissatisfaction_weight,
            self.protection,
            self.horizon,
        )
        since = (day - b.last_visit_day[ids]).astype(float)
        need = np.minimum(1.0, b.need_growth[ids] * since)
        project = need * value * self.project_months
        growth = need * self.expansion * value * self.horizon
        return day - b.won_day[ids], value * saved, project, growth

    def visit_pay(
        self,
        parts: _Parts,
        skill: float,
        money: MoneyConfig,
    ) -> npt.NDArray[np.float64]:
        """Return a seller's expected bonus per hour of a visit to each client.

        Parameters
        ----------
        parts
            ``_visit_parts`` of the clients, each shape (n,).
        skill
            The seller's selling skill (``Seller.win_skill``, 0-1).
        money
            The plan: the scenario's ``money`` section or the reference (its defaults).

        Returns
        -------
        numpy.ndarray
            ``sim.economics.visit_pay_per_hour`` [USD/hour], shape (n,).
        """
        age, kept, project, growth = parts
        share = eco.seller_bonus_share(
            age,
            money.new_client_bonus_months * self.days,
            money.new_client_bonus_share,
            money.ongoing_bonus_share,
        )
        return eco.visit_pay_per_hour(
            share, kept, project, growth, money.project_bonus_share, skill, self.visit_hours
        )

    def multiplier(
        self, seller: Seller, ids: npt.NDArray[np.intp], day: int
    ) -> npt.NDArray[np.float64]:
        """Return the effort multiplier ``m`` of a visit to each of ``ids`` by ``seller``.

        Parameters
        ----------
        seller
            The seller who would visit.
        ids
            Client ids, shape (n,).
        day
            Today's working day.

        Returns
        -------
        numpy.ndarray
            ``sim.economics.effort_multiplier`` of the plan against the reference, in
            [0, inf], shape (n,).
        """
        skill, parts = seller.win_skill, self._visit_parts(ids, day)
        return eco.effort_multiplier(
            self.visit_pay(parts, skill, self.money),
            self.hunting_pay(skill, self.money),
            self.visit_pay(parts, skill, self.ref),
            self.hunting_pay(skill, self.ref),
            self.rho,
        )

    # ---- periodic visits -------------------------------------------------------------------
    def plan_intervals(
        self, seller: Seller, ids: npt.NDArray[np.intp], day: int
    ) -> npt.NDArray[np.float64]:
        """Return (and keep in ``interval``) the days between periodic visits to each client.

        Parameters
        ----------
        seller
            The seller whose clients they are.
        ids
            His client ids, shape (n,).
        day
            Today's working day.

        Returns
        -------
        numpy.ndarray
            Working days, shape (n,): the schedule's interval for a client that cannot be due
            even at ``effort.max_visit_pace``, else ``sim.economics.paced_interval_days``.
        """
        b = self.book
        interval = np.full(ids.size, float(self.interval_days))
        # Only clients due at the fastest pace can be due at all: ask the others nothing.
        near = (b.state[ids] == ACTIVE) & (
            (day - b.last_visit_day[ids]) * self.max_pace >= self.interval_days
        )
        if near.any():
            interval[near] = eco.paced_interval_days(
                self.interval_days, self.multiplier(seller, ids[near], day), self.max_pace
            )
        self.interval[ids] = interval
        return interval

    # ---- escalations -----------------------------------------------------------------------
    def client_multiplier(self, seller: Seller, client_id: int, day: int) -> float:
        """Return ``multiplier`` for one client, in plain Python (faster; equal to rounding).

        The same equations as ``_visit_parts``, ``visit_pay`` and
        ``sim.economics.effort_multiplier`` on scalars: an escalation asks about one client
        at a time, where NumPy's per-call cost dominates (benchmarks/).

        Parameters
        ----------
        seller
            The seller who would visit.
        client_id
            The client.
        day
            Today's working day.

        Returns
        -------
        float
            The multiplier, in [0, inf].
        """
        b, h = self.book, self.horizon
        s = float(b.satisfaction[client_id])
        value = float(b.value[client_id])
        lapse = self.lapse * float(b.lapse_multiple[client_id])
        visited = s + (min(1.0, s + self.gain) - s) * self.lasting

        def kept(sat: float, shield: float) -> float:
            poach = self.poach * (1.0 + self.dissatisfaction_weight * (1.0 - sat)) * (1.0 - shield)
            rate = lapse * (1.0 + self.lapse_weight * (1.0 - sat)) + poach
            return -math.expm1(-rate * h) / rate if rate > 0 else h

        saved = max(0.0, kept(visited, self.protection) - kept(s, 0.0))
        since = float(day - int(b.last_visit_day[client_id]))
        need = min(1.0, float(b.need_growth[client_id]) * since)
        project = need * value * self.project_months
        developed = seller.win_skill * (project + need * self.expansion * value * h)
        age = day - int(b.won_day[client_id])

        def pay(money: MoneyConfig) -> float:
            new = age < money.new_client_bonus_months * self.days
            share = money.new_client_bonus_share if new else money.ongoing_bonus_share
            bonus = money.project_bonus_share * seller.win_skill * project
            return (share * (value * saved + developed) + bonus) / self.visit_hours

        skill = seller.win_skill
        top = pay(self.money) * self.hunting_pay(skill, self.ref)
        bottom = pay(self.ref) * self.hunting_pay(skill, self.money)
        if top == bottom:  # 0/0 included: the fixed rules
            return 1.0
        return math.inf if bottom == 0 else (top / bottom) ** self.rho

    def answers(self, seller: Seller, client_id: int, day: int) -> bool:
        """Return whether the seller goes to an escalated client today.

        Parameters
        ----------
        seller
            The seller the client is escalated to.
        client_id
            The client.
        day
            Today's working day (the draw is keyed by client and day).

        Returns
        -------
        bool
            True with chance ``min(1, m)`` (stream ``escalation-answer``), without a draw when
            ``m >= 1``.
        """
        m = self.client_multiplier(seller, client_id, day)
        return m >= 1.0 or self.streams.keyed_uniform1(STREAM, client_id, day) < m

    def answered(self, client_id: int, day: int) -> None:
        """Count an escalation answered by a visit today, and the days it waited."""
        self._put_off.discard(client_id)
        self.ledger.add("escalations_answered", 1)
        self.ledger.add("escalation_wait_days", day - int(self.book.last_flag_day[client_id]))

    def unanswered(self, client_id: int) -> None:
        """Count an escalation dropped without a visit."""
        self._put_off.discard(client_id)
        self.ledger.add("escalations_unanswered", 1)

    def _gives_up(self, client_id: int, day: int) -> bool:
        """Whether a put-off escalation is dropped: the client recovered or waited too long."""
        b = self.book
        return client_id in self._put_off and (
            b.satisfaction[client_id] >= self.threshold
            or day - b.last_flag_day[client_id] > self.max_wait_days
        )

    def answer_escalations(self, seller: Seller, day: int) -> None:
        """Go through the seller's escalations in order: visit, put off or drop each.

        A client no longer active, or put off before and now recovered or waiting too long, is
        dropped; the others are visited while the day's hours last and the seller chooses to
        (``answers``); the ones put off keep their place for the next day.
        """
        queue, visits, b = seller.escalations, seller.mechanisms.visits, self.book
        waiting: list[int] = []
        while queue:
            client_id = queue[0]
            if b.state[client_id] != ACTIVE or self._gives_up(client_id, day):
                queue.popleft()
                self.unanswered(client_id)
                continue
            if seller.hours_left < self.visit_hours:
                break
            queue.popleft()
            if self.answers(seller, client_id, day) and seller.try_spend(
                "visits", self.visit_hours
            ):
                visits.visit(client_id, day)
                self.answered(client_id, day)
            else:
                self._put_off.add(client_id)
                waiting.append(client_id)
        queue.extendleft(reversed(waiting))
