"""Online backups of the database file, their manifests, verification and rotation.

A backup is taken with SQLite's backup API from a live file (writers carry
on: in WAL mode the copy reads one consistent snapshot), written under a
temporary name, switched to a self-contained rollback journal, fsynced, and
verified: opened, ``PRAGMA integrity_check``, every hash chain recomputed.
Only then does it get its final name and, last, its manifest (JSON beside it,
``<backup>.db.json``) with the chain heads of every incident, the file's
db_id, time, size and SHA-256. A backup without a manifest is unfinished and
never offered.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from krisenstab.domain.filenames import exercise_filename, safe_stem
from krisenstab.store.database import BUSY_TIMEOUT_MS
from krisenstab.store.errors import StoreError
from krisenstab.store.integrity import VerifyReport, verify_all
from krisenstab.store.schema import APPLICATION_ID

MANIFEST_VERSION = 1
MANIFEST_SUFFIX = ".json"  # appended to the backup's full name
PART_SUFFIX = ".part"
# meta key that marks a file as a backup copy: verify then knows that entries
# written after the copy are missing for a reason.
BACKUP_MARK_KEY = "backup_copy"
STALE_PART_AGE = timedelta(hours=1)


class BackupError(StoreError):
    """A backup could not be written or is not usable (German message)."""


@dataclass(frozen=True)
class ChainHead:
    number: int
    hash: str
    title: str = ""


@dataclass(frozen=True)
class Manifest:
    db_id: str
    kind: str
    revision: str
    created_at: datetime
    file: str
    size: int
    sha256: str
    heads: dict[str, ChainHead]
    source_name: str = ""
    workstation_id: str = ""
    reason: str = ""
    integrity: str = "ok"
    duration_s: float = 0.0
    source_stamp: list[int] = field(default_factory=list)
    # Chain problems the copy shares with its source (the file was already
    # changed outside the program); such a backup is kept, but never offered.
    problems: list[str] = field(default_factory=list)
    version: int = MANIFEST_VERSION

    def to_json(self) -> str:
        data = asdict(self)
        data["created_at"] = self.created_at.astimezone(UTC).isoformat()
        data["heads"] = {k: asdict(v) for k, v in self.heads.items()}
        return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Manifest:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
            raise ValueError("unknown manifest format")
        heads = {
            str(k): ChainHead(int(v["number"]), str(v["hash"]), str(v.get("title", "")))
            for k, v in dict(data["heads"]).items()
        }
        created = datetime.fromisoformat(data["created_at"])
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        return cls(
            db_id=str(data["db_id"]),
            kind=str(data["kind"]),
            revision=str(data["revision"]),
            created_at=created,
            file=str(data["file"]),
            size=int(data["size"]),
            sha256=str(data["sha256"]),
            heads=heads,
            source_name=str(data.get("source_name", "")),
            workstation_id=str(data.get("workstation_id", "")),
            reason=str(data.get("reason", "")),
            integrity=str(data.get("integrity", "")),
            duration_s=float(data.get("duration_s", 0.0)),
            source_stamp=[int(x) for x in data.get("source_stamp", [])],
            problems=[str(x) for x in data.get("problems", [])],
        )


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    manifest_path: Path
    manifest: Manifest

    @property
    def created_at(self) -> datetime:
        return self.manifest.created_at


@dataclass(frozen=True)
class FileCheck:
    """The result of checking a database copy (a backup, or a file to restore)."""

    ok: bool
    problems: list[str]
    db_id: str = ""
    kind: str = ""
    revision: str = ""
    heads: dict[str, ChainHead] = field(default_factory=dict)
    # True when the file itself is sound (SQLite integrity, a Krisenstab file);
    # ok additionally needs every chain and trigger to be intact.
    readable: bool = False


# -- helpers -------------------------------------------------------------------------
def manifest_path_for(backup: Path) -> Path:
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    # Makes a rename durable; not possible (nor needed) on every platform.
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _uri(path: Path, *, read_only: bool) -> str:
    uri = path.resolve().as_uri().replace("file://", "file:", 1)
    return f"{uri}?mode=ro&immutable=1" if read_only else f"{uri}?mode=rw"


def source_stamp(path: Path) -> list[int]:
    """Size and mtime of the file and its WAL: unchanged means nothing was written."""
    stamp: list[int] = []
    for candidate in (path, path.with_name(path.name + "-wal")):
        try:
            st = candidate.stat()
            stamp += [st.st_size, st.st_mtime_ns]
        except OSError:
            stamp += [0, 0]
    return stamp


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a (possibly live) database into ``target``, fsynced.

    The copy gets a rollback journal, so that it is one self-contained file on
    the backup medium (no -wal beside it).
    """
    if target.exists():
        target.unlink()
    src = sqlite3.connect(_uri(source, read_only=False), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        dst = sqlite3.connect(target)
        try:
            # pages=-1: one step under one read snapshot; a stepwise copy would
            # restart every time a writer commits in between.
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    fsync_file(target)


def _mark_copy(path: Path, created_at: datetime, source_name: str) -> None:
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                (BACKUP_MARK_KEY, f"{created_at.astimezone(UTC).isoformat()} {source_name}"),
            )
    finally:
        conn.close()
    fsync_file(path)


def _open_session_engine(path: Path):  # type: ignore[no-untyped-def]
    uri = _uri(path, read_only=True)
    return create_engine(
        "sqlite+pysqlite://",
        creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
        poolclass=NullPool,
    )


def check_database_file(path: Path) -> FileCheck:
    """Open a copy read-only, run the full integrity check and every chain."""
    problems: list[str] = []
    if not path.is_file():
        return FileCheck(False, ["Datei nicht vorhanden"])
    # Read through SQLite only: closing a plain descriptor on a file that this
    # process also has open in SQLite would drop the process's locks on it.
    try:
        conn = sqlite3.connect(_uri(path, read_only=True), uri=True)
    except sqlite3.Error as exc:
        return FileCheck(False, [f"Datei nicht lesbar: {exc}"])
    try:
        try:
            if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                return FileCheck(False, ["keine Krisenstab-Datenbank"])
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc):
                return FileCheck(False, ["keine Krisenstab-Datenbank oder unlesbar beschädigt"])
            return FileCheck(False, [f"beschädigt ({exc})"])
    finally:
        conn.close()
    if rows != ["ok"]:
        problems.append("Integritätsprüfung: " + "; ".join(rows[:5]))
        return FileCheck(False, problems)
    db_id = str(meta.get("db_id", ""))
    kind = str(meta.get("kind", ""))
    rev = revision[0] if revision else ""
    heads: dict[str, ChainHead] = {}
    engine = _open_session_engine(path)
    try:
        with Session(engine) as session:
            report: VerifyReport = verify_all(session)
    except Exception as exc:  # a copy whose tables cannot be read is not good
        return FileCheck(False, [f"Ketten nicht prüfbar ({exc.__class__.__name__}: {exc})"])
    finally:
        engine.dispose()
    for chain in report.chains:
        if chain.ok:
            heads[chain.incident_id] = ChainHead(chain.entries, chain.head, chain.title)
        else:
            problems.append(f"{chain.title}: ab Nr. {chain.first_bad} {chain.reason}")
    problems += [f"Schutz-Trigger fehlt: {name}" for name in report.missing_triggers]
    return FileCheck(not problems, problems, db_id, kind, rev, heads, readable=True)


def verify_backup(info_or_path: BackupInfo | Path) -> FileCheck:
    """A stored backup: size and SHA-256 as in its manifest, then the full check."""
    if isinstance(info_or_path, BackupInfo):
        path, manifest = info_or_path.path, info_or_path.manifest
    else:
        path = info_or_path
        manifest = None
        mpath = manifest_path_for(path)
        if mpath.exists():
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                manifest = Manifest.from_json(mpath.read_text(encoding="utf-8"))
    if manifest is not None:
        try:
            size = path.stat().st_size
        except OSError as exc:
            return FileCheck(False, [f"Sicherung nicht lesbar: {exc}"])
        if size != manifest.size or sha256_file(path) != manifest.sha256:
            return FileCheck(
                False, ["Die Sicherung stimmt nicht mit ihrem Protokoll überein (verändert)."]
            )
    check = check_database_file(path)
    if check.readable and manifest is not None:
        for incident_id, head in manifest.heads.items():
            if check.heads.get(incident_id) != head:
                return FileCheck(
                    False,
                    ["Die Ketten der Sicherung stimmen nicht mit ihrem Protokoll überein."],
                    check.db_id,
                    check.kind,
                    check.revision,
                    check.heads,
                    readable=True,
                )
    return check


# -- writing -----------------------------------------------------------------------
def backup_name(source: Path, created_at: datetime, *, exercise: bool) -> str:
    stamp = created_at.astimezone(UTC).strftime("%Y%m%d-%H%M%SZ")
    stem = safe_stem(source.stem, max_bytes=80)
    return exercise_filename(f"{stem}_{stamp}", ".db", exercise=exercise)


def write_backup(
    source: Path,
    folder: Path,
    *,
    created_at: datetime,
    reason: str = "",
    workstation_id: str = "",
    exercise: bool = False,
) -> BackupInfo:
    """Copy, verify, name and describe one backup; raise BackupError (German)."""
    t0 = time.perf_counter()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"Der Sicherungsordner {folder} ist nicht nutzbar: {exc}") from None
    name = backup_name(source, created_at, exercise=exercise)
    final = folder / name
    n = 2
    while final.exists() or manifest_path_for(final).exists():
        final = folder / name.replace(".db", f"-{n}.db")
        n += 1
    part = final.with_name(final.name + PART_SUFFIX)
    stamp = source_stamp(source)
    try:
        copy_database(source, part)
        _mark_copy(part, created_at, source.name)
        check = check_database_file(part)
        if not check.readable:
            raise BackupError(
                f"Die Sicherung ließ sich nicht bestätigen ({'; '.join(check.problems)}); "
                "die Datenbank selbst bitte mit „verify“ prüfen."
            )
        size = part.stat().st_size
        digest = sha256_file(part)
        os.replace(part, final)
        fsync_dir(folder)
        manifest = Manifest(
            db_id=check.db_id,
            kind=check.kind,
            revision=check.revision,
            created_at=created_at,
            file=final.name,
            size=size,
            sha256=digest,
            heads=check.heads,
            source_name=source.name,
            workstation_id=workstation_id,
            reason=reason,
            integrity="ok",
            duration_s=round(time.perf_counter() - t0, 3),
            source_stamp=stamp,
            problems=check.problems,
        )
        mpath = manifest_path_for(final)
        tmp = mpath.with_name(mpath.name + PART_SUFFIX)
        tmp.write_text(manifest.to_json(), encoding="utf-8")
        fsync_file(tmp)
        os.replace(tmp, mpath)
        fsync_dir(folder)
    except BackupError:
        with contextlib.suppress(OSError):
            part.unlink()
        raise
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            part.unlink()
        text = str(exc).lower()
        if "full" in text or getattr(exc, "errno", None) == 28:
            raise BackupError(
                f"Der Sicherungsdatenträger ({folder}) ist voll; die Sicherung wurde nicht angelegt."
            ) from None
        raise BackupError(f"Die Sicherung nach {folder} ist fehlgeschlagen: {exc}") from None
    return BackupInfo(final, mpath, manifest)


# -- finding and rotating -------------------------------------------------------------
def read_backups(folder: Path, db_id: str | None = None) -> list[BackupInfo]:
    """Finished backups in a folder (those with a readable manifest), newest first."""
    found: list[BackupInfo] = []
    try:
        candidates = list(folder.glob("*.db" + MANIFEST_SUFFIX))
    except OSError:
        return []
    for mpath in candidates:
        try:
            manifest = Manifest.from_json(mpath.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        path = mpath.with_name(mpath.name[: -len(MANIFEST_SUFFIX)])
        if not path.exists() or (db_id is not None and manifest.db_id != db_id):
            continue
        found.append(BackupInfo(path, mpath, manifest))
    found.sort(key=lambda b: b.created_at, reverse=True)
    return found


def rotation_plan(
    backups: Sequence[BackupInfo],
    now: datetime,
    *,
    keep_last: int = 12,
    hourly_for: timedelta = timedelta(hours=48),
) -> tuple[list[BackupInfo], list[BackupInfo]]:
    """(keep, delete): the newest ``keep_last``, the first of every hour within
    ``hourly_for``, and the first of every day before that."""
    ordered = sorted(backups, key=lambda b: b.created_at, reverse=True)
    keep_ids: set[Path] = {b.path for b in ordered[: max(1, keep_last)]}
    first_in_bucket: dict[tuple[str, str], BackupInfo] = {}
    for info in reversed(ordered):  # oldest first: the first seen is the keeper
        at = info.created_at.astimezone(UTC)
        if now - at <= hourly_for:
            bucket = ("h", at.strftime("%Y%m%d%H"))
        else:
            bucket = ("d", at.strftime("%Y%m%d"))
        first_in_bucket.setdefault(bucket, info)
    keep_ids |= {b.path for b in first_in_bucket.values()}
    keep = [b for b in ordered if b.path in keep_ids]
    delete = [b for b in ordered if b.path not in keep_ids]
    return keep, delete


def delete_backups(infos: Iterable[BackupInfo]) -> int:
    done = 0
    for info in infos:
        # Manifest first: a backup without manifest is never offered.
        with contextlib.suppress(OSError):
            info.manifest_path.unlink()
            info.path.unlink()
            done += 1
    return done


def remove_stale_parts(folder: Path, now: datetime) -> int:
    """Leftovers of backups that were interrupted (killed process, pulled stick)."""
    removed = 0
    with contextlib.suppress(OSError):
        for part in folder.glob("*" + PART_SUFFIX):
            with contextlib.suppress(OSError):
                age = now.timestamp() - part.stat().st_mtime
                if age > STALE_PART_AGE.total_seconds():
                    part.unlink()
                    removed += 1
    return removed


def read_db_id(path: Path) -> str | None:
    """The db_id of a file, if it can still be read at all (damaged files too)."""
    try:
        conn = sqlite3.connect(_uri(path, read_only=True), uri=True)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'db_id'").fetchone()
        return str(row[0]) if row else None
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def is_backup_copy(path: Path) -> bool:
    """True for a file written by write_backup (it must be opened read-only, or
    its bytes would no longer match its manifest)."""
    if not path.is_file():
        return False
    try:
        conn = sqlite3.connect(_uri(path, read_only=True), uri=True)
    except sqlite3.Error:
        return False
    try:
        row = conn.execute("SELECT 1 FROM meta WHERE key = ?", (BACKUP_MARK_KEY,)).fetchone()
        return row is not None
    except sqlite3.Error:
        return False
    finally:
        conn.close()
