"""The seeds' claims emerge from the mechanisms: paired comparisons over replications.

Every comparison runs both arms with the same seeds (common random numbers) and asserts on
the 95 % t-interval of the paired difference, so a claim holds only if it is clear of noise.
"""

import numpy as np
import pandas as pd
import pytest
from conftest import interval, paired, run, total

pytestmark = pytest.mark.slow  # many replications: long

SEEDS = range(1, 9)
GROWING = ("market.prospects=20000",)  # the young company in a market big enough to grow


def retention(frame: pd.DataFrame) -> float:
    """Yearly retention over the horizon: 1 - clients lost a year / mean active clients."""
    years = frame["year"].max()
    return float(1 - frame["lost_clients"].sum() / years / frame["active_clients"].mean())


def yearly(frame: pd.DataFrame, column: str) -> pd.Series:
    """Yearly mean of a monthly column."""
    return frame.groupby("year")[column].mean()


def first_minus_last_year(column: str):
    return lambda f: float(yearly(f, column).iloc[0] - yearly(f, column).iloc[-1])


def test_unsplit_growing_book_squeezes_out_hunting() -> None:
    frames = [run("young_unsplit", *GROWING, seed=s) for s in SEEDS]
    hunting = interval([first_minus_last_year("hunting_hours_per_seller")(f) for f in frames])
    wins = interval([first_minus_last_year("new_clients_per_seller")(f) for f in frames])
    neglect = interval([-first_minus_last_year("unattended_share")(f) for f in frames])
    book = interval([-first_minus_last_year("generalist_clients_served")(f) for f in frames])
    print(
        f"year 1 - year 5: hunting h/seller/month {hunting}, wins/seller/month {wins}; "
        f"year 5 - year 1: unattended share {neglect}, clients in books {book}"
    )
    assert book.low > 0
    assert hunting.low > 0
    assert wins.low > 0
    assert neglect.low > 0


def test_split_beats_unsplit_for_the_reference_company() -> None:
    diff = paired(("unsplit",), ("split",), total("profit"), SEEDS)
    new = paired(("unsplit",), ("split",), total("new_clients"), SEEDS)
    print(f"split - unsplit, reference, 5-year profit {diff}; new clients {new}")
    assert diff.low > 0
    assert new.low > 0


def test_split_loses_for_the_small_young_company_and_a_break_even_exists() -> None:
    seeds = range(1, 11)
    small = paired(("young_unsplit",), ("young_split",), total("profit"), seeds)
    # The split's hunters need a market to hunt in: in the reference company's territory
    # (20,000 prospects) the same two people gain from splitting. A market of 3,000 that
    # remembers its refusals is not enough (the difference is within noise there).
    larger = paired(("young_unsplit", *GROWING), ("young_split", *GROWING), total("profit"), seeds)
    print(f"split - unsplit, young company: 200 prospects {small}; 20,000 prospects {larger}")
    assert small.high < 0
    assert larger.low > 0


def test_without_a_time_conflict_unsplit_is_not_worse() -> None:
    # Generous hours, a base that fits in them, equal routine-service skill: one person can do
    # both jobs, as the hunter/farmer theory says (Dong, Yao & Cui 2011). The theory is about
    # time, so the world also leaves out turnover (seed 001), which adds a second difference.
    world = (
        "calendar.hours_per_day=16",
        "market.past_clients=300",
        "market.prospects=200",
        "specialists.service_quality=0.8",
        "staffing.quit_per_month=0",
    )
    diff = paired(("split", *world), ("unsplit", *world), total("profit"), SEEDS)
    level = np.mean([total("profit")(run("split", *world, seed=s)) for s in SEEDS])
    print(f"unsplit - split without time conflict, 5-year profit {diff} (split: {level:,.0f})")
    # Non-inferiority: unsplit is at worst 2 % behind, and on average ahead.
    assert diff.low > -0.02 * level
    assert diff.mean > 0


def test_billing_system_multiplies_specialist_capacity() -> None:
    from conftest import scenario

    from sim.model import SalesModel

    plain = SalesModel(scenario("split"), seed=1)
    billing = SalesModel(scenario("split", "organisation.billing_system=true"), seed=1)
    ratio = [
        b.load_hours / p.load_hours
        for p, b in zip(plain.specialists, billing.specialists, strict=True)
    ]
    assert ratio == pytest.approx([150 / 1500] * 3)
    attention = paired(
        ("split",),
        ("split", "organisation.billing_system=true"),
        lambda f: float(f["mean_attention"].iloc[-12:].mean()),
        SEEDS,
    )
    kept = paired(("split",), ("split", "organisation.billing_system=true"), retention, SEEDS)
    print(f"billing - none: final-year attention {attention}; retention {kept}")
    assert attention.low > 0.2
    assert kept.low > 0


def test_escalation_raises_retention() -> None:
    diff = paired(("split", "escalation.enabled=false"), ("split",), retention, SEEDS)
    lost = paired(("split", "escalation.enabled=false"), ("split",), total("lost_clients"), SEEDS)
    print(f"escalation on - off: retention {diff}; lost clients {lost}")
    assert diff.low > 0
    assert lost.high < 0


def test_personal_handoff_raises_retention() -> None:
    # A small effect (about 0.3 points of retention, some 6 of 650 clients lost in five years
    # once a client a rival takes is under contract with it) beside the overloaded specialists'
    # own incidents: 16 replications to see it clear of noise.
    seeds = range(1, 17)
    diff = paired(("split", "handoff.style=cold"), ("split",), retention, seeds)
    lost = paired(("split", "handoff.style=cold"), ("split",), total("lost_clients"), seeds)
    print(f"personal - cold hand-off: retention {diff}; lost clients {lost}")
    assert diff.low > 0
    assert lost.high < 0


def test_consultative_visits_reduce_losses_to_competitors() -> None:
    diff = paired(
        ("split", "visits.interval_months=0"), ("split",), total("lost_to_competitor"), SEEDS
    )
    print(f"visits every 12 months - none: clients lost to competitors {diff}")
    assert diff.high < 0


def test_no_competitors_means_no_losses_to_them() -> None:
    frame = run("split", "market.competitors.count=0")
    assert frame["lost_to_competitor"].sum() == 0
    assert frame["prospects_to_competitor"].sum() == 0
    assert frame["lost_lapsed"].sum() > 0


def test_more_competitors_take_more_clients() -> None:
    diff = paired(
        ("split", "market.competitors.count=1"),
        ("split", "market.competitors.count=6"),
        total("lost_to_competitor"),
        SEEDS,
    )
    assert diff.low > 0
