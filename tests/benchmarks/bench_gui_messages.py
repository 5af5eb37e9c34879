"""Benchmark: opening the Nachrichten tab on an inbox of 20,000 messages (target ≤ 300 ms).

Run on demand:  python tests/benchmarks/bench_gui_messages.py [--messages N] [--db PATH]

Builds (or reuses, with --db) an incident with N incoming messages (default
20,000), all addressed to S2, some Sofort and Blitz, most acknowledged. Then,
in the same process and on the same rows, it measures

* the lazy inbox model: service count + first page, view shown and painted;
* the whole Nachrichten tab (inbox, triage queue and register loaded, form
  built), shown and painted – what a staff member waits for;
* the baseline: a bare QTableView over a QStandardItemModel holding the
  same inbox rows (read in one query, items built, shown and painted).

Prints the figures (median of several runs) and the ratios to the baseline.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

# shiboken6 6.12 on Python 3.11 drops a reference to None on every Qt call
# that returns nothing; a long benchmark would run None's count down to zero.
_NONE_GUARD = [None] * 5_000_000

from sqlalchemy import insert  # noqa: E402

from krisenstab.domain.base import new_id  # noqa: E402
from krisenstab.domain.message import Message, MessagePriority, MessageRecipient  # noqa: E402
from krisenstab.domain.timefmt import utcnow  # noqa: E402
from krisenstab.services.context import Actor  # noqa: E402
from krisenstab.services.incidents import IncidentService  # noqa: E402
from krisenstab.store.database import Database  # noqa: E402

TARGET_MS = 300.0
FUNCTION = "S2"
SENDERS = (
    "Leitstelle Kreis Düren (Muster)",
    "Wasserverband Rur (Muster)",
    "Feuerwehr Heimbach (Muster)",
    "Netzbetreiber Rur-Eifel (Muster)",
)
TEXTS = (
    "Pegel {place} {n} cm, steigend.",
    "{n} neue Einsätze in {place} wegen vollgelaufener Keller.",
    "Stromausfall in Teilen von {place}, etwa {n}00 Haushalte betroffen.",
    "Unterführung in {place} überflutet, Straße gesperrt.",
)
PLACES = ("Düren", "Jülich", "Kreuzau", "Nideggen", "Linnich", "Heimbach", "Titz")


def build(path: Path, count: int) -> str:
    """The incident with ``count`` messages to S2 (written in bulk, like an import)."""
    db = Database.open(path)
    try:
        for incident in IncidentService(db).list():
            return incident.id
        actor = Actor("Ben Musterberg", "Fernmelder", "benchmark")
        incident = IncidentService(db).create("Muster-Großlage (Benchmark Nachrichten)", actor)
        rng = random.Random(11)
        start = utcnow() - timedelta(hours=36)
        order = {p.value: p.order for p in MessagePriority}
        messages, recipients = [], []
        for seq in range(1, count + 1):
            at = start + timedelta(seconds=seq * 6)
            priority = "blitz" if seq % 5000 == 0 else ("sofort" if seq % 9 == 0 else "einfach")
            acknowledged = seq <= count - 300  # the newest 300 still wait
            mid = new_id()
            text = rng.choice(TEXTS).format(place=rng.choice(PLACES), n=rng.randint(2, 400))
            messages.append(
                {
                    "id": mid,
                    "incident_id": incident.id,
                    "direction": "E",
                    "seq": seq,
                    "intake_channel": rng.choice(("Funk", "Telefon", "E-Mail")),
                    "intake_at": at,
                    "intake_by": actor.person,
                    "priority": priority,
                    "addressee": FUNCTION,
                    "conversation_note": False,
                    "content": text,
                    "sender": rng.choice(SENDERS),
                    "triaged_at": at,
                    "triaged_by": actor.person,
                    "recorded_by": actor.person,
                    "recorded_by_function": actor.function,
                    "created_at": at,
                    "workstation_id": "benchmark",
                }
            )
            recipients.append(
                {
                    "id": new_id(),
                    "message_id": mid,
                    "incident_id": incident.id,
                    "direction": "E",
                    "seq": seq,
                    "priority_order": order[priority],
                    "function": FUNCTION,
                    "routed_at": at,
                    "routed_by": actor.person,
                    "acknowledged": acknowledged,
                    "acknowledged_at": at + timedelta(minutes=3) if acknowledged else None,
                    "acknowledged_by": "Max Mustermann" if acknowledged else None,
                    "acknowledged_by_function": FUNCTION if acknowledged else None,
                }
            )
        with db.write() as session:
            session.execute(insert(Message.__table__), messages)
            session.execute(insert(MessageRecipient.__table__), recipients)
        return incident.id
    finally:
        db.close()


def median_ms(func: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-nachrichten-"))
    os.environ["KRISENSTAB_HOME"] = str(workdir / "home")
    path = args.db or workdir / "nachrichten.db"
    print(f"Datenbank: {path}")
    started = time.perf_counter()
    incident_id = build(path, args.messages)
    print(f"Aufbau: {time.perf_counter() - started:.1f} s")

    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView

    from krisenstab.gui.messages_model import ListKind, MessageListModel, format_when, state_text
    from krisenstab.gui.messages_view import MessagesTab, message_table
    from krisenstab.gui.shared import Shared
    from krisenstab.services.messages import MessageService
    from krisenstab.settings import Settings

    app = QApplication.instance() or QApplication([])
    db = Database.open(path, quick_check=False)
    service = MessageService(db)
    total = service.inbox(incident_id, FUNCTION, limit=0).total
    print(f"Nachrichten im Eingang {FUNCTION}: {total}")

    def paint(widget: object) -> None:
        widget.show()  # type: ignore[attr-defined]
        app.processEvents()
        widget.grab()  # type: ignore[attr-defined]

    # Baseline: every row read and turned into items, in a bare table.
    def baseline() -> None:
        page = service.inbox(incident_id, FUNCTION, offset=0, limit=total)
        model = QStandardItemModel(len(page.rows), 7)
        for r, row in enumerate(page.rows):
            for c, text in enumerate(
                (
                    row.number,
                    row.priority,
                    format_when(row),
                    row.sender,
                    row.addressee,
                    row.excerpt,
                    state_text(ListKind.INBOX, row),
                )
            ):
                model.setItem(r, c, QStandardItem(text))
        view = QTableView()
        view.setModel(model)
        view.resize(1366, 600)
        paint(view)
        view.close()
        view.deleteLater()

    def lazy_inbox() -> None:
        model = MessageListModel(ListKind.INBOX)

        def fetch(offset: int, limit: int):  # type: ignore[no-untyped-def]
            page = service.inbox(incident_id, FUNCTION, offset=offset, limit=limit)
            return page.rows, page.total

        model.load(fetch)
        view = message_table(None, model, "benchInbox", "Posteingang")  # type: ignore[arg-type]
        view.resize(1366, 600)
        paint(view)
        view.close()
        view.deleteLater()

    settings = Settings.load()
    actor = Actor("Max Mustermann", FUNCTION, settings.workstation_id)

    def whole_tab() -> None:
        shared = Shared(db, settings, actor)
        shared.set_incident(IncidentService(db).get(incident_id))
        tab = MessagesTab(shared)
        tab.resize(1366, 650)
        paint(tab)
        assert tab.inbox_model.rowCount() == total
        tab.close()
        tab.deleteLater()
        shared.deleteLater()

    # Warm up imports, caches and fonts once; then measure in alternation.
    lazy_inbox()
    whole_tab()
    baseline_ms = median_ms(baseline, max(3, args.repeat // 2))
    inbox_ms = median_ms(lazy_inbox, args.repeat)
    tab_ms = median_ms(whole_tab, args.repeat)
    page_ms = median_ms(lambda: service.inbox(incident_id, FUNCTION, offset=10_000, limit=100), 5)
    db.close()

    print()
    print(f"Baseline: QTableView + QStandardItemModel ({total} Zeilen)  {baseline_ms:8.1f} ms")
    print(f"Posteingang (lazy): Modell + Ansicht + erste Darstellung   {inbox_ms:8.1f} ms")
    print(f"Reiter „Nachrichten“ komplett öffnen und darstellen        {tab_ms:8.1f} ms")
    print(f"Eine Seite (100) aus der Mitte holen                        {page_ms:8.1f} ms")
    print()
    print(
        f"Verhältnis Baseline / Posteingang                          {baseline_ms / inbox_ms:8.1f} ×"
    )
    print(
        f"Verhältnis Baseline / Reiter                               {baseline_ms / tab_ms:8.1f} ×"
    )
    verdict = "erfüllt" if tab_ms <= TARGET_MS else "VERFEHLT"
    print(f"Ziel ≤ {TARGET_MS:.0f} ms für das Öffnen des Reiters: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
