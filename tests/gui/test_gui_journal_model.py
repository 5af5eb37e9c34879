"""The lazy ETB table model: pages, cache, refresh, roles, Qt model rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTableView

from krisenstab.domain.journal import EntryView, JournalFilter
from krisenstab.gui.journal_model import (
    ENTRY_ROLE,
    MAX_PAGES,
    NUMBER_ROLE,
    PAGE_SIZE,
    JournalColumn,
    JournalTableModel,
    format_observed,
    one_line,
)
from krisenstab.services.journal import JournalService

START = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def _view(
    number: int, *, corrects: int | None = None, corrected_by: tuple[int, ...] = ()
) -> EntryView:
    at = START + timedelta(seconds=30 * number)
    return EntryView(
        id=f"id-{number}",
        incident_id="inc",
        number=number,
        recorded_at=at,
        observed_at=at,
        author="Max Mustermann",
        function="S2",
        kind="Lage",
        source_quality="Dritte",
        text=f"Beispielmeldung {number}",
        workstation_id="ws",
        corrects=corrects,
        facility_id=None,
        task_id=None,
        message_id=None,
        scenario_time=None,
        hash="0" * 64,
        corrected_by=corrected_by,
    )


@dataclass
class FakeJournal:
    """100,000 entries without a database; counts what the model asks for."""

    total: int = 100_000
    fetch_calls: list[tuple[int, int]] = field(default_factory=list)
    numbers_calls: int = 0

    def numbers(self, incident_id: str, flt: JournalFilter | None = None) -> list[int]:
        self.numbers_calls += 1
        return list(range(1, self.total + 1))

    def fetch(self, incident_id: str, numbers: Sequence[int]) -> list[EntryView]:
        self.fetch_calls.append((min(numbers), len(numbers)))
        return [_view(n) for n in numbers]

    @property
    def rows_fetched(self) -> int:
        return sum(size for _first, size in self.fetch_calls)


def test_lazy_model_over_100000_rows_fetches_only_what_is_shown(qtbot) -> None:
    source = FakeJournal()
    model = JournalTableModel(source)
    model.load("inc")
    assert model.rowCount() == 100_000
    assert source.fetch_calls == []  # loading the numbers fetches no entry

    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(1200, 700)
    view.show()
    qtbot.waitExposed(view)
    qtbot.wait(20)
    # Only the first page is needed to paint the visible rows.
    assert len(source.fetch_calls) == 1
    assert source.fetch_calls[0] == (1, PAGE_SIZE)

    view.scrollToBottom()
    qtbot.wait(20)
    assert len(source.fetch_calls) == 2
    last_first, _size = source.fetch_calls[-1]
    assert last_first == (100_000 - 1) // PAGE_SIZE * PAGE_SIZE + 1
    assert source.rows_fetched <= 2 * PAGE_SIZE
    assert model.index(99_999, JournalColumn.TEXT).data() == "Beispielmeldung 100000"


def test_page_cache_is_bounded_and_reused() -> None:
    source = FakeJournal()
    model = JournalTableModel(source)
    model.load("inc")
    visited = range(0, 100_000 // PAGE_SIZE, 7)
    for page in visited:
        model.entry(page * PAGE_SIZE)
    assert len(source.fetch_calls) == len(visited)
    assert model.cached_pages() == MAX_PAGES
    # A page used recently is served from the cache, an evicted one is fetched again.
    model.entry(visited[-2] * PAGE_SIZE + 5)
    assert len(source.fetch_calls) == len(visited)
    model.entry(visited[0] * PAGE_SIZE + 5)
    assert len(source.fetch_calls) == len(visited) + 1
    # Every row of one page costs one fetch.
    fresh = JournalTableModel(FakeJournal())
    fresh.load("inc")
    for row in range(PAGE_SIZE):
        fresh.data(fresh.index(row, JournalColumn.TEXT))
    assert len(fresh._source.fetch_calls) == 1  # type: ignore[attr-defined]


def test_number_role_needs_no_fetch() -> None:
    source = FakeJournal()
    model = JournalTableModel(source)
    model.load("inc")
    assert model.index(54_321, 0).data(NUMBER_ROLE) == 54_322
    assert source.fetch_calls == []
    assert model.row_of(54_322) == 54_321
    assert model.row_of(100_001) is None


def test_model_passes_qt_model_tester(qtmodeltester, db, actor, journal_filler) -> None:
    incident = journal_filler(db, actor, entries=30)
    service = JournalService(db, actor)
    service.correct(incident, 3, "Berichtigung: Pegel Düren 2,20 m.")
    model = JournalTableModel(JournalService(db))
    model.load(incident)
    qtmodeltester.check(model)
    model.set_filter(JournalFilter(text="Pegel"))
    qtmodeltester.check(model)
    model.clear()
    qtmodeltester.check(model)


def test_corrections_are_struck_through_and_hinted(db, actor, journal_filler) -> None:
    incident = journal_filler(db, actor, entries=5)
    service = JournalService(db, actor)
    correction = service.correct(incident, 2, "Berichtigung: richtig ist Pegel Düren 2,30 m.")
    model = JournalTableModel(JournalService(db))
    model.load(incident)

    original_row = model.row_of(2)
    text_index = model.index(original_row, JournalColumn.TEXT)
    font = text_index.data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.strikeOut()
    hint = model.index(original_row, JournalColumn.CORRECTION).data()
    assert hint == f"berichtigt durch Nr. {correction.number}"
    # The number and the hint stay plain, so the reader can follow them.
    number_font = model.index(original_row, JournalColumn.NUMBER).data(Qt.ItemDataRole.FontRole)
    assert number_font is None or not number_font.strikeOut()
    # The original stays readable: its full text is still shown.
    assert "Pegel" in text_index.data() or "Einsätze" in text_index.data()

    row = model.row_of(correction.number)
    assert model.index(row, JournalColumn.CORRECTION).data() == "Berichtigung zu Nr. 2"
    plain = model.index(row, JournalColumn.TEXT).data(Qt.ItemDataRole.FontRole)
    assert plain is None or not plain.strikeOut()
    entry = model.index(row, JournalColumn.KIND).data(ENTRY_ROLE)
    assert isinstance(entry, EntryView) and entry.corrects == 2


def test_columns_show_times_and_dtg(db, actor, journal_filler) -> None:
    incident = journal_filler(db, actor, entries=2)
    model = JournalTableModel(JournalService(db))
    model.load(incident)
    entry = model.entry(0)
    assert entry is not None
    recorded = model.index(0, JournalColumn.RECORDED).data()
    from krisenstab.domain.timefmt import format_dtg, format_local

    assert format_local(entry.recorded_at) in recorded
    assert format_dtg(entry.recorded_at) in recorded
    assert model.index(0, JournalColumn.FUNCTION).data() == "S2"
    assert model.index(0, JournalColumn.AUTHOR).data() == "Max Mustermann"
    assert model.index(0, JournalColumn.KIND).data() == "System"
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert titles[0] == "Nr." and "Berichtigung" in titles[-1]
    assert model.headerData(0, Qt.Orientation.Vertical) is None


def test_observed_is_short_on_the_same_day() -> None:
    entry = _view(1)
    assert format_observed(entry) == "09:00"  # 08:00 UTC = 09:00 in Berlin (winter)
    earlier = EntryView(**{**entry.__dict__, "observed_at": START - timedelta(days=1)})
    assert format_observed(earlier) == "26.11. 09:00"


def test_one_line_flattens_and_cuts() -> None:
    assert one_line("Zeile eins\n\nZeile zwei") == "Zeile eins ⏎ Zeile zwei"
    long = "x" * 5000
    cut = one_line(long, 100)
    assert cut.endswith(" …") and len(cut) <= 102


def test_refresh_appends_without_reset_and_keeps_selection(
    qtbot, db, actor, journal_filler
) -> None:
    incident = journal_filler(db, actor, entries=8)
    model = JournalTableModel(JournalService(db))
    model.load(incident)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.selectionModel().setCurrentIndex(
        model.index(3, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))

    JournalService(db, actor).add(incident, "Neue Meldung von einem anderen Platz.")
    with qtbot.waitSignal(model.rowsInserted):
        assert model.refresh()
    assert not resets
    assert model.rowCount() == 9
    assert view.currentIndex().row() == 3
    assert view.selectionModel().isRowSelected(3)
    assert model.refresh() is False


def test_refresh_shows_new_correction_of_cached_row(db, actor, journal_filler) -> None:
    incident = journal_filler(db, actor, entries=4)
    model = JournalTableModel(JournalService(db))
    model.load(incident, JournalFilter(text="Düren"))
    row = model.row_of(2)
    assert row is not None
    assert model.index(row, JournalColumn.CORRECTION).data() == ""
    # The filter hides the correction itself; the cached original must
    # still learn that it has been corrected.
    JournalService(db, actor).correct(incident, 2, "Berichtigung: Pegel Jülich 2,00 m.")
    model.refresh()
    assert model.index(row, JournalColumn.CORRECTION).data().startswith("berichtigt durch")


def test_filter_narrows_the_numbers(db, actor, journal_filler) -> None:
    incident = journal_filler(db, actor, entries=11)
    model = JournalTableModel(JournalService(db))
    model.load(incident)
    assert model.rowCount() == 11
    model.set_filter(JournalFilter(text="pegel"))
    assert model.rowCount() == 4
    assert all("Pegel" in model.index(r, JournalColumn.TEXT).data() for r in range(4))
    model.set_filter(JournalFilter(functions=("S3",)))
    assert {model.index(r, JournalColumn.FUNCTION).data() for r in range(model.rowCount())} == {
        "S3"
    }


@pytest.mark.parametrize("row", [-1, 10_000])
def test_out_of_range_rows_give_nothing(row: int) -> None:
    model = JournalTableModel(FakeJournal(total=10))
    model.load("inc")
    assert model.entry(row) is None


def test_a_failing_fetch_is_reported_once(qtbot) -> None:
    from krisenstab.store.errors import DatabaseBusyError

    source = FakeJournal(total=500)
    model = JournalTableModel(source)
    model.load("inc")

    def busy(incident_id, numbers):  # type: ignore[no-untyped-def]
        raise DatabaseBusyError("Die Datenbank ist gerade von einem anderen Programm belegt.")

    source.fetch = busy  # type: ignore[method-assign]
    messages: list[str] = []
    model.fetch_failed.connect(messages.append)
    assert model.index(0, JournalColumn.TEXT).data() is None
    assert model.index(1, JournalColumn.TEXT).data() is None
    assert messages == ["Die Datenbank ist gerade von einem anderen Programm belegt."]
    assert model.index(0, 0).data(NUMBER_ROLE) == 1
    del source.fetch
    assert model.index(0, JournalColumn.TEXT).data() == "Beispielmeldung 1"
