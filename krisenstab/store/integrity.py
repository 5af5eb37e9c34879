"""Tamper evidence: recompute every journal chain and check the triggers."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from krisenstab.domain.incident import Incident
from krisenstab.domain.journal import GENESIS_HASH, HASHED_FIELDS, JournalEntry, chain_hash
from krisenstab.store.schema import missing_triggers


@dataclass(frozen=True)
class ChainResult:
    incident_id: str
    title: str
    ok: bool
    entries: int
    first_bad: int | None = None
    reason: str = ""
    head: str = GENESIS_HASH


@dataclass(frozen=True)
class VerifyReport:
    chains: list[ChainResult]
    missing_triggers: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.chains) and not self.missing_triggers and not self.problems

    @property
    def first_bad(self) -> int | None:
        for chain in self.chains:
            if not chain.ok:
                return chain.first_bad
        return None


def verify_chain(session: Session, incident_id: str, title: str = "") -> ChainResult:
    table = JournalEntry.__table__
    columns = [table.c[name] for name in HASHED_FIELDS] + [table.c.prev_hash, table.c.hash]
    rows = session.connection().execute(
        select(*columns).where(table.c.incident_id == incident_id).order_by(table.c.number)
    )
    prev = GENESIS_HASH
    expected_number = 1
    count = 0
    for row in rows:
        values = row._mapping
        number = values["number"]
        count += 1
        if number != expected_number:
            reason = (
                f"Eintrag Nr. {expected_number} fehlt (gelöscht?)"
                if number > expected_number
                else f"Nummer {number} doppelt oder umgestellt"
            )
            return ChainResult(incident_id, title, False, count, expected_number, reason, prev)
        if values["prev_hash"] != prev:
            return ChainResult(
                incident_id,
                title,
                False,
                count,
                number,
                f"Eintrag Nr. {number} passt nicht an seinen Vorgänger (Reihenfolge geändert oder Eintrag entfernt)",
                prev,
            )
        computed = chain_hash(prev, dict(values))
        if computed != values["hash"]:
            return ChainResult(
                incident_id,
                title,
                False,
                count,
                number,
                f"Inhalt von Eintrag Nr. {number} wurde außerhalb des Programms verändert",
                prev,
            )
        prev = computed
        expected_number += 1
    return ChainResult(incident_id, title, True, count, None, "", prev)


def verify_all(session: Session) -> VerifyReport:
    incidents = session.exec(
        select(Incident.id, Incident.title).order_by(Incident.created_at)
    ).all()
    chains = [verify_chain(session, inc_id, title) for inc_id, title in incidents]
    return VerifyReport(chains=chains, missing_triggers=missing_triggers(session.connection()))
