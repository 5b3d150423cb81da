"""``--set PATH=VALUE`` overrides and field settings written in another document.

An override names a field by its dotted path and gives a YAML flow value; it is applied to
the loaded document before validation, and its value is located in a pseudo file named
``--set 'PATH=VALUE'`` so that a problem with it points at the command line. A mapping value
is merged into the mapping it overrides key by key, as ``extends:`` merges; any other value
replaces. Mappings that the documents do not write are created as :class:`Unwritten`, which
validation reads against the model's defaults (see :mod:`sim.config.validation`).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from typing import Any

from sim.config.extends import merge, without_subtree
from sim.config.problems import (
    MAX_SHOWN_TEXT,
    ConfigError,
    Location,
    PathKey,
    Positions,
    Problem,
    dotted,
    fail,
    fail_whole,
    items_text,
    shorten,
)
from sim.config.safe_yaml import MAX_NESTING, compose, convert

__all__ = [
    "Unwritten",
    "apply_overrides",
    "leaf_fields",
    "override_fields",
    "set_values",
]


def _override_location(override: str, col: int = 1) -> Location:
    """Return the location of column ``col`` of a ``--set`` override (a long one shortened)."""
    return Location(f"--set '{shorten(override, 2 * MAX_SHOWN_TEXT)}'", 1, col)


def _path_problem(parts: Sequence[str]) -> str | None:
    """Return why a dotted field path cannot name a field, or ``None`` if it can."""
    if len(parts) > MAX_NESTING:
        return f"the path has {len(parts)} parts (at most {MAX_NESTING})"
    if not all(part.isprintable() for part in parts):
        return "the path has a character that cannot be printed"
    return None


def _parse_override(override: str) -> tuple[list[str], Any, Location]:
    """Split ``PATH=VALUE`` and parse the value as YAML.

    Returns
    -------
    parts : list of str
        The dotted path, split.
    value : Any
        The parsed value.
    location : Location
        Location of the value within the override.
    """
    shown = shorten(override, 2 * MAX_SHOWN_TEXT)
    if "=" not in override:
        raise fail_whole(
            _override_location(override).file,
            f"invalid override '{shown}': expected PATH=VALUE, e.g. a.b.c=4",
        )
    key_text, value_text = override.split("=", 1)
    parts = [part.strip() for part in key_text.strip().split(".")]
    if not all(parts):
        message = f"invalid override '{shown}': the path before '=' has an empty part"
        if not key_text.strip():
            raise fail_whole(_override_location(override).file, message)
        raise fail(_override_location(override), key_text.strip(), message)
    problem = _path_problem(parts)
    if problem is not None:
        message = f"invalid override '{shown}': {problem}"
        raise fail(_override_location(override), shorten(key_text.strip()), message)
    col = len(key_text) + 2
    file = _override_location(override).file
    node = compose(value_text, file, col_offset=col - 1)
    value = None if node is None else convert(node, file, col - 1, tuple(parts))[0]
    return parts, value, _override_location(override, col)


def leaf_fields(path: str, value: Any) -> list[str]:
    """Return the dotted fields a value set at ``path`` writes: a mapping's leaves, merged.

    Parameters
    ----------
    path : str
        Dotted path of the setting, e.g. ``organisation``.
    value : Any
        The value; a mapping is merged field by field (as ``extends:`` merges), so it writes
        its leaves, not the whole section.

    Returns
    -------
    list of str
        ``[path]`` for a plain value, else one dotted path per leaf, e.g.
        ``["organisation.hunters"]`` for ``{"hunters": 8}``.
    """
    if not isinstance(value, dict) or not value:
        return [path]
    return [leaf for key, item in value.items() for leaf in leaf_fields(f"{path}.{key}", item)]


def override_fields(override: str) -> tuple[list[str], Location]:
    """Return the dotted fields a ``--set PATH=VALUE`` override writes, and where it is written.

    Parameters
    ----------
    override : str
        The override as typed.

    Returns
    -------
    fields : list of str
        The fields it sets (a mapping value's leaves, see :func:`leaf_fields`).
    location : Location
        The override's location, its text shortened for messages.

    Raises
    ------
    ConfigError
        If the override cannot be parsed.
    """
    parts, value, _ = _parse_override(override)
    return leaf_fields(".".join(parts), value), _override_location(override)


def _child_key(
    container: Any, part: str, path: PathKey, override: str, where: Location
) -> str | int:
    """Return the key or index selecting ``part`` in ``container``."""
    if isinstance(container, dict):
        return part
    shown = shorten(override, 2 * MAX_SHOWN_TEXT)
    if not isinstance(container, list):
        kind = type(container).__name__
        message = f"cannot apply '{shown}': '{dotted(path)}' is a {kind}, not a mapping"
        raise fail(where, dotted(path), message)
    if not part.isdigit() or int(part) >= len(container):
        items = items_text(len(container))
        message = f"cannot apply '{shown}': no item {shorten(part)} in {dotted(path)}; {items}"
        raise fail(where, dotted((*path, part)), message)
    return int(part)


def _value_paths(value: Any, prefix: PathKey) -> Iterator[PathKey]:
    """Yield ``prefix`` and every path inside ``value``."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _value_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _value_paths(child, (*prefix, index))


class Unwritten(dict[str, Any]):
    """A mapping that an override created where the documents give no value.

    :func:`sim.config.validation.validate` reads it against the model's default there: item
    numbers of a default list select items of that list.
    """


def _set_value(
    data: dict[str, Any],
    positions: Positions,
    parts: Sequence[str],
    value: Any,
    location: Location,
    label: str,
    where: Location | None = None,
) -> Positions:
    """Set ``value`` at ``parts`` in place; ``label`` and ``where`` name the setting in errors."""
    where = location if where is None else where
    value = copy.deepcopy(value)
    container: Any = data
    path: PathKey = ()
    for part in parts[:-1]:
        key = _child_key(container, part, path, label, where)
        if isinstance(container, dict) and key not in container:
            container[key] = Unwritten()
            positions[(*path, key)] = location
        container = container[key]
        path = (*path, key)
    key = _child_key(container, parts[-1], path, label, where)
    old = container.get(key) if isinstance(container, dict) else container[key]
    path = (*path, key)
    if isinstance(old, dict) and isinstance(value, dict):
        container[key], positions = merge(old, value, positions, path)
    else:
        container[key] = value
        positions = without_subtree(positions, path)
    positions.update(dict.fromkeys(_value_paths(value, path), location))
    return positions


def _apply_one(data: dict[str, Any], positions: Positions, override: str) -> Positions:
    """Apply one override in place to ``data``; return the new positions."""
    parts, value, location = _parse_override(override)
    return _set_value(
        data, positions, parts, value, location, override, _override_location(override)
    )


def set_values(
    data: dict[str, Any], positions: Positions, values: Sequence[tuple[str, Any, Location]]
) -> tuple[dict[str, Any], Positions]:
    """Set ``dotted.path`` fields to values given in another document (a study file, say).

    Like :func:`apply_overrides` (a mapping value is merged, list items are selected by
    number), but each value is already parsed and is located where it was written, so that
    a problem with it points there.

    Parameters
    ----------
    data : dict
        The document; it is not modified.
    positions : dict
        Its positions; they are not modified.
    values : sequence of (str, Any, Location)
        Dotted path, value and the value's location, applied in order.

    Returns
    -------
    data : dict
        The updated document.
    positions : dict
        The updated positions.

    Raises
    ------
    ConfigError
        With one problem per path that cannot be set.
    """
    data = copy.deepcopy(data)
    positions = dict(positions)
    problems: list[Problem] = []
    for field, value, location in values:
        parts = [part.strip() for part in field.split(".")]
        if not all(parts):
            problems.append(Problem(location, field, "the field path has an empty part"))
            continue
        problem = _path_problem(parts)
        if problem is not None:
            problems.append(Problem(location, shorten(field), problem))
            continue
        try:
            positions = _set_value(data, positions, parts, value, location, field)
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return data, positions


def apply_overrides(
    data: dict[str, Any], positions: Positions, overrides: Sequence[str]
) -> tuple[dict[str, Any], Positions]:
    """Apply ``dotted.path=value`` overrides to a copy of the data.

    Each value is parsed as a YAML flow value with the safe loader (``4`` is
    an ``int``, ``true`` a ``bool``, ``[1, 2]`` a list, an empty value
    ``None``). A mapping value is merged into the mapping it overrides key by
    key, as ``extends`` merges; any other value replaces. Missing intermediate
    mappings are created; list items are selected by number, also in a list
    the documents do not write (then :func:`~sim.config.validation.validate`
    patches the field's default). Overridden paths are located at the override, in a pseudo file
    named ``--set 'PATH=VALUE'``, at the column of the value.

    Parameters
    ----------
    data : dict
        The document; it is not modified.
    positions : dict
        Its positions; they are not modified.
    overrides : sequence of str
        The overrides, applied in order.

    Returns
    -------
    data : dict
        The overridden document.
    positions : dict
        The updated positions.

    Raises
    ------
    ConfigError
        With one problem per malformed or inapplicable override.
    """
    data = copy.deepcopy(data)
    positions = dict(positions)
    problems: list[Problem] = []
    for override in overrides:
        try:
            positions = _apply_one(data, positions, override)
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ConfigError(problems)
    return data, positions
