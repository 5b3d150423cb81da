"""The parameter table (path, default, unit, allowed range, meaning, source) from the schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.config.schema import Scenario, Section

UNITS = (
    ("working_days_per_month", "working days/month"),
    ("per_month_transactional", "1/month"),
    ("per_month_consultative", "1/month"),
    ("_with_billing", "clients"),
    ("_travelling", "desks/person"),
    ("protection_strength", "share 0-1"),
    ("_usd_per_month", "USD/month"),
    ("_per_month", "1/month"),
    ("_hours", "hours"),
    ("_months", "months"),
    ("_years", "years"),
    ("_days", "working days"),
    ("_prob", "probability"),
    ("_share", "share 0-1"),
    ("hours_per_day", "hours/day"),
    ("_per_person", "desks/person"),
    ("_clients", "clients"),
    ("_weight", "multiplier"),
    ("_weights", "relative load"),
    ("_factor", "multiplier"),
    ("_multiple", "multiplier"),
    ("_strength", "relative strength"),
    ("_quality", "0-1"),
    ("_satisfaction", "0-1"),
    ("_threshold", "0-1"),
    ("_drop", "0-1"),
    ("_rise", "0-1"),
    ("_gain", "0-1"),
    ("_effect", "share 0-1"),
    ("_load", "x capacity"),
    ("_shape", "Pareto shape"),
    ("hunters", "people"),
    ("generalists", "people"),
    ("specialists", "people"),
    ("prospects", "companies"),
    ("count", "competitors"),
)


def unit_of(name: str) -> str:
    """Unit of a parameter, read from its name."""
    for suffix, unit in UNITS:
        if name.endswith(suffix):
            return unit
    return "-"


def _range(info: FieldInfo) -> str:
    bounds = []
    for meta in info.metadata:
        for kind, sign in ((Ge, ">="), (Gt, ">"), (Le, "<="), (Lt, "<")):
            if isinstance(meta, kind):
                value = getattr(meta, kind.__name__.lower())
                bounds.append(f"{sign} {_default(value)}")
    args = getattr(info.annotation, "__args__", ())
    if not bounds and args and all(isinstance(a, str) for a in args):
        bounds.append(" or ".join(args))
    if not bounds and args and hasattr(args[0], "__metadata__"):  # list of constrained numbers
        item = " and ".join(_range_of(m) for m in args[0].__metadata__[0].metadata)
        bounds.append(f"{_length(info)} values, each {item}")
    return ", ".join(bounds) or "-"


def _range_of(meta: Any) -> str:
    for kind, sign in ((Ge, ">="), (Gt, ">"), (Le, "<="), (Lt, "<")):
        if isinstance(meta, kind):
            return f"{sign} {_default(getattr(meta, kind.__name__.lower()))}"
    return ""


def _length(info: FieldInfo) -> str:
    lengths = {getattr(m, "min_length", None) for m in info.metadata} - {None}
    return str(min(lengths)) if lengths else "some"


def _default(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple | list):
        return ", ".join(_default(v) for v in value)
    return str(value)


def iter_parameters(
    model: type[BaseModel] = Scenario, prefix: str = ""
) -> Iterator[dict[str, str]]:
    """Yield one record per leaf parameter of the scenario schema."""
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, Section):
            yield from iter_parameters(annotation, f"{path}.")
            continue
        if info.is_required():
            continue
        description = (info.description or "").split(" Source: ")
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        yield {
            "parameter": path,
            "default": _default(info.default),
            "unit": str(extra.get("unit") or unit_of(name)),
            "allowed": _range(info),
            "meaning": description[0],
            "source": str(extra.get("source", "-")),
        }


def parameter_table() -> str:
    """The parameters as a Markdown table."""
    lines = [
        "| parameter | default | unit | allowed | meaning | source |",
        "|---|---|---|---|---|---|",
    ]
    for p in iter_parameters():
        lines.append(
            "| "
            + " | ".join(
                p[k].replace("|", "/")
                for k in ("parameter", "default", "unit", "allowed", "meaning", "source")
            )
            + " |"
        )
    return "\n".join(lines)
