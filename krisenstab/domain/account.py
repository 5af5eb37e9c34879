"""User accounts and the account/login audit: tables and pure rules.

An account names a person who logs in, their roles (role names as in
services.permissions.Role, kept as plain strings here so the domain stays
free of the service layer) and the staff functions they may act in. Accounts
are never deleted, only disabled, so every journal entry stays attributable.

Every login, logout, failed login and account change is one row in
``account_event`` (append-only, guarded by triggers in the store). Logins are
deliberately not written into the Einsatztagebuch: the ETB is the evidence of
the operation, and each of its entries already carries author, function and
workstation; an access log in the ETB would bury the operation under lock
screen unlocks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from krisenstab.domain.base import UTCDateTime, new_id

# meta key whose presence marks a database whose open single-workstation mode
# has ended; triggers in the store refuse to change or remove it.
ACCOUNTS_META_KEY = "accounts"

LOGIN_MAX = 60
DISPLAY_NAME_MAX = 120  # = journal_entry.author
FUNCTION_MAX = 60  # = journal_entry.function
PASSWORD_MIN = 8
PASSWORD_MAX = 1024  # argon2 takes any length; a cap keeps hostile input cheap

# Rate limiting: after this many failures in a row, each further attempt
# waits (30 s, doubling per failure, at most 15 minutes).
FREE_FAILURES = 5
FIRST_DELAY_S = 30
MAX_DELAY_S = 15 * 60

_LOGIN_RE = re.compile(r"^[\w][\w.\-]{1,59}$")


class AccountEvent(StrEnum):
    LOGIN = "Anmeldung"
    LOGOUT = "Abmeldung"
    FAILED = "Fehlversuch"
    THROTTLED = "Anmeldung gesperrt"
    LOCKED = "Bildschirm gesperrt"
    UNLOCKED = "Entsperrt"
    CREATED = "Konto angelegt"
    DISABLED = "Konto deaktiviert"
    ENABLED = "Konto aktiviert"
    PASSWORD = "Passwort geändert"
    ROLES = "Rollen geändert"
    OPEN_MODE_ENDED = "Offener Betrieb beendet"


# Events after which the failure count starts again.
RESETTING_EVENTS = (
    AccountEvent.LOGIN.value,
    AccountEvent.UNLOCKED.value,
    AccountEvent.PASSWORD.value,
)


class Account(SQLModel, table=True):
    __tablename__ = "account"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    login: str = Field(max_length=LOGIN_MAX, unique=True)
    display_name: str = Field(max_length=DISPLAY_NAME_MAX)
    password_hash: str = Field(max_length=300)
    # JSON lists of role names and staff function names.
    roles: str = Field(default="[]")
    functions: str = Field(default="[]")
    active: bool = Field(default=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_by: str = Field(max_length=DISPLAY_NAME_MAX)
    changed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    changed_by: str = Field(max_length=DISPLAY_NAME_MAX)
    workstation_id: str = Field(max_length=36)

    @property
    def role_list(self) -> tuple[str, ...]:
        return decode_list(self.roles)

    @property
    def function_list(self) -> tuple[str, ...]:
        return decode_list(self.functions)


class AccountEventRow(SQLModel, table=True):
    __tablename__ = "account_event"
    __table_args__ = (
        # Rate limiting reads the latest events of one login name.
        Index("ix_account_event_login_at", "login", "at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    # The name as typed (also for unknown names), normalised.
    login: str = Field(max_length=LOGIN_MAX)
    account_id: str | None = Field(default=None, max_length=36)
    event: str = Field(max_length=40)
    workstation_id: str = Field(max_length=36)
    # Who caused an account change (the administrator); empty for logins.
    actor: str = Field(default="", max_length=DISPLAY_NAME_MAX)
    detail: str = Field(default="", max_length=300)


# -- pure rules ----------------------------------------------------------------
def normalize_login(login: str) -> str:
    """Login names compare case-insensitively and without surrounding blanks."""
    return login.strip().casefold()


def validate_login(login: str) -> str:
    name = normalize_login(login)
    if not _LOGIN_RE.fullmatch(name):
        raise ValueError(
            "Der Anmeldename muss 2 bis 60 Zeichen lang sein und darf nur Buchstaben, "
            "Ziffern, Punkt, Binde- und Unterstrich enthalten."
        )
    return name


def validate_display_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValueError("Bitte den Namen der Person angeben.")
    if len(cleaned) > DISPLAY_NAME_MAX:
        raise ValueError(f"Der Name ist zu lang (höchstens {DISPLAY_NAME_MAX} Zeichen).")
    if any(ord(ch) < 32 for ch in cleaned):
        raise ValueError("Der Name enthält Steuerzeichen.")
    return cleaned


def validate_password(password: str, login: str = "") -> str:
    if len(password) < PASSWORD_MIN:
        raise ValueError(f"Das Passwort muss mindestens {PASSWORD_MIN} Zeichen lang sein.")
    if len(password) > PASSWORD_MAX:
        raise ValueError(f"Das Passwort ist zu lang (höchstens {PASSWORD_MAX} Zeichen).")
    if login and password.strip().casefold() == normalize_login(login):
        raise ValueError("Das Passwort darf nicht der Anmeldename sein.")
    return password


def parse_functions(text: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """``"S2, S3"`` or a list → ``("S2", "S3")`` (blank items dropped, order kept)."""
    items = text.split(",") if isinstance(text, str) else list(text)
    result: list[str] = []
    for item in items:
        name = " ".join(str(item).split())
        if not name:
            continue
        if len(name) > FUNCTION_MAX:
            raise ValueError(f"Funktionsname „{name[:20]}…“ ist zu lang.")
        if name not in result:
            result.append(name)
    return tuple(result)


def encode_list(items: tuple[str, ...] | list[str]) -> str:
    return json.dumps(list(items), ensure_ascii=False)


def decode_list(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    try:
        data = json.loads(value)
    except ValueError:
        return ()
    if not isinstance(data, list):
        return ()
    return tuple(str(x) for x in data)


def may_act_in(functions: tuple[str, ...], function: str) -> bool:
    """An account without listed functions may act in any; otherwise only in those."""
    if not functions:
        return True
    wanted = function.strip().casefold()
    return any(f.casefold() == wanted for f in functions)


def failure_delay(failures_in_row: int) -> timedelta:
    """How long after the last failure the next attempt is refused."""
    if failures_in_row < FREE_FAILURES:
        return timedelta(0)
    seconds = FIRST_DELAY_S * 2 ** min(failures_in_row - FREE_FAILURES, 10)
    return timedelta(seconds=min(seconds, MAX_DELAY_S))


@dataclass(frozen=True)
class Throttle:
    """Where a login name stands: failures in a row and when it may try again."""

    failures: int
    retry_at: datetime | None

    def wait_seconds(self, now: datetime) -> float:
        if self.retry_at is None:
            return 0.0
        return max(0.0, (self.retry_at - now).total_seconds())


def throttle_from_events(events: list[tuple[datetime, str]]) -> Throttle:
    """From a login's recent events (newest first), the current throttle state."""
    failures = 0
    last_failure: datetime | None = None
    for at, event in events:
        if event in RESETTING_EVENTS:
            break
        if event == AccountEvent.FAILED:
            failures += 1
            if last_failure is None:
                last_failure = at
    delay = failure_delay(failures)
    if last_failure is None or not delay:
        return Throttle(failures, None)
    return Throttle(failures, last_failure + delay)
