"""The time a served client takes, by Talley's workload method (sim.economics, SalesModel)."""

from pathlib import Path

import numpy as np
import pytest
from conftest import SCENARIOS, salesim, scenario
from hypothesis import given
from hypothesis import strategies as st

from sim import economics as eco
from sim.config.loader import load_model
from sim.config.problems import ConfigError
from sim.config.schema import Scenario
from sim.model import SalesModel


def test_kotler_armstrong_workload_example() -> None:
    # Kotler & Armstrong, Principles of Marketing, sales-force size by the workload approach:
    # "1,000 Type-A accounts and 2,000 Type-B accounts. Type-A accounts require 36 calls a year
    # and Type-B accounts require 12 calls a year" -> 60,000 calls; "our average salesperson
    # can make 1,000 calls a year. The company thus needs 60 salespeople."
    for call_hours in (0.5, 1.0, 0.88):
        reps = eco.talley_salespeople(
            np.array([1000, 2000]), np.array([36, 12]), call_hours, 1000 * call_hours
        )
        assert reps == pytest.approx(60.0)


@given(
    clients=st.integers(1, 500),
    contacts=st.floats(0.5, 100.0),
    hours=st.floats(0.05, 8.0),
    share=st.floats(0.05, 1.0),
    day=st.floats(1.0, 16.0),
    days=st.integers(100, 365),
)
def test_a_served_clients_day_is_its_share_of_a_salesperson(
    clients: int, contacts: float, hours: float, share: float, day: float, days: int
) -> None:
    per_day = eco.routine_hours_per_day(contacts, hours, share, days)
    reps = eco.talley_salespeople(
        np.array([clients]), np.array([contacts]), hours, share * day * days
    )
    assert clients * per_day / day == pytest.approx(reps, rel=1e-9)
    # Twice the contacts or twice their length take twice the time; twice the selling share, half.
    assert eco.routine_hours_per_day(2 * contacts, hours, share, days) == pytest.approx(2 * per_day)
    assert eco.routine_hours_per_day(contacts, 2 * hours, share, days) == pytest.approx(2 * per_day)
    assert eco.routine_hours_per_day(contacts, hours, share / 2, days) == pytest.approx(2 * per_day)


def test_the_routine_load_is_the_talley_time_of_each_client_by_segment() -> None:
    model = SalesModel(scenario("unsplit"), seed=3)
    s = model.scenario.sellers
    weights = np.array(model.scenario.clients.routine_load_weights)[model.book.segment]
    contacts = s.routine_contacts_per_year * weights  # small 6, medium/large 12, XL 24 a year
    expected = contacts * s.routine_contact_hours / (s.selling_time_share * 12 * 21)
    np.testing.assert_allclose(model.routine_load, expected, rtol=1e-12)
    # A full 8-hour day holds about 156.5 established small clients.
    assert 8 / model.routine_load[model.book.segment == 0][0] == pytest.approx(156.5, abs=0.1)


def test_fifty_clients_filling_the_day_is_one_setting_of_the_inputs() -> None:
    old = (
        "sellers.routine_contacts_per_year=40.32",  # 8 hours x 252 days / 50 clients
        "sellers.routine_contact_hours=1",
        "sellers.selling_time_share=1",
    )
    model = SalesModel(scenario("unsplit", *old), seed=3)
    weights = np.array(model.scenario.clients.routine_load_weights)[model.book.segment]
    np.testing.assert_allclose(model.routine_load, 8 / 50 * weights, rtol=1e-12)


def test_minimal_world_more_contacts_take_the_generalists_time_from_hunting() -> None:
    # One generalist, a book of established clients, no visits: the first day's serving hours
    # are the book's Talley time, and what they take is what is left for hunting.
    world = ("organisation.generalists=1", "visits.interval_months=0")
    days = []
    for contacts in ("6", "12"):
        model = SalesModel(
            scenario("young_unsplit", *world, f"sellers.routine_contacts_per_year={contacts}"),
            seed=1,
        )
        model.step()
        seller = model.generalists[0]
        book = np.fromiter(seller.book, dtype=np.int64)
        weights = np.array(model.scenario.clients.routine_load_weights)[model.book.segment[book]]
        talley = float(contacts) * weights.sum() * 0.88 / (0.41 * 252)
        used = seller.hours_by_activity
        assert used["serving"] == pytest.approx(talley)
        assert used["visits"] == 0
        days.append(used)
    assert days[1]["serving"] == pytest.approx(2 * days[0]["serving"])
    hunting = [d["calls"] + d["pipeline"] for d in days]
    assert hunting[0] - hunting[1] == pytest.approx(days[0]["serving"], abs=0.25)  # one call


def test_the_removed_capacity_says_what_replaced_it() -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_model(Scenario, SCENARIOS / "unsplit.yaml", ["sellers.routine_capacity_clients=50"])
    message = str(excinfo.value)
    assert "--set 'sellers.routine_capacity_clients=50':1:" in message
    assert "was removed" in message and "sellers.routine_contacts_per_year" in message
    assert "did you mean" not in message


def test_a_study_sweeping_the_removed_capacity_says_what_replaced_it(tmp_path: Path) -> None:
    study = tmp_path / "old.yaml"
    study.write_text(
        f"name: old\nbaseline: unsplit\nreplications: 2\nscenarios:\n"
        f"  - {SCENARIOS / 'unsplit.yaml'}\nsweep:\n  method: grid\n  variables:\n"
        "    sellers.routine_capacity_clients:\n      values: [40, 50]\n"
    )
    done = salesim("validate", str(study))
    assert done.returncode == 2
    assert f"{study}:9:5: sweep.variables.sellers.routine_capacity_clients:" in done.stderr
    assert "was removed" in done.stderr and "routine_contacts_per_year" in done.stderr
