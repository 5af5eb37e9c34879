"""What the exercise mode adds to every main window (issue 6), installed by one call.

Kept cheap to import: a window on a real database only gets the menu entry
„Übung vorbereiten …“ and imports nothing of the exercise code until it is
used. A window on an exercise database also gets

* the scenario time in the ÜBUNG banner, advanced every quarter second;
* the Realereignis alarm under the banner, the moment anyone raises it;
* the exercise clock on the journal service of its tabs, so every entry a
  player types carries the scenario time as well as the real time;
* the exercise incident opened when the window had none (players who
  started before the Übungsleitung loaded the scenario).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence


def _tr(text: str) -> str:
    return QCoreApplication.translate("ExerciseHooks", text)


class ExerciseHooks:
    """The exercise parts of one main window (see the module docstring)."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.shared = window.shared
        self.watcher: Any = None
        self.real_event_bar: Any = None
        self._console_started = False
        self.prepare_action = self._add_prepare_action()
        if self.shared.db.is_exercise:
            self._install_exercise_parts()

    # -- Datei → Übung vorbereiten … --------------------------------------------------
    def _add_prepare_action(self) -> QAction:
        action = QAction(_tr("Übung &vorbereiten …"), self.window)
        action.setObjectName("prepareExerciseAction")
        action.setShortcut(QKeySequence("Ctrl+Shift+U"))
        action.setToolTip(
            _tr(
                "Eine Übungsdatenbank aus den Stammdaten anlegen und ein Drehbuch laden "
                "(auch das Demo-Szenario „Hochwasser an der Rur“)"
            )
        )
        action.triggered.connect(self.prepare_exercise)
        anchor = getattr(self.window, "change_actor_action", None)
        for menu_action in self.window.menuBar().actions():
            menu = menu_action.menu()
            if menu is None or anchor not in menu.actions():
                continue
            actions = menu.actions()
            after = actions[actions.index(anchor) + 1 :]
            menu.insertAction(after[0] if after else None, action)
            break
        else:
            self.window.addAction(action)
        return action

    def prepare_exercise(self) -> Any:
        from krisenstab.gui.exercise_setup_dialog import ExerciseSetupDialog

        dialog = ExerciseSetupDialog(self.shared, self.window)
        dialog.show()
        return dialog

    # -- exercise windows ---------------------------------------------------------------
    def _install_exercise_parts(self) -> None:
        from krisenstab.gui.exercise_clock_widget import RealEventBar, clock_watcher_for
        from krisenstab.services.exercise import ExerciseService

        shared = self.shared
        self.watcher = clock_watcher_for(shared)
        central = self.window.centralWidget()
        self.real_event_bar = RealEventBar(central)
        layout = central.layout()
        banner = getattr(self.window, "banner", None)
        index = layout.indexOf(banner) + 1 if banner is not None else 0
        layout.insertWidget(index, self.real_event_bar)

        # Shared.journal() builds a fresh service per call; every one of them
        # gets the exercise clock, so an entry carries the scenario time it
        # was typed at (not the moment the write lock was free).
        clock = ExerciseService(shared.db)
        original = shared.journal

        def journal_with_clock() -> Any:
            service = original()
            clock.attach(service)
            return service

        shared.journal = journal_with_clock

        self.watcher.ticked.connect(self._update_banner)
        self.watcher.view_changed.connect(self._on_view)
        self.watcher.real_event_changed.connect(self._on_real_event)
        self._on_view(self.watcher.view)

    def _update_banner(self, _offset: float = 0.0) -> None:
        banner = getattr(self.window, "banner", None)
        if banner is None or self.watcher is None:
            return
        text = self.watcher.banner_text()
        if banner.text() != text:
            banner.setText(text)
            banner.setAccessibleDescription(text)

    def _on_view(self, view: Any) -> None:
        self.real_event_bar.show_view(view)
        self._update_banner()
        if view.incident_id and self.shared.incident is None:
            self._open_exercise_incident(view.incident_id)
        if view.running and not self._console_started:
            self._start_console()

    def _start_console(self) -> None:
        """A controller who comes back to a running exercise: injects must keep flowing.

        Only the console delivers; it is built lazily with its tab, so it is
        built here at once for the person who runs the exercise.
        """
        from krisenstab.gui.exercise_console import is_controller

        if not is_controller(self.shared.actor):
            return
        self._console_started = True
        tab = getattr(self.window, "tab", None)
        if callable(tab):
            tab("exercise_control")

    def _on_real_event(self, raised: bool) -> None:
        if raised:
            self.shared.signals.problem.emit(_tr("REALEREIGNIS – die Übung ist abgebrochen."))

    def _open_exercise_incident(self, incident_id: str) -> None:
        from krisenstab.services.context import ServiceError
        from krisenstab.store.errors import StoreError

        try:
            incident = self.shared.incidents().get(incident_id)
        except (ServiceError, StoreError):
            return
        self.shared.set_incident(incident)


def install_exercise_hooks(window: Any) -> ExerciseHooks:
    return ExerciseHooks(window)
