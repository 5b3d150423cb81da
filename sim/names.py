"""Names that become folder names and labels: letters and digits of any script.

A scenario's or a study's name is the name of its results folder, and a label names a scenario
in the results. Such a name is 1 to 64 letters or digits of any script (``база``, ``Σενάριο``,
``分割``, ``split_8``), ``_``, ``.`` or ``-``, starting with a letter or digit, and at most
200 bytes in UTF-8 (so that it is a valid file name everywhere, with room to spare). It is kept
in Unicode normal form C, so that a name typed on one system matches the same name typed on
another.
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

__all__ = [
    "MAX_BYTES",
    "MAX_CHARS",
    "RULE",
    "Label",
    "Name",
    "check_label",
    "check_name",
    "identifier",
    "name_problem",
    "safe_name",
]

MAX_CHARS = 64
MAX_BYTES = 200
PUNCTUATION = "_.-"
RULE = (
    f"a name is 1 to {MAX_CHARS} letters or digits (of any script), '_', '.' or '-', "
    "starting with a letter or digit"
)


def _is_letter_or_digit(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN"


def _is_allowed(char: str) -> bool:
    """Letters, digits and combining marks (of any script), and ``_ . -``."""
    return unicodedata.category(char)[0] in "LMN" or char in PUNCTUATION


def name_problem(name: str) -> str | None:
    """Say what is wrong with a name (``None`` if it is a valid one).

    Parameters
    ----------
    name : str
        The name, in any Unicode normal form.

    Returns
    -------
    str or None
        A one-line description of the problem, including the rule.
    """
    name = unicodedata.normalize("NFC", name)
    if not name:
        return f"the name is empty; {RULE}"
    if not _is_letter_or_digit(name[0]):
        return f"{RULE}; this one starts with {name[0]!r}"
    wrong = next((c for c in name if not _is_allowed(c)), None)
    if wrong is not None:
        return f"{RULE}; {wrong!r} (U+{ord(wrong):04X}) is not allowed"
    if len(name) > MAX_CHARS:
        return f"{RULE}; this one has {len(name)} characters"
    size = len(name.encode("utf-8"))
    if size > MAX_BYTES:
        return f"{RULE}, and at most {MAX_BYTES} bytes in UTF-8; this one takes {size}"
    return None


def check_name(name: str) -> str:
    """Return the name in normal form C; raise ``ValueError`` if it is not a valid name.

    Parameters
    ----------
    name : str
        The name to check.

    Returns
    -------
    str
        The same name, in Unicode normal form C.

    Raises
    ------
    ValueError
        If the name breaks the rule (the message says how).
    """
    problem = name_problem(name)
    if problem is not None:
        raise ValueError(problem)
    return unicodedata.normalize("NFC", name)


def safe_name(text: str) -> str:
    """Make a valid name of any text (file names, say).

    Characters a name cannot hold become ``_``; a name too long is shortened and ends with a
    hash of the whole text, so that two long texts give two names.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        A name that :func:`check_name` accepts.
    """
    text = unicodedata.normalize("NFC", text)
    cleaned = "".join(c if _is_allowed(c) else "_" for c in text)
    if not cleaned or not _is_letter_or_digit(cleaned[0]):
        cleaned = "x" + cleaned
    if name_problem(cleaned) is None:
        return cleaned
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    head = cleaned[: MAX_CHARS - len(digest) - 1]
    while len(head.encode("utf-8")) > MAX_BYTES - len(digest) - 1:
        head = head[:-1]
    return f"{head}_{digest}"


Name = Annotated[str, AfterValidator(check_name)]
"""A string field holding a name (see the module's rule)."""


LABEL_RULE = (
    f"a label is 1 to {MAX_CHARS} characters of any script, with spaces and punctuation, but no "
    "line breaks or other control characters"
)


def check_label(text: str) -> str:
    """Return a display label in normal form C without outer spaces; refuse a bad one.

    A label names a strategy to readers, as written (``Split + letters``, ``Раздельная``);
    the report shows it as text, never as markup.

    Parameters
    ----------
    text : str
        The label as written in the study file.

    Returns
    -------
    str
        The label, in Unicode normal form C, stripped of outer spaces.

    Raises
    ------
    ValueError
        If it is empty, longer than ``MAX_CHARS`` characters or ``MAX_BYTES`` bytes in UTF-8,
        or holds a control or format character (a line break, say).
    """
    label = unicodedata.normalize("NFC", text).strip()
    if not label:
        raise ValueError(f"the label is empty; {LABEL_RULE}")
    wrong = next((c for c in label if unicodedata.category(c)[0] == "C"), None)
    if wrong is not None:
        raise ValueError(f"{LABEL_RULE}; {wrong!r} (U+{ord(wrong):04X}) is not allowed")
    if len(label) > MAX_CHARS or len(label.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"{LABEL_RULE}; this one has {len(label)} characters")
    return label


def identifier(label: str) -> str:
    """Return the name that identifies a labelled strategy in the results.

    A label that is a valid name is its own identifier; any other becomes one through
    :func:`safe_name` (``Split + letters`` -> ``Split___letters``).

    Parameters
    ----------
    label : str
        A label that :func:`check_label` accepts.

    Returns
    -------
    str
        A valid name.
    """
    return unicodedata.normalize("NFC", label) if name_problem(label) is None else safe_name(label)


Label = Annotated[str, AfterValidator(check_label)]
"""A string field holding a display label (see :func:`check_label`)."""
