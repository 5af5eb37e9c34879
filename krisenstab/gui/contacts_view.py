"""The Kontakte/Zuständigkeiten tab: who is responsible, and how to reach them.

Typing "Trinkwasser Jülich" lists, while typing, the responsible
organisation, function or person with deputy and 24/7 number. One click on a
number copies it; Enter (or Strg+C) on a hit copies its 24/7 number. The
import of a contacts table runs through `ContactImportDialog`.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from krisenstab.gui import workers
from krisenstab.gui.contacts_import import ContactImportDialog
from krisenstab.gui.contacts_model import (
    HIT_ROLE,
    ContactColumn,
    ContactHitModel,
    best_number,
)
from krisenstab.gui.shared import Shared
from krisenstab.gui.staff_widgets import (
    COPY_ROLE,
    CopyButton,
    CopyDelegate,
    FittedTableView,
    copy_text,
    tab_action,
)
from krisenstab.gui.widgets import MessageBar
from krisenstab.services.contacts import ContactHit, ContactService, ImportReport
from krisenstab.services.context import ServiceError
from krisenstab.store.errors import StoreError

SEARCH_DEBOUNCE_MS = 150
MAX_HITS = 50


class ContactDetail(QScrollArea):
    """Every way to reach the selected hit, each with its own copy button."""

    def __init__(self, tab: ContactsTab) -> None:
        super().__init__(tab)
        self.setObjectName("contactDetail")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._tab = tab
        self.copy_buttons: list[CopyButton] = []
        self.show_hit(None)

    def show_hit(self, hit: ContactHit | None) -> None:
        self.copy_buttons = []
        body = QWidget(self)
        layout = QVBoxLayout(body)
        if hit is None:
            empty = QLabel(
                self.tr(
                    "Suchbegriffe eingeben, z. B. „Trinkwasser Jülich“, „Strom Kreuzau“ oder "
                    "einen Namen. Pfeil nach unten wechselt in die Treffer."
                ),
                body,
            )
            empty.setWordWrap(True)
            layout.addWidget(empty)
            layout.addStretch(1)
            self.setWidget(body)
            return
        title = QLabel(f"<b>{html.escape(hit.title)}</b>", body)
        title.setWordWrap(True)
        font = QFont(title.font())
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.2)
        title.setFont(font)
        layout.addWidget(title)
        facts = [
            hit.who,
            hit.municipality and self.tr("Gemeinde: {0}").format(hit.municipality),
            hit.sector
            and self.tr("KRITIS: {0}").format(" / ".join(p for p in (hit.sector, hit.branch) if p)),
            hit.facility_label and self.tr("Objekt: {0}").format(hit.facility_label),
            hit.functions and self.tr("Funktion im Stab: {0}").format(", ".join(hit.functions)),
        ]
        for fact in facts:
            if fact:
                label = QLabel(fact, body)
                label.setWordWrap(True)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                layout.addWidget(label)
        grid = QGridLayout()
        row = 0
        for label, value in hit.reach:
            row = self._add_reach(grid, body, row, label, value, bold=label == "24/7")
        if hit.deputy:
            heading = QLabel(
                self.tr("<b>Vertretung:</b> {0}").format(html.escape(hit.deputy)), body
            )
            heading.setWordWrap(True)
            grid.addWidget(heading, row, 0, 1, 3)
            row += 1
            for label, value in hit.deputy_reach:
                row = self._add_reach(grid, body, row, label, value)
        layout.addLayout(grid)
        if hit.notes:
            notes = QLabel(self.tr("Bemerkung: {0}").format(hit.notes), body)
            notes.setWordWrap(True)
            layout.addWidget(notes)
        layout.addStretch(1)
        self.setWidget(body)

    def _add_reach(
        self,
        grid: QGridLayout,
        parent: QWidget,
        row: int,
        label: str,
        value: str,
        bold: bool = False,
    ) -> int:
        name = QLabel(f"{label}:", parent)
        number = QLabel(value, parent)
        number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if bold:
            font = QFont(number.font())
            font.setBold(True)
            number.setFont(font)
            name.setFont(font)
        button = CopyButton(value, self._tab.notify, parent)
        self.copy_buttons.append(button)
        grid.addWidget(name, row, 0)
        grid.addWidget(number, row, 1)
        grid.addWidget(button, row, 2)
        grid.setColumnStretch(1, 1)
        return row + 1


class ContactsTab(QWidget):
    """„Kontakte/Zuständigkeiten“: lookup as you type, copy numbers, import."""

    def __init__(self, shared: Shared, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactsTab")
        self.shared = shared
        self.import_dialog: ContactImportDialog | None = None
        self._prepare_worker: workers.Worker | None = None
        self.model = ContactHitModel(self)
        self.message_bar = MessageBar(self)

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("contactSearch")
        self.search_edit.setPlaceholderText(
            self.tr("Wer ist zuständig? z. B. „Trinkwasser Jülich“ … (Strg+F)")
        )
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName(self.tr("Zuständigkeit suchen"))
        font = QFont(self.search_edit.font())
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.25)
        self.search_edit.setFont(font)
        self.hits_label = QLabel(self)
        self.hits_label.setObjectName("contactHits")
        self.import_button = QPushButton(self.tr("&Importieren …"), self)
        self.import_button.setAutoDefault(False)
        bar = QHBoxLayout()
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.hits_label)
        bar.addWidget(self.import_button)

        table = FittedTableView(self)
        table.setObjectName("contactResults")
        table.setAccessibleName(self.tr("Zuständige"))
        table.setModel(self.model)
        table.setItemDelegate(CopyDelegate(table))
        table.setAlternatingRowColors(True)
        table.set_columns(
            {
                ContactColumn.SUBJECT: ("Abwasserbeseitigung und Kläran", True),
                ContactColumn.MUNICIPALITY: ("Hürtgenwald", True),
                ContactColumn.PHONE_24H: ("0221 4710 888", False),
                ContactColumn.REACH: ("Telefon: 0221 4710 888", False),
                ContactColumn.DEPUTY: ("Vertretung im Bereitschaftsplan", True),
            },
            ContactColumn.WHO,
            share=0.25,
            copy_columns=frozenset(
                {ContactColumn.PHONE_24H, ContactColumn.REACH, ContactColumn.DEPUTY}
            ),
        )
        self.table = table
        self.detail = ContactDetail(self)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        fm = self.fontMetrics()
        splitter.setSizes([fm.height() * 70, fm.height() * 22])

        layout = QVBoxLayout(self)
        margin = max(2, self.fontMetrics().height() // 4)
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.addLayout(bar)
        layout.addWidget(self.message_bar)
        layout.addWidget(splitter, 1)

        self._build_actions()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.search)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self.search_edit.returnPressed.connect(self._search_now)
        self.search_edit.installEventFilter(self)
        self.table.installEventFilter(self)
        self.table.clicked.connect(self._on_clicked)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.import_button.clicked.connect(self.import_contacts)
        self.setFocusProxy(self.search_edit)
        self._prepare_index()
        self._update_hits_label()

    def _build_actions(self) -> None:
        self.search_action = tab_action(
            self, self.tr("&Suchen"), None, self.focus_search,
            self.tr("In das Suchfeld (Strg+F)"),
        )  # fmt: skip
        self.copy_action = tab_action(
            self, self.tr("Nummer &kopieren"), QKeySequence.StandardKey.Copy, self.copy_selected,
            self.tr("Die 24/7-Nummer des markierten Treffers kopieren"),
        )  # fmt: skip
        self.import_action = tab_action(
            self, self.tr("Kontakte &importieren …"), "Ctrl+I", self.import_contacts,
            self.tr("Zuständigkeiten aus CSV oder XLSX importieren (mit Probelauf)"),
        )  # fmt: skip

    def menu_title(self) -> str:
        return self.tr("&Kontakte")

    def menu_actions(self) -> list[QAction]:
        return [self.search_action, self.copy_action, self.import_action]

    # -- public API ------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def activated(self) -> None:
        if not self.search_edit.hasFocus() and not self.table.hasFocus():
            self.focus_search()

    def notify(self, text: str) -> None:
        self.shared.signals.status_message.emit(text)

    def selected_hit(self) -> ContactHit | None:
        index = self.table.currentIndex()
        return index.data(HIT_ROLE) if index.isValid() else None

    def copy_selected(self) -> bool:
        hit = self.selected_hit()
        if hit is None and self.model.rowCount():
            hit = self.model.hit(0)
        number = best_number(hit) if hit else None
        return bool(number) and copy_text(number, self.notify)

    def search(self) -> None:
        self._search_timer.stop()
        text = self.search_edit.text()
        try:
            hits = ContactService(self.shared.db).find(text, limit=MAX_HITS)
        except (ServiceError, StoreError) as exc:
            self.message_bar.show_error(str(exc))
            return
        self.message_bar.dismiss()
        self.model.set_hits(hits)
        if hits:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        else:
            self.detail.show_hit(None)
        self._update_hits_label()

    def import_contacts(self) -> ContactImportDialog:
        """Open the import dialog (non-blocking) and let it ask for the file."""
        if self.import_dialog is None:
            dialog = ContactImportDialog(self.shared, self)
            dialog.imported.connect(self._on_imported)
            self.import_dialog = dialog
        self.import_dialog.open()
        return self.import_dialog

    # -- internals ---------------------------------------------------------------------
    def _prepare_index(self) -> None:
        """Read the word index in the background, so the first keystroke is fast."""
        db = self.shared.db
        worker = workers.Worker(lambda _p: ContactService(db).prepare(), name="contact-index")
        worker.signals.done.connect(self._on_prepared)
        self._prepare_worker = worker
        workers.start(worker)

    def _on_prepared(self) -> None:
        self._prepare_worker = None
        self._update_hits_label()

    def _update_hits_label(self) -> None:
        words = self.search_edit.text().strip()
        if not words:
            try:
                total = ContactService(self.shared.db).count()
            except StoreError:
                total = 0
            self.hits_label.setText(self.tr("{0} Zuständigkeiten erfasst").format(total))
        elif self.model.rowCount() == 0:
            self.hits_label.setText(self.tr("Keine Treffer"))
        elif self.model.rowCount() >= MAX_HITS:
            self.hits_label.setText(self.tr("die {0} besten Treffer").format(MAX_HITS))
        else:
            self.hits_label.setText(self.tr("{0} Treffer").format(self.model.rowCount()))

    def _search_now(self) -> None:
        self.search()
        if self.model.rowCount():
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.detail.show_hit(current.data(HIT_ROLE) if current.isValid() else None)

    def _on_clicked(self, index: QModelIndex) -> None:
        value = index.data(COPY_ROLE)
        if value:
            copy_text(str(value), self.notify)

    def _on_imported(self, report: ImportReport) -> None:
        self.notify(report.summary())
        self.search()

    def eventFilter(self, watched, event) -> bool:  # type: ignore[no-untyped-def]
        if event.type() == event.Type.KeyPress:
            key = event.key()
            if watched is self.search_edit:
                if key == Qt.Key.Key_Down and self.model.rowCount():
                    self._search_timer.stop()
                    self.search()
                    self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                    return True
                if key == Qt.Key.Key_Escape and self.search_edit.text():
                    self.search_edit.clear()
                    self.search()
                    return True
            if watched is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.copy_selected()
                return True
        return super().eventFilter(watched, event)
