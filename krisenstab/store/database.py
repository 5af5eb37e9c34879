"""The one SQLite file of a staff: opening, checking, creating, migrating.

Everything dialect-specific sits here: pragmas, the write lock taken at the
start of a writing transaction, and the checks that turn a foreign, damaged
or newer file into a clear German message instead of a traceback.
"""

from __future__ import annotations

import contextvars
import os
import sqlite3
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool, QueuePool
from sqlmodel import Session, SQLModel

from krisenstab.domain.meta import KIND_EXERCISE, KIND_REAL
from krisenstab.store.errors import (
    DamagedDatabaseError,
    ExerciseMismatchError,
    NewerSchemaError,
    NotKrisenstabError,
    ReadOnlyError,
    StoreError,
    translate_operational_error,
)
from krisenstab.store.schema import (
    APPLICATION_ID,
    HEAD_REVISION,
    KNOWN_REVISIONS,
    install_sqlite_extras,
)

BUSY_TIMEOUT_MS = 30_000

# Set while a writing transaction is opened, so that the BEGIN takes the write
# lock at once (BEGIN IMMEDIATE): the running number is read and the next
# entry inserted under one lock, and a waiting writer queues at BEGIN.
_immediate: contextvars.ContextVar[bool] = contextvars.ContextVar("_immediate", default=False)


_ENGINE_KINDS: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def is_exercise_bind(session: Session) -> bool:
    """Whether a session works on an exercise file (for code that only has the session)."""
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    return _ENGINE_KINDS.get(engine) == KIND_EXERCISE


@dataclass(frozen=True)
class FileFacts:
    kind: str
    db_id: str
    revision: str


def _has_sqlite_header(path: Path) -> bool:
    """Only on the error path: SQLite already refused the file, so no connection
    of this process holds locks on it that closing this descriptor could drop."""
    try:
        with path.open("rb") as fh:
            return fh.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _sqlite_uri(path: Path, read_only: bool) -> str:
    uri = path.resolve().as_uri().replace("file://", "file:", 1)
    if read_only:
        # On a read-only medium SQLite cannot create the WAL index; the file
        # cannot change under us there, so it may be read as immutable.
        return f"{uri}?mode=ro&immutable=1"
    return f"{uri}?mode=rwc"


def _is_read_only_location(path: Path) -> bool:
    if path.exists():
        return not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK)
    return False


class Database:
    """An open Krisenstab database file."""

    def __init__(self, path: Path, engine: Engine, facts: FileFacts, read_only: bool) -> None:
        self.path = path
        self.engine = engine
        self.kind = facts.kind
        self.db_id = facts.db_id
        self.revision = facts.revision
        self.read_only = read_only

    # -- opening -----------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        kind: str = KIND_REAL,
        expect_kind: str | None = None,
        read_only: bool = False,
        quick_check: bool = True,
    ) -> Database:
        """Open (or create) the file; raise a StoreError with a German message."""
        path = Path(path)
        read_only = read_only or _is_read_only_location(path)
        exists = path.exists() and path.stat().st_size > 0
        if not exists:
            if not create:
                raise StoreError(f"Die Datenbank {path} gibt es nicht.")
            if read_only:
                raise ReadOnlyError(
                    f"{path}: auf einem schreibgeschützten Datenträger kann keine Datenbank angelegt werden."
                )
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                _create_file(path, kind)
            except sqlite3.Error as exc:
                raise translate_operational_error(exc) or StoreError(
                    f"Die Datenbank {path} kann nicht angelegt werden: {exc}"
                ) from None
            except OSError as exc:
                raise StoreError(
                    f"Die Datenbank {path} kann nicht angelegt werden: {exc}"
                ) from None
        # No Python open() of the file here: closing any descriptor of a file
        # drops this process's POSIX locks on it, including SQLite's.
        facts = _inspect(path, read_only=read_only, quick_check=quick_check)
        if facts.revision != HEAD_REVISION:
            if read_only:
                raise ReadOnlyError(
                    f"{path} hat ein älteres Datenbankschema und liegt auf einem "
                    "schreibgeschützten Datenträger; es kann nicht aktualisiert werden."
                )
            _migrate(path, facts.revision)
            facts = _inspect(path, read_only=False, quick_check=False)
        if expect_kind is not None and facts.kind != expect_kind:
            if expect_kind == KIND_REAL:
                raise ExerciseMismatchError(
                    f"{path} ist eine ÜBUNGS-Datenbank; hier wird eine echte Datenbank erwartet."
                )
            raise ExerciseMismatchError(
                f"{path} ist keine Übungsdatenbank; Übungsfunktionen sind dort gesperrt."
            )
        engine = _make_engine(path, read_only=read_only)
        _ENGINE_KINDS[engine] = facts.kind
        return cls(path, engine, facts, read_only)

    @property
    def is_exercise(self) -> bool:
        return self.kind == KIND_EXERCISE

    def close(self) -> None:
        self.engine.dispose()

    # -- sessions ----------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read session (objects stay usable after it closes)."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            except (OperationalError, DBAPIError) as exc:
                raise translate_operational_error(exc) or exc from exc

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One writing transaction: committed durably at the end, or rolled back."""
        if self.read_only:
            raise ReadOnlyError(
                f"{self.path} ist schreibgeschützt geöffnet; es kann nichts gespeichert werden."
            )
        token = _immediate.set(True)
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                try:
                    with session.begin():
                        yield session
                except (OperationalError, DBAPIError) as exc:
                    translated = translate_operational_error(exc)
                    if translated is not None:
                        raise translated from exc
                    raise
        finally:
            _immediate.reset(token)

    def quick_check(self) -> list[str]:
        """SQLite's quick integrity check: [] when the file is sound, else the findings."""
        conn = self.raw_connection()
        try:
            rows = [r[0] for r in conn.execute("PRAGMA quick_check(20)")]
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        finally:
            conn.close()
        return [] if rows == ["ok"] else rows

    def raw_connection(self) -> sqlite3.Connection:
        """A plain sqlite3 connection for store-level tools (backup, verify)."""
        return sqlite3.connect(_sqlite_uri(self.path, self.read_only), uri=True)


# -- helpers ---------------------------------------------------------------
def _configure(dbapi_conn: sqlite3.Connection, read_only: bool) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    if not read_only:
        cur.execute("PRAGMA journal_mode = WAL")
        # FULL: an entry reported as saved survives a power cut.
        cur.execute("PRAGMA synchronous = FULL")
    cur.close()


def _make_engine(path: Path, read_only: bool) -> Engine:
    uri = _sqlite_uri(path, read_only)

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(
            uri,
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        _configure(conn, read_only)
        return conn

    engine = create_engine(
        "sqlite+pysqlite://",
        creator=connect,
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=8,
    )

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")

    return engine


def _create_file(path: Path, kind: str) -> None:
    if kind not in (KIND_REAL, KIND_EXERCISE):
        raise ValueError(kind)
    # Every table module, only now: start-up on an existing file imports just
    # the tables its first screen needs (SQLModel classes are costly to define).
    from krisenstab.store import models  # noqa: F401

    tmp = path.with_name(path.name + ".anlage")
    if tmp.exists():
        tmp.unlink()
    # Build the schema in a side file and move it in place: a half-created
    # database can never be mistaken for a good one.
    engine = create_engine(f"sqlite+pysqlite:///{tmp}", poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            SQLModel.metadata.create_all(conn)
            install_sqlite_extras(conn)
            conn.execute(
                text(
                    "CREATE TABLE IF NOT EXISTS alembic_version ("
                    "version_num VARCHAR(32) NOT NULL, "
                    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
                )
            )
            conn.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": HEAD_REVISION})
            now = datetime.now(UTC).isoformat()
            for key, value in (
                ("kind", kind),
                ("db_id", str(uuid.uuid4())),
                ("created_at", now),
            ):
                conn.execute(
                    text("INSERT INTO meta (key, value) VALUES (:k, :v)"), {"k": key, "v": value}
                )
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode = WAL")
    finally:
        engine.dispose()
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _inspect(path: Path, *, read_only: bool, quick_check: bool) -> FileFacts:
    try:
        conn = sqlite3.connect(
            _sqlite_uri(path, read_only), uri=True, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error as exc:
        raise DamagedDatabaseError(f"Die Datei {path} lässt sich nicht öffnen: {exc}") from None
    try:
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc) and not _has_sqlite_header(path):
                raise NotKrisenstabError(
                    f"Die Datei {path} ist keine Krisenstab-Datenbank (keine SQLite-Datei)."
                ) from None
            raise DamagedDatabaseError(
                f"Die Datei {path} ist beschädigt und kann nicht gelesen werden ({exc})."
            ) from None
        if app_id != APPLICATION_ID:
            raise NotKrisenstabError(
                f"Die Datei {path} ist keine Krisenstab-Datenbank (eine fremde SQLite-Datei)."
            )
        if quick_check:
            try:
                rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
            except sqlite3.DatabaseError as exc:
                rows = [str(exc)]
            if rows != ["ok"]:
                raise DamagedDatabaseError(
                    f"Die Datenbank {path} ist beschädigt: {'; '.join(rows)}"
                )
        try:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise DamagedDatabaseError(
                f"Die Datenbank {path} ist unvollständig oder beschädigt ({exc})."
            ) from None
    finally:
        conn.close()
    if revision is None:
        raise DamagedDatabaseError(f"Die Datenbank {path} hat keine Schemaversion.")
    rev = revision[0]
    if rev not in KNOWN_REVISIONS:
        raise NewerSchemaError(
            f"Die Datenbank {path} wurde von einer neueren Krisenstab-Version geschrieben "
            f"(Schema {rev}); bitte das Programm aktualisieren. Die Datei bleibt unverändert."
        )
    kind = meta.get("kind")
    if kind not in (KIND_REAL, KIND_EXERCISE):
        raise DamagedDatabaseError(
            f"Die Datenbank {path} hat keine gültige Kennzeichnung (echt/Übung)."
        )
    return FileFacts(kind=kind, db_id=meta.get("db_id", ""), revision=rev)


def backup_copy(path: Path, target: Path) -> Path:
    """A consistent copy through SQLite's backup API, fsynced."""
    src = sqlite3.connect(_sqlite_uri(path, read_only=False), uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return target


def _migrate(path: Path, from_revision: str) -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.stem}.vor-migration-{from_revision}-{stamp}{path.suffix}")
    backup_copy(path, aside)
    from krisenstab.store.migrate import upgrade_to_head

    try:
        upgrade_to_head(path)
    except Exception as exc:  # the copy aside is the user's way back
        raise StoreError(
            f"Die Aktualisierung des Datenbankschemas ist fehlgeschlagen ({exc}). "
            f"Eine Kopie vor der Aktualisierung liegt unter {aside}."
        ) from exc
