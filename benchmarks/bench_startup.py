"""Start-up time of the ``salesim`` command (run by hand: ``python benchmarks/bench_startup.py``).

Runs ``python -c pass``, ``salesim --help``, ``salesim --version`` and ``salesim validate
scenarios/reference.yaml`` side by side, each in a fresh process, interleaved, ``--repeats``
times, and prints the median and the fastest wall time of each and the median's excess over
``python -c pass``. Also printed: which heavy libraries each command imported.

``--tree PATH`` measures another source tree (for example main's head) with this interpreter:
the tree is put first on ``PYTHONPATH``, so it is imported even where another tree is installed
in editable mode. The target: ``--help`` within 0.15 s and ``validate`` within 0.8 s of a bare
``python -c pass``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("mesa", "pandas", "dask", "distributed", "matplotlib", "scipy", "solara", "pyarrow")

# The command in a child: the entry point exactly as the installed script calls it.
_CLI = "import sys; from sim.cli import main; sys.argv[0] = 'salesim'; sys.exit(main())"
_HEAVY = (
    "import sys, atexit\n"
    "atexit.register(lambda: print('IMPORTED', *sorted({m.split('.')[0] for m in sys.modules}"
    f" & set({HEAVY!r})), file=sys.stderr))\n" + _CLI
)


def _commands(tree: Path) -> dict[str, list[str]]:
    scenario = str(tree / "scenarios" / "reference.yaml")
    return {
        "python -c pass": ["-c", "pass"],
        "salesim --help": ["-c", _CLI, "--help"],
        "salesim --version": ["-c", _CLI, "--version"],
        "salesim validate reference.yaml": ["-c", _CLI, "validate", scenario],
    }


def _once(args: list[str], env: dict[str, str], tree: Path) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, check=False, cwd=tree
    )
    return time.perf_counter() - start, done.returncode


def _imported(args: list[str], env: dict[str, str], tree: Path) -> str:
    if args[:2] == ["-c", "pass"]:
        return "-"
    done = subprocess.run(
        [sys.executable, "-c", _HEAVY, *args[2:]],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=tree,  # ``python -c`` puts the working folder first on the path
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith("IMPORTED")]
    return " ".join(lines[-1].split()[1:]) or "none" if lines else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=ROOT, help="source tree (default: this one)")
    parser.add_argument("--repeats", type=int, default=15, help="runs of each command (15)")
    options = parser.parse_args()
    tree = options.tree.resolve()
    env = {**os.environ, "PYTHONPATH": str(tree)}
    commands = _commands(tree)
    times: dict[str, list[float]] = {name: [] for name in commands}
    codes: dict[str, set[int]] = {name: set() for name in commands}
    for _ in range(options.repeats):  # interleaved: a busy spell hits every command alike
        for name, args in commands.items():
            wall, code = _once(args, env, tree)
            times[name].append(wall)
            codes[name].add(code)
    base = statistics.median(times["python -c pass"])
    print(f"tree {tree}; {options.repeats} repeats; Python {sys.version.split()[0]}")
    print(f"{'command':34} {'median s':>9} {'min s':>7} {'excess s':>9}  exit  heavy imports")
    for name, args in commands.items():
        median = statistics.median(times[name])
        print(
            f"{name:34} {median:9.3f} {min(times[name]):7.3f} {median - base:9.3f}  "
            f"{','.join(map(str, sorted(codes[name]))):4}  {_imported(args, env, tree)}"
        )


if __name__ == "__main__":
    main()
