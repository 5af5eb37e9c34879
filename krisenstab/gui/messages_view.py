"""The Nachrichten tab: inbox per function, triage queue, register, and the form.

Left, three lists (Alt+1/2/3): the inbox of a function (mine by default;
unacknowledged first, Blitz before Sofort before Einfach), the Sichtung
queue of incoming messages nobody has distributed yet, and the Ein-/
Ausgangsnachweisung. Right, the Vierfachvordruck: it shows the selected
message, or takes a new one (Strg+N). Strg+B acknowledges the shown message
for my function, Strg+R answers it, Strg+T makes a task of it.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.message import MessageView, excerpt
from krisenstab.gui import dialogs
from krisenstab.gui.messages_form import FunctionListEdit, MessageDraft, MessageForm
from krisenstab.gui.messages_model import (
    MESSAGE_ID_ROLE,
    ListKind,
    MessageColumn,
    MessageListModel,
    PageFetcher,
)
from krisenstab.gui.shared import Shared
from krisenstab.gui.staff_widgets import FittedTableView, tab_action
from krisenstab.gui.tasks_editor import TaskDraft, TaskEditor, write_draft
from krisenstab.gui.widgets import MessageBar
from krisenstab.services.context import ServiceError
from krisenstab.services.messages import MessageService
from krisenstab.services.staff import StaffService
from krisenstab.store.errors import StoreError

INBOX, TRIAGE, REGISTER = 0, 1, 2
_REGISTER_DIRECTIONS = (
    (QT_TRANSLATE_NOOP("MessagesTab", "Ein- und Ausgänge"), None),
    (QT_TRANSLATE_NOOP("MessagesTab", "nur Eingänge"), "E"),
    (QT_TRANSLATE_NOOP("MessagesTab", "nur Ausgänge"), "A"),
)


def message_table(
    parent: QWidget, model: MessageListModel, name: str, accessible: str
) -> FittedTableView:
    """A message list: uniform rows (the view never measures 20,000 of them)."""
    table = FittedTableView(parent)
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setModel(model)
    table.setAlternatingRowColors(True)
    # The channel is on the form; in the narrow list it costs more than it tells.
    table.setColumnHidden(MessageColumn.CHANNEL, True)
    table.set_columns(
        {
            MessageColumn.NUMBER: ("E-888", False),
            MessageColumn.PRIORITY: ("BLITZ", False),
            MessageColumn.TIME: ("88.88. 88:88", False),
            MessageColumn.SENDER: ("Leitstelle Kreis Düren", True),
            MessageColumn.TO: ("S3, S2", True),
            MessageColumn.STATE: ("✓ 88:88 Max Mustermann", True),
        },
        MessageColumn.CONTENT,
        share=0.25,
    )
    return table


class MessagesTab(QWidget):
    """Messages of the current incident: receive, distribute, acknowledge, answer."""

    def __init__(self, shared: Shared, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messagesTab")
        self.shared = shared
        # The tab follows the journal: every message change writes an entry, and
        # the Shared poller notices the entries of other workstations.
        self._stamp: tuple[int, int, int] | None = None
        self._incident_id: str | None = None
        self._inbox_open = 0
        self.message_bar = MessageBar(self)

        self.inbox_model = MessageListModel(ListKind.INBOX, self)
        self.triage_model = MessageListModel(ListKind.TRIAGE, self)
        self.register_model = MessageListModel(ListKind.REGISTER, self)
        self._build_top_bar()
        self._build_lists()
        self.form = MessageForm(self)
        self.task_editor = TaskEditor(self)
        self.right = QStackedWidget(self)
        self.right.addWidget(self.form)
        self.right.addWidget(self.task_editor)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.pages)
        splitter.addWidget(self.right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        fm = self.fontMetrics()
        splitter.setSizes([fm.height() * 44, fm.height() * 46])
        self.splitter = splitter

        layout = QVBoxLayout(self)
        margin = max(2, fm.height() // 4)
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.setSpacing(margin)
        layout.addLayout(self._top_layout)
        layout.addWidget(self.message_bar)
        layout.addWidget(splitter, 1)

        self._build_actions()
        self._connect()
        self._on_actor_changed(load=False)
        self._on_incident_changed(shared.incident_id)

    # -- construction ------------------------------------------------------------------
    def _build_top_bar(self) -> None:
        self.function_combo = QComboBox(self)
        self.function_combo.setObjectName("inboxFunction")
        self.function_combo.setEditable(True)
        self.function_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.function_combo.setAccessibleName(self.tr("Posteingang der Funktion"))
        self.function_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.function_combo.setMinimumContentsLength(14)
        function_label = QLabel(self.tr("&Posteingang für:"), self)
        function_label.setBuddy(self.function_combo)
        self.number_edit = QLineEdit(self)
        self.number_edit.setObjectName("messageNumberSearch")
        self.number_edit.setPlaceholderText(self.tr("Nr., z. B. E-12 (Strg+F)"))
        self.number_edit.setAccessibleName(self.tr("Nachricht nach Nummer öffnen"))
        self.number_edit.setClearButtonEnabled(True)
        self.number_edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("M" * 16))
        self.counts_label = QLabel(self)
        self.counts_label.setObjectName("messageCounts")
        self.new_button = QPushButton(self.tr("Neue Nachricht (Strg+N)"), self)
        self.new_button.setAutoDefault(False)
        bar = QHBoxLayout()
        bar.addWidget(function_label)
        bar.addWidget(self.function_combo)
        bar.addWidget(self.number_edit)
        bar.addWidget(self.counts_label, 1)
        bar.addWidget(self.new_button)
        self._top_layout = bar

    def _build_lists(self) -> None:
        self.pages = QTabWidget(self)
        self.pages.setObjectName("messagePages")
        self.inbox_table = message_table(
            self, self.inbox_model, "inboxTable", self.tr("Posteingang")
        )
        self.triage_table = message_table(
            self, self.triage_model, "triageTable", self.tr("Zu sichtende Nachrichten")
        )
        self.triage_table.setColumnHidden(MessageColumn.STATE, True)
        self.triage_table.fit_columns()
        self.register_table = message_table(
            self, self.register_model, "registerTable", self.tr("Ein-/Ausgangsnachweisung")
        )

        triage_page = QWidget(self)
        self.triage_edit = FunctionListEdit(triage_page)
        self.triage_edit.setObjectName("triageFunctions")
        self.triage_edit.setPlaceholderText(self.tr("zuständig: z. B. S3, S4 – Eingabe weist zu"))
        self.triage_edit.setAccessibleName(self.tr("Zuständige Funktionen"))
        self.triage_button = QPushButton(self.tr("Zu&weisen"), triage_page)
        self.triage_button.setAutoDefault(False)
        triage_row = QHBoxLayout()
        triage_row.addWidget(QLabel(self.tr("Sichtung:"), triage_page))
        triage_row.addWidget(self.triage_edit, 1)
        triage_row.addWidget(self.triage_button)
        triage_layout = QVBoxLayout(triage_page)
        triage_layout.setContentsMargins(0, 0, 0, 0)
        triage_layout.addWidget(self.triage_table, 1)
        triage_layout.addLayout(triage_row)

        register_page = QWidget(self)
        self.register_direction = QComboBox(register_page)
        self.register_direction.setAccessibleName(self.tr("Richtung"))
        for label, value in _REGISTER_DIRECTIONS:
            self.register_direction.addItem(self.tr(label), value)
        register_row = QHBoxLayout()
        register_row.addWidget(self.register_direction)
        register_row.addStretch(1)
        register_layout = QVBoxLayout(register_page)
        register_layout.setContentsMargins(0, 0, 0, 0)
        register_layout.addLayout(register_row)
        register_layout.addWidget(self.register_table, 1)

        self.pages.addTab(self.inbox_table, self.tr("Eingang"))
        self.pages.addTab(triage_page, self.tr("Sichtung"))
        self.pages.addTab(register_page, self.tr("Nachweisung"))

    def _build_actions(self) -> None:
        self.new_action = tab_action(
            self, self.tr("&Neue Nachricht"), "Ctrl+N", self.new_message,
            self.tr("Eine Nachricht auf dem Vordruck aufnehmen"),
        )  # fmt: skip
        self.acknowledge_action = tab_action(
            self, self.tr("&Quittieren"), "Ctrl+B", self.acknowledge,
            self.tr("Die angezeigte Nachricht für meine Funktion quittieren"),
        )  # fmt: skip
        self.reply_action = tab_action(
            self, self.tr("&Antworten"), "Ctrl+R", self.reply,
            self.tr("Eine Antwort (A-Nachricht) auf die angezeigte Nachricht schreiben"),
        )  # fmt: skip
        self.task_action = tab_action(
            self, self.tr("Auf&trag daraus"), "Ctrl+T", self.task_from_message,
            self.tr("Einen Auftrag aus der angezeigten Nachricht erteilen"),
        )  # fmt: skip
        self.triage_action = tab_action(
            self, self.tr("&Sichten"), "Ctrl+Shift+S", self.focus_triage,
            self.tr("Die nächste ungesichtete Nachricht zuweisen"),
        )  # fmt: skip
        self.page_actions = [
            tab_action(self, title, f"Alt+{i + 1}", lambda i=i: self.show_page(i), tip)
            for i, (title, tip) in enumerate(
                (
                    (self.tr("Posteingang"), self.tr("Liste: Posteingang meiner Funktion")),
                    (self.tr("Sichtung"), self.tr("Liste: zu sichtende Eingänge")),
                    (self.tr("Nachweisung"), self.tr("Liste: Ein-/Ausgangsnachweisung")),
                )
            )
        ]

    def menu_title(self) -> str:
        return self.tr("&Nachrichten")

    def menu_actions(self) -> list[QAction]:
        return [
            self.new_action,
            self.form.save_action,
            self.acknowledge_action,
            self.reply_action,
            self.task_action,
            self.triage_action,
            *self.page_actions,
        ]

    def _connect(self) -> None:
        signals = self.shared.signals
        signals.journal_changed.connect(self._on_journal_changed)
        signals.incident_changed.connect(self._on_incident_changed)
        signals.actor_changed.connect(lambda: self._on_actor_changed())
        self.function_combo.activated.connect(lambda _i: self.load_inbox())
        self.function_combo.lineEdit().returnPressed.connect(self.load_inbox)
        self.number_edit.returnPressed.connect(self.open_number)
        self.register_direction.currentIndexChanged.connect(lambda _i: self.load_register())
        self.new_button.clicked.connect(self.new_message)
        self.triage_button.clicked.connect(self.assign_triage)
        self.triage_edit.returnPressed.connect(self.assign_triage)
        for table in (self.inbox_table, self.triage_table, self.register_table):
            table.selectionModel().currentRowChanged.connect(self._on_current_changed)
            table.installEventFilter(self)
        for model in (self.inbox_model, self.triage_model, self.register_model):
            model.fetch_failed.connect(self.message_bar.show_error)
        self.pages.currentChanged.connect(self._on_page_changed)
        self.form.save_requested.connect(self._save)
        self.form.discard_requested.connect(self._discard)
        self.form.input_problem.connect(self.message_bar.show_error)
        self.form.acknowledge_requested.connect(self.acknowledge)
        self.form.reply_requested.connect(self.reply)
        self.form.task_requested.connect(self.task_from_message)
        self.form.transmitted_requested.connect(self.mark_transmitted)
        self.task_editor.save_requested.connect(self._save_task)
        self.task_editor.discard_requested.connect(self._close_task_editor)
        self.task_editor.input_problem.connect(self.message_bar.show_error)

    # -- services -------------------------------------------------------------------------
    def service(self) -> MessageService:
        return MessageService(self.shared.db, self.shared.actor)

    # -- public API ---------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.number_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.number_edit.selectAll()

    def activated(self) -> None:
        self.poll()

    def unsaved_work(self) -> str | None:
        if self.form.is_dirty():
            return self.tr(
                "Auf dem Nachrichtenvordruck steht eine Nachricht, die nicht aufgenommen ist."
            )
        if self.right.currentWidget() is self.task_editor and self.task_editor.is_dirty():
            return self.tr("Ein Auftrag aus einer Nachricht ist nicht gespeichert.")
        return None

    def show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        table = self.current_table()
        if not table.currentIndex().isValid() and table.model().rowCount():
            self._select(table, 0)
        table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def current_table(self) -> QTableView:
        return (self.inbox_table, self.triage_table, self.register_table)[self.pages.currentIndex()]

    def inbox_function(self) -> str:
        return " ".join(self.function_combo.currentText().split()) or self.shared.actor.function

    def new_message(self, direction: str = "E") -> None:
        if not self._confirm_discard():
            return
        self.right.setCurrentWidget(self.form)
        self.form.new_message(direction)
        self.message_bar.dismiss()
        self.form.focus_first()

    def open_message(self, message_id: str) -> MessageView | None:
        """Show a message on the form (e.g. from the Blitz banner), selecting it if listed."""
        try:
            view = self.service().get(message_id)
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(str(exc))
            return None
        for page, model, table in (
            (INBOX, self.inbox_model, self.inbox_table),
            (TRIAGE, self.triage_model, self.triage_table),
            (REGISTER, self.register_model, self.register_table),
        ):
            row = model.row_of(message_id)
            if row is not None:
                self.pages.setCurrentIndex(page)
                self._select(table, row)
                break
        self._show(view)
        return view

    def open_number(self) -> None:
        text = self.number_edit.text().strip()
        if not text or not self.shared.incident_id:
            return
        try:
            view = self.service().by_number(self.shared.incident_id, text)
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(str(exc))
            return
        self.open_message(view.id)
        self.number_edit.clear()

    def shown_message(self) -> MessageView | None:
        return self.form.message if self.right.currentWidget() is self.form else None

    def acknowledge(self) -> MessageView | None:
        view = self.form.message
        if view is None:
            self.message_bar.show_message(
                self.tr("Bitte zuerst eine Nachricht auswählen (Alt+1: Posteingang)."), "info"
            )
            return None
        try:
            done = self.service().acknowledge(view.id)
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(str(exc))
            return None
        # The receipt stays in view (✓); the lists keep this message selected.
        self._written(
            self.tr("{0} quittiert durch {1}.").format(done.number, self.shared.actor.function)
        )
        self._show(done)
        return done

    def reply(self) -> None:
        view = self.form.message
        if view is None or not self._confirm_discard():
            return
        self.form.new_message("A", reply_to=view)
        self.form.focus_first()

    def task_from_message(self) -> None:
        view = self.form.message
        if view is None:
            self.message_bar.show_message(self.tr("Bitte zuerst eine Nachricht auswählen."), "info")
            return
        self.task_editor.start_new(
            title=excerpt(view.content, 120),
            function=self.shared.actor.function,
            description=view.content,
            source_message_id=view.id,
            source_label=view.number,
        )
        self.right.setCurrentWidget(self.task_editor)
        self.task_editor.focus_title()

    def mark_transmitted(self) -> None:
        view = self.form.message
        if view is None:
            return
        try:
            done = self.service().mark_transmitted(view.id)
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(str(exc))
            return
        self._written(self.tr("{0}: Beförderung vermerkt.").format(done.number))
        self._show(done)

    def focus_triage(self) -> None:
        self.pages.setCurrentIndex(TRIAGE)
        if not self.triage_table.currentIndex().isValid() and self.triage_model.rowCount():
            self._select(self.triage_table, 0)
        self.triage_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def assign_triage(self) -> MessageView | None:
        index = self.triage_table.currentIndex()
        message_id = index.data(MESSAGE_ID_ROLE) if index.isValid() else None
        if not message_id:
            self.message_bar.show_message(
                self.tr("Keine Nachricht zur Sichtung ausgewählt."), "info"
            )
            return None
        functions = self.triage_edit.names()
        if not functions:
            self.message_bar.show_message(
                self.tr("Bitte die zuständigen Funktionen eintragen, z. B. „S3, S4“."), "warning"
            )
            self.triage_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        try:
            view = self.service().triage(message_id, functions)
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(str(exc))
            return None
        self.triage_edit.clear()
        self._written(self.tr("{0} gesichtet: an {1}.").format(view.number, ", ".join(view.to)))
        if self.triage_model.rowCount():
            self._select(self.triage_table, 0)
            self.triage_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self._show(view)
        return view

    # -- loading ------------------------------------------------------------------------------
    def _fetcher(self, kind: ListKind) -> PageFetcher | None:
        incident_id = self.shared.incident_id
        if not incident_id:
            return None
        db = self.shared.db
        if kind == ListKind.INBOX:
            function = self.inbox_function()

            def inbox(offset: int, limit: int) -> tuple[list, int]:  # type: ignore[type-arg]
                page = MessageService(db).inbox(incident_id, function, offset=offset, limit=limit)
                self._inbox_open = page.unacknowledged
                return page.rows, page.total

            return inbox
        if kind == ListKind.TRIAGE:

            def triage(offset: int, limit: int) -> tuple[list, int]:  # type: ignore[type-arg]
                page = MessageService(db).triage_queue(incident_id, offset=offset, limit=limit)
                return page.rows, page.total

            return triage
        direction = self.register_direction.currentData()

        def register(offset: int, limit: int) -> tuple[list, int]:  # type: ignore[type-arg]
            page = MessageService(db).register(
                incident_id, direction=direction, offset=offset, limit=limit
            )
            return page.rows, page.total

        return register

    def _load(self, model: MessageListModel, table: QTableView, kind: ListKind) -> None:
        keep = (
            table.currentIndex().data(MESSAGE_ID_ROLE) if table.currentIndex().isValid() else None
        )
        try:
            model.load(self._fetcher(kind))
        except (StoreError, ServiceError) as exc:
            model.load(None)
            self.message_bar.show_error(str(exc))
            return
        if keep is not None:
            row = model.row_of(keep)
            if row is not None:
                self._select(table, row, show=False)

    def load_inbox(self) -> None:
        self._inbox_open = 0
        self._load(self.inbox_model, self.inbox_table, ListKind.INBOX)
        self._update_titles()

    def load_register(self) -> None:
        self._load(self.register_model, self.register_table, ListKind.REGISTER)
        self._update_titles()

    def reload(self) -> None:
        incident_id = self.shared.incident_id
        try:
            self._stamp = self.service().state_stamp(incident_id) if incident_id else None
        except StoreError:
            self._stamp = None
        self._inbox_open = 0
        self._load(self.inbox_model, self.inbox_table, ListKind.INBOX)
        self._load(self.triage_model, self.triage_table, ListKind.TRIAGE)
        self._load(self.register_model, self.register_table, ListKind.REGISTER)
        self._update_titles()
        view = self.form.message
        if view is not None and not self.form.composing:
            try:
                self.form.show_message(self.service().get(view.id))
            except (StoreError, ServiceError):
                self.form.show_empty()

    def poll(self) -> None:
        """Re-read the lists when messages, routings or receipts changed."""
        incident_id = self.shared.incident_id
        if not incident_id:
            return
        try:
            stamp = self.service().state_stamp(incident_id)
        except StoreError as exc:
            self.message_bar.show_error(str(exc))
            return
        if stamp != self._stamp:
            self.reload()

    def _update_titles(self) -> None:
        function = self.inbox_function()
        open_count = self._inbox_open
        self.pages.setTabText(
            INBOX,
            self.tr("Eingang {0} ({1} offen)").format(function, open_count)
            if open_count
            else self.tr("Eingang {0}").format(function),
        )
        untriaged = self.triage_model.total
        self.pages.setTabText(
            TRIAGE,
            self.tr("Sichtung ({0})").format(untriaged) if untriaged else self.tr("Sichtung"),
        )
        self.pages.setTabText(
            REGISTER, self.tr("Nachweisung ({0})").format(self.register_model.total)
        )
        self.counts_label.setText(
            self.tr("{0}: {1} von {2} nicht quittiert").format(
                function, open_count, self.inbox_model.total
            )
            if self.shared.incident_id
            else self.tr("Kein Ereignis geöffnet.")
        )

    def _load_functions(self) -> None:
        try:
            names = [f.name for f in StaffService(self.shared.db).functions()]
        except (StoreError, ServiceError):
            names = []
        current = self.inbox_function()
        self.function_combo.blockSignals(True)
        self.function_combo.clear()
        self.function_combo.addItems(names)
        self.function_combo.setEditText(current)
        self.function_combo.blockSignals(False)
        self.form.set_functions(names)
        self.triage_edit.set_names(names)
        self.task_editor.set_functions(names)

    # -- reacting ---------------------------------------------------------------------------
    def _on_actor_changed(self, load: bool = True) -> None:
        actor = self.shared.actor
        self.form.set_actor(actor.person, actor.function)
        self.function_combo.setEditText(actor.function)
        if load and self.shared.incident_id:
            self.load_inbox()

    def _update_read_only(self) -> None:
        reason = None
        if self.shared.incident is None:
            reason = self.tr("Kein Ereignis geöffnet.")
        else:
            reason = self.shared.read_only_reason
        self.form.set_read_only(reason)
        self.task_editor.set_read_only(reason)
        for action in (
            self.new_action,
            self.acknowledge_action,
            self.reply_action,
            self.task_action,
        ):
            action.setEnabled(reason is None)
        self.new_button.setEnabled(reason is None)
        self.triage_button.setEnabled(reason is None)

    def _on_incident_changed(self, incident_id: str) -> None:
        self._update_read_only()
        if incident_id == self._incident_id:
            # Same incident, new title or status: journal_changed follows.
            return
        self._incident_id = incident_id
        self.right.setCurrentWidget(self.form)
        self.form.show_empty()
        self._load_functions()
        self.reload()

    def _on_journal_changed(self, incident_id: str) -> None:
        if incident_id == self.shared.incident_id:
            self.poll()

    def _on_page_changed(self, _page: int) -> None:
        index = self.current_table().currentIndex()
        if index.isValid() and not self.form.composing:
            self._show_id(index.data(MESSAGE_ID_ROLE))

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or self.form.is_dirty():
            return
        if current.model() is not self.current_table().model():
            return
        self._show_id(current.data(MESSAGE_ID_ROLE))

    def _show_id(self, message_id: str | None) -> None:
        if not message_id:
            return
        try:
            view = self.service().get(message_id)
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(str(exc))
            return
        self._show(view)

    def _show(self, view: MessageView) -> None:
        self.right.setCurrentWidget(self.form)
        self.form.show_message(view)

    def _select(self, table: QTableView, row: int, show: bool = True) -> None:
        index = table.model().index(row, MessageColumn.NUMBER)
        selection = table.selectionModel()
        if not show:
            selection.blockSignals(True)
        selection.setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        if not show:
            selection.blockSignals(False)
        table.scrollTo(index)

    def _confirm_discard(self) -> bool:
        if not self.form.is_dirty():
            return True
        return dialogs.confirm(
            self,
            self.tr("Vordruck verwerfen"),
            self.tr("Die Nachricht auf dem Vordruck ist nicht aufgenommen. Verwerfen?"),
        )

    def _discard(self) -> None:
        if self.form.is_dirty() and not self._confirm_discard():
            return
        self.form.show_empty()
        self.message_bar.dismiss()
        self.current_table().setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched, event) -> bool:  # type: ignore[no-untyped-def]
        if (
            event.type() == event.Type.KeyPress
            and isinstance(watched, QTableView)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            if watched is self.triage_table:
                self.triage_edit.setFocus(Qt.FocusReason.OtherFocusReason)
            elif self.form.can_acknowledge():
                self.acknowledge()
            return True
        return super().eventFilter(watched, event)

    # -- writing ------------------------------------------------------------------------------
    def _written(self, text: str) -> None:
        self.message_bar.dismiss()
        incident_id = self.shared.incident_id
        self.shared.signals.status_message.emit(text)
        # The journal entry written with it: tells the ETB, the Blitz banner and
        # this tab (whose poll re-reads the lists).
        self.shared.signals.journal_changed.emit(incident_id)
        self.poll()

    def _save(self, draft: MessageDraft) -> None:
        incident_id = self.shared.incident_id
        if not incident_id:
            return
        service = self.service()
        try:
            if draft.direction == "E":
                view = service.record_incoming(
                    incident_id,
                    sender=draft.sender,
                    content=draft.content,
                    to_functions=draft.recipients,
                    priority=draft.priority,
                    channel=draft.channel,
                    addressee=draft.addressee,
                    header=draft.header,
                    composed_at=draft.composed_at,
                    received_at=draft.at,
                    sender_sign=draft.sender_sign,
                    sender_function=draft.sender_function,
                    conversation_note=draft.conversation_note,
                )
            else:
                view = service.record_outgoing(
                    incident_id,
                    content=draft.content,
                    to=draft.recipients,
                    priority=draft.priority,
                    channel=draft.channel,
                    sender=draft.sender,
                    addressee=draft.addressee,
                    header=draft.header,
                    composed_at=draft.composed_at,
                    accepted_at=draft.at,
                    sender_sign=draft.sender_sign,
                    sender_function=draft.sender_function,
                    conversation_note=draft.conversation_note,
                    transmitted_at=draft.transmitted_at,
                    transmitted_via=draft.transmitted_via,
                    reply_to_id=draft.reply_to_id,
                )
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(
                self.tr(
                    "Nachricht nicht aufgenommen – der Vordruck bleibt ausgefüllt.\n{0}"
                ).format(exc)
            )
            return
        self.form.show_message(view)
        self._written(self.tr("Nachricht {0} aufgenommen.").format(view.number))
        self.open_message(view.id)

    def _save_task(self, draft: TaskDraft) -> None:
        incident_id = self.shared.incident_id
        if not incident_id:
            return
        try:
            task = write_draft(self.shared.db, self.shared.actor, incident_id, draft)
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(
                self.tr("Auftrag nicht gespeichert – die Eingabe bleibt stehen.\n{0}").format(exc)
            )
            return
        if task is None:
            return
        self.task_editor.start_new()
        self._written(
            self.tr("Auftrag Nr. {0} an {1} erteilt (aus {2}).").format(
                task.number, task.assigned_function, task.source_message_number or "?"
            )
        )
        self._close_task_editor()

    def _close_task_editor(self) -> None:
        self.right.setCurrentWidget(self.form)
        view = self.form.message
        if view is not None:
            self._show_id(view.id)
        self.current_table().setFocus(Qt.FocusReason.OtherFocusReason)
