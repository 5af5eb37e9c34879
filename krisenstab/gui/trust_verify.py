"""Datei → Prüfen …: SQLite's quick check, every hash chain, the guard triggers, the anchors.

`verify_database` and the quick check run in a worker thread on their own
`Database.open` of the file; the result is shown in German: per incident
the chain (entries, head hash, first changed entry), missing triggers, and
which chain heads kept outside the file (anchor log, backup manifests) were
compared. `describe` is a pure function of the results, so its wording is
tested without a dialog.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from krisenstab.gui.trust_common import BackgroundJob, error_text, tr
from krisenstab.services.backup import backup_folders
from krisenstab.services.verification import TrustReport, verify_database
from krisenstab.store.backup import is_backup_copy
from krisenstab.store.database import Database

if TYPE_CHECKING:
    from krisenstab.gui.shared import Shared

OK_COLOUR = "#1B5E20"
BAD_COLOUR = "#B71C1C"


@dataclass(frozen=True)
class VerifyOutcome:
    report: TrustReport
    integrity: list[str]
    against: list[Path]

    @property
    def ok(self) -> bool:
        return self.report.ok and not self.integrity


def run_verification(path: Path, against: list[Path], *, read_only: bool) -> VerifyOutcome:
    """The whole check on a connection of its own (call it in a worker thread)."""
    # A backup copy must not change by being checked; nor must a read-only file.
    ro = read_only or is_backup_copy(path)
    db = Database.open(path, create=False, read_only=ro, quick_check=False)
    try:
        integrity = db.quick_check()
        report = verify_database(db, against=against)
    finally:
        db.close()
    return VerifyOutcome(report, integrity, against)


def describe(outcome: VerifyOutcome) -> str:
    """The result as HTML (all text escaped)."""
    e = html.escape
    report = outcome.report
    parts: list[str] = []
    if outcome.ok:
        parts.append(
            f'<h2 style="color:{OK_COLOUR}">'
            + e(tr("Prüfung bestanden: keine Veränderung festgestellt."))
            + "</h2>"
        )
    else:
        parts.append(
            f'<h2 style="color:{BAD_COLOUR}">'
            + e(tr("Prüfung NICHT bestanden: die Datei wurde verändert oder ist beschädigt."))
            + "</h2>"
        )
        first = report.first_bad
        if first is not None:
            parts.append(
                "<p><b>"
                + e(tr("Erster veränderter Eintrag: Nr. {0}.").format(first))
                + "</b> "
                + e(
                    tr(
                        "Alle Einträge davor sind unverändert; ab hier bitte mit dem "
                        "ausgedruckten Einsatztagebuch und den Sicherungen vergleichen."
                    )
                )
                + "</p>"
            )

    parts.append("<h3>" + e(tr("Datei (SQLite-Schnellprüfung)")) + "</h3>")
    if outcome.integrity:
        parts.append("<ul>" + "".join(f"<li>{e(p)}</li>" for p in outcome.integrity[:20]) + "</ul>")
    else:
        parts.append("<p>" + e(tr("in Ordnung")) + "</p>")

    parts.append("<h3>" + e(tr("Hash-Ketten der Einsatztagebücher")) + "</h3>")
    if not report.chains:
        parts.append("<p>" + e(tr("Noch kein Ereignis angelegt.")) + "</p>")
    else:
        rows = []
        for chain in report.chains:
            title = chain.title or chain.incident_id
            if chain.ok:
                state = f'<span style="color:{OK_COLOUR}">' + e(tr("intakt")) + "</span>"
            else:
                state = (
                    f'<span style="color:{BAD_COLOUR}"><b>'
                    + e(tr("VERÄNDERT ab Nr. {0}").format(chain.first_bad))
                    + "</b>: "
                    + e(chain.reason)
                    + "</span>"
                )
            # A broken chain stops counting at the break: neither the count nor
            # the hash reached there describes the file.
            entries = str(chain.entries) if chain.ok else "–"
            head = f"<tt>{e(chain.head)}</tt>" if chain.ok else "–"
            rows.append(
                "<tr>"
                f"<td>{e(title)}</td>"
                f'<td align="right">{entries}</td>'
                f"<td>{state}</td>"
                f"<td>{head}</td>"
                "</tr>"
            )
        header = "".join(
            f'<th align="left">{e(tr(h))}</th>'
            for h in ("Ereignis", "Einträge", "Zustand", "Kopf-Hash (steht auf jedem Ausdruck)")
        )
        parts.append(
            '<table cellspacing="0" cellpadding="4" border="1" style="border-collapse:collapse">'
            f"<tr>{header}</tr>" + "".join(rows) + "</table>"
        )

    parts.append("<h3>" + e(tr("Schutz-Trigger (verhindern Ändern und Löschen)")) + "</h3>")
    if report.missing_triggers:
        parts.append(
            f'<p style="color:{BAD_COLOUR}">'
            + e(tr("Es fehlen: {0}").format(", ".join(report.missing_triggers)))
            + "</p>"
        )
    else:
        parts.append("<p>" + e(tr("vollständig vorhanden")) + "</p>")

    parts.append("<h3>" + e(tr("Abgleich mit Kettenständen außerhalb der Datei")) + "</h3>")
    if report.anchor_sources:
        parts.append(
            "<p>"
            + e(tr("{0} Kettenstände verglichen aus:").format(report.anchors_checked))
            + "</p><ul>"
            + "".join(f"<li>{e(s)}</li>" for s in report.anchor_sources)
            + "</ul>"
        )
    else:
        parts.append(
            "<p>"
            + e(
                tr(
                    "Keine Kettenstände außerhalb der Datei gefunden. Eine Kette, die nach "
                    "einer Änderung vollständig neu berechnet wurde, wäre so nicht zu "
                    "erkennen; Sicherungen auf einem zweiten Datenträger helfen dabei."
                )
            )
            + "</p>"
        )
    if report.findings:
        parts.append(
            "<ul>"
            + "".join(
                f'<li style="color:{BAD_COLOUR}">{e(f.describe())}</li>' for f in report.findings
            )
            + "</ul>"
        )
    if report.problems:
        parts.append("<h3>" + e(tr("Weitere Befunde")) + "</h3>")
        parts.append(
            "<ul>"
            + "".join(f'<li style="color:{BAD_COLOUR}">{e(p)}</li>' for p in report.problems)
            + "</ul>"
        )
    if outcome.against:
        parts.append(
            "<p><small>"
            + e(
                tr("Durchsuchte Sicherungsordner: {0}").format(
                    "; ".join(str(p) for p in outcome.against)
                )
            )
            + "</small></p>"
        )
    return "".join(parts)


class VerifyDialog(QDialog):
    """Runs the check in a worker when opened; „Erneut prüfen“ runs it again."""

    def __init__(self, shared: Shared, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verifyDialog")
        self.setWindowTitle(tr("Datenbank prüfen"))
        self.shared = shared
        self.job: BackgroundJob | None = None
        self.outcome: VerifyOutcome | None = None
        self.error = ""

        self.status_label = QLabel(self)
        self.status_label.setObjectName("verifyStatus")
        self.status_label.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.result_view = QTextBrowser(self)
        self.result_view.setObjectName("verifyResult")
        self.result_view.setOpenLinks(False)
        self.again_button = QPushButton(tr("&Erneut prüfen"), self)
        self.again_button.clicked.connect(self.start)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.again_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.result_view, 1)
        layout.addWidget(buttons)
        m = self.fontMetrics()
        self.resize(m.horizontalAdvance("M") * 76, m.height() * 40)
        self.start()

    @property
    def running(self) -> bool:
        return self.job is not None

    def start(self) -> None:
        if self.job is not None:
            return
        db = self.shared.db
        path, read_only = db.path, db.read_only
        against = [f for f in backup_folders(self.shared.settings) if f.is_dir()]
        self.status_label.setText(
            tr("Prüfe {0} … (Ketten aller Ereignisse, Trigger, Sicherungen)").format(path.name)
        )
        self.progress.show()
        self.again_button.setEnabled(False)
        self.job = BackgroundJob(
            lambda: run_verification(path, against, read_only=read_only),
            self._done,
            self._failed,
            name="krisenstab-verify",
        )
        self.job.start()

    def _done(self, outcome: VerifyOutcome) -> None:
        if not shiboken6.isValid(self):
            return
        self.job = None
        self.outcome = outcome
        self.error = ""
        self.progress.hide()
        self.again_button.setEnabled(True)
        self.status_label.setText(tr("Geprüft: {0}").format(self.shared.db.path))
        self.result_view.setHtml(describe(outcome))

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.job = None
        self.error = error_text(exc)
        self.progress.hide()
        self.again_button.setEnabled(True)
        self.status_label.setText(tr("Die Prüfung konnte nicht laufen."))
        self.result_view.setPlainText(self.error)
