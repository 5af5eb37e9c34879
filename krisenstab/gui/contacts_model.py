"""The hits of a contact lookup as a table: who is responsible and how to reach them."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from krisenstab.gui.staff_widgets import COPY_ROLE
from krisenstab.services.contacts import ContactHit

_ModelIndex = QModelIndex | QPersistentModelIndex

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
"""The `ContactHit` of a row."""

PERSON_COLOR = QColor(0x0D, 0x3C, 0x61)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


class ContactColumn(IntEnum):
    SUBJECT = 0
    MUNICIPALITY = 1
    WHO = 2
    PHONE_24H = 3
    REACH = 4
    DEPUTY = 5


TITLES: dict[ContactColumn, str] = {
    ContactColumn.SUBJECT: QT_TRANSLATE_NOOP("ContactHitModel", "Zuständigkeit / Person"),
    ContactColumn.MUNICIPALITY: QT_TRANSLATE_NOOP("ContactHitModel", "Gemeinde"),
    ContactColumn.WHO: QT_TRANSLATE_NOOP("ContactHitModel", "Zuständig"),
    ContactColumn.PHONE_24H: QT_TRANSLATE_NOOP("ContactHitModel", "24/7"),
    ContactColumn.REACH: QT_TRANSLATE_NOOP("ContactHitModel", "Erreichbar"),
    ContactColumn.DEPUTY: QT_TRANSLATE_NOOP("ContactHitModel", "Vertretung"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("ContactHitModel", text)


def first_reach(hit: ContactHit) -> tuple[str, str] | None:
    """The most direct way to reach them besides the 24/7 number."""
    for label, value in hit.reach:
        if label != "24/7":
            return label, value
    return None


def best_number(hit: ContactHit) -> str | None:
    """What Enter or Strg+C copies: the 24/7 number, else the first way to reach them."""
    if hit.phone_24h:
        return hit.phone_24h
    reach = first_reach(hit)
    return reach[1] if reach else None


def deputy_text(hit: ContactHit) -> str:
    if not hit.deputy:
        return ""
    if hit.deputy_reach:
        return f"{hit.deputy} ({hit.deputy_reach[0][1]})"
    return hit.deputy


class ContactHitModel(QAbstractTableModel):
    """The best hits of one lookup, most relevant first (the service ranks them)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hits: list[ContactHit] = []
        self._person_font = QFont()
        self._person_font.setItalic(True)
        self._bold = QFont()
        self._bold.setBold(True)

    @property
    def hits(self) -> Sequence[ContactHit]:
        return self._hits

    def set_hits(self, hits: Sequence[ContactHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def hit(self, row: int) -> ContactHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ContactColumn)

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(ContactColumn):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _tr(TITLES[ContactColumn(section)])
        return None

    def cell_text(self, hit: ContactHit, column: ContactColumn) -> str:
        if column == ContactColumn.SUBJECT:
            return hit.title
        if column == ContactColumn.MUNICIPALITY:
            return hit.municipality or ""
        if column == ContactColumn.WHO:
            return hit.who
        if column == ContactColumn.PHONE_24H:
            return hit.phone_24h or ""
        if column == ContactColumn.REACH:
            reach = first_reach(hit)
            return f"{reach[0]}: {reach[1]}" if reach else ""
        if column == ContactColumn.DEPUTY:
            return deputy_text(hit)
        return ""

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        if not 0 <= index.column() < len(ContactColumn):
            return None
        hit = self._hits[index.row()]
        column = ContactColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.cell_text(hit, column)
        if role == HIT_ROLE:
            return hit
        if role == COPY_ROLE:
            if column == ContactColumn.PHONE_24H:
                return hit.phone_24h
            if column == ContactColumn.REACH:
                reach = first_reach(hit)
                return reach[1] if reach else None
            if column == ContactColumn.DEPUTY and hit.deputy_reach:
                return hit.deputy_reach[0][1]
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            value = self.data(index, COPY_ROLE)
            if value:
                return _tr("Klicken kopiert „{0}“").format(value)
            if column == ContactColumn.SUBJECT and hit.notes:
                return hit.notes
            return None
        if role == Qt.ItemDataRole.FontRole:
            if column == ContactColumn.PHONE_24H:
                return self._bold
            if column == ContactColumn.SUBJECT and hit.kind == "Person":
                return self._person_font
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == ContactColumn.SUBJECT and hit.kind == "Person":
                return PERSON_COLOR
            return None
        return None
