"""Workshop speed: simulated months per second, the current run and the baseline together.

Run by hand:  python benchmarks/bench_workshop.py

The dashboard needs at least one simulated month per second for the reference company.
"""

from __future__ import annotations

import time
from pathlib import Path

from sim.config.loader import load_model
from sim.config.schema import Scenario
from sim.workshop.session import Workshop

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "reference (unsplit), settings = baseline": ("reference.yaml", None),
    "reference, 8 hunters + 3 specialists vs baseline": (
        "reference.yaml",
        {"organisation.generalists": 0, "organisation.hunters": 8, "organisation.specialists": 3},
    ),
    "split + letters + VIP vs baseline": ("split_letters_vip.yaml", None),
}


def months_per_second(file: str, changes: dict[str, object] | None) -> tuple[float, float]:
    """Months a second over the whole horizon, and the slowest single month in seconds."""
    scenario = load_model(Scenario, ROOT / "scenarios" / file)
    workshop = Workshop(scenario, seed=1)  # type: ignore[arg-type]
    for path, value in (changes or {}).items():
        workshop.change(path, value)
    slowest, start = 0.0, time.perf_counter()
    while not workshop.finished:
        month_start = time.perf_counter()
        workshop.step()
        slowest = max(slowest, time.perf_counter() - month_start)
    return workshop.month / (time.perf_counter() - start), slowest


def main() -> None:
    print(f"{'case':50s} {'months/s':>9s} {'slowest month s':>16s}")
    for name, (file, changes) in CASES.items():
        rate, slowest = months_per_second(file, changes)
        print(f"{name:50s} {rate:9.1f} {slowest:16.3f}")


if __name__ == "__main__":
    main()
