"""The tabs of the main window, registered by name and imported lazily.

Adding a tab (KRITIS, Stab, Kontakte, Aufgaben, Nachrichten, Lage, Übung)
takes one line in `TAB_SPECS` and one class::

    TabSpec("kritis", QT_TRANSLATE_NOOP("Tabs", "KRITIS"),
            "krisenstab.gui.kritis_view:KritisTab", order=50)

The class is constructed as ``cls(shared, parent)`` the first time the tab
is shown (so start-up never imports it), where ``shared`` is the window's
`krisenstab.gui.shared.Shared`. It reads the database through services,
listens to ``shared.signals`` (journal_changed, incident_changed,
incidents_changed, actor_changed) and may offer these optional methods:

- ``menu_title() -> str`` and ``menu_actions() -> list[QAction]``: the main
  window builds a menu of them. Give the actions the shortcut context
  ``Qt.WidgetWithChildrenShortcut`` and add them to the tab (``self.addAction``)
  so that the same key can mean different things in different tabs.
- ``focus_search()``: what Ctrl+F does while the tab is shown.
- ``activated()``: called each time the tab becomes the current one.
- ``unsaved_work() -> str | None``: a German sentence when closing the
  window would lose typed input.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class TabSpec:
    key: str
    title: str
    target: str
    order: int = 100
    exercise_only: bool = False

    def load(self) -> type[QWidget]:
        module_name, _, class_name = self.target.partition(":")
        module = importlib.import_module(module_name)
        cls = getattr(module, class_name)
        if not (isinstance(cls, type) and issubclass(cls, QWidget)):
            raise TypeError(f"{self.target} is not a QWidget subclass")
        return cls


TAB_SPECS: list[TabSpec] = [
    TabSpec(
        "journal",
        QT_TRANSLATE_NOOP("Tabs", "Einsatztagebuch"),
        "krisenstab.gui.journal_view:JournalTab",
        order=10,
    ),
    TabSpec(
        "messages",
        QT_TRANSLATE_NOOP("Tabs", "Nachrichten"),
        "krisenstab.gui.messages_view:MessagesTab",
        order=20,
    ),
    TabSpec(
        "tasks",
        QT_TRANSLATE_NOOP("Tabs", "Aufgaben"),
        "krisenstab.gui.tasks_view:TasksTab",
        order=30,
    ),
    TabSpec(
        "staff",
        QT_TRANSLATE_NOOP("Tabs", "Stab"),
        "krisenstab.gui.staff_view:StaffTab",
        order=40,
    ),
    TabSpec(
        "contacts",
        QT_TRANSLATE_NOOP("Tabs", "Kontakte/Zuständigkeiten"),
        "krisenstab.gui.contacts_view:ContactsTab",
        order=45,
    ),
    TabSpec(
        "kritis",
        QT_TRANSLATE_NOOP("Tabs", "KRITIS"),
        "krisenstab.gui.kritis_view:KritisTab",
        order=50,
    ),
    TabSpec(
        "report",
        QT_TRANSLATE_NOOP("Tabs", "Lage"),
        "krisenstab.gui.report_view:ReportTab",
        order=60,
    ),
    TabSpec(
        "exercise_control",
        QT_TRANSLATE_NOOP("Tabs", "Übungsleitung"),
        "krisenstab.gui.exercise_console:ExerciseConsoleTab",
        order=90,
        exercise_only=True,
    ),
]


def tab_specs(is_exercise: bool) -> list[TabSpec]:
    """The tabs of a window, in display order."""
    specs = [s for s in TAB_SPECS if is_exercise or not s.exercise_only]
    return sorted(specs, key=lambda s: s.order)
