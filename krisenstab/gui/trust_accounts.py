"""Benutzerkonten: the first administrator, account management, passwords, the login log.

In the open single-workstation mode the dialog explains that mode and offers
to create the first account, an administrator. That ends the open mode for
good (the service guards it with a trigger and an anchor outside the file),
so the dialog says so plainly and wants an explicit confirmation. The
person at the keyboard is then logged in as that administrator at once:
without an account, the services would refuse every further entry.

With accounts, only an administrator manages them (the services enforce
that too). Everybody may change their own password (`PasswordDialog`).
Every change is made inside the small dialog that asks for it, so a refused
change (a German sentence from the service) is shown there and the input
stays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from krisenstab.domain.account import PASSWORD_MIN
from krisenstab.domain.timefmt import format_local
from krisenstab.gui import trust_common
from krisenstab.gui.trust_common import WARN_STYLE, tr
from krisenstab.services.accounts import SOURCE_GUI, AccountEventView, AccountView
from krisenstab.services.context import Actor, PermissionDenied, ServiceError
from krisenstab.services.permissions import Permission, Role, allowed
from krisenstab.store.errors import StoreError

if TYPE_CHECKING:
    from krisenstab.gui.shared import Shared

ROLE_HINTS: dict[Role, str] = {
    Role.ADMIN: "Konten und Stammdaten verwalten, alles außer Lageberichte freigeben",
    Role.LEAD: "Leiter des Stabes: Lageberichte freigeben, Ereignisse, Aufträge",
    Role.STAFF: "schreibt in den hinterlegten Stabsfunktionen",
    Role.MESSAGE_DESK: "Nachrichten aufnehmen und sichten",
    Role.EXERCISE_CONTROL: "Übungen steuern",
    Role.READ_ONLY: "liest alles, schreibt nichts",
}
LOG_LIMIT = 1000


class _MessageLabel(QLabel):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("accountMessage")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setStyleSheet("QLabel#accountMessage { color: #7A1010; }")
        self.hide()

    def say(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


def _password_pair(parent: QWidget) -> tuple[QLineEdit, QLineEdit]:
    first, second = QLineEdit(parent), QLineEdit(parent)
    for edit in (first, second):
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setMaxLength(1024)
    first.setPlaceholderText(tr("mindestens {0} Zeichen").format(PASSWORD_MIN))
    first.setObjectName("newPassword")
    second.setObjectName("repeatPassword")
    return first, second


class _RoleBoxes(QGroupBox):
    """One check box per role, with what the role may do."""

    def __init__(self, parent: QWidget, checked: tuple[str, ...] = ()) -> None:
        super().__init__(tr("Rollen"), parent)
        self.boxes: dict[Role, QCheckBox] = {}
        grid = QGridLayout(self)
        for row, role in enumerate(Role):
            box = QCheckBox(role.value, self)
            box.setChecked(role.value in checked)
            hint = QLabel(tr(ROLE_HINTS[role]), self)
            hint.setStyleSheet("color: #505050;")
            grid.addWidget(box, row, 0)
            grid.addWidget(hint, row, 1)
            self.boxes[role] = box
        grid.setColumnStretch(1, 1)

    def roles(self) -> list[Role]:
        return [role for role, box in self.boxes.items() if box.isChecked()]


class AccountEditDialog(QDialog):
    """A new account (login, name, password, roles, functions), or new roles/functions."""

    def __init__(
        self,
        shared: Shared,
        parent: QWidget | None = None,
        *,
        account: AccountView | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("accountEditDialog")
        self.shared = shared
        self.account = account
        self.result_view: AccountView | None = None
        new = account is None
        self.setWindowTitle(tr("Neues Konto") if new else tr("Rollen und Funktionen"))

        self.login_edit = QLineEdit(self)
        self.login_edit.setObjectName("accountLogin")
        self.login_edit.setMaxLength(60)
        self.login_edit.setPlaceholderText(tr("z. B. e.muster"))
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("accountName")
        self.name_edit.setMaxLength(120)
        self.name_edit.setPlaceholderText(tr("Vorname Nachname"))
        self.password_edit, self.repeat_edit = _password_pair(self)
        self.functions_edit = QLineEdit(self)
        self.functions_edit.setObjectName("accountFunctions")
        self.functions_edit.setPlaceholderText(tr("z. B. S2, S3 – leer: jede Funktion"))
        self.functions_edit.setToolTip(
            tr(
                "Stabsfunktionen, in denen das Konto handeln darf, durch Komma getrennt. "
                "Stabsmitglieder und Sichter/Fernmelder brauchen mindestens eine."
            )
        )
        form = QFormLayout()
        form.addRow(tr("&Anmeldename:"), self.login_edit)
        form.addRow(tr("&Name:"), self.name_edit)
        if new:
            form.addRow(tr("&Passwort:"), self.password_edit)
            form.addRow(tr("Passwort &wiederholen:"), self.repeat_edit)
        else:
            self.login_edit.setText(account.login)
            self.login_edit.setReadOnly(True)
            self.name_edit.setText(account.display_name)
            self.name_edit.setReadOnly(True)
            self.password_edit.hide()
            self.repeat_edit.hide()
            self.functions_edit.setText(", ".join(account.functions))
        form.addRow(tr("Stabs&funktionen:"), self.functions_edit)
        self.roles = _RoleBoxes(self, account.roles if account else (Role.STAFF.value,))

        self.message = _MessageLabel(self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            tr("Konto anlegen") if new else tr("Speichern")
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.roles)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        (self.login_edit if new else self.functions_edit).setFocus()

    def accept(self) -> None:
        service = trust_common.account_service(self.shared.db)
        roles = self.roles.roles()
        functions = self.functions_edit.text()
        try:
            if self.account is None:
                if self.password_edit.text() != self.repeat_edit.text():
                    self.message.say(tr("Die beiden Passwörter stimmen nicht überein."))
                    return
                with trust_common.busy():
                    self.result_view = service.add(
                        self.shared.actor,
                        self.login_edit.text(),
                        self.name_edit.text(),
                        self.password_edit.text(),
                        roles,
                        functions,
                    )
            else:
                self.result_view = service.set_roles(
                    self.shared.actor, self.account.login, roles, functions
                )
        except (ServiceError, StoreError) as exc:
            self.message.say(str(exc))
            return
        super().accept()


class PasswordDialog(QDialog):
    """One's own password (with the current one), or another's as administrator."""

    def __init__(
        self, shared: Shared, login: str, parent: QWidget | None = None, *, own: bool
    ) -> None:
        super().__init__(parent)
        self.setObjectName("passwordDialog")
        self.shared = shared
        self.login = login
        self.own = own
        self.setWindowTitle(tr("Passwort ändern") if own else tr("Passwort setzen"))
        self.current_edit = QLineEdit(self)
        self.current_edit.setObjectName("currentPassword")
        self.current_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_edit, self.repeat_edit = _password_pair(self)
        self.login_edit = QLineEdit(login, self)
        self.login_edit.setObjectName("passwordLogin")
        self.login_edit.setMaxLength(60)
        # Known: shown, not editable; unknown (logged in elsewhere): typed.
        self.login_edit.setReadOnly(bool(login))
        form = QFormLayout()
        form.addRow(tr("&Anmeldename:"), self.login_edit)
        if own:
            form.addRow(tr("&Bisheriges Passwort:"), self.current_edit)
        else:
            self.current_edit.hide()
        form.addRow(tr("&Neues Passwort:"), self.new_edit)
        form.addRow(tr("Neues Passwort &wiederholen:"), self.repeat_edit)
        self.message = _MessageLabel(self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def accept(self) -> None:
        if self.new_edit.text() != self.repeat_edit.text():
            self.message.say(tr("Die beiden Passwörter stimmen nicht überein."))
            return
        service = trust_common.account_service(self.shared.db)
        try:
            with trust_common.busy():
                service.change_password(
                    self.shared.actor,
                    self.login_edit.text().strip(),
                    self.new_edit.text(),
                    current_password=self.current_edit.text() if self.own else None,
                )
        except (ServiceError, StoreError) as exc:
            self.current_edit.clear()
            self.message.say(str(exc))
            return
        super().accept()


class FirstAdminDialog(QDialog):
    """Creates the first account (an administrator): ends the open mode for good."""

    def __init__(self, shared: Shared, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstAdminDialog")
        self.shared = shared
        self.actor: Actor | None = None
        self.setWindowTitle(tr("Erstes Administratorkonto anlegen"))
        warning = QLabel(
            tr(
                "<p><b>Das beendet den offenen Einzelplatzbetrieb – endgültig.</b></p>"
                "<p>Danach muss sich an jedem Arbeitsplatz jede Person mit Anmeldename und "
                "Passwort anmelden, und nur ein Administrator legt Konten an. Das lässt sich "
                "nicht rückgängig machen.</p>"
                "<p>Andere Arbeitsplätze, die diese Datei gerade ohne Anmeldung geöffnet "
                "haben, können danach nichts mehr speichern, bis sie sich anmelden.</p>"
            ),
            self,
        )
        warning.setObjectName("firstAdminWarning")
        warning.setWordWrap(True)
        warning.setTextFormat(Qt.TextFormat.RichText)
        warning.setStyleSheet(f"QLabel#firstAdminWarning {{ {WARN_STYLE} padding: 8px; }}")

        actor = shared.actor
        self.login_edit = QLineEdit(self)
        self.login_edit.setObjectName("accountLogin")
        self.login_edit.setMaxLength(60)
        self.login_edit.setPlaceholderText(tr("z. B. admin.muster"))
        self.name_edit = QLineEdit(actor.person, self)
        self.name_edit.setObjectName("accountName")
        self.name_edit.setMaxLength(120)
        self.password_edit, self.repeat_edit = _password_pair(self)
        self.functions_edit = QLineEdit(self)
        self.functions_edit.setObjectName("accountFunctions")
        self.functions_edit.setPlaceholderText(tr("leer: jede Funktion"))
        self.lead_box = QCheckBox(
            tr("zusätzlich Rolle „Leitung“ (darf Lageberichte freigeben)"), self
        )
        form = QFormLayout()
        form.addRow(tr("&Anmeldename:"), self.login_edit)
        form.addRow(tr("&Name:"), self.name_edit)
        form.addRow(tr("&Passwort:"), self.password_edit)
        form.addRow(tr("Passwort &wiederholen:"), self.repeat_edit)
        form.addRow(tr("Stabs&funktionen:"), self.functions_edit)
        form.addRow("", self.lead_box)

        self.confirm_box = QCheckBox(
            tr("Ich habe verstanden: der offene Betrieb endet für diese Datei endgültig."), self
        )
        self.confirm_box.setObjectName("firstAdminConfirm")
        self.message = _MessageLabel(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(tr("Administrator anlegen und anmelden"))
        self.ok_button.setEnabled(False)
        self.confirm_box.toggled.connect(self.ok_button.setEnabled)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(warning)
        layout.addLayout(form)
        layout.addWidget(self.confirm_box)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 40)
        self.login_edit.setFocus()

    def accept(self) -> None:
        if not self.confirm_box.isChecked():
            return
        if self.password_edit.text() != self.repeat_edit.text():
            self.message.say(tr("Die beiden Passwörter stimmen nicht überein."))
            return
        service = trust_common.account_service(self.shared.db)
        current = self.shared.actor
        extra = [Role.LEAD] if self.lead_box.isChecked() else []
        password = self.password_edit.text()
        try:
            with trust_common.busy():
                view = service.create_first_admin(
                    self.login_edit.text(),
                    self.name_edit.text(),
                    password,
                    workstation_id=current.workstation_id,
                    functions=self.functions_edit.text(),
                    extra_roles=extra,
                )
                try:
                    actor = service.authenticate(
                        view.login,
                        password,
                        workstation_id=current.workstation_id,
                        function=current.function,
                        source=SOURCE_GUI,
                    )
                except PermissionDenied:
                    # The current function is not one of the account's: take its first.
                    actor = service.authenticate(
                        view.login,
                        password,
                        workstation_id=current.workstation_id,
                        source=SOURCE_GUI,
                    )
        except (ServiceError, StoreError) as exc:
            self.message.say(str(exc))
            return
        trust_common.remember_login(actor.account, view.login)
        self.actor = actor
        super().accept()


class AccountsDialog(QDialog):
    """Datei → Benutzerkonten …"""

    ACCOUNT_COLUMNS = ("Anmeldename", "Name", "Rollen", "Funktionen", "Status", "Geändert")
    LOG_COLUMNS = ("Zeit", "Anmeldename", "Ereignis", "Arbeitsplatz", "durch", "Hinweis")

    def __init__(
        self,
        shared: Shared,
        parent: QWidget | None = None,
        *,
        on_open_mode_ended: Callable[[Actor], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("accountsDialog")
        self.setWindowTitle(tr("Benutzerkonten"))
        self.shared = shared
        self.on_open_mode_ended = on_open_mode_ended
        self.accounts: list[AccountView] = []
        self.events: list[AccountEventView] = []

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._build_open_page())
        self.pages.addWidget(self._build_manage_page())
        self.message = _MessageLabel(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        m = self.fontMetrics()
        self.resize(m.horizontalAdvance("M") * 80, m.height() * 32)
        self.refresh()

    # -- pages -----------------------------------------------------------------
    def _build_open_page(self) -> QWidget:
        page = QWidget(self)
        text = QLabel(
            tr(
                "<p><b>Offener Einzelplatzbetrieb (keine Konten)</b></p>"
                "<p>Diese Datenbank hat keine Benutzerkonten. Wer das Programm startet, "
                "gibt Namen und Stabsfunktion an und darf alles. Das passt für einen "
                "einzelnen Arbeitsplatz oder eine Übung.</p>"
                "<p>Sobald mehrere Personen mit unterschiedlichen Aufgaben an der Datei "
                "arbeiten, legen Sie ein erstes Konto an: einen Administrator. Er legt "
                "danach die Konten der anderen mit ihren Rollen an (Leitung, "
                "Stabsmitglied, Sichter/Fernmelder, Übungsleitung, Nur-Lesen).</p>"
                "<p><b>Das erste Konto beendet den offenen Betrieb endgültig.</b></p>"
            ),
            page,
        )
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        self.first_admin_button = QPushButton(tr("Erstes &Administratorkonto anlegen …"), page)
        self.first_admin_button.setObjectName("firstAdminButton")
        self.first_admin_button.clicked.connect(self.create_first_admin)
        if self.shared.db.read_only:
            self.first_admin_button.setEnabled(False)
            self.first_admin_button.setToolTip(tr("Die Datenbank ist schreibgeschützt."))
        layout = QVBoxLayout(page)
        layout.addWidget(text)
        row = QHBoxLayout()
        row.addWidget(self.first_admin_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _build_manage_page(self) -> QWidget:
        tabs = QTabWidget(self)
        tabs.setObjectName("accountTabs")

        accounts_page = QWidget(tabs)
        self.table = self._table(accounts_page, self.ACCOUNT_COLUMNS, "accountTable")
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.edit_roles())
        self.add_button = QPushButton(tr("&Neues Konto …"), accounts_page)
        self.add_button.clicked.connect(self.add_account)
        self.roles_button = QPushButton(tr("&Rollen und Funktionen …"), accounts_page)
        self.roles_button.clicked.connect(self.edit_roles)
        self.active_button = QPushButton(tr("&Deaktivieren"), accounts_page)
        self.active_button.clicked.connect(self.toggle_active)
        self.password_button = QPushButton(tr("&Passwort setzen …"), accounts_page)
        self.password_button.clicked.connect(self.set_password)
        row = QHBoxLayout()
        for button in (
            self.add_button,
            self.roles_button,
            self.active_button,
            self.password_button,
        ):
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(accounts_page)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        tabs.addTab(accounts_page, tr("&Konten"))

        log_page = QWidget(tabs)
        self.filter_edit = QLineEdit(log_page)
        self.filter_edit.setPlaceholderText(tr("Anmeldename filtern …"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._fill_log)
        self.log_table = self._table(log_page, self.LOG_COLUMNS, "accountLog")
        self.log_note = QLabel(log_page)
        log_layout = QVBoxLayout(log_page)
        log_layout.addWidget(self.filter_edit)
        log_layout.addWidget(self.log_table, 1)
        log_layout.addWidget(self.log_note)
        tabs.addTab(log_page, tr("Anmelde&protokoll"))
        self.tabs = tabs
        return tabs

    def _table(self, parent: QWidget, columns: tuple[str, ...], name: str) -> QTableWidget:
        table = QTableWidget(0, len(columns), parent)
        table.setObjectName(name)
        table.setHorizontalHeaderLabels([tr(c) for c in columns])
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().hide()
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(columns) - 1, QHeaderView.ResizeMode.Stretch)
        return table

    # -- state -----------------------------------------------------------------
    @property
    def open_mode(self) -> bool:
        return trust_common.account_service(self.shared.db).open_mode()

    def refresh(self) -> None:
        self.message.say("")
        if self.open_mode:
            self.pages.setCurrentIndex(0)
            return
        self.pages.setCurrentIndex(1)
        if not allowed(self.shared.actor, Permission.ACCOUNTS):
            self.message.say(tr("Benutzerkonten verwaltet nur ein Administrator."))
            self.pages.setEnabled(False)
            return
        self.pages.setEnabled(True)
        service = trust_common.account_service(self.shared.db)
        try:
            self.accounts = service.list(self.shared.actor)
            self.events = service.events(self.shared.actor, limit=LOG_LIMIT)
        except (ServiceError, StoreError) as exc:
            self.message.say(str(exc))
            return
        self._fill_accounts()
        self._fill_log()

    def _fill_accounts(self) -> None:
        keep = self.selected_account()
        self.table.setRowCount(len(self.accounts))
        for row, account in enumerate(self.accounts):
            cells = (
                account.login,
                account.display_name,
                ", ".join(account.roles),
                ", ".join(account.functions) or tr("jede"),
                tr("aktiv") if account.active else tr("deaktiviert"),
                tr("{0} ({1})").format(format_local(account.changed_at), account.changed_by),
            )
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if not account.active:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, column, item)
        target = 0
        if keep is not None:
            target = next((i for i, a in enumerate(self.accounts) if a.login == keep.login), 0)
        if self.accounts:
            self.table.selectRow(target)
        self._update_buttons()

    def _fill_log(self) -> None:
        wanted = self.filter_edit.text().strip().casefold()
        rows = [e for e in self.events if not wanted or wanted in e.login]
        here = self.shared.settings.workstation_id
        self.log_table.setRowCount(len(rows))
        for row, event in enumerate(rows):
            station = tr("dieser") if event.workstation_id == here else event.workstation_id[:8]
            cells = (
                format_local(event.at, seconds=True),
                event.login,
                event.event,
                station,
                event.actor,
                event.detail,
            )
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column == 3:
                    item.setToolTip(event.workstation_id)
                elif column == 5:
                    item.setToolTip(value)
                self.log_table.setItem(row, column, item)
        self.log_note.setText(
            tr("{0} Einträge (die neuesten {1}).").format(len(rows), LOG_LIMIT)
            if len(self.events) >= LOG_LIMIT
            else tr("{0} Einträge.").format(len(rows))
        )

    def selected_account(self) -> AccountView | None:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        if not rows or rows[0].row() >= len(self.accounts):
            return None
        return self.accounts[rows[0].row()]

    def _update_buttons(self) -> None:
        account = self.selected_account()
        for button in (self.roles_button, self.active_button, self.password_button):
            button.setEnabled(account is not None)
        if account is not None:
            self.active_button.setText(
                tr("&Aktivieren") if not account.active else tr("&Deaktivieren")
            )

    # -- actions -----------------------------------------------------------------
    def create_first_admin(self) -> bool:
        dialog = FirstAdminDialog(self.shared, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted or dialog.actor is None:
                return False
            actor = dialog.actor
        finally:
            dialog.deleteLater()
        if self.on_open_mode_ended is not None:
            self.on_open_mode_ended(actor)
        else:
            self.shared.set_actor(actor)
        self.refresh()
        return True

    def add_account(self) -> None:
        dialog = AccountEditDialog(self.shared, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
        dialog.deleteLater()

    def edit_roles(self) -> None:
        account = self.selected_account()
        if account is None:
            return
        dialog = AccountEditDialog(self.shared, self, account=account)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
        dialog.deleteLater()

    def toggle_active(self) -> None:
        account = self.selected_account()
        if account is None:
            return
        service = trust_common.account_service(self.shared.db)
        try:
            if account.active:
                service.disable(self.shared.actor, account.login)
            else:
                service.enable(self.shared.actor, account.login)
        except (ServiceError, StoreError) as exc:
            self.refresh()
            self.message.say(str(exc))
            return
        self.refresh()

    def set_password(self) -> None:
        account = self.selected_account()
        if account is None:
            return
        own = account.id == self.shared.actor.account
        dialog = PasswordDialog(self.shared, account.login, self, own=own)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
        dialog.deleteLater()
