"""The Qt binding in use must not leak references to None.

PySide6 6.12.0 on Python 3.11 drops one reference to None on every Qt call
that returns nothing; after a few thousand calls the interpreter aborts with
"none_dealloc". A staff shift makes millions of such calls.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_void_qt_calls_keep_none_alive(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("Pegel")
    assert sys.getrefcount(None) >= before - 50
