"""Funnel rates of the reference company against published B2B benchmarks.

Each rate is realised from the monthly table (calls, meetings, proposals, new clients), per
seed over five years, for the unsplit and the split reference company; its 95 % interval over
10 seeds must lie inside the field range. What each source measures:

* call -> meeting: conversations on cold lists that book a meeting (a model call is a
  conversation, the dials to reach it included in ``pipeline.call_hours``), over all calls,
  repeat calls included: Cognism State of Cold Calling 2023 2 %, 2024 4.82 % (5,265
  conversations), by region 6-8 %; Belkins 2025 4.6 % (175,000 dials).
* meeting -> proposal: meetings set (sales-qualified leads) that become a proposal: TOPO 2017
  Sales Development Benchmark, 22 % of SQLs close, at a 47-50 % proposal win rate 44-47 %; top
  sales-development teams turn 59 % of SQLs into opportunities (TOPO/Gartner 2019).
* proposal -> won: the share of proposed or quoted opportunities won: RAIN Group Center for
  Sales Research (472 sellers) 47 % on average, 40 % for the 80 % below the top; CSO Insights
  Sales Performance Optimization 46.6 % (2016) and 47.3 % (2018) of forecast deals.
"""

from collections.abc import Callable

import pandas as pd
import pytest
from conftest import interval, run

SEEDS = range(1, 11)
ORGANISATIONS = ("unsplit", "split")
Rate = Callable[[pd.DataFrame], float]


def _ratio(numerator: str, denominator: str) -> Rate:
    return lambda frame: float(frame[numerator].sum() / frame[denominator].sum())


PATTERNS: dict[str, tuple[Rate, float, float]] = {
    "meetings per call": (_ratio("meetings", "calls"), 0.02, 0.08),
    "proposals per meeting": (_ratio("proposals", "meetings"), 0.44, 0.60),
    "wins per proposal": (_ratio("new_clients", "proposals"), 0.40, 0.50),
}


@pytest.mark.slow
@pytest.mark.calibration
@pytest.mark.parametrize("organisation", ORGANISATIONS)
@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_funnel_rate_within_field_range(organisation: str, pattern: str) -> None:
    rate, low, high = PATTERNS[pattern]
    realised = interval([rate(run(organisation, seed=seed)) for seed in SEEDS])
    assert low <= realised.low and realised.high <= high, (
        f"{organisation}: {pattern} {realised} outside the field range [{low}, {high}]"
    )
