"""KRITIS table models: model tester, sorting, filtering, status shown by colour, icon and text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QPersistentModelIndex, QPointF, Qt
from PySide6.QtGui import QColor
from test_gui_kritis_support import by_name, facility_service

from krisenstab.domain.cascade import Cause, CauseKind, TimelineEvent
from krisenstab.domain.facility import FacilityFilter
from krisenstab.domain.power import FacilityStatus, PowerWarning
from krisenstab.domain.timefmt import utcnow
from krisenstab.gui.kritis_cascade import CascadeChart, fmt_after, nice_step
from krisenstab.gui.kritis_model import (
    FACILITY_ROLE,
    ID_ROLE,
    STATUS_KEYS,
    FacilityColumn,
    FacilityFilterProxy,
    FacilityTableModel,
    RecordColumn,
    RecordTableModel,
    fmt_hours,
    fmt_int,
    status_icon,
    warning_icon,
)

# The demo register fixtures (kritis_db, kritis_shared, kritis).
pytest_plugins = ["test_gui_kritis_support"]

DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture
def views(kritis_db):
    return facility_service(kritis_db).list()


@pytest.fixture
def model(qapp, views):
    m = FacilityTableModel()
    m.set_views(views)
    return m


@pytest.fixture
def proxy(model):
    p = FacilityFilterProxy()
    p.setSourceModel(model)
    return p


def names(proxy) -> list[str]:
    return [proxy.index(r, FacilityColumn.NAME).data() for r in range(proxy.rowCount())]


def test_models_pass_the_model_tester(qtmodeltester, model, proxy) -> None:
    qtmodeltester.check(model)
    proxy.set_filter(FacilityFilter(statuses=(FacilityStatus.EMERGENCY_POWER.value,)))
    qtmodeltester.check(proxy)


def test_record_models_of_the_tab_pass_the_model_tester(qtmodeltester, kritis, actor) -> None:
    from krisenstab.services.facilities import FacilityService

    target = by_name(kritis, "Wasserwerk Kreuzau")
    FacilityService(kritis.shared.db, actor).update(target.id, {"notes": "Geändert (Muster)."})
    kritis.reload()
    kritis.show_facility(target.id)
    kritis.show_page(2)  # the cascade computes on first show
    models = [
        kritis.detail.suppliers_model,
        kritis.detail.dependents_model,
        kritis.detail.status_model,
        kritis.detail.change_model,
        kritis.power.board_model,
        kritis.power.fuel_model,
        kritis.cascade.timeline_model,
    ]
    for m in models:
        assert m.rowCount() > 0, m
        qtmodeltester.check(m)
    empty = RecordTableModel([RecordColumn("Spalte", str)])
    qtmodeltester.check(empty)


def test_rows_show_status_by_text_icon_and_colour(model) -> None:
    seen = {}
    for row in range(model.rowCount()):
        index = model.index(row, FacilityColumn.STATUS)
        view = index.data(FACILITY_ROLE)
        assert index.data(DISPLAY) == view.status
        assert not index.data(Qt.ItemDataRole.DecorationRole).isNull()
        seen[view.status] = index.data(Qt.ItemDataRole.BackgroundRole)
    # The demo has every status; each has its own colour, text and icon shape.
    assert set(seen) == {s.value for s in FacilityStatus}
    assert len({QColor(c).name() for c in seen.values()}) == len(seen)
    images = [status_icon(s.value).pixmap(16, 16).toImage() for s in STATUS_KEYS]
    assert all(
        images[i] != images[j] for i in range(len(images)) for j in range(i + 1, len(images))
    )
    assert status_icon("betriebsbereit") is status_icon("betriebsbereit")  # cached
    assert not warning_icon(PowerWarning.CRITICAL).isNull()


def test_power_column_counts_down_and_warns(model) -> None:
    row = model.row_of(
        next(v.id for v in model.views if v.name.startswith("Feuerwehrhaus Kreuzau"))
    )
    index = model.index(row, FacilityColumn.POWER)
    assert index.data(DISPLAY).startswith("noch 1 h 5")
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None  # critical: coloured
    model.set_now(utcnow() + timedelta(hours=3))
    assert index.data(DISPLAY).startswith("leer")
    standby = next(v for v in model.views if v.emergency_power and v.status == "betriebsbereit")
    index = model.index(model.row_of(standby.id), FacilityColumn.POWER)
    assert index.data(DISPLAY) == fmt_hours(standby.autonomy_hours)
    without = next(v for v in model.views if not v.emergency_power)
    assert model.index(model.row_of(without.id), FacilityColumn.POWER).data(DISPLAY) == "kein"


def test_sorting_happens_in_the_model_and_keeps_the_selection(model, proxy) -> None:
    # The service order (municipality, name) is kept until the user sorts.
    municipalities = [proxy.index(r, FacilityColumn.MUNICIPALITY).data() for r in range(5)]
    assert municipalities == sorted(municipalities, key=str.casefold)
    chosen = QPersistentModelIndex(proxy.index(10, FacilityColumn.NAME))
    name = chosen.data()
    proxy.sort(FacilityColumn.PERSONS, Qt.SortOrder.DescendingOrder)
    persons = [
        proxy.index(r, 0).data(FACILITY_ROLE).persons_supplied for r in range(proxy.rowCount())
    ]
    assert persons == sorted(persons, reverse=True)
    assert chosen.isValid() and chosen.data() == name
    proxy.sort(FacilityColumn.STATUS, Qt.SortOrder.AscendingOrder)
    statuses = [proxy.index(r, 0).data() for r in range(proxy.rowCount())]
    order = [s.value for s in STATUS_KEYS]
    assert [order.index(s) for s in statuses] == sorted(order.index(s) for s in statuses)
    assert model.sort_state == (FacilityColumn.STATUS, Qt.SortOrder.AscendingOrder)
    # A reload keeps the user's sort.
    model.set_views(list(reversed(list(model.views))))
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == statuses


def test_sorting_by_remaining_power_puts_the_most_urgent_first(model, proxy) -> None:
    proxy.sort(FacilityColumn.POWER, Qt.SortOrder.AscendingOrder)
    first = [proxy.index(r, FacilityColumn.NAME).data() for r in range(2)]
    assert first[0].startswith("Feuerwehrhaus Kreuzau")
    assert first[1].startswith("Seniorenzentrum Kreuzau")


def test_filter_by_sector_status_municipality_and_text(model, proxy) -> None:
    total = model.rowCount()
    assert proxy.rowCount() == total
    proxy.set_filter(FacilityFilter(municipalities=("Kreuzau",)))
    assert proxy.rowCount() > 5
    assert all(
        proxy.index(r, 0).data(FACILITY_ROLE).municipality == "Kreuzau"
        for r in range(proxy.rowCount())
    )
    proxy.set_filter(
        FacilityFilter(
            municipalities=("Kreuzau",), statuses=(FacilityStatus.EMERGENCY_POWER.value,)
        )
    )
    assert proxy.rowCount() == 5
    proxy.set_filter(FacilityFilter(sectors=("Wasser",), text="kreuzau"))
    assert set(names(proxy)) >= {"Wasserwerk Kreuzau (Muster)", "Hochbehälter Kreuzau-Süd (Muster)"}
    assert all(
        proxy.index(r, 0).data(FACILITY_ROLE).sector == "Wasser" for r in range(proxy.rowCount())
    )
    proxy.set_filter(FacilityFilter(text="gibt es nicht"))
    assert proxy.rowCount() == 0
    proxy.set_filter(FacilityFilter())
    assert proxy.rowCount() == total


def test_reload_with_the_same_rows_updates_in_place(qtbot, model, views) -> None:
    changed = []
    model.dataChanged.connect(lambda *_a: changed.append(True))
    with qtbot.assertNotEmitted(model.modelReset):
        model.set_views(views)
    assert changed
    view = views[3]
    assert model.update_view(view)
    assert model.index(model.row_of(view.id), 0).data(ID_ROLE) == view.id
    with qtbot.waitSignal(model.modelReset):
        model.set_views(views[:-1])
    assert model.row_of(views[-1].id) is None
    assert not model.update_view(views[-1])


def test_formatting_helpers() -> None:
    assert fmt_int(125000) == "125.000"
    assert fmt_hours(18.0) == "18 h"
    assert fmt_hours(1.5) == "1,5 h"
    assert fmt_hours(None) == ""
    assert fmt_after(-22.0) == "bereits (vor 22 h)"
    assert fmt_after(0.0) == "sofort"
    assert fmt_after(7.5) == "7 h 30 min"
    assert nice_step(86855, 4) == 25000
    assert nice_step(0) == 1.0


def _event(hours: float, name: str, persons: int, cumulative: int) -> TimelineEvent:
    return TimelineEvent(
        hours, name, name, persons, Cause(CauseKind.ASSUMED), "Annahme", cumulative, "Kreuzau"
    )


def test_chart_steps_markers_and_hit_test(qtbot) -> None:
    chart = CascadeChart()
    qtbot.addWidget(chart)
    chart.resize(600, 260)
    events = [
        _event(-3.0, "Vorher (Muster)", 1000, 1000),
        _event(0.0, "Umspannwerk (Muster)", 9000, 10000),
        _event(8.0, "Wasserwerk (Muster)", 25000, 35000),
        _event(24.0, "Feuerwehrhaus (Muster)", 0, 35000),
    ]
    chart.set_timeline(events, 72)
    assert chart.baseline == 1000 and chart.before_count == 1
    assert [m.index for m in chart.markers] == [1, 2, 3]
    chart.show()
    qtbot.waitExposed(chart)
    image = chart.grab().toImage()
    assert image.width() == 600
    # The marker of the Wasserwerk is found where it is drawn.
    fm = chart.fontMetrics()
    y_max, _ = chart._y_max()
    plot = chart._plot_rect(fm, y_max)
    point = chart._point(plot, 8.0, 35000, y_max)
    assert chart.marker_at(QPointF(point.x() + 2, point.y() - 1)).name == "Wasserwerk (Muster)"
    assert chart.marker_at(QPointF(plot.right() - 3, plot.bottom() - 3)) is None
    with qtbot.waitSignal(chart.marker_clicked) as clicked:
        qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=point.toPoint())
    assert clicked.args == [2]
    chart.set_highlight(2)
    chart.grab()
    chart.set_timeline([], 72)
    assert chart.markers == [] and "Kein Ausfall" in chart.empty_text
    chart.grab()
