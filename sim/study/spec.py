"""The study file schema: which scenarios to compare, how often, and over which sweeps.

A study file (``studies/*.yaml``) is validated like a scenario: unknown keys, wrong types and
cross-field mistakes are reported with their file, line and column.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from sim.config.schema import Section
from sim.names import Label, Name


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} is not a finite number; a sweep takes finite numbers")
    return value


def _scalar(value: Any) -> Any:
    """Refuse a value no field takes from a sweep (null, a list, a mapping) with one message."""
    if not isinstance(value, bool | int | float | str):
        message = "a sweep value is a number, true/false or text"  # null: "(got None)" follows
        if value is not None:
            message += ", not a mapping" if isinstance(value, dict) else ", not a list"
        raise PydanticCustomError("sweep_value", message)  # no value_error: names no field
    return value


SweepValue = Annotated[bool | int | float | str, BeforeValidator(_scalar), AfterValidator(_finite)]
Bound = Annotated[float, Field(allow_inf_nan=False)]


class ScenarioEntry(Section):
    """One scenario of a study: a file, an optional label and optional field settings."""

    path: str = Field(
        description="Scenario file, relative to the study file.", min_length=1, max_length=4096
    )
    label: Label | None = Field(
        None,
        description="Display name of this scenario in the report, shown as written (default: "
        "the scenario's name): up to 64 characters of any script, spaces and punctuation "
        "allowed. Its identifier in the results is the label itself when it is a name "
        "(letters or digits, '_', '.' or '-'), else the label with other characters as '_'.",
    )
    set: dict[str, Any] = Field(
        {},
        description="Scenario fields to change, as dotted paths: {organisation.hunters: 8}.",
    )


class SweepVariable(Section):
    """One swept quantity: a scenario field, or a factor that scales several fields."""

    values: list[SweepValue] | None = Field(
        None, description="Grid: the values to try, in order.", min_length=1, max_length=1000
    )
    range: list[Bound] | None = Field(
        None,
        description="Latin hypercube: [low, high], the range to sample.",
        min_length=2,
        max_length=2,
    )
    share: float | None = Field(
        None,
        description="Morris or Sobol: sample the field's value (or a scaling variable's factor "
        "1) plus or minus this share of it: 0.5 samples from half to one and a half times it.",
        gt=0,
        le=1,
    )
    scales: list[str] = Field(
        [],
        description="Scenario fields multiplied by the value (whole-number fields are rounded "
        "and a positive one stays at least 1). Without it, the variable's name is the field "
        "it sets.",
        max_length=100,
    )

    @model_validator(mode="after")
    def _check_numbers(self) -> SweepVariable:
        if self.range is not None and self.share is not None:
            raise ValueError("give range or share, not both")
        if self.range is not None:
            low, high = self.range
            if not low < high:
                raise ValueError("range must be [low, high] with low < high")
            if not math.isfinite(high - low):
                raise ValueError(f"range [{low}, {high}] is too wide to sample")
        if self.scales:
            for key, factors in (("values", self.values), ("range", self.range)):
                wrong = [f for f in factors or [] if isinstance(f, bool | str) or f < 0]
                if wrong:
                    raise ValueError(
                        f"the {key} of a scaling variable are factors, numbers >= 0 "
                        f"(found {wrong[0]!r})"
                    )
        return self


SENSITIVITY = ("morris", "sobol")  # methods whose points a sensitivity analysis reads
MIN_TRAJECTORIES = 4
Quantity = Literal["level", "difference"]


def _power_of_two(value: int | None) -> int | None:
    if value is not None and value & (value - 1):
        raise PydanticCustomError(
            "power_of_two",
            "a Sobol base sample is a power of 2 (64, 128, 256, ...): the Sobol sequence "
            "balances only such samples; got {value}",
            {"value": value},
        )
    return value


def _enough_trajectories(value: int | None) -> int | None:
    if value is not None and value < MIN_TRAJECTORIES:
        raise PydanticCustomError(
            "too_few_trajectories",
            "too few trajectories ({value}): Morris screening takes at least {least} (10 or "
            "more to rank the parameters; each trajectory gives every parameter one "
            "elementary effect)",
            {"value": value, "least": MIN_TRAJECTORIES},
        )
    return value


class Sweep(Section):
    """Sweeps applied to every scenario of the study."""

    method: Literal["grid", "latin_hypercube", "morris", "sobol"] = Field(
        "grid",
        description="grid: every combination of the variables' values; latin_hypercube: "
        "`samples` points spread over the variables' ranges; morris: Morris screening "
        "(`trajectories` one-at-a-time paths over `levels` levels); sobol: Sobol indices "
        "from Saltelli's scheme on a Sobol sequence of `base_samples` points.",
    )
    samples: int | None = Field(
        None, description="Latin hypercube: number of points.", ge=2, le=10_000
    )
    trajectories: Annotated[int | None, AfterValidator(_enough_trajectories)] = Field(
        None,
        description="Morris: number of trajectories; each has one point more than there are "
        "variables.",
        le=10_000,
    )
    levels: int | None = Field(
        None,
        description="Morris: levels of each variable's grid (default 4; an even number).",
        ge=2,
        le=100,
        multiple_of=2,
    )
    base_samples: Annotated[int | None, AfterValidator(_power_of_two)] = Field(
        None,
        description="Sobol: base sample size N, a power of 2; the sample has N x (variables + "
        "2) points, N x (2 x variables + 2) with second_order.",
        ge=8,
        le=2**20,
    )
    second_order: bool = Field(
        False, description="Sobol: also estimate the second-order indices S2 of every pair."
    )
    analyse: dict[str, Quantity] | None = Field(
        None,
        description="Morris or Sobol: per metric (a column of runs.csv), the quantity analysed "
        "at each point: level (each scenario's mean over the replications) or difference "
        "(each scenario minus the baseline, replication by replication, then the mean). "
        "Default: profit, the difference (the level with one scenario).",
        min_length=1,
        max_length=50,
    )
    variables: dict[str, SweepVariable] = Field(
        description="Swept variables by name: a dotted scenario field, or any name with `scales`.",
        min_length=1,
        max_length=200,
    )

    @property
    def sensitivity(self) -> bool:
        """Whether the sweep is a sample for a sensitivity analysis (Morris or Sobol)."""
        return self.method in SENSITIVITY

    @model_validator(mode="after")
    def _fits_method(self) -> Sweep:
        grid = self.method == "grid"
        for name, variable in self.variables.items():
            if grid and (variable.values is None or variable.range is not None):
                raise ValueError(f"variables {name}: a grid takes values (and no range)")
            if self.method == "latin_hypercube" and (
                variable.range is None or variable.values is not None
            ):
                raise ValueError(
                    f"variables {name}: a latin_hypercube takes range: [low, high] (and no values)"
                )
            if self.sensitivity and variable.values is not None:
                raise ValueError(
                    f"variables {name}: {self.method} samples a range: give range: [low, high], "
                    "share: S (the value plus or minus that share), or nothing (the range the "
                    "field documents)"
                )
            if not self.sensitivity and variable.share is not None:
                raise ValueError(f"variables {name}: share is only for morris and sobol")
            if "." not in name and not variable.scales:
                raise ValueError(
                    f"variables {name}: name a scenario field (like organisation.hunters) "
                    "or list the fields it scales"
                )
        if not self.sensitivity and len(self.variables) > 10:
            raise ValueError(f"a {self.method} sweeps at most 10 variables")
        self._check_settings()
        return self

    def _check_settings(self) -> None:
        """Refuse a setting of another method, and a missing one of this method."""
        own = _OWN.get(self.method, set())
        for setting in ("samples", "trajectories", "levels", "base_samples", "analyse"):
            if setting not in own and getattr(self, setting) is not None:
                methods = [m for m in ("latin_hypercube", *SENSITIVITY) if setting in _OWN[m]]
                raise ValueError(f"{setting} is only for method {' and '.join(methods)}")
        if self.second_order and self.method != "sobol":
            raise ValueError("second_order is only for method sobol")
        required = {"latin_hypercube": "samples", "morris": "trajectories", "sobol": "base_samples"}
        if self.method in required and getattr(self, required[self.method]) is None:
            raise ValueError(f"{required[self.method]} is required for method {self.method}")


_OWN = {
    "latin_hypercube": {"samples"},
    "morris": {"trajectories", "levels", "analyse"},
    "sobol": {"base_samples", "second_order", "analyse"},
}


class Study(Section):
    """Scenarios compared over replications with common random numbers."""

    name: Name = Field(
        description="Short name; the results go to results/<name>/. Letters or digits of any "
        "script, '_', '.' or '-', up to 64 characters.",
    )
    description: str = Field("", description="What the study asks.", max_length=2000)
    scenarios: list[str | ScenarioEntry] = Field(
        description="Scenario files (relative to the study file), or entries with a path, a "
        "label and settings.",
        min_length=1,
        max_length=200,
    )
    baseline: str | None = Field(
        None,
        description="Label (or identifier) of the scenario the others are compared with "
        "(default: the first).",
    )
    replications: int = Field(30, description="Runs of each scenario.", ge=1, le=10_000)
    seed: int = Field(
        1,
        description="Root seed: replication r of every scenario runs with seed + r.",
        ge=0,
        le=2**62,
    )
    horizon_years: int | None = Field(
        None, description="Simulated years of every run (default: each scenario's).", ge=1, le=30
    )
    common_random_numbers: bool = Field(
        True,
        description="Replication r of every scenario uses the same seed, so that differences "
        "are paired. false gives each scenario its own seeds (only to show what pairing buys).",
    )
    sweep: Sweep | None = Field(None, description="Optional sweep over scenario fields.")

    @model_validator(mode="after")
    def _paired_sample(self) -> Study:
        if self.sweep is not None and self.sweep.sensitivity and not self.common_random_numbers:
            raise ValueError(
                f"a {self.sweep.method} sample runs every point with the same seeds (common "
                "random numbers), so that its effects are not noise: remove "
                "common_random_numbers: false"
            )
        return self

    def entries(self) -> list[ScenarioEntry]:
        """Return the scenario entries, with plain paths turned into entries."""
        return [ScenarioEntry(path=e) if isinstance(e, str) else e for e in self.scenarios]
