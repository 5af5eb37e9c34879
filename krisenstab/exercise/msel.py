"""Scenario files (MSEL) as CSV or XLSX: reading with line errors, writing.

The import rules are those of the facility import (exchange.tabular): German
encodings and delimiters, headers in German or English, every problem of the
file collected with line, column and a German reason, and all or nothing: a
file with any error yields no scenario at all.

Columns (German / English header; more aliases below):

=====================  ==========================  ==============================
Nr                     No                          required, whole number ≥ 1
Zeit                   Time                        required: T+hh:mm, hh:mm, Sa 04:30, date
Von                    From                        required: simulated sender
An                     To                          required: staff function(s), "S3, S4"
Kanal                  Channel                     Funk, Telefon, E-Mail, Fax, Melder, Lagemeldung
Vorrang                Priority                    einfach (default), sofort, Blitz
Inhalt                 Content                     required
Erwartete Reaktion     Expected reaction
Übungsziel             Objective
Hinweis Übungsleitung  Controller note             never shown to players
Bedingt durch          Contingency of              Nr of the inject whose reaction is awaited
Frist                  Deadline                    T+hh:mm, or "30 min" after that inject
Handlungsstrang        Storyline
Auswirkungen           Effects                     "Wasserwerk X: ausgefallen | …"
Übung                  Exercise                    title (first row is enough)
Übungsbeginn           Scenario start              "Samstag 03:00" (first row is enough)
=====================  ==========================  ==============================
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from krisenstab.domain.message import MessagePriority
from krisenstab.exchange.tabular import (
    CellError,
    ColumnSpec,
    RowError,
    TableFormatError,
    parse_int,
    parse_text,
    read_table,
    write_csv,
    write_xlsx,
)
from krisenstab.exercise.scenario import (
    CONTENT_MAX,
    FIELD_MAX,
    Inject,
    Scenario,
    check_injects,
    clean_block,
    clean_line,
    format_effects,
    parse_channel,
    parse_effects,
    parse_priority,
    sorted_injects,
)
from krisenstab.exercise.times import (
    ScenarioTimeError,
    TimeSpec,
    format_offset,
    parse_deadline,
    parse_start,
    parse_time_spec,
    resolve_offset,
)

__all__ = [
    "GERMAN_HEADERS",
    "ScenarioReadResult",
    "TableFormatError",
    "format_deadline",
    "read_scenario",
    "scenario_rows",
    "write_scenario",
]

MAX_INJECTS = 20_000
DEFAULT_START_LABEL = "Samstag 08:00"


@dataclass(frozen=True, slots=True)
class _Bad:
    """A cell that could not be read; reported in the second pass with its row's number known."""

    reason: str


def _soft(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def wrapped(value: Any) -> Any:
        try:
            return parse(value)
        except ValueError as exc:
            return _Bad(str(exc) or "ungültiger Wert")

    return wrapped


def _time(value: Any) -> TimeSpec:
    """Checked for form now, resolved once the start (maybe from the file) is known."""
    try:
        return parse_time_spec(value)
    except ScenarioTimeError as exc:
        raise CellError(str(exc)) from None


def _deadline(value: Any) -> tuple[int, bool, str]:
    try:
        seconds, relative = parse_deadline(value)
    except ScenarioTimeError as exc:
        raise CellError(str(exc)) from None
    return seconds, relative, _time_text(value)


def _limited_line(what: str, max_length: int) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        try:
            return clean_line(parse_text(value), what, max_length)
        except ValueError as exc:
            raise CellError(str(exc)) from None

    return parse


def _limited_block(what: str, max_length: int) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        try:
            return clean_block(parse_text(value), what, max_length)
        except ValueError as exc:
            raise CellError(str(exc)) from None

    return parse


def _number(value: Any) -> int | None:
    number = parse_int(value)
    if number is None:
        return None
    if not 1 <= number <= 999_999:
        raise CellError(f"„{number}“: die Nummer muss zwischen 1 und 999999 liegen")
    return number


_REF_RE = re.compile(r"^(?:nr\.?|no\.?|#|einlage)?\s*(\d{1,6})$", re.IGNORECASE)


def _reference(value: Any) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number(value)
    text = parse_text(value)
    if text is None:
        return None
    match = _REF_RE.match(text)
    if not match:
        raise CellError(f"„{text}“ ist keine Einlagen-Nummer (z. B. 12 oder Nr. 12)")
    return _number(match.group(1))


def _channel(value: Any) -> str | None:
    text = parse_text(value)
    if text is None:
        return None
    try:
        return parse_channel(text)
    except ValueError as exc:
        raise CellError(str(exc)) from None


def _priority(value: Any) -> str | None:
    text = parse_text(value)
    if text is None:
        return None
    try:
        return parse_priority(text).value
    except ValueError as exc:
        raise CellError(str(exc)) from None


def _effects(value: Any) -> str | None:
    text = parse_text(value)
    if text is None:
        return None
    try:
        effects = parse_effects(text)
    except ValueError as exc:
        raise CellError(str(exc)) from None
    return format_effects(effects) or None


COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("number", ("Nr", "Nr.", "Nummer", "Lfd. Nr.", "No", "No.", "Number", "#", "Einlage", "Inject"), required=True, parse=_number),
    ColumnSpec("time", ("Zeit", "Szenariozeit", "Übungszeit", "Time", "Scenario time"), required=True, allow_empty=True, parse=_soft(_time)),
    ColumnSpec("sender", ("Von", "Absender", "From", "Sender"), required=True, allow_empty=True, parse=_soft(_limited_line("Der Absender", 200))),
    ColumnSpec("addressee", ("An", "Empfänger", "Adressat", "To", "Addressee", "Recipient"), required=True, allow_empty=True, parse=_soft(_limited_line("Der Empfänger", 500))),
    ColumnSpec("channel", ("Kanal", "Übermittlungsweg", "Weg", "Channel", "Method"), parse=_soft(_channel)),
    ColumnSpec("priority", ("Vorrang", "Vorrangstufe", "Priorität", "Priority"), parse=_soft(_priority)),
    ColumnSpec("content", ("Inhalt", "Text", "Nachricht", "Content", "Message", "Inject text"), required=True, allow_empty=True, parse=_soft(_limited_block("Der Inhalt", CONTENT_MAX))),
    ColumnSpec("expected_reaction", ("Erwartete Reaktion", "Erwartete Handlung", "Expected reaction", "Expected action", "Expected player action"), parse=_soft(_limited_block("Die erwartete Reaktion", FIELD_MAX))),
    ColumnSpec("objective", ("Übungsziel", "Ziel", "Objective", "Exercise objective"), parse=_soft(_limited_line("Das Übungsziel", 500))),
    ColumnSpec("controller_note", ("Hinweis Übungsleitung", "Hinweis für die Übungsleitung", "Hinweis", "Controller note", "Controller notes", "Note"), parse=_soft(_limited_block("Der Hinweis", FIELD_MAX))),
    ColumnSpec("contingency_of", ("Bedingt durch", "Bedingt", "Eventualeinlage zu", "Contingency of", "Contingent on", "Conditional on"), parse=_soft(_reference)),
    ColumnSpec("deadline", ("Frist", "Reaktionsfrist", "Deadline", "Contingency deadline"), parse=_soft(_deadline)),
    ColumnSpec("storyline", ("Handlungsstrang", "Strang", "Storyline", "Thread"), parse=_soft(_limited_line("Der Handlungsstrang", 120))),
    ColumnSpec("effects", ("Auswirkungen", "Auswirkung", "Effekt", "Effekte", "Effects", "Effect"), parse=_soft(_effects)),
    ColumnSpec("exercise_title", ("Übung", "Übungstitel", "Szenario", "Exercise", "Scenario"), parse=_soft(_limited_line("Der Titel", 200))),
    ColumnSpec("exercise_start", ("Übungsbeginn", "Beginn", "Start", "Scenario start", "Exercise start"), parse=_soft(_limited_line("Der Übungsbeginn", 60))),
)  # fmt: skip

GERMAN_HEADERS: tuple[str, ...] = (
    "Nr",
    "Zeit",
    "Von",
    "An",
    "Kanal",
    "Vorrang",
    "Inhalt",
    "Erwartete Reaktion",
    "Übungsziel",
    "Hinweis Übungsleitung",
    "Bedingt durch",
    "Frist",
    "Handlungsstrang",
    "Auswirkungen",
    "Übung",
    "Übungsbeginn",
)
ENGLISH_HEADERS: tuple[str, ...] = (
    "No",
    "Time",
    "From",
    "To",
    "Channel",
    "Priority",
    "Content",
    "Expected reaction",
    "Objective",
    "Controller note",
    "Contingency of",
    "Deadline",
    "Storyline",
    "Effects",
    "Exercise",
    "Scenario start",
)
_DISPLAY = dict(zip((c.key for c in COLUMNS), GERMAN_HEADERS, strict=True))


@dataclass
class ScenarioReadResult:
    """What a scenario file gave: a whole scenario, or only errors (never a part)."""

    scenario: Scenario | None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    record_count: int = 0
    format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not self.errors

    def error_text(self, limit: int = 50) -> str:
        lines = [str(e) for e in self.errors[:limit]]
        if len(self.errors) > limit:
            lines.append(f"… und {len(self.errors) - limit} weitere Fehler")
        return "\n".join(lines)


def _title_from(filename: str | None) -> str:
    if not filename:
        return "Übung"
    stem = Path(filename).stem.replace("_", " ").strip()
    return stem[:200] or "Übung"


def read_scenario(
    source: bytes | bytearray | str | os.PathLike[str] | IO[bytes],
    *,
    filename: str | None = None,
    title: str | None = None,
    start_label: str | None = None,
    reference: datetime | None = None,
    sheet: str | None = None,
) -> ScenarioReadResult:
    """Read a scenario file; ``title``/``start_label`` override the file's own.

    Raises TableFormatError when the file as a whole is unusable (not a
    table, wrong encoding, no header). ``reference`` fixes the day a
    weekday start ("Samstag 03:00") is counted from (default: today).
    """
    if filename is None and isinstance(source, str | os.PathLike):
        filename = Path(source).name
    table = read_table(source, COLUMNS, filename=filename, sheet=sheet)
    header = table.columns

    def col(key: str) -> str:
        return header.get(key, _DISPLAY[key])

    errors: list[RowError] = list(table.errors)
    warnings: list[str] = []
    if table.unknown_columns:
        warnings.append(
            "Unbekannte Spalten werden nicht übernommen: "
            + ", ".join(f"„{c}“" for c in table.unknown_columns)
        )
    if table.record_count > MAX_INJECTS:
        raise TableFormatError(
            f"Das Drehbuch hat {table.record_count} Zeilen; höchstens {MAX_INJECTS} Einlagen "
            "werden eingelesen."
        )

    # Every unreadable cell, with the row's number known (so a reference to a
    # broken row is not reported as missing as well).
    required = {c.key for c in COLUMNS if c.required}
    good_rows = []
    broken_numbers: set[int] = set()
    for row in table.rows:
        row_ok = True
        for spec in COLUMNS:
            value = row.get(spec.key)
            if isinstance(value, _Bad):
                errors.append(RowError(row.line, col(spec.key), value.reason))
                row_ok = False
            elif value is None and spec.key in required and spec.key in header:
                errors.append(RowError(row.line, col(spec.key), "Pflichtangabe fehlt"))
                row_ok = False
        if row_ok:
            good_rows.append(row)
        else:
            broken_numbers.add(row["number"])

    # One title and one start per file; later rows may repeat them, not change them.
    file_values: dict[str, tuple[str, int]] = {}
    for row in good_rows:
        for key in ("exercise_title", "exercise_start"):
            value = row.get(key)
            if value is None:
                continue
            if key not in file_values:
                file_values[key] = (value, row.line)
            elif file_values[key][0] != value:
                first, line = file_values[key]
                errors.append(
                    RowError(
                        row.line,
                        col(key),
                        f"„{value}“ widerspricht „{first}“ aus Zeile {line}; "
                        "ein Drehbuch hat nur einen Wert",
                    )
                )
    label = (start_label or "").strip() or file_values.get("exercise_start", ("", 0))[0]
    start: datetime | None = None
    if label:
        try:
            start = parse_start(label, reference)
        except ScenarioTimeError as exc:
            if start_label:
                raise TableFormatError(str(exc)) from None
            errors.append(
                RowError(file_values["exercise_start"][1], col("exercise_start"), str(exc))
            )
    else:
        label = DEFAULT_START_LABEL

    injects: list[Inject] = []
    # Without a required column (already reported) the rows cannot become injects.
    complete = all(c.key in header for c in COLUMNS if c.required)
    for row in good_rows if complete else ():
        spec: TimeSpec = row["time"]
        try:
            offset = resolve_offset(spec, start)
        except ScenarioTimeError as exc:
            errors.append(RowError(row.line, col("time"), str(exc)))
            broken_numbers.add(row["number"])
            continue
        deadline = row.get("deadline")
        injects.append(
            Inject(
                number=row["number"],
                offset_s=offset,
                time_text=spec.text[:60],
                sender=row["sender"],
                addressee=row["addressee"],
                channel=row.get("channel") or "Telefon",
                priority=row.get("priority") or MessagePriority.EINFACH.value,
                content=row["content"],
                expected_reaction=row.get("expected_reaction"),
                objective=row.get("objective"),
                controller_note=row.get("controller_note"),
                storyline=row.get("storyline"),
                contingency_of=row.get("contingency_of"),
                deadline_s=deadline[0] if deadline else None,
                deadline_relative=deadline[1] if deadline else False,
                deadline_text=deadline[2] if deadline else None,
                effects=parse_effects(row.get("effects")),
                line=row.line,
            )
        )
    for problem in check_injects(injects, known=broken_numbers):
        column = col(_PROBLEM_COLUMNS.get(problem.column or "", "number"))
        errors.append(RowError(problem.line or 0, column, problem.reason))
    if table.record_count == 0 and not errors:
        errors.append(RowError(table.header_line, None, "das Drehbuch enthält keine Einlagen"))
    errors.sort(key=lambda e: (e.line, e.column or ""))
    result = ScenarioReadResult(
        scenario=None,
        errors=errors,
        warnings=warnings,
        unknown_columns=list(table.unknown_columns),
        record_count=table.record_count,
        format=table.format,
        encoding=table.encoding,
        delimiter=table.delimiter,
    )
    if errors:
        return result
    result.scenario = Scenario(
        title=(title or "").strip()[:200]
        or file_values.get("exercise_title", ("", 0))[0]
        or _title_from(filename),
        start_label=label,
        injects=sorted_injects(injects),
        source_name=filename,
    )
    return result


_PROBLEM_COLUMNS = {
    "Nr": "number",
    "Zeit": "time",
    "Frist": "deadline",
    "Bedingt durch": "contingency_of",
}


def _time_text(value: Any) -> str:
    text = parse_text(value)
    if text is None:
        return str(value)[:60]
    return " ".join(text.split())[:60]


# -- writing -----------------------------------------------------------------------
def format_deadline(inject: Inject) -> str | None:
    """The „Frist“ cell: ``T+hh:mm`` (absolute) or ``30 min`` (after the parent inject)."""
    if inject.deadline_s is None:
        return None
    if not inject.deadline_relative:
        return format_offset(inject.deadline_s, with_seconds=bool(inject.deadline_s % 60))
    minutes = inject.deadline_s / 60
    if minutes.is_integer():
        return f"{int(minutes)} min"
    return f"{minutes:.2f}".rstrip("0").replace(".", ",") + " min"


def scenario_rows(scenario: Scenario, *, include_controller_notes: bool = True) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for index, inject in enumerate(sorted_injects(scenario.injects)):
        rows.append(
            [
                inject.number,
                format_offset(inject.offset_s, with_seconds=bool(inject.offset_s % 60)),
                inject.sender,
                inject.addressee,
                inject.channel,
                MessagePriority(inject.priority).label,
                inject.content,
                inject.expected_reaction,
                inject.objective,
                inject.controller_note if include_controller_notes else None,
                inject.contingency_of,
                format_deadline(inject),
                inject.storyline,
                format_effects(inject.effects) or None,
                scenario.title if index == 0 else None,
                scenario.start_label if index == 0 else None,
            ]
        )
    return rows


def write_scenario(
    target: str | os.PathLike[str] | IO[bytes],
    scenario: Scenario,
    *,
    fmt: str | None = None,
    english: bool = False,
    include_controller_notes: bool = True,
) -> int:
    """Write the scenario as CSV (``;``, UTF-8 with BOM) or XLSX; returns the inject count.

    ``fmt`` ("csv"/"xlsx") defaults to the target's suffix.
    """
    if fmt is None:
        suffix = (
            Path(os.fspath(target)).suffix.casefold()
            if isinstance(target, str | os.PathLike)
            else ""
        )
        fmt = "xlsx" if suffix in (".xlsx", ".xlsm") else "csv"
    headers: Sequence[str] = ENGLISH_HEADERS if english else GERMAN_HEADERS
    rows = scenario_rows(scenario, include_controller_notes=include_controller_notes)
    if fmt == "xlsx":
        return write_xlsx(target, headers, rows, sheet_title="Drehbuch")
    if fmt != "csv":
        raise ValueError(f"unknown scenario format {fmt!r}")
    return write_csv(target, headers, rows)
