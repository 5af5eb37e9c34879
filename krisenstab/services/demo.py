"""The demo database: a fictional flood on the Rur in Kreis Düren.

Everything here is invented ("Muster", "Beispiel"); places are the real
municipalities of Kreis Düren so that the staff recognises the map.
Capabilities add their own demo data through DEMO_BUILDERS.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from krisenstab.domain.incident import Incident
from krisenstab.domain.journal import EntryKind, SourceQuality
from krisenstab.domain.timefmt import utcnow
from krisenstab.services.context import Actor
from krisenstab.services.journal import write_entry
from krisenstab.store.database import Database

DEMO_TITLE = "Hochwasser an der Rur (Muster-Lage)"
DEMO_HOURS = 36


@dataclass(frozen=True)
class DemoPerson:
    name: str
    function: str


DEMO_STAFF = (
    DemoPerson("Erika Musterfrau", "Leiter des Stabes"),
    DemoPerson("Lena Beispiel", "S1"),
    DemoPerson("Max Mustermann", "S2"),
    DemoPerson("Jonas Beispiel", "S3"),
    DemoPerson("Tim Muster", "S4"),
    DemoPerson("Anna Beispielhaft", "S5"),
    DemoPerson("Paul Mustermann", "S6"),
    DemoPerson("Sarah Muster", "BuMA"),
    DemoPerson("Dr. Klaus Beispiel", "Fachberater Wasserwirtschaft"),
    DemoPerson("Nina Musterhaus", "Verbindungsperson THW"),
)

MUNICIPALITIES = (
    "Aldenhoven", "Düren", "Heimbach", "Hürtgenwald", "Inden", "Jülich", "Kreuzau",
    "Langerwehe", "Linnich", "Merzenich", "Nideggen", "Niederzier", "Nörvenich", "Titz",
    "Vettweiß",
)  # fmt: skip

# The storyline: (hour after start, function, kind, source, text).
_STORY: tuple[tuple[float, str, str, str, str], ...] = (
    (0.0, "Leiter des Stabes", "Entscheidung", "eigene Beobachtung",
     "Stab für außergewöhnliche Ereignisse einberufen wegen Starkregen und steigender Pegel an der Rur. Erste Lagebesprechung 20:00."),
    (0.2, "S2", "Lage", "Dritte",
     "DWD-Unwetterwarnung Stufe 3 (Muster): 60–80 l/m² in 24 h für den Kreis Düren, Schwerpunkt Eifel."),
    (0.5, "S1", "Vermerk", "eigene Beobachtung",
     "Stab vollständig besetzt: Leiter, S1–S6, BuMA, Fachberater Wasserwirtschaft. Schichtplan 12 h erstellt."),
    (1.0, "Fachberater Wasserwirtschaft", "Lage", "Dritte",
     "Talsperrenbetreiber (Muster) meldet Zulauf deutlich über Mittelwert; Abgabe wird erhöht."),
    (1.5, "S3", "Auftrag", "eigene Beobachtung",
     "Feuerwehr Heimbach: Sandsackverbau an der Uferstraße vorbereiten; Rückmeldung bis 22:00."),
    (2.0, "S5", "Ausgang", "eigene Beobachtung",
     "Pressemitteilung Nr. 1 herausgegeben: Hinweise zu Kellern und Uferbereichen."),
    (3.0, "S2", "Lage", "eigene Beobachtung",
     "Erste Lagemeldung an die Bezirksregierung (Muster) abgesetzt."),
    (4.0, "S3", "Eingang", "Dritte",
     "Leitstelle: 14 Einsätze wegen vollgelaufener Keller in Kreuzau und Nideggen."),
    (5.0, "S6", "Vermerk", "eigene Beobachtung",
     "Funkverbindung zu den Abschnitten steht; Ersatzweg Satellitentelefon getestet."),
    (6.0, "Leiter des Stabes", "Entscheidung", "eigene Beobachtung",
     "Vorsorgliche Räumung des Campingplatzes an der Rur in Heimbach angeordnet."),
    (7.0, "S4", "Vermerk", "eigene Beobachtung",
     "Sandsacklager (Muster) meldet 20.000 Sandsäcke verfügbar; Nachschub bestellt."),
    (8.0, "S2", "Lage", "Dritte",
     "Rur in Düren über Meldestufe 2; weiter steigend. Prognose Scheitel in 10–14 h."),
    (9.5, "S3", "Eingang", "Dritte",
     "THW-Ortsverband (Muster) mit zwei Pumpen in Bereitstellung am Feuerwehrhaus Kreuzau."),
    (11.0, "Verbindungsperson THW", "Vermerk", "eigene Beobachtung",
     "THW-Fachgruppe Wasserschaden/Pumpen alarmiert, Eintreffen 02:00."),
    (12.0, "Leiter des Stabes", "Entscheidung", "eigene Beobachtung",
     "Evakuierung der Ortslage Obermaubach-Unterdorf (Muster) angeordnet; Notunterkunft Schule Kreuzau."),
    (12.5, "BuMA", "Ausgang", "eigene Beobachtung",
     "Bürgertelefon geschaltet; Warnung über Warn-App und Lautsprecherdurchsagen."),
    (14.0, "S2", "Lage", "Dritte",
     "Stromnetzbetreiber (Muster): Umspannwerk Kreuzau wegen Überflutungsgefahr abgeschaltet. Ca. 9.000 Einwohner ohne Strom."),
    (14.5, "S4", "Auftrag", "eigene Beobachtung",
     "Betankung der Notstromaggregate in Kreuzau organisieren; Tankwagen über Kraftstofflager (Muster)."),
    (16.0, "S3", "Lage", "eigene Beobachtung",
     "Wasserwerk (Muster) im Notstrombetrieb; Autarkie laut Betreiber 18 Stunden."),
    (18.0, "Fachberater Wasserwirtschaft", "Lage", "Annahme/Schätzung",
     "Scheitel an der Rur in Düren voraussichtlich gegen 06:00, Pegel um 3,60 m."),
    (20.0, "Leiter des Stabes", "Entscheidung", "eigene Beobachtung",
     "Schulen im Kreis bleiben morgen geschlossen; Abstimmung mit den Gemeinden erfolgt."),
    (22.0, "S1", "Vermerk", "eigene Beobachtung",
     "Schichtwechsel im Stab; Übergabe an die Nachtschicht durchgeführt."),
    (24.0, "S2", "Lage", "eigene Beobachtung",
     "Scheitel in Düren erreicht; Pegel stagniert. Lage in Jülich und Linnich noch steigend."),
    (26.0, "S3", "Eingang", "Dritte",
     "Deichverteidigung in Linnich: Sickerstellen festgestellt, Verbau mit Sandsäcken läuft."),
    (28.0, "S4", "Vermerk", "eigene Beobachtung",
     "Verpflegung für 300 Einsatzkräfte über Hilfsorganisationen (Muster) sichergestellt."),
    (30.0, "S2", "Lage", "Dritte",
     "Strom in Kreuzau teilweise wiederhergestellt; Umspannwerk im Probebetrieb."),
    (32.0, "S5", "Ausgang", "eigene Beobachtung",
     "Pressemitteilung Nr. 4: Rückkehr in evakuierte Bereiche ab 12:00 möglich."),
    (34.0, "Leiter des Stabes", "Entscheidung", "eigene Beobachtung",
     "Evakuierung Obermaubach-Unterdorf (Muster) aufgehoben; Notunterkunft bleibt bis 18:00 besetzt."),
    (35.5, "S2", "Lage", "eigene Beobachtung",
     "Lage entspannt sich; Pegel fallend. Nächste Lagebesprechung 08:00."),
)  # fmt: skip

_ROUTINE = (
    ("S2", "Lage", "Dritte", "Pegel {place}: {level:.2f} m, {trend}."),
    ("S3", "Eingang", "Dritte", "Leitstelle: {n} neue Einsätze in {place} (Keller, Unterführungen)."),
    ("S3", "Vermerk", "eigene Beobachtung", "Einsatzabschnitt {place}: {n} Kräfte im Einsatz, Lage stabil."),
    ("S4", "Vermerk", "eigene Beobachtung", "{n} Sandsäcke nach {place} ausgeliefert."),
    ("S6", "Vermerk", "eigene Beobachtung", "Funkrufname Abschnitt {place} bestätigt; Verbindung gut."),
    ("S5", "Ausgang", "eigene Beobachtung", "Bürgeranfragen aus {place}: {n} Anrufe beantwortet."),
    ("S1", "Vermerk", "eigene Beobachtung", "Personalstärke Stab: {n} Personen anwesend."),
    ("Verbindungsperson THW", "Eingang", "Dritte", "THW pumpt in {place} mit {n} m³/h."),
    ("S2", "Lage", "Annahme/Schätzung", "Wetterlage: Niederschlag lässt in {place} nach, {n} l/m² in der letzten Stunde."),
)  # fmt: skip

_CORRECTIONS = (
    "Berichtigung: richtig ist Pegel {place} {level:.2f} m (Ablesefehler).",
    "Berichtigung: die Einsätze betrafen {place}, nicht die zuvor genannte Gemeinde.",
    "Berichtigung: Anzahl richtig {n}, Übermittlungsfehler.",
)


def _actor_for(function: str, workstation_id: str) -> Actor:
    person = next((p.name for p in DEMO_STAFF if p.function == function), "Max Mustermann")
    return Actor(person=person, function=function, workstation_id=workstation_id)


def build_journal_demo(db: Database, workstation_id: str, now: datetime | None = None) -> str:
    """Create the demo incident with about 200 entries over 36 hours; return its id."""
    rng = random.Random(20261127)
    end = now or utcnow()
    start = end - timedelta(hours=DEMO_HOURS)
    items: list[tuple[float, str, str, str, str]] = list(_STORY)
    level = 1.2
    for i in range(160):
        hour = rng.uniform(0.1, DEMO_HOURS - 0.1)
        function, kind, source, template = rng.choice(_ROUTINE)
        level = max(0.8, min(3.7, level + rng.uniform(-0.15, 0.25)))
        text = template.format(
            place=rng.choice(MUNICIPALITIES),
            level=level,
            trend=rng.choice(("steigend", "gleichbleibend", "fallend")),
            n=rng.randint(2, 60) * (10 if "Sandsäcke" in template else 1),
        )
        items.append((hour, function, kind, source, text))
        del i
    items.sort(key=lambda item: item[0])
    leader = _actor_for("S2", workstation_id)
    with db.write() as session:
        incident = Incident(
            title=DEMO_TITLE,
            created_at=start,
            created_by=leader.person,
            workstation_id=workstation_id,
        )
        session.add(incident)
        session.flush()
        write_entry(
            session,
            incident.id,
            leader,
            f"Ereignis „{DEMO_TITLE}“ eröffnet. Einsatztagebuch begonnen.",
            kind=EntryKind.SYSTEM,
            recorded_at=start,
        )
        number = 1
        for hour, function, kind, source, text in items:
            at = start + timedelta(hours=hour)
            actor = _actor_for(function, workstation_id)
            observed = at - timedelta(minutes=rng.choice((0, 0, 5, 10, 20)))
            write_entry(
                session,
                incident.id,
                actor,
                text,
                kind=kind,
                source_quality=source,
                observed_at=observed,
                recorded_at=at,
            )
            number += 1
            # Now and then an earlier entry is corrected, as in any real ETB.
            if number > 20 and rng.random() < 0.05:
                target = rng.randint(number - 15, number - 1)
                correction = rng.choice(_CORRECTIONS).format(
                    place=rng.choice(MUNICIPALITIES), level=level, n=rng.randint(2, 40)
                )
                write_entry(
                    session,
                    incident.id,
                    actor,
                    correction,
                    kind=kind,
                    source_quality=SourceQuality.OWN,
                    observed_at=observed,
                    corrects=target,
                    recorded_at=at + timedelta(minutes=2),
                )
                number += 1
        incident_id = incident.id
    return incident_id


# Each capability's demo module has build(db, workstation_id, incident_id).
DEMO_MODULES = ("krisenstab.services.kritis_demo", "krisenstab.services.staff_demo")


def build_demo(db: Database, workstation_id: str, now: datetime | None = None) -> str:
    with db.session() as session:
        existing = session.execute(select(Incident.id).where(Incident.title == DEMO_TITLE)).first()
    if existing:
        return existing[0]
    incident_id = build_journal_demo(db, workstation_id, now)
    for name in DEMO_MODULES:
        importlib.import_module(name).build(db, workstation_id, incident_id)
    return incident_id
