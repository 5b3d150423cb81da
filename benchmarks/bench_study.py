"""Study throughput: runs per second of the reference company with 1 and 2 workers.

Run by hand:  python benchmarks/bench_study.py [--runs 24]

Each setting runs the same study (reference.yaml, 5 years, ``--runs`` replications) into a fresh
temporary folder. "with start-up" includes starting the local Dask cluster; "steady" divides
the runs by the time after the workers were up. Each run is stored as the study stores it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sim.study import Study, plan_study, store
from sim.study.execute import Outcome, execute, simulate
from sim.study.plan import RunTask

ROOT = Path(__file__).resolve().parent.parent


def measure(workers: int, runs: int) -> dict[str, float]:
    study = Study(
        name="bench", scenarios=[str(ROOT / "scenarios" / "reference.yaml")], replications=runs
    )
    plan = plan_study(study)
    ready: list[float] = []
    done: list[RunTask] = []
    with tempfile.TemporaryDirectory() as folder:

        def store_run(task: RunTask, outcome: Outcome) -> None:
            assert outcome.frame is not None, outcome.error
            store.write_run(Path(folder), task, outcome.frame, outcome.wall_time_s)
            done.append(task)

        start = time.perf_counter()
        execute(
            plan.tasks,
            store_run,
            workers=workers,
            run=simulate,
            on_ready=lambda: ready.append(time.perf_counter()),
        )
        end = time.perf_counter()
    assert len(done) == runs
    return {
        "total_s": end - start,
        "startup_s": ready[0] - start,
        "runs_per_s": runs / (end - start),
        "steady_runs_per_s": runs / (end - ready[0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=24, help="replications per setting")
    args = parser.parse_args()
    print(f"reference company, 5 years, {args.runs} runs per setting")
    print(f"{'workers':>7s} {'total s':>8s} {'start s':>8s} {'runs/s':>7s} {'steady runs/s':>14s}")
    results = {}
    for workers in (1, 2):
        r = results[workers] = measure(workers, args.runs)
        print(
            f"{workers:7d} {r['total_s']:8.2f} {r['startup_s']:8.2f} {r['runs_per_s']:7.2f} "
            f"{r['steady_runs_per_s']:14.2f}"
        )
    ratio = results[2]["runs_per_s"] / results[1]["runs_per_s"]
    steady = results[2]["steady_runs_per_s"] / results[1]["steady_runs_per_s"]
    print(f"scaling 2 vs 1 worker: {ratio:.2f}x with start-up, {steady:.2f}x steady")


if __name__ == "__main__":
    main()
