"""Time and memory to refuse pathological scenario files (run by hand:
``python benchmarks/bench_loader.py``).

Each case writes a file near the 1 MB limit and runs ``salesim validate`` on it in its own
process; printed are the wall and CPU time, the peak memory and the lines of output. A
refusal should cost about what validating a shipped scenario costs (mostly the start of the
interpreter) and print at most 21 lines.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES: dict[str, str] = {
    "shipped scenario (split.yaml)": "",
    "list of 300,000 items": "name: x\nclients:\n  routine_load_weights: ["
    + ", ".join(["1"] * 300_000)
    + "]\n",
    "20,000 unknown keys": "name: x\n" + "".join(f"k{i}: 1\n" for i in range(20_000)),
    "9,990 unknown keys": "name: x\n" + "".join(f"k{i}: 1\n" for i in range(9_990)),
    "integer of 4,301 digits": "name: x\nseed: " + "1" * 4301 + "\n",
}


_CHILD = """
import resource, sys
from sim.cli import main
main(["validate", sys.argv[1]])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _measure(path: Path) -> tuple[float, float, int, int]:
    """Run ``salesim validate`` on ``path``; return wall s, CPU s, peak kB (-1 if the process
    crashed) and the lines it printed to stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    words = result.stdout.split()
    peak = int(words[-1]) if words and words[-1].isdigit() else -1  # -1: the process crashed
    return wall, cpu, peak, len(result.stderr.splitlines())


def main() -> None:
    """Print one line per case."""
    with tempfile.TemporaryDirectory() as folder:
        for name, text in CASES.items():
            if text:
                path = Path(folder) / "case.yaml"
                path.write_text(text, encoding="utf-8")
            else:
                path = ROOT / "scenarios" / "split.yaml"
            wall, cpu, peak, lines = _measure(path)
            size = path.stat().st_size
            print(
                f"{name:32s} {size / 1000:7.0f} kB  {wall:6.2f} s wall  {cpu:6.2f} s CPU  "
                f"{peak / 1000:6.0f} MB peak  {lines:6d} lines"
            )


if __name__ == "__main__":
    main()
