"""The main window: incident bar, tabs, menus, status bar, exercise banner."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMenu,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from krisenstab import __version__
from krisenstab.domain.timefmt import format_dtg, format_local, utcnow
from krisenstab.gui import dialogs
from krisenstab.gui.incident_bar import IncidentToolBar
from krisenstab.gui.shared import Shared
from krisenstab.gui.tabs import TabSpec, tab_specs
from krisenstab.gui.widgets import ExerciseBanner

CLOCK_INTERVAL_MS = 5000
STATUS_MESSAGE_MS = 8000


class _TabSlot(QWidget):
    """Holds a tab's place until the tab is first shown."""

    def __init__(self, spec: TabSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.widget: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)


class MainWindow(QMainWindow):
    """One window per database file; tabs share one `Shared`."""

    def __init__(self, shared: Shared, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.shared = shared
        if shared.parent() is None:
            shared.setParent(self)
        self._slots: dict[str, _TabSlot] = {}
        self._tab_menus: dict[str, QMenu] = {}

        self.banner: ExerciseBanner | None = None
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        if shared.db.is_exercise:
            self.banner = ExerciseBanner(central)
            layout.addWidget(self.banner)
        # The incident bar sits in the central widget, under the banner: a
        # QMainWindow toolbar would always be placed above it, and could be
        # hidden by the user.
        self.incident_bar = IncidentToolBar(shared, central)
        layout.addWidget(self.incident_bar)
        self.tabs = QTabWidget(central)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self._build_status_bar()
        self._build_menus()
        for spec in tab_specs(shared.db.is_exercise):
            self.add_tab(spec)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        if self.tabs.count():
            self._on_tab_changed(self.tabs.currentIndex())

        signals = shared.signals
        signals.incident_changed.connect(self._update_incident_display)
        signals.actor_changed.connect(self._update_actor_display)
        signals.status_message.connect(self._show_status)
        signals.problem.connect(self._show_problem)

        self._clock = QTimer(self)
        self._clock.setInterval(CLOCK_INTERVAL_MS)
        self._clock.timeout.connect(self._update_clock)
        self._clock.start()
        self._update_clock()
        self._update_actor_display()
        self._update_incident_display()
        shared.start_polling()
        self._start_watchers_later()
        # -- issue 7 hook: login state, screen lock, backups, verify, accounts ------
        from krisenstab.gui.trust_install import install_trust

        self.trust = install_trust(self)
        self._install_exercise_hooks()
        # -- issue 5 hook: Datei → Drucken, CAP import, watched CAP folder ----------
        from krisenstab.gui.print_menu import install_print_menu

        self.print_menu = install_print_menu(self)

    # -- issue 4 hook: watchers that run before their tabs are first shown ------
    WATCHERS_DELAY_MS = 250

    def _start_watchers_later(self) -> None:
        """The Blitz banner and the overdue-task announcer, set up after the first paint."""
        self.blitz_overlay: Any = None
        self.overdue_announcer: Any = None
        QTimer.singleShot(self.WATCHERS_DELAY_MS, self, self.start_watchers)

    def start_watchers(self) -> None:
        if self.blitz_overlay is not None:
            return
        from krisenstab.gui.blitz_overlay import BlitzOverlay
        from krisenstab.gui.tasks_announcer import OverdueAnnouncer

        self.blitz_overlay = BlitzOverlay(self, self.shared)
        self.overdue_announcer = OverdueAnnouncer(self, self.shared)

    # -- issue 6 hook: scenario time in the banner, Realereignis, „Übung vorbereiten …“ --
    def _install_exercise_hooks(self) -> None:
        from krisenstab.gui.exercise_hooks import install_exercise_hooks

        self.exercise_hooks = install_exercise_hooks(self)

    # -- tabs ----------------------------------------------------------------
    def add_tab(self, spec: TabSpec) -> int:
        """Add a tab; its widget is created when it is first shown."""
        slot = _TabSlot(spec, self.tabs)
        self._slots[spec.key] = slot
        index = self.tabs.addTab(slot, QCoreApplication.translate("Tabs", spec.title))
        if index < 9:
            action = QAction(QCoreApplication.translate("Tabs", spec.title), self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _checked=False, key=spec.key: self.show_tab(key))
            self.view_menu.addAction(action)
        return index

    def tab(self, key: str) -> Any:
        """The tab widget for `key`, created if needed (None if unknown)."""
        slot = self._slots.get(key)
        if slot is None:
            return None
        if slot.widget is None:
            cls = slot.spec.load()
            widget = cls(self.shared, slot)
            slot.layout().addWidget(widget)
            slot.widget = widget
            self._add_tab_menu(slot.spec, widget)
        return slot.widget

    def show_tab(self, key: str) -> Any:
        slot = self._slots.get(key)
        if slot is None:
            return None
        self.tabs.setCurrentWidget(slot)
        return self.tab(key)

    def current_tab(self) -> Any:
        slot = self.tabs.currentWidget()
        return slot.widget if isinstance(slot, _TabSlot) else None

    @property
    def journal(self) -> Any:
        return self.tab("journal")

    def _on_tab_changed(self, index: int) -> None:
        slot = self.tabs.widget(index)
        if not isinstance(slot, _TabSlot):
            return
        widget = self.tab(slot.spec.key)
        activated = getattr(widget, "activated", None)
        if callable(activated):
            activated()

    def _add_tab_menu(self, spec: TabSpec, widget: QWidget) -> None:
        get_actions = getattr(widget, "menu_actions", None)
        if not callable(get_actions):
            return
        get_title = getattr(widget, "menu_title", None)
        title = (
            get_title() if callable(get_title) else QCoreApplication.translate("Tabs", spec.title)
        )
        menu = QMenu(title, self)
        for action in get_actions():
            menu.addAction(action)
        # A menu click while another tab is shown must reach this tab.
        menu.aboutToShow.connect(lambda key=spec.key: self.show_tab(key))
        self.menuBar().insertMenu(self.view_menu.menuAction(), menu)
        self._tab_menus[spec.key] = menu

    # -- menus -----------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&Datei"))
        self.file_menu = file_menu
        self.change_actor_action = QAction(self.tr("&Person/Funktion wechseln …"), self)
        self.change_actor_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.change_actor_action.setToolTip(
            self.tr("Wer an diesem Platz schreibt (Schichtwechsel, Übergabe)")
        )
        self.change_actor_action.triggered.connect(self.change_actor)
        file_menu.addAction(self.change_actor_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Beenden"), self)
        self.quit_action = quit_action
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        incident_menu = bar.addMenu(self.tr("&Ereignis"))
        for action in self.incident_bar.actions_for_menu():
            incident_menu.addAction(action)

        edit_menu = bar.addMenu(self.tr("&Bearbeiten"))
        self.search_action = QAction(self.tr("&Suchen"), self)
        self.search_action.setShortcut(QKeySequence("Ctrl+F"))
        self.search_action.setToolTip(self.tr("Im aktuellen Reiter suchen (Strg+F)"))
        self.search_action.triggered.connect(self.focus_search)
        edit_menu.addAction(self.search_action)

        self.view_menu = bar.addMenu(self.tr("&Ansicht"))

        help_menu = bar.addMenu(self.tr("&Hilfe"))
        about = QAction(self.tr("Ü&ber Krisenstab"), self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def focus_search(self) -> None:
        widget = self.current_tab()
        focus = getattr(widget, "focus_search", None)
        if callable(focus):
            focus()

    def change_actor(self) -> bool:
        from krisenstab.gui.start_dialog import StartDialog

        dialog = StartDialog(self.shared.settings, self, is_exercise=self.shared.db.is_exercise)
        if dialog.exec() != StartDialog.DialogCode.Accepted:
            return False
        self.shared.set_actor(dialog.actor())
        return True

    def _about(self) -> None:
        dialogs.show_info(
            self,
            self.tr("Über Krisenstab"),
            self.tr(
                "Krisenstab {0}\nEinsatztagebuch, Lage und Übung für den Stab für "
                "außergewöhnliche Ereignisse.\n\nDatenbank: {1}"
            ).format(__version__, self.shared.db.path),
        )

    # -- status bar ------------------------------------------------------------
    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.incident_label = QLabel(self)
        self.incident_label.setObjectName("statusIncident")
        self.actor_label = QLabel(self)
        self.actor_label.setObjectName("statusActor")
        self.clock_label = QLabel(self)
        self.clock_label.setObjectName("statusClock")
        self.workstation_label = QLabel(self)
        self.workstation_label.setObjectName("statusWorkstation")
        self.mode_label = QLabel(self)
        self.mode_label.setObjectName("statusMode")
        self.mode_label.setStyleSheet("QLabel#statusMode { font-weight: bold; color: #7A1010; }")
        for label in (
            self.incident_label,
            self.actor_label,
            self.clock_label,
            self.workstation_label,
            self.mode_label,
        ):
            margin = self.fontMetrics().horizontalAdvance(" ")
            label.setContentsMargins(margin, 0, margin, 0)
            status.addPermanentWidget(label)
        settings = self.shared.settings
        station = settings.workstation_name or settings.workstation_id[:8]
        self.workstation_label.setText(self.tr("Arbeitsplatz: {0}").format(station))
        self.workstation_label.setToolTip(settings.workstation_id)
        self.mode_label.setVisible(self.shared.db.read_only)
        self.mode_label.setText(self.tr("SCHREIBGESCHÜTZT"))
        self.mode_label.setToolTip(
            self.tr("Die Datenbank ist nur lesbar geöffnet; es kann nichts gespeichert werden.")
        )

    def _update_clock(self) -> None:
        now = utcnow()
        self.clock_label.setText(format_dtg(now))
        self.clock_label.setToolTip(format_local(now, seconds=True))

    def _update_actor_display(self) -> None:
        actor = self.shared.actor
        self.actor_label.setText(f"{actor.person} ({actor.function})")
        self.actor_label.setToolTip(self.tr("Angemeldet als"))

    def _update_incident_display(self, *_args: object) -> None:
        incident = self.shared.incident
        if incident is None:
            text = self.tr("Kein Ereignis geöffnet")
        elif incident.is_closed:
            text = self.tr("{0} (abgeschlossen)").format(incident.title)
        else:
            text = incident.title
        self.incident_label.setText(text)
        parts = []
        if self.shared.db.is_exercise:
            parts.append(self.tr("ÜBUNG"))
        parts.append("Krisenstab")
        parts.append(text)
        if self.shared.db.read_only:
            parts.append(self.tr("schreibgeschützt"))
        self.setWindowTitle(" – ".join(parts))

    def _show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_MESSAGE_MS)

    def _show_problem(self, text: str) -> None:
        self.statusBar().showMessage(text, STATUS_MESSAGE_MS * 3)

    # -- closing ---------------------------------------------------------------
    def unsaved_work(self) -> list[str]:
        found = []
        for slot in self._slots.values():
            check = getattr(slot.widget, "unsaved_work", None)
            if callable(check):
                note = check()
                if note:
                    found.append(note)
        return found

    def closeEvent(self, event: QCloseEvent) -> None:
        notes = self.unsaved_work()
        if notes and not dialogs.confirm(
            self,
            self.tr("Beenden"),
            self.tr("{0}\n\nTrotzdem beenden?").format("\n".join(notes)),
        ):
            event.ignore()
            return
        self.shared.stop_polling()
        self._clock.stop()
        event.accept()
