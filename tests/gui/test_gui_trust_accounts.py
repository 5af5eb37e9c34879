"""Benutzerkonten: the first administrator ends the open mode; an administrator manages accounts."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from test_gui_trust_support import (
    ADMIN_LOGIN,
    ADMIN_PW,
    STAFF_LOGIN,
    STAFF_PW,
    events,
    fast_service,
    staff_actor,
    use_fast_accounts,
    with_accounts,
)

from krisenstab.gui import trust_common
from krisenstab.gui.trust_accounts import (
    AccountEditDialog,
    AccountsDialog,
    FirstAdminDialog,
    PasswordDialog,
)
from krisenstab.gui.trust_login import LoginDialog
from krisenstab.services.journal import JournalService


@pytest.fixture(autouse=True)
def fast_accounts(monkeypatch):
    use_fast_accounts(monkeypatch)


def test_first_administrator_ends_the_open_mode_and_logs_in(
    qtbot, window, db, incident_id, monkeypatch, typer
) -> None:
    trust = window.trust
    assert trust.open_mode
    assert trust.mode_label.text() == "Offener Einzelplatzbetrieb (keine Konten)"
    assert not trust.password_action.isVisible()
    dialog = trust.show_accounts_dialog()
    assert isinstance(dialog, AccountsDialog) and dialog.pages.currentIndex() == 0

    def fill(first: FirstAdminDialog) -> int:
        warning = first.findChild(QLabel, "firstAdminWarning").text()
        assert "endgültig" in warning and "nicht rückgängig" in warning
        first.login_edit.setText(ADMIN_LOGIN)
        first.name_edit.setText("Erika Musteradmin")
        first.password_edit.setText(ADMIN_PW)
        first.repeat_edit.setText(ADMIN_PW + "x")
        # Nothing happens before the confirmation, then the typo is caught.
        assert not first.ok_button.isEnabled()
        first.accept()
        assert first.result() == 0
        first.confirm_box.setChecked(True)
        assert first.ok_button.isEnabled()
        first.accept()
        assert "stimmen nicht überein" in first.message.text()
        assert fast_service(db).open_mode()
        first.repeat_edit.setText(ADMIN_PW)
        first.accept()
        return first.result()

    monkeypatch.setattr(FirstAdminDialog, "exec", fill)
    qtbot.mouseClick(dialog.first_admin_button, Qt.MouseButton.LeftButton)
    assert not fast_service(db).open_mode()
    actor = window.shared.actor
    assert actor.account is not None and actor.roles == ("Administrator",)
    assert actor.function == "S2"  # kept from before
    assert not trust.open_mode and not trust.lock.open_mode
    assert trust.mode_label.text() == "Administrator"
    assert trust.password_action.isVisible()
    assert "Kontenbetrieb eingeschaltet" in window.statusBar().currentMessage()
    # The dialog now manages accounts.
    assert dialog.pages.currentIndex() == 1 and dialog.table.rowCount() == 1
    assert dialog.table.item(0, 0).text() == ADMIN_LOGIN
    log = [e for _l, e in events(db, actor)]
    assert "Offener Betrieb beendet" in log and log[-1] == "Anmeldung"
    # The person at the keyboard can go on writing.
    editor = window.journal.editor
    typer(editor.text_edit, "Erster Eintrag mit Konto")
    qtbot.keyClick(editor.text_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    last = JournalService(db).list(incident_id)[-1]
    assert (last.text, last.author) == ("Erster Eintrag mit Konto", "Erika Musteradmin")
    dialog.close()


def test_administrator_manages_accounts_and_reads_the_log(
    qtbot, db, settings, incident_id, window_factory, monkeypatch
) -> None:
    admin = with_accounts(db, settings.workstation_id)
    window = window_factory(db, admin)
    dialog = window.trust.show_accounts_dialog()
    assert dialog.pages.currentIndex() == 1
    assert [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())] == [
        ADMIN_LOGIN,
        STAFF_LOGIN,
    ]

    def new_account(edit: AccountEditDialog) -> int:
        edit.login_edit.setText("sichter.muster")
        edit.name_edit.setText("Sina Muster")
        edit.password_edit.setText("Sichter-Passwort-1")
        edit.repeat_edit.setText("Sichter-Passwort-1")
        boxes = {role.value: box for role, box in edit.roles.boxes.items()}
        boxes["Stabsmitglied"].setChecked(False)
        boxes["Sichter/Fernmelder"].setChecked(True)
        edit.accept()
        # Refused by the service: functions are missing; the input stays.
        assert "Stabsfunktionen" in edit.message.text()
        assert edit.login_edit.text() == "sichter.muster"
        edit.functions_edit.setText("Sichter, Fernmelder")
        edit.accept()
        return edit.result()

    monkeypatch.setattr(AccountEditDialog, "exec", new_account)
    dialog.add_account()
    logins = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert "sichter.muster" in logins
    row = logins.index("sichter.muster")
    assert dialog.table.item(row, 2).text() == "Sichter/Fernmelder"
    assert dialog.table.item(row, 3).text() == "Sichter, Fernmelder"

    # Disable and enable again.
    dialog.table.selectRow(row)
    assert dialog.active_button.text() == "&Deaktivieren"
    dialog.toggle_active()
    assert dialog.table.item(row, 4).text() == "deaktiviert"
    assert dialog.active_button.text() == "&Aktivieren"
    dialog.toggle_active()
    assert dialog.table.item(row, 4).text() == "aktiv"

    # The last administrator cannot be disabled.
    dialog.table.selectRow(0)
    dialog.toggle_active()
    assert "letzte aktive Administratorkonto" in dialog.message.text()

    # New roles for the S2 staff member.
    dialog.table.selectRow(logins.index(STAFF_LOGIN))

    def add_lead(edit: AccountEditDialog) -> int:
        assert edit.login_edit.isReadOnly() and not edit.password_edit.isVisible()
        next(b for r, b in edit.roles.boxes.items() if r.value == "Leitung").setChecked(True)
        edit.accept()
        return edit.result()

    monkeypatch.setattr(AccountEditDialog, "exec", add_lead)
    dialog.edit_roles()
    assert dialog.table.item(logins.index(STAFF_LOGIN), 2).text() == "Leitung, Stabsmitglied"

    # A new password set by the administrator.
    def new_password(pw: PasswordDialog) -> int:
        assert not pw.current_edit.isVisible()
        pw.new_edit.setText("Neues-Muster-Passwort")
        pw.repeat_edit.setText("Neues-Muster-Passwort")
        pw.accept()
        return pw.result()

    monkeypatch.setattr(PasswordDialog, "exec", new_password)
    dialog.set_password()
    fast_service(db).authenticate(
        STAFF_LOGIN, "Neues-Muster-Passwort", workstation_id=settings.workstation_id
    )

    # The login log, newest first, with this workstation named.
    dialog.refresh()
    log = dialog.log_table
    assert log.rowCount() >= 8
    kinds = [log.item(r, 2).text() for r in range(log.rowCount())]
    assert kinds[0] == "Anmeldung" and "Passwort geändert" in kinds and "Konto deaktiviert" in kinds
    assert log.item(0, 3).text() == "dieser"
    dialog.filter_edit.setText("sichter")
    assert {log.item(r, 1).text() for r in range(log.rowCount())} == {"sichter.muster"}
    dialog.close()


def test_staff_member_cannot_manage_accounts_but_changes_own_password(
    qtbot, db, settings, incident_id, window_factory, monkeypatch, fake_dialogs
) -> None:
    with_accounts(db, settings.workstation_id)
    staff = staff_actor(db, settings.workstation_id)
    trust_common.remember_login(staff.account, STAFF_LOGIN)
    window = window_factory(db, staff)
    trust = window.trust
    assert trust.mode_label.text() == "Stabsmitglied"
    assert not trust.accounts_action.isEnabled()
    assert trust.show_accounts_dialog() is None
    assert "nur ein Administrator" in fake_dialogs.errors[-1][1]

    def own(pw: PasswordDialog) -> int:
        assert pw.login_edit.text() == STAFF_LOGIN and pw.login_edit.isReadOnly()
        pw.current_edit.setText("falsch-falsch")
        pw.new_edit.setText("Mein-neues-Passwort")
        pw.repeat_edit.setText("Mein-neues-Passwort")
        pw.accept()
        assert "bisherige Passwort stimmt nicht" in pw.message.text()
        pw.current_edit.setText(STAFF_PW)
        pw.accept()
        return pw.result()

    monkeypatch.setattr(PasswordDialog, "exec", own)
    trust.password_action.trigger()
    assert "Passwort geändert" in window.statusBar().currentMessage()
    fast_service(db).authenticate(
        STAFF_LOGIN, "Mein-neues-Passwort", workstation_id=settings.workstation_id
    )


def test_changing_the_user_logs_in_and_logs_the_previous_one_out(
    qtbot, db, settings, incident_id, window_factory, monkeypatch
) -> None:
    admin = with_accounts(db, settings.workstation_id)
    window = window_factory(db, staff_actor(db, settings.workstation_id))
    assert window.change_actor_action.text() == "&Anmelden als …/Funktion wechseln …"

    def login(dialog: LoginDialog) -> int:
        dialog.login_edit.setText(ADMIN_LOGIN)
        dialog.password_edit.setText(ADMIN_PW)
        dialog.function_combo.setEditText("Leiter des Stabes")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(LoginDialog, "exec", login)
    window.change_actor_action.trigger()
    assert window.shared.actor.account == admin.account
    assert window.actor_label.text() == "Erika Musteradmin (Leiter des Stabes)"
    log = events(db, admin)
    # The new login comes first: cancelling it leaves the previous user logged in.
    assert log[-2:] == [(ADMIN_LOGIN, "Anmeldung"), (STAFF_LOGIN, "Abmeldung")]
