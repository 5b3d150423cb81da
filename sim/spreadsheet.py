"""CSV cells that a spreadsheet shows as text and never runs as a formula.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3``), and names and labels in the
product's CSV files come from users. As the OWASP guidance on CSV injection recommends, such a
text cell gets a leading single quote, which spreadsheets read as "this is text". A cell can
also begin in the middle of a text when a spreadsheet splits the line at another separator
(``;`` in many locales, a tab, a quote, a line break), so the quote also goes before a trigger
that follows one of those characters. Numbers, text that is a plain decimal number
(``-3.5``, ``0``), and a trigger that is a whole cell by itself (``-``, the "no unit" of a
setting) are left as they are: they are values or plain text, not formulas.
"""

from __future__ import annotations

import re

import pandas as pd

TRIGGERS = "=+-@\t\r"
# Where a spreadsheet may start a cell: the start of the text or just after a separator.
# A trigger followed by nothing (the end of the text, or a separator that is not itself a
# trigger) is a cell of that one character, which a spreadsheet shows as text: ``-`` is left
# alone, ``-x``, ``- x`` and ``-\t=1`` are not.
_CELL_START = re.compile(r'(?:^|(?<=[,;\t\r\n"]))(?=[=+\-@\t\r](?![,;\n"]|\Z))')
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def inert(value: object) -> object:
    r"""Return a CSV cell that a spreadsheet cannot run: text gets a ``'`` before any trigger.

    Parameters
    ----------
    value : object
        A cell: text is neutralised, any other value (numbers, booleans, missing values) is
        returned unchanged.

    Returns
    -------
    object
        ``value``, or for text, the text with a single quote before each ``=``, ``+``, ``-``,
        ``@``, tab or carriage return that starts it or follows ``,``, ``;``, a tab, a carriage
        return, a line feed or a double quote, unless the trigger is followed by nothing (the end
        of the text, ``,``, ``;``, a line feed or a double quote: a cell of that one character).
        Text that is a plain decimal number is unchanged.

    Examples
    --------
    >>> inert("=HYPERLINK(\"http://x\")")
    '\'=HYPERLINK("http://x")'
    >>> inert("-3.5"), inert(-3.5), inert("as it is"), inert("-"), inert("-x")
    ('-3.5', -3.5, 'as it is', '-', "'-x")
    """
    if not isinstance(value, str) or _PLAIN_NUMBER.fullmatch(value):
        return value
    return _CELL_START.sub("'", value)


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose column names and text cells are ``inert``.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table about to be written as CSV.

    Returns
    -------
    pandas.DataFrame
        The same table; numeric, boolean and date columns are untouched.
    """
    out = frame.rename(columns=inert)
    types = pd.api.types
    for position, dtype in enumerate(out.dtypes):
        if not (types.is_numeric_dtype(dtype) or types.is_datetime64_any_dtype(dtype)):
            text = out.iloc[:, position].astype(object).map(inert)
            out.isetitem(position, text)  # type: ignore[arg-type]  # pandas-stubs omit Series
    return out
