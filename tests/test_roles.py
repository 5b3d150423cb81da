"""The role table: every role is in it, and the model, recorder, ledger and report follow it."""

from __future__ import annotations

import math

import pytest
from conftest import scenario
from pydantic import BaseModel

from sim.agents.seller import Seller
from sim.agents.staff import Staff
from sim.config.schema import OrganisationConfig, Scenario
from sim.ledger import COLUMNS
from sim.model import SalesModel
from sim.report import frames
from sim.roles import BY_NAME, NAMES, ROLES, Role, hunting_salary_usd

# One of each role, every pay and desk rate different, so that a role read from the wrong
# field shows; a short horizon: one month is run.
EVERY_ROLE = (
    "organisation.hunters=3",
    "organisation.generalists=2",
    "organisation.specialists=2",
    "organisation.account_managers=1",
    "organisation.letter_writers=1",
    "organisation.vip_leads=1",
    "sellers.salary_usd_per_month=5100",
    "specialists.salary_usd_per_month=3300",
    "specialists.accuracy_bonus_usd_per_month=170",
    "accounts.salary_usd_per_month=7300",
    "letters.writer_salary_usd_per_month=2900",
    "vip.lead_salary_usd_per_month=8300",
    "sellers.desks_per_person=0.5",
    "sellers.desks_per_person_travelling=0.25",
    "specialists.desks_per_person=1.0",
    "accounts.desks_per_person=0.75",
    "letters.desks_per_person=0.6",
    "vip.desks_per_person=0.9",
    "calendar.horizon_years=1",
)
ROLE_COLUMNS = ("headcount", "salaries", "bonuses", "desks", "cost", "utilisation")


def every_role(*overrides: str) -> Scenario:
    return scenario("split_letters_vip", *EVERY_ROLE, *overrides)


def one_month(sc: Scenario) -> tuple[SalesModel, dict[str, float]]:
    model = SalesModel(sc, seed=3)
    for _ in range(model.days_per_month):
        model.step()
    return model, model.rows[-1]


def concrete_staff_classes() -> set[type[Staff]]:
    found: set[type[Staff]] = set()
    todo = [Staff]
    while todo:
        cls = todo.pop()
        subclasses = cls.__subclasses__()
        todo.extend(subclasses)
        if not subclasses and cls is not Staff:
            found.add(cls)
    return found


def test_every_headcount_of_the_organisation_is_a_role() -> None:
    headcounts = {
        name for name, field in OrganisationConfig.model_fields.items() if field.annotation is int
    }
    assert headcounts == {role.headcount for role in ROLES}
    assert len(NAMES) == len(set(NAMES)) == len(ROLES)


def test_every_staff_class_is_exactly_one_role_of_the_table() -> None:
    assert concrete_staff_classes() == {role.agent for role in ROLES}
    assert len({role.agent for role in ROLES}) == len(ROLES)
    for role in ROLES:
        assert BY_NAME[role.name] is role


@pytest.mark.parametrize("role", ROLES, ids=NAMES)
def test_a_role_sells_exactly_when_its_agent_is_a_seller(role: Role) -> None:
    assert issubclass(role.agent, Seller) == role.sells
    assert role.sells or not role.hunts  # who hunts sells
    assert role.service_section == ("sellers" if role.sells else "specialists")


def section_fields(name: str) -> set[str]:
    section = Scenario.model_fields[name].annotation
    assert isinstance(section, type) and issubclass(section, BaseModel)
    return set(section.model_fields)


@pytest.mark.parametrize("role", ROLES, ids=NAMES)
def test_the_table_names_fields_the_schema_has(role: Role) -> None:
    fields = section_fields(role.section)
    for field in (role.salary, role.desks, role.desks_travelling, role.fixed_bonus):
        assert field is None or field in fields, field
    assert {"service_quality", "reveal_per_month"} <= section_fields(role.service_section)


def test_the_ledger_has_each_roles_columns_in_table_order() -> None:
    for kind in (*ROLE_COLUMNS, "clients_served"):
        names = [c for c in COLUMNS if c.endswith(f"_{kind}") and c[: -len(kind) - 1] in NAMES]
        assert names == [f"{r}_{kind}" for r in NAMES]


def test_the_report_labels_the_roles_as_the_table() -> None:
    assert list(frames.ROLE_NAMES) == list(NAMES)
    assert list(frames.ROLE_NAMES.values()) == [role.label for role in ROLES]
    assert len(set(frames.ROLE_NAMES.values())) == len(ROLES)


def test_the_model_builds_each_role_from_the_table_in_its_order() -> None:
    sc = every_role()
    model = SalesModel(sc, seed=3)
    indices = []
    for role in ROLES:
        members = model.role_members(role.name)
        assert len(members) == role.heads(sc) > 0
        assert all(type(m) is role.agent for m in members)
        indices += [m.staff_idx for m in members]
        for m in members:
            assert model.staff_is_seller[m.staff_idx] == role.sells
            assert model.staff_role[m.staff_idx] == role.name
    assert indices == list(range(len(model.staff)))
    hunting = [m for r in ROLES if r.hunts for m in model.role_members(r.name)]
    assert model.hunting_sellers == hunting
    assert not model.staff_is_seller[-1]  # the slot of no one


@pytest.mark.parametrize("travelling", [False, True])
def test_staff_cost_is_the_tables_pay_and_desks_times_heads(travelling: bool) -> None:
    sc = every_role(f"organisation.travelling_teams={str(travelling).lower()}")
    model, row = one_month(sc)
    desk_usd = sc.money.desk_usd_per_month
    pay = {
        "hunter": 5100.0,
        "generalist": 5100.0,
        "specialist": 3300.0,
        "account_manager": 7300.0,
        "writer": 2900.0,
        "vip_lead": 8300.0,
    }
    seller_desks = 0.25 if travelling else 0.5
    desks = {
        "hunter": seller_desks,
        "generalist": seller_desks,
        "specialist": 1.0,
        "account_manager": 0.75,
        "writer": 0.6,
        "vip_lead": 0.9,
    }
    for role in ROLES:
        heads = role.heads(sc)
        assert row[f"{role.name}_headcount"] == heads
        assert row[f"{role.name}_salaries"] == pay[role.name] * heads
        assert row[f"{role.name}_desks"] == math.ceil(heads * desks[role.name]) * desk_usd
    assert row["salaries"] == sum(pay[r.name] * r.heads(sc) for r in ROLES)
    assert row["headcount"] == len(model.staff)
    assert row["specialist_bonuses"] >= 170.0 * 2  # the fixed accuracy bonus, per head
    assert row["writer_bonuses"] == row["vip_lead_bonuses"] == 0.0


def test_skill_is_kept_once_where_the_vector_code_reads_it() -> None:
    sc = every_role("staffing.initial_experience_months=0", "staffing.green_win_factor=0.4")
    model, _ = one_month(sc)
    seller = model.hunting_sellers[0]
    assert seller.win_skill == model.staff_win_skill[seller.staff_idx] < 1.0
    model.staff_win_skill[seller.staff_idx] = 0.125
    assert seller.win_skill == 0.125
    manager = model.account_managers[0]
    assert manager.win_skill == 1.0  # account managers do not turn over: always skilled


def test_the_workshop_labels_each_headcount_lever_with_the_roles_title() -> None:
    from sim.workshop.levers import LEVERS

    labels = {lever.path: lever.label for lever in LEVERS}
    for role in ROLES:
        assert labels[f"organisation.{role.headcount}"] == role.title
    assert len({role.title for role in ROLES}) == len(ROLES)


def test_attention_is_kept_once_where_the_client_dynamics_read_it() -> None:
    model, _ = one_month(every_role())
    specialist = model.specialists[0]
    assert 0.0 < specialist.attention == model.staff_attention[specialist.staff_idx] <= 1.0
    specialist.start_day(0.0)  # a day with no hours: the book gets no attention
    assert model.staff_attention[specialist.staff_idx] == 0.0
    assert model.staff_attention[-1] == 0.0  # no one


def test_seconded_hours_are_paid_at_the_hunting_roles_salary() -> None:
    sc = every_role()
    assert hunting_salary_usd(sc) == 5100
    for role in ROLES:
        if role.hunts:
            assert role.salary_usd(sc) == hunting_salary_usd(sc)


def test_the_staff_who_serve_new_clients_at_close_work_load_are_the_tables() -> None:
    model = SalesModel(every_role(), seed=3)
    expected = [BY_NAME[str(r)].load == "seller" for r in model.staff_role[:-1]]
    assert model.staff_at_seller_load.tolist() == [*expected, False]
    assert model.staff_at_seller_load.sum() == 5  # 3 hunters, 2 generalists
