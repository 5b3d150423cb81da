"""Tests for the safe, located YAML loader in ``sim.config.loader``."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from sim.config.loader import (
    ConfigError,
    Location,
    Problem,
    apply_overrides,
    load_model,
    load_with_extends,
    load_yaml,
    validate,
)


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
    assert problems_of(excinfo) == [
        f"{path}:1:1: <document>: file is too large (207 bytes; the limit is 100)"
    ]


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
    assert str(excinfo.value) == f"{missing}:1:1: <document>: file not found"
    with pytest.raises(ConfigError) as excinfo:
        load_yaml(tmp_path)
    assert excinfo.value.problems[0].message == "is a directory, expected a YAML file"


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
        "--set 'count4':1:1: <document>: invalid override 'count4': expected PATH=VALUE, "
        "e.g. a.b.c=4",
        "--set '=3':1:1: <document>: invalid override '=3': the path before '=' has an empty part",
        "--set 'a..b=1':1:1: a..b: invalid override 'a..b=1': the path before '=' has an "
        "empty part",
        "--set 'name.first=x':1:1: name: cannot apply 'name.first=x': 'name' is a str, "
        "not a mapping",
        "--set 'weights.5=1':1:1: weights.5: cannot apply 'weights.5=1': no item 5 in a list of 2",
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
