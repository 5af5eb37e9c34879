"""Main window: incidents, status bar, exercise banner, read-only modes, tabs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from krisenstab.domain.timefmt import format_dtg, utcnow
from krisenstab.gui import tabs as tabs_module
from krisenstab.gui.start_dialog import StartDialog
from krisenstab.gui.tabs import TabSpec
from krisenstab.gui.widgets import EXERCISE_BACKGROUND
from krisenstab.services.incidents import IncidentService
from krisenstab.services.journal import JournalService
from krisenstab.store.database import Database


def test_status_bar_shows_incident_actor_time_and_workstation(window, settings) -> None:
    assert window.incident_label.text() == "Muster-Hochwasser"
    assert window.actor_label.text() == "Max Mustermann (S2)"
    now = format_dtg(utcnow())
    assert window.clock_label.text()[:4] == now[:4]  # same day and hour
    assert settings.workstation_id[:8] in window.workstation_label.text()
    assert not window.mode_label.isVisible()
    assert window.banner is None
    assert "ÜBUNG" not in window.windowTitle()
    assert "Muster-Hochwasser" in window.windowTitle()


def test_exercise_database_shows_the_banner(
    window_factory, exercise_db, actor, journal_filler
) -> None:
    journal_filler(exercise_db, actor, title="Übung Muster-Stromausfall")
    window = window_factory(exercise_db)
    banner = window.banner
    assert banner is not None and banner.isVisible()
    assert banner.text() == "ÜBUNG – ÜBUNG – ÜBUNG"
    assert EXERCISE_BACKGROUND in banner.styleSheet()
    assert banner.font().bold()
    assert window.windowTitle().startswith("ÜBUNG")
    # Above everything else in the window's content.
    assert (
        banner.mapTo(window, banner.rect().topLeft()).y()
        < window.incident_bar.mapTo(window, window.incident_bar.rect().topLeft()).y()
    )
    # Really painted in its colour (left of the text).
    image = window.grab().toImage()
    ratio = image.devicePixelRatio()
    spot = banner.mapTo(window, banner.rect().center())
    colour = image.pixelColor(int(4 * ratio), int(spot.y() * ratio))
    assert colour.name().lower() == EXERCISE_BACKGROUND.lower()


def test_create_rename_and_close_an_incident(qtbot, window, fake_dialogs) -> None:
    bar = window.incident_bar
    tab = window.journal
    fake_dialogs.texts.append("Muster-Stromausfall Jülich")
    created = bar.create_incident()
    assert created is not None
    assert window.shared.incident_id == created.id
    assert tab.model.incident_id == created.id
    assert tab.model.rowCount() == 1  # the opening entry
    assert bar.combo.currentText() == "Muster-Stromausfall Jülich"
    assert bar.combo.count() == 2

    fake_dialogs.texts.append("Muster-Stromausfall Jülich-Nord")
    bar.rename_incident()
    assert window.incident_label.text() == "Muster-Stromausfall Jülich-Nord"
    assert bar.combo.currentText() == "Muster-Stromausfall Jülich-Nord"
    assert tab.model.rowCount() == 2  # the rename is an entry

    fake_dialogs.confirms.append(True)
    closed = bar.close_incident()
    assert closed is not None and closed.is_closed
    assert "abschließen" in fake_dialogs.confirmed[-1][0]
    assert tab.model.rowCount() == 3
    assert not tab.editor.text_edit.isEnabled()
    assert tab.editor.read_only_label.isVisible()
    assert "abgeschlossen" in tab.editor.read_only_label.text()
    assert not tab.correct_action.isEnabled()
    assert not bar.close_action.isEnabled() and not bar.rename_action.isEnabled()
    assert "(abgeschlossen)" in window.incident_label.text()


def test_cancelled_or_refused_incident_dialogs_change_nothing(window, fake_dialogs) -> None:
    bar = window.incident_bar
    before = window.shared.incident_id
    fake_dialogs.texts.append(None)
    assert bar.create_incident() is None
    fake_dialogs.texts.append("   ")
    assert bar.create_incident() is None
    assert "leer" in fake_dialogs.errors[-1][1]
    fake_dialogs.confirms.append(False)
    assert bar.close_incident() is None
    assert window.shared.incident_id == before
    assert window.journal.editor.text_edit.isEnabled()


def test_switching_incidents_with_the_combo(qtbot, window, db, actor, journal_filler) -> None:
    first = window.shared.incident_id
    second = journal_filler(db, actor, title="Muster-Großbrand Düren", entries=3)
    window.shared.signals.incidents_changed.emit()
    bar = window.incident_bar
    index = bar.combo.findData(second)
    assert index >= 0
    bar.combo.setCurrentIndex(index)
    bar.combo.activated.emit(index)
    assert window.shared.incident_id == second
    assert window.journal.model.rowCount() == 3
    assert window.incident_label.text() == "Muster-Großbrand Düren"
    bar.open_incident(first)
    assert window.journal.model.rowCount() == 10


def test_closed_incident_opens_read_only(window_factory, db, actor, journal_filler) -> None:
    incident = journal_filler(db, actor, entries=3)
    IncidentService(db).close(incident, actor)
    window = window_factory(db)
    # The only incident is closed: nothing is opened automatically.
    assert window.shared.incident is None
    assert not window.journal.editor.text_edit.isEnabled()
    assert "Kein Ereignis" in window.journal.editor.read_only_label.text()
    window.incident_bar.open_incident(incident)
    tab = window.journal
    assert tab.model.rowCount() == 4
    assert not tab.editor.text_edit.isEnabled()
    assert "nur lesbar" in tab.editor.read_only_label.text()


def test_read_only_database(window_factory, tmp_path, actor, journal_filler) -> None:
    path = tmp_path / "nur-lesen.db"
    writable = Database.open(path)
    journal_filler(writable, actor, entries=4)
    writable.close()
    db = Database.open(path, read_only=True)
    try:
        window = window_factory(db)
        assert window.mode_label.isVisible()
        assert window.mode_label.text() == "SCHREIBGESCHÜTZT"
        assert "schreibgeschützt" in window.windowTitle()
        assert window.journal.model.rowCount() == 4
        assert not window.journal.editor.text_edit.isEnabled()
        assert "schreibgeschützt" in window.journal.editor.read_only_label.text()
        assert not window.incident_bar.new_action.isEnabled()
    finally:
        db.close()


def test_change_actor(qtbot, window, monkeypatch) -> None:
    def accept(dialog: StartDialog) -> int:
        dialog.person_edit.setText("Erika Musterfrau")
        dialog.function_combo.setEditText("Leiter des Stabes")
        dialog.accept()
        return StartDialog.DialogCode.Accepted

    monkeypatch.setattr(StartDialog, "exec", accept)
    with qtbot.waitSignal(window.shared.signals.actor_changed):
        assert window.change_actor()
    assert window.actor_label.text() == "Erika Musterfrau (Leiter des Stabes)"
    assert "Erika Musterfrau" in window.journal.editor.author_label.text()
    qtbot.keyClicks(window.journal.editor.text_edit, "Entscheidung: Schulen geschlossen.")
    qtbot.keyClick(
        window.journal.editor.text_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    last = JournalService(window.shared.db).list(window.shared.incident_id)[-1]
    assert (last.author, last.function) == ("Erika Musterfrau", "Leiter des Stabes")


class _DummyTab(QWidget):
    created = 0

    def __init__(self, shared, parent=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(parent)
        type(self).created += 1
        self.shared = shared
        self.searched = 0
        self.activations = 0
        QLabel("Muster-Reiter", self)

    def focus_search(self) -> None:
        self.searched += 1

    def activated(self) -> None:
        self.activations += 1


def test_tabs_are_registered_and_created_lazily(
    qtbot, monkeypatch, db, settings, actor, incident_id
) -> None:
    spec = TabSpec("dummy", "Muster", f"{__name__}:_DummyTab", order=20)
    journal_only = [t for t in tabs_module.TAB_SPECS if t.key == "journal"]
    monkeypatch.setattr(tabs_module, "TAB_SPECS", [*journal_only, spec])
    from krisenstab.gui.main_window import MainWindow
    from krisenstab.gui.shared import Shared

    _DummyTab.created = 0
    shared = Shared(db, settings, actor)
    shared.set_incident(shared.most_recent_open_incident())
    window = MainWindow(shared)
    qtbot.addWidget(window)
    assert window.tabs.count() == 2
    assert window.tabs.tabText(1) == "Muster"
    assert _DummyTab.created == 0  # not built until shown
    dummy = window.show_tab("dummy")
    assert _DummyTab.created == 1 and dummy.activations == 1
    window.focus_search()
    assert dummy.searched == 1
    window.show_tab("journal")
    assert window.show_tab("dummy") is dummy and _DummyTab.created == 1
    assert window.tab("unbekannt") is None
    shared.stop_polling()


def test_exercise_only_tabs_are_hidden_in_real_databases() -> None:
    spec = TabSpec("uebung", "Übung", "x:y", exercise_only=True)
    original = list(tabs_module.TAB_SPECS)
    try:
        tabs_module.TAB_SPECS.append(spec)
        assert spec not in tabs_module.tab_specs(is_exercise=False)
        assert spec in tabs_module.tab_specs(is_exercise=True)
    finally:
        tabs_module.TAB_SPECS[:] = original


def test_about_names_the_database(window, fake_dialogs) -> None:
    window._about()
    assert str(Path(window.shared.db.path)) in fake_dialogs.infos[-1][1]
