"""Cohorts: clients counted by the month they became clients, until they first leave."""

import itertools

import numpy as np
import pandas as pd
from conftest import run

from sim.cohorts import AGES, Cohorts, kept_column
from sim.report.frames import survival
from sim.run import summary


def test_cohorts_by_hand() -> None:
    # Clients 0 and 1 active at the start; 2 and 3 won in month 1, 4 in month 2.
    c = Cohorts(size=6, months=3, active=np.array([0, 1]))
    c.join(2, 1)
    c.join(3, 1)
    c.leave(np.array([1]))
    first = c.close_month(1, np.array([0, 2, 3]))
    c.join(4, 2)
    c.leave(np.array([3]))
    second = c.close_month(2, np.array([0, 1, 2, 4]))  # 1 came back: not to cohort 0
    third = c.close_month(3, np.array([0, 1, 2, 4]))
    assert [r["start_clients_kept"] for r in (first, second, third)] == [1, 1, 1]
    assert first[kept_column(1)] == 0  # no cohort is a month old at the end of month 1
    assert second[kept_column(1)] == 1  # of month 1's two wins, 2 is left
    assert third[kept_column(1)] == 1 and third[kept_column(3)] == 0  # month 2's one win


def test_in_a_world_without_losses_every_cohort_survives() -> None:
    frame = run("split", "clients.lapse_per_month=0", "market.competitors.count=0")
    assert frame["lost_clients"].sum() == 0
    assert frame["new_clients"].sum() > 100
    start = summary(frame)["active_start"]
    assert (frame["start_clients_kept"] == start).all()
    for age in AGES:
        expected = frame["new_clients"].shift(age, fill_value=0)
        pd.testing.assert_series_equal(
            frame[kept_column(age)], expected, check_names=False, check_dtype=False
        )
    curves = survival(frame.assign(scenario="split", replication=0))
    assert np.allclose(curves["mean"], 1.0)


def test_cohort_counts_are_consistent_with_the_monthly_flows() -> None:
    frame = run("split")
    s = summary(frame)
    # A cohort never holds more than were won, and only shrinks as it ages.
    for young, old in itertools.pairwise(AGES):
        won_then = frame["new_clients"].shift(young, fill_value=0)
        assert (frame[kept_column(young)] <= won_then).all()
        later = frame[kept_column(old)].to_numpy()[old - young :]
        assert (later <= frame[kept_column(young)].to_numpy()[: len(later)]).all()
    # The start's clients only leave: never more than are active, never more than were lost.
    start_kept = frame["start_clients_kept"]
    assert (np.diff(start_kept) <= 0).all()
    assert (start_kept <= frame["active_clients"]).all()
    left = s["active_start"] - start_kept
    assert (left <= frame["lost_clients"].cumsum()).all()
    assert left.iloc[-1] > 0  # in five years some of the start's clients leave
    # Survival falls with age.
    curves = survival(frame.assign(scenario="split", replication=0))
    won = curves[curves["cohort"] == "won during the run"].set_index("age")["mean"]
    assert list(won.index) == [0, *[a for a in AGES if a in won.index]]
    assert (np.diff(won.to_numpy()) <= 0).all() and won.iloc[-1] < 0.9
