"""The rules kept in a one-client form and an array form must give the same answers.

A seller plans the week's visits with ``Visits.due`` (arrays) and checks each one again on the
day with ``Visits.is_due`` (one client); a VIP lead does the same with
``VipProgramme.meetings_due`` and ``VipProgramme.meeting_due``; a project's bonus is credited
by ``Bonuses.on_project`` (one) or ``Bonuses.on_projects`` (many). Each pair is checked here on
random books.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from conftest import scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents.client import ACTIVE, DORMANT, PROSPECT, ClientBook
from sim.agents.vip_lead import VipProgramme
from sim.bonuses import Bonuses
from sim.config.schema import Scenario
from sim.ledger import Ledger
from sim.randomness import RandomStreams
from sim.visits import Visits

DAYS = 20  # working days a month
SEATS = np.array(["hunter", "hunter", "generalist", "specialist", "none"])  # last: no one

rows = st.lists(
    st.tuples(
        st.sampled_from([PROSPECT, ACTIVE, DORMANT]),
        st.sampled_from(
            [0, 9, 10, 11, 19, 20, 21, 39, 40, 41, 59, 60, 61, 119, 120, 121, 239, 240, 241]
        )
        | st.integers(-5, 300),  # working days since the last visit (or VIP meeting)
        st.booleans(),  # consultative
        st.integers(0, 2),  # tier
        st.floats(0.0, 1e5),  # value, USD per month
    ),
    min_size=0,
    max_size=40,
)


@cache
def _scenario(*overrides: str) -> Scenario:
    return scenario("split_letters_vip", *overrides)


def _book(data: list[tuple[int, int, bool, int, float]], day: int) -> ClientBook:
    book = ClientBook(len(data))
    for client_id, (state, age, consultative, tier, value) in enumerate(data):
        book.set_state(client_id, state)
        book.last_visit_day[client_id] = book.last_vip_day[client_id] = day - age
        book.consultative[client_id] = consultative
        book.tier[client_id] = tier
        book.value[client_id] = value
    return book


def _visits(cfg: Scenario, book: ClientBook) -> Visits:
    ledger = Ledger()
    bonuses = Bonuses(("hunter", "generalist", "specialist"), SEATS, cfg.money, DAYS, ledger)
    is_seller = np.array([True, True, True, False, False])
    skill = np.ones(SEATS.size)
    return Visits(cfg, book, RandomStreams(1), ledger, bonuses, [], is_seller, skill, DAYS)


@settings(max_examples=80, deadline=None)
@given(
    data=rows,
    interval=st.sampled_from(["0", "0.5", "3", "12"]),
    applies_to=st.sampled_from(["consultative", "all"]),
    day=st.integers(0, 300),
)
def test_visits_due_keeps_exactly_the_clients_is_due_accepts(data, interval, applies_to, day):
    cfg = _scenario(f"visits.interval_months={interval}", f"visits.applies_to={applies_to}")
    visits = _visits(cfg, _book(data, day))
    owned = np.arange(len(data), dtype=np.int64)
    expected = [c for c in owned.tolist() if visits.is_due(c, day)]
    assert visits.due(owned, day).tolist() == expected


@settings(max_examples=80, deadline=None)
@given(
    data=rows,
    leads=st.integers(1, 3),
    top=st.sampled_from(["0.5", "1", "2"]),
    key=st.sampled_from(["1", "3", "6"]),
    day=st.integers(0, 300),
)
def test_vip_meetings_due_share_exactly_the_clients_meeting_due_accepts(data, leads, top, key, day):
    cfg = _scenario(
        f"vip.top_meeting_interval_months={top}", f"vip.key_meeting_interval_months={key}"
    )
    book = _book(data, day)
    people = [object() for _ in range(leads)]
    vip = VipProgramme(
        cfg,
        book,
        RandomStreams(1),
        Ledger(),
        _visits(cfg, book),
        None,
        people,
        [],
        None,
        DAYS,  # type: ignore[arg-type]
    )
    shares = [vip.meetings_due(lead, day).tolist() for lead in people]  # type: ignore[arg-type]
    planned = [c for share in shares for c in share]
    assert len(planned) == len(set(planned))  # no client goes to two leads
    assert set(planned) == {c for c in range(len(data)) if vip.meeting_due(c, day)}
    for share in shares:  # each lead's share, the most valuable first within a tier
        keys = [(-int(book.tier[c]), -float(book.value[c])) for c in share]
        assert keys == sorted(keys)


@settings(max_examples=80, deadline=None)
@given(
    projects=st.lists(
        st.tuples(st.integers(-1, SEATS.size - 2), st.floats(0.0, 1e6)), min_size=0, max_size=30
    )
)
def test_bonuses_on_projects_equals_on_project_one_by_one(projects):
    cfg = _scenario()
    one = Bonuses(("hunter", "generalist", "specialist"), SEATS, cfg.money, DAYS, Ledger())
    many = Bonuses(("hunter", "generalist", "specialist"), SEATS, cfg.money, DAYS, Ledger())
    for seat, value in projects:
        one.on_project(seat, value)
    beneficiary = np.array([seat for seat, _ in projects], dtype=np.intp)
    many.on_projects(beneficiary, np.array([value for _, value in projects], dtype=np.float64))
    assert np.array_equal(one.accrued, many.accrued)
    assert one.accrued[-1] == 0.0  # no one earns
