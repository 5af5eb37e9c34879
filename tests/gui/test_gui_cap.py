"""CAP in the GUI: import a file (new message shown, refusal in German, duplicates),
the watched folder, and the SitRep/CAP exports of the Lage tab."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from krisenstab.domain.journal import JournalFilter
from krisenstab.gui import cap_import, print_files
from krisenstab.gui.cap_import import CapFolderWatcher, CapWatchSettings
from krisenstab.services.exchange import ExchangeService
from krisenstab.services.journal import JournalService
from krisenstab.services.reports import ReportService

CAP_DIR = Path(__file__).resolve().parents[3] / "shared" / "oracles" / "cap"
WAIT_MS = 20_000


def cap_file(name: str) -> Path:
    path = CAP_DIR / name
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"CAP oracle {path} is missing")
        pytest.skip(f"CAP oracle {path} not present")
    return path


def aged_copy(source: Path, folder: Path, name: str | None = None) -> Path:
    """A copy that looks finished (older than the scanner's minimum age)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (name or source.name)
    shutil.copyfile(source, target)
    past = time.time() - 60
    os.utime(target, (past, past))
    return target


def import_via_menu(window: Any, qtbot: Any, path: Path, monkeypatch: Any) -> Any:
    monkeypatch.setattr(cap_import, "choose_cap_file", lambda parent: str(path))
    importer = window.print_menu.cap_importer
    window.print_menu.cap_import_action.trigger()
    qtbot.waitUntil(lambda: importer.worker is None, timeout=WAIT_MS)
    return importer


def test_imported_alert_is_shown_as_new_message(
    window, qtbot, db, incident_id, monkeypatch, fake_dialogs
) -> None:
    path = cap_file("weather.cap")
    results: list[Any] = []
    window.print_menu.cap_importer.imported.connect(results.append)
    import_via_menu(window, qtbot, path, monkeypatch)
    assert fake_dialogs.errors == []
    assert len(results) == 1 and not results[0].duplicate
    result = results[0]
    assert result.message_number and result.message_number.startswith("E-")
    messages = window.show_tab("messages")
    shown = messages.shown_message()
    assert shown is not None and shown.id == result.message_id
    assert "Flash Flood Watch" in window.statusBar().currentMessage()
    assert len(ExchangeService(db).imports(incident_id)) == 1


def test_same_alert_twice_says_so(
    window, qtbot, db, incident_id, monkeypatch, fake_dialogs
) -> None:
    path = cap_file("weather.cap")
    import_via_menu(window, qtbot, path, monkeypatch)
    import_via_menu(window, qtbot, path, monkeypatch)
    assert fake_dialogs.infos and "bereits übernommen" in fake_dialogs.infos[-1][1]
    assert len(ExchangeService(db).imports(incident_id)) == 1


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("invalid.cap", "scope"),
        ("noaa_errors.cap", "urgency"),
        ("canada_errors.cap", "references"),
        ("xee.cap", "DOCTYPE"),
    ],
)
def test_refused_file_shows_the_german_reason_and_stores_nothing(
    window, qtbot, db, incident_id, monkeypatch, fake_dialogs, name, reason
) -> None:
    path = cap_file(name)
    before = JournalService(db).count(incident_id)
    refused: list[str] = []
    window.print_menu.cap_importer.refused.connect(refused.append)
    import_via_menu(window, qtbot, path, monkeypatch)
    assert len(fake_dialogs.errors) == 1
    title, text = fake_dialogs.errors[0]
    assert title == "CAP-Warnung abgelehnt"
    assert "kann nicht übernommen werden" in text and reason in text
    assert "nichts gespeichert" in text
    assert refused
    assert ExchangeService(db).imports(incident_id) == []
    assert JournalService(db).count(incident_id) == before


def test_import_without_incident_is_refused(window_factory, qtbot, tmp_path, fake_dialogs) -> None:
    from krisenstab.store.database import Database

    empty = Database.open(tmp_path / "leer.db", kind="real")
    try:
        window = window_factory(empty)
        assert window.print_menu.cap_importer.import_file(tmp_path / "egal.cap") is None
        assert "Ereignis" in fake_dialogs.errors[0][1]
    finally:
        window.shared.stop_polling()
        empty.close()


def test_watched_folder_imports_new_alerts_into_messages(
    window, qtbot, db, incident_id, tmp_path
) -> None:
    folder = tmp_path / "cap-eingang"
    aged_copy(cap_file("weather.cap"), folder)
    aged_copy(cap_file("invalid.cap"), folder)
    shared = window.shared
    problems: list[str] = []
    shared.signals.problem.connect(problems.append)
    watcher = CapFolderWatcher(shared, CapWatchSettings(str(folder), True), interval_ms=50)
    results: list[Any] = []
    watcher.scanned.connect(results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=WAIT_MS)
    watcher.stop()
    qtbot.waitUntil(lambda: watcher.worker is None, timeout=WAIT_MS)
    assert len(results[0].imported) == 1
    assert results[0].refused and results[0].refused[0][0] == "invalid.cap"
    assert any("invalid.cap" in p and "abgelehnt" in p for p in problems)
    imports = ExchangeService(db).imports(incident_id)
    assert len(imports) == 1 and imports[0].source_name == "weather.cap"
    assert "Neue CAP-Warnung" in window.statusBar().currentMessage()
    # Further scans find nothing new and repeat no complaint.
    results.clear()
    problems.clear()
    watcher.scan_now()
    qtbot.waitUntil(lambda: bool(results), timeout=WAIT_MS)
    assert not results[0].imported and not results[0].refused
    assert problems == []


def test_watched_folder_is_remembered_and_shown(window, qtbot, tmp_path, monkeypatch) -> None:
    folder = tmp_path / "cap"
    folder.mkdir()
    monkeypatch.setattr(cap_import, "choose_cap_folder", lambda parent, start="": str(folder))
    menu = window.print_menu
    menu.cap_watch_action.trigger()
    qtbot.waitUntil(lambda: menu.cap_watcher.worker is None, timeout=WAIT_MS)
    assert menu.cap_watcher.active
    assert menu.cap_status.isVisibleTo(window)
    assert menu.cap_status.toolTip() == str(folder)
    again = CapWatchSettings.load()
    assert again.folder == str(folder) and again.active
    menu.cap_watch_stop_action.trigger()
    assert not menu.cap_watcher.active
    assert not CapWatchSettings.load().active
    assert not menu.cap_status.isVisibleTo(window)


def test_missing_folder_complains_once(window, qtbot, tmp_path) -> None:
    shared = window.shared
    problems: list[str] = []
    shared.signals.problem.connect(problems.append)
    watcher = CapFolderWatcher(
        shared, CapWatchSettings(str(tmp_path / "fehlt"), True), interval_ms=60_000
    )
    for _ in range(2):
        watcher.scan_now()
        qtbot.waitUntil(lambda: watcher.worker is None, timeout=WAIT_MS)
    watcher.stop()
    assert len(problems) == 1 and "gibt es nicht" in problems[0]


def test_settings_file_is_robust(krisenstab_home) -> None:
    path = CapWatchSettings.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("kein json", encoding="utf-8")
    assert CapWatchSettings.load() == CapWatchSettings()
    path.write_text("[1, 2]", encoding="utf-8")
    assert not CapWatchSettings.load().active


# -- exports of the Lage tab ------------------------------------------------------------
def test_released_report_exports_sitrep_and_cap(
    window, qtbot, db, actor, incident_id, tmp_path, monkeypatch
) -> None:
    service = ReportService(db, actor)
    service.create_draft(incident_id)
    service.release(incident_id, 1, allow_empty=True)
    suggested: list[str] = []

    def choose(parent: Any, title: str, name: str) -> str:
        suggested.append(name)
        return str(tmp_path / name)

    monkeypatch.setattr(print_files, "choose_export_target", choose)
    tab = window.show_tab("report")
    tab.export_sitrep_action.trigger()
    qtbot.waitUntil(lambda: not tab.jobs.busy, timeout=WAIT_MS)
    sitrep = (tmp_path / suggested[0]).read_bytes()
    assert b"SitRep" in sitrep or b"sitrep" in sitrep.lower()
    assert suggested[0].endswith(".xml") and "Lagebericht_Nr_1" in suggested[0]
    assert "gespeichert" in tab.message_bar.text
    tab.export_cap_action.trigger()
    qtbot.waitUntil(lambda: not tab.jobs.busy, timeout=WAIT_MS)
    cap = (tmp_path / suggested[1]).read_bytes()
    assert b"urn:oasis:names:tc:emergency:cap:1.2" in cap


def test_sitrep_of_a_draft_is_not_offered(window, qtbot, db, actor, incident_id) -> None:
    ReportService(db, actor).create_draft(incident_id)
    tab = window.show_tab("report")
    assert not tab.export_sitrep_action.isEnabled()
    tab.export_sitrep()
    assert "freigegeben" in tab.message_bar.text


def test_exercise_exports_are_named_uebung(
    window_factory, qtbot, exercise_db, actor, tmp_path, monkeypatch
) -> None:
    from krisenstab.services.incidents import IncidentService

    incident = IncidentService(exercise_db).create("Muster-Übung", actor)
    service = ReportService(exercise_db, actor)
    service.create_draft(incident.id)
    service.release(incident.id, 1, allow_empty=True)
    names: list[str] = []
    monkeypatch.setattr(
        print_files, "choose_export_target", lambda parent, title, name: names.append(name)
    )
    window = window_factory(exercise_db)
    tab = window.show_tab("report")
    tab.export_sitrep()
    assert names and names[0].startswith("UEBUNG_")
    entries = JournalService(exercise_db).list(incident.id, JournalFilter())
    assert entries
