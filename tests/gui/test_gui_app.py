"""Starting the program: errors as German dialogs, smoke mode, the normal path."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from krisenstab.gui import app as gui_app
from krisenstab.gui import dialogs
from krisenstab.gui.start_dialog import StartDialog
from krisenstab.services.demo import DEMO_TITLE
from krisenstab.services.incidents import IncidentService
from krisenstab.settings import Settings
from krisenstab.store.database import Database


@pytest.fixture
def message_boxes(monkeypatch, fake_dialogs) -> list[tuple[str, str]]:
    """The real dialogs.show_error, with QMessageBox.critical captured."""
    shown: list[tuple[str, str]] = []

    def critical(parent, title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(dialogs, "show_error", fake_dialogs.originals["show_error"])
    monkeypatch.setattr(QMessageBox, "critical", critical)
    return shown


def test_damaged_file_shows_a_german_error(qtbot, tmp_path, message_boxes, capsys) -> None:
    path = tmp_path / "kaputt.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    assert gui_app.run_gui(path) == 1
    assert len(message_boxes) == 1
    title, text = message_boxes[0]
    assert "Datenbank" in title
    assert "kann nicht geöffnet werden" in text
    assert "beschädigt" in text
    assert str(path) in text
    assert "Traceback" not in capsys.readouterr().err


def test_foreign_file_shows_a_german_error(qtbot, tmp_path, message_boxes) -> None:
    path = tmp_path / "fremd.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE kunden (name TEXT)")
    conn.commit()
    conn.close()
    assert gui_app.run_gui(path, smoke=True) == 1
    assert "keine Krisenstab-Datenbank" in message_boxes[0][1]

    text_file = tmp_path / "notizen.txt"
    text_file.write_text("Einkaufsliste", encoding="utf-8")
    assert gui_app.run_gui(text_file) == 1
    assert "keine SQLite-Datei" in message_boxes[1][1]


def test_smoke_prints_milliseconds_and_returns_zero(
    qtbot, tmp_path, capsys, actor, journal_filler
) -> None:
    path = tmp_path / "etb.db"
    db = Database.open(path)
    journal_filler(db, actor)
    db.close()
    t0 = time.perf_counter()
    assert gui_app.run_gui(path, smoke=True, t0=t0) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    ms = int(out[0])
    assert 0 <= ms <= (time.perf_counter() - t0) * 1000 + 1
    # No window is left behind.
    assert not [w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow"]


def test_smoke_with_demo_data_uses_demo_actor(qtbot, tmp_path, capsys, monkeypatch) -> None:
    seen = {}
    from krisenstab.gui import main_window

    real = main_window.MainWindow.__init__

    def spy(self, shared, parent=None):  # type: ignore[no-untyped-def]
        seen["actor"] = shared.actor
        seen["incident"] = shared.incident
        real(self, shared, parent)

    monkeypatch.setattr(main_window.MainWindow, "__init__", spy)
    path = tmp_path / "demo.db"
    assert gui_app.run_gui(path, smoke=True, demo=True) == 0
    assert capsys.readouterr().out.strip().isdigit()
    assert (seen["actor"].person, seen["actor"].function) == ("Demo", "S2")
    assert seen["incident"].title == DEMO_TITLE
    assert seen["incident"].entries > 150


def test_smoke_uses_the_remembered_person(qtbot, tmp_path, capsys, settings) -> None:
    settings.last_person = "Lena Beispiel"
    settings.last_function = "S1"
    settings.save()
    assert gui_app.smoke_actor(Settings.load()).person == "Lena Beispiel"
    assert gui_app.run_gui(tmp_path / "leer.db", smoke=True) == 0
    assert capsys.readouterr().out.strip().isdigit()


def test_cancelling_who_are_you_ends_quietly(qtbot, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(StartDialog, "exec", lambda self: StartDialog.DialogCode.Rejected)
    assert gui_app.run_gui(tmp_path / "etb.db") == 0


def test_normal_start_asks_who_and_offers_a_first_incident(
    qtbot, tmp_path, monkeypatch, fake_dialogs
) -> None:
    def accept(dialog: StartDialog) -> int:
        dialog.person_edit.setText("Max Mustermann")
        dialog.function_combo.setEditText("S2")
        dialog.accept()
        return StartDialog.DialogCode.Accepted

    shown = {}

    def fake_exec(self) -> int:  # type: ignore[no-untyped-def]
        windows = [w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow"]
        shown["window"] = windows[0]
        shown["visible"] = windows[0].isVisible()
        shown["focus"] = QApplication.focusWidget()
        return 0

    monkeypatch.setattr(StartDialog, "exec", accept)
    monkeypatch.setattr(QApplication, "exec", fake_exec)
    fake_dialogs.texts.append("Muster-Unwetter")
    path = tmp_path / "neu.db"
    assert gui_app.run_gui(path) == 0
    assert shown["visible"]
    assert Settings.load().last_person == "Max Mustermann"
    db = Database.open(path)
    try:
        titles = [i.title for i in IncidentService(db).list()]
    finally:
        db.close()
    assert titles == ["Muster-Unwetter"]


def test_application_is_german(qtbot) -> None:
    app = gui_app.create_application()
    assert app.applicationName() == "Krisenstab"
    assert app.organizationName() == "Krisenstab"
    from PySide6.QtCore import QLocale

    assert QLocale().language() == QLocale.Language.German
    installed = gui_app.install_translators(app)
    from PySide6.QtCore import QLibraryInfo

    qt_dir = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    if (qt_dir / "qtbase_de.qm").exists():
        assert installed >= 1
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Abbrechen"


def test_without_a_display_the_gui_explains_in_german(tmp_path, monkeypatch, capsys) -> None:
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(gui_app.sys, "platform", "linux")
    assert not gui_app.has_display()
    assert gui_app.run_gui(tmp_path / "etb.db") == 1
    assert "keine grafische Oberfläche" in capsys.readouterr().err
    # A smoke run paints offscreen instead.
    assert gui_app.run_gui(tmp_path / "etb.db", smoke=True) == 0
    assert capsys.readouterr().out.strip().isdigit()
