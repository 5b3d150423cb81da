"""Properties of single runs: reproducibility, common random numbers, books that balance."""

import numpy as np
import pandas as pd
import pytest
from conftest import run, scenario

from sim.agents.client import ACTIVE, DORMANT, PROSPECT, Client
from sim.agents.competitor import Competitor
from sim.agents.generalist import Generalist
from sim.agents.hunter import Hunter
from sim.agents.specialist import Specialist
from sim.ledger import COLUMNS, COUNT_COLUMNS
from sim.model import SalesModel
from sim.roles import NAMES

SHORT = ("calendar.horizon_years=2",)


@pytest.mark.slow
def test_same_seed_gives_identical_output_bit_for_bit() -> None:
    a = SalesModel(scenario("split", *SHORT), seed=42).run()
    b = SalesModel(scenario("split", *SHORT), seed=42).run()
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    c = SalesModel(scenario("split", *SHORT), seed=43).run()
    assert not a["revenue_booked"].equals(c["revenue_booked"])


def test_output_has_every_documented_column_one_row_a_month() -> None:
    frame = run("split", *SHORT)
    assert list(frame.columns) == list(COLUMNS)
    assert frame["month"].tolist() == list(range(1, 25))
    assert frame["year"].tolist() == [1] * 12 + [2] * 12


def test_strategies_face_the_same_market() -> None:
    a = SalesModel(scenario("split"), seed=9)
    b = SalesModel(scenario("unsplit"), seed=9)
    for name in (
        "value",
        "segment",
        "consultative",
        "orders_per_month",
        "payment_days",
        "hidden_growth",
        "need_growth",
        "state",
    ):
        assert np.array_equal(getattr(a.book, name), getattr(b.book, name)), name
    assert np.array_equal(a.pipeline.leads, b.pipeline.leads)
    c = SalesModel(scenario("split"), seed=10)
    assert not np.array_equal(a.book.value, c.book.value)


def test_agents_are_mesa_agents_of_each_role() -> None:
    model = SalesModel(scenario("split"), seed=1)
    kinds = {type(a) for a in model.agents}
    assert {Client, Hunter, Specialist, Competitor} <= kinds
    assert len(model.agents_by_type[Client]) == 3000  # past clients; prospects join when won
    assert len(model.agents_by_type[Hunter]) == 6
    assert Generalist not in model.agents_by_type
    client = model.clients[0]
    assert client.state == "active" and client.segment in ("small", "medium", "xl")
    assert 0 <= client.satisfaction <= 1 and 0 <= client.hidden_dissatisfaction <= 1
    assert client.value_usd_per_month >= scenario("split").clients.value_min_usd_per_month
    assert 5000 not in model.clients and model.book.state[5000] == PROSPECT
    for _ in range(120):
        model.step()
    won = np.flatnonzero(model.book.won_day >= 0)
    assert won.size > 0 and all(int(i) in model.clients for i in won)
    assert len(model.agents_by_type[Client]) == 3000 + np.count_nonzero(won >= 3000)
    assert model.clients[int(won[-1])].state in ("active", "dormant", "prospect")


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    ["split", "unsplit", "young_split", "young_unsplit", "split_letters_vip", "unsplit_letters"],
)
def test_clients_change_by_new_plus_reactivated_minus_lost(name: str) -> None:
    frame = run(name)
    start = scenario(name).market.active_clients
    before = np.concatenate([[start], frame["active_clients"].to_numpy()[:-1]])
    change = frame["new_clients"] + frame["reactivated_clients"] - frame["lost_clients"]
    assert np.array_equal(frame["active_clients"] - before, change)
    seg = frame[["active_small", "active_medium", "active_xl"]].sum(axis=1)
    assert (seg == frame["active_clients"]).all()


REVENUE_PARTS = (
    "revenue_new",
    "revenue_repeat",
    "revenue_project",
    "letter_revenue",
    "vip_pitch_revenue",
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "overrides"),
    [
        ("split", ()),
        ("unsplit", ()),
        ("split_letters_vip", ("calendar.horizon_years=3", "vip.pitch_share=0.5")),
        ("unsplit_letters", ("calendar.horizon_years=3", "organisation.vip_leads=1")),
    ],
)
def test_money_is_conserved(name: str, overrides: tuple[str, ...]) -> None:
    frame = run(name, *overrides)
    booked = frame["revenue_booked"].sum()
    accounted = frame["revenue_collected"].sum() + frame["bad_debt"].sum()
    assert booked == pytest.approx(accounted + frame["receivables"].iloc[-1], rel=1e-9)
    parts = sum(frame[p] for p in REVENUE_PARTS)
    np.testing.assert_allclose(parts, frame["revenue_booked"], rtol=1e-9)
    for part in REVENUE_PARTS:
        assert (frame[part] >= 0).all(), part
    np.testing.assert_allclose(
        frame["staff_cost"], sum(frame[f"{r}_cost"] for r in NAMES), rtol=1e-12
    )
    # the P&L, month by month: revenue collected = cost of goods + gross profit, and
    # operating profit = gross profit - staff cost - other cost
    np.testing.assert_allclose(
        frame["revenue_collected"], frame["cost_of_goods"] + frame["gross_profit"], rtol=1e-12
    )
    np.testing.assert_allclose(
        frame["profit"],
        frame["gross_profit"] - frame["staff_cost"] - frame["other_cost"],
        rtol=1e-12,
        atol=1e-6,
    )
    assert (frame["cost_of_goods"] >= 0).all()
    assert (frame["cost_of_goods"] <= frame["revenue_collected"] * (1 + 1e-12)).all()
    margin = scenario(name, *overrides).money.gross_margin
    np.testing.assert_allclose(
        frame["cost_of_goods"], frame["revenue_collected"] * (1 - margin), rtol=1e-9
    )


def test_a_gross_margin_of_one_gives_the_profit_of_revenue_less_cost_exactly() -> None:
    """Margin 1 turns the cost of goods off: profit is revenue collected - total cost."""
    frame = run("split_letters_vip", *SHORT, "money.gross_margin=1")
    assert (frame["cost_of_goods"] == 0).all()
    assert (frame["gross_profit"] == frame["revenue_collected"]).all()
    old_profit = frame["revenue_collected"] - frame["total_cost"]  # the P&L without goods
    assert (frame["profit"] == old_profit).all()  # bit for bit
    default = run("split_letters_vip", *SHORT)  # the margin changes money, not the clients
    money = {"cost_of_goods", "gross_profit", "profit"}
    pd.testing.assert_frame_equal(
        frame.drop(columns=[*money]), default.drop(columns=[*money]), check_exact=True
    )


def test_segment_margins_charge_each_payment_at_its_payers_segment() -> None:
    """Only the xl clients' goods cost: the cost of goods is what the xl clients paid x 0.5."""
    plain = ("money.gross_margin=1", "money.gross_margin_by_segment.xl=0.5")
    model = SalesModel(scenario("split", *SHORT, *plain), seed=3)
    paid_by_xl = 0.0
    record = model.bonuses.record_flows

    def spy(flows, book, day):  # type: ignore[no-untyped-def]
        nonlocal paid_by_xl
        paid_by_xl += float(flows.paid[book.segment[flows.paid_by] == 2].sum())
        record(flows, book, day)

    model.bonuses.record_flows = spy  # type: ignore[method-assign]
    frame = model.run()
    assert paid_by_xl > 0
    assert frame["cost_of_goods"].sum() == pytest.approx(0.5 * paid_by_xl, rel=1e-9)
    assert frame["cost_of_goods"].sum() < 0.5 * frame["revenue_collected"].sum()


def test_every_client_is_somewhere_and_served_by_at_most_one_person() -> None:
    model = SalesModel(scenario("split", *SHORT), seed=5)
    model.run()
    book = model.book
    assert np.isin(book.state, [PROSPECT, ACTIVE, DORMANT]).all()
    served = [c for member in model.staff for c in member.book]
    assert len(served) == len(set(served))
    for member in model.staff:
        ids = np.fromiter(member.book, dtype=np.int64)
        assert (book.server[ids] == member.staff_idx).all()
        assert (book.state[ids] == ACTIVE).all()
        expected = member._load[ids].sum() if ids.size else 0.0
        assert member.load_hours == pytest.approx(expected, abs=1e-6)
    unserved = np.flatnonzero(book.server == -1)
    assert not np.isin(unserved, served).any()


def test_salaries_and_desks_follow_headcount() -> None:
    frame = run("split", *SHORT, "staffing.quit_per_month=0")
    s = scenario("split")
    assert (frame["hunter_salaries"] == 6 * s.sellers.salary_usd_per_month).all()
    assert (frame["specialist_salaries"] == 3 * s.specialists.salary_usd_per_month).all()
    desks = 2 + 3  # one per three hunters, one per specialist (seed 002)
    assert (frame["desks"] == desks * s.money.desk_usd_per_month).all()
    assert (frame["headcount"] == 9).all()
    turnover = run("split", *SHORT)
    assert turnover["vacancies"].max() > 0
    assert (turnover["hunter_headcount"] + turnover["vacancies"] == 6).all()
    np.testing.assert_allclose(
        turnover["hunter_salaries"], turnover["hunter_headcount"] * s.sellers.salary_usd_per_month
    )
    assert (frame["generalist_headcount"] == 0).all()
    assert frame["generalist_utilisation"].isna().all()
    assert frame["hunter_utilisation"].between(0, 1.0 + 1e-9).all()


def test_billing_system_costs_only_when_there_is_a_client_department() -> None:
    split = run("split", "organisation.billing_system=true", *SHORT)
    unsplit = run("unsplit", "organisation.billing_system=true", *SHORT)
    assert (split["other_cost"] == scenario("split").money.billing_system_usd_per_month).all()
    assert (unsplit["other_cost"] == 0).all()


@pytest.mark.parametrize("name", ["reference", "split_letters_vip"])
def test_the_monthly_table_holds_every_recorded_month_as_recorded(name: str) -> None:
    """Counts as whole numbers (int64), money and rates as floats, value for value; before the
    first month, every column and no row."""
    model = SalesModel(scenario(name, "calendar.horizon_years=1", "market.prospects=2000"), seed=5)
    empty = model.timeseries()
    assert list(empty.columns) == list(COLUMNS) and empty.empty
    assert {c for c in empty.columns if empty[c].dtype == np.int64} == set(COUNT_COLUMNS)
    while len(model.rows) < 3:
        model.step()
    frame = model.timeseries()
    assert list(frame.columns) == list(COLUMNS)
    for column in COLUMNS:
        wanted = np.int64 if column in COUNT_COLUMNS else np.float64
        assert frame[column].dtype == wanted, column
        recorded = [row[column] for row in model.rows]
        assert frame[column].tolist() == pytest.approx(recorded, rel=0, abs=0, nan_ok=True)
