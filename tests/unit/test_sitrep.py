"""EDXL-SitRep 1.0 export of a released situation report.

No official schema is available offline, so these tests check the document
with lxml: well-formed, in the SitRep namespace, every required header element
present and in order, values read back unchanged, hostile text escaped.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from krisenstab.exchange.sitrep import (
    CT_NAMESPACE,
    GML_NAMESPACE,
    SECTION_ELEMENTS,
    SITREP_NAMESPACE,
    ReportConfidence,
    ReportVersion,
    SectionKind,
    SitRepError,
    SitRepInput,
    SitRepLocation,
    SitRepPerson,
    SitRepSection,
    build_sitrep,
    report_version_for,
)
from krisenstab.exchange.xmlsafe import clean_text, parse_xml

SR = f"{{{SITREP_NAMESPACE}}}"
CT = f"{{{CT_NAMESPACE}}}"
XNL = "{urn:oasis:names:tc:emergency:edxl:ciq:1.0:xnl}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

RELEASED = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)  # 15:30 in Berlin

HEADER_ORDER = [
    "messageID",
    "preparedBy",
    "authorizedBy",
    "reportPurpose",
    "reportNumber",
    "reportVersion",
    "forTimePeriod",
    "reportTitle",
    "incidentID",
    "incidentLifecyclePhase",
    "originatingMessageID",
    "precedingMessageID",
    "urgency",
    "reportConfidence",
    "severity",
    "reportingLocation",
    "actionPlan",
    "nextContact",
    "report",
]
REQUIRED = [
    "messageID",
    "preparedBy",
    "authorizedBy",
    "reportPurpose",
    "reportNumber",
    "reportVersion",
    "forTimePeriod",
    "incidentID",
    "reportConfidence",
    "severity",
    "report",
]


def sample(**changes: object) -> SitRepInput:
    report = SitRepInput(
        message_id="lagebericht-2026-0003",
        prepared_by=SitRepPerson("Max Muster", RELEASED - timedelta(minutes=20), "S2"),
        authorized_by=SitRepPerson("Erika Beispiel", RELEASED, "Leiterin des Stabes"),
        report_purpose="Unterrichtung der Bezirksregierung nach Meldeerlass",
        report_number=3,
        report_version=ReportVersion.UPDATE,
        period_from=RELEASED - timedelta(hours=6),
        period_to=RELEASED,
        incident_ids=("hochwasser-2026-11",),
        report_confidence=ReportConfidence.SOMEWHAT_CONFIDENT,
        severity="Severe",
        urgency="Expected",
        report_title="Hochwasser an Rur und Inde",
        incident_lifecycle_phase="Response",
        originating_message_id="lagebericht-2026-0001",
        preceding_message_ids=("lagebericht-2026-0002",),
        reporting_location=SitRepLocation("Kreishaus Musterstadt", ags="05358"),
        action_plan="Deichverteidigung Ortsteil Beispielhausen",
        next_contact=RELEASED + timedelta(hours=3),
        sections=(
            SitRepSection(SectionKind.FORECAST, "Pegel steigt bis 18 Uhr weiter."),
            SitRepSection(
                SectionKind.OVERVIEW, "Hochwasser an Rur und Inde, zwei Ortsteile betroffen."
            ),
            SitRepSection(
                SectionKind.OWN_SITUATION, "120 Kräfte im Einsatz, 3 Sandsackfüllstellen."
            ),
            SitRepSection(SectionKind.DAMAGE, "Keller in 40 Häusern überflutet."),
            SitRepSection(SectionKind.OTHER, "Pressekonferenz um 17 Uhr.", title="Presse"),
            SitRepSection(SectionKind.DECISIONS, "Entscheidung über Evakuierung bis 16 Uhr."),
            SitRepSection(SectionKind.WEATHER, ""),  # empty parts of the form are left out
        ),
    )
    return replace(report, **changes)


def build(report: SitRepInput | None = None, *, exercise: bool = False) -> etree._Element:
    data = build_sitrep(report or sample(), exercise=exercise)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert b"<!DOCTYPE" not in data
    return parse_xml(data)  # the program's own safe parser must accept what it writes


def child_names(element: etree._Element) -> list[str]:
    return [etree.QName(c).localname for c in element if isinstance(c.tag, str)]


def test_root_and_namespace() -> None:
    root = build()
    assert root.tag == f"{SR}sitRep"
    assert all(etree.QName(c).namespace == SITREP_NAMESPACE for c in root)


def test_header_elements_are_complete_and_in_order() -> None:
    names = child_names(build())
    for name in REQUIRED:
        assert name in names
    positions = [HEADER_ORDER.index(n) for n in names]
    assert positions == sorted(positions)
    assert names[-1] == "report"


def test_minimal_report_has_all_required_elements() -> None:
    minimal = SitRepInput(
        message_id="lb-1",
        prepared_by=SitRepPerson("Max Muster", RELEASED),
        authorized_by=SitRepPerson("Erika Beispiel", RELEASED),
        report_purpose="Erstmeldung",
        report_number=1,
        report_version=ReportVersion.INITIAL,
        period_from=RELEASED - timedelta(hours=1),
        period_to=RELEASED,
        incident_ids=("unfall-1",),
        report_confidence=ReportConfidence.UNSURE,
        sections=(SitRepSection(SectionKind.OVERVIEW, "Lage unklar."),),
    )
    root = build(minimal)
    assert child_names(root) == REQUIRED
    assert root.findtext(f"{SR}severity") == "Unknown"


def test_values_read_back() -> None:
    root = build()
    assert root.findtext(f"{SR}messageID") == "lagebericht-2026-0003"
    assert (
        root.findtext(f"{SR}reportPurpose") == "Unterrichtung der Bezirksregierung nach Meldeerlass"
    )
    assert root.findtext(f"{SR}reportNumber") == "3"
    assert root.findtext(f"{SR}reportVersion") == "Update"
    assert root.findtext(f"{SR}reportTitle") == "Hochwasser an Rur und Inde"
    assert [e.text for e in root.findall(f"{SR}incidentID")] == ["hochwasser-2026-11"]
    assert root.findtext(f"{SR}incidentLifecyclePhase") == "Response"
    assert root.findtext(f"{SR}originatingMessageID") == "lagebericht-2026-0001"
    assert [e.text for e in root.findall(f"{SR}precedingMessageID")] == ["lagebericht-2026-0002"]
    assert root.findtext(f"{SR}urgency") == "Expected"
    assert root.findtext(f"{SR}reportConfidence") == "SomewhatConfident"
    assert root.findtext(f"{SR}severity") == "Severe"
    assert root.findtext(f"{SR}actionPlan") == "Deichverteidigung Ortsteil Beispielhausen"

    def when(path: str) -> datetime:
        return datetime.fromisoformat(root.findtext(path))

    assert root.findtext(f"{SR}nextContact") == "2026-11-27T18:30:00+01:00"
    assert when(f"{SR}nextContact") == RELEASED + timedelta(hours=3)
    assert when(f"{SR}forTimePeriod/{CT}fromDateTime") == RELEASED - timedelta(hours=6)
    assert when(f"{SR}forTimePeriod/{CT}toDateTime") == RELEASED
    prepared = root.find(f"{SR}preparedBy")
    assert (
        prepared.findtext(f"{CT}personDetails/{XNL}personName/{XNL}nameElement")
        == "Max Muster (S2)"
    )
    assert datetime.fromisoformat(prepared.findtext(f"{CT}timeValue")) == RELEASED - timedelta(
        minutes=20
    )
    authorized = root.find(f"{SR}authorizedBy")
    assert (
        authorized.findtext(f"{CT}personDetails/{XNL}personName/{XNL}nameElement")
        == "Erika Beispiel (Leiterin des Stabes)"
    )
    codes = root.findall(f"{SR}reportingLocation/{CT}EDXLGeoPoliticalLocation/{CT}geoCode")
    assert [(c.findtext(f"{CT}valueListURI"), c.findtext(f"{CT}value")) for c in codes] == [
        ("urn:de:destatis:ags", "05358"),
        ("urn:krisenstab:ortsbezeichnung", "Kreishaus Musterstadt"),
    ]


def test_report_part_is_situation_information_with_sections_in_schema_order() -> None:
    report = build().find(f"{SR}report")
    prefix, _, local = report.get(XSI_TYPE).partition(":")
    assert local == "SituationInformationType"
    assert report.nsmap[prefix] == SITREP_NAMESPACE  # the xsi:type prefix resolves
    names = child_names(report)
    assert names == [
        SECTION_ELEMENTS[SectionKind.OVERVIEW],
        SECTION_ELEMENTS[SectionKind.DAMAGE],
        SECTION_ELEMENTS[SectionKind.OWN_SITUATION],
        SECTION_ELEMENTS[SectionKind.FORECAST],
        SECTION_ELEMENTS[SectionKind.DECISIONS],
        SECTION_ELEMENTS[SectionKind.OTHER],
    ]
    texts = [c.text for c in report]
    assert texts[0] == "Hochwasser an Rur und Inde, zwei Ortsteile betroffen."
    assert texts[-1] == "Presse:\nPressekonferenz um 17 Uhr."


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("Erstmeldung", ReportVersion.INITIAL),
        ("Folgemeldung", ReportVersion.UPDATE),
        ("Abschlussmeldung", ReportVersion.FINAL),
        (" abschlussmeldung ", ReportVersion.FINAL),
    ],
)
def test_report_kind_maps_to_report_version(kind: str, expected: ReportVersion) -> None:
    assert report_version_for(kind) is expected


def test_unknown_report_kind() -> None:
    with pytest.raises(SitRepError, match="Unbekannte Meldungsart ‚Zwischenmeldung‘"):
        report_version_for("Zwischenmeldung")


def test_exercise_report_is_marked() -> None:
    root = build(exercise=True)
    assert root.findtext(f"{SR}reportTitle") == "ÜBUNG: Hochwasser an Rur und Inde"
    assert root.findtext(f"{SR}reportPurpose").startswith("ÜBUNG: Unterrichtung")
    untitled = build(sample(report_title=None), exercise=True)
    assert untitled.findtext(f"{SR}reportTitle") == "ÜBUNG"
    already = build(sample(report_title="Übung Hochwasser"), exercise=True)
    assert already.findtext(f"{SR}reportTitle") == "Übung Hochwasser"
    real = build(sample(report_title=None), exercise=False)
    assert real.find(f"{SR}reportTitle") is None


def test_exercise_flag_is_mandatory() -> None:
    with pytest.raises(TypeError):
        build_sitrep(sample())  # type: ignore[call-arg]


def test_location_with_coordinates_is_a_gml_point() -> None:
    root = build(
        sample(reporting_location=SitRepLocation("Kreishaus", latitude=50.8037, longitude=6.4822))
    )
    point = root.find(f"{SR}reportingLocation/{CT}EDXLGeoLocation/{{{GML_NAMESPACE}}}Point")
    assert point.get("srsName") == "urn:ogc:def:crs:EPSG::4326"
    assert point.findtext(f"{{{GML_NAMESPACE}}}name") == "Kreishaus"
    assert point.findtext(f"{{{GML_NAMESPACE}}}pos") == "50.803700 6.482200"


HOSTILE = [
    "<script>alert('x')</script>",
    "]]><![CDATA[",
    "&amp;&lt;&#0;",
    "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>&e;",
    "\x00\x07\x1b[31m\ud800\ufffe",
    "Feuerwehr 🚒 — „Schadenlage“ \u202eעברית\u202c عربي",
]


def test_hostile_text_is_escaped_and_survives() -> None:
    sections = tuple(SitRepSection(SectionKind.OTHER, text, title="Titel <b>") for text in HOSTILE)
    root = build(sample(sections=sections, report_purpose=HOSTILE[0], action_plan=HOSTILE[3]))
    assert root.findtext(f"{SR}reportPurpose") == HOSTILE[0]
    assert root.findtext(f"{SR}actionPlan") == HOSTILE[3]
    remarks = [e.text for e in build(sample(sections=sections)).find(f"{SR}report")]
    assert remarks == [f"Titel <b>:\n{clean_text(t).strip()}" for t in HOSTILE]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(
        st.one_of(st.text(max_size=80), st.sampled_from(HOSTILE)),
        min_size=1,
        max_size=len(SectionKind),
    ),
    purpose=st.text(min_size=1, max_size=80),
    person=st.text(min_size=1, max_size=40),
)
def test_any_text_gives_a_well_formed_report(texts: list[str], purpose: str, person: str) -> None:
    kinds = list(SectionKind)
    sections = tuple(SitRepSection(kinds[i], text) for i, text in enumerate(texts))
    report = sample(
        sections=sections,
        report_purpose=purpose,
        prepared_by=SitRepPerson(person, RELEASED),
    )
    written = [(s.kind, clean_text(s.text).strip()) for s in sections if clean_text(s.text).strip()]
    if not written or not clean_text(purpose).strip() or not clean_text(person).strip():
        with pytest.raises(SitRepError):
            build_sitrep(report, exercise=False)
        return
    root = build(report)
    assert root.findtext(f"{SR}reportPurpose") == clean_text(purpose)
    name = root.findtext(f"{SR}preparedBy/{CT}personDetails/{XNL}personName/{XNL}nameElement")
    assert name == clean_text(person).strip()
    found = [(etree.QName(e).localname, e.text) for e in root.find(f"{SR}report")]
    assert sorted(found) == sorted((SECTION_ELEMENTS[k], t) for k, t in written)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"message_id": " "}, "Pflichtfeld ‚messageID‘ ist leer"),
        ({"incident_ids": ()}, "Pflichtfeld ‚incidentID‘ fehlt"),
        ({"report_number": 0}, "‚reportNumber‘ muss eine positive ganze Zahl sein"),
        ({"report_number": True}, "‚reportNumber‘ muss eine positive ganze Zahl sein"),
        ({"report_version": "Zwischenstand"}, "‚reportVersion‘ hat einen ungültigen Wert"),
        ({"preceding_message_ids": ()}, "braucht ‚precedingMessageID‘"),
        ({"period_from": RELEASED + timedelta(hours=1)}, "der Beginn liegt nach dem Ende"),
        ({"period_to": datetime(2026, 11, 27, 15, 0)}, "Zeitangabe ohne Zeitzone"),
        ({"severity": "Schwer"}, "‚severity‘ hat einen ungültigen Wert"),
        ({"urgency": "Sofort"}, "‚urgency‘ hat einen ungültigen Wert"),
        ({"report_confidence": "Sicher"}, "‚reportConfidence‘ hat einen ungültigen Wert"),
        ({"sections": ()}, "keinen Abschnitt mit Text"),
        ({"sections": (SitRepSection("lagekarte", "x"),)}, "Unbekannte Abschnittsart ‚lagekarte‘"),
        (
            {"reporting_location": SitRepLocation("X", ags="Düren")},
            "kein Amtlicher Gemeindeschlüssel",
        ),
        ({"reporting_location": SitRepLocation("X", latitude=95.0, longitude=6.0)}, "±90°/±180°"),
        ({"reporting_location": SitRepLocation("X", latitude=50.0)}, "Koordinaten unvollständig"),
        ({"prepared_by": SitRepPerson("", RELEASED)}, "Pflichtfeld ‚preparedBy/Name‘ ist leer"),
    ],
)
def test_incomplete_reports_are_refused_in_german(changes: dict, message: str) -> None:
    with pytest.raises(SitRepError) as caught:
        build_sitrep(sample(**changes), exercise=False)
    assert message in str(caught.value)
    assert str(caught.value).startswith(
        "Der Lagebericht kann nicht als EDXL-SitRep geschrieben werden"
    )


def test_final_report_may_omit_next_contact() -> None:
    root = build(sample(report_version=report_version_for("Abschlussmeldung"), next_contact=None))
    assert root.findtext(f"{SR}reportVersion") == "Final"
    assert root.find(f"{SR}nextContact") is None
