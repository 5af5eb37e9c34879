"""Accounts: ending the open mode, managing accounts, logging in and out.

A database starts in the open single-workstation mode: no accounts, every
actor may do everything. Creating the first account, an administrator, ends
that mode for good (a meta row guarded by triggers, and an anchor outside the
file). From then on the services want an Actor bound to an active account.

Passwords are stored as argon2id hashes (argon2-cffi, RFC 9106 parameters).
The slow hash is computed outside any write transaction, so a login never
holds the write lock that journal writers wait for.

Logins, logouts, failed logins, screen locks and every account change go to
the append-only ``account_event`` table, not into the Einsatztagebuch (see
domain.account for why).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlmodel import Session

from krisenstab.domain.account import (
    ACCOUNTS_META_KEY,
    Account,
    AccountEvent,
    AccountEventRow,
    Throttle,
    decode_list,
    encode_list,
    may_act_in,
    normalize_login,
    parse_functions,
    throttle_from_events,
    validate_display_name,
    validate_login,
    validate_password,
)
from krisenstab.domain.meta import Meta
from krisenstab.domain.timefmt import utcnow
from krisenstab.services.context import Actor, PermissionDenied, ServiceError
from krisenstab.services.permissions import (
    Permission,
    Role,
    accounts_enabled,
    authorize,
)
from krisenstab.store.anchors import KIND_ACCOUNTS, Anchor, AnchorLog
from krisenstab.store.database import Database

SOURCE_GUI = "Oberfläche"
SOURCE_CLI = "Kommandozeile"

_ROLE_ALIASES: dict[str, Role] = {
    "administrator": Role.ADMIN,
    "admin": Role.ADMIN,
    "leitung": Role.LEAD,
    "stabsmitglied": Role.STAFF,
    "sichter/fernmelder": Role.MESSAGE_DESK,
    "sichter": Role.MESSAGE_DESK,
    "fernmelder": Role.MESSAGE_DESK,
    "übungsleitung": Role.EXERCISE_CONTROL,
    "uebungsleitung": Role.EXERCISE_CONTROL,
    "nur-lesen": Role.READ_ONLY,
    "nurlesen": Role.READ_ONLY,
    "nur lesen": Role.READ_ONLY,
}
# Roles whose holders act in any function (the rest need listed functions).
_ANY_FUNCTION_ROLES = frozenset({Role.ADMIN, Role.LEAD, Role.EXERCISE_CONTROL, Role.READ_ONLY})
_THROTTLE_WINDOW = 40  # enough events to reach the longest delay


class LoginFailed(PermissionDenied):
    """Wrong name or password (the message never says which)."""


class LoginThrottled(PermissionDenied):
    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class AccountView:
    id: str
    login: str
    display_name: str
    roles: tuple[str, ...]
    functions: tuple[str, ...]
    active: bool
    created_at: datetime
    created_by: str
    changed_at: datetime
    changed_by: str


@dataclass(frozen=True)
class AccountEventView:
    at: datetime
    login: str
    event: str
    workstation_id: str
    actor: str
    detail: str


def parse_role(text: str) -> Role:
    """A role from its German name (case and umlaut spelling tolerant)."""
    key = " ".join(text.split()).casefold()
    for role in Role:
        if role.value.casefold() == key:
            return role
    if key in _ROLE_ALIASES:
        return _ROLE_ALIASES[key]
    raise ServiceError(f"Unbekannte Rolle „{text}“ (erlaubt: {', '.join(r.value for r in Role)}).")


def validate_roles(roles: Iterable[str | Role], functions: tuple[str, ...]) -> tuple[str, ...]:
    parsed: list[Role] = []
    for role in roles:
        r = role if isinstance(role, Role) else parse_role(role)
        if r not in parsed:
            parsed.append(r)
    if not parsed:
        raise ServiceError("Bitte mindestens eine Rolle angeben.")
    if Role.READ_ONLY in parsed and len(parsed) > 1:
        raise ServiceError("Die Rolle „Nur-Lesen“ lässt sich nicht mit anderen Rollen verbinden.")
    if not functions and not any(r in _ANY_FUNCTION_ROLES for r in parsed):
        raise ServiceError(
            "Bitte die Stabsfunktionen angeben, in denen das Konto handeln darf "
            "(z. B. --functions S2,S3)."
        )
    return tuple(r.value for r in parsed)


def default_hasher() -> PasswordHasher:
    """argon2id with the library's RFC 9106 low-memory parameters (64 MiB, t=3)."""
    return PasswordHasher()


def _view(row: Account) -> AccountView:
    return AccountView(
        id=row.id,
        login=row.login,
        display_name=row.display_name,
        roles=row.role_list,
        functions=row.function_list,
        active=row.active,
        created_at=row.created_at,
        created_by=row.created_by,
        changed_at=row.changed_at,
        changed_by=row.changed_by,
    )


class AccountService:
    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime] = utcnow,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.hasher = hasher or default_hasher()
        self._dummy_hash: str | None = None

    # -- state ------------------------------------------------------------------
    def open_mode(self) -> bool:
        """True while the file has no accounts (open single-workstation mode)."""
        with self.db.session() as session:
            return not accounts_enabled(session)

    def get(self, login: str) -> AccountView:
        with self.db.session() as session:
            return _view(self._row(session, login))

    def _row(self, session: Session, login: str) -> Account:
        row = session.execute(
            select(Account).where(Account.login == normalize_login(login))
        ).scalar_one_or_none()
        if row is None:
            raise ServiceError(f"Ein Konto „{normalize_login(login)}“ gibt es nicht.")
        return row

    def _event(
        self,
        session: Session,
        event: AccountEvent,
        login: str,
        workstation_id: str,
        *,
        account_id: str | None = None,
        actor: str = "",
        detail: str = "",
    ) -> None:
        session.add(
            AccountEventRow(
                at=self.clock(),
                login=normalize_login(login)[:60],
                account_id=account_id,
                event=event.value,
                workstation_id=workstation_id[:36],
                actor=actor[:120],
                detail=detail[:300],
            )
        )

    def _hash(self, password: str) -> str:
        return self.hasher.hash(password)

    # -- creating accounts -------------------------------------------------------
    def create_first_admin(
        self,
        login: str,
        display_name: str,
        password: str,
        *,
        workstation_id: str,
        functions: Iterable[str] | str = (),
        extra_roles: Iterable[str | Role] = (),
    ) -> AccountView:
        """The first account, an administrator; ends the open mode for good."""
        name, display, funcs = self._check_new(login, display_name, password, functions)
        roles = validate_roles([Role.ADMIN, *extra_roles], funcs)
        digest = self._hash(password)
        now = self.clock()
        with self.db.write() as session:
            if accounts_enabled(session):
                raise ServiceError(
                    "Es gibt bereits Benutzerkonten; neue Konten legt ein Administrator an."
                )
            session.add(Meta(key=ACCOUNTS_META_KEY, value=f"{now.isoformat()} {display} ({name})"))
            session.flush()
            row = Account(
                login=name,
                display_name=display,
                password_hash=digest,
                roles=encode_list(roles),
                functions=encode_list(funcs),
                created_at=now,
                created_by=display,
                changed_at=now,
                changed_by=display,
                workstation_id=workstation_id,
            )
            session.add(row)
            session.flush()
            self._event(
                session,
                AccountEvent.OPEN_MODE_ENDED,
                name,
                workstation_id,
                account_id=row.id,
                actor=display,
                detail="erstes Konto (Administrator) angelegt",
            )
            self._event(
                session,
                AccountEvent.CREATED,
                name,
                workstation_id,
                account_id=row.id,
                actor=display,
                detail=", ".join(roles),
            )
            view = _view(row)
        # Outside the file too: removing the flag later would contradict this.
        with contextlib.suppress(OSError):
            AnchorLog.for_db(self.db.db_id).append(
                [Anchor("", 0, "", "Kontenbetrieb eingeschaltet", now, KIND_ACCOUNTS)], sync=True
            )
        return view

    def _check_new(
        self, login: str, display_name: str, password: str, functions: Iterable[str] | str
    ) -> tuple[str, str, tuple[str, ...]]:
        try:
            name = validate_login(login)
            display = validate_display_name(display_name or name)
            validate_password(password, name)
            funcs = parse_functions(functions if isinstance(functions, str) else list(functions))
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
        return name, display, funcs

    def add(
        self,
        actor: Actor,
        login: str,
        display_name: str,
        password: str,
        roles: Iterable[str | Role],
        functions: Iterable[str] | str = (),
    ) -> AccountView:
        """A new account (by an administrator; in the open mode: the first administrator)."""
        roles = list(roles)
        if self.open_mode() and actor.account is None:
            parsed = [r if isinstance(r, Role) else parse_role(r) for r in roles]
            if Role.ADMIN not in parsed:
                raise ServiceError(
                    "Das erste Konto muss ein Administrator sein (--role Administrator); "
                    "es beendet den offenen Einzelplatzbetrieb."
                )
            return self.create_first_admin(
                login,
                display_name,
                password,
                workstation_id=actor.workstation_id,
                functions=functions,
                extra_roles=[r for r in parsed if r != Role.ADMIN],
            )
        name, display, funcs = self._check_new(login, display_name, password, functions)
        checked = validate_roles(roles, funcs)
        digest = self._hash(password)
        now = self.clock()
        with self.db.write() as session:
            who = authorize(session, actor, Permission.ACCOUNTS)
            exists = session.execute(select(Account.id).where(Account.login == name)).first()
            if exists:
                raise ServiceError(f"Den Anmeldenamen „{name}“ gibt es schon.")
            row = Account(
                login=name,
                display_name=display,
                password_hash=digest,
                roles=encode_list(checked),
                functions=encode_list(funcs),
                created_at=now,
                created_by=who.person,
                changed_at=now,
                changed_by=who.person,
                workstation_id=actor.workstation_id,
            )
            session.add(row)
            session.flush()
            self._event(
                session,
                AccountEvent.CREATED,
                name,
                actor.workstation_id,
                account_id=row.id,
                actor=who.person,
                detail=", ".join(checked) + (f"; Funktionen {', '.join(funcs)}" if funcs else ""),
            )
            return _view(row)

    # -- managing ----------------------------------------------------------------
    def list(self, actor: Actor) -> list[AccountView]:
        with self.db.session() as session:
            authorize(session, actor, Permission.ACCOUNTS)
            rows = session.execute(select(Account).order_by(Account.login)).scalars()
            return [_view(r) for r in rows]

    def _active_admins(self, session: Session) -> list[str]:
        rows = session.execute(select(Account.id, Account.roles).where(Account.active)).all()
        return [r[0] for r in rows if Role.ADMIN.value in decode_list(r[1])]

    def set_active(self, actor: Actor, login: str, active: bool) -> AccountView:
        with self.db.write() as session:
            who = authorize(session, actor, Permission.ACCOUNTS)
            row = self._row(session, login)
            if row.active == active:
                return _view(row)
            if not active and self._active_admins(session) == [row.id]:
                raise ServiceError(
                    "Das letzte aktive Administratorkonto kann nicht deaktiviert werden."
                )
            row.active = active
            row.changed_at = self.clock()
            row.changed_by = who.person
            session.add(row)
            self._event(
                session,
                AccountEvent.ENABLED if active else AccountEvent.DISABLED,
                row.login,
                actor.workstation_id,
                account_id=row.id,
                actor=who.person,
            )
            return _view(row)

    def disable(self, actor: Actor, login: str) -> AccountView:
        return self.set_active(actor, login, False)

    def enable(self, actor: Actor, login: str) -> AccountView:
        return self.set_active(actor, login, True)

    def set_roles(
        self,
        actor: Actor,
        login: str,
        roles: Iterable[str | Role],
        functions: Iterable[str] | str | None = None,
    ) -> AccountView:
        with self.db.write() as session:
            who = authorize(session, actor, Permission.ACCOUNTS)
            row = self._row(session, login)
            try:
                funcs = (
                    row.function_list
                    if functions is None
                    else parse_functions(
                        functions if isinstance(functions, str) else list(functions)
                    )
                )
            except ValueError as exc:
                raise ServiceError(str(exc)) from None
            checked = validate_roles(roles, funcs)
            if (
                Role.ADMIN.value not in checked
                and row.active
                and self._active_admins(session) == [row.id]
            ):
                raise ServiceError(
                    "Dem letzten aktiven Administratorkonto kann die Rolle nicht entzogen werden."
                )
            row.roles = encode_list(checked)
            row.functions = encode_list(funcs)
            row.changed_at = self.clock()
            row.changed_by = who.person
            session.add(row)
            self._event(
                session,
                AccountEvent.ROLES,
                row.login,
                actor.workstation_id,
                account_id=row.id,
                actor=who.person,
                detail=", ".join(checked) + (f"; Funktionen {', '.join(funcs)}" if funcs else ""),
            )
            return _view(row)

    def change_password(
        self,
        actor: Actor,
        login: str,
        new_password: str,
        *,
        current_password: str | None = None,
    ) -> None:
        """One's own password (with the current one), or anyone's as administrator."""
        name = normalize_login(login)
        try:
            validate_password(new_password, name)
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
        with self.db.session() as session:
            target = self._row(session, name)
        own = actor.account is not None and actor.account == target.id
        if own:
            if current_password is None:
                raise ServiceError("Bitte das bisherige Passwort angeben.")
            self._check_throttle(name, actor.workstation_id)
            if not self._verify(target.password_hash, current_password):
                self._record(
                    AccountEvent.FAILED,
                    name,
                    actor.workstation_id,
                    account_id=target.id,
                    detail="Passwortänderung",
                )
                raise LoginFailed("Das bisherige Passwort stimmt nicht.")
        digest = self._hash(new_password)
        with self.db.write() as session:
            if own:
                who = actor
                if not session.execute(
                    select(Account.active).where(Account.id == target.id)
                ).scalar_one_or_none():
                    raise PermissionDenied(f"Das Konto „{name}“ ist deaktiviert.")
            else:
                who = authorize(session, actor, Permission.ACCOUNTS)
            row = self._row(session, name)
            row.password_hash = digest
            row.changed_at = self.clock()
            row.changed_by = who.person
            session.add(row)
            self._event(
                session,
                AccountEvent.PASSWORD,
                row.login,
                actor.workstation_id,
                account_id=row.id,
                actor=who.person,
                detail="selbst" if own else "durch Administrator",
            )

    # -- logging in ----------------------------------------------------------------
    def _verify(self, digest: str, password: str) -> bool:
        if len(password) > 1024:
            return False
        try:
            return self.hasher.verify(digest, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _burn_time(self, password: str) -> None:
        # An unknown name costs as much as a wrong password, so timing does not
        # tell which names exist.
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash("krisenstab-unbekannt")
        self._verify(self._dummy_hash, password)

    def throttle(self, login: str) -> Throttle:
        """Failures in a row for this name and when it may try again."""
        with self.db.session() as session:
            return self._throttle(session, normalize_login(login))

    def _throttle(self, session: Session, name: str) -> Throttle:
        relevant = (AccountEvent.FAILED.value, AccountEvent.LOGIN.value, AccountEvent.UNLOCKED.value, AccountEvent.PASSWORD.value)  # fmt: skip
        rows = session.execute(
            select(AccountEventRow.at, AccountEventRow.event)
            .where(AccountEventRow.login == name, AccountEventRow.event.in_(relevant))
            .order_by(AccountEventRow.at.desc())
            .limit(_THROTTLE_WINDOW)
        ).all()
        return throttle_from_events([(r[0], r[1]) for r in rows])

    def _record(
        self, event: AccountEvent, name: str, workstation_id: str, **kw: str | None
    ) -> None:
        if self.db.read_only:
            return  # a read-only medium keeps no log; the login itself still works
        with self.db.write() as session:
            self._event(session, event, name, workstation_id, **kw)  # type: ignore[arg-type]

    def _check_throttle(self, name: str, workstation_id: str) -> None:
        now = self.clock()
        with self.db.session() as session:
            state = self._throttle(session, name)
            wait = state.wait_seconds(now)
            if wait <= 0:
                return
            last = session.execute(
                select(func.max(AccountEventRow.at)).where(
                    AccountEventRow.login == name,
                    AccountEventRow.event == AccountEvent.THROTTLED.value,
                )
            ).scalar_one_or_none()
        # A script hammering a locked name must not flood the log: one row a minute.
        if last is None or now - last >= timedelta(minutes=1):
            self._record(
                AccountEvent.THROTTLED,
                name,
                workstation_id,
                detail=f"{state.failures} Fehlversuche in Folge",
            )
        seconds = int(wait + 0.999)
        raise LoginThrottled(
            f"Zu viele Fehlversuche für „{name}“. Bitte in {seconds} Sekunden erneut versuchen.",
            wait,
        )

    def authenticate(
        self,
        login: str,
        password: str,
        *,
        workstation_id: str,
        function: str | None = None,
        source: str = SOURCE_GUI,
    ) -> Actor:
        """Check name and password; an Actor bound to the account, or LoginFailed."""
        name = normalize_login(login)
        self._check_throttle(name, workstation_id)
        with self.db.session() as session:
            row = session.execute(select(Account).where(Account.login == name)).scalar_one_or_none()
        if row is None:
            self._burn_time(password)
            ok = False
        else:
            ok = self._verify(row.password_hash, password)
        if not ok:
            self._record(
                AccountEvent.FAILED,
                name,
                workstation_id,
                account_id=row.id if row else None,
                detail=source if row else f"{source}; unbekannter Name",
            )
            state = self.throttle(name)
            hint = ""
            if state.retry_at is not None:
                hint = f" Nächster Versuch in {int(state.wait_seconds(self.clock()) + 0.999)} Sekunden."
            raise LoginFailed(f"Anmeldung fehlgeschlagen: Anmeldename oder Passwort falsch.{hint}")
        assert row is not None
        if not row.active:
            self._record(
                AccountEvent.FAILED,
                name,
                workstation_id,
                account_id=row.id,
                detail=f"{source}; Konto deaktiviert",
            )
            raise LoginFailed(f"Das Konto „{name}“ ist deaktiviert.")
        functions = row.function_list
        roles = row.role_list
        chosen = (function or "").strip() or (functions[0] if functions else roles[0])
        if not may_act_in(functions, chosen):
            raise PermissionDenied(
                f"{row.display_name} darf nicht in der Funktion „{chosen}“ handeln "
                f"(erlaubt: {', '.join(functions)})."
            )
        if not self.db.read_only and self.hasher.check_needs_rehash(row.password_hash):
            self._rehash(row.id, password)
        self._record(AccountEvent.LOGIN, name, workstation_id, account_id=row.id, detail=source)
        return Actor(
            person=row.display_name,
            function=chosen,
            workstation_id=workstation_id,
            account=row.id,
            roles=roles,
        )

    def _rehash(self, account_id: str, password: str) -> None:
        digest = self._hash(password)
        with self.db.write() as session:
            row = session.get(Account, account_id)
            if row is not None:
                row.password_hash = digest
                session.add(row)

    def lock(self, actor: Actor) -> None:
        """The screen was locked (inactivity or by hand); the GUI keeps its state."""
        if actor.account is None:
            return
        self._record(
            AccountEvent.LOCKED,
            self._login_of(actor),
            actor.workstation_id,
            account_id=actor.account,
        )

    def unlock(self, actor: Actor, password: str) -> Actor:
        """Unlock the screen for the same account; same throttling as a login."""
        if actor.account is None:
            return actor
        name = self._login_of(actor)
        self._check_throttle(name, actor.workstation_id)
        with self.db.session() as session:
            row = session.get(Account, actor.account)
        if row is None or not self._verify(row.password_hash, password):
            self._record(
                AccountEvent.FAILED,
                name,
                actor.workstation_id,
                account_id=actor.account,
                detail="Entsperren",
            )
            raise LoginFailed("Das Passwort ist falsch.")
        if not row.active:
            raise LoginFailed(f"Das Konto „{name}“ wurde inzwischen deaktiviert.")
        self._record(AccountEvent.UNLOCKED, name, actor.workstation_id, account_id=actor.account)
        return Actor(
            person=row.display_name,
            function=actor.function,
            workstation_id=actor.workstation_id,
            account=row.id,
            roles=row.role_list,
        )

    def logout(self, actor: Actor) -> None:
        if actor.account is None:
            return
        self._record(
            AccountEvent.LOGOUT,
            self._login_of(actor),
            actor.workstation_id,
            account_id=actor.account,
        )

    def _login_of(self, actor: Actor) -> str:
        with self.db.session() as session:
            login = session.execute(
                select(Account.login).where(Account.id == actor.account)
            ).scalar_one_or_none()
        return login or actor.person

    # -- the log -------------------------------------------------------------------
    def events(
        self, actor: Actor, *, limit: int = 1000, login: str | None = None
    ) -> list[AccountEventView]:
        """The account/login log, newest first (administrators only)."""
        with self.db.session() as session:
            authorize(session, actor, Permission.ACCOUNTS)
            query = select(AccountEventRow).order_by(AccountEventRow.at.desc()).limit(limit)
            if login:
                query = query.where(AccountEventRow.login == normalize_login(login))
            return [
                AccountEventView(
                    at=r.at,
                    login=r.login,
                    event=r.event,
                    workstation_id=r.workstation_id,
                    actor=r.actor,
                    detail=r.detail,
                )
                for r in session.execute(query).scalars()
            ]
