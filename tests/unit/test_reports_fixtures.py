"""Shared builders for the report, printout and exchange tests (no tests here).

The demo database (a fictional flood with KRITIS register, roster,
responsibilities, tasks and messages) is built once per test session for a
real and an exercise file; each test works on its own copy.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from krisenstab.services.context import Actor
from krisenstab.services.demo import build_demo
from krisenstab.store.database import Database, backup_copy

S2 = Actor(person="Max Mustermann", function="S2", workstation_id="ws-test")
LEAD = Actor(person="Erika Musterfrau", function="Leiter des Stabes", workstation_id="ws-lead")
DESK = Actor(person="Ben Musterberg", function="Fernmelder", workstation_id="ws-desk")

LONG_WORD = "Überschwemmungsgebiet" * 480  # about 10,000 characters, no break
HOSTILE = (
    'Anfang <img src="http://127.0.0.1:9/bild.png"> <font face="/etc/passwd">F</font> '
    '<a href="http://127.0.0.1:9/">L</a> <para> &amp; &#60; &lt; </b> ]]> '
    "\x00\x07\x1b[31m\u202eumgedreht\u202c \ufeff\u00ad 🧯🚒 שלום مرحبا Ende"
)
HOSTILE_LINE = HOSTILE.replace("\x00", "")[:180]
FIXED = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
ORACLES = Path(__file__).resolve().parents[3] / "shared" / "oracles" / "cap"


class Clock:
    """A settable "now" for services that take ``clock``."""

    def __init__(self, now: datetime = FIXED) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def demo_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("demo-templates")
    out: dict[str, tuple[Path, str]] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KRISENSTAB_HOME", str(folder / "home"))
        for kind in ("real", "exercise"):
            db = Database.open(folder / f"{kind}.db", kind=kind)
            incident_id = build_demo(db, "ws-demo")
            db.close()
            out[kind] = (folder / f"{kind}.db", incident_id)
    return out


def demo_copy(
    templates: dict[str, tuple[Path, str]], tmp_path: Path, kind: str = "real"
) -> tuple[Database, str]:
    """A fresh copy of the demo database of ``kind`` and its incident id."""
    source, incident_id = templates[kind]
    target = tmp_path / f"demo-{kind}.db"
    backup_copy(source, target)
    return Database.open(target), incident_id


def demo_db(request: pytest.FixtureRequest, tmp_path: Path, kind: str = "real"):
    """A copy of the session's demo database (the test module imports ``demo_templates``)."""
    return demo_copy(request.getfixturevalue("demo_templates"), tmp_path, kind)


def oracle(name: str) -> Path:
    path = ORACLES / name
    if not path.exists():
        pytest.skip(f"oracle {name} not available (../shared/oracles missing)")
    return path


def need(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.skip(f"{binary} fehlt (Debian-Paket poppler-utils)")
    return path


def pdf_text(pdf: bytes, tmp_path: Path, *, raw: bool = True) -> list[str]:
    """Text per page (pdftotext)."""
    exe = need("pdftotext")
    source = tmp_path / "text-check.pdf"
    source.write_bytes(pdf)
    args = [exe, "-enc", "UTF-8", "-raw" if raw else "-layout", str(source), "-"]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def fonts_embedded(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """(font name, emb) for every line pdffonts prints."""
    exe = need("pdffonts")
    source = tmp_path / "font-check.pdf"
    source.write_bytes(pdf)
    out = subprocess.run([exe, str(source)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 7:
            rows.append((parts[0], parts[-5]))
    return rows


def assert_all_fonts_embedded(pdf: bytes, tmp_path: Path) -> None:
    rows = fonts_embedded(pdf, tmp_path)
    assert rows, "no fonts listed"
    assert all(emb == "yes" for _name, emb in rows), rows
    assert not any("Helvetica" in name or "Times" in name for name, _emb in rows), rows


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


def media_box(pdf: bytes) -> tuple[float, float]:
    match = re.search(rb"/MediaBox \[ *0 0 ([\d.]+) ([\d.]+) *\]", pdf)
    assert match, "no MediaBox"
    return float(match.group(1)), float(match.group(2))
