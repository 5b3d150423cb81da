"""Reading a transaction export: CSV (any delimiter, decimal comma or point), Excel, CDNOW.

:func:`read_export` turns a file into one table ``client, date, amount`` and a table of the
rows it could not use, each located (file line, column, value, what is allowed). Nothing is
dropped silently: the caller stops on the first bad rows or, asked to, writes them out.

The columns are given by name or guessed from common English and Russian headers
(:data:`HEADERS`). Dates are ISO (``2024-03-31``), compact (``20240331``), day-first with
dots (``31.03.2024``, the Russian and German form), or day-first / month-first with slashes
or dashes when the data decide it (a first field above 12 means day-first, a second field
above 12 month-first); otherwise the form is ambiguous and refused unless ``dayfirst`` or a
``date_format`` is given.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

CLIENT, DATE, AMOUNT = "client", "date", "amount"
EARLIEST = pd.Timestamp("1900-01-01")
"""The earliest date a transaction may have; a later bound is the day the file is read (an
export records purchases made, and a year such as 2204 or 1024 is a typing error)."""

HEADERS: dict[str, tuple[str, ...]] = {
    CLIENT: (
        "client",
        "client id",
        "client name",
        "customer",
        "customer id",
        "customer name",
        "customer number",
        "account",
        "account id",
        "account name",
        "buyer",
        "company",
        "клиент",
        "код клиента",
        "id клиента",
        "контрагент",
        "покупатель",
        "заказчик",
        "наименование клиента",
        "наименование контрагента",
        "партнер",
        "партнёр",
    ),
    DATE: (
        "date",
        "order date",
        "invoice date",
        "transaction date",
        "purchase date",
        "document date",
        "sale date",
        "дата",
        "дата заказа",
        "дата документа",
        "дата продажи",
        "дата счета",
        "дата счёта",
        "дата отгрузки",
        "дата реализации",
    ),
    AMOUNT: (
        "amount",
        "sum",
        "total",
        "net",
        "net amount",
        "value",
        "revenue",
        "sales",
        "invoice amount",
        "order total",
        "total amount",
        "сумма",
        "итого",
        "сумма заказа",
        "сумма документа",
        "выручка",
        "стоимость",
        "сумма с ндс",
        "сумма без ндс",
    ),
}
"""Headers recognised for each column (compared lower-case, punctuation as spaces)."""

_CURRENCY = re.compile(r"(?i)(руб\.?|р\.|₽|\$|€|£|¥|usd|eur|rub|gbp|chf|\s|\u00a0|\u202f|')")
_CODES = {
    **dict.fromkeys(("руб", "р", "₽", "rub"), "RUB"),
    **dict.fromkeys(("$", "usd"), "USD"),
    **dict.fromkeys(("€", "eur"), "EUR"),
    **dict.fromkeys(("£", "gbp"), "GBP"),
    "¥": "JPY or CNY",
    "chf": "CHF",
}
"""The currency each sign or code of :data:`_CURRENCY` names (ISO 4217)."""


def currencies(values: pd.Series) -> list[str]:
    """Return the currencies the amounts are marked with (ISO 4217 codes, sorted), if any.

    Parameters
    ----------
    values : pandas.Series
        The amount column's cells (texts, or numbers from a workbook: unmarked).

    Returns
    -------
    list[str]
        E.g. ``["RUB"]`` for ``1 234,50 руб.``; empty when no amount carries a sign or a code.
    """
    found = values.astype(str).str.findall(_CURRENCY).explode().dropna()
    keys = found.str.lower().str.rstrip(".").map(_CODES).dropna()
    return sorted(set(keys.tolist()))


_NUMBER = re.compile(r"^\(?[+-]?(?:\d+|\d{1,3}(?:[.,]\d{3})+)(?:[.,]\d+)?\)?-?$")
_SHOWN = 60
# Two-byte UTF-8 Cyrillic letters (А-я, Ё, ё): in Windows-1251 text these pairs are "Р" or
# "С" followed by punctuation, which Russian words never have.
_UTF8_CYRILLIC = re.compile(rb"(?:\xd0[\x81\x90-\xbf]|\xd1[\x80-\x8f\x91]){2}")


class ExportError(Exception):
    """A transaction export cannot be used as it is (exit 2): the message locates why."""


@dataclass
class Export:
    """A read transaction export.

    Attributes
    ----------
    rows : pandas.DataFrame
        Good rows: ``client`` (str), ``date`` (datetime64, a day), ``amount`` (float, money),
        ``line`` (int, line in the file).
    rejected : pandas.DataFrame
        Bad rows: ``line``, ``column``, ``value``, ``problem``.
    columns : dict[str, str]
        The file's header used for each of client, date and amount.
    notes : list[str]
        How the file was read (delimiter, decimal mark, date form), for the user.
    sha256 : str
        SHA-256 of the file's bytes.
    lines : int
        Data rows read (good and bad).
    currencies : list[str]
        The currencies the amounts are marked with (:func:`currencies`; empty: unmarked).
    """

    rows: pd.DataFrame
    rejected: pd.DataFrame
    columns: dict[str, str]
    notes: list[str] = field(default_factory=list)
    sha256: str = ""
    lines: int = 0
    currencies: list[str] = field(default_factory=list)


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


def _normal(header: str) -> str:
    """Return a header as matched: lower case, words only, a currency named in it left out.

    ``Сумма, руб.`` is matched as ``сумма``.
    """
    words = re.sub(r"[\W_]+", " ", str(header).lower().replace("ё", "е")).split()
    return " ".join(w for w in words if w not in _CODES)


def guess_columns(headers: list[str], given: dict[str, str | None], where: str) -> dict[str, str]:
    """Choose the client, date and amount columns among ``headers``.

    Parameters
    ----------
    headers : list[str]
        The file's column headers.
    given : dict[str, str | None]
        Header named by the user for each role (None: guess from :data:`HEADERS`).
    where : str
        The file, for messages.

    Returns
    -------
    dict[str, str]
        Role -> header.

    Raises
    ------
    ExportError
        If a named column is absent, or a role matches no header or several.
    """
    found: dict[str, str] = {}
    shown = ", ".join(repr(h) for h in headers[:20])
    named = [(role, header) for role, header in given.items() if header is not None]
    for i, (role, header) in enumerate(named):
        for other, same in named[i + 1 :]:
            if header == same:
                raise ExportError(
                    f"{where}: --{role} and --{other} name the same column {header!r}; each "
                    "role needs its own column"
                )
    for role, known in HEADERS.items():
        name = given.get(role)
        if name is not None:
            if name not in headers:
                raise ExportError(f"{where}: no column {name!r} (--{role}); the header has {shown}")
            found[role] = name
            continue
        normal = {h: _normal(h) for h in headers if h not in found.values()}
        hits = [h for h, n in normal.items() if n in {_normal(k) for k in known}]
        if len(hits) != 1:
            what = "no column" if not hits else f"several columns ({hits})"
            hint = "" if len(headers) > 1 else "; is the delimiter right? (--delimiter)"
            if len(headers) == 1 and looks_like_cdnow(headers[0]):
                hint = (
                    "; the file looks like the CDNOW layout (id, client, date YYYYMMDD, "
                    "quantity, amount, separated by spaces): give --format cdnow"
                )
            name_it = "" if "cdnow" in hint else f" Name it with --{role} HEADER"
            raise ExportError(
                f"{where}: line 1: {what} looks like the {role} (expected one of "
                f"{', '.join(known[:6])}, ...); the header has {shown}{hint}.{name_it}"
            )
        found[role] = hits[0]
    return found


def sha256_of(path: Path) -> str:
    """Return the SHA-256 hex digest of a file's bytes (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _line_of(raw: bytes, position: int) -> int:
    """Return the 1-based line of byte ``position`` of ``raw``."""
    return raw.count(b"\n", 0, position) + 1


def _decode_8bit(raw: bytes, where: str) -> str:
    """Decode UTF-8 (BOM or not) or else Windows-1251; refuse a file that mixes the two."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        if not raw[: err.start].isascii():
            raise ExportError(
                f"{where}:{_line_of(raw, err.start)}: not UTF-8, while earlier lines are: "
                "the file mixes encodings; save it again in one (UTF-8)"
            ) from None
    try:
        text = raw.decode("cp1251")
    except UnicodeDecodeError:
        raise ExportError(f"{where}: not text in UTF-8, UTF-16 or Windows-1251") from None
    utf8 = _UTF8_CYRILLIC.search(raw)
    if utf8 is not None:
        raise ExportError(
            f"{where}:{_line_of(raw, utf8.start())}: UTF-8 text in a Windows-1251 file: the "
            "file mixes encodings; save it again in one (UTF-8)"
        )
    return text


def _decode(raw: bytes, where: str) -> str:
    """Decode an export: UTF-8 (with or without BOM), UTF-16 with its BOM, or Windows-1251.

    Raises
    ------
    ExportError
        If the text holds a NUL character (a binary file, or UTF-16 without its BOM), or mixes
        UTF-8 lines with lines in another encoding (a file pasted together from two exports);
        the message gives the first such line.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as err:
            raise ExportError(f"{where}: broken UTF-16 text near byte {err.start}") from None
    else:
        text = _decode_8bit(raw, where)
    nul = text.find("\x00")
    if nul >= 0:
        raise ExportError(
            f"{where}:{text.count(chr(10), 0, nul) + 1}: a NUL character: a binary file or "
            "UTF-16 text without its byte-order mark, not a CSV export (expected UTF-8 text)"
        )
    return text


def _sniff(text: str, where: str) -> str:
    """Return the delimiter: the only candidate in the header line, else csv.Sniffer's guess.

    The header is the surest witness: data cells may hold any character (a ``;`` inside a
    quoted client name or a formula must not decide it).
    """
    header = text[: 1 << 16].lstrip("\ufeff").split("\n", 1)[0]
    present = [d for d in ",;\t|" if d in header]
    if len(present) == 1:
        return present[0]
    sample = "\n".join(text[: 1 << 16].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        if counts[best] == 0:
            return ","  # one column: the column check says what is missing
        return best


def _read_csv(path: Path, delimiter: str | None, notes: list[str]) -> tuple[pd.DataFrame, int]:
    where = str(path)
    text = _decode(path.read_bytes(), where)
    if not text.strip():
        raise ExportError(f"{where}: the file is empty (expected a header and transaction rows)")
    sep = delimiter or _sniff(text, where)
    notes.append(f"delimiter {sep!r}" + ("" if delimiter else " (detected)"))
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as err:
        raise ExportError(_split_problem(where, sep, str(err), text)) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, 2  # data row i is on line i + 2 (header on line 1)


def _unclosed_quote_line(text: str) -> int:
    """Return the line on which the quote still open at the end of ``text`` was opened."""
    open_at, inside = 0, False
    for number, line in enumerate(text.split("\n"), start=1):
        if line.count('"') % 2:
            inside = not inside
            open_at = number if inside else open_at
    return open_at


def _split_problem(where: str, sep: str, message: str, text: str) -> str:
    """Say where and why the rows do not split into the header's fields (pandas' message)."""
    ragged = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if ragged:
        wanted, line, seen = ragged.groups()
        return (
            f"{where}:{line}: {seen} fields separated by {sep!r}, where the header has {wanted}; "
            "quote cells that hold the delimiter, or give --delimiter"
        )
    if "EOF inside string" in message:
        return (
            f'{where}:{_unclosed_quote_line(text)}: a quote (") opened on this line is never closed'
        )
    return f"{where}: cannot split the rows with {sep!r}: {message.strip()}"


def _read_excel(path: Path, notes: list[str]) -> tuple[pd.DataFrame, int]:
    try:
        frame = pd.read_excel(path, dtype=object, engine="openpyxl")
    except Exception as err:  # openpyxl raises many kinds on a broken workbook
        raise ExportError(f"{path}: cannot read the workbook: {err}") from None
    if len(frame.columns) == 0:
        raise ExportError(
            f"{path}: the workbook's first sheet is empty; the transactions must be on the "
            "first sheet (client, date and amount columns under a header row)"
        )
    notes.append("first sheet of the workbook")
    frame = frame.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else v)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, 2


_CDNOW_LINE = re.compile(r"\s*\S+\s+\S+\s+(?:19|20)\d{6}\s+\d+\s+-?\d+(?:\.\d+)?\s*")


def looks_like_cdnow(line: str) -> bool:
    """Return whether a line has the CDNOW layout :func:`_read_cdnow` reads.

    Five whitespace-separated fields: an id, a client id, a date ``YYYYMMDD`` (years 1900-2099),
    a whole quantity and an amount with a decimal point, e.g. ``00004 0001 19970101  2   29.33``.
    """
    return _CDNOW_LINE.fullmatch(line) is not None


def _read_cdnow(path: Path, notes: list[str]) -> tuple[pd.DataFrame, int]:
    notes.append("CDNOW layout: id, client, date YYYYMMDD, quantity, amount (no header)")
    if path.stat().st_size == 0:
        raise ExportError(f"{path}: the file is empty (expected CDNOW rows)")
    try:
        frame = pd.read_csv(
            path, sep=r"\s+", header=None, dtype=str, keep_default_na=False, engine="c"
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise ExportError(f"{path}: not the CDNOW layout: {err}") from None
    if frame.shape[1] != 5:
        raise ExportError(
            f"{path}: line 1: {frame.shape[1]} fields; the CDNOW layout has 5 "
            "(id, client, date, quantity, amount)"
        )
    frame.columns = ["id", CLIENT, DATE, "quantity", AMOUNT]
    return frame, 1


def _decimal_mark(values: pd.Series, forced: str | None) -> str:
    """Decide the decimal mark of an amount column from the values' forms."""
    if forced:
        return forced
    comma = values.str.contains(r",\d{1,2}$|,\d{4,}$|\.\d{3},\d+$", regex=True)
    point = values.str.contains(r"\.\d{1,2}$|\.\d{4,}$|,\d{3}\.\d+$", regex=True)
    if comma.any() and point.any():
        raise ExportError(
            f"amounts mix a decimal comma ({values[comma].iloc[0]!r}) and a decimal point "
            f"({values[point].iloc[0]!r}); give --decimal"
        )
    return "," if comma.any() else "."


def parse_amounts(values: pd.Series, decimal: str | None = None) -> tuple[pd.Series, str]:
    """Parse money amounts written with a currency sign, thousands separators, either mark.

    Parameters
    ----------
    values : pandas.Series
        Texts (or numbers, from a workbook).
    decimal : str or None
        ``","`` or ``"."``; None decides it from the column (a comma followed by one or two
        digits at the end, and no such point, means a decimal comma).

    Returns
    -------
    tuple[pandas.Series, str]
        Floats (NaN where the text is not an amount) and the decimal mark used. A minus sign
        (leading or trailing) or parentheses make an amount negative.
    """
    numeric = values.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool))
    text = values.astype(str).str.replace(_CURRENCY, "", regex=True)
    mark = _decimal_mark(text[~numeric], decimal)
    thousands = "." if mark == "," else ","
    ok = text.str.fullmatch(_NUMBER.pattern)
    clean = text.str.replace(thousands, "", regex=False).str.replace(mark, ".", regex=False)
    negative = clean.str.startswith("(") | clean.str.endswith("-")
    clean = clean.str.strip("()").str.rstrip("-")
    out = pd.to_numeric(clean.where(ok), errors="coerce")
    out = out.where(~negative, -out)
    out[numeric] = values[numeric].astype(float)
    return out.astype(float), mark


_ISO = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)
# A UTC offset after an ISO time (a CRM's API export): the day is the one written, local.
_OFFSET = r"(?<=\d)(Z|[+-]\d{2}:?\d{2})$"
_COMPACT = re.compile(r"^\d{8}$")
_DOTS = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})( \d{1,2}:\d{2}(:\d{2})?)?$")
_SLASH = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})( \d{1,2}:\d{2}(:\d{2})?)?$")


def parse_dates(
    values: pd.Series, dayfirst: bool = False, date_format: str | None = None
) -> tuple[pd.Series, str]:
    """Parse a date column; refuse a day/month order the data and the options leave open.

    Parameters
    ----------
    values : pandas.Series
        Texts, or datetimes from a workbook.
    dayfirst : bool
        Read ``01/02/2024`` as 1 February.
    date_format : str or None
        A ``strftime`` format that every value follows (wins over the guess).

    Returns
    -------
    tuple[pandas.Series, str]
        Days (datetime64, time of day dropped; NaT where not a date) and the form used.

    Raises
    ------
    ExportError
        If the column mixes day-first and month-first values, or its slashed dates could be
        either (message without the file: the caller adds it).
    """
    stamps = values.map(lambda v: isinstance(v, pd.Timestamp | np.datetime64))
    text = values.astype(str).str.strip()
    if date_format:
        form = date_format
        try:
            out = pd.to_datetime(text, format=date_format, errors="coerce")
        except ValueError as err:  # a bad directive, such as %Q
            raise ExportError(
                f"--date-format {date_format!r}: {err}; use strftime codes such as %d.%m.%Y"
            ) from None
    else:
        rest = text[~stamps & (text != "")]
        form = _date_form(rest, dayfirst)
        out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        if form == "ISO":
            ok = text.str.fullmatch(_ISO.pattern)
            local = text.where(ok).str.replace(_OFFSET, "", regex=True)
            out = pd.to_datetime(local, format="ISO8601", errors="coerce")
        elif form == "YYYYMMDD":
            out = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
        elif form:
            out = pd.to_datetime(text, format=form, errors="coerce")
            if form.endswith("%Y") or form.endswith("%y"):
                time_form = form + " %H:%M:%S"
                out = out.fillna(pd.to_datetime(text, format=time_form, errors="coerce"))
                out = out.fillna(pd.to_datetime(text, format=form + " %H:%M", errors="coerce"))
    if stamps.any():  # microseconds: a workbook's year 9999 is kept, to be refused as a date
        out = pd.Series(out, index=values.index).astype("datetime64[us]")
        days = [pd.Timestamp(v).to_datetime64().astype("datetime64[us]") for v in values[stamps]]
        out[stamps] = pd.Series(days, index=values.index[stamps], dtype="datetime64[us]")
    if not form:
        form = "workbook dates" if stamps.any() else "ISO"
    return pd.Series(out, index=values.index).dt.normalize(), form


def _date_form(text: pd.Series, dayfirst: bool) -> str:
    """Return the strftime form (or ISO / YYYYMMDD) most values of a date column have."""
    if text.empty:
        return ""
    forms = {
        "ISO": text.str.fullmatch(_ISO.pattern).mean(),
        "YYYYMMDD": text.str.fullmatch(_COMPACT.pattern).mean(),
        "dots": text.str.fullmatch(_DOTS.pattern).mean(),
        "slash": text.str.fullmatch(_SLASH.pattern).mean(),
    }
    form = max(forms, key=lambda k: forms[k])
    if forms[form] == 0:
        return "ISO"  # nothing matches: every value is reported as not a date
    if form in ("ISO", "YYYYMMDD"):
        return form
    pattern = _DOTS if form == "dots" else _SLASH
    parts = text.str.extract(pattern.pattern).dropna(subset=[0, 1, 2])
    sep = (
        "."
        if form == "dots"
        else str(text[text.str.fullmatch(_SLASH.pattern)].iloc[0])[len(str(parts.iloc[0, 0]))]
    )
    year = "%Y" if parts[2].str.len().max() == 4 else "%y"
    first_big = (parts[0].astype(int) > 12).any()
    second_big = (parts[1].astype(int) > 12).any()
    if first_big and second_big:
        raise ExportError(
            "dates mix day-first and month-first forms; give --date-format (e.g. %d/%m/%Y)"
        )
    if form == "dots" or dayfirst or first_big:
        return f"%d{sep}%m{sep}{year}"
    if second_big:
        return f"%m{sep}%d{sep}{year}"
    example = parts.index[0]
    raise ExportError(
        f"dates such as {text[example]!r} could be day-first or month-first; give --dayfirst "
        f"or --date-format (e.g. %m{sep}%d{sep}{year})"
    )


def read_export(
    path: Path,
    fmt: str = "auto",
    columns: dict[str, str | None] | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    dayfirst: bool = False,
    date_format: str | None = None,
) -> Export:
    """Read a transaction export into good rows and located bad rows.

    Parameters
    ----------
    path : pathlib.Path
        A ``.csv``/``.txt`` (any delimiter), ``.xlsx`` file, or with ``fmt="cdnow"`` the
        whitespace-separated CDNOW layout.
    fmt : str
        ``"auto"`` (by the file's suffix), ``"csv"``, ``"xlsx"`` or ``"cdnow"``.
    columns : dict[str, str | None] or None
        Header to use for ``client``, ``date``, ``amount`` (missing or None: guessed).
    delimiter, decimal : str or None
        Force the CSV delimiter and the decimal mark (None: detected).
    dayfirst : bool
        Read ambiguous slashed dates day-first.
    date_format : str or None
        The dates' ``strftime`` format.

    Returns
    -------
    Export
        The good rows and the rejected ones; a row with several bad fields is reported once
        per field.

    Raises
    ------
    ExportError
        If the file is empty, a column is missing or ambiguous, or the date form is.
    """
    where = str(path)
    notes: list[str] = []
    kind, frame, digest = _read_frame(path, fmt, delimiter, notes)
    if kind == "cdnow":
        used = {CLIENT: CLIENT, DATE: DATE, AMOUNT: AMOUNT}
        date_format = date_format or "%Y%m%d"
    else:
        used = guess_columns([c for c in frame.columns if c != "_line"], columns or {}, where)
    if frame.empty:
        raise ExportError(f"{where}: no transaction rows (only a header or blank lines)")
    client = frame[used[CLIENT]].astype(str).str.strip()
    try:
        dates, form = parse_dates(frame[used[DATE]], dayfirst, date_format)
    except ExportError as err:
        raise ExportError(f"{where}: column {used[DATE]!r}: {err}") from None
    try:
        amounts, mark = parse_amounts(frame[used[AMOUNT]], decimal)
    except ExportError as err:
        raise ExportError(f"{where}: column {used[AMOUNT]!r}: {err}") from None
    notes += [f"dates {form}", f"decimal mark {mark!r}"]
    rejected = _rejected(frame, used, client, dates, amounts, form, mark)
    good = ~frame["_line"].isin(rejected["line"])
    rows = pd.DataFrame(
        {
            CLIENT: client[good].to_numpy(),
            DATE: dates[good].to_numpy(),
            AMOUNT: amounts[good].to_numpy(),
            "line": frame["_line"][good].to_numpy(),
        }
    )
    # the rows used, and the column's header ("Сумма, руб."): what the amounts are in
    marked = currencies(pd.concat([frame[used[AMOUNT]][good], pd.Series([used[AMOUNT]])]))
    if marked:
        notes.append(f"amounts marked {', '.join(marked)}")
    return Export(rows, rejected.reset_index(drop=True), used, notes, digest, len(frame), marked)


def _read_frame(
    path: Path, fmt: str, delimiter: str | None, notes: list[str]
) -> tuple[str, pd.DataFrame, str]:
    """Read the file's cells as text: the format read, the non-blank rows (``_line``), the hash.

    Raises
    ------
    ExportError
        If the file cannot be read or is a workbook other than ``.xlsx``.
    """
    where = str(path)
    try:
        kind = fmt if fmt != "auto" else ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
        if fmt == "auto" and path.suffix.lower() in {".xls", ".xlsb", ".ods", ".numbers"}:
            raise ExportError(
                f"{where}: {path.suffix} workbooks are not read; save the sheet as .xlsx or CSV"
            )
        if kind == "cdnow":
            frame, first_line = _read_cdnow(path, notes)
        elif kind == "xlsx":
            frame, first_line = _read_excel(path, notes)
        else:
            frame, first_line = _read_csv(path, delimiter, notes)
        digest = sha256_of(path)
    except OSError as err:
        raise ExportError(f"{where}: cannot read the file ({err.strerror or err})") from None
    frame["_line"] = np.arange(len(frame)) + first_line
    blank = frame.drop(columns="_line").astype(str).apply(lambda c: c.str.strip() == "").all(axis=1)
    return kind, frame[~blank], digest


def _rejected(
    frame: pd.DataFrame,
    used: dict[str, str],
    client: pd.Series,
    dates: pd.Series,
    amounts: pd.Series,
    form: str,
    mark: str,
) -> pd.DataFrame:
    """Return the bad cells, one row per bad field: ``line``, ``column``, ``value``, ``problem``."""
    today = pd.Timestamp.now("UTC").tz_localize(None).normalize()
    outside = dates.notna() & ((dates < EARLIEST) | (dates > today + pd.Timedelta(days=1)))
    problems = [
        (client == "", used[CLIENT], frame[used[CLIENT]], "empty; expected a client id or name"),
        (dates.isna(), used[DATE], frame[used[DATE]], f"not a date in the form {form}"),
        (
            outside,
            used[DATE],
            frame[used[DATE]],
            f"outside the dates a transaction can have ({EARLIEST.date()} to today, "
            f"{today.date()})",
        ),
        (
            amounts.isna() | ~np.isfinite(amounts.fillna(0)),
            used[AMOUNT],
            frame[used[AMOUNT]],
            f"not an amount; expected a number such as 1234{mark}50 (a currency sign or code "
            "- руб., р., ₽, RUB, $, USD, €, EUR, £, GBP, ¥, CHF -, thousands separators and a "
            "minus or parentheses for returns are allowed)",
        ),
    ]
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "line": frame["_line"][bad],
                    "column": column,
                    "value": values[bad].astype(str).map(_short),
                    "problem": problem,
                }
            )
            for bad, column, values, problem in problems
        ],
        ignore_index=True,
    ).sort_values("line", kind="stable")
