"""Safe YAML reading with the position of every value, and YAML writing that reads back alike.

Mapping keys are always kept as the text written in the file (``1: x`` gives the key ``"1"``,
``on: x`` gives the key ``"on"``). Only the plain data types ``dict``, ``list``, ``str``,
``int``, ``float``, ``bool`` and ``None`` are produced; YAML timestamps are left as strings for
the models to parse. Tags, anchors, aliases, merge keys and duplicate keys are refused.

Numbers are read as the YAML 1.2 core schema reads them: ``010`` is ten, ``1e3`` is a thousand,
``0x1F`` and ``0o17`` are hexadecimal and octal; the YAML 1.1 forms ``1:30`` (base 60),
``1_000`` and ``0b101`` are text. A number too large for a float, or with more than
:data:`MAX_NUMBER_LENGTH` characters, is refused with its location. Booleans keep the YAML 1.1
words (``yes``/``no``/``on``/``off`` as well as ``true``/``false``), so that a text field
given ``no`` is refused by the model rather than read as the text ``"no"``.

The work is bounded: a file may hold at most :data:`MAX_BYTES` bytes, a document at most
:data:`MAX_VALUES` values (scalars, lists and mappings) and :data:`MAX_NESTING` levels.
Positions follow :mod:`sim.config.problems`.
"""

from __future__ import annotations

import errno
import math
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from sim.config.problems import (
    ConfigError,
    Location,
    PathKey,
    Positions,
    Problem,
    dotted,
    fail,
    fail_whole,
    shorten,
)

__all__ = [
    "MAX_BYTES",
    "MAX_NESTING",
    "MAX_NUMBER_LENGTH",
    "MAX_VALUES",
    "compose",
    "convert",
    "dump_yaml",
    "load_yaml",
    "unreadable",
]

MAX_BYTES = 1_000_000
MAX_NESTING = 100
MAX_VALUES = 20_000
MAX_NUMBER_LENGTH = 100

_YAML_TAG = "tag:yaml.org,2002:"
_NULL_TAG = _YAML_TAG + "null"
_BOOL_TAG = _YAML_TAG + "bool"
_INT_TAG = _YAML_TAG + "int"
_FLOAT_TAG = _YAML_TAG + "float"
_MERGE_TAG = _YAML_TAG + "merge"
_SCALAR_CONSTRUCTOR = yaml.constructor.SafeConstructor()

# The YAML 1.2 core schema's integers and floats (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
_INT_12 = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT_12 = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


class _RejectedYAML(yaml.MarkedYAMLError):
    """A YAML feature that the safe loader refuses, with its mark."""

    def __init__(self, problem: str, mark: Any) -> None:  # a pure-Python or a C mark
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

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
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


def compose(text: str, file: str, col_offset: int = 0) -> yaml.Node | None:
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
        raise fail(location, "", _yaml_error_message(exc, locate)) from None
    except yaml.reader.ReaderError as exc:
        base = _text_location(text, exc.position, file)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = f"unacceptable character #x{code:04x}: {exc.reason}"
        raise fail(shift(base.line, base.col), "", message) from None
    except yaml.YAMLError as exc:
        raise fail(shift(1, 1), "", f"invalid YAML: {exc}") from None
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


def _scalar_value(node: yaml.Node) -> Any:
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
            self.problems.append(Problem(self.location(node.start_mark), dotted(path), str(exc)))
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
                message = f"duplicate key '{shorten(key)}' (first defined at line {first.line})"
                self.problems.append(Problem(location, dotted(child), message))
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
        self.problems.append(Problem(location, dotted(path), message))
        return None


def convert(
    node: yaml.Node, file: str, col_offset: int = 0, prefix: PathKey = ()
) -> tuple[Any, Positions]:
    """Convert a node tree, found at path ``prefix``, to plain data and its positions.

    Parameters
    ----------
    node : yaml.Node
        The root of the tree (from :func:`compose`).
    file : str
        Name used in locations.
    col_offset : int, optional
        Added to reported columns on the first line.
    prefix : tuple of str or int, optional
        Path of the tree in the whole document; positions are keyed below it.

    Returns
    -------
    value : Any
        Plain data: mappings (keys as written), lists, text, numbers, booleans, ``None``.
    positions : dict
        Location of every mapping entry (at its key) and list item below ``prefix``.

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


def unreadable(path: Path, max_bytes: int) -> str | None:
    """Return why ``path`` cannot be read as a configuration file, or ``None`` if it can.

    Parameters
    ----------
    path : Path
        The file.
    max_bytes : int
        Largest size accepted, in bytes.

    Returns
    -------
    str or None
        The reason in words (missing, a broken or looping link, a folder, not a regular file,
        too large, no permission), or ``None``. The file is not opened.
    """
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


MOST_LISTED = 1000  # files of a folder looked at for a "did you mean"


def did_you_mean(path: Path) -> str:
    """Return ``; did you mean 'NAME'?`` for a file of ``path``'s folder with a close name.

    Parameters
    ----------
    path : Path
        A file that does not exist.

    Returns
    -------
    str
        The suggestion (the closest name by ``difflib``, with the same suffix, among the first
        ``MOST_LISTED`` entries of the folder), or ``""`` when there is none or the folder cannot
        be listed.
    """
    import difflib
    import itertools

    folder = path.parent
    try:
        names = [
            entry.name
            for entry in itertools.islice(os.scandir(folder), MOST_LISTED)
            if entry.name.endswith(path.suffix) and entry.is_file()
        ]
    except (OSError, ValueError):
        return ""
    close = difflib.get_close_matches(path.name, names, n=1, cutoff=0.75)
    return f"; did you mean '{folder / close[0]}'?" if close else ""


def _read_text(path: Path, max_bytes: int) -> str:
    """Read a UTF-8 file of at most ``max_bytes`` bytes.

    Raises
    ------
    ConfigError
        If the file is missing, not a regular file, unreadable, too large or
        not valid UTF-8.
    """
    file = str(path)
    reason = unreadable(path, max_bytes)
    if reason == "file not found":
        reason += did_you_mean(path)
    if reason is not None:
        raise fail_whole(file, reason)
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except PermissionError:
        raise fail_whole(file, "permission denied") from None
    except OSError as exc:
        raise fail_whole(file, f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise fail_whole(file, f"file is too large (more than {max_bytes} bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})"
        raise fail(Location(file, line, col), "", message) from None


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
    node = compose(_read_text(path, max_bytes), file)
    start = Location(file, 1, 1)
    if node is None:
        raise fail(start, "", "document is empty, expected a mapping")
    if not isinstance(node, yaml.MappingNode):
        kind = "a sequence" if isinstance(node, yaml.SequenceNode) else "a scalar"
        found = _mark_location(file, node.start_mark)
        raise fail(found, "", f"top level must be a mapping, found {kind}")
    data, positions = convert(node, file)
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
