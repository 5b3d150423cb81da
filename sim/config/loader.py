"""Safe YAML loading and located validation of pydantic models.

Every problem found while reading, merging, overriding or validating a
configuration document is reported as a :class:`Problem` that renders as
``FILE:LINE:COL: field.path: message``, so that a command-line tool can print
the problems of a :class:`ConfigError` and exit with status 2.

Positions are kept in a flat mapping from a *path tuple* (mapping keys as
``str``, sequence indices as ``int``) to a :class:`Location`:

* a mapping entry is located at its **key** (where the field is named),
* a sequence item is located at the start of the item,
* the document itself (the empty path) is located at line 1, column 1.

Mapping keys are always kept as the text written in the file (``1: x`` gives
the key ``"1"``, ``on: x`` gives the key ``"on"``). Only the plain data types
``dict``, ``list``, ``str``, ``int``, ``float``, ``bool`` and ``None`` are
produced; YAML timestamps are left as strings for the models to parse.
"""

from __future__ import annotations

import copy
import difflib
import os
import stat
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

__all__ = [
    "ConfigError",
    "Location",
    "PathKey",
    "Positions",
    "Problem",
    "apply_overrides",
    "load_model",
    "load_with_extends",
    "load_yaml",
    "locate",
    "set_values",
    "validate",
]

PathKey = tuple[str | int, ...]
ModelT = TypeVar("ModelT", bound=BaseModel)

DOCUMENT_LABEL = "<document>"
EXTENDS_KEY = "extends"
MAX_NESTING = 100
MAX_LISTED_FIELDS = 12

_YAML_TAG = "tag:yaml.org,2002:"
_CONSTRUCTED_TAGS = frozenset(_YAML_TAG + name for name in ("null", "bool", "int", "float"))
_MERGE_TAG = _YAML_TAG + "merge"
_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()


@dataclass(frozen=True)
class Location:
    """Position of a value in a configuration source.

    Attributes
    ----------
    file : str
        Name of the file, or a ``--set '...'`` label for command-line overrides.
    line : int
        1-based line number.
    col : int
        1-based column number.
    """

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        """Return ``FILE:LINE:COL``."""
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Problem:
    """One located configuration problem.

    Attributes
    ----------
    location : Location or None
        Where the problem is, if known.
    path : str
        Dotted path of the offending field (list indices as numbers), or an
        empty string for the document as a whole.
    message : str
        Human-readable description of the problem.
    """

    location: Location | None
    path: str
    message: str

    def __str__(self) -> str:
        """Return ``FILE:LINE:COL: path: message``."""
        prefix = f"{self.location}: " if self.location is not None else ""
        return f"{prefix}{self.path or DOCUMENT_LABEL}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        """Return a key ordering problems by file, line, column and path."""
        loc = self.location
        if loc is None:
            return ("", 0, 0, self.path)
        return (loc.file, loc.line, loc.col, self.path)


class ConfigError(Exception):
    """Invalid configuration; carries every problem found.

    Parameters
    ----------
    problems : sequence of Problem
        The problems, in reporting order.

    Attributes
    ----------
    problems : list of Problem
        The problems, in reporting order.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        """Return one problem per line."""
        return "\n".join(str(problem) for problem in self.problems)


Positions = dict[PathKey, Location]


def _fail(location: Location | None, path: str, message: str) -> ConfigError:
    """Build a ``ConfigError`` holding a single problem."""
    return ConfigError([Problem(location, path, message)])


def _dotted(path: Sequence[str | int]) -> str:
    """Join path parts with dots."""
    return ".".join(str(part) for part in path)


# ---------------------------------------------------------------------------
# YAML parsing
# ---------------------------------------------------------------------------


class _RejectedYAML(yaml.MarkedYAMLError):
    """A YAML feature that the safe loader refuses, with its mark."""

    def __init__(self, problem: str, mark: yaml.Mark) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class _StrictComposer(yaml.SafeLoader):
    """Compose YAML nodes, refusing tags, anchors, aliases and deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        """Check the next node event, then compose it as usual."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _RejectedYAML(
                f"aliases are not allowed (found '*{event.anchor}')", event.start_mark
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _RejectedYAML(f"anchors are not allowed (found '&{anchor}')", event.start_mark)
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise _RejectedYAML(f"explicit tags are not allowed (found '{tag}')", event.start_mark)
        if self._depth >= MAX_NESTING:
            raise _RejectedYAML(
                f"document is nested too deeply (more than {MAX_NESTING} levels)",
                event.start_mark,
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _text_location(text: str, index: int, file: str) -> Location:
    """Convert a character offset into a 1-based location."""
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return Location(file, line, col)


def _yaml_error_message(exc: yaml.MarkedYAMLError, locate: Callable[[yaml.Mark], Location]) -> str:
    """Describe a PyYAML error in one line, placing marks with ``locate``."""
    problem = exc.problem or "invalid YAML"
    if exc.context and exc.context_mark is not None:
        where = locate(exc.context_mark)
        return f"{exc.context} (line {where.line}, column {where.col}): {problem}"
    if exc.context:
        return f"{exc.context}: {problem}"
    return problem


def _compose(text: str, file: str, col_offset: int = 0) -> yaml.Node | None:
    """Compose a single YAML document into a node tree.

    Parameters
    ----------
    text : str
        The YAML source.
    file : str
        Name used in locations.
    col_offset : int
        Added to reported columns on the first line.

    Returns
    -------
    yaml.Node or None
        The root node, or ``None`` for an empty document.

    Raises
    ------
    ConfigError
        If the text is not valid YAML or uses a refused feature.
    """

    def shift(line: int, col: int) -> Location:
        return Location(file, line, col + (col_offset if line == 1 else 0))

    def locate(mark: yaml.Mark) -> Location:
        return shift(mark.line + 1, mark.column + 1)

    loader: _StrictComposer | None = None
    try:
        loader = _StrictComposer(text)
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = locate(mark) if mark is not None else shift(1, 1)
        raise _fail(location, "", _yaml_error_message(exc, locate)) from None
    except yaml.reader.ReaderError as exc:
        base = _text_location(text, exc.position, file)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = f"unacceptable character #x{code:04x}: {exc.reason}"
        raise _fail(shift(base.line, base.col), "", message) from None
    except yaml.YAMLError as exc:
        raise _fail(shift(1, 1), "", f"invalid YAML: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _mark_location(file: str, mark: yaml.Mark) -> Location:
    """Convert a 0-based PyYAML mark into a 1-based location."""
    return Location(file, mark.line + 1, mark.column + 1)


def _scalar_value(node: yaml.ScalarNode) -> Any:
    """Convert a scalar node to ``None``, ``bool``, ``int``, ``float`` or ``str``."""
    if node.tag in _CONSTRUCTED_TAGS:
        constructor = _SCALAR_CONSTRUCTOR.yaml_constructors[node.tag]
        return constructor(_SCALAR_CONSTRUCTOR, node)
    return node.value


class _NodeConverter:
    """Convert a node tree to plain data, recording positions and problems."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.positions: Positions = {}
        self.problems: list[Problem] = []

    def convert(self, node: yaml.Node, path: PathKey) -> Any:
        """Return the plain value of ``node`` found at ``path``."""
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node, path)
        return _scalar_value(node)

    def _sequence(self, node: yaml.SequenceNode, path: PathKey) -> list[Any]:
        """Convert a sequence node."""
        items = []
        for index, child in enumerate(node.value):
            self.positions[(*path, index)] = _mark_location(self.file, child.start_mark)
            items.append(self.convert(child, (*path, index)))
        return items

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        """Convert a mapping node, refusing complex, merge and duplicate keys."""
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            location = _mark_location(self.file, key_node.start_mark)
            key = self._key(key_node, location, path)
            if key is None:
                continue
            child = (*path, key)
            if key in result:
                first = self.positions[child]
                message = f"duplicate key '{key}' (first defined at line {first.line})"
                self.problems.append(Problem(location, _dotted(child), message))
                continue
            self.positions[child] = location
            result[key] = self.convert(value_node, child)
        return result

    def _key(self, node: yaml.Node, location: Location, path: PathKey) -> str | None:
        """Return the text of a mapping key, or record why it is refused."""
        if not isinstance(node, yaml.ScalarNode):
            message = "mapping keys must be plain scalars"
        elif node.tag == _MERGE_TAG:
            message = "merge keys ('<<') are not supported"
        else:
            return node.value
        self.problems.append(Problem(location, _dotted(path), message))
        return None


def _convert(node: yaml.Node, file: str) -> tuple[Any, Positions]:
    """Convert a node tree to plain data and its positions.

    Raises
    ------
    ConfigError
        If a mapping has complex, merge or duplicate keys.
    """
    converter = _NodeConverter(file)
    value = converter.convert(node, ())
    if converter.problems:
        raise ConfigError(converter.problems)
    return value, converter.positions


def _read_text(path: Path, max_bytes: int) -> str:
    """Read a UTF-8 file of at most ``max_bytes`` bytes.

    Raises
    ------
    ConfigError
        If the file is missing, not a regular file, unreadable, too large or
        not valid UTF-8.
    """
    file = str(path)
    start = Location(file, 1, 1)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise _fail(start, "", "is a directory, expected a YAML file")
        if not stat.S_ISREG(info.st_mode):
            raise _fail(start, "", "is not a regular file")
        if info.st_size > max_bytes:
            message = f"file is too large ({info.st_size} bytes; the limit is {max_bytes})"
            raise _fail(start, "", message)
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise _fail(start, "", "file not found") from None
    except PermissionError:
        raise _fail(start, "", "permission denied") from None
    except OSError as exc:
        raise _fail(start, "", f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise _fail(start, "", f"file is too large (more than {max_bytes} bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})"
        raise _fail(Location(file, line, col), "", message) from None


def load_yaml(path: str | Path, *, max_bytes: int = 1_000_000) -> tuple[dict[str, Any], Positions]:
    """Load a YAML mapping safely, with the position of every value.

    Parameters
    ----------
    path : str or Path
        The file to read; its string form is used as ``Location.file``.
    max_bytes : int, optional
        Refuse files larger than this.

    Returns
    -------
    data : dict
        The document as plain Python data.
    positions : dict
        Location of each path: mapping entries at their key, sequence items at
        the item start, and the document (``()``) at line 1, column 1.

    Raises
    ------
    ConfigError
        If the file cannot be read, is too large, is not valid YAML, uses tags,
        anchors or aliases, has duplicate keys or is not a mapping.
    """
    path = Path(path)
    file = str(path)
    node = _compose(_read_text(path, max_bytes), file)
    start = Location(file, 1, 1)
    if node is None:
        raise _fail(start, "", "document is empty, expected a mapping")
    if not isinstance(node, yaml.MappingNode):
        kind = "a sequence" if isinstance(node, yaml.SequenceNode) else "a scalar"
        found = _mark_location(file, node.start_mark)
        raise _fail(found, "", f"top level must be a mapping, found {kind}")
    data, positions = _convert(node, file)
    positions[()] = start
    return data, positions


# ---------------------------------------------------------------------------
# extends
# ---------------------------------------------------------------------------


def _without_subtree(positions: Positions, prefix: PathKey) -> Positions:
    """Return ``positions`` without ``prefix`` and the paths below it."""
    size = len(prefix)
    return {path: loc for path, loc in positions.items() if path[:size] != prefix}


def _merge(
    base: dict[str, Any],
    override: dict[str, Any],
    base_positions: Positions,
    prefix: PathKey = (),
) -> tuple[dict[str, Any], Positions]:
    """Deep-merge ``override`` onto ``base``; drop positions of replaced values.

    Returns
    -------
    merged : dict
        Mappings merged key by key; any other override value replaces.
    positions : dict
        ``base_positions`` without the paths whose value was replaced.
    """
    merged = dict(base)
    for key, value in override.items():
        path = (*prefix, key)
        old = merged.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            merged[key], base_positions = _merge(old, value, base_positions, path)
        else:
            base_positions = _without_subtree(base_positions, path)
            merged[key] = value
    return merged, base_positions


def _extends_target(data: dict[str, Any], positions: Positions, path: Path) -> Path | None:
    """Return the file named by the ``extends`` key, if any."""
    if EXTENDS_KEY not in data:
        return None
    value = data[EXTENDS_KEY]
    if not isinstance(value, str) or not value.strip():
        location = positions.get((EXTENDS_KEY,))
        raise _fail(location, EXTENDS_KEY, "must be the path of a YAML file")
    return path.parent / value.strip()


def _load_chain(
    path: Path, chain: tuple[tuple[Path, str], ...], max_depth: int
) -> tuple[dict[str, Any], Positions]:
    """Load ``path`` and, recursively, the files it extends.

    ``chain`` holds the resolved and displayed names of the files being
    loaded, outermost first, ``path`` included.
    """
    data, positions = load_yaml(path)
    target = _extends_target(data, positions, path)
    if target is None:
        return data, positions
    here = positions[(EXTENDS_KEY,)]
    resolved = target.resolve()
    seen = [real for real, _ in chain]
    if resolved in seen:
        names = [shown for _, shown in chain[seen.index(resolved) :]]
        raise _fail(here, EXTENDS_KEY, f"extends cycle: {' -> '.join([*names, str(target)])}")
    if len(chain) > max_depth:
        raise _fail(here, EXTENDS_KEY, f"too many levels of extends (the limit is {max_depth})")
    if not target.is_file():
        raise _fail(here, EXTENDS_KEY, f"cannot extend '{target}': file not found")
    base, base_positions = _load_chain(target, (*chain, (resolved, str(target))), max_depth)
    del data[EXTENDS_KEY]
    del positions[(EXTENDS_KEY,)]
    merged, kept = _merge(base, data, base_positions)
    return merged, {**kept, **positions}


def load_with_extends(path: str | Path, *, max_depth: int = 10) -> tuple[dict[str, Any], Positions]:
    """Load a YAML mapping, resolving a top-level ``extends: base.yaml``.

    The base file (relative to the extending file's folder) is loaded
    recursively, then the extending document is deep-merged onto it: mappings
    merge key by key, anything else replaces. Each path keeps the location
    from the file that supplied it; a mapping present in both files is located
    in the extending file. The ``extends`` key is removed.

    Parameters
    ----------
    path : str or Path
        The file to load.
    max_depth : int, optional
        Maximum number of ``extends`` levels.

    Returns
    -------
    data : dict
        The merged document.
    positions : dict
        Location of each path of the merged document.

    Raises
    ------
    ConfigError
        If any file fails to load, ``extends`` is not a file name, the files
        extend each other in a cycle or there are too many levels.
    """
    path = Path(path)
    return _load_chain(path, ((path.resolve(), str(path)),), max_depth)


# ---------------------------------------------------------------------------
# --set overrides
# ---------------------------------------------------------------------------


def _override_location(override: str, col: int = 1) -> Location:
    """Return the location of column ``col`` of a ``--set`` override."""
    return Location(f"--set '{override}'", 1, col)


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
    if "=" not in override:
        raise _fail(
            _override_location(override),
            "",
            f"invalid override '{override}': expected PATH=VALUE, e.g. a.b.c=4",
        )
    key_text, value_text = override.split("=", 1)
    parts = [part.strip() for part in key_text.strip().split(".")]
    if not all(parts):
        message = f"invalid override '{override}': the path before '=' has an empty part"
        raise _fail(_override_location(override), key_text.strip(), message)
    col = len(key_text) + 2
    file = _override_location(override).file
    node = _compose(value_text, file, col_offset=col - 1)
    value = None if node is None else _convert(node, file)[0]
    return parts, value, _override_location(override, col)


def _child_key(
    container: Any, part: str, path: PathKey, override: str, where: Location
) -> str | int:
    """Return the key or index selecting ``part`` in ``container``."""
    if isinstance(container, dict):
        return part
    if not isinstance(container, list):
        kind = type(container).__name__
        message = f"cannot apply '{override}': '{_dotted(path)}' is a {kind}, not a mapping"
        raise _fail(where, _dotted(path), message)
    if not part.isdigit() or int(part) >= len(container):
        message = f"cannot apply '{override}': no item {part} in a list of {len(container)}"
        raise _fail(where, _dotted((*path, part)), message)
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
    container: Any = data
    path: PathKey = ()
    for part in parts[:-1]:
        key = _child_key(container, part, path, label, where)
        if isinstance(container, dict) and key not in container:
            container[key] = {}
            positions[(*path, key)] = location
        container = container[key]
        path = (*path, key)
    key = _child_key(container, parts[-1], path, label, where)
    container[key] = value
    path = (*path, key)
    positions = _without_subtree(positions, path)
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

    Like :func:`apply_overrides`, but each value is already parsed and is located where it was
    written, so that a problem with it points there.

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
    for dotted, value, location in values:
        parts = [part.strip() for part in dotted.split(".")]
        if not all(parts):
            problems.append(Problem(location, dotted, "the field path has an empty part"))
            continue
        try:
            positions = _set_value(data, positions, parts, value, location, dotted)
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
    ``None``). Missing intermediate mappings are created; list items are
    selected by index. Overridden paths are located at the override, in a
    pseudo file named ``--set 'PATH=VALUE'``, at the column of the value.

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


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------


def _has_child(node: Any, part: str | int) -> bool:
    """Return whether ``node`` is a mapping or list holding ``part``."""
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _data_path(data: Any, loc: Sequence[str | int]) -> PathKey:
    """Map a pydantic error location onto a path of the input data.

    Parts naming nothing in the data (union members, validator tags) are
    skipped, except a final key missing from a mapping.
    """
    node = data
    path: list[str | int] = []
    for position, part in enumerate(loc):
        if _has_child(node, part):
            node = node[part]
        elif isinstance(node, dict) and position == len(loc) - 1:
            node = None
        else:
            continue
        path.append(part)
    return tuple(path)


def locate(positions: Positions, path: PathKey, source: str) -> Location:
    """Return the location of the deepest prefix of ``path`` with a position."""
    for size in range(len(path), -1, -1):
        location = positions.get(path[:size])
        if location is not None:
            return location
    return Location(source, 1, 1)


def _unwrap(annotation: Any) -> list[Any]:
    """Split ``Annotated``, ``Optional`` and unions into their member types."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [member for arg in typing.get_args(annotation) for member in _unwrap(arg)]
    return [annotation]


def _is_model(annotation: Any) -> bool:
    """Return whether ``annotation`` is a pydantic model class."""
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _field_name(name: str, info: Any) -> str:
    """Return the name a field is written with in the input."""
    if isinstance(info.validation_alias, str):
        return info.validation_alias
    return info.alias or name


def _child_types(annotation: Any, part: str | int) -> list[Any]:
    """Return the types that may hold the value at ``part`` below ``annotation``."""
    found: list[Any] = []
    for member in _unwrap(annotation):
        origin = typing.get_origin(member)
        args = [arg for arg in typing.get_args(member) if arg is not Ellipsis]
        if _is_model(member):
            found.extend(
                info.annotation
                for name, info in member.model_fields.items()
                if part in (name, _field_name(name, info))
            )
        elif isinstance(part, int) and origin in (list, tuple, set, frozenset, Sequence):
            found.extend(args)
        elif origin in (dict, Mapping) and len(args) == 2:
            found.append(args[1])
    return found


def _allowed_fields(model_cls: type[BaseModel], path: PathKey) -> list[str]:
    """Return the field names accepted by the model(s) at ``path``."""
    annotations: list[Any] = [model_cls]
    for part in path:
        annotations = [child for ann in annotations for child in _child_types(ann, part)]
    names: list[str] = []
    for annotation in annotations:
        for member in _unwrap(annotation):
            if _is_model(member):
                names.extend(_field_name(n, i) for n, i in member.model_fields.items())
    return list(dict.fromkeys(names))


def _unknown_field_message(name: str, allowed: list[str]) -> str:
    """Describe an unknown field with a suggestion or the allowed names."""
    message = f"unknown field '{name}'"
    if not allowed:
        return message
    close = difflib.get_close_matches(name, allowed, n=1)
    if close:
        return f"{message}; did you mean '{close[0]}'?"
    listed = ", ".join(allowed[:MAX_LISTED_FIELDS])
    more = ", ..." if len(allowed) > MAX_LISTED_FIELDS else ""
    return f"{message}; allowed fields: {listed}{more}"


def _named_field(data: Any, positions: Positions, path: PathKey, message: str) -> PathKey:
    """For a check across fields, point at the field the message names first.

    Of the fields named, prefer one set by an override, then the latest in the documents.
    """
    node: Any = data
    for key in path:
        node = node[key] if isinstance(node, dict | list) else None
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
        return _unknown_field_message(str(path[-1]), _allowed_fields(model_cls, path[:-1]))
    if error["type"] == "missing":
        return "required field missing"
    value = error.get("input")
    if isinstance(value, str | int | float | bool) or value is None:
        shown = repr(value)
        if len(shown) <= 60:
            return f"{error['msg']} (got {shown})"
    return error["msg"]


def validate(
    model_cls: type[ModelT], data: dict[str, Any], positions: Positions, *, source: str
) -> ModelT:
    """Validate data against a model, reporting every error with its location.

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
    try:
        return model_cls.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            path = _data_path(data, error["loc"])
            if error["type"] == "value_error":
                path = _named_field(data, positions, path, error["msg"])
            message = _error_message(error, path, model_cls)
            problems.append(Problem(locate(positions, path, source), _dotted(path), message))
        problems.sort(key=Problem.sort_key)
        raise ConfigError(problems) from None


def load_model(model_cls: type[ModelT], path: str | Path, overrides: Sequence[str] = ()) -> ModelT:
    """Load, merge, override and validate a YAML configuration file.

    Parameters
    ----------
    model_cls : type of BaseModel
        The model to build.
    path : str or Path
        The YAML file, possibly using ``extends``.
    overrides : sequence of str, optional
        ``dotted.path=value`` overrides applied after loading.

    Returns
    -------
    BaseModel
        The validated model instance.

    Raises
    ------
    ConfigError
        With every problem found, each located.
    """
    data, positions = load_with_extends(path)
    data, positions = apply_overrides(data, positions, overrides)
    return validate(model_cls, data, positions, source=os.fspath(path))
