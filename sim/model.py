"""The model wiring: builds the company and its market, its mechanisms, and the working day.

Order of a day (one step), as ``SalesModel.step`` runs it:

1. At a month's start, the VIP programme sets the clients' tiers; on its days, the yearly VIP
   pass opens or closes.
2. At-risk clients in the specialists' books are flagged from yesterday's state; clients whose
   close-work months are over settle into routine service (or go to an account manager).
3. Sellers (hunters and generalists), in random order: a seat whose replacement is due today
   is filled first (``Staffing.hire``), an empty seat does nothing; serve their book, hand off,
   visit escalated clients, follow up letter responses, work on the VIP pass if seconded, make the
   periodic visits, work the pipeline, ask for calls; then the day's calls are placed in bulk.
4. Account managers, specialists (escalations first), VIP leads, letter writers: each role in
   random order within it. Each person's attention of today is written as he serves his book
   (``Staff.start_day``).
5. All clients in bulk (``ClientDynamics``): satisfaction, hidden dissatisfaction, needs,
   orders, payments, reveals by close work, lapsing, reactivation, and the choice of rivals.
6. Competitors, in random order, take the clients that chose them.
7. The day's flows are booked (revenue, payments, bonuses); revealed needs become projects,
   lapsed clients go dormant, waking clients come back.
8. The day counter moves on; an empty seat's bonuses of the day are dropped
   (``Bonuses.clear_seats``).
9. At the end of a month: one row of the monthly table (salaries, desks, tools, bonuses),
   then morale, skill and quits.

The mechanisms live in their own classes, each owning its state: ``Pipeline``
(sim/pipeline.py), ``Assignment`` (sim/assignment.py), ``Handoff`` (sim/agents/hunter.py),
``Escalation`` (sim/agents/specialist.py), ``Accounts`` (sim/agents/account_manager.py),
``Visits`` (sim/visits.py), ``Lifecycle`` (sim/lifecycle.py), ``LetterCampaign``
(sim/agents/letter_writer.py), ``VipProgramme`` (sim/agents/vip_lead.py), ``Poaching``
(sim/agents/competitor.py), ``ClientDynamics`` (sim/agents/client.py), ``Staffing``
(sim/staffing.py) and ``Bonuses`` (sim/bonuses.py). The agents act through the ``Mechanisms``
(sim/mechanisms.py) the model hands each of them once it has built them.
"""

from __future__ import annotations

import functools
import itertools
from typing import cast

import numpy as np
import pandas as pd
from mesa import Agent, Model
from mesa.agent import AgentSet

from sim import economics as eco
from sim.agents.account_manager import AccountManager, Accounts
from sim.agents.client import ACTIVE, Client, ClientDynamics, DayFlows
from sim.agents.competitor import Competitor, Poaching
from sim.agents.generalist import Generalist
from sim.agents.hunter import Handoff, Hunter
from sim.agents.letter_writer import LetterCampaign, LetterWriter
from sim.agents.seller import Seller
from sim.agents.specialist import Escalation, Specialist, pay_basis_by_seat
from sim.agents.staff import Staff
from sim.agents.vip_lead import VipLead, VipProgramme
from sim.assignment import Assignment
from sim.bonuses import Bonuses
from sim.cohorts import Cohorts, Retention
from sim.config.schema import Scenario
from sim.effort import Effort
from sim.ledger import COLUMNS, COUNT_COLUMNS, Ledger
from sim.lifecycle import Lifecycle
from sim.market import generate_market, lead_order
from sim.mechanisms import Mechanisms
from sim.pipeline import Pipeline
from sim.randomness import RandomStreams
from sim.recorder import month_row
from sim.roles import NAMES, ROLES
from sim.staffing import Staffing
from sim.visits import Visits


class _AgentNumbers:
    """Mesa's per-model counters of agent ids, kept on the model itself.

    Mesa keeps them in a class-level dict keyed by the model itself, which keeps every model
    ever built (and all its agents and tables) alive for the life of the process: a server
    building models session after session, or a worker running run after run, would only grow
    (mesa issue 3179, fixed after the Mesa 3.3 this project pins). Kept on the model, a counter
    goes with it; no weak reference is needed, so no callback runs while a model is freed (a
    Ctrl-C or SIGTERM that arrived then would be lost in it).
    """

    def __getitem__(self, model: Model) -> itertools.count[int]:
        counter: itertools.count[int] | None = model.__dict__.get("_agent_numbers")
        if counter is None:
            counter = model._agent_numbers = itertools.count(1)
        return counter


Agent._ids = _AgentNumbers()


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
        self._build_staff()
        self._build_competitors()
        self._build_mechanisms()
        for seller in self.hunting_sellers:
            self.staffing.update_skill(seller)
        self._assign_initial_clients()
        asleep = self.book.dormant_ids()
        self.dynamics.schedule_wakeups(
            self.streams, asleep, 0, self.book.naps[asleep], -self.book.lapsed_day[asleep]
        )
        self.book.naps[asleep] += 1
        self.retention = Retention(self.book.active_ids())

    # ---- the mechanisms --------------------------------------------------------------------
    def _build_mechanisms(self) -> None:
        """Build the mechanisms, each given the parts of the company and market it works on."""
        s, book, staff = self.scenario, self.book, self.staff
        streams, ledger = self.streams, self.ledger
        d, hunting, sells = self.days_per_month, self.hunting_sellers, self.staff_is_seller
        self.cohorts = Cohorts(book.size, months=self.horizon_days // d, active=book.active_ids())
        self.dynamics = ClientDynamics(
            s.clients, days_per_month=d, new_days=s.money.new_client_bonus_months * d,
            poaching=self.poaching, overload=s.overload,
        )  # fmt: skip
        self.bonuses = Bonuses(
            roles=NAMES, staff_role=self.staff_role, money=s.money, days_per_month=d, ledger=ledger
        )
        self.dynamics.set_pay_basis(
            *pay_basis_by_seat(s.specialists, self.specialists, len(staff) + 1)
        )
        self.accounts = Accounts(
            book, staff, managers=self.account_managers, segments=self._account_segment,
            close_load=self.close_load, ledger=ledger,
        )  # fmt: skip
        self.assignment = Assignment(
            book, staff, specialists=self.specialists, generalists=self.generalists,
            accounts=self.accounts, seller_load=self.seller_load,
            book_limit_hours=s.sellers.book_limit_load * self.hours_per_day,
        )  # fmt: skip
        self.handoff = Handoff(s.handoff, book, staff, specialists=self.specialists, ledger=ledger)
        self.escalation = Escalation(
            s.escalation, book, staff, specialists=self.specialists, ledger=ledger,
            days_per_month=d,
        )  # fmt: skip
        loads = {"close": self.close_load, "routine": self.routine_load, "seller": self.seller_load}
        leads, new_client = lead_order(book, streams), functools.partial(Client, self)
        self.pipeline = Pipeline(
            s, book, leads=leads, streams=streams, ledger=ledger, competitors=self.competitors,
            staff=staff, accounts=self.accounts, loads=loads,
            at_seller_load=self.staff_at_seller_load, clients=self.clients,
            new_client=new_client, cohorts=self.cohorts, days_per_month=d,
        )  # fmt: skip
        skill = self.staff_win_skill
        self.visits = Visits(
            s, book, streams=streams, ledger=ledger, bonuses=self.bonuses, staff=staff,
            staff_is_seller=sells, staff_win_skill=skill, days_per_month=d,
        )  # fmt: skip
        self.lifecycle = Lifecycle(
            s, book, streams=streams, ledger=ledger, staff=staff, staff_is_seller=sells,
            assignment=self.assignment, pipeline=self.pipeline, cohorts=self.cohorts,
            dynamics=self.dynamics,
        )  # fmt: skip
        self.letters = LetterCampaign(
            s.letters, book, streams=streams, ledger=ledger, staff=staff,
            hunting_sellers=hunting, lifecycle=self.lifecycle,
        )  # fmt: skip
        self.vip = VipProgramme(
            s, book, streams=streams, ledger=ledger, visits=self.visits, dynamics=self.dynamics,
            leads=self.vip_leads, hunting_sellers=hunting, staff_is_seller=sells,
            days_per_month=d,
        )  # fmt: skip
        self.staffing = Staffing(
            s, book, streams=streams, ledger=ledger, hunting_sellers=hunting,
            generalists=self.generalists, assignment=self.assignment,
            staff_quality=self.staff_quality, staff_win_skill=skill,
            seller_load=self.seller_load, hours_per_day=self.hours_per_day, days_per_month=d,
        )  # fmt: skip
        self.effort = Effort(
            s, book, streams=streams, ledger=ledger,
            staff_hunts=np.isin(np.arange(len(staff) + 1), [a.staff_idx for a in hunting]),
            days_per_month=d,
        )  # fmt: skip
        self._hand_out_mechanisms()

    def _hand_out_mechanisms(self) -> None:
        """Give every staff member and competitor the mechanisms they act through, once."""
        mechanisms = Mechanisms(
            pipeline=self.pipeline,
            assignment=self.assignment,
            handoff=self.handoff,
            escalation=self.escalation,
            visits=self.visits,
            lifecycle=self.lifecycle,
            letters=self.letters,
            vip=self.vip,
            staffing=self.staffing,
            effort=self.effort,
        )
        for person in self.staff:
            person.mechanisms = mechanisms
        for rival in self.competitors:
            rival.mechanisms = mechanisms

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
        self.routine_load = eco.routine_hours_per_day(
            s.sellers.routine_contacts_per_year * weights,
            s.sellers.routine_contact_hours,
            s.sellers.selling_time_share,
            12 * self.days_per_month,
        )
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
        # Hours demanded over hours available today (``Staff.start_day``), and 0 for no one.
        self.staff_load_ratio = np.zeros_like(self.staff_attention)
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

    def _build_staff_arrays(self) -> None:
        """Per-staff arrays with one extra last slot standing for 'no one' (index -1)."""
        s = self.scenario
        n = len(self.staff) + 1
        roles = [r for r in ROLES for _ in self._members[r.name]]  # in staff-index order
        self.staff_quality = np.full(n, s.clients.unattended_quality)
        self.staff_reveal = np.zeros(n)
        self.staff_role = np.array([r.name for r in roles] + ["none"])
        self.staff_is_seller = np.array([r.sells for r in roles] + [False])
        self.staff_at_seller_load = np.array([r.load == "seller" for r in roles] + [False])
        for a, role in zip(self.staff, roles, strict=True):
            cfg = getattr(s, role.service_section)
            self.staff_quality[a.staff_idx] = cfg.service_quality
            self.staff_reveal[a.staff_idx] = cfg.reveal_per_month
        # Sellers' skill at developing a project (7.20), read by ``Seller.win_skill``, written by
        # ``Staffing``; 1 for no one and for the sellers who do not hunt (they do not turn over).
        self.staff_win_skill = np.ones(n)

    def _build_competitors(self) -> None:
        cfg = self.scenario.market.competitors
        self.competitors = [Competitor(self, k, cfg.strength) for k in range(cfg.count)]
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
        """Give the clients active at the start to the hunting sellers round-robin; serve them."""
        for client_id in range(self.scenario.market.active_clients):
            if self.hunting_sellers:
                seller = self.hunting_sellers[client_id % len(self.hunting_sellers)]
                self.book.owner[client_id] = seller.staff_idx
                seller.own(client_id)
            self.assignment.assign_server(client_id, prefer_owner=True)

    # ---- running ---------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one working day."""
        day = self.day
        if day % self.days_per_month == 0:
            self.vip.update_tiers()
        self.vip.open_or_close_pass(day)
        self.escalation.flag(day)
        self.pipeline.settle_new_clients(day)
        self._hunting_set.shuffle_do("step")
        self.pipeline.place_calls(day)
        if self.account_managers:
            self._account_set.shuffle_do("step")
        self._specialist_set.shuffle_do("step")
        if self.vip_leads:
            self._vip_set.shuffle_do("step")
        if self.writers:
            self._writer_set.shuffle_do("step")
        flows = self.dynamics.step(
            self.book,
            self.streams,
            day,
            self.staff_attention,
            self.staff_quality,
            self.staff_reveal,
            self.staff_load_ratio,
        )
        self.lifecycle.hold_rival_choices(flows)
        self._competitor_set.shuffle_do("step")
        self._settle_flows(flows, day)
        self.day += 1
        self.bonuses.clear_seats(self.staffing.vacant)
        if self.day % self.days_per_month == 0:
            self.rows.append(month_row(self))
            self.staffing.month_end(self.day)
        if self.day >= self.horizon_days:
            self.running = False

    def _settle_flows(self, flows: DayFlows, day: int) -> None:
        """Book the day's money; revealed needs become projects; clients lapse or wake up."""
        self.bonuses.record_flows(flows, self.book, day)
        if flows.revealed.size:
            self.visits.reveal(flows.revealed[self.book.state[flows.revealed] == ACTIVE])
        self.lifecycle.lapse(flows.lapsed, day)
        if flows.reactivated.size:
            self.lifecycle.reactivate(flows.reactivated)

    def run(self) -> pd.DataFrame:
        """Run to the horizon and return the monthly table."""
        while self.day < self.horizon_days:
            self.step()
        return self.timeseries()

    def timeseries(self) -> pd.DataFrame:
        """Return the monthly table so far (counts as integers, money and rates as floats).

        Built column by column, not row by row and then cast: a workshop session builds it
        twice a month, and casting a table of 139 columns took five times as long as this.
        """
        if not self.rows:  # no month yet: the columns, typed as pandas types an empty table
            empty = pd.DataFrame([], columns=list(COLUMNS))
            return empty.astype(dict.fromkeys(COUNT_COLUMNS, "int64"))
        data: dict[str, object] = {name: [row[name] for row in self.rows] for name in COLUMNS}
        for name in COUNT_COLUMNS:
            data[name] = np.array(data[name], dtype=np.int64)
        return pd.DataFrame(data, columns=list(COLUMNS))

    def role_members(self, role: str) -> list[Staff]:
        """Staff of one role (``sim.roles.Role.name``), in staff-index order."""
        return self._members[role]
