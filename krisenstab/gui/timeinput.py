"""Reading times typed into the GUI (no Qt here).

Extends `timefmt.parse_local` with the short forms a staff member types
under pressure: ``hh:mm`` / ``hhmm`` for today and ``TT.MM. hh:mm`` for
this year.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from krisenstab.domain.timefmt import BERLIN, parse_local, utcnow

# An observation reported "in the future" by up to this much is clock drift
# between workstations, not a typing error.
FUTURE_TOLERANCE = timedelta(minutes=5)

_TIME_ONLY = re.compile(r"^(\d{1,2})[:.]?(\d{2})$")
_DAY_MONTH_TIME = re.compile(r"^(\d{1,2})\.(\d{1,2})\.?\s+(\d{1,2}):(\d{2})$")


def parse_user_time(text: str, now: datetime | None = None) -> datetime:
    """Parse a local time typed by a user into aware UTC.

    ``hh:mm`` means the most recent such moment (today, or yesterday when
    today's would lie in the future: a night shift entering 23:50 at 00:10).
    Raises ValueError with a German message.
    """
    raw = text.strip()
    now = now or utcnow()
    local_now = now.astimezone(BERLIN)
    match = _TIME_ONLY.match(raw)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            raise ValueError(f"„{text}“ ist keine gültige Uhrzeit.")
        candidate = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if candidate - local_now > FUTURE_TOLERANCE:
            candidate = _same_wall_time_day_before(candidate)
        return candidate.astimezone(UTC)
    match = _DAY_MONTH_TIME.match(raw)
    if match:
        day, month, hour, minute = (int(g) for g in match.groups())
        try:
            local = datetime(local_now.year, month, day, hour, minute, tzinfo=BERLIN)
        except ValueError:
            raise ValueError(f"„{text}“ ist kein gültiges Datum.") from None
        return local.astimezone(UTC)
    return parse_local(raw)


def _same_wall_time_day_before(value: datetime) -> datetime:
    naive = value.replace(tzinfo=None) - timedelta(days=1)
    return naive.replace(tzinfo=BERLIN)


def parse_observed(text: str, now: datetime | None = None) -> datetime | None:
    """The observation time of a new entry: empty means "now" (None).

    Refuses times in the future (beyond a little clock drift).
    """
    if not text.strip():
        return None
    now = now or utcnow()
    value = parse_user_time(text, now)
    if value - now > FUTURE_TOLERANCE:
        raise ValueError("Der Beobachtungszeitpunkt liegt in der Zukunft.")
    return value
