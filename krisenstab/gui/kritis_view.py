"""The KRITIS tab: facility register, emergency power board, failure cascade.

Keyboard first: in the list, keys 1–5 report a new status for the selected
facility at once (betriebsbereit, eingeschränkt, Notstrombetrieb,
ausgefallen, unbekannt); Strg+Umschalt+S opens a small status panel for
source, note and since-time. The service writes the ETB entry in the same
transaction as the status.

A 30-second clock recomputes the generators' remaining hours; warnings at
the configured thresholds show in a strip at the top of the tab and as a
badge on the tab title.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.cascade import CascadeResult
from krisenstab.domain.facility import FacilityFilter, FacilityView
from krisenstab.domain.power import FacilityStatus, PowerWarning
from krisenstab.domain.timefmt import utcnow
from krisenstab.gui import dialogs, kritis_import
from krisenstab.gui.kritis_cascade import CascadeView
from krisenstab.gui.kritis_detail import FacilityDetailPanel
from krisenstab.gui.kritis_model import (
    STATUS_KEYS,
    FacilityColumn,
    FacilityFilterProxy,
    FacilityTableModel,
    shape_icon,
    status_icon,
    status_label,
    warning_icon,
)
from krisenstab.gui.kritis_power import (
    TICK_MS,
    PowerBoard,
    PowerWarningStrip,
    board_rows,
    fuel_rows,
)
from krisenstab.gui.shared import Shared
from krisenstab.gui.timeinput import parse_user_time
from krisenstab.gui.widgets import MessageBar
from krisenstab.gui.workers import Worker, start
from krisenstab.services.context import ServiceError
from krisenstab.services.facilities import FacilityService, thresholds_from_settings
from krisenstab.store.errors import StoreError

SEARCH_DEBOUNCE_MS = 150
DETAIL_DELAY_MS = 60
ALL = ""
DISTURBED = "__disturbed__"

PAGE_FACILITIES = 0
PAGE_POWER = 1
PAGE_CASCADE = 2


class FacilityTableView(QTableView):
    """The register list; fixed row heights so 5,000 rows are never measured."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("facilityTable")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setTabKeyNavigation(False)
        self.setCornerButtonEnabled(False)
        self.setSortingEnabled(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        vheader = self.verticalHeader()
        vheader.hide()
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(int(self.fontMetrics().lineSpacing() * 1.5) + 2)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSortIndicatorShown(True)

    # Per column: sample text, may shrink down to its title, extra room for an icon.
    SAMPLES: ClassVar[dict[FacilityColumn, tuple[str, bool, int]]] = {
        FacilityColumn.STATUS: ("Notstrombetrieb", False, 22),
        FacilityColumn.MUNICIPALITY: ("Hürtgenwald", True, 0),
        FacilityColumn.SECTOR: ("Medizinische Versorgung", True, 0),
        FacilityColumn.PERSONS: ("125.000", False, 0),
        FacilityColumn.POWER: ("noch 88 h 88 min", False, 22),
        FacilityColumn.SINCE: ("88.88. 88:88", True, 0),
        FacilityColumn.PHONE: ("02421 000-000", True, 0),
    }
    NAME_SHARE = 0.28

    def set_column_visible(self, column: int, visible: bool) -> None:
        self.setColumnHidden(column, not visible)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Widths from samples in the current font; at 1366 px the name keeps its share."""
        model = self.model()
        if model is None:
            return
        fm = self.fontMetrics()
        header = self.horizontalHeader()
        pad = fm.height() + 10
        ideal: dict[int, int] = {}
        minimum: dict[int, int] = {}
        for column, (sample, shrinkable, extra) in self.SAMPLES.items():
            if self.isColumnHidden(column):
                continue
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            title_w = header.fontMetrics().horizontalAdvance(title) + pad
            ideal[column] = max(fm.horizontalAdvance(sample) + pad + extra, title_w)
            minimum[column] = title_w if shrinkable else ideal[column]
        available = self.viewport().width()
        name_min = max(int(available * self.NAME_SHARE), fm.horizontalAdvance("Wasserwerk Kreuzau"))
        excess = sum(ideal.values()) + name_min - available
        slack = sum(ideal[c] - minimum[c] for c in ideal)
        for column, width in ideal.items():
            if excess > 0 and slack > 0:
                width = int(
                    ideal[column] - (ideal[column] - minimum[column]) * min(1.0, excess / slack)
                )
            header.resizeSection(column, width)
        header.setSectionResizeMode(FacilityColumn.NAME, QHeaderView.ResizeMode.Stretch)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()


class StatusPanel(QFrame):
    """Report a status with since-time, source and note, without leaving the list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "QFrame#statusPanel { background-color: #F3F6FA; border: 1px solid #8FA8C8;"
            " border-radius: 3px; }"
        )
        self.facility_id: str | None = None
        self.title = QLabel(self)
        self.title.setObjectName("statusPanelTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.combo = QComboBox(self)
        self.combo.setObjectName("statusPanelCombo")
        self.combo.setAccessibleName(self.tr("Neuer Status"))
        for status in STATUS_KEYS:
            self.combo.addItem(status_icon(status.value), status_label(status.value), status.value)
        self.since_edit = QLineEdit(self)
        self.since_edit.setObjectName("statusPanelSince")
        self.since_edit.setPlaceholderText(self.tr("jetzt"))
        self.since_edit.setToolTip(
            self.tr("Seit wann: hh:mm (heute), TT.MM. hh:mm oder Datum-Zeit-Gruppe; leer = jetzt")
        )
        self.since_edit.setAccessibleName(self.tr("Status gilt seit"))
        fm = self.fontMetrics()
        self.since_edit.setMaximumWidth(fm.horizontalAdvance("88.88. 88:88") + fm.height() * 2)
        self.source_edit = QLineEdit(self)
        self.source_edit.setObjectName("statusPanelSource")
        self.source_edit.setPlaceholderText(
            self.tr("z. B. Betreiber, Leitstelle, eigene Erkundung")
        )
        self.source_edit.setAccessibleName(self.tr("Quelle der Meldung"))
        self.source_edit.setMaxLength(120)
        self.note_edit = QLineEdit(self)
        self.note_edit.setObjectName("statusPanelNote")
        self.note_edit.setPlaceholderText(self.tr("Notiz (wird ins ETB übernommen)"))
        self.note_edit.setAccessibleName(self.tr("Notiz zur Statusmeldung"))
        self.submit_button = QPushButton(self.tr("Melden (Eingabe)"), self)
        self.submit_button.setObjectName("statusPanelSubmit")
        self.cancel_button = QPushButton(self.tr("Abbrechen (Esc)"), self)

        labels = (
            (self.tr("&Status:"), self.combo),
            (self.tr("s&eit:"), self.since_edit),
            (self.tr("&Quelle:"), self.source_edit),
            (self.tr("N&otiz:"), self.note_edit),
        )
        built = []
        for text, buddy in labels:
            label = QLabel(text, self)
            label.setBuddy(buddy)
            built.append(label)
        row1 = QHBoxLayout()
        row1.addWidget(self.title, 1)
        row1.addWidget(built[0])
        row1.addWidget(self.combo)
        row1.addWidget(built[1])
        row1.addWidget(self.since_edit)
        row2 = QHBoxLayout()
        row2.addWidget(built[2])
        row2.addWidget(self.source_edit, 2)
        row2.addWidget(built[3])
        row2.addWidget(self.note_edit, 3)
        row2.addWidget(self.submit_button)
        row2.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        margin = max(3, fm.height() // 3)
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.setSpacing(margin // 2)
        layout.addLayout(row1)
        layout.addLayout(row2)
        self.submit_action = QAction(self.tr("Status melden"), self)
        self.submit_action.setShortcuts([QKeySequence("Return"), QKeySequence("Enter")])
        self.submit_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.submit_action)
        self.cancel_action = QAction(self.tr("Abbrechen"), self)
        self.cancel_action.setShortcut(QKeySequence("Escape"))
        self.cancel_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.cancel_action)
        self.submit_button.clicked.connect(self.submit_action.trigger)
        self.cancel_button.clicked.connect(self.cancel_action.trigger)
        QWidget.setTabOrder(self.combo, self.since_edit)
        QWidget.setTabOrder(self.since_edit, self.source_edit)
        QWidget.setTabOrder(self.source_edit, self.note_edit)
        QWidget.setTabOrder(self.note_edit, self.submit_button)
        self.hide()

    def open_for(self, view: FacilityView, status: str | None = None) -> None:
        self.facility_id = view.id
        self.title.setText(self.tr("Status für „{0}“ (bisher {1})").format(view.name, view.status))
        wanted = status
        if wanted is None:
            # Preselect the next likely state rather than the current one.
            wanted = (
                FacilityStatus.FAILED.value
                if view.status == FacilityStatus.EMERGENCY_POWER.value
                else FacilityStatus.OPERATIONAL.value
                if view.status != FacilityStatus.OPERATIONAL.value
                else FacilityStatus.EMERGENCY_POWER.value
            )
        index = self.combo.findData(wanted)
        self.combo.setCurrentIndex(max(index, 0))
        self.since_edit.clear()
        self.since_edit.setStyleSheet("")
        self.source_edit.clear()
        self.note_edit.clear()
        self.show()
        self.combo.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def close_panel(self) -> None:
        self.facility_id = None
        self.hide()

    @property
    def status(self) -> str:
        return str(self.combo.currentData())

    def has_input(self) -> bool:
        return self.isVisible() and bool(
            self.note_edit.text().strip() or self.source_edit.text().strip()
        )


class KritisTab(QWidget):
    """Facilities, emergency power and the cascade, for S2, S4 and the KRITIS specialist."""

    def __init__(self, shared: Shared, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kritisTab")
        self.shared = shared
        self.thresholds = thresholds_from_settings(shared.settings)
        self._reader = FacilityService(shared.db, thresholds=self.thresholds)
        self._revision: int | None = None
        self._base_title: str | None = None
        self._workers: list[Worker] = []
        self.import_dialog: kritis_import.ImportDialog | None = None
        self.now = utcnow()

        self.model = FacilityTableModel(self)
        self.model.set_thresholds(self.thresholds)
        self.proxy = FacilityFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.warning_strip = PowerWarningStrip(self)
        self.warning_strip.show_board.connect(lambda: self.show_page(PAGE_POWER))
        self.message_bar = MessageBar(self)
        self.pages = QTabWidget(self)
        self.pages.setObjectName("kritisPages")
        self.pages.setDocumentMode(True)
        self._build_facility_page()
        self.power = PowerBoard(self.pages)
        self.power.facility_requested.connect(self.show_facility)
        self.power.refuel_requested.connect(self.report_refuelling)
        self.power.extend_changed.connect(lambda _h: self.refresh_power())
        self.cascade = CascadeView(self._compute_cascade, self.pages)
        self.cascade.facility_requested.connect(self.show_facility)
        self.pages.addTab(self.facility_page, self.tr("Objekte (Alt+1)"))
        self.pages.addTab(self.power, self.tr("Notstrom (Alt+2)"))
        self.pages.addTab(self.cascade, self.tr("Kaskade (Alt+3)"))
        self.pages.currentChanged.connect(self._on_page_changed)

        layout = QVBoxLayout(self)
        margin = max(2, self.fontMetrics().height() // 4)
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.setSpacing(margin)
        layout.addWidget(self.warning_strip)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.pages, 1)

        self._build_actions()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(DETAIL_DELAY_MS)
        self._detail_timer.timeout.connect(self.show_detail_now)
        self.clock = QTimer(self)
        self.clock.setInterval(TICK_MS)
        self.clock.timeout.connect(self.tick)

        signals = shared.signals
        signals.journal_changed.connect(self._on_journal_changed)
        signals.incident_changed.connect(self._update_write_state)
        signals.actor_changed.connect(self._update_write_state)

        self._fill_filter_choices()
        # The service lists by municipality and name: that is the first sort
        # order, shown without sorting 5,000 rows again.
        self.model.assume_sorted(FacilityColumn.MUNICIPALITY, Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.setSortIndicator(FacilityColumn.MUNICIPALITY, Qt.SortOrder.AscendingOrder)
        header.setSectionsClickable(True)
        header.sortIndicatorChanged.connect(self.proxy.sort)
        self.reload()
        self._update_write_state()
        self.setFocusProxy(self.table)
        self.clock.start()

    # -- construction --------------------------------------------------------------
    def _build_facility_page(self) -> None:
        page = QWidget(self.pages)
        self.facility_page = page
        self.search_edit = QLineEdit(page)
        self.search_edit.setObjectName("kritisSearch")
        self.search_edit.setPlaceholderText(self.tr("Objekte suchen … (Strg+F)"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName(self.tr("Suche in den KRITIS-Objekten"))
        self.search_edit.setToolTip(
            self.tr("Name, Sektor, Gemeinde, Straße, Betreiber, Bemerkung; Esc leert die Suche")
        )
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_edit.installEventFilter(self)

        self.sector_combo = QComboBox(page)
        self.sector_combo.setObjectName("kritisSectorFilter")
        self.sector_combo.setAccessibleName(self.tr("Nach Sektor filtern"))
        self.sector_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.sector_combo.setMinimumContentsLength(16)
        self.status_combo = QComboBox(page)
        self.status_combo.setObjectName("kritisStatusFilter")
        self.status_combo.setAccessibleName(self.tr("Nach Status filtern"))
        self.status_combo.addItem(self.tr("Alle Status"), ALL)
        self.status_combo.addItem(
            shape_icon("triangle", "#7A1010"), self.tr("Gestört (nicht betriebsbereit)"), DISTURBED
        )
        for status in STATUS_KEYS:
            self.status_combo.addItem(status_icon(status.value), status.value, status.value)
        self.municipality_combo = QComboBox(page)
        self.municipality_combo.setObjectName("kritisMunicipalityFilter")
        self.municipality_combo.setAccessibleName(self.tr("Nach Gemeinde filtern"))
        for combo in (self.sector_combo, self.status_combo, self.municipality_combo):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.hits_label = QLabel(page)
        self.hits_label.setObjectName("kritisHits")

        self.table = FacilityTableView(page)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName(self.tr("KRITIS-Objekte"))
        self._build_column_menu()
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)

        self.status_panel = StatusPanel(page)
        self.status_panel.submit_action.triggered.connect(self._submit_status_panel)
        self.status_panel.cancel_action.triggered.connect(self._cancel_status_panel)

        self.detail = FacilityDetailPanel(page)
        self.detail.facility_requested.connect(self.show_facility)
        self.detail.cascade_requested.connect(self.what_if_facility)
        self.detail.message.connect(self.shared.signals.status_message)
        self.detail.pages.currentChanged.connect(self._load_dependency_view)

        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 3)
        filters.addWidget(self.sector_combo, 1)
        filters.addWidget(self.status_combo)
        filters.addWidget(self.municipality_combo)
        filters.addWidget(self.hits_label)

        left = QWidget(page)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(2)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.status_panel)
        self.keys_hint = QLabel(
            self.tr(
                "Status melden: 1 betriebsbereit · 2 eingeschränkt · 3 Notstrom · 4 ausgefallen · "
                "5 unbekannt · Strg+Umschalt+S mit Quelle/Notiz"
            ),
            left,
        )
        self.keys_hint.setObjectName("kritisKeysHint")
        self.keys_hint.setWordWrap(True)
        self.keys_hint.setStyleSheet("color: #555;")
        left_layout.addWidget(self.keys_hint)

        split = QSplitter(Qt.Orientation.Horizontal, page)
        split.setChildrenCollapsible(False)
        split.addWidget(left)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        line = self.fontMetrics().lineSpacing()
        split.setSizes([line * 62, line * 30])
        self.splitter = split
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.addWidget(split, 1)

        QWidget.setTabOrder(self.search_edit, self.sector_combo)
        QWidget.setTabOrder(self.sector_combo, self.status_combo)
        QWidget.setTabOrder(self.status_combo, self.municipality_combo)
        QWidget.setTabOrder(self.municipality_combo, self.table)

    def _build_column_menu(self) -> None:
        """Right click on the header shows or hides columns (the 24/7 number is hidden
        at first: at 1366 px it would squeeze the names; the detail panel has it)."""
        header = self.table.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.column_actions: dict[int, QAction] = {}
        for column in FacilityColumn:
            if column in (FacilityColumn.NAME, FacilityColumn.STATUS):
                continue
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal) or "")
            action = QAction(self.tr("Spalte „{0}“").format(title), header)
            action.setCheckable(True)
            action.setChecked(column != FacilityColumn.PHONE)
            action.toggled.connect(lambda on, c=int(column): self.table.set_column_visible(c, on))
            header.addAction(action)
            self.column_actions[int(column)] = action
        self.table.setColumnHidden(FacilityColumn.PHONE, True)
        self.table.fit_columns()

    def _action(
        self,
        text: str,
        shortcuts: str | tuple[str, ...] | None,
        slot: Any,
        tip: str,
        *,
        on: QWidget | None = None,
        context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut,
    ) -> QAction:
        action = QAction(text, self)
        keys = (shortcuts,) if isinstance(shortcuts, str) else shortcuts or ()
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
            native = QKeySequence(keys[0]).toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{tip} ({native})")
        else:
            action.setToolTip(tip)
        action.setStatusTip(tip)
        action.setShortcutContext(context)
        action.triggered.connect(slot)
        (on or self).addAction(action)
        return action

    def _build_actions(self) -> None:
        self.status_actions: list[QAction] = []
        for number, status in enumerate(STATUS_KEYS, start=1):
            action = self._action(
                self.tr("Status „{0}“ melden").format(status.value),
                str(number),
                lambda _c=False, s=status.value: self.report_status(s),
                self.tr("Für das ausgewählte Objekt sofort „{0}“ melden (ETB-Eintrag)").format(
                    status.value
                ),
                on=self.table,
                context=Qt.ShortcutContext.WidgetShortcut,
            )
            action.setIcon(status_icon(status.value))
            self.status_actions.append(action)
        self.status_panel_action = self._action(
            self.tr("Status mit &Quelle und Notiz melden …"), "Ctrl+Shift+S",
            self.open_status_panel,
            self.tr("Statusmeldung mit Zeitpunkt, Quelle und Notiz für das ausgewählte Objekt"),
        )  # fmt: skip
        self.copy_phone_action = self._action(
            self.tr("24/7-&Nummer kopieren"), "Ctrl+Shift+C", self.copy_phone,
            self.tr("Die rund um die Uhr erreichbare Nummer in die Zwischenablage kopieren"),
        )  # fmt: skip
        self.what_if_action = self._action(
            self.tr("&Was wäre, wenn das Objekt ausfällt?"), "Ctrl+Shift+A",
            self.what_if_selected,
            self.tr("Kaskade: was fällt als Nächstes aus, wenn dieses Objekt jetzt ausfällt"),
        )  # fmt: skip
        self.refuel_action = self._action(
            self.tr("&Betankung melden …"), "Ctrl+T", self.refuel_selected,
            self.tr("Für das ausgewählte Notstromaggregat eine Betankung melden (ETB-Eintrag)"),
        )  # fmt: skip
        self.page_actions = [
            self._action(
                self.tr("&Objektliste"), "Alt+1", lambda: self.show_page(PAGE_FACILITIES),
                self.tr("Liste der KRITIS-Objekte mit Details"),
            ),
            self._action(
                self.tr("&Notstromübersicht"), "Alt+2", lambda: self.show_page(PAGE_POWER),
                self.tr("Objekte im Notstrombetrieb, Restzeiten, Betankungsreihenfolge"),
            ),
            self._action(
                self.tr("&Kaskade"), "Alt+3", lambda: self.show_page(PAGE_CASCADE),
                self.tr("Was fällt als Nächstes aus – aktueller Stand oder Was-wäre-wenn"),
            ),
        ]  # fmt: skip
        self.import_action = self._action(
            self.tr("&Importieren …"), "Ctrl+I", self.open_import,
            self.tr("KRITIS-Objekte aus CSV oder XLSX übernehmen (mit Probelauf)"),
        )  # fmt: skip
        self.export_action = self._action(
            self.tr("&Exportieren …"), "Ctrl+Shift+E", self.export,
            self.tr("Alle KRITIS-Objekte als CSV, XLSX oder GeoJSON speichern"),
        )  # fmt: skip
        self.reload_action = self._action(
            self.tr("Neu &laden"), "F5", self.reload,
            self.tr("Den gespeicherten Stand neu lesen"),
        )  # fmt: skip
        self.reset_filter_action = self._action(
            self.tr("&Filter zurücksetzen"), "Ctrl+Shift+F", self.reset_filters,
            self.tr("Suche und alle Filter zurücksetzen"),
        )  # fmt: skip
        self.toggle_focus_action = self._action(
            self.tr("Zwischen Liste und &Details wechseln"), "F6", self.toggle_focus,
            self.tr("Fokus zwischen Objektliste und Detailbereich wechseln"),
        )  # fmt: skip

    # -- tab protocol (see gui.tabs) -------------------------------------------------
    def menu_title(self) -> str:
        return self.tr("K&RITIS")

    def menu_actions(self) -> list[QAction]:
        def separator() -> QAction:
            sep = QAction(self)
            sep.setSeparator(True)
            return sep

        return [
            *self.status_actions,
            self.status_panel_action,
            separator(),
            self.copy_phone_action,
            self.what_if_action,
            self.refuel_action,
            separator(),
            *self.page_actions,
            separator(),
            self.import_action,
            self.export_action,
            self.reload_action,
            self.reset_filter_action,
            self.toggle_focus_action,
        ]

    def focus_search(self) -> None:
        self.show_page(PAGE_FACILITIES)
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def activated(self) -> None:
        self.refresh_if_changed()
        self._update_badge()
        focus = QApplication.focusWidget()
        if self.pages.currentIndex() == PAGE_FACILITIES and (
            focus is None or not self.isAncestorOf(focus)
        ):
            self.focus_table()

    def unsaved_work(self) -> str | None:
        if self.status_panel.has_input():
            return self.tr("Die Statusmeldung im KRITIS-Reiter ist noch nicht abgeschickt.")
        if self.import_dialog is not None and self.import_dialog.busy:
            return self.tr("Der Import von KRITIS-Objekten läuft noch.")
        return None

    # -- services ----------------------------------------------------------------------
    def service(self) -> FacilityService:
        """A service acting as the current person (writes carry their name)."""
        service = FacilityService(self.shared.db, self.shared.actor, thresholds=self.thresholds)
        if self.shared.db.is_exercise:
            from krisenstab.services.exercise import ExerciseService

            ExerciseService(self.shared.db).attach(service)
        return service

    def _compute_cascade(self, **kwargs: Any) -> CascadeResult:
        return self._reader.cascade(**kwargs)

    # -- loading -----------------------------------------------------------------------
    def _fill_filter_choices(self) -> None:
        try:
            sectors = self._reader.sectors()
            municipalities = self._reader.municipality_names()
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(str(exc))
            return
        for combo, first, values in (
            (self.sector_combo, self.tr("Alle Sektoren"), sectors),
            (self.municipality_combo, self.tr("Alle Gemeinden"), municipalities),
        ):
            current = combo.currentData() or ALL
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, ALL)
            for value in values:
                combo.addItem(value, value)
            combo.setCurrentIndex(max(combo.findData(current), 0))
            combo.blockSignals(False)
        self.cascade.set_municipalities(municipalities)

    def reload(self) -> bool:
        """Read the register again (selection, filter and sort stay)."""
        now = utcnow()
        try:
            revision = self._reader.revision()
            views = self._reader.list()
            board = board_rows(views, now, self.thresholds)
            fuel = fuel_rows(board, now, float(self.power.extend_spin.value()), self.thresholds)
        except (StoreError, ServiceError, ValueError) as exc:
            self.message_bar.show_error(str(exc))
            return False
        self.now = now
        self._revision = revision
        keep = self.selected_facility_id()
        self.model.set_views(views, now)
        self.power.set_data(board, fuel, thresholds=self.thresholds, now=now)
        self.cascade.set_facilities(views)
        if keep is not None and not self.select_facility(keep, reset_filters=False):
            self.detail.clear()
        elif keep is not None:
            self._detail_timer.start()
        self._update_hits()
        self._update_warnings()
        return True

    def _apply_written(self, new: FacilityView) -> None:
        """Show a write made here without reading all facilities again.

        A status change or refuelling raises the register revision by one;
        anything else in between (another workstation) means a full reload.
        """
        expected = None if self._revision is None else self._revision + 1
        try:
            revision = self._reader.revision()
        except (StoreError, ServiceError):
            revision = None
        if revision is None or revision != expected or not self.model.update_view(new):
            self.reload()
            return
        self._revision = revision
        self.refresh_power()

    def refresh_power(self) -> None:
        """Board and refuelling order from the facilities already shown."""
        self.now = utcnow()
        board = board_rows(self.model.views, self.now, self.thresholds)
        fuel = fuel_rows(board, self.now, float(self.power.extend_spin.value()), self.thresholds)
        self.power.set_data(board, fuel, thresholds=self.thresholds, now=self.now)
        self._update_warnings()

    def refresh_if_changed(self) -> bool:
        """Reload when another writer (or workstation) changed the register."""
        try:
            revision = self._reader.revision()
        except (StoreError, ServiceError):
            return False
        if revision == self._revision:
            return False
        return self.reload()

    def tick(self, now: datetime | None = None) -> None:
        """The 30-second clock: count generators down, pick up changes from elsewhere."""
        if self.refresh_if_changed():
            return
        self.now = now or utcnow()
        self.model.set_now(self.now)
        self.power.tick(self.now)
        self.detail_tick()
        self._update_warnings()

    def detail_tick(self) -> None:
        self.detail.tick(self.now)

    # -- filtering ---------------------------------------------------------------------
    def current_filter(self) -> FacilityFilter:
        status = self.status_combo.currentData() or ALL
        statuses: tuple[str, ...] = ()
        if status == DISTURBED:
            statuses = tuple(s.value for s in STATUS_KEYS if s is not FacilityStatus.OPERATIONAL)
        elif status:
            statuses = (status,)
        sector = self.sector_combo.currentData() or ALL
        municipality = self.municipality_combo.currentData() or ALL
        return FacilityFilter(
            text=self.search_edit.text().strip(),
            sectors=(sector,) if sector else (),
            statuses=statuses,
            municipalities=(municipality,) if municipality else (),
        )

    def apply_filter(self) -> None:
        self._search_timer.stop()
        keep = self.selected_facility_id()
        self.proxy.set_filter(self.current_filter())
        self._update_hits()
        if keep is not None and self.proxy.row_of(keep) is not None:
            self.select_facility(keep, reset_filters=False)
        elif self.proxy.rowCount() and not self.table.currentIndex().isValid():
            self._select_row(0)

    def reset_filters(self) -> None:
        for combo in (self.sector_combo, self.status_combo, self.municipality_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self.apply_filter()

    def _update_hits(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if shown == total:
            text = self.tr("1 Objekt") if total == 1 else self.tr("{0} Objekte").format(total)
        else:
            text = self.tr("{0} von {1}").format(shown, total)
        self.hits_label.setText(text)

    def eventFilter(self, watched, event) -> bool:  # type: ignore[no-untyped-def]
        if watched is self.search_edit and event.type() == event.Type.KeyPress:
            if event.key() == Qt.Key.Key_Escape and self.search_edit.text():
                self.search_edit.clear()
                self.apply_filter()
                return True
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.apply_filter()
                self.focus_table()
                return True
        return super().eventFilter(watched, event)

    # -- selection ----------------------------------------------------------------------
    def selected_facility_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        view = self.proxy.view(index.row())
        return view.id if view else None

    def selected_facility(self) -> FacilityView | None:
        facility_id = self.selected_facility_id()
        return self.model.facility(facility_id) if facility_id else None

    def _select_row(self, row: int) -> None:
        index = self.proxy.index(row, FacilityColumn.NAME)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    def select_facility(self, facility_id: str, *, reset_filters: bool = True) -> bool:
        row = self.proxy.row_of(facility_id)
        if row is None and reset_filters and self.model.row_of(facility_id) is not None:
            self.reset_filters()
            row = self.proxy.row_of(facility_id)
        if row is None:
            return False
        self._select_row(row)
        return True

    def show_facility(self, facility_id: str) -> bool:
        """Jump to a facility in the list (from the board, the cascade, a dependency)."""
        self.show_page(PAGE_FACILITIES)
        if not self.select_facility(facility_id):
            return False
        self.show_detail_now()
        self.focus_table()
        return True

    def focus_table(self) -> None:
        if self.proxy.rowCount() and not self.table.currentIndex().isValid():
            self._select_row(0)
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def toggle_focus(self) -> None:
        if self.table.hasFocus():
            self.detail.pages.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self.show_page(PAGE_FACILITIES)
            self.focus_table()

    def _on_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._detail_timer.start()

    def show_detail_now(self) -> None:
        """Load the detail panel for the selected facility (normally after a short delay)."""
        self._detail_timer.stop()
        facility_id = self.selected_facility_id()
        if facility_id is None:
            self.detail.clear()
            return
        if self.status_panel.isVisible() and self.status_panel.facility_id != facility_id:
            self.status_panel.close_panel()
        try:
            detail = self._reader.detail(facility_id)
            statuses = self._reader.status_history(facility_id)
            changes = self._reader.change_history(facility_id)
        except (StoreError, ServiceError) as exc:
            self.detail.clear(str(exc))
            return
        self.detail.show_detail(
            detail,
            status_history=statuses,
            change_history=changes,
            lookup=self.model.facility,
            now=self.now,
        )
        self._load_dependency_view()

    def _load_dependency_view(self, *_args: object) -> None:
        """Transitive dependencies, only while their page is shown.

        They come from the compiled cascade graph: with 5,000 objects its
        first compilation (per register revision) takes a few hundred ms,
        which walking the list with the arrow keys should not pay.
        """
        facility_id = self.detail.facility_id
        if (
            facility_id is None
            or self.detail.pages.currentIndex() != FacilityDetailPanel.PAGE_DEPENDENCIES
            or self.detail.has_dependency_view
        ):
            return
        try:
            view = self._reader.dependency_view(facility_id)
        except (StoreError, ServiceError) as exc:
            self.detail.dependency_summary.setText(str(exc))
            return
        self.detail.set_dependency_view(view)

    # -- pages -------------------------------------------------------------------------
    def show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        if page == PAGE_POWER:
            self.power.focus_board()
        elif page == PAGE_CASCADE:
            self.cascade.compute_button.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _on_page_changed(self, page: int) -> None:
        if page == PAGE_CASCADE:
            self.cascade.ensure_computed()

    # -- writing: status, refuelling -----------------------------------------------------
    def write_block_reason(self) -> str | None:
        """Why a status cannot be reported now (German), or None."""
        reason = self.shared.read_only_reason
        if reason is not None:
            return reason
        if self.shared.incident is None:
            return self.tr(
                "Kein Ereignis geöffnet: eine Statusmeldung wird im Einsatztagebuch eines "
                "Ereignisses vermerkt. Bitte zuerst ein Ereignis öffnen (Strg+O) oder anlegen "
                "(Strg+Umschalt+N)."
            )
        return None

    def _update_write_state(self, *_args: object) -> None:
        reason = self.write_block_reason()
        for action in (*self.status_actions, self.status_panel_action, self.refuel_action):
            action.setEnabled(reason is None)
        self.import_action.setEnabled(not self.shared.db.read_only)
        self.keys_hint.setToolTip(reason or "")

    def _need_selection(self) -> FacilityView | None:
        view = self.selected_facility()
        if view is None:
            self.message_bar.show_message(
                self.tr("Bitte zuerst in der Liste ein Objekt auswählen."), "info"
            )
        return view

    def report_status(
        self,
        status: str,
        *,
        facility_id: str | None = None,
        note: str | None = None,
        source: str | None = None,
        since: datetime | None = None,
    ) -> FacilityView | None:
        """Report ``status`` for the selected (or given) facility; the service writes the ETB entry."""
        reason = self.write_block_reason()
        if reason is not None:
            self.message_bar.show_message(reason, "warning")
            return None
        view = self.model.facility(facility_id) if facility_id else self._need_selection()
        if view is None:
            return None
        incident_id = self.shared.incident_id
        service = self.service()
        try:
            new = service.set_status(
                view.id,
                status,
                incident_id=incident_id or None,
                note=note,
                source=source,
                since=since,
            )
            number = next(
                (h.journal_number for h in service.status_history(view.id) if h.journal_number),
                None,
            )
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(str(exc))
            return None
        self.message_bar.dismiss()
        # Shown before the journal signal goes out, so that this tab's own
        # listener finds the register unchanged and does not read it again.
        self._apply_written(new)
        self.shared.signals.journal_changed.emit(incident_id)
        if self.selected_facility_id() == new.id:
            self.show_detail_now()
        text = self.tr("Status gemeldet: {0}: {1} → {2}").format(new.name, view.status, new.status)
        if number is not None:
            text += self.tr(" (ETB Nr. {0})").format(number)
        self.shared.signals.status_message.emit(text + ".")
        return new

    def open_status_panel(self) -> None:
        reason = self.write_block_reason()
        if reason is not None:
            self.message_bar.show_message(reason, "warning")
            return
        self.show_page(PAGE_FACILITIES)
        view = self._need_selection()
        if view is not None:
            self.status_panel.open_for(view)
            # The panel takes room from the list: keep the chosen row in sight.
            QTimer.singleShot(0, lambda: self.table.scrollTo(self.table.currentIndex()))

    def _submit_status_panel(self) -> None:
        panel = self.status_panel
        if panel.facility_id is None:
            return
        since = None
        raw = panel.since_edit.text().strip()
        if raw:
            try:
                since = parse_user_time(raw, utcnow())
            except ValueError as exc:
                panel.since_edit.setStyleSheet("QLineEdit { border: 2px solid #C62828; }")
                self.message_bar.show_error(str(exc))
                panel.since_edit.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        new = self.report_status(
            panel.status,
            facility_id=panel.facility_id,
            note=panel.note_edit.text(),
            source=panel.source_edit.text(),
            since=since,
        )
        if new is not None:
            panel.close_panel()
            self.focus_table()

    def _cancel_status_panel(self) -> None:
        self.status_panel.close_panel()
        self.focus_table()

    def refuel_selected(self) -> None:
        if self.pages.currentIndex() == PAGE_POWER:
            facility_id = self.power.selected_facility_id()
        else:
            facility_id = self.selected_facility_id()
        if facility_id is None:
            self.power._request_refuel()
            return
        self.report_refuelling(facility_id)

    def report_refuelling(self, facility_id: str) -> None:
        reason = self.write_block_reason()
        if reason is not None:
            self.message_bar.show_message(reason, "warning")
            return
        view = self.model.facility(facility_id)
        if view is None:
            return
        if not view.on_emergency_power:
            self.message_bar.show_message(
                self.tr("„{0}“ ist nicht im Notstrombetrieb ({1}).").format(view.name, view.status),
                "info",
            )
            return
        answer = dialogs.ask_text(
            self,
            self.tr("Betankung melden"),
            self.tr(
                "Betankung von „{0}“: getankte Menge in Litern (leer lassen, wenn unbekannt). "
                "Die Restlaufzeit beginnt neu."
            ).format(view.name),
        )
        if answer is None:
            return
        litres = None
        if answer.strip():
            try:
                litres = float(answer.strip().replace(".", "").replace(",", "."))
            except ValueError:
                self.message_bar.show_error(
                    self.tr("„{0}“ ist keine Literzahl.").format(answer.strip())
                )
                return
        try:
            new = self.service().record_refuelling(
                facility_id, incident_id=self.shared.incident_id or None, litres=litres
            )
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(str(exc))
            return
        self.message_bar.dismiss()
        self._apply_written(new)
        self.shared.signals.journal_changed.emit(self.shared.incident_id)
        self.power.select_facility(facility_id)
        self.shared.signals.status_message.emit(
            self.tr("Betankung von „{0}“ gemeldet.").format(view.name)
        )

    # -- other actions ---------------------------------------------------------------------
    def copy_phone(self) -> None:
        if self.selected_facility() is None:
            self._need_selection()
            return
        if self.detail.facility_id != self.selected_facility_id():
            self.show_detail_now()
        if not self.detail.copy_phone():
            self.message_bar.show_message(
                self.tr("Für dieses Objekt ist keine 24/7-Nummer erfasst."), "info"
            )

    def what_if_selected(self) -> None:
        view = self._need_selection()
        if view is not None:
            self.what_if_facility(view.id)

    def what_if_facility(self, facility_id: str) -> None:
        """Show the cascade if ``facility_id`` failed now (nothing is stored)."""
        self.pages.blockSignals(True)
        self.pages.setCurrentIndex(PAGE_CASCADE)
        self.pages.blockSignals(False)
        self.cascade.what_if([facility_id])
        self.cascade.timeline_table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def open_import(self) -> kritis_import.ImportDialog | None:
        if self.shared.db.read_only:
            self.message_bar.show_message(self.shared.read_only_reason or "", "warning")
            return None
        if self.import_dialog is None:
            dialog = kritis_import.ImportDialog(self._run_import, self)
            dialog.imported.connect(self._on_imported)
            self.import_dialog = dialog
        dialog = self.import_dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        if dialog.state == kritis_import.IDLE:
            dialog.choose_file()
        return dialog

    def _run_import(self, source: str, **kwargs: Any) -> Any:
        # Runs in a worker thread: a service of its own, sessions opened there.
        return self.service().import_file(source, **kwargs)

    def _on_imported(self, plan: Any) -> None:
        self._fill_filter_choices()
        self.reload()
        self.shared.signals.status_message.emit(
            self.tr("KRITIS-Import: {0}").format(plan.summary())
        )

    def export(self) -> Worker | None:
        path = kritis_import.choose_export_file(self)
        if not path:
            return None
        fmt = kritis_import.export_format(path)
        service = self.service()
        worker = Worker(
            lambda progress: service.export(path, fmt, progress=progress), name="export"
        )
        worker.signals.finished.connect(
            lambda count: self.shared.signals.status_message.emit(
                self.tr("{0} Objekte exportiert nach {1}.").format(count, path)
            )
        )
        worker.signals.failed.connect(self.message_bar.show_error)
        worker.signals.done.connect(lambda: self._workers.remove(worker))
        self._workers.append(worker)
        self.shared.signals.status_message.emit(self.tr("Export läuft …"))
        start(worker)
        return worker

    # -- warnings: strip and badge --------------------------------------------------------
    def _update_warnings(self) -> None:
        self.warning_strip.set_warnings(self.power.warnings())
        self._update_badge()

    def _main_tab(self) -> tuple[QTabWidget, int] | None:
        chain: list[QWidget] = []
        widget: QWidget | None = self
        while widget is not None:
            chain.append(widget)
            parent = widget.parentWidget()
            if isinstance(parent, QTabWidget) or (
                parent is not None and isinstance(parent.parentWidget(), QTabWidget)
            ):
                tabs = parent if isinstance(parent, QTabWidget) else parent.parentWidget()
                assert isinstance(tabs, QTabWidget)
                for candidate in chain:
                    index = tabs.indexOf(candidate)
                    if index >= 0:
                        return tabs, index
            widget = parent
        return None

    def _update_badge(self) -> None:
        found = self._main_tab()
        if found is None:
            return
        tabs, index = found
        if self._base_title is None:
            self._base_title = tabs.tabText(index)
        warnings = self.power.warnings()
        bar = tabs.tabBar()
        if not warnings:
            tabs.setTabText(index, self._base_title)
            tabs.setTabIcon(index, QIcon())
            tabs.setTabToolTip(index, "")
            bar.setTabTextColor(index, QColor())
            return
        level = self.warning_strip.level
        tabs.setTabText(index, self.tr("{0} ({1})").format(self._base_title, len(warnings)))
        tabs.setTabIcon(index, warning_icon(level))
        tabs.setTabToolTip(index, self.warning_strip.text)
        urgent = level in (PowerWarning.CRITICAL, PowerWarning.EMPTY)
        bar.setTabTextColor(index, QColor("#B71C1C" if urgent else "#7A5A00"))

    # -- reacting to the shared state --------------------------------------------------
    def _on_journal_changed(self, _incident_id: str) -> None:
        # Status changes from other workstations arrive as journal entries.
        self.refresh_if_changed()
