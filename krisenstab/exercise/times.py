"""Scenario time: the start ("Samstag 03:00"), inject times (``T+01:30``), deadlines.

Inside the program a scenario moment is a number of seconds after T0 (the
scenario start). A start is resolved to an aware datetime once, so that the
scenario time can also be shown as a weekday and clock time in Europe/Berlin
("Sa 04:30") and stored with journal entries.

Accepted inject times (column „Zeit“):

* ``T+01:30``, ``T+1:30:15``, ``T + 26:00``, ``+01:30``: offset from the start;
* ``04:30`` / ``4.30 Uhr``: that clock time, the first time it occurs at or
  after the start (so a scenario starting Saturday 03:00 reads ``02:00`` as
  Sunday 02:00);
* ``Sa 04:30``, ``Samstag 04:30``: that weekday and time, at or after the start;
* ``14.11.2026 04:30`` (or ISO): that moment, not before the start.

Deadlines of contingency injects (column „Frist“) are either ``T+…`` (a
scenario moment) or a duration after the delivery of the inject they depend
on: ``30 min``, ``0:30``, ``1 h``, ``1,5 h``, ``90 Minuten``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from krisenstab.domain.timefmt import BERLIN

WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
WEEKDAY_SHORT = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
_WEEKDAY_KEYS: dict[str, int] = {}
for _i, (_long, _short) in enumerate(zip(WEEKDAYS, WEEKDAY_SHORT, strict=True)):
    _WEEKDAY_KEYS[_long.casefold()] = _i
    _WEEKDAY_KEYS[_short.casefold()] = _i
    _WEEKDAY_KEYS[_short.casefold() + "."] = _i
for _i, _name in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
):
    _WEEKDAY_KEYS[_name] = _i
    _WEEKDAY_KEYS[_name[:3]] = _i

# Hours are not limited to 24: an exercise may run over two days (T+30:00).
MAX_OFFSET_S = 14 * 24 * 3600

_OFFSET_RE = re.compile(
    r"^(?:t\s*)?\+\s*(?:(?P<d>\d{1,2})\s*d\s*)?(?P<h>\d{1,3})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?(?:\s*(?:h|uhr|std\.?))?$",
    re.IGNORECASE,
)
_T_MINUTES_RE = re.compile(r"^t\s*\+\s*(?P<min>\d{1,5})\s*(?:min\.?|minuten|m)?$", re.IGNORECASE)
_CLOCK_RE = re.compile(
    r"^(?:(?P<wd>[a-zäöüß]{2,10}\.?)\s*,?\s*)?(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?(?:\s*uhr)?$",
    re.IGNORECASE,
)
_DATE_TIME_RE = re.compile(
    r"^(?:(?P<wd>[a-zäöüß]{2,10}\.?)\s*,?\s*)?(?P<d>\d{1,2})\.(?P<mo>\d{1,2})\.(?P<y>\d{4}|\d{2})\s*,?\s*(?:um\s*)?(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?(?:\s*uhr)?$",
    re.IGNORECASE,
)
_DURATION_RE = re.compile(
    r"^\+?\s*(?P<num>\d{1,4}(?:[.,]\d{1,2})?)\s*(?P<unit>min\.?|minuten|minute|m|h|std\.?|stunden|stunde)$",
    re.IGNORECASE,
)
_DURATION_HM_RE = re.compile(
    r"^\+?\s*(?P<h>\d{1,3}):(?P<m>\d{2})(?:\s*(?:h|std\.?))?$", re.IGNORECASE
)


class ScenarioTimeError(ValueError):
    """A time that cannot be read; the message is the German reason."""


def _weekday(word: str | None) -> int | None:
    if word is None:
        return None
    key = word.strip().casefold()
    if key not in _WEEKDAY_KEYS:
        raise ScenarioTimeError(f"„{word}“ ist kein Wochentag (z. B. Samstag oder Sa)")
    return _WEEKDAY_KEYS[key]


def _hms(h: str, m: str, s: str | None, text: str) -> tuple[int, int, int]:
    hour, minute, second = int(h), int(m), int(s or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ScenarioTimeError(f"„{text}“ ist keine gültige Uhrzeit")
    return hour, minute, second


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=BERLIN)
    return value


def _check_offset(seconds: float, text: str) -> int:
    if seconds < 0:
        raise ScenarioTimeError(f"„{text}“ liegt vor dem Übungsbeginn")
    if seconds > MAX_OFFSET_S:
        raise ScenarioTimeError(f"„{text}“ liegt mehr als 14 Tage nach dem Übungsbeginn")
    return round(seconds)


def _first_at_or_after(start: datetime, clock: time, weekday: int | None) -> datetime:
    local = start.astimezone(BERLIN)
    for days in range(8):
        day = local.date() + timedelta(days=days)
        if weekday is not None and day.weekday() != weekday:
            continue
        candidate = datetime.combine(day, clock, tzinfo=BERLIN)
        if candidate >= local:
            return candidate
    raise AssertionError("unreachable: a weekday recurs within 8 days")


@dataclass(frozen=True, slots=True)
class TimeSpec:
    """An inject time as written, checked for form; resolved against the start later.

    ``kind`` is "offset" (``seconds`` after T0), "clock" (``clock`` and an
    optional ``weekday``) or "moment" (an aware ``moment``).
    """

    kind: str
    text: str
    seconds: int = 0
    clock: time | None = None
    weekday: int | None = None
    moment: datetime | None = None


def parse_time_spec(value: object) -> TimeSpec:
    """The form of an inject time (no start needed); ScenarioTimeError if unreadable."""
    if isinstance(value, bool):
        raise ScenarioTimeError(f"„{value}“ ist keine Szenariozeit")
    if isinstance(value, timedelta):
        return TimeSpec("offset", str(value), _check_offset(value.total_seconds(), str(value)))
    if isinstance(value, datetime):
        return TimeSpec("moment", _show(value), moment=_aware(value))
    if isinstance(value, time):
        return TimeSpec("clock", value.strftime("%H:%M"), clock=value.replace(tzinfo=None))
    text = " ".join(str(value).split())
    if not text:
        raise ScenarioTimeError("Die Zeit fehlt")
    if match := _OFFSET_RE.match(text):
        minutes = int(match.group("m"))
        seconds = int(match.group("s") or 0)
        if minutes > 59 or seconds > 59:
            raise ScenarioTimeError(f"„{text}“: Minuten und Sekunden gehen nur bis 59")
        total = (
            int(match.group("d") or 0) * 86400
            + int(match.group("h")) * 3600
            + minutes * 60
            + seconds
        )
        return TimeSpec("offset", text, _check_offset(total, text))
    if match := _T_MINUTES_RE.match(text):
        return TimeSpec("offset", text, _check_offset(int(match.group("min")) * 60, text))
    if match := _CLOCK_RE.match(text):
        weekday = _weekday(match.group("wd"))
        hour, minute, second = _hms(match.group("h"), match.group("m"), match.group("s"), text)
        return TimeSpec("clock", text, clock=time(hour, minute, second), weekday=weekday)
    if match := _DATE_TIME_RE.match(text):
        return TimeSpec("moment", text, moment=_date_time(match, text))
    try:
        iso = datetime.fromisoformat(text)
    except ValueError:
        iso = None
    if iso is not None and len(text) > 10:
        return TimeSpec("moment", text, moment=_aware(iso))
    raise ScenarioTimeError(
        f"„{text}“ ist keine Szenariozeit (erwartet T+hh:mm, hh:mm, „Sa 04:30“ oder "
        "TT.MM.JJJJ hh:mm)"
    )


def resolve_offset(spec: TimeSpec, start: datetime | None) -> int:
    """Seconds after T0 for a checked inject time."""
    if spec.kind == "offset":
        return spec.seconds
    if start is None:
        raise ScenarioTimeError(_needs_start(spec.text))
    if spec.kind == "clock":
        assert spec.clock is not None
        moment = _first_at_or_after(start, spec.clock, spec.weekday)
    else:
        assert spec.moment is not None
        moment = spec.moment
    return _check_offset((moment - start).total_seconds(), spec.text)


def parse_offset(value: object, start: datetime | None = None) -> int:
    """Seconds after T0 for an inject time (see the module docstring)."""
    return resolve_offset(parse_time_spec(value), start)


def _needs_start(text: str) -> str:
    return f"„{text}“ ist eine Uhrzeit; dafür muss der Übungsbeginn angegeben sein (oder T+hh:mm verwenden)"


def _show(value: datetime) -> str:
    return value.strftime("%d.%m.%Y %H:%M")


def _date_time(match: re.Match[str], text: str) -> datetime:
    hour, minute, second = _hms(match.group("h"), match.group("m"), match.group("s"), text)
    year = int(match.group("y"))
    year = year + 2000 if year < 100 else year
    try:
        moment = datetime(
            year, int(match.group("mo")), int(match.group("d")), hour, minute, second, tzinfo=BERLIN
        )
    except ValueError:
        raise ScenarioTimeError(f"„{text}“ ist kein gültiges Datum") from None
    weekday = _weekday(match.group("wd"))
    if weekday is not None and moment.weekday() != weekday:
        raise ScenarioTimeError(
            f"„{text}“: der {moment:%d.%m.%Y} ist ein {WEEKDAYS[moment.weekday()]}, "
            f"kein {WEEKDAYS[weekday]}"
        )
    return moment


def parse_deadline(value: object) -> tuple[int, bool]:
    """(seconds, relative) for a contingency deadline: ``T+…`` absolute, else a duration."""
    if isinstance(value, timedelta):
        return _check_offset(value.total_seconds(), str(value)), True
    if isinstance(value, time):
        # A spreadsheet turns "0:30" into a time of day; as a deadline it is a duration.
        return value.hour * 3600 + value.minute * 60 + value.second, True
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0:
            raise ScenarioTimeError(f"„{value}“: die Frist darf nicht negativ sein")
        return round(value * 60), True  # a bare number counts minutes
    text = " ".join(str(value).split())
    if not text:
        raise ScenarioTimeError("Die Frist fehlt")
    if text[:1] in "tT":
        return parse_offset(text), False
    if match := _DURATION_RE.match(text):
        number = float(match.group("num").replace(",", "."))
        unit = match.group("unit").casefold()
        factor = 3600 if unit.startswith(("h", "std", "stund")) else 60
        return _check_offset(number * factor, text), True
    if match := _DURATION_HM_RE.match(text):
        minutes = int(match.group("m"))
        if minutes > 59:
            raise ScenarioTimeError(f"„{text}“: Minuten gehen nur bis 59")
        return _check_offset(int(match.group("h")) * 3600 + minutes * 60, text), True
    if text.isdigit():
        return _check_offset(int(text) * 60, text), True
    raise ScenarioTimeError(
        f"„{text}“ ist keine Frist (erwartet z. B. „30 min“, „1 h“, „0:45“ nach der "
        "Bezugseinlage oder T+hh:mm)"
    )


def parse_start(text: str, reference: datetime | None = None) -> datetime:
    """The scenario start as an aware UTC datetime.

    ``Samstag 03:00`` / ``Sa 03:00`` means that weekday on or after the
    reference day (default today, Europe/Berlin); ``03:00`` the reference day
    itself; ``14.11.2026 03:00`` and ISO are taken as they are.
    """
    raw = " ".join((text or "").split())
    if not raw:
        raise ScenarioTimeError("Der Übungsbeginn fehlt (z. B. „Samstag 03:00“)")
    ref = (reference or datetime.now(UTC)).astimezone(BERLIN)
    if match := _CLOCK_RE.match(raw):
        weekday = _weekday(match.group("wd"))
        hour, minute, second = _hms(match.group("h"), match.group("m"), match.group("s"), raw)
        day: date = ref.date()
        if weekday is not None:
            day += timedelta(days=(weekday - day.weekday()) % 7)
        return datetime.combine(day, time(hour, minute, second), tzinfo=BERLIN).astimezone(UTC)
    if match := _DATE_TIME_RE.match(raw):
        return _date_time(match, raw).astimezone(UTC)
    try:
        iso = datetime.fromisoformat(raw)
    except ValueError:
        iso = None
    if iso is not None and len(raw) > 10:
        return _aware(iso).astimezone(UTC)
    raise ScenarioTimeError(
        f"„{raw}“ ist kein Übungsbeginn (erwartet z. B. „Samstag 03:00“, „Sa 03:00“ oder "
        "„14.11.2026 03:00“)"
    )


# -- showing -----------------------------------------------------------------------
def format_offset(seconds: float, *, with_seconds: bool = False) -> str:
    """``T+01:30`` (hours keep counting past 24: ``T+26:00``)."""
    total = int(seconds) if seconds >= 0 else -int(-seconds)
    sign = "+" if total >= 0 else "-"
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if with_seconds:
        return f"T{sign}{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"T{sign}{hours:02d}:{minutes:02d}"


def format_duration(seconds: float | None) -> str:
    """``12 min``, ``1 h 05 min``, ``45 s``; empty for None."""
    if seconds is None:
        return ""
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    hours, rest = divmod(total, 3600)
    minutes = rest // 60
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


def scenario_moment(start: datetime, seconds: float) -> datetime:
    return (start + timedelta(seconds=seconds)).astimezone(UTC)


def format_clock(start: datetime, seconds: float, *, with_seconds: bool = False) -> str:
    """``Sa 04:30`` in Europe/Berlin for the scenario moment."""
    local = scenario_moment(start, seconds).astimezone(BERLIN)
    clock = local.strftime("%H:%M:%S" if with_seconds else "%H:%M")
    return f"{WEEKDAY_SHORT[local.weekday()]} {clock}"


def format_scenario(start: datetime, seconds: float, *, with_seconds: bool = False) -> str:
    """``Sa 04:30 (T+01:30)``: what every exercise window shows."""
    return (
        f"{format_clock(start, seconds, with_seconds=with_seconds)} "
        f"({format_offset(seconds, with_seconds=with_seconds)})"
    )
