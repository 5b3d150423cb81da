"""Run functions for study tests; importable by Dask worker processes (tests/ is on their path)."""

from __future__ import annotations

import os
from pathlib import Path

from sim.config.schema import Scenario
from sim.study.execute import Outcome, simulate


def die_once(marker: str, victim_seed: int, scenario: Scenario, seed: int) -> Outcome:
    """Kill the worker process the first time the victim seed runs; then run normally."""
    if seed == victim_seed and not Path(marker).exists():
        Path(marker).write_text("died once\n", encoding="utf-8")
        os._exit(1)
    return simulate(scenario, seed)


def always_die(victim_seed: int, scenario: Scenario, seed: int) -> Outcome:
    """Kill the worker process every time the victim seed runs."""
    if seed == victim_seed:
        os._exit(1)
    return simulate(scenario, seed)
