"""CAP import into the message flow, the watched folder, CAP and EDXL-SitRep export."""

from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager

import pytest
from helpers import new_db, new_incident
from lxml import etree
from sqlalchemy import func, select
from unit.netguard import no_network  # noqa: F401
from unit.test_reports_fixtures import (
    DESK,
    LEAD,
    ORACLES,
    S2,
    demo_db,
    demo_templates,  # noqa: F401
    oracle,
)

from krisenstab.domain.journal import JournalEntry
from krisenstab.domain.message import Message
from krisenstab.domain.report import CapImport
from krisenstab.exchange.sitrep import SITREP_NAMESPACE
from krisenstab.services.context import ServiceError
from krisenstab.services.exchange import (
    CAP_CHANNEL,
    CapImportRefused,
    ExchangeService,
    FolderScanState,
)
from krisenstab.services.messages import MessageService
from krisenstab.services.reports import ReportService

pytestmark = pytest.mark.usefixtures("no_network")

REAL_ALERTS = [
    "earthquake.cap",
    "weather.cap",
    "australia.cap",
    "canada.cap",
    "no_optional_fields.cap",
    "earthquake-iso8859-1.cap",
    "wcatwc-warning.cap",
    "43b080713727.cap",
    "thunderstorm.cap",
]
BROKEN = {
    "invalid.cap": "Pflichtfeld ‚scope‘ fehlt",
    "canada_errors.cap": "‚references‘",
    "noaa_errors.cap": "‚urgency‘ ist leer",
}
CAP_NS = "{urn:oasis:names:tc:emergency:cap:1.2}"


@pytest.fixture(scope="module")
def cap_schema() -> etree.XMLSchema:
    path = ORACLES / "cap12.xsd"
    if not path.exists():
        pytest.skip("oracle cap12.xsd not available")
    return etree.XMLSchema(etree.parse(str(path)))


def stored_counts(db) -> tuple[int, int, int]:
    with db.session() as session:
        return (
            session.execute(select(func.count()).select_from(JournalEntry)).scalar_one(),
            session.execute(select(func.count()).select_from(Message)).scalar_one(),
            session.execute(select(func.count()).select_from(CapImport)).scalar_one(),
        )


# --------------------------------------------------------------------------- outside access

_guard: dict = {"thread": None, "events": []}
_WATCHED = {"open", "os.open", "socket.connect", "socket.getaddrinfo", "urllib.Request"}


def _audit(event: str, args: tuple) -> None:
    if _guard["thread"] == threading.get_ident() and event in _WATCHED:
        _guard["events"].append((event, str(args[0]) if args else ""))


sys.addaudithook(_audit)


@contextmanager
def outside_access():
    events: list = []
    _guard["events"] = events
    _guard["thread"] = threading.get_ident()
    try:
        yield events
    finally:
        _guard["thread"] = None


# --------------------------------------------------------------------------- import


@pytest.mark.parametrize("name", REAL_ALERTS)
def test_every_real_alert_becomes_an_incoming_message(tmp_path, name):
    db = new_db(tmp_path)
    inc = new_incident(db)
    result = ExchangeService(db, DESK).import_cap_file(inc, oracle(name))
    assert not result.duplicate
    message = MessageService(db).by_number(inc, result.message_number)
    assert message.direction == "E" and message.number == "E-1"
    assert message.intake_channel == CAP_CHANNEL
    assert message.priority == result.priority in ("einfach", "sofort", "blitz")
    assert message.content.startswith("CAP-")
    assert result.identifier in message.content
    assert message.external_ref and result.identifier[:50] in message.external_ref
    assert message.composed_at is not None
    entry = next(e for e in ExchangeService(db).imports(inc) if e.message_id == message.id)
    assert entry.source_name == name and entry.journal_number == result.journal_number
    journal_entry = next(e for e in _entries(db, inc) if e.number == result.journal_number)
    assert journal_entry.kind == "Eingang" and journal_entry.message_id == message.id


def _entries(db, inc):
    from krisenstab.services.journal import JournalService

    return JournalService(db).list(inc)


def test_the_tsunami_warning_is_blitz_and_waits_for_triage(tmp_path):
    db = new_db(tmp_path)
    inc = new_incident(db)
    result = ExchangeService(db, DESK).import_cap_file(inc, oracle("wcatwc-warning.cap"))
    assert result.priority == "blitz"
    message = MessageService(db).by_number(inc, result.message_number)
    assert message.recipients == () and message.triaged_at is None  # Sichtung decides
    routed = ExchangeService(db, DESK).import_cap_file(
        inc, oracle("thunderstorm.cap"), to_functions=("S2", "S3")
    )
    assert set(MessageService(db).by_number(inc, routed.message_number).to) == {"S2", "S3"}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_alerts_are_refused_and_nothing_is_stored(tmp_path, name):
    db = new_db(tmp_path)
    inc = new_incident(db)
    before = stored_counts(db)
    with pytest.raises(CapImportRefused) as refused:
        ExchangeService(db, DESK).import_cap_file(inc, oracle(name))
    message = str(refused.value)
    assert f"Die CAP-Datei ‚{name}‘ kann nicht übernommen werden" in message
    assert BROKEN[name] in message
    assert stored_counts(db) == before


def test_xee_opens_no_file_and_no_address(tmp_path):
    db = new_db(tmp_path)
    inc = new_incident(db)
    path = oracle("xee.cap")
    service = ExchangeService(db, DESK)
    service.import_cap_file(new_incident(db, "Aufwärmen"), oracle("thunderstorm.cap"))
    before = stored_counts(db)
    with outside_access() as events, pytest.raises(CapImportRefused) as refused:
        service.import_cap_file(inc, path)
    assert "DOCTYPE" in str(refused.value)
    assert [e for e in events if e[1] != str(path)] == []  # only the file itself was read
    assert stored_counts(db) == before


def test_the_same_alert_is_imported_once(tmp_path):
    db = new_db(tmp_path)
    inc = new_incident(db)
    service = ExchangeService(db, DESK)
    first = service.import_cap_file(inc, oracle("earthquake.cap"))
    before = stored_counts(db)
    again = service.import_cap_file(inc, oracle("earthquake.cap"))
    # same sender, identifier and sent time: the same alert in a shorter file
    minimal = service.import_cap_file(inc, oracle("no_optional_fields.cap"))
    assert again.duplicate and minimal.duplicate
    assert again.message_number == first.message_number == "E-1"
    assert "Bereits übernommen als E-1" in again.describe()
    assert stored_counts(db) == before
    other = new_incident(db, "Zweite Lage (Muster)")
    assert not service.import_cap_file(other, oracle("earthquake.cap")).duplicate


def test_real_alert_in_exercise_file_is_flagged(tmp_path):
    db = new_db(tmp_path, "uebung.db", kind="exercise")
    inc = new_incident(db)
    result = ExchangeService(db, DESK).import_cap_file(inc, oracle("thunderstorm.cap"))
    content = MessageService(db).by_number(inc, result.message_number).content
    assert content.startswith("ECHTMELDUNG – keine Übungseinlage!")


def test_file_problems_are_refused_in_german(tmp_path):
    db = new_db(tmp_path)
    inc = new_incident(db)
    service = ExchangeService(db, DESK)
    with pytest.raises(CapImportRefused, match="gibt es nicht"):
        service.import_cap_file(inc, tmp_path / "fehlt.cap")
    with pytest.raises(CapImportRefused, match="Ordner"):
        service.import_cap_file(inc, tmp_path)
    big = tmp_path / "gross.cap"
    big.write_bytes(b"<a>" + b" " * (11 * 1024 * 1024) + b"</a>")
    with pytest.raises(CapImportRefused, match="größer als 10 MB"):
        service.import_cap_file(inc, big)
    text = tmp_path / "text.cap"
    text.write_bytes("Kein XML, nur Text äöü".encode())
    with pytest.raises(CapImportRefused, match=r"text\.cap"):
        service.import_cap_file(inc, text)


# --------------------------------------------------------------------------- watched folder


def test_watched_folder_imports_new_complete_files_once(tmp_path):
    db = new_db(tmp_path)
    inc = new_incident(db)
    folder = tmp_path / "eingang"
    folder.mkdir()
    old = time.time() - 60
    for name in ("thunderstorm.cap", "weather.cap", "invalid.cap"):
        target = folder / name
        target.write_bytes(oracle(name).read_bytes())
        os.utime(target, (old, old))
    (folder / "notiz.txt").write_text("kein CAP")
    (folder / ".versteckt.cap").write_bytes(oracle("canada.cap").read_bytes())
    os.symlink(oracle("australia.cap"), folder / "verweis.cap")
    fresh = folder / "earthquake.xml"
    fresh.write_bytes(oracle("earthquake.cap").read_bytes())  # still being written
    service = ExchangeService(db, DESK)
    state = FolderScanState()
    first = service.scan_cap_folder(inc, folder, state, now=time.time())
    assert sorted(r.source_name for r in first.imported) == ["thunderstorm.cap", "weather.cap"]
    assert [name for name, _reason in first.refused] == ["invalid.cap"]
    assert "scope" in first.refused[0][1]
    assert first.waiting == ("earthquake.xml",)
    counts = stored_counts(db)
    second = service.scan_cap_folder(inc, folder, state, now=time.time() + 10)
    assert [r.source_name for r in second.imported] == ["earthquake.xml"]
    assert second.refused == ()  # reported once
    third = service.scan_cap_folder(inc, folder, state, now=time.time() + 20)
    assert not third.changed and third.imported == ()
    assert stored_counts(db)[1] == counts[1] + 1
    # A new scanner (restart) does not import the same bytes again.
    restart = service.scan_cap_folder(inc, folder, FolderScanState(), now=time.time() + 30)
    assert restart.imported == () and [n for n, _ in restart.refused] == ["invalid.cap"]
    with pytest.raises(ServiceError, match="gibt es nicht"):
        service.scan_cap_folder(inc, tmp_path / "nirgends")


# --------------------------------------------------------------------------- export


@pytest.mark.parametrize("kind", ["real", "exercise"])
def test_cap_export_validates_and_marks_exercises(request, tmp_path, cap_schema, kind):
    db, inc = demo_db(request, tmp_path, kind)
    reports = ReportService(db, S2)
    draft = reports.create_draft(inc, classification="VS – NUR FÜR DEN DIENSTGEBRAUCH")
    reports.update_draft(
        inc,
        1,
        content=draft.content.with_free_text(
            overview="Hochwasser an der Rur (Muster) <b>&</b>", severity="Severe"
        ),
    )
    reports.release(inc, 1, actor=LEAD, allow_empty=True)
    data = ExchangeService(db).export_cap(inc)
    root = etree.fromstring(data)
    assert cap_schema.validate(root), [str(e) for e in cap_schema.error_log]
    status = root.findtext(f"{CAP_NS}status")
    assert status == ("Exercise" if kind == "exercise" else "Actual")
    assert root.findtext(f"{CAP_NS}scope") == "Restricted"
    assert "VS – NUR FÜR DEN DIENSTGEBRAUCH" in root.findtext(f"{CAP_NS}restriction")
    events = [i.findtext(f"{CAP_NS}event") for i in root.iter(f"{CAP_NS}info")]
    assert events[0].startswith("Lagebericht")
    assert "Ausfall kritischer Infrastruktur" in events
    assert "Notstromversorgung gefährdet" in events
    headlines = [i.findtext(f"{CAP_NS}headline") for i in root.iter(f"{CAP_NS}info")]
    assert all(h.startswith("ÜBUNG") == (kind == "exercise") for h in headlines)
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in data.decode()  # user text escaped by the XML writer
    # The exported alert reads back as CAP (our own import accepts it).
    assert ExchangeService(db).parse(data).status == status


def test_cap_export_needs_something_to_say(tmp_path):
    db = new_db(tmp_path)
    inc = new_incident(db)
    with pytest.raises(ServiceError, match="Nichts zu exportieren"):
        ExchangeService(db).export_cap(inc)


def test_sitrep_export_of_released_reports(request, tmp_path):
    db, inc = demo_db(request, tmp_path, "exercise")
    reports = ReportService(db, S2)
    first = reports.create_draft(inc)
    reports.update_draft(
        inc,
        1,
        content=first.content.with_free_text(
            overview="Lage (Muster)", prognosis="fallend", resources={12: "Pumpen"}
        ),
    )
    with pytest.raises(ServiceError, match="noch nicht freigegeben"):
        ExchangeService(db).export_sitrep(inc, 1)
    released = reports.release(inc, 1, actor=LEAD, allow_empty=True)
    follow = reports.create_draft(inc)
    reports.update_draft(
        inc, 2, content=follow.content.with_free_text(overview="Folgelage (Muster)")
    )
    second = reports.release(inc, 2, actor=LEAD, allow_empty=True)
    ns = f"{{{SITREP_NAMESPACE}}}"
    root = etree.fromstring(ExchangeService(db).export_sitrep(inc, 2))
    assert root.tag == f"{ns}sitRep"
    assert root.findtext(f"{ns}messageID") == second.id
    assert root.findtext(f"{ns}reportNumber") == "2"
    assert root.findtext(f"{ns}reportVersion") == "Update"
    assert root.findtext(f"{ns}precedingMessageID") == released.id
    assert root.findtext(f"{ns}incidentID") == inc
    assert root.findtext(f"{ns}reportTitle").startswith("ÜBUNG")
    report = root.find(f"{ns}report")
    assert report.findtext(f"{ns}situationSummary") == "Folgelage (Muster)"
    assert "Prognose +72 h" in report.findtext(f"{ns}criticalInfrastructure")
    first_root = etree.fromstring(ExchangeService(db).export_sitrep(inc, 1))
    assert first_root.findtext(f"{ns}reportVersion") == "Initial"
    assert first_root.find(f"{ns}precedingMessageID") is None
    remarks = [e.text for e in first_root.iter(f"{ns}remarks")]
    assert any(r.startswith("Ressourcenbedarf:\n12 h: Pumpen") for r in remarks)


def test_cap_oracle_folder_is_complete():
    # Guard against a silently shrunken oracle set.
    if not ORACLES.exists():
        pytest.skip("oracles not available")
    names = {p.name for p in ORACLES.glob("*.cap")}
    assert set(REAL_ALERTS) | set(BROKEN) | {"xee.cap"} == names
