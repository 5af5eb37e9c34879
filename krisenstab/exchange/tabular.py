"""Reading and writing the CSV and XLSX tables that German offices exchange.

The importers (facilities, contacts, scenarios) describe their columns with
:class:`ColumnSpec` and call :func:`read_table`.  Reading never stops at the
first bad value: every problem in the file is collected as a :class:`RowError`
so the user can fix the whole file in one go.  Problems with the file as a
whole (not a table, corrupt, too large) raise :class:`TableFormatError`.

Every message a user can see is German.  Pure module: no Qt, no database.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, TypeVar

__all__ = [
    "MAX_FILE_BYTES",
    "CellError",
    "ColumnSpec",
    "RowError",
    "TableFormatError",
    "TableResult",
    "TableRow",
    "csv_bytes",
    "format_cell",
    "normalize_header",
    "parse_bool",
    "parse_choice",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "parse_int",
    "parse_text",
    "parse_time",
    "protect_formula",
    "read_table",
    "write_csv",
    "write_xlsx",
]

MAX_FILE_BYTES = 50 * 1024 * 1024
# A 50 MB XLSX may legitimately unpack to a few hundred MB of XML; anything
# beyond this is a zip bomb rather than a spreadsheet.
MAX_XLSX_UNPACKED_BYTES = 600 * 1024 * 1024

T = TypeVar("T")
Parser = Callable[[Any], Any]


class TableFormatError(ValueError):
    """The file as a whole cannot be read as a table (German message)."""


class CellError(ValueError):
    """One value cannot be parsed; the message is the German reason."""


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem in one row (or in the header line) of the file.

    ``line`` is the file's physical line where the record starts (header =
    line 1) or, for XLSX, the sheet row number.  ``column`` is the header as
    the user wrote it, or ``None`` when the whole row is affected.
    """

    line: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        if self.column is None:
            return f"Zeile {self.line}: {self.reason}"
        return f"Zeile {self.line}, Spalte „{self.column}“: {self.reason}"


# --------------------------------------------------------------------------
# Value parsers.  Each accepts a str (CSV) or the native value openpyxl
# returns for a cell (int, float, bool, datetime, ...), returns None for an
# empty cell and raises CellError with a German reason otherwise.
# --------------------------------------------------------------------------


def _quote(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    if len(text) > 60:
        text = text[:57] + "…"
    return f"„{text}“"


def _format_float_de(value: float) -> str:
    return repr(value).replace(".", ",")


def _datetime_text(value: datetime) -> str:
    if value.tzinfo is not None or value.microsecond:
        return value.isoformat()
    if value.second:
        return value.strftime("%d.%m.%Y %H:%M:%S")
    return value.strftime("%d.%m.%Y %H:%M")


def parse_text(value: Any) -> str | None:
    """Trimmed text; empty → None.  Native cell values become German text."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Spreadsheets store postcodes and house numbers as floats.
        if value.is_integer():
            return str(int(value))
        return _format_float_de(value)
    if isinstance(value, datetime):
        return _datetime_text(value)
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M") if not value.second else value.strftime("%H:%M:%S")
    return str(value).strip() or None


_NUMBER_CHARS = re.compile(r"[0-9.,' \u00a0\u202f]+")
_EXPONENT = re.compile(r"[eE]([-+]?\d{1,3})$")
_SPACE_SEPARATORS = " '\u00a0\u202f"
_MAX_DIGITS = 30
# The common shapes ("12,5", "-3", "1000") skip the general analysis.
_PLAIN_DECIMAL = re.compile(r"-?[0-9]{1,15}(?:,[0-9]{1,15})?")
_PLAIN_INT = re.compile(r"-?[0-9]{1,18}")


class _BadNumber(Exception):
    """Internal: why number text was refused ("invalid", "ambiguous", "too_long")."""

    def __init__(self, kind: str = "invalid") -> None:
        super().__init__(kind)
        self.kind = kind


def _split_number(text: str, *, integer: bool) -> tuple[bool, str, str, int]:
    """Split German or English number text into (negative, int digits, fraction, exponent).

    Raises _BadNumber.  Comma is the decimal separator (German convention),
    dot the thousands separator; a dot is accepted as decimal point where that
    cannot be mistaken for a thousands group.
    """
    s = text.strip().replace("\u2212", "-")
    negative = False
    if s[:1] in "+-":
        negative = s[0] == "-"
        s = s[1:].lstrip()
    exponent = 0
    match = _EXPONENT.search(s)
    if match and not integer:
        exponent = int(match.group(1))
        s = s[: match.start()]
    if not s or not _NUMBER_CHARS.fullmatch(s) or not any(c.isdigit() for c in s):
        raise _BadNumber()
    if not (s[-1].isdigit() and (s[0].isdigit() or s[0] in ".,")):
        raise _BadNumber()
    dots, commas = s.count("."), s.count(",")
    spaced = any(c in s for c in _SPACE_SEPARATORS)
    decimal_sep: str | None
    if dots and commas:
        decimal_sep = "." if s.rfind(".") > s.rfind(",") else ","
        if s.count(decimal_sep) != 1:
            raise _BadNumber()
    elif commas:
        decimal_sep = "," if commas == 1 else None
    elif dots:
        decimal_sep = "." if dots == 1 and not integer else None
        if dots == 1 and integer and (len(s.split(".")[1]) != 3 or spaced):
            # "1.000" in a German file is a thousand; "1.5" is no integer.
            decimal_sep = "."
    else:
        decimal_sep = None
    if decimal_sep is not None:
        int_part, frac = s.rsplit(decimal_sep, 1)
    else:
        int_part, frac = s, ""
    if not frac.isdigit() and frac:
        raise _BadNumber()
    groups = re.split(r"[.,' \u00a0\u202f]", int_part)
    if len(groups) > 1:
        separators = {c for c in int_part if not c.isdigit()}
        if (
            len(separators) != 1
            or not 1 <= len(groups[0]) <= 3
            or groups[0].startswith("0")
            or any(len(g) != 3 for g in groups[1:])
        ):
            raise _BadNumber()
    digits = "".join(groups)
    if not digits and not frac:
        raise _BadNumber()
    if not digits.isdigit() and digits:
        raise _BadNumber()
    if len(digits) + len(frac) > _MAX_DIGITS:
        raise _BadNumber("too_long")
    # One separator followed by exactly three digits reads differently in
    # German and English files ("1.500" = 1500 or 1.5); refuse to guess
    # where the other reading is the one this parser would choose.
    ambiguous_sep = "," if integer else "."
    if (
        decimal_sep == ambiguous_sep
        and len(groups) == 1
        and len(frac) == 3
        and 1 <= len(digits) <= 3
        and not digits.startswith("0")
        and not exponent
    ):
        raise _BadNumber("ambiguous")
    return negative, digits or "0", frac, exponent


def parse_decimal(value: Any) -> float | None:
    """A number with decimal comma or point: ``1.234,5`` → 1234.5, ``12,5`` → 12.5."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(f"{_quote(parse_text(value))} ist keine Zahl")
    if isinstance(value, int | float | Decimal):
        number = float(value)
        if not math.isfinite(number):
            raise CellError(f"{_quote(value)} ist keine endliche Zahl")
        return number
    if not isinstance(value, str):
        raise CellError(f"{_quote(parse_text(value))} ist keine Zahl")
    if _PLAIN_DECIMAL.fullmatch(value):
        return float(value.replace(",", "."))
    if not value.strip():
        return None
    try:
        negative, digits, frac, exponent = _split_number(value, integer=False)
    except _BadNumber as exc:
        raise CellError(_number_reason(value, exc.kind, "keine Zahl")) from None
    number = float(f"{'-' if negative else ''}{digits}.{frac or '0'}e{exponent}")
    if not math.isfinite(number):
        raise CellError(f"{_quote(value.strip())} ist zu groß")
    return number


def parse_int(value: Any) -> int | None:
    """A whole number; German thousands dots are allowed (``1.000`` → 1000)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(f"{_quote(parse_text(value))} ist keine ganze Zahl")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        if not math.isfinite(value) or value != int(value):
            raise CellError(f"{_quote(parse_text(value))} ist keine ganze Zahl")
        return int(value)
    if not isinstance(value, str):
        raise CellError(f"{_quote(parse_text(value))} ist keine ganze Zahl")
    if _PLAIN_INT.fullmatch(value):
        return int(value)
    if not value.strip():
        return None
    try:
        negative, digits, frac, _ = _split_number(value, integer=True)
    except _BadNumber as exc:
        raise CellError(_number_reason(value, exc.kind, "keine ganze Zahl")) from None
    if frac.strip("0"):
        raise CellError(f"{_quote(value.strip())} ist keine ganze Zahl")
    number = int(digits)
    return -number if negative else number


def _number_reason(value: str, kind: str, default: str) -> str:
    shown = _quote(value.strip())
    if kind == "ambiguous":
        return (
            f"{shown} ist mehrdeutig (Tausender- oder Dezimaltrennzeichen?); "
            "bitte ohne Tausenderpunkt und mit Dezimalkomma schreiben"
        )
    if kind == "too_long":
        return f"{shown} hat zu viele Stellen"
    return f"{shown} ist {default}"


_TRUE_WORDS = frozenset({"ja", "j", "x", "yes", "y", "true", "wahr", "1", "✓", "✔"})
_FALSE_WORDS = frozenset({"nein", "n", "no", "false", "falsch", "0"})


def parse_bool(value: Any) -> bool | None:
    """ja/nein, j/n, x, yes/no, true/false, wahr/falsch, 1/0; empty → None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().casefold()
        if not word:
            return None
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        raise CellError(f"{_quote(value.strip())} ist kein Ja/Nein-Wert (erlaubt: ja, nein, x)")
    raise CellError(f"{_quote(parse_text(value))} ist kein Ja/Nein-Wert (erlaubt: ja, nein, x)")


_DE_DATE = r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}|\d{2})"
_DE_TIME = r"(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?(?:\s*Uhr)?"
_DE_DATETIME_RE = re.compile(rf"{_DE_DATE}(?:\s*(?:,|\s|T|um)\s*{_DE_TIME})?", re.IGNORECASE)
_DE_TIME_RE = re.compile(_DE_TIME, re.IGNORECASE)
_ISO_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
    re.IGNORECASE,
)
_DTG_RE = re.compile(r"(\d{2})(\d{2})(\d{2})\s*([a-zä]{3})\s*(\d{2})", re.IGNORECASE)
_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "mrz": 3,
    "mär": 3,
    "apr": 4,
    "mai": 5,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "okt": 10,
    "oct": 10,
    "nov": 11,
    "dez": 12,
    "dec": 12,
}
_DATETIME_HINT = "erwartet z. B. 27.11.2026 15:30"


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 else year


def _build_datetime(value: str, parts: Sequence[int]) -> datetime:
    try:
        return datetime(*parts)
    except ValueError:
        raise CellError(f"{_quote(value)} ist kein gültiges Datum") from None


def parse_datetime(value: Any) -> datetime | None:
    """``27.11.2026 15:30``, ISO 8601 or a date-time group (``271530nov26``).

    Naive unless the text carries an offset; the caller decides the zone.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        raise CellError(f"{_quote(parse_text(value))} ist kein Zeitpunkt ({_DATETIME_HINT})")
    text = value.strip()
    if not text:
        return None
    if match := _DE_DATETIME_RE.fullmatch(text):
        if match.group("H") is None:
            raise CellError(f"{_quote(text)}: Uhrzeit fehlt ({_DATETIME_HINT})")
        return _build_datetime(
            text,
            [
                _year(match.group("y")),
                int(match.group("m")),
                int(match.group("d")),
                int(match.group("H")),
                int(match.group("M")),
                int(match.group("S") or 0),
            ],
        )
    if _ISO_RE.fullmatch(text):
        if len(text) == 10:
            raise CellError(f"{_quote(text)}: Uhrzeit fehlt ({_DATETIME_HINT})")
        try:
            return datetime.fromisoformat(text.replace(",", "."))
        except ValueError:
            raise CellError(f"{_quote(text)} ist kein gültiges Datum") from None
    if match := _DTG_RE.fullmatch(text):
        month = _MONTHS.get(match.group(4).casefold())
        if month is None:
            raise CellError(f"{_quote(text)}: unbekannter Monat „{match.group(4)}“")
        return _build_datetime(
            text,
            [
                _year(match.group(5)),
                month,
                int(match.group(1)),
                int(match.group(2)),
                int(match.group(3)),
            ],
        )
    raise CellError(f"{_quote(text)} ist kein Zeitpunkt ({_DATETIME_HINT})")


def parse_date(value: Any) -> date | None:
    """``27.11.2026``, ``27.11.26`` or ISO ``2026-11-27``."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise CellError(f"{_quote(parse_text(value))} ist kein Datum (erwartet z. B. 27.11.2026)")
    text = value.strip()
    if not text:
        return None
    match = _DE_DATETIME_RE.fullmatch(text)
    if match and match.group("H") is None:
        parts = [_year(match.group("y")), int(match.group("m")), int(match.group("d"))]
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        parts = [int(p) for p in text.split("-")]
    else:
        raise CellError(f"{_quote(text)} ist kein Datum (erwartet z. B. 27.11.2026)")
    return _build_datetime(text, parts).date()


def parse_time(value: Any) -> time | None:
    """``15:30``, ``15.30 Uhr`` or ``15:30:10``."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    if not isinstance(value, str):
        raise CellError(f"{_quote(parse_text(value))} ist keine Uhrzeit (erwartet z. B. 15:30)")
    text = value.strip()
    if not text:
        return None
    match = _DE_TIME_RE.fullmatch(text)
    if not match:
        raise CellError(f"{_quote(text)} ist keine Uhrzeit (erwartet z. B. 15:30)")
    try:
        return time(int(match.group("H")), int(match.group("M")), int(match.group("S") or 0))
    except ValueError:
        raise CellError(f"{_quote(text)} ist keine gültige Uhrzeit") from None


def parse_choice(options: Mapping[str, T]) -> Callable[[Any], T | None]:
    """A parser accepting the option names, matched like headers (case, blanks)."""
    lookup = {normalize_header(name): result for name, result in options.items()}
    shown = ", ".join(options)

    def parse(value: Any) -> T | None:
        text = parse_text(value)
        if text is None:
            return None
        try:
            return lookup[normalize_header(text)]
        except KeyError:
            raise CellError(f"{_quote(text)} ist nicht zulässig (erlaubt: {shown})") from None

    return parse


# --------------------------------------------------------------------------
# Column description and result types
# --------------------------------------------------------------------------

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_HEADER_NOISE = re.compile(r"[\s_\-.]+")


def normalize_header(text: str) -> str:
    """Header key for matching: ``"Autarkie (h)"`` and ``"autarkie(h)"`` are equal.

    Case, blanks, ``_ - .``, ß/ss and ä/ae differences are ignored.
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(_UMLAUTS)
    return _HEADER_NOISE.sub("", text)


@dataclass(frozen=True)
class ColumnSpec:
    """One column the caller understands.

    ``aliases`` are the header names accepted (German and English); the key
    itself is accepted too.  ``required`` columns must be present and, unless
    ``allow_empty`` says otherwise, have a value in every row.
    """

    key: str
    aliases: Sequence[str] = ()
    required: bool = False
    parse: Parser = parse_text
    allow_empty: bool | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.aliases, str):
            object.__setattr__(self, "aliases", (self.aliases,))
        else:
            object.__setattr__(self, "aliases", tuple(self.aliases))

    @property
    def display(self) -> str:
        """The name shown to the user when the column is missing."""
        return self.label or (self.aliases[0] if self.aliases else self.key)

    @property
    def accepts_empty(self) -> bool:
        return (not self.required) if self.allow_empty is None else self.allow_empty

    def header_keys(self) -> list[str]:
        return list(dict.fromkeys(normalize_header(n) for n in (*self.aliases, self.key)))


class TableRow(dict[str, Any]):
    """One data row: column key → parsed value, plus the file ``line``."""

    __slots__ = ("line",)

    def __init__(self, line: int, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self.line = line

    def __repr__(self) -> str:
        return f"TableRow(line={self.line}, {dict.__repr__(self)})"


@dataclass
class TableResult:
    """What :func:`read_table` found.

    ``rows`` holds only the rows without any error; ``record_count`` counts
    every non-blank data row.  ``columns`` maps each key found to the header
    as written in the file.
    """

    rows: list[TableRow]
    unknown_columns: list[str]
    errors: list[RowError]
    encoding: str | None
    delimiter: str | None
    columns: dict[str, str] = field(default_factory=dict)
    header_line: int = 1
    record_count: int = 0
    format: str = "csv"

    @property
    def ok(self) -> bool:
        return not self.errors


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGIC = {
    b"%PDF": "ein PDF-Dokument",
    b"\x89PNG": "ein PNG-Bild",
    b"\xff\xd8\xff": "ein JPEG-Bild",
    b"GIF8": "ein GIF-Bild",
    b"\x1f\x8b": "ein gzip-Archiv",
    b"Rar!": "ein RAR-Archiv",
    b"7z\xbc\xaf": "ein 7-Zip-Archiv",
}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_FORMULA_TRIGGERS = frozenset("=+-@\t\r")
_DELIMITERS = (";", "\t", ",")  # order breaks ties: German files use ";"
_SEP_LINE = re.compile(r"sep=([^\r\n])(?:\r\n|\r|\n|$)", re.IGNORECASE)


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",") + " MB"


def _too_large(size: int, limit: int) -> TableFormatError:
    return TableFormatError(
        f"Die Datei ist zu groß ({_size_text(size)}); höchstens "
        f"{limit // (1024 * 1024)} MB können eingelesen werden."
    )


def _load_bytes(
    source: bytes | bytearray | str | os.PathLike[str] | IO[bytes],
    filename: str | None,
    limit: int,
) -> tuple[bytes, str | None]:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        filename = filename or path.name
        try:
            size = path.stat().st_size
            if size > limit:
                raise _too_large(size, limit)
            with path.open("rb") as handle:
                data = handle.read(limit + 1)
        except OSError as exc:
            reason = exc.strerror or exc.__class__.__name__
            raise TableFormatError(
                f"Die Datei „{path.name}“ kann nicht gelesen werden ({reason})."
            ) from exc
    else:
        data = source.read(limit + 1)
        if not isinstance(data, bytes | bytearray):
            raise TypeError("read_table needs a binary stream")
        data = bytes(data)
    if len(data) > limit:
        raise _too_large(len(data), limit)
    return data, filename


def read_table(
    source: bytes | bytearray | str | os.PathLike[str] | IO[bytes],
    columns: Sequence[ColumnSpec],
    *,
    filename: str | None = None,
    sheet: str | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> TableResult:
    """Read a CSV or XLSX table and parse it against ``columns``.

    ``source`` is the file content, a path or a binary stream; ``filename``
    (taken from a path) only helps to tell the format and to name the file in
    messages.  XLSX is read from ``sheet`` or the first visible sheet.
    Raises :class:`TableFormatError` if the file as a whole is unusable.
    """
    plan_specs = _check_specs(columns)
    data, filename = _load_bytes(source, filename, max_bytes)
    suffix = Path(filename).suffix.casefold() if filename else ""
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise TableFormatError("Die Datei ist leer.")
    if data.startswith(_OLE_MAGIC) or suffix == ".xls":
        raise TableFormatError(
            "Das alte Excel-Format (.xls) wird nicht unterstützt. Bitte die Tabelle in "
            "Excel als „Excel-Arbeitsmappe (.xlsx)“ oder als „CSV UTF-8“ speichern."
        )
    if suffix == ".ods":
        raise TableFormatError(
            "OpenDocument-Tabellen (.ods) werden nicht unterstützt. Bitte als .xlsx oder CSV "
            "speichern."
        )
    if data.startswith(_ZIP_MAGIC) or suffix in _XLSX_SUFFIXES:
        if not data.startswith(_ZIP_MAGIC):
            raise TableFormatError(
                f"Die Datei „{filename}“ ist keine gültige Excel-Arbeitsmappe "
                "(kein ZIP-Archiv); sie ist beschädigt oder falsch benannt."
            )
        return _read_xlsx(data, plan_specs, sheet)
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise TableFormatError(
                f"Die Datei ist {what} und keine Tabelle. Erwartet wird CSV oder XLSX."
            )
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _reject_nul(data, b"\x00", b"\n")
    text, encoding = _decode(data)
    _reject_nul(text, "\x00", "\n")
    _reject_control_characters(text)
    delimiter, body, line_offset = _sniff(text)
    records = _csv_records(body, delimiter, line_offset)
    return _build_result(
        records,
        plan_specs,
        strict_width=True,
        unescape=True,
        encoding=encoding,
        delimiter=delimiter,
        fmt="csv",
    )


def _check_specs(columns: Sequence[ColumnSpec]) -> list[ColumnSpec]:
    seen_keys: set[str] = set()
    owner: dict[str, str] = {}
    for spec in columns:
        if spec.key in seen_keys:
            raise ValueError(f"duplicate column key {spec.key!r}")
        seen_keys.add(spec.key)
        for header in spec.header_keys():
            if owner.setdefault(header, spec.key) != spec.key:
                raise ValueError(
                    f"header alias {header!r} used by {owner[header]!r} and {spec.key!r}"
                )
    return list(columns)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode-Text" export is UTF-16 with BOM, tab-separated.
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise TableFormatError(
                "Die Datei gibt sich als UTF-16 aus, ist aber nicht korrekt kodiert."
            ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        return text, ("utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8")
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TableFormatError(
            "Die Zeichenkodierung der Datei ist weder UTF-8 noch Windows-1252 "
            f"(unbekanntes Byte 0x{data[exc.start]:02X} in Zeile {line}). Ist es "
            "wirklich eine CSV-Datei? Bitte in Excel als „CSV UTF-8“ speichern."
        ) from None


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _reject_nul(content: Any, nul: Any, newline: Any) -> None:
    # Text files never contain NUL; it means a binary file or a broken export.
    position = content.find(nul)
    if position >= 0:
        line = content.count(newline, 0, position) + 1
        raise TableFormatError(
            f"Die Datei enthält Binärdaten (NUL-Zeichen in Zeile {line}) und ist keine "
            "CSV-Textdatei."
        )


def _reject_control_characters(text: str) -> None:
    sample = text[:8192]
    if len(_CONTROL_CHARS.findall(sample)) > max(8, len(sample) // 20):
        raise TableFormatError(
            "Die Datei enthält überwiegend Steuerzeichen (Binärdaten) und ist keine CSV-Textdatei."
        )


def _count_outside_quotes(line: str) -> dict[str, int]:
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return counts


def _first_record_text(text: str) -> str:
    """The header record, which may span lines inside quotes."""
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted and text[:index].strip():
            return text[:index]
    return text


def _sniff(text: str) -> tuple[str, str, int]:
    """Return (delimiter, text to read, number of lines skipped before it)."""
    match = _SEP_LINE.match(text)
    if match:
        # Excel's "sep=;" first line names the delimiter explicitly.
        return match.group(1), text[match.end() :], 1
    header = _first_record_text(text[:65536])
    counts = _count_outside_quotes(header)
    candidates = [d for d in _DELIMITERS if counts[d]]
    if not candidates:
        return ";", text, 0
    if len(candidates) == 1:
        return candidates[0], text, 0
    sample = text[:65536]

    def score(delimiter: str) -> tuple[int, int, int]:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        widths = []
        try:
            for record in reader:
                if record:
                    widths.append(len(record))
                if len(widths) > 20:
                    break
        except csv.Error:
            pass
        consistent = sum(1 for w in widths[1:20] if widths and w == widths[0])
        return consistent, counts[delimiter], -_DELIMITERS.index(delimiter)

    return max(candidates, key=score), text, 0


_CSV_ERROR_REASONS = (
    ("expected after", "fehlerhafte Anführungszeichen: nach einem schließenden „\"“ muss "
     "das Trennzeichen oder das Zeilenende folgen"),
    ("unexpected end of data", "ein Anführungszeichen wird bis zum Dateiende nicht "
     "geschlossen"),
    ("field larger than field limit", "ein Feld ist zu lang (mehr als 131.072 Zeichen)"),
)  # fmt: skip


def _csv_records(
    text: str, delimiter: str, line_offset: int
) -> Iterator[tuple[int, list[str] | RowError]]:
    """Yield (start line, cells) per record, or (line, RowError) for broken ones."""
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        quotechar='"',
        doublequote=True,
        strict=True,
    )
    while True:
        start = reader.line_num + 1 + line_offset
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = str(exc)
            reason = next(
                (german for english, german in _CSV_ERROR_REASONS if english in message),
                "die Zeile ist kein gültiger CSV-Datensatz",
            )
            yield start, RowError(start, None, reason)
            if "field limit" in message:
                # The reader cannot resynchronise after an oversized field.
                return
            continue
        yield start, cells


def _read_xlsx(data: bytes, specs: list[ColumnSpec], sheet: str | None) -> TableResult:
    import openpyxl  # deferred: importing openpyxl costs ~0.2 s at start-up

    broken = (
        "Die Excel-Datei ist beschädigt oder keine gültige Arbeitsmappe. Bitte in Excel "
        "öffnen und erneut als .xlsx speichern."
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        names = {info.filename for info in infos}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise TableFormatError(broken) from None
    if sum(info.file_size for info in infos) > MAX_XLSX_UNPACKED_BYTES:
        raise TableFormatError(
            "Die Excel-Datei ist entpackt zu groß und kann nicht eingelesen werden."
        )
    if "xl/workbook.xml" not in names:
        if "mimetype" in names and "content.xml" in names:
            raise TableFormatError(
                "OpenDocument-Tabellen (.ods) werden nicht unterstützt. Bitte als .xlsx "
                "oder CSV speichern."
            )
        raise TableFormatError(
            "Die Datei ist ein ZIP-Archiv, aber keine Excel-Arbeitsmappe (.xlsx)."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
    except Exception as exc:
        # openpyxl surfaces corrupt parts as zipfile, KeyError, XML or
        # arbitrary value errors; for the user they all mean "broken file".
        raise TableFormatError(broken) from exc
    try:
        worksheet = _pick_sheet(workbook, sheet)
        if hasattr(worksheet, "reset_dimensions"):
            # Declared dimensions are often wrong in generated files and
            # would cut rows off in read-only mode.
            worksheet.reset_dimensions()
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation,
            # extensions); they do not matter for reading values.
            warnings.simplefilter("ignore")
            return _build_result(
                _xlsx_records(worksheet, broken),
                specs,
                strict_width=False,
                unescape=False,
                encoding=None,
                delimiter=None,
                fmt="xlsx",
            )
    finally:
        workbook.close()


def _pick_sheet(workbook: Any, sheet: str | None) -> Any:
    sheets = workbook.worksheets
    if sheet is not None:
        for candidate in sheets:
            if candidate.title == sheet:
                return candidate
        names = ", ".join(f"„{s.title}“" for s in sheets)
        raise TableFormatError(f"Tabellenblatt „{sheet}“ nicht gefunden (vorhanden: {names}).")
    for candidate in sheets:
        if getattr(candidate, "sheet_state", "visible") == "visible":
            return candidate
    raise TableFormatError("Die Excel-Arbeitsmappe enthält kein sichtbares Tabellenblatt.")


def _xlsx_records(worksheet: Any, broken: str) -> Iterator[tuple[int, Sequence[Any]]]:
    try:
        rows = worksheet.iter_rows(values_only=True)
    except Exception as exc:
        raise TableFormatError(broken) from exc
    line = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:
            # See _read_xlsx: any failure inside openpyxl is a broken file.
            raise TableFormatError(f"{broken} (Fehler nach Zeile {line})") from exc
        line += 1
        yield line, row


def _is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _unescape(cell: str) -> str:
    if len(cell) > 1 and cell[0] == "'" and (cell[1] in _FORMULA_TRIGGERS or cell[1] == "'"):
        return cell[1:]
    return cell


def _build_result(
    records: Iterable[tuple[int, Sequence[Any] | RowError]],
    specs: list[ColumnSpec],
    *,
    strict_width: bool,
    unescape: bool,
    encoding: str | None,
    delimiter: str | None,
    fmt: str,
) -> TableResult:
    errors: list[RowError] = []
    rows: list[TableRow] = []
    iterator = iter(records)
    header_line = 0
    header: list[str] = []
    for line, record in iterator:
        if isinstance(record, RowError):
            # Without a readable header no row can be interpreted.
            raise TableFormatError(
                f"Die Kopfzeile (Zeile {line}) kann nicht gelesen werden: {record.reason}."
            )
        if any(not _is_blank(c) for c in record):
            header_line = line
            header = ["" if c is None else str(c).strip() for c in record]
            break
    if not header:
        raise TableFormatError("Die Datei enthält keine Kopfzeile mit Spaltennamen.")
    if unescape:
        header = [_unescape(h).strip() for h in header]
    while header and not header[-1]:
        header.pop()
    width = len(header)

    by_header: dict[str, ColumnSpec] = {}
    for spec in specs:
        for key in spec.header_keys():
            by_header[key] = spec
    found: dict[str, tuple[int, str]] = {}
    unknown: list[str] = []
    for index, name in enumerate(header):
        if not name:
            continue
        spec = by_header.get(normalize_header(name))
        if spec is None:
            if name not in unknown:
                unknown.append(name)
        elif spec.key in found:
            first = found[spec.key][1]
            errors.append(
                RowError(
                    header_line,
                    name,
                    f"bezeichnet dasselbe Feld wie die Spalte „{first}“; "
                    "bitte eine der beiden Spalten entfernen",
                )
            )
        else:
            found[spec.key] = (index, name)
    for spec in specs:
        if spec.required and spec.key not in found:
            accepted = ", ".join(dict.fromkeys((*spec.aliases, spec.key)))
            errors.append(
                RowError(
                    header_line,
                    None,
                    f"Pflichtspalte „{spec.display}“ fehlt (mögliche Überschriften: {accepted})",
                )
            )

    plan = [
        (found[s.key][0], s.key, found[s.key][1], s.parse, s.accepts_empty)
        for s in specs
        if s.key in found
    ]
    absent = {s.key: None for s in specs if s.key not in found}
    record_count = 0
    for line, record in iterator:
        if isinstance(record, RowError):
            errors.append(record)
            continue
        cells = record
        if all(_is_blank(c) for c in cells):
            continue
        record_count += 1
        count = len(cells)
        if count > width:
            if any(not _is_blank(c) for c in cells[width:]):
                errors.append(
                    RowError(
                        line,
                        None,
                        f"die Zeile hat {count} Werte, die Kopfzeile aber nur {width} Spalten",
                    )
                )
                continue
        elif count < width and strict_width:
            hint = ""
            if any(isinstance(c, str) and "\n" in c for c in cells):
                hint = " (Anführungszeichen nicht geschlossen?)"
            errors.append(
                RowError(
                    line,
                    None,
                    f"die Zeile hat nur {count} Werte, die Kopfzeile aber {width} Spalten{hint}",
                )
            )
            continue
        values: dict[str, Any] = dict(absent)
        row_ok = True
        for index, key, name, parse, accepts_empty in plan:
            raw = cells[index] if index < count else None
            if raw is not None and raw.__class__ is str:
                if unescape and raw[:1] == "'":
                    raw = _unescape(raw)
                raw = raw.strip()
                if not raw:
                    raw = None
            if raw is None:
                if not accepts_empty:
                    errors.append(RowError(line, name, "Pflichtangabe fehlt"))
                    row_ok = False
                values[key] = None
                continue
            try:
                values[key] = parse(raw)
            except ValueError as exc:
                # Custom parsers (e.g. geo.parse_position) raise ValueError
                # subclasses whose message is already the German reason.
                errors.append(RowError(line, name, str(exc) or f"{_quote(raw)} ist ungültig"))
                row_ok = False
        if row_ok:
            rows.append(TableRow(line, values))
    return TableResult(
        rows=rows,
        unknown_columns=unknown,
        errors=errors,
        encoding=encoding,
        delimiter=delimiter,
        columns={key: name for key, (_, name) in found.items()},
        header_line=header_line,
        record_count=record_count,
        format=fmt,
    )


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"[-+]?\d[\d.,]*(?:[eE][-+]?\d+)?")


def protect_formula(text: str) -> str:
    """Defuse spreadsheet formula injection by prefixing ``'``.

    Text starting with ``= + - @`` (or tab/CR) would be evaluated by Excel;
    plain numbers such as ``-12,5`` stay as they are.  Text that already starts
    with ``'`` before such a character is prefixed too, so reading strips
    exactly one ``'`` and returns the original.
    """
    if not text:
        return text
    first = text[0]
    if first in _FORMULA_TRIGGERS:
        if first in "-+" and _PLAIN_NUMBER.fullmatch(text):
            return text
        return "'" + text
    if first == "'" and len(text) > 1 and (text[1] in _FORMULA_TRIGGERS or text[1] == "'"):
        return "'" + text
    return text


def format_cell(value: Any) -> str:
    """German CSV text for a value: decimal comma, ``ja``/``nein``, ``27.11.2026 15:30``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _format_float_de(value) if math.isfinite(value) else ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",") if value.is_finite() else ""
    if isinstance(value, datetime):
        return _datetime_text(value)
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


_NEEDS_QUOTES = frozenset(';,\t"\r\n')


def _csv_field(text: str, *, force: bool = False) -> str:
    # Quote whenever any candidate delimiter occurs, not just ";", so that
    # the reader's delimiter sniffing can never be misled by our own files.
    if force or any(c in _NEEDS_QUOTES for c in text):
        return '"' + text.replace('"', '""') + '"'
    return text


def _row_values(headers: Sequence[str], row: Sequence[Any] | Mapping[str, Any]) -> list[Any]:
    if isinstance(row, Mapping):
        return [row.get(h) for h in headers]
    values = list(row)
    if len(values) != len(headers):
        raise ValueError(f"row has {len(values)} values for {len(headers)} headers")
    return values


def _check_headers(headers: Sequence[str]) -> None:
    if not headers:
        raise ValueError("at least one header is required")
    if any(not str(h).strip() for h in headers):
        raise ValueError("headers must not be blank")


def csv_bytes(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
    *,
    delimiter: str = ";",
) -> bytes:
    """The CSV file :func:`write_csv` would write, as bytes."""
    buffer = io.BytesIO()
    write_csv(buffer, headers, rows, delimiter=delimiter)
    return buffer.getvalue()


def write_csv(
    target: str | os.PathLike[str] | IO[bytes],
    headers: Sequence[str],
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
    *,
    delimiter: str = ";",
) -> int:
    """Write ``;``-separated UTF-8 with BOM, CRLF line ends, formula-safe.

    ``rows`` are sequences in header order or mappings keyed by header.
    A path is replaced atomically.  Returns the number of data rows.
    """
    _check_headers(headers)
    if delimiter not in _DELIMITERS:
        raise ValueError(f"unsupported delimiter {delimiter!r}")

    def encode(values: Iterable[Any], *, header: bool = False) -> str:
        cells = [protect_formula(format_cell(v).replace("\x00", "")) for v in values]
        # An unquoted "sep=" first header would be taken for Excel's
        # delimiter line when the file is read back.
        force_first = header and cells[0][:4].casefold() == "sep="
        fields = [_csv_field(c, force=force_first and i == 0) for i, c in enumerate(cells)]
        return delimiter.join(fields) + "\r\n"

    lines = [encode((str(h) for h in headers), header=True)]
    count = 0
    for row in rows:
        lines.append(encode(_row_values(headers, row)))
        count += 1
    payload = codecs.BOM_UTF8 + "".join(lines).encode("utf-8", errors="replace")
    _write_bytes(target, payload)
    return count


def _write_bytes(target: str | os.PathLike[str] | IO[bytes], payload: bytes) -> None:
    if isinstance(target, str | os.PathLike):
        path = Path(target)
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
    else:
        target.write(payload)


def write_xlsx(
    target: str | os.PathLike[str] | IO[bytes],
    headers: Sequence[str],
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
    *,
    sheet_title: str = "Daten",
) -> int:
    """Write an XLSX workbook with one sheet; text is always stored as text.

    Text cells are never formulas (so no ``'`` prefix is needed), numbers,
    booleans and naive date-times keep their type.  Returns the row count.
    """
    import openpyxl  # deferred: importing openpyxl costs ~0.2 s at start-up
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    _check_headers(headers)
    workbook = openpyxl.Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet_title[:31] or "Daten")
    worksheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        width = min(max(len(str(header)) + 4, 10), 60)
        worksheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)

    def cell(value: Any, *, header: bool = False) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.isoformat()  # Excel has no time zones
        elif isinstance(value, float | Decimal) and not math.isfinite(value):
            value = None
        elif value is not None and not isinstance(
            value, str | int | float | Decimal | datetime | date | time
        ):
            value = format_cell(value)
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            value = value.encode("utf-8", errors="replace").decode("utf-8")
        result = WriteOnlyCell(worksheet, value=value)
        if isinstance(value, str):
            result.data_type = "s"  # never a formula, whatever the text starts with
        elif isinstance(value, datetime):
            result.number_format = "DD.MM.YYYY HH:MM:SS" if value.second else "DD.MM.YYYY HH:MM"
        elif isinstance(value, date):
            result.number_format = "DD.MM.YYYY"
        if header:
            result.font = bold
        return result

    worksheet.append([cell(str(h), header=True) for h in headers])
    count = 0
    for row in rows:
        worksheet.append([cell(v) for v in _row_values(headers, row)])
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    _write_bytes(target, buffer.getvalue())
    return count
