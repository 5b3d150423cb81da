"""The figures of the rule that runs small plans in this process (run by hand:
``python benchmarks/bench_cluster_choice.py``).

Measures on this machine:

- the cost of one simulated month in this process: runs of reference.yaml of 1 and 5 years,
  seconds per run-month (the slope, so that the fixed cost of a run is counted apart);
- the fixed cost of a local Dask cluster: starting it with one worker per core, checking that
  every worker imports salesim, and shutting it down, with no run at all;

and prints the rule's constants as measured next to those in ``sim.study.execute``, and the
plan size from which a cluster pays back its start-up.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from sim.config.loader import load_model
from sim.config.schema import Scenario
from sim.study.execute import (
    CLUSTER_START_S,
    RUN_MONTH_S,
    _client,
    default_workers,
    simulate,
    workers_for,
)

ROOT = Path(__file__).resolve().parent.parent


def run_seconds(years: int, runs: int) -> float:
    scenario = load_model(
        Scenario, ROOT / "scenarios" / "reference.yaml", [f"calendar.horizon_years={years}"]
    )
    times = []
    for seed in range(1, runs + 1):
        start = time.perf_counter()
        outcome = simulate(scenario, seed)  # type: ignore[arg-type]
        assert outcome.error is None, outcome.error
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cluster_seconds(workers: int, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        with _client(workers, None):
            pass
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each horizon (5)")
    parser.add_argument("--repeats", type=int, default=3, help="cluster starts (3)")
    options = parser.parse_args()
    simulate(load_model(Scenario, ROOT / "scenarios" / "reference.yaml", []), 0)  # warm up
    one, five = run_seconds(1, options.runs), run_seconds(5, options.runs)
    per_month = (five - one) / 48
    cores = default_workers()
    cluster = cluster_seconds(cores, options.repeats)
    print(f"run of 1 year {one:.3f} s, of 5 years {five:.3f} s (medians of {options.runs})")
    rule = RUN_MONTH_S * 1000
    print(f"per run-month: {per_month * 1000:.1f} ms measured, {rule:.1f} ms in the rule")
    print(f"fixed run cost: {(one - 12 * per_month) * 1000:.0f} ms")
    print(
        f"local cluster of {cores} workers, start and stop: {cluster:.1f} s measured, "
        f"{CLUSTER_START_S:.1f} s in the rule"
    )
    if cores > 1:
        months = CLUSTER_START_S / RUN_MONTH_S * cores / (cores - 1)
        print(
            f"a cluster pays back from about {months:,.0f} run-months "
            f"({months / 60:,.0f} runs of 5 years) with {cores} cores"
        )
    for run_months in (60, 12 * 60, 120 * 60, 240 * 60):
        print(f"  {run_months:>6} run-months -> {workers_for(run_months, cores)} worker(s)")


if __name__ == "__main__":
    main()
