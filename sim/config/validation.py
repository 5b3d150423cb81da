"""Validation of a configuration document with located errors.

The document's plain data is validated by a pydantic model; each pydantic error is mapped
back onto the path of the input data and located with the document's positions, so that it
renders as ``FILE:LINE:COL: field.path: message``. An unknown field gets a suggestion (the
closest allowed name) or the list of allowed names; a check across fields points at the field
its message names first. Fields that an override created where the documents write nothing
(:class:`sim.config.overrides.Unwritten`) are read against the model's defaults first.
Schema introspection is :mod:`sim.config.fields`.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ValidationError

from sim.config.extends import merge
from sim.config.fields import allowed_fields, default_child, plain, removed_field
from sim.config.overrides import Unwritten
from sim.config.problems import (
    MAX_SHOWN_PROBLEMS,
    ConfigError,
    PathKey,
    Positions,
    Problem,
    dotted,
    items_text,
    locate,
    shorten,
)

__all__ = ["MAX_LISTED_FIELDS", "ModelT", "validate"]

ModelT = TypeVar("ModelT", bound=BaseModel)
MAX_LISTED_FIELDS = 12


def _has_child(node: Any, part: str | int) -> bool:
    """Return whether ``node`` is a mapping or list holding ``part``."""
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _data_path(data: Any, loc: Sequence[str | int], missing: bool = False) -> PathKey:
    """Map a pydantic error location onto a path of the input data.

    Parts naming nothing in the data (union members, validator tags) are
    skipped, except, for a ``missing`` error, the final key missing from a mapping.
    """
    node = data
    path: list[str | int] = []
    for position, part in enumerate(loc):
        if _has_child(node, part):
            node = node[part]
        elif missing and isinstance(node, dict) and position == len(loc) - 1:
            node = None
        else:
            continue
        path.append(part)
    return tuple(path)


def _is_union_branch(data: Any, loc: Sequence[str | int]) -> PathKey | None:
    """Return the data path of a union whose member ``loc`` names (its tag), else ``None``."""
    node = data
    for position, part in enumerate(loc):
        if not _has_child(node, part):
            return tuple(loc[:position]) if isinstance(part, str) else None
        node = node[part]
    return None


def _without_union_noise(errors: list[Any], data: Any) -> list[Any]:
    """Drop the "not a string" of the union members a value plainly is not.

    A study's scenario is a file name or an entry (``str | ScenarioEntry``): an entry with a
    bad label fails both, and only the entry's own problem helps. A member's type mismatch
    is dropped when another error of the same value remains.
    """
    mismatch = {i for i, e in enumerate(errors) if str(e["type"]).endswith("_type")}
    unions = {i: _is_union_branch(data, e["loc"]) for i, e in enumerate(errors)}
    kept = []
    for i, error in enumerate(errors):
        at = unions[i]
        if i in mismatch and at is not None and len(error["loc"]) == len(at) + 1:
            deeper = [  # an error inside another member: the value has that member's shape
                e
                for e in errors
                if len(e["loc"]) > len(at) + 1 and tuple(e["loc"][: len(at)]) == at
            ]
            if deeper:
                continue
        kept.append(error)
    return kept


def _unknown_field_message(name: str, allowed: list[str]) -> str:
    """Describe an unknown field with a suggestion or the allowed names."""
    message = f"unknown field '{shorten(name)}'"
    if not allowed:
        return message
    close = difflib.get_close_matches(name, allowed, n=1)
    if close:
        return f"{message}; did you mean '{close[0]}'?"
    listed = ", ".join(allowed[:MAX_LISTED_FIELDS])
    more = ", ..." if len(allowed) > MAX_LISTED_FIELDS else ""
    return f"{message}; allowed fields: {listed}{more}"


def _section_message(value: Any, allowed: list[str], optional: bool) -> str:
    """Describe a section given something else than a mapping (null, a number, a list)."""
    if value is None:
        got = "null"
    elif isinstance(value, list | dict):
        got = "a list" if isinstance(value, list) else "a mapping"
    else:
        got = shorten(repr(value))
    listed = ", ".join(allowed[:MAX_LISTED_FIELDS])
    more = ", ..." if len(allowed) > MAX_LISTED_FIELDS else ""
    fields = f" ({listed}{more})" if allowed else ""
    tail = "; leave it out for the defaults" if optional else ""
    return f"expected a section of fields{fields}, got {got}{tail}"


def _named_field(data: Any, positions: Positions, path: PathKey, message: str) -> PathKey:
    """For a check across fields, point at the field the message names first.

    Of the fields named, prefer one set by an override, then the latest in the documents.
    """
    node: Any = data
    for key in path:
        node = cast(Any, node)[key] if isinstance(node, dict | list) else None
    if not isinstance(node, dict):
        return path
    named = [(*path, key) for key in node if f"{key} " in f"{message} " or f"{key}," in message]
    located = [p for p in named if p in positions]
    if not located:
        return path
    return max(located, key=lambda p: (positions[p].file.startswith("--set"), positions[p].line))


def _error_message(error: Any, path: PathKey, model_cls: type[BaseModel]) -> str:
    """Turn one pydantic error into a message."""
    if error["type"] == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden" and path:
        removed = removed_field(model_cls, path[:-1], str(path[-1]))
        if removed is not None:
            return f"field '{shorten(str(path[-1]))}' was removed: {removed}"
        return _unknown_field_message(str(path[-1]), allowed_fields(model_cls, path[:-1]))
    if error["type"] == "missing":
        return "required field missing"
    value = error.get("input")
    if error["type"] in ("model_type", "model_attributes_type", "dict_type"):
        optional = bool(path) and isinstance(path[-1], str)  # a list item is not left out
        return _section_message(value, allowed_fields(model_cls, path), optional)
    if isinstance(value, str | int | float | bool) or value is None:
        shown = repr(value)
        if len(shown) <= 60:
            return f"{error['msg']} (got {shown})"
    return error["msg"]


class _DefaultsReader:
    """Turn the mappings that overrides created into the model's default values, patched."""

    def __init__(self, positions: Positions, source: str) -> None:
        self.positions = positions
        self.source = source
        self.renames: list[tuple[PathKey, PathKey]] = []
        self.problems: list[Problem] = []

    def read(self, value: Any, default: Any, path: PathKey) -> Any:
        """Return ``value`` (found at ``path``) with every created mapping read."""
        if isinstance(value, Unwritten) and isinstance(default, list | tuple):
            return self._patch_list(value, default, path)
        if isinstance(value, dict):
            read = {
                key: self.read(child, default_child(default, key), (*path, key))
                for key, child in value.items()
            }
            if isinstance(value, Unwritten) and isinstance(default, BaseModel | dict):
                return merge(plain(default), read, {})[0]
            return read
        if isinstance(value, list):
            return [
                self.read(child, default_child(default, index), (*path, index))
                for index, child in enumerate(value)
            ]
        return value

    def _patch_list(
        self, value: dict[str, Any], default: Sequence[Any], path: PathKey
    ) -> list[Any]:
        """Return the default list with the items that ``value`` names replaced."""
        items = [plain(item) for item in default]
        for key, child in value.items():
            if not key.isdigit() or int(key) >= len(items):
                location = locate(self.positions, (*path, key), self.source)
                shown = items_text(len(items), "its default list")
                message = f"no item {shorten(key)} in {dotted(path)}; {shown}"
                self.problems.append(Problem(location, dotted((*path, key)), message))
                continue
            index = int(key)
            self.renames.append(((*path, key), (*path, index)))
            items[index] = self.read(child, default[index], (*path, index))
        return items

    def moved(self, positions: Positions) -> Positions:
        """Return ``positions`` with the paths of list items given as item numbers."""
        for old, new in self.renames:
            size = len(old)
            positions = {
                (*new, *path[size:]) if path[:size] == old else path: location
                for path, location in positions.items()
            }
        return positions


def validate(
    model_cls: type[ModelT], data: dict[str, Any], positions: Positions, *, source: str
) -> ModelT:
    """Validate data against a model, reporting every error with its location.

    Where an override named fields that the documents do not write, it is read
    against the field's default: ``a.list.1=3`` gives the default list with item 1
    replaced, and the fields named below a default mapping or model are merged into it.

    Parameters
    ----------
    model_cls : type of BaseModel
        The model to build.
    data : dict
        The document.
    positions : dict
        Location of each path of the document.
    source : str
        File name used for errors that have no better location.

    Returns
    -------
    BaseModel
        The validated model instance.

    Raises
    ------
    ConfigError
        With one problem per validation error, sorted by file and line.
    """
    reader = _DefaultsReader(positions, source)
    data = reader.read(data, model_cls, ())
    if reader.problems:
        raise ConfigError(sorted(reader.problems, key=Problem.sort_key))
    positions = reader.moved(positions)
    try:
        return model_cls.model_validate(data)
    except ValidationError as exc:
        found = []
        for error in _without_union_noise(exc.errors(), data):
            path = _data_path(data, error["loc"], missing=error["type"] == "missing")
            if error["type"] == "value_error":
                path = _named_field(data, positions, path, error["msg"])
            found.append((Problem(locate(positions, path, source), dotted(path), ""), path, error))
        found.sort(key=lambda item: item[0].sort_key())
        # Only the problems that will be shown get a full (slower) message.
        problems = [
            replace(
                problem,
                message=_error_message(error, path, model_cls)
                if rank < MAX_SHOWN_PROBLEMS
                else str(error["msg"]),
            )
            for rank, (problem, path, error) in enumerate(found)
        ]
        raise ConfigError(problems) from None
