"""A pytest fixture that cuts the network for one test.

The program must work (and print) with every network gone, and nothing a user
types may make a library reach out. Tests that want to prove this import the
fixture into their module (tests/conftest.py puts tests/ on sys.path)::

    from unit.netguard import no_network  # noqa: F401

    pytestmark = pytest.mark.usefixtures("no_network")

Every socket connect, name lookup and ``create_connection`` then raises
:class:`NetworkAccessError`, which a test cannot mistake for an ordinary
``OSError`` swallowed by library code.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest


class NetworkAccessError(AssertionError):
    """Raised on any attempt to use the network while the guard is active.

    An AssertionError subclass on purpose: library code often catches OSError
    and carries on, which would hide the attempt.
    """


def _refuse(name: str):
    def refuse(*args: object, **kwargs: object) -> None:
        raise NetworkAccessError(f"Netzwerkzugriff im Test verboten: socket.{name}{args!r}")

    return refuse


_MODULE_FUNCTIONS = (
    "create_connection",
    "getaddrinfo",
    "gethostbyname",
    "gethostbyname_ex",
    "gethostbyaddr",
    "getnameinfo",
)
_SOCKET_METHODS = ("connect", "connect_ex", "sendto", "sendmsg")


def block_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Patch the socket layer so any network use raises (undone by monkeypatch)."""
    for name in _MODULE_FUNCTIONS:
        monkeypatch.setattr(socket, name, _refuse(name))
    for name in _SOCKET_METHODS:
        monkeypatch.setattr(socket.socket, name, _refuse(name))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every socket connect/getaddrinfo raises NetworkAccessError during the test."""
    block_network(monkeypatch)
    yield
