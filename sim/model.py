"""The model wiring: builds the company and its market and defines the working day.

Order of a day (one step):

1. At-risk clients are flagged from yesterday's client state; clients whose close-work months
   are over settle into routine service.
2. Sellers (hunters and generalists), in random order: serve their book, hand off, visit,
   work the pipeline, ask for calls; then the day's calls are placed in bulk.
3. Specialists, in random order: call hunters about at-risk clients, serve their book.
4. Competitors, in random order: take clients.
5. All clients in bulk: satisfaction, hidden dissatisfaction, needs, orders, payments, lapsing,
   reactivation.
6. At the end of a month: salaries, desks, tools, and one row of the monthly table.
"""

from __future__ import annotations

import bisect
import itertools
import weakref
from collections import deque
from typing import cast

import numpy as np
import pandas as pd
from mesa import Agent, Model
from mesa.agent import AgentSet

from sim import economics as eco
from sim.agents.account_manager import AccountManager
from sim.agents.client import (
    ACTIVE,
    DORMANT,
    NEVER,
    NO_ONE,
    PROSPECT,
    Client,
    ClientDynamics,
    DayFlows,
)
from sim.agents.competitor import Competitor, Poaching
from sim.agents.generalist import Generalist
from sim.agents.hunter import Hunter
from sim.agents.letter_writer import LetterWriter
from sim.agents.seller import Seller
from sim.agents.specialist import Specialist
from sim.agents.staff import Staff
from sim.agents.vip_lead import VipLead
from sim.cohorts import Cohorts
from sim.config.schema import Scenario
from sim.ledger import COLUMNS, COUNT_COLUMNS, Ledger
from sim.market import generate_market, lead_order
from sim.randomness import RandomStreams
from sim.recorder import month_row
from sim.roles import NAMES, ROLES

SMALL = 8  # below this many clients, per-client Python is faster than array calls

IN_PIPELINE = 2**31 - 1


class _AgentNumbers(weakref.WeakKeyDictionary):  # type: ignore[type-arg]
    """Mesa's per-model counters of agent ids, keyed weakly by the model.

    Mesa keeps them in a class-level dict keyed by the model itself, which keeps every model
    ever built (and all its agents and tables) alive for the life of the process: a server
    building models session after session, or a worker running run after run, would only grow
    (mesa issue 3179, fixed after the Mesa 3.3 this project pins).
    """

    def __getitem__(self, model: Model) -> itertools.count[int]:
        try:
            return super().__getitem__(model)  # type: ignore[no-any-return]
        except KeyError:
            counter = self[model] = itertools.count(1)
            return counter


Agent._ids = _AgentNumbers()  # type: ignore[assignment]


class SalesModel(Model):
    """A B2B sales department, its clients and its competitors.

    Parameters
    ----------
    scenario
        The validated scenario.
    seed
        Root seed; defaults to ``scenario.seed``.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        seed = scenario.seed if seed is None else seed
        super().__init__(seed=seed)
        self.scenario = scenario
        self.root_seed = seed
        self.streams = RandomStreams(seed)
        self.days_per_month = scenario.calendar.working_days_per_month
        self.hours_per_day = scenario.calendar.hours_per_day
        self.horizon_days = scenario.calendar.horizon_years * 12 * self.days_per_month
        self.day = 0
        self.ledger = Ledger()
        self.rows: list[dict[str, float]] = []
        self.book = generate_market(scenario, self.streams)
        # Past clients are agents from the start; a prospect becomes one when it is won.
        self.clients = {i: Client(self, i) for i in range(scenario.market.past_clients)}
        self._leads = lead_order(self.book, self.streams)
        self._lead_pos = 0
        self._build_staff()
        self._build_competitors()
        self._assign_initial_clients()
        self.dynamics = ClientDynamics(
            scenario.clients,
            self.days_per_month,
            scenario.money.new_client_bonus_months * self.days_per_month,
            self.poaching,
        )
        asleep = self.book.dormant_ids()
        self.dynamics.schedule_wakeups(self.streams, asleep, 0, self.book.naps[asleep])
        self.book.naps[asleep] += 1
        self._flags: dict[int, list[int]] = {}
        self._call_requests: list[tuple[Seller, int]] = []
        self._settling: deque[tuple[float, int, int]] = deque()
        self._flows: DayFlows | None = None
        self._pass: deque[int] = deque()  # clients the yearly VIP pass has still to reach
        self._pass_open = False
        self._vacant: list[int] = []  # staff indices of empty seats
        self._history: deque[np.ndarray] = deque([self.book.active_ids().copy()], maxlen=13)
        self.cohorts = Cohorts(
            self.book.size, self.horizon_days // self.days_per_month, self.book.active_ids()
        )

    # ---- construction ----------------------------------------------------------------------
    def _build_staff(self) -> None:
        """Build the staff from the role table, in its order (the order of the staff indices)."""
        s, org, book = self.scenario, self.scenario.organisation, self.book
        consult = np.where(book.consultative, s.sellers.consultative_load_factor, 1.0)
        caps = np.array(
            [
                s.sellers.capacity_small_clients,
                s.sellers.capacity_medium_clients,
                s.sellers.capacity_xl_clients,
            ]
        )
        weights = np.array(s.clients.routine_load_weights)[book.segment]
        self.close_load = self.hours_per_day / caps[book.segment] * consult
        self.routine_load = self.hours_per_day / s.sellers.routine_capacity_clients * weights
        self.seller_load = self.routine_load.copy()  # close-work load while a client is new
        spec_cap = (
            s.specialists.capacity_clients_with_billing
            if org.billing_system
            else s.specialists.capacity_clients
        )
        loads = {
            "seller": self.seller_load,
            "close": self.close_load,
            "office": self.hours_per_day / spec_cap * weights,
            None: np.zeros(0),  # serves no book
        }
        # Attention each staff member gave today (``Staff.attention``), and 0 for no one.
        self.staff_attention = np.zeros(sum(role.heads(s) for role in ROLES) + 1)
        self.staff: list[Staff] = []
        self._members: dict[str, list[Staff]] = {}
        for role in ROLES:
            members = [
                role.agent(self, len(self.staff) + k, loads[role.load])
                for k in range(role.heads(s))
            ]
            self._members[role.name] = members
            self.staff.extend(members)
        self.hunters = cast(list[Hunter], self._members["hunter"])
        self.generalists = cast(list[Generalist], self._members["generalist"])
        self.specialists = cast(list[Specialist], self._members["specialist"])
        self.account_managers = cast(list[AccountManager], self._members["account_manager"])
        self.writers = cast(list[LetterWriter], self._members["writer"])
        self.vip_leads = cast(list[VipLead], self._members["vip_lead"])
        self.hunting_sellers = cast(
            list[Seller], [a for r in ROLES if r.hunts for a in self._members[r.name]]
        )
        names = ("small", "medium", "xl")
        self._account_segment = np.array([n in s.accounts.segments for n in names])
        full_time = self.scenario.vip.seconded_full_time
        self._seconded_full = {a.staff_idx for a in self.hunting_sellers[:full_time]}
        self._hunting_set = AgentSet(
            self.hunting_sellers, random=self.streams.python_random("order-sellers")
        )
        self._specialist_set = AgentSet(
            self.specialists, random=self.streams.python_random("order-specialists")
        )
        self._account_set = AgentSet(
            self.account_managers, random=self.streams.python_random("order-accounts")
        )
        self._vip_set = AgentSet(self.vip_leads, random=self.streams.python_random("order-vip"))
        self._writer_set = AgentSet(
            self.writers, random=self.streams.python_random("order-writers")
        )
        self._build_staff_arrays()
        for seller in self.hunting_sellers:
            self._update_skill(seller)

    def _build_staff_arrays(self) -> None:
        """Per-staff arrays with one extra last slot standing for 'no one' (index -1)."""
        s = self.scenario
        n = len(self.staff) + 1
        roles = [r for r in ROLES for _ in self._members[r.name]]  # in staff-index order
        self.staff_quality = np.full(n, s.clients.unattended_quality)
        self.staff_reveal = np.zeros(n)
        self.staff_role = np.array([r.name for r in roles] + ["none"])
        self.staff_is_seller = np.array([r.sells for r in roles] + [False])
        self.staff_is_specialist = self.staff_role == "specialist"
        for a, role in zip(self.staff, roles, strict=True):
            cfg = getattr(s, role.service_section)
            self.staff_quality[a.staff_idx] = cfg.service_quality
            self.staff_reveal[a.staff_idx] = cfg.reveal_per_month
        self._bonus = np.zeros(n)
        # Sellers' skill at developing a project (7.20), read by ``Seller.win_skill``; 1 for
        # no one and for the sellers who do not hunt (they do not turn over).
        self.staff_win_skill = np.ones(n)

    def _build_competitors(self) -> None:
        cfg = self.scenario.market.competitors
        self.competitors = [Competitor(self, k, cfg.strength) for k in range(cfg.count)]
        self._bid_streams = [f"bid-{c.index}" for c in self.competitors]
        visits = self.scenario.visits
        self.poaching = Poaching(
            per_month=cfg.poach_per_month,
            weights=(
                cfg.neglect_weight,
                cfg.dissatisfaction_weight,
                cfg.hidden_weight,
                cfg.need_weight,
            ),
            strength_cum=np.cumsum([c.strength for c in self.competitors]),
            protection_days=visits.protection_months * self.days_per_month,
            protection_strength=visits.protection_strength,
            days_per_month=self.days_per_month,
        )
        self._competitor_set = AgentSet(
            self.competitors, random=self.streams.python_random("order-competitors")
        )

    def _assign_initial_clients(self) -> None:
        """The clients active at the start: owned round-robin by the hunting sellers; served."""
        for client_id in range(self.scenario.market.active_clients):
            if self.hunting_sellers:
                seller = self.hunting_sellers[client_id % len(self.hunting_sellers)]
                self.book.owner[client_id] = seller.staff_idx
                seller.own(client_id)
            self.assign_server(client_id, prefer_owner=True)

    # ---- running ---------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one working day."""
        if self.day % self.days_per_month == 0:
            self._update_tiers()
        if self.vip_leads:
            self._open_or_close_pass()
        self._flags = self._compute_flags()
        self._settle_new_clients()
        self._hunting_set.shuffle_do("step")
        self._place_calls()
        if self.account_managers:
            self._account_set.shuffle_do("step")
        self._specialist_set.shuffle_do("step")
        if self.vip_leads:
            self._vip_set.shuffle_do("step")
        if self.writers:
            self._writer_set.shuffle_do("step")
        self._flows = self.dynamics.step(
            self.book,
            self.streams,
            self.day,
            self.staff_attention,
            self.staff_quality,
            self.staff_reveal,
        )
        self._competitor_set.shuffle_do("step")
        self._apply_flows(self._flows)
        self.day += 1
        if self._vacant:
            self._bonus[self._vacant] = 0.0  # no one in the seat earns bonuses
        if self.day % self.days_per_month == 0:
            self.rows.append(month_row(self))
            self._staffing_month()
        if self.day >= self.horizon_days:
            self.running = False

    def run(self) -> pd.DataFrame:
        """Run to the horizon and return the monthly table."""
        while self.day < self.horizon_days:
            self.step()
        return self.timeseries()

    def timeseries(self) -> pd.DataFrame:
        """The monthly table so far (counts as integers, money and rates as floats)."""
        frame = pd.DataFrame(self.rows, columns=list(COLUMNS))
        return frame.astype(dict.fromkeys(COUNT_COLUMNS, "int64"))

    # ---- clients: queries --------------------------------------------------------------------
    def is_active(self, client_id: int) -> bool:
        """Whether the client is active."""
        return bool(self.book.state[client_id] == ACTIVE)

    def seller_of(self, client_id: int) -> Seller | None:
        """The supervising seller (owner) of a client, if any."""
        owner = int(self.book.owner[client_id])
        return self.staff[owner] if owner >= 0 else None  # type: ignore[return-value]

    def visits_due(self, owned: np.ndarray, day: int) -> np.ndarray:
        """Of a seller's clients, the active ones due a periodic consultative visit."""
        cfg = self.scenario.visits
        if cfg.interval_months <= 0 or owned.size == 0:
            return owned[:0]
        b = self.book
        due = (b.state[owned] == ACTIVE) & (
            day - b.last_visit_day[owned] >= cfg.interval_months * self.days_per_month
        )
        if cfg.applies_to == "consultative":
            due &= b.consultative[owned]
        return owned[due]

    def visit_due(self, client_id: int, day: int) -> bool:
        """Whether one client is (still) due a periodic consultative visit."""
        b, cfg = self.book, self.scenario.visits
        return bool(
            cfg.interval_months > 0
            and b.state[client_id] == ACTIVE
            and day - b.last_visit_day[client_id] >= cfg.interval_months * self.days_per_month
            and (cfg.applies_to == "all" or b.consultative[client_id])
        )

    def flagged_clients(self, staff_idx: int) -> list[int]:
        """At-risk clients in a specialist's book today."""
        return self._flags.get(staff_idx, [])

    def _compute_flags(self) -> dict[int, list[int]]:
        cfg, b = self.scenario.escalation, self.book
        if not cfg.enabled or not self.specialists:
            return {}
        ids = b.active_ids()
        ids = ids[b.satisfaction[ids] < cfg.satisfaction_threshold]
        server = b.server[ids]
        flagged = (
            self.staff_is_specialist[server]
            & (b.owner[ids] >= 0)
            & (self.day - b.last_flag_day[ids] >= cfg.cooldown_months * self.days_per_month)
        )
        flags: dict[int, list[int]] = {}
        for client_id, staff_idx in zip(
            ids[flagged].tolist(), server[flagged].tolist(), strict=True
        ):
            flags.setdefault(staff_idx, []).append(client_id)
        return flags

    # ---- prospects ---------------------------------------------------------------------------
    def next_leads(self, count: int, day: int) -> np.ndarray:
        """The next ``count`` prospects free to be called, in the market's lead order."""
        b, leads = self.book, self._leads
        taken: list[np.ndarray] = []
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
        """A seller will spend the rest of the day on ``count`` calls."""
        self._call_requests.append((seller, count))

    def _place_calls(self) -> None:
        """Hand out today's leads to the sellers who asked, in their order; call them in bulk."""
        if not self._call_requests:
            return
        requests, self._call_requests = self._call_requests, []
        leads = self.next_leads(sum(n for _, n in requests), self.day)
        b = self.book
        meet = self.streams.keyed_uniform("call", leads, b.attempts[leads]) < (
            self.scenario.pipeline.call_to_meeting_prob
        )
        self.prospect_declined(leads[~meet], self.day)
        self.ledger.add("calls", leads.size)
        start = 0
        for seller, count in requests:
            mine, got = leads[start : start + count], meet[start : start + count]
            start += count
            if mine.size:
                seller.calls_made(mine.tolist(), mine[got].tolist(), self.day)

    def meeting_goes_well(self, client_id: int) -> bool:
        """Whether a meeting leads to a proposal."""
        self.ledger.add("meetings", 1)
        u = self.streams.keyed_uniform1("meeting", client_id, self.book.attempts[client_id])
        return u < self.scenario.pipeline.meeting_to_proposal_prob

    def prospect_declined(self, ids: np.ndarray | int, day: int) -> None:
        """A prospect said no: try again after the recontact time."""
        wait = self.scenario.pipeline.recontact_after_months * self.days_per_month
        self.book.attempts[ids] += 1
        self.book.blocked_until[ids] = day + round(wait)

    def close_deal(self, seller: Seller, client_id: int, day: int) -> None:
        """Present a proposal; competitors may bid; the prospect buys from us, a rival or no one."""
        cfg, b = self.scenario, self.book
        attempt = int(b.attempts[client_id])
        self.ledger.add("proposals", 1)
        bid_prob, draw = cfg.market.competitors.bid_prob, self.streams.keyed_uniform1
        rivals = [
            c
            for c, stream in zip(self.competitors, self._bid_streams, strict=True)
            if draw(stream, client_id, attempt) < bid_prob
        ]
        rival_strength = sum(c.strength for c in rivals)
        ours = cfg.sellers.win_strength * seller.win_skill
        p_win = eco.win_probability(cfg.pipeline.buy_prob, ours, rival_strength)
        u = self.streams.keyed_uniform1("deal", client_id, attempt)
        if u < p_win:
            seller.cheer(cfg.staffing.morale_gain_per_win)
            self.win_client(seller, client_id, day)
            return
        seller.cheer(-cfg.staffing.morale_loss_per_lost_proposal)
        if u < cfg.pipeline.buy_prob and rivals:
            share = (u - p_win) / (cfg.pipeline.buy_prob - p_win) * rival_strength
            cumulative = list(itertools.accumulate(c.strength for c in rivals))
            rival = rivals[min(bisect.bisect_right(cumulative, share), len(rivals) - 1)]
            rival.prospects_won += 1
            self.ledger.add("prospects_to_competitor", 1)
        self.prospect_declined(client_id, day)

    def win_client(self, seller: Seller, client_id: int, day: int) -> None:
        """A prospect signs: the seller owns and serves it; the first deal is booked."""
        b, cfg = self.book, self.scenario
        b.set_state(client_id, ACTIVE)
        if client_id not in self.clients:
            self.clients[client_id] = Client(self, client_id)
        b.won_day[client_id] = day
        self.cohorts.join(client_id, day // self.days_per_month + 1)
        b.last_visit_day[client_id] = day
        b.satisfaction[client_id] = cfg.clients.initial_satisfaction
        b.hidden[client_id] = 0.0
        b.need[client_id] = 0.0
        b.owner[client_id] = seller.staff_idx
        seller.own(client_id)
        seller.wins += 1
        self.seller_load[client_id] = self.close_load[client_id]
        self._settling.append(
            (day + cfg.sellers.close_work_months * self.days_per_month, client_id, day)
        )
        seller.take(client_id)
        first = b.value[client_id] * cfg.pipeline.first_order_months_of_value
        b.receivable[client_id] += first
        self._book_revenue(first, "revenue_new")
        self.ledger.add("new_clients", 1)

    # ---- clients: moves ----------------------------------------------------------------------
    def _settle_new_clients(self) -> None:
        """Clients whose close-work months are over need only routine service from a seller."""
        while self._settling and self._settling[0][0] <= self.day:
            _, client_id, won_day = self._settling.popleft()
            if self.book.won_day[client_id] != won_day:
                continue  # lost and won again since: a newer entry follows
            moved = self._to_account_manager(client_id)  # leaves its seller at close-work load
            change = self.routine_load[client_id] - self.seller_load[client_id]
            self.seller_load[client_id] = self.routine_load[client_id]
            server = self.book.server[client_id]
            # Only hunters and generalists serve at close-work load while a client is new.
            person = self.staff[server] if server >= 0 else None
            if not moved and isinstance(person, Hunter | Generalist) and client_id in person.book:
                person.load_hours += change

    def assign_server(self, client_id: int, prefer_owner: bool = False) -> None:
        """Give an active client someone to serve it.

        The client department takes every client. Without one, a client goes to its own seller
        (at the start) or to the generalist with the most room if it fits in his day; else no
        one attends to it. A client of an account segment goes to an account manager with room
        first.
        """
        if self._to_account_manager(client_id):
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
            limit = self.scenario.sellers.book_limit_load * self.hours_per_day
            if roomiest.load_hours + self.seller_load[client_id] <= limit:
                roomiest.take(client_id)

    def _to_account_manager(self, client_id: int) -> bool:
        """Give a client of an account segment to the account manager with the most room.

        The account manager becomes its owner and server; return whether the client moved.
        """
        b = self.book
        if not self.account_managers or not self._account_segment[b.segment[client_id]]:
            return False
        if b.server[client_id] >= 0 and isinstance(self.staff[b.server[client_id]], AccountManager):
            return True  # already with one
        manager = min(self.account_managers, key=Staff.relative_load)
        if not manager.has_room(float(self.close_load[client_id])):
            return False
        self._move_client(client_id, manager)
        self.ledger.add("account_transfers", 1)
        return True

    def hand_off(self, client_id: int, personal: bool) -> None:
        """Move a client from its hunter to the least-loaded specialist."""
        b, cfg = self.book, self.scenario.handoff
        self.staff[b.server[client_id]].drop(client_id)
        min(self.specialists, key=Staff.relative_load).take(client_id)
        if not personal:
            b.satisfaction[client_id] = max(
                0.0, b.satisfaction[client_id] - cfg.cold_satisfaction_drop
            )
            b.hidden[client_id] = min(1.0, b.hidden[client_id] + cfg.cold_hidden_rise)
        self.ledger.add("handoffs", 1)

    def let_go(self, client_id: int) -> None:
        """A seller's book is full: the client goes to the client department, or unattended."""
        self.release(client_id)
        if self._to_account_manager(client_id):
            return
        if self.specialists:
            min(self.specialists, key=Staff.relative_load).take(client_id)

    def release(self, client_id: int) -> None:
        """The server lets a client go: it stays active but no one attends to it."""
        server = self.book.server[client_id]
        if server >= 0:
            self.staff[server].drop(client_id)
        self.book.server[client_id] = NO_ONE

    def escalate(self, client_id: int) -> None:
        """A specialist asks the client's hunter to visit."""
        self.book.last_flag_day[client_id] = self.day
        seller = self.seller_of(client_id)
        if seller is not None:
            seller.escalations.append(client_id)
            self.ledger.add("escalations", 1)

    def visit(self, client_id: int, seller: Seller, day: int) -> None:
        """A seller visits a client: hidden problems and needs come out, the relation warms."""
        self._meet(client_id, day, self.scenario.visits.satisfaction_gain, protect=True)
        self.ledger.add("visits", 1)

    def _meet(self, client_id: int, day: int, gain: float, protect: bool) -> None:
        """A personal meeting: satisfaction moves by ``gain``; hidden problems and needs come out.

        A meeting that builds the relationship (``protect``) also protects the client from
        competitors for a while (7.8).
        """
        b = self.book
        if protect:
            b.last_visit_day[client_id] = day
        b.satisfaction[client_id] = min(1.0, max(0.0, b.satisfaction[client_id] + gain))
        self._reveal_one(client_id)

    def _reveal_one(self, client_id: int) -> None:
        """``_reveal`` for one client, in plain Python."""
        b, cfg = self.book, self.scenario.clients
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
        if beneficiary >= 0:
            self._bonus[beneficiary] += project * self.scenario.money.project_bonus_share
        self._book_revenue(project, "revenue_project")
        self.ledger.add("projects", 1)

    def _project_lost(self, seller_idx: int) -> None:
        """A green (or absent) seller fails to develop a need into a project (seed 001)."""
        self.ledger.add("projects_lost", 1)
        if seller_idx >= 0 and not self.staff[seller_idx].vacant:  # type: ignore[attr-defined]
            loss = self.scenario.staffing.morale_loss_per_lost_project
            self.staff[seller_idx].cheer(-loss)  # type: ignore[attr-defined]

    def _reveal(self, ids: np.ndarray) -> None:
        """Personal contact uncovers hidden dissatisfaction (fixed) and unmet needs (a project)."""
        if ids.size < SMALL:
            for client_id in ids.tolist():
                self._reveal_one(client_id)
            return
        b, cfg = self.book, self.scenario.clients
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
        np.add.at(self._bonus, beneficiary, project * self.scenario.money.project_bonus_share)
        self._bonus[-1] = 0.0
        self._book_revenue(float(project.sum()), "revenue_project")
        self.ledger.add("projects", int(ids.size))

    def _lose(self, ids: np.ndarray, cause: str) -> None:
        """Clients leave the active state: lapsed (dormant) or taken by a competitor."""
        if ids.size == 0:
            return
        b = self.book
        loss = self.scenario.staffing.morale_loss_per_lost_client
        for client_id, server in zip(ids.tolist(), b.server[ids].tolist(), strict=True):
            if server >= 0 and self.staff_is_seller[server]:
                self.staff[server].cheer(-loss)  # type: ignore[attr-defined]
            self.release(client_id)
        self.cohorts.leave(ids)
        self.ledger.add("key_clients_lost", int(np.count_nonzero(b.tier[ids] > 0)))
        self.ledger.add("consultative_lost", int(np.count_nonzero(b.consultative[ids])))
        if cause == "competitor":
            self._disown(ids)
            written_off = b.receivable[ids] * self.scenario.clients.bad_debt_share_on_loss
            b.receivable[ids] -= written_off
            self.ledger.add("bad_debt", float(written_off.sum()))
            b.set_state(ids, PROSPECT)
            self.prospect_declined(ids, self.day)
            self.ledger.add("lost_to_competitor", ids.size)
        else:
            self._fall_asleep(ids)
            self.ledger.add("lost_lapsed", ids.size)

    def _disown(self, ids: np.ndarray) -> None:
        """Clients gone to a competitor no longer belong to the seller who won them."""
        for client_id in ids.tolist():
            seller = self.seller_of(client_id)
            if seller is not None:
                seller.disown(client_id)
        self.book.owner[ids] = NO_ONE

    def _fall_asleep(self, ids: np.ndarray) -> None:
        """Clients become dormant; each will order again unprompted some day."""
        self.book.set_state(ids, DORMANT)
        self.dynamics.schedule_wakeups(self.streams, ids, self.day, self.book.naps[ids])
        self.book.naps[ids] += 1

    def _reactivate(self, ids: np.ndarray) -> None:
        b = self.book
        ids = ids[b.state[ids] == DORMANT]
        if ids.size == 0:
            return
        b.set_state(ids, ACTIVE)
        b.satisfaction[ids] = self.scenario.clients.initial_satisfaction
        for client_id in ids.tolist():
            self.assign_server(client_id)
        self.ledger.add("reactivated_clients", ids.size)

    def poach(self, competitor: Competitor) -> int:
        """Competitor ``competitor`` takes the clients that chose it today; return how many."""
        if self._flows is None or self._flows.poached.size == 0:
            return 0
        taken = self._flows.poached[self._flows.rival == competitor.index]
        taken = taken[self.book.state[taken] == ACTIVE]
        self._lose(taken, "competitor")
        return int(taken.size)

    # ---- letters (or calls) to clients no one in sales works with -----------------------------
    def next_contacts(self, count: int) -> np.ndarray:
        """The ``count`` dormant or unattended clients contacted longest ago (never first).

        Ties go by client id, so the section cycles through the base round-robin.
        """
        b = self.book
        if count <= 0:
            return b.active_ids()[:0]
        active = b.active_ids()
        targets = np.concatenate([b.dormant_ids(), active[b.server[active] == NO_ONE]])
        targets = targets[b.last_contact_day[targets] < self.day]
        if targets.size > count:
            key = (b.last_contact_day[targets].astype(np.int64) - NEVER) * b.size + targets
            pick = np.argpartition(key, count - 1)[:count]
            targets = targets[pick[np.argsort(key[pick])]]
        return targets

    def contact(self, ids: np.ndarray) -> None:
        """Letters (or calls) go out; clients reachable at the address on file may answer."""
        cfg, b = self.scenario.letters, self.book
        b.last_contact_day[ids] = self.day
        b.contacts[ids] += 1
        self.ledger.add("letters_sent", ids.size)
        self.ledger.add("letters_postage", ids.size * cfg.usd_each())
        u = self.streams.keyed_uniform("letter", ids, b.contacts[ids])
        answered = ids[~b.stale_contact[ids] & (u < cfg.reply_prob())]
        self.ledger.add("letter_responses", answered.size)
        expiry = self.day + cfg.response_expiry_days
        on_staff = [s for s in self.hunting_sellers if not s.vacant]
        for client_id in answered.tolist():
            seller = self.seller_of(client_id)
            if seller is None or seller.vacant:
                if not on_staff:
                    self.ledger.add("letter_responses_lapsed", 1)
                    continue
                seller = min(on_staff, key=lambda s: len(s.responses))
            seller.responses.append((expiry, client_id))

    def follow_up(self, client_id: int, seller: Seller) -> None:
        """A seller follows up a response: it may become an order (and wake a dormant client)."""
        cfg, b = self.scenario.letters, self.book
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
            self._reactivate(np.array([client_id]))
        amount = float(b.value[client_id]) * cfg.order_months_of_value
        b.receivable[client_id] += amount
        self._book_revenue(amount, "letter_revenue")
        self.ledger.add("letter_orders", 1)

    # ---- the VIP programme (seed 004) ---------------------------------------------------------
    def _update_tiers(self) -> None:
        """Month start: Pareto tiers of the active clients by value (2 top, 1 key, 0 other)."""
        cfg, b = self.scenario.vip, self.book
        active = b.active_ids()
        b.tier[:] = 0
        b.tier[active] = eco.value_tiers(
            b.value[active], cfg.key_revenue_share, cfg.top_revenue_share
        )

    def _meeting_interval_days(self, tier: np.ndarray | int) -> np.ndarray | float:
        cfg = self.scenario.vip
        months = np.where(
            tier == 2, cfg.top_meeting_interval_months, cfg.key_meeting_interval_months
        )
        return months * self.days_per_month

    def vip_meetings_due(self, lead: VipLead, day: int) -> np.ndarray:
        """Key clients due a relationship meeting, most valuable first, shared among the leads."""
        b = self.book
        active = b.active_ids()
        keys = active[b.tier[active] > 0]
        due = keys[day - b.last_vip_day[keys] >= self._meeting_interval_days(b.tier[keys])]
        due = due[np.lexsort((-b.value[due], -b.tier[due]))]
        return due[self.vip_leads.index(lead) :: len(self.vip_leads)]

    def vip_meeting_due(self, client_id: int, day: int) -> bool:
        """Whether a key client is (still) due a relationship meeting."""
        b = self.book
        tier = int(b.tier[client_id])
        return bool(
            b.state[client_id] == ACTIVE
            and tier > 0
            and day - b.last_vip_day[client_id] >= self._meeting_interval_days(tier)
        )

    def vip_meeting(self, client_id: int, day: int) -> None:
        """A relationship meeting with a key client; with a pitch it sells but spoils the mood."""
        cfg, b = self.scenario.vip, self.book
        b.last_vip_day[client_id] = day
        b.vip_meetings[client_id] += 1
        count = int(b.vip_meetings[client_id])
        self.ledger.add("vip_meetings", 1)
        gain = self.scenario.visits.satisfaction_gain
        if self.streams.keyed_uniform1("vip-pitch", client_id, count) >= cfg.pitch_share:
            self._meet(client_id, day, gain, protect=True)
            return
        self.ledger.add("vip_pitches", 1)
        self._meet(client_id, day, gain - cfg.pitch_satisfaction_cost, protect=False)
        if self.streams.keyed_uniform1("vip-sale", client_id, count) < cfg.pitch_sale_prob:
            amount = float(b.value[client_id]) * cfg.pitch_order_months_of_value
            b.receivable[client_id] += amount
            self._book_revenue(amount, "vip_pitch_revenue")

    def _open_or_close_pass(self) -> None:
        """Open the yearly pass over all active clients (most valuable first), or close it."""
        cfg, d = self.scenario.vip, self.days_per_month
        in_year = self.day % (12 * d)
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

    def secondment_hours(self, seller: Seller) -> float:
        """Hours a seller gives to the yearly pass today.

        Sellers seconded full-time give all the hours their book leaves; the others give whole
        days, one in every ``1 / vip.seconded_part_share`` (staggered by staff index).
        """
        if not self._pass_open or not self._pass:
            return 0.0
        if seller.staff_idx in self._seconded_full:
            return seller.hours_left
        share = self.scenario.vip.seconded_part_share
        if share <= 0:
            return 0.0
        every = max(1, round(1 / share))
        return seller.hours_left if (self.day + seller.staff_idx) % every == 0 else 0.0

    def work_on_pass(self, person: Staff, hours: float) -> None:
        """Questionnaires and service checks of the yearly pass, within ``hours``."""
        if not self._pass_open or hours <= 0:
            return
        cfg = self.scenario.vip
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
            self.questionnaire(client_id)
        if seller and person.staff_idx in self._seconded_full and self._pass:
            self.ledger.add("vip_seconded_hours", person.hours_left)
            person.try_spend("vip", person.hours_left)  # switched to the pass for the whole day

    def questionnaire(self, client_id: int) -> None:
        """The yearly questionnaire and service check: a meeting; bottlenecks found and fixed."""
        cfg, b = self.scenario.vip, self.book
        self.ledger.add("vip_questionnaires", 1)
        self._meet(client_id, self.day, self.scenario.visits.satisfaction_gain, protect=True)
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

    # ---- people: skill, morale, turnover (seed 001) --------------------------------------------
    def _update_skill(self, seller: Seller) -> None:
        """Skill follows experience: selling strength and service quality."""
        cfg = self.scenario.staffing
        months = seller.experience_months()
        self.staff_win_skill[seller.staff_idx] = eco.skill(
            months, cfg.green_win_factor, cfg.ramp_months
        )
        quality_skill = eco.skill(months, cfg.green_quality_factor, cfg.ramp_months)
        base = self.scenario.sellers.service_quality
        self.staff_quality[seller.staff_idx] = base * quality_skill

    def _staffing_month(self) -> None:
        """Month end: morale recovers, skill grows, and some sellers quit."""
        cfg = self.scenario.staffing
        month = self.day // self.days_per_month
        for seller in self.hunting_sellers:
            if seller.vacant:
                continue
            seller.cheer(cfg.morale_recovery_per_month * (1.0 - seller.morale))
            self._update_skill(seller)
            chance = eco.quit_chance(cfg.quit_per_month, seller.morale, cfg.quit_morale_weight)
            if seller.experience_months() < cfg.ramp_months:
                self.ledger.add("newcomer_quit_risk", chance)
            if self.streams.keyed_uniform1("quit", seller.staff_idx, month) < chance:
                self._quit(seller)

    def _quit(self, seller: Seller) -> None:
        """A seller leaves: his book is let go, his pipeline dropped; the seat waits for a hire."""
        cfg = self.scenario.staffing
        self.ledger.add("quits", 1)
        if seller.experience_months() < cfg.ramp_months:
            self.ledger.add("newcomer_quits", 1)
        seller.vacant_until = self.day + round(cfg.hire_delay_months * self.days_per_month)
        self._vacant.append(seller.staff_idx)
        self.staff_win_skill[seller.staff_idx] = 0.0  # no one to develop a project
        prospects = [c for _, c in seller.meetings] + [c for _, c in seller.proposals]
        self.book.blocked_until[prospects] = self.day  # free to be called by others
        seller.meetings.clear()
        seller.proposals.clear()
        seller.escalations.clear()
        seller.planned_visits.clear()
        self.ledger.add("letter_responses_lapsed", len(seller.responses))
        seller.responses.clear()
        seller.pipeline_credit = 0.0
        if isinstance(seller, Hunter):
            seller.handoffs_clear()
        for client_id in sorted(seller.book):
            self.let_go(client_id)

    def hire(self, seller: Seller) -> None:
        """A replacement takes the empty seat: green, in good spirits, and given a book."""
        self.ledger.add("hires", 1)
        seller.hired_day = self.day
        seller.morale = 1.0
        seller.vacant_until = None
        self._vacant.remove(seller.staff_idx)
        self._update_skill(seller)
        self._seat_newcomer(seller)

    def _seat_newcomer(self, newcomer: Seller) -> None:
        """Give a newcomer his book: his predecessor's clients, or the seniors' hard ones.

        With ``staffing.newcomer_gets = consultative`` (unsplit), senior generalists hand their
        consultative clients to the newcomer and take his predecessor's transactional ones, as
        far as books allow (seed 001).
        """
        b, cfg = self.book, self.scenario.staffing
        inherited = [
            c for c in sorted(newcomer.owned) if b.state[c] == ACTIVE and b.server[c] == NO_ONE
        ]
        if isinstance(newcomer, Generalist) and cfg.newcomer_gets == "consultative":
            seniors = [
                g
                for g in self.generalists
                if g is not newcomer and not g.vacant and g.experience_months() >= cfg.ramp_months
            ]
            for senior in seniors:
                for c in sorted(senior.book):
                    mine = b.consultative[c] and b.owner[c] == senior.staff_idx
                    if mine and self._fits(newcomer, c):
                        self._move_client(c, newcomer)
            for c in inherited:
                if not b.consultative[c] and seniors:
                    roomiest = min(seniors, key=Staff.relative_load)
                    if self._fits(roomiest, c):
                        self._move_client(c, roomiest)
        for c in inherited:
            if (
                b.server[c] == NO_ONE
                and b.owner[c] == newcomer.staff_idx
                and self._fits(newcomer, c)
            ):
                newcomer.take(c)

    def _fits(self, seller: Seller, client_id: int) -> bool:
        limit = self.scenario.sellers.book_limit_load * self.hours_per_day
        return seller.load_hours + float(self.seller_load[client_id]) <= limit + 1e-9

    def _move_client(self, client_id: int, seller: Seller) -> None:
        """A client changes seller: the new one owns and serves it."""
        b = self.book
        self.release(client_id)
        owner = self.seller_of(client_id)
        if owner is not None:
            owner.disown(client_id)
        b.owner[client_id] = seller.staff_idx
        seller.own(client_id)
        seller.take(client_id)

    # ---- money -------------------------------------------------------------------------------
    def _book_revenue(self, amount: float, source: str) -> None:
        self.ledger.add("revenue_booked", amount)
        self.ledger.add(source, amount)

    def _apply_flows(self, flows: DayFlows) -> None:
        self.ledger.add("revenue_booked", flows.booked)
        self.ledger.add("revenue_new", flows.booked_new)
        self.ledger.add("revenue_repeat", flows.booked - flows.booked_new)
        self.ledger.add("revenue_collected", flows.collected)
        self.ledger.add("vip_uplift_revenue", flows.booked_uplift)
        self.ledger.add("vip_uplift_new", flows.booked_uplift_new)
        self._pay_seller_bonuses(flows.paid_by, flows.paid)
        if flows.revealed.size:
            self._reveal(flows.revealed[self.book.state[flows.revealed] == ACTIVE])
        if flows.lapsed.size:
            self._lose(flows.lapsed[self.book.state[flows.lapsed] == ACTIVE], "lapsed")
        if flows.reactivated.size:
            self._reactivate(flows.reactivated)

    def _pay_seller_bonuses(self, ids: np.ndarray, paid: np.ndarray) -> None:
        b, money = self.book, self.scenario.money
        share = eco.seller_bonus_share(
            self.day - b.won_day[ids],
            money.new_client_bonus_months * self.days_per_month,
            money.new_client_bonus_share,
            money.ongoing_bonus_share,
        )
        np.add.at(self._bonus, b.owner[ids], paid * share)  # no owner: the last slot
        self._bonus[-1] = 0.0

    def take_bonuses(self) -> dict[str, float]:
        """Bonuses accrued this month by role, and reset them."""
        by_role = {
            role: float(self._bonus[:-1][self.staff_role[:-1] == role].sum()) for role in NAMES
        }
        self._bonus[:] = 0.0
        return by_role

    def role_members(self, role: str) -> list[Staff]:
        """Staff of one role (``sim.roles.Role.name``), in staff-index order."""
        return self._members[role]
