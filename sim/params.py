"""The parameter table (path, default, unit, allowed range, meaning, source) from the schema.

The fields are read by :mod:`sim.config.fields`; this module only words them as records and as
the Markdown table that ``salesim params`` prints and docs/MODEL.md holds.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from sim.config.fields import leaves, shown
from sim.config.schema import Scenario

COLUMNS = ("parameter", "default", "unit", "allowed", "meaning", "source")


def iter_parameters(
    model: type[BaseModel] = Scenario, prefix: str = ""
) -> Iterator[dict[str, str]]:
    """Yield one record per leaf parameter of the scenario schema.

    Parameters
    ----------
    model
        The schema to walk (default: the scenario).
    prefix
        Put before every parameter's path.

    Yields
    ------
    dict of str to str
        The keys of :data:`COLUMNS`: dotted path, default as text, unit, allowed values in
        words, meaning and source. Required fields (the scenario's ``name``) are left out.
    """
    for field in leaves(model, prefix):
        if field.required:
            continue
        yield {
            "parameter": field.path,
            "default": shown(field.default),
            "unit": field.unit,
            "allowed": field.allowed(),
            "meaning": field.meaning,
            "source": field.source,
        }


def parameter_table() -> str:
    """Return the parameters as a Markdown table.

    Returns
    -------
    str
        A header row, a separator row and one row per parameter of :func:`iter_parameters`,
        ``|`` in a cell written as ``/``; no final newline.
    """
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for record in iter_parameters():
        lines.append("| " + " | ".join(record[k].replace("|", "/") for k in COLUMNS) + " |")
    return "\n".join(lines)
