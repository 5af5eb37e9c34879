"""The schema as this version of the program knows it.

New files are created from the SQLModel metadata and stamped with the newest
revision; older files are brought up to date by the Alembic migrations in
store/migrations (after a copy of the file is set aside). SQLite-specific
parts (triggers, full-text index) are installed here, not in the domain.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# SQLite's application_id marks a file as a Krisenstab database ("KRST").
APPLICATION_ID = 0x4B525354

# The Alembic revisions this program knows, oldest first. The last one is the
# schema this version writes; a file stamped with anything else is newer.
KNOWN_REVISIONS: tuple[str, ...] = (
    "0001_foundation",
    "0002_kritis",
    "0003_staff",
    "0004_reports",
    "0005_exercise",
    "0006_accounts",
)
HEAD_REVISION = KNOWN_REVISIONS[-1]

JOURNAL_IMMUTABLE_MESSAGE = "Einsatztagebuch: Einträge sind unveränderlich (nur Berichtigungen)"
CLOSED_INCIDENT_MESSAGE = "Ereignis ist abgeschlossen: keine neuen Einträge"

# Every trigger the store relies on; `verify` reports a missing one.
REQUIRED_TRIGGERS: tuple[str, ...] = (
    "journal_entry_no_update",
    "journal_entry_no_delete",
    "journal_entry_closed_incident",
    "meta_kind_no_update",
    "meta_kind_no_delete",
    "meta_accounts_no_update",
    "meta_accounts_no_delete",
    "account_requires_flag",
    "account_no_delete",
    "account_event_no_update",
    "account_event_no_delete",
    "situation_report_frozen_update",
    "situation_report_frozen_delete",
)

_FOUNDATION_EXTRAS = (
    f"""
    CREATE TRIGGER IF NOT EXISTS journal_entry_no_update
    BEFORE UPDATE ON journal_entry
    BEGIN SELECT RAISE(ABORT, '{JOURNAL_IMMUTABLE_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS journal_entry_no_delete
    BEFORE DELETE ON journal_entry
    BEGIN SELECT RAISE(ABORT, '{JOURNAL_IMMUTABLE_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS journal_entry_closed_incident
    BEFORE INSERT ON journal_entry
    WHEN (SELECT status FROM incident WHERE id = NEW.incident_id) = 'abgeschlossen'
    BEGIN SELECT RAISE(ABORT, '{CLOSED_INCIDENT_MESSAGE}'); END
    """,
    # The exercise mark can never be removed, and a real file never marked.
    """
    CREATE TRIGGER IF NOT EXISTS meta_kind_no_update
    BEFORE UPDATE ON meta WHEN OLD.key = 'kind'
    BEGIN SELECT RAISE(ABORT, 'Die Art der Datenbank (echt/Übung) ist unveränderlich'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS meta_kind_no_delete
    BEFORE DELETE ON meta WHEN OLD.key = 'kind'
    BEGIN SELECT RAISE(ABORT, 'Die Art der Datenbank (echt/Übung) ist unveränderlich'); END
    """,
    # Full-text index over journal texts; filled by store.search in the
    # writing transaction (normalised text, so umlauts and ß match).
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS journal_fts USING fts5(
        body, incident_id UNINDEXED, number UNINDEXED,
        tokenize = "unicode61 remove_diacritics 2", prefix = '2 3 4'
    )
    """,
)


ACCOUNTS_MODE_MESSAGE = "Der Kontenbetrieb kann nicht wieder abgeschaltet werden"
ACCOUNT_NO_DELETE_MESSAGE = "Benutzerkonten werden nie gelöscht, nur deaktiviert"
ACCOUNT_EVENT_MESSAGE = "Das Anmeldeprotokoll ist unveränderlich"

# Accounts: once the first account exists, the open single-workstation mode is
# over for good (the meta row 'accounts' can neither change nor go away), no
# account is ever deleted, and the account/login log is append-only.
_ACCOUNTS_EXTRAS = (
    f"""
    CREATE TRIGGER IF NOT EXISTS meta_accounts_no_update
    BEFORE UPDATE ON meta WHEN OLD.key = 'accounts' OR NEW.key = 'accounts'
    BEGIN SELECT RAISE(ABORT, '{ACCOUNTS_MODE_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS meta_accounts_no_delete
    BEFORE DELETE ON meta WHEN OLD.key = 'accounts'
    BEGIN SELECT RAISE(ABORT, '{ACCOUNTS_MODE_MESSAGE}'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS account_requires_flag
    BEFORE INSERT ON account
    WHEN NOT EXISTS (SELECT 1 FROM meta WHERE key = 'accounts')
    BEGIN SELECT RAISE(ABORT, 'Konten nur über die Kontenverwaltung anlegen'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS account_no_delete
    BEFORE DELETE ON account
    BEGIN SELECT RAISE(ABORT, '{ACCOUNT_NO_DELETE_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS account_event_no_update
    BEFORE UPDATE ON account_event
    BEGIN SELECT RAISE(ABORT, '{ACCOUNT_EVENT_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS account_event_no_delete
    BEFORE DELETE ON account_event
    BEGIN SELECT RAISE(ABORT, '{ACCOUNT_EVENT_MESSAGE}'); END
    """,
)


# Extras per revision: a migration installs its own revision's extras, a new
# file all of them. Later capabilities add their revision's entry.
# A released situation report has gone out on paper: it never changes again.
_REPORTS_EXTRAS = (
    """
    CREATE TRIGGER IF NOT EXISTS situation_report_frozen_update
    BEFORE UPDATE ON situation_report WHEN OLD.status = 'freigegeben'
    BEGIN SELECT RAISE(ABORT, 'Lagebericht ist freigegeben und unveränderlich'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS situation_report_frozen_delete
    BEFORE DELETE ON situation_report WHEN OLD.status = 'freigegeben'
    BEGIN SELECT RAISE(ABORT, 'Lagebericht ist freigegeben und unveränderlich'); END
    """,
)

SQLITE_EXTRAS: dict[str, tuple[str, ...]] = {
    "0001_foundation": _FOUNDATION_EXTRAS,
    "0004_reports": _REPORTS_EXTRAS,
    "0006_accounts": _ACCOUNTS_EXTRAS,
}


def install_sqlite_extras(conn: Connection, revision: str | None = None) -> None:
    """Create triggers and full-text indexes (idempotent); all, or one revision's."""
    for rev, statements in SQLITE_EXTRAS.items():
        if revision is not None and rev != revision:
            continue
        for statement in statements:
            conn.execute(text(statement))


def missing_triggers(conn: Connection) -> list[str]:
    present = {
        row[0]
        for row in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    }
    return [name for name in REQUIRED_TRIGGERS if name not in present]
