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

Numbers are read as the YAML 1.2 core schema reads them: ``010`` is ten, ``1e3``
is a thousand, ``0x1F`` and ``0o17`` are hexadecimal and octal; the YAML 1.1
forms ``1:30`` (base 60), ``1_000`` and ``0b101`` are text. A number too large
for a float, or with more than :data:`MAX_NUMBER_LENGTH` characters, is refused
with its location. Booleans keep the YAML 1.1 words (``yes``/``no``/``on``/
``off`` as well as ``true``/``false``), so that a text field given ``no`` is
refused by the model rather than read as the text ``"no"``.

The work is bounded: a document may hold at most :data:`MAX_VALUES` values
(scalars, lists and mappings) and :data:`MAX_NESTING` levels, and a
:class:`ConfigError` shows at most :data:`MAX_SHOWN_PROBLEMS` problems.
"""

from __future__ import annotations

import copy
import difflib
import errno
import math
import os
import re
import stat
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
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
    "dump_yaml",
    "load_model",
    "load_with_extends",
    "load_yaml",
    "locate",
    "override_fields",
    "set_values",
    "validate",
]

PathKey = tuple[str | int, ...]
ModelT = TypeVar("ModelT", bound=BaseModel)

DOCUMENT_LABEL = "<document>"
EXTENDS_KEY = "extends"
MAX_BYTES = 1_000_000
MAX_NESTING = 100
MAX_VALUES = 20_000
MAX_NUMBER_LENGTH = 100
MAX_SHOWN_PROBLEMS = 20
MAX_SHOWN_TEXT = 60
MAX_LISTED_FIELDS = 12

_YAML_TAG = "tag:yaml.org,2002:"
_NULL_TAG = _YAML_TAG + "null"
_BOOL_TAG = _YAML_TAG + "bool"
_INT_TAG = _YAML_TAG + "int"
_FLOAT_TAG = _YAML_TAG + "float"
_MERGE_TAG = _YAML_TAG + "merge"
_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The YAML 1.2 core schema's integers and floats (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
_INT_12 = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT_12 = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


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
        """Return ``FILE:LINE:COL: path: message``, a very long path shortened."""
        prefix = f"{self.location}: " if self.location is not None else ""
        path = _shorten(self.path, 4 * MAX_SHOWN_TEXT) if self.path else DOCUMENT_LABEL
        return f"{prefix}{path}: {self.message}"

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
        """Return one problem per line, the first :data:`MAX_SHOWN_PROBLEMS` of them."""
        lines = [str(problem) for problem in self.problems[:MAX_SHOWN_PROBLEMS]]
        more = len(self.problems) - MAX_SHOWN_PROBLEMS
        if more > 0:
            lines.append(f"... and {more} more problem{'s' if more > 1 else ''}")
        return "\n".join(lines)


Positions = dict[PathKey, Location]


def _fail(location: Location | None, path: str, message: str) -> ConfigError:
    """Build a ``ConfigError`` holding a single problem."""
    return ConfigError([Problem(location, path, message)])


def _dotted(path: Sequence[str | int]) -> str:
    """Join path parts with dots."""
    return ".".join(str(part) for part in path)


def _shorten(text: str, limit: int = MAX_SHOWN_TEXT) -> str:
    """Return ``text`` for a message: control characters escaped, cut to ``limit`` characters."""
    shown = _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text[:limit])
    if len(text) <= limit:
        return shown
    return f"{shown}... ({len(text)} characters)"


# ---------------------------------------------------------------------------
# YAML parsing
# ---------------------------------------------------------------------------


class _RejectedYAML(yaml.MarkedYAMLError):
    """A YAML feature that the safe loader refuses, with its mark."""

    def __init__(self, problem: str, mark: yaml.Mark) -> None:
        super().__init__(problem=problem, problem_mark=mark)


def _core_schema_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    """Return the safe loader's implicit resolvers with YAML 1.2 numbers instead of 1.1."""
    resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {
        first: [(tag, regexp) for tag, regexp in entries if tag not in (_INT_TAG, _FLOAT_TAG)]
        for first, entries in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    for first in "-+0123456789":
        resolvers.setdefault(first, []).append((_INT_TAG, _INT_12))
    for first in "-+.0123456789":
        resolvers.setdefault(first, []).append((_FLOAT_TAG, _FLOAT_12))
    return resolvers


class _StrictComposer(yaml.SafeLoader):
    """Compose YAML nodes, refusing tags, anchors, aliases, deep nesting and too many values.

    Plain scalars are resolved with the YAML 1.2 core schema's numbers.
    """

    yaml_implicit_resolvers = _core_schema_resolvers()

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._values = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        """Check the next node event, then compose it as usual."""
        event = self.peek_event()
        self._values += 1
        if self._values > MAX_VALUES:
            raise _RejectedYAML(
                f"too many values in one document (the limit is {MAX_VALUES}: "
                "scalars, lists and mappings, keys included)",
                event.start_mark,
            )
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


def _number(text: str, tag: str) -> int | float:
    """Convert a YAML 1.2 core-schema number.

    Raises
    ------
    ValueError
        If the number is too long or too large for a float.
    """
    if len(text) > MAX_NUMBER_LENGTH:
        raise ValueError(
            f"number is too long ({len(text)} characters; at most {MAX_NUMBER_LENGTH} are read)"
        )
    if tag == _INT_TAG:
        if text.startswith(("0x", "0o")):
            return int(text[2:], 16 if text[1] == "x" else 8)
        return int(text)
    lowered = text.lower()
    if lowered.lstrip("+-") in (".inf", ".nan"):
        return float(lowered.replace(".", ""))
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"number is too large: {text} (the largest is about 1.8e308)")
    return number


def _scalar_value(node: yaml.ScalarNode) -> Any:
    """Convert a scalar node to ``None``, ``bool``, ``int``, ``float`` or ``str``.

    Raises
    ------
    ValueError
        If a number is too long or too large.
    """
    if node.tag in (_INT_TAG, _FLOAT_TAG):
        return _number(node.value, node.tag)
    if node.tag in (_NULL_TAG, _BOOL_TAG):
        constructor = _SCALAR_CONSTRUCTOR.yaml_constructors[node.tag]
        return constructor(_SCALAR_CONSTRUCTOR, node)
    return node.value


class _NodeConverter:
    """Convert a node tree to plain data, recording positions and problems."""

    def __init__(self, file: str, col_offset: int = 0) -> None:
        self.file = file
        self.col_offset = col_offset
        self.positions: Positions = {}
        self.problems: list[Problem] = []

    def location(self, mark: yaml.Mark) -> Location:
        """Return the location of a mark, shifted by ``col_offset`` on the first line."""
        shift = self.col_offset if mark.line == 0 else 0
        return Location(self.file, mark.line + 1, mark.column + 1 + shift)

    def convert(self, node: yaml.Node, path: PathKey) -> Any:
        """Return the plain value of ``node`` found at ``path``."""
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node, path)
        try:
            return _scalar_value(node)
        except ValueError as exc:
            self.problems.append(Problem(self.location(node.start_mark), _dotted(path), str(exc)))
            return None

    def _sequence(self, node: yaml.SequenceNode, path: PathKey) -> list[Any]:
        """Convert a sequence node."""
        items = []
        for index, child in enumerate(node.value):
            self.positions[(*path, index)] = self.location(child.start_mark)
            items.append(self.convert(child, (*path, index)))
        return items

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        """Convert a mapping node, refusing complex, merge and duplicate keys."""
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            location = self.location(key_node.start_mark)
            key = self._key(key_node, location, path)
            if key is None:
                continue
            child = (*path, key)
            if key in result:
                first = self.positions[child]
                message = f"duplicate key '{_shorten(key)}' (first defined at line {first.line})"
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


def _convert(
    node: yaml.Node, file: str, col_offset: int = 0, prefix: PathKey = ()
) -> tuple[Any, Positions]:
    """Convert a node tree, found at path ``prefix``, to plain data and its positions.

    Raises
    ------
    ConfigError
        If a mapping has complex, merge or duplicate keys, or a number is out of reach.
    """
    converter = _NodeConverter(file, col_offset)
    value = converter.convert(node, prefix)
    if converter.problems:
        raise ConfigError(converter.problems)
    return value, converter.positions


def _unreadable(path: Path, max_bytes: int) -> str | None:
    """Return why ``path`` cannot be read as a configuration file, or ``None`` if it can."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if os.path.lexists(path):
            return "file not found (a symbolic link to nothing)"
        return "file not found"
    except PermissionError:
        return "permission denied"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop (the link leads back to itself)"
        return f"cannot read file: {exc.strerror or exc}"
    except ValueError:
        return "the file name contains a NUL character"
    if stat.S_ISDIR(info.st_mode):
        return "is a directory, expected a YAML file"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file (a pipe, socket or device), expected a YAML file"
    if info.st_size > max_bytes:
        return f"file is too large ({info.st_size} bytes; the limit is {max_bytes})"
    return None


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
    reason = _unreadable(path, max_bytes)
    if reason is not None:
        raise _fail(start, "", reason)
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
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


def load_yaml(path: str | Path, *, max_bytes: int = MAX_BYTES) -> tuple[dict[str, Any], Positions]:
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


def _both_schemas_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    """Return the YAML 1.1 implicit resolvers with the YAML 1.2 numbers added."""
    resolvers = {
        first: [*entries] for first, entries in yaml.SafeDumper.yaml_implicit_resolvers.items()
    }
    for first in "-+0123456789":
        resolvers.setdefault(first, []).append((_INT_TAG, _INT_12))
    for first in "-+.0123456789":
        resolvers.setdefault(first, []).append((_FLOAT_TAG, _FLOAT_12))
    return resolvers


class _Dumper(yaml.SafeDumper):
    """Quote every text that a YAML 1.1 reader or :func:`load_yaml` would not read as text."""

    yaml_implicit_resolvers = _both_schemas_resolvers()


def dump_yaml(data: Any, **options: Any) -> str:
    """Write plain data as YAML that :func:`load_yaml` and YAML 1.1 readers read back alike.

    Parameters
    ----------
    data : Any
        Plain data: mappings, lists, text, numbers, booleans and ``None``.
    **options : Any
        Passed on to ``yaml.dump`` (``sort_keys``, say).

    Returns
    -------
    str
        The YAML text; any text that either reading would take for a number, a boolean or
        null (``"1e3"``, ``"1:30"``, ``"no"``) is quoted.
    """
    return yaml.dump(data, Dumper=_Dumper, **options)


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
    merged = type(base)(base)
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
    resolved = _real_path(target)
    seen = [real for real, _ in chain]
    if resolved in seen:
        names = [shown for _, shown in chain[seen.index(resolved) :]]
        raise _fail(here, EXTENDS_KEY, f"extends cycle: {' -> '.join([*names, str(target)])}")
    if len(chain) > max_depth:
        raise _fail(here, EXTENDS_KEY, f"too many levels of extends (the limit is {max_depth})")
    reason = _unreadable(target, MAX_BYTES)
    if reason is not None:
        shown = _shorten(str(target), 4 * MAX_SHOWN_TEXT)
        raise _fail(here, EXTENDS_KEY, f"cannot extend '{shown}': {reason}")
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
    return _load_chain(path, ((_real_path(path), str(path)),), max_depth)


def _real_path(path: Path) -> Path:
    """Return ``path`` with symbolic links resolved, or as it is if they loop."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return path.absolute()


# ---------------------------------------------------------------------------
# --set overrides
# ---------------------------------------------------------------------------


def _override_location(override: str, col: int = 1) -> Location:
    """Return the location of column ``col`` of a ``--set`` override (a long one shortened)."""
    return Location(f"--set '{_shorten(override, 2 * MAX_SHOWN_TEXT)}'", 1, col)


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
    shown = _shorten(override, 2 * MAX_SHOWN_TEXT)
    if "=" not in override:
        raise _fail(
            _override_location(override),
            "",
            f"invalid override '{shown}': expected PATH=VALUE, e.g. a.b.c=4",
        )
    key_text, value_text = override.split("=", 1)
    parts = [part.strip() for part in key_text.strip().split(".")]
    if not all(parts):
        message = f"invalid override '{shown}': the path before '=' has an empty part"
        raise _fail(_override_location(override), key_text.strip(), message)
    problem = _path_problem(parts)
    if problem is not None:
        message = f"invalid override '{shown}': {problem}"
        raise _fail(_override_location(override), _shorten(key_text.strip()), message)
    col = len(key_text) + 2
    file = _override_location(override).file
    node = _compose(value_text, file, col_offset=col - 1)
    value = None if node is None else _convert(node, file, col - 1, tuple(parts))[0]
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


def _items_text(size: int, name: str = "the list") -> str:
    """Describe which item numbers a list of ``size`` items has."""
    if size == 0:
        return f"{name} is empty"
    if size == 1:
        return f"{name} has 1 item, numbered 0"
    return f"{name} has {size} items, numbered 0 to {size - 1}"


def _child_key(
    container: Any, part: str, path: PathKey, override: str, where: Location
) -> str | int:
    """Return the key or index selecting ``part`` in ``container``."""
    if isinstance(container, dict):
        return part
    shown = _shorten(override, 2 * MAX_SHOWN_TEXT)
    if not isinstance(container, list):
        kind = type(container).__name__
        message = f"cannot apply '{shown}': '{_dotted(path)}' is a {kind}, not a mapping"
        raise _fail(where, _dotted(path), message)
    if not part.isdigit() or int(part) >= len(container):
        items = _items_text(len(container))
        message = f"cannot apply '{shown}': no item {_shorten(part)} in {_dotted(path)}; {items}"
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


class _Unwritten(dict[str, Any]):
    """A mapping that an override created where the documents give no value.

    :func:`validate` reads it against the model's default there: item numbers of a
    default list select items of that list.
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
            container[key] = _Unwritten()
            positions[(*path, key)] = location
        container = container[key]
        path = (*path, key)
    key = _child_key(container, parts[-1], path, label, where)
    old = container.get(key) if isinstance(container, dict) else container[key]
    path = (*path, key)
    if isinstance(old, dict) and isinstance(value, dict):
        container[key], positions = _merge(old, value, positions, path)
    else:
        container[key] = value
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
    for dotted, value, location in values:
        parts = [part.strip() for part in dotted.split(".")]
        if not all(parts):
            problems.append(Problem(location, dotted, "the field path has an empty part"))
            continue
        problem = _path_problem(parts)
        if problem is not None:
            problems.append(Problem(location, _shorten(dotted), problem))
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
    ``None``). A mapping value is merged into the mapping it overrides key by
    key, as ``extends`` merges; any other value replaces. Missing intermediate
    mappings are created; list items are selected by number, also in a list
    the documents do not write (then :func:`validate` patches the field's
    default). Overridden paths are located at the override, in a pseudo file
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
    message = f"unknown field '{_shorten(name)}'"
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


_NO_DEFAULT = object()


def _default_child(default: Any, key: str | int) -> Any:
    """Return the default value at ``key`` below ``default`` (a model class for the root)."""
    if (isinstance(default, type) and _is_model(default)) or isinstance(default, BaseModel):
        model = default if isinstance(default, type) else type(default)
        for name, info in model.model_fields.items():
            if key in (name, _field_name(name, info)):
                if isinstance(default, BaseModel):
                    return getattr(default, name)
                if info.is_required():
                    return _NO_DEFAULT
                return info.get_default(call_default_factory=True)
        return _NO_DEFAULT
    if isinstance(default, dict):
        return default.get(key, _NO_DEFAULT)
    if isinstance(default, list | tuple) and isinstance(key, int) and 0 <= key < len(default):
        return default[key]
    return _NO_DEFAULT


def _plain(value: Any) -> Any:
    """Return a default value as input data."""
    if isinstance(value, BaseModel):
        return value.model_dump(by_alias=True)
    if isinstance(value, tuple):
        return list(value)
    return copy.deepcopy(value)


class _DefaultsReader:
    """Turn the mappings that overrides created into the model's default values, patched."""

    def __init__(self, positions: Positions, source: str) -> None:
        self.positions = positions
        self.source = source
        self.renames: list[tuple[PathKey, PathKey]] = []
        self.problems: list[Problem] = []

    def read(self, value: Any, default: Any, path: PathKey) -> Any:
        """Return ``value`` (found at ``path``) with every created mapping read."""
        if isinstance(value, _Unwritten) and isinstance(default, list | tuple):
            return self._patch_list(value, default, path)
        if isinstance(value, dict):
            read = {
                key: self.read(child, _default_child(default, key), (*path, key))
                for key, child in value.items()
            }
            if isinstance(value, _Unwritten) and isinstance(default, BaseModel | dict):
                return _merge(_plain(default), read, {})[0]
            return read
        if isinstance(value, list):
            return [
                self.read(child, _default_child(default, index), (*path, index))
                for index, child in enumerate(value)
            ]
        return value

    def _patch_list(
        self, value: dict[str, Any], default: Sequence[Any], path: PathKey
    ) -> list[Any]:
        """Return the default list with the items that ``value`` names replaced."""
        items = [_plain(item) for item in default]
        for key, child in value.items():
            if not key.isdigit() or int(key) >= len(items):
                location = locate(self.positions, (*path, key), self.source)
                shown = _items_text(len(items), "its default list")
                message = f"no item {_shorten(key)} in {_dotted(path)}; {shown}"
                self.problems.append(Problem(location, _dotted((*path, key)), message))
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
        for error in exc.errors():
            path = _data_path(data, error["loc"])
            if error["type"] == "value_error":
                path = _named_field(data, positions, path, error["msg"])
            found.append((Problem(locate(positions, path, source), _dotted(path), ""), path, error))
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
