"""File choosers of the exercise screens, behind one seam (tests replace these functions).

Suggested names of everything an exercise produces carry "UEBUNG" (issue 6 §1).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from krisenstab.domain.filenames import exercise_filename

_TABLES = "Tabellen (*.csv *.xlsx);;CSV (*.csv);;Excel (*.xlsx);;Alle Dateien (*)"
_DATABASES = "Krisenstab-Datenbanken (*.db *.sqlite);;Alle Dateien (*)"


def _tr(text: str) -> str:
    return QCoreApplication.translate("ExerciseFiles", text)


def suggested_name(title: str, suffix: str) -> str:
    """``UEBUNG_<title>.<suffix>``: never mistaken for a real document."""
    return exercise_filename(title, suffix)


def _with_suffix(path: str, selected: str, default: str) -> str:
    if Path(path).suffix:
        return path
    if selected.startswith("Excel"):
        return path + ".xlsx"
    return path + default


def choose_scenario_file(parent: QWidget | None) -> str | None:
    """A scenario file (CSV/XLSX) to read, or None."""
    path, _selected = QFileDialog.getOpenFileName(
        parent, _tr("ÜBUNG – Drehbuch einlesen"), "", _tr(_TABLES)
    )
    return path or None


def choose_scenario_target(parent: QWidget | None, suggested: str) -> str | None:
    """Where to export the scenario (CSV or XLSX by suffix), or None."""
    path, selected = QFileDialog.getSaveFileName(
        parent, _tr("ÜBUNG – Drehbuch exportieren"), suggested, _tr("CSV (*.csv);;Excel (*.xlsx)")
    )
    return _with_suffix(path, selected, ".csv") if path else None


def choose_evaluation_target(parent: QWidget | None, suggested: str, kind: str) -> str | None:
    """Where to save the after-action report (``kind``: "pdf" or "csv"), or None."""
    file_filter = _tr("PDF (*.pdf)") if kind == "pdf" else _tr("CSV (*.csv)")
    path, _selected = QFileDialog.getSaveFileName(
        parent, _tr("ÜBUNG – Auswertung speichern"), suggested, file_filter
    )
    return _with_suffix(path, "", f".{kind}") if path else None


def choose_source_database(parent: QWidget | None, start: str = "") -> str | None:
    """The real database whose master data the exercise copies, or None."""
    path, _selected = QFileDialog.getOpenFileName(
        parent, _tr("Echte Datenbank wählen (Stammdaten)"), start, _tr(_DATABASES)
    )
    return path or None


def choose_exercise_target(parent: QWidget | None, suggested: str) -> str | None:
    """The new exercise database file, or None."""
    path, _selected = QFileDialog.getSaveFileName(
        parent, _tr("Übungsdatenbank anlegen"), suggested, _tr(_DATABASES)
    )
    return _with_suffix(path, "", ".db") if path else None
