"""A workshop session: the current settings played month by month against a frozen baseline.

Both runs use the same seed, so the difference between them is the decision (common random
numbers). A change of settings restarts the current run from month 0; the baseline keeps the
months it has already simulated. Rounds are settings the facilitator commits: each is run to
the scenario's horizon and compared with the baseline's full run.

A room of teams opens sessions of the same scenario at once. Building a model takes most of a
session's start, so each distinct scenario and seed is built once and kept as a pickle
(``MonthZero``); every run that starts from it is a copy, which plays exactly the months a
freshly built model would.
"""

from __future__ import annotations

import io
import math
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.config.schema import Scenario
from sim.metrics import HEADLINE, retention, summary, total
from sim.model import SalesModel
from sim.spreadsheet import inert_frame
from sim.workshop.levers import LEVERS, Lever, apply, changed, settings_of

# Columns drawn live, and what the rounds table reports.
LIVE_COLUMNS = (
    "active_clients",
    "new_clients",
    "lost_clients",
    "revenue_collected",
    "gross_profit",
    "staff_cost",
    "profit",
)
ROUND_METRICS = tuple(m.name for m in HEADLINE)  # the headline metrics (``sim.metrics``)
# What the bonus levers move (``sim.metrics.summary``): hours hunting, escalations answered.
ROUND_BEHAVIOUR = ("hunting_hours_per_seller", "escalations_answered_share")
NAME_MAX = 64  # characters in a round name


class MonthZero:
    """Built models at month 0, kept as pickles: a run starts as a copy, not a new build.

    Unpickling a model takes about half the time of building it (0.02 s instead of 0.045 s for
    the reference company), and the copy plays the same months, bit for bit: it holds the
    same state and the same random streams. The last ``size`` distinct scenario-and-seed
    pairs are kept (about 5 MB each). A model that cannot be pickled is built each time.
    """

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._gates: dict[tuple[str, int], threading.Lock] = {}

    def model(self, scenario: Scenario, seed: int) -> SalesModel:
        """Return a model of ``scenario`` at month 0 with root seed ``seed``, ready to step.

        Parameters
        ----------
        scenario : Scenario
            The validated scenario.
        seed : int
            Root seed of the run's random streams.

        Returns
        -------
        SalesModel
            A model of its own (never shared with another run).
        """
        key = (scenario.model_dump_json(), seed)
        with self._lock:
            gate = self._gates.setdefault(key, threading.Lock())
        with gate:  # sessions that open at once wait for the first build instead of building
            with self._lock:
                kept = self._kept.get(key)
                if kept is not None:
                    self._kept.move_to_end(key)
            if kept is None:
                return self._build(key, scenario, seed)
        copy: SalesModel = pickle.loads(kept)
        return copy

    def _build(self, key: tuple[str, int], scenario: Scenario, seed: int) -> SalesModel:
        """Build a model and keep its pickle under ``key`` (the oldest kept one goes)."""
        model = SalesModel(scenario, seed=seed)
        try:
            built = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return model
        with self._lock:
            self._kept[key] = built
            while len(self._kept) > self.size:
                oldest, _ = self._kept.popitem(last=False)
                self._gates.pop(oldest, None)
        return model

    def clear(self) -> None:
        """Forget every kept model."""
        with self._lock:
            self._kept.clear()
            self._gates.clear()


MONTH_ZERO = MonthZero()  # shared by every session of the process
_NO_MONTHS: list[pd.DataFrame] = []  # the monthly table before the first month, once built


class Run:
    """One model advanced a month at a time; its months so far as a table.

    Parameters
    ----------
    scenario : Scenario
        The run's scenario (the session's settings applied).
    seed : int
        Root seed of its random streams.
    """

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.model = MONTH_ZERO.model(scenario, seed)
        self.months_total = scenario.calendar.horizon_years * 12
        self._table: tuple[int, pd.DataFrame] = (-1, pd.DataFrame())

    @property
    def months(self) -> int:
        """Return the months simulated so far."""
        return len(self.model.rows)

    def advance_to(self, month: int) -> None:
        """Simulate until ``month`` months are done (or the horizon)."""
        model = self.model
        while len(model.rows) < min(month, self.months_total):
            model.step()

    def frame(self, months: int | None = None) -> pd.DataFrame:
        """Return the monthly table of the first ``months`` months (all done so far by default).

        The table is built once a month, however often it is drawn; before the first month it
        is the empty table every run shares (its columns and types are the ledger's). Treat it
        as read-only.
        """
        done, frame = self._table
        if done != self.months:
            frame = self._no_months() if self.months == 0 else self.model.timeseries()
            self._table = (self.months, frame)
        return frame if months is None else frame.iloc[:months]

    def _no_months(self) -> pd.DataFrame:
        if not _NO_MONTHS:
            _NO_MONTHS.append(self.model.timeseries())
        return _NO_MONTHS[0]


@dataclass(frozen=True)
class Round:
    """Settings committed by the facilitator, with their results over the whole horizon."""

    name: str
    changes: dict[str, Any]
    results: dict[str, float]
    baseline: dict[str, float]

    def row(self) -> dict[str, Any]:
        """One line of the rounds table."""
        out: dict[str, Any] = {"round": self.name}
        out["changes"] = "; ".join(f"{k}={v}" for k, v in self.changes.items()) or "(baseline)"
        for metric in (*ROUND_METRICS, *ROUND_BEHAVIOUR):
            out[metric] = self.results[metric]
            out[f"{metric}_vs_baseline"] = self.results[metric] - self.baseline[metric]
        return out


def _check_range(lever: Lever, value: Any) -> None:
    """Refuse a number outside the lever's slider, which a browser may send all the same.

    The schema allows more (5,000 hunters); the slider's range keeps one session from taking
    the server that a room of teams shares.

    Raises
    ------
    ValueError
        If ``value`` is a number below ``lever.low`` or above ``lever.high``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return  # not a number: the schema refuses what the lever cannot take
    low = -math.inf if lever.low is None else lever.low
    high = math.inf if lever.high is None else lever.high
    if not low <= value <= high:
        raise ValueError(f"{lever.label}: between {low:g} and {high:g}, the slider's range")


@dataclass
class Workshop:
    """Hold the state of one browser session: settings, the two runs, the rounds.

    Parameters
    ----------
    scenario : Scenario
        The scenario picked; the levers' settings are applied to it.
    seed : int
        Root seed of both runs (common random numbers).
    settings, baseline_settings : dict
        Lever path -> value of the current run and of the baseline (the scenario's own
        values when empty).
    rounds : list of Round
        Rounds committed so far.
    """

    scenario: Scenario
    seed: int
    settings: dict[str, Any] = field(default_factory=dict)
    baseline_settings: dict[str, Any] = field(default_factory=dict)
    rounds: list[Round] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Start both runs at month 0 (copies of one kept model when the settings agree)."""
        self.settings = self.settings or settings_of(self.scenario)
        self.baseline_settings = self.baseline_settings or dict(self.settings)
        self.month = 0
        self.baseline = Run(apply(self.scenario, self.baseline_settings), self.seed)
        self.current = Run(apply(self.scenario, self.settings), self.seed)
        self._baseline_result: dict[str, float] | None = None

    @property
    def horizon_months(self) -> int:
        """Return the months of the scenario's horizon."""
        return self.current.months_total

    @property
    def finished(self) -> bool:
        """Return whether both runs have reached the horizon."""
        return self.month >= self.horizon_months

    def change(self, path: str, value: Any) -> None:
        """Set one lever; the current run starts again from month 0 with it."""
        lever = next((lv for lv in LEVERS if lv.path == path), None)
        if lever is None:
            raise KeyError(f"no lever {path}")
        _check_range(lever, value)
        scenario = apply(self.scenario, {**self.settings, path: value})  # refuses a bad value
        self.settings = {**self.settings, path: lever.read(scenario)}  # the value as validated
        self.current = Run(scenario, self.seed)
        self.month = 0

    def step(self, months: int = 1) -> None:
        """Advance both runs by ``months`` months (not past the horizon).

        Raises
        ------
        ValueError
            If ``months`` is not a whole number of at least 1.
        """
        if isinstance(months, bool) or not isinstance(months, int) or months < 1:
            raise ValueError("months to advance: a whole number of at least 1")
        self.month = min(self.month + months, self.horizon_months)
        self.current.advance_to(self.month)
        self.baseline.advance_to(self.month)

    def reset(self) -> None:
        """Back to month 0 with the same settings."""
        self.current = Run(apply(self.scenario, self.settings), self.seed)
        self.month = 0

    def freeze_baseline(self) -> None:
        """Make the current settings the baseline."""
        self.baseline_settings = dict(self.settings)
        self.baseline = Run(apply(self.scenario, self.baseline_settings), self.seed)
        self.baseline.advance_to(self.month)
        self._baseline_result = None

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Return the current and the baseline months so far (the same months)."""
        return self.current.frame(self.month), self.baseline.frame(self.month)

    def difference(self) -> dict[str, float]:
        """Return the running difference, current - baseline, over the months so far.

        Returns
        -------
        dict
            ``profit``: operating profit summed over the months [USD]; ``retention_12m``: the
            12-month retention at the last month [share 0-1; NaN before month 12];
            ``months``: how many (``sim.metrics.total`` and ``sim.metrics.retention`` of each
            run). Before the first month, 0.0, 0.0 and 0.
        """
        current, baseline = self.frames()
        if current.empty:
            return {"profit": 0.0, "retention_12m": 0.0, "months": 0}
        return {
            "profit": total(current, "profit") - total(baseline, "profit"),
            "retention_12m": retention(current) - retention(baseline),
            "months": len(current),
        }

    def _full(self, settings: dict[str, Any]) -> dict[str, float]:
        frame = SalesModel(apply(self.scenario, settings), seed=self.seed).run()
        return summary(frame)

    def commit(self, name: object) -> Round:
        """Run the current settings to the horizon and add them to the rounds table.

        Parameters
        ----------
        name : str
            The round's name: one line of at most ``NAME_MAX`` characters, kept as plain
            text (blank: "Round N").

        Raises
        ------
        ValueError
            If ``name`` is not text, is longer or holds a line break or another control
            character.
        """
        if not isinstance(name, str):
            raise ValueError("a round name is text")
        name = name.strip() or f"Round {len(self.rounds) + 1}"
        if len(name) > NAME_MAX or not name.isprintable():
            control = "" if name.isprintable() else " and a line break or control character"
            raise ValueError(
                f"a round name is one line of at most {NAME_MAX} characters "
                f"(this one has {len(name)}{control})"
            )
        if self._baseline_result is None:
            self._baseline_result = self._full(self.baseline_settings)
        results = self._full(self.settings)
        done = Round(
            name,
            changed(self.baseline_settings, self.settings),
            results,
            self._baseline_result,
        )
        self.rounds.append(done)
        return done

    def rounds_table(self) -> pd.DataFrame:
        """Return one row per committed round (``Round.row``)."""
        return pd.DataFrame([r.row() for r in self.rounds])

    def rounds_csv(self) -> str:
        """Return the rounds table as CSV text; no cell starts a formula (``sim.spreadsheet``)."""
        buffer = io.StringIO()
        inert_frame(self.rounds_table()).to_csv(buffer, index=False)
        return buffer.getvalue()
