"""Facility register files: CSV/XLSX import plan, CSV/XLSX/GeoJSON export.

Pure: the services layer hands in the stored state (views) and applies the
plan in one transaction. Reading never stops at the first problem; a plan
with any error must not be applied (all or nothing), and lists every bad row
with line, column and a German reason.

Matching: a row with an ``ID`` that exists updates that facility; otherwise
name + municipality (ignoring case and blanks) finds it; else it is new (with
the given ID, so a register moves between databases unchanged). Columns that
are absent leave the stored values alone; an empty cell in a present column
clears the value. ``Abhängig von`` lists suppliers separated by ``|``, each
optionally followed by ``[Gemeinde]`` (where the name alone is ambiguous) and
its kind in parentheses, optionally with a tolerance:
``Umspannwerk Nord (Strom) | Wasserwerk Ost [Düren] (Wasser, 6 h)``. Suppliers
may appear later in the same file. Without a kind, the supplier's sector
decides (Energie/Strom → Strom, Wasser → Wasser, …). Without a tolerance, an
existing dependency keeps its tolerance, a new one gets 0 h.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from krisenstab.domain.base import new_id
from krisenstab.domain.cascade import DependencyKind
from krisenstab.domain.facility import (
    EDITABLE_FIELDS,
    FIELD_LABELS,
    DependencyLink,
    FacilityRuleError,
    FacilityView,
    default_kind,
    fmt_number,
    history_text,
    kind_from_text,
    match_key,
    name_key,
    validate_values,
)
from krisenstab.domain.geo import Area, CoordinateError, Position, distance_m, format_utmref
from krisenstab.exchange.tabular import (
    CellError,
    ColumnSpec,
    RowError,
    TableResult,
    parse_bool,
    parse_decimal,
    parse_int,
    parse_text,
    read_table,
    write_csv,
    write_xlsx,
)

Progress = Callable[[int, int], None]

# Breite/Länge and a UTMREF in the same row must name the same place; a
# 4-digit UTMREF is truncated to a 10 m square, so 100 m leaves room.
POSITION_MISMATCH_M = 100.0
ID_RE = re.compile(r"[A-Za-z0-9_-]{1,36}")


# --------------------------------------------------------------------------
# Supplier references ("Abhängig von")
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SupplierRef:
    name: str
    municipality: str | None = None
    kind: DependencyKind | None = None
    tolerance_h: float | None = None
    # The trailing "(…)" that was not a kind: maybe a misspelt one.
    unparsed_group: str | None = None


_TRAILING_GROUP = re.compile(r"\(([^()]*)\)\s*$")
_TRAILING_MUNI = re.compile(r"\[([^\[\]]*)\]\s*$")
_KIND_SPEC = re.compile(
    r"\s*(?P<kind>[^,;]+?)\s*(?:[,;]\s*(?:Toleranz\s*)?(?P<tol>[0-9]+(?:[.,][0-9]+)?)\s*(?:h|Std\.?|Stunden)?)?\s*",
    re.IGNORECASE,
)


def _kind_spec(text: str) -> tuple[DependencyKind, float | None] | None:
    match = _KIND_SPEC.fullmatch(text)
    if not match:
        return None
    kind = kind_from_text(match.group("kind"))
    if kind is None:
        return None
    tol = match.group("tol")
    return kind, (float(tol.replace(",", ".")) if tol is not None else None)


def parse_supplier_list(value: Any) -> list[SupplierRef]:
    """``A (Strom) | B [Düren] (Wasser, 6 h)`` → references (CellError if malformed)."""
    text = parse_text(value)
    if text is None:
        return []
    refs: list[SupplierRef] = []
    for part in text.split("|"):
        segment = " ".join(part.split())
        if not segment:
            if text.strip().strip("|").strip():
                raise CellError("leerer Eintrag zwischen zwei „|“")
            continue
        kind = None
        tolerance = None
        unparsed = None
        group = _TRAILING_GROUP.search(segment)
        if group:
            spec = _kind_spec(group.group(1))
            if spec is not None:
                kind, tolerance = spec
                segment = segment[: group.start()].rstrip()
            else:
                unparsed = group.group(1).strip()
        municipality = None
        muni = _TRAILING_MUNI.search(segment)
        if muni:
            municipality = " ".join(muni.group(1).split()) or None
            segment = segment[: muni.start()].rstrip()
        if not segment:
            raise CellError(f"„{part.strip()}“: der Name des Versorgers fehlt")
        refs.append(SupplierRef(segment, municipality, kind, tolerance, unparsed))
    return refs


def format_supplier(
    name: str, kind: str, tolerance_h: float, municipality: str | None = None
) -> str:
    """One entry of ``Abhängig von`` as the export writes it."""
    text = name
    if municipality:
        text += f" [{municipality}]"
    if tolerance_h:
        return f"{text} ({kind}, {fmt_number(tolerance_h)} h)"
    return f"{text} ({kind})"


# --------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------


def _parse_id(value: Any) -> str | None:
    text = parse_text(value)
    if text is None:
        return None
    if not ID_RE.fullmatch(text):
        raise CellError(f"„{text}“ ist keine gültige ID (Buchstaben, Ziffern, „-“, höchstens 36)")
    return text


IMPORT_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("id", ("ID", "Objekt-ID", "Kennung"), parse=_parse_id),
    ColumnSpec("name", ("Name", "Bezeichnung", "Objekt", "Objektname"), required=True),
    ColumnSpec("sector", ("Sektor", "Sector", "KRITIS-Sektor")),
    ColumnSpec("branch", ("Branche", "Branch", "Sparte")),
    ColumnSpec("locally_critical", ("Lokal kritisch", "Locally critical"), parse=parse_bool),
    ColumnSpec("municipality", ("Gemeinde", "Municipality", "Kommune", "Stadt/Gemeinde"), required=True),
    ColumnSpec("street", ("Straße", "Strasse", "Street", "Anschrift")),
    ColumnSpec("postcode", ("PLZ", "Postleitzahl", "Postcode", "ZIP")),
    ColumnSpec("city", ("Ort", "City", "Town", "Ortsteil")),
    ColumnSpec("lat", ("Breite", "Breitengrad", "Latitude", "Lat"), parse=parse_decimal),
    ColumnSpec("lon", ("Länge", "Längengrad", "Longitude", "Lon", "Lng"), parse=parse_decimal),
    ColumnSpec("utmref", ("UTMREF", "MGRS", "UTM-Ref", "Koordinate", "Position")),
    ColumnSpec("easting", ("Ostwert", "Rechtswert", "Easting", "UTM32 Ost"), parse=parse_decimal),
    ColumnSpec("northing", ("Nordwert", "Hochwert", "Northing", "UTM32 Nord"), parse=parse_decimal),
    ColumnSpec("operator", ("Betreiber", "Operator")),
    ColumnSpec("phone_24_7", ("Telefon 24/7", "Telefon 24h", "Phone 24/7", "Rufbereitschaft")),
    ColumnSpec("emergency_power", ("Notstrom", "Emergency power", "Netzersatzanlage", "NEA"), parse=parse_bool),
    ColumnSpec("autonomy_h", ("Autarkie (h)", "Autarkie", "Autarkiezeit (h)", "Autonomy (h)"), parse=parse_decimal),
    ColumnSpec("fuel_stock_l", ("Kraftstoff (l)", "Kraftstoff", "Kraftstoffvorrat (l)", "Fuel (l)"), parse=parse_decimal),
    ColumnSpec("consumption_l_per_h", ("Verbrauch (l/h)", "Verbrauch", "Consumption (l/h)"), parse=parse_decimal),
    ColumnSpec("persons_supplied", ("Versorgte Personen", "Personen", "Persons supplied"), parse=parse_int),
    ColumnSpec("sensitive_consumers", ("Empfindliche Verbraucher", "Sensible Verbraucher", "Sensitive consumers")),
    ColumnSpec("redundancy", ("Redundanz", "Redundancy")),
    ColumnSpec("notes", ("Bemerkungen", "Bemerkung", "Notes", "Hinweise")),
    ColumnSpec("depends_on", ("Abhängig von", "Abhängigkeiten", "Depends on", "Versorgt durch"), parse=parse_supplier_list),
    # Written by the export for the reader; a status changes only with its
    # journal entry, so the import shows these columns but never applies them.
    ColumnSpec("status_info", ("Status",)),
    ColumnSpec("status_since_info", ("Status seit",)),
)  # fmt: skip
INFO_ONLY = ("status_info", "status_since_info")

EXPORT_HEADERS: tuple[str, ...] = (
    "ID",
    "Name",
    "Sektor",
    "Branche",
    "Lokal kritisch",
    "Gemeinde",
    "Straße",
    "PLZ",
    "Ort",
    "Breite",
    "Länge",
    "UTMREF",
    "Betreiber",
    "Telefon 24/7",
    "Notstrom",
    "Autarkie (h)",
    "Kraftstoff (l)",
    "Verbrauch (l/h)",
    "Versorgte Personen",
    "Empfindliche Verbraucher",
    "Redundanz",
    "Bemerkungen",
    "Abhängig von",
    "Status",
    "Status seit",
)

# Plain value fields: import key == draft field.
_VALUE_FIELDS = (
    "name",
    "sector",
    "branch",
    "locally_critical",
    "municipality",
    "street",
    "postcode",
    "city",
    "operator",
    "emergency_power",
    "autonomy_h",
    "fuel_stock_l",
    "consumption_l_per_h",
    "persons_supplied",
    "sensitive_consumers",
    "redundancy",
    "notes",
)
_POSITION_KEYS = ("lat", "lon", "utmref", "easting", "northing")
_POWER_FIGURES = ("autonomy_h", "fuel_stock_l", "consumption_l_per_h")


def read_facility_table(
    source: bytes | str | os.PathLike[str] | IO[bytes], *, filename: str | None = None
) -> TableResult:
    """Read a CSV/XLSX file against the facility columns (TableFormatError if unusable)."""
    return read_table(source, IMPORT_COLUMNS, filename=filename)


# --------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldChange:
    field_name: str
    old: str | None
    new: str | None

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(
            self.field_name, _EXTRA_LABELS.get(self.field_name, self.field_name)
        )


_EXTRA_LABELS = {"phone_24_7": "Telefon 24/7", "depends_on": "Abhängig von"}


@dataclass(frozen=True, slots=True)
class PlannedDependency:
    supplier_id: str
    supplier_name: str
    kind: str
    tolerance_h: float


@dataclass
class PlannedFacility:
    line: int
    id: str
    is_new: bool
    name: str
    municipality: str
    values: dict[str, Any]  # validated editable fields (without position)
    position: Position | None
    position_text: str | None
    changes: list[FieldChange] = field(default_factory=list)
    # The 24/7 phone to set (None: leave the contacts alone).
    phone_24_7: str | None = None
    # The complete set of dependencies (None: column absent, leave them alone).
    dependencies: list[PlannedDependency] | None = None
    refs: list[SupplierRef] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.is_new or bool(self.changes)


@dataclass
class ImportPlan:
    """What an import would do (dry run) or did (``applied``)."""

    facilities: list[PlannedFacility]
    errors: list[RowError]
    unknown_columns: list[str]
    ignored_columns: list[str]
    record_count: int
    dependency_adds: list[tuple[str, PlannedDependency]] = field(default_factory=list)
    dependency_updates: list[tuple[str, float]] = field(
        default_factory=list
    )  # (link id, tolerance)
    dependency_removals: list[DependencyLink] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    format: str = "csv"
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def added(self) -> list[PlannedFacility]:
        return [f for f in self.facilities if f.is_new]

    @property
    def changed(self) -> list[PlannedFacility]:
        return [f for f in self.facilities if not f.is_new and f.changes]

    @property
    def unchanged(self) -> list[PlannedFacility]:
        return [f for f in self.facilities if not f.is_new and not f.changes]

    def summary(self) -> str:
        """One German line: what would be (or was) added and changed."""
        if not self.ok:
            return (
                f"{len(self.errors)} Fehler in {len({e.line for e in self.errors})} Zeilen – "
                "es wurde nichts übernommen."
            )
        deps = ""
        if self.dependency_adds or self.dependency_removals or self.dependency_updates:
            deps = (
                f"; Abhängigkeiten: {len(self.dependency_adds)} neu, "
                f"{len(self.dependency_updates)} geändert, {len(self.dependency_removals)} entfernt"
            )
        verb = "übernommen" if self.applied else "würden übernommen"
        return (
            f"{len(self.facilities)} Zeilen {verb}: {len(self.added)} neu, "
            f"{len(self.changed)} geändert, {len(self.unchanged)} unverändert{deps}."
        )

    def notes(self) -> list[str]:
        out = []
        if self.unknown_columns:
            out.append(
                "Unbekannte Spalten (ignoriert): "
                + ", ".join(f"„{c}“" for c in self.unknown_columns)
            )
        if self.ignored_columns:
            out.append(
                "Nur zur Information, nicht übernommen: "
                + ", ".join(f"„{c}“" for c in self.ignored_columns)
                + " (Status nur mit Einsatztagebuch-Eintrag ändern)"
            )
        return out


@dataclass(frozen=True)
class RegisterState:
    """The stored state an import is planned against."""

    facilities: Sequence[FacilityView]
    dependencies: Sequence[DependencyLink]
    sectors: Mapping[str, set[str]]
    municipalities: Mapping[str, str]  # casefolded → configured name
    area: Area | None


def _editable(view: FacilityView) -> dict[str, Any]:
    values = {k: getattr(view, k) for k in _VALUE_FIELDS}
    values["position"] = view.position
    return values


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def plan_import(
    table: TableResult, state: RegisterState, *, progress: Progress | None = None
) -> ImportPlan:
    """Match, validate and diff every row; never touches the store."""
    errors: list[RowError] = list(table.errors)
    columns = table.columns  # key → header as written
    present = set(columns)
    by_id = {f.id: f for f in state.facilities}
    by_key = {match_key(f.name, f.municipality): f for f in state.facilities}
    phones = {f.id: f.phone_24_7 for f in state.facilities}
    seen_ids: dict[str, int] = {}
    seen_keys: dict[tuple[str, str], int] = {}
    planned: list[PlannedFacility] = []
    total = len(table.rows)
    step = max(1, total // 100)

    def col(key: str) -> str | None:
        return columns.get(key)

    rows = table.rows if {"name", "municipality"} <= present else []
    for index, row in enumerate(rows):
        if progress is not None and index % step == 0:
            progress(index, total)
        line = row.line
        row_errors: list[RowError] = []
        raw_id = row.get("id") if "id" in present else None
        name = row["name"]
        muni_text = row["municipality"]
        try:
            muni = _canonical_muni(muni_text, state.municipalities)
        except FacilityRuleError as exc:
            errors.append(RowError(line, col("municipality"), str(exc)))
            continue
        key = match_key(name, muni)
        base: FacilityView | None = None
        if raw_id is not None:
            base = by_id.get(raw_id)
            other = by_key.get(key)
            if base is None and other is not None:
                errors.append(
                    RowError(
                        line,
                        col("id"),
                        f"„{other.name}“ in {other.municipality} ist unter der ID {other.id} "
                        f"erfasst, nicht unter {raw_id}",
                    )
                )
                continue
        else:
            base = by_key.get(key)
        clash = by_key.get(key)
        if base is not None and clash is not None and clash.id != base.id:
            errors.append(
                RowError(
                    line,
                    col("name"),
                    f"„{clash.name}“ gibt es in {clash.municipality} bereits (ID {clash.id}); "
                    "zwei Objekte dürfen dort nicht gleich heißen",
                )
            )
            continue
        facility_id = base.id if base is not None else (raw_id or new_id())
        if facility_id in seen_ids:
            errors.append(
                RowError(
                    line,
                    col("id"),
                    f"doppelt: dasselbe Objekt steht schon in Zeile {seen_ids[facility_id]}",
                )
            )
            continue
        if key in seen_keys:
            errors.append(
                RowError(
                    line,
                    col("name"),
                    f"doppelt: „{name}“ in {muni} steht schon in Zeile {seen_keys[key]}",
                )
            )
            continue
        seen_ids[facility_id] = line
        seen_keys[key] = line

        values = _editable(base) if base is not None else {}
        for k in _VALUE_FIELDS:
            if k in present:
                values[k] = row.get(k)
        values["municipality"] = muni
        if values.get("persons_supplied") is None:
            values["persons_supplied"] = 0
        if row.get("emergency_power") is None:
            # Notstrom absent or empty: a generator is implied by its figures;
            # an absent column keeps what is stored.
            figures = any(values.get(k) is not None for k in _POWER_FIGURES)
            kept = base is not None and base.emergency_power and "emergency_power" not in present
            values["emergency_power"] = figures or kept
        if base is None and "sector" not in present:
            row_errors.append(
                RowError(line, None, "Spalte „Sektor“ fehlt; für neue Objekte ist sie Pflicht")
            )
        position_given, position, position_text, pos_errors = _row_position(row, present, columns)
        row_errors.extend(pos_errors)
        if position is not None and state.area is not None and not state.area.contains(position):
            row_errors.append(
                RowError(
                    line,
                    _position_column(columns),
                    f"Position liegt außerhalb des Einsatzgebiets (Breite {position.lat:.5f}, "
                    f"Länge {position.lon:.5f}); erlaubt ist {state.area.name}",
                )
            )
        try:
            clean = validate_values(
                {**values, "position": None},
                sectors=state.sectors,
                municipalities=state.municipalities,
                area=None,
            )
        except FacilityRuleError as exc:
            for problem_field, message in exc.problems:
                if problem_field == "sector" and base is None and "sector" not in present:
                    continue
                row_errors.append(RowError(line, _column_for(problem_field, columns), message))
            clean = None
        if row_errors or clean is None:
            errors.extend(row_errors)
            continue
        if position_given:
            final_position = position
            if base is not None and position == base.position and base.position_text:
                # The same place written another way: keep the form first typed.
                position_text = base.position_text
        elif base is not None:
            final_position, position_text = base.position, base.position_text
        else:
            final_position, position_text = None, None
        phone = row.get("phone_24_7") if "phone_24_7" in present else None
        item = PlannedFacility(
            line=line,
            id=facility_id,
            is_new=base is None,
            name=clean.values["name"],
            municipality=clean.values["municipality"],
            values=dict(clean.values),
            position=final_position,
            position_text=position_text if final_position is not None else None,
            phone_24_7=phone,
            refs=list(row.get("depends_on") or []) if "depends_on" in present else [],
            dependencies=[] if "depends_on" in present else None,
        )
        if base is not None:
            old = _editable(base)
            for k in EDITABLE_FIELDS:
                new_value = final_position if k == "position" else item.values[k]
                if not _same(old[k], new_value):
                    item.changes.append(
                        FieldChange(k, history_text(k, old[k]), history_text(k, new_value))
                    )
            if phone is not None and phone != phones.get(base.id):
                item.changes.append(FieldChange("phone_24_7", phones.get(base.id), phone))
        planned.append(item)

    plan = ImportPlan(
        facilities=planned,
        errors=errors,
        unknown_columns=list(table.unknown_columns),
        ignored_columns=[columns[k] for k in INFO_ONLY if k in columns],
        record_count=table.record_count,
        encoding=table.encoding,
        delimiter=table.delimiter,
        format=table.format,
    )
    if "depends_on" in present:
        _plan_dependencies(plan, state, col("depends_on"))
    errors.sort(key=lambda e: (e.line, e.column or ""))
    if progress is not None:
        progress(total, total)
    return plan


def _canonical_muni(text: str, municipalities: Mapping[str, str]) -> str:
    found = municipalities.get(" ".join(text.split()).casefold())
    if found is None:
        raise FacilityRuleError(
            f"unbekannte Gemeinde „{text}“ (bekannt: {', '.join(municipalities.values())})"
        )
    return found


def _column_for(field_name: str, columns: Mapping[str, str]) -> str | None:
    if field_name == "position":
        return _position_column(columns)
    return columns.get(field_name)


def _position_column(columns: Mapping[str, str]) -> str | None:
    for key in ("utmref", "lat", "easting"):
        if key in columns:
            return columns[key]
    return None


def _row_position(
    row: Mapping[str, Any], present: set[str], columns: Mapping[str, str]
) -> tuple[bool, Position | None, str | None, list[RowError]]:
    """(position columns present?, position, text as typed, errors)."""
    from krisenstab.domain.facility import round_position
    from krisenstab.domain.geo import from_utm32, parse_position

    line = getattr(row, "line", 0)
    if not any(k in present for k in _POSITION_KEYS):
        return False, None, None, []
    errors: list[RowError] = []
    lat, lon = row.get("lat"), row.get("lon")
    utmref = row.get("utmref")
    easting, northing = row.get("easting"), row.get("northing")
    position: Position | None = None
    text: str | None = None
    if lat is not None or lon is not None:
        if lat is None or lon is None:
            missing = "lat" if lat is None else "lon"
            errors.append(
                RowError(
                    line,
                    columns.get(missing) or columns.get("lat") or columns.get("lon"),
                    "Breite und Länge gehören zusammen; ein Wert fehlt",
                )
            )
            return True, None, None, errors
        try:
            position = round_position(Position(lat, lon))
        except CoordinateError as exc:
            errors.append(RowError(line, columns.get("lat"), str(exc)))
            return True, None, None, errors
    if utmref is not None:
        try:
            from_text = round_position(parse_position(utmref, area=None))
        except CoordinateError as exc:
            errors.append(RowError(line, columns.get("utmref"), str(exc)))
            return True, None, None, errors
        if position is None:
            position, text = from_text, " ".join(utmref.split())
        elif distance_m(position, from_text) > POSITION_MISMATCH_M:
            distance = distance_m(position, from_text)
            errors.append(
                RowError(
                    line,
                    columns.get("utmref"),
                    f"„{utmref}“ liegt {fmt_number(round(distance / 1000, 1))} km von Breite/Länge "
                    "entfernt; bitte eine der Angaben berichtigen",
                )
            )
            return True, None, None, errors
    if position is None and (easting is not None or northing is not None):
        if easting is None or northing is None:
            errors.append(
                RowError(
                    line,
                    columns.get("easting") or columns.get("northing"),
                    "Ost- und Nordwert gehören zusammen; ein Wert fehlt",
                )
            )
            return True, None, None, errors
        try:
            position = round_position(from_utm32(easting, northing))
        except CoordinateError as exc:
            errors.append(RowError(line, columns.get("easting"), str(exc)))
            return True, None, None, errors
        text = f"32U {fmt_number(easting)} {fmt_number(northing)}"
    return True, position, text, errors


def _plan_dependencies(plan: ImportPlan, state: RegisterState, column: str | None) -> None:
    # The register as it will be after the import: stored facilities with the
    # file's values laid over them, so renames and new rows are found by name.
    info: dict[str, tuple[str, str, str, str | None]] = {
        f.id: (f.name, f.municipality, f.sector, f.branch) for f in state.facilities
    }
    for item in plan.facilities:
        info[item.id] = (item.name, item.municipality, item.values["sector"], item.values["branch"])
    by_name: dict[str, list[str]] = {}
    for fid, (name, _muni, _s, _b) in info.items():
        by_name.setdefault(name_key(name), []).append(fid)
    stored: dict[str, dict[tuple[str, str], DependencyLink]] = {}
    for link in state.dependencies:
        stored.setdefault(link.dependent_id, {})[(link.supplier_id, link.kind)] = link
    had_errors = bool(plan.errors)

    for item in plan.facilities:
        wanted: dict[tuple[str, str], PlannedDependency] = {}
        row_errors: list[RowError] = []
        for ref in item.refs:
            candidates = by_name.get(name_key(ref.name), [])
            if ref.municipality:
                candidates = [
                    c for c in candidates if info[c][1].casefold() == ref.municipality.casefold()
                ]
            if not candidates:
                hint = ""
                if ref.unparsed_group is not None:
                    stripped = ref.name[: ref.name.rfind("(")].strip()
                    if by_name.get(name_key(stripped)):
                        hint = f" (unbekannte Abhängigkeitsart „{ref.unparsed_group}“?)"
                if not hint and had_errors:
                    hint = " (oder seine Zeile ist fehlerhaft)"
                where = f" in {ref.municipality}" if ref.municipality else ""
                row_errors.append(
                    RowError(
                        item.line,
                        column,
                        f"Versorger „{ref.name}“{where} gibt es weder in der Datei noch im Bestand{hint}",
                    )
                )
                continue
            if len(candidates) > 1:
                munis = ", ".join(sorted(info[c][1] for c in candidates))
                row_errors.append(
                    RowError(
                        item.line,
                        column,
                        f"„{ref.name}“ ist mehrdeutig (in {munis}); bitte als „{ref.name} [Gemeinde]“ angeben",
                    )
                )
                continue
            supplier = candidates[0]
            if supplier == item.id:
                row_errors.append(
                    RowError(item.line, column, f"„{ref.name}“ kann nicht von sich selbst abhängen")
                )
                continue
            kind = ref.kind or default_kind(info[supplier][2], info[supplier][3])
            key = (supplier, kind.value)
            if key in wanted:
                row_errors.append(
                    RowError(item.line, column, f"„{ref.name}“ ({kind.value}) ist doppelt genannt")
                )
                continue
            existing = stored.get(item.id, {}).get(key)
            tolerance = ref.tolerance_h
            if tolerance is None:
                tolerance = existing.tolerance_h if existing is not None else 0.0
            wanted[key] = PlannedDependency(supplier, info[supplier][0], kind.value, tolerance)
        if row_errors:
            plan.errors.extend(row_errors)
            continue
        item.dependencies = list(wanted.values())
        current = stored.get(item.id, {})
        before = _dep_text(current.values(), info)
        for key, dep in wanted.items():
            link = current.get(key)
            if link is None:
                plan.dependency_adds.append((item.id, dep))
            elif link.tolerance_h != dep.tolerance_h:
                plan.dependency_updates.append((link.id, dep.tolerance_h))
        for key, link in current.items():
            if key not in wanted:
                plan.dependency_removals.append(link)
        after = _dep_text(
            [
                DependencyLink(
                    "",
                    item.id,
                    item.name,
                    d.supplier_id,
                    d.supplier_name,
                    d.kind,
                    d.tolerance_h,
                    None,
                )
                for d in wanted.values()
            ],
            info,
        )
        if not item.is_new and before != after:
            item.changes.append(FieldChange("depends_on", before or None, after or None))


def _dep_text(
    links: Iterable[DependencyLink], info: Mapping[str, tuple[str, str, str, str | None]]
) -> str:
    parts = sorted(
        (link.kind, info.get(link.supplier_id, (link.supplier_name,))[0], link.tolerance_h)
        for link in links
    )
    return " | ".join(format_supplier(name, kind, tol) for kind, name, tol in parts)


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


def export_rows(
    facilities: Sequence[FacilityView],
    dependencies: Sequence[DependencyLink],
    *,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """One mapping per facility keyed by EXPORT_HEADERS (the import reads it back unchanged)."""
    names: dict[str, int] = {}
    for f in facilities:
        names[name_key(f.name)] = names.get(name_key(f.name), 0) + 1
    muni_of = {f.id: f.municipality for f in facilities}
    deps_of: dict[str, list[DependencyLink]] = {}
    for link in dependencies:
        deps_of.setdefault(link.dependent_id, []).append(link)
    rows: list[dict[str, Any]] = []
    total = len(facilities)
    step = max(1, total // 100)
    for index, f in enumerate(facilities):
        if progress is not None and index % step == 0:
            progress(index, total)
        pos = f.position
        links = sorted(
            deps_of.get(f.id, []), key=lambda d: (d.kind, d.supplier_name.casefold(), d.supplier_id)
        )
        depends = " | ".join(
            format_supplier(
                d.supplier_name,
                d.kind,
                d.tolerance_h,
                muni_of.get(d.supplier_id) if names.get(name_key(d.supplier_name), 0) > 1 else None,
            )
            for d in links
        )
        rows.append(
            {
                "ID": f.id,
                "Name": f.name,
                "Sektor": f.sector,
                "Branche": f.branch,
                "Lokal kritisch": f.locally_critical,
                "Gemeinde": f.municipality,
                "Straße": f.street,
                "PLZ": f.postcode,
                "Ort": f.city,
                "Breite": _num(pos.lat) if pos else None,
                "Länge": _num(pos.lon) if pos else None,
                "UTMREF": format_utmref(pos, 5) if pos else None,
                "Betreiber": f.operator,
                "Telefon 24/7": f.phone_24_7,
                "Notstrom": f.emergency_power,
                "Autarkie (h)": _num(f.autonomy_h),
                "Kraftstoff (l)": _num(f.fuel_stock_l),
                "Verbrauch (l/h)": _num(f.consumption_l_per_h),
                "Versorgte Personen": f.persons_supplied,
                "Empfindliche Verbraucher": f.sensitive_consumers,
                "Redundanz": f.redundancy,
                "Bemerkungen": f.notes,
                "Abhängig von": depends or None,
                "Status": f.status,
                "Status seit": f.status_since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    if progress is not None:
        progress(total, total)
    return rows


def _num(value: float | None) -> str | None:
    return None if value is None else fmt_number(value)


def write_facilities_csv(
    target: str | os.PathLike[str] | IO[bytes],
    facilities: Sequence[FacilityView],
    dependencies: Sequence[DependencyLink],
    *,
    progress: Progress | None = None,
) -> int:
    return write_csv(
        target, EXPORT_HEADERS, export_rows(facilities, dependencies, progress=progress)
    )


def write_facilities_xlsx(
    target: str | os.PathLike[str] | IO[bytes],
    facilities: Sequence[FacilityView],
    dependencies: Sequence[DependencyLink],
    *,
    progress: Progress | None = None,
) -> int:
    return write_xlsx(
        target,
        EXPORT_HEADERS,
        export_rows(facilities, dependencies, progress=progress),
        sheet_title="KRITIS-Objekte",
    )


def geojson(
    facilities: Sequence[FacilityView],
    dependencies: Sequence[DependencyLink] = (),
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946, WGS84 lon/lat); no position → null geometry."""
    deps_of: dict[str, list[DependencyLink]] = {}
    for link in dependencies:
        deps_of.setdefault(link.dependent_id, []).append(link)
    features = []
    for f in facilities:
        pos = f.position
        remaining = f.remaining_hours(now) if now is not None else None
        features.append(
            {
                "type": "Feature",
                "id": f.id,
                "geometry": (
                    {"type": "Point", "coordinates": [pos.lon, pos.lat]}
                    if pos is not None
                    else None
                ),
                "properties": {
                    "id": f.id,
                    "name": f.name,
                    "sector": f.sector,
                    "branch": f.branch,
                    "locally_critical": f.locally_critical,
                    "municipality": f.municipality,
                    "address": f.address or None,
                    "utmref": format_utmref(pos) if pos is not None else None,
                    "operator": f.operator,
                    "phone_24_7": f.phone_24_7,
                    "status": f.status,
                    "status_since": f.status_since.astimezone(UTC).isoformat(),
                    "emergency_power": f.emergency_power,
                    "autonomy_hours": f.autonomy_hours,
                    "remaining_hours": remaining,
                    "persons_supplied": f.persons_supplied,
                    "depends_on": [
                        {
                            "supplier_id": d.supplier_id,
                            "supplier": d.supplier_name,
                            "kind": d.kind,
                            "tolerance_hours": d.tolerance_h,
                        }
                        for d in deps_of.get(f.id, [])
                    ],
                },
            }
        )
    return {"type": "FeatureCollection", "name": "KRITIS-Objekte", "features": features}


def write_geojson(
    target: str | os.PathLike[str] | IO[bytes],
    facilities: Sequence[FacilityView],
    dependencies: Sequence[DependencyLink] = (),
    *,
    now: datetime | None = None,
) -> int:
    """Write the GeoJSON (UTF-8, atomically for a path); returns the feature count."""
    payload = json.dumps(
        geojson(facilities, dependencies, now=now), ensure_ascii=False, indent=1
    ).encode("utf-8")
    if isinstance(target, str | os.PathLike):
        path = Path(target)
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
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
    return len(facilities)
