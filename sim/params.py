"""The parameter table (path, default, unit, allowed range, meaning, source) from the schema.

The fields are read by :mod:`sim.config.fields`; this module only words them as records and as
the Markdown table that ``salesim params`` prints and docs/MODEL.md holds.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from pydantic import BaseModel

from sim.config.fields import leaves, shown
from sim.config.schema import Scenario
from sim.sources import name_sources

COLUMNS = ("parameter", "default", "unit", "allowed", "meaning", "source")


def iter_parameters(
    model: type[BaseModel] = Scenario, prefix: str = "", books: bool = True
) -> Iterator[dict[str, str]]:
    """Yield one record per leaf parameter of the scenario schema.

    Parameters
    ----------
    model
        The schema to walk (default: the scenario).
    prefix
        Put before every parameter's path.
    books
        Name the practitioners' books in the meaning and source by author and title
        (:func:`sim.sources.name_sources`) instead of the schema's "seed NNN", for readers;
        ``False`` keeps the schema's words (docs/MODEL.md, whose References list the seeds).

    Yields
    ------
    dict of str to str
        The keys of :data:`COLUMNS`: dotted path, default as text, unit, allowed values in
        words, meaning and source. Required fields (the scenario's ``name``) are left out.
    """
    named = name_sources if books else str
    for field in leaves(model, prefix):
        if field.required:
            continue
        yield {
            "parameter": field.path,
            "default": shown(field.default),
            "unit": field.unit,
            "allowed": field.allowed(),
            "meaning": named(field.meaning),
            "source": named(field.source),
        }


def parameter_table(books: bool = True) -> str:
    """Return the parameters as a Markdown table.

    Parameters
    ----------
    books : bool
        Name the practitioners' books by title (:func:`iter_parameters`).

    Returns
    -------
    str
        A header row, a separator row and one row per parameter of :func:`iter_parameters`,
        ``|`` in a cell written as ``/``; no final newline.
    """
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for record in iter_parameters(books=books):
        lines.append("| " + " | ".join(record[k].replace("|", "/") for k in COLUMNS) + " |")
    return "\n".join(lines)


def parameter_csv() -> str:
    """Return the parameters as CSV, for scripts and spreadsheets.

    Returns
    -------
    str
        A header row of :data:`COLUMNS` and one row per parameter of :func:`iter_parameters`
        (the same text as the table, quoted where needed by :mod:`csv`); no final newline.
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(iter_parameters())
    return buffer.getvalue().rstrip("\n")


def parameter_json() -> str:
    """Return the parameters as a JSON list of records, for scripts.

    Returns
    -------
    str
        One object per parameter with the keys of :data:`COLUMNS`; ``default`` is the value
        itself (a number, boolean, text, list or ``null``), the other keys are text as in the
        table. Indented by two spaces.
    """
    defaults = {field.path: field.default for field in leaves(Scenario, "")}
    records = [{**r, "default": defaults[r["parameter"]]} for r in iter_parameters()]
    return json.dumps(records, indent=2, ensure_ascii=False)
