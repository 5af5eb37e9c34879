"""Demo data of the staff capability, for the fictional Rur flood of services.demo.

Everything is invented: the people are "Muster"/"Beispiel" names, the
organisations carry "(Muster)", and every telephone number lies in the range
0221 4710 000–999 that the Bundesnetzagentur keeps free for films and books
("Drama Numbers"), so nobody is ever called by mistake. Only the
municipalities are the real ones of Kreis Düren.

Built through the services, so every handover, task and message writes its
journal entry exactly as in real use. Their journal entries are recorded now
(the ETB stays chronological); the times of the events themselves – start of
a shift, arrival of a message, a deadline – lie within the 36 hours of the
storyline.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from krisenstab.domain.incident import Incident
from krisenstab.domain.timefmt import utcnow
from krisenstab.services.contacts import ContactService
from krisenstab.services.context import Actor
from krisenstab.services.demo import DEMO_HOURS, DEMO_STAFF, MUNICIPALITIES
from krisenstab.services.messages import MessageService
from krisenstab.services.staff import StaffService
from krisenstab.services.tasks import TaskService
from krisenstab.store.database import Database

KREIS = "Kreisverwaltung Düren (Muster)"


def _number(n: int) -> str:
    return f"0221 4710 {n:03d}"


# (name, function or None, organisation, phone no., mobile no., radio call sign, deputy)
_PEOPLE: tuple[tuple[str, str | None, str, int, int | None, str | None, str | None], ...] = (
    (DEMO_STAFF[0].name, DEMO_STAFF[0].function, KREIS, 100, 101, None, "Petra Beispielmann"),
    (DEMO_STAFF[1].name, DEMO_STAFF[1].function, KREIS, 110, 111, None, "Heike Musterbach"),
    (DEMO_STAFF[2].name, DEMO_STAFF[2].function, KREIS, 120, 121, "Florian Düren 1/S2", "Frank Musterhoff"),
    (DEMO_STAFF[3].name, DEMO_STAFF[3].function, "Feuerwehr Kreis Düren (Muster)", 130, 131, "Florian Düren 1/S3", "Heike Musterbach"),
    (DEMO_STAFF[4].name, DEMO_STAFF[4].function, KREIS, 140, 141, None, "Lena Beispiel"),
    (DEMO_STAFF[5].name, DEMO_STAFF[5].function, "Pressestelle Kreis Düren (Muster)", 150, 151, None, "Sarah Muster"),
    (DEMO_STAFF[6].name, DEMO_STAFF[6].function, KREIS, 160, 161, "Florian Düren 1/S6", None),
    (DEMO_STAFF[7].name, DEMO_STAFF[7].function, "Pressestelle Kreis Düren (Muster)", 170, 171, None, "Anna Beispielhaft"),
    (DEMO_STAFF[8].name, DEMO_STAFF[8].function, "Wasserverband Rur (Muster)", 180, 181, None, None),
    (DEMO_STAFF[9].name, DEMO_STAFF[9].function, "THW-Ortsverband (Muster)", 190, 191, "Heros Düren 10/01", None),
    ("Petra Beispielmann", None, KREIS, 200, 201, None, None),
    ("Heike Musterbach", None, KREIS, 210, 211, None, None),
    ("Frank Musterhoff", None, KREIS, 220, 221, None, None),
    ("Julia Beispielfeld", "ETB-Führer", KREIS, 230, None, None, "Ole Musterstein"),
    ("Ole Musterstein", None, KREIS, 240, None, None, "Julia Beispielfeld"),
    ("Mia Beispielgut", "Sichter", KREIS, 250, None, None, None),
    ("Ben Musterberg", "Fernmelder", "Feuerwehr Kreis Düren (Muster)", 260, None, "Florian Düren 1/FM", None),
)  # fmt: skip

# Responsibility matrix: (subject, municipality, sector, branch, organisation,
# function, contact person, keywords).
_SUBJECTS: tuple[tuple[str, str | None, str | None, str | None, str, str | None, str | None, str | None], ...] = (
    ("Trinkwasserversorgung", "Jülich", "Wasser", "Trinkwasser", "Wasserversorger Jülich (Muster)", "Bereitschaftsdienst Wasserwerk", "Herr Beispielquell", "Wasserwerk Hochbehälter"),
    ("Trinkwasserversorgung", "Düren", "Wasser", "Trinkwasser", "Stadtwerke Düren (Muster)", "Netzleitstelle Wasser", None, "Wasserwerk Rohrbruch"),
    ("Trinkwasserversorgung", "Heimbach", "Wasser", "Trinkwasser", "Wasserverband Eifel (Muster)", "Bereitschaftsdienst", None, None),
    ("Trinkwasserversorgung", "Linnich", "Wasser", "Trinkwasser", "Wasserversorger Jülich (Muster)", "Bereitschaftsdienst Wasserwerk", None, None),
    ("Abwasserbeseitigung und Kläranlage", "Düren", "Wasser", "Abwasser", "Abwasserverband Rur (Muster)", "Betriebsleitung Kläranlage", None, "Pumpwerk Kanal"),
    ("Abwasserbeseitigung und Kläranlage", "Linnich", "Wasser", "Abwasser", "Abwasserverband Rur (Muster)", "Betriebsleitung Kläranlage", None, "Pumpwerk"),
    ("Stromversorgung Mittel- und Niederspannung", None, "Energie", "Strom", "Netzbetreiber Rur-Eifel (Muster)", "Netzleitstelle", None, "Stromausfall Netz Trafostation"),
    ("Umspannwerk", "Kreuzau", "Energie", "Strom", "Netzbetreiber Rur-Eifel (Muster)", "Netzleitstelle", None, "Umspannwerk Kreuzau Abschaltung"),
    ("Gasversorgung", None, "Energie", "Gas", "Gasnetz Düren (Muster)", "Entstördienst", None, "Gasgeruch Leck"),
    ("Fernwärme", "Düren", "Energie", "Fernwärme", "Stadtwerke Düren (Muster)", "Leitwarte", None, None),
    ("Kraftstoff für Notstromaggregate", None, "Energie", "Mineralöl", "Kraftstofflager (Muster)", "Disposition", None, "Diesel Tankwagen Betankung"),
    ("Talsperren an der Rur: Abgabe und Stauhöhe", "Heimbach", "Wasser", None, "Talsperrenbetreiber (Muster)", "Talsperrenleitzentrale", None, "Hochwasser Pegel Abgabe"),
    ("Pegel und Hochwasservorhersage Rur", None, "Wasser", None, "Wasserverband Rur (Muster)", "Hochwassermeldedienst", None, "Pegel Hochwasser Prognose"),
    ("Krankenhaus (Evakuierung, Notstrom)", "Düren", "Gesundheit", "Stationäre Versorgung", "Muster-Klinikum Düren", "Krankenhauseinsatzleitung", None, "Klinik Patienten"),
    ("Krankenhaus (Evakuierung, Notstrom)", "Jülich", "Gesundheit", "Stationäre Versorgung", "Beispiel-Krankenhaus Jülich", "Krankenhauseinsatzleitung", None, "Klinik Patienten"),
    ("Pflegeeinrichtungen", None, "Sozialleistungen", "Pflege", "Heimaufsicht Kreis Düren (Muster)", "Bereitschaft Heimaufsicht", None, "Pflegeheim Altenheim Bewohner"),
    ("Rettungsdienst und Leitstelle", None, "Gesundheit", "Rettungsdienst", "Leitstelle Kreis Düren (Muster)", "Lagedienst", None, "112 Rettungswagen Einsätze"),
    ("Gesundheitsamt (Trinkwasserhygiene, Infektionsschutz)", None, "Gesundheit", None, "Gesundheitsamt Kreis Düren (Muster)", "Rufbereitschaft", None, "Trinkwasser Hygiene Abkochgebot"),
    ("Veterinäramt (Tierhaltung, Tierseuchen)", None, "Ernährung", None, "Veterinäramt Kreis Düren (Muster)", "Rufbereitschaft", None, "Tiere Stall Evakuierung"),
    ("Lebensmittelversorgung Notunterkünfte", None, "Ernährung", "Lebensmittelversorgung", "Hilfsorganisationen Kreis Düren (Muster)", "Verpflegungsdienst", None, "Verpflegung Essen"),
    ("Telekommunikation Festnetz und Mobilfunk", None, "Informationstechnik und Telekommunikation", "Telekommunikation", "Telekommunikationsanbieter (Muster)", "Störungsstelle Behörden", None, "Mobilfunkmast Ausfall"),
    ("IT der Kreisverwaltung", "Düren", "Informationstechnik und Telekommunikation", "Informationstechnik", KREIS, "IT-Bereitschaft", None, "Server Netzwerk"),
    ("Polizei", None, "Staat und Verwaltung", "Gefahrenabwehr", "Kreispolizeibehörde Düren (Muster)", "Leitstelle Polizei", None, "Absperrung Verkehr Räumung"),
    ("Technisches Hilfswerk", None, "Staat und Verwaltung", "Gefahrenabwehr", "THW-Ortsverband (Muster)", "Zugführung", None, "Pumpen Sandsäcke Beleuchtung"),
    ("Bundeswehr (Amtshilfe)", None, "Staat und Verwaltung", "Gefahrenabwehr", "Kreisverbindungskommando (Muster)", "Verbindungsoffizier", None, "Amtshilfe Soldaten"),
    ("Bezirksregierung (Meldungen, Lagemeldung)", None, "Staat und Verwaltung", "Verwaltung", "Bezirksregierung (Muster)", "Lagezentrum", None, "Meldeerlass Lagemeldung"),
    ("Straßen, Sperrungen, Umleitungen", None, "Transport und Verkehr", "Straße", "Straßenmeisterei (Muster)", "Rufbereitschaft", None, "Sperrung Brücke Umleitung"),
    ("Bahnstrecke Düren–Heimbach", None, "Transport und Verkehr", "Schiene", "Eisenbahnbetreiber (Muster)", "Betriebszentrale", None, "Zug Bahn Gleis"),
    ("Öffentlicher Nahverkehr (Evakuierungsbusse)", None, "Transport und Verkehr", "ÖPNV", "Verkehrsbetrieb Rur (Muster)", "Betriebsleitstelle", None, "Bus Evakuierung"),
    ("Abfallentsorgung (Sperrmüll nach Hochwasser)", None, "Siedlungsabfallentsorgung", "Abfallentsorgung", "Abfallwirtschaft Kreis Düren (Muster)", "Disposition", None, "Müll Container"),
    ("Sandsacklager", "Düren", None, None, "Sandsacklager (Muster)", "Lagerleitung", None, "Sandsäcke Ausgabe"),
    ("Notunterkunft Schule Kreuzau", "Kreuzau", None, None, "Gemeinde Kreuzau (Muster)", "Schulhausmeister", None, "Notunterkunft Turnhalle Betreuung"),
    ("Deutscher Wetterdienst (Unwetterwarnungen)", None, None, None, "Wetterdienst (Muster)", "Vorhersagezentrale", None, "Wetter Regen Warnung"),
    ("Warnung der Bevölkerung (Sirenen, Warn-App)", None, "Staat und Verwaltung", "Gefahrenabwehr", KREIS, "Warnzentrale", None, "Sirene Warnapp Durchsage"),
    ("Presse- und Rundfunkanfragen", None, "Medien und Kultur", "Rundfunk", "Pressestelle Kreis Düren (Muster)", "Pressesprecher", None, "Medien Interview"),
    ("Kulturgutschutz (Archiv, Museen)", "Jülich", "Medien und Kultur", "Kulturgut", "Stadtarchiv Jülich (Muster)", "Archivleitung", None, "Archiv Bergung"),
)  # fmt: skip

# Tasks: (hours after start, issuing function, assignee, title, deadline in hours after
# start, final status, intended effect).
_TASKS: tuple[tuple[float, str, str, str, float, str, str | None], ...] = (
    (1.5, "S3", "S3", "Sandsackverbau Uferstraße Heimbach vorbereiten", 4.0, "erledigt", "Uferstraße gegen Überflutung gesichert"),
    (2.0, "Leiter des Stabes", "S5", "Pressemitteilung Nr. 1 zu Kellern und Uferbereichen", 3.0, "erledigt", "Bevölkerung meidet Uferbereiche"),
    (6.0, "Leiter des Stabes", "S3", "Räumung Campingplatz an der Rur in Heimbach", 8.0, "erledigt", "Keine Personen mehr im Überflutungsbereich"),
    (7.0, "S4", "S4", "20.000 Sandsäcke nachbestellen", 12.0, "erledigt", None),
    (12.0, "Leiter des Stabes", "S3", "Evakuierung Obermaubach-Unterdorf (Muster) durchführen", 15.0, "erledigt", "Alle Bewohner in Sicherheit"),
    (12.2, "S1", "S4", "Notunterkunft Schule Kreuzau einrichten", 14.0, "erledigt", "Unterkunft für 150 Personen"),
    (14.5, "S4", "S4", "Betankung der Notstromaggregate in Kreuzau organisieren", 20.0, "in Arbeit", "Wasserwerk bleibt im Notstrombetrieb"),
    (16.0, "S2", "Fachberater Wasserwirtschaft", "Prognose Scheitel Rur für Jülich und Linnich erstellen", 18.0, "erledigt", None),
    (20.0, "Leiter des Stabes", "BuMA", "Schulschließung an Schulen und Eltern kommunizieren", 21.0, "erledigt", None),
    (26.0, "S3", "Verbindungsperson THW", "Zweite Pumpengruppe für Deich Linnich anfordern", 28.0, "nicht erledigt", "Sickerstellen beherrscht"),
    (30.0, "S2", "S6", "Ersatzfunkweg zu Abschnitt Linnich prüfen", 33.0, "offen", None),
    (31.0, "S4", "S4", "Verpflegung der Nachtschicht sicherstellen", 34.0, "offen", None),
    (32.0, "Leiter des Stabes", "S5", "Pressemitteilung Nr. 5 zur Rückkehr vorbereiten", 40.0, "offen", "Geordnete Rückkehr ab 12:00"),
    (33.0, "S3", "S3", "Rückbau Sandsackverbau Heimbach planen", 44.0, "in Arbeit", None),
    (34.0, "S1", "S1", "Schichtplan für die nächsten 24 Stunden", 38.0, "offen", None),
    (34.5, "S2", "S3", "Lagebild Deich Linnich aktualisieren", 35.0, "storniert", None),
)  # fmt: skip

# Incoming: (sender, channel, addressed function, text); {place}, {level}, {n} filled in.
_INCOMING = (
    ("Wasserverband Rur (Muster)", "Telefon", "Fachberater Wasserwirtschaft", "Pegel {place} {level} m, steigend."),
    ("Leitstelle Kreis Düren (Muster)", "Funk", "S3", "{n} neue Einsätze in {place} wegen vollgelaufener Keller."),
    ("Netzbetreiber Rur-Eifel (Muster)", "Telefon", "S2", "Stromausfall in Teilen von {place}, etwa {n}00 Haushalte betroffen."),
    ("Bezirksregierung (Muster)", "E-Mail", "Leiter des Stabes", "Bitte Lageinformation zu {place} bis zur vollen Stunde."),
    ("Sandsacklager (Muster)", "Telefon", "S4", "{n}0 Sandsäcke nach {place} unterwegs, Ankunft in 40 Minuten."),
    ("Feuerwehr Heimbach (Muster)", "Funk", "S3", "Unterführung in {place} überflutet, Straße gesperrt."),
    ("Bürgertelefon", "Telefon", "BuMA", "Viele Anrufe aus {place}: Fragen zur Trinkwasserqualität."),
    ("THW-Ortsverband (Muster)", "Funk", "Verbindungsperson THW", "Pumpengruppe in {place} eingetroffen, Förderleistung {n}0 m³/h."),
)  # fmt: skip
_TEXTS_OUT = (
    ("Bezirksregierung (Muster)", "Lagemeldung: Lage in {place} weiter angespannt, {n} Einsätze."),
    ("Feuerwehr Heimbach (Muster)", "Bitte Rückmeldung Stand Sandsackverbau {place}."),
    ("THW-Ortsverband (Muster)", "Pumpengruppe nach {place} verlegen."),
    ("Gemeinde Kreuzau (Muster)", "Notunterkunft bleibt bis 18:00 besetzt."),
    (
        "Leitstelle Kreis Düren (Muster)",
        "Bitte Einsatzübersicht {place} zur nächsten Lagebesprechung.",
    ),
)


def _email(name: str) -> str:
    # The reserved domain "example" (RFC 2606): no address here can ever exist.
    local = ".".join(part for part in name.lower().split() if not part.endswith("."))
    return f"{local}@kreis-dueren.example"


def _actor(function: str, workstation_id: str) -> Actor:
    person = next((name for name, f, *_ in _PEOPLE if f == function), DEMO_STAFF[2].name)
    return Actor(person=person, function=function, workstation_id=workstation_id)


def build(db: Database, workstation_id: str, incident_id: str) -> None:
    """Add people, roster, responsibility matrix, tasks and messages to the demo incident."""
    with db.session() as session:
        start: datetime = session.execute(
            select(Incident.created_at).where(Incident.id == incident_id)
        ).scalar_one()
    rng = random.Random(20261128)
    s1 = _actor("S1", workstation_id)
    staff = StaffService(db, s1)
    staff.ensure_catalogue()
    _build_people_and_roster(staff, start, incident_id)
    _build_contacts(ContactService(db, s1))
    _build_tasks(db, workstation_id, incident_id, start)
    _build_messages(db, workstation_id, incident_id, start, rng)


def _build_people_and_roster(staff: StaffService, start: datetime, incident_id: str) -> None:
    ids: dict[str, str] = {}
    # Deputies are set once everyone exists.
    for name, _function, org, phone, mobile, radio, _deputy in _PEOPLE:
        person = staff.add_person(
            name,
            organisation=org,
            phone=_number(phone),
            mobile=_number(mobile) if mobile is not None else None,
            radio_call_sign=radio,
            email=_email(name),
        )
        ids[name] = person.id
    for name, _function, _org, _phone, _mobile, _radio, deputy in _PEOPLE:
        if deputy:
            staff.update_person(ids[name], deputy_id=ids[deputy])
    for name, function, *_ in _PEOPLE:
        if function:
            staff.assign(function, name, at=start + timedelta(minutes=20), incident_id=incident_id)
    # The shift change of the storyline (hour 22): the ETB keeper hands over.
    staff.assign(
        "ETB-Führer",
        "Ole Musterstein",
        at=start + timedelta(hours=22),
        note="Nachtschicht; offene Punkte: Lagemeldung 4, Betankung Kreuzau.",
        incident_id=incident_id,
    )


def _build_contacts(contacts: ContactService) -> None:
    n = 300
    for subject, place, sector, branch, org, function, person, keywords in _SUBJECTS:
        contacts.add(
            subject,
            municipality=place,
            sector=sector,
            branch=branch,
            organisation=org,
            function=function,
            contact_person=person,
            keywords=keywords,
            phone=_number(n),
            phone_24h=_number(n + 1) if sector else None,
            deputy="Vertretung im Bereitschaftsplan" if sector else None,
            deputy_phone=_number(n + 2) if sector else None,
        )
        n += 3
    # Every municipality: the mayor's on-call service and its fire brigade.
    for place in MUNICIPALITIES:
        contacts.add(
            "Ordnungsbehörde und Bürgermeister (Rufbereitschaft)",
            municipality=place,
            sector="Staat und Verwaltung",
            branch="Verwaltung",
            organisation=f"Gemeinde {place} (Muster)"
            if place != "Düren"
            else "Stadt Düren (Muster)",
            function="Rufbereitschaft Ordnungsamt",
            phone=_number(n),
            phone_24h=_number(n + 1),
        )
        n += 2


def _build_tasks(db: Database, workstation_id: str, incident_id: str, start: datetime) -> None:
    now = utcnow()
    for _hour, issuer, assignee, title, due_hour, status, effect in _TASKS:
        # Deadlines after the end of the storyline are placed relative to now,
        # so that the open ones are partly overdue and partly still running.
        due = start + timedelta(hours=due_hour)
        if due_hour > DEMO_HOURS - 4:
            due = now + timedelta(hours=due_hour - DEMO_HOURS)
        service = TaskService(db, _actor(issuer, workstation_id))
        task = service.create(
            incident_id,
            title,
            assigned_function=assignee,
            due_at=due,
            intended_effect=effect,
            priority="hoch" if issuer == "Leiter des Stabes" else "normal",
        )
        doer = TaskService(db, _actor(assignee, workstation_id))
        if status == "in Arbeit":
            doer.set_status(task.id, "in Arbeit")
        elif status == "erledigt":
            doer.set_status(task.id, "in Arbeit")
            doer.set_status(task.id, "erledigt", feedback="Erledigt wie beauftragt.")
        elif status == "nicht erledigt":
            doer.set_status(
                task.id, "nicht erledigt", feedback="Keine zweite Pumpengruppe verfügbar (Muster)."
            )
        elif status == "storniert":
            service.set_status(task.id, "storniert", feedback="Durch Lagebesprechung überholt.")


def _build_messages(
    db: Database, workstation_id: str, incident_id: str, start: datetime, rng: random.Random
) -> None:
    desk = MessageService(db, _actor("Fernmelder", workstation_id))
    items: list[tuple[float, str]] = [(rng.uniform(0.5, DEMO_HOURS - 1.5), "E") for _ in range(20)]
    items += [(rng.uniform(1.0, DEMO_HOURS - 1.0), "A") for _ in range(9)]
    items.sort()
    # The answer to the sixth incoming message goes out ten minutes after it.
    asked = [hour for hour, direction in items if direction == "E"][5]
    items.append((asked + 10 / 60, "R"))
    items.sort()
    question = None
    level = 1.4
    untriaged = {3, 11}  # indexes of E-messages left for the Sichter
    e_index = 0
    for hour, direction in items:
        at = start + timedelta(hours=hour)
        place = rng.choice(MUNICIPALITIES)
        level = min(3.7, level + rng.uniform(-0.05, 0.2))
        n = rng.randint(2, 40)
        if direction == "E":
            sender, channel, function, template = _INCOMING[e_index % len(_INCOMING)]
            shown_level = f"{level:.2f}".replace(".", ",")
            text = template.format(place=place, level=shown_level, n=n)
            priority = "sofort" if e_index % 4 == 1 else "einfach"
            to: tuple[str, ...] = () if e_index in untriaged else (function,)
            view = desk.record_incoming(
                incident_id,
                sender=sender,
                content=text,
                to_functions=to,
                priority=priority,
                channel=channel,
                received_at=at,
                composed_at=at - timedelta(minutes=5),
            )
            if to:
                holder = _actor(function, workstation_id)
                MessageService(db, holder).acknowledge(view.id, at=at + timedelta(minutes=4))
            if e_index == 5:
                # A task arises from this message; the answer follows below.
                question = (view.id, function)
                MessageService(db, _actor(function, workstation_id)).create_task_from(
                    view.id, assigned_function="S4", due_at=at + timedelta(hours=2)
                )
            e_index += 1
        elif direction == "R" and question is not None:
            MessageService(db, _actor(question[1], workstation_id)).reply_to(
                question[0], "Verstanden, Maßnahmen eingeleitet.", at=at
            )
        else:
            to_text, template = _TEXTS_OUT[rng.randrange(len(_TEXTS_OUT))]
            author = _actor(rng.choice(("S2", "S3", "Leiter des Stabes")), workstation_id)
            view = MessageService(db, author).record_outgoing(
                incident_id,
                content=template.format(place=place, n=n),
                to=(to_text,),
                priority="einfach",
                channel="Telefon",
                accepted_at=at,
                transmitted_at=at + timedelta(minutes=3),
                transmitted_via="Telefon",
            )
            desk.acknowledge(view.id, function=to_text, at=at + timedelta(minutes=5))
    # The one Blitz, just now, to S3 and S2: only S2 has acknowledged so far.
    blitz = desk.record_incoming(
        incident_id,
        sender="Leitstelle Kreis Düren (Muster)",
        content="Deichbruch droht in Linnich-Ost (Muster): Sickerstellen nehmen zu, "
        "Evakuierung der Straße Am Rurdeich (Muster) vorbereiten!",
        to_functions=("S3", "S2"),
        priority="blitz",
        channel="Funk",
        received_at=utcnow() - timedelta(minutes=3),
    )
    MessageService(db, _actor("S2", workstation_id)).acknowledge(blitz.id)
