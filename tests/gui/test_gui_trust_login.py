"""Logging in: success, failure, throttling with a countdown; the open mode keeps „Wer sind Sie?“."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from test_gui_trust_support import (
    ADMIN_LOGIN,
    ADMIN_PW,
    STAFF_LOGIN,
    STAFF_PW,
    events,
    use_fast_accounts,
    with_accounts,
)

from krisenstab.gui import app as gui_app
from krisenstab.gui import trust_login
from krisenstab.gui.start_dialog import StartDialog
from krisenstab.gui.trust_login import LoginDialog
from krisenstab.services.incidents import IncidentService
from krisenstab.settings import Settings
from krisenstab.store.database import Database


@pytest.fixture(autouse=True)
def fast_accounts(monkeypatch):
    use_fast_accounts(monkeypatch)


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def login_dialog(qtbot, settings, db, **kw) -> LoginDialog:
    dialog = LoginDialog(settings, db, **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def attempt(qtbot, dialog: LoginDialog, login: str, password: str, function: str = "") -> None:
    dialog.login_edit.setText(login)
    dialog.password_edit.setText(password)
    dialog.function_combo.setEditText(function)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)


def test_login_succeeds_and_is_recorded(qtbot, db, settings) -> None:
    admin = with_accounts(db, settings.workstation_id)
    dialog = login_dialog(qtbot, settings, db)
    assert dialog.login_edit.hasFocus()
    assert not dialog.ok_button.isEnabled()
    attempt(qtbot, dialog, " S2.Beispiel ", STAFF_PW, "S2")
    assert dialog.result() == LoginDialog.DialogCode.Accepted
    actor = dialog.actor()
    assert (actor.person, actor.function) == ("Max Beispiel", "S2")
    assert actor.account is not None and actor.roles == ("Stabsmitglied",)
    # The password does not linger in the widget; the function is remembered.
    assert dialog.password_edit.text() == ""
    assert Settings.load().last_function == "S2"
    assert events(db, admin)[-1] == (STAFF_LOGIN, "Anmeldung")


def test_wrong_password_keeps_the_dialog_open_and_is_recorded(qtbot, db, settings) -> None:
    admin = with_accounts(db, settings.workstation_id)
    dialog = login_dialog(qtbot, settings, db)
    attempt(qtbot, dialog, STAFF_LOGIN, "falsch-falsch")
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.message_label.isVisible()
    assert "Anmeldename oder Passwort falsch" in dialog.message_label.text()
    assert dialog.password_edit.text() == "" and dialog.password_edit.hasFocus()
    assert dialog.login_edit.text() == STAFF_LOGIN
    assert events(db, admin)[-1] == (STAFF_LOGIN, "Fehlversuch")
    # An unknown name gets the very same answer.
    attempt(qtbot, dialog, "gibt.es.nicht", "egal-egal-egal")
    assert "Anmeldename oder Passwort falsch" in dialog.message_label.text()


def test_function_outside_the_account_is_refused_in_german(qtbot, db, settings) -> None:
    with_accounts(db, settings.workstation_id)
    dialog = login_dialog(qtbot, settings, db)
    attempt(qtbot, dialog, STAFF_LOGIN, STAFF_PW, "S4")
    assert dialog.isVisible()
    assert "nicht in der Funktion „S4“" in dialog.message_label.text()
    assert dialog.function_combo.hasFocus()
    dialog.password_edit.setText(STAFF_PW)
    dialog.function_combo.setEditText("")
    dialog.accept()
    # Empty function: the account's first one.
    assert dialog.actor().function == "S2"


def test_too_many_failures_show_a_countdown(qtbot, db, settings) -> None:
    with_accounts(db, settings.workstation_id)
    clock = FakeMonotonic()
    dialog = login_dialog(qtbot, settings, db, clock=clock)
    for _ in range(4):
        attempt(qtbot, dialog, STAFF_LOGIN, "falsch-falsch")
        assert not dialog.countdown.active
    attempt(qtbot, dialog, STAFF_LOGIN, "falsch-falsch")
    # The fifth failure in a row costs 30 seconds.
    assert dialog.countdown.active
    assert not dialog.ok_button.isEnabled()
    assert "Nächster Versuch in 30 s" in dialog.message_label.text()
    clock.now += 12
    dialog.countdown.tick()
    assert "Nächster Versuch in 18 s" in dialog.message_label.text()
    # Enter does nothing while the countdown runs, even with the right password.
    dialog.password_edit.setText(STAFF_PW)
    dialog.accept()
    assert dialog.result() == 0 and dialog.isVisible()
    clock.now += 19
    dialog.countdown.tick()
    assert not dialog.countdown.active and dialog.ok_button.isEnabled()
    assert "erneut versuchen" in dialog.message_label.text()
    # The service keeps its own time: an attempt before the real 30 s are up
    # is refused by it, and the countdown starts again from its answer.
    dialog.accept()
    assert dialog.countdown.active and dialog.result() == 0
    assert "Nächster Versuch in" in dialog.message_label.text()


def test_open_mode_keeps_who_are_you(qtbot, db, settings, monkeypatch) -> None:
    asked = []
    monkeypatch.setattr(
        StartDialog, "exec", lambda self: asked.append("start") or StartDialog.DialogCode.Rejected
    )
    monkeypatch.setattr(
        LoginDialog, "exec", lambda self: asked.append("login") or LoginDialog.DialogCode.Rejected
    )
    assert not trust_login.accounts_exist(db)
    assert trust_login.ask_start_actor(settings, db) is None
    with_accounts(db, settings.workstation_id)
    assert trust_login.accounts_exist(db)
    assert trust_login.ask_start_actor(settings, db) is None
    assert asked == ["start", "login"]


def test_program_start_with_accounts_logs_in_and_out(qtbot, tmp_path, monkeypatch, settings):
    path = tmp_path / "konten.db"
    db = Database.open(path)
    admin = with_accounts(db, settings.workstation_id)
    IncidentService(db).create("Muster-Lage", admin)
    db.close()

    def fill(dialog: LoginDialog) -> int:
        dialog.login_edit.setText(ADMIN_LOGIN)
        dialog.password_edit.setText(ADMIN_PW)
        dialog.function_combo.setEditText("S2")
        dialog.accept()
        return dialog.result()

    seen = {}

    def fake_exec(self) -> int:  # type: ignore[no-untyped-def]
        window = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow")
        seen["actor"] = window.shared.actor
        seen["mode"] = window.trust.mode_label.text()
        return 0

    monkeypatch.setattr(LoginDialog, "exec", fill)
    monkeypatch.setattr(StartDialog, "exec", lambda self: pytest.fail("no „Wer sind Sie?“"))
    monkeypatch.setattr(QApplication, "exec", fake_exec)
    assert gui_app.run_gui(path) == 0
    assert seen["actor"].account == admin.account
    assert seen["mode"] == "Administrator"
    db = Database.open(path)
    try:
        log = events(db, admin)
    finally:
        db.close()
    assert log[-2:] == [(ADMIN_LOGIN, "Anmeldung"), (ADMIN_LOGIN, "Abmeldung")]


def test_program_start_writes_a_last_backup_on_exit(qtbot, tmp_path, monkeypatch, krisenstab_home):
    path = tmp_path / "etb.db"

    def accept(dialog: StartDialog) -> int:
        dialog.person_edit.setText("Max Mustermann")
        dialog.function_combo.setEditText("S2")
        dialog.accept()
        return StartDialog.DialogCode.Accepted

    monkeypatch.setattr(StartDialog, "exec", accept)
    monkeypatch.setattr(QApplication, "exec", lambda self: 0)

    def no_incident(self):  # type: ignore[no-untyped-def]
        return None

    from krisenstab.gui.incident_bar import IncidentToolBar

    monkeypatch.setattr(IncidentToolBar, "create_incident", no_incident)
    assert gui_app.run_gui(path) == 0
    folder = Path(krisenstab_home) / "data" / "sicherungen"
    manifests = list(folder.glob("*.db.json"))
    assert len(manifests) == 1
    assert '"reason": "Programmende"' in manifests[0].read_text(encoding="utf-8")
