"""OASIS EDXL-SitRep 1.0 export of a released situation report (Lagebericht).

Pure module: no database, no Qt. The services layer fills a
:class:`SitRepInput` from a released report and calls :func:`build_sitrep`.

Shape of the document (namespace ``urn:oasis:names:tc:emergency:EDXL:SitRep:1.0``,
element names as in Committee Specification 02, lowerCamelCase)::

    sitRep
      messageID, preparedBy, authorizedBy, reportPurpose, reportNumber,
      reportVersion, forTimePeriod, reportTitle?, incidentID+,
      incidentLifecyclePhase?, originatingMessageID?, precedingMessageID*,
      urgency?, reportConfidence, severity, reportingLocation?, actionPlan?,
      nextContact?, report (xsi:type SituationInformationType)

People (``preparedBy``/``authorizedBy``) are EDXL common-type person/time
pairs with an xNL person name; places are EDXL locations (a GML point or
geopolitical codes). The official schema set (SitRep, CT, CIQ, GML) is not
available offline, so the element names of the report part below are taken
from the specification's prose and are kept in one table
(:data:`SECTION_ELEMENTS`) to make a later correction a one-line change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lxml import etree

from krisenstab.exchange.xmlsafe import XmlError, clean_text, format_datetime

__all__ = [
    "CT_NAMESPACE",
    "SECTION_ELEMENTS",
    "SITREP_NAMESPACE",
    "ReportConfidence",
    "ReportVersion",
    "SectionKind",
    "SitRepError",
    "SitRepInput",
    "SitRepLocation",
    "SitRepPerson",
    "SitRepSection",
    "build_sitrep",
    "report_version_for",
]

SITREP_NAMESPACE = "urn:oasis:names:tc:emergency:EDXL:SitRep:1.0"
CT_NAMESPACE = "urn:oasis:names:tc:emergency:edxl:ct:1.0"
XPIL_NAMESPACE = "urn:oasis:names:tc:emergency:edxl:ciq:1.0:xpil"
XNL_NAMESPACE = "urn:oasis:names:tc:emergency:edxl:ciq:1.0:xnl"
GML_NAMESPACE = "http://www.opengis.net/gml/3.2"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
_NSMAP = {
    None: SITREP_NAMESPACE,
    "ct": CT_NAMESPACE,
    "xnl": XNL_NAMESPACE,
    "gml": GML_NAMESPACE,
    "xsi": XSI_NAMESPACE,
}
# Prefix used inside the xsi:type value; declared explicitly so the value
# never depends on which prefix a serializer happens to pick.
_SITREP_PREFIX = "sr"

AGS_VALUE_LIST = "urn:de:destatis:ags"
"""Amtlicher Gemeindeschlüssel (Kreis: 5 digits, Gemeinde: 8 digits)."""
PLACE_NAME_VALUE_LIST = "urn:krisenstab:ortsbezeichnung"

EXERCISE_MARK = "ÜBUNG"


class SitRepError(XmlError):
    """A situation report that cannot be written as EDXL-SitRep; German message."""

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems: tuple[str, ...] = (
            (problems,) if isinstance(problems, str) else tuple(problems)
        )
        super().__init__(
            "Der Lagebericht kann nicht als EDXL-SitRep geschrieben werden: "
            + "; ".join(self.problems)
        )


class ReportVersion(StrEnum):
    INITIAL = "Initial"
    UPDATE = "Update"
    FINAL = "Final"


_REPORT_KINDS = {
    "erstmeldung": ReportVersion.INITIAL,
    "folgemeldung": ReportVersion.UPDATE,
    "abschlussmeldung": ReportVersion.FINAL,
}


def report_version_for(kind: str) -> ReportVersion:
    """Map the German report kind (Erstmeldung/Folgemeldung/Abschlussmeldung) to reportVersion."""
    try:
        return _REPORT_KINDS[kind.strip().lower()]
    except KeyError:
        raise SitRepError(
            f"Unbekannte Meldungsart ‚{kind}‘ (erwartet: Erstmeldung, Folgemeldung oder Abschlussmeldung)"
        ) from None


class ReportConfidence(StrEnum):
    """How sure the staff is of the report as a whole (FwDV 100: fact or assumption)."""

    HIGHLY_CONFIDENT = "HighlyConfident"
    SOMEWHAT_CONFIDENT = "SomewhatConfident"
    UNSURE = "Unsure"
    NO_CONFIDENCE = "NoConfidence"


_URGENCIES = frozenset({"Immediate", "Expected", "Future", "Past", "Unknown"})
_SEVERITIES = frozenset({"Extreme", "Severe", "Moderate", "Minor", "Unknown"})


class SectionKind(StrEnum):
    """The parts of a Lagebericht (DOMAIN §5)."""

    OVERVIEW = "overview"  # Übersicht (allgemeine Lage)
    DAMAGE = "damage"  # Schadenlage / fremde Lage
    OWN_SITUATION = "own_situation"  # Eigene Lage: Kräfte und Maßnahmen
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure"  # KRITIS betroffen oder bedroht
    WEATHER = "weather"
    FORECAST = "forecast"  # Prognose
    DECISIONS = "decisions"  # Anregungen / Entscheidungsbedarf
    OTHER = "other"


SECTION_ELEMENTS: dict[SectionKind, str] = {
    SectionKind.OVERVIEW: "situationSummary",
    SectionKind.DAMAGE: "significantEvents",
    SectionKind.OWN_SITUATION: "responseSummary",
    SectionKind.CRITICAL_INFRASTRUCTURE: "criticalInfrastructure",
    SectionKind.WEATHER: "weatherEffects",
    SectionKind.FORECAST: "projectedIncidentActivity",
    SectionKind.DECISIONS: "decisionSupportRequirements",
    SectionKind.OTHER: "remarks",
}
"""Element of SituationInformationType that carries each kind of section, in document order."""


@dataclass(frozen=True, slots=True)
class SitRepPerson:
    """Who prepared or released the report, in which staff function, and when."""

    name: str
    time: datetime
    function: str | None = None


@dataclass(frozen=True, slots=True)
class SitRepLocation:
    """Where the report is made from: a name, optionally an AGS and/or WGS 84 coordinates."""

    name: str
    ags: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, slots=True)
class SitRepSection:
    kind: SectionKind
    text: str
    title: str | None = None
    """German heading as printed; written in front of the text for OTHER sections."""


@dataclass(frozen=True, slots=True)
class SitRepInput:
    """A released situation report, as far as EDXL-SitRep carries it."""

    message_id: str
    prepared_by: SitRepPerson
    authorized_by: SitRepPerson
    report_purpose: str
    report_number: int
    report_version: ReportVersion
    period_from: datetime
    period_to: datetime
    incident_ids: Sequence[str]
    report_confidence: ReportConfidence
    severity: str = "Unknown"
    sections: Sequence[SitRepSection] = ()
    report_title: str | None = None
    incident_lifecycle_phase: str | None = None
    originating_message_id: str | None = None
    preceding_message_ids: Sequence[str] = ()
    urgency: str | None = None
    reporting_location: SitRepLocation | None = None
    action_plan: str | None = None
    next_contact: datetime | None = None


class _Writer:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def text(self, value: str | None, name: str, *, required: bool = False) -> str | None:
        if value is None:
            if required:
                self.problems.append(f"Pflichtfeld ‚{name}‘ fehlt")
            return None
        cleaned = clean_text(str(value))
        if required and not cleaned.strip():
            self.problems.append(f"Pflichtfeld ‚{name}‘ ist leer")
        return cleaned

    def token(self, value: str | None, name: str) -> str:
        cleaned = clean_text(value or "").strip()
        if not cleaned:
            self.problems.append(f"Pflichtfeld ‚{name}‘ ist leer")
        return cleaned

    def time(self, value: datetime | None, name: str) -> str:
        if value is None:
            self.problems.append(f"Pflichtfeld ‚{name}‘ fehlt")
            return ""
        try:
            return format_datetime(value)
        except ValueError as exc:
            self.problems.append(f"‚{name}‘: {exc}")
            return ""

    def enum(self, value: str, name: str, allowed: frozenset[str]) -> str:
        if value not in allowed:
            self.problems.append(
                f"‚{name}‘ hat einen ungültigen Wert: ‚{value}‘ (erlaubt: {', '.join(sorted(allowed))})"
            )
        return value


def _element(
    parent: etree._Element, namespace: str, name: str, text: str | None = None
) -> etree._Element:
    node = etree.SubElement(parent, f"{{{namespace}}}{name}")
    if text is not None:
        node.text = text
    return node


def _person(parent: etree._Element, name: str, person: SitRepPerson, writer: _Writer) -> None:
    node = _element(parent, SITREP_NAMESPACE, name)
    details = _element(node, CT_NAMESPACE, "personDetails")
    person_name = _element(details, XNL_NAMESPACE, "personName")
    display = writer.text(person.name, f"{name}/Name", required=True) or ""
    function = clean_text(person.function).strip() if person.function else ""
    if function:
        display = f"{display.strip()} ({function})"
    _element(person_name, XNL_NAMESPACE, "nameElement", display.strip())
    _element(node, CT_NAMESPACE, "timeValue", writer.time(person.time, f"{name}/Zeit"))


def _location(parent: etree._Element, location: SitRepLocation, writer: _Writer) -> None:
    node = _element(parent, SITREP_NAMESPACE, "reportingLocation")
    name = writer.text(location.name, "reportingLocation/Name", required=True) or ""
    if location.latitude is not None or location.longitude is not None:
        lat, lon = location.latitude, location.longitude
        if (
            lat is None
            or lon is None
            or not (math.isfinite(lat) and math.isfinite(lon))
            or not (-90 <= lat <= 90 and -180 <= lon <= 180)
        ):
            writer.problems.append(
                "‚reportingLocation‘: Koordinaten unvollständig oder außerhalb von ±90°/±180°"
            )
            return
        geo = _element(node, CT_NAMESPACE, "EDXLGeoLocation")
        point = _element(geo, GML_NAMESPACE, "Point")
        point.set(f"{{{GML_NAMESPACE}}}id", "reportingLocation")
        point.set("srsName", "urn:ogc:def:crs:EPSG::4326")
        _element(point, GML_NAMESPACE, "name", name.strip())
        _element(point, GML_NAMESPACE, "pos", f"{lat:.6f} {lon:.6f}")
        return
    political = _element(node, CT_NAMESPACE, "EDXLGeoPoliticalLocation")
    if location.ags:
        ags = clean_text(location.ags).strip()
        if not ags.isdigit() or len(ags) not in (2, 3, 5, 8):
            writer.problems.append(
                f"‚reportingLocation‘: ‚{ags}‘ ist kein Amtlicher Gemeindeschlüssel"
            )
        code = _element(political, CT_NAMESPACE, "geoCode")
        _element(code, CT_NAMESPACE, "valueListURI", AGS_VALUE_LIST)
        _element(code, CT_NAMESPACE, "value", ags)
    code = _element(political, CT_NAMESPACE, "geoCode")
    _element(code, CT_NAMESPACE, "valueListURI", PLACE_NAME_VALUE_LIST)
    _element(code, CT_NAMESPACE, "value", name.strip())


def _aware(value: datetime | None) -> bool:
    return value is not None and value.tzinfo is not None and value.utcoffset() is not None


def _mark_exercise(text: str) -> str:
    stripped = text.strip()
    if stripped.upper().startswith(EXERCISE_MARK):
        return stripped
    return f"{EXERCISE_MARK}: {stripped}" if stripped else EXERCISE_MARK


def build_sitrep(report: SitRepInput, *, exercise: bool) -> bytes:
    """Write an EDXL-SitRep 1.0 document (UTF-8) for a released situation report.

    ``exercise`` must be given by every caller: EDXL-SitRep has no status
    field, so an exercise report says „ÜBUNG“ at the start of reportTitle and
    reportPurpose. Times are written in Europe/Berlin with a numeric offset;
    characters XML cannot hold are removed. Raises :class:`SitRepError` with
    German messages for data that cannot form a complete report.
    """
    writer = _Writer()
    ns = SITREP_NAMESPACE
    root = etree.Element(f"{{{ns}}}sitRep", nsmap={**_NSMAP, _SITREP_PREFIX: ns})
    _element(root, ns, "messageID", writer.token(report.message_id, "messageID"))
    _person(root, "preparedBy", report.prepared_by, writer)
    _person(root, "authorizedBy", report.authorized_by, writer)
    purpose = writer.text(report.report_purpose, "reportPurpose", required=True) or ""
    _element(root, ns, "reportPurpose", _mark_exercise(purpose) if exercise else purpose)
    number = report.report_number
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        writer.problems.append(
            f"‚reportNumber‘ muss eine positive ganze Zahl sein, nicht ‚{number}‘"
        )
    _element(root, ns, "reportNumber", str(number))
    version = writer.enum(str(report.report_version), "reportVersion", frozenset(ReportVersion))
    _element(root, ns, "reportVersion", version)
    period = _element(root, ns, "forTimePeriod")
    _element(
        period, CT_NAMESPACE, "fromDateTime", writer.time(report.period_from, "forTimePeriod/von")
    )
    _element(period, CT_NAMESPACE, "toDateTime", writer.time(report.period_to, "forTimePeriod/bis"))
    if (
        _aware(report.period_from)
        and _aware(report.period_to)
        and report.period_from > report.period_to
    ):
        writer.problems.append("‚forTimePeriod‘: der Beginn liegt nach dem Ende")
    title = writer.text(report.report_title, "reportTitle")
    if exercise:
        title = _mark_exercise(title or "")
    if title is not None:
        _element(root, ns, "reportTitle", title)
    incident_ids = [writer.token(i, "incidentID") for i in report.incident_ids]
    if not incident_ids:
        writer.problems.append("Pflichtfeld ‚incidentID‘ fehlt")
    for incident_id in incident_ids:
        _element(root, ns, "incidentID", incident_id)
    if report.incident_lifecycle_phase:
        _element(
            root,
            ns,
            "incidentLifecyclePhase",
            writer.token(report.incident_lifecycle_phase, "incidentLifecyclePhase"),
        )
    if report.originating_message_id:
        _element(
            root,
            ns,
            "originatingMessageID",
            writer.token(report.originating_message_id, "originatingMessageID"),
        )
    for preceding in report.preceding_message_ids:
        _element(root, ns, "precedingMessageID", writer.token(preceding, "precedingMessageID"))
    if report.report_version != ReportVersion.INITIAL and not report.preceding_message_ids:
        writer.problems.append(
            "Eine Folge- oder Abschlussmeldung braucht ‚precedingMessageID‘ (die vorige Meldung)"
        )
    if report.urgency is not None:
        _element(root, ns, "urgency", writer.enum(report.urgency, "urgency", _URGENCIES))
    confidence = writer.enum(
        str(report.report_confidence), "reportConfidence", frozenset(ReportConfidence)
    )
    _element(root, ns, "reportConfidence", confidence)
    _element(root, ns, "severity", writer.enum(report.severity, "severity", _SEVERITIES))
    if report.reporting_location is not None:
        _location(root, report.reporting_location, writer)
    action_plan = writer.text(report.action_plan, "actionPlan")
    if action_plan is not None:
        _element(root, ns, "actionPlan", action_plan)
    if report.next_contact is not None:
        _element(root, ns, "nextContact", writer.time(report.next_contact, "nextContact"))
    _report_part(root, report.sections, writer)
    if writer.problems:
        raise SitRepError(writer.problems)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _report_part(root: etree._Element, sections: Sequence[SitRepSection], writer: _Writer) -> None:
    report = _element(root, SITREP_NAMESPACE, "report")
    report.set(f"{{{XSI_NAMESPACE}}}type", f"{_SITREP_PREFIX}:SituationInformationType")
    order = {kind: index for index, kind in enumerate(SECTION_ELEMENTS)}
    usable = []
    for section in sections:
        try:
            kind = SectionKind(section.kind)
        except ValueError:
            writer.problems.append(f"Unbekannte Abschnittsart ‚{section.kind}‘")
            continue
        text = clean_text(section.text or "").strip()
        if not text:
            continue  # an empty part of the form says nothing
        if kind is SectionKind.OTHER and section.title:
            text = f"{clean_text(section.title).strip()}:\n{text}"
        usable.append((order[kind], kind, text))
    if not usable:
        writer.problems.append("Der Lagebericht enthält keinen Abschnitt mit Text")
    # Stable sort: the schema expects its own element order; sections of one kind keep theirs.
    for _index, kind, text in sorted(usable, key=lambda item: item[0]):
        _element(report, SITREP_NAMESPACE, SECTION_ELEMENTS[kind], text)
