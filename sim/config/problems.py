"""Located configuration problems: where a value is, what is wrong with it, and the error.

Every problem found while reading, merging, overriding or validating a configuration
document is a :class:`Problem` that renders as ``FILE:LINE:COL: field.path: message``; a
:class:`ConfigError` carries them all, so that a command-line tool can print them and exit
with status 2.

Positions are kept in a flat mapping (:data:`Positions`) from a *path tuple* (mapping keys as
``str``, sequence indices as ``int``) to a :class:`Location`:

* a mapping entry is located at its **key** (where the field is named),
* a sequence item is located at the start of the item,
* the document itself (the empty path) is located at line 1, column 1.

A :class:`ConfigError` shows at most :data:`MAX_SHOWN_PROBLEMS` problems; a text quoted in a
message is cut to :data:`MAX_SHOWN_TEXT` characters with its control characters escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "DOCUMENT_LABEL",
    "MAX_SHOWN_PROBLEMS",
    "MAX_SHOWN_TEXT",
    "ConfigError",
    "Location",
    "PathKey",
    "Positions",
    "Problem",
    "dotted",
    "fail",
    "fail_whole",
    "items_text",
    "locate",
    "shorten",
]

PathKey = tuple[str | int, ...]

DOCUMENT_LABEL = "<document>"
MAX_SHOWN_PROBLEMS = 20
MAX_SHOWN_TEXT = 60

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


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
    whole : bool
        Whether the problem is with the file (or command-line text) as a whole rather than
        inside a document: a missing file, a folder, ``--set`` without ``=``. It is shown as
        ``FILE: message``, without a line, column or field.
    """

    location: Location | None
    path: str
    message: str
    whole: bool = False

    def __str__(self) -> str:
        """Return ``FILE:LINE:COL: path: message`` (``FILE: message`` for the whole file)."""
        if self.whole and self.location is not None:
            return f"{self.location.file}: {self.message}"
        prefix = f"{self.location}: " if self.location is not None else ""
        path = shorten(self.path, 4 * MAX_SHOWN_TEXT) if self.path else DOCUMENT_LABEL
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


def fail(location: Location | None, path: str, message: str) -> ConfigError:
    """Build a ``ConfigError`` holding a single problem.

    Parameters
    ----------
    location : Location or None
        Where the problem is, if known.
    path : str
        Dotted path of the offending field; ``""`` for the document.
    message : str
        What is wrong.

    Returns
    -------
    ConfigError
        The error, to be raised by the caller.
    """
    return ConfigError([Problem(location, path, message)])


def fail_whole(file: str, message: str) -> ConfigError:
    """Build a ``ConfigError`` about a file (or ``--set`` text) as a whole: ``FILE: message``.

    Parameters
    ----------
    file : str
        The file's name, or the ``--set '...'`` label of an override.
    message : str
        What is wrong (it cannot be read, it is a folder, it has no ``=``).

    Returns
    -------
    ConfigError
        The error, to be raised by the caller; its location is line 1, column 1 of ``file``.
    """
    return ConfigError([Problem(Location(file, 1, 1), "", message, whole=True)])


def dotted(path: Sequence[str | int]) -> str:
    """Join path parts (mapping keys, list indices) with dots: ``("a", 0, "b")`` is ``a.0.b``."""
    return ".".join(str(part) for part in path)


def shorten(text: str, limit: int = MAX_SHOWN_TEXT) -> str:
    r"""Return ``text`` for a message: control characters escaped, cut to ``limit`` characters.

    Parameters
    ----------
    text : str
        Text from the input (a key, a path, an override).
    limit : int, optional
        The most characters shown.

    Returns
    -------
    str
        The text with ``\xNN`` for each control character; a longer text is cut and ends with
        ``... (N characters)``.
    """
    shown = _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text[:limit])
    if len(text) <= limit:
        return shown
    return f"{shown}... ({len(text)} characters)"


def locate(positions: Positions, path: PathKey, source: str) -> Location:
    """Return the location of the deepest prefix of ``path`` with a position.

    Parameters
    ----------
    positions : dict
        Location of each path of a document.
    path : tuple of str or int
        Mapping keys and list indices from the document's root.
    source : str
        File name for a path with no located prefix at all.

    Returns
    -------
    Location
        The position of ``path`` or its nearest located parent; else ``source`` line 1, col 1.
    """
    for size in range(len(path), -1, -1):
        location = positions.get(path[:size])
        if location is not None:
            return location
    return Location(source, 1, 1)


def items_text(size: int, name: str = "the list") -> str:
    """Describe which item numbers a list of ``size`` items has.

    Parameters
    ----------
    size : int
        Number of items.
    name : str, optional
        What the text calls the list.

    Returns
    -------
    str
        E.g. ``the list has 3 items, numbered 0 to 2``.
    """
    if size == 0:
        return f"{name} is empty"
    if size == 1:
        return f"{name} has 1 item, numbered 0"
    return f"{name} has {size} items, numbered 0 to {size - 1}"
