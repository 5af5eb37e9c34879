"""Table models of the exercise screens: inject lists, activity, notes, evaluation, replay.

Every list of the controller console is short (a scenario has tens, at most
a few thousand injects), so a model holds the views the service hands out
and formats a cell only when a view asks. `RecordTableModel` is driven by
column specs; a refresh with the same rows in the same order only repaints
(so the selection and the scroll position survive the 2-second refresh of
the console), anything else resets the model.

`ScenarioEditModel` is the editable table of the scenario editor: one row of
plain strings per inject, in the columns of the MSEL file, so the editor can
check it with exactly the rules of the file import.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from krisenstab.domain.timefmt import format_local, to_local
from krisenstab.exercise.evaluation import InjectResult, InjectState, ObjectiveResult, ReplayStep
from krisenstab.exercise.times import format_duration, format_offset
from krisenstab.services.exercise import FunctionActivity, InjectView, NoteView

_ModelIndex = QModelIndex | QPersistentModelIndex

RECORD_ROLE = Qt.ItemDataRole.UserRole + 20
"""The raw record (view object) of a row."""
KEY_ROLE = Qt.ItemDataRole.UserRole + 21
"""The row's key (inject number, note id, …)."""

_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ALIGN_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
DISPLAY_CHARS = 160

# Priority colours of the message flow; Blitz is shown by text as well.
PRIORITY_COLORS: dict[str, str] = {"blitz": "#C62828", "sofort": "#E65100", "einfach": "#1565C0"}
STATE_BACKGROUNDS: dict[str, str] = {
    InjectState.PLANNED.value: "",
    InjectState.DELIVERED.value: "#FFF4CE",
    InjectState.ANSWERED.value: "#E3F1E0",
    InjectState.SKIPPED.value: "#ECECEC",
}
RATING_BACKGROUNDS: dict[str, str] = {
    "erfüllt": "#E3F1E0",
    "teilweise erfüllt": "#FFF4CE",
    "nicht erfüllt": "#F8D3D1",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("ExerciseModels", text)


def short(text: str | None, length: int = DISPLAY_CHARS) -> str:
    """One line, cut with an ellipsis (cells show this, tooltips the whole text)."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


def offset_text(seconds: float | None) -> str:
    return format_offset(seconds) if seconds is not None else ""


def local_clock(value: Any) -> str:
    return to_local(value).strftime("%H:%M:%S") if value is not None else ""


def priority_label(priority: str) -> str:
    return {"blitz": "BLITZ", "sofort": "Sofort", "einfach": "Einfach"}.get(priority, priority)


@dataclass(frozen=True)
class Column:
    """One column: title, cell text, and optional tooltip, colours, alignment, sort key."""

    title: str
    text: Callable[[Any], str]
    tooltip: Callable[[Any], str | None] | None = None
    right: bool = False
    sort_key: Callable[[Any], Any] | None = None
    background: Callable[[Any], str | None] | None = None
    foreground: Callable[[Any], str | None] | None = None
    bold: Callable[[Any], bool] | None = None


class RecordTableModel(QAbstractTableModel):
    """A read-only table of records described by `Column` specs."""

    def __init__(
        self,
        columns: Sequence[Column],
        key: Callable[[Any], Any],
        parent: Any = None,
        *,
        row_tooltip: Callable[[Any], str | None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._key = key
        self._records: list[Any] = []
        self._row_tooltip = row_tooltip
        self._bold = QFont()
        self._bold.setBold(True)
        self._brushes: dict[str, QBrush] = {}

    # -- contents --------------------------------------------------------------
    def set_records(self, records: Sequence[Any]) -> None:
        new = list(records)
        if [self._key(r) for r in new] == [self._key(r) for r in self._records] and new:
            self._records = new
            self.dataChanged.emit(self.index(0, 0), self.index(len(new) - 1, len(self.columns) - 1))
            return
        self.beginResetModel()
        self._records = new
        self.endResetModel()

    def records(self) -> list[Any]:
        return list(self._records)

    def record(self, row: int) -> Any:
        return self._records[row] if 0 <= row < len(self._records) else None

    def row_of(self, key: Any) -> int:
        for row, record in enumerate(self._records):
            if self._key(record) == key:
                return row
        return -1

    # -- Qt --------------------------------------------------------------------
    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN_RIGHT if self.columns[section].right else _ALIGN_LEFT
        return None

    def _brush(self, color: str | None) -> QBrush | None:
        if not color:
            return None
        brush = self._brushes.get(color)
        if brush is None:
            brush = self._brushes[color] = QBrush(QColor(color))
        return brush

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._records) and 0 <= col < len(self.columns)):
            return None
        record = self._records[row]
        column = self.columns[col]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = column.tooltip(record) if column.tooltip else None
            if tip is None and self._row_tooltip is not None:
                tip = self._row_tooltip(record)
            return tip
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN_RIGHT if column.right else _ALIGN_LEFT
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._brush(column.background(record)) if column.background else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._brush(column.foreground(record)) if column.foreground else None
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if column.bold and column.bold(record) else None
        if role == RECORD_ROLE:
            return record
        if role == KEY_ROLE:
            return self._key(record)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or not self._records:
            return
        spec = self.columns[column]
        key = spec.sort_key or spec.text
        self.layoutAboutToBeChanged.emit()
        old = list(self._records)
        keyed = sorted(
            range(len(old)),
            key=lambda i: _sortable(key(old[i])),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        self._records = [old[i] for i in keyed]
        new_row = {old_row: new for new, old_row in enumerate(keyed)}
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(
            persistent,
            [
                self.index(new_row[p.row()], p.column()) if p.isValid() else QModelIndex()
                for p in persistent
            ],
        )
        self.layoutChanged.emit()


def _sortable(value: Any) -> tuple[int, Any]:
    # None last; numbers and strings never compared with each other.
    if value is None or value == "":
        return (2, "")
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value).casefold())


# -- inject lists ------------------------------------------------------------------


def inject_tooltip(view: InjectView) -> str:
    parts = [
        _tr("Einlage Nr. {0} – {1}").format(view.number, view.time_label),
        _tr("Von: {0}").format(view.sender),
        _tr("An: {0}").format(view.addressee),
        _tr("{0}, {1}").format(view.channel, priority_label(view.priority)),
        "",
        short(view.content, 600),
    ]
    if view.expected_reaction:
        parts += ["", _tr("Erwartet: {0}").format(short(view.expected_reaction, 400))]
    if view.controller_note:
        parts += [_tr("Hinweis Übungsleitung: {0}").format(short(view.controller_note, 400))]
    return "\n".join(parts)


def _state_background(view: InjectView) -> str | None:
    return STATE_BACKGROUNDS.get(view.state.value) or None


def _priority_fg(view: InjectView) -> str | None:
    return PRIORITY_COLORS.get(view.priority)


def _number_col() -> Column:
    return Column(
        _tr("Nr."),
        lambda v: str(v.number) + (" *" if v.ad_hoc else ""),
        tooltip=lambda v: _tr("ad hoc eingespielt") if v.ad_hoc else None,
        right=True,
        sort_key=lambda v: v.number,
    )


def _first_reaction_text(view: InjectView) -> str:
    reaction = view.first_reaction
    if reaction is None:
        return _tr("(festgestellt)") if view.reaction_observed else ""
    return f"{reaction.kind.value} {reaction.label} ({reaction.function})"


def _reaction_time(view: InjectView) -> float | None:
    reaction = view.first_reaction
    if reaction is None or view.delivered_real is None:
        return None
    return max(0.0, (reaction.real_at - view.delivered_real).total_seconds())


def _content_col() -> Column:
    return Column(_tr("Inhalt"), lambda v: short(v.content), bold=lambda v: v.is_blitz)


def upcoming_columns() -> list[Column]:
    return [
        _number_col(),
        Column(
            _tr("fällig"),
            lambda v: offset_text(v.due_offset_s if v.due_offset_s is not None else v.offset_s),
            tooltip=lambda v: (
                _tr("bedingt durch Nr. {0}, Frist {1}").format(v.contingency_of, v.deadline_text)
                if v.contingency_of
                else None
            ),
            sort_key=lambda v: v.due_offset_s if v.due_offset_s is not None else v.offset_s,
        ),
        Column(_tr("An"), lambda v: v.addressee),
        Column(_tr("Von"), lambda v: v.sender),
        Column(_tr("Kanal"), lambda v: v.channel),
        Column(
            _tr("Vorrang"),
            lambda v: priority_label(v.priority),
            foreground=_priority_fg,
            bold=lambda v: v.is_blitz,
        ),
        Column(
            _tr("bedingt"),
            lambda v: _tr("Nr. {0}").format(v.contingency_of) if v.contingency_of else "",
        ),
        _content_col(),
    ]


def delivered_columns() -> list[Column]:
    return [
        _number_col(),
        Column(
            _tr("zugestellt"),
            lambda v: offset_text(v.delivered_offset_s),
            sort_key=lambda v: v.delivered_offset_s,
        ),
        Column(_tr("als"), lambda v: v.message_number or ""),
        Column(_tr("An"), lambda v: v.addressee),
        Column(
            _tr("Vorrang"),
            lambda v: priority_label(v.priority),
            foreground=_priority_fg,
            bold=lambda v: v.is_blitz,
        ),
        Column(
            _tr("quittiert"),
            lambda v: ", ".join(v.acknowledged),
            tooltip=lambda v: (
                _tr("offen: {0}").format(", ".join(v.unacknowledged)) if v.unacknowledged else None
            ),
        ),
        Column(
            _tr("offen"),
            lambda v: ", ".join(v.unacknowledged),
            foreground=lambda v: "#B71C1C" if v.unacknowledged else None,
        ),
        Column(
            _tr("Art"),
            lambda v: v.outcome or "",
            tooltip=lambda v: v.reason,
            foreground=lambda v: "#757575" if v.state is InjectState.SKIPPED else None,
        ),
        _content_col(),
    ]


def answered_columns() -> list[Column]:
    return [
        _number_col(),
        Column(
            _tr("zugestellt"),
            lambda v: offset_text(v.delivered_offset_s),
            sort_key=lambda v: v.delivered_offset_s,
        ),
        Column(_tr("An"), lambda v: v.addressee),
        Column(_tr("erste Reaktion"), _first_reaction_text),
        Column(
            _tr("nach (real)"),
            lambda v: format_duration(_reaction_time(v)),
            right=True,
            sort_key=_reaction_time,
        ),
        Column(_tr("erwartet"), lambda v: short(v.expected_reaction, 100)),
        _content_col(),
    ]


def all_columns() -> list[Column]:
    """Every inject with its state (the scenario overview of the console)."""
    return [
        _number_col(),
        Column(_tr("Zeit"), lambda v: v.time_label, sort_key=lambda v: v.offset_s),
        Column(
            _tr("Stand"),
            lambda v: v.state.value,
            background=_state_background,
        ),
        Column(_tr("An"), lambda v: v.addressee),
        Column(_tr("Handlungsstrang"), lambda v: v.storyline or ""),
        Column(
            _tr("Vorrang"),
            lambda v: priority_label(v.priority),
            foreground=_priority_fg,
            bold=lambda v: v.is_blitz,
        ),
        _content_col(),
    ]


def inject_model(columns: Sequence[Column], parent: Any = None) -> RecordTableModel:
    return RecordTableModel(columns, lambda v: v.number, parent, row_tooltip=inject_tooltip)


# -- activity and notes --------------------------------------------------------------


def activity_model(parent: Any = None) -> RecordTableModel:
    def n(attr: str) -> Callable[[FunctionActivity], str]:
        return lambda a: str(getattr(a, attr)) if getattr(a, attr) else ""

    def sort_n(attr: str) -> Callable[[FunctionActivity], int]:
        return lambda a: int(getattr(a, attr))

    columns = [
        Column(_tr("Funktion"), lambda a: a.function, bold=lambda a: True),
        Column(_tr("Einlagen"), n("injects_delivered"), right=True, sort_key=sort_n("injects_delivered")),
        Column(_tr("beantwortet"), n("injects_answered"), right=True, sort_key=sort_n("injects_answered")),
        Column(
            _tr("unquittiert"),
            n("unacknowledged"),
            right=True,
            sort_key=sort_n("unacknowledged"),
            foreground=lambda a: "#B71C1C" if a.unacknowledged else None,
            bold=lambda a: a.unacknowledged > 0,
        ),
        Column(_tr("ETB-Einträge"), n("journal_entries"), right=True, sort_key=sort_n("journal_entries")),
        Column(_tr("Aufträge erteilt"), n("tasks_issued"), right=True, sort_key=sort_n("tasks_issued")),
        Column(_tr("Aufträge erhalten"), n("tasks_assigned"), right=True, sort_key=sort_n("tasks_assigned")),
        Column(_tr("Ausgänge"), n("outgoing"), right=True, sort_key=sort_n("outgoing")),
        Column(
            _tr("zuletzt aktiv"),
            lambda a: offset_text(a.last_offset_s),
            tooltip=lambda a: format_local(a.last_real_at, seconds=True) if a.last_real_at else None,
            sort_key=lambda a: a.last_offset_s,
        ),
    ]  # fmt: skip
    return RecordTableModel(columns, lambda a: a.function, parent)


def _note_link(note: NoteView) -> str:
    parts = []
    if note.journal_number is not None:
        parts.append(_tr("ETB Nr. {0}").format(note.journal_number))
    if note.message_number:
        parts.append(note.message_number)
    if note.inject_number is not None:
        parts.append(_tr("Einlage Nr. {0}").format(note.inject_number))
    return ", ".join(parts)


def notes_model(parent: Any = None) -> RecordTableModel:
    columns = [
        Column(
            _tr("Szenariozeit"),
            lambda n: n.offset_label,
            tooltip=lambda n: format_local(n.real_at, seconds=True),
            sort_key=lambda n: n.offset_s if n.offset_s is not None else -1.0,
        ),
        Column(
            _tr("Art"),
            lambda n: n.kind,
            foreground=lambda n: "#6A1B9A" if n.kind == "Übungsleitung" else None,
        ),
        Column(_tr("bezieht sich auf"), _note_link),
        Column(_tr("von"), lambda n: f"{n.author} ({n.function})"),
        Column(_tr("Notiz"), lambda n: short(n.text), tooltip=lambda n: n.text),
    ]
    return RecordTableModel(columns, lambda n: n.id, parent)


# -- evaluation ----------------------------------------------------------------------


def _result_rating(result: InjectResult) -> str:
    if result.rating is not None:
        return result.rating.rating
    return ""


def _result_reaction(result: InjectResult) -> str:
    reaction = result.first_reaction
    if reaction is None:
        return ""
    return f"{reaction.kind.value} {reaction.label} ({reaction.function})"


def _delivered_at(result: InjectResult) -> str:
    if result.delivery is None or result.state is InjectState.SKIPPED:
        return ""
    return offset_text(result.delivery.scenario_offset_s)


def evaluation_model(parent: Any = None) -> RecordTableModel:
    columns = [
        Column(_tr("Nr."), lambda r: str(r.number), right=True, sort_key=lambda r: r.number),
        Column(
            _tr("geplant"), lambda r: format_offset(r.inject.offset_s), sort_key=lambda r: r.inject.offset_s
        ),
        Column(
            _tr("zugestellt"),
            _delivered_at,
            tooltip=lambda r: (
                format_local(r.delivery.real_at, seconds=True) if r.delivery is not None else None
            ),
            sort_key=lambda r: r.delivery.scenario_offset_s if r.delivery else None,
        ),
        Column(_tr("An"), lambda r: r.inject.addressee),
        Column(
            _tr("erste Reaktion"),
            _result_reaction,
            tooltip=lambda r: (
                _tr("um {0} (real)").format(local_clock(r.first_reaction.real_at))
                if r.first_reaction
                else None
            ),
        ),
        Column(
            _tr("Reaktionszeit"),
            lambda r: format_duration(r.reaction_time_s),
            tooltip=lambda r: (
                _tr("Szenariozeit; real {0}").format(format_duration(r.reaction_time_real_s))
                if r.reaction_time_real_s is not None
                else None
            ),
            right=True,
            sort_key=lambda r: r.reaction_time_s,
        ),
        Column(
            _tr("Stand"),
            lambda r: r.state.value,
            background=lambda r: STATE_BACKGROUNDS.get(r.state.value) or None,
        ),
        Column(
            _tr("erwartet"),
            lambda r: short(r.inject.expected_reaction, 120),
            tooltip=lambda r: r.inject.expected_reaction,
        ),
        Column(
            _tr("tatsächlich"),
            lambda r: short(r.rating.actual if r.rating else "", 120),
            tooltip=lambda r: r.rating.actual if r.rating else None,
        ),
        Column(
            _tr("Bewertung"),
            _result_rating,
            background=lambda r: RATING_BACKGROUNDS.get(_result_rating(r)) or None,
        ),
    ]  # fmt: skip
    return RecordTableModel(columns, lambda r: r.number, parent)


def objective_model(parent: Any = None) -> RecordTableModel:
    def verdict(o: ObjectiveResult) -> str:
        if o.rating is None:
            return _tr("noch offen")
        return o.rating.value + (_tr(" (abgeleitet)") if o.derived else "")

    columns = [
        Column(_tr("Übungsziel"), lambda o: o.objective, tooltip=lambda o: o.objective),
        Column(
            _tr("Einlagen"),
            lambda o: ", ".join(str(n) for n in o.inject_numbers),
            sort_key=lambda o: len(o.inject_numbers),
        ),
        Column(
            _tr("Ergebnis"),
            verdict,
            background=lambda o: RATING_BACKGROUNDS.get(o.rating.value) if o.rating else None,
            bold=lambda o: not o.derived,
        ),
        Column(
            _tr("erfüllt/teilw./nicht"),
            lambda o: "/".join(
                str(o.counts.get(k, 0)) for k in ("erfüllt", "teilweise erfüllt", "nicht erfüllt")
            ),
            right=True,
        ),
        Column(_tr("Beobachtung"), lambda o: short(o.actual, 120), tooltip=lambda o: o.actual),
    ]
    return RecordTableModel(columns, lambda o: o.objective, parent)


def replay_model(parent: Any = None) -> RecordTableModel:
    columns = [
        Column(
            _tr("Szenariozeit"),
            lambda s: offset_text(s.offset_s),
            sort_key=lambda s: s.offset_s,
        ),
        Column(_tr("Nr."), lambda s: str(s.number), right=True, sort_key=lambda s: s.number),
        Column(_tr("Funktion"), lambda s: s.function),
        Column(_tr("Art"), lambda s: s.kind),
        Column(
            _tr("Einlage"),
            lambda s: str(s.inject_number) if s.inject_number is not None else "",
            right=True,
        ),
        Column(_tr("Text"), lambda s: short(s.text), tooltip=lambda s: s.text),
    ]
    return RecordTableModel(columns, lambda s: s.number, parent)


def replay_label(step: ReplayStep) -> str:
    return f"{offset_text(step.offset_s)} · Nr. {step.number} · {step.function} · {step.kind}"
