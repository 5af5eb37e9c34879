"""The responsibility matrix as a CSV/XLSX table: reading for the import, writing for export.

Pure module (no database): :func:`read_contacts` turns a file into
:class:`ContactRecord` lines and collects every problem with its line number;
the service decides what to create or update and writes all or nothing.
Export writes the same columns, so an exported file can be edited and read
back in (lines are matched by "Schlüssel", else by Zuständigkeit + Gemeinde +
Organisation).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import IO, Any

from krisenstab.domain.staff import clean_email, clean_line, clean_phone
from krisenstab.exchange.tabular import (
    CellError,
    ColumnSpec,
    RowError,
    TableFormatError,
    parse_bool,
    parse_text,
    read_table,
    write_csv,
    write_xlsx,
)

__all__ = [
    "CONTACT_COLUMNS",
    "EXPORT_HEADERS",
    "ContactFile",
    "ContactRecord",
    "TableFormatError",
    "read_contacts",
    "write_contacts",
]


def _line(what: str, max_length: int) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        text = parse_text(value)
        try:
            return clean_line(text, what, max_length)
        except ValueError as exc:
            raise CellError(str(exc)) from None

    return parse


def _phone(what: str) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        try:
            return clean_phone(parse_text(value), what)
        except ValueError as exc:
            raise CellError(str(exc)) from None

    return parse


def _email(value: Any) -> str | None:
    try:
        return clean_email(parse_text(value))
    except ValueError as exc:
        raise CellError(str(exc)) from None


def _notes(value: Any) -> str | None:
    text = parse_text(value)
    if text is not None and len(text) > 4000:
        raise CellError("Die Bemerkung ist zu lang (höchstens 4000 Zeichen).")
    return text


# Key, accepted headers (first = the one written on export), parser.
CONTACT_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "import_key", ("Schlüssel", "Kennung", "Key", "ID"), parse=_line("Der Schlüssel", 120)
    ),
    ColumnSpec(
        "subject",
        ("Zuständigkeit", "Thema", "Betreff", "Aufgabe", "Subject"),
        required=True,
        parse=_line("Die Zuständigkeit", 200),
    ),
    ColumnSpec(
        "keywords",
        ("Stichworte", "Suchbegriffe", "Schlagworte"),
        parse=_line("Die Stichworte", 500),
    ),
    ColumnSpec("sector", ("KRITIS-Sektor", "Sektor"), parse=_line("Der Sektor", 100)),
    ColumnSpec("branch", ("KRITIS-Branche", "Branche"), parse=_line("Die Branche", 100)),
    ColumnSpec("facility_id", ("Objekt-ID", "Objektkennung"), parse=_line("Die Objekt-ID", 36)),
    ColumnSpec(
        "facility_label", ("Objekt", "Einrichtung", "KRITIS-Objekt"), parse=_line("Das Objekt", 200)
    ),
    ColumnSpec(
        "municipality", ("Gemeinde", "Kommune", "Stadt", "Ort"), parse=_line("Die Gemeinde", 100)
    ),
    ColumnSpec(
        "organisation",
        ("Organisation", "Behörde", "Betreiber", "Dienststelle", "Firma"),
        parse=_line("Die Organisation", 200),
    ),
    ColumnSpec("function", ("Funktion", "Rolle", "Stelle"), parse=_line("Die Funktion", 120)),
    ColumnSpec(
        "contact_person",
        ("Ansprechpartner", "Ansprechperson", "Kontaktperson", "Name"),
        parse=_line("Der Ansprechpartner", 120),
    ),
    ColumnSpec("phone", ("Telefon", "Tel", "Telefonnummer", "Rufnummer"), parse=_phone("Telefon")),
    ColumnSpec(
        "phone_24h",
        ("24/7", "Telefon 24/7", "24-h-Nummer", "Rufbereitschaft", "Notfallnummer"),
        parse=_phone("24/7-Nummer"),
    ),
    ColumnSpec("mobile", ("Mobil", "Handy", "Mobiltelefon"), parse=_phone("Mobil")),
    ColumnSpec("email", ("E-Mail", "Email", "Mail"), parse=_email),
    ColumnSpec("radio_call_sign", ("Funkrufname", "Rufname"), parse=_line("Der Funkrufname", 60)),
    ColumnSpec(
        "deputy", ("Vertretung", "Vertreter", "Stellvertreter"), parse=_line("Die Vertretung", 120)
    ),
    ColumnSpec(
        "deputy_phone",
        ("Telefon Vertretung", "Vertretung Telefon", "Telefon Vertreter"),
        parse=_phone("Telefon der Vertretung"),
    ),
    ColumnSpec("notes", ("Bemerkung", "Bemerkungen", "Hinweis", "Notizen"), parse=_notes),
    ColumnSpec("active", ("Aktiv",), parse=parse_bool),
)
EXPORT_HEADERS: tuple[str, ...] = tuple(spec.aliases[0] for spec in CONTACT_COLUMNS)
REACH_FIELDS = ("phone", "phone_24h", "mobile", "email", "radio_call_sign")


@dataclass(frozen=True)
class ContactRecord:
    """One line of a contacts file; ``active`` None when the column is absent or empty."""

    line: int
    subject: str
    import_key: str | None = None
    keywords: str | None = None
    sector: str | None = None
    branch: str | None = None
    facility_id: str | None = None
    facility_label: str | None = None
    municipality: str | None = None
    organisation: str | None = None
    function: str | None = None
    contact_person: str | None = None
    phone: str | None = None
    phone_24h: str | None = None
    mobile: str | None = None
    email: str | None = None
    radio_call_sign: str | None = None
    deputy: str | None = None
    deputy_phone: str | None = None
    notes: str | None = None
    active: bool | None = None

    def values(self) -> dict[str, Any]:
        """The stored fields (everything except the line number)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "line"}


@dataclass
class ContactFile:
    records: list[ContactRecord]
    errors: list[RowError]
    unknown_columns: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    format: str = "csv"
    record_count: int = 0
    # The keys of the columns the file has (an update leaves the others alone).
    columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_contacts(
    source: bytes | str | os.PathLike[str] | IO[bytes], *, filename: str | None = None
) -> ContactFile:
    """Read a contacts table; every problem is collected with its line.

    Raises :class:`TableFormatError` when the file as a whole is unusable.
    """
    table = read_table(source, CONTACT_COLUMNS, filename=filename)
    errors = list(table.errors)
    records: list[ContactRecord] = []
    seen_keys: dict[str, int] = {}
    for row in table.rows:
        values = {spec.key: row.get(spec.key) for spec in CONTACT_COLUMNS}
        if not any(values[name] for name in REACH_FIELDS):
            errors.append(
                RowError(
                    row.line,
                    None,
                    "keine Erreichbarkeit angegeben (Telefon, 24/7, Mobil, E-Mail oder Funkrufname)",
                )
            )
            continue
        key = values["import_key"]
        if key is not None:
            folded = key.casefold()
            if folded in seen_keys:
                errors.append(
                    RowError(
                        row.line,
                        table.columns.get("import_key"),
                        f"Schlüssel „{key}“ kommt doppelt vor (auch in Zeile {seen_keys[folded]})",
                    )
                )
                continue
            seen_keys[folded] = row.line
        records.append(ContactRecord(line=row.line, **values))
    errors.sort(key=lambda e: e.line)
    return ContactFile(
        records=records,
        errors=errors,
        unknown_columns=list(table.unknown_columns),
        encoding=table.encoding,
        delimiter=table.delimiter,
        format=table.format,
        record_count=table.record_count,
        columns=list(table.columns),
    )


def _export_row(item: Mapping[str, Any] | Any) -> list[Any]:
    get = item.get if isinstance(item, Mapping) else lambda key: getattr(item, key, None)
    row = []
    for spec in CONTACT_COLUMNS:
        value = get(spec.key)
        if spec.key == "active":
            value = "ja" if value in (None, True) else "nein"
        row.append(value)
    return row


def write_contacts(
    target: str | os.PathLike[str] | IO[bytes],
    items: Iterable[Mapping[str, Any] | Any],
    *,
    fmt: str = "csv",
) -> int:
    """Write the contacts (mappings or objects with the record's fields); returns the count."""
    rows = (_export_row(item) for item in items)
    if fmt == "xlsx":
        return write_xlsx(target, EXPORT_HEADERS, rows, sheet_title="Zuständigkeiten")
    if fmt == "csv":
        return write_csv(target, EXPORT_HEADERS, rows)
    raise ValueError(f"unknown format {fmt!r}")
