"""Opening what is broken: a damaged file offers its newest good backup, a foreign
file gets a clear message, a read-only medium opens read-only.

`open_for_gui` replaces a plain `Database.open` at start-up. A damaged file
(or one that is no longer a SQLite file at all, but whose name matches
backups) gets `DamagedFileDialog`: what is wrong, and „Neueste gute Sicherung
vom … wiederherstellen (als neue Datei)“. The restore writes a new file
beside the damaged one, which stays as it is for examination, and that new
file is opened. `report_damage` does the same for damage the quick check
finds after the window is up.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.timefmt import format_local
from krisenstab.gui import dialogs
from krisenstab.gui.trust_common import error_text, looks_like_backup_copy, tr
from krisenstab.services.context import ServiceError
from krisenstab.settings import Settings
from krisenstab.store.database import Database
from krisenstab.store.errors import (
    DamagedDatabaseError,
    NotKrisenstabError,
    StoreError,
)

if TYPE_CHECKING:
    from krisenstab.services.backup import BackupCandidate

# The backup code is imported only when a file does not open: a normal
# start-up does not pay for it.

TITLE = "Krisenstab – Datenbank"


@dataclass
class Opened:
    """The database to work with; ``login`` pre-fills the login dialog after a restore."""

    db: Database
    login: str = ""
    restored_from: Path | None = None


class DamagedFileDialog(QDialog):
    """Names the problem and offers the newest good backup (as a new file)."""

    RESTORE = 1
    OPEN_EARLIER = 2

    def __init__(
        self,
        path: Path,
        problem: str,
        candidate: BackupCandidate | None,
        folders: list[Path],
        parent: QWidget | None = None,
        *,
        earlier: Path | None = None,
        running: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("damagedFileDialog")
        self.setWindowTitle(tr("Krisenstab – Datenbank beschädigt"))
        self.choice = 0
        self.candidate = candidate
        self.earlier = earlier

        heading = QLabel(tr("Die Datenbank ist beschädigt."), self)
        heading.setObjectName("damagedHeading")
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.3)
        heading.setFont(font)

        parts = [
            tr("<p>Datei: <b>{0}</b></p>").format(html.escape(str(path))),
            tr("<p>Befund: {0}</p>").format(html.escape(problem)),
        ]
        if running:
            parts.append(
                tr(
                    "<p>Bitte nichts mehr in diese Datei eintragen: was jetzt gespeichert "
                    "wird, kann verloren gehen.</p>"
                )
            )
        if candidate is not None:
            info = candidate.info
            entries = sum(h.number for h in info.manifest.heads.values())
            parts.append(
                tr(
                    "<p>Neueste gute Sicherung: <b>{0}</b> ({1} Einträge, geprüft), in {2}.</p>"
                ).format(
                    html.escape(format_local(info.created_at)),
                    entries,
                    html.escape(str(info.path.parent)),
                )
            )
            if candidate.rejected:
                newer = ", ".join(format_local(r[0].created_at) for r in candidate.rejected[:3])
                parts.append(
                    tr(
                        "<p>Neuere Sicherungen sind selbst beschädigt und werden nicht angeboten: {0}.</p>"
                    ).format(html.escape(newer))
                )
            parts.append(
                tr(
                    "<p>Die Sicherung wird als <b>neue Datei</b> neben der beschädigten "
                    "wiederhergestellt und geöffnet. Die beschädigte Datei bleibt unverändert "
                    "liegen. Einträge nach dem Zeitpunkt der Sicherung fehlen in der neuen "
                    "Datei; bitte aus Papier und Gedächtnis nachtragen.</p>"
                )
            )
        else:
            where = "; ".join(html.escape(str(f)) for f in folders) or "–"
            parts.append(
                tr(
                    "<p>Es wurde keine verwendbare Sicherung dieser Datei gefunden (gesucht in: {0}).</p>"
                ).format(where)
            )
        body = QLabel("".join(parts), self)
        body.setObjectName("damagedBody")
        body.setTextFormat(Qt.TextFormat.RichText)
        body.setWordWrap(True)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.restore_button: QPushButton | None = None
        if candidate is not None:
            # Its own row, full width: the one thing to do, and a long label.
            self.restore_button = QPushButton(
                tr("Neueste gute Sicherung vom {0} wiederherstellen (als neue Datei)").format(
                    format_local(candidate.info.created_at)
                ),
                self,
            )
            self.restore_button.setObjectName("damagedRestore")
            self.restore_button.clicked.connect(lambda: self._choose(self.RESTORE))
            self.restore_button.setDefault(True)
            self.restore_button.setAutoDefault(True)
        buttons = QDialogButtonBox(self)
        self.earlier_button: QPushButton | None = None
        if earlier is not None:
            self.earlier_button = buttons.addButton(
                tr("Zuletzt wiederhergestellte Datei öffnen"),
                QDialogButtonBox.ButtonRole.ActionRole,
            )
            self.earlier_button.setToolTip(str(earlier))
            self.earlier_button.clicked.connect(lambda: self._choose(self.OPEN_EARLIER))
        cancel = buttons.addButton(
            tr("Weiterarbeiten") if running else tr("Beenden"),
            QDialogButtonBox.ButtonRole.RejectRole,
        )
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(heading)
        layout.addWidget(body)
        if earlier is not None:
            note = QLabel(tr("Bereits früher wiederhergestellt: {0}").format(earlier.name), self)
            note.setWordWrap(True)
            layout.addWidget(note)
        if self.restore_button is not None:
            layout.addWidget(self.restore_button)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 56)
        if self.restore_button is not None:
            self.restore_button.setFocus()

    def _choose(self, choice: int) -> None:
        self.choice = choice
        self.accept()


def _foreign_text(path: Path, exc: StoreError, folders: list[Path]) -> str:
    where = "; ".join(str(f) for f in folders)
    return tr(
        "Die Datenbank kann nicht geöffnet werden.\n\n{0}\n\nBitte eine Krisenstab-Datei "
        "wählen. Falls dies Ihre Krisenstab-Datei war, ist sie beschädigt oder überschrieben; "
        "eine Sicherung mit diesem Dateinamen wurde nicht gefunden (gesucht in: {1}). "
        "Die Datei wurde nicht verändert."
    ).format(exc, where)


def _damaged_text(exc: StoreError, folders: list[Path]) -> str:
    where = "; ".join(str(f) for f in folders)
    return tr(
        "Die Datenbank kann nicht geöffnet werden.\n\n{0}\n\nEine verwendbare Sicherung "
        "dieser Datei wurde nicht gefunden (gesucht in: {1}). Liegt die Sicherung auf einem "
        "USB-Stick, bitte ihn anstecken und das Programm neu starten, oder auf der "
        "Kommandozeile: krisenstab restore SICHERUNG.db --out NEU.db"
    ).format(exc, where)


def _ask(dialog: DamagedFileDialog) -> int:
    """The user's choice in the dialog (a seam: tests answer it)."""
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return 0
    return dialog.choice


def open_for_gui(path: Path, settings: Settings, *, quick_check: bool = False) -> Opened | None:
    """Open ``path``; on damage offer a backup; None when nothing can be opened."""
    # A backup copy opened for writing would no longer match its manifest.
    read_only = looks_like_backup_copy(path)
    try:
        return Opened(Database.open(path, quick_check=quick_check, read_only=read_only))
    except StoreError as exc:
        error = exc
    from krisenstab.gui.trust_backup import earlier_restores
    from krisenstab.services.backup import backup_folders, newest_good_backup

    folders = backup_folders(settings)
    candidate = None
    if isinstance(error, DamagedDatabaseError):
        candidate = newest_good_backup(path, folders)
    elif isinstance(error, NotKrisenstabError) and path.is_file():
        # Not even a SQLite file any more: if backups of a file of this name
        # exist, it was ours and got overwritten or destroyed.
        candidate = newest_good_backup(path, folders)
        if candidate is None:
            dialogs.show_error(None, tr(TITLE), _foreign_text(path, error, folders))
            return None
    else:
        dialogs.show_error(
            None,
            tr(TITLE),
            tr("Die Datenbank kann nicht geöffnet werden.\n\n{0}").format(error),
        )
        return None
    earlier = next(iter(earlier_restores(path)), None)
    if candidate is None and earlier is None:
        dialogs.show_error(None, tr(TITLE), _damaged_text(error, folders))
        return None
    dialog = DamagedFileDialog(path, str(error), candidate, folders, earlier=earlier)
    choice = _ask(dialog)
    dialog.deleteLater()
    if choice == DamagedFileDialog.OPEN_EARLIER and earlier is not None:
        return open_for_gui(earlier, settings, quick_check=True)
    if choice != DamagedFileDialog.RESTORE or candidate is None:
        return None
    return restore_candidate(None, path, candidate, settings)


def restore_candidate(
    parent: QWidget | None,
    path: Path,
    candidate: BackupCandidate,
    settings: Settings,
    current: Any = None,
) -> Opened | None:
    """Restore the candidate beside ``path`` and open the new file."""
    from krisenstab.gui.trust_backup import restore_actor, restore_into, restored_path_for

    who = restore_actor(parent, settings, candidate.info.path, current)
    if who is None:
        return None
    actor, login = who
    target = restored_path_for(path, candidate.info.created_at)
    try:
        result = restore_into(parent, settings, candidate.info.path, target, actor)
        db = Database.open(result.path, create=False, quick_check=True)
    except (ServiceError, StoreError, OSError) as exc:
        dialogs.show_error(
            parent,
            tr("Krisenstab – Wiederherstellen"),
            tr("Die Sicherung konnte nicht wiederhergestellt werden.\n\n{0}").format(
                error_text(exc)
            ),
        )
        return None
    dialogs.show_info(
        parent,
        tr("Krisenstab – Wiederherstellen"),
        tr(
            "Die Sicherung vom {0} ist als neue Datei wiederhergestellt und wird jetzt "
            "geöffnet:\n{1}\n\nDie beschädigte Datei bleibt unverändert:\n{2}\n\nBeim "
            "nächsten Start bitte die neue Datei öffnen (krisenstab {1})."
        ).format(format_local(candidate.info.created_at), result.path, path),
    )
    return Opened(db, login=login, restored_from=path)


def report_damage(
    window: Any, problems: list[str], candidate: BackupCandidate | None
) -> Path | None:
    """Damage found after start-up: say so, and offer the newest good backup.

    Returns the restored file when the user chose to restore (the caller
    reopens the program on it), else None.
    """
    from krisenstab.services.backup import backup_folders

    shared = window.shared
    path = shared.db.path
    trust = getattr(window, "trust", None)
    if trust is not None:
        trust.known_damaged = True
    folders = backup_folders(shared.settings)
    problem = "\n".join(problems[:5])
    dialog = DamagedFileDialog(path, problem, candidate, folders, window, running=True)
    choice = _ask(dialog)
    dialog.deleteLater()
    if choice != DamagedFileDialog.RESTORE or candidate is None:
        return None
    opened = restore_candidate(window, path, candidate, shared.settings, shared.actor)
    if opened is None:
        return None
    opened.db.close()
    return opened.db.path
