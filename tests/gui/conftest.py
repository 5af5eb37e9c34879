"""Fixtures for the GUI tests: offscreen Qt, a fresh home per test, no modal dialogs."""

from __future__ import annotations

import os

# Before anything imports Qt: the tests never need a display.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

GUI_DIR = Path(__file__).resolve().parent

# Harmless notes of the offscreen platform plugin.
_IGNORED_QT_MESSAGES = (
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """An unexpected Qt warning fails the GUI test that caused it."""
    for item in items:
        if GUI_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            item.add_marker(pytest.mark.qt_log_ignore(*_IGNORED_QT_MESSAGES))


@pytest.fixture(autouse=True)
def krisenstab_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own settings and data folder."""
    home = tmp_path / "home"
    monkeypatch.setenv("KRISENSTAB_HOME", str(home))
    return home


@dataclass
class FakeDialogs:
    """Stands in for krisenstab.gui.dialogs: answers queued, calls recorded."""

    texts: list[str | None] = field(default_factory=list)
    confirms: list[bool] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    infos: list[tuple[str, str]] = field(default_factory=list)
    asked: list[tuple[str, str]] = field(default_factory=list)
    confirmed: list[tuple[str, str]] = field(default_factory=list)
    originals: dict[str, Any] = field(default_factory=dict)

    def ask_text(self, parent: Any, title: str, label: str, text: str = "") -> str | None:
        self.asked.append((title, label))
        assert self.texts, f"unexpected question: {title} / {label}"
        return self.texts.pop(0)

    def confirm(self, parent: Any, title: str, text: str) -> bool:
        self.confirmed.append((title, text))
        return self.confirms.pop(0) if self.confirms else True

    def show_error(self, parent: Any, title: str, text: str) -> None:
        self.errors.append((title, text))

    def show_info(self, parent: Any, title: str, text: str) -> None:
        self.infos.append((title, text))


@pytest.fixture(autouse=True)
def fake_dialogs(monkeypatch: pytest.MonkeyPatch) -> FakeDialogs:
    """No test may block on a modal dialog."""
    from krisenstab.gui import dialogs

    fake = FakeDialogs()
    for name in ("ask_text", "confirm", "show_error", "show_info"):
        fake.originals[name] = getattr(dialogs, name)
        monkeypatch.setattr(dialogs, name, getattr(fake, name))
    return fake


def type_text(qtbot: Any, widget: Any, text: str) -> None:
    """Type `text` into `widget` key by key, umlauts included.

    QTest.keyClicks aborts on non-ASCII characters, so those are sent as the
    key events a German keyboard produces.
    """
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        code = ord(char.upper()) if ord(char.upper()) < 0x100 else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget, event)


@pytest.fixture
def typer(qtbot: Any):  # type: ignore[no-untyped-def]
    """`typer(widget, text)`: keyboard input with umlauts."""
    return lambda widget, text: type_text(qtbot, widget, text)


@pytest.fixture
def settings(krisenstab_home: Path):  # type: ignore[no-untyped-def]
    from krisenstab.settings import Settings

    return Settings.load()


@pytest.fixture
def actor(settings):  # type: ignore[no-untyped-def]
    from krisenstab.services.context import Actor

    return Actor(person="Max Mustermann", function="S2", workstation_id=settings.workstation_id)


def _open(path: Path, kind: str = "real"):  # type: ignore[no-untyped-def]
    from krisenstab.store.database import Database

    return Database.open(path, kind=kind)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Any]:
    database = _open(tmp_path / "etb.db")
    yield database
    database.close()


@pytest.fixture
def exercise_db(tmp_path: Path) -> Iterator[Any]:
    database = _open(tmp_path / "uebung.db", kind="exercise")
    yield database
    database.close()


SAMPLE_TEXTS = (
    "Pegel Düren 2,10 m, steigend.",
    "Leitstelle: 12 Einsätze in Kreuzau (Keller).",
    "Sandsäcke nach Nideggen ausgeliefert.",
    "Lagebesprechung um 20:00 angesetzt.",
    "Pegel Jülich 1,80 m, gleichbleibend.",
)


def fill_journal(db: Any, actor: Any, title: str = "Muster-Hochwasser", entries: int = 10) -> str:
    """An incident with `entries` entries of several functions and kinds; returns its id."""
    from krisenstab.services.context import Actor
    from krisenstab.services.incidents import IncidentService
    from krisenstab.services.journal import JournalService

    incident = IncidentService(db).create(title, actor)
    kinds = ("Lage", "Eingang", "Vermerk", "Entscheidung", "Lage")
    functions = ("S2", "S3", "S4", "Leiter des Stabes", "S2")
    for i in range(entries - 1):
        who = Actor(
            person=f"Muster {functions[i % 5]}",
            function=functions[i % 5],
            workstation_id=actor.workstation_id,
        )
        JournalService(db, who).add(
            incident.id, f"{SAMPLE_TEXTS[i % 5]} (Meldung {i + 2})", kind=kinds[i % 5]
        )
    return incident.id


@pytest.fixture
def journal_filler():  # type: ignore[no-untyped-def]
    """`fill_journal(db, actor, title=..., entries=...)` for tests that need more data."""
    return fill_journal


@pytest.fixture
def incident_id(db: Any, actor: Any) -> str:
    return fill_journal(db, actor)


def make_window(qtbot: Any, db: Any, settings: Any, actor: Any) -> Any:
    from krisenstab.gui.main_window import MainWindow
    from krisenstab.gui.shared import Shared

    shared = Shared(db, settings, actor)
    shared.set_incident(shared.most_recent_open_incident())
    window = MainWindow(shared)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    window.journal.focus_editor()
    return window


@pytest.fixture
def window_factory(qtbot: Any, settings: Any, actor: Any):  # type: ignore[no-untyped-def]
    """Open a main window on any database (exercise, read-only, …)."""
    made: list[Any] = []

    def factory(database: Any, who: Any = None) -> Any:
        win = make_window(qtbot, database, settings, who or actor)
        made.append(win)
        return win

    yield factory
    for win in made:
        win.shared.stop_polling()


@pytest.fixture
def window(qtbot: Any, db: Any, settings: Any, actor: Any, incident_id: str) -> Iterator[Any]:
    win = make_window(qtbot, db, settings, actor)
    yield win
    win.shared.stop_polling()
