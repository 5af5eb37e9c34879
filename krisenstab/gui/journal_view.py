"""The Einsatztagebuch tab: search and filters, the lazy table, details, the editor."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import QT_TRANSLATE_NOOP, QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QFontMetrics, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.journal import EntryKind, EntryView, JournalFilter
from krisenstab.domain.timefmt import format_dtg, format_local, utcnow
from krisenstab.gui.journal_editor import EntryDraft, EntryEditor
from krisenstab.gui.journal_model import (
    ENTRY_ROLE,
    JournalColumn,
    JournalTableModel,
    correction_hint,
    format_recorded,
)
from krisenstab.gui.shared import Shared
from krisenstab.gui.timeinput import parse_user_time
from krisenstab.gui.widgets import MessageBar
from krisenstab.services.context import ServiceError
from krisenstab.services.journal import JournalService
from krisenstab.store.errors import StoreError

SEARCH_DEBOUNCE_MS = 150
ALL = ""

# (label, hours back; None = everything, -1 = the user's own range)
_PERIODS: tuple[tuple[str, int | None], ...] = (
    (QT_TRANSLATE_NOOP("JournalTab", "Gesamter Zeitraum"), None),
    (QT_TRANSLATE_NOOP("JournalTab", "Letzte Stunde"), 1),
    (QT_TRANSLATE_NOOP("JournalTab", "Letzte 6 Stunden"), 6),
    (QT_TRANSLATE_NOOP("JournalTab", "Letzte 24 Stunden"), 24),
    (QT_TRANSLATE_NOOP("JournalTab", "Eigener Zeitraum"), -1),
)
CUSTOM_PERIOD = -1


def entry_detail_html(entry: EntryView, tr: Callable[[str], str]) -> str:
    """The full entry for the detail pane; every user text is escaped."""
    parts = [
        tr("Nr. {0}").format(entry.number),
        format_recorded(entry),
        tr("beobachtet {0} ({1})").format(
            format_local(entry.observed_at), format_dtg(entry.observed_at)
        ),
        f"{entry.author} ({entry.function})",
        entry.kind,
        entry.source_quality,
    ]
    head = " · ".join(html.escape(p) for p in parts)
    hint = correction_hint(entry)
    body = html.escape(entry.text).replace("\n", "<br>")
    if entry.is_corrected:
        body = f"<s>{body}</s>"
    hint_html = f' · <b style="color:#8A2A00">{html.escape(hint)}</b>' if hint else ""
    return f"<p><b>{head}</b>{hint_html}</p><p>{body}</p>"


class JournalTableView(QTableView):
    """A table whose text column keeps a fair share of the width.

    Column widths come from sample strings in the current font (so they hold
    at any DPI). When the window is narrow (1366×768), the shrinkable columns
    give up width, down to their header title, before the text column does.
    """

    TEXT_SHARE = 0.33

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._samples: dict[int, tuple[str, bool, bool]] = {}

    def set_column_samples(self, samples: dict[int, tuple[str, bool, bool]]) -> None:
        """Per column: (sample text, may shrink below it, sample is bold)."""
        self._samples = dict(samples)
        self.fit_columns()

    def _text_width(self, text: str, bold: bool = False) -> int:
        font = QFont(self.font())
        font.setBold(bold)
        fm = QFontMetrics(font)
        return fm.horizontalAdvance(text) + fm.horizontalAdvance("M") + fm.height() // 2

    def fit_columns(self) -> None:
        model = self.model()
        if model is None or not self._samples:
            return
        header = self.horizontalHeader()
        ideal: dict[int, int] = {}
        minimum: dict[int, int] = {}
        for column, (sample, shrinkable, bold) in self._samples.items():
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            title_width = header.fontMetrics().horizontalAdvance(title) + self._text_width("")
            ideal[column] = max(self._text_width(sample, bold), title_width)
            minimum[column] = title_width if shrinkable else ideal[column]
        available = self.viewport().width()
        text_min = max(int(available * self.TEXT_SHARE), self._text_width("M" * 12))
        excess = sum(ideal.values()) + text_min - available
        slack = sum(ideal[c] - minimum[c] for c in ideal)
        for column, width in ideal.items():
            if excess > 0 and slack > 0:
                give = (ideal[column] - minimum[column]) * min(1.0, excess / slack)
                width = int(ideal[column] - give)
            header.resizeSection(column, width)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()


class JournalTab(QWidget):
    """The ETB of the current incident."""

    def __init__(self, shared: Shared, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("journalTab")
        self.shared = shared
        self._reader = JournalService(shared.db)
        self.model = JournalTableModel(self._reader, self)
        self._total = 0

        self.message_bar = MessageBar(self)
        self._build_filter_bar()
        self._build_table()
        self.detail = QTextBrowser(self)
        self.detail.setObjectName("entryDetail")
        self.detail.setReadOnly(True)
        self.detail.setAccessibleName(self.tr("Ausgewählter Eintrag"))
        self.detail.setOpenLinks(False)
        self.detail.setPlaceholderText(self.tr("Kein Eintrag ausgewählt."))
        self.detail.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.editor = EntryEditor(self)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 1)
        line = self.fontMetrics().lineSpacing()
        self.detail.setMinimumHeight(line * 3)
        splitter.setSizes([line * 30, line * 4])
        self.splitter = splitter

        layout = QVBoxLayout(self)
        margin = max(2, self.fontMetrics().height() // 4)
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.setSpacing(margin)
        layout.addLayout(self._filter_layout)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.editor)

        self._build_actions()
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self._connect()

        QWidget.setTabOrder(self.search_edit, self.function_combo)
        QWidget.setTabOrder(self.function_combo, self.kind_filter_combo)
        QWidget.setTabOrder(self.kind_filter_combo, self.period_combo)
        QWidget.setTabOrder(self.period_combo, self.since_edit)
        QWidget.setTabOrder(self.since_edit, self.until_edit)
        QWidget.setTabOrder(self.until_edit, self.table)
        QWidget.setTabOrder(self.table, self.editor.text_edit)
        self.setFocusProxy(self.editor.text_edit)

        self._on_actor_changed()
        self._on_incident_changed(shared.incident_id)

    # -- construction --------------------------------------------------------
    def _build_filter_bar(self) -> None:
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("journalSearch")
        self.search_edit.setPlaceholderText(self.tr("Suchen im Einsatztagebuch … (Strg+F)"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName(self.tr("Suche im Einsatztagebuch"))
        self.search_edit.setToolTip(
            self.tr(
                "Findet Einträge, die alle Wörter (auch Wortanfänge) enthalten. "
                "Esc leert die Suche."
            )
        )

        self.function_combo = QComboBox(self)
        self.function_combo.setAccessibleName(self.tr("Nach Funktion filtern"))
        self.function_combo.addItem(self.tr("Alle Funktionen"), ALL)
        self.function_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        self.kind_filter_combo = QComboBox(self)
        self.kind_filter_combo.setAccessibleName(self.tr("Nach Art filtern"))
        self.kind_filter_combo.addItem(self.tr("Alle Arten"), ALL)
        for kind in EntryKind:
            self.kind_filter_combo.addItem(kind.value, kind.value)

        self.period_combo = QComboBox(self)
        self.period_combo.setAccessibleName(self.tr("Zeitraum"))
        for label, hours in _PERIODS:
            self.period_combo.addItem(self.tr(label), hours)

        fm = self.fontMetrics()
        width = fm.horizontalAdvance("88.88.8888 88:88") + fm.height() * 2
        self.since_edit = QLineEdit(self)
        self.since_edit.setPlaceholderText(self.tr("von"))
        self.since_edit.setAccessibleName(self.tr("Zeitraum von"))
        self.until_edit = QLineEdit(self)
        self.until_edit.setPlaceholderText(self.tr("bis"))
        self.until_edit.setAccessibleName(self.tr("Zeitraum bis"))
        for edit in (self.since_edit, self.until_edit):
            edit.setMaximumWidth(width)
            edit.setClearButtonEnabled(True)
            edit.setEnabled(False)
            edit.setVisible(False)
            edit.setToolTip(
                self.tr("TT.MM.JJJJ hh:mm, hh:mm (heute) oder Datum-Zeit-Gruppe (271530nov26)")
            )

        self.hits_label = QLabel(self)
        self.hits_label.setObjectName("hitsLabel")

        bar = QHBoxLayout()
        bar.addWidget(self.search_edit, 3)
        bar.addWidget(self.function_combo)
        bar.addWidget(self.kind_filter_combo)
        bar.addWidget(self.period_combo)
        bar.addWidget(self.since_edit, 1)
        bar.addWidget(self.until_edit, 1)
        bar.addWidget(self.hits_label)
        self._filter_layout = bar

    def _build_table(self) -> None:
        table = JournalTableView(self)
        table.setObjectName("journalTable")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setTabKeyNavigation(False)
        table.setCornerButtonEnabled(False)
        table.setAccessibleName(self.tr("Einsatztagebuch"))
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        vheader = table.verticalHeader()
        vheader.hide()
        # Fixed, uniform rows: the view never measures 100,000 rows.
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(int(self.fontMetrics().lineSpacing() * 1.5) + 2)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(JournalColumn.TEXT, QHeaderView.ResizeMode.Stretch)
        self.table = table
        self._size_columns()

    def _size_columns(self) -> None:
        self.table.set_column_samples(
            {
                JournalColumn.NUMBER: ("88888", False, False),
                JournalColumn.RECORDED: ("88.88.8888 88:88  (888888mmm88)", False, False),
                JournalColumn.OBSERVED: ("88.88. 88:88", False, False),
                JournalColumn.FUNCTION: ("Leiter des Stabes", True, False),
                JournalColumn.AUTHOR: ("Erika Musterfrau", True, False),
                JournalColumn.KIND: ("Entscheidung", True, False),
                JournalColumn.SOURCE: ("eigene Beobachtung", True, False),
                # The hint is how a reader follows a correction: never elided.
                JournalColumn.CORRECTION: ("Berichtigung zu Nr. 8888", False, True),
            }
        )

    def _build_actions(self) -> None:
        def action(text: str, shortcut: str, slot, tip: str) -> QAction:  # type: ignore[no-untyped-def]
            act = QAction(text, self)
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.setToolTip(
                f"{tip} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
            )
            act.setStatusTip(tip)
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.new_entry_action = action(
            self.tr("&Neuer Eintrag"), "Ctrl+N", self.focus_editor,
            self.tr("Zum Textfeld für einen neuen Eintrag"),
        )  # fmt: skip
        self.correct_action = action(
            self.tr("Eintrag &berichtigen …"), "Ctrl+K", self.start_correction,
            self.tr("Den ausgewählten Eintrag berichtigen (neuer Eintrag, das Original bleibt lesbar)"),
        )  # fmt: skip
        self.toggle_focus_action = action(
            self.tr("Zwischen &Liste und Editor wechseln"), "F6", self.toggle_focus,
            self.tr("Fokus zwischen Tabelle und Textfeld wechseln"),
        )  # fmt: skip
        self.reset_filter_action = action(
            self.tr("&Filter zurücksetzen"), "Ctrl+Shift+F", self.reset_filters,
            self.tr("Suche und alle Filter zurücksetzen"),
        )  # fmt: skip
        self.editor.set_correct_action(self.correct_action)

    def menu_actions(self) -> list[QAction]:
        """Actions for the main window's „Einsatztagebuch“ menu."""
        return [
            self.new_entry_action,
            self.editor.save_action,
            self.correct_action,
            self.editor.cancel_action,
            self.toggle_focus_action,
            self.reset_filter_action,
        ]

    def _connect(self) -> None:
        signals = self.shared.signals
        signals.journal_changed.connect(self._on_journal_changed)
        signals.incident_changed.connect(self._on_incident_changed)
        signals.actor_changed.connect(self._on_actor_changed)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self.search_edit.returnPressed.connect(self._search_now)
        self.function_combo.activated.connect(self.apply_filter)
        self.kind_filter_combo.activated.connect(self.apply_filter)
        self.period_combo.currentIndexChanged.connect(self._on_period_changed)
        self.since_edit.editingFinished.connect(self.apply_filter)
        self.until_edit.editingFinished.connect(self.apply_filter)
        self.since_edit.textChanged.connect(self._search_timer.start)
        self.until_edit.textChanged.connect(self._search_timer.start)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table.doubleClicked.connect(lambda _index: self.editor.focus_text())
        self.editor.save_requested.connect(self._save)
        self.model.fetch_failed.connect(self.message_bar.show_error)
        self.editor.input_problem.connect(self.message_bar.show_error)
        self.search_edit.installEventFilter(self)

    # -- public API for the main window -------------------------------------
    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def focus_editor(self) -> None:
        self.editor.focus_text()

    def toggle_focus(self) -> None:
        if self.table.hasFocus():
            self.editor.focus_text()
        else:
            # Nothing selected yet: start at the newest entry, the one most
            # often corrected.
            if self.selected_entry() is None and self.model.rowCount() > 0:
                self._select_row(self.model.rowCount() - 1)
            self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def selected_entry(self) -> EntryView | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(index.row()):
            return None
        return self.model.entry(index.row())

    def select_number(self, number: int) -> bool:
        row = self.model.row_of(number)
        if row is None:
            return False
        self._select_row(row)
        return True

    def start_correction(self) -> None:
        reason = self.shared.read_only_reason
        if reason is not None or self.shared.incident is None:
            self.message_bar.show_message(reason or self.tr("Kein Ereignis geöffnet."), "warning")
            return
        entry = self.selected_entry()
        if entry is None:
            self.message_bar.show_message(
                self.tr(
                    "Bitte zuerst in der Liste den Eintrag auswählen, der berichtigt werden "
                    "soll (F6 wechselt in die Liste), dann Strg+K."
                ),
                "info",
            )
            return
        self.message_bar.dismiss()
        self.editor.start_correction(entry)

    def unsaved_work(self) -> str | None:
        """A German note when the editor holds text that was not saved."""
        if self.editor.text().strip():
            if self.editor.correcting is not None:
                return self.tr("Die Berichtigung zu Nr. {0} ist noch nicht gespeichert.").format(
                    self.editor.correcting
                )
            return self.tr("Im Editor steht ein Eintrag, der noch nicht gespeichert ist.")
        return None

    def menu_title(self) -> str:
        return self.tr("Einsatz&tagebuch")

    def reset_filters(self) -> None:
        for widget in (self.function_combo, self.kind_filter_combo, self.period_combo):
            widget.blockSignals(True)
            widget.setCurrentIndex(0)
            widget.blockSignals(False)
        self.since_edit.clear()
        self.until_edit.clear()
        self._on_period_changed()
        self.search_edit.clear()
        self._search_now()

    # -- filtering -------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:  # type: ignore[no-untyped-def]
        if watched is self.search_edit and event.type() == event.Type.KeyPress:
            if event.key() == Qt.Key.Key_Escape and self.search_edit.text():
                self.search_edit.clear()
                self._search_now()
                return True
            if event.key() == Qt.Key.Key_Down:
                self.table.setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        return super().eventFilter(watched, event)

    def _search_now(self) -> None:
        self._search_timer.stop()
        self.apply_filter()

    def _on_period_changed(self, *_args: object) -> None:
        custom = self.period_combo.currentData() == CUSTOM_PERIOD
        for edit in (self.since_edit, self.until_edit):
            edit.setEnabled(custom)
            edit.setVisible(custom)
        self.apply_filter()

    def _parse_bound(self, edit: QLineEdit) -> object:
        raw = edit.text().strip()
        if not raw or not edit.isEnabled():
            edit.setStyleSheet("")
            return None
        try:
            value = parse_user_time(raw)
        except ValueError as exc:
            edit.setStyleSheet("QLineEdit { border: 2px solid #C62828; }")
            edit.setToolTip(str(exc))
            return None
        edit.setStyleSheet("")
        return value

    def current_filter(self) -> JournalFilter:
        function = self.function_combo.currentData() or ALL
        kind = self.kind_filter_combo.currentData() or ALL
        hours = self.period_combo.currentData()
        since = until = None
        if hours == CUSTOM_PERIOD:
            since = self._parse_bound(self.since_edit)
            until = self._parse_bound(self.until_edit)
        elif hours:
            since = utcnow() - timedelta(hours=hours)
        return JournalFilter(
            text=self.search_edit.text().strip(),
            functions=(function,) if function else (),
            kinds=(kind,) if kind else (),
            since=since,  # type: ignore[arg-type]
            until=until,  # type: ignore[arg-type]
        )

    def apply_filter(self) -> None:
        if not self.model.incident_id:
            return
        flt = self.current_filter()
        if flt == self.model.journal_filter:
            return
        keep = self.selected_entry()
        try:
            self.model.set_filter(flt)
        except StoreError as exc:
            self.message_bar.show_error(str(exc))
            return
        if keep is None or not self.select_number(keep.number):
            self.table.scrollToBottom()
            self._show_detail(None)
        self._update_hits()

    def _update_hits(self) -> None:
        shown = self.model.rowCount()
        if self.model.journal_filter.is_empty:
            self._total = shown
            if shown == 1:
                self.hits_label.setText(self.tr("1 Eintrag"))
            else:
                self.hits_label.setText(self.tr("{0} Einträge").format(shown))
        else:
            self.hits_label.setText(self.tr("{0} von {1} Einträgen").format(shown, self._total))

    def _reload_functions(self) -> None:
        if not self.model.incident_id:
            return
        current = self.function_combo.currentData() or ALL
        try:
            names = self._reader.functions_used(self.model.incident_id)
        except StoreError:
            return
        known = [self.function_combo.itemData(i) for i in range(1, self.function_combo.count())]
        if names == known:
            return
        self.function_combo.blockSignals(True)
        while self.function_combo.count() > 1:
            self.function_combo.removeItem(1)
        for name in names:
            self.function_combo.addItem(name, name)
        index = self.function_combo.findData(current) if current else 0
        self.function_combo.setCurrentIndex(max(index, 0))
        self.function_combo.blockSignals(False)

    # -- reacting to the shared state ----------------------------------------
    def _on_actor_changed(self) -> None:
        actor = self.shared.actor
        self.editor.set_author(actor.person, actor.function)

    def _update_read_only(self) -> None:
        if self.shared.incident is None:
            self.editor.set_read_only(
                self.tr(
                    "Kein Ereignis geöffnet. Bitte über das Menü „Ereignis“ ein Ereignis "
                    "anlegen (Strg+Umschalt+N) oder öffnen."
                )
            )
        else:
            self.editor.set_read_only(self.shared.read_only_reason)
        self.correct_action.setEnabled(not self.editor.is_read_only)

    def _on_incident_changed(self, incident_id: str) -> None:
        self._update_read_only()
        if incident_id == self.model.incident_id and incident_id:
            # Same incident, new title or status: journal_changed follows.
            return
        self.message_bar.dismiss()
        self.editor.discard_correction()
        for widget in (self.function_combo, self.kind_filter_combo, self.period_combo):
            widget.blockSignals(True)
            widget.setCurrentIndex(0)
            widget.blockSignals(False)
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self.since_edit.clear()
        self.until_edit.clear()
        for edit in (self.since_edit, self.until_edit):
            edit.setEnabled(False)
            edit.setVisible(False)
        self._search_timer.stop()
        try:
            self.model.load(incident_id)
        except StoreError as exc:
            self.model.clear()
            self.message_bar.show_error(str(exc))
        self._reload_functions()
        self._update_hits()
        self._show_detail(None)
        self.table.scrollToBottom()

    def _on_journal_changed(self, incident_id: str) -> None:
        if incident_id != self.model.incident_id or not incident_id:
            return
        bar = self.table.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum()
        try:
            changed = self.model.refresh()
            if self.model.journal_filter.is_empty:
                self._total = self.model.rowCount()
            else:
                self._total = self._reader.count(incident_id)
        except StoreError as exc:
            self.message_bar.show_error(str(exc))
            return
        self._reload_functions()
        self._update_hits()
        if changed and at_bottom:
            self.table.scrollToBottom()
        self._show_detail(self.selected_entry())

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = current.data(ENTRY_ROLE) if current.isValid() else None
        self._show_detail(entry)

    def _show_detail(self, entry: EntryView | None) -> None:
        if entry is None:
            self.detail.clear()
            return
        self.detail.setHtml(entry_detail_html(entry, self.tr))

    def _select_row(self, row: int) -> None:
        index = self.model.index(row, JournalColumn.NUMBER)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)

    # -- saving ----------------------------------------------------------------
    def _save(self, draft: EntryDraft) -> None:
        incident_id = self.shared.incident_id
        if not incident_id:
            return
        service = self.shared.journal()
        try:
            if draft.corrects is not None:
                saved = service.correct(
                    incident_id, draft.corrects, draft.text, source_quality=draft.source_quality
                )
            else:
                saved = service.add(
                    incident_id,
                    draft.text,
                    kind=draft.kind,
                    source_quality=draft.source_quality,
                    observed_at=draft.observed_at,
                )
        except (StoreError, ServiceError) as exc:
            self.message_bar.show_error(
                self.tr(
                    "Eintrag nicht gespeichert – der Text bleibt im Editor; "
                    "Strg+Eingabe versucht es erneut.\n{0}"
                ).format(exc)
            )
            self.editor.focus_text()
            return
        self.message_bar.dismiss()
        self.editor.clear()
        self.shared.signals.journal_changed.emit(incident_id)
        # The new entry becomes the selection, so Ctrl+K corrects it at once.
        self.select_number(saved.number)
        self.shared.signals.status_message.emit(
            self.tr("Eintrag Nr. {0} gespeichert.").format(saved.number)
        )
        self.editor.focus_text()
