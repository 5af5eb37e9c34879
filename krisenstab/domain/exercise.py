"""Exercises (Stabsübung): the scenario, its delivery, the shared clock, notes, ratings.

Tables (dialect-neutral) and the small vocabulary every layer shares. They
only ever hold data in an exercise file: the services refuse to write them
into a real database.

* ``exercise_scenario``: the script (Drehbuch/MSEL) imported for this
  exercise: title, nominal start ("Samstag 03:00"), source file.
* ``exercise_inject``: one planned (or ad-hoc) inject with everything the
  MSEL says about it; the controller note never leaves the controller's view.
* ``exercise_delivery``: what became of an inject (delivered on time, early,
  ad hoc, or dropped as an unneeded contingency); unique per inject, so two
  controller workstations can never deliver the same inject twice.
* ``exercise_state``: the one running exercise: clock anchor, speed, status,
  the incident it plays in, and the "Realereignis" flag every window polls.
* ``exercise_event``: the controller's log (start, pause, speed, jump,
  deliveries, effects, stops); also the source of the real→scenario mapping.
* ``exercise_note``: observer and controller notes, tied to a time and
  optionally to a journal entry, a message or an inject.
* ``exercise_rating``: observer ratings of an inject (expected vs. actual) or
  of an exercise objective; the newest rating counts, older ones stay.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from krisenstab.domain.base import UTCDateTime, new_id

STATE_KEY = "aktuell"
CONTROL_FUNCTION = "Übungsleitung"
META_SOURCE_KEY = "exercise_source_db_id"
EXERCISE_MARK_TEXT = "Dieses Dokument gehört zu einer Übung; alle Inhalte sind Übungsdaten (ÜBUNG)."

TITLE_MAX = 200
SENDER_MAX = 200
ADDRESSEE_MAX = 500
STORYLINE_MAX = 120
OBJECTIVE_MAX = 500
TEXT_MAX = 20_000


class ClockStatus(StrEnum):
    READY = "bereit"
    RUNNING = "läuft"
    PAUSED = "angehalten"
    STOPPED = "abgebrochen"  # Realereignis
    FINISHED = "beendet"


class DeliveryOutcome(StrEnum):
    DELIVERED = "zugestellt"
    EARLY = "vorzeitig zugestellt"
    AD_HOC = "ad hoc zugestellt"
    SKIPPED = "entfallen"

    @property
    def delivered(self) -> bool:
        return self is not DeliveryOutcome.SKIPPED


class EventKind(StrEnum):
    PREPARED = "vorbereitet"
    START = "Start"
    PAUSE = "Pause"
    RESUME = "Fortsetzung"
    SPEED = "Tempo"
    JUMP = "Zeitsprung"
    DELIVERY = "Einlage zugestellt"
    SKIP = "Einlage entfallen"
    EFFECT = "Auswirkung"
    EFFECT_FAILED = "Auswirkung nicht umgesetzt"
    REACTION = "Reaktion festgestellt"
    DELIVERY_FAILED = "Zustellung fehlgeschlagen"
    REAL_EVENT = "Realereignis"
    FINISH = "Übungsende"


class NoteKind(StrEnum):
    OBSERVER = "Beobachtung"
    CONTROLLER = "Übungsleitung"


class Rating(StrEnum):
    """Expected vs. actual, per inject and per objective (HSEEP: P/S/M/U folded to three)."""

    MET = "erfüllt"
    PARTLY = "teilweise erfüllt"
    NOT_MET = "nicht erfüllt"


def parse_rating(value: str) -> Rating:
    key = "".join(ch for ch in value.casefold() if ch.isalnum())
    aliases = {
        "erfuellt": Rating.MET,
        "erfüllt": Rating.MET,
        "met": Rating.MET,
        "ja": Rating.MET,
        "teilweise": Rating.PARTLY,
        "teilweiseerfüllt": Rating.PARTLY,
        "teilweiseerfuellt": Rating.PARTLY,
        "teilw": Rating.PARTLY,
        "partly": Rating.PARTLY,
        "partlymet": Rating.PARTLY,
        "partial": Rating.PARTLY,
        "nichterfüllt": Rating.NOT_MET,
        "nichterfuellt": Rating.NOT_MET,
        "nicht": Rating.NOT_MET,
        "nein": Rating.NOT_MET,
        "notmet": Rating.NOT_MET,
    }
    try:
        return aliases[key]
    except KeyError:
        allowed = ", ".join(r.value for r in Rating)
        raise ValueError(f"Unbekannte Bewertung „{value}“ (erlaubt: {allowed}).") from None


# -- tables ------------------------------------------------------------------------
class ExerciseScenario(SQLModel, table=True):
    __tablename__ = "exercise_scenario"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    title: str = Field(max_length=TITLE_MAX)
    # As the trainer wrote it ("Samstag 03:00"); the resolved moment is in the state.
    start_label: str = Field(max_length=60)
    source_name: str | None = Field(default=None, max_length=255)
    imported_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    imported_by: str = Field(max_length=120)
    workstation_id: str = Field(max_length=36)


class ExerciseInject(SQLModel, table=True):
    __tablename__ = "exercise_inject"
    __table_args__ = (
        UniqueConstraint("scenario_id", "number", name="uq_exercise_inject_number"),
        Index("ix_exercise_inject_due", "scenario_id", "offset_s"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    scenario_id: str = Field(foreign_key="exercise_scenario.id", max_length=36)
    number: int
    # Scenario seconds after T0, and the time as written in the file.
    offset_s: int
    time_text: str = Field(max_length=60)
    sender: str = Field(max_length=SENDER_MAX)
    addressee: str = Field(max_length=ADDRESSEE_MAX)
    channel: str = Field(max_length=40)
    priority: str = Field(max_length=10)
    content: str
    expected_reaction: str | None = None
    objective: str | None = Field(default=None, max_length=OBJECTIVE_MAX)
    controller_note: str | None = None
    storyline: str | None = Field(default=None, max_length=STORYLINE_MAX)
    # Contingency: the number of the inject whose expected reaction is awaited,
    # and the deadline (absolute scenario seconds, or seconds after that
    # inject's delivery when ``deadline_relative``).
    contingency_of: int | None = None
    deadline_s: int | None = None
    deadline_relative: bool = False
    deadline_text: str | None = Field(default=None, max_length=60)
    # "Wasserwerk X: ausgefallen | Umspannwerk Y: Notstrombetrieb".
    effects: str | None = None
    ad_hoc: bool = False
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: str = Field(max_length=120)
    workstation_id: str = Field(max_length=36)


class ExerciseDelivery(SQLModel, table=True):
    __tablename__ = "exercise_delivery"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    inject_id: str = Field(foreign_key="exercise_inject.id", max_length=36, unique=True)
    outcome: str = Field(max_length=30)
    real_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    scenario_offset_s: float
    due_offset_s: float
    message_id: str | None = Field(default=None, max_length=36)
    incident_id: str | None = Field(default=None, max_length=36)
    reason: str | None = None
    by_person: str = Field(max_length=120)
    by_function: str = Field(max_length=60)
    workstation_id: str = Field(max_length=36)


class ExerciseState(SQLModel, table=True):
    """The running exercise; one row (key ``aktuell``), shared by every workstation.

    Scenario time = ``anchor_offset_s`` + (wall clock − ``anchor_wall``) ×
    ``speed`` while running; frozen at ``anchor_offset_s`` otherwise. Wall
    time, not a monotonic clock: it is the only clock the workstations share.
    """

    __tablename__ = "exercise_state"

    key: str = Field(primary_key=True, max_length=20)
    scenario_id: str | None = Field(default=None, max_length=36)
    incident_id: str | None = Field(default=None, max_length=36)
    scenario_start: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    start_label: str = Field(max_length=60)
    status: str = Field(max_length=20)
    speed: float = 1.0
    anchor_wall: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    anchor_offset_s: float = 0.0
    real_event: bool = False
    real_event_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    real_event_by: str | None = Field(default=None, max_length=120)
    real_event_text: str | None = None
    # Raised with every change, so a window polls one integer.
    revision: int = 1
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_by: str = Field(max_length=120)
    workstation_id: str = Field(max_length=36)


class ExerciseEvent(SQLModel, table=True):
    __tablename__ = "exercise_event"
    __table_args__ = (Index("ix_exercise_event_time", "real_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    seq: int = Field(unique=True)
    kind: str = Field(max_length=40)
    real_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # The clock after the event: offset, speed and status (the mapping).
    scenario_offset_s: float
    speed: float
    status: str = Field(max_length=20)
    inject_id: str | None = Field(default=None, max_length=36)
    detail: str | None = None
    by_person: str = Field(max_length=120)
    by_function: str = Field(max_length=60)
    workstation_id: str = Field(max_length=36)


class ExerciseNote(SQLModel, table=True):
    __tablename__ = "exercise_note"
    __table_args__ = (Index("ix_exercise_note_kind_time", "kind", "real_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    kind: str = Field(max_length=20)
    real_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    scenario_offset_s: float | None = None
    text: str
    incident_id: str | None = Field(default=None, max_length=36)
    journal_number: int | None = None
    message_id: str | None = Field(default=None, max_length=36)
    inject_id: str | None = Field(default=None, max_length=36)
    author: str = Field(max_length=120)
    function: str = Field(max_length=60)
    workstation_id: str = Field(max_length=36)


class ExerciseRating(SQLModel, table=True):
    __tablename__ = "exercise_rating"
    __table_args__ = (Index("ix_exercise_rating_target", "inject_id", "objective"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    inject_id: str | None = Field(default=None, max_length=36)
    objective: str | None = Field(default=None, max_length=OBJECTIVE_MAX)
    rating: str = Field(max_length=30)
    actual: str | None = None
    rated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    author: str = Field(max_length=120)
    function: str = Field(max_length=60)
    workstation_id: str = Field(max_length=36)
