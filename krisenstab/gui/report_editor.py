"""The editor of one Lagebericht: free text where judgement is needed, data pre-drafted.

The editor only holds widgets and turns them into a `ReportContent`; the Lage
tab (report_view) saves, pre-drafts and releases through the services. A
released report is shown read-only, exactly as it was frozen.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.report import (
    CLASSIFICATIONS,
    CONFIDENCE_LABELS,
    HORIZONS,
    SEVERITIES,
    SEVERITY_LABELS,
    ReportConfidence,
    ReportContent,
    ReportKind,
    empty_sections,
)
from krisenstab.domain.timefmt import format_dtg, format_local, utcnow
from krisenstab.gui.report_model import ENTRY_TEXT_ROLE, EntryChoiceModel, EntryColumn, EntryLike
from krisenstab.gui.staff_widgets import FittedTableView, parse_deadline
from krisenstab.services.reports import ReportView

# Free-text fields: (field, label, placeholder).
OVERVIEW_FIELDS: tuple[tuple[str, str, str], ...] = (
    (
        "overview",
        "Übersicht / allgemeine Lage",
        "Was ist geschehen, wo, seit wann; Lage im Überblick.",
    ),
    ("weather", "Wetter", "Aktuelle Lage und Vorhersage; amtliche Warnungen (CAP)."),
    ("damage", "Schadenlage", "Schäden, Betroffene, Schwerpunkte (fremde Lage)."),
)
OWN_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("kritis_remarks", "Lage KRITIS – Bewertung", "Bewertung der KRITIS-Daten durch S2."),
    ("forces", "Eigene Lage: Kräfte", "Eingesetzte und verfügbare Kräfte."),
    ("measures", "Eigene Lage: Maßnahmen", "Getroffene und laufende Maßnahmen."),
)
OUTLOOK_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("prognosis", "Prognose", "Erwartete Entwicklung der Lage."),
    (
        "decisions",
        "Entscheidungsbedarf / Anregungen",
        "Was muss die Leitung entscheiden, was wird angeregt?",
    ),
)
TEXT_FIELDS = tuple(name for name, _l, _p in OVERVIEW_FIELDS + OWN_FIELDS + OUTLOOK_FIELDS)

PAGE_OVERVIEW, PAGE_OWN, PAGE_JOURNAL, PAGE_OUTLOOK, PAGE_MEETING = range(5)
READ_ONLY_STYLE = "background-color: palette(window);"


def parse_meeting_time(text: str, now: Any = None) -> Any:
    """The next Lagebesprechung as typed: ``hh:mm`` is the next such moment; empty is None."""
    return parse_deadline(text, now)


def _esc(value: object) -> str:
    return html.escape(str(value))


def _hours(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} h".replace(".", ",")


def data_sections_html(content: ReportContent, tr: Callable[[str], str]) -> str:
    """The pre-drafted data (KRITIS with forecast, tasks, roster) as read-only HTML."""
    parts: list[str] = []
    if content.data_as_of is not None:
        parts.append(
            "<p><i>"
            + _esc(tr("Datenstand {0} ({1})")).format(
                _esc(format_local(content.data_as_of)), _esc(format_dtg(content.data_as_of))
            )
            + "</i></p>"
        )
    else:
        parts.append("<p><i>" + _esc(tr("Noch nicht vorbefüllt.")) + "</i></p>")
    kritis = content.kritis
    parts.append("<h3>" + _esc(tr("Lage KRITIS")) + "</h3>")
    if not kritis.available:
        parts.append("<p>" + _esc(tr("Keine KRITIS-Daten verfügbar.")) + "</p>")
    else:
        failed = sum(1 for f in kritis.affected if f.status == "ausgefallen")
        parts.append(
            "<p>"
            + _esc(
                tr("{0} Objekte erfasst; {1} ausgefallen, {2} beeinträchtigt, {3} im Notstrom.")
            ).format(
                kritis.facility_count,
                failed,
                len(kritis.affected) - failed,
                len(kritis.emergency_power),
            )
            + "</p>"
        )
        if kritis.affected:
            rows = [
                (
                    f.name,
                    f.municipality,
                    f.status,
                    format_dtg(f.since) if f.since else "—",
                    _hours(f.remaining_h),
                )
                for f in kritis.affected
            ]
            parts.append(
                _table(
                    (tr("Objekt"), tr("Gemeinde"), tr("Status"), tr("seit"), tr("Notstrom Rest")),
                    rows,
                )
            )
        if kritis.emergency_power:
            rows = [
                (f.name, _hours(f.remaining_h), f.power_text or "—") for f in kritis.emergency_power
            ]
            parts.append("<p><b>" + _esc(tr("Notstrombetrieb")) + "</b></p>")
            parts.append(_table((tr("Objekt"), tr("Rest"), tr("Versorgung")), rows))
        if kritis.forecast:
            rows = [
                (
                    f"+{f.hours} h",
                    str(f.failed_total),
                    ", ".join(f.newly_failed) or "—",
                    str(f.persons_affected),
                )
                for f in kritis.forecast
            ]
            parts.append("<p><b>" + _esc(tr("Prognose der Kaskade")) + "</b></p>")
            parts.append(
                _table(
                    (tr("Horizont"), tr("ausgefallen"), tr("neu ausgefallen"), tr("Betroffene")),
                    rows,
                )
            )
        for note in kritis.notes:
            parts.append("<p><i>" + _esc(note) + "</i></p>")
    tasks = content.tasks
    parts.append("<h3>" + _esc(tr("Eigene Lage: Aufträge")) + "</h3>")
    if not tasks.available:
        parts.append("<p>" + _esc(tr("Keine Auftragsdaten verfügbar.")) + "</p>")
    elif not tasks.tasks:
        parts.append("<p>" + _esc(tr("Keine offenen Aufträge.")) + "</p>")
    else:
        parts.append(
            "<p>"
            + _esc(tr("{0} offen, davon {1} überfällig.")).format(
                len(tasks.tasks), tasks.overdue_count
            )
            + "</p>"
        )
        rows = [
            (
                str(t.number),
                t.title,
                t.assigned_to,
                format_dtg(t.due) if t.due else "—",
                (tr("ÜBERFÄLLIG") + " – " if t.overdue else "") + t.status,
            )
            for t in tasks.tasks
        ]
        parts.append(_table((tr("Nr."), tr("Auftrag"), tr("an"), tr("Frist"), tr("Status")), rows))
    if content.roster:
        parts.append("<h3>" + _esc(tr("Eigene Lage: Besetzung")) + "</h3>")
        rows = [(r.function, r.person or "—", r.reach or "") for r in content.roster]
        parts.append(_table((tr("Funktion"), tr("Person"), tr("Erreichbarkeit")), rows))
    return "\n".join(parts)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th align='left'>{_esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (
        "<table width='100%' cellspacing='0' cellpadding='3' border='1'"
        " style='border-collapse:collapse'>"
        f"<tr>{head}</tr>{body}</table>"
    )


class EntryFilterProxy(QSortFilterProxyModel):
    """Words typed (all must occur) and „nur gewählte“."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._only_chosen = False

    def set_filter(self, text: str, only_chosen: bool) -> None:
        source = self.sourceModel()
        words = [w.casefold() for w in text.split()]
        if (words or only_chosen) and isinstance(source, EntryChoiceModel):
            # Filtering must see every entry, not only the rows fetched so far.
            source.fetch_all()
        # Qt 6.9 replaced invalidateRowsFilter by begin/endFilterChange.
        modern = hasattr(self, "beginFilterChange")
        if modern:
            self.beginFilterChange()
        self._words = words
        self._only_chosen = only_chosen
        if modern:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateRowsFilter()

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        if self._only_chosen:
            state = model.index(source_row, EntryColumn.CHOSEN, source_parent).data(
                Qt.ItemDataRole.CheckStateRole
            )
            if state != Qt.CheckState.Checked:
                return False
        if not self._words:
            return True
        index = model.index(source_row, EntryColumn.TEXT, source_parent)
        haystack = " ".join(
            str(model.index(source_row, c, source_parent).data() or "")
            for c in (EntryColumn.NUMBER, EntryColumn.FUNCTION, EntryColumn.KIND)
        )
        haystack = f"{haystack} {index.data(ENTRY_TEXT_ROLE) or ''}".casefold()
        return all(word in haystack for word in self._words)


class EntryChoiceView(FittedTableView):
    """The entry list; the space bar ticks or unticks the current entry."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            index = self.currentIndex()
            proxy = self.model()
            if index.isValid() and isinstance(proxy, QSortFilterProxyModel):
                source = proxy.mapToSource(index)
                model = proxy.sourceModel()
                if isinstance(model, EntryChoiceModel):
                    model.toggle_row(source.row())
                    event.accept()
                    return
        super().keyPressEvent(event)


class ReportEditor(QWidget):
    """One report: header, sections on pages, the entries to choose, the actions."""

    changed = Signal()
    save_requested = Signal()
    release_requested = Signal()
    predraft_requested = Signal()
    preview_requested = Signal()
    discard_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportEditor")
        self.report: ReportView | None = None
        self._dirty = False
        self._loading = False
        self._editable = False
        self.texts: dict[str, QPlainTextEdit] = {}
        self.resource_edits: dict[int, QPlainTextEdit] = {}

        self.heading = QLabel(self)
        self.heading.setObjectName("reportHeading")
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.heading.setFont(font)
        self.state_label = QLabel(self)
        self.state_label.setObjectName("reportState")
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.pages = QTabWidget(self)
        self.pages.setObjectName("reportPages")
        self.pages.setDocumentMode(True)
        self.pages.addTab(self._build_overview_page(), self.tr("Ü&bersicht"))
        self.pages.addTab(self._build_own_page(), self.tr("&KRITIS && Eigene Lage"))
        self.pages.addTab(self._build_journal_page(), self.tr("&ETB-Einträge"))
        self.pages.addTab(self._build_outlook_page(), self.tr("&Prognose && Bedarf"))
        self.pages.addTab(self._build_meeting_page(), self.tr("Besprechung && &Verteiler"))

        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("reportEmptySections")
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("QLabel#reportEmptySections { color: #5C4400; }")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        spacing = max(2, self.fontMetrics().height() // 4)
        layout.setSpacing(spacing)
        layout.addWidget(self.heading)
        layout.addWidget(self.state_label)
        layout.addLayout(self._build_header_form())
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.empty_label)
        layout.addLayout(self._build_buttons())
        self.clear(self.tr("Kein Lagebericht ausgewählt."))

    # -- construction ---------------------------------------------------------------------
    def _text_edit(self, name: str, placeholder: str, lines: int = 4) -> QPlainTextEdit:
        edit = QPlainTextEdit(self)
        edit.setObjectName(f"report_{name}")
        edit.setTabChangesFocus(True)
        edit.setPlaceholderText(placeholder)
        edit.setMinimumHeight(self.fontMetrics().lineSpacing() * lines)
        edit.textChanged.connect(self._on_changed)
        return edit

    def _sections(self, fields: Sequence[tuple[str, str, str]]) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        margin = max(2, self.fontMetrics().height() // 3)
        layout.setContentsMargins(margin, margin, margin, margin)
        for name, label, placeholder in fields:
            edit = self._text_edit(name, self.tr(placeholder))
            title = QLabel(self.tr(label), page)
            title.setBuddy(edit)
            edit.setAccessibleName(self.tr(label))
            layout.addWidget(title)
            layout.addWidget(edit, 1)
            self.texts[name] = edit
        return page

    def _build_header_form(self) -> QHBoxLayout:
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("reportKind")
        for kind in ReportKind:
            self.kind_combo.addItem(kind.value, kind.value)
        self.kind_combo.setAccessibleName(self.tr("Meldungsart"))
        self.kind_combo.currentIndexChanged.connect(self._on_changed)
        self.classification_combo = QComboBox(self)
        self.classification_combo.setObjectName("reportClassification")
        self.classification_combo.setEditable(True)
        self.classification_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for marking in CLASSIFICATIONS:
            self.classification_combo.addItem(marking)
        self.classification_combo.lineEdit().setPlaceholderText(self.tr("keine Einstufung"))
        self.classification_combo.setAccessibleName(self.tr("Einstufung"))
        self.classification_combo.setMinimumContentsLength(24)
        self.classification_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.classification_combo.editTextChanged.connect(self._on_changed)
        self.period_label = QLabel(self)
        self.period_label.setObjectName("reportPeriod")
        row = QHBoxLayout()
        kind_label = QLabel(self.tr("&Art:"), self)
        kind_label.setBuddy(self.kind_combo)
        class_label = QLabel(self.tr("Ein&stufung:"), self)
        class_label.setBuddy(self.classification_combo)
        row.addWidget(kind_label)
        row.addWidget(self.kind_combo)
        row.addSpacing(self.fontMetrics().horizontalAdvance("M"))
        row.addWidget(class_label)
        row.addWidget(self.classification_combo, 1)
        row.addSpacing(self.fontMetrics().horizontalAdvance("M"))
        row.addWidget(self.period_label)
        return row

    def _build_overview_page(self) -> QWidget:
        return self._sections(OVERVIEW_FIELDS)

    def _build_own_page(self) -> QWidget:
        page = QWidget(self)
        layout = QHBoxLayout(page)
        margin = max(2, self.fontMetrics().height() // 3)
        layout.setContentsMargins(margin, margin, margin, margin)
        data = QWidget(page)
        data_layout = QVBoxLayout(data)
        data_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        title = QLabel(self.tr("Vorbefüllt aus KRITIS, Aufträgen und Besetzung (nur lesbar)"), data)
        title.setWordWrap(True)
        self.predraft_button = QPushButton(self.tr("&Neu vorbefüllen"), data)
        self.predraft_button.setObjectName("reportPredraft")
        self.predraft_button.setToolTip(
            self.tr(
                "KRITIS (mit Prognose 12/24/48/72 h), Aufträge und Besetzung neu übernehmen; "
                "der Freitext bleibt."
            )
        )
        self.predraft_button.clicked.connect(self.predraft_requested)
        top.addWidget(title, 1)
        top.addWidget(self.predraft_button)
        self.data_view = QTextBrowser(data)
        self.data_view.setObjectName("reportData")
        self.data_view.setOpenLinks(False)
        self.data_view.setOpenExternalLinks(False)
        self.data_view.setAccessibleName(self.tr("Vorbefüllte Daten"))
        data_layout.addLayout(top)
        data_layout.addWidget(self.data_view, 1)
        texts = self._sections(OWN_FIELDS)
        splitter = QSplitter(Qt.Orientation.Horizontal, page)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(data)
        splitter.addWidget(texts)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter)
        return page

    def _build_journal_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        margin = max(2, self.fontMetrics().height() // 3)
        layout.setContentsMargins(margin, margin, margin, margin)
        self.entry_model = EntryChoiceModel(self)
        self.entry_proxy = EntryFilterProxy(self)
        self.entry_proxy.setSourceModel(self.entry_model)
        self.entry_filter = QLineEdit(page)
        self.entry_filter.setObjectName("reportEntryFilter")
        self.entry_filter.setPlaceholderText(self.tr("Einträge filtern …"))
        self.entry_filter.setClearButtonEnabled(True)
        self.entry_filter.setAccessibleName(self.tr("Einträge filtern"))
        self.only_chosen = QCheckBox(self.tr("nur &gewählte"), page)
        self.entry_count = QLabel(page)
        self.entry_count.setObjectName("reportEntryCount")
        top = QHBoxLayout()
        top.addWidget(self.entry_filter, 1)
        top.addWidget(self.only_chosen)
        top.addWidget(self.entry_count)
        self.entry_table = EntryChoiceView(page)
        self.entry_table.setObjectName("reportEntries")
        self.entry_table.setModel(self.entry_proxy)
        self.entry_table.setAccessibleName(self.tr("Einträge des Berichtszeitraums"))
        self.entry_table.set_columns(
            {
                EntryColumn.CHOSEN: (self.tr("Bedeutsam"), False),
                EntryColumn.NUMBER: ("99999", False),
                EntryColumn.TIME: ("311259dez26", False),
                EntryColumn.FUNCTION: ("Leiter des Stabes", True),
                EntryColumn.KIND: ("Entscheidung", True),
            },
            EntryColumn.TEXT,
            share=0.45,
        )
        self.hint_label = QLabel(
            self.tr(
                "Leertaste oder Klick auf das Kästchen: Eintrag in den Bericht übernehmen. "
                "Vorausgewählt sind die Entscheidungen des Zeitraums."
            ),
            page,
        )
        self.hint_label.setWordWrap(True)
        layout.addLayout(top)
        layout.addWidget(self.entry_table, 1)
        layout.addWidget(self.hint_label)
        self.entry_filter.textChanged.connect(self._apply_entry_filter)
        self.only_chosen.toggled.connect(self._apply_entry_filter)
        self.entry_model.chosen_changed.connect(self._on_chosen_changed)
        return page

    def _build_outlook_page(self) -> QWidget:
        page = self._sections(OUTLOOK_FIELDS)
        layout = page.layout()
        assert isinstance(layout, QVBoxLayout)
        title = QLabel(self.tr("Ressourcenbedarf"), page)
        layout.addWidget(title)
        grid = QGridLayout()
        for i, hours in enumerate(HORIZONS):
            edit = self._text_edit(
                f"resource_{hours}", self.tr("Bedarf in {0} h").format(hours), lines=2
            )
            label = QLabel(self.tr("{0} h").format(hours), page)
            label.setBuddy(edit)
            edit.setAccessibleName(self.tr("Ressourcenbedarf {0} Stunden").format(hours))
            grid.addWidget(label, i // 2, (i % 2) * 2)
            grid.addWidget(edit, i // 2, (i % 2) * 2 + 1)
            self.resource_edits[hours] = edit
        layout.addLayout(grid, 1)
        return page

    def _build_meeting_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        margin = max(2, self.fontMetrics().height() // 3)
        layout.setContentsMargins(margin, margin, margin, margin)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.meeting_edit = QLineEdit(page)
        self.meeting_edit.setObjectName("reportMeetingAt")
        self.meeting_edit.setPlaceholderText(self.tr("z. B. 20:00, 28.11. 08:00 oder 280800nov26"))
        self.meeting_edit.textChanged.connect(self._on_meeting_changed)
        self.meeting_hint = QLabel(page)
        self.meeting_hint.setObjectName("reportMeetingHint")
        meeting_row = QHBoxLayout()
        meeting_row.addWidget(self.meeting_edit, 1)
        meeting_row.addWidget(self.meeting_hint, 1)
        self.meeting_place_edit = QLineEdit(page)
        self.meeting_place_edit.setObjectName("reportMeetingPlace")
        self.meeting_place_edit.textChanged.connect(self._on_changed)
        self.location_edit = QLineEdit(page)
        self.location_edit.setObjectName("reportLocation")
        self.location_edit.setPlaceholderText(self.tr("z. B. Kreishaus, Raum 1.12"))
        self.location_edit.textChanged.connect(self._on_changed)
        self.severity_combo = QComboBox(page)
        self.severity_combo.setObjectName("reportSeverity")
        for value in SEVERITIES:
            self.severity_combo.addItem(SEVERITY_LABELS[value], value)
        self.severity_combo.currentIndexChanged.connect(self._on_changed)
        self.confidence_combo = QComboBox(page)
        self.confidence_combo.setObjectName("reportConfidence")
        for confidence in ReportConfidence:
            self.confidence_combo.addItem(CONFIDENCE_LABELS[confidence], confidence.value)
        self.confidence_combo.currentIndexChanged.connect(self._on_changed)
        form.addRow(self.tr("Nächste &Lagebesprechung:"), meeting_row)
        form.addRow(self.tr("&Ort der Lagebesprechung:"), self.meeting_place_edit)
        form.addRow(self.tr("Standort des &Stabes:"), self.location_edit)
        form.addRow(self.tr("Sch&were der Lage:"), self.severity_combo)
        form.addRow(self.tr("&Verlässlichkeit:"), self.confidence_combo)
        for row in range(form.rowCount()):
            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label and isinstance(label.widget(), QLabel) and field and field.widget():
                label.widget().setBuddy(field.widget())
        label = form.labelForField(meeting_row)
        if isinstance(label, QLabel):
            label.setBuddy(self.meeting_edit)
        self.distribution_edit = self._text_edit(
            "distribution", self.tr("Ein Empfänger je Zeile, z. B. Bezirksregierung Köln"), 5
        )
        self.distribution_edit.setAccessibleName(self.tr("Verteiler"))
        distribution_label = QLabel(self.tr("Ver&teiler (ein Empfänger je Zeile)"), page)
        distribution_label.setBuddy(self.distribution_edit)
        layout.addLayout(form)
        layout.addWidget(distribution_label)
        layout.addWidget(self.distribution_edit, 1)
        return page

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.save_button = QPushButton(self.tr("&Speichern"), self)
        self.save_button.setObjectName("reportSave")
        self.save_button.setToolTip(self.tr("Entwurf speichern (Strg+S)"))
        self.save_button.clicked.connect(self.save_requested)
        self.preview_button = QPushButton(self.tr("&Vorschau/Drucken …"), self)
        self.preview_button.setObjectName("reportPreview")
        self.preview_button.setToolTip(
            self.tr("Den Bericht als PDF ansehen, drucken oder speichern (Strg+P)")
        )
        self.preview_button.clicked.connect(self.preview_requested)
        self.release_button = QPushButton(self.tr("&Freigeben …"), self)
        self.release_button.setObjectName("reportRelease")
        self.release_button.clicked.connect(self.release_requested)
        self.discard_button = QPushButton(self.tr("Entwurf &verwerfen …"), self)
        self.discard_button.setObjectName("reportDiscard")
        self.discard_button.clicked.connect(self.discard_requested)
        row.addWidget(self.save_button)
        row.addWidget(self.preview_button)
        row.addStretch(1)
        row.addWidget(self.discard_button)
        row.addWidget(self.release_button)
        return row

    # -- showing ----------------------------------------------------------------------------
    def clear(self, text: str) -> None:
        """Nothing to edit: ``text`` says why."""
        self._loading = True
        try:
            self.report = None
            self.heading.setText(text)
            self.state_label.setText("")
            self.period_label.setText("")
            for edit in self._all_text_edits():
                edit.setPlainText("")
            self.meeting_edit.setText("")
            self.meeting_place_edit.setText("")
            self.location_edit.setText("")
            self.classification_combo.setEditText("")
            self.data_view.setHtml("")
            self.entry_model.set_entries([], (), editable=False)
            self.empty_label.setText("")
        finally:
            self._loading = False
        self._dirty = False
        self._set_editable(False, can_release=False)
        self.preview_button.setEnabled(False)
        self.pages.setEnabled(False)

    def show_report(
        self,
        report: ReportView,
        entries: Sequence[EntryLike],
        *,
        editable: bool,
        can_release: bool,
        release_hint: str = "",
    ) -> None:
        """Load ``report``; ``entries`` are the candidates of a draft (ignored when released)."""
        content = report.content
        self._loading = True
        try:
            self.report = report
            self.heading.setText(report.title)
            self.state_label.setText(self._state_text(report))
            until = format_dtg(report.period_to) if report.period_to else self.tr("jetzt")
            self.period_label.setText(
                self.tr("Berichtszeitraum {0} bis {1}").format(
                    format_dtg(report.period_from), until
                )
            )
            index = self.kind_combo.findData(report.kind)
            self.kind_combo.setCurrentIndex(max(0, index))
            self.classification_combo.setEditText(report.classification or "")
            for name in TEXT_FIELDS:
                self.texts[name].setPlainText(getattr(content, name))
            for hours, edit in self.resource_edits.items():
                edit.setPlainText(content.resource(hours))
            self.meeting_edit.setText(
                format_local(content.next_meeting_at) if content.next_meeting_at else ""
            )
            self.meeting_place_edit.setText(content.next_meeting_place)
            self.location_edit.setText(content.location)
            self.severity_combo.setCurrentIndex(
                max(0, self.severity_combo.findData(content.severity))
            )
            self.confidence_combo.setCurrentIndex(
                max(0, self.confidence_combo.findData(content.confidence))
            )
            self.distribution_edit.setPlainText("\n".join(content.distribution))
            self.data_view.setHtml(data_sections_html(content, self.tr))
            if report.is_released:
                self.entry_model.set_entries(
                    content.entries, [e.number for e in content.entries], editable=False
                )
            else:
                self.entry_model.set_entries(
                    entries, content.significant_entries, editable=editable
                )
        finally:
            self._loading = False
        self._dirty = False
        self.pages.setEnabled(True)
        self.preview_button.setEnabled(True)
        self._set_editable(editable and report.is_draft, can_release=can_release)
        self.release_button.setToolTip(
            release_hint or self.tr("Bericht freigeben (Leitung); danach ist er unveränderlich.")
        )
        self._on_meeting_changed(self.meeting_edit.text(), mark=False)
        self._update_empty_hint()
        self._update_entry_count()

    def set_candidates(self, entries: Sequence[EntryLike]) -> None:
        """New journal entries arrived: refresh the list, keeping every choice made."""
        if self.report is None or self.report.is_released:
            return
        chosen = self.entry_model.chosen_all()
        self.entry_model.set_entries(entries, chosen, editable=self._editable)
        self._apply_entry_filter()

    def _state_text(self, report: ReportView) -> str:
        if report.is_released:
            released = format_local(report.released_at) if report.released_at else ""
            return self.tr(
                "Freigegeben {0} durch {1} ({2}) – unveränderlich. Erstellt von {3} ({4}). "
                "SHA-256 des PDF: {5}"
            ).format(
                released,
                report.released_by or "",
                report.released_function or "",
                report.prepared_by,
                report.prepared_function,
                (report.pdf_sha256 or "")[:12] + "…",
            )
        return self.tr("Entwurf von {0} ({1}), zuletzt geändert {2} (Stand {3}).").format(
            report.prepared_by,
            report.prepared_function,
            format_local(report.updated_at),
            report.revision,
        )

    def _all_text_edits(self) -> list[QPlainTextEdit]:
        return [*self.texts.values(), *self.resource_edits.values(), self.distribution_edit]

    def _set_editable(self, editable: bool, *, can_release: bool) -> None:
        self._editable = editable
        for widget in (
            *self._all_text_edits(),
            self.meeting_edit,
            self.meeting_place_edit,
            self.location_edit,
        ):
            widget.setReadOnly(not editable)
            # A frozen text must not look like a field waiting for input.
            widget.setStyleSheet("" if editable else READ_ONLY_STYLE)
        for combo in (
            self.kind_combo,
            self.classification_combo,
            self.severity_combo,
            self.confidence_combo,
        ):
            combo.setEnabled(editable)
        self.predraft_button.setEnabled(editable)
        self.save_button.setEnabled(editable)
        self.discard_button.setEnabled(editable)
        self.release_button.setEnabled(editable and can_release)
        draft_only = self.report is None or self.report.is_draft
        for widget in (self.save_button, self.discard_button, self.release_button):
            widget.setVisible(draft_only)
        self.predraft_button.setVisible(draft_only)
        self.hint_label.setVisible(editable)

    # -- state ------------------------------------------------------------------------------
    @property
    def editable(self) -> bool:
        return self._editable

    def is_dirty(self) -> bool:
        return self._dirty

    def mark_clean(self) -> None:
        self._dirty = False

    def _on_changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._dirty = True
        self._update_empty_hint()
        self.changed.emit()

    def _on_chosen_changed(self) -> None:
        self._update_entry_count()
        self._on_changed()

    def _on_meeting_changed(self, text: str, mark: bool = True) -> None:
        try:
            when = parse_meeting_time(text)
        except ValueError as exc:
            self.meeting_hint.setText(str(exc))
            self.meeting_hint.setStyleSheet("color: #7A1010;")
        else:
            self.meeting_hint.setStyleSheet("")
            self.meeting_hint.setText(
                self.tr("= {0} ({1})").format(format_local(when), format_dtg(when)) if when else ""
            )
        if mark:
            self._on_changed()

    def _apply_entry_filter(self, *_args: object) -> None:
        self.entry_proxy.set_filter(self.entry_filter.text(), self.only_chosen.isChecked())

    def _update_entry_count(self) -> None:
        model = self.entry_model
        self.entry_count.setText(
            self.tr("{0} von {1} gewählt").format(len(model.chosen()), model.total)
        )

    def _update_empty_hint(self) -> None:
        if self.report is None or self.report.is_released:
            self.empty_label.setText("")
            return
        try:
            content = self.content()
        except ValueError:
            return
        missing = empty_sections(content)
        self.empty_label.setText(
            self.tr("Noch leer: {0}").format(", ".join(missing)) if missing else ""
        )

    # -- reading the widgets ---------------------------------------------------------------
    def kind_value(self) -> str:
        return str(self.kind_combo.currentData() or self.kind_combo.currentText())

    def classification_value(self) -> str | None:
        text = self.classification_combo.currentText().strip()
        return text or None

    def content(self) -> ReportContent:
        """The editor's state as report content; ValueError (German) for a bad meeting time."""
        if self.report is None:
            raise ValueError(self.tr("Kein Lagebericht geöffnet."))
        base = self.report.content
        texts = {name: self.texts[name].toPlainText() for name in TEXT_FIELDS}
        resources = {
            hours: edit.toPlainText()
            for hours, edit in self.resource_edits.items()
            if edit.toPlainText().strip()
        }
        distribution = tuple(
            line.strip()
            for line in self.distribution_edit.toPlainText().splitlines()
            if line.strip()
        )
        meeting_text = self.meeting_edit.text()
        if base.next_meeting_at is not None and meeting_text == format_local(base.next_meeting_at):
            # Unchanged: keep the stored moment even after it has passed.
            meeting = base.next_meeting_at
        else:
            try:
                meeting = parse_meeting_time(meeting_text, utcnow())
            except ValueError as exc:
                raise ValueError(self.tr("Nächste Lagebesprechung: {0}").format(exc)) from None
        return dataclasses.replace(
            base,
            **texts,
            resources=resources,
            distribution=distribution,
            next_meeting_at=meeting,
            next_meeting_place=self.meeting_place_edit.text(),
            location=self.location_edit.text(),
            severity=str(self.severity_combo.currentData()),
            confidence=str(self.confidence_combo.currentData()),
            significant_entries=self.entry_model.chosen_all(),
        )

    def focus_first(self) -> None:
        self.pages.setCurrentIndex(PAGE_OVERVIEW)
        self.texts["overview"].setFocus(Qt.FocusReason.OtherFocusReason)
