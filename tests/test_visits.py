"""The reveal rule has a vector form and a one-client form; they must change the same state.

``Visits.reveal`` does many clients with array calls; ``Visits.reveal_one`` does one in plain
Python (faster for the single clients of visits and meetings). Both are kept because a run is
faster with both, and because a run's sums depend on which form booked a project. Here many
clients revealed at once must end in the same state, with the same draws, as the same clients
revealed one by one. The pick of a rival by strength is checked against a plain bisection.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

import numpy as np
import pytest
from conftest import scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents.client import ACTIVE, NO_ONE, ClientBook
from sim.agents.competitor import pick_by_strength
from sim.bonuses import Bonuses
from sim.ledger import Ledger
from sim.randomness import RandomStreams
from sim.visits import SMALL, Visits

STAFF = 4  # seats 0-2 sellers, seat 3 a specialist; slot 4 is "no one"


@dataclass
class _Seat:
    """The little of a seller the reveal rule touches: morale and whether the seat is empty."""

    vacant: bool
    morale: float = 0.5

    def cheer(self, change: float) -> None:
        self.morale = min(1.0, max(0.0, self.morale + change))


clients = st.lists(
    st.tuples(
        st.floats(0.0, 2.0) | st.just(0.0),  # need (0: no project)
        st.floats(100.0, 1e5),  # value, USD per month
        st.integers(-1, STAFF - 1),  # owner
        st.integers(-1, STAFF - 1),  # server
        st.integers(0, 3),  # projects tried before
    ),
    min_size=SMALL,
    max_size=3 * SMALL,
)


def _world(rows: list[tuple[float, float, int, int, int]], skill: list[float], vacant: list[bool]):
    cfg = scenario("split")
    book = ClientBook(len(rows) + 5)
    ids = np.arange(2, len(rows) + 2)
    book.set_state(ids, ACTIVE)
    for client_id, (need, value, owner, server, tried) in zip(ids.tolist(), rows, strict=True):
        book.need[client_id], book.value[client_id] = need, value
        book.owner[client_id] = owner if owner < 3 else NO_ONE  # a specialist owns no one
        book.server[client_id], book.projects[client_id] = server, tried
    staff = [_Seat(v) for v in vacant]
    is_seller = np.array([True, True, True, False, False])
    win_skill = np.array([*skill, 1.0, 0.0])
    ledger = Ledger()
    seats = np.array(["hunter"] * 3 + ["specialist", "none"])
    bonuses = Bonuses(("hunter", "specialist"), seats, cfg.money, 20, ledger)
    visits = Visits(cfg, book, RandomStreams(7), ledger, bonuses, staff, is_seller, win_skill, 20)  # type: ignore[arg-type]
    return visits, ids, staff


@settings(max_examples=60, deadline=None)
@given(
    rows=clients,
    skill=st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3),
    vacant=st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_reveal_of_many_equals_reveal_one_by_one(rows, skill, vacant) -> None:
    many, ids, staff_many = _world(rows, skill, vacant)
    one, _, staff_one = _world(rows, skill, vacant)
    many.reveal(ids)
    for client_id in ids.tolist():
        one.reveal_one(client_id)
    for name in ("hidden", "need", "projects", "receivable", "value"):
        assert np.array_equal(getattr(many.book, name), getattr(one.book, name)), name
    assert np.allclose(many.bonuses.accrued, one.bonuses.accrued, rtol=1e-12, atol=0.0)
    assert [s.morale for s in staff_many] == [s.morale for s in staff_one]
    a, b = many.ledger.close(), one.ledger.close()
    for key in ("projects", "projects_lost"):
        assert a.get(key, 0) == b.get(key, 0), key
    for key in ("revenue_project", "revenue_booked"):
        assert a.get(key, 0.0) == pytest.approx(b.get(key, 0.0), rel=1e-12), key


@given(
    strengths=st.lists(st.floats(0.01, 10.0), min_size=1, max_size=6),
    position=st.floats(0.0, 1.0, exclude_max=True),
)
def test_pick_by_strength_is_a_bisection_of_the_cumulative_strength(strengths, position) -> None:
    cumulative = list(itertools.accumulate(strengths))
    share = position * sum(strengths)
    expected = min(bisect.bisect_right(cumulative, share), len(strengths) - 1)
    picked = pick_by_strength(np.cumsum(strengths), np.array([position]))
    assert picked.tolist() == [expected]
