"""Common Alerting Protocol: import of CAP 1.0/1.1/1.2 alerts, export of CAP 1.2.

Pure module: no database, no Qt. The services layer turns a :class:`CapAlert`
into an incoming message (Eingang) using :meth:`CapAlert.summary_text` and
:meth:`CapAlert.suggested_priority`, and builds outgoing alerts from a
:class:`CapAlertInput` with :func:`build_cap`.

Import checks, in this order, and reports every problem it finds in German:

1. safe XML parsing (:mod:`krisenstab.exchange.xmlsafe`: no DOCTYPE, no entities,
   nothing fetched);
2. the structure of the version's schema, re-implemented here for 1.0, 1.1 and
   1.2 so that messages can name the field („Pflichtfeld ‚scope‘ fehlt …“);
3. rules the schema cannot express (identifier characters, references,
   polygons, circles, altitude/ceiling);
4. for CAP 1.2, validation against the shipped OASIS schema as a final gate.

Export writes only CAP 1.2 and validates its own output against the same
schema before returning it.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from lxml import etree

from krisenstab.assets import resource
from krisenstab.exchange.xmlsafe import (
    BERLIN,
    XmlError,
    clean_text,
    compile_schema,
    format_datetime,
    parse_datetime,
    parse_xml,
)

__all__ = [
    "CAP10_NAMESPACE",
    "CAP11_NAMESPACE",
    "CAP12_NAMESPACE",
    "CATEGORY_LABELS",
    "CERTAINTY_LABELS",
    "MSG_TYPE_LABELS",
    "RESPONSE_TYPE_LABELS",
    "SEVERITY_LABELS",
    "STATUS_LABELS",
    "URGENCY_LABELS",
    "CapAlert",
    "CapAlertInput",
    "CapArea",
    "CapCircle",
    "CapError",
    "CapInfo",
    "CapReference",
    "CapResource",
    "CapValuePair",
    "SuggestedPriority",
    "build_cap",
    "parse_cap",
    "suggest_priority",
    "validate_cap12",
]

CAP10_NAMESPACE = "http://www.incident.com/cap/1.0"
CAP11_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.1"
CAP12_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
_XMLDSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"
_VERSION_BY_NAMESPACE = {CAP10_NAMESPACE: "1.0", CAP11_NAMESPACE: "1.1", CAP12_NAMESPACE: "1.2"}


# --------------------------------------------------------------------------- errors


class CapError(XmlError):
    """A CAP alert that cannot be read or written; ``problems`` lists every finding in German."""

    _SHOWN = 8

    def __init__(
        self,
        problems: str | Sequence[str],
        *,
        source_name: str | None = None,
        reading: bool = True,
    ) -> None:
        self.problems: tuple[str, ...] = (
            (problems,) if isinstance(problems, str) else tuple(problems)
        )
        self.source_name = source_name
        what = f"Die CAP-Datei ‚{source_name}‘" if source_name else "Die CAP-Meldung"
        verb = "kann nicht übernommen werden" if reading else "kann nicht geschrieben werden"
        shown = "; ".join(self.problems[: self._SHOWN])
        rest = len(self.problems) - self._SHOWN
        if rest > 0:
            shown += f"; und {rest} weitere"
        super().__init__(f"{what} {verb}: {shown}")


# --------------------------------------------------------------------------- vocabularies

_STATUS_10 = frozenset({"Actual", "Exercise", "System", "Test"})
_STATUS = _STATUS_10 | {"Draft"}
_MSG_TYPES = frozenset({"Alert", "Update", "Cancel", "Ack", "Error"})
_SCOPES = frozenset({"Public", "Restricted", "Private"})
_CATEGORIES_10 = frozenset(
    {
        "Geo",
        "Met",
        "Safety",
        "Security",
        "Rescue",
        "Fire",
        "Health",
        "Env",
        "Transport",
        "Infra",
        "Other",
    }
)
_CATEGORIES = _CATEGORIES_10 | {"CBRNE"}
_RESPONSE_TYPES_11 = frozenset(
    {"Shelter", "Evacuate", "Prepare", "Execute", "Monitor", "Assess", "None"}
)
_RESPONSE_TYPES = _RESPONSE_TYPES_11 | {"Avoid", "AllClear"}
_URGENCIES = frozenset({"Immediate", "Expected", "Future", "Past", "Unknown"})
_SEVERITIES = frozenset({"Extreme", "Severe", "Moderate", "Minor", "Unknown"})
_CERTAINTIES_10 = frozenset({"Very Likely", "Likely", "Possible", "Unlikely", "Unknown"})
_CERTAINTIES = frozenset({"Observed", "Likely", "Possible", "Unlikely", "Unknown"})

STATUS_LABELS = {
    "Actual": "Echtmeldung",
    "Exercise": "ÜBUNG",
    "System": "Systemmeldung",
    "Test": "Test",
    "Draft": "Entwurf",
}
MSG_TYPE_LABELS = {
    "Alert": "Warnung",
    "Update": "Aktualisierung",
    "Cancel": "Aufhebung",
    "Ack": "Empfangsbestätigung",
    "Error": "Fehlermeldung",
}
CATEGORY_LABELS = {
    "Geo": "Geophysikalisch",
    "Met": "Wetter",
    "Safety": "Allgemeine Sicherheit",
    "Security": "Innere Sicherheit",
    "Rescue": "Rettung",
    "Fire": "Brand",
    "Health": "Gesundheit",
    "Env": "Umwelt",
    "Transport": "Verkehr",
    "Infra": "Infrastruktur",
    "CBRNE": "CBRN-Gefahren",
    "Other": "Sonstiges",
}
RESPONSE_TYPE_LABELS = {
    "Shelter": "Schutz suchen",
    "Evacuate": "Evakuieren",
    "Prepare": "Vorbereiten",
    "Execute": "Ausführen",
    "Avoid": "Meiden",
    "Monitor": "Beobachten",
    "Assess": "Lage beurteilen",
    "AllClear": "Entwarnung",
    "None": "Keine Maßnahme",
}
URGENCY_LABELS = {
    "Immediate": "sofort",
    "Expected": "bald (innerhalb einer Stunde)",
    "Future": "in naher Zukunft",
    "Past": "nicht mehr erforderlich",
    "Unknown": "unbekannt",
}
SEVERITY_LABELS = {
    "Extreme": "extrem",
    "Severe": "schwer",
    "Moderate": "mäßig",
    "Minor": "gering",
    "Unknown": "unbekannt",
}
CERTAINTY_LABELS = {
    "Observed": "beobachtet",
    "Very Likely": "sehr wahrscheinlich",
    "Likely": "wahrscheinlich",
    "Possible": "möglich",
    "Unlikely": "unwahrscheinlich",
    "Unknown": "unbekannt",
}


class SuggestedPriority(StrEnum):
    """Vorrangstufe proposed for the incoming message; the message desk may change it."""

    EINFACH = "einfach"
    SOFORT = "sofort"
    BLITZ = "blitz"

    @property
    def rank(self) -> int:
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {
    SuggestedPriority.EINFACH: 0,
    SuggestedPriority.SOFORT: 1,
    SuggestedPriority.BLITZ: 2,
}


def suggest_priority(urgency: str, severity: str, certainty: str) -> SuggestedPriority:
    """Vorrangstufe for one info block.

    Blitz interrupts even the Lagebesprechung and is kept for extraordinary
    danger to life that is here or about to come: severity ``Extreme`` with
    urgency ``Immediate`` or ``Expected``. Sofort for any other ``Extreme`` or
    ``Severe`` warning, and for ``Immediate`` warnings of moderate or unknown
    severity. Einfach for the rest, and always when the event is over
    (``Past``) or not expected to happen (``Unlikely``).
    """
    if urgency == "Past" or certainty == "Unlikely":
        return SuggestedPriority.EINFACH
    if severity == "Extreme" and urgency in ("Immediate", "Expected"):
        return SuggestedPriority.BLITZ
    if severity in ("Extreme", "Severe"):
        return SuggestedPriority.SOFORT
    if urgency == "Immediate" and severity in ("Moderate", "Unknown"):
        return SuggestedPriority.SOFORT
    return SuggestedPriority.EINFACH


# --------------------------------------------------------------------------- data classes

Point = tuple[float, float]
"""(latitude, longitude) in WGS 84 degrees."""
Polygon = tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class CapValuePair:
    """eventCode, parameter or geocode: a value named by a (system-specific) valueName."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class CapCircle:
    latitude: float
    longitude: float
    radius_km: float


@dataclass(frozen=True, slots=True)
class CapArea:
    area_desc: str
    polygons: tuple[Polygon, ...] = ()
    circles: tuple[CapCircle, ...] = ()
    geocodes: tuple[CapValuePair, ...] = ()
    altitude: float | None = None
    ceiling: float | None = None


@dataclass(frozen=True, slots=True)
class CapResource:
    description: str
    mime_type: str | None = None
    size: int | None = None
    uri: str | None = None
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class CapReference:
    """An earlier message this one refers to. CAP 1.0 references carry only a free token."""

    sender: str
    identifier: str
    sent: datetime | None = None


@dataclass(frozen=True, slots=True)
class CapInfo:
    """One info block. ``language`` None means not stated (CAP default: en-US on import)."""

    event: str
    urgency: str
    severity: str
    certainty: str
    categories: tuple[str, ...] = ()
    language: str | None = None
    response_types: tuple[str, ...] = ()
    audience: str | None = None
    event_codes: tuple[CapValuePair, ...] = ()
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    sender_name: str | None = None
    headline: str | None = None
    description: str | None = None
    instruction: str | None = None
    web: str | None = None
    contact: str | None = None
    parameters: tuple[CapValuePair, ...] = ()
    resources: tuple[CapResource, ...] = ()
    areas: tuple[CapArea, ...] = ()

    def suggested_priority(self) -> SuggestedPriority:
        return suggest_priority(self.urgency, self.severity, self.certainty)


@dataclass(frozen=True, slots=True)
class CapAlert:
    """An imported alert. Times keep the offset written in the file."""

    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str | None
    infos: tuple[CapInfo, ...] = ()
    source: str | None = None
    restriction: str | None = None
    addresses: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    note: str | None = None
    references: tuple[CapReference, ...] = ()
    incidents: tuple[str, ...] = ()
    version: str = "1.2"
    warnings: tuple[str, ...] = ()
    """Findings that do not stop the import (e.g. ``addresses`` with scope Public)."""
    source_name: str | None = None

    @property
    def is_exercise(self) -> bool:
        return self.status == "Exercise"

    def preferred_infos(self, languages: Sequence[str] = ("de",)) -> tuple[CapInfo, ...]:
        """The info blocks in the first of ``languages`` that occurs, else those of the first block's language.

        A language matches by its primary subtag, so ``de`` matches ``de-DE``.
        """
        if not self.infos:
            return ()

        def primary(info: CapInfo) -> str:
            return (info.language or "en-US").split("-")[0].lower()

        for wanted in languages:
            chosen = tuple(i for i in self.infos if primary(i) == wanted.split("-")[0].lower())
            if chosen:
                return chosen
        first = primary(self.infos[0])
        return tuple(i for i in self.infos if primary(i) == first)

    @property
    def title(self) -> str:
        """A one-line subject: headline or event of the preferred info, else the identifier."""
        return self.title_in(("de",))

    def title_in(self, languages: Sequence[str]) -> str:
        """Like :attr:`title`, preferring the given languages."""
        for info in self.preferred_infos(languages):
            if info.headline:
                return info.headline
            if info.event:
                return info.event
        return f"CAP-Meldung {self.identifier}"

    def suggested_priority(self) -> SuggestedPriority:
        """Vorrangstufe for the incoming message, the highest over all info blocks.

        Test, system and draft messages and acknowledgements are always Einfach;
        a cancellation is at most Sofort (it does not interrupt the staff).
        """
        if self.status in ("Test", "System", "Draft") or self.msg_type in ("Ack", "Error"):
            return SuggestedPriority.EINFACH
        best = SuggestedPriority.EINFACH
        for info in self.infos:
            candidate = info.suggested_priority()
            if candidate.rank > best.rank:
                best = candidate
        if self.msg_type == "Cancel" and best is SuggestedPriority.BLITZ:
            best = SuggestedPriority.SOFORT
        return best

    def summary_text(self, languages: Sequence[str] = ("de",)) -> str:
        """German text for the message body (Inhalt) of the incoming message."""
        lines: list[str] = []
        marker = {"Exercise": "ÜBUNG – ", "Test": "TEST – ", "Draft": "ENTWURF – "}.get(
            self.status, ""
        )
        kind = MSG_TYPE_LABELS.get(self.msg_type, self.msg_type)
        lines.append(f"{marker}CAP-{kind}: {self.title_in(languages)}")
        infos = self.preferred_infos(languages)
        sender_names = [i.sender_name for i in infos if i.sender_name]
        sender = sender_names[0] if sender_names else self.sender
        if sender != self.sender:
            sender = f"{sender} ({self.sender})"
        lines.append(f"Absender: {sender}")
        lines.append(f"Gesendet: {_german_time(self.sent)}")
        if self.status not in ("Actual", "Exercise"):
            lines.append(f"Status: {STATUS_LABELS.get(self.status, self.status)}")
        if self.note:
            lines.append(f"Hinweis: {self.note}")
        for number, info in enumerate(infos, start=1):
            if len(infos) > 1:
                lines.append("")
                lines.append(f"— Teil {number} von {len(infos)} —")
            lines.extend(_info_lines(info))
        other_languages = sorted({i.language or "en-US" for i in self.infos if i not in infos})
        if other_languages:
            lines.append("")
            lines.append(
                f"Weitere Sprachfassungen in der Originalmeldung: {', '.join(other_languages)}"
            )
        lines.append("")
        lines.append(f"CAP-Kennung: {self.identifier} (CAP {self.version})")
        if self.references:
            refs = ", ".join(r.identifier for r in self.references)
            lines.append(f"Bezieht sich auf: {refs}")
        if self.incidents:
            lines.append(f"Ereignisse: {', '.join(self.incidents)}")
        return "\n".join(lines)


def _german_time(value: datetime) -> str:
    local = value.astimezone(BERLIN)
    return f"{local:%d.%m.%Y %H:%M} Uhr"


def _info_lines(info: CapInfo) -> list[str]:
    lines: list[str] = []
    categories = ", ".join(CATEGORY_LABELS.get(c, c) for c in info.categories)
    lines.append(f"Ereignis: {info.event}" + (f" ({categories})" if categories else ""))
    if info.headline and info.headline != info.event:
        lines.append(f"Schlagzeile: {info.headline}")
    lines.append(
        "Dringlichkeit: "
        + URGENCY_LABELS.get(info.urgency, info.urgency)
        + " · Schwere: "
        + SEVERITY_LABELS.get(info.severity, info.severity)
        + " · Gewissheit: "
        + CERTAINTY_LABELS.get(info.certainty, info.certainty)
    )
    if info.response_types:
        actions = ", ".join(RESPONSE_TYPE_LABELS.get(r, r) for r in info.response_types)
        lines.append(f"Empfohlene Reaktion: {actions}")
    validity = []
    if info.onset:
        validity.append(f"Beginn {_german_time(info.onset)}")
    if info.effective:
        validity.append(f"gültig ab {_german_time(info.effective)}")
    if info.expires:
        validity.append(f"gültig bis {_german_time(info.expires)}")
    if validity:
        lines.append("Zeitraum: " + ", ".join(validity))
    if info.areas:
        lines.append("Gebiet: " + "; ".join(a.area_desc for a in info.areas))
    if info.audience:
        lines.append(f"Zielgruppe: {info.audience}")
    if info.description:
        lines.append("Beschreibung:")
        lines.append(info.description)
    if info.instruction:
        lines.append("Handlungsempfehlung:")
        lines.append(info.instruction)
    if info.contact:
        lines.append(f"Kontakt: {info.contact}")
    if info.web:
        lines.append(f"Weitere Informationen: {info.web}")
    return lines


# --------------------------------------------------------------------------- schema re-implementation


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    min: int = 0
    max: int | None = 1  # None: unbounded
    kind: str = "text"  # text, datetime, enum, group, pair, language
    values: frozenset[str] = frozenset()
    children: tuple[_Field, ...] = field(default=())


def _pair(name: str, version: str) -> _Field:
    # CAP 1.0 wrote these as one string "valueName=value".
    if version == "1.0":
        return _Field(name, 0, None)
    return _Field(name, 0, None, "pair", children=(_Field("valueName", 1), _Field("value", 1)))


def _alert_fields(version: str) -> tuple[_Field, ...]:
    area = _Field(
        "area",
        0,
        None,
        "group",
        children=(
            _Field("areaDesc", 1),
            _Field("polygon", 0, None),
            _Field("circle", 0, None),
            _pair("geocode", version),
            _Field("altitude"),
            _Field("ceiling"),
        ),
    )
    resource_fields = [
        _Field("resourceDesc", 1),
        _Field("mimeType", 1 if version == "1.2" else 0),
        _Field("size"),
        _Field("uri"),
    ]
    if version != "1.0":
        resource_fields.append(_Field("derefUri"))
    resource_fields.append(_Field("digest"))
    info_fields = [
        _Field("language", kind="language"),
        _Field(
            "category",
            0 if version == "1.0" else 1,
            None,
            "enum",
            _CATEGORIES_10 if version == "1.0" else _CATEGORIES,
        ),
        _Field("event", 1),
    ]
    if version != "1.0":
        info_fields.append(
            _Field(
                "responseType",
                0,
                None,
                "enum",
                _RESPONSE_TYPES if version == "1.2" else _RESPONSE_TYPES_11,
            )
        )
    certainties = _CERTAINTIES_10 if version == "1.0" else _CERTAINTIES
    if version == "1.1":
        # Deprecated in 1.1 but still written by feeds of that time; read as "Likely".
        certainties = certainties | {"Very Likely"}
    info_fields += [
        _Field("urgency", 1, 1, "enum", _URGENCIES),
        _Field("severity", 1, 1, "enum", _SEVERITIES),
        _Field("certainty", 1, 1, "enum", certainties),
        _Field("audience"),
        _pair("eventCode", version),
        _Field("effective", kind="datetime"),
        _Field("onset", kind="datetime"),
        _Field("expires", kind="datetime"),
        _Field("senderName"),
        _Field("headline"),
        _Field("description"),
        _Field("instruction"),
        _Field("web"),
        _Field("contact"),
        _pair("parameter", version),
        _Field("resource", 0, None, "group", children=tuple(resource_fields)),
        area,
    ]
    alert_fields = [
        _Field("identifier", 1),
        _Field("sender", 1),
        _Field("sent", 1, 1, "datetime"),
        _Field("status", 1, 1, "enum", _STATUS_10 if version == "1.0" else _STATUS),
        _Field("msgType", 1, 1, "enum", _MSG_TYPES),
    ]
    if version == "1.0":
        alert_fields.append(_Field("password"))
    alert_fields += [
        _Field("source"),
        _Field("scope", 0 if version == "1.0" else 1, 1, "enum", _SCOPES),
        _Field("restriction"),
        _Field("addresses"),
        _Field("code", 0, None),
        _Field("note"),
        _Field("references"),
        _Field("incidents"),
        _Field("info", 0, None, "group", children=tuple(info_fields)),
    ]
    return tuple(alert_fields)


_FIELDS = {version: _alert_fields(version) for version in ("1.0", "1.1", "1.2")}
_LANGUAGE = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")


def _direct_text(element: etree._Element) -> str:
    """Text of an element without element children (comments and PIs may sit inside)."""
    parts = [element.text or ""]
    parts.extend(child.tail or "" for child in element)
    return "".join(parts)


def _shown(value: str, limit: int = 60) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"


@functools.cache
def _lookup(fields: tuple[_Field, ...]) -> tuple[dict[str, _Field], dict[str, int]]:
    return {f.name: f for f in fields}, {f.name: i for i, f in enumerate(fields)}


def _split_tag(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def _check_structure(
    element: etree._Element,
    fields: tuple[_Field, ...],
    path: str,
    namespace: str,
    version: str,
    problems: list[str],
) -> None:
    by_name, order = _lookup(fields)
    counts: Counter[str] = Counter()
    last_index = -1
    order_reported = False
    known: list[tuple[etree._Element, _Field]] = []
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        child_namespace, local = _split_tag(child.tag)
        if child_namespace == _XMLDSIG_NAMESPACE and path == "alert":
            # A signature may close the alert (CAP 1.2 <any namespace=xmldsig>).
            index = len(fields)
        elif child_namespace != namespace or local not in by_name:
            where = ""
            if child_namespace != namespace:
                where = (
                    f" (Namensraum {child_namespace})" if child_namespace else " (ohne Namensraum)"
                )
            problems.append(f"Unbekanntes Element ‚{local}‘{where} in ‚{path}‘")
            continue
        else:
            index = order[local]
            counts[local] += 1
            known.append((child, by_name[local]))
        if index < last_index and not order_reported:
            problems.append(f"Element ‚{local}‘ steht in ‚{path}‘ an der falschen Stelle")
            order_reported = True
        last_index = max(last_index, index)
    for spec in fields:
        count = counts[spec.name]
        if count < spec.min:
            problems.append(f"Pflichtfeld ‚{spec.name}‘ fehlt in ‚{path}‘")
        if spec.max is not None and count > spec.max:
            problems.append(f"‚{spec.name}‘ darf in ‚{path}‘ nur einmal vorkommen")

    seen: Counter[str] = Counter()
    for child, spec in known:
        seen[spec.name] += 1
        child_path = f"{path}/{spec.name}"
        if spec.max != 1:
            child_path += f"[{seen[spec.name]}]"
        if spec.kind in ("group", "pair"):
            if _direct_text(child).strip():
                problems.append(f"‚{child_path}‘ enthält Text außerhalb seiner Unterelemente")
            _check_structure(child, spec.children, child_path, namespace, version, problems)
            continue
        if any(isinstance(grandchild.tag, str) for grandchild in child):
            problems.append(f"‚{child_path}‘ darf keine Unterelemente enthalten")
            continue
        value = _direct_text(child)
        if spec.kind == "enum" and value not in spec.values:
            allowed = ", ".join(sorted(spec.values))
            if value.strip():
                problems.append(
                    f"‚{spec.name}‘ hat einen ungültigen Wert: ‚{_shown(value)}‘ (erlaubt: {allowed})"
                )
            else:
                problems.append(f"‚{spec.name}‘ ist leer (erlaubt: {allowed})")
        elif spec.kind == "datetime":
            try:
                parse_datetime(value, strict=version == "1.2")
            except ValueError as exc:
                problems.append(
                    f"‚{spec.name}‘ hat kein gültiges Datumsformat: ‚{_shown(value.strip())}‘ ({exc})"
                )
        elif spec.kind == "language" and not _LANGUAGE.fullmatch(value.strip()):
            problems.append(f"‚{spec.name}‘ ist kein gültiges Sprachkürzel: ‚{_shown(value)}‘")


# --------------------------------------------------------------------------- value extraction


def _child(element: etree._Element, namespace: str, name: str) -> etree._Element | None:
    return element.find(f"{{{namespace}}}{name}")


def _children(element: etree._Element, namespace: str, name: str) -> list[etree._Element]:
    return element.findall(f"{{{namespace}}}{name}")


def _text(element: etree._Element, namespace: str, name: str) -> str | None:
    """Stripped text of an optional child; None when absent or empty."""
    found = _child(element, namespace, name)
    if found is None:
        return None
    value = _direct_text(found).strip()
    return value or None


def _texts(element: etree._Element, namespace: str, name: str) -> tuple[str, ...]:
    return tuple(_direct_text(e).strip() for e in _children(element, namespace, name))


_NO_TIME = datetime(1, 1, 1, tzinfo=UTC)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_ID_FORBIDDEN = re.compile(r"[\s,<&]")
_LIST_ITEM = re.compile(r'"([^"]*)"|(\S+)')


def _number(text: str) -> float | None:
    text = text.strip()
    return float(text) if _NUMBER.fullmatch(text) else None


def _split_list(text: str | None) -> tuple[str, ...]:
    """Split a CAP list (whitespace-delimited, items with spaces in double quotes)."""
    if not text:
        return ()
    return tuple(
        m.group(1) if m.group(1) is not None else m.group(2) for m in _LIST_ITEM.finditer(text)
    )


class _Reader:
    """Turns a structurally valid alert element into data classes, collecting rule violations."""

    def __init__(self, namespace: str, version: str) -> None:
        self.ns = namespace
        self.version = version
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def required_text(self, element: etree._Element, name: str, path: str) -> str:
        """Stripped text of a required child; a missing child was reported by the structure check."""
        node = _child(element, self.ns, name)
        if node is None:
            return ""
        value = _direct_text(node).strip()
        if not value:
            self.problems.append(f"Pflichtfeld ‚{name}‘ ist leer in ‚{path}‘")
        return value

    def identifier_like(self, value: str, name: str) -> str:
        if value and _ID_FORBIDDEN.search(value):
            self.problems.append(
                f"‚{name}‘ darf keine Leerzeichen, Kommas, ‚<‘ oder ‚&‘ enthalten: ‚{_shown(value)}‘"
            )
        return value

    def point(self, token: str, what: str) -> Point | None:
        parts = token.split(",")
        if len(parts) != 2:
            self.problems.append(
                f"{what}: ‚{_shown(token)}‘ ist kein Koordinatenpaar ‚Breite,Länge‘"
            )
            return None
        lat, lon = _number(parts[0]), _number(parts[1])
        if lat is None or lon is None:
            self.problems.append(f"{what}: ‚{_shown(token)}‘ enthält keine gültigen Zahlen")
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.problems.append(f"{what}: ‚{_shown(token)}‘ liegt außerhalb von ±90°/±180°")
            return None
        return (lat, lon)

    def polygon(self, text: str, path: str) -> Polygon | None:
        what = f"Ungültiges Polygon in ‚{path}‘"
        tokens = text.split()
        if not tokens:
            self.problems.append(f"Polygon in ‚{path}‘ ist leer")
            return None
        points: list[Point] = []
        for token in tokens:
            point = self.point(token, what)
            if point is None:
                return None  # one message per polygon is enough
            points.append(point)
        polygon: Polygon = tuple(points)
        if len(polygon) < 4:
            self.problems.append(f"{what}: mindestens vier Punkte nötig, gefunden {len(polygon)}")
            return None
        if polygon[0] != polygon[-1]:
            self.problems.append(f"{what}: erster und letzter Punkt müssen gleich sein")
            return None
        return polygon

    def circle(self, text: str, path: str) -> CapCircle | None:
        what = f"Ungültiger Kreis in ‚{path}‘"
        tokens = text.split()
        if len(tokens) != 2:
            self.problems.append(
                f"{what}: erwartet ‚Breite,Länge Radius‘, gefunden ‚{_shown(text)}‘"
            )
            return None
        center = self.point(tokens[0], what)
        radius = _number(tokens[1])
        if center is None:
            return None
        if radius is None or radius < 0:
            self.problems.append(f"{what}: Radius ‚{_shown(tokens[1])}‘ ist keine Zahl ≥ 0")
            return None
        return CapCircle(center[0], center[1], radius)

    def pairs(self, element: etree._Element, name: str) -> tuple[CapValuePair, ...]:
        result = []
        for item in _children(element, self.ns, name):
            if self.version == "1.0":
                raw = _direct_text(item).strip()
                key, _, value = raw.partition("=")
                result.append(CapValuePair(key.strip(), value.strip()))
            else:
                result.append(
                    CapValuePair(
                        _text(item, self.ns, "valueName") or "", _text(item, self.ns, "value") or ""
                    )
                )
        return tuple(result)

    def datetime(self, element: etree._Element, name: str) -> datetime | None:
        value = _text(element, self.ns, name)
        if not value:
            return None
        try:
            return parse_datetime(value, strict=self.version == "1.2")
        except ValueError:
            return None  # reported by the structure check

    def enum_text(self, element: etree._Element, name: str) -> str:
        node = _child(element, self.ns, name)
        return "" if node is None else _direct_text(node)

    def area(self, element: etree._Element, path: str) -> CapArea:
        area_desc = self.required_text(element, "areaDesc", path)
        polygons = []
        for number, text in enumerate(_texts(element, self.ns, "polygon"), start=1):
            polygon = self.polygon(text, f"{path}/polygon[{number}]")
            if polygon is not None:
                polygons.append(polygon)
        circles = []
        for number, text in enumerate(_texts(element, self.ns, "circle"), start=1):
            circle = self.circle(text, f"{path}/circle[{number}]")
            if circle is not None:
                circles.append(circle)
        altitude = ceiling = None
        for name in ("altitude", "ceiling"):
            raw = _text(element, self.ns, name)
            if raw is None:
                continue
            number = _number(raw)
            if number is None:
                self.problems.append(f"‚{name}‘ in ‚{path}‘ ist keine Zahl: ‚{_shown(raw)}‘")
            elif name == "altitude":
                altitude = number
            else:
                ceiling = number
        if ceiling is not None and altitude is None and _text(element, self.ns, "altitude") is None:
            self.problems.append(f"‚ceiling‘ in ‚{path}‘ setzt ‚altitude‘ voraus")
        if altitude is not None and ceiling is not None and altitude > ceiling:
            self.problems.append(f"‚altitude‘ liegt in ‚{path}‘ über ‚ceiling‘")
        return CapArea(
            area_desc=area_desc,
            polygons=tuple(polygons),
            circles=tuple(circles),
            geocodes=self.pairs(element, "geocode"),
            altitude=altitude,
            ceiling=ceiling,
        )

    def resource(self, element: etree._Element, path: str) -> CapResource:
        size_text = _text(element, self.ns, "size")
        size = None
        if size_text is not None:
            if re.fullmatch(r"[+]?\d+", size_text):
                size = int(size_text)
            else:
                self.problems.append(
                    f"‚size‘ in ‚{path}‘ ist keine ganze Zahl: ‚{_shown(size_text)}‘"
                )
        return CapResource(
            description=_text(element, self.ns, "resourceDesc") or "",
            mime_type=_text(element, self.ns, "mimeType"),
            size=size,
            uri=_text(element, self.ns, "uri"),
            digest=_text(element, self.ns, "digest"),
        )

    def info(self, element: etree._Element, path: str) -> CapInfo:
        event = self.required_text(element, "event", path)
        certainty = self.enum_text(element, "certainty")
        if certainty == "Very Likely" and self.version != "1.0":
            self.warnings.append(
                f"‚certainty‘ „Very Likely“ ist veraltet und wird als „Likely“ gelesen ({path})"
            )
            certainty = "Likely"
        effective = self.datetime(element, "effective")
        expires = self.datetime(element, "expires")
        if effective and expires and expires < effective:
            self.warnings.append(f"‚expires‘ liegt vor ‚effective‘ ({path})")
        return CapInfo(
            event=event,
            urgency=self.enum_text(element, "urgency"),
            severity=self.enum_text(element, "severity"),
            certainty=certainty,
            categories=_texts(element, self.ns, "category"),
            language=_text(element, self.ns, "language"),
            response_types=_texts(element, self.ns, "responseType"),
            audience=_text(element, self.ns, "audience"),
            event_codes=self.pairs(element, "eventCode"),
            effective=effective,
            onset=self.datetime(element, "onset"),
            expires=expires,
            sender_name=_text(element, self.ns, "senderName"),
            headline=_text(element, self.ns, "headline"),
            description=_text(element, self.ns, "description"),
            instruction=_text(element, self.ns, "instruction"),
            web=_text(element, self.ns, "web"),
            contact=_text(element, self.ns, "contact"),
            parameters=self.pairs(element, "parameter"),
            resources=tuple(
                self.resource(e, f"{path}/resource[{n}]")
                for n, e in enumerate(_children(element, self.ns, "resource"), start=1)
            ),
            areas=tuple(
                self.area(e, f"{path}/area[{n}]")
                for n, e in enumerate(_children(element, self.ns, "area"), start=1)
            ),
        )

    def references(self, element: etree._Element) -> tuple[CapReference, ...]:
        node = _child(element, self.ns, "references")
        if node is None:
            return ()
        tokens = _direct_text(node).split()
        if not tokens:
            if self.version == "1.0":
                self.warnings.append("‚references‘ ist leer")
            else:
                self.problems.append(
                    "‚references‘ ist leer (erwartet: ‚Absender,Kennung,Sendezeit‘ je Bezug)"
                )
            return ()
        if self.version == "1.0":
            return tuple(CapReference(sender="", identifier=token) for token in tokens)
        result = []
        for token in tokens:
            parts = token.split(",")
            if len(parts) != 3 or not parts[0] or not parts[1]:
                self.problems.append(
                    f"‚references‘ enthält ‚{_shown(token)}‘; erwartet ‚Absender,Kennung,Sendezeit‘"
                )
                continue
            try:
                sent = parse_datetime(parts[2], strict=self.version == "1.2")
            except ValueError as exc:
                self.problems.append(
                    f"‚references‘: Sendezeit ‚{_shown(parts[2])}‘ ist kein gültiges Datum ({exc})"
                )
                continue
            result.append(CapReference(sender=parts[0], identifier=parts[1], sent=sent))
        return tuple(result)

    def alert(self, root: etree._Element, source_name: str | None) -> CapAlert:
        ns = self.ns
        identifier = self.identifier_like(
            self.required_text(root, "identifier", "alert"), "identifier"
        )
        sender = self.identifier_like(self.required_text(root, "sender", "alert"), "sender")
        scope = _text(root, ns, "scope")
        restriction = _text(root, ns, "restriction")
        addresses = _split_list(_text(root, ns, "addresses"))
        msg_type = self.enum_text(root, "msgType")
        if restriction and scope != "Restricted":
            self.warnings.append("‚restriction‘ ist angegeben, aber ‚scope‘ ist nicht ‚Restricted‘")
        if addresses and scope != "Private":
            self.warnings.append("‚addresses‘ ist angegeben, aber ‚scope‘ ist nicht ‚Private‘")
        references = self.references(root)
        if (
            msg_type in ("Update", "Cancel", "Ack", "Error")
            and _child(root, ns, "references") is None
        ):
            self.warnings.append(f"‚msgType‘ ‚{msg_type}‘ ohne ‚references‘")
        infos = tuple(
            self.info(e, f"alert/info[{n}]")
            for n, e in enumerate(_children(root, ns, "info"), start=1)
        )
        return CapAlert(
            identifier=identifier,
            sender=sender,
            # A missing or malformed sent is a structure problem, so the placeholder never escapes.
            sent=self.datetime(root, "sent") or _NO_TIME,
            status=self.enum_text(root, "status"),
            msg_type=msg_type,
            scope=scope,
            infos=infos,
            source=_text(root, ns, "source"),
            restriction=restriction,
            addresses=addresses,
            codes=tuple(c for c in _texts(root, ns, "code") if c),
            note=_text(root, ns, "note"),
            references=references,
            incidents=_split_list(_text(root, ns, "incidents")),
            version=self.version,
            warnings=tuple(self.warnings),
            source_name=source_name,
        )


# --------------------------------------------------------------------------- CAP 1.2 schema

_schema_cache = threading.local()


def _cap12_schema() -> etree.XMLSchema:
    # lxml validators must not be used from two threads at once: one per thread.
    schema = getattr(_schema_cache, "schema", None)
    if schema is None:
        schema = compile_schema(resource("schemas", "cap12.xsd").read_bytes())
        _schema_cache.schema = schema
    return schema


_BRACED_NAMESPACE = re.compile(r"\{[^}]*\}")


def validate_cap12(root: etree._Element) -> list[str]:
    """Validate against the shipped OASIS CAP 1.2 schema; German-prefixed problems, empty if valid."""
    schema = _cap12_schema()
    if schema.validate(root.getroottree()):
        return []
    problems = []
    for error in schema.error_log:
        message = _BRACED_NAMESPACE.sub("", error.message)
        problems.append(f"entspricht nicht dem CAP-1.2-Schema (Zeile {error.line}): {message}")
    return problems


# --------------------------------------------------------------------------- import


def parse_cap(data: bytes, source_name: str | None = None) -> CapAlert:
    """Read a CAP 1.0, 1.1 or 1.2 alert.

    Raises :class:`CapError` (German message listing every problem) for
    anything that is not a valid, safe CAP alert; never another exception for
    bad input. Opens no file and no network address.
    """
    try:
        root = parse_xml(data, source_name=source_name)
    except XmlError as exc:
        raise CapError(str(exc), source_name=source_name) from None
    qname = etree.QName(root)
    version = _VERSION_BY_NAMESPACE.get(qname.namespace or "")
    if qname.localname != "alert" or version is None:
        found = f"‚{qname.localname}‘" + (
            f" im Namensraum ‚{qname.namespace}‘" if qname.namespace else " ohne Namensraum"
        )
        raise CapError(
            f"Keine CAP-Meldung: Wurzelelement ist {found}, erwartet ‚alert‘ im Namensraum von CAP 1.0, 1.1 oder 1.2",
            source_name=source_name,
        )
    namespace = qname.namespace or ""
    problems: list[str] = []
    _check_structure(root, _FIELDS[version], "alert", namespace, version, problems)
    # The rule checks run even after structure problems, so one pass reports everything.
    reader = _Reader(namespace, version)
    alert = reader.alert(root, source_name)
    problems.extend(reader.problems)
    if problems:
        raise CapError(problems, source_name=source_name)
    if version == "1.2":
        schema_problems = validate_cap12(root)
        if schema_problems:
            raise CapError(schema_problems, source_name=source_name)
    return alert


# --------------------------------------------------------------------------- export


@dataclass(frozen=True, slots=True)
class CapAlertInput:
    """What the program wants to publish; :func:`build_cap` turns it into CAP 1.2.

    ``status`` None means Actual for real data; in an exercise the status is
    always Exercise (see :func:`build_cap`).
    """

    identifier: str
    sender: str
    sent: datetime
    infos: Sequence[CapInfo] = ()
    msg_type: str = "Alert"
    scope: str = "Public"
    status: str | None = None
    source: str | None = None
    restriction: str | None = None
    addresses: Sequence[str] = ()
    codes: Sequence[str] = ()
    note: str | None = None
    references: Sequence[CapReference] = ()
    incidents: Sequence[str] = ()


EXERCISE_MARK = "ÜBUNG"
_DEFAULT_LANGUAGE = "de-DE"


def _coordinate(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(value)
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


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

    def enum(self, value: str, name: str, allowed: frozenset[str]) -> str:
        if value not in allowed:
            self.problems.append(
                f"‚{name}‘ hat einen ungültigen Wert: ‚{_shown(str(value))}‘ (erlaubt: {', '.join(sorted(allowed))})"
            )
        return value

    def identifier_like(self, value: str, name: str) -> str:
        cleaned = clean_text(str(value)).strip()
        if not cleaned:
            self.problems.append(f"Pflichtfeld ‚{name}‘ ist leer")
        elif _ID_FORBIDDEN.search(cleaned):
            self.problems.append(
                f"‚{name}‘ darf keine Leerzeichen, Kommas, ‚<‘ oder ‚&‘ enthalten: ‚{_shown(cleaned)}‘"
            )
        return cleaned

    def time(self, value: datetime | None, name: str) -> str | None:
        if value is None:
            return None
        try:
            return format_datetime(value)
        except ValueError as exc:
            self.problems.append(f"‚{name}‘: {exc}")
            return None

    def point(self, point: Point, name: str) -> str | None:
        lat, lon = point
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.problems.append(f"{name}: Punkt ({lat}, {lon}) liegt außerhalb von ±90°/±180°")
            return None
        return f"{_coordinate(lat)},{_coordinate(lon)}"

    def polygon(self, polygon: Sequence[Point], name: str) -> str | None:
        points = [tuple(p) for p in polygon]
        if points and points[0] != points[-1]:
            points.append(points[0])
        if len(points) < 4:
            self.problems.append(f"{name}: ein Polygon braucht mindestens drei verschiedene Punkte")
            return None
        texts = [self.point((float(p[0]), float(p[1])), name) for p in points]
        if any(t is None for t in texts):
            return None
        return " ".join(t for t in texts if t is not None)

    def circle(self, circle: CapCircle, name: str) -> str | None:
        center = self.point((circle.latitude, circle.longitude), name)
        if not (circle.radius_km >= 0 and math.isfinite(circle.radius_km)):
            self.problems.append(f"{name}: Radius muss ≥ 0 sein")
            return None
        return None if center is None else f"{center} {_coordinate(circle.radius_km)}"

    def list_value(self, items: Iterable[str], name: str) -> str | None:
        parts = []
        for item in items:
            cleaned = clean_text(str(item)).strip()
            if not cleaned:
                continue
            if '"' in cleaned:
                self.problems.append(
                    f"‚{name}‘ darf keine Anführungszeichen enthalten: ‚{_shown(cleaned)}‘"
                )
                continue
            parts.append(f'"{cleaned}"' if re.search(r"\s", cleaned) else cleaned)
        return " ".join(parts) or None


def _sub(parent: etree._Element, name: str, value: str | None) -> None:
    if value is not None:
        etree.SubElement(parent, f"{{{CAP12_NAMESPACE}}}{name}").text = value


def _sub_pair(parent: etree._Element, name: str, pair: CapValuePair, writer: _Writer) -> None:
    node = etree.SubElement(parent, f"{{{CAP12_NAMESPACE}}}{name}")
    _sub(node, "valueName", writer.text(pair.name, f"{name}/valueName") or "")
    _sub(node, "value", writer.text(pair.value, f"{name}/value") or "")


def _effective_status(alert: CapAlertInput, exercise: bool, writer: _Writer) -> str:
    if exercise:
        if alert.status not in (None, "Exercise"):
            writer.problems.append(
                f"In einer Übung wird jede CAP-Meldung mit Status ‚Exercise‘ geschrieben, nicht ‚{alert.status}‘"
            )
        return "Exercise"
    return writer.enum(alert.status or "Actual", "status", _STATUS)


def _mark_exercise(text: str | None) -> str:
    if text and text.lstrip().upper().startswith(EXERCISE_MARK):
        return text
    return f"{EXERCISE_MARK}: {text}" if text else EXERCISE_MARK


def build_cap(alert: CapAlertInput, *, exercise: bool) -> bytes:
    """Write a CAP 1.2 alert (UTF-8) that validates against the OASIS schema.

    ``exercise`` must be given by every caller: when True the status is
    always ``Exercise`` (asking for any other status raises :class:`CapError`),
    the note says „ÜBUNG“ and each headline starts with „ÜBUNG: “. Times are
    written in Europe/Berlin with a numeric offset. An info block without
    language is written as ``de-DE``. Characters XML cannot hold are removed
    from all texts. Raises :class:`CapError` with German messages for input
    that cannot form a valid alert.
    """
    writer = _Writer()
    ns = CAP12_NAMESPACE
    root = etree.Element(f"{{{ns}}}alert", nsmap={None: ns})
    _sub(root, "identifier", writer.identifier_like(alert.identifier, "identifier"))
    _sub(root, "sender", writer.identifier_like(alert.sender, "sender"))
    if alert.sent is None:
        writer.problems.append("Pflichtfeld ‚sent‘ fehlt")
    _sub(root, "sent", writer.time(alert.sent, "sent") or "")
    status = _effective_status(alert, exercise, writer)
    _sub(root, "status", status)
    _sub(root, "msgType", writer.enum(alert.msg_type, "msgType", _MSG_TYPES))
    _sub(root, "source", writer.text(alert.source, "source"))
    _sub(root, "scope", writer.enum(alert.scope, "scope", _SCOPES))
    restriction = writer.text(alert.restriction, "restriction")
    if alert.scope == "Restricted" and not (restriction or "").strip():
        writer.problems.append("Bei ‚scope‘ ‚Restricted‘ muss ‚restriction‘ angegeben sein")
    _sub(root, "restriction", restriction)
    addresses = writer.list_value(alert.addresses, "addresses")
    if alert.scope == "Private" and not addresses:
        writer.problems.append("Bei ‚scope‘ ‚Private‘ muss ‚addresses‘ angegeben sein")
    _sub(root, "addresses", addresses)
    for code in alert.codes:
        _sub(root, "code", writer.text(code, "code"))
    note = writer.text(alert.note, "note")
    _sub(root, "note", _mark_exercise(note) if exercise else note)
    references = []
    for reference in alert.references:
        ref_sender = writer.identifier_like(reference.sender, "references/sender")
        ref_identifier = writer.identifier_like(reference.identifier, "references/identifier")
        if reference.sent is None:
            writer.problems.append("‚references‘: die Sendezeit der Bezugsmeldung fehlt")
            continue
        ref_sent = writer.time(reference.sent, "references/sent")
        references.append(f"{ref_sender},{ref_identifier},{ref_sent}")
    if alert.msg_type in ("Update", "Cancel", "Ack", "Error") and not references:
        writer.problems.append(f"Eine Meldung vom Typ ‚{alert.msg_type}‘ braucht ‚references‘")
    _sub(root, "references", " ".join(references) or None)
    _sub(root, "incidents", writer.list_value(alert.incidents, "incidents"))
    for number, info in enumerate(alert.infos, start=1):
        _build_info(root, info, number, exercise, writer)
    if writer.problems:
        raise CapError(writer.problems, reading=False)
    if exercise and root.findtext(f"{{{ns}}}status") != "Exercise":
        # Last line of defence: an exercise must never publish a real alert.
        raise CapError("Interner Fehler: Übungsmeldung ohne Status ‚Exercise‘", reading=False)
    schema_problems = validate_cap12(root)
    if schema_problems:
        raise CapError(schema_problems, reading=False)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _build_info(
    root: etree._Element, info: CapInfo, number: int, exercise: bool, writer: _Writer
) -> None:
    name = f"info[{number}]"
    node = etree.SubElement(root, f"{{{CAP12_NAMESPACE}}}info")
    language = clean_text(info.language).strip() if info.language else _DEFAULT_LANGUAGE
    if not _LANGUAGE.fullmatch(language):
        writer.problems.append(
            f"{name}: ‚language‘ ist kein gültiges Sprachkürzel: ‚{_shown(language)}‘"
        )
    _sub(node, "language", language)
    categories = (info.categories,) if isinstance(info.categories, str) else tuple(info.categories)
    if not categories:
        writer.problems.append(f"{name}: Pflichtfeld ‚category‘ fehlt")
    for category in categories:
        _sub(node, "category", writer.enum(category, f"{name}/category", _CATEGORIES))
    event = writer.text(info.event, f"{name}/event", required=True)
    _sub(node, "event", event)
    for response in info.response_types:
        _sub(node, "responseType", writer.enum(response, f"{name}/responseType", _RESPONSE_TYPES))
    _sub(node, "urgency", writer.enum(info.urgency, f"{name}/urgency", _URGENCIES))
    _sub(node, "severity", writer.enum(info.severity, f"{name}/severity", _SEVERITIES))
    _sub(node, "certainty", writer.enum(info.certainty, f"{name}/certainty", _CERTAINTIES))
    _sub(node, "audience", writer.text(info.audience, f"{name}/audience"))
    for pair in info.event_codes:
        _sub_pair(node, "eventCode", pair, writer)
    _sub(node, "effective", writer.time(info.effective, f"{name}/effective"))
    _sub(node, "onset", writer.time(info.onset, f"{name}/onset"))
    _sub(node, "expires", writer.time(info.expires, f"{name}/expires"))
    _sub(node, "senderName", writer.text(info.sender_name, f"{name}/senderName"))
    headline = writer.text(info.headline, f"{name}/headline")
    if exercise:
        headline = _mark_exercise(headline or (event or "").strip() or None)
    _sub(node, "headline", headline)
    _sub(node, "description", writer.text(info.description, f"{name}/description"))
    _sub(node, "instruction", writer.text(info.instruction, f"{name}/instruction"))
    if info.web is not None:
        web = clean_text(info.web).strip()
        if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", web):
            writer.problems.append(
                f"{name}: ‚web‘ ist keine gültige http(s)-Adresse: ‚{_shown(web)}‘"
            )
        _sub(node, "web", web)
    _sub(node, "contact", writer.text(info.contact, f"{name}/contact"))
    for pair in info.parameters:
        _sub_pair(node, "parameter", pair, writer)
    for r_number, res in enumerate(info.resources, start=1):
        r_name = f"{name}/resource[{r_number}]"
        r_node = etree.SubElement(node, f"{{{CAP12_NAMESPACE}}}resource")
        _sub(
            r_node,
            "resourceDesc",
            writer.text(res.description, f"{r_name}/resourceDesc", required=True),
        )
        _sub(r_node, "mimeType", writer.text(res.mime_type, f"{r_name}/mimeType", required=True))
        if res.size is not None:
            if res.size < 0:
                writer.problems.append(f"{r_name}: ‚size‘ muss ≥ 0 sein")
            _sub(r_node, "size", str(int(res.size)))
        if res.uri is not None:
            uri = clean_text(res.uri).strip()
            if not uri or re.search(r"\s", uri):
                writer.problems.append(f"{r_name}: ‚uri‘ ist keine gültige Adresse")
            _sub(r_node, "uri", uri)
        _sub(r_node, "digest", writer.text(res.digest, f"{r_name}/digest"))
    for a_number, area in enumerate(info.areas, start=1):
        a_name = f"{name}/area[{a_number}]"
        a_node = etree.SubElement(node, f"{{{CAP12_NAMESPACE}}}area")
        _sub(a_node, "areaDesc", writer.text(area.area_desc, f"{a_name}/areaDesc", required=True))
        for p_number, polygon in enumerate(area.polygons, start=1):
            _sub(a_node, "polygon", writer.polygon(polygon, f"{a_name}/polygon[{p_number}]"))
        for c_number, circle in enumerate(area.circles, start=1):
            _sub(a_node, "circle", writer.circle(circle, f"{a_name}/circle[{c_number}]"))
        for pair in area.geocodes:
            _sub_pair(a_node, "geocode", pair, writer)
        if area.ceiling is not None and area.altitude is None:
            writer.problems.append(f"{a_name}: ‚ceiling‘ setzt ‚altitude‘ voraus")
        if area.altitude is not None and area.ceiling is not None and area.altitude > area.ceiling:
            writer.problems.append(f"{a_name}: ‚altitude‘ liegt über ‚ceiling‘")
        for h_name, height in (("altitude", area.altitude), ("ceiling", area.ceiling)):
            if height is None:
                continue
            if not math.isfinite(height):
                writer.problems.append(f"{a_name}: ‚{h_name}‘ ist keine endliche Zahl")
                continue
            _sub(a_node, h_name, _coordinate(float(height)))
