"""The levers a sales manager decides, with their ranges taken from the scenario schema.

A lever is a scenario field. Its lowest and highest values come from the schema's limits; where
the schema allows far more than a workshop needs (5,000 hunters), the slider stops at a
workshop limit instead (``WORKSHOP_MAX``), never above the schema's.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.config.schema import Scenario
from sim.roles import BY_NAME

Kind = Literal["int", "float", "bool", "choice"]

LeverField = tuple[str, str, str, float | None, float | None]


def _headcount(role: str, group: str, most: int) -> LeverField:
    """Return the headcount lever of a role, labelled with the role table's title."""
    entry = BY_NAME[role]
    return (f"organisation.{entry.headcount}", entry.title, group, most, None)


# (field, label, group, workshop maximum for numbers, slider step for floats)
LEVER_FIELDS: tuple[LeverField, ...] = (
    _headcount("hunter", "Organisation", 30),
    _headcount("generalist", "Organisation", 30),
    _headcount("specialist", "Organisation", 15),
    _headcount("account_manager", "Organisation", 10),
    ("organisation.billing_system", "Billing system", "Organisation", None, None),
    ("handoff.style", "Hand-off to the client department", "Organisation", None, None),
    ("escalation.enabled", "Specialists escalate at-risk clients", "Organisation", None, None),
    ("money.new_client_bonus_share", "New-client bonus share", "Bonuses", 0.3, 0.01),
    ("money.ongoing_bonus_share", "Ongoing bonus share", "Bonuses", 0.1, 0.005),
    ("money.project_bonus_share", "Project bonus share", "Bonuses", 0.3, 0.01),
    _headcount("writer", "Letter campaign", 5),
    ("letters.channel", "Channel", "Letter campaign", None, None),
    ("letters.letters_per_day", "Letters a day", "Letter campaign", 100, None),
    ("letters.response_prob", "Response to a letter", "Letter campaign", 0.3, 0.005),
    _headcount("vip_lead", "VIP programme", 3),
    ("vip.seconded_full_time", "Sellers seconded full-time", "VIP programme", 10, None),
    ("vip.pitch_share", "Share of meetings with a pitch", "VIP programme", None, 0.05),
)


@dataclass(frozen=True)
class Lever:
    """One control: a scenario field, its kind and range."""

    path: str
    label: str
    group: str
    kind: Kind
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""

    def read(self, scenario: Scenario) -> Any:
        """The lever's value in a scenario."""
        node: Any = scenario
        for part in self.path.split("."):
            node = getattr(node, part)
        return node


def _field(path: str) -> FieldInfo:
    model: type[BaseModel] = Scenario
    parts = path.split(".")
    for part in parts[:-1]:
        model = model.model_fields[part].annotation  # type: ignore[assignment]
    return model.model_fields[parts[-1]]


def _limits(info: FieldInfo) -> tuple[float | None, float | None]:
    low = high = None
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge | annotated_types.Gt):
            low = float(getattr(item, "ge", getattr(item, "gt", 0)))
        if isinstance(item, annotated_types.Le | annotated_types.Lt):
            high = float(getattr(item, "le", getattr(item, "lt", 0)))
    return low, high


def make_lever(
    path: str, label: str, group: str, workshop_max: float | None, step: float | None
) -> Lever:
    """A lever for a schema field (kind, range and help from the schema)."""
    info = _field(path)
    text = (info.description or "").split(" Source:")[0]
    annotation = info.annotation
    if annotation is bool:
        return Lever(path, label, group, "bool", help=text)
    if typing.get_origin(annotation) is Literal:
        return Lever(path, label, group, "choice", choices=typing.get_args(annotation), help=text)
    low, high = _limits(info)
    if workshop_max is not None:
        high = workshop_max if high is None else min(high, workshop_max)
    kind: Kind = "int" if annotation is int else "float"
    return Lever(path, label, group, kind, low or 0.0, high, step or 1.0, help=text)


LEVERS: tuple[Lever, ...] = tuple(make_lever(*spec) for spec in LEVER_FIELDS)


def settings_of(scenario: Scenario) -> dict[str, Any]:
    """Every lever's value in a scenario."""
    return {lever.path: lever.read(scenario) for lever in LEVERS}


def apply(scenario: Scenario, settings: dict[str, Any]) -> Scenario:
    """The scenario with the levers set (validated like a scenario file)."""
    data = scenario.model_dump()
    for path, value in settings.items():
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    return Scenario.model_validate(data)


def changed(base: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """The settings that differ from ``base``."""
    return {k: v for k, v in settings.items() if base.get(k) != v}
