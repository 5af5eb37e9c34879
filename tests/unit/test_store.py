"""The store: pragmas, refusing foreign/damaged/newer files, triggers, migrations."""

from __future__ import annotations

import sqlite3

import pytest
from helpers import journal, new_db, new_incident
from sqlalchemy import text

from krisenstab.store.database import Database
from krisenstab.store.errors import (
    DamagedDatabaseError,
    ExerciseMismatchError,
    NewerSchemaError,
    NotKrisenstabError,
    ReadOnlyError,
)
from krisenstab.store.schema import HEAD_REVISION, KNOWN_REVISIONS


def test_new_file_has_pragmas_and_marks(tmp_path):
    db = new_db(tmp_path)
    with db.session() as s:
        conn = s.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    assert db.kind == "real"
    assert db.revision == HEAD_REVISION
    raw = sqlite3.connect(db.path)
    assert raw.execute("PRAGMA application_id").fetchone()[0] == 0x4B525354


def test_text_file_is_refused_with_german_message(tmp_path):
    bad = tmp_path / "notiz.db"
    bad.write_text("Dies ist keine Datenbank")
    with pytest.raises(NotKrisenstabError, match="keine Krisenstab-Datenbank"):
        Database.open(bad)
    assert bad.read_text() == "Dies ist keine Datenbank"


def test_foreign_sqlite_file_is_refused(tmp_path):
    other = tmp_path / "fremd.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE kunden (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(NotKrisenstabError, match="fremde SQLite-Datei"):
        Database.open(other)


def test_damaged_file_is_refused(tmp_path):
    db = new_db(tmp_path)
    inc = new_incident(db)
    jr = journal(db)
    for i in range(300):
        jr.add(inc, f"Eintrag {i} " + "x" * 200)
    db.close()
    path = tmp_path / "stab.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    # Overwrite a stretch in the middle of the file (b-tree pages).
    for i in range(8192, 8192 + 4096):
        data[i] = 0xA5
    path.write_bytes(bytes(data))
    with pytest.raises(DamagedDatabaseError, match="beschädigt"):
        Database.open(path)


def test_newer_schema_is_refused_and_file_unchanged(tmp_path):
    db = new_db(tmp_path)
    db.close()
    path = tmp_path / "stab.db"
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    before = path.read_bytes()
    with pytest.raises(NewerSchemaError, match="neueren Krisenstab-Version"):
        Database.open(path)
    assert path.read_bytes() == before


def test_known_revisions_match_the_migration_scripts():
    from krisenstab.store.migrate import script_heads, script_revisions_oldest_first

    assert script_heads() == [HEAD_REVISION]
    assert tuple(script_revisions_oldest_first()) == KNOWN_REVISIONS


def test_migration_from_oldest_schema_copies_aside_and_matches_fresh(tmp_path):
    from krisenstab.store.migrate import upgrade_to_head

    old = tmp_path / "alt.db"
    with sqlite3.connect(old) as conn:
        conn.execute("PRAGMA application_id = 1263686484")
    upgrade_to_head(old, KNOWN_REVISIONS[0])
    with sqlite3.connect(old) as conn:
        conn.execute("INSERT INTO meta VALUES ('kind', 'real'), ('db_id', 'x')")
    db = Database.open(old)
    assert db.revision == HEAD_REVISION
    aside = list(tmp_path.glob("alt.vor-migration-*.db"))
    assert len(aside) == 1
    fresh = new_db(tmp_path, "neu.db")

    def schema(path):
        with sqlite3.connect(path) as conn:
            rows = conn.execute(
                "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1, 2"
            ).fetchall()
            cols = {
                name: [c[1:3] for c in conn.execute(f"PRAGMA table_info('{name}')")]
                for kind, name in rows
                if kind == "table"
            }
        return rows, cols

    assert schema(old) == schema(fresh.path)
    # The migrated file works like a fresh one.
    inc = new_incident(db)
    assert journal(db).add(inc, "nach Migration").number == 2


def test_models_match_the_migrations(tmp_path):
    """Alembic sees no difference between the migrated schema and the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine
    from sqlmodel import SQLModel

    from krisenstab.store import models  # noqa: F401  (the whole schema)
    from krisenstab.store.migrate import upgrade_to_head

    path = tmp_path / "m.db"
    upgrade_to_head(path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    relevant = [d for d in diff if "journal_fts" not in str(d)]
    assert relevant == []


def test_exercise_mark_cannot_be_removed_and_kinds_are_checked(tmp_path):
    ex = new_db(tmp_path, "uebung.db", kind="exercise")
    assert ex.is_exercise
    ex.close()
    with sqlite3.connect(tmp_path / "uebung.db") as conn:
        with pytest.raises(sqlite3.DatabaseError, match="unveränderlich"):
            conn.execute("UPDATE meta SET value = 'real' WHERE key = 'kind'")
        with pytest.raises(sqlite3.DatabaseError, match="unveränderlich"):
            conn.execute("DELETE FROM meta WHERE key = 'kind'")
    with pytest.raises(ExerciseMismatchError, match="ÜBUNGS-Datenbank"):
        Database.open(tmp_path / "uebung.db", expect_kind="real")
    real = new_db(tmp_path, "echt.db")
    real.close()
    with pytest.raises(ExerciseMismatchError, match="keine Übungsdatenbank"):
        Database.open(tmp_path / "echt.db", expect_kind="exercise")


@pytest.mark.parametrize(
    "statement", ["UPDATE journal_entry SET text = 'gefälscht'", "DELETE FROM journal_entry"]
)
def test_triggers_refuse_raw_update_and_delete(tmp_path, statement):
    db = new_db(tmp_path)
    inc = new_incident(db)
    journal(db).add(inc, "Pegel 3,20 m")
    db.close()
    with (
        sqlite3.connect(tmp_path / "stab.db") as conn,
        pytest.raises(sqlite3.DatabaseError, match="unveränderlich"),
    ):
        conn.execute(statement)
    db = Database.open(tmp_path / "stab.db")
    with pytest.raises(Exception, match="unveränderlich"), db.write() as s:
        s.connection().execute(text(statement))
    assert journal(db).count(inc) == 2


def test_read_only_file_opens_read_only(tmp_path):
    import os

    db = new_db(tmp_path)
    inc = new_incident(db)
    db.close()
    with sqlite3.connect(tmp_path / "stab.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.chmod(tmp_path / "stab.db", 0o444)
    os.chmod(tmp_path, 0o555)
    try:
        if os.access(tmp_path / "stab.db", os.W_OK):
            pytest.skip("running as a user who can write anyway (root)")
        ro = Database.open(tmp_path / "stab.db")
        assert ro.read_only
        assert journal(ro).count(inc) == 1
        with pytest.raises(ReadOnlyError, match="schreibgeschützt"):
            journal(ro).add(inc, "geht nicht")
    finally:
        os.chmod(tmp_path, 0o755)
        os.chmod(tmp_path / "stab.db", 0o644)


def test_explicit_read_only_open(tmp_path):
    db = new_db(tmp_path)
    inc = new_incident(db)
    db.close()
    ro = Database.open(tmp_path / "stab.db", read_only=True)
    assert journal(ro).count(inc) == 1
    with pytest.raises(ReadOnlyError):
        journal(ro).add(inc, "geht nicht")
