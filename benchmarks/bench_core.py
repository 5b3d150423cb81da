"""Speed of the simulation core (run by hand: ``python benchmarks/bench_core.py``).

Prints, per case: best wall time of a few runs (model build + 5 simulated years), client-days
per second (clients in the book x working days / run time) and the peak memory of the process.
Targets: the reference company in at most 1 s; 100,000 clients in at most 20 s and 2 GB.
Each case runs in its own process so peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES: dict[str, tuple[str, list[str], int]] = {
    "reference unsplit": ("unsplit.yaml", [], 5),
    "reference split": ("split.yaml", [], 5),
    "reference split + letters + VIP": ("split_letters_vip.yaml", [], 3),
    "100k clients, 10k active, split": (
        "split.yaml",
        [
            "market.past_clients=100000",
            "market.active_clients=10000",
            "market.prospects=100000",
            "organisation.hunters=200",
            "organisation.specialists=100",
        ],
        1,
    ),
    "100k clients, all active, split + billing": (
        "split.yaml",
        [
            "market.past_clients=100000",
            "market.active_clients=100000",
            "market.prospects=0",
            "organisation.hunters=50",
            "organisation.specialists=80",
            "organisation.billing_system=true",
        ],
        1,
    ),
}


def measure(file: str, overrides: list[str], repeats: int) -> dict[str, float]:
    """Run one case ``repeats`` times in this process; return timings and peak memory."""
    from sim.config.loader import load_model
    from sim.config.schema import Scenario
    from sim.model import SalesModel

    scenario = load_model(Scenario, ROOT / "scenarios" / file, overrides)
    times, build = [], []
    for seed in range(1, repeats + 1):
        start = time.perf_counter()
        model = SalesModel(scenario, seed=seed)
        built = time.perf_counter()
        frame = model.run()
        times.append(time.perf_counter() - start)
        build.append(built - start)
    days = model.horizon_days
    best = min(times)
    return {
        "best_s": best,
        "build_s": min(build),
        "clients": model.book.size,
        "active_end": int(frame["active_clients"].iloc[-1]),
        "client_days_per_s": model.book.size * days / best,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    """Run every case in a subprocess and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        file, overrides, repeats = CASES[args.case]
        print(json.dumps(measure(file, overrides, repeats)))
        return
    print(
        f"{'case':45s} {'best s':>7s} {'build s':>8s} {'clients':>8s} {'client-days/s':>14s} "
        f"{'peak MB':>8s}"
    )
    for name in CASES:
        out = subprocess.run(
            [sys.executable, __file__, "--case", name], capture_output=True, text=True, check=True
        )
        r = json.loads(out.stdout)
        print(
            f"{name:45s} {r['best_s']:7.2f} {r['build_s']:8.2f} {r['clients']:8d} "
            f"{r['client_days_per_s']:14,.0f} {r['peak_mb']:8.0f}"
        )


if __name__ == "__main__":
    main()
