"""Demo KRITIS register for the fictional Rur flood (services.demo).

About 60 invented facilities ("(Muster)") across the 15 municipalities of
Kreis Düren: substations, waterworks and elevated tanks, sewage, hospitals,
care homes, a fuel depot, fire stations, mobile network and BOS radio sites,
schools as shelters. The state matches the demo story: the substation
Kreuzau was switched off 14 h after the start (22 h before "now") and is in
trial operation since hour 30; several Kreuzau objects still run on their
generators, some refuelled, so the forecast from the stored state shows a
real cascade (fire station dry in about 2 h, care home in 4 h, waterworks in
8 h, then the elevated tanks and who depends on them).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from krisenstab.domain.base import new_id
from krisenstab.domain.facility import (
    DEFAULT_MUNICIPALITIES,
    Facility,
    FacilityContact,
    FacilityDependency,
    FacilityStatusChange,
)
from krisenstab.domain.incident import Incident
from krisenstab.domain.journal import EntryKind
from krisenstab.domain.power import FacilityStatus
from krisenstab.services.context import Actor
from krisenstab.services.facilities import bump_revision
from krisenstab.services.journal import write_entry
from krisenstab.store.database import Database

DEMO_HOURS = 36.0  # = services.demo.DEMO_HOURS: "now" is the incident start + 36 h
S2_PERSON = "Max Mustermann"
S4_PERSON = "Tim Muster"

OK = FacilityStatus.OPERATIONAL.value
RESTRICTED = FacilityStatus.RESTRICTED.value
GENERATOR = FacilityStatus.EMERGENCY_POWER.value
FAILED = FacilityStatus.FAILED.value
UNKNOWN = FacilityStatus.UNKNOWN.value


@dataclass(frozen=True)
class _F:
    key: str
    name: str
    sector: str
    branch: str
    municipality: str
    persons: int = 0
    # (autonomy h, fuel l, consumption l/h); None: no generator.
    power: tuple[float | None, float | None, float | None] | None = None
    operator: str = ""
    street: str = ""
    local: bool = False
    sensitive: str = ""


_E, _W, _G = "Energie", "Wasser", "Gesundheit"
_IT = "Informationstechnik und Telekommunikation"
_SV, _LK = "Staat und Verwaltung", "Lokal kritische Einrichtungen"
_NETZ = "Netzgesellschaft Rur (Muster)"
_WV = "Wasserverband Rur-Eifel (Muster)"
_FW = "Feuerwehr der Gemeinde (Muster)"

_CORE: tuple[_F, ...] = (
    # Power: two 110/10 kV stations feed the rest.
    _F("uw_dn", "Umspannwerk Düren-Nord (Muster)", _E, "Strom", "Düren", 48000, None, _NETZ, "Am Umspannwerk 1"),
    _F("uw_jl", "Umspannwerk Jülich (Muster)", _E, "Strom", "Jülich", 33000, None, _NETZ, "Industriestraße 5"),
    _F("uw_kr", "Umspannwerk Kreuzau (Muster)", _E, "Strom", "Kreuzau", 9000, None, _NETZ, "Rurauen 2"),
    _F("uw_ni", "Umspannwerk Nideggen (Muster)", _E, "Strom", "Nideggen", 10000, None, _NETZ),
    _F("uw_li", "Umspannwerk Linnich (Muster)", _E, "Strom", "Linnich", 13000, None, _NETZ),
    _F("uw_ve", "Umspannwerk Vettweiß (Muster)", _E, "Strom", "Vettweiß", 16000, None, _NETZ),
    _F("uw_la", "Umspannwerk Langerwehe (Muster)", _E, "Strom", "Langerwehe", 22000, None, _NETZ),
    _F("uw_nz", "Umspannwerk Niederzier (Muster)", _E, "Strom", "Niederzier", 14000, None, _NETZ),
    _F("kl_du", "Kraftstofflager Düren (Muster)", _E, "Mineralöl", "Düren", 0, (48, 2000, 40), "Tanklager Rur GmbH (Muster)", "Hafenweg 3", sensitive="Betankung der Notstromaggregate im Kreis"),
    _F("gd_me", "Gasdruckregelanlage Merzenich (Muster)", _E, "Gas", "Merzenich", 6000, None, "Gasnetz Rur (Muster)"),
    # Water.
    _F("ww_du", "Wasserwerk Düren (Muster)", _W, "Trinkwasser", "Düren", 60000, (36, 9000, 250), _WV, "Wasserwerkstraße 10"),
    _F("ww_kr", "Wasserwerk Kreuzau (Muster)", _W, "Trinkwasser", "Kreuzau", 25000, (18, 3600, 200), _WV, "Am Wasserwerk 4"),
    _F("ww_jl", "Wasserwerk Jülich (Muster)", _W, "Trinkwasser", "Jülich", 32000, (24, 6000, 250), _WV),
    _F("ww_he", "Wasserwerk Heimbach (Muster)", _W, "Trinkwasser", "Heimbach", 4500, (12, None, None), _WV),
    _F("hb_ks", "Hochbehälter Kreuzau-Süd (Muster)", _W, "Trinkwasser", "Kreuzau", 8000, None, _WV),
    _F("hb_ng", "Hochbehälter Nideggen (Muster)", _W, "Trinkwasser", "Nideggen", 7000, None, _WV),
    _F("hb_hw", "Hochbehälter Hürtgenwald (Muster)", _W, "Trinkwasser", "Hürtgenwald", 8500, None, _WV),
    _F("hb_ve", "Hochbehälter Vettweiß (Muster)", _W, "Trinkwasser", "Vettweiß", 9000, None, _WV),
    _F("hb_ti", "Hochbehälter Titz (Muster)", _W, "Trinkwasser", "Titz", 8000, None, _WV),
    _F("hb_al", "Hochbehälter Aldenhoven (Muster)", _W, "Trinkwasser", "Aldenhoven", 13000, None, _WV),
    _F("ka_du", "Kläranlage Düren (Muster)", _W, "Abwasser", "Düren", 90000, (12, None, None), _WV),
    _F("pw_he", "Abwasserpumpwerk Heimbach (Muster)", _W, "Abwasser", "Heimbach", 3000, None, _WV),
    # Health and care.
    _F("kh_du", "Krankenhaus Düren (Muster)", _G, "Medizinische Versorgung", "Düren", 420, (72, 30000, 400), "Klinikverbund Rur (Muster)", "Klinikweg 1", sensitive="Intensivstation, Dialyse, OP"),
    _F("kh_jl", "Krankenhaus Jülich (Muster)", _G, "Medizinische Versorgung", "Jülich", 250, (48, 12000, 250), "Klinikverbund Rur (Muster)", sensitive="Intensivstation"),
    _F("kh_li", "Klinik Linnich (Muster)", _G, "Medizinische Versorgung", "Linnich", 120, (24, None, None), "Klinikverbund Rur (Muster)"),
    _F("ap_kr", "Apotheke am Markt Kreuzau (Muster)", _G, "Arzneimittel", "Kreuzau", 9000, None, "Apotheke am Markt (Muster)"),
    _F("rw_kr", "Rettungswache Kreuzau (Muster)", _SV, "Notfall- und Rettungswesen", "Kreuzau", 0, (24, 480, 20), "Rettungsdienst Kreis Düren (Muster)"),
    _F("ph_kr", "Seniorenzentrum Kreuzau (Muster)", _LK, "Pflegeeinrichtung", "Kreuzau", 95, (8, 400, 50), "Pflegedienst Rur (Muster)", local=True, sensitive="12 beatmete Bewohner"),
    _F("ph_ni", "Pflegeheim Nideggen (Muster)", _LK, "Pflegeeinrichtung", "Nideggen", 80, None, "Pflegedienst Rur (Muster)", local=True),
    _F("ph_la", "Pflegeheim Langerwehe (Muster)", _LK, "Pflegeeinrichtung", "Langerwehe", 110, (12, None, None), local=True),
    _F("ph_jl", "Altenheim Jülich (Muster)", _LK, "Pflegeeinrichtung", "Jülich", 140, (24, None, None), local=True),
    _F("ph_nv", "Pflegeheim Nörvenich (Muster)", _LK, "Pflegeeinrichtung", "Nörvenich", 70, None, local=True),
    _F("ph_al", "Seniorenheim Aldenhoven (Muster)", _LK, "Pflegeeinrichtung", "Aldenhoven", 85, None, local=True),
    # Telecommunication, IT, BOS radio.
    _F("vst_du", "Vermittlungsstelle Düren (Muster)", _IT, "Telekommunikation", "Düren", 50000, (72, 4000, 50), "Fernmelde AG (Muster)"),
    _F("mf_kw", "Mobilfunkstandort Kreuzau-Winden (Muster)", _IT, "Telekommunikation", "Kreuzau", 6000, (4, None, None), "Funknetz AG (Muster)"),
    _F("mf_do", "Mobilfunkstandort Düren-Ost (Muster)", _IT, "Telekommunikation", "Düren", 15000, (4, None, None), "Funknetz AG (Muster)"),
    _F("df_ni", "Digitalfunk-Basisstation Nideggen (Muster)", _IT, "Telekommunikation", "Nideggen", 0, (72, None, None), "BOS-Digitalfunk NRW (Muster)"),
    _F("rz_kv", "Rechenzentrum Kreisverwaltung (Muster)", _IT, "Informationstechnik", "Düren", 0, (48, 3000, 60), "Kreis Düren (Muster)"),
    # Administration, control centre.
    _F("kv_du", "Kreishaus Düren – Stabsraum (Muster)", _SV, "Regierung und Verwaltung", "Düren", 0, (72, 5000, 60), "Kreis Düren (Muster)", "Bismarckstraße 16"),
    _F("ls_du", "Leitstelle Kreis Düren (Muster)", _SV, "Notfall- und Rettungswesen", "Düren", 0, (72, 6000, 70), "Kreis Düren (Muster)", sensitive="Notruf 112 für den ganzen Kreis"),
    # Schools as shelters.
    _F("sc_kr", "Gesamtschule Kreuzau – Notunterkunft (Muster)", _LK, "Schule/Notunterkunft", "Kreuzau", 180, (12, 240, 20), "Gemeinde Kreuzau (Muster)", local=True, sensitive="Evakuierte aus Obermaubach-Unterdorf"),
    _F("sc_jl", "Gymnasium Jülich – Notunterkunft (Muster)", _LK, "Schule/Notunterkunft", "Jülich", 250, None, "Stadt Jülich (Muster)", local=True),
    _F("sc_li", "Realschule Linnich – Notunterkunft (Muster)", _LK, "Schule/Notunterkunft", "Linnich", 150, None, "Stadt Linnich (Muster)", local=True),
    _F("sc_du", "Berufskolleg Düren – Notunterkunft (Muster)", _LK, "Schule/Notunterkunft", "Düren", 300, (24, None, None), "Kreis Düren (Muster)", local=True),
    # Transport, food, money, media, waste.
    _F("strm", "Straßenmeisterei Düren (Muster)", "Transport und Verkehr", "Straße", "Düren", 0, (24, None, None), "Kreis Düren (Muster)"),
    _F("bf_du", "Stellwerk Bahnhof Düren (Muster)", "Transport und Verkehr", "Schiene", "Düren", 12000, (8, None, None), "Bahnnetz (Muster)"),
    _F("gb_nz", "Großbäckerei Niederzier (Muster)", "Ernährung", "Lebensmittelproduktion", "Niederzier", 30000, None, "Backwaren Rur (Muster)"),
    _F("lm_kr", "Lebensmittelmarkt Kreuzau (Muster)", "Ernährung", "Lebensmittelhandel", "Kreuzau", 5000, None),
    _F("zl_ti", "Zentrallager Lebensmittel Titz (Muster)", "Ernährung", "Lebensmittelhandel", "Titz", 80000, (24, None, None), "Handelslogistik (Muster)"),
    _F("bk_jl", "Bankfiliale Jülich – Bargeld (Muster)", "Finanz- und Versicherungswesen", "Bargeldversorgung", "Jülich", 20000, None, "Sparkasse (Muster)"),
    _F("rf_du", "Lokalradio Studio Düren (Muster)", "Medien und Kultur", "Rundfunk", "Düren", 0, (12, None, None), "Radio Rur (Muster)", sensitive="Warndurchsagen für die Bevölkerung"),
    _F("ab_in", "Abfallumschlaganlage Inden (Muster)", "Siedlungsabfallentsorgung", "Abfallentsorgung", "Inden", 0, None, "Entsorgung Rur (Muster)"),
)  # fmt: skip
_FIRE_STATIONS = tuple(
    _F(f"fw_{i:02d}", f"Feuerwehrhaus {name} (Muster)", _LK, "Feuerwehrhaus", name, 0, power, _FW, local=True)
    for i, (name, power) in enumerate(
        (
            ("Aldenhoven", (24, None, None)),
            ("Düren", (72, 1500, 20)),
            ("Heimbach", (24, None, None)),
            ("Hürtgenwald", None),
            ("Inden", (24, None, None)),
            ("Jülich", (48, None, None)),
            ("Kreuzau", (24, 480, 20)),
            ("Langerwehe", (24, None, None)),
            ("Linnich", (24, None, None)),
            ("Merzenich", None),
            ("Nideggen", (24, None, None)),
            ("Niederzier", (24, None, None)),
            ("Nörvenich", None),
            ("Titz", (24, None, None)),
            ("Vettweiß", (24, None, None)),
        )
    )
)  # fmt: skip
FACILITIES: tuple[_F, ...] = (*_CORE, *_FIRE_STATIONS)

# The local substation of each municipality.
_FEEDER = {
    "Aldenhoven": "uw_jl", "Düren": "uw_dn", "Heimbach": "uw_ni", "Hürtgenwald": "uw_la",
    "Inden": "uw_jl", "Jülich": "uw_jl", "Kreuzau": "uw_kr", "Langerwehe": "uw_la",
    "Linnich": "uw_li", "Merzenich": "uw_dn", "Nideggen": "uw_ni", "Niederzier": "uw_nz",
    "Nörvenich": "uw_ve", "Titz": "uw_jl", "Vettweiß": "uw_ve",
}  # fmt: skip

# (dependent, supplier, kind, tolerance h) beyond "power from the local substation".
_DEPENDENCIES: tuple[tuple[str, str, str, float], ...] = (
    ("uw_kr", "uw_dn", "Strom", 0), ("uw_ni", "uw_kr", "Strom", 0), ("uw_nz", "uw_dn", "Strom", 0),
    ("uw_la", "uw_dn", "Strom", 0), ("uw_ve", "uw_dn", "Strom", 0), ("uw_li", "uw_jl", "Strom", 0),
    # Remote control of the grid over the exchange: a cycle, bridged by staff on site.
    ("uw_dn", "vst_du", "Telekommunikation/IT", 24), ("uw_jl", "vst_du", "Telekommunikation/IT", 24),
    ("vst_du", "kl_du", "Kraftstoff", 0), ("rz_kv", "kl_du", "Kraftstoff", 0),
    ("kh_du", "kl_du", "Kraftstoff", 0), ("ww_du", "kl_du", "Kraftstoff", 0), ("ww_jl", "kl_du", "Kraftstoff", 0),
    ("ls_du", "kl_du", "Kraftstoff", 0), ("kv_du", "kl_du", "Kraftstoff", 0),
    ("kl_du", "strm", "Verkehr", 12), ("strm", "kl_du", "Kraftstoff", 24),
    ("hb_ks", "ww_kr", "Wasser", 10), ("hb_ng", "ww_kr", "Wasser", 8), ("hb_hw", "ww_du", "Wasser", 12),
    ("hb_ve", "ww_du", "Wasser", 12), ("hb_ti", "ww_jl", "Wasser", 12), ("hb_al", "ww_jl", "Wasser", 10),
    ("kh_du", "ww_du", "Wasser", 24), ("kh_jl", "ww_jl", "Wasser", 12), ("ka_du", "ww_du", "Wasser", 48),
    ("ph_kr", "hb_ks", "Wasser", 6), ("sc_kr", "hb_ks", "Wasser", 4), ("rw_kr", "hb_ks", "Wasser", 12),
    ("ph_ni", "hb_ng", "Wasser", 6), ("gb_nz", "ww_du", "Wasser", 2),
    ("kh_du", "vst_du", "Telekommunikation/IT", 4), ("ls_du", "vst_du", "Telekommunikation/IT", 0),
    ("kv_du", "vst_du", "Telekommunikation/IT", 2), ("kv_du", "rz_kv", "Telekommunikation/IT", 1),
    ("bk_jl", "vst_du", "Telekommunikation/IT", 0), ("fw_10", "df_ni", "Telekommunikation/IT", 0),
    ("fw_02", "df_ni", "Telekommunikation/IT", 0), ("zl_ti", "strm", "Verkehr", 24),
    # Redundant feed: the hospital in Düren hangs on two substations.
    ("kh_du", "uw_nz", "Strom", 0),
)  # fmt: skip

# (facility, status, hour after the incident start, source, note).
_STATUS_EVENTS: tuple[tuple[str, str, float, str, str], ...] = (
    ("uw_kr", FAILED, 14.0, "Netzbetreiber (Muster)", "Abschaltung wegen Überflutungsgefahr"),
    ("mf_kw", GENERATOR, 14.0, "Funknetz AG (Muster)", "Batteriepufferung"),
    ("ww_kr", GENERATOR, 14.2, "Wasserverband (Muster)", "Notstromaggregat angelaufen"),
    ("ph_kr", GENERATOR, 14.0, "Heimleitung (Muster)", "Notstromaggregat angelaufen"),
    ("fw_06", GENERATOR, 14.0, "Wehrführung (Muster)", "Notstromaggregat angelaufen"),
    ("rw_kr", GENERATOR, 14.0, "Rettungsdienst (Muster)", "Notstromaggregat angelaufen"),
    ("ap_kr", FAILED, 14.0, "Apotheke (Muster)", "geschlossen; Notdienst über Düren"),
    ("lm_kr", RESTRICTED, 14.5, "Marktleitung (Muster)", "Kühlung ausgefallen, Verkauf eingeschränkt"),
    ("sc_kr", GENERATOR, 15.0, "THW (Muster)", "Notunterkunft mit mobilem Aggregat des THW"),
    ("mf_kw", FAILED, 18.0, "Funknetz AG (Muster)", "Batterie erschöpft"),
    ("pw_he", FAILED, 20.0, "Wasserverband (Muster)", "Pumpwerk überflutet"),
    ("ph_ni", UNKNOWN, 22.0, "Leitstelle (Muster)", "keine Rückmeldung seit der Nacht"),
    ("uw_kr", RESTRICTED, 30.0, "Netzbetreiber (Muster)", "Probebetrieb; Teilnetze Kreuzau-Süd noch ohne Strom"),
)  # fmt: skip

# (facility, hour of refuelling after the incident start).
_REFUELS = (("ww_kr", 26.0), ("rw_kr", 30.0), ("ph_kr", 32.0), ("sc_kr", 33.0))


def _offset(key: str) -> tuple[float, float]:
    """A stable position within about 1.5 km of the municipality centre."""
    digest = hashlib.sha256(key.encode()).digest()
    return ((digest[0] / 255 - 0.5) * 0.024, (digest[1] / 255 - 0.5) * 0.036)


def build(db: Database, workstation_id: str, incident_id: str) -> None:
    """Fill the register of the demo database (called once by services.demo)."""
    with db.session() as session:
        start = session.execute(
            select(Incident.created_at).where(Incident.id == incident_id)
        ).scalar_one()
    now = start + timedelta(hours=DEMO_HOURS)
    created = start - timedelta(days=120)
    centres = {name: (lat, lon) for name, lat, lon in DEFAULT_MUNICIPALITIES}
    ids = {f.key: new_id() for f in FACILITIES}
    status: dict[str, tuple[str, datetime, str, str]] = {}
    power_since: dict[str, datetime] = {}
    history: list[dict] = []
    by_key = {f.key: f for f in FACILITIES}

    def at(hours: float) -> datetime:
        return start + timedelta(hours=hours)

    for f in FACILITIES:
        history.append(
            _status_row(
                ids[f.key],
                "Ersterfassung",
                OK,
                None,
                created,
                "Ersterfassung",
                None,
                workstation_id,
            )
        )
    for key, new_status, hours, source, note in _STATUS_EVENTS:
        previous = status.get(key, (OK,))[0]
        status[key] = (new_status, at(hours), source, note)
        if new_status == GENERATOR:
            power_since[key] = at(hours)
        history.append(
            _status_row(
                ids[key], "Status", new_status, previous, at(hours), source, note, workstation_id
            )
        )
    for key, hours in _REFUELS:
        power_since[key] = at(hours)
        history.append(
            _status_row(
                ids[key],
                "Betankung",
                GENERATOR,
                GENERATOR,
                at(hours),
                "S4",
                "Betankung über Kraftstofflager (Muster)",
                workstation_id,
                S4_PERSON,
                "S4",
            )
        )

    rows = []
    contacts = []
    for n, f in enumerate(FACILITIES, start=1):
        lat0, lon0 = centres[f.municipality]
        dlat, dlon = _offset(f.key)
        autonomy, fuel, consumption = f.power if f.power else (None, None, None)
        st, since, source, note = status.get(f.key, (OK, created, "Ersterfassung", None))
        rows.append(
            {
                "id": ids[f.key],
                "name": f.name,
                "sector": f.sector,
                "branch": f.branch,
                "locally_critical": f.local,
                "municipality": f.municipality,
                "street": f.street or None,
                "postcode": None,
                "city": f.municipality,
                "lat": round(lat0 + dlat, 6),
                "lon": round(lon0 + dlon, 6),
                "position_text": None,
                "operator": f.operator or None,
                "emergency_power": f.power is not None,
                "autonomy_h": autonomy,
                "fuel_stock_l": fuel,
                "consumption_l_per_h": consumption,
                "persons_supplied": f.persons,
                "sensitive_consumers": f.sensitive or None,
                "redundancy": "zweite Einspeisung über Umspannwerk Niederzier (Muster)"
                if f.key == "kh_du"
                else None,
                "notes": "Fiktives Objekt der Demo-Lage.",
                "status": st,
                "status_since": since,
                "status_source": source,
                "status_note": note,
                "power_since": power_since.get(f.key) if st == GENERATOR else None,
                "created_at": created,
                "created_by": S2_PERSON,
                "updated_at": created,
                "updated_by": S2_PERSON,
                "workstation_id": workstation_id,
                "version": 1,
            }
        )
        contacts.append(
            {
                "id": new_id(),
                "facility_id": ids[f.key],
                "role": "Bereitschaft 24/7",
                "name": "Leitwarte (Muster)"
                if f.sector in (_E, _W, _IT)
                else "Dienststelle (Muster)",
                "phone": f"02421 000-{n:03d}",
                "phone_alt": None,
                "email": None,
                "available_24_7": True,
                "notes": "fiktive Rufnummer",
                "sort_order": 10,
                "created_at": created,
                "workstation_id": workstation_id,
            }
        )
        if f.operator:
            contacts.append(
                {
                    "id": new_id(),
                    "facility_id": ids[f.key],
                    "role": "Betriebsleitung",
                    "name": "Erika Musterfrau" if n % 2 else "Max Beispiel",
                    "phone": f"02421 000-{500 + n:03d}",
                    "phone_alt": None,
                    "email": f"betrieb{n}@beispiel.invalid",
                    "available_24_7": False,
                    "notes": None,
                    "sort_order": 20,
                    "created_at": created,
                    "workstation_id": workstation_id,
                }
            )

    deps = []
    seen = set()
    for f in FACILITIES:
        feeder = _FEEDER[f.municipality]
        if not f.key.startswith("uw_"):
            deps.append((f.key, feeder, "Strom", 0.0))
    deps.extend(_DEPENDENCIES)
    dep_rows = []
    for dependent, supplier, kind, tolerance in deps:
        if (dependent, supplier, kind) in seen:
            continue
        seen.add((dependent, supplier, kind))
        assert dependent in by_key and supplier in by_key, (dependent, supplier)
        dep_rows.append(
            {
                "id": new_id(),
                "dependent_id": ids[dependent],
                "supplier_id": ids[supplier],
                "kind": kind,
                "tolerance_h": float(tolerance),
                "note": None,
                "created_at": created,
                "workstation_id": workstation_id,
            }
        )

    s2 = Actor(person=S2_PERSON, function="S2", workstation_id=workstation_id)
    generators = sum(1 for r in rows if r["status"] == GENERATOR)
    failed = sum(1 for r in rows if r["status"] == FAILED)
    with db.write() as session:
        session.execute(insert(Facility.__table__), rows)
        session.execute(insert(FacilityContact.__table__), contacts)
        session.execute(insert(FacilityDependency.__table__), dep_rows)
        session.execute(insert(FacilityStatusChange.__table__), history)
        bump_revision(session, dependencies=True)
        write_entry(
            session,
            incident_id,
            s2,
            f"KRITIS-Lage (Muster): {len(rows)} Objekte im Register, {generators} im "
            f"Notstrombetrieb, {failed} ausgefallen. Umspannwerk Kreuzau (Muster) im "
            "Probebetrieb; Notstromversorgung in Kreuzau-Süd wird weiter betankt.",
            kind=EntryKind.LAGE,
            recorded_at=now,
            facility_id=ids["uw_kr"],
        )


def _status_row(
    facility_id: str,
    event: str,
    status: str,
    previous: str | None,
    since: datetime,
    source: str | None,
    note: str | None,
    workstation_id: str,
    person: str = S2_PERSON,
    function: str = "S2",
) -> dict:
    return {
        "id": new_id(),
        "facility_id": facility_id,
        "event": event,
        "status": status,
        "previous_status": previous,
        "since": since,
        "recorded_at": since,
        "source": source,
        "note": note,
        "author": person,
        "function": function,
        "workstation_id": workstation_id,
        "incident_id": None,
        "journal_number": None,
    }
