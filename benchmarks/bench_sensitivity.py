"""The shipped Morris screen end to end: wall time, runs per second, and where the time goes.

Run by hand:  python benchmarks/bench_sensitivity.py [--workers 2] [--study STUDY.yaml]

It runs the study file (by default studies/sensitivity.yaml: 20 parameters, 10 trajectories =
210 points x 2 scenarios x 3 replications x 3 years = 1,260 runs) into a fresh temporary
folder, as ``salesim study`` does, and prints the time of each stage: planning (drawing the
sample, resolving every scenario at every point), running and storing the runs, and
collecting the results with the analysis. The target is 15 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

from sim.study import plan_study, run_plan
from sim.study.runner import load

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Run the study once and print the stages' times."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2, help="local Dask workers (default 2)")
    parser.add_argument(
        "--study", type=Path, default=ROOT / "studies" / "sensitivity.yaml", help="study file"
    )
    args = parser.parse_args()
    start = time.perf_counter()
    plan = plan_study(args.study)
    planned = time.perf_counter()
    runs = len(plan.tasks)
    print(f"{args.study.name}: {len(plan.variants)} variants, {runs} runs")
    print(f"plan (draw the sample, resolve every scenario at every point): {planned - start:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        result = run_plan(plan, out, workers=args.workers, progress=True, stream=io.StringIO())
        ran = time.perf_counter()
        load(out)  # what the report reads again
        loaded = time.perf_counter()
    simulated = float(result.runs["wall_time_s"].sum())
    total = ran - start
    print(f"run, store, collect and analyse: {ran - planned:.1f} s")
    print(
        f"  of which simulation (sum over runs / {args.workers} workers): "
        f"{simulated / args.workers:.1f} s; mean run {simulated / runs:.3f} s"
    )
    print(f"load again (as the report does): {loaded - ran:.1f} s")
    print(
        f"total {total:.1f} s = {total / 60:.1f} min; {runs / total:.2f} runs/s "
        f"(target: {runs} runs in 15 min = {runs / 900:.2f} runs/s)"
    )
    print(result.sensitivity_notes or "analysis: complete")


if __name__ == "__main__":
    main()
