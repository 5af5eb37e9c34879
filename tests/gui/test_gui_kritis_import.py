"""KRITIS import dialog (worker thread, dry run, German error list), export, and the worker."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from test_gui_kritis_support import by_name, facility_service

from krisenstab.gui import kritis_import
from krisenstab.gui.kritis_import import DONE, ERRORS, FAILED, NOTHING, READY
from krisenstab.gui.workers import Worker, start
from krisenstab.services.context import ServiceError

# The demo register fixtures (kritis_db, kritis_shared, kritis).
pytest_plugins = ["test_gui_kritis_support"]

HEADER = (
    "Name;Sektor;Branche;Gemeinde;Straße;PLZ;Ort;Breite;Länge;UTMREF;Betreiber;Telefon 24/7;"
    "Notstrom;Autarkie (h);Kraftstoff (l);Verbrauch (l/h);Versorgte Personen;Abhängig von"
)
GOOD_ROWS = [
    "Pumpwerk Kreuzau-Nord (Muster);Wasser;Abwasser;Kreuzau;Am Bach 2;52372;Kreuzau;"
    "50,7512;6,4877;;Wasserverband (Muster);02421 000-901;ja;12;;;4.500;"
    "Umspannwerk Kreuzau (Muster) (Strom) | Funkmast Kreuzau-Nord (Muster) (TK, 2 h)",
    # A supplier named before it appears in the file.
    "Funkmast Kreuzau-Nord (Muster);Informationstechnik und Telekommunikation;"
    "Telekommunikation;Kreuzau;;;;;;32U LB 22 21;Netz (Muster);;nein;;;;3.000;",
]
BAD_ROWS = [
    "Gutes Objekt (Muster);Energie;Strom;Düren;;;;;;;;;nein;;;;100;",
    "Schlechtes Objekt (Muster);Energie;Strom;Düren;;;;;;;;;nein;;;;viele;",
    ";Wasser;Trinkwasser;Kreuzau;;;;;;;;;nein;;;;;",
    "Irgendwo (Muster);Energie;Strom;Gibtsnicht;;;;;;;;;nein;;;;;",
]


def write_csv(path: Path, rows: list[str], header: str = HEADER, encoding: str = "cp1252") -> str:
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return str(path)


@pytest.fixture
def chooser(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The file chooser seam: `chooser.path = …` is what the user picks."""

    class Chooser:
        path: str | None = None
        calls = 0

        def __call__(self, parent: object) -> str | None:
            self.calls += 1
            return self.path

    fake = Chooser()
    monkeypatch.setattr(kritis_import, "choose_import_file", fake)
    return fake


def wait_idle(qtbot, dialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not dialog.busy, timeout=15_000)


def test_broken_csv_lists_every_bad_row_and_stores_nothing(
    qtbot, kritis, chooser, tmp_path
) -> None:
    service = facility_service(kritis.shared.db)
    before = service.count()
    revision = service.revision()
    chooser.path = write_csv(tmp_path / "kaputt.csv", GOOD_ROWS + BAD_ROWS)
    qtbot.keyClick(kritis.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialog = kritis.import_dialog
    assert dialog is not None and dialog.isVisible() and chooser.calls == 1
    wait_idle(qtbot, dialog)
    assert dialog.state == ERRORS
    errors = dialog.errors
    lines = {e.line for e in errors}
    # Header = line 1; the bad rows are lines 5, 6 and 7 (the first bad row is fine).
    assert lines == {5, 6, 7}
    by_line = {e.line: e for e in errors}
    assert by_line[5].column == "Versorgte Personen" and "viele" in by_line[5].reason
    assert by_line[6].column == "Name"
    assert by_line[7].column == "Gemeinde" and "Gibtsnicht" in by_line[7].reason
    assert dialog.error_table.isVisible()
    assert dialog.error_model.index(0, 0).data() == "5"
    assert "es wird nichts übernommen" in dialog.message_bar.text
    assert not dialog.import_button.isEnabled()
    dialog.start_import()  # refused: nothing to do in this state
    assert service.count() == before and service.revision() == revision


def test_good_csv_dry_run_then_import_in_a_worker_thread(qtbot, kritis, chooser, tmp_path) -> None:
    threads: list[int] = []
    original = kritis._run_import

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.get_ident())
        return original(*args, **kwargs)

    kritis._run_import = spy
    service = facility_service(kritis.shared.db)
    before = service.count()
    chooser.path = write_csv(tmp_path / "gut.csv", GOOD_ROWS, encoding="utf-8-sig")
    dialog = kritis.open_import()
    wait_idle(qtbot, dialog)
    assert dialog.state == READY, dialog.message_bar.text
    assert service.count() == before  # the dry run stores nothing
    assert [f.name for f in dialog.preview_model.rows] == [
        "Pumpwerk Kreuzau-Nord (Muster)",
        "Funkmast Kreuzau-Nord (Muster)",
    ]
    assert "2 neu" in dialog.summary.text() and "würden übernommen" in dialog.summary.text()
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=15_000) as imported:
        qtbot.keyClick(dialog.import_button, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert imported.args[0].applied
    assert dialog.state == DONE
    assert dialog.progress.value() == dialog.progress.maximum()
    assert service.count() == before + 2
    # Both steps ran off the GUI thread.
    assert len(threads) == 2 and threading.get_ident() not in threads
    # The tab shows the new objects with their dependencies.
    pump = by_name(kritis, "Pumpwerk Kreuzau-Nord")
    assert kritis.show_facility(pump.id)
    suppliers = {r.name: r.kind for r in kritis.detail.suppliers_model.rows}
    assert suppliers == {
        "Umspannwerk Kreuzau (Muster)": "Strom",
        "Funkmast Kreuzau-Nord (Muster)": "Telekommunikation/IT",
    }
    # The same file again changes nothing.
    dialog.check()
    wait_idle(qtbot, dialog)
    assert dialog.state == NOTHING and not dialog.import_button.isEnabled()


def test_changed_rows_show_old_and_new_values(qtbot, kritis, chooser, tmp_path) -> None:
    chooser.path = write_csv(
        tmp_path / "aenderung.csv",
        ["Wasserwerk Kreuzau (Muster);Wasser;Trinkwasser;Kreuzau;;;;;;;;;ja;24;;;26.000;"],
    )
    dialog = kritis.open_import()
    wait_idle(qtbot, dialog)
    assert dialog.state == READY
    changed = dialog.preview_model.rows
    assert len(changed) == 1 and not changed[0].is_new
    text = dialog.preview_model.index(0, 4).data()
    assert "Versorgte Personen: 25000 → 26000" in text
    assert dialog.preview_model.index(0, 1).data() == "geändert"


def test_unreadable_file_is_refused_in_german(qtbot, kritis, chooser, tmp_path) -> None:
    path = tmp_path / "bericht.csv"
    path.write_bytes(b"%PDF-1.4 binary \x00\x01")
    chooser.path = str(path)
    dialog = kritis.open_import()
    wait_idle(qtbot, dialog)
    assert dialog.state in (FAILED, ERRORS)
    shown = dialog.message_bar.text + " ".join(str(e) for e in dialog.errors)
    assert "PDF" in shown


def test_cancelled_chooser_leaves_the_dialog_idle(qtbot, kritis, chooser) -> None:
    chooser.path = None
    dialog = kritis.open_import()
    assert dialog.state == "idle" and dialog.path is None
    assert not dialog.recheck_button.isEnabled() and not dialog.import_button.isEnabled()
    dialog.close()


def test_read_only_database_offers_no_import(qtbot, kritis, chooser, monkeypatch) -> None:
    monkeypatch.setattr(kritis.shared.db, "read_only", True)
    kritis._update_write_state()
    assert not kritis.import_action.isEnabled()
    assert kritis.open_import() is None and chooser.calls == 0


def test_export_csv_in_the_background(qtbot, kritis, monkeypatch, tmp_path) -> None:
    target = tmp_path / "export.csv"
    monkeypatch.setattr(kritis_import, "choose_export_file", lambda parent: str(target))
    with qtbot.waitSignal(kritis.shared.signals.status_message) as started:
        worker = kritis.export()
    assert "Export läuft" in started.args[0]
    with qtbot.waitSignal(worker.signals.done, timeout=15_000):
        pass
    assert worker.finished_ok
    text = target.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("ID;Name;Sektor") or "Name" in text.splitlines()[0]
    assert "Wasserwerk Kreuzau (Muster)" in text
    assert kritis_import.export_format("a.geojson") == "geojson"
    assert kritis_import.export_format("a.XLSX") == "xlsx"
    assert kritis_import.export_format("a.txt") == "csv"


# -- the worker ---------------------------------------------------------------------------


def test_worker_reports_progress_result_and_thread(qtbot) -> None:
    seen: list[int] = []

    def job(progress):  # type: ignore[no-untyped-def]
        seen.append(threading.get_ident())
        for i in range(3):
            progress(i + 1, 3)
        return "fertig"

    worker = Worker(job)
    steps: list[tuple[int, int]] = []
    worker.signals.progress.connect(lambda d, t: steps.append((d, t)))
    with qtbot.waitSignal(worker.signals.finished) as finished:
        start(worker)
    qtbot.waitUntil(lambda: len(steps) == 3)
    assert finished.args == ["fertig"] and worker.finished_ok
    assert steps == [(1, 3), (2, 3), (3, 3)]
    assert seen and seen[0] != threading.get_ident()


def test_worker_turns_refusals_and_bugs_into_messages(qtbot, capsys) -> None:
    def refused(_progress):  # type: ignore[no-untyped-def]
        raise ServiceError("Keine Berechtigung (Muster).")

    worker = Worker(refused)
    with qtbot.waitSignal(worker.signals.failed) as failed:
        start(worker)
    assert failed.args == ["Keine Berechtigung (Muster)."] and worker.finished_ok is False

    def broken(_progress):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("kaputt")

    worker = Worker(broken)
    with qtbot.waitSignal(worker.signals.failed) as failed:
        start(worker)
    assert failed.args[0].startswith("Interner Fehler (ZeroDivisionError: kaputt)")
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_worker_cancel_stops_at_the_next_progress(qtbot) -> None:
    gate = threading.Event()

    def job(progress):  # type: ignore[no-untyped-def]
        progress(0, 10)
        gate.wait(5)
        progress(1, 10)
        return "nie"

    worker = Worker(job)
    with qtbot.waitSignal(worker.signals.failed, timeout=10_000) as failed:
        start(worker)
        worker.cancel()
        gate.set()
    assert failed.args == ["Abgebrochen."] and worker.cancelled
