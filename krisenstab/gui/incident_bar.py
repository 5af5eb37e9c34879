"""Choosing, creating, renaming and closing incidents (Ereignisse)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QToolBar, QWidget

from krisenstab.gui import dialogs
from krisenstab.gui.shared import Shared
from krisenstab.services.context import ServiceError
from krisenstab.services.incidents import IncidentView
from krisenstab.store.errors import StoreError


class IncidentCombo(QComboBox):
    """Re-reads the incident list whenever it opens: another workstation may
    have created one in the meantime."""

    def __init__(self, bar: IncidentToolBar) -> None:
        super().__init__(bar)
        self._bar = bar

    def showPopup(self) -> None:
        self._bar.reload()
        super().showPopup()


class IncidentToolBar(QToolBar):
    """The incident combo and the incident actions (also used by the menu)."""

    def __init__(self, shared: Shared, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("incidentToolBar")
        self.setWindowTitle(self.tr("Ereignis"))
        self.setMovable(False)
        self.shared = shared

        label = QLabel(self.tr("&Ereignis:"), self)
        self.combo = IncidentCombo(self)
        self.combo.setObjectName("incidentCombo")
        self.combo.setAccessibleName(self.tr("Aktuelles Ereignis"))
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(36)
        label.setBuddy(self.combo)
        margin = self.fontMetrics().horizontalAdvance(" ")
        label.setContentsMargins(margin, 0, margin, 0)
        self.addWidget(label)
        self.addWidget(self.combo)

        self.open_action = QAction(self.tr("Ereignis &wählen …"), self)
        self.open_action.setShortcut(QKeySequence("Ctrl+O"))
        self.open_action.setToolTip(self.tr("Anderes Ereignis öffnen (Strg+O)"))
        self.open_action.triggered.connect(self.choose)

        self.new_action = QAction(self.tr("&Neues Ereignis …"), self)
        self.new_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.new_action.setToolTip(self.tr("Neues Ereignis anlegen (Strg+Umschalt+N)"))
        self.new_action.triggered.connect(self.create_incident)

        self.rename_action = QAction(self.tr("&Umbenennen …"), self)
        self.rename_action.setToolTip(self.tr("Titel des Ereignisses ändern"))
        self.rename_action.triggered.connect(self.rename_incident)

        self.close_action = QAction(self.tr("&Abschließen …"), self)
        self.close_action.setToolTip(
            self.tr("Ereignis abschließen; danach ist das Einsatztagebuch nur lesbar")
        )
        self.close_action.triggered.connect(self.close_incident)

        self.addSeparator()
        self.addAction(self.new_action)
        self.addAction(self.rename_action)
        self.addAction(self.close_action)

        self.combo.activated.connect(self._on_activated)
        shared.signals.incidents_changed.connect(self.reload)
        shared.signals.incident_changed.connect(self._on_incident_changed)
        self.reload()

    def actions_for_menu(self) -> list[QAction]:
        return [self.open_action, self.new_action, self.rename_action, self.close_action]

    # -- list ----------------------------------------------------------------
    def reload(self) -> None:
        try:
            incidents = self.shared.incidents().list()
        except StoreError as exc:
            self.shared.signals.problem.emit(str(exc))
            return
        current = self.shared.incident_id
        self.combo.blockSignals(True)
        self.combo.clear()
        for incident in incidents:
            self.combo.addItem(self._label(incident), incident.id)
            if incident.is_closed:
                index = self.combo.count() - 1
                self.combo.setItemData(
                    index, self.tr("abgeschlossen – nur lesbar"), Qt.ItemDataRole.ToolTipRole
                )
        self.combo.setCurrentIndex(self.combo.findData(current) if current else -1)
        if not incidents:
            self.combo.setPlaceholderText(self.tr("– noch kein Ereignis –"))
        self.combo.blockSignals(False)
        self._update_actions()

    def _label(self, incident: IncidentView) -> str:
        if incident.is_closed:
            return self.tr("{0} (abgeschlossen)").format(incident.title)
        return incident.title

    def _update_actions(self) -> None:
        writable = not self.shared.db.read_only
        incident = self.shared.incident
        is_open = incident is not None and not incident.is_closed
        self.new_action.setEnabled(writable)
        self.rename_action.setEnabled(writable and is_open)
        self.close_action.setEnabled(writable and is_open)

    def _on_incident_changed(self, incident_id: str) -> None:
        index = self.combo.findData(incident_id) if incident_id else -1
        if incident_id and index < 0:
            self.reload()
            return
        if self.shared.incident is not None and index >= 0:
            self.combo.setItemText(index, self._label(self.shared.incident))
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        self._update_actions()

    def _on_activated(self, index: int) -> None:
        incident_id = self.combo.itemData(index)
        if not incident_id or incident_id == self.shared.incident_id:
            return
        self.open_incident(incident_id)

    # -- actions -------------------------------------------------------------
    def choose(self) -> None:
        self.combo.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.combo.showPopup()

    def open_incident(self, incident_id: str) -> bool:
        try:
            incident = self.shared.incidents().get(incident_id)
        except (StoreError, ServiceError) as exc:
            dialogs.show_error(self.window(), self.tr("Ereignis öffnen"), str(exc))
            return False
        self.shared.set_incident(incident)
        return True

    def create_incident(self) -> IncidentView | None:
        title = dialogs.ask_text(
            self.window(), self.tr("Neues Ereignis"), self.tr("Titel des Ereignisses:")
        )
        if title is None:
            return None
        try:
            incident = self.shared.incidents().create(title, self.shared.actor)
        except (StoreError, ServiceError) as exc:
            dialogs.show_error(self.window(), self.tr("Neues Ereignis"), str(exc))
            return None
        self.shared.set_incident(incident)
        self.shared.signals.incidents_changed.emit()
        return incident

    def rename_incident(self) -> IncidentView | None:
        incident = self.shared.incident
        if incident is None:
            return None
        title = dialogs.ask_text(
            self.window(),
            self.tr("Ereignis umbenennen"),
            self.tr("Neuer Titel des Ereignisses:"),
            incident.title,
        )
        if title is None:
            return None
        try:
            renamed = self.shared.incidents().rename(incident.id, title, self.shared.actor)
        except (StoreError, ServiceError) as exc:
            dialogs.show_error(self.window(), self.tr("Ereignis umbenennen"), str(exc))
            return None
        self.shared.update_incident(renamed)
        return renamed

    def close_incident(self) -> IncidentView | None:
        incident = self.shared.incident
        if incident is None or incident.is_closed:
            return None
        question = self.tr(
            "Das Ereignis „{0}“ abschließen?\n\nDas Einsatztagebuch wird geschlossen und ist "
            "danach nur noch lesbar. Das lässt sich nicht rückgängig machen."
        ).format(incident.title)
        if not dialogs.confirm(self.window(), self.tr("Ereignis abschließen"), question):
            return None
        try:
            closed = self.shared.incidents().close(incident.id, self.shared.actor)
        except (StoreError, ServiceError) as exc:
            dialogs.show_error(self.window(), self.tr("Ereignis abschließen"), str(exc))
            return None
        self.shared.update_incident(closed)
        return closed
