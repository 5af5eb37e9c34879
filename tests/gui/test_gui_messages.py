"""Nachrichten tab: the Vierfachvordruck, acknowledging by keyboard, triage, answers, tasks."""

from __future__ import annotations

from PySide6.QtCore import Qt

from krisenstab.domain.journal import EntryKind
from krisenstab.domain.message import MessageView
from krisenstab.gui.messages_form import MessageForm
from krisenstab.gui.messages_model import (
    MESSAGE_ID_ROLE,
    PAGE_SIZE,
    ListKind,
    MessageColumn,
    MessageListModel,
)
from krisenstab.services.context import Actor
from krisenstab.services.journal import JournalService
from krisenstab.services.messages import MessageService
from krisenstab.services.tasks import TaskService

CTRL = Qt.KeyboardModifier.ControlModifier


def _desk(db, actor) -> MessageService:
    who = Actor(person="Ben Musterberg", function="Fernmelder", workstation_id=actor.workstation_id)
    return MessageService(db, who)


def _incoming(
    db, actor, incident_id: str, text: str, to=("S2",), priority="einfach"
) -> MessageView:
    return _desk(db, actor).record_incoming(
        incident_id,
        sender="Leitstelle Kreis Düren (Muster)",
        content=text,
        to_functions=to,
        priority=priority,
        channel="Funk",
    )


def _messages_tab(qtbot, window):
    tab = window.show_tab("messages")
    qtbot.waitUntil(lambda: tab.isVisible())
    return tab


def test_list_models_pass_qt_model_tester_and_page_lazily(
    qtmodeltester, db, actor, incident_id
) -> None:
    for i in range(PAGE_SIZE + 30):
        _incoming(
            db,
            actor,
            incident_id,
            f"Pegelmeldung {i}",
            priority="sofort" if i % 7 == 0 else "einfach",
        )
    service = MessageService(db)
    inbox = MessageListModel(ListKind.INBOX)

    def fetch(offset: int, limit: int):  # type: ignore[no-untyped-def]
        page = service.inbox(incident_id, "S2", offset=offset, limit=limit)
        return page.rows, page.total

    inbox.load(fetch)
    assert inbox.rowCount() == PAGE_SIZE + 30
    assert inbox.cached_pages() == 1  # only the first page was read
    qtmodeltester.check(inbox)
    # Sofort before Einfach, unacknowledged shown in bold with an open mark.
    first = inbox.index(0, MessageColumn.PRIORITY)
    assert first.data() == "Sofort"
    assert inbox.index(0, MessageColumn.STATE).data() == "● offen"
    assert inbox.index(PAGE_SIZE + 29, MessageColumn.NUMBER).data().startswith("E-")
    assert inbox.cached_pages() == 2

    register = MessageListModel(ListKind.REGISTER)

    def fetch_register(offset: int, limit: int):  # type: ignore[no-untyped-def]
        page = service.register(incident_id, offset=offset, limit=limit)
        return page.rows, page.total

    register.load(fetch_register)
    qtmodeltester.check(register)
    assert register.index(0, MessageColumn.NUMBER).data() == "E-1"
    assert register.index(0, MessageColumn.STATE).data() == "S2 ●"


def test_form_follows_the_paper_layout(qtbot) -> None:
    form = MessageForm()
    qtbot.addWidget(form)
    form.resize(900, 700)
    form.show()
    captions = [box.caption.text() for box in (
        form.box1, form.box2, form.box3, form.box4, form.box5, form.box6, form.box7,
        form.box8, form.box9, form.box10, form.box11, form.box12, form.box13,
    )]  # fmt: skip
    assert captions == [
        "(1) Aufnahmevermerk",
        "(2) Annahmevermerk",
        "(3) Beförderungsvermerk",
        "(4) Nachweisungs-Nr.",
        "(5) Spruchkopf",
        "(6) Vorrangstufe",
        "(7) Anschrift",
        "(8) Gesprächsnotiz",
        "(9) Inhalt",
        "(10) Abfassungszeit",
        "(11) Absender",
        "(12) Zeichen / Funktion",
        "(13) Quittung",
    ]

    def pos(box):  # type: ignore[no-untyped-def]
        return box.mapTo(form, box.rect().topLeft())

    # The top row, left to right: 1, 2, 3, 4.
    top = [pos(b) for b in (form.box1, form.box2, form.box3, form.box4)]
    assert len({p.y() for p in top}) == 1
    assert [p.x() for p in top] == sorted(p.x() for p in top)
    # Then 5|6, 7|8, the wide 9, 10|11|12 and 13 at the foot.
    assert pos(form.box5).y() == pos(form.box6).y() > top[0].y()
    assert pos(form.box5).x() < pos(form.box6).x()
    assert pos(form.box7).y() == pos(form.box8).y() > pos(form.box5).y()
    assert pos(form.box9).y() > pos(form.box7).y()
    assert form.box9.width() > form.box7.width()
    assert pos(form.box10).y() == pos(form.box11).y() == pos(form.box12).y() > pos(form.box9).y()
    assert pos(form.box10).x() < pos(form.box11).x() < pos(form.box12).x()
    assert pos(form.box13).y() > pos(form.box10).y()
    # Vorrangstufe in the paper's order.
    radios = list(form.priority_radios)
    assert radios == ["blitz", "sofort", "einfach"]


def test_record_an_incoming_message_with_the_keyboard(qtbot, window, db, typer) -> None:
    tab = _messages_tab(qtbot, window)
    tab.inbox_table.setFocus()
    qtbot.keyClick(tab.inbox_table, Qt.Key.Key_N, CTRL)
    form = tab.form
    assert form.composing and form.content_edit.hasFocus()
    assert form.number_label.text() == "E-neu"
    typer(form.content_edit, "Pegel Jülich 2,40 m, steigend.")
    qtbot.keyClick(form.content_edit, Qt.Key.Key_Tab)
    assert form.composed_edit.hasFocus()  # (10) follows (9), as on paper
    qtbot.keyClick(form.composed_edit, Qt.Key.Key_Tab)
    typer(form.sender_edit, "Wasserverband Rur (Muster)")
    form.recipients_edit.setFocus()
    typer(form.recipients_edit, "S2, S3")
    form.priority_radios["sofort"].setChecked(True)
    qtbot.keyClick(form.recipients_edit, Qt.Key.Key_Return, CTRL)

    views = MessageService(db).views(window.shared.incident_id)
    assert len(views) == 1
    view = views[0]
    assert view.number == "E-1" and view.priority == "sofort"
    assert view.sender == "Wasserverband Rur (Muster)"
    assert view.to == ("S2", "S3")
    assert view.intake_by == "Max Mustermann"
    assert not form.composing and form.number_label.text() == "E-1"
    entries = MessageService(db).journal_entries(view.id)
    assert entries[0].kind == EntryKind.EINGANG
    assert "E-1" in window.statusBar().currentMessage()
    assert tab.inbox_model.rowCount() == 1


def test_acknowledge_a_message_for_my_function_by_keyboard(qtbot, window, db, actor) -> None:
    incident = window.shared.incident_id
    message = _incoming(
        db, actor, incident, "Stromausfall in Kreuzau, 900 Haushalte.", to=("S2", "S4")
    )
    tab = _messages_tab(qtbot, window)
    tab.reload()
    assert tab.pages.tabText(0) == "Eingang S2 (1 offen)"
    tab.setFocus()
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert tab.inbox_table.hasFocus()
    assert tab.form.message is not None and tab.form.message.id == message.id
    assert tab.form.ack_button.isEnabled()
    qtbot.keyClick(tab.inbox_table, Qt.Key.Key_B, CTRL)

    view = MessageService(db).get(message.id)
    assert view.acknowledged_by == ("S2",)
    receipt = next(r for r in view.recipients if r.function == "S2")
    assert receipt.acknowledged_by == "Max Mustermann"
    assert "S2: ✓ Max Mustermann" in tab.form.receipts_label.text()
    assert "S4: ● offen" in tab.form.receipts_label.text()
    assert not tab.form.ack_button.isEnabled()
    assert tab.pages.tabText(0) == "Eingang S2"
    entries = MessageService(db).journal_entries(message.id)
    assert entries[-1].kind == EntryKind.EINGANG and "quittiert durch S2" in entries[-1].text
    # The ETB shows the receipt too.
    assert window.journal.model.rowCount() == JournalService(db).count(incident)


def test_triage_assigns_functions_and_moves_on(qtbot, window, db, actor, typer) -> None:
    incident = window.shared.incident_id
    first = _incoming(db, actor, incident, "Anfrage Bürgertelefon", to=())
    second = _incoming(db, actor, incident, "Sickerstelle am Deich", to=(), priority="sofort")
    tab = _messages_tab(qtbot, window)
    tab.reload()
    assert tab.pages.tabText(1) == "Sichtung (2)"
    tab.focus_triage()
    assert tab.triage_edit.hasFocus()
    # Sofort comes first in the queue.
    assert tab.triage_table.currentIndex().data(MESSAGE_ID_ROLE) == second.id
    typer(tab.triage_edit, "S3, S4")
    qtbot.keyClick(tab.triage_edit, Qt.Key.Key_Return)
    assert MessageService(db).get(second.id).to == ("S3", "S4")
    assert tab.triage_model.rowCount() == 1
    assert tab.triage_table.currentIndex().data(MESSAGE_ID_ROLE) == first.id
    assert tab.triage_edit.hasFocus() and tab.triage_edit.text() == ""
    typer(tab.triage_edit, "BuMA")
    qtbot.keyClick(tab.triage_edit, Qt.Key.Key_Return)
    assert MessageService(db).get(first.id).to == ("BuMA",)
    assert tab.pages.tabText(1) == "Sichtung"


def test_task_and_reply_from_a_message(qtbot, window, db, actor, typer) -> None:
    incident = window.shared.incident_id
    message = _incoming(db, actor, incident, "Bitte 500 Sandsäcke nach Linnich.")
    tab = _messages_tab(qtbot, window)
    tab.reload()
    tab.open_message(message.id)
    tab.inbox_table.setFocus()
    qtbot.keyClick(tab.inbox_table, Qt.Key.Key_T, CTRL)
    editor = tab.task_editor
    assert tab.right.currentWidget() is editor and editor.title_edit.hasFocus()
    assert editor.title_edit.text() == "Bitte 500 Sandsäcke nach Linnich."
    assert "E-1" in editor.heading.text()
    editor.function_combo.setEditText("S4")
    qtbot.keyClick(editor.title_edit, Qt.Key.Key_Return, CTRL)
    tasks = TaskService(db).list(incident)
    assert len(tasks) == 1 and tasks[0].source_message_id == message.id
    assert tasks[0].assigned_function == "S4"
    assert tab.right.currentWidget() is tab.form

    tab.inbox_table.setFocus()
    qtbot.keyClick(tab.inbox_table, Qt.Key.Key_R, CTRL)
    form = tab.form
    assert form.composing and form.direction == "A"
    assert form.recipients_edit.text() == "Leitstelle Kreis Düren (Muster)"
    typer(form.content_edit, "Sandsäcke unterwegs, Ankunft 40 min.")
    qtbot.keyClick(form.content_edit, Qt.Key.Key_Return, CTRL)
    reply = MessageService(db).by_number(incident, "A-1")
    assert reply.reply_to_number == "E-1"
    assert reply.sender == "S2" and reply.to == ("Leitstelle Kreis Düren (Muster)",)
    assert MessageService(db).journal_entries(reply.id)[0].kind == EntryKind.AUSGANG
    assert "Antwort auf E-1" in form.reference_label.text()


def test_outgoing_message_needs_a_recipient(qtbot, window, db, fake_dialogs) -> None:
    tab = _messages_tab(qtbot, window)
    tab.new_message("A")
    tab.form.content_edit.setPlainText("Lagemeldung folgt.")
    tab.form.request_save()
    assert "an wen" in tab.message_bar.text
    assert tab.form.recipients_edit.hasFocus()
    assert MessageService(db).views(window.shared.incident_id) == []
    assert not fake_dialogs.errors


def test_open_a_message_by_its_number(qtbot, window, db, actor, typer) -> None:
    incident = window.shared.incident_id
    _incoming(db, actor, incident, "Erste")
    second = _incoming(db, actor, incident, "Zweite", to=("S4",))
    tab = _messages_tab(qtbot, window)
    tab.reload()
    window.focus_search()
    assert tab.number_edit.hasFocus()
    typer(tab.number_edit, "e2")
    qtbot.keyClick(tab.number_edit, Qt.Key.Key_Return)
    assert tab.form.message is not None and tab.form.message.id == second.id
    assert not tab.form.ack_button.isEnabled()  # addressed to S4, not to me
