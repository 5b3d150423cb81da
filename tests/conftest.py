"""Shared helpers: load scenarios, run them once per (scenario, seed), paired statistics."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

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
    return SalesModel(scenario(name, *overrides), seed=seed).run()


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
