"""The detail panel of a facility: overview, contacts, dependencies, histories.

Phone numbers are buttons: one click (or Space on the focused button) puts
the number on the clipboard and the status bar says so. Everything the panel
shows comes from detached service views; user text is escaped before it
reaches HTML.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.cascade import DependencyView
from krisenstab.domain.facility import (
    ContactView,
    DependencyLink,
    FacilityChangeView,
    FacilityDetail,
    FacilityView,
    StatusChangeView,
    fmt_number,
)
from krisenstab.domain.geo import format_decimal, format_utm32, format_utmref
from krisenstab.domain.power import format_remaining, hours_until_dry, runs_dry_at
from krisenstab.domain.timefmt import utcnow
from krisenstab.gui.kritis_model import (
    ROW_ROLE,
    RecordColumn,
    RecordTableModel,
    fmt_hours,
    fmt_int,
    fmt_when,
    fmt_when_long,
    shape_icon,
    status_icon,
)

COPY_COLOR = "#1E5AA8"
NO_VALUE = "–"


@dataclass(frozen=True)
class DependencyRow:
    """One line of the dependency tables: the other facility and the link."""

    facility_id: str
    name: str
    municipality: str
    kind: str
    tolerance_h: float
    status: str | None
    note: str | None


def make_table(
    parent: QWidget, model: RecordTableModel, name: str, *, stretch: int | None = None
) -> QTableView:
    """A compact, read-only, keyboard-friendly table for a record model.

    ``stretch``: the column that takes the spare width (default: the last).
    """
    table = QTableView(parent)
    table.setModel(model)
    table.setObjectName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTabKeyNavigation(False)
    table.setCornerButtonEnabled(False)
    table.verticalHeader().hide()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(int(table.fontMetrics().lineSpacing() * 1.4) + 2)
    header = table.horizontalHeader()
    header.setHighlightSections(False)
    header.setStretchLastSection(stretch is None)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def fit_columns(table: QTableView, samples: Sequence[str]) -> None:
    """Column widths from sample texts in the current font (DPI-independent)."""
    fm = table.fontMetrics()
    header = table.horizontalHeader()
    model = table.model()
    for column, sample in enumerate(samples):
        if header.sectionResizeMode(column) == QHeaderView.ResizeMode.Stretch:
            continue
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        width = max(fm.horizontalAdvance(sample), header.fontMetrics().horizontalAdvance(title))
        icon = 0
        if isinstance(model, RecordTableModel) and model.columns[column].icon is not None:
            icon = table.iconSize().width() + 6 if table.iconSize().isValid() else 22
        header.resizeSection(column, width + icon + fm.height() + 8)


def copy_to_clipboard(text: str) -> None:
    QGuiApplication.clipboard().setText(text)


class CopyButton(QToolButton):
    """Shows a value; a click copies it (and says so through `copied`)."""

    copied = Signal(str, str)  # value, what it is

    def __init__(self, value: str, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value = value
        self.what = what
        self.setText(value)
        self.setIcon(shape_icon("copy", COPY_COLOR))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setToolTip(self.tr("{0} in die Zwischenablage kopieren").format(what))
        self.setAccessibleName(self.tr("{0} {1} kopieren").format(what, value))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.clicked.connect(self._copy)

    def _copy(self) -> None:
        copy_to_clipboard(self.value)
        self.copied.emit(self.value, self.what)


class FacilityDetailPanel(QWidget):
    """Everything about the selected facility."""

    # The user wants to see another facility (a supplier or dependent).
    facility_requested = Signal(str)
    # "What if this facility fails?"
    cascade_requested = Signal(str)
    # A German note for the status bar (e.g. "… kopiert").
    message = Signal(str)

    PAGE_OVERVIEW = 0
    PAGE_CONTACTS = 1
    PAGE_DEPENDENCIES = 2
    PAGE_STATUS = 3
    PAGE_CHANGES = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("facilityDetail")
        self.facility: FacilityView | None = None
        self.contacts: tuple[ContactView, ...] = ()
        self._detail: FacilityDetail | None = None
        self._dependency_view: DependencyView | None = None
        self.copy_buttons: list[CopyButton] = []
        self._build_header()
        self._build_pages()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(max(2, self.fontMetrics().height() // 4))
        layout.addWidget(self.header)
        layout.addWidget(self.pages, 1)
        self.clear()

    # -- construction ------------------------------------------------------------
    def _build_header(self) -> None:
        self.header = QFrame(self)
        self.header.setObjectName("facilityDetailHeader")
        self.title_label = QLabel(self.header)
        self.title_label.setObjectName("facilityTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.title_label.font())
        font.setBold(True)
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.2)
        self.title_label.setFont(font)
        self.status_icon = QLabel(self.header)
        self.status_label = QLabel(self.header)
        self.status_label.setObjectName("facilityStatusLine")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.phone_row = QHBoxLayout()
        self.phone_row.setContentsMargins(0, 0, 0, 0)

        status_row = QHBoxLayout()
        status_row.setContentsMargins(0, 0, 0, 0)
        status_row.addWidget(self.status_icon, 0, Qt.AlignmentFlag.AlignTop)
        status_row.addWidget(self.status_label, 1)
        layout = QVBoxLayout(self.header)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title_label)
        layout.addLayout(status_row)
        layout.addLayout(self.phone_row)

    def _build_pages(self) -> None:
        self.pages = QTabWidget(self)
        self.pages.setObjectName("facilityDetailPages")
        self.pages.setDocumentMode(True)
        self.pages.setUsesScrollButtons(True)

        # Overview
        overview = QWidget(self.pages)
        self.overview = QTextBrowser(overview)
        self.overview.setObjectName("facilityOverview")
        self.overview.setOpenLinks(False)
        self.overview.setAccessibleName(self.tr("Stammdaten des Objekts"))
        self.position_buttons = QHBoxLayout()
        self.position_buttons.setContentsMargins(0, 0, 0, 0)
        box = QVBoxLayout(overview)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.overview, 1)
        box.addLayout(self.position_buttons)
        self.pages.addTab(overview, self.tr("Stammdaten"))

        # Contacts
        self.contacts_area = QScrollArea(self.pages)
        self.contacts_area.setObjectName("facilityContacts")
        self.contacts_area.setWidgetResizable(True)
        self.contacts_area.setFrameShape(QFrame.Shape.NoFrame)
        self.contacts_widget = QWidget(self.contacts_area)
        self.contacts_layout = QVBoxLayout(self.contacts_widget)
        self.contacts_area.setWidget(self.contacts_widget)
        self.pages.addTab(self.contacts_area, self.tr("Kontakte"))

        # Dependencies
        deps = QWidget(self.pages)
        self.dependency_summary = QLabel(deps)
        self.dependency_summary.setObjectName("dependencySummary")
        self.dependency_summary.setWordWrap(True)
        self.dependency_summary.setTextFormat(Qt.TextFormat.PlainText)
        self.suppliers_model = RecordTableModel(self._dependency_columns(), self)
        self.dependents_model = RecordTableModel(self._dependency_columns(), self)
        self.suppliers_table = make_table(deps, self.suppliers_model, "suppliersTable", stretch=0)
        self.suppliers_table.setAccessibleName(self.tr("Hängt ab von"))
        self.dependents_table = make_table(
            deps, self.dependents_model, "dependentsTable", stretch=0
        )
        self.dependents_table.setAccessibleName(self.tr("Davon hängen ab"))
        for table in (self.suppliers_table, self.dependents_table):
            table.activated.connect(self._on_dependency_activated)
            table.doubleClicked.connect(self._on_dependency_activated)
            fit_columns(table, ("", "Kraftstoff", "Toleranz", "Notstrombetrieb"))
        self.suppliers_label = QLabel(self.tr("Hängt ab von:"), deps)
        self.suppliers_label.setBuddy(self.suppliers_table)
        self.dependents_label = QLabel(self.tr("Davon hängen ab:"), deps)
        self.dependents_label.setBuddy(self.dependents_table)
        self.what_if_button = QPushButton(deps)
        self.what_if_button.setObjectName("whatIfButton")
        self.what_if_button.clicked.connect(self._request_cascade)
        split = QSplitter(Qt.Orientation.Vertical, deps)
        split.setChildrenCollapsible(False)
        for label, table in (
            (self.suppliers_label, self.suppliers_table),
            (self.dependents_label, self.dependents_table),
        ):
            part = QWidget(split)
            part_layout = QVBoxLayout(part)
            part_layout.setContentsMargins(0, 0, 0, 0)
            part_layout.setSpacing(2)
            part_layout.addWidget(label)
            part_layout.addWidget(table, 1)
            split.addWidget(part)
        box = QVBoxLayout(deps)
        box.setContentsMargins(0, 2, 0, 0)
        box.addWidget(self.dependency_summary)
        box.addWidget(split, 1)
        box.addWidget(self.what_if_button)
        self.pages.addTab(deps, self.tr("Abhängigkeiten"))

        # Status history
        self.status_model = RecordTableModel(
            self._status_columns(), self, row_tooltip=self._status_tooltip
        )
        self.status_table = make_table(self.pages, self.status_model, "statusHistoryTable")
        self.status_table.setAccessibleName(self.tr("Statusverlauf"))
        fit_columns(
            self.status_table,
            (
                "27.11. 14:35",
                "Notstrombetrieb",
                "Notstrombetrieb",
                "Ersterfassung",
                "Netzbetreiber",
            ),
        )
        index = self.pages.addTab(self.status_table, self.tr("Status"))
        self.pages.setTabToolTip(index, self.tr("Statusverlauf mit Quelle, Notiz und ETB-Nummer"))

        # Change history
        self.change_model = RecordTableModel(
            self._change_columns(), self, row_tooltip=self._change_tooltip
        )
        self.change_table = make_table(self.pages, self.change_model, "changeHistoryTable")
        self.change_table.setAccessibleName(self.tr("Änderungen der Stammdaten"))
        fit_columns(
            self.change_table,
            ("27.11. 14:35", "Max Mustermann (S2)", "a1b2c3d4", "geändert", "Autarkie (h)", "12"),
        )
        # Not "Änderungen": some styles clip a capital umlaut on an unselected tab.
        index = self.pages.addTab(self.change_table, self.tr("Historie"))
        self.pages.setTabToolTip(
            index, self.tr("Änderungen der Stammdaten: wer, wann, Arbeitsplatz, alt und neu")
        )

    # -- columns -------------------------------------------------------------------
    def _dependency_columns(self) -> list[RecordColumn]:
        def status_of(r: DependencyRow) -> str:
            return r.status or NO_VALUE

        return [
            RecordColumn(
                self.tr("Objekt"),
                lambda r: r.name,
                icon=lambda r: status_icon(r.status) if r.status else None,
                tooltip=lambda r: (
                    f"{r.name} ({r.municipality}) – {status_of(r)}"
                    + (f"\n{r.note}" if r.note else "")
                ),
            ),
            RecordColumn(self.tr("Art"), lambda r: r.kind),
            RecordColumn(
                self.tr("Toleranz"),
                lambda r: fmt_hours(r.tolerance_h) if r.tolerance_h else self.tr("keine"),
                header_tip=self.tr("Wie lange ein Puffer den Ausfall überbrückt"),
                right=True,
            ),
            RecordColumn(self.tr("Status"), status_of),
        ]

    def _status_columns(self) -> list[RecordColumn]:
        def who(r: StatusChangeView) -> str:
            return f"{r.author} ({r.function})"

        return [
            RecordColumn(
                self.tr("seit"),
                lambda r: fmt_when(r.since),
                tooltip=lambda r: self.tr("seit {0}\nerfasst {1}").format(
                    fmt_when_long(r.since), fmt_when_long(r.recorded_at)
                ),
            ),
            RecordColumn(
                self.tr("Status"), lambda r: r.status, icon=lambda r: status_icon(r.status)
            ),
            RecordColumn(self.tr("Quelle"), lambda r: r.source or ""),
            RecordColumn(
                self.tr("Notiz"),
                lambda r: (r.note or "").replace("\n", " "),
                tooltip=lambda r: r.note or None,
            ),
            RecordColumn(self.tr("gemeldet von"), who),
            RecordColumn(
                self.tr("ETB"),
                lambda r: self.tr("Nr. {0}").format(r.journal_number) if r.journal_number else "",
                header_tip=self.tr("Eintrag im Einsatztagebuch"),
            ),
            RecordColumn(self.tr("vorher"), lambda r: r.previous_status or ""),
            RecordColumn(self.tr("Anlass"), lambda r: r.event),
        ]

    def _status_tooltip(self, r: StatusChangeView) -> str:
        lines = [
            self.tr("{0}: {1} seit {2}").format(r.event, r.status, fmt_when_long(r.since)),
            self.tr("gemeldet von {0} ({1}), erfasst {2}").format(
                r.author, r.function, fmt_when_long(r.recorded_at)
            ),
        ]
        if r.previous_status:
            lines.append(self.tr("vorher: {0}").format(r.previous_status))
        if r.source:
            lines.append(self.tr("Quelle: {0}").format(r.source))
        if r.journal_number:
            lines.append(self.tr("ETB Nr. {0}").format(r.journal_number))
        if r.note:
            lines.append(r.note)
        return "\n".join(lines)

    def _change_tooltip(self, r: FacilityChangeView) -> str:
        head = self.tr("{0} von {1} ({2}), Arbeitsplatz {3}").format(
            fmt_when_long(r.changed_at), r.person, r.function, r.workstation_id
        )
        what = f"{r.action}: {r.field_label}" if r.field_name else r.action
        return "\n".join(
            [head, what, self.tr("alt: {0}").format(r.old_value or "–"),
             self.tr("neu: {0}").format(r.new_value or "–")]
        )  # fmt: skip

    def _change_columns(self) -> list[RecordColumn]:
        return [
            RecordColumn(
                self.tr("wann"),
                lambda r: fmt_when(r.changed_at),
                tooltip=lambda r: fmt_when_long(r.changed_at),
            ),
            RecordColumn(self.tr("wer"), lambda r: f"{r.person} ({r.function})"),
            RecordColumn(
                self.tr("Arbeitsplatz"),
                lambda r: r.workstation_id[:8],
                tooltip=lambda r: r.workstation_id,
            ),
            RecordColumn(self.tr("Aktion"), lambda r: r.action),
            RecordColumn(self.tr("Feld"), lambda r: r.field_label if r.field_name else ""),
            RecordColumn(self.tr("alt"), lambda r: _one_line(r.old_value)),
            RecordColumn(self.tr("neu"), lambda r: _one_line(r.new_value)),
        ]

    # -- showing -------------------------------------------------------------------
    @property
    def facility_id(self) -> str | None:
        return self.facility.id if self.facility else None

    def clear(self, text: str | None = None) -> None:
        self.facility = None
        self.contacts = ()
        self.title_label.setText(text or self.tr("Kein Objekt ausgewählt."))
        self.status_icon.clear()
        self.status_label.clear()
        self._set_copy_row(self.phone_row, [])
        self._set_copy_row(self.position_buttons, [])
        self.overview.clear()
        self._fill_contacts(())
        self.dependency_summary.clear()
        self._detail = None
        self._dependency_view = None
        self.suppliers_model.set_rows([])
        self.dependents_model.set_rows([])
        self.status_model.set_rows([])
        self.change_model.set_rows([])
        self.what_if_button.setText(self.tr("Was wäre, wenn das Objekt ausfällt?"))
        self.what_if_button.setEnabled(False)
        self.pages.setEnabled(False)

    def show_detail(
        self,
        detail: FacilityDetail,
        *,
        status_history: Sequence[StatusChangeView] = (),
        change_history: Sequence[FacilityChangeView] = (),
        dependencies: DependencyView | None = None,
        lookup: Callable[[str], FacilityView | None] = lambda _id: None,
        now: datetime | None = None,
    ) -> None:
        now = now or utcnow()
        view = detail.facility
        self.facility = view
        self.contacts = detail.contacts
        self.pages.setEnabled(True)
        self.title_label.setText(view.name)
        self.status_icon.setPixmap(status_icon(view.status).pixmap(18, 18))
        self.status_label.setText(self._status_line(view, now))
        self.status_label.setToolTip(self.tr("seit {0}").format(fmt_when_long(view.status_since)))
        self.overview.setHtml(self._overview_html(view, now))
        phones = []
        for contact in detail.contacts:
            if contact.available_24_7 and (contact.phone or contact.phone_alt):
                phones.append(
                    (
                        contact.phone or contact.phone_alt or "",
                        self.tr("24/7: {0}").format(contact.role),
                    )
                )
                break
        self._set_copy_row(self.phone_row, phones)
        position = view.position
        self._set_copy_row(
            self.position_buttons,
            [
                (format_utmref(position), self.tr("UTMREF")),
                (format_decimal(position), self.tr("Position dezimal")),
            ]
            if position is not None
            else [],
        )
        self._fill_contacts(detail.contacts)
        self.pages.setTabText(
            self.PAGE_CONTACTS, self.tr("Kontakte ({0})").format(len(detail.contacts))
        )
        self._show_dependencies(detail, dependencies, lookup)
        self.status_model.set_rows(list(status_history))
        self.change_model.set_rows(list(change_history))
        self.what_if_button.setText(
            self.tr("Was wäre, wenn „{0}“ ausfällt? (Strg+Umschalt+A)").format(view.name)
        )
        self.what_if_button.setEnabled(True)

    def tick(self, now: datetime) -> None:
        """The clock moved: a running generator's remaining time changes."""
        view = self.facility
        if view is not None and view.on_emergency_power:
            self.status_label.setText(self._status_line(view, now))

    def show_page(self, page: int) -> None:
        self.pages.setCurrentIndex(page)

    def copy_phone(self) -> bool:
        """Copy the 24/7 number (the first copy button in the header)."""
        for button in self.copy_buttons:
            if button.parent() is self.header:
                button.click()
                return True
        return False

    # -- parts ---------------------------------------------------------------------
    def _status_line(self, view: FacilityView, now: datetime) -> str:
        parts = [self.tr("{0} seit {1}").format(view.status, fmt_when(view.status_since, now))]
        if view.status_source:
            parts.append(self.tr("Quelle: {0}").format(view.status_source))
        lines = [" · ".join(parts)]
        if view.on_emergency_power:
            lines.append(self.tr("Notstrom: {0}").format(format_remaining(_left(view, now))))
        if view.status_note:
            lines.append(view.status_note)
        return "\n".join(lines)

    def _overview_html(self, view: FacilityView, now: datetime) -> str:
        e = html.escape
        rows: list[tuple[str, str]] = []

        def add(label: str, value: str | None, raw: bool = False) -> None:
            if value:
                rows.append((label, value if raw else e(value).replace("\n", "<br>")))

        sector = view.sector + (f" – {view.branch}" if view.branch else "")
        if view.locally_critical:
            sector += self.tr(" (lokal kritisch, kein KRITIS im Sinne des Gesetzes)")
        add(self.tr("Sektor"), sector)
        add(self.tr("Gemeinde"), view.municipality)
        add(self.tr("Anschrift"), view.address or None)
        position = view.position
        if position is not None:
            lines = [
                f"<b>{e(format_utmref(position))}</b> (UTMREF)",
                e(format_decimal(position)) + self.tr(" (Breite, Länge)"),
                e(format_utm32(position)) + " (ETRS89/UTM 32N)",
            ]
            if view.position_text and view.position_text not in (
                format_utmref(position),
                format_decimal(position),
            ):
                lines.append(self.tr("eingegeben als: {0}").format(e(view.position_text)))
            add(self.tr("Position"), "<br>".join(lines), raw=True)
        else:
            add(self.tr("Position"), self.tr("nicht erfasst"))
        add(self.tr("Betreiber"), view.operator)
        add(self.tr("Notstrom"), self._power_html(view, now), raw=True)
        add(
            self.tr("Versorgte Personen"),
            fmt_int(view.persons_supplied) if view.persons_supplied else self.tr("keine Angabe"),
        )
        add(self.tr("Empfindliche Verbraucher"), view.sensitive_consumers)
        add(self.tr("Redundanz"), view.redundancy)
        add(self.tr("Bemerkungen"), view.notes)
        add(
            self.tr("Zuletzt geändert"),
            self.tr("{0} von {1}").format(fmt_when_long(view.updated_at), view.updated_by),
        )
        add(self.tr("ID"), view.id)
        body = "".join(
            f'<tr><td style="padding-right:8px; color:#444;"><b>{e(label)}</b></td>'
            f"<td>{value}</td></tr>"
            for label, value in rows
        )
        return f'<table cellspacing="0" cellpadding="2">{body}</table>'

    def _power_html(self, view: FacilityView, now: datetime) -> str:
        e = html.escape
        if not view.emergency_power:
            return e(self.tr("nein"))
        parts = []
        autonomy = view.autonomy_hours
        if autonomy is None:
            parts.append(self.tr("ja, Autarkie unbekannt – beim Betreiber erfragen"))
        else:
            parts.append(self.tr("ja, Autarkie {0}").format(fmt_hours(autonomy)))
        details = []
        if view.autonomy_h is not None:
            details.append(self.tr("angegeben {0}").format(fmt_hours(view.autonomy_h)))
        if view.fuel_stock_l is not None:
            details.append(self.tr("Kraftstoff {0} l").format(fmt_int(round(view.fuel_stock_l))))
        if view.consumption_l_per_h is not None:
            details.append(
                self.tr("Verbrauch {0} l/h").format(fmt_number(view.consumption_l_per_h))
            )
        if len(details) > 1:
            parts[0] += f" ({', '.join(details)}; es gilt der kleinere Wert)"
        text = e(parts[0])
        since = view.generator_since
        if view.on_emergency_power and since is not None:
            run = self.tr("läuft seit {0}").format(fmt_when_long(since))
            if autonomy is not None:
                run += self.tr(", {0}, reicht bis {1}").format(
                    format_remaining(_left(view, now)),
                    fmt_when_long(runs_dry_at(since, autonomy)),
                )
            text += f'<br><b style="color:#8A3A00">{e(run)}</b>'
        return text

    def _set_copy_row(self, layout: QHBoxLayout, values: Sequence[tuple[str, str]]) -> None:
        while layout.count():
            item = layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                if isinstance(widget, CopyButton) and widget in self.copy_buttons:
                    self.copy_buttons.remove(widget)
                _discard(widget)
        parent = layout.parentWidget()
        for value, what in values:
            button = CopyButton(value, what, parent)
            button.copied.connect(self._on_copied)
            layout.addWidget(button)
            self.copy_buttons.append(button)
        if values:
            layout.addStretch(1)

    def _fill_contacts(self, contacts: Sequence[ContactView]) -> None:
        layout = self.contacts_layout
        while layout.count():
            item = layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                for button in widget.findChildren(CopyButton):
                    if button in self.copy_buttons:
                        self.copy_buttons.remove(button)
                _discard(widget)
        if not contacts:
            empty = QLabel(self.tr("Keine Kontakte erfasst."), self.contacts_widget)
            layout.addWidget(empty)
            layout.addStretch(1)
            return
        for contact in contacts:
            layout.addWidget(self._contact_box(contact))
        layout.addStretch(1)

    def _contact_box(self, contact: ContactView) -> QFrame:
        box = QFrame(self.contacts_widget)
        box.setObjectName("contactBox")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        title = QLabel(box)
        title.setTextFormat(Qt.TextFormat.PlainText)
        text = contact.label
        if contact.available_24_7:
            text += self.tr("  ·  rund um die Uhr (24/7)")
        title.setText(text)
        font = QFont(title.font())
        font.setBold(True)
        title.setFont(font)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for value, what in (
            (contact.phone, self.tr("Telefon {0}").format(contact.role)),
            (contact.phone_alt, self.tr("Ausweichnummer {0}").format(contact.role)),
            (contact.email, self.tr("E-Mail {0}").format(contact.role)),
        ):
            if value:
                button = CopyButton(value, what, box)
                button.copied.connect(self._on_copied)
                buttons.addWidget(button)
                self.copy_buttons.append(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(box)
        margin = max(3, self.fontMetrics().height() // 4)
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.setSpacing(2)
        layout.addWidget(title)
        layout.addLayout(buttons)
        if contact.notes:
            notes = QLabel(contact.notes, box)
            notes.setTextFormat(Qt.TextFormat.PlainText)
            notes.setWordWrap(True)
            layout.addWidget(notes)
        return box

    def _show_dependencies(
        self,
        detail: FacilityDetail,
        dependencies: DependencyView | None,
        lookup: Callable[[str], FacilityView | None],
    ) -> None:
        def row(link: DependencyLink, supplier: bool) -> DependencyRow:
            other = link.supplier_id if supplier else link.dependent_id
            found = lookup(other)
            return DependencyRow(
                facility_id=other,
                name=link.supplier_name if supplier else link.dependent_name,
                municipality=link.supplier_municipality
                if supplier
                else link.dependent_municipality,
                kind=link.kind,
                tolerance_h=link.tolerance_h,
                status=found.status if found else None,
                note=link.note,
            )

        self.suppliers_model.set_rows([row(link, True) for link in detail.suppliers])
        self.dependents_model.set_rows([row(link, False) for link in detail.dependents])
        self.suppliers_label.setText(self.tr("Hängt ab von ({0}):").format(len(detail.suppliers)))
        self.dependents_label.setText(
            self.tr("Davon hängen ab ({0}):").format(len(detail.dependents))
        )
        self._detail = detail
        self.set_dependency_view(dependencies)

    @property
    def has_dependency_view(self) -> bool:
        return self._dependency_view is not None

    def set_dependency_view(self, dependencies: DependencyView | None) -> None:
        """The transitive suppliers and dependents (computed when the page is shown)."""
        self._dependency_view = dependencies
        detail = self._detail
        if dependencies is None or detail is None:
            self.dependency_summary.setText(
                self.tr("Direkte Versorger {0}, direkte Abhängige {1}.").format(
                    len(detail.suppliers), len(detail.dependents)
                )
                if detail is not None
                else ""
            )
            return
        parts = [
            self.tr("Versorger direkt {0}, insgesamt (auch über Zwischenstufen) {1}.").format(
                len(detail.suppliers), len(dependencies.transitive_suppliers)
            ),
            self.tr("Abhängige direkt {0}, insgesamt {1}.").format(
                len(detail.dependents), len(dependencies.transitive_dependents)
            ),
        ]
        if dependencies.on_cycle:
            parts.append(self.tr("Das Objekt liegt in einem Abhängigkeitskreis."))
        self.dependency_summary.setText(" ".join(parts))

    # -- reactions -----------------------------------------------------------------
    def _on_copied(self, value: str, what: str) -> None:
        self.message.emit(self.tr("{0} „{1}“ in die Zwischenablage kopiert.").format(what, value))

    def _on_dependency_activated(self, index: QModelIndex) -> None:
        record = index.data(ROW_ROLE)
        if isinstance(record, DependencyRow):
            self.facility_requested.emit(record.facility_id)

    def _request_cascade(self) -> None:
        if self.facility is not None:
            self.cascade_requested.emit(self.facility.id)


def _left(view: FacilityView, now: datetime) -> float | None:
    since, autonomy = view.generator_since, view.autonomy_hours
    if since is None or autonomy is None:
        return None
    return hours_until_dry(since, autonomy, now)


def _discard(widget: QWidget) -> None:
    # Hidden and detached at once: deleteLater alone leaves it painted until
    # the event loop runs, on top of its successor.
    widget.hide()
    widget.setParent(None)  # type: ignore[call-overload]
    widget.deleteLater()


def _one_line(text: str | None, limit: int = 200) -> str:
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
