"""The print seam: how a finished PDF reaches paper, or a file.

Every document is built as PDF bytes first (reports/, no Qt, no network).
What happens to those bytes is behind :class:`Printer`:

- the GUI implements it with QPrinter/QPrintDialog (and previews the same
  bytes in a QtPdf ``QPdfView``); that class lives in gui/, because only the
  GUI may touch Qt widgets;
- :class:`PdfFilePrinter` is "Als PDF speichern", always available;
- :class:`FakePrinter` records jobs for tests, so no test opens a dialog or
  needs a printer.

``print_pdf`` never raises for an ordinary refusal (no printer, cancelled
dialog): it returns a :class:`PrintOutcome` whose ``message`` is the German
sentence to show.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from krisenstab.domain.filenames import safe_filename

__all__ = [
    "FakePrinter",
    "PdfFilePrinter",
    "PrintJob",
    "PrintOutcome",
    "Printer",
    "suggested_filename",
    "write_pdf",
]


@dataclass(frozen=True)
class PrintOutcome:
    """What became of a print request; ``message`` is shown to the user as is."""

    done: bool
    message: str
    target: str | None = None  # printer name or file path


@runtime_checkable
class Printer(Protocol):
    """Sends finished PDF bytes somewhere. ``title`` names the job (and the file)."""

    def print_pdf(self, pdf_bytes: bytes, title: str) -> PrintOutcome: ...


@dataclass(frozen=True)
class PrintJob:
    pdf_bytes: bytes
    title: str


@dataclass
class FakePrinter:
    """A printer for tests: keeps every job; ``refuse`` simulates a failure."""

    jobs: list[PrintJob] = field(default_factory=list)
    refuse: str | None = None
    name: str = "Testdrucker"

    def print_pdf(self, pdf_bytes: bytes, title: str) -> PrintOutcome:
        if not pdf_bytes.startswith(b"%PDF-"):
            return PrintOutcome(False, f"„{title}“ ist kein PDF und wird nicht gedruckt.")
        if self.refuse is not None:
            return PrintOutcome(False, self.refuse)
        self.jobs.append(PrintJob(bytes(pdf_bytes), title))
        return PrintOutcome(True, f"„{title}“ an {self.name} gesendet.", self.name)


def suggested_filename(title: str, suffix: str = ".pdf") -> str:
    """A file name from a document title that is safe on every file system."""
    return safe_filename(title, suffix)


def write_pdf(pdf_bytes: bytes, path: str | os.PathLike[str]) -> Path:
    """Write the PDF atomically (a half-written file never replaces a good one)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".krisenstab-", suffix=".pdf.tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf_bytes)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return target


@dataclass
class PdfFilePrinter:
    """ "Als PDF speichern": ``choose_path(suggested_name)`` returns the target or None.

    The GUI passes a file dialog as ``choose_path``; scripts and tests a
    function returning a fixed path. None means the user cancelled.
    """

    choose_path: Callable[[str], str | os.PathLike[str] | None]

    def print_pdf(self, pdf_bytes: bytes, title: str) -> PrintOutcome:
        chosen = self.choose_path(suggested_filename(title))
        if chosen is None:
            return PrintOutcome(False, "Speichern abgebrochen.")
        try:
            path = write_pdf(pdf_bytes, chosen)
        except OSError as exc:
            return PrintOutcome(False, f"Die Datei {chosen} kann nicht geschrieben werden: {exc}")
        return PrintOutcome(True, f"„{title}“ gespeichert unter {path}.", str(path))
