"""CAP import/export and the safe XML parser beneath it.

Real alerts from warning services and the OASIS schema live in
../shared/oracles/cap (written by others); tests that need them are skipped
when that folder is missing.
"""

from __future__ import annotations

import os
import select
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from krisenstab.assets import resource
from krisenstab.exchange.cap import (
    CAP12_NAMESPACE,
    CapAlertInput,
    CapArea,
    CapCircle,
    CapError,
    CapInfo,
    CapReference,
    CapValuePair,
    SuggestedPriority,
    build_cap,
    parse_cap,
    suggest_priority,
    validate_cap12,
)
from krisenstab.exchange.xmlsafe import (
    UnsafeXmlError,
    XmlError,
    clean_text,
    format_datetime,
    parse_datetime,
    parse_xml,
)

ORACLES = Path(__file__).resolve().parents[3] / "shared" / "oracles" / "cap"
REAL_ALERTS = [
    "earthquake.cap",
    "weather.cap",
    "australia.cap",
    "canada.cap",
    "no_optional_fields.cap",
    "earthquake-iso8859-1.cap",
    "wcatwc-warning.cap",
    "43b080713727.cap",
    "thunderstorm.cap",
]


def oracle(name: str) -> bytes:
    path = ORACLES / name
    if not path.exists():
        # CI always has shared/ beside the checkout: there a missing oracle is a failure.
        if os.environ.get("CI"):
            pytest.fail(f"oracle {name} missing at {path}")
        pytest.skip(f"oracle {name} not available (../shared/oracles missing)")
    return path.read_bytes()


@pytest.fixture(scope="module")
def oracle_schema() -> etree.XMLSchema:
    path = ORACLES / "cap12.xsd"
    if not path.exists():
        pytest.skip("oracle cap12.xsd not available")
    return etree.XMLSchema(etree.parse(str(path)))


def assert_valid_against_oracle(schema: etree.XMLSchema, data: bytes) -> None:
    document = etree.fromstring(data)
    assert schema.validate(document), [str(e) for e in schema.error_log]


# --------------------------------------------------------------------------- outside access guard

# An audit hook cannot be removed again, so one hook serves all tests and only
# records while a guard is active, and only for the guarded thread.
_guard = {"thread": None, "events": []}
_WATCHED_EVENTS = {
    "open",
    "os.open",
    "socket.connect",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "urllib.Request",
    "http.client.connect",
    "subprocess.Popen",
    "os.system",
}


def _audit(event: str, args: tuple) -> None:
    if _guard["thread"] == threading.get_ident() and event in _WATCHED_EVENTS:
        _guard["events"].append((event, repr(args)[:200]))


sys.addaudithook(_audit)


@contextmanager
def python_access_recorded() -> Iterator[list]:
    """Record every file open, connect and name lookup Python sees in this thread."""
    events: list = []
    _guard["events"] = events
    _guard["thread"] = threading.get_ident()
    try:
        yield events
    finally:
        _guard["thread"] = None


class Canaries:
    """A FIFO and a listening socket that notice when C code (libxml2) reaches them.

    Python's audit hooks do not see file or socket access made inside libxml2,
    so a hostile document is pointed at these two instead: a reader opening
    the FIFO blocks until a writer appears (the watcher is that writer and
    records it), and a connection attempt lands in the socket's backlog.
    """

    def __init__(self, folder: Path) -> None:
        self.fifo = folder / "canary.fifo"
        os.mkfifo(self.fifo)
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.file_opened = 0
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.0005)
                continue
            self.file_opened += 1
            os.close(fd)  # gives the blocked reader end-of-file

    def __enter__(self) -> Canaries:
        self._watcher.start()
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(0.02)
        self._stop.set()
        self._watcher.join()

    def connections(self) -> int:
        count = 0
        while select.select([self.server], [], [], 0.05)[0]:
            conn, _ = self.server.accept()
            conn.close()
            count += 1
        return count

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def canaries(tmp_path: Path) -> Iterator[Canaries]:
    c = Canaries(tmp_path)
    yield c
    c.close()


def hostile_xee(canaries: Canaries) -> bytes:
    """xee.cap with every outside reference redirected to the canaries."""
    data = oracle("xee.cap")
    data = data.replace(b"localhost:8080", b"127.0.0.1:%d" % canaries.port)
    data = data.replace(b"file:///etc/passwd", b"file://" + str(canaries.fifo).encode())
    # The general entity &xxe; is used in the alert text: aim it at the FIFO too.
    return data.replace(
        b'<!ENTITY xxe SYSTEM "http://127.0.0.1:%d/payload3">' % canaries.port,
        b'<!ENTITY xxe SYSTEM "file://' + str(canaries.fifo).encode() + b'">',
    )


def warm_up() -> None:
    """Load what the program loads once (schema, time zones) outside the guarded window."""
    parse_cap(oracle("thunderstorm.cap"))


# --------------------------------------------------------------------------- real alerts


@pytest.mark.parametrize("name", REAL_ALERTS)
def test_every_real_alert_imports(name: str) -> None:
    alert = parse_cap(oracle(name), source_name=name)
    assert alert.identifier
    assert alert.sender
    assert alert.sent.tzinfo is not None
    assert alert.status == "Actual"
    assert alert.source_name == name
    assert alert.summary_text().startswith("CAP-")
    assert alert.suggested_priority() in set(SuggestedPriority)


def test_thunderstorm_values() -> None:
    alert = parse_cap(oracle("thunderstorm.cap"))
    assert alert.version == "1.2"
    assert alert.sent == datetime(2003, 6, 17, 21, 57, tzinfo=UTC)
    assert (alert.status, alert.msg_type, alert.scope) == ("Actual", "Alert", "Public")
    (info,) = alert.infos
    assert info.categories == ("Met",)
    assert info.event == "SEVERE THUNDERSTORM"
    assert info.response_types == ("Shelter",)
    assert (info.urgency, info.severity, info.certainty) == ("Immediate", "Severe", "Observed")
    assert info.event_codes == (CapValuePair("SAME", "SVR"),)
    assert info.expires == datetime(2003, 6, 17, 16, 0, tzinfo=timezone(timedelta(hours=-7)))
    assert info.sender_name == "NATIONAL WEATHER SERVICE SACRAMENTO CA"
    assert info.contact == "BARUFFALDI/JUSKIE"
    (area,) = info.areas
    assert area.area_desc.startswith("EXTREME NORTH CENTRAL TUOLUMNE COUNTY")
    assert area.polygons == (
        ((38.47, -120.14), (38.34, -119.95), (38.52, -119.74), (38.62, -119.89), (38.47, -120.14)),
    )
    assert [g.value for g in area.geocodes] == ["006109", "006009", "006003"]
    assert alert.suggested_priority() is SuggestedPriority.SOFORT


def test_tsunami_warning_is_blitz_and_keeps_its_reference() -> None:
    alert = parse_cap(oracle("wcatwc-warning.cap"))
    assert alert.msg_type == "Update"
    assert alert.references == (
        CapReference("PAAQ", "PAAQ-1-lqw6d6", datetime(2011, 9, 2, 10, 55, 55, tzinfo=UTC)),
    )
    assert alert.incidents == ("lqw6d6",)
    (info,) = alert.infos
    assert (info.urgency, info.severity) == ("Immediate", "Extreme")
    assert len(info.resources) == 3
    assert info.resources[0].mime_type == "image/jpeg"
    assert sum(1 for p in info.parameters if p.name == "predictedArrivalTime") > 20
    assert alert.suggested_priority() is SuggestedPriority.BLITZ


def test_latin1_alert_is_decoded_and_its_signature_ignored() -> None:
    alert = parse_cap(oracle("earthquake-iso8859-1.cap"))
    (info,) = alert.infos
    assert "Usulután" in info.headline
    assert info.onset == datetime(2012, 10, 14, 22, 40, 56, tzinfo=UTC)
    assert info.areas[0].circles == (CapCircle(12.747, -88.783, 0.0),)
    # addresses with scope Public is against the spec but harmless: a warning, not a refusal
    assert alert.addresses == ("0",)
    assert any("addresses" in w for w in alert.warnings)


def test_cap11_earthquake() -> None:
    alert = parse_cap(oracle("earthquake.cap"))
    assert alert.version == "1.1"
    assert alert.codes == ("IPAWSv1.0",)
    (info,) = alert.infos
    assert info.language is None  # not stated; CAP's default would be en-US
    assert CapValuePair("Magnitude", "6.3") in info.parameters
    assert info.areas[0].circles == (CapCircle(-16.053, -173.274, 0.0),)
    assert info.web == "http://earthquake.usgs.gov/eqcenter/recenteqsww/Quakes/us2010apcd.php"
    assert alert.suggested_priority() is SuggestedPriority.EINFACH  # urgency Past


def test_prefixed_namespace_and_two_infos() -> None:
    alert = parse_cap(oracle("australia.cap"))
    assert len(alert.infos) == 2
    assert alert.infos[0].categories == ("Fire", "Met")
    # escaped markup in the file is text, never markup for us
    assert "&lt;" not in alert.infos[0].description
    assert "LOCATION: 12 Cox Street, Yerong Creek<br />" in alert.infos[0].description
    assert alert.infos[1].areas[0].geocodes == (
        CapValuePair("http://www.psma.com.au/?product=postcode-boundaries", "2642"),
    )
    assert CapValuePair("AllocatedResources", "") in alert.infos[0].parameters


def test_bilingual_alert_prefers_the_requested_language() -> None:
    alert = parse_cap(oracle("canada.cap"))
    assert alert.sent == datetime(2012, 5, 2, 23, 21, 4, tzinfo=UTC)  # "-00:00" is UTC
    assert [i.language for i in alert.infos] == ["en-CA", "fr-CA"]
    assert [r.identifier for r in alert.references] == [
        "2.49.0.1.124.a3f342a4.2012",
        "2.49.0.1.124.60f31a3a.2012",
    ]
    assert alert.restriction is None and alert.note is None  # empty elements read as absent
    french = alert.summary_text(languages=("fr",))
    assert "veille d'orages violents" in french
    assert "Weitere Sprachfassungen in der Originalmeldung: en-CA" in french
    assert alert.preferred_infos(("de",))[0].language == "en-CA"  # no German: the first one
    assert "Entwarnung" in alert.summary_text()


def test_alert_without_info() -> None:
    alert = parse_cap(oracle("no_optional_fields.cap"))
    assert alert.infos == ()
    assert alert.suggested_priority() is SuggestedPriority.EINFACH
    assert alert.title == f"CAP-Meldung {alert.identifier}"


def test_resource_and_multiline_text() -> None:
    alert = parse_cap(oracle("43b080713727.cap"))
    (resource_,) = alert.infos[0].resources
    assert (resource_.description, resource_.mime_type) == ("Image file (GIF)", "image/gif")
    weather = parse_cap(oracle("weather.cap"))
    assert weather.infos[0].description.count("\n") >= 10
    assert CapValuePair("WMOHEADER", "") in weather.infos[0].parameters


# --------------------------------------------------------------------------- broken alerts


def problems_of(data: bytes) -> tuple[str, ...]:
    with pytest.raises(CapError) as caught:
        parse_cap(data)
    return caught.value.problems


def test_missing_scope_is_named() -> None:
    with pytest.raises(CapError) as caught:
        parse_cap(oracle("invalid.cap"), source_name="invalid.cap")
    message = str(caught.value)
    assert "Pflichtfeld ‚scope‘ fehlt" in message
    assert "‚invalid.cap‘" in message


def test_canadian_errors_empty_references() -> None:
    problems = problems_of(oracle("canada_errors.cap"))
    assert problems == ("‚references‘ ist leer (erwartet: ‚Absender,Kennung,Sendezeit‘ je Bezug)",)


def test_noaa_errors_every_problem_is_reported() -> None:
    problems = problems_of(oracle("noaa_errors.cap"))
    joined = "\n".join(problems)
    for field in ("urgency", "severity", "certainty"):
        assert f"‚{field}‘ ist leer" in joined
    assert "‚references‘ ist leer" in joined
    # the trailing comma in "+40.85,-118.09," and the empty second polygon
    assert "‚+40.85,-118.09,‘ ist kein Koordinatenpaar" in joined
    assert "Polygon in ‚alert/info[1]/area[1]/polygon[2]‘ ist leer" in joined
    assert len(problems) == 6


def thunderstorm(old: str = "", new: str = "") -> bytes:
    text = oracle("thunderstorm.cap").decode("utf-8")
    if old:
        assert old in text
        text = text.replace(old, new, 1)
    return text.encode("utf-8")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "<sent>2003-06-17T14:57:00-07:00</sent>",
            "<sent>2003-06-17 14:57</sent>",
            "‚sent‘ hat kein gültiges Datumsformat: ‚2003-06-17 14:57‘",
        ),
        (
            "<sent>2003-06-17T14:57:00-07:00</sent>",
            "<sent>2003-06-17T21:57:00Z</sent>",
            "‚sent‘ hat kein gültiges Datumsformat",
        ),
        (
            "<sent>2003-06-17T14:57:00-07:00</sent>",
            "<sent>2003-02-30T14:57:00-07:00</sent>",
            "das Datum oder die Uhrzeit gibt es nicht",
        ),
        (
            "<expires>2003-06-17T16:00:00-07:00</expires>",
            "<expires>morgen</expires>",
            "‚expires‘ hat kein gültiges Datumsformat: ‚morgen‘",
        ),
        (
            "<status>Actual</status>",
            "<status>Real</status>",
            "‚status‘ hat einen ungültigen Wert: ‚Real‘",
        ),
        (
            "<category>Met</category>",
            "<category>Weather</category>",
            "‚category‘ hat einen ungültigen Wert",
        ),
        (
            "<identifier>KSTO1055887203</identifier>",
            "",
            "Pflichtfeld ‚identifier‘ fehlt in ‚alert‘",
        ),
        ("<event>SEVERE THUNDERSTORM</event>", "<event> </event>", "Pflichtfeld ‚event‘ ist leer"),
        ("<urgency>Immediate</urgency>", "", "Pflichtfeld ‚urgency‘ fehlt in ‚alert/info[1]‘"),
        (
            "<identifier>KSTO1055887203</identifier>",
            "<identifier>KSTO,1055887203</identifier>",
            "‚identifier‘ darf keine Leerzeichen, Kommas",
        ),
        (
            "<sender>KSTO@NWS.NOAA.GOV</sender>",
            "<sender>KSTO@NWS.NOAA.GOV</sender><sender>x@y</sender>",
            "‚sender‘ darf in ‚alert‘ nur einmal vorkommen",
        ),
        (
            "<msgType>Alert</msgType>",
            "<msgType>Alert</msgType><colour>red</colour>",
            "Unbekanntes Element ‚colour‘ in ‚alert‘",
        ),
        (
            "<status>Actual</status>   \n <msgType>Alert</msgType>",
            "<msgType>Alert</msgType><status>Actual</status>",
            "steht in ‚alert‘ an der falschen Stelle",
        ),
        (
            "<contact>BARUFFALDI/JUSKIE</contact>",
            "<contact><b>BARUFFALDI</b></contact>",
            "‚alert/info[1]/contact‘ darf keine Unterelemente enthalten",
        ),
        (
            "38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14",
            "38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89",
            "erster und letzter Punkt müssen gleich sein",
        ),
        (
            "38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14",
            "38.47,-120.14 38.34,-119.95 38.47,-120.14",
            "mindestens vier Punkte",
        ),
        (
            "38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14",
            "38.47,-120.14 98.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14",
            "liegt außerhalb von ±90°/±180°",
        ),
        ("</geocode> \n   </area>", "</geocode><circle>1,2 -3</circle></area>", "‚circle‘ steht"),
        (
            "</geocode> \n   </area>",
            "</geocode><altitude>200</altitude><ceiling>100</ceiling></area>",
            "‚altitude‘ liegt in ‚alert/info[1]/area[1]‘ über ‚ceiling‘",
        ),
        (
            "</geocode> \n   </area>",
            "</geocode><ceiling>100</ceiling></area>",
            "‚ceiling‘ in ‚alert/info[1]/area[1]‘ setzt ‚altitude‘ voraus",
        ),
        (
            "<scope>Public</scope>",
            "<scope>Public</scope><references>KSTO,only-two-parts</references>",
            "‚references‘ enthält ‚KSTO,only-two-parts‘",
        ),
        (
            "<scope>Public</scope>",
            "<scope>Public</scope><references>KSTO,a,2003-13-01T00:00:00-07:00</references>",
            "‚references‘: Sendezeit",
        ),
    ],
)
def test_rule_violations_are_named(old: str, new: str, expected: str) -> None:
    problems = problems_of(thunderstorm(old, new))
    assert any(expected in p for p in problems), problems


def test_element_without_namespace_is_named() -> None:
    data = thunderstorm(
        "<msgType>Alert</msgType>", '<msgType>Alert</msgType><extra xmlns="">1</extra>'
    )
    assert "Unbekanntes Element ‚extra‘ (ohne Namensraum) in ‚alert‘" in problems_of(data)


def test_circle_rules() -> None:
    for bad in ("1,2 -3", "invalid", "1, 2 3", "1,2"):
        data = thunderstorm(
            "<polygon>38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14</polygon>",
            f"<circle>{bad}</circle>",
        )
        assert any("Ungültiger Kreis" in p for p in problems_of(data)), bad


def test_several_problems_are_reported_at_once() -> None:
    data = thunderstorm("<status>Actual</status>", "<status>Real</status>")
    data = data.replace(b"<urgency>Immediate</urgency>", b"<urgency>Now</urgency>")
    with pytest.raises(CapError) as caught:
        parse_cap(data, source_name="sturm.cap")
    assert len(caught.value.problems) == 2
    assert "‚status‘" in str(caught.value) and "‚urgency‘" in str(caught.value)


def test_not_cap_at_all() -> None:
    for data in (b"<foo/>", b'<alert xmlns="urn:example">x</alert>', b"<alert/>"):
        with pytest.raises(CapError, match="Keine CAP-Meldung"):
            parse_cap(data)


def test_the_schema_is_the_final_gate_for_cap12() -> None:
    root = parse_xml(oracle("invalid.cap"))
    problems = validate_cap12(root)
    assert problems and "CAP-1.2-Schema" in problems[0]
    assert validate_cap12(parse_xml(oracle("canada.cap"))) == []


def test_shipped_schema_is_the_oasis_schema() -> None:
    assert resource("schemas", "cap12.xsd").read_bytes() == oracle("cap12.xsd")
    licence = resource("schemas", "LICENSE-google-cap-library.txt").read_bytes()
    assert licence == oracle("LICENSE-google-cap-library.txt")
    assert b"Apache License" in licence[:100]


def test_the_program_does_not_read_the_oracles() -> None:
    source = Path(__file__).resolve().parents[2] / "krisenstab" / "exchange"
    for name in ("cap.py", "xmlsafe.py", "sitrep.py"):
        assert "oracles" not in (source / name).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- older versions

CAP10 = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<alert xmlns="http://www.incident.com/cap/1.0">
<identifier>43b080713727</identifier>
<sender>hsas@dhs.gov</sender>
<sent>2003-04-02T14:39:01-05:00</sent>
<status>Actual</status>
<msgType>Alert</msgType>
<password>obsolete</password>
<references>43b080713727/hsas@dhs.gov a/b</references>
<info>
<category>Safety</category>
<event>Homeland Security Advisory System Update</event>
<urgency>Unknown</urgency>
<severity>Unknown</severity>
<certainty>Very Likely</certainty>
<eventCode>EC=v1</eventCode>
<parameter>HSAS=ORANGE</parameter>
<area><areaDesc>U.S. nationwide</areaDesc><geocode>G1=v1</geocode></area>
</info>
</alert>"""


def test_cap10_alert() -> None:
    alert = parse_cap(CAP10)
    assert alert.version == "1.0"
    assert alert.scope is None  # optional in 1.0
    assert [r.identifier for r in alert.references] == ["43b080713727/hsas@dhs.gov", "a/b"]
    (info,) = alert.infos
    assert info.certainty == "Very Likely"
    assert info.event_codes == (CapValuePair("EC", "v1"),)
    assert info.parameters == (CapValuePair("HSAS", "ORANGE"),)
    assert info.areas[0].geocodes == (CapValuePair("G1", "v1"),)


def test_cap10_refuses_later_vocabulary() -> None:
    problems = problems_of(
        CAP10.replace(b"<category>Safety</category>", b"<category>CBRNE</category>")
    )
    assert any("‚category‘ hat einen ungültigen Wert: ‚CBRNE‘" in p for p in problems)


def test_cap11_reads_deprecated_very_likely_as_likely() -> None:
    data = oracle("weather.cap").replace(
        b"<certainty>Possible</certainty>", b"<certainty>Very Likely</certainty>"
    )
    alert = parse_cap(data)
    assert alert.infos[0].certainty == "Likely"
    assert any("veraltet" in w for w in alert.warnings)


def test_cap11_accepts_xs_datetime_variants_but_not_missing_zone() -> None:
    data = oracle("weather.cap")
    alert = parse_cap(
        data.replace(
            b"<sent>2010-08-30T04:07:00-06:00</sent>", b"<sent>2010-08-30T10:07:00.5Z</sent>"
        )
    )
    assert alert.sent == datetime(2010, 8, 30, 10, 7, 0, 500000, tzinfo=UTC)
    problems = problems_of(
        data.replace(b"<sent>2010-08-30T04:07:00-06:00</sent>", b"<sent>2010-08-30T04:07:00</sent>")
    )
    assert any("die Angabe der Zeitzone fehlt" in p for p in problems)


def test_cap11_responsetype_vocabulary_differs_from_cap12() -> None:
    data = oracle("weather.cap").replace(
        b"<urgency>", b"<responseType>AllClear</responseType><urgency>"
    )
    assert any("‚responseType‘" in p for p in problems_of(data))


# --------------------------------------------------------------------------- hostile XML


def test_xee_is_refused_without_any_outside_access(canaries: Canaries) -> None:
    warm_up()
    data = hostile_xee(canaries)
    with canaries, python_access_recorded() as events, pytest.raises(CapError) as caught:
        parse_cap(data, source_name="xee.cap")
    assert "DOCTYPE" in str(caught.value)
    assert events == []
    assert canaries.file_opened == 0
    assert canaries.connections() == 0


def test_canaries_do_notice_a_careless_parser(canaries: Canaries) -> None:
    # Proof that the detectors above are not blind: an unsafe parser trips them.
    data = hostile_xee(canaries)
    careless = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=False)
    with canaries:
        etree.fromstring(data, careless)
    assert canaries.file_opened > 0
    socket.create_connection(("127.0.0.1", canaries.port)).close()
    assert canaries.connections() == 1
    with python_access_recorded() as events:
        Path(__file__).read_bytes()
    assert events and events[0][0] == "open"


def test_xinclude_and_schema_location_are_never_followed(canaries: Canaries) -> None:
    warm_up()
    text = oracle("xee.cap").decode("utf-8")
    # without the DOCTYPE and its entity, only XInclude and schemaLocation remain
    text = text[: text.index("<!DOCTYPE")] + text[text.index("]>") + 2 :]
    text = text.replace("&xxe;", "")
    text = text.replace("http://http://localhost:8080/1", f"file://{canaries.fifo}")
    text = text.replace(
        "http://http://localhost:8080/a.xsd", f"http://127.0.0.1:{canaries.port}/a.xsd"
    )
    data = text.encode("utf-8")
    with canaries, python_access_recorded() as events:
        root = parse_xml(data)
        with pytest.raises(CapError) as caught:
            parse_cap(data)
    assert events == []
    assert canaries.file_opened == 0
    assert canaries.connections() == 0
    # the include stays an inert element; the CAP check refuses the foreign content
    assert root.find(".//{http://www.w3.org/2001/XInclude}include") is not None
    assert "Unbekanntes Element ‚x‘ in ‚alert‘" in str(caught.value)
    assert "Unbekanntes Element ‚y‘ (Namensraum http://a.b/) in ‚alert‘" in str(caught.value)


def test_schema_hints_in_a_valid_alert_are_ignored(canaries: Canaries) -> None:
    # A valid CAP 1.2 alert whose root points the validator at other schemas:
    # validation must use the shipped schema only and fetch nothing.
    warm_up()
    hint = (
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        f' xsi:schemaLocation="urn:oasis:names:tc:emergency:cap:1.2 http://127.0.0.1:{canaries.port}/cap.xsd'
        f' urn:other file://{canaries.fifo}"'
    )
    data = thunderstorm(
        '<alert xmlns = "urn:oasis:names:tc:emergency:cap:1.2">',
        f'<alert xmlns="{CAP12_NAMESPACE}"{hint}>',
    )
    with canaries, python_access_recorded() as events:
        alert = parse_cap(data)
    assert alert.identifier == "KSTO1055887203"
    assert events == []
    assert canaries.file_opened == 0
    assert canaries.connections() == 0


def test_entity_expansion_bomb_is_refused_at_once() -> None:
    declarations = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    data = f"<?xml version='1.0'?><!DOCTYPE lolz [{''.join(declarations)}]><lolz>&lol9;</lolz>"
    started = time.perf_counter()
    with pytest.raises(UnsafeXmlError):
        parse_xml(data.encode())
    assert time.perf_counter() - started < 1.0


def test_undeclared_entity_and_bad_xml_give_german_errors() -> None:
    with pytest.raises(XmlError, match="nicht definierte Entität"):
        parse_xml(b"<a>&xxe;</a>")
    with pytest.raises(XmlError, match=r"kein gültiges XML \(Zeile 1"):
        parse_xml(b"<a><b></a>")
    with pytest.raises(XmlError, match="ist leer"):
        parse_xml(b"   ")
    with pytest.raises(XmlError, match="zu groß"):
        parse_xml(b"<a>" + b"x" * 2000 + b"</a>", max_bytes=1000)
    with pytest.raises(XmlError, match="zu tief verschachtelt"):
        parse_xml(b"<a>" * 200 + b"</a>" * 200)
    with pytest.raises(XmlError, match="Zeichenkodierung"):
        parse_xml(b'<?xml version="1.0" encoding="shift_jis"?><a/>')
    with pytest.raises(TypeError):
        parse_xml("<a/>")  # type: ignore[arg-type]


def test_parse_xml_accepts_plain_documents() -> None:
    root = parse_xml(
        b'<?xml-stylesheet href="http://example.invalid/x.xsl"?><a xmlns="urn:x"><b>1</b></a>'
    )
    assert root.tag == "{urn:x}a"
    assert parse_xml(bytearray(b"<a/>")).tag == "a"
    assert parse_xml("<a>ä</a>".encode("utf-16")).text == "ä"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_cap_error(data: bytes) -> None:
    with suppress(CapError):
        parse_cap(data)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_damaged_real_alerts_raise_only_cap_error(data: st.DataObject) -> None:
    original = bytearray(oracle(data.draw(st.sampled_from(REAL_ALERTS))))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(original) - 1))
        action = data.draw(st.sampled_from(["flip", "delete", "insert"]))
        if action == "flip":
            original[position] = data.draw(st.integers(0, 255))
        elif action == "delete":
            del original[position : position + data.draw(st.integers(1, 40))]
        else:
            original[position:position] = data.draw(
                st.sampled_from(
                    [
                        b"<",
                        b"&",
                        b"<x>",
                        b"</info>",
                        b"<!DOCTYPE a>",
                        b"\x00",
                        b"\xff\xfe",
                        b",",
                        b" ",
                    ]
                )
            )
    try:
        alert = parse_cap(bytes(original))
    except CapError:
        return
    assert alert.sent.tzinfo is not None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_field_text_raises_only_cap_error(text: str) -> None:
    escaped = clean_text(text).replace("&", "&amp;").replace("<", "&lt;")
    for tag in ("sent", "status", "polygon", "identifier", "references"):
        data = thunderstorm()
        start = data.index(f"<{tag}>".encode()) if f"<{tag}>".encode() in data else None
        if start is None:
            data = data.replace(
                b"<scope>Public</scope>", f"<scope>Public</scope><{tag}></{tag}>".encode()
            )
            start = data.index(f"<{tag}>".encode())
        end = data.index(f"</{tag}>".encode(), start)
        data = data[: start + len(tag) + 2] + escaped.encode("utf-8") + data[end:]
        with suppress(CapError):
            parse_cap(data)


# --------------------------------------------------------------------------- priority and summary


@pytest.mark.parametrize(
    ("urgency", "severity", "certainty", "expected"),
    [
        ("Immediate", "Extreme", "Observed", "blitz"),
        ("Expected", "Extreme", "Likely", "blitz"),
        ("Future", "Extreme", "Likely", "sofort"),
        ("Immediate", "Severe", "Observed", "sofort"),
        ("Expected", "Severe", "Possible", "sofort"),
        ("Immediate", "Moderate", "Observed", "sofort"),
        ("Immediate", "Unknown", "Unknown", "sofort"),
        ("Expected", "Moderate", "Likely", "einfach"),
        ("Future", "Minor", "Possible", "einfach"),
        ("Past", "Extreme", "Observed", "einfach"),
        ("Immediate", "Extreme", "Unlikely", "einfach"),
    ],
)
def test_priority_table(urgency: str, severity: str, certainty: str, expected: str) -> None:
    assert suggest_priority(urgency, severity, certainty) == expected


def test_alert_priority_takes_status_and_type_into_account() -> None:
    tsunami = parse_cap(oracle("wcatwc-warning.cap"))
    assert tsunami.suggested_priority() is SuggestedPriority.BLITZ
    assert replace(tsunami, status="Exercise").suggested_priority() is SuggestedPriority.BLITZ
    assert replace(tsunami, status="Test").suggested_priority() is SuggestedPriority.EINFACH
    assert replace(tsunami, msg_type="Cancel").suggested_priority() is SuggestedPriority.SOFORT
    assert replace(tsunami, msg_type="Ack").suggested_priority() is SuggestedPriority.EINFACH


def test_summary_text_is_german_and_in_berlin_time() -> None:
    alert = parse_cap(oracle("thunderstorm.cap"))
    text = alert.summary_text()
    assert text.splitlines()[0] == "CAP-Warnung: SEVERE THUNDERSTORM WARNING"
    assert "Absender: NATIONAL WEATHER SERVICE SACRAMENTO CA (KSTO@NWS.NOAA.GOV)" in text
    assert "Gesendet: 17.06.2003 23:57 Uhr" in text  # 14:57 PDT is 23:57 CEST
    assert "Dringlichkeit: sofort · Schwere: schwer · Gewissheit: beobachtet" in text
    assert "Empfohlene Reaktion: Schutz suchen" in text
    assert "Handlungsempfehlung:\nTAKE COVER" in text
    assert "CAP-Kennung: KSTO1055887203 (CAP 1.2)" in text
    exercise = replace(alert, status="Exercise").summary_text()
    assert exercise.startswith("ÜBUNG – CAP-Warnung")


# --------------------------------------------------------------------------- export


SENT = datetime(2026, 11, 27, 14, 4, tzinfo=UTC)


def sample_info(**changes: object) -> CapInfo:
    info = CapInfo(
        event="Hochwasser",
        urgency="Expected",
        severity="Severe",
        certainty="Likely",
        categories=("Met", "Env"),
        headline="Hochwasserwarnung für die Rur",
        description="Der Pegel steigt. Keller räumen.",
        instruction="Höher gelegene Bereiche aufsuchen.",
        sender_name="Krisenstab Kreis Musterland",
        web="https://www.kreis-musterland.example/hochwasser",
        response_types=("Prepare",),
        effective=SENT,
        expires=SENT + timedelta(hours=6),
        areas=(
            CapArea(
                "Musterstadt, Ortsteil Beispielhausen",
                polygons=(((50.80, 6.40), (50.90, 6.50), (50.85, 6.60)),),
                circles=(CapCircle(50.8, 6.48, 2.5),),
                geocodes=(CapValuePair("AGS", "05358008"),),
            ),
        ),
    )
    return replace(info, **changes)


def sample_alert(**changes: object) -> CapAlertInput:
    alert = CapAlertInput(
        identifier="krisenstab-2026-0001",
        sender="krisenstab@kreis-musterland.example",
        sent=SENT,
        infos=(sample_info(),),
    )
    return replace(alert, **changes)


def test_built_alert_validates_and_round_trips(oracle_schema: etree.XMLSchema) -> None:
    data = build_cap(sample_alert(), exercise=False)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert_valid_against_oracle(oracle_schema, data)
    assert b"<sent>2026-11-27T15:04:00+01:00</sent>" in data
    alert = parse_cap(data)
    assert alert.status == "Actual"
    assert alert.sent == SENT
    (info,) = alert.infos
    assert info.language == "de-DE"
    assert info.headline == "Hochwasserwarnung für die Rur"
    assert info.areas[0].polygons == (((50.8, 6.4), (50.9, 6.5), (50.85, 6.6), (50.8, 6.4)),)
    assert info.areas[0].circles == (CapCircle(50.8, 6.48, 2.5),)
    assert info.areas[0].geocodes == (CapValuePair("AGS", "05358008"),)
    assert (info.effective, info.expires) == (SENT, SENT + timedelta(hours=6))
    assert alert.warnings == ()


def test_summer_time_offset() -> None:
    data = build_cap(sample_alert(sent=datetime(2026, 7, 1, 10, 0, tzinfo=UTC)), exercise=False)
    assert b"<sent>2026-07-01T12:00:00+02:00</sent>" in data


def test_exercise_always_writes_exercise(oracle_schema: etree.XMLSchema) -> None:
    data = build_cap(sample_alert(), exercise=True)
    assert_valid_against_oracle(oracle_schema, data)
    alert = parse_cap(data)
    assert alert.status == "Exercise"
    assert alert.note == "ÜBUNG"
    assert alert.infos[0].headline == "ÜBUNG: Hochwasserwarnung für die Rur"
    assert build_cap(sample_alert(status="Exercise"), exercise=True) == data
    # no headline given: the event is marked instead
    marked = parse_cap(build_cap(sample_alert(infos=(sample_info(headline=None),)), exercise=True))
    assert marked.infos[0].headline == "ÜBUNG: Hochwasser"


@pytest.mark.parametrize("status", ["Actual", "Test", "System", "Draft"])
def test_exercise_cannot_write_another_status(status: str) -> None:
    with pytest.raises(CapError, match=r"Übung.*‚Exercise‘"):
        build_cap(sample_alert(status=status), exercise=True)


def test_exercise_flag_is_mandatory() -> None:
    with pytest.raises(TypeError):
        build_cap(sample_alert())  # type: ignore[call-arg]


def test_real_data_may_write_test_messages() -> None:
    assert parse_cap(build_cap(sample_alert(status="Test"), exercise=False)).status == "Test"


def test_update_needs_references(oracle_schema: etree.XMLSchema) -> None:
    with pytest.raises(CapError, match="‚Update‘ braucht ‚references‘"):
        build_cap(sample_alert(msg_type="Update"), exercise=False)
    earlier = CapReference(
        "krisenstab@kreis-musterland.example", "krisenstab-2026-0000", SENT - timedelta(hours=1)
    )
    data = build_cap(sample_alert(msg_type="Update", references=(earlier,)), exercise=False)
    assert_valid_against_oracle(oracle_schema, data)
    assert (
        b"krisenstab@kreis-musterland.example,krisenstab-2026-0000,2026-11-27T14:04:00+01:00"
        in data
    )
    assert parse_cap(data).references == (earlier,)


def test_restricted_and_private_scope(oracle_schema: etree.XMLSchema) -> None:
    with pytest.raises(CapError, match="‚restriction‘"):
        build_cap(sample_alert(scope="Restricted"), exercise=False)
    with pytest.raises(CapError, match="‚addresses‘"):
        build_cap(sample_alert(scope="Private"), exercise=False)
    data = build_cap(
        sample_alert(
            scope="Private", addresses=("Feuerwehr Musterstadt", "s2@kreis-musterland.example")
        ),
        exercise=False,
    )
    assert_valid_against_oracle(oracle_schema, data)
    assert parse_cap(data).addresses == ("Feuerwehr Musterstadt", "s2@kreis-musterland.example")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"identifier": "mit leerzeichen"}, "‚identifier‘ darf keine Leerzeichen"),
        ({"sender": ""}, "Pflichtfeld ‚sender‘ ist leer"),
        ({"sent": datetime(2026, 11, 27, 14, 4)}, "‚sent‘: Zeitangabe ohne Zeitzone"),
        ({"msg_type": "Alarm"}, "‚msgType‘ hat einen ungültigen Wert"),
        ({"scope": "Öffentlich"}, "‚scope‘ hat einen ungültigen Wert"),
        ({"infos": (sample_info(categories=()),)}, "Pflichtfeld ‚category‘ fehlt"),
        (
            {"infos": (sample_info(urgency="Sofort"),)},
            "‚info[1]/urgency‘ hat einen ungültigen Wert",
        ),
        ({"infos": (sample_info(certainty="Very Likely"),)}, "‚info[1]/certainty‘"),
        ({"infos": (sample_info(event="  "),)}, "Pflichtfeld ‚info[1]/event‘ ist leer"),
        ({"infos": (sample_info(language="deutsch!"),)}, "kein gültiges Sprachkürzel"),
        (
            {"infos": (sample_info(web="kreis-musterland.example"),)},
            "‚web‘ ist keine gültige http(s)-Adresse",
        ),
        (
            {
                "infos": (
                    sample_info(areas=(CapArea("X", polygons=(((50.0, 6.0), (51.0, 6.0)),)),)),
                )
            },
            "mindestens drei verschiedene Punkte",
        ),
        (
            {
                "infos": (
                    sample_info(
                        areas=(CapArea("X", polygons=(((50.0, 6.0), (91.0, 6.0), (50.5, 7.0)),)),)
                    ),
                )
            },
            "außerhalb von ±90°/±180°",
        ),
        (
            {
                "infos": (
                    sample_info(areas=(CapArea("X", circles=(CapCircle(50, 6, float("nan")),)),)),
                )
            },
            "Radius",
        ),
        (
            {"infos": (sample_info(areas=(CapArea("X", altitude=10, ceiling=5),)),)},
            "‚altitude‘ liegt über ‚ceiling‘",
        ),
        ({"infos": (sample_info(areas=(CapArea(""),)),)}, "‚info[1]/area[1]/areaDesc‘ ist leer"),
    ],
)
def test_invalid_input_is_refused_in_german(changes: dict, message: str) -> None:
    with pytest.raises(CapError) as caught:
        build_cap(sample_alert(**changes), exercise=False)
    assert message in str(caught.value)
    assert str(caught.value).startswith("Die CAP-Meldung kann nicht geschrieben werden")


NASTY = [
    "<script>alert(1)</script>",
    "&amp; &lt; ]]> <![CDATA[x]]>",
    "\x00\x01\x08\x0b\x0c\x1f\x7f",
    "\ud800 lone surrogate",
    "\ufffe\uffff",
    "Emoji 🚒🌊👩‍🚒",
    "\u202eRTL override\u202c שלום עליכם مرحبا",
    "Zeile 1\r\nZeile 2\rZeile 3\n",
    "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>&e;",
    "Straße Nr. 5 – Ölspur „Achtung“",
]
texts = st.one_of(
    st.text(max_size=60),
    st.sampled_from(NASTY),
    st.lists(st.sampled_from(NASTY), max_size=3).map("".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    event=texts,
    headline=st.one_of(st.none(), texts),
    description=st.one_of(st.none(), texts),
    instruction=st.one_of(st.none(), texts),
    sender_name=st.one_of(st.none(), texts),
    area_desc=texts,
    note=st.one_of(st.none(), texts),
    exercise=st.booleans(),
)
def test_any_text_is_written_as_valid_cap(
    oracle_schema: etree.XMLSchema,
    event: str,
    headline: str | None,
    description: str | None,
    instruction: str | None,
    sender_name: str | None,
    area_desc: str,
    note: str | None,
    exercise: bool,
) -> None:
    assume(clean_text(event).strip() and clean_text(area_desc).strip())
    info = sample_info(
        event=event,
        headline=headline,
        description=description,
        instruction=instruction,
        sender_name=sender_name,
        areas=(CapArea(area_desc),),
    )
    data = build_cap(sample_alert(infos=(info,), note=note), exercise=exercise)
    assert_valid_against_oracle(oracle_schema, data)
    assert b"<!DOCTYPE" not in data
    alert = parse_cap(data)
    (read,) = alert.infos

    def expected(text: str | None) -> str | None:
        return (clean_text(text).strip() or None) if text is not None else None

    assert read.event == expected(event)
    assert read.areas[0].area_desc == expected(area_desc)
    assert read.description == expected(description)
    assert read.instruction == expected(instruction)
    assert read.sender_name == expected(sender_name)
    if not exercise:
        assert read.headline == expected(headline)
        assert alert.note == expected(note)
    else:
        assert alert.status == "Exercise"
        assert read.headline.startswith("ÜBUNG")


@settings(max_examples=150, deadline=None)
@given(
    sent=st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.timezones()
    ),
    points=st.lists(
        st.tuples(st.floats(-90, 90, allow_nan=False), st.floats(-180, 180, allow_nan=False)),
        min_size=3,
        max_size=12,
        unique=True,
    ),
    radius=st.floats(0, 20000, allow_nan=False),
)
def test_any_time_and_geometry_is_written_as_valid_cap(
    oracle_schema: etree.XMLSchema, sent: datetime, points: list, radius: float
) -> None:
    area = CapArea(
        "Gebiet",
        polygons=(tuple(points),),
        circles=(CapCircle(points[0][0], points[0][1], radius),),
    )
    try:
        data = build_cap(
            sample_alert(sent=sent, infos=(sample_info(areas=(area,)),)), exercise=False
        )
    except CapError as exc:
        # coordinates are written with 6 decimals; points closer than that collapse
        assert "mindestens drei" in str(exc)
        return
    assert_valid_against_oracle(oracle_schema, data)
    alert = parse_cap(data)
    # compared in UTC: PEP 495 makes times in a DST gap or fold unequal across zones
    assert alert.sent == sent.astimezone(UTC).replace(microsecond=0)
    (polygon,) = alert.infos[0].areas[0].polygons
    assert polygon[0] == polygon[-1]
    for (lat, lon), (want_lat, want_lon) in zip(polygon, [*points, points[0]], strict=False):
        assert abs(lat - want_lat) <= 5e-7 and abs(lon - want_lon) <= 5e-7


# --------------------------------------------------------------------------- date helpers


def test_datetime_helpers() -> None:
    assert (
        format_datetime(datetime(2026, 11, 27, 14, 4, 59, 999999, tzinfo=UTC))
        == "2026-11-27T15:04:59+01:00"
    )
    assert (
        format_datetime(datetime(2026, 11, 27, 14, 4, tzinfo=UTC), zone=UTC)
        == "2026-11-27T14:04:00-00:00"
    )
    # Berlin local mean time before 1893 is not a whole minute: written in UTC instead
    assert format_datetime(datetime(1880, 1, 1, 12, 0, tzinfo=UTC)) == "1880-01-01T12:00:00-00:00"
    with pytest.raises(ValueError, match="ohne Zeitzone"):
        format_datetime(datetime(2026, 1, 1))
    assert parse_datetime("2026-11-27T15:04:00+01:00") == datetime(2026, 11, 27, 14, 4, tzinfo=UTC)
    assert parse_datetime(" 2026-11-27T15:04:00-00:00 ") == datetime(
        2026, 11, 27, 15, 4, tzinfo=UTC
    )
    for bad in (
        "2026-11-27T15:04:00Z",
        "2026-11-27T15:04:00.5+01:00",
        "2026-11-27",
        "2026-11-27T15:04:00+15:00",
    ):
        with pytest.raises(ValueError):
            parse_datetime(bad)
    assert parse_datetime("2026-11-27T15:04:00.25Z", strict=False).microsecond == 250000


def test_clean_text_keeps_what_xml_can_hold() -> None:
    assert clean_text("a\x00b\x1fc\td\ne\rf\ud800g\ufffeh🚒") == "abc\td\ne\rfgh🚒"


def test_the_schema_namespace_is_cap12() -> None:
    root = etree.fromstring(build_cap(sample_alert(), exercise=False))
    assert root.tag == f"{{{CAP12_NAMESPACE}}}alert"
