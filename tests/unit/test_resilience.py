"""A full disk loses nothing and the entry can be retried; hostile text is stored as typed."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from helpers import S2, journal, new_db, new_incident
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from krisenstab.cli import main
from krisenstab.domain.journal import clean_text
from krisenstab.services.context import ServiceError
from krisenstab.services.journal import JournalService
from krisenstab.store.database import Database
from krisenstab.store.errors import DiskFullError

BIG = "Lagemeldung Muster: " + "Sandsäcke, Pumpen, Pegel. " * 400  # ~10 kB


def limit_pages(db: Database, pages: int | None) -> None:
    """Cap the file size on every connection (SQLite answers SQLITE_FULL beyond it)."""
    db.engine.dispose()
    if getattr(db, "_page_cap", None) is not None:
        event.remove(db.engine, "connect", db._page_cap)
        db._page_cap = None
    if pages is None:
        db.engine.dispose()
        return

    def cap(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(db.engine, "connect", cap)
    db._page_cap = cap


def test_full_disk_loses_nothing_and_the_entry_can_be_retried(tmp_path):
    db = new_db(tmp_path)
    inc = new_incident(db)
    jr = journal(db)
    stored = [jr.add(inc, f"Meldung {i}").number for i in range(5)]
    with db.session() as s:
        pages = s.connection().exec_driver_sql("PRAGMA page_count").scalar()
    limit_pages(db, pages)
    numbers = []
    with pytest.raises(DiskFullError) as exc:
        for _ in range(50):
            numbers.append(jr.add(inc, BIG).number)
    message = str(exc.value)
    assert "Datenträger ist voll" in message and "erneut speichern" in message
    # Everything reported as saved is there, the failed entry is not, the chain holds.
    assert jr.numbers(inc) == [1, *stored, *numbers]
    assert jr.verify().ok
    # Space is freed: the same entry goes in with the next number, no gap.
    limit_pages(db, None)
    retried = jr.add(inc, BIG)
    assert retried.number == 7 + len(numbers)
    assert jr.entry(inc, retried.number).text == clean_text(BIG)
    assert jr.verify().ok
    db.close()
    with sqlite3.connect(tmp_path / "stab.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


SMALL_FS = os.environ.get("KRISENSTAB_TEST_SMALL_FS")


@pytest.mark.skipif(
    not SMALL_FS or not Path(SMALL_FS).is_dir(),
    reason="needs KRISENSTAB_TEST_SMALL_FS: a small, empty, writable file system "
    "(e.g. mount -t tmpfs -o size=2m tmpfs /mnt/klein)",
)
def test_real_full_file_system(tmp_path):
    folder = Path(tempfile.mkdtemp(dir=SMALL_FS))
    try:
        db = Database.open(folder / "stab.db")
        inc = new_incident(db)
        jr = journal(db)
        free = shutil.disk_usage(folder).free
        filler = folder / "fueller.bin"
        with filler.open("wb") as fh:
            fh.write(b"\0" * max(0, free - 200_000))
        reported = []
        with pytest.raises(DiskFullError, match="Datenträger ist voll"):
            for _ in range(500):
                reported.append(jr.add(inc, BIG).number)
        assert reported, "the file system filled up before anything was written"
        filler.unlink()
        retried = jr.add(inc, BIG)
        assert retried.number == reported[-1] + 1
        assert set(reported) <= set(jr.numbers(inc))
        assert jr.verify().ok
        db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- hostile text ---------------------------------------------------------------------
HOSTILE = [
    '<img src="http://example.invalid/x.png"> &amp; <b>fett</b> <para>',
    "]]><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>&e;",
    "Steuer\x01zeichen\x07\x1b[31mrot\x1b[0m\ttab\x7f",
    "W" * 10_000,
    "שלום עולם – مرحبا بالعالم – Hochwasser",
    "\u202eevil.exe\u202c \u200b\u200d\ufeff",
    "🚒🚑🌊 Einsatz 👩‍🚒🏳️‍🌈",
    "Z̵͚̈a̶̰͐l̸̳̈́g̵̱̋o̶̦͝",
    "'; DROP TABLE journal_entry; --",
    "Zeile 1\r\nZeile 2\rZeile 3\n",
]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "stab.db"
    with pytest.MonkeyPatch.context() as mp:
        # Module scope runs before the per-test home: keep the anchors out of ~/.config.
        mp.setenv("KRISENSTAB_HOME", str(tmp_path_factory.mktemp("home")))
        db = Database.open(path)
        inc = new_incident(db)
        yield db, inc
        db.close()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.one_of(
        st.sampled_from(HOSTILE),
        st.text(min_size=1, max_size=300),
        st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=3000),
    )
)
@example("\x00\x00x\x00")
def test_hostile_text_is_stored_as_typed(hostile_db, text):
    db, inc = hostile_db
    jr = JournalService(db, S2)
    try:
        expected = clean_text(text)
    except ValueError:
        with pytest.raises(ServiceError, match=r"leer|zu lang"):
            jr.add(inc, text)
        return
    entry = jr.add(inc, text)
    assert jr.entry(inc, entry.number).text == expected


def test_hostile_texts_keep_the_chain_and_verify(hostile_db):
    db, inc = hostile_db
    jr = JournalService(db, S2)
    for text in HOSTILE:
        jr.add(inc, text)
    assert jr.verify().ok


def test_invalid_utf8_on_the_command_line_is_stored_with_replacement(tmp_path, capsys):
    dbfile = str(tmp_path / "stab.db")
    main(["--db", dbfile, "incident", "new", "Test"])
    code = main(
        ["--db", dbfile, "journal", "add", "--author", "A", "--function", "S2", "x\udcff\ud800y"]
    )
    assert code == 0
    capsys.readouterr()
    db = Database.open(dbfile)
    with db.session() as s:
        text = (
            s.connection()
            .exec_driver_sql("SELECT text FROM journal_entry WHERE number = 2")
            .scalar()
        )
    assert text == "x\ufffd\ufffdy"
