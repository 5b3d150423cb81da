"""Run functions for study tests; importable by Dask worker processes (tests/ is on their path)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sim.config.schema import Scenario
from sim.study.execute import Outcome, simulate

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def small_study(folder: Path, prospects: int = 2000, **changes: object) -> Path:
    """Write a study file of unsplit vs split, one year, three replications; return its path.

    ``prospects`` sets both scenarios' market (a small one runs fast); ``changes`` replace
    top-level entries of the study (``replications=12``, ...).
    """
    fast = {"market.prospects": prospects}
    data = {
        "name": "small",
        "baseline": "unsplit",
        "replications": 3,
        "horizon_years": 1,
        "scenarios": [
            {"path": str(SCENARIOS / "unsplit.yaml"), "set": fast},
            {"path": str(SCENARIOS / "split.yaml"), "set": fast},
        ],
        **changes,
    }
    path = folder / "small.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
    return path


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
