"""The letter-sales section (seed 003) and its phone variant: reach, response, cost, pay-off."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import paired, run, scenario, total

from sim.agents.client import ACTIVE, DORMANT, NO_ONE, PROSPECT
from sim.model import SalesModel

YEARS3 = "calendar.horizon_years=3"


def test_contacts_go_to_the_longest_uncontacted_dormant_or_unattended_clients() -> None:
    model = SalesModel(scenario("split_letters", "market.prospects=50"), seed=2)
    b = model.book
    b.last_contact_day[:] = -5
    b.last_contact_day[[3000, 3001]] = -50  # prospects: never contacted by the section
    dormant = b.dormant_ids()
    b.last_contact_day[dormant[10]] = -40
    b.last_contact_day[dormant[20]] = -30
    active = b.active_ids()
    model.assignment.release(int(active[7]))  # active, now unattended
    b.last_contact_day[active[7]] = -35
    picked = model.letters.next_contacts(4, model.day).tolist()
    assert picked[:3] == [dormant[10], active[7], dormant[20]]
    assert picked[3] == min(set(dormant.tolist()) - {dormant[10], dormant[20]})
    assert all(b.state[i] != PROSPECT for i in picked)
    served = active[b.server[active] != NO_ONE]
    assert not set(picked) & set(served.tolist())


def test_the_section_cycles_through_the_dormant_base_about_every_three_months() -> None:
    model = SalesModel(scenario("split_letters", "calendar.horizon_years=2"), seed=3)
    b, days = model.book, model.days_per_month
    targets: list[int] = []
    while model.day < 12 * days:
        model.step()
    start = b.contacts.copy()
    always = b.state == DORMANT
    while model.running:
        active = b.active_ids()
        targets.append(b.dormant_ids().size + int(np.count_nonzero(b.server[active] == NO_ONE)))
        model.step()
        always &= b.state == DORMANT
    cycle_days = np.mean(targets) / model.scenario.letters.letters_per_day
    assert 2.5 * days <= cycle_days <= 3.6 * days  # seed 003: every client about every 3 months
    got = (b.contacts - start)[always]
    expected = 12 * days / cycle_days
    assert got.size > 1000
    assert abs(got.mean() - expected) < 0.1 * expected
    assert np.mean(np.abs(got - expected) <= 1.5) > 0.95  # round-robin: regular, not random


@pytest.mark.slow
def test_response_is_the_configured_share_of_letters_that_reach() -> None:
    for stale in (0.0, 0.3):
        model = SalesModel(
            scenario(
                "split_letters",
                YEARS3,
                f"letters.stale_contact_share={stale}",
                "clients.dormant_response_half_life_months=0",  # no fading with time dormant
            )
        )
        frame = model.run()
        b = model.book
        sent, answered = frame["letters_sent"].sum(), frame["letter_responses"].sum()
        assert b.contacts.sum() == sent
        assert abs(b.stale_contact.mean() - stale) < 0.01  # the base has the configured share
        reached = b.contacts[~b.stale_contact].sum() / sent  # of these letters, not on average
        expected = 0.10 * reached
        sd = math.sqrt(expected * (1 - expected) / sent)
        assert abs(answered / sent - expected) < 4 * sd, (stale, answered / sent, expected)


@pytest.mark.slow
def test_letters_that_nobody_answers_change_cost_only() -> None:
    base = run("split", YEARS3)
    plus = run("split_letters", YEARS3, "letters.response_prob=0")
    assert plus["letters_sent"].sum() > 0 and plus["letter_responses"].sum() == 0
    for column in ("active_clients", "new_clients", "revenue_collected", "hunter_cost"):
        pd.testing.assert_series_equal(plus[column], base[column])
    extra = base["profit"] - plus["profit"]
    np.testing.assert_allclose(extra, plus["letters_cost"])
    postage = plus["letters_sent"] * scenario("split_letters").letters.postage_usd_per_letter
    np.testing.assert_allclose(plus["letters_postage"], postage)


@pytest.mark.slow
def test_letters_pay_when_a_response_is_worth_more_than_it_costs_and_a_break_even_exists() -> None:
    # Five seeds: woken clients come back smaller and lapse sooner (second lifetimes), so the
    # gain at 10 % is smaller than it was and three seeds' interval no longer excludes zero.
    seeds = (1, 2, 3, 4, 5)
    rates = (0.0, 0.002, 0.005, 0.01, 0.1)
    gains = [
        paired(
            ("split", YEARS3),
            ("split_letters", YEARS3, f"letters.response_prob={rate}"),
            total("profit"),
            seeds,
        )
        for rate in rates
    ]
    means = [g.mean for g in gains]
    assert gains[0].high < 0, gains[0]  # costs only
    assert gains[-1].low > 0, gains[-1]  # seed 003's 10 % pays
    k = next(i for i, m in enumerate(means) if m > 0)
    breakeven = rates[k - 1] + (rates[k] - rates[k - 1]) * -means[k - 1] / (means[k] - means[k - 1])
    assert 0 < breakeven < 0.1, breakeven


def test_phoning_the_same_base_costs_several_times_more_time_per_response() -> None:
    hours_per_month = 8 * 21

    def writer_hours_per_response(name: str) -> float:
        frame = run(name, YEARS3)
        hours = (frame["writer_utilisation"] * hours_per_month).sum()
        return float(hours / frame["letter_responses"].sum())

    letters = writer_hours_per_response("split_letters")
    phone = writer_hours_per_response("split_phone")
    assert phone > 2.5 * letters, (letters, phone)


def test_a_followed_up_response_can_wake_a_dormant_client() -> None:
    frame = run("split_letters", YEARS3)
    base = run("split", YEARS3)
    assert frame["letter_orders"].sum() > 0
    assert frame["letter_revenue"].sum() > 0
    assert frame["reactivated_clients"].sum() > base["reactivated_clients"].sum()
    parts = ("revenue_new", "revenue_repeat", "revenue_project", "letter_revenue")
    np.testing.assert_allclose(frame[list(parts)].sum(axis=1), frame["revenue_booked"])


def lapsed_share(frame: pd.DataFrame) -> float:
    """Share of the letter responses that no seller followed up in time."""
    return float(frame["letter_responses_lapsed"].sum() / frame["letter_responses"].sum())


def test_responses_lapse_when_sellers_have_no_time() -> None:
    """Unsplit reps follow up with the time their books leave; with full books most lapse."""
    split = lapsed_share(run("split_letters", YEARS3))
    assert lapsed_share(run("unsplit_letters", YEARS3)) > 0.1 > split
    # 150 established clients each: about a full day of routine service (MODEL.md 7.1).
    full = run("unsplit_letters", YEARS3, "market.active_clients=900")
    assert lapsed_share(full) > 0.5 > split


def test_a_response_from_a_client_gone_to_a_rival_is_dropped() -> None:
    model = SalesModel(scenario("split_letters", "letters.order_prob=1"), seed=1)
    b = model.book
    gone = int(b.dormant_ids()[0])
    b.set_state(gone, PROSPECT)
    before = b.receivable[gone]
    model.letters.follow_up(gone, model.hunting_sellers[0])
    assert b.state[gone] == PROSPECT and b.receivable[gone] == before
    asleep = int(b.dormant_ids()[0])
    model.letters.follow_up(asleep, model.hunting_sellers[0])
    assert b.state[asleep] == ACTIVE and b.receivable[asleep] > before
    assert b.owner[asleep] == model.hunting_sellers[0].staff_idx


def test_no_writers_no_letters() -> None:
    frame = run("split", YEARS3)
    for column in ("letters_sent", "letter_responses", "letter_revenue", "letters_cost"):
        assert frame[column].sum() == 0, column
