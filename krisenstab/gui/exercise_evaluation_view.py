"""Evaluation (Auswertung): reaction per inject, objectives, replay, and the after-action report.

Per inject: when it was delivered, the first reaction and the reaction time
(scenario time; the real time in the tooltip), expected against actual with
the observer's rating. Per objective: met, partly met, not met (the
observer's rating, else derived from its injects). The replay steps through
the exercise journal in scenario order with a slider. The report is written
as PDF (marked ÜBUNG) and CSV in the exercise's worker thread.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.exercise import Rating
from krisenstab.domain.timefmt import format_local
from krisenstab.exercise.evaluation import Evaluation, ReplayStep
from krisenstab.exercise.times import format_duration, format_offset
from krisenstab.gui import exercise_files
from krisenstab.gui.exercise_models import (
    RecordTableModel,
    evaluation_model,
    objective_model,
    replay_label,
    replay_model,
)
from krisenstab.gui.widgets import MessageBar
from krisenstab.services.context import ServiceError
from krisenstab.services.exercise import ExerciseService
from krisenstab.store.errors import StoreError

RATINGS: tuple[str, ...] = tuple(r.value for r in Rating)
STAFF_NAME = "Krisenstab"


def make_table(model: Any, parent: QWidget, *, stretch: int | None = None) -> QTableView:
    """A read-only, sortable, row-selecting table as every exercise list uses it."""
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    # No sorting until the user clicks a header: the lists come in a meaningful order.
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)
    if stretch is not None:
        header.setStretchLastSection(stretch == model.columnCount() - 1)
    return view


def fit_columns(view: QTableView, max_em: int = 22) -> None:
    """Columns as wide as their content, but none wider than ``max_em`` ems (the last stretches)."""
    view.resizeColumnsToContents()
    limit = view.fontMetrics().horizontalAdvance("M") * max_em
    model = view.model()
    for column in range(model.columnCount()):
        if view.columnWidth(column) > limit:
            view.setColumnWidth(column, limit)


class EvaluationView(QWidget):
    """The Auswertung of the running or finished exercise (Übungsleitung only)."""

    def __init__(self, shared: Any, runner: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exerciseEvaluation")
        self.shared = shared
        self.runner = runner
        self.service = ExerciseService(shared.db)
        self.evaluation: Evaluation | None = None
        self.steps: list[ReplayStep] = []
        self.last_export: tuple[str | None, str | None] | None = None

        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("evaluationSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        self.refresh_button = QPushButton(self.tr("&Aktualisieren"), self)
        self.refresh_button.clicked.connect(self.refresh)
        self.pdf_button = QPushButton(self.tr("Auswertung als &PDF speichern …"), self)
        self.pdf_button.setObjectName("evaluationPdf")
        self.csv_button = QPushButton(self.tr("… als &CSV speichern …"), self)
        self.csv_button.setObjectName("evaluationCsv")
        self.pdf_button.clicked.connect(lambda: self.choose_and_export("pdf"))
        self.csv_button.clicked.connect(lambda: self.choose_and_export("csv"))
        self.controller_notes_box = QCheckBox(self.tr("mit Notizen der Übungsleitung"), self)
        self.controller_notes_box.setToolTip(
            self.tr("Sonst enthält der Bericht nur die Beobachtungen, nicht die internen Notizen.")
        )
        self.message = MessageBar(self)

        self.inject_model: RecordTableModel = evaluation_model(self)
        self.inject_table = make_table(self.inject_model, self)
        self.inject_table.setObjectName("evaluationInjects")
        self.inject_table.horizontalHeader().setStretchLastSection(True)
        self.objective_model: RecordTableModel = objective_model(self)
        self.objective_table = make_table(self.objective_model, self)
        self.objective_table.setObjectName("evaluationObjectives")
        self.objective_table.horizontalHeader().setStretchLastSection(True)
        self.objective_table.selectionModel().currentRowChanged.connect(self._objective_chosen)

        # Rating of an objective.
        self.objective_rating = QComboBox(self)
        self.objective_rating.addItems(RATINGS)
        self.objective_actual = QLineEdit(self)
        self.objective_actual.setPlaceholderText(self.tr("Was tatsächlich geschah (optional)"))
        self.objective_save = QPushButton(self.tr("Ziel &bewerten"), self)
        self.objective_save.clicked.connect(self.rate_selected_objective)
        rate_row = QHBoxLayout()
        rate_row.addWidget(QLabel(self.tr("Bewertung:"), self))
        rate_row.addWidget(self.objective_rating)
        rate_row.addWidget(self.objective_actual, 1)
        rate_row.addWidget(self.objective_save)
        objectives_page = QWidget(self)
        objectives_layout = QVBoxLayout(objectives_page)
        objectives_layout.setContentsMargins(0, 0, 0, 0)
        objectives_layout.addWidget(self.objective_table, 1)
        objectives_layout.addLayout(rate_row)

        # Replay.
        self.replay_model: RecordTableModel = replay_model(self)
        self.replay_table = make_table(self.replay_model, self)
        self.replay_table.setObjectName("replayTable")
        self.replay_table.horizontalHeader().setStretchLastSection(True)
        self.replay_table.setSortingEnabled(False)
        self.replay_table.selectionModel().currentRowChanged.connect(
            lambda current, _prev: (
                self.slider.setValue(current.row()) if current.isValid() else None
            )
        )
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("replaySlider")
        self.slider.setMinimum(0)
        self.slider.setMaximum(0)
        self.slider.setPageStep(10)
        self.slider.valueChanged.connect(self.show_step)
        self.previous_button = QPushButton("◀", self)
        self.previous_button.setToolTip(self.tr("Vorheriger Eintrag"))
        self.previous_button.clicked.connect(lambda: self.slider.setValue(self.slider.value() - 1))
        self.next_button = QPushButton("▶", self)
        self.next_button.setToolTip(self.tr("Nächster Eintrag"))
        self.next_button.clicked.connect(lambda: self.slider.setValue(self.slider.value() + 1))
        self.step_label = QLabel(self)
        self.step_label.setObjectName("replayPosition")
        self.step_text = QTextBrowser(self)
        self.step_text.setObjectName("replayText")
        self.step_text.setOpenLinks(False)
        slider_row = QHBoxLayout()
        slider_row.addWidget(self.previous_button)
        slider_row.addWidget(self.slider, 1)
        slider_row.addWidget(self.next_button)
        replay_page = QWidget(self)
        replay_layout = QVBoxLayout(replay_page)
        replay_layout.setContentsMargins(0, 0, 0, 0)
        replay_layout.addLayout(slider_row)
        replay_layout.addWidget(self.step_label)
        replay_split = QSplitter(Qt.Orientation.Horizontal, replay_page)
        replay_split.addWidget(self.replay_table)
        replay_split.addWidget(self.step_text)
        replay_split.setStretchFactor(0, 3)
        replay_split.setStretchFactor(1, 2)
        replay_layout.addWidget(replay_split, 1)

        self.lower_tabs = QTabWidget(self)
        self.lower_tabs.setObjectName("evaluationTabs")
        self.lower_tabs.setDocumentMode(True)
        self.lower_tabs.addTab(objectives_page, self.tr("Übungsziele"))
        self.lower_tabs.addTab(replay_page, self.tr("Nachspielen (ETB nach Szenariozeit)"))

        top = QHBoxLayout()
        top.addWidget(self.summary_label, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.controller_notes_box)
        top.addWidget(self.pdf_button)
        top.addWidget(self.csv_button)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.inject_table)
        splitter.addWidget(self.lower_tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)

    # -- data ------------------------------------------------------------------------
    def refresh(self) -> bool:
        actor = self.shared.actor
        try:
            evaluation = self.service.evaluation(actor)
            steps = self.service.replay(actor)
        except (ServiceError, StoreError) as exc:
            self.message.show_error(str(exc))
            return False
        first = self.evaluation is None
        self.evaluation = evaluation
        self.inject_model.set_records(evaluation.injects)
        self.objective_model.set_records(evaluation.objectives)
        position = self.slider.value()
        at_end = position >= len(self.steps) - 1
        self.steps = steps
        self.replay_model.set_records(steps)
        self.slider.blockSignals(True)
        self.slider.setMaximum(max(0, len(steps) - 1))
        self.slider.setValue(len(steps) - 1 if at_end and steps else min(position, len(steps) - 1))
        self.slider.blockSignals(False)
        self.show_step(self.slider.value())
        self._show_summary(evaluation)
        if first:
            fit_columns(self.inject_table)
            fit_columns(self.objective_table, 40)
            fit_columns(self.replay_table, 30)
        return True

    def _show_summary(self, evaluation: Evaluation) -> None:
        s = evaluation.summary
        parts = [
            self.tr("<b>{0}</b> von {1} geplanten Einlagen zugestellt").format(
                s.delivered, s.planned
            ),
            self.tr("{0} ad hoc").format(s.ad_hoc),
            self.tr("{0} entfallen").format(s.skipped),
            self.tr("<b>{0}</b> beantwortet").format(s.answered),
        ]
        if s.median_reaction_s is not None:
            parts.append(
                self.tr("Reaktionszeit Median <b>{0}</b>, längste {1}").format(
                    format_duration(s.median_reaction_s), format_duration(s.max_reaction_s)
                )
            )
        if s.unanswered:
            shown = ", ".join(str(n) for n in s.unanswered[:12])
            more = " …" if len(s.unanswered) > 12 else ""
            parts.append(
                self.tr('<span style="color:#B71C1C">ohne Reaktion: Nr. {0}{1}</span>').format(
                    shown, more
                )
            )
        parts.append(
            self.tr("Ziele: {0} erfüllt, {1} teilweise, {2} nicht erfüllt").format(
                s.objectives_met, s.objectives_partly, s.objectives_not_met
            )
        )
        self.summary_label.setText(" · ".join(parts))

    # -- replay ----------------------------------------------------------------------
    def show_step(self, index: int) -> None:
        if not self.steps or not 0 <= index < len(self.steps):
            self.step_label.setText(self.tr("Noch keine Einträge im Übungs-ETB."))
            self.step_text.clear()
            return
        step = self.steps[index]
        self.step_label.setText(
            self.tr("Schritt {0} von {1}: {2}").format(
                index + 1, len(self.steps), replay_label(step)
            )
        )
        inject = (
            self.tr(" · zu Einlage Nr. {0}").format(step.inject_number)
            if step.inject_number is not None
            else ""
        )
        self.step_text.setHtml(
            f"<p><b>{html.escape(format_offset(step.offset_s) if step.offset_s is not None else '')}"
            f" · Nr. {step.number} · {html.escape(step.function)} · {html.escape(step.kind)}"
            f"{html.escape(inject)}</b><br>"
            f"{html.escape(step.author)}, {html.escape(format_local(step.recorded_at, seconds=True))}"
            f" (real)</p><p>{html.escape(step.text).replace(chr(10), '<br>')}</p>"
        )
        row_index = self.replay_model.index(index, 0)
        if self.replay_table.currentIndex().row() != index:
            self.replay_table.setCurrentIndex(row_index)
        self.replay_table.scrollTo(row_index)

    # -- ratings ----------------------------------------------------------------------
    def _objective_chosen(self, current: Any, _previous: Any) -> None:
        record = self.objective_model.record(current.row()) if current.isValid() else None
        if record is None:
            return
        if record.rating is not None and not record.derived:
            self.objective_rating.setCurrentText(record.rating.value)
        self.objective_actual.setText(record.actual or "")

    def rate_selected_objective(self) -> bool:
        row = self.objective_table.currentIndex().row()
        record = self.objective_model.record(row)
        if record is None:
            self.message.show_error(self.tr("Bitte zuerst ein Übungsziel wählen."))
            return False
        try:
            self.service.rate_objective(
                record.objective,
                self.objective_rating.currentText(),
                self.objective_actual.text() or None,
                actor=self.shared.actor,
            )
        except (ServiceError, StoreError) as exc:
            self.message.show_error(str(exc))
            return False
        self.message.show_message(
            self.tr("„{0}“ bewertet: {1}.").format(
                record.objective, self.objective_rating.currentText()
            ),
            "info",
        )
        self.refresh()
        return True

    # -- report ----------------------------------------------------------------------
    def _title(self) -> str:
        try:
            return self.service.state().title or "Übung"
        except (ServiceError, StoreError):
            return "Übung"

    def choose_and_export(self, kind: str) -> bool:
        suggested = exercise_files.suggested_name(f"Auswertung {self._title()}", f".{kind}")
        path = exercise_files.choose_evaluation_target(self, suggested, kind)
        if not path:
            return False
        return self.export(pdf=path if kind == "pdf" else None, csv=path if kind == "csv" else None)

    def export(self, *, pdf: str | None = None, csv: str | None = None) -> bool:
        """Write the report in the worker thread (synchronously without a runner)."""
        actor = self.shared.actor
        notes = self.controller_notes_box.isChecked()
        staff = STAFF_NAME

        def job(service: ExerciseService) -> tuple[str | None, str | None]:
            try:
                service.export_evaluation(
                    pdf, csv, actor=actor, staff_name=staff, include_controller_notes=notes
                )
            except OSError as exc:
                raise ServiceError(f"Die Datei kann nicht geschrieben werden: {exc}") from None
            return pdf, csv

        self.pdf_button.setEnabled(False)
        self.csv_button.setEnabled(False)
        self.message.show_message(self.tr("Die Auswertung wird geschrieben …"), "info")
        if self.runner is None:
            try:
                self._exported(job(self.service))
            except (ServiceError, StoreError, OSError) as exc:
                self._export_failed(str(exc))
                return False
            return True
        self.runner.submit(job, self._exported, self._export_failed)
        return True

    def _exported(self, paths: tuple[str | None, str | None]) -> None:
        self.pdf_button.setEnabled(True)
        self.csv_button.setEnabled(True)
        self.last_export = paths
        written = " und ".join(p for p in paths if p)
        self.message.show_message(self.tr("Auswertung gespeichert: {0}").format(written), "info")
        self.shared.signals.status_message.emit(self.tr("Auswertung gespeichert."))

    def _export_failed(self, message: str) -> None:
        self.pdf_button.setEnabled(True)
        self.csv_button.setEnabled(True)
        self.message.show_error(
            self.tr("Die Auswertung wurde nicht gespeichert: {0}").format(message)
        )


__all__ = ["EvaluationView", "fit_columns", "make_table"]
