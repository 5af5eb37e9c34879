"""File choosers of printing and export, behind one seam (tests replace these functions).

Every function returns a path or None (cancelled). The suggested name comes
from the document (`PrintableDocument.filename`), so it carries ``UEBUNG``
in an exercise database.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QWidget


def _tr(text: str) -> str:
    return QCoreApplication.translate("PrintFiles", text)


def _with_suffix(path: str, suffix: str) -> str:
    return path if Path(path).suffix else path + suffix


def choose_pdf_target(parent: QWidget | None, suggested: str) -> str | None:
    """Where „Als PDF speichern“ writes, or None."""
    path, _selected = QFileDialog.getSaveFileName(
        parent, _tr("Als PDF speichern"), suggested, _tr("PDF-Dokumente (*.pdf)")
    )
    return _with_suffix(path, ".pdf") if path else None


def choose_export_target(parent: QWidget | None, title: str, suggested: str) -> str | None:
    """Where an XML export (CAP, EDXL-SitRep) is written, or None."""
    path, _selected = QFileDialog.getSaveFileName(
        parent, title, suggested, _tr("XML-Dateien (*.xml);;Alle Dateien (*)")
    )
    return _with_suffix(path, ".xml") if path else None
