"""Builders shared by the trust GUI tests (imported by them; holds no tests itself).

Accounts are hashed with argon2's cheapest profile here: the real parameters
cost a tenth of a second per call, and the tests log in dozens of times.
"""

from __future__ import annotations

from typing import Any

import pytest
from argon2 import PasswordHasher, profiles

from krisenstab.services.accounts import AccountService
from krisenstab.services.context import Actor

FAST = PasswordHasher.from_parameters(profiles.CHEAPEST)
ADMIN_LOGIN = "admin.muster"
ADMIN_PW = "Muster-Admin-Passwort"
STAFF_LOGIN = "s2.beispiel"
STAFF_PW = "Beispiel-Passwort-2"


def fast_service(db: Any) -> AccountService:
    return AccountService(db, hasher=FAST)


def use_fast_accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    from krisenstab.gui import trust_common

    monkeypatch.setattr(trust_common, "account_service", fast_service)


def with_accounts(db: Any, workstation_id: str) -> Actor:
    """End the open mode: an administrator and a S2 staff member; returns the admin, logged in."""
    service = fast_service(db)
    service.create_first_admin(
        ADMIN_LOGIN, "Erika Musteradmin", ADMIN_PW, workstation_id=workstation_id
    )
    admin = service.authenticate(
        ADMIN_LOGIN, ADMIN_PW, workstation_id=workstation_id, function="S2"
    )
    service.add(admin, STAFF_LOGIN, "Max Beispiel", STAFF_PW, ["Stabsmitglied"], "S2")
    return admin


def staff_actor(db: Any, workstation_id: str) -> Actor:
    return fast_service(db).authenticate(
        STAFF_LOGIN, STAFF_PW, workstation_id=workstation_id, function="S2"
    )


def events(db: Any, admin: Actor) -> list[tuple[str, str]]:
    """(login, event) of the account log, oldest first."""
    return [(e.login, e.event) for e in reversed(fast_service(db).events(admin))]
