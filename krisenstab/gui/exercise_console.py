"""The controller console (Übungsleitung): clock, inject lists, ad-hoc injects, notes, ratings.

Only in exercise databases (tab registered with ``exercise_only``). It shows
what players must never see – controller notes, expected reactions, ratings –
so it stays covered unless the person at the keyboard runs the exercise
(function „Übungsleitung“, or with accounts the permission „Übungen
steuern“; in the open mode a player may uncover it only after a question).

Only this console delivers injects: while the clock runs, its
`ExerciseRunner` ticks in a worker thread with its own database connection.
Clock controls are single quick transactions and run here; everything that
delivers (tick, „Jetzt senden“, ad-hoc injects) and the refresh of the lists
run in the worker thread, so the window never freezes on a slow disk.
"""

from __future__ import annotations

import html
import time
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.exercise import CONTROL_FUNCTION, ClockStatus, NoteKind, Rating
from krisenstab.domain.staff import DEFAULT_FUNCTIONS
from krisenstab.domain.timefmt import format_local
from krisenstab.exercise.evaluation import InjectState
from krisenstab.exercise.scenario import CHANNELS, InjectDraft
from krisenstab.exercise.times import (
    ScenarioTimeError,
    format_duration,
    format_offset,
    parse_deadline,
    parse_offset,
)
from krisenstab.gui import dialogs
from krisenstab.gui.exercise_clock_widget import ClockDisplay, clock_watcher_for, speed_text
from krisenstab.gui.exercise_evaluation_view import EvaluationView, fit_columns, make_table
from krisenstab.gui.exercise_models import (
    RecordTableModel,
    activity_model,
    answered_columns,
    delivered_columns,
    inject_model,
    notes_model,
    priority_label,
    upcoming_columns,
)
from krisenstab.gui.exercise_tick import ExerciseRunner
from krisenstab.gui.exercise_timeline import ScenarioTimeline, TimelineMarker
from krisenstab.gui.shared import Shared
from krisenstab.gui.widgets import MessageBar
from krisenstab.services.context import ServiceError
from krisenstab.services.exercise import ExerciseService, InjectView, TickResult
from krisenstab.services.exercise_state import ClockView, WallClock
from krisenstab.services.permissions import Permission, allowed, is_open_mode
from krisenstab.store.errors import StoreError

REFRESH_DEBOUNCE_MS = 250
SPEEDS = tuple(range(1, 11))
REAL_EVENT_STYLE = (
    "QPushButton#realEventButton { background-color: #B71C1C; color: #FFFFFF; font-weight: bold;"
    " padding: 6px 16px; border: 2px solid #7F0000; border-radius: 3px; }"
    " QPushButton#realEventButton:disabled { background-color: #D7A5A5; color: #F5F5F5; }"
)
_INNER_TABS = (
    ("upcoming", QT_TRANSLATE_NOOP("ExerciseConsole", "Anstehend")),
    ("delivered", QT_TRANSLATE_NOOP("ExerciseConsole", "Zugestellt")),
    ("answered", QT_TRANSLATE_NOOP("ExerciseConsole", "Beantwortet")),
    ("timeline", QT_TRANSLATE_NOOP("ExerciseConsole", "Zeitleiste")),
    ("activity", QT_TRANSLATE_NOOP("ExerciseConsole", "Aktivität")),
    ("notes", QT_TRANSLATE_NOOP("ExerciseConsole", "Notizen")),
    ("adhoc", QT_TRANSLATE_NOOP("ExerciseConsole", "Ad-hoc-Einlage")),
    ("evaluation", QT_TRANSLATE_NOOP("ExerciseConsole", "Auswertung")),
)
_INJECT_TABS = ("upcoming", "delivered", "answered", "timeline")


def is_controller(actor: Any) -> bool:
    """Whether ``actor`` runs the exercise (sees the console without being asked)."""
    if not allowed(actor, Permission.EXERCISE_CONTROL):
        return False
    if not is_open_mode(actor):
        return True
    return " ".join(actor.function.split()).casefold() == CONTROL_FUNCTION.casefold()


def may_control(actor: Any) -> bool:
    return allowed(actor, Permission.EXERCISE_CONTROL)


def inject_detail_html(view: InjectView, start: Any = None) -> str:
    """Everything about one inject for the console (user text escaped)."""

    def esc(text: str | None) -> str:
        return html.escape(text or "").replace("\n", "<br>")

    tr = QCoreApplication.translate
    ctx = "ExerciseConsole"
    head = tr(ctx, "Einlage Nr. {0}").format(view.number)
    if view.ad_hoc:
        head += tr(ctx, " (ad hoc)")
    rows = [
        (tr(ctx, "Zeit"), view.time_label + (f" ({esc(view.time_text)})" if view.time_text and not view.time_text.startswith("T+") else "")),
        (tr(ctx, "Von"), esc(view.sender)),
        (tr(ctx, "An"), esc(view.addressee)),
        (tr(ctx, "Kanal, Vorrang"), f"{esc(view.channel)}, <b>{esc(priority_label(view.priority))}</b>"),
        (tr(ctx, "Stand"), esc(view.state.value) + (f" – {esc(view.outcome)}" if view.outcome and view.outcome != view.state.value else "")),
    ]  # fmt: skip
    if view.storyline:
        rows.append((tr(ctx, "Handlungsstrang"), esc(view.storyline)))
    if view.contingency_of:
        rows.append(
            (
                tr(ctx, "Bedingt durch"),
                tr(ctx, "Nr. {0}, Frist {1}").format(view.contingency_of, esc(view.deadline_text)),
            )
        )
    if view.objective:
        rows.append((tr(ctx, "Übungsziel"), esc(view.objective)))
    if view.effects:
        rows.append((tr(ctx, "Auswirkungen"), esc(view.effects)))
    if view.delivered_offset_s is not None:
        when = format_offset(view.delivered_offset_s)
        if view.delivered_real is not None:
            when += f" ({format_local(view.delivered_real, seconds=True)} real)"
        if view.message_number:
            when += tr(ctx, " als {0}").format(esc(view.message_number))
        rows.append((tr(ctx, "Zugestellt"), when))
    if view.reason:
        rows.append((tr(ctx, "Grund"), esc(view.reason)))
    if view.acknowledged or view.unacknowledged:
        ack = esc(", ".join(view.acknowledged)) or "–"
        if view.unacknowledged:
            ack += tr(ctx, ' · <span style="color:#B71C1C">offen: {0}</span>').format(
                esc(", ".join(view.unacknowledged))
            )
        rows.append((tr(ctx, "Quittiert"), ack))
    if view.first_reaction is not None:
        reaction = view.first_reaction
        delay = ""
        if view.delivered_real is not None:
            delay = " – " + format_duration(
                max(0.0, (reaction.real_at - view.delivered_real).total_seconds())
            )
        rows.append(
            (
                tr(ctx, "Erste Reaktion"),
                f"{esc(reaction.kind.value)} {esc(reaction.label)} ({esc(reaction.function)}){delay}",
            )
        )
    elif view.reaction_observed:
        rows.append((tr(ctx, "Erste Reaktion"), tr(ctx, "von der Übungsleitung festgestellt")))
    table = "".join(
        f"<tr><td style='color:#555555; padding-right:8px'>{k}</td><td>{v}</td></tr>"
        for k, v in rows
    )
    parts = [f"<h3 style='margin:0'>{esc(head)}</h3><table>{table}</table>"]
    parts.append(f"<p style='margin-top:6px'><b>{tr(ctx, 'Inhalt')}</b><br>{esc(view.content)}</p>")
    if view.expected_reaction:
        parts.append(
            f"<p><b>{tr(ctx, 'Erwartete Reaktion')}</b><br>{esc(view.expected_reaction)}</p>"
        )
    if view.controller_note:
        parts.append(
            "<table width='100%' cellpadding='4' style='background-color:#F3E5F5;"
            " border:1px solid #8B008B'><tr><td>"
            f"<b style='color:#6A1B9A'>{tr(ctx, 'Hinweis Übungsleitung (nur hier sichtbar)')}"
            f"</b><br>{esc(view.controller_note)}</td></tr></table>"
        )
    return "".join(parts)


class _Cover(QWidget):
    """What a player sees instead of the console."""

    def __init__(self, console: ExerciseConsoleTab) -> None:
        super().__init__(console)
        self.setObjectName("exerciseConsoleCover")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reveal_button = QPushButton(
            self.tr("Ich leite die Übung – Übungsleitung anzeigen"), self
        )
        self.reveal_button.setObjectName("revealConsole")
        self.reveal_button.clicked.connect(console.reveal)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.reveal_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)

    def update_for(self, actor: Any) -> None:
        text = self.tr(
            "Die Übungsleitung zeigt Hinweise, erwartete Reaktionen und Bewertungen, die "
            "Spielerinnen und Spieler nicht sehen dürfen.\nSie ist für die Funktion „{0}“ bestimmt."
        ).format(CONTROL_FUNCTION)
        if not may_control(actor):
            text += "\n\n" + self.tr("Ihr Konto hat keine Berechtigung „Übungen steuern“.")
        self.label.setText(text)
        self.reveal_button.setVisible(may_control(actor))


class ExerciseConsoleTab(QWidget):
    """The tab „Übungsleitung“ (see the module docstring)."""

    def __init__(
        self, shared: Shared, parent: QWidget | None = None, *, wall: WallClock | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exerciseConsole")
        self.shared = shared
        self.wall: WallClock = wall or time.time
        watcher = clock_watcher_for(shared, wall=self.wall)
        if watcher is None:
            raise ValueError("the controller console needs an exercise database")
        self.watcher = watcher
        self.service = ExerciseService(shared.db, shared.actor, wall=self.wall)
        self.runner: ExerciseRunner | None = None
        self.views: list[InjectView] = []
        self.last_tick: TickResult | None = None
        self.delivered_log: list[int] = []
        self._revealed = False
        self._built = False
        self._refresh_busy = False
        self._refresh_again = False
        self._selected: int | None = None
        self.editor_dialog: Any = None
        self.setup_dialog: Any = None
        self._actions: list[QAction] = []

        self.stack = QStackedWidget(self)
        self.cover = _Cover(self)
        self.stack.addWidget(self.cover)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DEBOUNCE_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._build_actions()
        shared.signals.actor_changed.connect(self._actor_changed)
        shared.signals.journal_changed.connect(lambda _id: self.schedule_refresh())
        self._actor_changed()

    # -- access ------------------------------------------------------------------------
    @property
    def console_visible(self) -> bool:
        return self._built and self.stack.currentIndex() == 1

    def _actor_changed(self) -> None:
        actor = self.shared.actor
        self.service.actor = actor
        if self.runner is not None:
            self.runner.actor = actor
        if is_controller(actor) or (self._revealed and may_control(actor)):
            self._show_console()
        else:
            self._revealed = False
            self.cover.update_for(actor)
            self.stack.setCurrentIndex(0)
            if self.runner is not None:
                self.runner.set_running(False)
        for action in self._actions:
            action.setEnabled(self.console_visible)

    def reveal(self) -> bool:
        """A player asks to see the console (open mode): only after a clear question."""
        if not may_control(self.shared.actor):
            return False
        if not dialogs.confirm(
            self,
            self.tr("ÜBUNG – Übungsleitung"),
            self.tr(
                "Die Übungsleitung zeigt Hinweise und erwartete Reaktionen, die Spieler nicht "
                "sehen dürfen.\n\nLeiten Sie diese Übung?"
            ),
        ):
            return False
        self._revealed = True
        self._show_console()
        return True

    def _show_console(self) -> None:
        if not self._built:
            self._build()
        self.stack.setCurrentIndex(1)
        for action in self._actions:
            action.setEnabled(True)
        self._on_view(self.watcher.view)
        self.refresh()

    # -- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self._built = True
        page = QWidget(self)
        page.setObjectName("exerciseConsolePage")
        self.page = page
        em = self.fontMetrics().horizontalAdvance("M")

        # Clock row.
        self.clock = ClockDisplay(self.watcher, page)
        self.next_label = QLabel(page)
        self.next_label.setObjectName("nextInject")
        self.next_label.setWordWrap(True)
        self.next_label.setTextFormat(Qt.TextFormat.RichText)
        self.real_event_button = QPushButton(self.tr("REALEREIGNIS – Übung abbrechen …"), page)
        self.real_event_button.setObjectName("realEventButton")
        self.real_event_button.setStyleSheet(REAL_EVENT_STYLE)
        self.real_event_button.setToolTip(
            self.tr("Ein echter Einsatz: die Übung sofort abbrechen, alle Übungsfenster warnen")
        )
        self.real_event_button.clicked.connect(self.call_real_event)
        clock_row = QHBoxLayout()
        clock_row.addWidget(self.clock)
        clock_row.addSpacing(em * 2)
        clock_row.addWidget(self.next_label, 1)
        clock_row.addWidget(self.real_event_button, 0, Qt.AlignmentFlag.AlignTop)

        # Controls row.
        self.start_button = QPushButton(self.tr("▶ &Start"), page)
        self.start_button.setObjectName("startButton")
        self.pause_button = QPushButton(self.tr("❚❚ &Anhalten"), page)
        self.pause_button.setObjectName("pauseButton")
        self.resume_button = QPushButton(self.tr("▶ &Fortsetzen"), page)
        self.resume_button.setObjectName("resumeButton")
        self.speed_combo = QComboBox(page)
        self.speed_combo.setObjectName("speedCombo")
        for speed in SPEEDS:
            self.speed_combo.addItem(speed_text(speed), speed)
        self.speed_combo.setToolTip(self.tr("Tempo der Szenariozeit (1× bis 10×)"))
        self.jump_edit = QLineEdit(page)
        self.jump_edit.setObjectName("jumpEdit")
        self.jump_edit.setPlaceholderText(self.tr("T+01:30 / 30 min"))
        self.jump_edit.setToolTip(
            self.tr("Springen auf eine Szenariozeit (T+hh:mm) oder um eine Dauer (30 min, 1 h)")
        )
        self.jump_edit.setMinimumWidth(em * 9)
        self.jump_edit.setMaximumWidth(em * 12)
        self.jump_edit.returnPressed.connect(self.jump_from_edit)
        self.jump_button = QPushButton(self.tr("&Springen"), page)
        self.next_button = QPushButton(self.tr("Zur nächsten &Einlage »"), page)
        self.next_button.setObjectName("nextButton")
        self.finish_button = QPushButton(self.tr("Übungs&ende"), page)
        self.finish_button.setObjectName("finishButton")
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.pause)
        self.resume_button.clicked.connect(self.resume)
        self.speed_combo.activated.connect(
            lambda _i: self.set_speed(self.speed_combo.currentData())
        )
        self.jump_button.clicked.connect(self.jump_from_edit)
        self.next_button.clicked.connect(self.jump_to_next)
        self.finish_button.clicked.connect(self.finish)
        controls = QHBoxLayout()
        for widget in (self.start_button, self.pause_button, self.resume_button):
            controls.addWidget(widget)
        controls.addSpacing(em)
        controls.addWidget(QLabel(self.tr("Tempo:"), page))
        controls.addWidget(self.speed_combo)
        controls.addSpacing(em)
        controls.addWidget(QLabel(self.tr("Zeitsprung:"), page))
        controls.addWidget(self.jump_edit)
        controls.addWidget(self.jump_button)
        controls.addWidget(self.next_button)
        controls.addStretch(1)
        self.editor_button = QPushButton(self.tr("&Drehbuch …"), page)
        self.editor_button.setToolTip(
            self.tr("Drehbuch ansehen, bearbeiten, einlesen, exportieren")
        )
        self.editor_button.clicked.connect(self.open_editor)
        controls.addWidget(self.editor_button)
        controls.addWidget(self.finish_button)

        # Before the start: the scenario and how to change it.
        self.setup_strip = QFrame(page)
        self.setup_strip.setObjectName("setupStrip")
        self.setup_strip.setFrameShape(QFrame.Shape.StyledPanel)
        self.setup_label = QLabel(self.setup_strip)
        self.setup_label.setWordWrap(True)
        self.demo_button = QPushButton(self.tr("Demo-Drehbuch laden"), self.setup_strip)
        self.demo_button.setObjectName("loadDemoScenario")
        self.demo_button.clicked.connect(self.load_demo_scenario)
        self.prepare_button = QPushButton(self.tr("Übung vorbereiten …"), self.setup_strip)
        self.prepare_button.clicked.connect(self.open_setup)
        strip = QHBoxLayout(self.setup_strip)
        strip.setContentsMargins(em // 2, em // 4, em // 2, em // 4)
        strip.addWidget(self.setup_label, 1)
        strip.addWidget(self.demo_button)
        strip.addWidget(self.prepare_button)

        self.message = MessageBar(page)

        # Inject lists and the rest.
        self.inner = QTabWidget(page)
        self.inner.setObjectName("consoleTabs")
        self.inner.setDocumentMode(True)
        self.models: dict[str, RecordTableModel] = {
            "upcoming": inject_model(upcoming_columns(), self),
            "delivered": inject_model(delivered_columns(), self),
            "answered": inject_model(answered_columns(), self),
        }
        self.tables: dict[str, QTableView] = {}
        for key, model in self.models.items():
            table = make_table(model, page)
            table.setObjectName(f"{key}Table")
            table.horizontalHeader().setStretchLastSection(True)
            table.selectionModel().currentRowChanged.connect(
                lambda current, _prev, k=key: self._row_chosen(k, current)
            )
            table.doubleClicked.connect(lambda _index, k=key: self._double_clicked(k))
            self.tables[key] = table
        self.timeline = ScenarioTimeline(page)
        self.timeline.marker_clicked.connect(self.select_inject)
        timeline_scroll = QScrollArea(page)
        timeline_scroll.setWidget(self.timeline)
        timeline_scroll.setWidgetResizable(True)
        timeline_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.timeline_scroll = timeline_scroll
        self.activity = activity_model(self)
        self.activity_table = make_table(self.activity, page)
        self.activity_table.setObjectName("activityTable")
        self.notes_page = self._build_notes(page)
        self.adhoc_page = self._build_adhoc(page)
        self.evaluation = EvaluationView(self.shared, None, page)
        pages = {
            "upcoming": self.tables["upcoming"],
            "delivered": self.tables["delivered"],
            "answered": self.tables["answered"],
            "timeline": timeline_scroll,
            "activity": self.activity_table,
            "notes": self.notes_page,
            "adhoc": self.adhoc_page,
            "evaluation": self.evaluation,
        }
        self.inner_pages = pages
        for key, title in _INNER_TABS:
            self.inner.addTab(pages[key], QCoreApplication.translate("ExerciseConsole", title))
        self.inner.currentChanged.connect(self._inner_changed)

        # Detail of the selected inject and what can be done with it.
        self.detail_panel = QWidget(page)
        self.detail_panel.setObjectName("injectDetailPanel")
        self.detail = QTextBrowser(self.detail_panel)
        self.detail.setObjectName("injectDetail")
        self.detail.setOpenLinks(False)
        self.send_button = QPushButton(self.tr("Jetzt &senden"), self.detail_panel)
        self.send_button.setObjectName("sendNowButton")
        self.send_button.setToolTip(self.tr("Die gewählte geplante Einlage sofort zustellen"))
        self.drop_button = QPushButton(self.tr("S&treichen …"), self.detail_panel)
        self.drop_button.setObjectName("dropButton")
        self.reaction_button = QPushButton(self.tr("&Reaktion festgestellt"), self.detail_panel)
        self.reaction_button.setToolTip(
            self.tr(
                "Die erwartete Reaktion ist erfolgt (z. B. mündlich); bedingte Einlagen entfallen"
            )
        )
        self.note_button = QPushButton(self.tr("Notiz …"), self.detail_panel)
        self.send_button.clicked.connect(self.send_selected)
        self.drop_button.clicked.connect(self.drop_selected)
        self.reaction_button.clicked.connect(self.mark_selected_reaction)
        self.note_button.clicked.connect(self.note_for_selected)
        self.rating_combo = QComboBox(self.detail_panel)
        self.rating_combo.setObjectName("injectRating")
        self.rating_combo.addItems([r.value for r in Rating])
        self.actual_edit = QLineEdit(self.detail_panel)
        self.actual_edit.setObjectName("injectActual")
        self.actual_edit.setPlaceholderText(self.tr("tatsächliche Reaktion (optional)"))
        self.rate_button = QPushButton(self.tr("&Bewerten"), self.detail_panel)
        self.rate_button.setObjectName("rateButton")
        self.rate_button.clicked.connect(self.rate_selected)
        actions = QGridLayout()
        actions.addWidget(self.send_button, 0, 0)
        actions.addWidget(self.drop_button, 0, 1)
        actions.addWidget(self.reaction_button, 1, 0)
        actions.addWidget(self.note_button, 1, 1)
        rating = QHBoxLayout()
        rating.addWidget(self.rating_combo)
        rating.addWidget(self.actual_edit, 1)
        rating.addWidget(self.rate_button)
        detail_layout = QVBoxLayout(self.detail_panel)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.detail, 1)
        detail_layout.addLayout(actions)
        detail_layout.addWidget(QLabel(self.tr("Beobachtung: erwartet gegen tatsächlich"), page))
        detail_layout.addLayout(rating)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, page)
        self.splitter.setObjectName("consoleSplitter")
        self.splitter.addWidget(self.inner)
        self.splitter.addWidget(self.detail_panel)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([900, 420])

        layout = QVBoxLayout(page)
        margin = max(4, em // 2)
        layout.setContentsMargins(margin, margin // 2, margin, 0)
        layout.setSpacing(margin // 2)
        layout.addLayout(clock_row)
        layout.addLayout(controls)
        layout.addWidget(self.setup_strip)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)
        self.stack.addWidget(page)

        self.runner = ExerciseRunner(self.shared.db.path, self.shared.actor, wall=self.wall)
        self.runner.ticked.connect(self._on_tick)
        self.runner.problem.connect(self._on_runner_problem)
        self.evaluation.runner = self.runner
        runner = self.runner
        # Not a child of this widget: the thread is ended before Qt deletes anything.
        self.destroyed.connect(lambda *_a: runner.stop())
        self.watcher.view_changed.connect(self._on_view)
        self.watcher.ticked.connect(self._clock_moved)
        self._show_detail(None)

    def _build_notes(self, parent: QWidget) -> QWidget:
        page = QWidget(parent)
        self.notes = notes_model(self)
        self.notes_table = make_table(self.notes, page)
        self.notes_table.setObjectName("notesTable")
        self.notes_table.horizontalHeader().setStretchLastSection(True)
        self.note_kind = QComboBox(page)
        self.note_kind.setObjectName("noteKind")
        self.note_kind.addItem(
            self.tr("Beobachtung (kommt in den Bericht)"), NoteKind.OBSERVER.value
        )
        self.note_kind.addItem(
            self.tr("Notiz der Übungsleitung (nur hier sichtbar)"), NoteKind.CONTROLLER.value
        )
        self.note_journal = QLineEdit(page)
        self.note_journal.setObjectName("noteJournal")
        self.note_journal.setPlaceholderText(self.tr("ETB-Nr."))
        self.note_message = QLineEdit(page)
        self.note_message.setObjectName("noteMessage")
        self.note_message.setPlaceholderText(self.tr("z. B. E-12"))
        self.note_inject = QLineEdit(page)
        self.note_inject.setObjectName("noteInject")
        self.note_inject.setPlaceholderText(self.tr("Einlage-Nr."))
        for edit in (self.note_journal, self.note_message, self.note_inject):
            edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 8)
        self.note_text = QPlainTextEdit(page)
        self.note_text.setObjectName("noteText")
        self.note_text.setTabChangesFocus(True)
        self.note_text.setPlaceholderText(
            self.tr("Was beobachtet wurde (die Szenariozeit wird mit gespeichert)")
        )
        self.note_text.setMaximumHeight(self.fontMetrics().height() * 4)
        self.note_save = QPushButton(self.tr("Notiz &speichern"), page)
        self.note_save.setObjectName("noteSave")
        self.note_save.clicked.connect(self.save_note)
        row = QHBoxLayout()
        row.addWidget(self.note_kind)
        row.addWidget(QLabel(self.tr("bezieht sich auf:"), page))
        row.addWidget(self.note_journal)
        row.addWidget(self.note_message)
        row.addWidget(self.note_inject)
        row.addStretch(1)
        row.addWidget(self.note_save)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.notes_table, 1)
        layout.addLayout(row)
        layout.addWidget(self.note_text)
        return page

    def _build_adhoc(self, parent: QWidget) -> QWidget:
        page = QWidget(parent)
        page.setObjectName("adhocPage")
        self.adhoc_time = QLineEdit(page)
        self.adhoc_time.setObjectName("adhocTime")
        self.adhoc_time.setPlaceholderText(self.tr("leer = sofort, oder T+02:15"))
        self.adhoc_from = QLineEdit(page)
        self.adhoc_from.setObjectName("adhocFrom")
        self.adhoc_from.setPlaceholderText(
            self.tr("simulierter Absender, z. B. Leitstelle (Muster)")
        )
        self.adhoc_to = QComboBox(page)
        self.adhoc_to.setObjectName("adhocTo")
        self.adhoc_to.setEditable(True)
        self.adhoc_to.addItems([seed.name for seed in DEFAULT_FUNCTIONS])
        self.adhoc_to.setCurrentText("")
        self.adhoc_to.lineEdit().setPlaceholderText(self.tr("Stabsfunktion(en), z. B. S3, S4"))
        self.adhoc_channel = QComboBox(page)
        self.adhoc_channel.setObjectName("adhocChannel")
        self.adhoc_channel.addItems(CHANNELS)
        self.adhoc_channel.setCurrentText("Telefon")
        self.adhoc_priority = QComboBox(page)
        self.adhoc_priority.setObjectName("adhocPriority")
        for value, label in (("einfach", "Einfach"), ("sofort", "Sofort"), ("blitz", "Blitz")):
            self.adhoc_priority.addItem(label, value)
        self.adhoc_content = QPlainTextEdit(page)
        self.adhoc_content.setObjectName("adhocContent")
        self.adhoc_expected = QPlainTextEdit(page)
        self.adhoc_expected.setObjectName("adhocExpected")
        self.adhoc_objective = QComboBox(page)
        self.adhoc_objective.setObjectName("adhocObjective")
        self.adhoc_objective.setEditable(True)
        self.adhoc_note = QPlainTextEdit(page)
        self.adhoc_note.setObjectName("adhocNote")
        self.adhoc_storyline = QComboBox(page)
        self.adhoc_storyline.setEditable(True)
        self.adhoc_effects = QLineEdit(page)
        self.adhoc_effects.setPlaceholderText(
            self.tr("z. B. Wasserwerk Kreuzau (Muster): ausgefallen")
        )
        for edit in (self.adhoc_content, self.adhoc_expected, self.adhoc_note):
            edit.setTabChangesFocus(True)
        height = self.fontMetrics().height()
        self.adhoc_content.setMinimumHeight(height * 4)
        self.adhoc_expected.setFixedHeight(height * 5)
        self.adhoc_note.setFixedHeight(height * 4)
        self.adhoc_time.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 22)
        self.adhoc_send = QPushButton(self.tr("Einlage &einspielen"), page)
        self.adhoc_send.setObjectName("adhocSend")
        self.adhoc_send.clicked.connect(self.send_adhoc)
        left = QFormLayout()
        left.addRow(self.tr("&Zeit:"), self.adhoc_time)
        left.addRow(self.tr("&Von:"), self.adhoc_from)
        left.addRow(self.tr("&An:"), self.adhoc_to)
        left.addRow(self.tr("&Kanal:"), self.adhoc_channel)
        left.addRow(self.tr("&Vorrang:"), self.adhoc_priority)
        left.addRow(self.tr("&Inhalt:"), self.adhoc_content)
        right = QFormLayout()
        right.addRow(self.tr("Erwartete &Reaktion:"), self.adhoc_expected)
        right.addRow(self.tr("Übungs&ziel:"), self.adhoc_objective)
        right.addRow(self.tr("&Hinweis ÜL:"), self.adhoc_note)
        right.addRow(self.tr("Hand&lungsstrang:"), self.adhoc_storyline)
        right.addRow(self.tr("Aus&wirkungen:"), self.adhoc_effects)
        right_column = QVBoxLayout()
        right_column.addLayout(right)
        right_column.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right_column, 2)
        bottom = QHBoxLayout()
        hint = QLabel(
            self.tr(
                "Ohne Zeit geht die Einlage sofort als Nachricht an die Funktion; mit Zeit wird "
                "sie eingeplant."
            ),
            page,
        )
        hint.setWordWrap(True)
        bottom.addWidget(hint, 1)
        bottom.addWidget(self.adhoc_send)
        layout = QVBoxLayout(page)
        layout.addLayout(columns, 1)
        layout.addLayout(bottom)
        return page

    def _build_actions(self) -> None:
        def make(text: str, shortcut: str | None, slot: Any) -> QAction:
            action = QAction(text, self)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _checked=False: slot())
            self.addAction(action)
            self._actions.append(action)
            return action

        make(self.tr("Übung &starten"), None, self.start)
        make(self.tr("&Anhalten"), "F6", self.pause)
        make(self.tr("&Fortsetzen"), "F5", self.resume)
        make(self.tr("Zur &nächsten Einlage springen"), "F8", self.jump_to_next)
        make(self.tr("&Ad-hoc-Einlage …"), "Ctrl+Shift+N", self.show_adhoc)
        make(self.tr("&Beobachtung notieren …"), "Ctrl+Shift+O", self.show_notes)
        make(self.tr("&Drehbuch bearbeiten …"), "Ctrl+Shift+D", self.open_editor)
        make(self.tr("Übung &vorbereiten …"), None, self.open_setup)
        make(self.tr("A&uswertung"), None, self.show_evaluation)
        make(self.tr("&REALEREIGNIS – Übung abbrechen …"), None, self.call_real_event)

    # -- tab protocol ----------------------------------------------------------------------
    def menu_title(self) -> str:
        return self.tr("Übungs&leitung")

    def menu_actions(self) -> list[QAction]:
        return list(self._actions)

    def activated(self) -> None:
        if self.console_visible:
            self.watcher.poll()
            self.schedule_refresh()

    def focus_search(self) -> None:
        if self.console_visible:
            self.jump_edit.setFocus()

    def unsaved_work(self) -> str | None:
        if not self._built:
            return None
        if self.adhoc_content.toPlainText().strip():
            return self.tr("Eine Ad-hoc-Einlage ist getippt, aber nicht eingespielt.")
        if self.note_text.toPlainText().strip():
            return self.tr("Eine Notiz der Übungsleitung ist nicht gespeichert.")
        if self.editor_dialog is not None and self.editor_dialog.editor.dirty:
            return self.editor_dialog.editor.unsaved_work()
        return None

    def shutdown(self) -> None:
        """End the worker thread (also done when the widget is destroyed)."""
        if self.runner is not None:
            self.runner.stop()

    # -- clock -------------------------------------------------------------------------------
    def _clock_call(self, call: Any) -> ClockView | None:
        try:
            view = call()
        except (ServiceError, StoreError) as exc:
            self.message.show_error(str(exc))
            return None
        self.message.dismiss()
        self.watcher.set_view(view)
        self.schedule_refresh()
        return view

    def start(self) -> ClockView | None:
        speed = float(self.speed_combo.currentData() or 1)
        view = self._clock_call(lambda: self.service.start(self.shared.actor, speed=speed))
        if view is not None:
            self.shared.signals.status_message.emit(self.tr("Übung begonnen."))
        return view

    def pause(self) -> ClockView | None:
        return self._clock_call(lambda: self.service.pause(self.shared.actor))

    def resume(self) -> ClockView | None:
        if self.watcher.view.real_event:
            if not dialogs.confirm(
                self,
                self.tr("ÜBUNG – nach Realereignis fortsetzen"),
                self.tr(
                    "Die Übung wurde wegen eines Realereignisses abgebrochen.\n\nIst die echte "
                    "Lage vorbei und soll die Übung weitergehen?"
                ),
            ):
                return None
            return self._clock_call(
                lambda: self.service.resume(self.shared.actor, after_real_event=True)
            )
        return self._clock_call(lambda: self.service.resume(self.shared.actor))

    def set_speed(self, speed: float) -> ClockView | None:
        return self._clock_call(lambda: self.service.set_speed(float(speed), self.shared.actor))

    def jump_from_edit(self) -> ClockView | None:
        text = self.jump_edit.text().strip()
        if not text:
            self.message.show_error(
                self.tr("Bitte eine Szenariozeit (T+01:30) oder eine Dauer (30 min) angeben.")
            )
            self.jump_edit.setFocus()
            return None
        try:
            seconds, relative = parse_deadline(text)
        except ScenarioTimeError as exc:
            self.message.show_error(str(exc))
            self.jump_edit.setFocus()
            return None
        if relative:
            view = self._clock_call(lambda: self.service.jump_by(seconds, self.shared.actor))
        else:
            view = self._clock_call(lambda: self.service.jump_to(seconds, self.shared.actor))
        if view is not None:
            self.jump_edit.clear()
            if self.runner is not None:
                self.runner.tick_now()
        return view

    def next_due(self) -> float | None:
        due = [
            v.due_offset_s if v.due_offset_s is not None else float(v.offset_s)
            for v in self.views
            if v.state is InjectState.PLANNED
        ]
        return min(due) if due else None

    def jump_to_next(self) -> ClockView | None:
        due = self.next_due()
        if due is None:
            self.message.show_message(self.tr("Keine geplante Einlage mehr."), "info")
            return None
        now = self.watcher.offset_now()
        if due <= now:
            if self.runner is not None:
                self.runner.tick_now()
            return self.watcher.view
        view = self._clock_call(lambda: self.service.jump_to(due, self.shared.actor))
        if view is not None and self.runner is not None:
            self.runner.tick_now()
        return view

    def finish(self) -> ClockView | None:
        if not dialogs.confirm(
            self,
            self.tr("ÜBUNG – Übungsende"),
            self.tr(
                "Die Übung endet jetzt; die Uhr bleibt stehen und es werden keine Einlagen mehr "
                "zugestellt. Danach folgt die Auswertung.\n\nÜbung beenden?"
            ),
        ):
            return None
        view = self._clock_call(lambda: self.service.finish(self.shared.actor))
        if view is not None:
            self.show_evaluation()
        return view

    def call_real_event(self) -> ClockView | None:
        """Realereignis: after one question, play stops at once in every window."""
        if not dialogs.confirm(
            self,
            self.tr("REALEREIGNIS"),
            self.tr(
                "Die Übung wird SOFORT abgebrochen: die Uhr steht, es gehen keine Einlagen mehr "
                "hinaus, und jedes Übungsfenster zeigt „REALEREIGNIS – Übung abgebrochen“.\n\n"
                "Übung wegen eines Realereignisses abbrechen?"
            ),
        ):
            return None
        if self.runner is not None:
            self.runner.set_running(False)
        try:
            view = self.service.real_event(None, self.shared.actor)
        except (ServiceError, StoreError) as exc:
            self.message.show_error(str(exc))
            return None
        self.watcher.set_view(view)
        self.message.show_message(
            self.tr(
                "Realereignis festgehalten: die Übung ist abgebrochen. Den Grund bitte als Notiz "
                "festhalten; fortsetzen nur ausdrücklich mit „Fortsetzen“."
            ),
            "warning",
        )
        self.schedule_refresh()
        return view

    def _on_view(self, view: ClockView) -> None:
        if not self._built:
            return
        status = view.status
        prepared = view.prepared
        running = status is ClockStatus.RUNNING
        paused = status is ClockStatus.PAUSED
        stopped = status is ClockStatus.STOPPED
        ready = status is ClockStatus.READY
        self.start_button.setEnabled(prepared and ready)
        self.pause_button.setEnabled(running)
        self.resume_button.setEnabled(paused or stopped)
        self.resume_button.setText(
            self.tr("▶ Nach Realereignis &fortsetzen") if stopped else self.tr("▶ &Fortsetzen")
        )
        self.jump_edit.setEnabled(running or paused)
        self.jump_button.setEnabled(running or paused)
        self.next_button.setEnabled(running or paused)
        self.finish_button.setEnabled(running or paused or stopped)
        self.speed_combo.setEnabled(prepared and status is not ClockStatus.FINISHED)
        self.real_event_button.setEnabled(prepared and not view.real_event and (running or paused))
        index = self.speed_combo.findData(int(view.speed)) if view.speed.is_integer() else -1
        if index >= 0 and index != self.speed_combo.currentIndex():
            self.speed_combo.setCurrentIndex(index)
        self.setup_strip.setVisible(not prepared or ready)
        if not prepared:
            self.setup_label.setText(
                self.tr(
                    "<b>Noch kein Drehbuch.</b> Ein Drehbuch einlesen oder bearbeiten "
                    "(„Drehbuch …“) oder das Demo-Drehbuch „Hochwasser an der Rur“ laden."
                )
            )
        elif ready:
            self.setup_label.setText(
                self.tr(
                    "<b>Bereit:</b> Drehbuch „{0}“, Beginn {1}. Mit „Start“ beginnt T+00:00; bis "
                    "dahin kann das Drehbuch noch ersetzt werden."
                ).format(html.escape(view.title), html.escape(view.start_label))
            )
        if self.runner is not None:
            self.runner.set_running(running)
        self._update_next_label()

    def _clock_moved(self, offset: float) -> None:
        if not self._built:
            return
        if self.inner.currentWidget() is self.timeline_scroll:
            self.timeline.set_now(
                offset if self.watcher.view.status is not ClockStatus.READY else None
            )
        self._update_next_label(offset)

    def _update_next_label(self, offset: float | None = None) -> None:
        view = self.watcher.view
        now = self.watcher.offset_now() if offset is None else offset
        due = self.next_due()
        remaining = sum(1 for v in self.views if v.state is InjectState.PLANNED)
        if not view.prepared:
            text = ""
        elif due is None:
            text = self.tr("Alle Einlagen sind zugestellt oder entfallen.")
        else:
            upcoming = (
                self.models["upcoming"].record(0) if self.models["upcoming"].rowCount() else None
            )
            who = ""
            if upcoming is not None:
                who = self.tr(" – Nr. {0} an {1}").format(
                    upcoming.number, html.escape(upcoming.addressee)
                )
            wait = max(0.0, due - now)
            if wait < 1:
                when = (
                    self.tr("jetzt fällig")
                    if view.running
                    else self.tr("fällig, sobald die Uhr läuft")
                )
            elif view.running:
                when = self.tr("in {0} Szenariozeit ({1} real)").format(
                    format_duration(wait), format_duration(wait / max(view.speed, 1.0))
                )
            elif view.status in (ClockStatus.READY, ClockStatus.PAUSED):
                when = self.tr("in {0} Szenariozeit, sobald die Uhr läuft").format(
                    format_duration(wait)
                )
            else:
                when = self.tr("die Uhr steht")
            text = self.tr("Nächste Einlage <b>{0}</b>{1}<br>{2} · noch {3} geplant").format(
                format_offset(due), who, when, remaining
            )
        if self.next_label.text() != text:
            self.next_label.setText(text)

    # -- ticking ------------------------------------------------------------------------------
    def _on_tick(self, result: TickResult) -> None:
        self.last_tick = result
        self.watcher.set_view(result.view)
        if result.delivered or result.skipped:
            self.delivered_log.extend(v.number for v in result.delivered)
            if len(result.delivered) == 1:
                v = result.delivered[0]
                self.shared.signals.status_message.emit(
                    self.tr("Einlage Nr. {0} als {1} an {2} zugestellt.").format(
                        v.number, v.message_number or "?", v.addressee
                    )
                )
            elif result.delivered:
                self.shared.signals.status_message.emit(
                    self.tr("{0} Einlagen zugestellt: Nr. {1}.").format(
                        len(result.delivered), ", ".join(str(v.number) for v in result.delivered)
                    )
                )
            self.shared.signals.journal_changed.emit(result.view.incident_id or "")
            self.schedule_refresh()
        if result.problems:
            self.message.show_message("\n".join(result.problems), "warning")

    def _on_runner_problem(self, message: str) -> None:
        if self._built:
            self.message.show_error(message)

    # -- lists ----------------------------------------------------------------------------------
    def schedule_refresh(self) -> None:
        if self.console_visible:
            self._refresh_timer.start()

    def refresh(self) -> None:
        """Reload the lists in the worker thread (one refresh at a time, the last one wins)."""
        if not self._built or self.runner is None or self.runner.stopped:
            return
        if self._refresh_busy:
            self._refresh_again = True
            return
        self._refresh_busy = True
        actor = self.shared.actor

        def job(service: ExerciseService) -> tuple[list[InjectView], list[Any], list[Any]]:
            if not service.state().prepared:
                return [], [], []
            return (service.injects(actor), service.activity(actor), service.notes(actor=actor))

        self.runner.submit(job, self._refreshed, self._refresh_failed)

    def _refreshed(self, data: tuple[list[InjectView], list[Any], list[Any]]) -> None:
        self._refresh_busy = False
        views, activity, notes = data
        self.apply_views(views)
        fit_activity = not self.activity.rowCount() and activity
        fit_notes = not self.notes.rowCount() and notes
        self.activity.set_records(activity)
        self.notes.set_records(notes)
        if fit_activity:
            fit_columns(self.activity_table, 20)
        if fit_notes:
            fit_columns(self.notes_table, 20)
        if self.inner.currentWidget() is self.evaluation:
            self.evaluation.refresh()
        if self._refresh_again:
            self._refresh_again = False
            self.refresh()

    def _refresh_failed(self, message: str) -> None:
        self._refresh_busy = False
        self.message.show_error(message)

    def apply_views(self, views: list[InjectView]) -> None:
        self.views = list(views)
        upcoming = [v for v in views if v.state is InjectState.PLANNED]
        upcoming.sort(
            key=lambda v: (v.due_offset_s is None, v.due_offset_s or v.offset_s, v.number)
        )
        # Dropped injects stay in sight with the delivered ones (their "Art": entfallen).
        delivered = [v for v in views if v.state in (InjectState.DELIVERED, InjectState.SKIPPED)]
        delivered.sort(key=lambda v: -(v.delivered_offset_s or 0.0))
        skipped = sum(1 for v in delivered if v.state is InjectState.SKIPPED)
        answered = [v for v in views if v.state is InjectState.ANSWERED]
        answered.sort(key=lambda v: -(v.delivered_offset_s or 0.0))
        for key, items in (
            ("upcoming", upcoming),
            ("delivered", delivered),
            ("answered", answered),
        ):
            empty_before = not self.models[key].rowCount()
            self.models[key].set_records(items)
            if empty_before and items:
                fit_columns(self.tables[key], 18)
        for index, (key, title) in enumerate(_INNER_TABS):
            name = QCoreApplication.translate("ExerciseConsole", title)
            if key == "delivered":
                name = f"{name} ({len(delivered) - skipped})"
                if skipped:
                    name += self.tr(" + {0} entfallen").format(skipped)
            elif key in self.models:
                name = f"{name} ({self.models[key].rowCount()})"
            if self.inner.tabText(index) != name:
                self.inner.setTabText(index, name)
        self.timeline.set_markers(
            [
                TimelineMarker(
                    v.number,
                    float(v.offset_s),
                    v.storyline,
                    v.priority,
                    v.contingency_of,
                    v.state.value,
                    f"Nr. {v.number} – {v.time_label} – {v.state.value}\nan {v.addressee}: "
                    f"{' '.join(v.content.split())[:200]}",
                )
                for v in views
            ]
        )
        objectives = sorted({v.objective for v in views if v.objective}, key=str.casefold)
        storylines = sorted({v.storyline for v in views if v.storyline}, key=str.casefold)
        for combo, items in (
            (self.adhoc_objective, objectives),
            (self.adhoc_storyline, storylines),
        ):
            if [combo.itemText(i) for i in range(combo.count())] != ["", *items]:
                text = combo.currentText()
                combo.clear()
                combo.addItems(["", *items])
                combo.setCurrentText(text)
        self._show_detail(self._selected)
        self._update_next_label()

    def view_of(self, number: int | None) -> InjectView | None:
        if number is None:
            return None
        return next((v for v in self.views if v.number == number), None)

    # -- selection and detail ------------------------------------------------------------------
    def _row_chosen(self, key: str, current: QModelIndex) -> None:
        record = self.models[key].record(current.row()) if current.isValid() else None
        if record is not None:
            self._selected = record.number
            self.timeline.set_selected(record.number)
            self._show_detail(record.number)

    def _double_clicked(self, key: str) -> None:
        if key == "upcoming":
            self.send_selected()

    def select_inject(self, number: int) -> bool:
        """Select an inject wherever it is listed (timeline clicks, tests)."""
        view = self.view_of(number)
        if view is None:
            return False
        self._selected = number
        self.timeline.set_selected(number)
        key = {
            InjectState.PLANNED: "upcoming",
            InjectState.DELIVERED: "delivered",
            InjectState.ANSWERED: "answered",
        }.get(view.state)
        if key is not None:
            row = self.models[key].row_of(number)
            table = self.tables[key]
            if row >= 0 and table.currentIndex().row() != row:
                table.setCurrentIndex(self.models[key].index(row, 0))
        self._show_detail(number)
        return True

    def _show_detail(self, number: int | None) -> None:
        view = self.view_of(number)
        if view is None:
            self.detail.setHtml(
                "<p style='color:#555555'>"
                + html.escape(self.tr("Eine Einlage wählen, um alles über sie zu sehen."))
                + "</p>"
            )
        else:
            scroll = self.detail.verticalScrollBar().value()
            self.detail.setHtml(inject_detail_html(view))
            self.detail.verticalScrollBar().setValue(scroll)
        planned = view is not None and view.state is InjectState.PLANNED
        delivered = view is not None and view.state in (InjectState.DELIVERED, InjectState.ANSWERED)
        status = self.watcher.view.status
        can_deliver = status in (ClockStatus.RUNNING, ClockStatus.PAUSED)
        self.send_button.setEnabled(planned and can_deliver)
        self.drop_button.setEnabled(planned)
        self.reaction_button.setEnabled(delivered and not (view and view.reaction_observed))
        self.note_button.setEnabled(view is not None)
        self.rate_button.setEnabled(view is not None)

    def selected_view(self) -> InjectView | None:
        return self.view_of(self._selected)

    # -- actions on injects ---------------------------------------------------------------
    def _need_selected(self) -> InjectView | None:
        view = self.selected_view()
        if view is None:
            self.message.show_error(self.tr("Bitte zuerst eine Einlage wählen."))
        return view

    def send_selected(self) -> bool:
        view = self._need_selected()
        if view is None or self.runner is None:
            return False
        number = view.number
        actor = self.shared.actor
        self.send_button.setEnabled(False)
        self.runner.submit(
            lambda service: service.send_now(number, actor), self._sent, self._action_failed
        )
        return True

    def _sent(self, view: InjectView) -> None:
        self.delivered_log.append(view.number)
        text = self.tr("Einlage Nr. {0} als {1} an {2} zugestellt ({3}).").format(
            view.number, view.message_number or "?", view.addressee, view.outcome or ""
        )
        self.message.show_message(text, "info")
        self.shared.signals.status_message.emit(text)
        self.shared.signals.journal_changed.emit(self.watcher.view.incident_id or "")
        self.watcher.poll(force=True)
        self.schedule_refresh()

    def _action_failed(self, message: str) -> None:
        self.message.show_error(message)
        self.schedule_refresh()

    def drop_selected(self) -> bool:
        view = self._need_selected()
        if view is None:
            return False
        reason = dialogs.ask_text(
            self,
            self.tr("ÜBUNG – Einlage streichen"),
            self.tr("Einlage Nr. {0} streichen. Grund:").format(view.number),
            self.tr("von der Übungsleitung gestrichen"),
        )
        if reason is None:
            return False
        try:
            self.service.drop(view.number, reason, self.shared.actor)
        except (ServiceError, StoreError) as exc:
            self.message.show_error(str(exc))
            return False
        self.message.show_message(
            self.tr("Einlage Nr. {0} gestrichen.").format(view.number), "info"
        )
        self.schedule_refresh()
        return True

    def mark_selected_reaction(self) -> bool:
        view = self._need_selected()
        if view is None:
            return False
        try:
            self.service.mark_reaction(view.number, None, self.shared.actor)
        except (ServiceError, StoreError) as exc:
            self.message.show_error(str(exc))
            return False
        self.message.show_message(
            self.tr("Reaktion auf Einlage Nr. {0} festgestellt.").format(view.number), "info"
        )
        self.schedule_refresh()
        return True

    def rate_selected(self) -> bool:
        view = self._need_selected()
        if view is None:
            return False
        try:
            self.service.rate_inject(
                view.number,
                self.rating_combo.currentText(),
                self.actual_edit.text() or None,
                self.shared.actor,
            )
        except (ServiceError, StoreError) as exc:
            self.message.show_error(str(exc))
            return False
        self.actual_edit.clear()
        self.message.show_message(
            self.tr("Einlage Nr. {0} bewertet: {1}.").format(
                view.number, self.rating_combo.currentText()
            ),
            "info",
        )
        self.schedule_refresh()
        return True

    def note_for_selected(self) -> None:
        view = self.selected_view()
        self.show_notes()
        if view is not None:
            self.note_inject.setText(str(view.number))
            if view.message_number:
                self.note_message.setText(view.message_number)

    # -- notes ------------------------------------------------------------------------------
    def show_notes(self) -> None:
        if not self.console_visible:
            return
        self.inner.setCurrentWidget(self.notes_page)
        self.note_text.setFocus()

    def save_note(self) -> bool:
        text = self.note_text.toPlainText().strip()
        if not text:
            self.message.show_error(self.tr("Die Notiz ist leer."))
            self.note_text.setFocus()
            return False
        journal_text = self.note_journal.text().strip()
        inject_text = self.note_inject.text().strip().lstrip("Nr. ").strip()
        for value, what in ((journal_text, "ETB-Nr."), (inject_text, "Einlage-Nr.")):
            if value and not value.isdigit():
                self.message.show_error(
                    self.tr("„{0}“ ist keine {1} (eine Zahl erwartet).").format(value, what)
                )
                return False
        try:
            self.service.add_note(
                text,
                kind=self.note_kind.currentData(),
                journal_number=int(journal_text) if journal_text else None,
                message=self.note_message.text().strip() or None,
                inject_number=int(inject_text) if inject_text else None,
                actor=self.shared.actor,
            )
        except (ServiceError, StoreError) as exc:
            self.message.show_error(str(exc))
            return False
        for edit in (self.note_journal, self.note_message, self.note_inject):
            edit.clear()
        self.note_text.clear()
        self.message.show_message(
            self.tr("Notiz gespeichert ({0}).").format(self.watcher.label_now() or "vor Beginn"),
            "info",
        )
        self.schedule_refresh()
        return True

    # -- ad hoc ------------------------------------------------------------------------------------
    def show_adhoc(self) -> None:
        if not self.console_visible:
            return
        self.inner.setCurrentWidget(self.adhoc_page)
        self.adhoc_from.setFocus()

    def send_adhoc(self) -> bool:
        """Check the form and send (or plan) the ad-hoc inject in the worker thread."""
        if self.runner is None:
            return False
        view = self.watcher.view
        when = self.adhoc_time.text().strip()
        at_offset: float | None = None
        if when:
            try:
                at_offset = float(parse_offset(when, view.start))
            except ScenarioTimeError as exc:
                self.message.show_error(self.tr("Zeit: {0}").format(exc))
                self.adhoc_time.setFocus()
                return False
        for edit, what in (
            (self.adhoc_from.text(), self.tr("Bitte den Absender angeben.")),
            (self.adhoc_to.currentText(), self.tr("Bitte angeben, an welche Funktion.")),
            (self.adhoc_content.toPlainText(), self.tr("Bitte den Inhalt der Einlage angeben.")),
        ):
            if not edit.strip():
                self.message.show_error(what)
                return False
        draft = InjectDraft(
            sender=self.adhoc_from.text(),
            addressee=self.adhoc_to.currentText(),
            content=self.adhoc_content.toPlainText(),
            channel=self.adhoc_channel.currentText(),
            priority=str(self.adhoc_priority.currentData()),
            expected_reaction=self.adhoc_expected.toPlainText() or None,
            objective=self.adhoc_objective.currentText() or None,
            controller_note=self.adhoc_note.toPlainText() or None,
            storyline=self.adhoc_storyline.currentText() or None,
            effects=self.adhoc_effects.text() or None,
        )
        actor = self.shared.actor
        self.adhoc_send.setEnabled(False)
        self.runner.submit(
            lambda service: service.add_ad_hoc(draft, actor, at_offset=at_offset),
            self._adhoc_done,
            self._adhoc_failed,
        )
        return True

    def _adhoc_done(self, view: InjectView) -> None:
        self.adhoc_send.setEnabled(True)
        for edit in (self.adhoc_content, self.adhoc_expected, self.adhoc_note):
            edit.clear()
        self.adhoc_time.clear()
        self.adhoc_effects.clear()
        if view.state is InjectState.PLANNED:
            text = self.tr("Ad-hoc-Einlage Nr. {0} für {1} eingeplant.").format(
                view.number, view.time_label
            )
        else:
            self.delivered_log.append(view.number)
            text = self.tr("Ad-hoc-Einlage Nr. {0} als {1} an {2} zugestellt.").format(
                view.number, view.message_number or "?", view.addressee
            )
            self.shared.signals.journal_changed.emit(self.watcher.view.incident_id or "")
        self.message.show_message(text, "info")
        self.shared.signals.status_message.emit(text)
        self.watcher.poll(force=True)
        self.schedule_refresh()

    def _adhoc_failed(self, message: str) -> None:
        self.adhoc_send.setEnabled(True)
        self.message.show_error(message)

    # -- other screens ------------------------------------------------------------------------
    def _inner_changed(self, index: int) -> None:
        widget = self.inner.widget(index)
        key = next((k for k, w in self.inner_pages.items() if w is widget), "")
        self.detail_panel.setVisible(key in _INJECT_TABS)
        if key == "evaluation":
            self.evaluation.runner = self.runner
            self.evaluation.refresh()
        elif key == "timeline":
            view = self.watcher.view
            self.timeline.set_now(
                self.watcher.offset_now()
                if view.prepared and view.status is not ClockStatus.READY
                else None
            )

    def show_evaluation(self) -> None:
        if self.console_visible:
            self.inner.setCurrentWidget(self.evaluation)

    def open_editor(self) -> Any:
        from krisenstab.gui.exercise_scenario_editor import ScenarioEditorDialog

        if not self.console_visible:
            return None
        if self.editor_dialog is None:
            self.editor_dialog = ScenarioEditorDialog(self.shared, self)
            self.editor_dialog.editor.saved.connect(self._scenario_saved)
        if not self.editor_dialog.isVisible():
            self.editor_dialog.editor.load_from_exercise()
        self.editor_dialog.show()
        self.editor_dialog.raise_()
        return self.editor_dialog

    def open_setup(self) -> Any:
        from krisenstab.gui.exercise_setup_dialog import ExerciseSetupDialog

        self.setup_dialog = ExerciseSetupDialog(self.shared, self)
        self.setup_dialog.show()
        return self.setup_dialog

    def load_demo_scenario(self) -> bool:
        from krisenstab.services.exercise_demo import demo_scenario_path

        try:
            report = self.service.import_scenario(demo_scenario_path(), actor=self.shared.actor)
        except (ServiceError, StoreError) as exc:
            self.message.show_error(str(exc))
            return False
        self._scenario_saved(report)
        return True

    def _scenario_saved(self, report: Any) -> None:
        text = self.tr("Drehbuch „{0}“ mit {1} Einlagen geladen.").format(
            report.scenario.title, report.injects
        )
        if report.warnings:
            self.message.show_message(text + "\n" + "\n".join(report.warnings[:8]), "warning")
        else:
            self.message.show_message(text, "info")
        self.views = []
        self.watcher.poll(force=True)
        self.schedule_refresh()
        self.refresh()
