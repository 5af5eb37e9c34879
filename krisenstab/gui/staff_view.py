"""The Stab tab: the board „Wer ist wer“ and the roster with its handover form.

The board shows every staff function with its holder now and how to reach
them; one click on a number copies it. The roster lists who held which
function from when to when; the form below it assigns a function or hands it
over (the service writes the journal entry of every handover, the ETB
keeper's included).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.timefmt import format_dtg, utcnow
from krisenstab.gui import dialogs
from krisenstab.gui.shared import Shared
from krisenstab.gui.staff_model import (
    BOARD_ROW_ROLE,
    COPY_COLUMNS,
    SORT_ROLE,
    BoardColumn,
    BoardModel,
    RosterColumn,
    RosterModel,
)
from krisenstab.gui.staff_widgets import (
    COPY_ROLE,
    CopyDelegate,
    FittedTableView,
    copy_text,
    parse_deadline,
    tab_action,
)
from krisenstab.gui.timeinput import parse_user_time
from krisenstab.gui.widgets import MessageBar
from krisenstab.services.context import ServiceError
from krisenstab.services.staff import (
    BoardRow,
    FunctionView,
    MergeNotForeseen,
    PersonView,
    StaffService,
)
from krisenstab.store.errors import StoreError

POLL_INTERVAL_MS = 2000
# The board depends on the clock too (a planned shift begins): re-read it
# at least this often even when nothing was written.
BOARD_REFRESH_TICKS = 15
FILTER_DEBOUNCE_MS = 120


def _table(parent: QWidget, name: str, accessible: str) -> FittedTableView:
    table = FittedTableView(parent)
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setAlternatingRowColors(True)
    return table


class HandoverForm(QFrame):
    """Assign a function or hand it over; a new person is created on the way."""

    def __init__(self, tab: StaffTab) -> None:
        super().__init__(tab)
        self.setObjectName("handoverForm")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._tab = tab
        self._people: dict[str, PersonView] = {}

        title = QLabel(self.tr("<b>Funktion besetzen / übergeben</b>"), self)
        self.function_combo = QComboBox(self)
        self.function_combo.setAccessibleName(self.tr("Stabsfunktion"))
        self.person_combo = QComboBox(self)
        self.person_combo.setEditable(True)
        self.person_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.person_combo.setAccessibleName(self.tr("Person, die die Funktion übernimmt"))
        self.person_combo.lineEdit().setPlaceholderText(self.tr("Name (neu oder aus der Liste)"))
        self.person_combo.lineEdit().setClearButtonEnabled(True)
        self.starts_edit = QLineEdit(self)
        self.starts_edit.setPlaceholderText(self.tr("jetzt"))
        self.starts_edit.setToolTip(
            self.tr("Beginn: leer = jetzt; hh:mm, TT.MM.JJJJ hh:mm oder Datum-Zeit-Gruppe")
        )
        self.ends_edit = QLineEdit(self)
        self.ends_edit.setPlaceholderText(self.tr("offen"))
        self.ends_edit.setToolTip(
            self.tr("Ende: leer = bis zur nächsten Übergabe; hh:mm (nächstes), +8h, Datum")
        )
        self.note_edit = QLineEdit(self)
        self.note_edit.setPlaceholderText(self.tr("z. B. offene Punkte der Übergabe"))

        # Contact data, asked only when the name is not known yet.
        self.new_person_box = QGroupBox(self.tr("Neue Person – Erreichbarkeit"), self)
        self.phone_edit = QLineEdit(self.new_person_box)
        self.mobile_edit = QLineEdit(self.new_person_box)
        self.radio_edit = QLineEdit(self.new_person_box)
        self.email_edit = QLineEdit(self.new_person_box)
        self.organisation_edit = QLineEdit(self.new_person_box)
        person_form = QFormLayout(self.new_person_box)
        person_form.addRow(self.tr("Telefon:"), self.phone_edit)
        person_form.addRow(self.tr("Mobil:"), self.mobile_edit)
        person_form.addRow(self.tr("Funkrufname:"), self.radio_edit)
        person_form.addRow(self.tr("E-Mail:"), self.email_edit)
        person_form.addRow(self.tr("Organisation:"), self.organisation_edit)
        self.new_person_box.hide()

        self.hint_label = QLabel(self)
        self.hint_label.setObjectName("handoverHint")
        self.hint_label.setWordWrap(True)
        self.hint_label.setStyleSheet("QLabel#handoverHint { color: #5C4400; }")

        self.save_button = QPushButton(self.tr("Übernehmen (Strg+Eingabe)"), self)
        self.save_button.setAutoDefault(False)
        self.release_button = QPushButton(self.tr("Funktion abgeben"), self)
        self.release_button.setAutoDefault(False)
        self.release_button.setToolTip(
            self.tr("Die Inhaberin/der Inhaber gibt die Funktion ohne Nachfolge ab")
        )

        form = QFormLayout()
        form.addRow(self.tr("&Funktion:"), self.function_combo)
        form.addRow(self.tr("&Person:"), self.person_combo)
        form.addRow(self.tr("ab:"), self.starts_edit)
        form.addRow(self.tr("bis:"), self.ends_edit)
        form.addRow(self.tr("Be&merkung:"), self.note_edit)
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is not None and field is not None and isinstance(label.widget(), QLabel):
                label.widget().setBuddy(field.widget())

        buttons = QHBoxLayout()
        buttons.addWidget(self.release_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.new_person_box)
        layout.addWidget(self.hint_label)
        layout.addStretch(1)
        layout.addLayout(buttons)

        self.save_action = QAction(self.tr("Besetzung speichern"), self)
        self.save_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_action.triggered.connect(self.save)
        self.addAction(self.save_action)
        self.save_button.clicked.connect(self.save)
        self.release_button.clicked.connect(self.release)

        self._hint_timer = QTimer(self)
        self._hint_timer.setSingleShot(True)
        self._hint_timer.setInterval(200)
        self._hint_timer.timeout.connect(self.update_hint)
        self.function_combo.currentIndexChanged.connect(self._hint_timer.start)
        self.person_combo.editTextChanged.connect(self._hint_timer.start)
        self.starts_edit.textChanged.connect(self._hint_timer.start)

    # -- content ---------------------------------------------------------------
    def set_choices(self, functions: list[FunctionView], people: list[PersonView]) -> None:
        current_function = self.function_combo.currentData()
        typed = self.person_combo.currentText()
        self.function_combo.blockSignals(True)
        self.function_combo.clear()
        for function in functions:
            self.function_combo.addItem(function.label, function.name)
        index = self.function_combo.findData(current_function) if current_function else 0
        self.function_combo.setCurrentIndex(max(index, 0))
        self.function_combo.blockSignals(False)
        self._people = {" ".join(p.name.split()).casefold(): p for p in people}
        self.person_combo.blockSignals(True)
        self.person_combo.clear()
        for person in people:
            self.person_combo.addItem(person.name, person.id)
        self.person_combo.setCurrentIndex(-1)
        self.person_combo.setEditText(typed)
        self.person_combo.blockSignals(False)

    def select_function(self, name: str) -> None:
        index = self.function_combo.findData(name)
        if index >= 0:
            self.function_combo.setCurrentIndex(index)

    def known_person(self) -> PersonView | None:
        return self._people.get(" ".join(self.person_combo.currentText().split()).casefold())

    def clear(self) -> None:
        for edit in (
            self.starts_edit,
            self.ends_edit,
            self.note_edit,
            self.phone_edit,
            self.mobile_edit,
            self.radio_edit,
            self.email_edit,
            self.organisation_edit,
        ):
            edit.clear()
        self.person_combo.setCurrentIndex(-1)
        self.person_combo.setEditText("")
        self.hint_label.clear()

    def focus_person(self) -> None:
        self.person_combo.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.person_combo.lineEdit().selectAll()

    def _times(self) -> tuple[datetime | None, datetime | None]:
        starts = (
            parse_user_time(self.starts_edit.text()) if self.starts_edit.text().strip() else None
        )
        ends = parse_deadline(self.ends_edit.text(), starts or utcnow())
        return starts, ends

    def update_hint(self) -> None:
        """What will happen (handover, merge warning, new person), before saving."""
        name = self.person_combo.currentText().strip()
        function = self.function_combo.currentData()
        person = self.known_person()
        self.new_person_box.setVisible(bool(name) and person is None)
        if not name or not function:
            self.hint_label.clear()
            return
        lines = []
        if person is None:
            lines.append(
                self.tr("„{0}“ ist noch nicht erfasst und wird neu angelegt.").format(name)
            )
        else:
            try:
                starts, _ends = self._times()
                lines.extend(self._tab.service().assignment_warnings(function, person.id, starts))
            except (ValueError, ServiceError, StoreError) as exc:
                lines.append(str(exc))
        self.hint_label.setText("\n".join(lines))

    # -- saving ----------------------------------------------------------------
    def save(self) -> None:
        self._tab.assign_from_form()

    def release(self) -> None:
        self._tab.release_function(self.function_combo.currentData() or "")


class StaffTab(QWidget):
    """„Stab“: who holds which function, since when, and how to reach them."""

    def __init__(self, shared: Shared, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffTab")
        self.shared = shared
        self._stamp: tuple[int, int, str] | None = None
        self._ticks = 0

        self.message_bar = MessageBar(self)
        self.board_model = BoardModel(self)
        self.board_proxy = QSortFilterProxyModel(self)
        self.board_proxy.setSourceModel(self.board_model)
        self.board_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.board_proxy.setFilterKeyColumn(-1)
        self.roster_model = RosterModel(self)
        self.roster_proxy = QSortFilterProxyModel(self)
        self.roster_proxy.setSourceModel(self.roster_model)
        self.roster_proxy.setSortRole(SORT_ROLE)
        self.roster_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.roster_proxy.setFilterKeyColumn(-1)

        self.pages = QTabWidget(self)
        self.pages.setObjectName("staffPages")
        self.pages.addTab(self._build_board_page(), self.tr("&Wer ist wer"))
        self.pages.addTab(self._build_roster_page(), self.tr("Besetzung und Über&gaben"))

        layout = QVBoxLayout(self)
        margin = max(2, self.fontMetrics().height() // 4)
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.pages, 1)

        self._build_actions()
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DEBOUNCE_MS)
        self._filter_timer.timeout.connect(self._apply_filter)
        self.filter_edit.textChanged.connect(self._filter_timer.start)
        self.board.clicked.connect(self._on_board_clicked)
        self.board.doubleClicked.connect(lambda _i: self.start_handover())
        # Enter on a row hands that function over; not `activated`, which some
        # desktops emit on a single click (that click copies a number).
        self.board.installEventFilter(self)
        self.filter_edit.installEventFilter(self)

        self._poll = QTimer(self)
        self._poll.setInterval(POLL_INTERVAL_MS)
        self._poll.timeout.connect(self.poll)
        self._poll.start()
        shared.signals.journal_changed.connect(lambda _id: self.poll())
        shared.signals.incident_changed.connect(lambda _id: self._update_read_only())
        self._update_read_only()
        self.reload()

    # -- construction ----------------------------------------------------------
    def _build_board_page(self) -> QWidget:
        page = QWidget(self)
        self.filter_edit = QLineEdit(page)
        self.filter_edit.setObjectName("boardFilter")
        self.filter_edit.setPlaceholderText(self.tr("Funktion oder Name filtern … (Strg+F)"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName(self.tr("Wer ist wer filtern"))
        self.board_info = QLabel(page)
        self.board_info.setObjectName("boardInfo")
        self.board_warning = QLabel(page)
        self.board_warning.setObjectName("boardWarning")
        self.board_warning.setWordWrap(True)
        self.board_warning.setStyleSheet("QLabel#boardWarning { color: #7A1010; }")
        self.board_warning.hide()
        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.board_info)

        table = _table(page, "staffBoard", self.tr("Wer ist wer"))
        table.setModel(self.board_proxy)
        table.setItemDelegate(CopyDelegate(table))
        table.set_columns(
            {
                BoardColumn.FUNCTION: ("S6 – Information und Kommunikation", True),
                BoardColumn.HOLDER: ("Dr. Klaus Beispiel (auch S3)", True),
                BoardColumn.SINCE: ("88.88. 88:88", False),
                BoardColumn.PHONE: ("0221 4710 888", False),
                BoardColumn.MOBILE: ("0221 4710 888", False),
                BoardColumn.RADIO: ("Florian Düren 1/S2", True),
                BoardColumn.DEPUTY: ("Petra Beispielmann (0221 4710 888)", True),
            },
            BoardColumn.EMAIL,
            share=0.16,
            copy_columns=frozenset(COPY_COLUMNS),
        )
        self.board = table

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.board_warning)
        layout.addWidget(table, 1)
        hint = QLabel(
            self.tr(
                "Ein Klick auf eine Nummer kopiert sie (Strg+C: die markierte Zelle). "
                "Eingabe auf einer Zeile: Übergabe dieser Funktion."
            ),
            page,
        )
        hint.setObjectName("boardHint")
        hint.setStyleSheet("QLabel#boardHint { color: palette(mid); }")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        return page

    def _build_roster_page(self) -> QWidget:
        page = QWidget(self)
        table = _table(page, "staffRoster", self.tr("Besetzung der Stabsfunktionen"))
        table.setModel(self.roster_proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(RosterColumn.STARTS, Qt.SortOrder.DescendingOrder)
        table.set_columns(
            {
                RosterColumn.FUNCTION: ("Fachberater Wasserwirtschaft", True),
                RosterColumn.PERSON: ("Dr. Klaus Beispiel", True),
                RosterColumn.STARTS: ("88.88. 88:88", False),
                RosterColumn.ENDS: ("– hält sie –", False),
                RosterColumn.ASSIGNED_BY: ("Lena Beispiel (S1)", True),
            },
            RosterColumn.NOTE,
            share=0.15,
        )
        self.roster = table
        self.form = HandoverForm(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, page)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(table)
        splitter.addWidget(self.form)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter, 1)
        return page

    def _build_actions(self) -> None:
        self.handover_action = tab_action(
            self, self.tr("&Übergabe / Besetzung …"), "Ctrl+N", self.start_handover,
            self.tr("Die ausgewählte Funktion besetzen oder übergeben"),
        )  # fmt: skip
        self.copy_action = tab_action(
            self, self.tr("Nummer &kopieren"), QKeySequence.StandardKey.Copy, self.copy_current,
            self.tr("Die markierte Nummer in die Zwischenablage kopieren"),
        )  # fmt: skip
        self.board_action = tab_action(
            self, self.tr("&Wer ist wer"), "Alt+1", lambda: self.pages.setCurrentIndex(0),
            self.tr("Zur Tafel „Wer ist wer“"),
        )  # fmt: skip
        self.roster_action = tab_action(
            self, self.tr("Besetzung und Über&gaben"), "Alt+2",
            lambda: self.pages.setCurrentIndex(1),
            self.tr("Zur Besetzungsliste mit dem Übergabeformular"),
        )  # fmt: skip

    def menu_title(self) -> str:
        return self.tr("&Stab")

    def menu_actions(self) -> list[QAction]:
        return [
            self.handover_action,
            self.form.save_action,
            self.copy_action,
            self.board_action,
            self.roster_action,
        ]

    # -- services ----------------------------------------------------------------
    def service(self) -> StaffService:
        return StaffService(self.shared.db, self.shared.actor)

    # -- public API ----------------------------------------------------------------
    def focus_search(self) -> None:
        self.pages.setCurrentIndex(0)
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def activated(self) -> None:
        self.poll()

    def unsaved_work(self) -> str | None:
        if self.form.person_combo.currentText().strip() and self.form.known_person() is None:
            return self.tr("Im Übergabeformular steht eine Person, die noch nicht gespeichert ist.")
        return None

    def selected_board_row(self) -> BoardRow | None:
        index = self.board.currentIndex()
        if not index.isValid():
            return None
        return index.data(BOARD_ROW_ROLE)

    def select_function(self, name: str) -> bool:
        row = self.board_model.row_of(name)
        if row is None:
            return False
        index = self.board_proxy.mapFromSource(self.board_model.index(row, 0))
        if not index.isValid():
            return False
        self.board.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        return True

    def start_handover(self) -> None:
        row = self.selected_board_row() if self.pages.currentIndex() == 0 else None
        self.pages.setCurrentIndex(1)
        if row is not None:
            self.form.select_function(row.function.name)
        self.form.focus_person()

    def copy_current(self) -> None:
        index = self.board.currentIndex() if self.pages.currentIndex() == 0 else QModelIndex()
        if not index.isValid():
            return
        value = index.data(COPY_ROLE)
        if not value:
            row: BoardRow | None = index.data(BOARD_ROW_ROLE)
            holder = row.holder if row else None
            value = (holder.mobile or holder.phone) if holder else None
        if value:
            copy_text(str(value), self.shared.signals.status_message.emit)

    # -- loading ---------------------------------------------------------------------
    def poll(self) -> None:
        if not self.isVisible():
            return
        self._ticks += 1
        try:
            stamp = self.service().state_stamp()
        except StoreError as exc:
            self.message_bar.show_error(str(exc))
            return
        if stamp != self._stamp:
            self.reload()
        elif self._ticks >= BOARD_REFRESH_TICKS:
            self.reload(choices=False)

    def reload(self, choices: bool = True) -> None:
        """Read board and roster again; ``choices`` also the form's functions and people."""
        service = self.service()
        now = utcnow()
        try:
            self._stamp = service.state_stamp()
            board = service.board(now)
            roster = service.roster()
            functions = service.functions() if choices else []
            people = service.people() if choices else []
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(str(exc))
            return
        self._ticks = 0
        keep = self.selected_board_row()
        self.board_model.set_rows(board.rows)
        self.roster_model.set_rows(roster, now)
        if choices and not self.form.person_combo.hasFocus():
            # Not while someone types a name: the list would reset under them.
            self.form.set_choices(functions, people)
        held = sum(1 for r in board.rows if not r.vacant)
        self.board_info.setText(
            self.tr("{0} von {1} Funktionen besetzt · Stand {2}").format(
                held, len(board.rows), format_dtg(now)
            )
        )
        self.board_warning.setVisible(bool(board.warnings))
        self.board_warning.setText("\n".join(board.warnings))
        if keep is not None:
            self.select_function(keep.function.name)

    def eventFilter(self, watched, event) -> bool:  # type: ignore[no-untyped-def]
        if event.type() == event.Type.KeyPress:
            key = event.key()
            if watched is self.board and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.start_handover()
                return True
            if watched is self.filter_edit and key == Qt.Key.Key_Down:
                if self.board_proxy.rowCount() and not self.board.currentIndex().isValid():
                    self.board.setCurrentIndex(self.board_proxy.index(0, 0))
                self.board.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return super().eventFilter(watched, event)

    def _apply_filter(self) -> None:
        self.board_proxy.setFilterFixedString(self.filter_edit.text().strip())

    def _on_board_clicked(self, index: QModelIndex) -> None:
        value = index.data(COPY_ROLE)
        if value:
            copy_text(str(value), self.shared.signals.status_message.emit)

    def _update_read_only(self) -> None:
        reason = self.shared.read_only_reason if self.shared.db.read_only else None
        for widget in (self.form.save_button, self.form.release_button):
            widget.setEnabled(reason is None)
        self.form.save_action.setEnabled(reason is None)
        self.handover_action.setEnabled(reason is None)
        if reason:
            self.form.hint_label.setText(reason)

    # -- writing -----------------------------------------------------------------------
    def _notify_written(self, text: str) -> None:
        self.message_bar.dismiss()
        self.shared.signals.status_message.emit(text)
        if self.shared.incident_id:
            self.shared.signals.journal_changed.emit(self.shared.incident_id)
        self.reload()

    def assign_from_form(self) -> bool:
        form = self.form
        function = form.function_combo.currentData()
        name = " ".join(form.person_combo.currentText().split())
        if not function or not name:
            self.message_bar.show_message(self.tr("Bitte Funktion und Person angeben."), "warning")
            form.focus_person()
            return False
        try:
            starts, ends = form._times()
        except ValueError as exc:
            self.message_bar.show_error(str(exc))
            return False
        service = self.service()
        person = form.known_person()
        try:
            if person is None:
                person = service.add_person(
                    name,
                    phone=form.phone_edit.text() or None,
                    mobile=form.mobile_edit.text() or None,
                    radio_call_sign=form.radio_edit.text() or None,
                    email=form.email_edit.text() or None,
                    organisation=form.organisation_edit.text() or None,
                )
            try:
                result = service.assign(
                    function, person.id, at=starts, until=ends, note=form.note_edit.text() or None
                )
            except MergeNotForeseen as exc:
                if not dialogs.confirm(self, self.tr("Ungewöhnliche Zusammenlegung"), str(exc)):
                    self.reload()
                    return False
                result = service.assign(
                    function,
                    person.id,
                    at=starts,
                    until=ends,
                    note=form.note_edit.text() or None,
                    allow_unusual_merge=True,
                )
        except (ServiceError, StoreError) as exc:
            self.message_bar.show_error(self.tr("Nicht gespeichert: {0}").format(exc))
            self.reload()
            return False
        if result.previous is not None:
            text = self.tr("Übergabe {0}: {1} → {2} gespeichert.").format(
                result.assignment.function, result.previous.person, result.assignment.person
            )
        else:
            text = self.tr("{0} besetzt mit {1}.").format(
                result.assignment.function, result.assignment.person
            )
        form.clear()
        self._notify_written(text)
        return True

    def release_function(self, function: str) -> bool:
        if not function:
            return False
        if not dialogs.confirm(
            self,
            self.tr("Funktion abgeben"),
            self.tr(
                "{0} ab jetzt ohne Nachfolge abgeben (die Funktion ist dann unbesetzt)?"
            ).format(function),
        ):
            return False
        try:
            view = self.service().release(function, note=self.form.note_edit.text() or None)
        except (ServiceError, StoreError) as exc:
            self.message_bar.show_error(self.tr("Nicht gespeichert: {0}").format(exc))
            return False
        self.form.clear()
        self._notify_written(
            self.tr("{0} abgegeben (bisher {1}).").format(view.function, view.person)
        )
        return True
