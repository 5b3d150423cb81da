"""Sellers' skill, morale and turnover, and the seating of newcomers (seed 001).

Skill follows experience: a green seller sells and serves at a share of an experienced one's
strength until ``staffing.ramp_months``. At each month end a seller's pay (salary + bonuses,
smoothed) is set against the market's (``staffing.market_pay_usd_per_month``), morale recovers
towards a target that pay below the market lowers, skill grows and some sellers quit (more when
morale is low or pay is below the market); a seller who quits leaves his book and pipeline,
and his seat stays empty until a replacement is hired. The newcomer gets his predecessor's
clients, or, with ``staffing.newcomer_gets = consultative``, the seniors' consultative ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sim import economics as eco
from sim.agents.client import ACTIVE, NO_ONE
from sim.agents.generalist import Generalist
from sim.agents.staff import Staff

if TYPE_CHECKING:
    from sim.agents.client import ClientBook
    from sim.agents.seller import Seller
    from sim.assignment import Assignment
    from sim.config.schema import Scenario
    from sim.ledger import Ledger
    from sim.randomness import RandomStreams


class Staffing:
    """Skill, morale, quits, hires and newcomers' books.

    Parameters
    ----------
    scenario
        The scenario (sections ``staffing``, ``sellers``).
    book
        The client book.
    streams
        The named random streams (``quit``: whether a seller quits in a month).
    ledger
        The month's counters.
    hunting_sellers, generalists
        The sellers who hunt (the ones who turn over), and the generalists among them.
    assignment
        Who serves whom (a quitter's clients are let go; a newcomer's book is moved to him).
    staff_quality, staff_win_skill
        Each seat's service quality and skill at developing a project, shape (staff + 1,);
        written when skill changes (the one place a seller's skill is kept).
    seller_load
        Service hours a day each client needs from a seller, shape (clients,).
    hours_per_day, days_per_month
        The calendar.
    """

    def __init__(
        self,
        scenario: Scenario,
        book: ClientBook,
        streams: RandomStreams,
        ledger: Ledger,
        hunting_sellers: list[Seller],
        generalists: list[Generalist],
        assignment: Assignment,
        staff_quality: npt.NDArray[np.float64],
        staff_win_skill: npt.NDArray[np.float64],
        seller_load: npt.NDArray[np.float64],
        hours_per_day: float,
        days_per_month: int,
    ) -> None:
        self.cfg = scenario.staffing
        self.sellers_cfg = scenario.sellers
        self.book = book
        self.streams = streams
        self.ledger = ledger
        self.hunting_sellers = hunting_sellers
        self.generalists = generalists
        self._generalist_seats = frozenset(g.staff_idx for g in generalists)
        self.assignment = assignment
        self.staff_quality = staff_quality
        self.staff_win_skill = staff_win_skill
        self.seller_load = seller_load
        self.book_limit_hours = scenario.sellers.book_limit_load * hours_per_day
        self.days_per_month = days_per_month
        self.vacant: list[int] = []  # staff indices of empty seats
        self.pay_ratio: dict[int, float] = {}  # by seat: smoothed pay / market (ODD 7.20)
        self._smoothed: dict[int, float] = {}  # by seat: smoothed pay, USD a month

    def update_skill(self, seller: Seller) -> None:
        """Set a seller's selling strength and service quality from his experience."""
        cfg = self.cfg
        months = seller.experience_months()
        self.staff_win_skill[seller.staff_idx] = eco.skill(
            months, cfg.green_win_factor, cfg.ramp_months
        )
        quality_skill = eco.skill(months, cfg.green_quality_factor, cfg.ramp_months)
        base = self.sellers_cfg.service_quality
        self.staff_quality[seller.staff_idx] = base * quality_skill

    def close_pay_month(self, bonus_by_seat: npt.NDArray[np.float64]) -> float:
        """Take the month's pay into each seated hunting seller's smoothed pay (ODD 7.20).

        Parameters
        ----------
        bonus_by_seat
            Bonuses each seat earned in the month just closed, USD, shape (staff + 1,)
            (``Bonuses.last_month``).

        Returns
        -------
        float
            Mean over the seated hunting sellers of smoothed pay over
            ``staffing.market_pay_usd_per_month`` [ratio]; NaN when no one is seated.
        """
        cfg, salary = self.cfg, self.sellers_cfg.salary_usd_per_month
        ratios = []
        for seller in self.hunting_sellers:
            if seller.vacant:
                continue
            seat = seller.staff_idx
            pay = salary + float(bonus_by_seat[seat])
            # A seller in a new seat (or on staff at the start) joined at the market's pay.
            previous = self._smoothed.get(seat, cfg.market_pay_usd_per_month)
            smoothed = eco.smoothed_pay(previous, pay, cfg.pay_smoothing_months)
            self._smoothed[seat] = smoothed
            self.pay_ratio[seat] = smoothed / cfg.market_pay_usd_per_month
            ratios.append(self.pay_ratio[seat])
        return float(np.mean(ratios)) if ratios else np.nan

    def month_end(self, day: int) -> None:
        """Let morale recover (towards a target set by pay) and skill grow; some sellers quit."""
        cfg = self.cfg
        month = day // self.days_per_month
        for seller in self.hunting_sellers:
            if seller.vacant:
                continue
            ratio = self.pay_ratio.get(seller.staff_idx, 1.0)
            target = eco.morale_target(ratio, cfg.morale_pay_elasticity)
            seller.cheer(cfg.morale_recovery_per_month * (target - seller.morale))
            self.update_skill(seller)
            chance = eco.quit_chance(cfg.quit_per_month, seller.morale, cfg.quit_morale_weight)
            chance = min(1.0, chance * eco.pay_quit_multiplier(ratio, cfg.quit_pay_elasticity))
            if seller.experience_months() < cfg.ramp_months:
                self.ledger.add("newcomer_quit_risk", chance)
            if self.streams.keyed_uniform1("quit", seller.staff_idx, month) < chance:
                self.quit(seller, day)

    def quit(self, seller: Seller, day: int) -> None:
        """Let a seller leave: his book is let go, his pipeline dropped; the seat waits."""
        cfg = self.cfg
        self.ledger.add("quits", 1)
        self._smoothed.pop(seller.staff_idx, None)  # the next person starts his own average
        self.pay_ratio.pop(seller.staff_idx, None)
        if seller.experience_months() < cfg.ramp_months:
            self.ledger.add("newcomer_quits", 1)
        seller.vacant_until = day + round(cfg.hire_delay_months * self.days_per_month)
        self.vacant.append(seller.staff_idx)
        self.staff_win_skill[seller.staff_idx] = 0.0  # no one to develop a project
        prospects = [c for _, c in seller.meetings] + [c for _, c in seller.proposals]
        self.book.blocked_until[prospects] = day  # free to be called by others
        seller.meetings.clear()
        seller.proposals.clear()
        seller.escalations.clear()
        seller.planned_visits.clear()
        self.ledger.add("letter_responses_lapsed", len(seller.responses))
        seller.responses.clear()
        seller.pipeline_credit = 0.0
        seller.handoffs_clear()
        for client_id in sorted(seller.book):
            self.assignment.let_go(client_id)

    def hire(self, seller: Seller, day: int) -> None:
        """Seat a replacement: green, in good spirits, and given a book."""
        self.ledger.add("hires", 1)
        seller.hired_day = day
        seller.morale = 1.0
        seller.vacant_until = None
        self.vacant.remove(seller.staff_idx)
        self.update_skill(seller)
        self._seat_newcomer(seller)

    def _seat_newcomer(self, newcomer: Seller) -> None:
        """Give a newcomer his book: his predecessor's clients, or the seniors' hard ones.

        With ``staffing.newcomer_gets = consultative`` (unsplit), senior generalists hand their
        consultative clients to the newcomer and take his predecessor's transactional ones, as
        far as books allow (seed 001).
        """
        b, cfg = self.book, self.cfg
        inherited = [
            c for c in sorted(newcomer.owned) if b.state[c] == ACTIVE and b.server[c] == NO_ONE
        ]
        if newcomer.staff_idx in self._generalist_seats and cfg.newcomer_gets == "consultative":
            seniors = [
                g
                for g in self.generalists
                if g is not newcomer and not g.vacant and g.experience_months() >= cfg.ramp_months
            ]
            for senior in seniors:
                for c in sorted(senior.book):
                    mine = b.consultative[c] and b.owner[c] == senior.staff_idx
                    if mine and self._fits(newcomer, c):
                        self.assignment.move(c, newcomer)
            for c in inherited:
                if not b.consultative[c] and seniors:
                    roomiest = min(seniors, key=Staff.relative_load)
                    if self._fits(roomiest, c):
                        self.assignment.move(c, roomiest)
        for c in inherited:
            if (
                b.server[c] == NO_ONE
                and b.owner[c] == newcomer.staff_idx
                and self._fits(newcomer, c)
            ):
                newcomer.take(c)

    def _fits(self, seller: Seller, client_id: int) -> bool:
        """Return whether a client fits in a seller's book."""
        return seller.load_hours + float(self.seller_load[client_id]) <= (
            self.book_limit_hours + 1e-9
        )
