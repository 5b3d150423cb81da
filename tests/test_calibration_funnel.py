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

import pytest
from conftest import interval, run

from sim.patterns import BY_TARGET, funnel_rate

SEEDS = range(1, 11)
ORGANISATIONS = ("unsplit", "split")
STEPS = ("call_to_meeting", "meeting_to_proposal", "proposal_to_win")


@pytest.mark.slow
@pytest.mark.calibration
@pytest.mark.parametrize("organisation", ORGANISATIONS)
@pytest.mark.parametrize("step", STEPS)
def test_funnel_rate_within_field_range(organisation: str, step: str) -> None:
    target = BY_TARGET[step]  # the ranges and sources of sim.patterns.TARGETS
    realised = interval([funnel_rate(run(organisation, seed=seed), step) for seed in SEEDS])
    assert target.low <= realised.low and realised.high <= target.high, (
        f"{organisation}: {step} {realised} outside the field range "
        f"[{target.low}, {target.high}] ({target.source})"
    )
