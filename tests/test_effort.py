"""Pay-driven effort (ODD 7.22): hunting sellers pace visits and answer escalations by pay."""

from __future__ import annotations

from collections import deque
from functools import cache

import hypothesis.extra.numpy as hnp
import numpy as np
import pandas as pd
import pytest
from conftest import paired, run, scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import economics as eco
from sim.agents.client import ACTIVE
from sim.agents.seller import WEEK, Seller
from sim.effort import Effort
from sim.ledger import COLUMNS
from sim.model import SalesModel
from sim.visits import Visits

NEW_COLUMNS = {"escalations_answered", "escalations_unanswered", "escalation_wait_days"}
SHORT = ("calendar.horizon_years=2",)
SEEDS = range(1, 7)


# ---- off: the fixed rules ------------------------------------------------------------------
def _fixed_escalations(self: Seller, day: int) -> None:
    """``Seller._visit_escalations`` as it was before the effort mechanism (verbatim)."""
    hours = self.model.scenario.visits.visit_hours
    while self.escalations and self.hours_left >= hours:
        client_id = self.escalations.popleft()
        if self.model.book.state[client_id] == ACTIVE and self.try_spend("visits", hours):
            self.mechanisms.visits.visit(client_id, day)


def _fixed_due_clients(self: Seller, day: int) -> None:
    """``Seller._visit_due_clients`` as it was before the effort mechanism (verbatim)."""
    if day % WEEK == 0:
        owned = self.owned_ids()
        mine = owned[self.model.book.owner[owned] == self.staff_idx]
        self.planned_visits = deque(self.mechanisms.visits.due(mine, day).tolist())
    hours = self.model.scenario.visits.visit_hours
    while self.planned_visits and self.hours_left >= hours:
        client_id = self.planned_visits.popleft()
        if self.mechanisms.visits.is_due(client_id, day) and self.try_spend("visits", hours):
            self.mechanisms.visits.visit(client_id, day)


def _fixed_due(self: Visits, owned: np.ndarray, day: int) -> np.ndarray:
    """``Visits.due`` as it was before the effort mechanism (verbatim)."""
    cfg = self.cfg
    if cfg.interval_months <= 0 or owned.size == 0:
        return owned[:0]
    b = self.book
    due = (b.state[owned] == ACTIVE) & (day - b.last_visit_day[owned] >= self.interval_days)
    if cfg.applies_to == "consultative":
        due &= b.consultative[owned]
    out: np.ndarray = owned[due]
    return out


def _fixed_is_due(self: Visits, client_id: int, day: int) -> bool:
    """``Visits.is_due`` as it was before the effort mechanism (verbatim)."""
    b, cfg = self.book, self.cfg
    return bool(
        cfg.interval_months > 0
        and b.state[client_id] == ACTIVE
        and day - b.last_visit_day[client_id] >= self.interval_days
        and (cfg.applies_to == "all" or b.consultative[client_id])
    )


def _old_columns(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[[c for c in COLUMNS if c not in NEW_COLUMNS]]


def _forbid_effort(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("the effort mechanism computed a multiplier while off")

    monkeypatch.setattr(Effort, "multiplier", boom)
    monkeypatch.setattr(Effort, "answer_escalations", boom)


@pytest.mark.parametrize("name", ["split", "split_accounts", "unsplit"])
def test_off_gives_the_fixed_rules_bit_for_bit(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Responsiveness 0: every column equals a run of the fixed rules' code.

    The reference run replaces the four methods the mechanism touches (the seller's
    escalations and planned visits, ``Visits.due`` and ``Visits.is_due``) with verbatim copies
    of them as they were before it (above), so it is the previous head's day; the run under test
    uses today's code with ``effort.responsiveness: 0``, and may not compute a multiplier.
    """
    off = ("effort.responsiveness=0", *SHORT)
    with monkeypatch.context() as patch:
        _forbid_effort(patch)
        now = SalesModel(scenario(name, *off), seed=3).run()
    with monkeypatch.context() as patch:
        patch.setattr(Seller, "_visit_escalations", _fixed_escalations)
        patch.setattr(Seller, "_visit_due_clients", _fixed_due_clients)
        patch.setattr(Visits, "due", _fixed_due)
        patch.setattr(Visits, "is_due", _fixed_is_due)
        before = SalesModel(scenario(name, *off), seed=3).run()
    pd.testing.assert_frame_equal(_old_columns(now), _old_columns(before))
    if name != "unsplit":
        assert now["escalations_answered"].sum() > 0


def test_the_reference_plan_keeps_the_fixed_rules() -> None:
    """At the default money shares every multiplier is 1: the same table as responsiveness 0."""
    on = run("split", *SHORT, "effort.responsiveness=2", seed=4)
    off = run("split", *SHORT, "effort.responsiveness=0", seed=4)
    pd.testing.assert_frame_equal(on, off)
    changed = run(
        "split", *SHORT, "effort.responsiveness=2", "money.ongoing_bonus_share=0.3", seed=4
    )
    assert not changed["visits"].equals(off["visits"])


# ---- escalations follow the stake ----------------------------------------------------------
def answered_share(frame: pd.DataFrame) -> float:
    """Escalations answered per escalation closed (answered or dropped)."""
    done = frame["escalations_answered"].sum() + frame["escalations_unanswered"].sum()
    return float(frame["escalations_answered"].sum() / done)


def test_no_ongoing_share_fewer_escalations_answered() -> None:
    base = ("split", *SHORT)
    diff = paired(base, (*base, "money.ongoing_bonus_share=0"), answered_share, SEEDS)
    assert diff.high < 0, diff


def test_no_stake_at_all_escalations_ignored_and_clients_lost() -> None:
    """With no ongoing and no project share an old client's escalation pays nothing."""
    base = ("split", *SHORT, "money.project_bonus_share=0")
    no_stake = (*base, "money.ongoing_bonus_share=0")
    assert paired(base, no_stake, answered_share, SEEDS).high < -0.5
    lost = paired(base, no_stake, lambda f: float(f["lost_clients"].sum()), SEEDS)
    assert lost.low > 0, lost


def test_a_larger_new_client_share_means_more_hours_hunting() -> None:
    base = ("split", *SHORT)
    diff = paired(
        base,
        (*base, "money.new_client_bonus_share=0.3"),
        lambda f: float(f["hunting_hours_per_seller"].mean()),
        SEEDS,
    )
    assert diff.low > 0, diff


def test_account_managers_keep_the_fixed_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Account managers have no hunting to weigh visits against: never asked."""
    asked: list[int] = []
    plan_intervals = Effort.plan_intervals

    def spy(self: Effort, seller: Seller, ids: np.ndarray, day: int) -> np.ndarray:
        asked.append(seller.staff_idx)
        return plan_intervals(self, seller, ids, day)

    monkeypatch.setattr(Effort, "plan_intervals", spy)
    plan = ("calendar.horizon_years=1", "money.ongoing_bonus_share=0.1")
    model = SalesModel(scenario("split_accounts", *plan), seed=1)
    model.run()
    managers = {a.staff_idx for a in model.account_managers}
    assert asked and not managers & set(asked)


# ---- more pay, never less effort -----------------------------------------------------------
PAY = st.floats(0.0, 1e4, allow_nan=False, allow_subnormal=False)
RHO = st.floats(0.0, 5.0, allow_nan=False, allow_subnormal=False)
SHARE = st.floats(0.0, 1.0, allow_nan=False, allow_subnormal=False)


@settings(max_examples=300, deadline=None)
@given(PAY, PAY, PAY, PAY, PAY, RHO)
def test_more_pay_for_a_task_never_less_effort(
    low: float, extra: float, hunt: float, ref: float, hunt_ref: float, rho: float
) -> None:
    args = (np.array([hunt]), np.array([ref]), hunt_ref, rho)
    lower = eco.effort_multiplier(np.array([low]), float(args[0][0]), args[1], hunt_ref, rho)
    higher = eco.effort_multiplier(
        np.array([low + extra]), float(args[0][0]), args[1], hunt_ref, rho
    )
    assert higher[0] >= lower[0] or np.isnan(lower[0])
    more_hunting = eco.effort_multiplier(np.array([low]), hunt + extra, args[1], hunt_ref, rho)
    assert more_hunting[0] <= lower[0] or np.isnan(more_hunting[0])
    interval = eco.paced_interval_days(240.0, np.concatenate([lower, higher]), 4.0)
    assert interval[1] <= interval[0]  # more effort, visits at least as often


@settings(max_examples=300, deadline=None)
@given(
    hnp.arrays(np.float64, 5, elements=st.floats(0.0, 1.0)),
    SHARE,
    SHARE,
    SHARE,
    st.floats(0.0, 1.0),
)
def test_pay_per_hour_rises_with_every_share(
    satisfaction: np.ndarray, share: float, extra: float, project_share: float, skill: float
) -> None:
    saved = eco.visit_months_saved(satisfaction, 0.2, 0.7, 0.002, 4.0, 0.002, 2.0, 0.3, 12.0)
    assert (saved >= 0).all()
    value = np.full(5, 1000.0)
    project, growth = value * 0.5, value * 0.2
    pay = [
        eco.visit_pay_per_hour(
            np.full(5, s), value * saved, project, growth, project_share + p, skill, 3.0
        )
        for s, p in ((share, 0.0), (share + extra, 0.0), (share, extra))
    ]
    assert (pay[1] >= pay[0]).all() and (pay[2] >= pay[0]).all()
    hunt = eco.new_client_pay(share, share, 1000.0, 6.0, 12.0)
    assert eco.new_client_pay(share + extra, share, 1000.0, 6.0, 12.0) >= hunt
    assert eco.new_client_pay(share, share + extra, 1000.0, 6.0, 12.0) >= hunt


@cache
def _model() -> SalesModel:
    model = SalesModel(scenario("split", "calendar.horizon_years=1"), seed=2)
    model.run()
    return model


@settings(max_examples=30, deadline=None)
@given(SHARE, SHARE, st.floats(0.1, 3.0))
def test_the_allocation_follows_pay(share: float, extra: float, rho: float) -> None:
    """More pay for visits never visits a client less often; more for hunting, never more.

    The project share pays only visits. The new-client share pays hunting and the visits to
    clients still in their first months; for the older ones it pays only hunting.
    """
    model = _model()
    seller = model.hunters[0]
    ids = model.book.active_ids()[:300]
    old = model.day - model.book.won_day[ids] >= 6 * model.days_per_month

    def intervals(field: str, value: float) -> np.ndarray:
        s = scenario("split", f"effort.responsiveness={rho}", f"money.{field}={value}")
        effort = Effort(s, model.book, model.streams, model.ledger, model.effort.staff_hunts, 20)
        return effort.plan_intervals(seller, ids, model.day)

    high = min(1.0, share + extra)
    assert (intervals("project_bonus_share", high) <= intervals("project_bonus_share", share)).all()
    hunting = intervals("new_client_bonus_share", high)[old]
    assert (hunting >= intervals("new_client_bonus_share", share)[old]).all()
    assert old.any()


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([0.0, 0.01, 0.1, 0.5]), st.floats(0.1, 3.0), st.integers(0, 299))
def test_one_client_and_many_agree(ongoing: float, rho: float, k: int) -> None:
    """``Effort.client_multiplier`` (escalations) equals ``Effort.multiplier`` to rounding."""
    model = _model()
    seller = model.hunters[1]
    ids = model.book.active_ids()[:300]
    s = scenario("split", f"effort.responsiveness={rho}", f"money.ongoing_bonus_share={ongoing}")
    effort = Effort(s, model.book, model.streams, model.ledger, model.effort.staff_hunts, 20)
    many = effort.multiplier(seller, ids, model.day)
    one = effort.client_multiplier(seller, int(ids[k % ids.size]), model.day)
    assert one == pytest.approx(float(many[k % ids.size]), rel=1e-9, abs=1e-12)
