"""Resolve a study into variants (scenario x sweep point) and the runs to do.

Every problem found while resolving (a missing scenario file, a field that does not exist, a
swept value out of range) is reported with its location in the study or scenario file.
"""

from __future__ import annotations

import difflib
import itertools
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.config.extends import load_with_extends
from sim.config.fields import Bounds, field_at, removed_field
from sim.config.overrides import apply_overrides, leaf_fields, override_fields, set_values
from sim.config.problems import (
    ConfigError,
    Location,
    PathKey,
    Positions,
    Problem,
    dotted,
    locate,
)
from sim.config.safe_yaml import load_yaml
from sim.config.schema import Scenario
from sim.config.validation import validate
from sim.ledger import COLUMNS
from sim.metrics import SUMMARY_NAMES
from sim.names import identifier
from sim.output import config_hash
from sim.study import sensitivity
from sim.study.sensitivity import Sample
from sim.study.spec import Study, Sweep, SweepVariable

MAX_RUNS = 1_000_000


@dataclass(frozen=True)
class Source:
    """A scenario before the study's settings: its document, positions and label."""

    label: str | None
    data: dict[str, Any]
    positions: Positions
    file: str
    settings: tuple[tuple[str, Any, Location], ...] = ()
    overrides: tuple[str, ...] = ()  # command-line --set, applied last


@dataclass(frozen=True)
class Variant:
    """One scenario at one sweep point, fully resolved."""

    index: int
    label: str
    point: int
    values: dict[str, Any]
    scenario: Scenario
    hash: str
    baseline: bool
    display: str = ""  # the label as written, for readers (default: the identifier)


@dataclass(frozen=True)
class RunTask:
    """One replication of one variant."""

    variant: Variant
    replication: int
    seed: int

    @property
    def key(self) -> str:
        """File stem of the run: scenario hash and replication."""
        return f"{self.variant.hash[:16]}-r{self.replication:04d}"


@dataclass
class Plan:
    """Everything a study will run."""

    study: Study
    variants: list[Variant]
    tasks: list[RunTask] = field(default_factory=list)
    study_file: str | None = None
    study_text: str | None = None
    sweep_names: list[str] = field(default_factory=list)
    sample: Sample | None = None  # the points of a Morris or Sobol sweep
    replan: Callable[[Sample], Plan] | None = None  # the same plan at a stored sample's points

    @property
    def baseline_label(self) -> str:
        """Return the label of the baseline variant."""
        return next(v.label for v in self.variants if v.baseline)


def load_study_file(path: str | Path) -> tuple[Study, Positions, str]:
    """Read and validate a study file; return it with its positions and text."""
    data, positions = load_yaml(path)
    study = validate(Study, data, positions, source=os.fspath(path))
    return study, positions, Path(path).read_text(encoding="utf-8")


def sources_from_study(
    study: Study, positions: Positions, study_path: Path, overrides: Sequence[str] = ()
) -> list[Source]:
    """Load every scenario file a study names.

    The entry's settings are located in the study; the command line's ``--set`` overrides are
    applied last.
    """
    file = os.fspath(study_path)
    sources, problems = [], []
    for i, entry in enumerate(study.entries()):
        plain = isinstance(study.scenarios[i], str)
        where: PathKey = ("scenarios", i) if plain else ("scenarios", i, "path")
        scenario_path = study_path.parent / entry.path
        if not (scenario_path.exists() or scenario_path.is_symlink()):  # else the loader says why
            location = locate(positions, where, file)
            problems.append(
                Problem(location, dotted(where), f"scenario file not found: {scenario_path}")
            )
            continue
        try:
            data, scenario_positions = load_with_extends(scenario_path)
        except ConfigError as err:
            problems.extend(err.problems)
            continue
        settings = tuple(
            (key, value, locate(positions, ("scenarios", i, "set", key), file))
            for key, value in entry.set.items()
        )
        scenario_file = os.fspath(scenario_path)
        sources.append(
            Source(entry.label, data, scenario_positions, scenario_file, settings, tuple(overrides))
        )
    if problems:
        raise ConfigError(problems)
    return sources


def sources_from_files(paths: Sequence[Path], overrides: Sequence[str]) -> list[Source]:
    """Scenario files with command-line ``--set`` overrides (``salesim compare``)."""
    sources, problems = [], []
    for path in paths:
        try:
            data, positions = load_with_extends(path)
        except ConfigError as err:
            problems.extend(err.problems)
            continue
        sources.append(Source(None, data, positions, os.fspath(path), (), tuple(overrides)))
    if problems:
        raise ConfigError(problems)
    return sources


def sweep_points(sweep: Sweep | None, seed: int) -> list[dict[str, Any]]:
    """Return the sweep's points: every grid combination, or a Latin hypercube sample."""
    if sweep is None:
        return [{}]
    names = list(sweep.variables)
    if sweep.method == "grid":
        grids = [sweep.variables[n].values or [] for n in names]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grids)]
    n = sweep.samples or 0
    rng = np.random.default_rng([seed, 0x1A7E])
    points: list[dict[str, Any]] = [{} for _ in range(n)]
    for name in names:
        low, high = sweep.variables[name].range or (0.0, 1.0)
        strata = (rng.permutation(n) + rng.random(n)) / n
        for point, u in zip(points, strata.tolist(), strict=True):
            point[name] = low + (high - low) * u
    return points


class UnknownFieldError(KeyError):
    """A dotted path names no scenario field; carries a suggestion."""

    def __init__(self, dotted: str, hint: str) -> None:
        super().__init__(dotted)
        self.message = f"no scenario field {dotted}{hint}"


def _field_value(dump: dict[str, Any], dotted: str) -> Any:
    node: Any = dump
    parts = dotted.split(".")
    for depth, part in enumerate(parts):
        if isinstance(node, list) and part.isdigit() and len(part) <= 6:  # an item, as --set
            if int(part) >= len(node):
                raise UnknownFieldError(
                    dotted, f" (the list {'.'.join(parts[:depth])} has items 0-{len(node) - 1})"
                )
            node = node[int(part)]
            continue
        if not isinstance(node, dict) or part not in node:
            close = difflib.get_close_matches(part, list(node) if isinstance(node, dict) else [])
            hint = f"; did you mean '{close[0]}'?" if close else ""
            removed = removed_field(Scenario, parts[:depth], part)
            raise UnknownFieldError(dotted, f"; it was removed: {removed}" if removed else hint)
        node = node[part]
    return node


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fit(current: Any, value: float) -> Any:
    """Return a number for a field that now holds ``current``: whole fields stay whole.

    Raises ``TypeError`` for a field that is not a number and ``ValueError`` for a value that
    is not a finite number (a scaled field that overflows, say).
    """
    if not _is_number(current):
        raise TypeError
    if not math.isfinite(value):
        raise ValueError(f"gives {value}, not a finite number")
    if isinstance(current, int):
        return round(value)
    return float(value)


Setting = tuple[str, Any, Location]

# Columns of runs.csv, summary.csv and the stored monthly tables besides the sweep's own.
RESERVED = frozenset(
    {
        *("scenario", "point", "replication", "seed", "wall_time_s", "error", "years"),
        *("metric", "n", "mean", "low", "high", "diff", "diff_low", "diff_high", "pairs"),
        *COLUMNS,
        *SUMMARY_NAMES,
    }
)


def _sweep_settings(
    base: Scenario, point: dict[str, Any], sweep: Sweep, positions: Positions, file: str
) -> tuple[list[Setting], dict[str, Any]]:
    """Return the field settings of one sweep point for one scenario, and the values used.

    A whole-number field gets its value rounded.
    """
    dump = base.model_dump(mode="json")
    settings: list[Setting] = []
    used: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, value in point.items():
        here = ("sweep", "variables", name)
        used[name] = value
        scales = sweep.variables[name].scales
        if not scales:
            location = locate(positions, here, file)
            try:
                current = _field_value(dump, name)
            except UnknownFieldError as err:
                problems.append(Problem(location, dotted(here), err.message))
                continue
            if isinstance(value, float) and _is_number(current):
                value = used[name] = _fit(current, value)
            settings.append((name, value, location))
            continue
        for j, target in enumerate(scales):
            at = locate(positions, (*here, "scales", j), file)
            try:
                current = _field_value(dump, target)
                scaled = _fit(current, current * float(value))
            except UnknownFieldError as err:
                problems.append(Problem(at, target, err.message))
                continue
            except TypeError:
                problems.append(Problem(at, target, "only a numeric field can be scaled"))
                continue
            except (ValueError, OverflowError) as err:
                message = f"{current} x {value} {err}"
                problems.append(Problem(at, target, message))
                continue
            if isinstance(scaled, int) and current > 0:
                scaled = max(1, scaled)
            settings.append((target, scaled, at))
    if problems:
        raise ConfigError(problems)
    return settings, used


def _base_settings(source: Source, study: Study, positions: Positions, file: str) -> list[Setting]:
    """Return the entry's own settings, then the study's horizon."""
    settings = list(source.settings)
    if study.horizon_years is not None:
        at = locate(positions, ("horizon_years",), file)
        settings.append(("calendar.horizon_years", study.horizon_years, at))
    return settings


def _resolve(source: Source, settings: list[Setting], swept: Sequence[Setting] = ()) -> Scenario:
    """Return the source with the study's settings, the ``--set``, then the sweep point's.

    A swept field is never also set; a scaled one scales the value set.
    """
    data, where = set_values(source.data, source.positions, settings)
    data, where = apply_overrides(data, where, source.overrides)
    data, where = set_values(data, where, swept)
    return validate(Scenario, data, where, source=source.file)


def _clashes(fields: Sequence[str], swept: set[str]) -> list[str]:
    """Return the swept fields that ``fields`` also write (a field or a whole section of it)."""
    return [
        name
        for name in sorted(swept)
        if any(name == f or name.startswith(f + ".") or f.startswith(name + ".") for f in fields)
    ]


def _check_conflicts(study: Study, sources: list[Source], positions: Positions, file: str) -> None:
    """Refuse a field swept and also set elsewhere: one of the two would silently lose."""
    problems = [p for source in sources for p in _setting_problems(source)]
    if study.sweep is None:
        if problems:
            raise ConfigError(_unique(problems))
        return
    swept = {name for name, v in study.sweep.variables.items() if not v.scales}
    for source in sources:
        for key, value, location in source.settings:
            for name in _clashes(leaf_fields(key, value), swept):
                message = f"{name} is also swept (sweep.variables); set it in one place"
                problems.append(Problem(location, key, message))
        for override in source.overrides:
            fields, where = override_fields(override)
            for name in _clashes(fields, swept):
                message = f"{name} is swept by the study; it cannot also be --set"
                problems.append(Problem(where, name, message))
    if study.horizon_years is not None and "calendar.horizon_years" in swept:
        location = locate(positions, ("horizon_years",), file)
        message = "calendar.horizon_years is also swept; remove one of the two"
        problems.append(Problem(location, "horizon_years", message))
    problems.extend(_sweep_name_problems(study.sweep, positions, file))
    problems.extend(_range_problems(study.sweep, positions, file))
    if problems:
        raise ConfigError(_unique(problems))


def _sweep_name_problems(sweep: Sweep, positions: Positions, file: str) -> list[Problem]:
    """Refuse a scaling variable named as a column of the results, and a field taken twice.

    A field is swept or scaled by one variable only.
    """
    problems = []
    owner: dict[str, str] = {}
    for name, variable in sweep.variables.items():
        here = ("sweep", "variables", name)
        if variable.scales and name in RESERVED:
            message = f"{name!r} names a column of the results; give the variable another name"
            problems.append(Problem(locate(positions, here, file), dotted(here), message))
        for j, target in enumerate(variable.scales or [name]):
            if target in owner:
                at = (*here, "scales", j) if variable.scales else here
                message = (
                    f"{target} is already swept or scaled by the variable {owner[target]!r}; "
                    "a field takes one variable"
                )
                problems.append(Problem(locate(positions, at, file), dotted(at), message))
            owner.setdefault(target, name)
    return problems


def _bounds_at(name: str) -> tuple[Bounds, bool]:
    """Return the bounds of a field, or of a list's items (``a.b.1``), and if it is whole."""
    parent, _, last = name.rpartition(".")
    if last.isdigit() and parent:
        leaf = field_at(Scenario, parent)
        return leaf.item_bounds, False  # the schema's lists of numbers hold floats
    leaf = field_at(Scenario, name)
    return leaf.bounds, leaf.annotation is int


def _range_problems(sweep: Sweep, positions: Positions, file: str) -> list[Problem]:
    """Refuse a sampled range that reaches beyond what its field allows.

    Every value of a Latin hypercube range may be drawn, so both ends must be values the field
    takes; otherwise whether the study is accepted would depend on where the draws fall.
    """
    problems = []
    for name, variable in sweep.variables.items():
        if variable.range is None or variable.scales:
            continue  # a scaling variable's range holds factors, checked at each point
        try:
            bounds, whole = _bounds_at(name)
        except (KeyError, AttributeError):
            continue  # no such field: reported with the point's settings
        low, high = variable.range
        if whole:  # a whole field takes the rounded draw
            low, high = float(round(low)), float(round(high))
        if bounds.admits(low) and bounds.admits(high):
            continue
        low, high = variable.range
        here = ("sweep", "variables", name, "range")
        message = (
            f"range [{low:g}, {high:g}] reaches outside what {name} allows "
            f"({bounds.text()}); every value of the range may be drawn"
        )
        problems.append(Problem(locate(positions, here, file), dotted(here), message))
    return problems


def _scaled_range_problems(
    base: Scenario, sweep: Sweep | None, positions: Positions, file: str
) -> list[Problem]:
    """Refuse a sampled range of factors that takes a scaled field beyond what it allows.

    Checked for each scenario, whose field values the factors multiply: both ends of the
    range may be drawn.
    """
    if sweep is None or sweep.method == "grid":
        return []
    dump = base.model_dump(mode="json")
    problems = []
    for name, variable in sweep.variables.items():
        factors = variable.range or (
            (1 - variable.share, 1 + variable.share) if variable.share is not None else ()
        )
        for j, target in enumerate(variable.scales):
            try:
                current = _field_value(dump, target)
                bounds = field_at(Scenario, target).bounds
                ends = [_fit(current, current * float(f)) for f in factors]
            except (KeyError, AttributeError, TypeError, ValueError, OverflowError):
                continue  # not a numeric field, or no field: reported at the points
            if isinstance(current, int) and current > 0:
                ends = [max(1, e) for e in ends]
            wrong = [e for e in ends if not bounds.admits(e)]
            if wrong:
                at = ("sweep", "variables", name, "scales", j)
                message = (
                    f"{current} x the range {list(factors)} reaches {wrong[0]:g}, outside what "
                    f"{target} allows ({bounds.text()}); every value of the range may be drawn"
                )
                problems.append(Problem(locate(positions, at, file), target, message))
    return problems


def _setting_problems(source: Source) -> list[Problem]:
    """Check that the seed is the study's, and that an entry's ``set:`` names each field once."""
    problems = []
    written: dict[str, str] = {}
    for key, value, location in source.settings:
        for leaf in leaf_fields(key, value):
            if leaf == "seed":
                message = "the seeds are the study's (its seed:); a scenario's seed is not used"
                problems.append(Problem(location, key, message))
            elif leaf in written and written[leaf] != key:
                message = f"{leaf} is set twice (as {written[leaf]} and as {key})"
                problems.append(Problem(location, key, message))
            written.setdefault(leaf, key)
    for override in source.overrides:
        fields, where = override_fields(override)
        if "seed" in fields:
            message = "the seeds are the study's (its seed:, or compare --seed)"
            problems.append(Problem(where, "seed", message))
    return problems


def build_plan(
    study: Study,
    sources: list[Source],
    positions: Positions,
    study_file: str,
    study_text: str | None = None,
    relabel: str = "give this entry a path and a different label",
    stored: Sample | None = None,
) -> Plan:
    """Resolve every scenario at every sweep point; list the runs with their seeds.

    ``relabel`` tells the user how to tell two scenarios with one label apart. A Morris or
    Sobol sweep draws its sample, unless ``stored`` gives the one drawn before (the same spec
    and seed: see ``Plan.replan``); its points are never merged, as the analysis reads each.
    """
    check_size(study, len(sources), positions, study_file)
    _check_conflicts(study, sources, positions, study_file)
    problems: list[Problem] = []
    bases: list[tuple[Source, Scenario]] = []
    for source in sources:
        try:
            bases.append(
                (source, _resolve(source, _base_settings(source, study, positions, study_file)))
            )
        except ConfigError as err:
            problems.extend(err.problems)
    for _, base in bases:
        problems.extend(_scaled_range_problems(base, study.sweep, positions, study_file))
    if problems:
        raise ConfigError(_unique(problems))
    displays = [source.label or scenario.name for source, scenario in bases]
    labels = [identifier(d) for d in displays]
    if study.baseline in displays:  # the baseline may be named by its label as written
        study = study.model_copy(update={"baseline": labels[displays.index(study.baseline)]})
    _check_labels(study, labels, positions, study_file, relabel)
    baseline = study.baseline or labels[0]
    shown = dict(zip(labels, displays, strict=True))
    sample = _sample(study, [b for _, b in bases], positions, study_file, stored)
    variants: list[Variant] = []
    seen_points: set[str] = set()
    points = sample.points() if sample is not None else sweep_points(study.sweep, study.seed)
    for number, point in enumerate(points):
        point_variants = []
        for (source, base), label in zip(bases, labels, strict=True):
            try:
                scenario, used = _at_point(source, base, point, positions, study_file, study)
            except ConfigError as err:
                problems.extend(err.problems)
                continue
            point_variants.append((label, scenario, used))
        key = repr(sorted(point_variants[0][2].items())) if point_variants else ""
        if sample is not None:
            key = str(number)  # every point of a sample is analysed, even a repeated one
        if key in seen_points:
            continue  # rounding made this point the same as an earlier one
        seen_points.add(key)
        for label, scenario, used in point_variants:
            variants.append(
                Variant(
                    index=len(variants),
                    label=label,
                    point=len(seen_points) - 1,
                    values=used,
                    scenario=scenario,
                    hash=config_hash(scenario.model_copy(update={"seed": 0})),
                    baseline=label == baseline,
                    display=shown[label],
                )
            )
    if problems:
        raise ConfigError(_unique(problems))
    plan = Plan(study, variants, study_file=study_file, study_text=study_text, sample=sample)
    plan.sweep_names = list(study.sweep.variables) if study.sweep else []
    plan.tasks = _tasks(study, variants)
    if sample is not None:
        plan.replan = lambda drawn: build_plan(
            study, sources, positions, study_file, study_text, relabel, stored=drawn
        )
    return plan


def _sample(
    study: Study,
    bases: list[Scenario],
    positions: Positions,
    file: str,
    stored: Sample | None,
) -> Sample | None:
    """Draw the sample of a Morris or Sobol sweep (``None`` for another sweep).

    The stored sample is taken when it was drawn by the same spec and seed.
    """
    sweep = study.sweep
    if sweep is None or not sweep.sensitivity:
        return None
    problems = _analyse_problems(sweep, len(bases), positions, file)
    bounds = []
    for name, variable in sweep.variables.items():
        try:
            bounds.append(_sampled_range(name, variable, bases, positions, file))
        except ConfigError as err:
            problems.extend(err.problems)
    if problems:
        raise ConfigError(_unique(problems))
    drawn = sensitivity.draw(sweep, list(sweep.variables), bounds, study.seed)
    if stored is not None and stored.fingerprint == drawn.fingerprint:
        return stored
    return drawn


def _analyse_problems(
    sweep: Sweep, scenarios: int, positions: Positions, file: str
) -> list[Problem]:
    """Refuse a metric the runs do not have, and a difference without a second scenario."""
    problems = []
    metrics = [m for m in SUMMARY_NAMES if m != "years"]
    for metric, quantity in (sweep.analyse or {}).items():
        here = ("sweep", "analyse", metric)
        at = locate(positions, here, file)
        if metric not in metrics:
            close = difflib.get_close_matches(metric, metrics)
            hint = f"did you mean '{close[0]}'? " if close else ""
            message = (
                f"no metric {metric!r}; {hint}a metric is a column of runs.csv: "
                f"{', '.join(metrics)}"
            )
            problems.append(Problem(at, dotted(here), message))
        elif quantity == "difference" and scenarios < 2:
            message = (
                "a difference is to the baseline scenario: the study needs a second scenario "
                "(or analyse the level)"
            )
            problems.append(Problem(at, dotted(here), message))
    return problems


DOCUMENTED = re.compile(
    r"range(?: for sweeps)?:? (\d+(?:\.\d+)?) ?(?:-|–|to) ?(\d+(?:\.\d+)?)", re.IGNORECASE
)


def documented_range(name: str) -> tuple[float, float] | None:
    """Return the range for sweeping a field documents, or ``None`` if it documents none.

    The range is written in the field's meaning or source as ``range 1-3`` or ``Range for
    sweeps 0.25-0.55`` (``salesim params``).
    """
    try:
        leaf = field_at(Scenario, name)
    except (KeyError, AttributeError):
        return None
    found = DOCUMENTED.search(f"{leaf.meaning} {leaf.source}")
    if found is None:
        return None
    low, high = float(found.group(1)), float(found.group(2))
    return (low, high) if low < high else None


def _sampled_range(
    name: str,
    variable: SweepVariable,
    bases: list[Scenario],
    positions: Positions,
    file: str,
) -> tuple[float, float]:
    """Return the range a Morris or Sobol sweep samples for one variable.

    Its ``range``; else ``share`` around the value the scenarios hold (a factor 1 for a
    scaling variable); else the range the field documents. A whole-number field takes the
    rounded draw, so its range must hold two whole numbers.
    """
    here = ("sweep", "variables", name)

    def refuse(message: str, *below: str | int) -> ConfigError:
        at = (*here, *below)
        return ConfigError([Problem(locate(positions, at, file), dotted(at), message)])

    share = variable.share
    if variable.scales:
        if variable.range is not None:
            return variable.range[0], variable.range[1]
        if share is not None:
            return 1 - share, 1 + share
        raise refuse(
            "a scaling variable takes range: [low, high] (factors) or share: S (the factors "
            "1 - S to 1 + S)"
        )
    try:
        values = [_field_value(b.model_dump(mode="json"), name) for b in bases]
    except UnknownFieldError as err:
        raise refuse(err.message) from None
    if not all(_is_number(v) for v in values):
        wrong = next(v for v in values if not _is_number(v))
        raise refuse(
            f"{name} is not a number (it holds {wrong!r}); Morris and Sobol sample numeric "
            "fields (compare other settings as scenarios)"
        )
    whole = all(isinstance(v, int) for v in values)
    if variable.range is not None:
        low, high = variable.range
    elif share is not None:
        if len(set(values)) > 1:
            listed = ", ".join(str(v) for v in dict.fromkeys(values))
            raise refuse(
                f"{name} differs between the scenarios ({listed}): give range: [low, high], or "
                "sweep it as a factor (a variable with scales)",
                "share",
            )
        low, high = sorted((values[0] * (1 - share), values[0] * (1 + share)))
        if values[0] == 0:
            raise refuse(
                f"{name} is 0, so plus or minus a share of it is an empty range; give range: "
                "[low, high]",
                "share",
            )
        _check_ends(name, low, high, whole, lambda m: refuse(m, "share"))
    else:
        documented = documented_range(name)
        if documented is None:
            raise refuse(
                f"{name} documents no range for sweeping (salesim params): give range: "
                "[low, high] or share: S (its value plus or minus that share)"
            )
        low, high = documented
        _check_ends(name, low, high, whole, refuse)
    if whole and round(low) == round(high):
        raise refuse(
            f"[{low:g}, {high:g}] rounds to the one whole number {round(low)} ({name} is a whole "
            "number): an empty range; widen it"
        )
    return float(low), float(high)


def _check_ends(
    name: str, low: float, high: float, whole: bool, refuse: Callable[[str], ConfigError]
) -> None:
    """Refuse a derived range whose ends the field does not take."""
    try:
        bounds, _ = _bounds_at(name)
    except (KeyError, AttributeError):
        return
    ends = (float(round(low)), float(round(high))) if whole else (low, high)
    if not all(bounds.admits(e) for e in ends):
        raise refuse(
            f"the range [{low:g}, {high:g}] reaches outside what {name} allows "
            f"({bounds.text()}); give range: [low, high] inside it"
        )


def _unique(problems: list[Problem]) -> list[Problem]:
    """Report the same problem at many sweep points (or for many scenarios) once."""
    return list(dict.fromkeys(problems))


def _at_point(
    source: Source,
    base: Scenario,
    point: dict[str, Any],
    positions: Positions,
    study_file: str,
    study: Study,
) -> tuple[Scenario, dict[str, Any]]:
    if not point or study.sweep is None:
        return base, {}
    settings = _base_settings(source, study, positions, study_file)
    swept, used = _sweep_settings(base, point, study.sweep, positions, study_file)
    return _resolve(source, settings, swept), used


def _check_labels(
    study: Study, labels: list[str], positions: Positions, file: str, relabel: str
) -> None:
    problems = []
    seen: set[str] = set()
    for i, label in enumerate(labels):
        if label in seen:
            location = locate(positions, ("scenarios", i), file)
            message = f"two scenarios are labelled {label!r}; {relabel}"
            problems.append(Problem(location, f"scenarios.{i}", message))
        seen.add(label)
    if study.baseline is not None and study.baseline not in labels:
        location = locate(positions, ("baseline",), file)
        allowed = ", ".join(labels)
        message = f"{study.baseline!r} is not a scenario of this study (labels: {allowed})"
        problems.append(Problem(location, "baseline", message))
    if problems:
        raise ConfigError(problems)


def replication_seed(study: Study, scenario_hash: str, replication: int) -> int:
    """Seed of one run: shared by all scenarios (common random numbers) unless turned off.

    Without common random numbers the seed also depends on the scenario, so two identical
    scenarios (say, two sweep points that round to the same value) still share their runs.
    """
    if study.common_random_numbers:
        return study.seed + replication
    scenario_key = int(scenario_hash[:15], 16)
    state = np.random.SeedSequence([study.seed, scenario_key, replication])
    return int(state.generate_state(1, dtype=np.uint64)[0] >> np.uint64(2))


def point_count(sweep: Sweep | None) -> int:
    """Count the sweep points without drawing or listing them."""
    if sweep is None:
        return 1
    if sweep.method == "grid":
        return math.prod(len(v.values or []) for v in sweep.variables.values())
    if sweep.sensitivity:
        return sensitivity.point_count(sweep)
    return sweep.samples or 0


def check_size(study: Study, scenarios: int, positions: Positions, file: str) -> None:
    """Refuse a study of more than ``MAX_RUNS`` runs before anything is expanded.

    The count (sweep points x scenarios x replications) is an upper bound: sweep points that
    round to the same values are merged later.
    """
    points = point_count(study.sweep)
    total = points * scenarios * study.replications
    if total <= MAX_RUNS:
        return
    where: PathKey = ("sweep",) if points > 1 else ("replications",)
    sweep = f"{points:,} sweep points x " if points > 1 else ""
    message = (
        f"{total:,} runs ({sweep}{scenarios:,} scenarios x {study.replications:,} "
        f"replications) is more than the {MAX_RUNS:,} a study may hold"
    )
    raise ConfigError([Problem(locate(positions, where, file), dotted(where), message)])


def _tasks(study: Study, variants: list[Variant]) -> list[RunTask]:
    return [
        RunTask(v, r, replication_seed(study, v.hash, r))
        for v in variants
        for r in range(study.replications)
    ]


def plan_json(plan: Plan) -> list[dict[str, Any]]:
    """Return the variants as JSON-ready records (for the manifest)."""
    return [
        {
            "label": v.label,
            "display": v.display or v.label,
            "point": v.point,
            "values": v.values,
            "scenario": v.scenario.name,
            "hash": v.hash,
            "baseline": v.baseline,
            "horizon_years": v.scenario.calendar.horizon_years,
            "runs": [t.key for t in plan.tasks if t.variant is v],
            "seeds": [t.seed for t in plan.tasks if t.variant is v],
        }
        for v in plan.variants
    ]
