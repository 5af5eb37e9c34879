"""Who is responsible for what, and how to reach them: the responsibility matrix.

Lookup as you type ("Trinkwasser Jülich"): every word the user types must
be the beginning of some word of the entry – subject, keywords, municipality,
KRITIS sector/branch, facility, organisation, function, names or numbers –
with umlauts folded either way ("Julich", "Juelich" and "Jülich" are the same)
and known compound parts split off ("Wasser" finds "Trinkwasserversorgung").
Hits are ranked by where the words matched (subject before organisation
before phone number) and whole-word matches before prefixes.

The words live in ``responsibility_token`` (a plain table kept in the same
transaction as the entry, so it works on PostgreSQL as well as on SQLite);
the lookup reads them into a sorted in-memory index once and again only after
a change, and answers within a few milliseconds for ten thousand entries. People of the staff are found by name, organisation and
the function they hold now.
"""

from __future__ import annotations

import heapq
import os
import re
import threading
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import delete, func, insert, or_, select
from sqlmodel import Session

from krisenstab.domain.base import new_id
from krisenstab.domain.staff import (
    ChangeAction,
    Entity,
    MasterDataChange,
    Person,
    Responsibility,
    ResponsibilityToken,
    RosterAssignment,
    StaffFunction,
    clean_email,
    clean_line,
    clean_phone,
)
from krisenstab.domain.timefmt import utcnow
from krisenstab.exchange.contact_io import (
    TableFormatError,
    read_contacts,
    write_contacts,
)
from krisenstab.exchange.tabular import RowError
from krisenstab.services.context import Actor, ServiceError
from krisenstab.services.permissions import Permission, require
from krisenstab.services.staff import ChangeView, change_history, record_changes
from krisenstab.store.database import Database
from krisenstab.store.search import normalize

MAX_QUERY_WORDS = 8
TOKEN_MAX = 80

# Where a word matched, and how much that says about the entry.
WEIGHTS: dict[str, int] = {
    "subject": 10,
    "keywords": 8,
    "municipality": 7,
    "facility_label": 6,
    "branch": 6,
    "sector": 5,
    "organisation": 5,
    "function": 4,
    "contact_person": 3,
    "deputy": 2,
    "radio_call_sign": 2,
    "email": 1,
    "phone": 1,
    "phone_24h": 1,
    "mobile": 1,
    "deputy_phone": 1,
}
EXACT_BONUS = 2
COMPOUND_PENALTY = 1

# Parts of German compounds that people search for on their own. "Trink-
# wasserversorgung" is indexed as …, "wasserversorgung" and "versorgung" too.
_COMPOUND_PARTS = tuple(
    sorted(
        {
            "wasser", "abwasser", "trinkwasser", "strom", "gas", "waerme", "fernwaerme", "energie",
            "versorgung", "entsorgung", "netz", "werk", "anlage", "klaeranlage", "pumpwerk",
            "klinik", "krankenhaus", "heim", "pflege", "schule", "kita", "feuerwehr", "wehr",
            "polizei", "amt", "dienst", "stelle", "leitstelle", "verkehr", "bahn", "strasse",
            "bruecke", "deich", "damm", "talsperre", "sperre", "pumpe", "funk", "telefon",
            "kommunikation", "abfall", "lebensmittel", "verpflegung", "unterkunft", "betreuung",
            "rettung", "apotheke", "tankstelle", "kraftstoff", "diesel", "heizoel", "notstrom",
            "aggregat", "umspannwerk", "leitung", "hochwasser", "schutz", "katastrophenschutz",
            "sanitaet", "veterinaer", "tier", "gesundheit", "labor", "post", "rundfunk", "presse",
        }
    )
)  # fmt: skip
_WORD = re.compile(r"\w+", re.UNICODE)
_DIGITS = re.compile(r"\d")

RESPONSIBILITY_FIELDS = (
    "import_key", "subject", "keywords", "sector", "branch", "facility_id", "facility_label",
    "municipality", "organisation", "function", "contact_person", "person_id", "phone",
    "phone_24h", "mobile", "email", "radio_call_sign", "deputy", "deputy_phone", "notes",
)  # fmt: skip
REACH_FIELDS = ("phone", "phone_24h", "mobile", "email", "radio_call_sign")


# -- words ---------------------------------------------------------------------------
def _plain(value: str) -> str:
    """Case folded with accents dropped: "Jülich" → "julich" (the other folding of umlauts)."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words_of(value: str) -> set[str]:
    """The searchable words of a text, in both umlaut foldings, with compound parts."""
    found: set[str] = set()
    for folded in {normalize(value), _plain(value)}:
        for word in _WORD.findall(folded):
            found.add(word[:TOKEN_MAX])
    return found


def compound_parts(word: str) -> set[str]:
    """Known parts inside a compound, and the rest of the word from each part on:
    "trinkwasserversorgung" → wasser, wasserversorgung, versorgung."""
    parts = set()
    for part in _COMPOUND_PARTS:
        if part == word:
            continue
        start = word.find(part)
        while start >= 0:
            parts.add(part)
            if start > 0:
                parts.add(word[start : TOKEN_MAX + start])
            start = word.find(part, start + 1)
    parts.discard(word)
    return parts


def query_words(user_text: str) -> list[str]:
    """The words of a query, folded like the index; duplicates and prefixes of
    other words dropped (they add nothing: the longer word must match anyway)."""
    words = list(dict.fromkeys(w[:TOKEN_MAX] for w in _WORD.findall(normalize(user_text))))
    kept = [w for w in words if not any(o != w and o.startswith(w) for o in words)]
    return kept[:MAX_QUERY_WORDS]


def _phone_words(value: str) -> set[str]:
    digits = "".join(_DIGITS.findall(value))
    found = {w for w in _WORD.findall(value) if w.isdigit()}
    if digits:
        found.add(digits[:TOKEN_MAX])
        if digits.startswith("49") and len(digits) > 6:
            found.add("0" + digits[2:TOKEN_MAX])
    return found


def tokens_for(values: dict[str, Any]) -> dict[str, int]:
    """token → weight for one responsibility (the best field wins)."""
    tokens: dict[str, int] = {}

    def add(token: str, weight: int) -> None:
        if token and tokens.get(token, -1) < weight:
            tokens[token] = weight

    for name, weight in WEIGHTS.items():
        value = values.get(name)
        if not value:
            continue
        if name in ("phone", "phone_24h", "mobile", "deputy_phone"):
            for token in _phone_words(str(value)):
                add(token, weight)
            continue
        for word in words_of(str(value)):
            add(word, weight)
            for part in compound_parts(word):
                add(part, weight - COMPOUND_PENALTY)
    return tokens


def natural_key(subject: str | None, municipality: str | None, organisation: str | None) -> str:
    """How a line without "Schlüssel" is recognised again on re-import."""
    return "|".join(
        " ".join(normalize(v or "").split()) for v in (subject, municipality, organisation)
    )


# -- views -----------------------------------------------------------------------------
@dataclass(frozen=True)
class ResponsibilityView:
    id: str
    import_key: str | None
    subject: str
    keywords: str | None
    sector: str | None
    branch: str | None
    facility_id: str | None
    facility_label: str | None
    municipality: str | None
    organisation: str | None
    function: str | None
    contact_person: str | None
    person_id: str | None
    person_name: str | None
    phone: str | None
    phone_24h: str | None
    mobile: str | None
    email: str | None
    radio_call_sign: str | None
    deputy: str | None
    deputy_phone: str | None
    notes: str | None
    active: bool
    updated_at: datetime


@dataclass(frozen=True)
class ContactHit:
    """One answer to "who is responsible and how do I reach them"."""

    kind: str  # "Zuständigkeit" or "Person"
    id: str
    title: str  # subject, or the person's name
    who: str  # organisation / function / contact person, as one line
    municipality: str | None
    sector: str | None
    branch: str | None
    facility_label: str | None
    reach: tuple[tuple[str, str], ...]  # (label, number/address), most direct first
    phone_24h: str | None
    deputy: str | None
    deputy_reach: tuple[tuple[str, str], ...]
    functions: tuple[str, ...]  # staff functions a person holds now
    notes: str | None
    score: int


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    dry_run: bool
    applied: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    record_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    lines: list[tuple[int, str, str]] = field(default_factory=list)  # (line, action, subject)
    encoding: str | None = None
    delimiter: str | None = None
    format: str = "csv"

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"Import abgelehnt: {len(self.errors)} Fehler in der Datei; nichts wurde übernommen."
        counts = f"{self.created} neu, {self.updated} geändert, {self.unchanged} unverändert"
        if self.dry_run:
            return f"Probelauf ({self.record_count} Zeilen): {counts} – nichts gespeichert."
        return f"Import gespeichert ({self.record_count} Zeilen): {counts}."


# -- helpers ------------------------------------------------------------------------------
def _view(row: Responsibility, person_name: str | None) -> ResponsibilityView:
    return ResponsibilityView(
        id=row.id,
        import_key=row.import_key,
        subject=row.subject,
        keywords=row.keywords,
        sector=row.sector,
        branch=row.branch,
        facility_id=row.facility_id,
        facility_label=row.facility_label,
        municipality=row.municipality,
        organisation=row.organisation,
        function=row.function,
        contact_person=row.contact_person,
        person_id=row.person_id,
        person_name=person_name,
        phone=row.phone,
        phone_24h=row.phone_24h,
        mobile=row.mobile,
        email=row.email,
        radio_call_sign=row.radio_call_sign,
        deputy=row.deputy,
        deputy_phone=row.deputy_phone,
        notes=row.notes,
        active=row.active,
        updated_at=row.updated_at,
    )


_LINES = {
    "import_key": ("Der Schlüssel", 120),
    "subject": ("Die Zuständigkeit", 200),
    "keywords": ("Die Stichworte", 500),
    "sector": ("Der Sektor", 100),
    "branch": ("Die Branche", 100),
    "facility_id": ("Die Objekt-ID", 36),
    "facility_label": ("Das Objekt", 200),
    "municipality": ("Die Gemeinde", 100),
    "organisation": ("Die Organisation", 200),
    "function": ("Die Funktion", 120),
    "contact_person": ("Der Ansprechpartner", 120),
    "radio_call_sign": ("Der Funkrufname", 60),
    "deputy": ("Die Vertretung", 120),
}
_PHONES = {
    "phone": "Telefon",
    "phone_24h": "24/7-Nummer",
    "mobile": "Mobil",
    "deputy_phone": "Telefon der Vertretung",
}


def clean_responsibility(values: dict[str, Any]) -> dict[str, Any]:
    """Validated field values (German ServiceError on the first problem)."""
    cleaned: dict[str, Any] = {}
    try:
        for key, value in values.items():
            raw = None if value is None else str(value)
            if key in _LINES:
                what, limit = _LINES[key]
                cleaned[key] = clean_line(raw, what, limit, required=key == "subject")
            elif key in _PHONES:
                cleaned[key] = clean_phone(raw, _PHONES[key])
            elif key == "email":
                cleaned[key] = clean_email(raw)
            elif key == "notes":
                cleaned[key] = (raw or "").strip() or None
            elif key == "person_id":
                cleaned[key] = raw or None
            else:
                raise ServiceError(f"Unbekanntes Feld „{key}“.")
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    return cleaned


def _reindex(session: Session, responsibility_id: str, values: dict[str, Any]) -> None:
    table = ResponsibilityToken.__table__
    session.execute(delete(table).where(table.c.responsibility_id == responsibility_id))
    tokens = tokens_for(values)
    if tokens:
        session.execute(
            insert(table),
            [
                {"responsibility_id": responsibility_id, "token": t, "weight": w}
                for t, w in tokens.items()
            ],
        )


def _row_values(row: Responsibility) -> dict[str, Any]:
    return {name: getattr(row, name) for name in RESPONSIBILITY_FIELDS}


def _upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _join(*parts: str | None) -> str:
    return " · ".join(p for p in parts if p)


def _reach(*pairs: tuple[str, str | None]) -> tuple[tuple[str, str], ...]:
    seen: set[str] = set()
    result = []
    for label, value in pairs:
        if value and value not in seen:
            seen.add(value)
            result.append((label, value))
    return tuple(result)


# -- the prefix index ---------------------------------------------------------------------
class _PrefixIndex:
    """The token table held in memory: sorted words, each with its entries and weights.

    A word typed is a range of the sorted words (bisect); its entries are
    merged in Python, rarest word first, so that even a one-letter prefix over
    ten thousand entries takes a few milliseconds. Built from the table on the
    first lookup and again whenever the stamp (count and latest change of the
    entries) shows that anyone – this or another workstation – changed them.
    """

    def __init__(
        self,
        stamp: tuple[int, Any],
        ids: list[str],
        tokens: list[str],
        postings: list[array],
    ) -> None:
        self.stamp = stamp
        self.ids = ids  # entry number → responsibility id, in subject order
        self.tokens = tokens
        self.postings = postings  # per token: entry number << 5 | weight

    @classmethod
    def build(cls, session: Session, stamp: tuple[int, Any]) -> _PrefixIndex:
        rows = session.execute(
            select(Responsibility.id, Responsibility.subject, Responsibility.municipality).where(
                Responsibility.active.is_(True)
            )
        ).all()
        rows.sort(key=lambda r: (r[1].casefold(), (r[2] or "").casefold(), r[0]))
        ids = [r[0] for r in rows]
        number = {rid: i for i, rid in enumerate(ids)}
        tokens: list[str] = []
        postings: list[array] = []
        current: array | None = None
        # Hundreds of thousands of plain rows: read without per-row ORM processing.
        rows = (
            session.connection()
            .exec_driver_sql(
                "SELECT token, responsibility_id, weight FROM responsibility_token ORDER BY token"
            )
            .fetchall()
        )
        last = None
        for token, rid, weight in rows:
            doc = number.get(rid)
            if doc is None:
                continue
            if token != last:
                last = token
                tokens.append(token)
                current = array("I")
                postings.append(current)
            current.append(doc << 5 | (weight if 0 <= weight < 32 else 31))  # type: ignore[union-attr]
        return cls(stamp, ids, tokens, postings)

    def search(self, words: Sequence[str], limit: int) -> list[tuple[str, int]]:
        ranges = []
        for word in words:
            lo = bisect_left(self.tokens, word)
            hi = bisect_left(self.tokens, _upper_bound(word), lo)
            ranges.append((sum(len(self.postings[t]) for t in range(lo, hi)), word, lo, hi))
        ranges.sort()
        scores: dict[int, int] | None = None
        for _size, word, lo, hi in ranges:
            best: dict[int, int] = {}
            for t in range(lo, hi):
                bonus = EXACT_BONUS if self.tokens[t] == word else 0
                for packed in self.postings[t]:
                    doc = packed >> 5
                    if scores is not None and doc not in scores:
                        continue
                    score = (packed & 31) + bonus
                    if best.get(doc, -1) < score:
                        best[doc] = score
            scores = best if scores is None else {d: scores[d] + v for d, v in best.items()}
            if not scores:
                return []
        assert scores is not None
        top = heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], item[0]))
        return [(self.ids[doc], score) for doc, score in top]


_INDEXES: dict[str, _PrefixIndex] = {}
_INDEX_LOCK = threading.Lock()


def _index_for(db: Database, session: Session) -> _PrefixIndex:
    stamp = tuple(
        session.execute(
            select(func.count(), func.max(Responsibility.updated_at)).select_from(Responsibility)
        ).one()
    )
    key = f"{Path(db.path).resolve()}|{db.db_id}"
    with _INDEX_LOCK:
        index = _INDEXES.get(key)
        if index is None or index.stamp != stamp:
            index = _PrefixIndex.build(session, stamp)  # type: ignore[arg-type]
            _INDEXES[key] = index
        return index


class ContactService:
    def __init__(self, db: Database, actor: Actor | None = None) -> None:
        self.db = db
        self.actor = actor

    def _actor(self, actor: Actor | None) -> Actor:
        actor = actor or self.actor
        if actor is None:
            raise ServiceError("Bitte zuerst angeben, wer Sie sind und welche Funktion Sie haben.")
        return actor

    # -- lookup ------------------------------------------------------------------------
    def prepare(self) -> int:
        """Read the word index now (e.g. in a worker when the tab opens); returns its size.

        Otherwise the first lookup after a change pays for it (about a second
        for ten thousand entries).
        """
        with self.db.session() as session:
            return len(_index_for(self.db, session).ids)

    def find(
        self, user_text: str, limit: int = 20, *, now: datetime | None = None
    ) -> list[ContactHit]:
        """Who is responsible: the best ``limit`` hits for the words typed (as you type)."""
        words = query_words(user_text)
        if not words or limit <= 0:
            return []
        with self.db.session() as session:
            ranked = _index_for(self.db, session).search(words, limit)
            hits = self._responsibility_hits(session, ranked)
            hits.extend(self._person_hits(session, words, now or utcnow()))
        hits.sort(key=lambda h: (-h.score, h.kind != "Person", h.title.casefold()))
        return hits[:limit]

    @staticmethod
    def _responsibility_hits(session: Session, ranked: list[tuple[str, int]]) -> list[ContactHit]:
        if not ranked:
            return []
        rows = {
            r.id: r
            for r in session.execute(
                select(Responsibility).where(Responsibility.id.in_([rid for rid, _ in ranked]))
            ).scalars()
        }
        person_ids = {r.person_id for r in rows.values() if r.person_id}
        people = (
            {
                p.id: p
                for p in session.execute(select(Person).where(Person.id.in_(person_ids))).scalars()
            }
            if person_ids
            else {}
        )
        hits = []
        for rid, score in ranked:
            r = rows.get(rid)
            if r is None:
                continue
            person = people.get(r.person_id) if r.person_id else None
            hits.append(
                ContactHit(
                    kind=Entity.RESPONSIBILITY.value,
                    id=r.id,
                    title=r.subject,
                    who=_join(
                        r.organisation,
                        r.function,
                        r.contact_person or (person.name if person else None),
                    ),
                    municipality=r.municipality,
                    sector=r.sector,
                    branch=r.branch,
                    facility_label=r.facility_label,
                    reach=_reach(
                        ("24/7", r.phone_24h),
                        ("Telefon", r.phone),
                        ("Mobil", r.mobile or (person.mobile if person else None)),
                        ("Telefon (Person)", person.phone if person else None),
                        ("Funk", r.radio_call_sign or (person.radio_call_sign if person else None)),
                        ("E-Mail", r.email or (person.email if person else None)),
                    ),
                    phone_24h=r.phone_24h,
                    deputy=r.deputy,
                    deputy_reach=_reach(("Telefon", r.deputy_phone)),
                    functions=(),
                    notes=r.notes,
                    score=score,
                )
            )
        return hits

    @staticmethod
    def _person_hits(session: Session, words: Sequence[str], now: datetime) -> list[ContactHit]:
        people = {
            p.id: p
            for p in session.execute(select(Person).where(Person.active.is_(True))).scalars()
        }
        if not people:
            return []
        held: dict[str, list[str]] = {}
        for person_id, name in session.execute(
            select(RosterAssignment.person_id, StaffFunction.name)
            .join(StaffFunction, StaffFunction.id == RosterAssignment.function_id)
            .where(
                RosterAssignment.starts_at <= now,
                or_(RosterAssignment.ends_at.is_(None), RosterAssignment.ends_at > now),
            )
            .order_by(StaffFunction.sort_order)
        ):
            held.setdefault(person_id, []).append(name)
        hits = []
        for p in people.values():
            tokens: dict[str, int] = {}
            for value, weight in (
                (p.name, 10),
                (" ".join(held.get(p.id, ())), 9),
                (p.organisation, 4),
                (p.radio_call_sign, 3),
                (p.email, 1),
            ):
                for word in words_of(value or ""):
                    tokens[word] = max(tokens.get(word, 0), weight)
            for number in (p.phone, p.mobile):
                for word in _phone_words(number or ""):
                    tokens[word] = max(tokens.get(word, 0), 1)
            score = 0
            for word in words:
                best = max(
                    (
                        w + (EXACT_BONUS if t == word else 0)
                        for t, w in tokens.items()
                        if t.startswith(word)
                    ),
                    default=None,
                )
                if best is None:
                    break
                score += best
            else:
                deputy = people.get(p.deputy_id) if p.deputy_id else None
                hits.append(
                    ContactHit(
                        kind=Entity.PERSON.value,
                        id=p.id,
                        title=p.name,
                        who=_join(", ".join(held.get(p.id, ())), p.organisation),
                        municipality=None,
                        sector=None,
                        branch=None,
                        facility_label=None,
                        reach=_reach(
                            ("Mobil", p.mobile),
                            ("Telefon", p.phone),
                            ("Funk", p.radio_call_sign),
                            ("E-Mail", p.email),
                        ),
                        phone_24h=None,
                        deputy=deputy.name if deputy else None,
                        deputy_reach=_reach(
                            ("Mobil", deputy.mobile if deputy else None),
                            ("Telefon", deputy.phone if deputy else None),
                        ),
                        functions=tuple(held.get(p.id, ())),
                        notes=p.notes,
                        score=score,
                    )
                )
        return hits

    # -- reading -------------------------------------------------------------------------
    def get(self, responsibility_id: str) -> ResponsibilityView:
        with self.db.session() as session:
            row = session.get(Responsibility, responsibility_id)
            if row is None:
                raise ServiceError(f"Die Zuständigkeit {responsibility_id} gibt es nicht.")
            person = session.get(Person, row.person_id) if row.person_id else None
            return _view(row, person.name if person else None)

    def count(self, include_inactive: bool = False) -> int:
        with self.db.session() as session:
            query = select(func.count()).select_from(Responsibility)
            if not include_inactive:
                query = query.where(Responsibility.active.is_(True))
            return session.execute(query).scalar_one()

    def list(
        self, *, include_inactive: bool = False, offset: int = 0, limit: int | None = None
    ) -> list[ResponsibilityView]:
        """All entries ordered by subject and municipality (for the table and printouts)."""
        with self.db.session() as session:
            query = select(Responsibility).order_by(
                Responsibility.subject, Responsibility.municipality, Responsibility.id
            )
            if not include_inactive:
                query = query.where(Responsibility.active.is_(True))
            query = query.offset(offset)
            if limit is not None:
                query = query.limit(limit)
            rows = list(session.execute(query).scalars())
            names = dict(session.execute(select(Person.id, Person.name)).all())
            return [_view(r, names.get(r.person_id) if r.person_id else None) for r in rows]

    def history(self, responsibility_id: str) -> list[ChangeView]:
        return change_history(self.db, Entity.RESPONSIBILITY, responsibility_id)

    # -- changes ---------------------------------------------------------------------------
    @staticmethod
    def _check_reachable(session: Session, values: dict[str, Any]) -> None:
        if values.get("person_id"):
            if session.get(Person, values["person_id"]) is None:
                raise ServiceError("Die verknüpfte Person ist nicht erfasst.")
            return
        if not any(values.get(name) for name in REACH_FIELDS):
            raise ServiceError(
                "Bitte mindestens eine Erreichbarkeit angeben (Telefon, 24/7, Mobil, E-Mail, "
                "Funkrufname) oder eine erfasste Person verknüpfen."
            )

    @staticmethod
    def _check_key(session: Session, key: str | None, own_id: str | None) -> None:
        if key is None:
            return
        other = session.execute(
            select(Responsibility.id).where(func.lower(Responsibility.import_key) == key.lower())
        ).scalar_one_or_none()
        if other is not None and other != own_id:
            raise ServiceError(f"Der Schlüssel „{key}“ ist schon vergeben.")

    def add(self, subject: str, *, actor: Actor | None = None, **values: Any) -> ResponsibilityView:
        """A new entry; ``values`` are fields of :class:`ResponsibilityView` (organisation, phone …)."""
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        fields_ = clean_responsibility({"subject": subject, **values})
        with self.db.write() as session:
            self._check_reachable(session, fields_)
            self._check_key(session, fields_.get("import_key"), None)
            now = utcnow()
            row = Responsibility(
                **fields_, created_at=now, updated_at=now, workstation_id=who.workstation_id
            )
            session.add(row)
            session.flush()
            _reindex(session, row.id, _row_values(row))
            record_changes(
                session,
                Entity.RESPONSIBILITY,
                row.id,
                who,
                [(k, None, v) for k, v in fields_.items()],
                action=ChangeAction.CREATED,
                at=now,
            )
            person = session.get(Person, row.person_id) if row.person_id else None
            return _view(row, person.name if person else None)

    def update(
        self, responsibility_id: str, *, actor: Actor | None = None, **changes: Any
    ) -> ResponsibilityView:
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        fields_ = clean_responsibility(changes)
        with self.db.write() as session:
            row = session.get(Responsibility, responsibility_id)
            if row is None:
                raise ServiceError(f"Die Zuständigkeit {responsibility_id} gibt es nicht.")
            merged = {**_row_values(row), **fields_}
            self._check_reachable(session, merged)
            if "import_key" in fields_:
                self._check_key(session, fields_["import_key"], row.id)
            diff = [(k, getattr(row, k), v) for k, v in fields_.items()]
            for key, value in fields_.items():
                setattr(row, key, value)
            now = utcnow()
            if record_changes(session, Entity.RESPONSIBILITY, row.id, who, diff, at=now):
                row.updated_at = now
                session.add(row)
                session.flush()
                _reindex(session, row.id, _row_values(row))
            person = session.get(Person, row.person_id) if row.person_id else None
            return _view(row, person.name if person else None)

    def set_active(
        self, responsibility_id: str, active: bool, *, actor: Actor | None = None
    ) -> ResponsibilityView:
        """Deactivate (hide from lookup, keep with history) or reactivate an entry."""
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        with self.db.write() as session:
            row = session.get(Responsibility, responsibility_id)
            if row is None:
                raise ServiceError(f"Die Zuständigkeit {responsibility_id} gibt es nicht.")
            if row.active != active:
                now = utcnow()
                record_changes(
                    session,
                    Entity.RESPONSIBILITY,
                    row.id,
                    who,
                    [("active", row.active, active)],
                    action=ChangeAction.REACTIVATED if active else ChangeAction.DEACTIVATED,
                    at=now,
                )
                row.active = active
                row.updated_at = now
                session.add(row)
            person = session.get(Person, row.person_id) if row.person_id else None
            return _view(row, person.name if person else None)

    # -- import / export ---------------------------------------------------------------------
    def import_file(
        self,
        source: bytes | str | os.PathLike[str] | IO[bytes],
        *,
        filename: str | None = None,
        dry_run: bool = False,
        actor: Actor | None = None,
    ) -> ImportReport:
        """Import a contacts table: all lines or none.

        Lines are matched to existing entries by "Schlüssel", else by
        Zuständigkeit + Gemeinde + Organisation; matched entries are updated in
        the columns the file has, others created. Entries missing from the
        file stay as they are. Every problem is reported with its line; with
        any problem nothing is stored. A dry run reports without storing.
        """
        who = self._actor(actor)
        require(who, Permission.MASTER_DATA)
        try:
            parsed = read_contacts(source, filename=filename)
        except TableFormatError as exc:
            raise ServiceError(str(exc)) from None
        report = ImportReport(
            dry_run=dry_run,
            applied=False,
            record_count=parsed.record_count,
            errors=list(parsed.errors),
            unknown_columns=parsed.unknown_columns,
            encoding=parsed.encoding,
            delimiter=parsed.delimiter,
            format=parsed.format,
        )
        present = set(parsed.columns)
        if report.errors and dry_run:
            # Still show the matching problems of the good lines.
            with self.db.session() as session:
                _, extra = _plan(session, parsed.records, present)
            report.errors = sorted(report.errors + extra, key=lambda e: e.line)
            return report
        if report.errors:
            return report
        if dry_run:
            with self.db.session() as session:
                plan, extra = _plan(session, parsed.records, present)
            report.errors = extra
            if not extra:
                _count(report, plan)
            return report
        with self.db.write() as session:
            plan, extra = _plan(session, parsed.records, present)
            if extra:
                report.errors = extra
                return report
            _count(report, plan)
            now = utcnow()
            # New lines go in as three bulk inserts: a ten-thousand-line file
            # takes seconds, not minutes.
            new_rows: list[dict[str, Any]] = []
            new_tokens: list[dict[str, Any]] = []
            new_history: list[dict[str, Any]] = []
            for item in plan:
                if item.action == "neu":
                    values = item.record.values()
                    active = values.pop("active")
                    values.update(
                        id=new_id(),
                        person_id=None,
                        active=True if active is None else active,
                        created_at=now,
                        updated_at=now,
                        workstation_id=who.workstation_id,
                    )
                    new_rows.append(values)
                    new_tokens.extend(
                        {"responsibility_id": values["id"], "token": t, "weight": w}
                        for t, w in tokens_for(values).items()
                    )
                    new_history.append(
                        {
                            "id": new_id(),
                            "entity": Entity.RESPONSIBILITY.value,
                            "entity_id": values["id"],
                            "action": ChangeAction.IMPORTED.value,
                            "field": None,
                            "old_value": None,
                            "new_value": values["subject"],
                            "changed_at": now,
                            "changed_by": who.person.strip(),
                            "changed_by_function": who.function.strip()[:60],
                            "workstation_id": who.workstation_id,
                        }
                    )
                elif item.action == "geändert":
                    assert item.target is not None
                    row = item.target
                    for key, (_, new) in item.diff.items():
                        setattr(row, key, new)
                    record_changes(
                        session,
                        Entity.RESPONSIBILITY,
                        row.id,
                        who,
                        [(k, old, new) for k, (old, new) in item.diff.items()],
                        action=ChangeAction.IMPORTED,
                        at=now,
                    )
                    row.updated_at = now
                    session.add(row)
                    session.flush()
                    _reindex(session, row.id, _row_values(row))
            for table, rows in (
                (Responsibility.__table__, new_rows),
                (ResponsibilityToken.__table__, new_tokens),
                (MasterDataChange.__table__, new_history),
            ):
                if rows:
                    session.execute(insert(table), rows)
            report.applied = True
        return report

    def export_file(
        self,
        target: str | os.PathLike[str] | IO[bytes],
        *,
        fmt: str | None = None,
        include_inactive: bool = True,
    ) -> int:
        """Write the matrix as CSV or XLSX (by suffix unless ``fmt``); returns the count."""
        if fmt is None:
            suffix = Path(target).suffix.casefold() if isinstance(target, str | os.PathLike) else ""
            fmt = "xlsx" if suffix in (".xlsx", ".xlsm") else "csv"
        return write_contacts(target, self.list(include_inactive=include_inactive), fmt=fmt)


# -- import planning ---------------------------------------------------------------------------
@dataclass
class _PlanItem:
    record: Any
    action: str  # "neu", "geändert", "unverändert"
    target: Responsibility | None = None
    diff: dict[str, tuple[Any, Any]] = field(default_factory=dict)


def _plan(
    session: Session, records: Sequence[Any], present: set[str]
) -> tuple[list[_PlanItem], list[RowError]]:
    existing = list(session.execute(select(Responsibility)).scalars())
    by_key: dict[str, Responsibility] = {}
    by_natural: dict[str, list[Responsibility]] = {}
    for row in existing:
        if row.import_key:
            by_key[row.import_key.casefold()] = row
        by_natural.setdefault(
            natural_key(row.subject, row.municipality, row.organisation), []
        ).append(row)
    errors: list[RowError] = []
    plan: list[_PlanItem] = []
    claimed: dict[str, int] = {}
    natural_in_file: dict[str, int] = {}
    for record in records:
        nkey = natural_key(record.subject, record.municipality, record.organisation)
        target: Responsibility | None = None
        if record.import_key:
            target = by_key.get(record.import_key.casefold())
            if target is None:
                candidates = [r for r in by_natural.get(nkey, []) if not r.import_key]
                if len(candidates) == 1:
                    target = candidates[0]
        else:
            if nkey in natural_in_file:
                errors.append(
                    RowError(
                        record.line,
                        None,
                        "Zuständigkeit, Gemeinde und Organisation wie in Zeile "
                        f"{natural_in_file[nkey]}; bitte eine Spalte „Schlüssel“ zur Unterscheidung verwenden",
                    )
                )
                continue
            natural_in_file[nkey] = record.line
            candidates = by_natural.get(nkey, [])
            if len(candidates) > 1:
                errors.append(
                    RowError(
                        record.line,
                        None,
                        f"„{record.subject}“ passt auf {len(candidates)} vorhandene Einträge; "
                        "bitte eine Spalte „Schlüssel“ verwenden",
                    )
                )
                continue
            target = candidates[0] if candidates else None
        if target is not None:
            if target.id in claimed:
                errors.append(
                    RowError(
                        record.line,
                        None,
                        f"betrifft denselben Eintrag wie Zeile {claimed[target.id]}",
                    )
                )
                continue
            claimed[target.id] = record.line
            diff: dict[str, tuple[Any, Any]] = {}
            for key, value in record.values().items():
                if key not in present:
                    continue
                if key == "import_key" and value is None:
                    continue
                if key == "active" and value is None:
                    continue
                if getattr(target, key) != value:
                    diff[key] = (getattr(target, key), value)
            merged = {**_row_values(target), **{k: new for k, (_, new) in diff.items()}}
            if not merged.get("person_id") and not any(merged.get(n) for n in REACH_FIELDS):
                errors.append(RowError(record.line, None, "keine Erreichbarkeit mehr übrig"))
                continue
            plan.append(_PlanItem(record, "geändert" if diff else "unverändert", target, diff))
        else:
            if record.import_key and record.import_key.casefold() in by_key:
                errors.append(
                    RowError(record.line, None, f"Schlüssel „{record.import_key}“ ist vergeben")
                )
                continue
            plan.append(_PlanItem(record, "neu"))
    return plan, errors


def _count(report: ImportReport, plan: list[_PlanItem]) -> None:
    for item in plan:
        if item.action == "neu":
            report.created += 1
        elif item.action == "geändert":
            report.updated += 1
        else:
            report.unchanged += 1
        report.lines.append((item.record.line, item.action, item.record.subject))
