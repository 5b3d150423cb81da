"""VIP-programme leads (seed 004): key-client meetings and the yearly pass over all clients.

``VipLead`` is the person; ``VipProgramme`` holds the programme: the monthly Pareto tiers, the
relationship meetings (with or without a sales pitch), the yearly pass with its questionnaires
and service checks, and the sellers' secondment to it.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sim import economics as eco
from sim.agents.client import ACTIVE
from sim.agents.seller import WEEK
from sim.agents.staff import Staff
from sim.bonuses import book_revenue

if TYPE_CHECKING:
    from sim.agents.client import ClientBook, ClientDynamics
    from sim.agents.seller import Seller
    from sim.config.schema import Scenario
    from sim.ledger import Ledger
    from sim.model import SalesModel
    from sim.randomness import RandomStreams
    from sim.visits import Visits


class VipLead(Staff):
    """Runs the VIP programme: meets key clients for the relationship and leads the yearly pass.

    Each week the lead plans the relationship meetings that are due (the most valuable clients
    monthly, the other key clients quarterly, seed 004), most valuable first, and holds them as
    time allows. During the yearly pass the rest of the day goes to questionnaires and service
    checks, with the sellers seconded to the pass. The lead serves no book.
    """

    def __init__(self, model: SalesModel, staff_idx: int, load: np.ndarray) -> None:
        super().__init__(model, staff_idx, load)
        self.planned: deque[int] = deque()

    def step(self) -> None:
        """One working day: due relationship meetings, then the yearly pass."""
        vip, day = self.mechanisms.vip, self.model.day
        self.start_day()
        if day % WEEK == 0:
            self.planned = deque(vip.meetings_due(self, day).tolist())
        hours = vip.cfg.meeting_hours
        while self.planned and self.hours_left >= hours:
            client_id = self.planned.popleft()
            if vip.meeting_due(client_id, day) and self.try_spend("vip", hours):
                vip.meeting(client_id, day)
        vip.work_on_pass(self, self.hours_left, day)


class VipProgramme:
    """Tiers, relationship meetings and the yearly pass of the VIP programme (seed 004).

    Parameters
    ----------
    scenario
        The scenario (sections ``vip``, ``visits``).
    book
        The client book.
    streams
        The named random streams (``vip-pitch``, ``vip-sale``, ``fix-cost``, ``fix-uplift``).
    ledger
        The month's counters.
    visits
        Personal meetings (a VIP meeting or questionnaire reveals what a visit does).
    dynamics
        The daily client update (told once fixed bottlenecks lift orders).
    leads
        The VIP leads (may be empty: no programme).
    hunting_sellers
        The sellers who hunt; the first ``vip.seconded_full_time`` are seconded to the pass
        full-time.
    staff_is_seller
        Whether each seat is a seller's, shape (staff + 1,), last slot "no one".
    days_per_month
        Working days in a month.
    """

    def __init__(
        self,
        scenario: Scenario,
        book: ClientBook,
        streams: RandomStreams,
        ledger: Ledger,
        visits: Visits,
        dynamics: ClientDynamics,
        leads: list[VipLead],
        hunting_sellers: list[Seller],
        staff_is_seller: npt.NDArray[np.bool_],
        days_per_month: int,
    ) -> None:
        self.cfg = scenario.vip
        self.gain = scenario.visits.satisfaction_gain
        self.book = book
        self.streams = streams
        self.ledger = ledger
        self.visits = visits
        self.dynamics = dynamics
        self.leads = leads
        self.staff_is_seller = staff_is_seller
        self.days_per_month = days_per_month
        self._seconded_full = {a.staff_idx for a in hunting_sellers[: self.cfg.seconded_full_time]}
        self._pass: deque[int] = deque()  # clients the yearly pass has still to reach
        self._pass_open = False

    # ---- tiers and meetings ----------------------------------------------------------------
    def update_tiers(self) -> None:
        """Set the Pareto tiers of the active clients by value (2 top, 1 key, 0 other)."""
        cfg, b = self.cfg, self.book
        active = b.active_ids()
        b.tier[:] = 0
        b.tier[active] = eco.value_tiers(
            b.value[active], cfg.key_revenue_share, cfg.top_revenue_share
        )

    def _meeting_interval_days(
        self, tier: npt.NDArray[np.int8] | int
    ) -> npt.NDArray[np.float64] | float:
        cfg = self.cfg
        months = np.where(
            tier == 2, cfg.top_meeting_interval_months, cfg.key_meeting_interval_months
        )
        return months * self.days_per_month

    def meetings_due(self, lead: VipLead, day: int) -> npt.NDArray[np.intp]:
        """Return the key clients due a meeting, most valuable first, shared among the leads."""
        b = self.book
        active = b.active_ids()
        keys = active[b.tier[active] > 0]
        due = keys[day - b.last_vip_day[keys] >= self._meeting_interval_days(b.tier[keys])]
        due = due[np.lexsort((-b.value[due], -b.tier[due]))]
        mine: np.ndarray = due[self.leads.index(lead) :: len(self.leads)]
        return mine

    def meeting_due(self, client_id: int, day: int) -> bool:
        """Return whether a key client is (still) due a relationship meeting."""
        b = self.book
        tier = int(b.tier[client_id])
        return bool(
            b.state[client_id] == ACTIVE
            and tier > 0
            and day - b.last_vip_day[client_id] >= self._meeting_interval_days(tier)
        )

    def meeting(self, client_id: int, day: int) -> None:
        """Hold a relationship meeting; with a pitch it sells but spoils the mood."""
        cfg, b = self.cfg, self.book
        b.last_vip_day[client_id] = day
        b.vip_meetings[client_id] += 1
        count = int(b.vip_meetings[client_id])
        self.ledger.add("vip_meetings", 1)
        if self.streams.keyed_uniform1("vip-pitch", client_id, count) >= cfg.pitch_share:
            self.visits.meet(client_id, day, self.gain, protect=True)
            return
        self.ledger.add("vip_pitches", 1)
        self.visits.meet(client_id, day, self.gain - cfg.pitch_satisfaction_cost, protect=False)
        if self.streams.keyed_uniform1("vip-sale", client_id, count) < cfg.pitch_sale_prob:
            amount = float(b.value[client_id]) * cfg.pitch_order_months_of_value
            b.receivable[client_id] += amount
            book_revenue(self.ledger, amount, "vip_pitch_revenue")

    # ---- the yearly pass -------------------------------------------------------------------
    def open_or_close_pass(self, day: int) -> None:
        """Open the yearly pass over all active clients (most valuable first), or close it."""
        if not self.leads:
            return
        cfg, d = self.cfg, self.days_per_month
        in_year = day % (12 * d)
        start = (cfg.pass_start_month - 1) * d
        end = min(start + round(cfg.pass_window_months * d), 12 * d)
        if in_year == start:
            active = self.book.active_ids()
            self._pass = deque(active[np.argsort(-self.book.value[active], kind="stable")].tolist())
            self._pass_open = True
        elif in_year == end % (12 * d) and self._pass_open:
            self.ledger.add("vip_pass_missed", len(self._pass))
            self._pass.clear()
            self._pass_open = False

    def secondment_hours(self, seller: Seller, day: int) -> float:
        """Return the hours a seller gives to the yearly pass today.

        Sellers seconded full-time give all the hours their book leaves; the others give whole
        days, one in every ``1 / vip.seconded_part_share`` (staggered by staff index).
        """
        if not self._pass_open or not self._pass:
            return 0.0
        if seller.staff_idx in self._seconded_full:
            return seller.hours_left
        share = self.cfg.seconded_part_share
        if share <= 0:
            return 0.0
        every = max(1, round(1 / share))
        return seller.hours_left if (day + seller.staff_idx) % every == 0 else 0.0

    def work_on_pass(self, person: Staff, hours: float, day: int) -> None:
        """Do questionnaires and service checks of the yearly pass, within ``hours``."""
        if not self._pass_open or hours <= 0:
            return
        cfg = self.cfg
        budget = min(hours, person.hours_left)
        seller = self.staff_is_seller[person.staff_idx]
        while self._pass and budget + 1e-9 >= cfg.questionnaire_hours:
            client_id = self._pass.popleft()
            if self.book.state[client_id] != ACTIVE:
                continue
            person.try_spend("vip", cfg.questionnaire_hours)
            budget -= cfg.questionnaire_hours
            if seller:
                self.ledger.add("vip_seconded_hours", cfg.questionnaire_hours)
            self.questionnaire(client_id, day)
        if seller and person.staff_idx in self._seconded_full and self._pass:
            self.ledger.add("vip_seconded_hours", person.hours_left)
            person.try_spend("vip", person.hours_left)  # switched to the pass for the whole day

    def questionnaire(self, client_id: int, day: int) -> None:
        """Hold the yearly questionnaire and service check: a meeting; bottlenecks found, fixed."""
        cfg, b = self.cfg, self.book
        self.ledger.add("vip_questionnaires", 1)
        self.visits.meet(client_id, day, self.gain, protect=True)
        if not b.bottleneck[client_id]:
            return
        self.ledger.add("vip_bottlenecks_found", 1)
        cost = eco.lognormal(
            self.streams.keyed_uniform1("fix-cost", client_id, 0),
            cfg.fix_cost_median_usd,
            cfg.fix_cost_spread,
        )
        uplift = eco.lognormal(
            self.streams.keyed_uniform1("fix-uplift", client_id, 0),
            cfg.fix_uplift_median_share,
            cfg.fix_uplift_spread,
        )
        value = float(b.value[client_id])
        if not eco.fix_pays(cost, uplift * value, cfg.fix_payback_months):
            return
        b.bottleneck[client_id] = False
        b.value[client_id] = value * (1.0 + uplift)
        b.uplift_share[client_id] = 1.0 - (1.0 - b.uplift_share[client_id]) / (1.0 + uplift)
        self.dynamics.track_uplift = True
        self.ledger.add("vip_fixes", 1)
        self.ledger.add("vip_fixes_cost", cost)
