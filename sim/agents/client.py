"""Clients: a Mesa agent per client, with the state of all clients held in arrays.

Every client is a ``Client`` agent (past clients from the start, prospects once won), a light
view onto one row of the ``ClientBook``. The book holds the state of all clients and prospects
as NumPy arrays so that their daily update (orders, payments, satisfaction, hidden
dissatisfaction, unmet needs, lapsing) is done in bulk, not in a Python loop over clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from mesa import Agent

from sim import economics as eco

if TYPE_CHECKING:
    from sim.agents.competitor import Poaching
    from sim.config.schema import ClientsConfig, OverloadConfig
    from sim.model import SalesModel
    from sim.randomness import RandomStreams

PROSPECT, ACTIVE, DORMANT = 0, 1, 2
STATE_NAMES = ("prospect", "active", "dormant")
SEGMENT_NAMES = ("small", "medium", "xl")
NO_ONE = -1
NEVER = -(10**9)
PAID_UP = 0.005  # USD: an open balance below this counts as paid
# Three draws per client-day: ordering (and the order's size), rare events, rivals.
ROWS = np.arange(3)[:, None]


class ClientBook:
    """State of every client and prospect, one array per state variable, indexed by client id."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.state = np.zeros(size, dtype=np.int8)
        self.segment = np.zeros(size, dtype=np.int8)
        self.consultative = np.zeros(size, dtype=bool)
        self.value = np.zeros(size)  # usual order value, USD per month
        self.orders_per_month = np.ones(size)
        self.payment_days = np.ones(size)  # calendar days to pay when chased
        self.hidden_growth = np.zeros(size)  # per working day
        self.need_growth = np.zeros(size)  # per working day
        self.naps = np.zeros(size, dtype=np.int32)  # dormant spells so far
        self.pay_rate = np.zeros(size)  # share of open invoices paid a working day, chased
        self.satisfaction = np.zeros(size)
        self.hidden = np.zeros(size)
        self.need = np.zeros(size)
        self.receivable = np.zeros(size)
        self.collected = np.zeros(size)  # payments received from the client so far, USD
        self.server = np.full(size, NO_ONE, dtype=np.int32)
        self.owner = np.full(size, NO_ONE, dtype=np.int32)
        self.won_day = np.full(size, NEVER, dtype=np.int32)
        self.last_visit_day = np.full(size, NEVER, dtype=np.int32)
        self.last_flag_day = np.full(size, NEVER, dtype=np.int32)
        self.attempts = np.zeros(size, dtype=np.int32)
        self.blocked_until = np.zeros(size, dtype=np.int32)  # prospects: no call before this day
        self.stale_contact = np.zeros(size, dtype=bool)  # address / phone on file out of date
        self.last_contact_day = np.full(size, NEVER, dtype=np.int32)  # letter or call
        self.contacts = np.zeros(size, dtype=np.int32)  # letters or calls so far
        self.bottleneck = np.zeros(size, dtype=bool)  # service bottleneck a service check finds
        self.uplift_share = np.zeros(size)  # share of value added by fixed bottlenecks
        self.tier = np.zeros(size, dtype=np.int8)  # 2 most valuable, 1 key, 0 other (monthly)
        self.last_vip_day = np.full(size, NEVER, dtype=np.int32)  # last VIP meeting
        self.vip_meetings = np.zeros(size, dtype=np.int32)  # VIP meetings so far
        self.projects = np.zeros(size, dtype=np.int32)  # needs uncovered so far (project tries)
        self.lapsed_day = np.full(size, NEVER, dtype=np.int32)  # day it last went dormant
        self.lifetimes = np.ones(size, dtype=np.int16)  # spells as an active client, this one too
        self.lapse_multiple = np.ones(size)  # multiple of the lapse chance (second lifetimes)
        self.dropout_multiple = np.ones(size)  # own multiple of the lapse chance (BG/NBD drop-out)
        self._active: np.ndarray | None = None
        self._dormant: np.ndarray | None = None
        self._others = np.empty(0, dtype=np.int64)  # may owe money though not active
        self._is_other = np.zeros(size, dtype=bool)  # membership of _others

    def active_ids(self) -> np.ndarray:
        """Return the ids of the active clients, ascending (cached until a state changes)."""
        if self._active is None:
            self._active = (self.state == ACTIVE).nonzero()[0]
        return self._active

    def dormant_ids(self) -> np.ndarray:
        """Return the ids of the dormant clients, ascending (cached until a state changes)."""
        if self._dormant is None:
            self._dormant = (self.state == DORMANT).nonzero()[0]
        return self._dormant

    def set_state(self, ids: np.ndarray | int, state: int) -> None:
        """Move clients to ``state`` and forget the cached id lists."""
        if state != ACTIVE:
            ids = np.atleast_1d(ids)
            new = ids[~self._is_other[ids]]
            self._is_other[new] = True
            self._others = np.concatenate([self._others, new])
        self.state[ids] = state
        self._active = None
        self._dormant = None

    def other_debtors(self) -> np.ndarray:
        """Return the ids of the clients not active who still owe money (no repeats)."""
        others = self._others
        if others.size:
            owe = (self.state[others] != ACTIVE) & (self.receivable[others] > PAID_UP)
            if not owe.all():
                self._is_other[others[~owe]] = False
                self._others = others = others[owe]
        return others


@dataclass
class DayFlows:
    """Hold the money and events of one day's bulk client update.

    Attributes
    ----------
    booked
        Orders placed today by all active clients, USD.
    booked_new
        The part of ``booked`` from clients in their first ``money.new_client_bonus_months``
        (the new-client bonus months), USD.
    collected
        Payments received today, USD (the sum of ``paid``).
    paid_by
        Ids of the clients that paid something today, shape (payers,).
    paid
        Amount each of them paid, USD, shape (payers,), aligned with ``paid_by``.
    revealed
        Ids of active clients whose hidden state close work uncovered today, shape (revealed,).
    lapsed
        Ids of active clients that stopped ordering today, shape (lapsed,).
    reactivated
        Ids of clients due to order again after a dormant spell, shape (woken,); some may no
        longer be dormant (``Lifecycle`` checks).
    poached
        Ids of active clients a rival takes today, shape (poached,).
    rival
        Index of the rival taking each, shape (poached,), aligned with ``poached``.
    booked_uplift
        Part of ``booked`` due to fixed service bottlenecks (VIP programme), USD.
    booked_uplift_new
        The part of ``booked_uplift`` from clients in their first bonus months, USD.
    incidents
        Service incidents today, missed orders included (ODD 7.3).
    orders_missed
        Orders an overloaded server missed today (not booked; ODD 7.5).
    revenue_missed
        Value of those orders, USD.
    """

    booked: float
    booked_new: float
    collected: float
    paid_by: np.ndarray  # ids that paid something today
    paid: np.ndarray  # amounts, aligned with paid_by
    revealed: np.ndarray  # active ids whose hidden state close work uncovered
    lapsed: np.ndarray  # active ids that stopped ordering
    reactivated: np.ndarray  # ids due to order again after a dormant spell
    poached: np.ndarray  # active ids a rival takes today
    rival: np.ndarray  # index of the rival taking each, aligned with poached
    booked_uplift: float  # part of ``booked`` due to fixed bottlenecks (VIP programme)
    booked_uplift_new: float  # the part of it from clients in their first bonus months
    incidents: int = 0  # service incidents, missed orders included
    orders_missed: int = 0  # orders an overloaded server missed (not booked)
    revenue_missed: float = 0.0  # their value, USD


class _DayOrders(NamedTuple):
    """A day's orders (``ClientDynamics._orders``): USD booked, and the orders missed."""

    booked: float  # booked today, USD
    booked_new: float  # the part from clients in their first bonus months, USD
    booked_uplift: float  # the part due to fixed bottlenecks (VIP programme), USD
    booked_uplift_new: float  # the part of that from clients in their first bonus months, USD
    missed: int  # orders an overloaded server missed (not booked)
    missed_usd: float  # their value, USD


class ClientDynamics:
    """Update all clients in bulk each working day (pure array work; no wiring).

    The monthly chances of the ``clients`` section (incidents, lapsing, reactivation) and its
    monthly satisfaction adjustment are turned once into per-working-day ones that compound
    back to the monthly ones over ``days_per_month`` days (``sim.economics.per_day``).

    Parameters
    ----------
    cfg
        The scenario's ``clients`` section (satisfaction adjustment, incidents, lapsing,
        reactivation, order sizes, payment chasing).
    days_per_month
        Working days in a month.
    new_days
        Age, in working days since the win, below which a client's orders count as new
        (``money.new_client_bonus_months`` times ``days_per_month``).
    poaching
        The rivals' daily chances of taking each client.
    overload
        The ``overload`` section: more incidents and missed orders above capacity (ODD 7.3,
        7.5); ``None`` or off, a server's load ratio changes nothing.
    """

    def __init__(
        self,
        cfg: ClientsConfig,
        days_per_month: int,
        new_days: float,
        poaching: Poaching,
        overload: OverloadConfig | None = None,
    ) -> None:
        self.cfg = cfg
        self.incident_per_overload = 0.0
        self.missed_order_share = 0.0
        if overload is not None and overload.enabled:
            self.incident_per_overload = overload.incident_per_overload
            self.missed_order_share = overload.missed_order_share
        self.poaching = poaching
        self.track_uplift = False  # set once a bottleneck has been fixed
        self.poach_top = poaching.top
        self.days = days_per_month
        self.new_days = new_days
        self.adjust = 1.0 - (1.0 - cfg.satisfaction_adjust_per_month) ** (1.0 / days_per_month)
        self.lapse = eco.per_day(cfg.lapse_per_month, days_per_month)
        self.boost = cfg.new_client_order_boost
        self.boost_days = cfg.new_client_boost_months * days_per_month
        self.reactivate = eco.per_day(cfg.dormant_reactivation_per_month, days_per_month)
        self.half_life_days = cfg.dormant_response_half_life_months * days_per_month
        self._wakeups: dict[int, list[int]] = {}
        self.incident = eco.per_day(cfg.incident_per_month, days_per_month)
        self.order_multiplier: np.ndarray | None = None  # by seat; None: the pay basis is off
        self.incident_multiplier: np.ndarray | None = None
        # A list to record every booked order as (day, client ids, USD); None records nothing.
        self.order_log: list[tuple[int, np.ndarray, np.ndarray]] | None = None

    def set_pay_basis(self, orders: np.ndarray, incidents: np.ndarray) -> None:
        """Set each seat's multiples of its clients' order rate and incident chance (ODD 7.21).

        Parameters
        ----------
        orders, incidents
            Multipliers by staff index, shape (staff + 1,), 1 for everyone but the
            specialists (``sim.agents.specialist.pay_basis_by_seat``). All 1: the pay basis is
            off and the day's update does not read them.
        """
        on = bool((orders != 1.0).any() or (incidents != 1.0).any())
        self.order_multiplier = orders if on else None
        self.incident_multiplier = incidents if on else None

    def step(
        self,
        book: ClientBook,
        streams: RandomStreams,
        day: int,
        attention: np.ndarray,
        quality: np.ndarray,
        reveal_rate: np.ndarray,
        load_ratio: np.ndarray | None = None,
    ) -> DayFlows:
        """Advance every active client by one working day; draw its orders, payments and events.

        Parameters
        ----------
        book
            The client book; satisfaction, hidden dissatisfaction, needs and receivables are
            updated in place.
        streams
            The named random streams (stream ``client-day``: three draws a client-day, keyed by
            client id and ``day * 64 + row``; ``wake`` is drawn by ``schedule_wakeups``).
        day
            Today's working day, from 0.
        attention
            Share of its book's demand each staff member gave today, 0-1, shape (staff + 1,).
        quality
            Service quality each staff member gives, 0-1, shape (staff + 1,).
        reveal_rate
            Rate a client-month at which each staff member's work uncovers a client's hidden
            state at full attention (``reveal_per_month`` of the member's service section),
            shape (staff + 1,); the day's chance is ``rate * attention / days_per_month``.
        load_ratio
            Hours each staff member's book demanded today over the hours he had, shape
            (staff + 1,), 0 for no one (``sim.economics.load_ratio``); above 1 it raises the
            incident chance and makes orders go missing (stream ``overload``: one draw a
            client of an overloaded server, keyed by client id and day, read if it orders).
            ``None``: all at capacity.

        Returns
        -------
        DayFlows
            Today's money (USD) and the ids of the clients revealed, lapsed, due to wake up and
            taken by a rival.

        Notes
        -----
        The staff arrays are indexed by staff index, with one extra last slot for "no one":
        each active client reads the entry at ``book.server[client]``, and an unattended
        client's server ``NO_ONE`` (-1) reads that last slot (attention 0, the unattended
        quality, no reveals).
        """
        ids = book.active_ids()
        server = book.server[ids]
        att = attention[server]
        u_order, u_event, u_rival = streams.keyed_uniform(
            "client-day", ids[None, :], day * 64 + ROWS
        )
        self._drift(
            book, ids, eco.service_quality(att, quality[server], self.cfg.unattended_quality)
        )
        ratio = None if load_ratio is None else load_ratio[server]
        incident = self._incident_chance(ratio)
        if self.incident_multiplier is not None:
            incident = np.minimum(1.0, incident * self.incident_multiplier[server])
        # Rare events share one draw: at most one of incident, reveal, lapse a client-day.
        hit = ids[u_event < incident]
        self._upset(book, hit)
        boost = self._new_client_factor(book, ids, day)
        orders = self._orders(
            book, ids, day, u_order, self._missed_orders(streams, ids, day, ratio), boost
        )
        paid_by, paid = self._payments(book, att)
        reveal_to = incident + reveal_rate[server] * att / self.days
        revealed = ids[(u_event >= incident) & (u_event < reveal_to)]
        lapse = self.lapse * book.lapse_multiple[ids]
        if boost is not None:  # a new client's own drop-out follows its purchase rate
            lapse = lapse * boost
        lapse_to = reveal_to + lapse * eco.lapse_multiplier(
            book.satisfaction[ids], self.cfg.lapse_dissatisfaction_weight
        )
        lapsed = ids[(u_event >= reveal_to) & (u_event < lapse_to)]
        poached, rival = self._rivals(book, ids, day, u_rival, att)
        return DayFlows(
            orders.booked,
            orders.booked_new,
            float(paid.sum()),
            paid_by,
            paid,
            revealed,
            lapsed,
            self.due_wakeups(day),
            poached,
            rival,
            orders.booked_uplift,
            orders.booked_uplift_new,
            incidents=hit.size + orders.missed,
            orders_missed=orders.missed,
            revenue_missed=orders.missed_usd,
        )

    def _incident_chance(self, ratio: np.ndarray | None) -> float | np.ndarray:
        """Each client's incident chance today: the base, raised by its server's overload."""
        if ratio is None or self.incident_per_overload <= 0.0 or not (ratio > 1.0).any():
            return self.incident
        chance: np.ndarray = np.minimum(
            1.0, self.incident * eco.incident_multiplier(ratio, self.incident_per_overload)
        )
        return chance

    def _upset(self, book: ClientBook, ids: np.ndarray) -> None:
        """Give the clients an incident: their visible satisfaction drops."""
        book.satisfaction[ids] = np.maximum(
            0.0, book.satisfaction[ids] - self.cfg.incident_satisfaction_drop
        )

    def _rivals(
        self, book: ClientBook, ids: np.ndarray, day: int, u: np.ndarray, att: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Clients a rival takes today (examining only draws below the largest chance)."""
        near = (u < self.poach_top).nonzero()[0]
        if near.size == 0:
            return near, near
        cand = ids[near]
        hit, rival = self.poaching.taken(
            u[near],
            att[near],
            book.satisfaction[cand],
            book.hidden[cand],
            book.need[cand],
            day - book.last_visit_day[cand],
        )
        return cand[hit], rival

    def schedule_wakeups(
        self,
        streams: RandomStreams,
        ids: np.ndarray,
        day: int,
        naps: np.ndarray,
        dormant_days: np.ndarray | None = None,
    ) -> None:
        """Draw the day each newly dormant client will order again unprompted.

        The daily chance is ``per_day(clients.dormant_reactivation_per_month)`` halved every
        ``clients.dormant_response_half_life_months`` since the lapse (geometric wait without
        decay; with it, a client may never wake: ``sim.economics.wake_wait_days``).

        Parameters
        ----------
        streams
            The named random streams (``wake``, keyed by client id and ``naps``).
        ids
            Ids of the clients, shape (n,).
        day
            Today's working day.
        naps
            Dormant spells of each client before this one, shape (n,).
        dormant_days
            Working days each has already been dormant today, shape (n,); None means 0.
        """
        if ids.size == 0 or self.reactivate <= 0:
            return
        u = streams.keyed_uniform("wake", ids, naps)
        if self.half_life_days > 0:
            away = np.zeros(ids.size) if dormant_days is None else dormant_days
            waits = eco.wake_wait_days(u, self.reactivate, self.half_life_days, away)
            keep = np.isfinite(waits)
            ids, wait = ids[keep], waits[keep].astype(np.int64)
        elif self.reactivate >= 1.0:
            wait = np.ones(ids.size, dtype=np.int64)
        else:
            wait = np.ceil(np.log1p(-u) / np.log1p(-self.reactivate)).astype(np.int64)
        for when, who in zip((day + np.maximum(wait, 1)).tolist(), ids.tolist(), strict=True):
            self._wakeups.setdefault(when, []).append(who)

    def due_wakeups(self, day: int) -> np.ndarray:
        """Clients scheduled to wake up today (``Lifecycle`` checks they are still dormant)."""
        return np.array(self._wakeups.pop(day, []), dtype=np.int64)

    def _drift(self, book: ClientBook, ids: np.ndarray, quality: np.ndarray) -> None:
        sat = book.satisfaction[ids]
        book.satisfaction[ids] = sat + (quality - sat) * self.adjust
        book.hidden[ids] = np.minimum(1.0, book.hidden[ids] + book.hidden_growth[ids])
        book.need[ids] += book.need_growth[ids]

    def _missed_orders(
        self, streams: RandomStreams, ids: np.ndarray, day: int, ratio: np.ndarray | None
    ) -> np.ndarray | None:
        """Whether an order each client placed today would be missed; None if none can be."""
        if ratio is None or self.missed_order_share <= 0.0:
            return None
        over = (ratio > 1.0).nonzero()[0]
        if over.size == 0:
            return None
        missed = np.zeros(ids.size, dtype=bool)
        u = streams.keyed_uniform("overload", ids[over], day)
        missed[over] = u < eco.missed_order_chance(ratio[over], self.missed_order_share)
        return missed

    def _new_client_factor(self, book: ClientBook, ids: np.ndarray, day: int) -> np.ndarray | None:
        """Each client's new-client multiple of its order rate and drop-out; None if off."""
        if self.boost <= 0.0:
            return None
        return eco.new_client_rate_factor(day - book.won_day[ids], self.boost, self.boost_days)

    def _orders(
        self,
        book: ClientBook,
        ids: np.ndarray,
        day: int,
        u_order: np.ndarray,
        missed: np.ndarray | None = None,
        boost: np.ndarray | None = None,
    ) -> _DayOrders:
        """Orders placed today: booked, booked from new clients, the VIP uplift, missed ones.

        An order placed where ``missed`` is true is not booked: it counts as missed (orders,
        USD) and upsets the client as an incident (ODD 7.5). ``boost`` multiplies the order
        rate of new clients (``clients.new_client_order_boost``), not an order's size.
        """
        rate = book.orders_per_month[ids] / self.days
        if boost is not None:
            rate = rate * boost
        chance = rate * eco.usage_factor(book.satisfaction[ids], self.cfg.usage_satisfaction_weight)
        if self.order_multiplier is not None:
            chance = np.minimum(1.0, chance * self.order_multiplier[book.server[ids]])
        ordering = (u_order < chance).nonzero()[0]
        who = ids[ordering]
        # Below the chance, u / chance is again uniform: it sets the order's size.
        spread = self.cfg.order_size_spread
        size = 1 - spread + 2 * spread * (u_order[ordering] / chance[ordering])
        amount = book.value[who] / book.orders_per_month[who] * size
        lost_count, lost_usd = 0, 0.0
        if missed is not None:
            lost = missed[ordering]
            lost_count, lost_usd = int(lost.sum()), float(amount[lost].sum())
            self._upset(book, who[lost])
            who, amount = who[~lost], amount[~lost]
        book.receivable[who] += amount
        if self.order_log is not None:
            self.order_log.append((day, who, amount))
        is_new = (day - book.won_day[who]) < self.new_days
        total, new = float(amount.sum()), float(amount[is_new].sum())
        if not self.track_uplift:
            return _DayOrders(total, new, 0.0, 0.0, lost_count, lost_usd)
        uplift = amount * book.uplift_share[who]
        return _DayOrders(
            total, new, float(uplift.sum()), float(uplift[is_new].sum()), lost_count, lost_usd
        )

    def _payments(
        self, book: ClientBook, active_attention: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        # Active debtors are chased by their server; others (lapsed, lost) by no one.
        active = book.active_ids()
        owing = (book.receivable[active] > PAID_UP).nonzero()[0]
        others = book.other_debtors()
        debtors = np.concatenate([active[owing], others])
        chaser = np.concatenate([active_attention[owing], np.zeros(others.size)])
        share = eco.payment_share_per_day(book.pay_rate[debtors], chaser, self.cfg.chase_effect)
        amount = book.receivable[debtors] * share
        book.receivable[debtors] -= amount
        book.collected[debtors] += amount  # no repeats among the debtors
        return debtors, amount


class Client(Agent):
    """A corporate client (or prospect): a view onto its row of the model's ``ClientBook``."""

    def __init__(self, model: SalesModel, client_id: int) -> None:
        super().__init__(model)
        self.client_id = client_id

    @property
    def _book(self) -> ClientBook:
        return self.model.book

    @property
    def state(self) -> str:
        """Lifecycle state: prospect, active or dormant."""
        return STATE_NAMES[self._book.state[self.client_id]]

    @property
    def segment(self) -> str:
        """Size segment: small, medium or xl."""
        return SEGMENT_NAMES[self._book.segment[self.client_id]]

    @property
    def value_usd_per_month(self) -> float:
        """Usual order value per month."""
        return float(self._book.value[self.client_id])

    @property
    def satisfaction(self) -> float:
        """Visible satisfaction, 0-1."""
        return float(self._book.satisfaction[self.client_id])

    @property
    def hidden_dissatisfaction(self) -> float:
        """Dissatisfaction only a personal visit reveals, 0-1."""
        return float(self._book.hidden[self.client_id])
