"""Shared helpers: load scenarios, run them once per (scenario, seed), paired statistics."""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from filelock import FileLock

from sim.config.loader import load_model
from sim.config.schema import Scenario
from sim.model import SalesModel
from sim.study.stats import student_t_quantile

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def t975(df: int) -> float:
    """Student-t 97.5 % quantile (the two-sided 95 % interval's)."""
    return student_t_quantile(0.975, df)


def salesim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def scenario(name: str, *overrides: str) -> Scenario:
    """Load ``scenarios/<name>.yaml`` with ``--set`` style overrides."""
    return load_model(Scenario, SCENARIOS / f"{name}.yaml", overrides)  # type: ignore[return-value]


@cache
def _run_cached(name: str, overrides: tuple[str, ...], seed: int) -> pd.DataFrame:
    shared = _SHARED_RUNS[0] if _SHARED_RUNS else None
    if shared is None:
        return SalesModel(scenario(name, *overrides), seed=seed).run()
    # Several workers (pytest -n): the first to need a run makes it, the others read it.
    key = hashlib.sha256(repr((name, overrides, seed)).encode()).hexdigest()[:32]
    path = shared / f"{key}.pkl"
    with FileLock(shared / f"{key}.lock"):
        if path.exists():
            return pd.read_pickle(path)
        frame = SalesModel(scenario(name, *overrides), seed=seed).run()
        frame.to_pickle(shared / f"{key}.tmp")
        (shared / f"{key}.tmp").replace(path)
        return frame


_SHARED_RUNS: list[Path] = []  # the runs folder shared by this test session's workers


@pytest.fixture(scope="session", autouse=True)
def _shared_runs(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Under pytest-xdist, share ``run``'s monthly tables between the workers of one session.

    Each worker's temporary folder lies in the session's (``.../pytest-N/popen-gw0``): the
    tables go beside them, in ``.../pytest-N/runs``, and pytest removes them with the rest.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.getbasetemp().parent / "runs"
        folder.mkdir(exist_ok=True)
        _SHARED_RUNS.append(folder)


def run(name: str, *overrides: str, seed: int = 1) -> pd.DataFrame:
    """Monthly table of one run (cached for the whole test session)."""
    return _run_cached(name, tuple(overrides), seed).copy()


@dataclass(frozen=True)
class Interval:
    """Mean with its 95 % confidence interval."""

    mean: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.mean:,.4g} [{self.low:,.4g}, {self.high:,.4g}]"


def interval(values: Sequence[float]) -> Interval:
    """Mean and 95 % t-interval of a sample."""
    x = np.asarray(values, dtype=float)
    half = t975(x.size - 1) * x.std(ddof=1) / math.sqrt(x.size)
    return Interval(float(x.mean()), float(x.mean() - half), float(x.mean() + half))


def paired(
    a: tuple[str, ...],
    b: tuple[str, ...],
    metric: Callable[[pd.DataFrame], float],
    seeds: Sequence[int],
) -> Interval:
    """95 % interval of metric(b) - metric(a) over seeds (common random numbers)."""
    return interval([metric(run(*b, seed=s)) - metric(run(*a, seed=s)) for s in seeds])


def total(column: str) -> Callable[[pd.DataFrame], float]:
    """Metric: the column summed over the horizon."""
    return lambda frame: float(frame[column].sum())
