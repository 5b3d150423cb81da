"""Report build time from stored results, step by step.

Run by hand:  python benchmarks/bench_report.py [RESULTS_FOLDER]

Without a folder, it first stores a study of the eight strategies (2 replications, 5 years) in a
temporary folder (not timed). It prints the time to load the runs, to draw each figure and save
it as PNG, to write the PDF and the page, and the whole build as ``salesim report`` does it.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
from pathlib import Path

from sim.report import build as report_build
from sim.report import build_report
from sim.study import load, plan_study, run_plan

ROOT = Path(__file__).resolve().parent.parent


def store_study(folder: Path) -> Path:
    plan = plan_study(ROOT / "studies" / "strategies.yaml", replications=2)
    out = folder / "strategies"
    run_plan(plan, out, workers=1, progress=False)
    return out


def measure(out: Path) -> None:
    start = time.perf_counter()
    result = load(out)
    loaded = time.perf_counter() - start
    months = len(result.timeseries)
    print(f"{out}: {len(result.runs)} runs, {months:,} run-months")
    print(f"  load the stored runs:   {loaded:6.2f} s")
    manifest = report_build.store.read_manifest(out)
    ctx = report_build._context(result, manifest, None)
    start = time.perf_counter()
    drawn = report_build._figures(ctx)
    print(f"  draw {len(drawn)} figures:        {time.perf_counter() - start:6.2f} s")
    for key, _, _, figure in drawn:
        start = time.perf_counter()
        figure.savefig(io.BytesIO(), format="png", dpi=report_build.DPI)
        print(f"    {key:<16} png  {time.perf_counter() - start:6.2f} s")
    start = time.perf_counter()
    report = build_report(out, stream=io.StringIO())
    whole = time.perf_counter() - start
    size = report.html.stat().st_size / 1e6
    pdf = report.pdf.stat().st_size / 1e6
    print(f"  whole build:            {whole:6.2f} s  (page {size:.1f} MB, PDF {pdf:.1f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, help="a study's results folder")
    args = parser.parse_args()
    if args.folder is not None:
        measure(args.folder)
        return
    with tempfile.TemporaryDirectory() as folder:
        print("storing a study of the eight strategies, 2 replications (not timed) ...")
        measure(store_study(Path(folder)))


if __name__ == "__main__":
    main()
