"""Schema introspection (``sim.config.fields``): leaves, bounds and their kind, levers."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, Field, ValidationError, create_model

from sim.config.fields import NO_DEFAULT, Bounds, allowed_fields, default_child, field_at, leaves
from sim.config.schema import Scenario
from sim.params import iter_parameters
from sim.workshop.levers import LEVERS, apply, make_lever


class Inner(BaseModel):
    rate_prob: float = Field(0.5, gt=0, lt=1, description="A rate. Source: a guess.")
    kind: Literal["a", "b"] = "a"
    weights: list[Annotated[float, Field(ge=1)]] = Field([1.0], max_length=4)


class Outer(BaseModel):
    name: str
    inner: Inner = Inner.model_validate({})
    count: int = Field(2, ge=0, le=9, json_schema_extra={"unit": "things", "source": "seed 9"})


def test_leaves_walk_every_section_with_the_dotted_path_and_the_kind_of_each_bound() -> None:
    found = {leaf.path: leaf for leaf in leaves(Outer)}
    assert list(found) == ["name", "inner.rate_prob", "inner.kind", "inner.weights", "count"]
    assert found["name"].required and not found["count"].required
    rate = found["inner.rate_prob"]
    assert rate.bounds == Bounds(0, 1, low_inclusive=False, high_inclusive=False)
    assert (rate.unit, rate.meaning, rate.allowed()) == ("probability", "A rate.", "> 0, < 1")
    count = found["count"]
    assert (count.unit, count.source, count.allowed()) == ("things", "seed 9", ">= 0, <= 9")
    assert found["inner.kind"].choices == ("a", "b")
    assert found["inner.weights"].allowed() == "up to 4 values, each >= 1"


@pytest.mark.parametrize(
    ("bounds", "inside", "outside"),
    [
        (Bounds(0, 1), [0, 0.5, 1], [-1e-9, 1.0000001]),
        (Bounds(0, 1, low_inclusive=False, high_inclusive=False), [1e-300, 0.5], [0, 1]),
        (Bounds(None, 5, high_inclusive=False), [-1e300, 4.99], [5, 6, float("nan")]),
        (Bounds(3), [3, 1e300], [2.999, float("nan")]),
        (Bounds(), [-1e300, 0, 1e300], []),
    ],
)
def test_bounds_admit_exactly_what_pydantic_accepts(
    bounds: Bounds, inside: list[float], outside: list[float]
) -> None:
    limits = {}
    if bounds.low is not None:
        limits["ge" if bounds.low_inclusive else "gt"] = bounds.low
    if bounds.high is not None:
        limits["le" if bounds.high_inclusive else "lt"] = bounds.high

    probe = create_model("Probe", x=(float, Field(0.0, **limits)))  # type: ignore[call-overload]

    assert field_at(probe, "x").bounds == bounds
    for value in inside:
        assert bounds.admits(value)
        probe.model_validate({"x": value})
    for value in outside:
        assert not bounds.admits(value)
        with pytest.raises(ValidationError):
            probe.model_validate({"x": value})


def test_a_lever_on_an_exclusive_bound_never_offers_the_bound() -> None:
    # letters.letters_per_day must be > 0: the slider starts one step above 0.
    assert field_at(Scenario, "letters.letters_per_day").bounds.low_inclusive is False
    lever = make_lever("letters.letters_per_day", "Letters a day", "Letters", 100, None)
    assert lever.low == 1.0 and lever.high == 100
    base = Scenario.model_validate({"name": "probe"})
    for lever in LEVERS:
        if lever.kind in ("int", "float"):
            for end in (lever.low, lever.high):
                assert end is not None
                apply(base, {lever.path: int(end) if lever.kind == "int" else end})


class Open(BaseModel):
    share: float = Field(0.5, gt=0, lt=1)
    people: int = Field(3, gt=0, lt=10)
    fixed: float = Field(0.5, ge=0, le=1)


@pytest.mark.parametrize(
    ("path", "step", "low", "high"),
    [("share", 0.25, 0.25, 0.75), ("people", None, 1, 9), ("fixed", 0.25, 0, 1)],
)
def test_a_lever_stops_one_step_inside_an_exclusive_bound_and_at_an_inclusive_one(
    path: str, step: float | None, low: float, high: float
) -> None:
    lever = make_lever(path, "x", "y", None, step, model=Open)
    assert (lever.low, lever.high) == (low, high)
    for end in (lever.low, lever.high):
        assert end is not None
        Open.model_validate({path: int(end) if lever.kind == "int" else end})


def test_the_parameter_table_words_lengths_and_list_items() -> None:
    allowed = {p["parameter"]: p["allowed"] for p in iter_parameters()}
    assert allowed["description"] == "up to 2000 characters"
    assert allowed["accounts.segments"] == "up to 3 values, each small or medium or xl"
    assert allowed["clients.routine_load_weights"] == "3 values, each > 0 and <= 1000"
    assert allowed["calendar.hours_per_day"] == "> 0, <= 16"


def test_the_input_path_walk_finds_fields_and_defaults() -> None:
    assert allowed_fields(Outer, ("inner",)) == ["rate_prob", "kind", "weights"]
    assert allowed_fields(Outer, ("inner", "weights")) == []
    assert default_child(Outer, "count") == 2
    assert default_child(Outer, "name") is NO_DEFAULT
    assert default_child(default_child(Outer, "inner"), "weights") == [1.0]
    assert default_child([1, 2], 5) is NO_DEFAULT
