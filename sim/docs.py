"""Generated sections of docs/MODEL.md: the parameter table and the output-column table.

The tables live between marker comments (``<!-- parameters:start -->`` ... ``<!-- parameters:end
-->`` and the same for ``outputs``) and are rebuilt from the code, so they cannot drift from it.
``python -m sim.docs`` rewrites the file in place; ``python -m sim.docs --check`` exits 1 if it is
out of date.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sim.ledger import COLUMNS
from sim.params import parameter_table

MODEL_MD = Path(__file__).resolve().parent.parent / "docs" / "MODEL.md"


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


GENERATORS: dict[str, Callable[[], str]] = {
    "parameters": parameter_table,
    "outputs": output_table,
}


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {name}:start -->).*?(<!-- {name}:end -->)", flags=re.DOTALL)


def _between(body: str) -> Callable[[re.Match[str]], str]:
    """Return a replacement putting ``body`` between a matched marker pair, on its own lines."""

    def replace(match: re.Match[str]) -> str:
        return f"{match.group(1)}\n{body}\n{match.group(2)}"

    return replace


def render(text: str) -> str:
    """Replace the content between each marker pair with the freshly generated table.

    Parameters
    ----------
    text
        The Markdown document, holding each marker pair exactly once.

    Returns
    -------
    str
        The document with every generated section rebuilt.

    Raises
    ------
    ValueError
        If a marker pair is missing or appears more than once.
    """
    for name, generate in GENERATORS.items():
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
        description="Rebuild the generated tables of docs/MODEL.md.",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the file is out of date; do not write"
    )
    parser.add_argument("path", nargs="?", type=Path, default=MODEL_MD, help="file to render")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite the document in place, or with ``--check`` report whether it is up to date.

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
    text = args.path.read_text(encoding="utf-8")
    try:
        fresh = render(text)
    except ValueError as exc:
        print(f"{args.path}: {exc}", file=sys.stderr)
        return 1
    if args.check:
        if fresh != text:
            print(
                f"{args.path} is out of date with the code; run: python -m sim.docs",
                file=sys.stderr,
            )
            return 1
        return 0
    if fresh != text:
        args.path.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
