"""docs/MODEL.md: generated tables up to date, every parameter and output column documented."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from sim.config.schema import Scenario, Section
from sim.docs import (
    MODEL_MD,
    VALIDATION_GENERATORS,
    VALIDATION_MD,
    assumption_table,
    main,
    output_table,
    render,
    split_unit,
)
from sim.ledger import COLUMNS
from sim.params import parameter_table

ODD_HEADINGS = (
    "1. Purpose and patterns",
    "2. Entities, state variables and scales",
    "3. Process overview and scheduling",
    "4. Design concepts",
    "5. Initialisation",
    "6. Input data",
    "7. Submodels",
)


def _text() -> str:
    return MODEL_MD.read_text(encoding="utf-8")


def _schema_paths(model: type[BaseModel] = Scenario, prefix: str = "") -> Iterator[str]:
    """Every leaf field of the scenario schema, walked independently of ``sim.params``."""
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, Section):
            yield from _schema_paths(annotation, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


def _documented(name: str, text: str) -> bool:
    """Whether ``name`` is a table cell or an inline-code span of ``text``."""
    return f"| {name} |" in text or f"`{name}`" in text


def test_model_md_is_up_to_date_with_the_code() -> None:
    text = _text()
    assert render(text) == text, "docs/MODEL.md is out of date: run python -m sim.docs"


def test_generated_tables_are_in_the_document() -> None:
    text = _text()
    assert parameter_table(books=False) in text
    assert output_table() in text


@pytest.mark.parametrize("path", list(_schema_paths()))
def test_every_parameter_is_documented(path: str) -> None:
    assert _documented(path, _text()), f"parameter {path} is missing from docs/MODEL.md"


@pytest.mark.parametrize("column", list(COLUMNS))
def test_every_output_column_is_documented(column: str) -> None:
    assert _documented(column, _text()), f"output column {column} is missing from docs/MODEL.md"


def test_odd_sections_exist_in_order() -> None:
    headings = re.findall(r"^## (.+)$", _text(), flags=re.MULTILINE)
    found = [h for h in headings if h in ODD_HEADINGS]
    assert found == list(ODD_HEADINGS)


def test_output_table_has_one_row_per_column_with_its_unit() -> None:
    rows = output_table().splitlines()[2:]
    assert [row.split(" | ")[0].lstrip("| ") for row in rows] == list(COLUMNS)
    assert "| gross_profit | USD | revenue_collected - cost_of_goods |" in rows
    assert "| retention_12m | 0-1 |" in rows[list(COLUMNS).index("retention_12m")]


def test_split_unit_reads_the_bracketed_unit() -> None:
    assert split_unit("payments received this month [USD]") == (
        "payments received this month",
        "USD",
    )
    assert split_unit("no unit here") == ("no unit here", "-")


def test_render_replaces_stale_content_and_keeps_the_rest() -> None:
    stale = (
        "intro\n<!-- parameters:start -->\nSTALE-TABLE\n<!-- parameters:end -->\nmiddle\n"
        "<!-- outputs:start --><!-- outputs:end -->\nend\n"
    )
    fresh = render(stale)
    assert fresh != stale
    assert "STALE-TABLE" not in fresh
    assert fresh.startswith("intro\n<!-- parameters:start -->\n| parameter |")
    assert "\nmiddle\n" in fresh and fresh.endswith("<!-- outputs:end -->\nend\n")
    assert render(fresh) == fresh


def test_render_refuses_a_document_without_markers() -> None:
    with pytest.raises(ValueError, match="parameters"):
        render("# no markers\n")
    with pytest.raises(ValueError, match="outputs"):
        render("<!-- parameters:start --><!-- parameters:end -->\n")


def test_check_fails_on_a_stale_file_and_passes_after_rewrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "MODEL.md"
    doc.write_text(
        "<!-- parameters:start -->\n<!-- parameters:end -->\n"
        "<!-- outputs:start -->\n<!-- outputs:end -->\n",
        encoding="utf-8",
    )
    assert main(["--check", str(doc)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main([str(doc)]) == 0
    assert main(["--check", str(doc)]) == 0
    assert output_table() in doc.read_text(encoding="utf-8")


TRACE_HEADINGS = (
    "1. Problem formulation",
    "2. Model description",
    "3. Data evaluation",
    "4. Conceptual model evaluation",
    "5. Implementation verification",
    "6. Model output verification and calibration",
    "7. Model analysis",
    "8. Model output corroboration (validation)",
    "9. Assumptions that remain",
)


def test_validation_md_is_up_to_date_and_in_trace_form() -> None:
    text = VALIDATION_MD.read_text(encoding="utf-8")
    assert render(text, VALIDATION_GENERATORS) == text, (
        "docs/VALIDATION.md is out of date: run python -m sim.docs"
    )
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert [h for h in headings if h[0].isdigit()] == list(TRACE_HEADINGS)
    for name in ("Grimm et al. 2014", "Grimm et al. 2005"):
        assert name in text


def test_assumption_table_lists_assumed_parameters_only() -> None:
    table = assumption_table()
    rows = {line.split(" | ")[1] for line in table.splitlines()[2:]}
    assert "market.prospects" in rows  # source: "assumption"
    assert "sellers.salary_usd_per_month" not in rows  # source: BLS OES
    assert "market.past_clients" not in rows  # source: seed 003
    assert table.splitlines()[0] == "| section | parameter | default | unit | source |"


def test_every_test_file_named_in_validation_md_exists() -> None:
    text = VALIDATION_MD.read_text(encoding="utf-8")
    named = set(re.findall(r"tests/(test_\w+\.py)", text))
    assert named, "VALIDATION.md names no test file"
    missing = [n for n in sorted(named) if not (MODEL_MD.parent.parent / "tests" / n).is_file()]
    assert not missing, f"VALIDATION.md names missing test files: {missing}"
