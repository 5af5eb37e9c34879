"""Models of the Lage tab: report list, ETB choice list (lazy), filter; qtmodeltester."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from krisenstab.domain.report import EntryLine, ReportContent
from krisenstab.gui.report_editor import (
    EntryFilterProxy,
    ReportEditor,
    data_sections_html,
    parse_meeting_time,
)
from krisenstab.gui.report_model import (
    FETCH_BATCH,
    REPORT_ROLE,
    EntryChoiceModel,
    EntryColumn,
    ReportColumn,
    ReportListModel,
)
from krisenstab.services.reports import ReportService

T0 = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)


def entries(count: int) -> list[EntryLine]:
    return [
        EntryLine(
            number=n,
            recorded_at=T0 + timedelta(minutes=n),
            function="S2" if n % 2 else "S3",
            author="Muster",
            kind="Entscheidung" if n % 7 == 0 else "Lage",
            text=f"Pegel Muster-Bach {n} cm" + (" <b>fett</b> & Co" if n == 5 else ""),
            corrected_by=(n + 1,) if n == 3 else (),
        )
        for n in range(1, count + 1)
    ]


def released_and_draft(db, actor, incident_id):  # type: ignore[no-untyped-def]
    service = ReportService(db, actor)
    service.create_draft(incident_id)
    service.release(incident_id, 1, allow_empty=True)
    service.create_draft(incident_id)
    return service.list(incident_id)


def test_report_list_model_passes_qt_model_tester(qtmodeltester, db, actor, incident_id) -> None:
    model = ReportListModel()
    qtmodeltester.check(model)
    model.set_reports(released_and_draft(db, actor, incident_id))
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    # Newest first: the draft is on top.
    assert model.data(model.index(0, ReportColumn.NUMBER)) == "2"
    assert model.data(model.index(0, ReportColumn.STATUS)) == "Entwurf"
    assert model.data(model.index(0, ReportColumn.RELEASED_AT)) == "—"
    assert model.data(model.index(1, ReportColumn.STATUS)) == "freigegeben"
    assert model.data(model.index(1, ReportColumn.RELEASED_BY)) == "Max Mustermann"
    assert "S2" in model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(1, 0), REPORT_ROLE).number == 1
    assert model.row_of(1) == 1 and model.row_of(9) is None


def test_entry_model_passes_qt_model_tester_and_fetches_lazily(qtmodeltester) -> None:
    qtmodeltester.check(EntryChoiceModel())
    model = EntryChoiceModel()
    model.set_entries(entries(FETCH_BATCH * 2 + 7), chosen=(7, 14))
    assert model.rowCount() == FETCH_BATCH
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == FETCH_BATCH * 2
    qtmodeltester.check(model)
    model.fetch_all()
    assert model.rowCount() == FETCH_BATCH * 2 + 7
    assert not model.canFetchMore()
    qtmodeltester.check(model)


def test_entry_model_ticks_and_reports_choices() -> None:
    model = EntryChoiceModel()
    changes: list[int] = []
    model.chosen_changed.connect(lambda: changes.append(1))
    model.set_entries(entries(10), chosen=(2, 99))
    assert model.chosen() == (2,)
    assert model.chosen_all() == (2, 99)  # not listed any more, but not lost either
    index = model.index(4, EntryColumn.CHOSEN)
    assert model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
    assert model.setData(index, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert model.chosen() == (2, 5)
    assert model.data(index, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert model.toggle_row(1)
    assert model.chosen() == (5,)
    assert not model.setData(model.index(1, EntryColumn.TEXT), "x", Qt.ItemDataRole.EditRole)
    assert len(changes) >= 3
    # Markup stays text; corrected entries are struck out and say by which entry.
    assert "<b>fett</b> & Co" in model.data(model.index(4, EntryColumn.TEXT))
    assert "berichtigt durch Nr. 4" in model.data(model.index(2, EntryColumn.TEXT))
    assert model.data(model.index(2, EntryColumn.TEXT), Qt.ItemDataRole.FontRole).strikeOut()


def test_read_only_entry_model_refuses_ticks() -> None:
    model = EntryChoiceModel()
    model.set_entries(entries(3), chosen=(1, 2, 3), editable=False)
    index = model.index(0, EntryColumn.CHOSEN)
    assert not model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
    assert not model.setData(index, Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert model.chosen() == (1, 2, 3)


def test_filter_proxy_sees_unfetched_rows_and_only_chosen(qtmodeltester) -> None:
    model = EntryChoiceModel()
    model.set_entries(entries(FETCH_BATCH + 50), chosen=(3, FETCH_BATCH + 40))
    proxy = EntryFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_filter(f"{FETCH_BATCH + 40} cm", False)
    assert proxy.rowCount() == 1
    proxy.set_filter("", True)
    assert proxy.rowCount() == 2
    proxy.set_filter("entscheidung", False)
    assert proxy.rowCount() == (FETCH_BATCH + 50) // 7
    qtmodeltester.check(proxy)


def test_data_sections_escape_user_text() -> None:
    content = ReportContent()
    html = data_sections_html(content, lambda s: s)
    assert "Noch nicht vorbefüllt" in html and "Keine KRITIS-Daten" in html
    from krisenstab.domain.report import FacilityLine, KritisData

    hostile = FacilityLine(facility_id="f1", name="<img src=http://x>", status="ausgefallen")
    content = dataclasses.replace(
        content, kritis=KritisData(available=True, facility_count=1, affected=(hostile,))
    )
    html = data_sections_html(content, lambda s: s)
    assert "<img" not in html and "&lt;img src=http://x&gt;" in html


def test_meeting_time_means_the_next_such_moment() -> None:
    now = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)  # 20:00 in Berlin
    assert parse_meeting_time("", now) is None
    later = parse_meeting_time("21:30", now)
    assert later is not None and later > now and later - now < timedelta(hours=2)
    tomorrow = parse_meeting_time("08:00", now)
    assert tomorrow is not None and timedelta(hours=10) < tomorrow - now < timedelta(hours=13)


def test_editor_round_trips_content(qtbot, db, actor, incident_id) -> None:
    service = ReportService(db, actor)
    draft = service.create_draft(incident_id)
    content = dataclasses.replace(
        draft.content,
        overview="Übersicht (Muster)",
        resources={24: "Sandsäcke (Muster)"},
        distribution=("Bezirksregierung Köln (Muster)",),
        severity="Severe",
    )
    draft = service.update_draft(incident_id, 1, content=content, expected_revision=draft.revision)
    editor = ReportEditor()
    qtbot.addWidget(editor)
    editor.show_report(draft, [], editable=True, can_release=True)
    assert not editor.is_dirty()
    again = editor.content()
    assert again.overview == "Übersicht (Muster)"
    assert again.resource(24) == "Sandsäcke (Muster)"
    assert again.distribution == ("Bezirksregierung Köln (Muster)",)
    assert again.severity == "Severe"
    assert again.kritis == draft.content.kritis
    assert editor.kind_value() == "Erstmeldung"
    editor.classification_combo.setEditText("VS – NUR FÜR DEN DIENSTGEBRAUCH")
    assert editor.is_dirty()
    assert editor.classification_value() == "VS – NUR FÜR DEN DIENSTGEBRAUCH"
