"""App-wide signals (novelWriter's SharedData style).

Every tab receives the same `AppSignals` through `Shared.signals` and reacts
to changes made elsewhere, instead of tabs calling each other.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class AppSignals(QObject):
    """Signals that cross tab boundaries."""

    # The journal of this incident has new entries (written here or by
    # another process; the poller in `Shared` notices the latter).
    journal_changed = Signal(str)
    # The current incident was switched, or its title/status changed; the
    # argument is its id, or "" when no incident is open.
    incident_changed = Signal(str)
    # The list of incidents changed (created, renamed, closed).
    incidents_changed = Signal()
    # The person at the keyboard or their staff function changed.
    actor_changed = Signal()
    # A short German note for the status bar (e.g. "Eintrag Nr. 12 gespeichert").
    status_message = Signal(str)
    # A German problem message that is not tied to a dialog (e.g. the
    # database became unreachable while polling).
    problem = Signal(str)
