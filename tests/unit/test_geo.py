"""Positions in every form German BOS users type them, checked against Kreis Düren."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from krisenstab.domain.geo import (
    GERMANY,
    Area,
    CoordinateError,
    Position,
    check_area,
    describe,
    distance_m,
    format_decimal,
    format_dm,
    format_dms,
    format_utm32,
    format_utmref,
    from_utm,
    from_utm32,
    parse_position,
    to_utm32,
)

DUEREN = Position(50.8043, 6.4829)

# Approximate town centres in Kreis Düren (each municipality's core).
KREIS_DUEREN = {
    "Düren": Position(50.8043, 6.4829),
    "Jülich": Position(50.9220, 6.3583),
    "Heimbach": Position(50.6345, 6.4753),
    "Nideggen": Position(50.6897, 6.4836),
    "Linnich": Position(50.9806, 6.2703),
    "Titz": Position(51.0059, 6.4245),
    "Vettweiß": Position(50.7367, 6.5975),
    "Nörvenich": Position(50.8067, 6.6394),
}


def test_position_validates_ranges() -> None:
    assert Position(50, 6) == Position(50.0, 6.0)
    with pytest.raises(CoordinateError, match="Breite 91 liegt außerhalb"):
        Position(91, 6)
    with pytest.raises(CoordinateError, match="Länge -181 liegt außerhalb"):
        Position(50, -181)
    with pytest.raises(CoordinateError):
        Position(float("nan"), 6)
    with pytest.raises(AttributeError):
        DUEREN.lat = 1.0  # type: ignore[misc]


def test_duren_in_every_output_format() -> None:
    assert format_utmref(DUEREN) == "32U LB 2264 3108"
    assert format_utmref(DUEREN, digits=5) == "32U LB 22645 31082"
    assert format_utmref(DUEREN, digits=2) == "32U LB 22 31"
    assert format_utmref(DUEREN, digits=0) == "32U LB"
    assert format_decimal(DUEREN) == "50.80430, 6.48290"
    assert format_decimal(DUEREN, places=4) == "50.8043, 6.4829"
    assert format_dms(DUEREN) == "50°48'15.5\"N 6°28'58.4\"E"
    assert format_dm(DUEREN) == "N 50° 48.258' E 6° 28.974'"
    assert format_utm32(DUEREN) == "32U 322646 5631083"
    assert describe(DUEREN) == "32U LB 2264 3108 (50.80430, 6.48290)"
    assert str(DUEREN) == "50.80430, 6.48290"


def test_mgrs_and_proj_agree_on_utm_figures() -> None:
    # Two independent implementations (GeoTrans behind mgrs, PROJ behind
    # pyproj): the UTMREF figures are the UTM coordinates modulo 100 km.
    for pos in KREIS_DUEREN.values():
        easting, northing = to_utm32(pos)
        figures = format_utmref(pos, digits=5).split()
        assert figures[2] == f"{int(easting) % 100_000:05d}"
        assert figures[3] == f"{int(northing) % 100_000:05d}"


def test_utm32_round_trip_and_scale() -> None:
    easting, northing = to_utm32(DUEREN)
    assert 300_000 < easting < 350_000
    assert 5_600_000 < northing < 5_650_000
    back = from_utm32(easting, northing)
    assert distance_m(back, DUEREN) < 0.01
    # One kilometre east in the grid is about one kilometre on the ground.
    assert distance_m(from_utm32(easting + 1000, northing), DUEREN) == pytest.approx(1000, rel=5e-3)


@pytest.mark.parametrize(
    "text",
    [
        "32U LB 2264 3108",
        "32ULB22643108",
        "32u lb 22645 31082",
        "32U LB 22645 31082",
        "50.8043, 6.4829",
        "50,8043 6,4829",
        "50,8043, 6,4829",
        "50.8043;6.4829",
        "50.8043 6.4829",
        "50.8043N 6.4829E",
        "N 50.8043 E 6.4829",
        "50.8043° N, 6.4829° O",
        "6.4829 E 50.8043 N",
        "50°48'15.5\"N 6°28'58.4\"E",
        "50° 48′ 15,5″ N, 6° 28′ 58,4″ O",
        "50°48'15.5'' N 6°28'58.4'' E",
        "N 50° 48.258' E 6° 28.973'",
        "N 50 48.258 E 6 28.973",
        "50 48 15.5 6 28 58.4",
        "32U 322645 5631082",
        "32 322645 5631082",
        "E 322645 N 5631082",
        "E: 322645, N: 5631082",
        "R 322645 H 5631082",
        "N 5631082 E 322645",
        "322645 5631082",
        "5631082 322645",
        "322645,4 5631082,6",
        "32322645 5631082",
        "322645mE 5631082mN",
        "6.4829, 50.8043",
    ],
)
def test_parses_every_accepted_form_of_duren(text: str) -> None:
    pos = parse_position(text)
    assert distance_m(pos, DUEREN) < 12, (text, pos)


def test_utmref_reference_denotes_its_square_centre() -> None:
    # 4 digits per axis name a 10 m square; the parsed point is its centre.
    pos = parse_position("32U LB 2264 3108")
    easting, northing = to_utm32(pos)
    assert easting == pytest.approx(322645, abs=0.01)
    assert northing == pytest.approx(5631085, abs=0.01)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("32U XX 99", "„32U XX 99“ ist keine gültige UTMREF-Angabe"),
        ("32U LB 215 37022", "gleich viele Ziffern"),
        ("32U LB 21553", "gleich viele Ziffern"),
        ("32U LB 215537022345", "gleich viele Ziffern"),
        ("32T LB 2264 3108", "Breitenband „T“ passt nicht"),
        ("32U LB", "zu ungenau"),
        ("99U LB 2264 3108", "keine gültige UTMREF-Angabe"),
        ("32I LB 2264 3108", "keine gültige UTMREF-Angabe"),
        ("", "Keine Position angegeben."),
        ("   ", "Keine Position angegeben."),
        ("Rathaus Düren", "keine erkennbare Positionsangabe"),
        ("50,8", "keine erkennbare Positionsangabe"),
        ("50.8043, 6.4829, 12", "keine erkennbare Positionsangabe"),
        ("50.8043 # 6.4829", "unerwartetes Zeichen „#“"),
        ("50 61 15 6 28 58", "Minuten müssen kleiner als 60 sein"),
        ("50°48'61\"N 6°28'58\"E", "Sekunden müssen kleiner als 60 sein"),
        ("50.5°48'N 6°28'E", "nur die letzte Angabe"),
        ("N 50.8 N 6.4", "nennt zweimal die Breite"),
        ("-50.8 S 6.4 E", "widersprechen sich"),
        ("95, 6", "Breite 95 liegt außerhalb"),
        ("2534567 5634567", "Gauß-Krüger"),
        ("32U 3234 5634567", "Ostwert hat 6 Stellen"),
        ("33U 32323456 5634567", "widersprechen sich"),
        ("32U 323456", "erwartet Zone, Ostwert und Nordwert"),
        ("E 323456 E 5634567", "doppelt"),
        ("32U 323456 56345670", "Nordwert liegt zwischen"),
        ("61U 323456 5634567", "Zone 61 gibt es nicht"),
        ("32U 323456° 5634567", "keine erkennbare Positionsangabe"),
    ],
)
def test_malformed_input_gets_a_german_message(text: str, message: str) -> None:
    with pytest.raises(CoordinateError) as info:
        parse_position(text)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "text",
    ["40.1, 2.3", "31T DJ 1234 5678", "48.8566, 2.3522", "31U DQ 1000 2000", "-33.9, 18.4"],
)
def test_positions_outside_germany_are_refused(text: str) -> None:
    with pytest.raises(CoordinateError, match="außerhalb des Einsatzgebiets"):
        parse_position(text)


def test_area_message_and_override() -> None:
    with pytest.raises(CoordinateError) as info:
        parse_position("40.1, 2.3")
    assert str(info.value) == "Position liegt außerhalb des Einsatzgebiets (Breite 40.1, Länge 2.3)"
    assert parse_position("40.1, 2.3", area=None) == Position(40.1, 2.3)
    kreis = Area(south=50.5, west=6.1, north=51.1, east=6.8, name="Kreis Düren")
    assert parse_position("50.8043, 6.4829", area=kreis) == DUEREN
    with pytest.raises(CoordinateError):
        parse_position("51.2277, 6.7735", area=kreis)  # Düsseldorf
    assert check_area(DUEREN) is DUEREN
    assert GERMANY.contains(DUEREN)
    with pytest.raises(ValueError):
        Area(south=51, west=6, north=50, east=7)


def test_lon_lat_order_is_only_swapped_when_unambiguous() -> None:
    assert parse_position("6.4829, 50.8043") == DUEREN
    # Letters state the axes: no guessing, and outside Germany it is an error.
    with pytest.raises(CoordinateError, match="außerhalb"):
        parse_position("6.4829 N, 50.8043 E")
    # Without an area nothing is swapped.
    assert parse_position("6.4829, 50.8043", area=None) == Position(6.4829, 50.8043)


def test_other_hemispheres_and_zones_without_area() -> None:
    cape_town = parse_position("33°55'31\"S 18°25'26\"E", area=None)
    assert cape_town.lat == pytest.approx(-33.92528, abs=1e-5)
    assert format_dms(cape_town) == "33°55'31.0\"S 18°25'26.0\"E"
    assert parse_position(format_dms(cape_town), area=None) == pytest.approx(cape_town)
    west = Position(40.4168, -3.7038)  # Madrid
    assert parse_position(format_dm(west), area=None).lon == pytest.approx(-3.7038, abs=1e-5)
    ref = format_utmref(west, digits=5)
    assert ref.startswith("30T ")
    assert distance_m(parse_position(ref, area=None), west) < 1.5
    assert distance_m(from_utm(30, *_utm_in_zone(west, 30)), west) < 0.01
    south = parse_position("34H 259583 6243788", area=None)
    assert south.lat < 0


def _utm_in_zone(pos: Position, zone: int) -> tuple[float, float]:
    from pyproj import Transformer

    return Transformer.from_crs(4326, 32600 + zone, always_xy=True).transform(pos.lon, pos.lat)


def test_dms_rounding_carries_over() -> None:
    pos = Position(50.9999999, 6.0)
    assert format_dms(pos) == "51°00'00.0\"N 6°00'00.0\"E"
    assert format_dm(pos) == "N 51° 00.000' E 6° 00.000'"


def test_non_text_input() -> None:
    with pytest.raises(CoordinateError):
        parse_position(50.8)  # type: ignore[arg-type]


FORMATTERS: dict[str, tuple[Callable[[Position], str], float]] = {
    # formatter, worst-case error in metres after parsing back
    "utmref5": (lambda p: format_utmref(p, digits=5), 1.0),
    "decimal": (format_decimal, 1.0),
    "dms": (format_dms, 2.0),
    "dm": (format_dm, 1.5),
    "utm32": (format_utm32, 1.0),
}


@pytest.mark.parametrize("name", sorted(KREIS_DUEREN))
@pytest.mark.parametrize("fmt", sorted(FORMATTERS))
def test_kreis_duren_round_trips_through_every_format(name: str, fmt: str) -> None:
    formatter, tolerance = FORMATTERS[fmt]
    pos = KREIS_DUEREN[name]
    assert distance_m(parse_position(formatter(pos)), pos) <= tolerance


def test_utmref_with_four_digits_is_within_its_square() -> None:
    for pos in KREIS_DUEREN.values():
        assert distance_m(parse_position(format_utmref(pos)), pos) <= 7.1


positions_in_germany = st.builds(
    Position,
    st.floats(min_value=GERMANY.south, max_value=GERMANY.north),
    st.floats(min_value=GERMANY.west, max_value=GERMANY.east),
)


@given(positions_in_germany, st.sampled_from(sorted(FORMATTERS)))
@settings(max_examples=300, deadline=None)
def test_round_trip_anywhere_in_germany(pos: Position, fmt: str) -> None:
    formatter, tolerance = FORMATTERS[fmt]
    text = formatter(pos)
    back = parse_position(text, area=None)
    assert distance_m(back, pos) <= tolerance, (text, back)


@given(positions_in_germany)
@settings(max_examples=200, deadline=None)
def test_utm32_transform_is_invertible(pos: Position) -> None:
    assert distance_m(from_utm32(*to_utm32(pos)), pos) < 0.01


@given(st.text(max_size=40))
@settings(max_examples=500, deadline=None)
def test_arbitrary_text_raises_only_coordinate_error(text: str) -> None:
    try:
        parse_position(text)
    except CoordinateError as exc:
        assert str(exc)


@given(
    st.lists(
        st.sampled_from(
            [
                "32U",
                "LB",
                "N",
                "E",
                "O",
                "S",
                "W",
                "°",
                "'",
                '"',
                ",",
                "-",
                " ",
                "50",
                "6.48",
                "322645",
                "5631082",
                "32322645",
                "2155",
                "99",
            ]
        ),
        max_size=8,
    )
)
@settings(max_examples=500, deadline=None)
def test_coordinate_like_noise_raises_only_coordinate_error(parts: list[str]) -> None:
    try:
        parse_position(" ".join(parts))
    except CoordinateError as exc:
        assert str(exc)


def test_import_is_cheap() -> None:
    code = (
        "import sys, krisenstab.domain.geo; print('pyproj' in sys.modules, 'mgrs' in sys.modules)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "False False"
