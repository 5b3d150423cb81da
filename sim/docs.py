"""Generated sections of the docs: MODEL.md's tables and VALIDATION.md's assumptions.

The tables live between marker comments (``<!-- parameters:start -->`` ... ``<!-- parameters:end
-->`` and the same for ``outputs`` in docs/MODEL.md, ``assumptions`` in docs/VALIDATION.md) and
are rebuilt from the code, so they cannot drift from it. ``python -m sim.docs`` rewrites both
files in place; ``python -m sim.docs --check`` exits 1 if one is out of date. Given a path, the
command renders that file with MODEL.md's tables (VALIDATION.md's when it is named so).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sim.ledger import COLUMNS
from sim.params import iter_parameters, parameter_table

MODEL_MD = Path(__file__).resolve().parent.parent / "docs" / "MODEL.md"
VALIDATION_MD = MODEL_MD.parent / "VALIDATION.md"
_ASSUMED = re.compile(r"\bassum(ption|ed)\b", flags=re.IGNORECASE)


def split_unit(description: str) -> tuple[str, str]:
    """Split an output description ``"meaning [unit]"`` into meaning and unit.

    Parameters
    ----------
    description
        A value of ``sim.ledger.COLUMNS``.

    Returns
    -------
    tuple of str
        The meaning and the unit (``"-"`` when the description names none).
    """
    match = re.fullmatch(r"(.*?)\s*\[([^\[\]]+)\]", description.strip())
    if match is None:
        return description.strip(), "-"
    return match.group(1), match.group(2)


def _cell(text: str) -> str:
    return text.replace("|", "/")


def output_table() -> str:
    """Return the output columns as a Markdown table (column, unit, meaning).

    Returns
    -------
    str
        One row per entry of ``sim.ledger.COLUMNS``, in output order, without a final newline.
    """
    lines = ["| column | unit | meaning |", "|---|---|---|"]
    for column, description in COLUMNS.items():
        meaning, unit = split_unit(description)
        lines.append(f"| {_cell(column)} | {_cell(unit)} | {_cell(meaning)} |")
    return "\n".join(lines)


def assumption_table() -> str:
    """Return the parameters whose source is an assumption, grouped by scenario section.

    A parameter counts when its source says "assumption" or "assumed" (also a cited number
    whose size is assumed).

    Returns
    -------
    str
        A Markdown table (section, parameter, default, unit, source), in schema order, without
        a final newline.
    """
    lines = ["| section | parameter | default | unit | source |", "|---|---|---|---|---|"]
    last = ""
    for record in iter_parameters(books=False):  # the References list the seeds
        if not _ASSUMED.search(record["source"]):
            continue
        path = record["parameter"]
        section = path.split(".")[0]
        shown_section = f"**{section}**" if section != last else ""
        last = section
        cells = (shown_section, path, record["default"], record["unit"], record["source"])
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


GENERATORS: dict[str, Callable[[], str]] = {
    "parameters": lambda: parameter_table(books=False),  # the References list the seeds
    "outputs": output_table,
}
VALIDATION_GENERATORS: dict[str, Callable[[], str]] = {"assumptions": assumption_table}


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name}:start -->).*?(<!-- {name}:end -->)", flags=re.DOTALL)


def _between(body: str) -> Callable[[re.Match[str]], str]:
    """Return a replacement putting ``body`` between a matched marker pair, on its own lines."""

    def replace(match: re.Match[str]) -> str:
        return f"{match.group(1)}\n{body}\n{match.group(2)}"

    return replace


def render(text: str, generators: dict[str, Callable[[], str]] | None = None) -> str:
    """Replace the content between each marker pair with the freshly generated table.

    Parameters
    ----------
    text
        The Markdown document, holding each marker pair exactly once.
    generators
        Marker name to table (default ``GENERATORS``, the tables of docs/MODEL.md).

    Returns
    -------
    str
        The document with every generated section rebuilt.

    Raises
    ------
    ValueError
        If a marker pair is missing or appears more than once.
    """
    for name, generate in (GENERATORS if generators is None else generators).items():
        text, count = _pattern(name).subn(_between(generate()), text)
        if count != 1:
            raise ValueError(
                f"expected one '<!-- {name}:start -->' ... '<!-- {name}:end -->' pair, "
                f"found {count}"
            )
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sim.docs",
        description="Rebuild the generated tables of docs/MODEL.md and docs/VALIDATION.md.",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the file is out of date; do not write"
    )
    parser.add_argument(
        "path", nargs="?", type=Path, help="one file to render (default: both documents)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite the documents in place, or with ``--check`` report whether they are up to date.

    Parameters
    ----------
    argv
        Command-line arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 if the file is (now) up to date; 1 if ``--check`` found it out of date or a marker
        pair is missing.
    """
    args = _parser().parse_args(argv)
    if args.path is None:
        documents = [(MODEL_MD, GENERATORS), (VALIDATION_MD, VALIDATION_GENERATORS)]
    elif args.path.name == VALIDATION_MD.name:
        documents = [(args.path, VALIDATION_GENERATORS)]
    else:
        documents = [(args.path, GENERATORS)]
    return max(_render_file(path, generators, args.check) for path, generators in documents)


def _render_file(path: Path, generators: dict[str, Callable[[], str]], check: bool) -> int:
    """Rewrite one document (or with ``check`` only compare); return its exit code."""
    text = path.read_text(encoding="utf-8")
    try:
        fresh = render(text, generators)
    except ValueError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1
    if check:
        if fresh != text:
            print(f"{path} is out of date with the code; run: python -m sim.docs", file=sys.stderr)
            return 1
        return 0
    if fresh != text:
        path.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
