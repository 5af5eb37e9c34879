"""Time as the staff reads it: stored in UTC, shown in Europe/Berlin and as a
date-time group (taktische Zeit, ``271530nov26``)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

# German month abbreviations used in the Datum-Zeit-Gruppe (FwDV 100 / DV 810).
_DTG_MONTHS = ("jan", "feb", "mrz", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "dez")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC, truncated to whole microseconds."""
    return datetime.now(UTC)


def ensure_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC (that is how the store holds them)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_local(value: datetime) -> datetime:
    return ensure_utc(value).astimezone(BERLIN)


def format_dtg(value: datetime) -> str:
    """Date-time group in local time: ``271530nov26`` for 27 Nov 2026 15:30."""
    local = to_local(value)
    return f"{local:%d%H%M}{_DTG_MONTHS[local.month - 1]}{local:%y}"


def format_local(value: datetime, seconds: bool = False) -> str:
    """``27.11.2026 15:30`` in Europe/Berlin."""
    local = to_local(value)
    return local.strftime("%d.%m.%Y %H:%M:%S" if seconds else "%d.%m.%Y %H:%M")


def parse_dtg(text: str, reference: datetime | None = None) -> datetime:
    """Parse ``271530nov26`` (local time) into an aware UTC datetime."""
    raw = text.strip().lower()
    if len(raw) != 11 or not raw[:6].isdigit() or not raw[9:].isdigit():
        raise ValueError(
            f"„{text}“ ist keine Datum-Zeit-Gruppe (Form TThhmmMMMJJ, z. B. 271530nov26)"
        )
    try:
        month = _DTG_MONTHS.index(raw[6:9]) + 1
    except ValueError:
        raise ValueError(f"„{raw[6:9]}“ ist keine Monatsabkürzung (jan … dez)") from None
    try:
        local = datetime(
            2000 + int(raw[9:]), month, int(raw[0:2]), int(raw[2:4]), int(raw[4:6]), tzinfo=BERLIN
        )
    except ValueError:
        raise ValueError(f"„{text}“ ist kein gültiges Datum") from None
    return local.astimezone(UTC)


def parse_local(text: str) -> datetime:
    """Parse a local (Europe/Berlin) time typed by a user into aware UTC.

    Accepts ``YYYY-MM-DD HH:MM``, ``DD.MM.YYYY HH:MM`` and a date-time group.
    """
    raw = text.strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S"):
        try:
            naive = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return naive.replace(tzinfo=BERLIN).astimezone(UTC)
    try:
        return parse_dtg(raw)
    except ValueError:
        pass
    raise ValueError(
        f"„{text}“ ist keine gültige Zeitangabe (erwartet JJJJ-MM-TT hh:mm, TT.MM.JJJJ hh:mm "
        "oder Datum-Zeit-Gruppe)"
    )
