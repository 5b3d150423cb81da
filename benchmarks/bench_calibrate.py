"""Time and memory of ``salesim calibrate`` on 100,000 clients and 1,000,000 transactions.

Run by hand: ``python benchmarks/bench_calibrate.py``. A BG/NBD world (r = 0.5, alpha = 10
weeks, a = 0.8, b = 2.5, Gamma-Gamma spend p = 6, q = 4, gamma = 15: assumptions, near
CDNOW's scale) is simulated over three years, written as a CSV export, then read and fitted;
printed are the seconds of reading, of summarising and of the fits (BG/NBD, BG/NBD with the
new-client component, Gamma-Gamma, and their standard errors), and the peak memory
of the process (target: under 60 s and 2 GB in all).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.calibrate.command import Options, analyse  # noqa: E402
from sim.calibrate.reading import read_export  # noqa: E402

CLIENTS, TARGET, DAYS = 100_000, 1_000_000, 3 * 364


def export(path: Path, seed: int = 1) -> int:
    """Write a simulated export of about TARGET transactions; return its row count."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(0.5, 1 / 10, CLIENTS) / 7 * 14  # per day, scaled to reach ~1M rows
    drop = rng.beta(0.8, 2.5, CLIENTS)
    first = rng.integers(0, 364, CLIENTS).astype(float)
    rows_c, rows_t = [np.arange(CLIENTS)], [first.copy()]
    t, alive = first.copy(), np.ones(CLIENTS, dtype=bool)
    while alive.any():
        t[alive] += rng.exponential(1 / lam[alive])
        alive &= t < DAYS
        rows_c.append(np.flatnonzero(alive))
        rows_t.append(t[alive].copy())
        alive &= rng.random(CLIENTS) >= drop
    client, day = np.concatenate(rows_c), np.concatenate(rows_t).astype(int)
    nu = rng.gamma(4, 1 / 15, CLIENTS)
    frame = pd.DataFrame(
        {
            "customer": client,
            "date": (pd.Timestamp("2022-01-03") + pd.to_timedelta(day, unit="D")).strftime(
                "%Y-%m-%d"
            ),
            "amount": rng.gamma(6, 1 / nu[client]).round(2),
        }
    )
    frame.to_csv(path, index=False)
    return len(frame)


def main() -> None:
    """Write the export, then time reading and fitting separately."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.csv"
        rows = export(path)
        size = path.stat().st_size / 1e6
        start = time.perf_counter()
        read = read_export(path)
        t_read = time.perf_counter() - start
        start = time.perf_counter()
        result = analyse(path, read, Options(until=pd.Timestamp("2023-12-31")))
        t_fit = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"export: {rows} rows, {size:.1f} MB, {result['counts']['clients']} clients")
    print(f"read: {t_read:.1f} s; summarise + fits: {t_fit:.1f} s; peak memory {peak:.0f} MB")
    print(f"BG/NBD per week: {result['bgnbd']} (converged {result['converged']})")
    print(f"Gamma-Gamma: {result['gamma_gamma']}")
    model = result["purchase_model"]
    print(f"purchase model used: {model['used']} (BIC {model['bic']})")


if __name__ == "__main__":
    main()
