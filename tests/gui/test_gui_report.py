"""The Lage tab: draft, edit, save with conflict detection, release after the warning, read-only."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from PySide6.QtCore import Qt

from krisenstab.domain.journal import JournalFilter
from krisenstab.gui.report_editor import PAGE_JOURNAL
from krisenstab.services.context import Actor
from krisenstab.services.journal import JournalService
from krisenstab.services.reports import ReportService

WAIT_MS = 20_000


def report_tab(window: Any) -> Any:
    return window.show_tab("report")


def wait_idle(qtbot: Any, tab: Any) -> None:
    qtbot.waitUntil(lambda: not tab.jobs.busy and not tab.documents.busy, timeout=WAIT_MS)


def new_draft(qtbot: Any, tab: Any) -> Any:
    tab.new_action.trigger()
    qtbot.waitUntil(lambda: tab.editor.report is not None, timeout=WAIT_MS)
    wait_idle(qtbot, tab)
    return tab.editor.report


def other_desk(actor: Actor) -> Actor:
    return Actor(person="Erika Musterfrau", function="Leiter des Stabes", workstation_id="ws-2")


def test_tab_starts_empty_and_offers_the_first_report(window, qtbot) -> None:
    tab = report_tab(window)
    assert tab.model.rowCount() == 0
    assert tab.editor.report is None
    assert "noch keinen Lagebericht" in tab.editor.heading.text()
    assert tab.new_button.isEnabled()
    assert not tab.editor.save_button.isEnabled()


def test_new_report_is_a_predrafted_erstmeldung(window, qtbot, db, incident_id) -> None:
    tab = report_tab(window)
    report = new_draft(qtbot, tab)
    assert (report.number, report.kind, report.is_draft) == (1, "Erstmeldung", True)
    assert report.content.data_as_of is not None
    assert tab.model.rowCount() == 1
    assert tab.editor.kind_combo.currentText() == "Erstmeldung"
    # The ETB entries of the period are offered, with the decisions ticked.
    candidates = JournalService(db).list(incident_id, JournalFilter())
    assert tab.editor.entry_model.total == len(candidates)
    decisions = {e.number for e in candidates if e.kind == "Entscheidung"}
    assert set(tab.editor.entry_model.chosen()) == decisions
    assert "Lage KRITIS" in tab.editor.data_view.toPlainText()
    assert not tab.editor.is_dirty()


def test_edit_save_and_release_with_empty_sections_warning(
    window, qtbot, db, incident_id, typer, fake_dialogs
) -> None:
    tab = report_tab(window)
    report = new_draft(qtbot, tab)
    editor = tab.editor
    editor.focus_first()
    typer(editor.texts["overview"], "Starkregen über dem Kreis (Muster), Pegel steigen.")
    editor.pages.setCurrentIndex(PAGE_JOURNAL)
    table = editor.entry_table
    table.setFocus()
    table.setCurrentIndex(editor.entry_proxy.index(2, 0))
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert 3 in editor.entry_model.chosen()
    assert editor.is_dirty()
    assert "nicht gespeichert" in (tab.unsaved_work() or "")

    qtbot.keyClick(table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not editor.is_dirty()
    stored = ReportService(db).get(incident_id, 1)
    assert stored.content.overview == "Starkregen über dem Kreis (Muster), Pegel steigen."
    assert 3 in stored.content.significant_entries
    assert stored.revision == report.revision + 1
    assert editor.report.revision == stored.revision

    released_seen: list[int] = []

    class Scheduler:
        def report_released(self) -> None:
            released_seen.append(1)

    window.backup_scheduler = Scheduler()
    fake_dialogs.confirms.append(True)
    editor.release_button.click()
    title, question = fake_dialogs.confirmed[-1]
    assert "freigeben" in title
    assert "Prognose" in question and "Trotzdem freigeben?" in question
    qtbot.waitUntil(
        lambda: editor.report is not None and editor.report.is_released, timeout=WAIT_MS
    )
    wait_idle(qtbot, tab)
    released = ReportService(db).get(incident_id, 1)
    assert released.is_released and released.pdf_sha256
    assert released.released_by == "Max Mustermann"
    assert released_seen == [1]
    last = JournalService(db).list(incident_id, JournalFilter())[-1]
    assert "Lagebericht Nr. 1" in last.text and "freigegeben" in last.text
    # Frozen: nothing can be typed or saved any more.
    assert editor.texts["overview"].isReadOnly()
    assert not editor.save_button.isVisible() and not editor.release_button.isVisible()
    assert not tab.save()
    assert tab.model.data(tab.model.index(0, 2)) == "freigegeben"


def test_declined_release_leaves_the_draft(window, qtbot, db, incident_id, fake_dialogs) -> None:
    tab = report_tab(window)
    new_draft(qtbot, tab)
    fake_dialogs.confirms.append(False)
    tab.release()
    wait_idle(qtbot, tab)
    assert ReportService(db).get(incident_id, 1).is_draft
    assert tab.editor.report.is_draft and not tab.editor.texts["overview"].isReadOnly()


def test_complete_report_is_released_after_a_plain_question(
    window, qtbot, db, incident_id, fake_dialogs
) -> None:
    tab = report_tab(window)
    report = new_draft(qtbot, tab)
    editor = tab.editor
    for name, edit in editor.texts.items():
        edit.setPlainText(f"Muster-Text für {name}.")
    for edit in editor.resource_edits.values():
        edit.setPlainText("2 Pumpen (Muster)")
    editor.meeting_edit.setText("20:00")
    editor.distribution_edit.setPlainText("Bezirksregierung Köln (Muster)\nLeitstelle (Muster)")
    editor.entry_model.set_chosen(2, True)
    assert editor.empty_label.text() == ""
    assert tab.save()
    fake_dialogs.confirms.append(True)
    tab.release()
    assert "leer" not in fake_dialogs.confirmed[-1][1]
    qtbot.waitUntil(
        lambda: editor.report is not None and editor.report.is_released, timeout=WAIT_MS
    )
    stored = ReportService(db).get(incident_id, report.number)
    assert stored.content.distribution == ("Bezirksregierung Köln (Muster)", "Leitstelle (Muster)")
    assert stored.content.next_meeting_at is not None
    assert stored.content.resource(72) == "2 Pumpen (Muster)"


def test_save_is_refused_after_a_change_elsewhere(
    window, qtbot, db, incident_id, actor, typer
) -> None:
    tab = report_tab(window)
    report = new_draft(qtbot, tab)
    elsewhere = ReportService(db, other_desk(actor))
    changed = dataclasses.replace(report.content, damage="Schadenlage vom anderen Platz.")
    elsewhere.update_draft(incident_id, 1, content=changed, expected_revision=report.revision)

    typer(tab.editor.texts["damage"], "Meine Schadenlage.")
    assert not tab.save()
    assert "anderen Platz" in tab.message_bar.text
    assert tab.editor.is_dirty()  # the typed text is still there to copy
    assert ReportService(db).get(incident_id, 1).content.damage == "Schadenlage vom anderen Platz."


def test_poll_reloads_a_clean_editor_and_warns_a_dirty_one(
    window, qtbot, db, incident_id, actor, typer
) -> None:
    tab = report_tab(window)
    report = new_draft(qtbot, tab)
    elsewhere = ReportService(db, other_desk(actor))
    first = dataclasses.replace(report.content, prognosis="Prognose vom anderen Platz.")
    saved = elsewhere.update_draft(incident_id, 1, content=first, expected_revision=report.revision)
    tab.poll()
    assert tab.editor.texts["prognosis"].toPlainText() == "Prognose vom anderen Platz."

    typer(tab.editor.texts["damage"], "Noch nicht gespeichert.")
    second = dataclasses.replace(first, prognosis="Zweite Fassung.")
    elsewhere.update_draft(incident_id, 1, content=second, expected_revision=saved.revision)
    tab.poll()
    assert tab.message_bar.level == "warning"
    assert "anderen Platz" in tab.message_bar.text
    assert tab.editor.texts["damage"].toPlainText() == "Noch nicht gespeichert."


def test_released_report_is_read_only(window, qtbot, db, incident_id, actor) -> None:
    service = ReportService(db, actor)
    draft = service.create_draft(incident_id)
    content = dataclasses.replace(draft.content, overview="Freigegebene Lage (Muster).")
    draft = service.update_draft(incident_id, 1, content=content, expected_revision=draft.revision)
    service.release(incident_id, 1, allow_empty=True)

    tab = report_tab(window)
    editor = tab.editor
    assert editor.report is not None and editor.report.is_released
    overview = editor.texts["overview"]
    assert overview.isReadOnly()
    overview.setFocus()
    qtbot.keyClicks(overview, "xyz")
    assert overview.toPlainText() == "Freigegebene Lage (Muster)."
    assert not editor.is_dirty()
    for combo in (editor.kind_combo, editor.classification_combo, editor.severity_combo):
        assert not combo.isEnabled()
    assert not editor.predraft_button.isVisible()
    assert not editor.entry_model.editable
    index = editor.entry_model.index(0, 0)
    if index.isValid():
        assert not editor.entry_model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
    assert "unveränderlich" in editor.state_label.text()
    assert tab.export_sitrep_action.isEnabled()
    assert not tab.save_action.isEnabled() and not tab.release_action.isEnabled()


def test_predraft_keeps_free_text(window, qtbot, db, incident_id, typer) -> None:
    tab = report_tab(window)
    new_draft(qtbot, tab)
    typer(tab.editor.texts["overview"], "Bleibt stehen.")
    tab.editor.predraft_button.click()
    wait_idle(qtbot, tab)
    stored = ReportService(db).get(incident_id, 1)
    assert stored.content.overview == "Bleibt stehen."
    assert tab.editor.texts["overview"].toPlainText() == "Bleibt stehen."
    assert not tab.editor.is_dirty()


def test_bad_meeting_time_is_refused_with_a_german_reason(window, qtbot, db, incident_id) -> None:
    tab = report_tab(window)
    new_draft(qtbot, tab)
    tab.editor.meeting_edit.setText("morgen irgendwann")
    assert tab.editor.meeting_hint.text()
    assert not tab.save()
    assert "Lagebesprechung" in tab.message_bar.text


def test_discard_draft_after_confirmation(window, qtbot, db, incident_id, fake_dialogs) -> None:
    tab = report_tab(window)
    new_draft(qtbot, tab)
    fake_dialogs.confirms.append(True)
    tab.editor.discard_button.click()
    assert ReportService(db).list(incident_id) == []
    assert tab.model.rowCount() == 0


def test_new_journal_entries_appear_as_candidates_keeping_choices(
    window, qtbot, db, incident_id, actor
) -> None:
    tab = report_tab(window)
    new_draft(qtbot, tab)
    model = tab.editor.entry_model
    model.set_chosen(4, True)
    before = model.total
    JournalService(db, actor).add(incident_id, "Neuer Eintrag für den Bericht (Muster).")
    window.shared.signals.journal_changed.emit(incident_id)
    assert model.total == before + 1
    assert 4 in model.chosen()


def test_staff_member_may_draft_but_not_release(
    window_factory, qtbot, db, incident_id, actor
) -> None:
    ReportService(db, actor).create_draft(incident_id)
    member = Actor(
        person="Max Mustermann",
        function="S2",
        workstation_id=actor.workstation_id,
        account="konto-s2",
        roles=("Stabsmitglied",),
    )
    window = window_factory(db, member)
    tab = report_tab(window)
    assert tab.editor.report is not None and tab.editor.report.is_draft
    assert tab.editor.save_button.isEnabled()
    assert not tab.editor.release_button.isEnabled()
    assert "Leitung" in tab.editor.release_button.toolTip()
    tab.release()
    assert "Leitung" in tab.message_bar.text
    assert ReportService(db).get(incident_id, 1).is_draft


@pytest.mark.parametrize("kind", ["Folgemeldung"])
def test_kind_change_is_checked_by_the_service(window, qtbot, kind) -> None:
    tab = report_tab(window)
    new_draft(qtbot, tab)
    tab.editor.kind_combo.setCurrentIndex(tab.editor.kind_combo.findData(kind))
    assert not tab.save()
    assert "Erstmeldung" in tab.message_bar.text


def test_unsaved_draft_blocks_switching_reports_unless_confirmed(
    window, qtbot, db, incident_id, actor, typer, fake_dialogs
) -> None:
    service = ReportService(db, actor)
    service.create_draft(incident_id)
    service.release(incident_id, 1, allow_empty=True)
    tab = report_tab(window)
    new_draft(qtbot, tab)
    assert tab.editor.report.number == 2
    typer(tab.editor.texts["overview"], "Ungespeichert.")
    fake_dialogs.confirms.append(False)
    tab.table.setCurrentIndex(tab.model.index(tab.model.row_of(1), 0))
    assert tab.editor.report.number == 2
    assert tab.editor.texts["overview"].toPlainText() == "Ungespeichert."
    fake_dialogs.confirms.append(True)
    tab.table.setCurrentIndex(tab.model.index(tab.model.row_of(1), 0))
    assert tab.editor.report.number == 1


def test_reload_with_unsaved_text_asks_first(window, qtbot, typer, fake_dialogs) -> None:
    tab = report_tab(window)
    new_draft(qtbot, tab)
    typer(tab.editor.texts["overview"], "Noch offen.")
    fake_dialogs.confirms.append(False)
    tab.reload_action.trigger()
    assert tab.editor.texts["overview"].toPlainText() == "Noch offen."
    fake_dialogs.confirms.append(True)
    tab.reload_action.trigger()
    assert tab.editor.texts["overview"].toPlainText() == ""
    assert not tab.editor.is_dirty()


def test_switching_incident_saves_the_draft(window, qtbot, db, actor, incident_id, typer) -> None:
    from krisenstab.services.incidents import IncidentService

    tab = report_tab(window)
    new_draft(qtbot, tab)
    typer(tab.editor.texts["damage"], "Vor dem Wechsel geschrieben.")
    other = IncidentService(db).create("Zweites Muster-Ereignis", actor)
    window.shared.set_incident(IncidentService(db).get(other.id))
    assert tab.editor.report is None
    assert ReportService(db).get(incident_id, 1).content.damage == "Vor dem Wechsel geschrieben."
