"""Tests for the safe, located YAML loader in ``sim.config.loader``."""

from __future__ import annotations

import math
import os
import textwrap
import time
from pathlib import Path
from typing import Literal

import pandas as pd
import pytest
import yaml
from conftest import SCENARIOS as REAL_SCENARIOS
from conftest import salesim
from pydantic import BaseModel, ConfigDict, Field

from sim.config.loader import (
    MAX_SHOWN_PROBLEMS,
    MAX_VALUES,
    ConfigError,
    Location,
    Problem,
    apply_overrides,
    dump_yaml,
    load_model,
    load_with_extends,
    load_yaml,
    set_values,
    validate,
)
from sim.config.schema import Scenario as RealScenario
from sim.output import write_run
from sim.study.runner import plan_study


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Competitors(_Frozen):
    count: int = Field(3, ge=0, le=100)
    strength: float = Field(1.0, gt=0)


class Segment(_Frozen):
    name: str
    share: float = Field(ge=0, le=1)


class Market(_Frozen):
    competitors: Competitors = Competitors()
    segments: list[Segment] = []
    prospects: int = Field(ge=0)


class Scenario(_Frozen):
    name: str
    style: Literal["personal", "cold"] = "personal"
    weights: list[float] = [1.0, 2.0]
    market: Market
    seed: int | None = None


GOOD = """\
name: demo
style: cold
weights: [0.5, 1.5]
market:
  competitors:
    count: 4
  segments:
    - name: small
      share: 0.25
    - {name: big, share: 0.75}
  prospects: 100
"""


def write(directory: Path, name: str, text: str) -> Path:
    """Write dedented ``text`` to ``directory / name`` and return the path."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(excinfo: pytest.ExceptionInfo[ConfigError]) -> list[str]:
    """Return the rendered problems of a raised ``ConfigError``."""
    return [str(problem) for problem in excinfo.value.problems]


# --- load_yaml: values and positions -------------------------------------------------------------


def test_load_yaml_returns_plain_values_and_key_positions(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", GOOD)
    data, positions = load_yaml(path)
    assert data == {
        "name": "demo",
        "style": "cold",
        "weights": [0.5, 1.5],
        "market": {
            "competitors": {"count": 4},
            "segments": [{"name": "small", "share": 0.25}, {"name": "big", "share": 0.75}],
            "prospects": 100,
        },
    }
    file = str(path)
    assert positions[()] == Location(file, 1, 1)
    assert positions[("style",)] == Location(file, 2, 1)
    assert positions[("weights", 1)] == Location(file, 3, 16)
    assert positions[("market",)] == Location(file, 4, 1)
    assert positions[("market", "competitors", "count")] == Location(file, 6, 5)
    assert positions[("market", "segments", 0)] == Location(file, 8, 7)
    assert positions[("market", "segments", 0, "share")] == Location(file, 9, 7)
    assert positions[("market", "segments", 1, "share")] == Location(file, 10, 19)


def test_load_yaml_scalar_types_and_textual_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        """\
        i: 4
        f: 0.5
        b: true
        n: null
        empty:
        s: personal
        quoted: "4"
        day: 2024-01-31
        1: one
        on: yes
        """,
    )
    data, _ = load_yaml(path)
    assert data == {
        "i": 4,
        "f": 0.5,
        "b": True,
        "n": None,
        "empty": None,
        "s": "personal",
        "quoted": "4",
        "day": "2024-01-31",
        "1": "one",
        "on": True,
    }
    assert type(data["i"]) is int
    assert type(data["f"]) is float


# --- load_yaml: safety and syntax ----------------------------------------------------------------


def test_yaml_syntax_error_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "name: x\nweights: [1, 2\nmarket: 3\n")
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path)
    (problem,) = excinfo.value.problems
    assert problem.location == Location(str(path), 3, 7)
    assert "flow sequence (line 2, column 10)" in problem.message
    assert str(problem).startswith(f"{path}:3:7: <document>: while parsing a flow sequence")


def test_python_tag_is_rejected_and_not_executed(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    path = write(tmp_path, "evil.yaml", f'x: !!python/object/apply:os.mkdir ["{target}"]\n')
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path)
    assert not target.exists()
    (problem,) = excinfo.value.problems
    assert problem.location == Location(str(path), 1, 4)
    assert "explicit tags are not allowed" in problem.message
    assert "python/object/apply:os.mkdir" in problem.message


@pytest.mark.parametrize(
    ("text", "col"),
    [("x: !custom 1\n", 4), ("x: ! 1\n", 4), ("x: !!str 1\n", 4), ("!!map {x: 1}\n", 1)],
)
def test_any_explicit_tag_is_rejected(tmp_path: Path, text: str, col: int) -> None:
    path = write(tmp_path, "t.yaml", text)
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path)
    (problem,) = excinfo.value.problems
    assert problem.location == Location(str(path), 1, col)
    assert problem.message.startswith("explicit tags are not allowed")


def test_billion_laughs_fails_fast_on_the_first_anchor(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        items = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{items}]")
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    start = time.perf_counter()
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path)
    assert time.perf_counter() - start < 1.0
    (problem,) = excinfo.value.problems
    assert problem.location == Location(str(path), 1, 5)
    assert problem.message == "anchors are not allowed (found '&a0')"


def test_alias_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "alias.yaml", "a: 1\nb: *x\n")
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path)
    assert problems_of(excinfo) == [f"{path}:2:4: <document>: aliases are not allowed (found '*x')"]


def test_merge_key_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "merge.yaml", "a:\n  <<: {b: 1}\n")
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path)
    assert problems_of(excinfo) == [f"{path}:2:3: a: merge keys ('<<') are not supported"]


def test_deep_nesting_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.yaml", "a: " + "[" * 500 + "]" * 500 + "\n")
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path)
    assert "nested too deeply" in excinfo.value.problems[0].message


def test_size_cap(tmp_path: Path) -> None:
    path = write(tmp_path, "big.yaml", "name: " + "x" * 200 + "\n")
    assert load_yaml(path, max_bytes=1000)[0]["name"] == "x" * 200
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path, max_bytes=100)
    assert problems_of(excinfo) == [f"{path}: file is too large (207 bytes; the limit is 100)"]


def test_duplicate_keys_are_all_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "dup.yaml",
        """\
        name: a
        market:
          prospects: 1
          prospects: 2
        name: b
        """,
    )
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path)
    assert problems_of(excinfo) == [
        f"{path}:4:3: market.prospects: duplicate key 'prospects' (first defined at line 3)",
        f"{path}:5:1: name: duplicate key 'name' (first defined at line 1)",
    ]


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("- a\n- b\n", "top level must be a mapping, found a sequence", 1),
        ("# only a scalar\njust text\n", "top level must be a mapping, found a scalar", 2),
        ("# nothing\n", "document is empty, expected a mapping", 1),
    ],
)
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = write(tmp_path, "top.yaml", text)
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path)
    (problem,) = excinfo.value.problems
    assert (problem.location, problem.message) == (Location(str(path), line, 1), message)


def test_several_documents_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "two.yaml", "a: 1\n---\nb: 2\n")
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path)
    (problem,) = excinfo.value.problems
    assert problem.location == Location(str(path), 2, 1)
    assert "expected a single document" in problem.message


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(missing)
    assert str(excinfo.value) == f"{missing}: file not found"
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(tmp_path)
    assert excinfo.value.problems[0].message == "is a directory, expected a YAML file"
    assert str(excinfo.value) == f"{tmp_path}: is a directory, expected a YAML file"


def test_a_missing_file_next_to_a_close_name_suggests_it(tmp_path: Path) -> None:
    (tmp_path / "split.yaml").write_text("name: x\n", encoding="utf-8")
    (tmp_path / "splat.csv").write_text("", encoding="utf-8")  # another kind of file
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(tmp_path / "splt.yaml")
    assert str(excinfo.value) == (
        f"{tmp_path / 'splt.yaml'}: file not found; did you mean '{tmp_path / 'split.yaml'}'?"
    )
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(tmp_path / "other.yaml")
    assert str(excinfo.value) == f"{tmp_path / 'other.yaml'}: file not found"  # nothing close


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"name: ok\ncity: M\xfcnchen\n")
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path)
    assert problems_of(excinfo) == [f"{path}:2:8: <document>: file is not valid UTF-8 (byte 0xfc)"]


def test_control_character_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "ctl.yaml", "a: 1\nb: x\x07y\n")
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path)
    (problem,) = excinfo.value.problems
    assert problem.location == Location(str(path), 2, 5)
    assert problem.message.startswith("unacceptable character #x0007")


# --- extends -------------------------------------------------------------------------------------


def test_extends_merges_nested_values_with_positions_from_each_file(tmp_path: Path) -> None:
    base = write(
        tmp_path,
        "bases/base.yaml",
        """\
        name: base
        weights: [1, 2, 3]
        market:
          competitors:
            count: 3
            strength: 2.0
          prospects: 100
        """,
    )
    child = write(
        tmp_path,
        "child.yaml",
        """\
        # a variant
        extends: bases/base.yaml
        market:
          competitors:
            count: 5
        weights: [9]
        """,
    )
    data, positions = load_with_extends(child)
    assert data == {
        "name": "base",
        "weights": [9],
        "market": {"competitors": {"count": 5, "strength": 2.0}, "prospects": 100},
    }
    assert positions[("name",)] == Location(str(base), 1, 1)
    assert positions[("market", "competitors", "strength")] == Location(str(base), 6, 5)
    assert positions[("market", "prospects")] == Location(str(base), 7, 3)
    assert positions[("market", "competitors", "count")] == Location(str(child), 5, 5)
    assert positions[("market",)] == Location(str(child), 3, 1)
    assert positions[("weights",)] == Location(str(child), 6, 1)
    assert positions[("weights", 0)] == Location(str(child), 6, 11)
    assert ("weights", 2) not in positions
    assert ("extends",) not in positions


def test_extends_chain_of_three_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "name: a\nmarket: {prospects: 1}\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\nmarket: {prospects: 2}\nstyle: cold\n")
    c = write(tmp_path, "c.yaml", "extends: b.yaml\nname: c\n")
    data, positions = load_with_extends(c)
    assert data == {"name": "c", "market": {"prospects": 2}, "style": "cold"}
    assert positions[("style",)] == Location(str(tmp_path / "b.yaml"), 3, 1)


def test_extends_cycle_is_located(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "extends: b.yaml\nname: a\n")
    write(tmp_path, "b.yaml", "name: b\nextends: a.yaml\n")
    with pytest.raises(ConfigError) as excinfo:
        load_with_extends(a)
    b = tmp_path / "b.yaml"
    assert problems_of(excinfo) == [
        f"{b}:2:1: extends: extends cycle: {a} -> {b} -> {a}",
    ]


def test_extends_self_and_missing_base(tmp_path: Path) -> None:
    me = write(tmp_path, "me.yaml", "name: x\nextends: me.yaml\n")
    with pytest.raises(ConfigError) as excinfo:
        load_with_extends(me)
    assert problems_of(excinfo) == [f"{me}:2:1: extends: extends cycle: {me} -> {me}"]
    orphan = write(tmp_path, "orphan.yaml", "extends: gone.yaml\n")
    with pytest.raises(ConfigError) as excinfo:
        load_with_extends(orphan)
    gone = tmp_path / "gone.yaml"
    assert problems_of(excinfo) == [
        f"{orphan}:1:1: extends: cannot extend '{gone}': file not found"
    ]


def test_extends_must_be_a_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "name: x\nextends: [a.yaml]\n")
    with pytest.raises(ConfigError) as excinfo:
        load_with_extends(path)
    assert problems_of(excinfo) == [f"{path}:2:1: extends: must be the path of a YAML file"]


def test_extends_depth_is_limited(tmp_path: Path) -> None:
    write(tmp_path, "f0.yaml", "name: root\n")
    for index in range(1, 5):
        write(tmp_path, f"f{index}.yaml", f"extends: f{index - 1}.yaml\n")
    top = tmp_path / "f4.yaml"
    assert load_with_extends(top, max_depth=4)[0] == {"name": "root"}
    with pytest.raises(ConfigError) as excinfo:
        load_with_extends(top, max_depth=3)
    assert problems_of(excinfo) == [
        f"{tmp_path / 'f1.yaml'}:1:1: extends: too many levels of extends (the limit is 3)"
    ]


def test_error_in_base_file_is_reported_in_the_base(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", "name: b\nmarket:\n  prospects: -1\n")
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nstyle: cold\n")
    with pytest.raises(ConfigError) as excinfo:
        load_model(Scenario, child)
    assert problems_of(excinfo) == [
        f"{base}:3:3: market.prospects: Input should be greater than or equal to 0 (got -1)"
    ]


# --- overrides -----------------------------------------------------------------------------------


def test_overrides_parse_values_and_create_paths(tmp_path: Path) -> None:
    data, positions = load_yaml(write(tmp_path, "s.yaml", GOOD))
    overrides = [
        "market.competitors.count=7",
        "market.competitors.strength=0.5",
        "flag=true",
        "style=personal",
        "weights=[1, 2.5]",
        "market.segments.1.share=0.1",
        "new.deep.key=x y",
        "seed=",
    ]
    new, new_positions = apply_overrides(data, positions, overrides)
    assert new["market"]["competitors"] == {"count": 7, "strength": 0.5}
    assert new["flag"] is True
    assert new["style"] == "personal"
    assert new["weights"] == [1, 2.5]
    assert new["market"]["segments"][1] == {"name": "big", "share": 0.1}
    assert new["new"] == {"deep": {"key": "x y"}}
    assert new["seed"] is None
    assert data["market"]["competitors"] == {"count": 4}, "input must not be modified"
    label = "--set 'market.competitors.count=7'"
    assert new_positions[("market", "competitors", "count")] == Location(label, 1, 26)
    assert new_positions[("weights", 1)] == Location("--set 'weights=[1, 2.5]'", 1, 9)
    assert new_positions[("new",)] == Location("--set 'new.deep.key=x y'", 1, 14)
    assert new_positions[("market",)] == positions[("market",)]


def test_override_replacing_a_mapping_drops_old_positions(tmp_path: Path) -> None:
    data, positions = load_yaml(write(tmp_path, "s.yaml", GOOD))
    new, new_positions = apply_overrides(data, positions, ["market.segments=[]"])
    assert new["market"]["segments"] == []
    assert ("market", "segments", 0) not in new_positions
    assert ("market", "segments", 0, "share") not in new_positions


def test_bad_overrides_are_all_reported(tmp_path: Path) -> None:
    data, positions = load_yaml(write(tmp_path, "s.yaml", GOOD))
    bad = ["count4", "=3", "a..b=1", "name.first=x", "weights.5=1", "style=[1"]
    with pytest.raises(ConfigError) as excinfo:
        apply_overrides(data, positions, bad)
    assert problems_of(excinfo) == [
        "--set 'count4': invalid override 'count4': expected PATH=VALUE, e.g. a.b.c=4",
        "--set '=3': invalid override '=3': the path before '=' has an empty part",
        "--set 'a..b=1':1:1: a..b: invalid override 'a..b=1': the path before '=' has an "
        "empty part",
        "--set 'name.first=x':1:1: name: cannot apply 'name.first=x': 'name' is a str, "
        "not a mapping",
        "--set 'weights.5=1':1:1: weights.5: cannot apply 'weights.5=1': no item 5 in weights; "
        "the list has 2 items, numbered 0 to 1",
        "--set 'style=[1':1:9: <document>: while parsing a flow sequence (line 1, column 7): "
        "expected ',' or ']', but got '<stream end>'",
    ]


def test_override_value_may_not_use_tags(tmp_path: Path) -> None:
    data, positions = load_yaml(write(tmp_path, "s.yaml", GOOD))
    with pytest.raises(ConfigError) as excinfo:
        apply_overrides(data, positions, ["name=!!python/name:os.system"])
    (problem,) = excinfo.value.problems
    assert problem.location == Location("--set 'name=!!python/name:os.system'", 1, 6)
    assert problem.message.startswith("explicit tags are not allowed")


def test_override_validation_error_is_located_at_the_override(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", GOOD)
    with pytest.raises(ConfigError) as excinfo:
        load_model(Scenario, path, ["market.competitors.count=-4", "market.compettitors.x=1"])
    assert problems_of(excinfo) == [
        "--set 'market.competitors.count=-4':1:26: market.competitors.count: "
        "Input should be greater than or equal to 0 (got -4)",
        "--set 'market.compettitors.x=1':1:23: market.compettitors: "
        "unknown field 'compettitors'; did you mean 'competitors'?",
    ]


# --- validation ----------------------------------------------------------------------------------


def test_load_model_builds_the_frozen_model(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", GOOD)
    scenario = load_model(Scenario, path, ["seed=42"])
    assert isinstance(scenario, Scenario)
    assert scenario.market.competitors.count == 4
    assert scenario.market.segments[1] == Segment(name="big", share=0.75)
    assert scenario.weights == [0.5, 1.5]
    assert scenario.seed == 42


def test_unknown_key_suggests_close_match(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        """\
        name: demo
        market:
          prospects: 10
          compettitors:
            count: 2
        """,
    )
    with pytest.raises(ConfigError) as excinfo:
        load_model(Scenario, path)
    (problem,) = excinfo.value.problems
    assert problem.location == Location(str(path), 4, 3)
    assert problem.path == "market.compettitors"
    assert problem.message == "unknown field 'compettitors'; did you mean 'competitors'?"


def test_unknown_key_inside_list_item_and_without_close_match(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        """\
        name: demo
        zzz: 1
        market:
          prospects: 10
          segments:
            - name: a
              shrae: 0.5
        """,
    )
    with pytest.raises(ConfigError) as excinfo:
        load_model(Scenario, path)
    assert problems_of(excinfo) == [
        f"{path}:2:1: zzz: unknown field 'zzz'; allowed fields: name, style, weights, market, seed",
        f"{path}:6:7: market.segments.0.share: required field missing",
        f"{path}:7:7: market.segments.0.shrae: unknown field 'shrae'; did you mean 'share'?",
    ]


def test_out_of_range_value_is_located(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        """\
        name: demo
        market:
          prospects: 5
          segments:
            - {name: a, share: 0.5}
            - {name: b, share: 1.5}
        """,
    )
    with pytest.raises(ConfigError) as excinfo:
        load_model(Scenario, path)
    assert problems_of(excinfo) == [
        f"{path}:6:17: market.segments.1.share: Input should be less than or equal to 1 (got 1.5)"
    ]


def test_wrong_literal_lists_allowed_values(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "name: x\nmarket: {prospects: 1}\nstyle: warm\n")
    with pytest.raises(ConfigError) as excinfo:
        load_model(Scenario, path)
    assert problems_of(excinfo) == [
        f"{path}:3:1: style: Input should be 'personal' or 'cold' (got 'warm')"
    ]


def test_missing_required_fields_are_located_at_the_parent(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "# header\nstyle: cold\nmarket:\n  competitors: {}\n")
    with pytest.raises(ConfigError) as excinfo:
        load_model(Scenario, path)
    assert problems_of(excinfo) == [
        f"{path}:1:1: name: required field missing",
        f"{path}:3:1: market.prospects: required field missing",
    ]


def test_wrong_type_in_list_of_floats(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "name: x\nmarket: {prospects: 1}\nweights: [1, abc]\n")
    with pytest.raises(ConfigError) as excinfo:
        load_model(Scenario, path)
    assert problems_of(excinfo) == [
        f"{path}:3:14: weights.1: Input should be a valid number, unable to parse string as a "
        "number (got 'abc')"
    ]


def test_multiple_problems_are_reported_together_and_sorted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        """\
        style: warm
        market:
          competitors:
            count: 1000
            strenght: 2
          prospects: -5
        name: ok
        """,
    )
    with pytest.raises(ConfigError) as excinfo:
        load_model(Scenario, path)
    lines = str(excinfo.value).splitlines()
    assert lines == [
        f"{path}:1:1: style: Input should be 'personal' or 'cold' (got 'warm')",
        f"{path}:4:5: market.competitors.count: "
        "Input should be less than or equal to 100 (got 1000)",
        f"{path}:5:5: market.competitors.strenght: unknown field 'strenght'; "
        "did you mean 'strength'?",
        f"{path}:6:3: market.prospects: Input should be greater than or equal to 0 (got -5)",
    ]


def test_validate_falls_back_to_source_without_positions() -> None:
    with pytest.raises(ConfigError) as excinfo:
        validate(Market, {"prospects": "many"}, {}, source="inline")
    assert problems_of(excinfo) == [
        "inline:1:1: prospects: Input should be a valid integer, unable to parse string as an "
        "integer (got 'many')"
    ]


def test_validate_walks_optional_and_dict_annotations() -> None:
    class Leaf(_Frozen):
        alpha: int = 0

    class Holder(_Frozen):
        maybe: Leaf | None = None
        table: dict[str, Leaf] = {}

    data = {"maybe": {"alpah": 1}, "table": {"k": {"alpga": 2}}}
    with pytest.raises(ConfigError) as excinfo:
        validate(Holder, data, {}, source="x")
    assert [p.message for p in excinfo.value.problems] == [
        "unknown field 'alpah'; did you mean 'alpha'?",
        "unknown field 'alpga'; did you mean 'alpha'?",
    ]
    assert [p.path for p in excinfo.value.problems] == ["maybe.alpah", "table.k.alpga"]


def test_problem_and_error_rendering() -> None:
    located = Problem(Location("f.yaml", 3, 5), "a.b.2.c", "bad")
    unlocated = Problem(None, "", "worse")
    assert str(located) == "f.yaml:3:5: a.b.2.c: bad"
    assert str(unlocated) == "<document>: worse"
    error = ConfigError([located, unlocated])
    assert str(error) == "f.yaml:3:5: a.b.2.c: bad\n<document>: worse"
    assert error.problems == [located, unlocated]


# --- numbers: the YAML 1.2 way, finite, of a sane size ------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("010", 10),
        ("0010", 10),
        ("+1", 1),
        ("-0", 0),
        ("0x1F", 31),
        ("0o17", 15),
        ("1e3", 1000.0),
        ("1.5e3", 1500.0),
        ("-2E-2", -0.02),
        (".5", 0.5),
        ("1.", 1.0),
        ("1:30", "1:30"),
        ("190:20:30", "190:20:30"),
        ("1_000", "1_000"),
        ("0b101", "0b101"),
        ("0o8", "0o8"),
        ("yes", True),
        ("Off", False),
        ("~", None),
        ("2024-01-31", "2024-01-31"),
    ],
)
def test_plain_scalars_are_read_as_yaml_1_2_numbers_and_1_1_booleans(
    tmp_path: Path, text: str, value: object
) -> None:
    data, _ = load_yaml(write(tmp_path, "n.yaml", f"x: {text}\nlisted: [{text}]\n"))
    assert data == {"x": value, "listed": [value]}
    assert type(data["x"]) is type(value)
    parsed, _ = apply_overrides({}, {}, [f"x={text}"])
    assert parsed == {"x": value}
    assert type(parsed["x"]) is type(value)


@pytest.mark.parametrize(("text", "value"), [(".inf", math.inf), ("-.Inf", -math.inf)])
def test_infinities_are_read_as_floats(tmp_path: Path, text: str, value: float) -> None:
    assert load_yaml(write(tmp_path, "n.yaml", f"x: {text}\n"))[0] == {"x": value}
    assert math.isnan(load_yaml(write(tmp_path, "n.yaml", "x: .NaN\n"))[0]["x"])


def test_leading_zero_is_decimal_in_a_scenario_and_on_the_command_line(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "name: x\nmarket:\n  prospects: 010\nweights: [07, 1e1]\n")
    scenario = load_model(Scenario, path, ["market.competitors.count=012"])
    assert scenario.market.prospects == 10
    assert scenario.market.competitors.count == 12
    assert scenario.weights == [7.0, 10.0]


def test_base_60_and_underscores_are_refused_where_a_number_is_expected(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.yaml",
        f"extends: {REAL_SCENARIOS / 'split.yaml'}\norganisation:\n  hunters: 1:30\n",
    )
    with pytest.raises(ConfigError) as excinfo:
        load_model(RealScenario, path, ["market.competitors.count=1_000", "seed=0b1"])
    assert problems_of(excinfo) == [
        "--set 'market.competitors.count=1_000':1:26: market.competitors.count: "
        "Input should be a valid integer (got '1_000')",
        "--set 'seed=0b1':1:6: seed: Input should be a valid integer (got '0b1')",
        f"{path}:3:3: organisation.hunters: Input should be a valid integer (got '1:30')",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e400", "number is too large: 1e400 (the largest is about 1.8e308)"),
        ("-1e400", "number is too large: -1e400 (the largest is about 1.8e308)"),
        ("1" * 4301, "number is too long (4301 characters; at most 100 are read)"),
        ("0x" + "f" * 200, "number is too long (202 characters; at most 100 are read)"),
    ],
)
def test_numbers_out_of_reach_are_located(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "n.yaml", f"name: x\nmarket:\n  prospects: {text}\n")
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path)
    assert problems_of(excinfo) == [f"{path}:3:14: market.prospects: {message}"]
    data, positions = load_yaml(write(tmp_path, "ok.yaml", "name: x\n"))
    with pytest.raises(ConfigError) as excinfo:
        apply_overrides(data, positions, [f"market.prospects={text}"])
    (problem,) = excinfo.value.problems
    assert (problem.location.line, problem.location.col) == (1, 18)
    assert problem.location.file.startswith("--set 'market.prospects=")
    assert len(problem.location.file) < 200, "a long override is shortened"
    assert (problem.path, problem.message) == ("market.prospects", message)


def _float_fields(model: type[BaseModel] = RealScenario, prefix: str = "") -> list[str]:
    """Every float field of the real scenario schema, as a dotted path."""
    found = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found.extend(_float_fields(annotation, f"{prefix}{name}."))
        elif annotation is float:
            found.append(f"{prefix}{name}")
    return found


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_every_float_field_of_a_scenario_refuses_non_finite_values(value: str) -> None:
    fields = _float_fields()
    assert len(fields) > 100
    data, positions = load_with_extends(REAL_SCENARIOS / "split.yaml")
    overrides = [f"{field}={value}" for field in [*fields, "clients.routine_load_weights.1"]]
    data, positions = apply_overrides(data, positions, overrides)
    with pytest.raises(ConfigError) as excinfo:
        validate(RealScenario, data, positions, source="split.yaml")
    problems = excinfo.value.problems
    assert sorted(p.path for p in problems) == sorted([*fields, "clients.routine_load_weights.1"])
    assert {p.message.split(" (got")[0] for p in problems} == {"Input should be a finite number"}


# --- nested overrides merge ----------------------------------------------------------------------


def test_a_mapping_override_merges_like_extends(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", GOOD)
    data, positions = load_yaml(path)
    new, where = apply_overrides(data, positions, ["market={competitors: {strength: 2.5}}"])
    assert new["market"]["competitors"] == {"count": 4, "strength": 2.5}
    assert new["market"]["prospects"] == 100
    assert len(new["market"]["segments"]) == 2
    label = "--set 'market={competitors: {strength: 2.5}}'"
    assert where[("market", "competitors", "strength")] == Location(label, 1, 8)
    assert where[("market", "competitors", "count")] == Location(str(path), 6, 5)
    assert where[("market", "prospects")] == Location(str(path), 11, 3)
    scenario = load_model(Scenario, path, ["market={competitors: {count: 9}}"])
    assert scenario.market.competitors.count == 9
    assert scenario.market.prospects == 100
    # Anything but a mapping still replaces: a list is written out in full.
    new, _ = apply_overrides(data, positions, ["market.segments=[]", "weights=[3]"])
    assert new["market"]["segments"] == []
    assert new["weights"] == [3]


def test_set_values_merges_a_nested_mapping_and_keeps_the_siblings(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", GOOD)
    data, positions = load_yaml(path)
    here = Location("study.yaml", 7, 9)
    value = {"competitors": {"count": 8}}
    new, where = set_values(data, positions, [("market", value, here)])
    assert new["market"]["competitors"] == {"count": 8}
    assert new["market"]["prospects"] == 100
    assert where[("market", "competitors", "count")] == here
    assert where[("market", "prospects")] == Location(str(path), 11, 3)
    assert value == {"competitors": {"count": 8}}, "the study's value is not changed"
    again, _ = apply_overrides(new, where, ["market.competitors.strength=3"])
    assert value == {"competitors": {"count": 8}}, "nor by a later override"
    assert again["market"]["competitors"] == {"count": 8, "strength": 3}


def test_nested_set_in_a_study_keeps_the_client_department(tmp_path: Path) -> None:
    split = REAL_SCENARIOS / "split.yaml"
    study = write(
        tmp_path,
        "st.yaml",
        f"""\
        name: st
        replications: 1
        scenarios:
          - path: {split}
            label: nested
            set:
              organisation: {{hunters: 8}}
          - path: {split}
            label: dotted
            set:
              organisation.hunters: 8
        """,
    )
    plan = plan_study(study, overrides=["organisation={generalists: 1}"])
    nested, dotted = (v.scenario.organisation for v in plan.variants)
    assert nested == dotted
    assert (nested.hunters, nested.specialists, nested.generalists) == (8, 3, 1)


# --- list items by number, also of a default list -------------------------------------------------


def test_override_selects_an_item_of_a_default_list() -> None:
    path = REAL_SCENARIOS / "split.yaml"
    scenario = load_model(RealScenario, path, ["clients.routine_load_weights.1=3"])
    assert scenario.clients.routine_load_weights == [1.0, 3.0, 4.0]
    scenario = load_model(
        RealScenario,
        path,
        ["clients.routine_load_weights.2=5", "clients.routine_load_weights.0=0.5"],
    )
    assert scenario.clients.routine_load_weights == [0.5, 2.0, 5.0]


@pytest.mark.parametrize(
    ("override", "item", "col"),
    [
        ("clients.routine_load_weights.3=1", "3", 32),
        ("clients.routine_load_weights.x=1", "x", 32),
        ("clients.routine_load_weights.-1=1", "-1", 33),
    ],
)
def test_override_of_a_missing_item_of_a_default_list_names_the_items(
    override: str, item: str, col: int
) -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_model(RealScenario, REAL_SCENARIOS / "split.yaml", [override])
    assert problems_of(excinfo) == [
        f"--set '{override}':1:{col}: clients.routine_load_weights.{item}: no item {item} in "
        "clients.routine_load_weights; its default list has 3 items, numbered 0 to 2"
    ]


def test_override_item_problems_are_located_at_the_item() -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_model(
            RealScenario, REAL_SCENARIOS / "split.yaml", ["clients.routine_load_weights.1=-3"]
        )
    assert problems_of(excinfo) == [
        "--set 'clients.routine_load_weights.1=-3':1:32: clients.routine_load_weights.1: "
        "Input should be greater than 0 (got -3)"
    ]


def test_override_of_a_missing_item_of_a_written_list_names_the_items(tmp_path: Path) -> None:
    data, positions = load_yaml(write(tmp_path, "s.yaml", "weights: [1]\nempty: []\n"))
    with pytest.raises(ConfigError) as excinfo:
        apply_overrides(data, positions, ["weights.1=2", "empty.0=1"])
    assert [p.message for p in excinfo.value.problems] == [
        "cannot apply 'weights.1=2': no item 1 in weights; the list has 1 item, numbered 0",
        "cannot apply 'empty.0=1': no item 0 in empty; the list is empty",
    ]


# --- files that cannot be read -------------------------------------------------------------------


def _unreadable_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Files of every kind the loader cannot read, with the reason it gives."""
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop.name)
    ping, pong = tmp_path / "ping.yaml", tmp_path / "pong.yaml"
    ping.symlink_to(pong.name)
    pong.symlink_to(ping.name)
    dangling = tmp_path / "dangling.yaml"
    dangling.symlink_to("nowhere.yaml")
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    return {
        "loop": (loop, "symbolic link loop (the link leads back to itself)"),
        "loop of two": (ping, "symbolic link loop (the link leads back to itself)"),
        "dangling": (dangling, "file not found (a symbolic link to nothing)"),
        "fifo": (fifo, "is not a regular file (a pipe, socket or device), expected a YAML file"),
        "device": (
            Path(os.devnull),
            "is not a regular file (a pipe, socket or device), expected a YAML file",
        ),
        "folder": (folder, "is a directory, expected a YAML file"),
        "missing": (tmp_path / "missing.yaml", "file not found"),
    }


KINDS = ["loop", "loop of two", "dangling", "fifo", "device", "folder", "missing"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_that_cannot_be_read_is_located(tmp_path: Path, kind: str) -> None:
    path, reason = _unreadable_files(tmp_path)[kind]
    for load in (load_yaml, load_with_extends):
        with pytest.raises(ConfigError) as excinfo:
            load(path)
        assert problems_of(excinfo) == [f"{path}: {reason}"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_extends_target_that_cannot_be_read_is_located_at_extends(
    tmp_path: Path, kind: str
) -> None:
    target, reason = _unreadable_files(tmp_path)[kind]
    child = write(tmp_path, "child.yaml", f"name: x\nextends: {target}\n")
    with pytest.raises(ConfigError) as excinfo:
        load_with_extends(child)
    assert problems_of(excinfo) == [f"{child}:2:1: extends: cannot extend '{target}': {reason}"]


def test_an_extends_name_with_a_nul_character_is_refused(tmp_path: Path) -> None:
    child = write(tmp_path, "child.yaml", 'name: x\nextends: "base\\0.yaml"\n')
    with pytest.raises(ConfigError) as excinfo:
        load_with_extends(child)
    target = tmp_path / "base\\x00.yaml"
    assert problems_of(excinfo) == [
        f"{child}:2:1: extends: cannot extend '{target}': the file name contains a NUL character"
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_file_without_read_permission_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.yaml", "name: x\n")
    path.chmod(0)
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path)
    assert problems_of(excinfo) == [f"{path}: permission denied"]


def test_nul_bytes_in_a_file_are_located(tmp_path: Path) -> None:
    path = tmp_path / "nul.yaml"
    path.write_bytes(b"name: x\nseed: 1\x00\n")
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path)
    (problem,) = excinfo.value.problems
    assert problem.location == Location(str(path), 2, 8)
    assert problem.message.startswith("unacceptable character #x0000")


def test_long_and_unprintable_names_are_shortened_in_messages(tmp_path: Path) -> None:
    key = "k" * 5000
    text = f'name: x\nmarket: {{prospects: 1}}\n? {key}\n: 1\n"a\\tb": 2\n'
    path = write(tmp_path, "s.yaml", text)
    with pytest.raises(ConfigError) as excinfo:
        load_model(Scenario, path)
    first, second = str(excinfo.value).splitlines()
    assert first.startswith(f"{path}:3:3: {'k' * 240}... (5000 characters): unknown field 'kkk")
    assert len(first) < 500
    assert second.startswith(f"{path}:5:1: a\\x09b: unknown field 'a\\x09b'")


# --- bounded work and output ---------------------------------------------------------------------


def test_too_many_values_are_refused_at_the_first_one_over(tmp_path: Path) -> None:
    items = ", ".join(["1"] * (MAX_VALUES + 5))
    path = write(tmp_path, "big.yaml", f"name: x\nweights: [{items}]\n")
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(path)
    (problem,) = excinfo.value.problems
    # The document, name, its value, weights and the list are 5 values; the first item over the
    # limit is number MAX_VALUES - 5 of the list, at column 11 + 3 per item.
    assert problem.location == Location(str(path), 2, 11 + 3 * (MAX_VALUES - 5))
    assert problem.message.startswith(f"too many values in one document (the limit is {MAX_VALUES}")
    fits = ", ".join(["1"] * (MAX_VALUES - 5))
    data, _ = load_yaml(write(tmp_path, "fits.yaml", f"name: x\nweights: [{fits}]\n"))
    assert len(data["weights"]) == MAX_VALUES - 5


def test_too_many_values_in_an_override_are_refused(tmp_path: Path) -> None:
    data, positions = load_yaml(write(tmp_path, "s.yaml", "name: x\n"))
    override = "weights=[" + ",".join(["1"] * MAX_VALUES) + "]"
    with pytest.raises(ConfigError) as excinfo:
        apply_overrides(data, positions, [override])
    (problem,) = excinfo.value.problems
    assert problem.location.file == f"--set '{override[:120]}... ({len(override)} characters)'"
    assert problem.message.startswith("too many values in one document")


def test_only_the_first_problems_are_shown_with_a_count_of_the_rest() -> None:
    problems = [Problem(Location("f.yaml", line, 1), f"k{line}", "bad") for line in range(1, 31)]
    error = ConfigError(problems)
    lines = str(error).splitlines()
    assert lines[:MAX_SHOWN_PROBLEMS] == [str(p) for p in problems[:MAX_SHOWN_PROBLEMS]]
    assert lines[MAX_SHOWN_PROBLEMS:] == [f"... and {30 - MAX_SHOWN_PROBLEMS} more problems"]
    assert error.problems == problems
    one_more = ConfigError(problems[: MAX_SHOWN_PROBLEMS + 1])
    assert str(one_more).splitlines()[-1] == "... and 1 more problem"
    assert str(ConfigError(problems[:MAX_SHOWN_PROBLEMS])).count("\n") == MAX_SHOWN_PROBLEMS - 1


def test_many_unknown_keys_are_all_counted_and_the_shown_ones_explained(tmp_path: Path) -> None:
    keys = "".join(f"unknown{i:04d}: 1\n" for i in range(3000))
    path = write(tmp_path, "s.yaml", f"name: x\nmarket: {{prospects: 1}}\n{keys}")
    with pytest.raises(ConfigError) as excinfo:
        load_model(Scenario, path)
    problems = excinfo.value.problems
    assert len(problems) == 3000
    assert [p.path for p in problems[:3]] == ["unknown0000", "unknown0001", "unknown0002"]
    assert problems[0].message.startswith("unknown field 'unknown0000'; allowed fields: name")
    assert len(str(excinfo.value).splitlines()) == MAX_SHOWN_PROBLEMS + 1


# --- the command line: exit 2, a located line, no traceback, nothing written ---------------------


def _cli_cases(tmp_path: Path) -> list[tuple[list[str], str]]:
    """Command-line arguments that must be refused, with the start of the message."""
    split = REAL_SCENARIOS / "split.yaml"
    octal = write(tmp_path, "octal.yaml", f"extends: {split}\norganisation:\n  hunters: 1:30\n")
    digits = "1" * 4301
    huge = write(tmp_path, "huge.yaml", f"extends: {split}\nseed: {digits}\n")
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop.name)
    extends_loop = write(tmp_path, "extends_loop.yaml", "extends: loop.yaml\nname: x\n")
    infinite = write(tmp_path, "inf.yaml", f"extends: {split}\nsellers:\n  win_strength: .inf\n")
    items = ", ".join(["1"] * 300_000)
    big = write(tmp_path, "big.yaml", f"name: x\nclients:\n  routine_load_weights: [{items}]\n")
    return [
        ([str(octal)], f"{octal}:3:3: organisation.hunters: Input should be a valid integer"),
        ([str(split), "--set", "organisation.hunters=1:30"], "--set 'organisation.hunters=1:30'"),
        ([str(huge)], f"{huge}:2:7: seed: number is too long (4301 characters"),
        ([str(split), "--set", f"seed={digits}"], "--set 'seed=111"),
        ([str(split), "--set", "seed=1e400"], "--set 'seed=1e400':1:6: seed: number is too large"),
        ([str(infinite)], f"{infinite}:3:3: sellers.win_strength: Input should be a finite number"),
        ([str(split), "--set", "sellers.win_strength=.nan"], "--set 'sellers.win_strength=.nan'"),
        ([str(loop)], f"{loop}: symbolic link loop"),
        ([str(extends_loop)], f"{extends_loop}:1:1: extends: cannot extend"),
        ([str(split), "--set", "clients.routine_load_weights.3=1"], "--set 'clients.routine_lo"),
        ([str(big)], f"{big}:3:"),
    ]


@pytest.mark.slow
@pytest.mark.parametrize("command", ["validate", "run"])
def test_the_command_line_refuses_bad_numbers_and_files_with_exit_2(
    tmp_path: Path, command: str
) -> None:
    cases = _cli_cases(tmp_path)
    for args, start in cases if command == "validate" else cases[1::3]:
        out = tmp_path / "out"
        extra = ["--out", str(out)] if command == "run" else []
        result = salesim(command, *args, *extra, cwd=tmp_path)
        assert result.returncode == 2, (args[-1][:80], result.stderr[-2000:])
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith(start), (start, result.stderr[:300])
        assert len(result.stderr) < 2000
        assert not out.exists()


def test_the_command_line_merges_a_mapping_set_and_indexes_a_default_list(tmp_path: Path) -> None:
    result = salesim(
        "validate",
        str(REAL_SCENARIOS / "split.yaml"),
        "--set",
        "organisation={hunters: 8}",
        "--set",
        "clients.routine_load_weights.1=3",
        cwd=tmp_path,
    )
    assert (result.returncode, result.stderr) == (0, "")


# --- written back: a saved scenario reads back the same ------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["1e3", "1.5e3", "0o17", "+.5", "1:30", "010", "1_000", "0b101", "no", "On", "null", "~", ""],
)
def test_dump_yaml_quotes_text_that_a_reader_would_take_for_something_else(
    tmp_path: Path, text: str
) -> None:
    dumped = dump_yaml({"x": text, "n": [10, 1.5, 1e20, True, None]})
    expected = {"x": text, "n": [10, 1.5, 1e20, True, None]}
    assert yaml.safe_load(dumped) == expected
    assert load_yaml(write(tmp_path, "d.yaml", dumped))[0] == expected


@pytest.mark.parametrize("name", sorted(p.stem for p in REAL_SCENARIOS.glob("*.yaml")))
def test_a_saved_scenario_reads_back_the_same(tmp_path: Path, name: str) -> None:
    overrides = ['name="1e3"', 'description="0o17"'] if name == "split" else []
    scenario = load_model(RealScenario, REAL_SCENARIOS / f"{name}.yaml", overrides)
    write_run(tmp_path, pd.DataFrame({"month": [1]}), scenario, 7, 0.1, [name])
    again = load_model(RealScenario, tmp_path / "scenario.yaml")
    assert again == scenario.model_copy(update={"seed": 7})


def test_override_paths_too_deep_or_unprintable_are_refused(tmp_path: Path) -> None:
    data, positions = load_yaml(write(tmp_path, "s.yaml", "name: x\n"))
    deep = ".".join(["a"] * 5000)
    with pytest.raises(ConfigError) as excinfo:
        apply_overrides(data, positions, [f"{deep}=1", "na\udcffme=1"])
    assert [p.message.split(": ", 1)[1] for p in excinfo.value.problems] == [
        "the path has 5000 parts (at most 100)",
        "the path has a character that cannot be printed",
    ]
    here = Location("study.yaml", 3, 5)
    with pytest.raises(ConfigError) as excinfo:
        set_values(data, positions, [(deep, 1, here), ("a.b\x07", 1, here)])
    assert [(p.location, p.message) for p in excinfo.value.problems] == [
        (here, "the path has 5000 parts (at most 100)"),
        (here, "the path has a character that cannot be printed"),
    ]
    assert str(excinfo.value).splitlines()[1] == (
        "study.yaml:3:5: a.b\\x07: the path has a character that cannot be printed"
    )


def test_override_patches_a_default_list_of_models_and_a_default_factory() -> None:
    class Holder(_Frozen):
        segments: list[Segment] = [Segment(name="a", share=0.2), Segment(name="b", share=0.8)]
        counts: list[int] = Field(default_factory=lambda: [1, 2, 3])

    data, positions = apply_overrides({}, {}, ["segments.1.share=0.5", "counts.2=9"])
    holder = validate(Holder, data, positions, source="x")
    assert holder.segments == [Segment(name="a", share=0.2), Segment(name="b", share=0.5)]
    assert holder.counts == [1, 2, 9]
    data, positions = apply_overrides({}, {}, ["segments.1.share=2"])
    with pytest.raises(ConfigError) as excinfo:
        validate(Holder, data, positions, source="x")
    assert problems_of(excinfo) == [
        "--set 'segments.1.share=2':1:18: segments.1.share: "
        "Input should be less than or equal to 1 (got 2)"
    ]


def test_bad_gross_margins_are_located(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "margins.yaml",
        """\
        name: m
        money:
          gross_margin: 1.5
          gross_margin_by_segment:
            large: 0.3
            xl: -0.1
        """,
    )
    with pytest.raises(ConfigError) as excinfo:
        load_model(RealScenario, path)
    found = problems_of(excinfo)
    assert len(found) == 3, found
    where = {p.split(": ", 2)[1]: p for p in found}
    assert where["money.gross_margin"].startswith(f"{path}:3:3: ")
    assert "less than or equal to 1" in where["money.gross_margin"]
    assert where["money.gross_margin_by_segment.xl"].startswith(f"{path}:6:5: ")
    assert "greater than or equal to 0" in where["money.gross_margin_by_segment.xl"]
    unknown = where["money.gross_margin_by_segment.large"]
    assert unknown.startswith(f"{path}:5:5: ")
    assert "small" in unknown and "medium" in unknown and "xl" in unknown  # the names allowed


def test_segment_margins_fall_back_to_the_company_margin(tmp_path: Path) -> None:
    path = write(tmp_path, "m.yaml", "name: m\nmoney:\n  gross_margin_by_segment: {xl: 0.3}\n")
    money = load_model(RealScenario, path, ["money.gross_margin=0.5"]).money  # type: ignore[attr-defined]
    assert money.gross_margin_by_segment.xl == 0.3
    assert money.gross_margin_by_segment.small is None


def test_a_selling_time_share_below_one_percent_is_refused_with_the_bound() -> None:
    """A vanishing selling time makes a served client's time unbounded (inf, then NaN)."""
    with pytest.raises(ConfigError) as excinfo:
        load_model(
            RealScenario, REAL_SCENARIOS / "unsplit.yaml", ["sellers.selling_time_share=1e-9"]
        )
    assert problems_of(excinfo) == [
        "--set 'sellers.selling_time_share=1e-9':1:28: sellers.selling_time_share: "
        "Input should be greater than or equal to 0.01 (got 1e-09)"
    ]


@pytest.mark.parametrize(
    ("variable", "expected"),
    [
        (
            "money.gross_margin: {range: [0.2, 1.01]}",
            "s.yaml:9:26: sweep.variables.money.gross_margin.range: range [0.2, 1.01] reaches "
            "outside what money.gross_margin allows (>= 0, <= 1); every value of the range may "
            "be drawn",
        ),
        (
            "sellers.selling_time_share: {range: [0, 0.5]}",
            "s.yaml:9:34: sweep.variables.sellers.selling_time_share.range: range [0, 0.5] "
            "reaches outside what sellers.selling_time_share allows (>= 0.01, <= 1); every "
            "value of the range may be drawn",
        ),
        (
            "k: {range: [0, 3], scales: [money.gross_margin]}",
            "s.yaml:9:33: money.gross_margin: 0.4 x the range [0.0, 3.0] reaches 1.2, outside "
            "what money.gross_margin allows (>= 0, <= 1); every value of the range may be drawn",
        ),
    ],
)
def test_a_sampled_range_beyond_the_field_is_refused_whatever_the_draws(
    tmp_path: Path, variable: str, expected: str
) -> None:
    """Both ends of a Latin hypercube range may be drawn: five draws that happen to miss the
    bad end of [0.2, 1.01] must not make the study valid."""
    unsplit = (REAL_SCENARIOS / "unsplit.yaml").as_posix()
    study = write(
        tmp_path,
        "s.yaml",
        f"name: s\nreplications: 1\nscenarios:\n  - {unsplit}\nsweep:\n"
        f"  method: latin_hypercube\n  samples: 5\n  variables:\n    {variable}\n",
    )
    with pytest.raises(ConfigError) as excinfo:
        plan_study(study)
    assert [p.split("/")[-1] for p in problems_of(excinfo)] == [expected]


def test_a_sampled_range_of_a_whole_field_is_checked_as_rounded(tmp_path: Path) -> None:
    unsplit = (REAL_SCENARIOS / "unsplit.yaml").as_posix()
    study = write(
        tmp_path,
        "s.yaml",
        f"name: s\nreplications: 1\nscenarios:\n  - {unsplit}\nsweep:\n"
        "  method: latin_hypercube\n  samples: 4\n  variables:\n"
        "    organisation.generalists: {range: [0.6, 6.4]}\n",
    )
    plan = plan_study(study)
    assert {v.scenario.organisation.generalists for v in plan.variants} <= set(range(1, 7))


def test_a_sweep_value_that_is_no_scalar_gets_one_message(tmp_path: Path) -> None:
    """Null (a nullable field's "take the company's"), a list or a mapping is no sweep value:
    one message each, not one per type a value may have."""
    unsplit = (REAL_SCENARIOS / "unsplit.yaml").as_posix()
    study = write(
        tmp_path,
        "s.yaml",
        f"name: s\nreplications: 1\nscenarios:\n  - {unsplit}\nsweep:\n  variables:\n"
        "    money.gross_margin_by_segment.xl: {values: [null, 0.3, [0.4], {a: 1}]}\n",
    )
    with pytest.raises(ConfigError) as excinfo:
        plan_study(study)
    assert [p.replace(f"{study.parent}/", "") for p in problems_of(excinfo)] == [
        f"s.yaml:7:{col}: sweep.variables.money.gross_margin_by_segment.xl.values.{i}: "
        f"a sweep value is a number, true/false or {kind}"
        for i, col, kind in (
            (0, 49, "text (got None)"),
            (2, 60, "text, not a list"),
            (3, 67, "text, not a mapping"),
        )
    ]


def test_a_bad_study_entry_gets_its_own_problem_not_the_other_forms(tmp_path: Path) -> None:
    """An entry is a file name or a mapping: a mapping with a bad label or path is reported
    there, without "should be a valid string" for the form it plainly is not."""
    study = write(
        tmp_path,
        "s.yaml",
        'name: s\nscenarios:\n  - {path: a.yaml, label: "a\\tb"}\n  - {path: 4}\n',
    )
    with pytest.raises(ConfigError) as excinfo:
        plan_study(study)
    assert [p.replace(f"{study.parent}/", "") for p in problems_of(excinfo)] == [
        "s.yaml:3:20: scenarios.0.label: a label is 1 to 64 characters of any script, with "
        "spaces and punctuation, but no line breaks or other control characters; '\\t' "
        "(U+0009) is not allowed",
        "s.yaml:4:6: scenarios.1.path: Input should be a valid string (got 4)",
    ]


def test_a_section_given_no_mapping_says_what_it_holds(tmp_path: Path) -> None:
    """An empty section in a file (null), or a number, list or boolean for one: the message
    lists the section's fields, not a pydantic class name."""
    unsplit = (REAL_SCENARIOS / "unsplit.yaml").as_posix()
    path = write(
        tmp_path,
        "s.yaml",
        f"extends: {unsplit}\nname: s\noverload:\nmoney:\n  gross_margin_by_segment: [0.3]\n",
    )
    with pytest.raises(ConfigError) as excinfo:
        load_model(RealScenario, path, ["market.competitors=3"])
    assert [p.replace(f"{tmp_path}/", "") for p in problems_of(excinfo)] == [
        "--set 'market.competitors=3':1:20: market.competitors: expected a section of fields "
        "(count, strength, bid_prob, poach_per_month, neglect_weight, dissatisfaction_weight, "
        "hidden_weight, need_weight), got 3; leave it out for the defaults",
        "s.yaml:3:1: overload: expected a section of fields (enabled, incident_per_overload, "
        "missed_order_share), got null; leave it out for the defaults",
        "s.yaml:5:3: money.gross_margin_by_segment: expected a section of fields (small, medium, "
        "xl), got a list; leave it out for the defaults",
    ]


def test_a_sweep_sets_and_scales_a_list_item_as_set_does(tmp_path: Path) -> None:
    """``--set clients.routine_load_weights.1=3`` works; a sweep of the same path did not find
    the field. It now sets (or scales) the item, refuses one that does not exist with the
    numbers that do, and checks a sampled range against the items' bounds."""
    unsplit = (REAL_SCENARIOS / "unsplit.yaml").as_posix()
    head = f"name: s\nreplications: 1\nscenarios:\n  - {unsplit}\nsweep:\n  variables:\n"
    study = write(
        tmp_path,
        "s.yaml",
        head + "    clients.routine_load_weights.1: {values: [3]}\n"
        "    k: {values: [2], scales: [clients.routine_load_weights.2]}\n",
    )
    weights = RealScenario.model_fields["clients"].default.routine_load_weights
    (variant,) = plan_study(study).variants
    assert variant.scenario.clients.routine_load_weights == [weights[0], 3.0, 2 * weights[2]]
    study = write(tmp_path, "s.yaml", head + "    clients.routine_load_weights.7: {values: [3]}\n")
    with pytest.raises(ConfigError) as excinfo:
        plan_study(study)
    assert [p.replace(f"{tmp_path}/", "") for p in problems_of(excinfo)] == [
        "s.yaml:7:5: sweep.variables.clients.routine_load_weights.7: no scenario field "
        "clients.routine_load_weights.7 (the list clients.routine_load_weights has items 0-2)"
    ]
    study = write(
        tmp_path,
        "s.yaml",
        head.replace("sweep:\n", "sweep:\n  method: latin_hypercube\n  samples: 3\n")
        + "    clients.routine_load_weights.1: {range: [0, 5]}\n",
    )
    with pytest.raises(ConfigError) as excinfo:
        plan_study(study)
    assert [p.replace(f"{tmp_path}/", "") for p in problems_of(excinfo)] == [
        "s.yaml:9:38: sweep.variables.clients.routine_load_weights.1.range: range [0, 5] reaches "
        "outside what clients.routine_load_weights.1 allows (> 0, <= 1000); every value of the "
        "range may be drawn"
    ]
