"""The levers a sales manager decides, with their ranges taken from the scenario schema.

A lever is a scenario field. Its lowest and highest values come from the schema's limits
(read by :mod:`sim.config.fields`); where the schema allows far more than a workshop needs
(5,000 hunters), the slider stops at a workshop limit instead (the fourth entry of
``LEVER_FIELDS``), never above the schema's. A slider never offers a value the schema refuses:
at an exclusive limit (``gt``, ``lt``) it stops one step inside.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from sim.config.fields import Leaf, field_at
from sim.config.schema import MoneyConfig, Scenario
from sim.config.values import with_values
from sim.effort import PLAN
from sim.roles import BY_NAME
from sim.sources import name_sources

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
    ("effort.responsiveness", "How strongly sellers follow the plan", "Bonuses", 2, 0.1),
    ("staffing.market_pay_usd_per_month", "Market pay of a seller", "Bonuses", 10000, 100),
    ("specialists.pay_basis", "Specialists paid for", "Bonuses", None, None),
    ("specialists.pay_weight", "Specialists' variable pay share", "Bonuses", 0.5, 0.05),
    ("money.gross_margin", "Gross margin", "Money", None, 0.01),
    _headcount("writer", "Letter campaign", 5),
    ("letters.channel", "Channel", "Letter campaign", None, None),
    ("letters.letters_per_day", "Letters a day", "Letter campaign", 100, None),
    ("letters.response_prob", "Response to a letter", "Letter campaign", 0.3, 0.005),
    _headcount("vip_lead", "VIP programme", 3),
    ("vip.seconded_full_time", "Sellers seconded full-time", "VIP programme", 10, None),
    ("vip.pitch_share", "Share of meetings with a pitch", "VIP programme", None, 0.05),
)


# Units of the lever fields whose unit the schema leaves unsaid ("-"): what the number counts.
UNIT_NAMES: dict[str, str] = {
    **{f"organisation.{BY_NAME[role].headcount}": "people" for role in BY_NAME},
    "letters.letters_per_day": "letters/writer/day",
    "vip.seconded_full_time": "sellers",
}


@dataclass(frozen=True)
class Lever:
    """One control: a scenario field, its kind and range.

    Attributes
    ----------
    path : str
        Dotted path of the scenario field.
    label, group : str
        What the dashboard calls the lever, and the group it shows it in.
    kind : {"int", "float", "bool", "choice"}
        The control: a whole-number or decimal slider, a switch or a list of choices.
    low, high : float or None
        The slider's lowest and highest value, in the field's unit; both accepted by the
        schema (``None`` for a switch or a choice).
    step : float or None
        The slider's step.
    choices : tuple of str
        The values of a choice.
    help : str
        The field's meaning, from the schema.
    unit : str
        The field's unit, from the schema (``UNIT_NAMES`` where the schema has none); ``""``
        for a switch or a choice.
    """

    path: str
    label: str
    group: str
    kind: Kind
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    unit: str = ""

    def read(self, scenario: Scenario) -> Any:
        """Return the lever's value in a scenario.

        Parameters
        ----------
        scenario
            The scenario to read.

        Returns
        -------
        Any
            The value of the field at :attr:`path`.
        """
        node: Any = scenario
        for part in self.path.split("."):
            node = getattr(node, part)
        return node


def _slider_range(
    field: Leaf, workshop_max: float | None, step: float
) -> tuple[float, float | None]:
    """Return the lowest and highest value a slider offers, both accepted by the schema.

    The schema's bounds, the upper one lowered to the workshop's maximum; an exclusive bound
    (``gt``, ``lt``) is not offered: the slider starts one step above it or ends one below.
    """
    low = float(field.bounds.low or 0.0)
    high = None if field.bounds.high is None else float(field.bounds.high)
    if workshop_max is not None:
        high = workshop_max if high is None else min(high, workshop_max)
    if not field.bounds.admits(low):
        low += step
    if high is not None and not field.bounds.admits(high):
        high -= step
    return low, high


def make_lever(
    path: str,
    label: str,
    group: str,
    workshop_max: float | None,
    step: float | None,
    *,
    model: type[BaseModel] = Scenario,
) -> Lever:
    """Return a lever for a scenario field, its kind, range and help read from the schema.

    Parameters
    ----------
    path
        Dotted path of the scenario field.
    label, group
        What the dashboard calls the lever and the group it shows it in.
    workshop_max
        The highest value the slider offers if below the schema's bound; ``None`` for none.
    step
        The slider's step for a float field (default 1; an int field steps by 1).
    model
        The schema the path is read in.

    Returns
    -------
    Lever
        A ``bool`` or ``choice`` lever for a boolean or ``Literal`` field, else a number lever
        whose every offered value the schema accepts.

    Raises
    ------
    KeyError
        If ``path`` names no field of ``model``.
    """
    field = field_at(model, path)
    text = name_sources(field.meaning)  # the books by title, not as 'seed NNN'
    if field.annotation is bool:
        return Lever(path, label, group, "bool", help=text)
    if field.choices:
        return Lever(path, label, group, "choice", choices=field.choices, help=text)
    kind: Kind = "int" if field.annotation is int else "float"
    step = 1.0 if kind == "int" or step is None else step
    low, high = _slider_range(field, workshop_max, step)
    unit = field.unit if field.unit != "-" else UNIT_NAMES.get(path, "")
    return Lever(path, label, group, kind, low, high, step, help=text, unit=unit)


LEVERS: tuple[Lever, ...] = tuple(make_lever(*spec) for spec in LEVER_FIELDS)


def settings_of(scenario: Scenario) -> dict[str, Any]:
    """Return every lever's value in a scenario.

    Parameters
    ----------
    scenario
        The scenario to read.

    Returns
    -------
    dict
        Lever path to value, in the order of ``LEVERS``.
    """
    return {lever.path: lever.read(scenario) for lever in LEVERS}


def apply(scenario: Scenario, settings: dict[str, Any]) -> Scenario:
    """Return the scenario with the levers set (lever path to value), validated like a file.

    See :func:`sim.config.values.with_values`, which raises ``pydantic.ValidationError`` for a
    refused value and ``KeyError`` for a path that names no section.
    """
    return with_values(scenario, settings)


def changed(base: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """Return the settings that differ from ``base``.

    Parameters
    ----------
    base, settings
        Lever path to value.

    Returns
    -------
    dict
        The entries of ``settings`` whose value is not the one in ``base``.
    """
    return {k: v for k, v in settings.items() if base.get(k) != v}


def _reference_plan(scenario: Scenario) -> bool:
    """Return whether the bonus plan is the reference one, under which effort never moves.

    The same test as ``sim.effort.Effort``: every field of ``sim.effort.PLAN`` at the
    ``money`` defaults.
    """
    reference = MoneyConfig()
    return all(getattr(scenario.money, f) == getattr(reference, f) for f in PLAN)


@dataclass(frozen=True)
class Needs:
    """Levers that cannot act unless a condition holds, and why (shown beside the lever).

    Attributes
    ----------
    paths : tuple of str
        The levers (dotted scenario paths) that depend on the condition.
    reason : str
        What they need, in a few words ("needs a VIP-programme lead").
    holds : callable
        Scenario -> bool: whether the condition holds in a scenario (levers applied).
    """

    paths: tuple[str, ...]
    reason: str
    holds: Callable[[Scenario], bool]


def _org(s: Scenario) -> Any:
    return s.organisation


# Every lever whose field the model reads only when another lever has a value; the first
# unmet need of a lever is the reason shown. Where each is read:
# VIP leads run the pass (sim.agents.vip_lead); letter writers send (sim.agents.letter_writer)
# and the letter fields count only on the letter channel (``LettersConfig.per_day``,
# ``reply_prob``); the billing system, the escalation and the specialists' pay act on
# specialists (``spec_cap`` in sim.model, ``Escalation.on``, ``pay_basis_by_seat``); a hand-off
# needs a hunter to hand off and a specialist to take the client (``Handoff.possible``); the
# pay basis acts only with a variable share (``sim.economics.pay_basis_multipliers``); effort
# moves only for hunting sellers under another plan than the reference (``sim.effort``);
# bonuses are paid only to the sellers who own clients (``sim.bonuses``).
NEEDS: tuple[Needs, ...] = (
    Needs(
        ("vip.seconded_full_time", "vip.pitch_share"),
        "needs a VIP-programme lead",
        lambda s: _org(s).vip_leads > 0,
    ),
    Needs(
        ("letters.channel", "letters.letters_per_day", "letters.response_prob"),
        "needs a letter writer",
        lambda s: _org(s).letter_writers > 0,
    ),
    Needs(
        ("letters.letters_per_day", "letters.response_prob"),
        "acts on the letter channel only",
        lambda s: s.letters.channel == "letter",
    ),
    Needs(
        (
            "organisation.billing_system",
            "handoff.style",
            "escalation.enabled",
            "specialists.pay_basis",
            "specialists.pay_weight",
        ),
        "needs a client-department specialist",
        lambda s: _org(s).specialists > 0,
    ),
    Needs(
        ("handoff.style",),
        "needs a hunter to hand clients off",
        lambda s: _org(s).hunters > 0,
    ),
    Needs(
        ("specialists.pay_basis",),
        "needs a variable pay share above 0",
        lambda s: s.specialists.pay_weight > 0,
    ),
    Needs(
        ("money.new_client_bonus_share", "money.ongoing_bonus_share", "money.project_bonus_share"),
        "needs a seller: a hunter, generalist rep or account manager",
        lambda s: _org(s).hunters + _org(s).generalists + _org(s).account_managers > 0,
    ),
    Needs(
        ("effort.responsiveness",),
        "needs a hunter or a generalist rep",
        lambda s: _org(s).hunters + _org(s).generalists > 0,
    ),
    Needs(
        ("effort.responsiveness",),
        "acts once a bonus share differs from the reference plan",
        lambda s: not _reference_plan(s),
    ),
)


def idle(scenario: Scenario) -> dict[str, str]:
    """Return the levers that cannot act in a scenario, each with the first need unmet.

    Parameters
    ----------
    scenario
        The scenario with the levers applied (``apply``).

    Returns
    -------
    dict
        Lever path to the reason it cannot act (``Needs.reason``); a lever that can act is
        not in it.
    """
    out: dict[str, str] = {}
    for need in NEEDS:
        if not need.holds(scenario):
            for path in need.paths:
                out.setdefault(path, need.reason)
    return out
