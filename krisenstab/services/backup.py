"""Backups and restore as use cases; when the next backup is due; finding a good one.

The GUI drives ``BackupScheduler`` with a QTimer and runs ``BackupService.
backup_now`` in a worker thread (it opens its own connections). The command
line calls the same functions (``backup --to DIR``, ``restore FILE --out``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text

from krisenstab.domain.incident import STATUS_OPEN, Incident
from krisenstab.domain.journal import EntryKind
from krisenstab.domain.timefmt import format_local, utcnow
from krisenstab.services.context import Actor, ServiceError
from krisenstab.services.journal import write_entry
from krisenstab.services.permissions import Permission, authorize
from krisenstab.settings import Settings, data_dir
from krisenstab.store.anchors import Anchor, AnchorLog
from krisenstab.store.backup import (
    BACKUP_MARK_KEY,
    BackupError,
    BackupInfo,
    Manifest,
    copy_database,
    delete_backups,
    fsync_dir,
    fsync_file,
    manifest_path_for,
    read_backups,
    read_db_id,
    remove_stale_parts,
    rotation_plan,
    source_stamp,
    verify_backup,
    write_backup,
)
from krisenstab.store.database import Database
from krisenstab.store.errors import StoreError

DEFAULT_KEEP_LAST = 12
DEFAULT_HOURLY_HOURS = 48
RESTORE_PART_SUFFIX = ".wiederherstellung"

REASON_INTERVAL = "Intervall"
REASON_REPORT = "Lagebericht freigegeben"
REASON_MANUAL = "von Hand"
REASON_CLOSE = "Programmende"


def default_backup_dir() -> Path:
    """Used when no second medium is configured (the GUI warns about it)."""
    return data_dir() / "sicherungen"


def backup_folders(settings: Settings | None = None) -> list[Path]:
    """Where backups of this workstation may lie: the configured and the default folder."""
    settings = settings or Settings.load()
    folders: list[Path] = []
    if settings.backup_dir:
        folders.append(Path(settings.backup_dir))
    folders.append(default_backup_dir())
    return folders


def same_medium(a: Path, b: Path) -> bool:
    """True when both paths lie on one device: a backup there survives no disk failure."""

    def device(p: Path) -> int | None:
        for candidate in (p, *p.parents):
            with contextlib.suppress(OSError):
                return candidate.stat().st_dev
        return None

    da, db = device(a.resolve()), device(b.resolve())
    return da is not None and da == db


class BackupService:
    def __init__(
        self,
        db: Database,
        *,
        folder: Path | str | None = None,
        settings: Settings | None = None,
        clock: Callable[[], datetime] = utcnow,
        keep_last: int = DEFAULT_KEEP_LAST,
        hourly_hours: int = DEFAULT_HOURLY_HOURS,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.keep_last = keep_last
        self.hourly_for = timedelta(hours=hourly_hours)
        if folder:
            self.folder = Path(folder)
        elif settings is not None and settings.backup_dir:
            self.folder = Path(settings.backup_dir)
        else:
            self.folder = default_backup_dir()

    @property
    def on_same_medium(self) -> bool:
        return same_medium(self.db.path, self.folder)

    def list_backups(self) -> list[BackupInfo]:
        return read_backups(self.folder, self.db.db_id)

    def backup_now(
        self,
        actor: Actor | None = None,
        *,
        reason: str = REASON_MANUAL,
        rotate: bool = True,
        skip_unchanged: bool = False,
    ) -> BackupInfo | None:
        """Write, verify and describe one backup; None when skipped as unchanged.

        ``actor`` None is the program's own schedule; a person needs the
        backup permission.
        """
        if actor is not None:
            with self.db.session() as session:
                authorize(session, actor, Permission.BACKUP)
        existing = self.list_backups() if skip_unchanged else []
        if existing and existing[0].manifest.source_stamp == source_stamp(self.db.path):
            return None
        workstation = actor.workstation_id if actor else ""
        info = write_backup(
            self.db.path,
            self.folder,
            created_at=self.clock(),
            reason=reason,
            workstation_id=workstation,
            exercise=self.db.is_exercise,
        )
        # The heads go to the anchor log as well: the manifest may be on a
        # stick that is not at hand when the file is checked.
        with contextlib.suppress(OSError):
            AnchorLog.for_db(self.db.db_id).append(
                [
                    Anchor(
                        inc, head.number, head.hash, f"Sicherung {info.path.name}", info.created_at
                    )
                    for inc, head in info.manifest.heads.items()
                ]
            )
        if rotate:
            self.rotate()
        return info

    def rotate(self) -> list[BackupInfo]:
        """Delete what the rotation does not keep; returns the deleted backups."""
        now = self.clock()
        remove_stale_parts(self.folder, now)
        _keep, delete = rotation_plan(
            self.list_backups(), now, keep_last=self.keep_last, hourly_for=self.hourly_for
        )
        delete_backups(delete)
        return delete


# -- restore ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RestoreResult:
    path: Path
    moved_aside: Path | None
    db_id: str
    restored_from: str
    heads: dict[str, int]
    seconds: float


def _aside_name(path: Path, stamp: str) -> Path:
    candidate = path.with_name(f"{path.stem}.vor-wiederherstellung-{stamp}{path.suffix}")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.vor-wiederherstellung-{stamp}-{n}{path.suffix}")
        n += 1
    return candidate


def _move_aside(path: Path, stamp: str) -> Path:
    aside = _aside_name(path, stamp)
    # The WAL belongs to the file: committed entries may still be only there.
    for sidecar in ("-wal", "-shm"):
        side = path.with_name(path.name + sidecar)
        if side.exists():
            os.replace(side, aside.with_name(aside.name + sidecar))
    os.replace(path, aside)
    fsync_dir(path.parent)
    return aside


def _finish_copy(part: Path) -> None:
    """Fold the WAL back into the file so that one file can be moved in place."""
    conn = sqlite3.connect(part)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    fsync_file(part)


def restore_backup(
    backup: Path | str,
    out: Path | str,
    *,
    force: bool = False,
    who: Callable[[Database], Actor] | None = None,
    workstation_id: str = "",
    clock: Callable[[], datetime] = utcnow,
) -> RestoreResult:
    """Restore a verified backup into a new file ``out``; never overwrites silently.

    ``out`` must not exist, unless ``force``: then the old file (with its WAL)
    is moved aside first, never deleted. The restored file gets a new db_id
    (it is a new file from then on) and remembers where it came from; each
    open incident gets a journal entry about the restore. ``who`` returns the
    acting person for the restored file (log in there when it has accounts).
    """
    t0 = time.perf_counter()
    backup, out = Path(backup), Path(out)
    if not backup.exists():
        raise ServiceError(f"Die Sicherung {backup} gibt es nicht.")
    if out.resolve() == backup.resolve():
        raise ServiceError("Ziel und Sicherung sind dieselbe Datei.")
    if out.exists() and not force:
        raise ServiceError(
            f"{out} gibt es schon; es wurde nichts überschrieben. Bitte eine neue Datei "
            "angeben, oder mit --force die vorhandene beiseitelegen lassen."
        )
    check = verify_backup(backup)
    if not check.ok:
        raise BackupError(
            f"Die Sicherung {backup.name} ist nicht verwendbar: {'; '.join(check.problems)}"
        )
    manifest: Manifest | None = None
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        manifest = Manifest.from_json(manifest_path_for(backup).read_text(encoding="utf-8"))
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + RESTORE_PART_SUFFIX)
    for leftover in (part, part.with_name(part.name + "-wal"), part.with_name(part.name + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    new_id = str(uuid.uuid4())
    now = clock()
    heads = {inc: head.number for inc, head in check.heads.items()}
    try:
        copy_database(backup, part)
        db = Database.open(part, create=False, quick_check=False)
        try:
            actor = who(db) if who is not None else Actor("System", "System", workstation_id)
            created = (manifest.created_at if manifest else None) or now
            with db.write() as session:
                authorize(session, actor, Permission.BACKUP)
                session.execute(
                    text("UPDATE meta SET value = :v WHERE key = 'db_id'"), {"v": new_id}
                )
                session.execute(text("DELETE FROM meta WHERE key = :k"), {"k": BACKUP_MARK_KEY})
                for key, value in (
                    ("restored_from", check.db_id),
                    ("restored_at", now.isoformat()),
                    ("restored_heads", json.dumps(heads)),
                    ("restored_backup", backup.name),
                ):
                    session.execute(
                        text("INSERT OR REPLACE INTO meta (key, value) VALUES (:k, :v)"),
                        {"k": key, "v": value},
                    )
                open_ids = session.execute(
                    select(Incident.id).where(Incident.status == STATUS_OPEN)
                ).scalars()
                for incident_id in list(open_ids):
                    write_entry(
                        session,
                        incident_id,
                        actor,
                        f"Datenbank aus der Sicherung {backup.name} vom "
                        f"{format_local(created)} wiederhergestellt (Stand Nr. "
                        f"{heads.get(incident_id, 0)}). Einträge, die danach in der "
                        "ursprünglichen Datei geschrieben wurden, fehlen hier.",
                        kind=EntryKind.SYSTEM,
                        recorded_at=now,
                    )
        finally:
            db.close()
        _finish_copy(part)
        moved = None
        if out.exists():
            moved = _move_aside(out, now.strftime("%Y%m%d-%H%M%S"))
        os.replace(part, out)
        fsync_dir(out.parent)
    except BaseException:
        for leftover in (
            part,
            part.with_name(part.name + "-wal"),
            part.with_name(part.name + "-shm"),
        ):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise
    return RestoreResult(
        path=out,
        moved_aside=moved,
        db_id=new_id,
        restored_from=check.db_id,
        heads=heads,
        seconds=time.perf_counter() - t0,
    )


# -- opening what is broken ----------------------------------------------------------------
@dataclass(frozen=True)
class BackupCandidate:
    """The newest good backup of a damaged file, and the newer ones that failed."""

    info: BackupInfo
    rejected: list[tuple[BackupInfo, list[str]]] = field(default_factory=list)


def backups_for(path: Path, folders: Sequence[Path]) -> list[BackupInfo]:
    """Backups of this file (same db_id; by file name when the id is unreadable)."""
    db_id = read_db_id(path) if path.exists() else None
    found: dict[Path, BackupInfo] = {}
    for folder in folders:
        for info in read_backups(Path(folder)):
            same = info.manifest.db_id == db_id if db_id else info.manifest.source_name == path.name
            if same:
                found[info.path.resolve()] = info
    return sorted(found.values(), key=lambda b: b.created_at, reverse=True)


def newest_good_backup(
    path: Path | str, folders: Sequence[Path] | None = None
) -> BackupCandidate | None:
    """For a file that will not open: the newest backup that still verifies."""
    path = Path(path)
    rejected: list[tuple[BackupInfo, list[str]]] = []
    for info in backups_for(path, folders if folders is not None else backup_folders()):
        if info.manifest.problems:
            rejected.append((info, list(info.manifest.problems)))
            continue
        check = verify_backup(info)
        if check.ok:
            return BackupCandidate(info, rejected)
        rejected.append((info, check.problems))
    return None


def open_or_offer_backup(
    path: Path | str, folders: Sequence[Path] | None = None, **open_kwargs: object
) -> tuple[Database | None, StoreError | None, BackupCandidate | None]:
    """Open a file; when it is damaged, say why and which backup could replace it."""
    from krisenstab.store.errors import DamagedDatabaseError

    try:
        return Database.open(path, **open_kwargs), None, None  # type: ignore[arg-type]
    except DamagedDatabaseError as exc:
        return None, exc, newest_good_backup(Path(path), folders)
    except StoreError as exc:
        return None, exc, None


# -- when the next backup is due ---------------------------------------------------------
class BackupScheduler:
    """Says when the next backup is due; the GUI asks it from a QTimer.

    Every ``interval_minutes`` (default 5), at once after a released report,
    and a minute after a failure (the stick was pulled) until it works again.
    """

    def __init__(
        self,
        interval_minutes: float = 5,
        *,
        retry_minutes: float = 1,
        first_after_minutes: float = 1,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if interval_minutes <= 0:
            raise ValueError("interval must be positive")
        self.interval = timedelta(minutes=interval_minutes)
        self.retry = timedelta(minutes=retry_minutes)
        self.clock = clock
        self.last_success: datetime | None = None
        self.last_error: str = ""
        self.failures = 0
        self._due_at = clock() + timedelta(minutes=first_after_minutes)

    def next_due(self) -> datetime:
        return self._due_at

    def seconds_until_due(self) -> float:
        return max(0.0, (self._due_at - self.clock()).total_seconds())

    def is_due(self) -> bool:
        return self.clock() >= self._due_at

    def report_released(self) -> None:
        """A released report is a state worth keeping: back up now."""
        self._due_at = min(self._due_at, self.clock())

    def request_now(self) -> None:
        self._due_at = min(self._due_at, self.clock())

    def finished(self, ok: bool, error: str = "") -> None:
        """Tell the scheduler how the backup it asked for went."""
        now = self.clock()
        if ok:
            self.last_success = now
            self.failures = 0
            self.last_error = ""
            self._due_at = now + self.interval
        else:
            self.failures += 1
            self.last_error = error
            self._due_at = now + min(self.retry * self.failures, self.interval)

    def overdue(self, now: datetime | None = None) -> bool:
        """No good backup for more than two intervals: the GUI shows a warning."""
        now = now or self.clock()
        reference = self.last_success
        if reference is None:
            return self.failures > 0
        return now - reference > 2 * self.interval
