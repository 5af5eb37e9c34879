"""Who is acting, from which workstation: handed to every service call."""

from __future__ import annotations

from dataclasses import dataclass


class ServiceError(Exception):
    """A refused use case; ``str(err)`` is a German sentence for the user."""


class PermissionDenied(ServiceError):
    pass


@dataclass(frozen=True)
class Actor:
    """The person at the keyboard and the staff function they act in."""

    person: str
    function: str
    workstation_id: str
    account: str | None = None
    roles: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.person.strip():
            raise ServiceError("Bitte angeben, wer handelt (Name).")
        if not self.function.strip():
            raise ServiceError("Bitte die Stabsfunktion angeben.")
