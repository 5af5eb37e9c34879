"""Chain heads kept outside the database file ("anchors").

The hash chain shows every change made to a journal row, unless someone
recomputes every hash after the row they edited. Against that, the heads of
the chains are written down outside the file: after each durable journal
write into an append-only log in this workstation's config folder (one file
per database, ``anker/<db_id>.jsonl``), into every backup manifest, and into
released reports (paper). ``check_anchors`` compares a file against them: a
recomputed chain no longer has the hash an anchor remembers.

The log is written after the commit, so an anchor never names an entry that
was not stored. It is evidence, not data: losing its last lines in a power
cut only makes it a little less precise, so it is fsynced at most every few
seconds instead of after every line (the journal append stays cheap).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from krisenstab.domain.journal import JournalEntry
from krisenstab.settings import config_dir

ANCHOR_FOLDER = "anker"
FORMAT_VERSION = 1
SYNC_INTERVAL_S = 5.0
KIND_HEAD = "head"
KIND_ACCOUNTS = "accounts"

_PENDING = "krisenstab_anchor_heads"


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Anchor:
    """One remembered chain head: entry ``number`` of an incident had ``hash``."""

    incident_id: str
    number: int
    hash: str
    source: str
    at: datetime | None = None
    kind: str = KIND_HEAD

    def to_json(self) -> str:
        at = (self.at or datetime.now(UTC)).isoformat()
        # Hand-built for speed (one line per journal write); every text part
        # goes through json.dumps, so the line is valid JSON whatever it holds.
        return (
            f'{{"v":{FORMAT_VERSION},"k":{_q(self.kind)},"i":{_q(self.incident_id)},'
            f'"n":{int(self.number)},"h":{_q(self.hash)},"s":{_q(self.source)},"t":"{at}"}}'
        )

    @classmethod
    def from_json(cls, line: str) -> Anchor | None:
        try:
            data = json.loads(line)
            at = datetime.fromisoformat(data["t"]) if data.get("t") else None
            return cls(
                incident_id=str(data.get("i", "")),
                number=int(data.get("n", 0)),
                hash=str(data.get("h", "")),
                source=str(data.get("s", "")),
                at=at,
                kind=str(data.get("k", KIND_HEAD)),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


def anchor_folder() -> Path:
    return config_dir() / ANCHOR_FOLDER


def anchor_path(db_id: str, folder: Path | None = None) -> Path:
    # db_id is a UUID the program wrote; anything else is not trusted as a name.
    safe = "".join(ch for ch in db_id if ch.isalnum() or ch == "-")[:64] or "unbekannt"
    return (folder or anchor_folder()) / f"{safe}.jsonl"


_PATHS: dict[tuple[str | None, str], Path] = {}


class AnchorLog:
    """The append-only anchor file of one database on this workstation."""

    _last_sync: dict[Path, float] = {}  # noqa: RUF012  (per process, shared on purpose)

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_db(cls, db_id: str, folder: Path | None = None) -> AnchorLog:
        if folder is not None:
            return cls(anchor_path(db_id, folder))
        # Called after every journal commit: the path is worked out once per
        # home folder (tests and portable installs move it) and database.
        key = (os.environ.get("KRISENSTAB_HOME"), db_id)
        path = _PATHS.get(key)
        if path is None:
            path = _PATHS[key] = anchor_path(db_id)
        return cls(path)

    def append(self, anchors: Iterable[Anchor], *, sync: bool | None = None) -> None:
        payload = "".join(a.to_json() + "\n" for a in anchors).encode("utf-8")
        if not payload:
            return
        # One write() on an O_APPEND descriptor: lines of several processes
        # never interleave mid-line.
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
        try:
            fd = os.open(self.path, flags, 0o644)
        except FileNotFoundError:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, flags, 0o644)
        try:
            os.write(fd, payload)
            now = time.monotonic()
            due = now - self._last_sync.get(self.path, 0.0) >= SYNC_INTERVAL_S
            if sync or (sync is None and due):
                os.fsync(fd)
                self._last_sync[self.path] = now
        finally:
            os.close(fd)

    def read(self) -> tuple[list[Anchor], int]:
        """All readable anchors and the number of unreadable lines."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return [], 0
        anchors: list[Anchor] = []
        bad = 0
        for line in raw.decode("utf-8", errors="replace").splitlines():
            if not line.strip():
                continue
            anchor = Anchor.from_json(line)
            if anchor is None:
                bad += 1
            else:
                anchors.append(anchor)
        return anchors, bad


# -- written after each durable journal write ----------------------------------
_DB_IDS: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def _db_id_of(session: Session) -> str | None:
    bind = session.get_bind()
    known = _DB_IDS.get(bind)  # type: ignore[arg-type]
    if known is not None:
        return known
    row = session.execute(text("SELECT value FROM meta WHERE key = 'db_id'")).first()
    if row is None:
        return None
    _DB_IDS[bind] = row[0]  # type: ignore[index]
    return row[0]


def note_head(session: Session, incident_id: str, number: int, hash_: str) -> None:
    """Remember a new head; it is written to the anchor log once the commit succeeded."""
    db_id = _db_id_of(session)
    if db_id is None:
        return
    pending: dict[tuple[str, str], tuple[int, str]] = session.info.setdefault(_PENDING, {})
    pending[(db_id, incident_id)] = (number, hash_)


@event.listens_for(OrmSession, "after_commit")
def _write_pending(session: OrmSession) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    now = datetime.now(UTC)
    by_db: dict[str, list[Anchor]] = {}
    for (db_id, incident_id), (number, hash_) in pending.items():
        by_db.setdefault(db_id, []).append(
            Anchor(incident_id, number, hash_, "Einsatztagebuch", now)
        )
    for db_id, anchors in by_db.items():
        # The entry is stored; a missing anchor only weakens the later
        # comparison, so a read-only config folder must not stop the staff.
        with contextlib.suppress(OSError):
            AnchorLog.for_db(db_id).append(anchors)


@event.listens_for(OrmSession, "after_soft_rollback")
def _drop_pending(session: OrmSession, previous_transaction: object) -> None:
    # Entries of a rolled-back transaction (or savepoint) were not stored;
    # dropping every pending head may lose an anchor but never invents one.
    session.info.pop(_PENDING, None)


def record_anchor(
    db_id: str,
    incident_id: str,
    number: int,
    hash_: str,
    source: str,
    *,
    at: datetime | None = None,
    folder: Path | None = None,
) -> Anchor:
    """Write one chain head seen elsewhere (a released report, a backup) to the log."""
    anchor = Anchor(incident_id, int(number), hash_, source, at or datetime.now(UTC))
    AnchorLog.for_db(db_id, folder).append([anchor], sync=True)
    return anchor


def current_heads(session: Session) -> dict[str, tuple[int, str]]:
    """incident_id → (number, hash) of the newest entry of every chain."""
    table = JournalEntry.__table__
    newest = (
        select(table.c.incident_id, func.max(table.c.number).label("n"))
        .group_by(table.c.incident_id)
        .subquery()
    )
    query = select(table.c.incident_id, table.c.number, table.c.hash).join(
        newest,
        (table.c.incident_id == newest.c.incident_id) & (table.c.number == newest.c.n),
    )
    return {row[0]: (row[1], row[2]) for row in session.execute(query)}


# -- comparing a file against anchors ---------------------------------------------
@dataclass(frozen=True)
class AnchorFinding:
    """The first anchor of an incident that the file no longer matches."""

    incident_id: str
    number: int
    last_good: int  # highest anchored number below that still matches (0: none)
    missing: bool  # the anchored entry is not in the file at all
    source: str
    at: datetime | None
    mismatches: int  # how many anchors of this incident disagree

    def describe(self) -> str:
        when = f" vom {self.at.astimezone(UTC):%d.%m.%Y %H:%M} UTC" if self.at else ""
        if self.missing:
            return (
                f"Eintrag Nr. {self.number} fehlt in der Datei, war aber laut Anker "
                f"({self.source}{when}) gespeichert"
            )
        span = (
            f"Nr. {self.number}"
            if self.last_good + 1 == self.number
            else f"zwischen Nr. {self.last_good + 1} und Nr. {self.number}"
        )
        return (
            f"Kette wurde neu berechnet: Änderung {span}; Nr. {self.number} stimmt nicht mit "
            f"dem Anker überein ({self.source}{when})"
        )


def _file_hashes(session: Session, incident_id: str, numbers: Sequence[int]) -> dict[int, str]:
    table = JournalEntry.__table__
    found: dict[int, str] = {}
    wanted = sorted(set(numbers))
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        rows = session.execute(
            select(table.c.number, table.c.hash).where(
                table.c.incident_id == incident_id, table.c.number.in_(chunk)
            )
        )
        found.update({row[0]: row[1] for row in rows})
    return found


def check_anchors(session: Session, anchors: Iterable[Anchor]) -> list[AnchorFinding]:
    """Compare every chain head anchor with the file; one finding per bad incident."""
    by_incident: dict[str, list[Anchor]] = {}
    for anchor in anchors:
        if anchor.kind == KIND_HEAD and anchor.number > 0:
            by_incident.setdefault(anchor.incident_id, []).append(anchor)
    findings: list[AnchorFinding] = []
    for incident_id, items in by_incident.items():
        hashes = _file_hashes(session, incident_id, [a.number for a in items])
        bad = [a for a in items if hashes.get(a.number) != a.hash]
        if not bad:
            continue
        first = min(bad, key=lambda a: a.number)
        good = {a.number for a in items if hashes.get(a.number) == a.hash}
        good_below = [n for n in good if n < first.number]
        findings.append(
            AnchorFinding(
                incident_id=incident_id,
                number=first.number,
                last_good=max(good_below, default=0),
                missing=first.number not in hashes,
                source=first.source,
                at=first.at,
                mismatches=len(bad),
            )
        )
    return findings
