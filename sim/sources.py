"""The practitioners' books behind the parameters, named by author and title for readers.

The schema and the scenario files cite the Russian practitioners' texts the model rests on as
``seed 000`` to ``seed 004`` (the files of the project's source collection; docs/MODEL.md,
"References"). A reader of a report or of ``salesim params`` easily takes "seed 003" for a
random seed, so what users read names the book instead: :func:`name_sources` rewrites those
citations through :data:`BOOKS`, and the source strings in the schema stay as they are.

Where the excerpt names its author and title, the name gives them (seed 001: the book's own
heading; seed 002: the training company's page, © 2017). The excerpts of seeds 000, 003 and
004 name neither, so they are named by their subject, with "title not recorded": no title is
guessed.
"""

from __future__ import annotations

import re

__all__ = ["BOOKS", "CITATION", "name_sources"]

# Seed number -> how a reader is shown the text (short enough for a table cell).
BOOKS = {
    "000": "practitioners' book on hunters and the client department (Russian, title not recorded)",
    "001": "A. Kozhemyako, «Эра умных продаж на рынке B2B» (The era of smart sales in B2B)",
    "002": "«Клиентский отдел» (The client department), Business Partner training company (2017)",
    "003": "practitioners' book on the sections of a sales organisation: letter sales, account "
    "managers (Russian, title not recorded)",
    "004": "practitioners' book on a VIP programme for corporate clients (Russian, title not "
    "recorded)",
}

# "seed 001", "seeds 000, 002", "seeds 001 and 002", "seeds 000-002" (a range).
CITATION = re.compile(r"\b[Ss]eeds? (\d{3})((?:(?:, | and |-|/)\d{3})*)\b")


def name_sources(text: str) -> str:
    """Return ``text`` with every citation of a seed text replaced by the book's name.

    Parameters
    ----------
    text : str
        Any text: a parameter's source or meaning, a study's description.

    Returns
    -------
    str
        The text with ``seed NNN`` (and lists or ranges of them) replaced by the names in
        :data:`BOOKS`, joined by "; "; an unknown number is left as it is.

    Examples
    --------
    >>> name_sources("seed 002")
    '«Клиентский отдел» (The client department), Business Partner training company (2017)'
    """
    return CITATION.sub(_books, text)


def _books(match: re.Match[str]) -> str:
    first, rest = match.group(1), match.group(2)
    numbers = [first, *re.findall(r"\d{3}", rest)]
    if "-" in rest and len(numbers) == 2:  # a range: seeds 000-002
        numbers = [f"{n:03d}" for n in range(int(numbers[0]), int(numbers[1]) + 1)]
    if any(n not in BOOKS for n in numbers):
        return match.group(0)
    return "; ".join(BOOKS[n] for n in numbers)
