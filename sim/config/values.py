"""Set scenario fields by dotted path, validated like a scenario file."""

from __future__ import annotations

from typing import Any

from sim.config.schema import Scenario


def with_values(scenario: Scenario, settings: dict[str, Any]) -> Scenario:
    """Return the scenario with fields set, validated like a scenario file.

    Parameters
    ----------
    scenario
        The scenario to start from; it is not changed.
    settings
        Dotted path (``clients.lapse_per_month``) to value.

    Returns
    -------
    Scenario
        A new scenario.

    Raises
    ------
    pydantic.ValidationError
        If a value is refused by the schema.
    KeyError
        If a path names no scenario section.
    """
    data = scenario.model_dump()
    for path, value in settings.items():
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    return Scenario.model_validate(data)
