"""Hostile input from a browser or a user's file: the workshop's scenario picker, text shown
in the dashboard, and CSV cells a spreadsheet would run."""

from __future__ import annotations

import io
import itertools
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipyvuetify as v
import ipywidgets
import numpy as np
import pandas as pd
import pytest
import solara
from conftest import SCENARIOS

from sim.config.loader import ConfigError
from sim.spreadsheet import TRIGGERS, inert, inert_frame
from sim.study.result import StudyResult, write_tables
from sim.workshop import app, files
from sim.workshop.files import NOT_OFFERED, load_offered, offered

REFUSED = f"scenario: {NOT_OFFERED}"
SECRET_KEY, SECRET_VALUE = "root_password", "hunter2-do-not-leak"
SMALL = "calendar:\n  horizon_years: 1\nmarket:\n  prospects: 2000\n"
HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">'


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A scenario folder with every kind of entry, and a secret file beside it."""
    secret = tmp_path / "secret.yaml"
    secret.write_text(f"{SECRET_KEY}: {SECRET_VALUE}\n")
    (tmp_path / "secret_dir.yaml").mkdir()
    room = tmp_path / "room"
    room.mkdir()
    (room / "good.yaml").write_text(f"name: good\nextends: {SCENARIOS / 'split.yaml'}\n{SMALL}")
    (room / "broken.yaml").write_text("name: broken\norganisation:\n  hunterz: 2\n")
    (room / "inside_link.yaml").symlink_to("good.yaml")
    (room / "outside_link.yaml").symlink_to(secret)
    (room / "outside_relative.yaml").symlink_to("../secret.yaml")
    (room / "outside_dir.yaml").symlink_to(tmp_path / "secret_dir.yaml")
    (room / "loop.yaml").symlink_to("loop.yaml")
    (room / "dangling.yaml").symlink_to("nowhere.yaml")
    (room / "folder.yaml").mkdir()
    (room / ".hidden.yaml").write_text(f"name: hidden\nextends: good.yaml\n{SMALL}")
    (room / "notes.txt").write_text("not a scenario\n")
    (room / "sub").mkdir()
    (room / "sub" / "deep.yaml").write_text(f"name: deep\nextends: ../good.yaml\n{SMALL}")
    (room / "deep_link.yaml").symlink_to("sub/deep.yaml")
    return room


def hostile_names(folder: Path) -> list[Any]:
    """Values a browser can send instead of a listed name."""
    secret = folder.parent / "secret.yaml"
    return [
        str(secret),
        "../secret.yaml",
        "./../secret.yaml",
        "sub/deep.yaml",
        "./good.yaml",
        "good.yaml/",
        "sub/../good.yaml",
        str(folder / "good.yaml"),
        "outside_link.yaml",
        "outside_relative.yaml",
        "outside_dir.yaml",
        "loop.yaml",
        "dangling.yaml",
        "folder.yaml",
        ".hidden.yaml",
        "notes.txt",
        "missing.yaml",
        "/etc/passwd",
        "/nonexistent/folder/x.yaml",
        "..",
        ".",
        "",
        "good.yaml\x00",
        "GOOD.YAML",
        "%2e%2e%2fsecret.yaml",
        "x" * 100_000,
        None,
        0,
        3.5,
        True,
        ["good.yaml"],
        {"name": "good.yaml"},
    ]


def test_only_regular_yaml_files_inside_the_folder_are_offered(folder: Path) -> None:
    listed = offered(folder)
    assert list(listed) == ["broken.yaml", "deep_link.yaml", "good.yaml", "inside_link.yaml"]
    root = folder.resolve()
    assert listed["inside_link.yaml"] == root / "good.yaml"
    assert listed["deep_link.yaml"] == root / "sub" / "deep.yaml"
    assert all(path.is_file() and path.is_relative_to(root) for path in listed.values())


def test_a_folder_that_is_missing_or_a_loop_offers_nothing(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to("loop")
    assert offered(tmp_path / "missing") == {}
    assert offered(tmp_path / "loop") == {}
    assert offered(tmp_path / "missing") == offered(tmp_path / "loop")


def test_an_offered_name_loads_and_a_mistake_in_it_is_located(folder: Path) -> None:
    assert load_offered(folder, "good.yaml").name == "good"
    assert load_offered(folder, "inside_link.yaml").name == "good"
    with pytest.raises(ConfigError, match=r"broken.yaml:3:3: organisation.hunterz"):
        load_offered(folder, "broken.yaml")


def test_anything_not_offered_is_refused_alike_and_no_file_is_read(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[Path] = []
    monkeypatch.setattr(files, "load_model", lambda model, path, *a: read.append(path))
    for name in hostile_names(folder):
        with pytest.raises(ConfigError) as refused:
            load_offered(folder, name)
        assert str(refused.value) == REFUSED, name
    assert read == []


def test_a_link_changed_after_the_listing_is_checked_again(folder: Path) -> None:
    link = folder / "inside_link.yaml"
    assert "inside_link.yaml" in offered(folder)
    link.unlink()
    link.symlink_to(folder.parent / "secret.yaml")
    with pytest.raises(ConfigError) as refused:
        load_offered(folder, "inside_link.yaml")
    assert str(refused.value) == REFUSED


# The dashboard, driven at the widget level: a value set on a widget's trait is what a
# websocket update from the browser does.


def widgets(root: ipywidgets.Widget) -> Iterator[ipywidgets.Widget]:
    """Every widget under ``root``, in the order of the page."""
    yield root
    for name in ("children", "v_slots"):
        value = getattr(root, name, None)
        for item in value if isinstance(value, list | tuple) else [value]:
            found = item.get("children") if isinstance(item, dict) else item
            for child in found if isinstance(found, list | tuple) else [found]:
                if isinstance(child, ipywidgets.Widget):
                    yield from widgets(child)


def page_state(root: ipywidgets.Widget) -> str:
    """Everything the server sends the browser about the page, as text."""
    return json.dumps([w.get_state() for w in widgets(root)], default=str) + markup(root)


def texts(root: ipywidgets.Widget, tag: str, style: str = "") -> list[str]:
    """Text of the ``tag`` elements on the page (those whose style holds ``style``)."""
    return [
        child
        for w in widgets(root)
        if isinstance(w, v.Html) and w.tag == tag and style in (w.style_ or "")
        for child in w.children
        if isinstance(child, str)
    ]


def problems(root: ipywidgets.Widget) -> list[str]:
    """The problems shown on the page (in red)."""
    return texts(root, "span", style="#b00020")


def markup(root: ipywidgets.Widget) -> str:
    """Everything on the page that the browser reads as markup (templates, inner HTML)."""
    parts = []
    for w in widgets(root):
        template = getattr(w, "template", None)  # text, or a Template widget holding it
        parts.append(str(getattr(template, "template", template) or ""))
        parts.append(str(getattr(w, "unsafe_innerHTML", "") or ""))
        if isinstance(w, v.Html):
            parts.append(json.dumps(w.attributes or {}))
    return "\n".join(parts)


def test_markup_on_the_page_is_seen_by_the_checks() -> None:
    box, rc = solara.render(solara.Markdown(HOSTILE_NAME), handle_error=False)
    try:
        assert "<img" in markup(box)
    finally:
        rc.close()


@pytest.fixture
def page(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ipywidgets.Widget]:
    monkeypatch.setattr(app, "SCENARIOS", folder)
    monkeypatch.setattr(app, "DEFAULT_SCENARIO", "good.yaml")
    box, rc = solara.render(app.Page(), handle_error=False)
    try:
        yield box
    finally:
        rc.close()


def picker(root: ipywidgets.Widget) -> v.Select:
    return next(w for w in widgets(root) if isinstance(w, v.Select) and w.label == "Scenario")


def month_shown(root: ipywidgets.Widget) -> bool:
    return "Month 0 of 12" in page_state(root)


def test_a_browser_cannot_make_the_server_load_a_file_it_did_not_offer(
    page: ipywidgets.Widget, folder: Path
) -> None:
    assert picker(page).items == list(offered(folder))
    assert month_shown(page)
    for name in hostile_names(folder):
        picker(page).v_model = name
        assert problems(page) == [REFUSED], name
        state = page_state(page)
        assert SECRET_KEY not in state and SECRET_VALUE not in state, name
        assert "Permission" not in state and "No such file" not in state, name
        assert not month_shown(page)
    picker(page).v_model = "good.yaml"  # a listed file still loads after the refusals
    assert month_shown(page) and problems(page) == []


def test_a_file_name_and_a_message_from_a_file_are_text_on_the_page(
    page: ipywidgets.Widget, folder: Path
) -> None:
    hostile_file = f"{HOSTILE_NAME}.yaml"
    (folder / hostile_file).write_text(f"name: x\n'{HOSTILE_NAME}': 1\n")
    picker(page).v_model = "broken.yaml"  # re-render: the listing is read again
    assert hostile_file in picker(page).items
    picker(page).v_model = hostile_file
    (message,) = problems(page)
    assert f"{hostile_file}:2:1: {HOSTILE_NAME}: unknown field" in message
    assert "<img" not in markup(page)


def click(root: ipywidgets.Widget, label: str) -> None:
    button = next(w for w in widgets(root) if isinstance(w, v.Btn) and label in w.children)
    button.fire_event("click", {})


def test_a_round_name_is_shown_as_typed_and_never_as_markup(page: ipywidgets.Widget) -> None:
    names = [HOSTILE_NAME, "**bold** <b>x</b> {{ 7*7 }}", "| a | b |", "Раунд 2 — найм"]
    for name in names:
        field = next(w for w in widgets(page) if isinstance(w, v.TextField))
        field.v_model = name
        click(page, "Commit round")
    cells = texts(page, "td")
    assert [c for c in cells if c in names] == names
    assert "round" in texts(page, "th")
    shown = markup(page)
    assert "<img" not in shown and "**bold**" not in shown and "7*7" not in shown


def test_a_round_name_that_is_not_one_line_of_text_is_refused_on_the_page(
    page: ipywidgets.Widget,
) -> None:
    for name in ["a\nb", "x" * 65, "tab\there", "bell\x07"]:
        next(w for w in widgets(page) if isinstance(w, v.TextField)).v_model = name
        click(page, "Commit round")
        (message,) = problems(page)
        assert message.startswith("a round name is"), name
    assert texts(page, "td") == []


# CSV cells: the OWASP triggers, at the start of a text or after a separator.

BOUNDARY = ',;\t\r\n"'
ALPHABET = "=+-@\t\r\n,;\"'a1. "
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")


def cell_starts(text: str) -> Iterator[int]:
    """Positions where a spreadsheet may begin a cell inside ``text``."""
    return (i for i in range(len(text)) if i == 0 or text[i - 1] in BOUNDARY)


def runs(text: str, i: int) -> bool:
    """Whether the cell starting at ``i`` is a trigger with something after it (a formula)."""
    return text[i] in TRIGGERS and i + 1 < len(text) and text[i + 1] not in ',;\n"'  # not \t\r


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t'=1"),
        ("\r=1", "'\r'=1"),
        ("=1", "'=1"),
        ("-", "-"),  # a cell of one dash ("no unit") is text, not a formula
        ("=", "="),
        ("\t", "\t"),
        ("\t\t=", "'\t'\t="),
        ("a;-", "a;-"),
        ("-;=1", "-;'=1"),
        ("- x", "'- x"),
        ("--", "'--"),
        ("0", "0"),
        ("-2.5", "-2.5"),
        ("-inf", "'-inf"),
        ("a;=cmd|' /C calc'!A0", "a;'=cmd|' /C calc'!A0"),
        ('x,"=1"', 'x,"\'=1"'),
        ("x\n@y", "x\n'@y"),
        ("as it is", "as it is"),
        ("hunters+2", "hunters+2"),
        ("3 hunters; -1 specialist", "3 hunters; -1 specialist"),
        ("Раунд =1", "Раунд =1"),
        ("-3.5", "-3.5"),
        ("+7", "+7"),
        ("-1e-3", "-1e-3"),
        ("", ""),
    ],
)
def test_a_text_cell_never_starts_a_formula(text: str, expected: str) -> None:
    assert inert(text) == expected


@pytest.mark.parametrize(
    "value", [-3.5, 0, -7, 2.0, float("-inf"), np.float64(-1.25), np.int64(-4), True, None]
)
def test_numbers_and_missing_values_are_left_as_they_are(value: object) -> None:
    assert inert(value) is value


def test_a_missing_number_stays_missing() -> None:
    nan = inert(float("nan"))
    assert isinstance(nan, float) and math.isnan(nan)


def test_every_short_text_comes_out_inert_with_only_quotes_added() -> None:
    for size in range(1, 5):
        for letters in itertools.product(ALPHABET, repeat=size):
            text = "".join(letters)
            out = inert(text)
            assert isinstance(out, str) and out.replace("'", "") == text.replace("'", "")
            if PLAIN_NUMBER.fullmatch(text):
                assert out == text
                continue
            assert not any(runs(out, i) for i in cell_starts(out)), repr(text)
            if not any(runs(text, i) for i in cell_starts(text)):
                assert out == text, repr(text)


def test_a_frame_keeps_its_numbers_and_neutralises_its_text() -> None:
    frame = pd.DataFrame(
        {
            "scenario": ["=1+1", "plain", "-x"],
            "value": [-3.5, 2.0, float("nan")],
            "count": [-1, 0, 4],
            "mixed": ["@a", -2.5, None],
            "=name": ["a", "b", "c"],
        }
    )
    out = inert_frame(frame)
    assert list(out.columns) == ["scenario", "value", "count", "mixed", "'=name"]
    assert list(out["scenario"]) == ["'=1+1", "plain", "'-x"]
    assert out["mixed"].iloc[0] == "'@a" and out["mixed"].iloc[1] == -2.5
    pd.testing.assert_series_equal(out["value"], frame["value"])
    pd.testing.assert_series_equal(out["count"], frame["count"])
    assert frame["scenario"].iloc[0] == "=1+1"  # the input is not changed
    text = out.to_csv(index=False)
    assert "\n'=1+1,-3.5,-1,'@a,a\n" in text
    assert pd.read_csv(io.StringIO(text))["value"].iloc[0] == -3.5


def test_the_study_tables_hold_no_live_formula(tmp_path: Path) -> None:
    label = '=HYPERLINK("http://evil.example","x")'
    runs = pd.DataFrame({"scenario": [label, "base"], "point": [0, 0], "profit": [-3.5e6, 1.0e6]})
    summary = pd.DataFrame(
        {"scenario": [label], "metric": ["profit"], "mean": [-3.5], "diff": [-4.5]}
    )
    result = StudyResult(
        name="s",
        path=tmp_path,
        baseline="base",
        sweep=[],
        runs=runs,
        timeseries=pd.DataFrame(),
        summary=summary,
        failures=pd.DataFrame(),
        planned=2,
    )
    write_tables(result)
    summary_text = (tmp_path / "summary.csv").read_text()
    runs_text = (tmp_path / "runs.csv").read_text()
    assert (
        summary_text.splitlines()[1]
        == '"\'=HYPERLINK(""http://evil.example"",""x"")",profit,-3.5,-4.5'
    )
    assert runs_text.splitlines()[1].endswith(",0,-3500000.0")
    assert runs_text.splitlines()[2] == "base,0,1000000.0"


# Every value a field allows must give a run of finite numbers: a value at the edge of a
# field's range (the smallest positive share, the longest contract) is hostile input too.
EDGE_FIELDS = [
    "money.gross_margin",
    "money.gross_margin_by_segment.small",
    "money.gross_margin_by_segment.medium",
    "money.gross_margin_by_segment.xl",
    "sellers.routine_contacts_per_year",
    "sellers.routine_contact_hours",
    "sellers.selling_time_share",
    "pipeline.meeting_factor_per_refusal",
    "pipeline.rival_contract_months",
    "clients.second_lifetime_value_share",
    "clients.second_lifetime_lapse_multiple",
    "clients.dormant_response_half_life_months",
    "overload.incident_per_overload",
    "overload.missed_order_share",
]


def _edges(path: str) -> list[float]:
    """Return the smallest and the largest value the schema lets a field take."""
    from sim.config.fields import field_at
    from sim.config.schema import Scenario

    bounds = field_at(Scenario, path).bounds
    assert bounds.low is not None and bounds.high is not None, path
    low = bounds.low if bounds.low_inclusive else float(np.nextafter(bounds.low, math.inf))
    high = bounds.high if bounds.high_inclusive else float(np.nextafter(bounds.high, -math.inf))
    edges = [low, high]
    if low == 0:  # the smallest positive value, where a divisor or a half-life may overflow
        edges.append(5e-324)
    return edges


@pytest.mark.parametrize("path", EDGE_FIELDS)
def test_every_allowed_value_of_a_new_field_runs_to_finite_numbers(path: str) -> None:
    import warnings

    from conftest import run

    base = run("unsplit_letters", "calendar.horizon_years=1")
    numeric = base.select_dtypes("number").columns
    finite_before = set(numeric[np.isfinite(base[numeric]).all()])
    for value in _edges(path):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an overflow or a 0/0 is a defect, not a note
            frame = run("unsplit_letters", "calendar.horizon_years=1", f"{path}={value!r}")
        broken = [c for c in finite_before if not np.isfinite(frame[c]).all()]
        assert not broken, f"{path}={value!r} gives non-finite {broken}"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("organisation.hunters", 5000),  # the schema allows it; the slider ends at 50
        ("organisation.specialists", 16),
        ("letters.letters_per_day", 1000.0),
        ("money.gross_margin", -0.5),
        ("money.gross_margin", 1.5),
        ("money.gross_margin", math.nan),
    ],
)
def test_a_lever_value_beyond_its_slider_is_refused_by_the_server(path: str, value: float) -> None:
    """A browser may send any number for a slider: beyond the slider's range it is refused
    before a run starts, and the settings stay as they were."""
    from conftest import scenario

    from sim.workshop.levers import LEVERS
    from sim.workshop.session import Workshop

    w = Workshop(scenario("split", "calendar.horizon_years=1"), seed=3)
    before = dict(w.settings)
    lever = next(lv for lv in LEVERS if lv.path == path)
    with pytest.raises(ValueError, match=f"{lever.label}: between {lever.low:g} and"):
        w.change(path, value)
    assert w.settings == before
    w.change(path, lever.high)  # the slider's own end is taken
    assert w.settings[path] == lever.high
