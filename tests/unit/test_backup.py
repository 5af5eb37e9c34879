"""Backups: written online, verified, described, rotated; restore never overwrites silently."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import S2, journal, new_db, new_incident

from krisenstab.services.backup import (
    BackupScheduler,
    BackupService,
    backups_for,
    newest_good_backup,
    open_or_offer_backup,
    restore_backup,
)
from krisenstab.services.context import ServiceError
from krisenstab.services.verification import verify_database
from krisenstab.store.backup import (
    BackupError,
    BackupInfo,
    ChainHead,
    Manifest,
    rotation_plan,
    verify_backup,
)
from krisenstab.store.database import Database
from krisenstab.store.errors import DamagedDatabaseError


class Clock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 27, 6, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def filled(tmp_path: Path, n: int = 30) -> tuple[Database, str]:
    db = new_db(tmp_path)
    inc = new_incident(db)
    jr = journal(db)
    for i in range(n):
        jr.add(inc, f"Meldung {i}: Pegel Muster {i / 10:.1f} m")
    return db, inc


def test_backup_is_verified_and_described(tmp_path):
    db, inc = filled(tmp_path)
    folder = tmp_path / "stick"
    info = BackupService(db, folder=folder).backup_now(S2)
    assert info is not None and info.path.parent == folder
    assert info.path.name.startswith("stab_") and info.path.name.endswith("Z.db")
    data = json.loads(info.manifest_path.read_text(encoding="utf-8"))
    assert data["db_id"] == db.db_id
    assert data["sha256"] == hashlib.sha256(info.path.read_bytes()).hexdigest()
    assert data["size"] == info.path.stat().st_size
    assert data["heads"][inc]["number"] == 31
    assert data["heads"][inc]["hash"] == journal(db).chain_head(inc)
    assert data["integrity"] == "ok" and data["problems"] == []
    # One self-contained file, no WAL beside it on the stick.
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [info.path.name, info.manifest_path.name]
    )
    with sqlite3.connect(info.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert verify_backup(info).ok
    # A changed byte in the backup is noticed.
    raw = bytearray(info.path.read_bytes())
    raw[-100] ^= 0xFF
    info.path.write_bytes(bytes(raw))
    check = verify_backup(info)
    assert not check.ok and "verändert" in check.problems[0]


def test_exercise_backups_are_marked_in_their_name(tmp_path):
    db = new_db(tmp_path, "uebung.db", kind="exercise")
    new_incident(db, "Übung Muster")
    info = BackupService(db, folder=tmp_path / "s").backup_now()
    assert info is not None and info.path.name.startswith("UEBUNG_uebung_")


def test_backup_while_another_thread_writes(tmp_path):
    db, inc = filled(tmp_path, 5)
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        jr = journal(db)
        try:
            while not stop.is_set():
                jr.add(inc, "Meldung während der Sicherung")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        service = BackupService(db, folder=tmp_path / "s", keep_last=50)
        infos = [service.backup_now(reason="Intervall") for _ in range(5)]
    finally:
        stop.set()
        thread.join()
    assert not errors
    assert all(i is not None and verify_backup(i).ok for i in infos)
    assert len({i.path for i in infos if i}) == 5


def test_unchanged_file_is_not_backed_up_twice(tmp_path):
    db, inc = filled(tmp_path, 3)
    service = BackupService(db, folder=tmp_path / "s")
    assert service.backup_now(skip_unchanged=True) is not None
    assert service.backup_now(skip_unchanged=True) is None
    journal(db).add(inc, "neu")
    assert service.backup_now(skip_unchanged=True) is not None


def test_backup_to_an_unusable_folder_is_a_german_error(tmp_path):
    db, _ = filled(tmp_path, 1)
    blocker = tmp_path / "datei"
    blocker.write_text("kein Ordner")
    with pytest.raises(BackupError, match="nicht nutzbar"):
        BackupService(db, folder=blocker / "sub").backup_now()


def _info(at: datetime, tmp_path: Path) -> BackupInfo:
    name = f"b-{at:%Y%m%d%H%M%S}.db"
    manifest = Manifest("id", "real", "r", at, name, 1, "x", {"i": ChainHead(1, "h")})
    return BackupInfo(tmp_path / name, tmp_path / (name + ".json"), manifest)


def test_rotation_keeps_last_k_and_one_per_hour(tmp_path):
    start = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
    # Every 5 minutes for 4 days.
    infos = [_info(start + timedelta(minutes=5 * i), tmp_path) for i in range(4 * 24 * 12)]
    now = infos[-1].created_at
    keep, delete = rotation_plan(infos, now, keep_last=12, hourly_for=timedelta(hours=48))
    assert len(keep) + len(delete) == len(infos)
    kept = {k.created_at for k in keep}
    # The newest 12 stay.
    assert {i.created_at for i in infos[-12:]} <= kept
    # Within 48 hours: the first backup of every hour, and no other (but the newest 12).
    newest = {i.path for i in infos[-12:]}
    hours: dict[datetime, list[BackupInfo]] = {}
    for info in infos:
        if now - info.created_at <= timedelta(hours=48):
            hours.setdefault(info.created_at.replace(minute=0), []).append(info)
    assert len(hours) == 49
    for items in hours.values():
        assert min(items, key=lambda i: i.created_at).created_at in kept
        assert len([i for i in items if i.created_at in kept and i.path not in newest]) <= 1
    # Before that: one per day.
    old = [k for k in keep if now - k.created_at > timedelta(hours=48)]
    assert len({k.created_at.date() for k in old}) == len(old)
    assert len(keep) <= 12 + 49 + 3


def test_rotation_in_the_service_with_a_fake_clock(tmp_path):
    db, inc = filled(tmp_path, 2)
    clock = Clock()
    service = BackupService(db, folder=tmp_path / "s", clock=clock, keep_last=3, hourly_hours=2)
    jr = journal(db)
    made = []
    for _ in range(40):  # every 10 minutes for 6 h 40 min
        jr.add(inc, "Lage unverändert")
        made.append(service.backup_now(reason="Intervall"))
        clock.advance(minutes=10)
    left = service.list_backups()
    stamps = sorted(b.created_at for b in left)
    assert made[-1].path in {b.path for b in left}
    assert len(left) == len(list((tmp_path / "s").glob("*.db")))
    # last 3 + first of each of the last 2-3 hours + first of each older day
    assert 4 <= len(left) <= 8
    assert stamps[0] == made[0].created_at  # the oldest day keeps its first backup
    for info in left:
        assert verify_backup(info).ok


def test_restore_never_overwrites_silently(tmp_path):
    db, inc = filled(tmp_path, 10)
    info = BackupService(db, folder=tmp_path / "s").backup_now()
    journal(db).add(inc, "nach der Sicherung")
    target = tmp_path / "neu.db"
    result = restore_backup(info.path, target)
    assert result.path == target and result.moved_aside is None
    restored = Database.open(target)
    assert restored.db_id != db.db_id
    jr = journal(restored)
    assert jr.count(inc) == 12  # 11 from the backup + the restore note
    note = jr.entry(inc, 12)
    assert "wiederhergestellt" in note.text and "Stand Nr. 11" in note.text
    assert verify_database(restored).ok
    restored.close()
    before = target.read_bytes()
    with pytest.raises(ServiceError, match="gibt es schon"):
        restore_backup(info.path, target)
    assert target.read_bytes() == before
    # --force moves the old file aside, it never deletes it.
    again = restore_backup(info.path, target, force=True)
    assert again.moved_aside is not None and again.moved_aside.read_bytes() == before
    assert ".vor-wiederherstellung-" in again.moved_aside.name
    with pytest.raises(ServiceError, match="dieselbe Datei"):
        restore_backup(info.path, info.path, force=True)


def test_restore_refuses_a_damaged_backup(tmp_path):
    db, _ = filled(tmp_path, 10)
    info = BackupService(db, folder=tmp_path / "s").backup_now()
    raw = bytearray(info.path.read_bytes())
    raw[5000:5100] = b"\xa5" * 100
    info.path.write_bytes(bytes(raw))
    with pytest.raises(BackupError, match="nicht verwendbar"):
        restore_backup(info.path, tmp_path / "neu.db")
    assert not (tmp_path / "neu.db").exists()


def test_restored_file_is_checked_against_its_origin(tmp_path):
    db, inc = filled(tmp_path, 10)
    service = BackupService(db, folder=tmp_path / "s")
    info = service.backup_now()
    for i in range(5):
        journal(db).add(inc, f"später {i}")
    restored_path = tmp_path / "neu.db"
    restore_backup(info.path, restored_path)
    restored = Database.open(restored_path)
    journal(restored).add(inc, "nach der Wiederherstellung")
    report = verify_database(restored, against=[tmp_path / "s"])
    assert report.ok, report
    assert report.anchors_checked > 0


def test_verifying_a_backup_copy_ignores_what_came_after_it(tmp_path):
    db, inc = filled(tmp_path, 10)
    info = BackupService(db, folder=tmp_path / "s").backup_now()
    journal(db).add(inc, "später")
    copy = Database.open(info.path, read_only=True)
    report = verify_database(copy)
    assert report.ok, report
    assert any("Sicherungskopie" in s for s in report.anchor_sources)


def test_damaged_file_offers_the_newest_good_backup(tmp_path):
    db, inc = filled(tmp_path, 200)
    clock = Clock()
    service = BackupService(db, folder=tmp_path / "s", clock=clock)
    first = service.backup_now()
    clock.advance(minutes=5)
    journal(db).add(inc, "zweite Sicherung")
    second = service.backup_now()
    clock.advance(minutes=5)
    journal(db).add(inc, "dritte Sicherung")
    third = service.backup_now()
    db.close()
    # The newest backup is damaged on the stick, the file itself as well.
    raw = bytearray(third.path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    third.path.write_bytes(bytes(raw))
    path = tmp_path / "stab.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[8192 : 8192 + 4096] = b"\xa5" * 4096
    path.write_bytes(bytes(data))
    assert [b.path for b in backups_for(path, [tmp_path / "s"])] == [
        third.path,
        second.path,
        first.path,
    ]
    candidate = newest_good_backup(path, [tmp_path / "s"])
    assert candidate is not None and candidate.info.path == second.path
    assert [r[0].path for r in candidate.rejected] == [third.path]
    opened, error, offer = open_or_offer_backup(path, [tmp_path / "s"])
    assert opened is None and isinstance(error, DamagedDatabaseError)
    assert "beschädigt" in str(error) and offer.info.path == second.path


def test_scheduler_says_when_a_backup_is_due():
    clock = Clock()
    sched = BackupScheduler(interval_minutes=5, first_after_minutes=1, clock=clock)
    assert not sched.is_due() and sched.seconds_until_due() == 60
    clock.advance(seconds=60)
    assert sched.is_due()
    sched.finished(True)
    assert sched.next_due() == clock.now + timedelta(minutes=5)
    clock.advance(minutes=2)
    sched.report_released()
    assert sched.is_due() and sched.seconds_until_due() == 0
    sched.finished(True)
    clock.advance(minutes=5)
    sched.finished(False, "Stick abgezogen")
    assert sched.seconds_until_due() == 60 and sched.last_error == "Stick abgezogen"
    clock.advance(minutes=1)
    sched.finished(False, "Stick abgezogen")
    assert sched.seconds_until_due() == 120
    assert not sched.overdue()
    clock.advance(minutes=20)
    assert sched.overdue()
    with pytest.raises(ValueError):
        BackupScheduler(interval_minutes=0)


def test_backup_folder_comes_from_the_settings_and_warns_on_one_disk(tmp_path):
    from krisenstab.services.backup import backup_folders, default_backup_dir
    from krisenstab.settings import Settings

    db, _ = filled(tmp_path, 1)
    settings = Settings(backup_dir=str(tmp_path / "usb"))
    service = BackupService(db, settings=settings)
    assert service.folder == tmp_path / "usb"
    assert service.on_same_medium  # same temporary disk here: the GUI shows a warning
    assert BackupService(db).folder == default_backup_dir()
    assert backup_folders(settings) == [tmp_path / "usb", default_backup_dir()]
