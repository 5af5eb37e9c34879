"""The Lagebericht: numbering, drafting, pre-drafting, release, freezing, reprint."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from helpers import new_db, new_incident
from sqlalchemy import text, update
from unit.netguard import no_network  # noqa: F401
from unit.test_reports_fixtures import (
    FIXED,
    HOSTILE,
    HOSTILE_LINE,
    LEAD,
    LONG_WORD,
    S2,
    Clock,
    assert_all_fonts_embedded,
    demo_db,
    demo_templates,  # noqa: F401
    pdf_text,
)

from krisenstab.domain.report import (
    HORIZONS,
    EntryLine,
    ReportContent,
    ReportDocument,
    ReportKind,
    ReportStatus,
    Section,
    SituationReport,
    clean_content,
    empty_sections,
    parse_kind,
)
from krisenstab.reports.situation_report import build_situation_report
from krisenstab.services.context import Actor, PermissionDenied, ServiceError
from krisenstab.services.journal import JournalService
from krisenstab.services.reports import EmptySectionsError, ReportService

pytestmark = pytest.mark.usefixtures("no_network")


def full_content(base: ReportContent, text: str = "Lage ruhig (Muster).") -> ReportContent:
    return dataclasses.replace(
        base,
        overview=f"Übersicht: {text}",
        weather="Dauerregen, 20 l/m² in 12 h (Muster).",
        damage=f"Schadenlage: {text}",
        kritis_remarks="Versorgung überwiegend stabil.",
        forces="120 Einsatzkräfte (Muster).",
        measures="Sandsackverbau Uferstraße.",
        prognosis="Pegel fällt ab morgen früh.",
        decisions="Entscheidung über Räumung des Campingplatzes erbeten.",
        resources={12: "2 Pumpen", 24: "Verpflegung 300", 48: "Ablösung", 72: "–"},
        next_meeting_at=FIXED + timedelta(hours=3),
        next_meeting_place="Kreishaus, Raum 1 (Muster)",
        distribution=("Bezirksregierung Köln (Muster)", "Leitstelle (Muster)"),
        significant_entries=base.significant_entries or (1,),
    )


@pytest.fixture
def db(tmp_path):
    return new_db(tmp_path)


@pytest.fixture
def clock():
    return Clock()


# --------------------------------------------------------------------------- domain


def test_content_json_roundtrip_is_canonical():
    content = clean_content(
        full_content(ReportContent())
        .with_free_text(significant_entries=(5, 2, 5))
        .with_free_text(
            entries=(EntryLine(3, FIXED, "S2", "Max Mustermann", "Lage", "Text", None, (4,)),)
        )
    )
    assert content.significant_entries == (2, 5)
    again = ReportContent.from_json(content.to_json())
    assert again == content
    assert again.to_json() == content.to_json()
    assert json.loads(content.to_json())["resources"] == {
        "12": "2 Pumpen",
        "24": "Verpflegung 300",
        "48": "Ablösung",
        "72": "–",
    }
    with pytest.raises(TypeError):
        content.with_free_text(nonsense="x")


def test_clean_content_refuses_bad_input_in_german():
    with pytest.raises(ValueError, match="Ressourcenbedarf gibt es für 12, 24, 48, 72 h"):
        clean_content(ReportContent(resources={6: "zu früh"}))
    with pytest.raises(ValueError, match="Schwere"):
        clean_content(ReportContent(severity="Schlimm"))
    with pytest.raises(ValueError, match="zu lang"):
        clean_content(ReportContent(overview="x" * 50_001))
    cleaned = clean_content(
        ReportContent(overview=" a\r\nb\x00 ", distribution=(" Leitstelle ", "Leitstelle", ""))
    )
    assert cleaned.overview == "a\nb"
    assert cleaned.distribution == ("Leitstelle",)


def test_empty_sections_name_every_missing_part():
    empty = empty_sections(ReportContent())
    assert empty == [
        Section.OVERVIEW.value,
        "Wetter (in der Übersicht)",
        Section.DAMAGE.value,
        Section.KRITIS.value,
        Section.OWN.value,
        Section.JOURNAL.value,
        Section.PROGNOSIS.value,
        Section.DECISIONS.value,
        Section.RESOURCES.value,
        Section.MEETING.value,
        Section.DISTRIBUTION.value,
    ]
    assert empty_sections(full_content(ReportContent(kritis_remarks="x"))) == []


def test_kinds_parse_german_and_english():
    assert parse_kind("folgemeldung") is ReportKind.UPDATE
    assert parse_kind("Final") is ReportKind.FINAL
    with pytest.raises(ValueError, match="Meldungsart"):
        parse_kind("Zwischenmeldung")


# --------------------------------------------------------------------------- service


def test_numbering_per_incident_and_kinds(db, clock):
    a = new_incident(db, "Hochwasser A (Muster)")
    b = new_incident(db, "Sturm B (Muster)")
    service = ReportService(db, S2, clock=clock)
    first = service.create_draft(a)
    assert (first.number, first.kind, first.status) == (1, "Erstmeldung", "Entwurf")
    assert service.create_draft(b).number == 1
    with pytest.raises(ServiceError, match="bereits einen Entwurf"):
        service.create_draft(a)
    with pytest.raises(ServiceError, match="setzt eine freigegebene Erstmeldung voraus"):
        service.update_draft(a, 1, kind="Folgemeldung")
    service.release(a, 1, actor=LEAD, allow_empty=True)
    clock.now = FIXED + timedelta(hours=2)
    second = service.create_draft(a)
    assert (second.number, second.kind) == (2, "Folgemeldung")
    # The reporting period starts where the last report ended.
    assert second.period_from == service.get(a, 1).period_to == FIXED
    with pytest.raises(ServiceError, match="Erstmeldung gibt es nur einmal"):
        service.update_draft(a, 2, kind="Erstmeldung")
    service.update_draft(a, 2, kind="Abschlussmeldung")
    service.release(a, 2, actor=LEAD, allow_empty=True)
    with pytest.raises(ServiceError, match=r"Abschlussmeldung .*bereits freigegeben"):
        service.create_draft(a)
    assert [r.number for r in service.list(a)] == [1, 2]
    assert {r.incident_id for r in service.list()} == {a, b}


def test_draft_edits_and_conflicts(db, clock):
    inc = new_incident(db)
    service = ReportService(db, S2, clock=clock)
    draft = service.create_draft(inc, classification="VS – NUR FÜR DEN DIENSTGEBRAUCH")
    assert draft.classification == "VS – NUR FÜR DEN DIENSTGEBRAUCH"
    saved = service.update_draft(
        inc, 1, content=full_content(draft.content), expected_revision=draft.revision
    )
    assert saved.revision == draft.revision + 1
    assert saved.content.overview.startswith("Übersicht")
    with pytest.raises(ServiceError, match="inzwischen an einem anderen Platz"):
        service.update_draft(inc, 1, staff_name="Stab", expected_revision=draft.revision)
    with pytest.raises(ServiceError, match="Einstufung ist zu lang"):
        service.update_draft(inc, 1, classification="x" * 81)
    service.discard_draft(inc, 1)
    assert service.list(inc) == []
    assert service.create_draft(inc).number == 1  # a discarded number is free again


def test_release_freezes_report_and_writes_journal_entry(db, clock):
    inc = new_incident(db)
    journal = JournalService(db, S2)
    journal.add(inc, "Entscheidung: Räumung Campingplatz (Muster).", kind="Entscheidung")
    journal.add(inc, "Pegel 3,20 m", kind="Lage")
    journal.correct(inc, 3, "Pegel 3,40 m")
    service = ReportService(db, S2, clock=clock)
    draft = service.create_draft(inc)
    assert draft.content.significant_entries == (2,)  # decisions are pre-selected
    content = full_content(draft.content)
    content = content.with_free_text(significant_entries=(2, 3, 4), prognosis="")
    service.update_draft(inc, 1, content=content)
    with pytest.raises(EmptySectionsError) as refused:
        service.release(inc, 1, actor=LEAD)
    assert refused.value.sections == [Section.PROGNOSIS.value]
    assert service.get(inc, 1).is_draft
    head_before = journal.chain_head(inc)
    clock.now = FIXED + timedelta(minutes=5)
    released = service.release(inc, 1, actor=LEAD, allow_empty=True)
    assert released.status == ReportStatus.RELEASED.value
    assert (released.released_by, released.released_function) == (
        "Erika Musterfrau",
        "Leiter des Stabes",
    )
    assert released.chain_head == head_before
    assert released.chain_number == 4
    entry = journal.entry(inc, released.release_entry)
    assert entry.kind == "Lage"
    assert f"SHA-256 des PDF: {released.pdf_sha256}" in entry.text
    assert "Lagebericht Nr. 1 (Erstmeldung) freigegeben durch Erika Musterfrau" in entry.text
    assert "Freigegeben mit leeren Abschnitten: Prognose." in entry.text
    pdf = service.pdf(inc, 1)
    assert hashlib.sha256(pdf).hexdigest() == released.pdf_sha256
    # Frozen: the quoted entries keep their wording and correction marks.
    quoted = {e.number: e for e in released.content.entries}
    assert quoted[3].corrected_by == (4,) and quoted[4].corrects == 3
    with pytest.raises(ServiceError, match="freigegeben und kann nicht mehr geändert werden"):
        service.update_draft(inc, 1, content=ReportContent(overview="neu"))
    with pytest.raises(ServiceError, match="freigegeben"):
        service.discard_draft(inc, 1)
    with pytest.raises(ServiceError, match="freigegeben"):
        service.release(inc, 1, actor=LEAD, allow_empty=True)
    # Later journal entries and a later clock change nothing in a reprint.
    journal.add(inc, "Nachtrag nach der Freigabe")
    clock.now = FIXED + timedelta(days=3)
    assert service.pdf(inc, 1) == pdf
    check = service.verify(inc, 1)
    assert check.ok and check.rebuild_identical


def test_reprint_is_the_stored_bytes_and_tampering_is_detected(db, clock):
    inc = new_incident(db)
    service = ReportService(db, S2, clock=clock)
    service.create_draft(inc)
    service.release(inc, 1, actor=LEAD, allow_empty=True)
    stored = service.pdf(inc, 1)
    assert service.pdf(inc, 1) == stored == service.pdf(inc, 1)
    # The store refuses any change to a released report ...
    with pytest.raises(Exception, match="unveränderlich"), db.write() as session:
        session.execute(update(SituationReport).values(pdf=b"x"))
    with pytest.raises(Exception, match="unveränderlich"), db.write() as session:
        session.execute(text("DELETE FROM situation_report"))
    assert service.pdf(inc, 1) == stored
    # ... and someone who drops the triggers is caught by the stored hashes.
    with db.write() as session:
        session.execute(text("DROP TRIGGER situation_report_frozen_update"))
        session.execute(
            update(SituationReport).values(pdf=stored.replace(b"Lagebericht", b"Lagebrecht", 1))
        )
    check = service.verify(inc, 1)
    assert not check.ok and not check.pdf_ok
    assert "SHA-256" in check.problems[0]


def test_released_document_rebuilds_byte_identically_from_its_json(db, clock):
    inc = new_incident(db)
    service = ReportService(db, S2, clock=clock)
    draft = service.create_draft(inc)
    service.update_draft(inc, 1, content=full_content(draft.content))
    service.release(inc, 1, actor=LEAD, allow_empty=True)
    with db.session() as session:
        stored_json = session.execute(text("SELECT content FROM situation_report")).scalar_one()
    document = ReportDocument.from_json(stored_json)
    assert document.to_json() == stored_json
    assert build_situation_report(document) == service.pdf(inc, 1)


def test_only_leitung_releases_once_accounts_exist(tmp_path):
    from argon2 import PasswordHasher, profiles

    from krisenstab.services.accounts import AccountService
    from krisenstab.services.incidents import IncidentService

    db = new_db(tmp_path)
    pw = "Muster-Passwort-1"
    accounts = AccountService(db, hasher=PasswordHasher.from_parameters(profiles.CHEAPEST))
    accounts.create_first_admin("admin", "Erika Beispiel", pw, workstation_id="ws-1")
    admin = accounts.authenticate("admin", pw, workstation_id="ws-1", function="Administrator")
    accounts.add(admin, "leitung", "Erika Musterfrau", pw, ["Leitung"])
    accounts.add(admin, "s2", "Max Mustermann", pw, ["Stabsmitglied"], functions="S2")
    accounts.add(admin, "gast", "Gisela Gast", pw, ["Nur-Lesen"])
    lead = accounts.authenticate("leitung", pw, workstation_id="ws-2", function="Leiter des Stabes")
    s2 = accounts.authenticate("s2", pw, workstation_id="ws-3")
    guest = accounts.authenticate("gast", pw, workstation_id="ws-4", function="Gast")
    inc = IncidentService(db).create("Hochwasser (Muster)", lead).id
    service = ReportService(db)
    with pytest.raises(PermissionDenied, match="Lageberichte entwerfen"):
        service.create_draft(inc, guest)
    service.create_draft(inc, s2)
    with pytest.raises(PermissionDenied, match="Lageberichte freigeben"):
        service.release(inc, 1, actor=s2, allow_empty=True)
    with pytest.raises(PermissionDenied, match="Lageberichte freigeben"):
        service.release(inc, 1, actor=admin, allow_empty=True)
    with pytest.raises(PermissionDenied):
        service.release(inc, 1, actor=Actor("Erika Musterfrau", "Leiter des Stabes", "ws"))
    assert service.release(inc, 1, actor=lead, allow_empty=True).is_released


def test_predraft_fills_data_sections_from_the_other_capabilities(request, tmp_path):
    db, inc = demo_db(request, tmp_path)
    service = ReportService(db, S2)
    draft = service.create_draft(inc)
    content = draft.content
    kritis = content.kritis
    assert kritis.available and kritis.facility_count > 50
    statuses = {f.status for f in kritis.affected}
    assert {"ausgefallen", "Notstrombetrieb"} <= statuses
    assert all(f.since is not None for f in kritis.affected)
    assert kritis.emergency_power and all(
        f.status == "Notstrombetrieb" for f in kritis.emergency_power
    )
    remaining = [f.remaining_h for f in kritis.emergency_power if f.remaining_h is not None]
    assert remaining == sorted(remaining)  # who runs dry first is on top
    assert [p.hours for p in kritis.forecast] == list(HORIZONS)
    totals = [p.failed_total for p in kritis.forecast]
    assert totals == sorted(totals) and totals[-1] >= 1
    failed_now = {f.name for f in kritis.affected if f.status == "ausgefallen"}
    assert not failed_now & set(kritis.forecast[0].newly_failed)
    tasks = content.tasks
    assert tasks.available and tasks.tasks
    flags = [t.overdue for t in tasks.tasks]
    assert flags == sorted(flags, reverse=True)  # overdue first
    assert any(t.overdue for t in tasks.tasks)
    assert content.roster and any(r.function.startswith("S2") for r in content.roster)
    assert content.data_as_of is not None
    # Data sections are not empty any more; free text still is.
    empty = service.empty_sections(inc)
    assert Section.KRITIS.value not in empty and Section.OWN.value not in empty
    assert Section.OVERVIEW.value in empty
    # S2's choice of entries survives a refresh of the data.
    chosen = service.update_draft(
        inc, 1, content=content.with_free_text(significant_entries=(3, 5))
    )
    refreshed = service.predraft(inc, chosen.number)
    assert refreshed.content.significant_entries == (3, 5)


@pytest.mark.parametrize("kind", ["real", "exercise"])
def test_report_pdf_of_the_demo_with_the_network_cut(request, tmp_path, kind):
    db, inc = demo_db(request, tmp_path, kind)
    service = ReportService(db, S2)
    draft = service.create_draft(inc, classification="VS – NUR FÜR DEN DIENSTGEBRAUCH")
    service.update_draft(inc, 1, content=full_content(draft.content))
    draft_pages = pdf_text(service.pdf(inc), tmp_path)
    assert "ENTWURF" in draft_pages[0]
    released = service.release(inc, 1, actor=LEAD)
    pdf = service.pdf(inc, 1)
    assert_all_fonts_embedded(pdf, tmp_path)
    pages = pdf_text(pdf, tmp_path)
    whole = "\n".join(pages)
    for page_number, page in enumerate(pages, start=1):
        assert f"Seite {page_number} von {len(pages)}" in page
        assert f"Kette: {released.chain_head[:12]}" in page
        assert "VS – NUR FÜR DEN DIENSTGEBRAUCH" in page
        assert ("ÜBUNG" in page) == (kind == "exercise")
    assert "ENTWURF" not in whole
    for heading in (
        "1. Übersicht / allgemeine Lage",
        "Wetter",
        "2. Schadenlage",
        "3. Lage KRITIS",
        "Notstromversorgung: verbleibende Laufzeit",
        "Prognose der Ausfallkaskade",
        "+72 h",
        "4. Eigene Lage",
        "überfällig",
        "5. Bedeutsame Einträge im Einsatztagebuch",
        "6. Prognose",
        "7. Entscheidungsbedarf / Anregungen",
        "8. Ressourcenbedarf",
        "in 48 h",
        "9. Nächste Lagebesprechung",
        "10. Verteiler",
        "Bezirksregierung Köln (Muster)",
        "Erika Musterfrau (Leiter des Stabes)",
    ):
        assert heading in whole, heading


def test_hostile_text_everywhere_builds_safely(db, tmp_path, clock):
    from krisenstab.services.incidents import IncidentService

    inc = IncidentService(db).create(HOSTILE_LINE, S2).id
    journal = JournalService(db, S2)
    journal.add(inc, HOSTILE + " " + LONG_WORD, kind="Entscheidung")
    journal.add(inc, "<b>" * 500 + "&" * 500)
    journal.correct(inc, 2, HOSTILE)
    service = ReportService(db, S2, clock=clock)
    draft = service.create_draft(inc, classification=HOSTILE_LINE[:80], staff_name=HOSTILE_LINE)
    hostile = full_content(draft.content, HOSTILE + LONG_WORD).with_free_text(
        **{
            name: HOSTILE + " " + LONG_WORD
            for name in (
                "weather",
                "kritis_remarks",
                "forces",
                "measures",
                "prognosis",
                "decisions",
                "next_meeting_place",
                "location",
            )
        },
        resources={h: HOSTILE for h in HORIZONS},
        distribution=(HOSTILE, LONG_WORD),
        significant_entries=(2, 3, 4),
    )
    service.update_draft(inc, 1, content=hostile)
    service.release(inc, 1, actor=LEAD, allow_empty=True)
    pdf = service.pdf(inc, 1)
    assert pdf.startswith(b"%PDF-") and b"/URI" not in pdf and b"passwd" not in pdf
    assert_all_fonts_embedded(pdf, tmp_path)
    whole = "".join(pdf_text(pdf, tmp_path))
    assert '<img src="http://127.0.0.1:9/bild.png">' in whole  # printed, not interpreted
    assert "[U+1F9EF]" in whole  # the emoji stays visible as its code point
    assert service.verify(inc, 1).rebuild_identical


def test_released_report_in_exercise_file_is_marked(tmp_path, clock):
    db = new_db(tmp_path, "uebung.db", kind="exercise")
    inc = new_incident(db)
    service = ReportService(db, S2, clock=clock)
    service.create_draft(inc)
    service.release(inc, 1, actor=LEAD, allow_empty=True)
    document = service.document(inc, 1)
    assert document.exercise
    pages = pdf_text(service.pdf(inc, 1), tmp_path)
    assert all("ÜBUNG" in page for page in pages)


def test_reports_of_a_closed_incident_cannot_be_released(db, clock):
    from krisenstab.services.incidents import IncidentService

    inc = new_incident(db)
    service = ReportService(db, S2, clock=clock)
    service.create_draft(inc)
    IncidentService(db).close(inc, LEAD)
    with pytest.raises(ServiceError, match="abgeschlossen"):
        service.release(inc, 1, actor=LEAD, allow_empty=True)
    with pytest.raises(ServiceError, match="abgeschlossen"):
        service.create_draft(inc)


def test_report_document_times_stay_utc_and_aware(db, clock):
    inc = new_incident(db)
    service = ReportService(db, S2, clock=clock)
    service.create_draft(inc)
    document = service.document(inc)
    assert document.is_draft and document.period_to == FIXED
    for value in (document.period_from, document.period_to, document.prepared_at):
        assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
    again = ReportDocument.from_json(document.to_json())
    assert again == document
    assert again.stamp == datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
