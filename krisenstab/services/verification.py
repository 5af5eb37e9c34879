"""``verify``: the hash chains, the guard triggers, and the chain heads kept elsewhere.

The chain alone shows an edited, deleted or reordered row and a dropped
trigger. A chain recomputed after an edit looks intact on its own; it is
caught by comparing with heads recorded outside the file: this workstation's
anchor log, backup manifests (``--against DIR``), and the heads of released
reports (``extra_anchors``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, text

from krisenstab.domain.account import ACCOUNTS_META_KEY, Account
from krisenstab.store.anchors import (
    KIND_ACCOUNTS,
    Anchor,
    AnchorFinding,
    AnchorLog,
    check_anchors,
)
from krisenstab.store.backup import BACKUP_MARK_KEY, MANIFEST_SUFFIX, Manifest
from krisenstab.store.database import Database
from krisenstab.store.integrity import ChainResult, verify_all


@dataclass(frozen=True)
class TrustReport:
    chains: list[ChainResult]
    missing_triggers: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    anchors_checked: int = 0
    anchor_sources: list[str] = field(default_factory=list)
    findings: list[AnchorFinding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.chains) and not self.missing_triggers and not self.problems

    @property
    def first_bad(self) -> int | None:
        for chain in self.chains:
            if not chain.ok:
                return chain.first_bad
        return None


@dataclass
class _Collected:
    anchors: list[Anchor] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    accounts_anchored: bool = False
    unreadable: int = 0


def _lineage(db: Database) -> tuple[str, dict[str, int]]:
    """The db_id this file was restored from, and the heads it had then."""
    with db.session() as session:
        meta = dict(
            session.execute(
                text("SELECT key, value FROM meta WHERE key IN ('restored_from', 'restored_heads')")
            ).all()
        )
    try:
        heads = {str(k): int(v) for k, v in json.loads(meta.get("restored_heads") or "{}").items()}
    except (ValueError, AttributeError, TypeError):
        heads = {}
    return str(meta.get("restored_from") or ""), heads


def _take(
    found: _Collected,
    anchors: Iterable[Anchor],
    origin_id: str,
    db_id: str,
    restored_from: str,
    restored_heads: dict[str, int],
) -> int:
    """Keep the anchors that apply to this file; count them."""
    taken = 0
    for anchor in anchors:
        if anchor.kind == KIND_ACCOUNTS:
            if origin_id == db_id:
                found.accounts_anchored = True
            continue
        if origin_id == db_id:
            found.anchors.append(anchor)
            taken += 1
        elif origin_id == restored_from and anchor.number <= restored_heads.get(
            anchor.incident_id, 0
        ):
            # Before the restore the old file and this one share their history.
            found.anchors.append(anchor)
            taken += 1
    return taken


def _manifest_anchors(manifest: Manifest, name: str) -> list[Anchor]:
    return [
        Anchor(inc, head.number, head.hash, f"Sicherung {name}", manifest.created_at)
        for inc, head in manifest.heads.items()
    ]


def collect_anchors(
    db: Database, against: Sequence[Path] = (), *, use_anchor_log: bool = True
) -> _Collected:
    restored_from, restored_heads = _lineage(db)
    ids = [db.db_id] + ([restored_from] if restored_from else [])
    found = _Collected()
    if use_anchor_log:
        for origin in ids:
            log = AnchorLog.for_db(origin)
            anchors, bad = log.read()
            found.unreadable += bad
            n = _take(found, anchors, origin, db.db_id, restored_from, restored_heads)
            if n:
                found.sources.append(f"Ankerprotokoll dieses Arbeitsplatzes ({n} Anker)")
    for place in against:
        place = Path(place)
        files = sorted(place.iterdir()) if place.is_dir() else [place]
        for path in files:
            name = path.name
            try:
                if name.endswith(".db" + MANIFEST_SUFFIX):
                    manifest = Manifest.from_json(path.read_text(encoding="utf-8"))
                    origin = manifest.db_id
                    anchors = _manifest_anchors(manifest, name[: -len(MANIFEST_SUFFIX)])
                    label = f"Sicherung {name[: -len(MANIFEST_SUFFIX)]}"
                elif name.endswith(".jsonl"):
                    origin = name[: -len(".jsonl")]
                    anchors, bad = AnchorLog(path).read()
                    found.unreadable += bad
                    label = f"Ankerprotokoll {name}"
                else:
                    continue
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if origin not in ids:
                continue
            n = _take(found, anchors, origin, db.db_id, restored_from, restored_heads)
            if n:
                found.sources.append(f"{label} ({n} Anker)")
    return found


def verify_database(
    db: Database,
    *,
    against: Sequence[Path] = (),
    use_anchor_log: bool = True,
    extra_anchors: Iterable[Anchor] = (),
) -> TrustReport:
    """Everything ``krisenstab verify`` checks, as one report."""
    collected = collect_anchors(db, against, use_anchor_log=use_anchor_log)
    extra = list(extra_anchors)
    if extra:
        collected.anchors.extend(extra)
        collected.sources.append(f"freigegebene Berichte ({len(extra)} Anker)")
    with db.session() as session:
        base = verify_all(session)
        findings = check_anchors(session, collected.anchors)
        flag = session.execute(
            text("SELECT 1 FROM meta WHERE key = :k"), {"k": ACCOUNTS_META_KEY}
        ).first()
        accounts = session.execute(select(func.count()).select_from(Account)).scalar_one()
        copy_mark = session.execute(
            text("SELECT value FROM meta WHERE key = :k"), {"k": BACKUP_MARK_KEY}
        ).scalar_one_or_none()
    problems = list(base.problems)
    if accounts and flag is None:
        problems.append(
            "Es gibt Benutzerkonten, aber die Kennzeichnung des Kontenbetriebs fehlt "
            "(außerhalb des Programms entfernt)."
        )
    elif collected.accounts_anchored and flag is None:
        problems.append(
            "Laut Ankerprotokoll hatte diese Datei Benutzerkonten; sie fehlen jetzt "
            "(außerhalb des Programms entfernt)."
        )
    if collected.unreadable:
        problems.append(
            f"{collected.unreadable} Zeilen im Ankerprotokoll sind unlesbar (verändert?)."
        )
    if copy_mark:
        # A backup copy lacks what was written after it: not a change.
        entries = {c.incident_id: c.entries for c in base.chains}
        findings = [
            f for f in findings if not (f.missing and f.number > entries.get(f.incident_id, 0))
        ]
        collected.sources.append(f"Datei ist eine Sicherungskopie ({copy_mark})")
    by_incident = {f.incident_id: f for f in findings}
    chains: list[ChainResult] = []
    for chain in base.chains:
        finding = by_incident.pop(chain.incident_id, None)
        if finding is not None and chain.ok:
            chain = dataclasses.replace(
                chain, ok=False, first_bad=finding.last_good + 1, reason=finding.describe()
            )
        chains.append(chain)
    for finding in by_incident.values():
        problems.append(f"Ereignis {finding.incident_id} fehlt in der Datei: {finding.describe()}")
    return TrustReport(
        chains=chains,
        missing_triggers=list(base.missing_triggers),
        problems=problems,
        anchors_checked=len(collected.anchors),
        anchor_sources=collected.sources,
        findings=findings,
    )
