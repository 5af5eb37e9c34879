"""The scenario (Drehbuch/MSEL) as the program understands it: injects, storylines, effects.

Pure. An inject is what the Übungsleitung feeds into play: at a scenario time
(seconds after T0) a simulated sender reaches a staff function by some
channel. The controller note is for the Übungsleitung only; the player sees
sender, channel, priority and content as an incoming message.

A contingency inject ("Bedingt durch" another inject) goes out only if the
expected reaction to that inject has not happened by its deadline; it steers
play back on course. Effects change the simulated world when the inject is
delivered ("Wasserwerk Kreuzau: ausgefallen").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from krisenstab.domain.message import MessagePriority, split_functions
from krisenstab.domain.power import FacilityStatus
from krisenstab.exercise.times import format_offset

# The channels of DOMAIN §7 / issue 6 first; the rest as the message form knows them.
CHANNELS: tuple[str, ...] = (
    "Funk",
    "Telefon",
    "E-Mail",
    "Fax",
    "Melder",
    "Lagemeldung",
    "Digitalfunk",
    "persönlich",
)
DEFAULT_CHANNEL = "Telefon"

_CHANNEL_ALIASES: dict[str, str] = {
    "funk": "Funk",
    "analogfunk": "Funk",
    "radio": "Funk",
    "telefon": "Telefon",
    "tel": "Telefon",
    "fon": "Telefon",
    "phone": "Telefon",
    "telephone": "Telefon",
    "email": "E-Mail",
    "mail": "E-Mail",
    "fax": "Fax",
    "telefax": "Fax",
    "melder": "Melder",
    "bote": "Melder",
    "runner": "Melder",
    "messenger": "Melder",
    "lagemeldung": "Lagemeldung",
    "lagebericht": "Lagemeldung",
    "sitrep": "Lagemeldung",
    "situationreport": "Lagemeldung",
    "digitalfunk": "Digitalfunk",
    "tetra": "Digitalfunk",
    "persoenlich": "persönlich",
    "persönlich": "persönlich",
    "inperson": "persönlich",
    "mündlich": "persönlich",
    "muendlich": "persönlich",
}

_PRIORITY_ALIASES: dict[str, MessagePriority] = {
    "einfach": MessagePriority.EINFACH,
    "normal": MessagePriority.EINFACH,
    "routine": MessagePriority.EINFACH,
    "sofort": MessagePriority.SOFORT,
    "eilig": MessagePriority.SOFORT,
    "immediate": MessagePriority.SOFORT,
    "urgent": MessagePriority.SOFORT,
    "priority": MessagePriority.SOFORT,
    "blitz": MessagePriority.BLITZ,
    "flash": MessagePriority.BLITZ,
}

_STATUS_ALIASES: dict[str, FacilityStatus] = {
    "betriebsbereit": FacilityStatus.OPERATIONAL,
    "inbetrieb": FacilityStatus.OPERATIONAL,
    "wiederinbetrieb": FacilityStatus.OPERATIONAL,
    "normal": FacilityStatus.OPERATIONAL,
    "operational": FacilityStatus.OPERATIONAL,
    "eingeschränkt": FacilityStatus.RESTRICTED,
    "eingeschraenkt": FacilityStatus.RESTRICTED,
    "restricted": FacilityStatus.RESTRICTED,
    "notstrombetrieb": FacilityStatus.EMERGENCY_POWER,
    "notstrom": FacilityStatus.EMERGENCY_POWER,
    "emergencypower": FacilityStatus.EMERGENCY_POWER,
    "ausgefallen": FacilityStatus.FAILED,
    "ausfall": FacilityStatus.FAILED,
    "failed": FacilityStatus.FAILED,
    "down": FacilityStatus.FAILED,
    "unbekannt": FacilityStatus.UNKNOWN,
    "unknown": FacilityStatus.UNKNOWN,
}

CONTENT_MAX = 20_000
FIELD_MAX = 5_000


def _key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def parse_channel(value: str) -> str:
    key = _key(value)
    try:
        return _CHANNEL_ALIASES[key]
    except KeyError:
        raise ValueError(
            f"„{value.strip()}“ ist kein Übermittlungsweg (erlaubt: {', '.join(CHANNELS)})"
        ) from None


def parse_priority(value: str) -> MessagePriority:
    key = _key(value)
    try:
        return _PRIORITY_ALIASES[key]
    except KeyError:
        raise ValueError(
            f"„{value.strip()}“ ist keine Vorrangstufe (erlaubt: einfach, sofort, Blitz)"
        ) from None


@dataclass(frozen=True, slots=True)
class Effect:
    """One change of the simulated world: a facility (by name) gets a status."""

    facility: str
    status: str
    municipality: str | None = None

    @property
    def target(self) -> str:
        """How the facility register resolves it (``Name [Gemeinde]``)."""
        return f"{self.facility} [{self.municipality}]" if self.municipality else self.facility

    def __str__(self) -> str:
        return f"{self.target}: {self.status}"


_EFFECT_SPLIT = re.compile(r"\s*(?:\||\n|;)\s*")
_TRAILING_MUNI = re.compile(r"\[([^\[\]]*)\]\s*$")


def parse_effects(value: str | None) -> tuple[Effect, ...]:
    """``Wasserwerk X: ausgefallen | Umspannwerk Y [Düren]: Notstrombetrieb``."""
    if value is None or not value.strip():
        return ()
    effects: list[Effect] = []
    for part in _EFFECT_SPLIT.split(value.strip()):
        if not part:
            continue
        if ":" not in part:
            raise ValueError(
                f"„{part}“: erwartet „Objekt: Status“ (z. B. „Wasserwerk Kreuzau: ausgefallen“)"
            )
        name, status_text = part.rsplit(":", 1)
        name = " ".join(name.split())
        municipality = None
        if match := _TRAILING_MUNI.search(name):
            municipality = " ".join(match.group(1).split()) or None
            name = name[: match.start()].rstrip()
        if not name:
            raise ValueError(f"„{part}“: der Name des Objekts fehlt")
        status = _STATUS_ALIASES.get(_key(status_text))
        if status is None:
            allowed = ", ".join(s.value for s in FacilityStatus)
            raise ValueError(
                f"„{status_text.strip()}“ ist kein Status eines KRITIS-Objekts (erlaubt: {allowed})"
            )
        effects.append(Effect(name, status.value, municipality))
    return tuple(effects)


def format_effects(effects: Iterable[Effect]) -> str:
    return " | ".join(str(e) for e in effects)


@dataclass(frozen=True, slots=True)
class Inject:
    """One line of the MSEL (definition only; delivery state lives in the database)."""

    number: int
    offset_s: int
    sender: str
    addressee: str
    content: str
    channel: str = DEFAULT_CHANNEL
    priority: str = MessagePriority.EINFACH.value
    expected_reaction: str | None = None
    objective: str | None = None
    controller_note: str | None = None
    storyline: str | None = None
    contingency_of: int | None = None
    deadline_s: int | None = None
    deadline_relative: bool = False
    deadline_text: str | None = None
    effects: tuple[Effect, ...] = ()
    time_text: str = ""
    ad_hoc: bool = False
    line: int | None = None
    id: str | None = None

    @property
    def recipients(self) -> tuple[str, ...]:
        """The addressed staff functions (``"S3, S4"`` → ("S3", "S4"))."""
        return split_functions(self.addressee)

    @property
    def is_contingency(self) -> bool:
        return self.contingency_of is not None

    @property
    def time_label(self) -> str:
        return format_offset(self.offset_s)

    @property
    def is_blitz(self) -> bool:
        return self.priority == MessagePriority.BLITZ.value

    def deadline_offset(self, parent_delivered_offset: float | None) -> float:
        """The scenario moment by which the parent's expected reaction must have happened."""
        if self.deadline_s is None:
            return float(self.offset_s)
        if self.deadline_relative:
            if parent_delivered_offset is None:
                return float(self.offset_s)
            return parent_delivered_offset + self.deadline_s
        return float(self.deadline_s)


@dataclass(frozen=True)
class Scenario:
    title: str
    start_label: str
    injects: tuple[Inject, ...] = ()
    source_name: str | None = None

    def by_number(self) -> dict[int, Inject]:
        return {i.number: i for i in self.injects}

    @property
    def duration_s(self) -> int:
        return max((i.offset_s for i in self.injects), default=0)

    @property
    def storylines(self) -> list[str]:
        return list(dict.fromkeys(i.storyline for i in self.injects if i.storyline))

    @property
    def objectives(self) -> list[str]:
        return list(dict.fromkeys(i.objective for i in self.injects if i.objective))


@dataclass(frozen=True, slots=True)
class ScenarioProblem:
    """A rule broken across rows: the inject's line (if known) and the German reason."""

    number: int
    line: int | None
    column: str | None
    reason: str


def check_injects(
    injects: Sequence[Inject], *, known: set[int] | frozenset[int] = frozenset()
) -> list[ScenarioProblem]:
    """Rules that span rows: unique numbers, contingency references, no cycles.

    ``known`` are numbers of rows that exist but could not be read (their own
    errors are reported); a reference to them is not reported again.
    """
    problems: list[ScenarioProblem] = []
    first_line: dict[int, int | None] = {}
    for inject in injects:
        if inject.number in first_line:
            where = first_line[inject.number]
            seen = f" (schon in Zeile {where})" if where else ""
            problems.append(
                ScenarioProblem(
                    inject.number, inject.line, "Nr", f"Nr. {inject.number} kommt doppelt vor{seen}"
                )
            )
        else:
            first_line[inject.number] = inject.line
    by_number = {i.number: i for i in injects}
    for inject in injects:
        parent_no = inject.contingency_of
        if parent_no is None:
            if inject.deadline_s is not None:
                problems.append(
                    ScenarioProblem(
                        inject.number,
                        inject.line,
                        "Frist",
                        "eine Frist gilt nur für bedingte Einlagen (Spalte „Bedingt durch“ fehlt)",
                    )
                )
            continue
        if parent_no == inject.number:
            problems.append(
                ScenarioProblem(
                    inject.number,
                    inject.line,
                    "Bedingt durch",
                    "eine Einlage kann nicht von sich selbst abhängen",
                )
            )
            continue
        parent = by_number.get(parent_no)
        if parent is None and parent_no in known:
            continue
        if parent is None:
            problems.append(
                ScenarioProblem(
                    inject.number,
                    inject.line,
                    "Bedingt durch",
                    f"Einlage Nr. {parent_no} gibt es in diesem Drehbuch nicht",
                )
            )
            continue
        if not parent.expected_reaction:
            problems.append(
                ScenarioProblem(
                    inject.number,
                    inject.line,
                    "Bedingt durch",
                    f"Einlage Nr. {parent_no} nennt keine erwartete Reaktion, auf die gewartet werden könnte",
                )
            )
        deadline = inject.deadline_offset(parent.offset_s)
        if deadline < parent.offset_s:
            problems.append(
                ScenarioProblem(
                    inject.number,
                    inject.line,
                    "Frist" if inject.deadline_s is not None else "Zeit",
                    f"die Frist ({format_offset(deadline)}) liegt vor der Einlage Nr. {parent_no} "
                    f"({format_offset(parent.offset_s)})",
                )
            )
    # Cycles of contingencies (A waits for B, B waits for A) would never resolve.
    for inject in injects:
        if inject.contingency_of == inject.number:
            continue  # reported above
        seen_numbers = {inject.number}
        current = inject.contingency_of
        while current is not None and current in by_number:
            if current in seen_numbers:
                problems.append(
                    ScenarioProblem(
                        inject.number,
                        inject.line,
                        "Bedingt durch",
                        "die bedingten Einlagen hängen im Kreis voneinander ab",
                    )
                )
                break
            seen_numbers.add(current)
            current = by_number[current].contingency_of
    return problems


def sorted_injects(injects: Iterable[Inject]) -> tuple[Inject, ...]:
    return tuple(sorted(injects, key=lambda i: (i.offset_s, i.number)))


@dataclass(frozen=True)
class InjectDraft:
    """An ad-hoc inject typed by the controller on the spot (validated by clean_draft)."""

    sender: str
    addressee: str
    content: str
    channel: str = DEFAULT_CHANNEL
    priority: str = MessagePriority.EINFACH.value
    expected_reaction: str | None = None
    objective: str | None = None
    controller_note: str | None = None
    storyline: str | None = None
    effects: str | None = None


def clean_line(value: object, what: str, max_length: int, *, required: bool = False) -> str | None:
    text = " ".join(str(value).replace("\x00", "").split()) if value is not None else ""
    if not text:
        if required:
            raise ValueError(f"{what} fehlt")
        return None
    if len(text) > max_length:
        raise ValueError(f"{what} ist zu lang (höchstens {max_length} Zeichen)")
    return text


def clean_block(value: object, what: str, max_length: int, *, required: bool = False) -> str | None:
    text = (
        str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
        if value is not None
        else ""
    )
    if not text:
        if required:
            raise ValueError(f"{what} fehlt")
        return None
    if len(text) > max_length:
        raise ValueError(f"{what} ist zu lang (höchstens {max_length:,} Zeichen)".replace(",", "."))
    return text
