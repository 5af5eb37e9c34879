"""Positions: parsing what users type, formatting what they expect to read.

Facilities store WGS84 latitude/longitude.  Users in German civil protection
(BOS) enter and read UTMREF (= MGRS, ``32U LB 2155 3702``), decimal degrees,
degrees-minutes-seconds or ETRS89/UTM zone 32N easting/northing (EPSG:25832,
the cadastre's system).  :func:`parse_position` detects the form.

Pure domain code: no Qt, no I/O.  ``mgrs`` and ``pyproj`` are imported on
first use because loading PROJ costs noticeable start-up time.
"""

from __future__ import annotations

import math
import re
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = [
    "GERMANY",
    "Area",
    "CoordinateError",
    "Position",
    "check_area",
    "describe",
    "distance_m",
    "format_decimal",
    "format_dm",
    "format_dms",
    "format_utm32",
    "format_utmref",
    "from_utm",
    "from_utm32",
    "parse_position",
    "to_utm32",
]

EXAMPLES = "z. B. 32U LB 2155 3702 · 50.8043, 6.4829 · 50°48'15.5\"N 6°28'58.4\"E"


class CoordinateError(ValueError):
    """A position cannot be parsed or is not acceptable (German message)."""


def _num(value: float) -> str:
    """Short decimal for messages: 40.1 rather than 40.100000."""
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True, slots=True)
class Position:
    """A WGS84 position in decimal degrees (north and east positive)."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        lat, lon = float(self.lat), float(self.lon)
        if not (math.isfinite(lat) and math.isfinite(lon)):
            raise CoordinateError("Die Position enthält keinen Zahlenwert.")
        if not -90.0 <= lat <= 90.0:
            raise CoordinateError(f"Breite {_num(lat)} liegt außerhalb von -90° bis 90°.")
        if not -180.0 <= lon <= 180.0:
            raise CoordinateError(f"Länge {_num(lon)} liegt außerhalb von -180° bis 180°.")
        object.__setattr__(self, "lat", lat)
        object.__setattr__(self, "lon", lon)

    def __str__(self) -> str:
        return format_decimal(self)


@dataclass(frozen=True, slots=True)
class Area:
    """A latitude/longitude box the positions of an operation must lie in."""

    south: float
    west: float
    north: float
    east: float
    name: str = "Einsatzgebiet"

    def __post_init__(self) -> None:
        if not (self.south < self.north and self.west < self.east):
            raise ValueError("Area needs south < north and west < east")

    def contains(self, pos: Position) -> bool:
        return self.south <= pos.lat <= self.north and self.west <= pos.lon <= self.east


GERMANY = Area(south=47.2, west=5.8, north=55.1, east=15.1, name="Deutschland")


def check_area(pos: Position, area: Area = GERMANY) -> Position:
    """Return ``pos`` or raise CoordinateError if it lies outside ``area``."""
    if not area.contains(pos):
        raise CoordinateError(
            "Position liegt außerhalb des Einsatzgebiets "
            f"(Breite {_num(pos.lat)}, Länge {_num(pos.lon)})"
        )
    return pos


def distance_m(a: Position, b: Position) -> float:
    """Great-circle distance in metres (haversine on a sphere: within 0.5 %)."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlam = math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))


# --------------------------------------------------------------------------
# Library access (lazy, cached)
# --------------------------------------------------------------------------

_MGRS_LOCK = threading.Lock()  # the GeoTrans C code behind mgrs keeps global state


@lru_cache(maxsize=1)
def _mgrs() -> Any:
    import mgrs

    return mgrs.MGRS()


@lru_cache(maxsize=16)
def _transformer(source: int, target: int) -> Any:
    # pyproj >= 3.1 Transformers are safe to share between threads.
    from pyproj import Transformer

    return Transformer.from_crs(source, target, always_xy=True)


def _utm_epsg(zone: int, south: bool) -> int:
    if not south and 28 <= zone <= 38:
        return 25800 + zone  # ETRS89 / UTM, what German authorities use
    return (32700 if south else 32600) + zone


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------

_BANDS = "CDEFGHJKLMNPQRSTUVWX"
_NORMALISE = str.maketrans(
    {
        "′": "'",
        "’": "'",
        "‘": "'",
        "´": "'",
        "`": "'",
        "″": '"',
        "“": '"',
        "”": '"',
        "„": '"',
        "º": "°",
        "˚": "°",
        "\u00a0": " ",
        "\u202f": " ",
        "\t": " ",
        "−": "-",
        "–": "-",
    }
)
_MGRS_RE = re.compile(r"(\d{1,2})([A-Z])([A-Z]{2})(\d*)")
_MGRS_DIGITS_RE = re.compile(r"\d{1,2}\s*[A-Z]\s*[A-Z]\s*[A-Z]\s*(.*)")
_TOKEN_RE = re.compile(
    r"(?P<num>\d+(?:[.,]\d+)?)"
    r"|(?P<word>[A-Z]+)"
    r"|(?P<sym>[°'\"])"
    r"|(?P<sign>[-+])"
    r"|(?P<sep>[\s,;/:=()]+)"
    r"|(?P<bad>.)"
)
_HEMISPHERES = {"N": "N", "S": "S", "E": "E", "O": "E", "W": "W"}
_EAST_WORDS = {"E", "O", "R", "ME", "RW"}
_NORTH_WORDS = {"N", "H", "MN", "HW"}
_UNITS = ("°", "'", '"')


@dataclass
class _Token:
    kind: str
    text: str
    start: int
    end: int


@dataclass
class _Part:
    """One axis as written: optional letter before/after, sign, numbers with units."""

    lead: str | None = None
    trail: str | None = None
    sign: str | None = None
    values: list[list[str | None]] | None = None

    def has_content(self) -> bool:
        return bool(self.values or self.lead or self.sign)

    @property
    def letter(self) -> str | None:
        return self.lead or self.trail


def parse_position(text: str, *, area: Area | None = GERMANY) -> Position:
    """Parse UTMREF, decimal degrees, DMS/DM or UTM zone 32 easting/northing.

    ``area`` (default: Germany) is checked; pass ``None`` to accept any place
    on earth.  Plain numbers without letters are read latitude first, but a
    pair that only lies in the area when swapped (``6.48, 50.80``) is swapped.
    Raises CoordinateError with a German message.
    """
    if not isinstance(text, str):
        raise CoordinateError(f"„{text}“ ist keine Positionsangabe.")
    original = text.strip()
    if not original:
        raise CoordinateError("Keine Position angegeben.")
    normalised = original.translate(_NORMALISE).replace("''", '"').upper()
    compact = re.sub(r"\s+", "", normalised)
    if _MGRS_RE.fullmatch(compact):
        pos = _parse_mgrs(original, normalised, compact)
        swappable = False
    else:
        tokens = _tokenise(original, normalised)
        if any(
            t.kind == "num" and len(t.text.replace(",", ".").split(".")[0]) >= 4 for t in tokens
        ):
            pos = _parse_utm(original, tokens)
            swappable = False
        else:
            pos, swappable = _parse_degrees(original, tokens)
    if area is not None:
        if swappable and not area.contains(pos):
            try:
                swapped = Position(pos.lon, pos.lat)
            except CoordinateError:
                swapped = None
            if swapped is not None and area.contains(swapped):
                return swapped
        check_area(pos, area)
    return pos


def _unreadable(original: str) -> CoordinateError:
    return CoordinateError(f"„{original}“ ist keine erkennbare Positionsangabe ({EXAMPLES}).")


def _band_for(lat: float) -> str:
    return _BANDS[min(max(int((lat + 80) // 8), 0), len(_BANDS) - 1)]


def _parse_mgrs(original: str, normalised: str, compact: str) -> Position:
    invalid = CoordinateError(f"„{original}“ ist keine gültige UTMREF-Angabe")
    match = _MGRS_RE.fullmatch(compact)
    assert match is not None
    zone, band, _square, digits = match.groups()
    if not 1 <= int(zone) <= 60 or band not in _BANDS:
        raise invalid
    if not digits:
        raise CoordinateError(
            f"„{original}“ ist zu ungenau: Rechts- und Hochwert fehlen (z. B. 32U LB 2155 3702)"
        )
    if len(digits) % 2 or len(digits) > 10:
        raise CoordinateError(
            f"„{original}“ ist keine gültige UTMREF-Angabe (Rechts- und Hochwert brauchen "
            "gleich viele Ziffern, z. B. 32U LB 2155 3702)"
        )
    rest = _MGRS_DIGITS_RE.fullmatch(normalised.strip())
    groups = re.findall(r"\d+", rest.group(1)) if rest else []
    if len(groups) == 2 and len(groups[0]) != len(groups[1]):
        raise CoordinateError(
            f"„{original}“ ist keine gültige UTMREF-Angabe (Rechts- und Hochwert brauchen "
            "gleich viele Ziffern)"
        )
    with _MGRS_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            lat, lon = _mgrs().toLatLon(compact)
        except Exception as exc:
            # mgrs raises its own MGRSError (not exported consistently
            # across versions) for every malformed reference.
            raise invalid from exc
    try:
        pos = Position(lat, lon)
    except CoordinateError:
        raise invalid from None
    # GeoTrans only warns when the latitude band does not fit the square;
    # a wrong band is a typo the user must see.  Allow the cell size as
    # slack at band borders.
    slack = 10 ** (5 - len(digits) // 2) / 111_000 + 1e-6
    if band not in {_band_for(lat - slack), _band_for(lat + slack)}:
        raise CoordinateError(
            f"„{original}“ ist keine gültige UTMREF-Angabe (das Breitenband „{band}“ passt "
            f"nicht, an dieser Stelle wäre es „{_band_for(lat)}“)"
        )
    return pos


def _tokenise(original: str, normalised: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN_RE.finditer(normalised):
        kind = match.lastgroup or "bad"
        if kind == "bad":
            raise CoordinateError(
                f"„{original}“ ist keine erkennbare Positionsangabe (unerwartetes Zeichen "
                f"„{match.group()}“; {EXAMPLES})."
            )
        if kind != "sep":
            tokens.append(_Token(kind, match.group(), match.start(), match.end()))
    if not any(t.kind == "num" for t in tokens):
        raise _unreadable(original)
    return tokens


def _group_parts(tokens: list[_Token], original: str, letters: set[str]) -> list[_Part]:
    """Split the token stream into the two axes as written."""
    parts: list[_Part] = []
    current = _Part()

    def close() -> _Part:
        if current.has_content():
            parts.append(current)
        return _Part()

    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.kind == "word":
            if token.text not in letters:
                raise CoordinateError(
                    f"„{original}“ ist keine erkennbare Positionsangabe (unbekannt: "
                    f"„{token.text}“; {EXAMPLES})."
                )
            if current.values and current.trail is None and current.lead is None:
                current.trail = token.text
            else:
                current = close()
                current.lead = token.text
        elif token.kind == "sign":
            if current.values or current.sign or current.trail:
                current = close()
            current.sign = token.text
        elif token.kind == "num":
            if current.trail is not None or (
                current.values
                and (
                    current.values[-1][1] == '"'
                    or (following is not None and following.text == "°")
                )
            ):
                current = close()
            if current.values is None:
                current.values = []
            current.values.append([token.text, None])
        else:  # unit symbol
            if not current.values or current.values[-1][1] is not None:
                raise _unreadable(original)
            current.values[-1][1] = token.text
    close()
    return parts


def _to_float(text: str) -> float:
    return float(text.replace(",", "."))


def _parse_degrees(original: str, tokens: list[_Token]) -> tuple[Position, bool]:
    parts = _group_parts(tokens, original, set(_HEMISPHERES))
    if len(parts) == 1:
        only = parts[0]
        values = only.values or []
        if only.letter is None and len(values) in (2, 4, 6) and all(u is None for _, u in values):
            # Bare "50 48 15.5 6 28 58.4": split the numbers evenly.
            half = len(values) // 2
            parts = [_Part(sign=only.sign, values=values[:half]), _Part(values=values[half:])]
    if len(parts) != 2:
        raise _unreadable(original)
    degrees = [_part_degrees(original, part) for part in parts]
    axes = [_HEMISPHERES[p.letter] if p.letter else None for p in parts]
    kinds = ["lat" if a in {"N", "S"} else "lon" if a in {"E", "W"} else None for a in axes]
    if kinds[0] is None and kinds[1] is not None:
        kinds[0] = "lon" if kinds[1] == "lat" else "lat"
    elif kinds[1] is None:
        kinds[1] = "lon" if kinds[0] in (None, "lat") else "lat"
        kinds[0] = kinds[0] or "lat"
    if kinds[0] == kinds[1]:
        raise CoordinateError(
            f"„{original}“ nennt zweimal die {'Breite' if kinds[0] == 'lat' else 'Länge'}."
        )
    lat, lon = (degrees[0], degrees[1]) if kinds[0] == "lat" else (degrees[1], degrees[0])
    swappable = all(a is None for a in axes)
    return Position(lat, lon), swappable


def _part_degrees(original: str, part: _Part) -> float:
    values = part.values or []
    if not values or len(values) > 3:
        raise _unreadable(original)
    numbers: list[float] = []
    for index, (number, unit) in enumerate(values):
        assert number is not None
        if unit is not None and unit != _UNITS[index]:
            raise _unreadable(original)
        if index < len(values) - 1 and not number.isdigit():
            raise CoordinateError(
                f"„{original}“: nur die letzte Angabe (Grad, Minuten oder Sekunden) darf "
                "Nachkommastellen haben."
            )
        numbers.append(_to_float(number))
    for label, value in zip(("Minuten", "Sekunden"), numbers[1:], strict=False):
        if value >= 60:
            raise CoordinateError(f"„{original}“: {label} müssen kleiner als 60 sein.")
    result = numbers[0] + sum(v / 60**i for i, v in enumerate(numbers[1:], start=1))
    negative_letter = part.letter is not None and _HEMISPHERES[part.letter] in {"S", "W"}
    if part.sign == "-" and negative_letter:
        raise CoordinateError(f"„{original}“: Vorzeichen und Himmelsrichtung widersprechen sich.")
    return -result if (part.sign == "-" or negative_letter) else result


def _parse_utm(original: str, tokens: list[_Token]) -> Position:
    def invalid(reason: str) -> CoordinateError:
        return CoordinateError(f"„{original}“ ist keine gültige UTM-Angabe ({reason})")

    zone: int | None = None
    band: str | None = None
    rest = tokens
    first = tokens[0]
    if first.kind == "num" and first.text.isdigit() and len(first.text) <= 2:
        zone = int(first.text)
        rest = tokens[1:]
        if rest and rest[0].kind == "word" and len(rest[0].text) == 1:
            letter = rest[0]
            if letter.start == first.end or letter.text not in _EAST_WORDS:
                band = letter.text
                rest = rest[1:]
        if not 1 <= zone <= 60:
            raise invalid(f"Zone {zone} gibt es nicht")
        if band is not None and band not in _BANDS:
            raise invalid(f"Breitenband „{band}“ gibt es nicht")
    if any(t.kind in {"sym", "sign"} for t in rest):
        raise _unreadable(original)
    parts = _group_parts(rest, original, _EAST_WORDS | _NORTH_WORDS)
    if len(parts) == 1 and len(parts[0].values or []) == 2:
        # "323456 5634567" or "E 323456 5634567 N": two bare numbers in a row.
        only = parts[0]
        values = only.values or []
        parts = [
            _Part(lead=only.lead, values=values[:1]),
            _Part(trail=only.trail, values=values[1:]),
        ]
    if len(parts) != 2 or any(len(p.values or []) != 1 for p in parts):
        raise invalid("erwartet Zone, Ostwert und Nordwert, z. B. 32U 323456 5634567")
    numbers = [str((p.values or [[""]])[0][0]) for p in parts]
    letters = [p.letter for p in parts]
    kinds = ["e" if x in _EAST_WORDS else "n" if x in _NORTH_WORDS else None for x in letters]
    if kinds == [None, None]:
        # Unlabelled: easting first, unless the digit counts say otherwise.
        widths = [len(n.replace(",", ".").split(".")[0]) for n in numbers]
        kinds = ["n", "e"] if widths[0] == 7 and widths[1] == 6 else ["e", "n"]
    elif None in kinds:
        known = kinds[0] or kinds[1]
        kinds = [k or ("n" if known == "e" else "e") for k in kinds]
    if kinds[0] == kinds[1]:
        raise invalid("Ost- oder Nordwert doppelt")
    easting_text, northing_text = numbers if kinds[0] == "e" else numbers[::-1]
    easting_digits = easting_text.replace(",", ".").split(".")[0]
    if len(easting_digits) == 8:
        prefix = int(easting_digits[:2])
        if zone is not None and zone != prefix:
            raise invalid(f"Zone {zone} und Ostwert mit Zonenkennung {prefix} widersprechen sich")
        zone = prefix
        easting_text = easting_text[2:]
        easting_digits = easting_digits[2:]
    if len(easting_digits) == 7:
        raise invalid(
            "ein Rechtswert mit 7 Stellen sieht nach Gauß-Krüger aus; erwartet wird "
            "UTM (ETRS89), z. B. 32U 323456 5634567"
        )
    if len(easting_digits) != 6:
        raise invalid("der Ostwert hat 6 Stellen, z. B. 323456")
    easting, northing = _to_float(easting_text), _to_float(northing_text)
    if not 0 <= northing <= 10_000_000:
        raise invalid("der Nordwert liegt zwischen 0 und 10000000")
    zone = 32 if zone is None else zone
    if not 1 <= zone <= 60:
        raise invalid(f"Zone {zone} gibt es nicht")
    south = band is not None and band < "N"
    try:
        return from_utm(zone, easting, northing, south=south)
    except CoordinateError:
        raise invalid("die Werte ergeben keine Position auf der Erde") from None


def from_utm(zone: int, easting: float, northing: float, *, south: bool = False) -> Position:
    """Position from UTM (ETRS89 for zones 28–38 north, otherwise WGS84)."""
    if not 1 <= zone <= 60:
        raise CoordinateError(f"UTM-Zone {zone} gibt es nicht.")
    lon, lat = _transformer(_utm_epsg(zone, south), 4326).transform(easting, northing)
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise CoordinateError(f"„{zone} {easting} {northing}“ ist keine gültige UTM-Angabe.")
    return Position(lat, lon)


def from_utm32(easting: float, northing: float) -> Position:
    """Position from ETRS89 / UTM zone 32N (EPSG:25832)."""
    return from_utm(32, easting, northing)


# --------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------


def to_utm32(pos: Position) -> tuple[float, float]:
    """(easting, northing) in ETRS89 / UTM zone 32N (EPSG:25832), metres."""
    easting, northing = _transformer(4326, 25832).transform(pos.lon, pos.lat)
    return easting, northing


def format_utm32(pos: Position) -> str:
    """``32U 322645 5631082``: zone, latitude band, easting, northing (whole metres)."""
    easting, northing = to_utm32(pos)
    return f"32{_band_for(pos.lat)} {round(easting)} {round(northing)}"


def format_utmref(pos: Position, digits: int = 4) -> str:
    """UTMREF as German BOS write it: ``32U LB 2264 3108`` (digits per axis, 1–5).

    Like every MGRS reference the figures are truncated, so the text names
    the grid square the position lies in.
    """
    if not 0 <= digits <= 5:
        raise ValueError("digits must be between 0 and 5")
    with _MGRS_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = _mgrs().toMGRS(pos.lat, pos.lon, MGRSPrecision=digits)
    if isinstance(reference, bytes):
        reference = reference.decode("ascii")
    match = _MGRS_RE.fullmatch(reference)
    if match is None:  # polar UPS areas have no zone number
        return reference
    zone, band, square, figures = match.groups()
    half = len(figures) // 2
    grouped = f"{int(zone)}{band} {square}"
    if half:
        grouped += f" {figures[:half]} {figures[half:]}"
    return grouped


def format_decimal(pos: Position, places: int = 5) -> str:
    """``50.80430, 6.48290`` (latitude first, as maps and GPS units take it)."""
    return f"{pos.lat:.{places}f}, {pos.lon:.{places}f}"


def _sexagesimal(value: float, parts: int, places: int) -> tuple[int, ...]:
    # Work in integers of the last unit so that rounding carries over
    # correctly (59.96" becomes 1' 00.0", never 60.0").
    scale = 60 ** (parts - 1) * 10**places
    total = round(abs(value) * scale)
    degrees, remainder = divmod(total, scale)
    if parts == 2:
        return degrees, remainder
    minutes, seconds = divmod(remainder, 60 * 10**places)
    return degrees, minutes, seconds


def format_dms(pos: Position, places: int = 1) -> str:
    """``50°48'15.5"N 6°28'58.4"E``."""
    out = []
    for value, (pos_letter, neg_letter) in ((pos.lat, "NS"), (pos.lon, "EW")):
        degrees, minutes, seconds = _sexagesimal(value, 3, places)
        width = 3 + places if places else 2
        sec = f"{seconds / 10**places:0{width}.{places}f}"
        letter = neg_letter if value < 0 and (degrees or minutes or seconds) else pos_letter
        out.append(f"{degrees}°{minutes:02d}'{sec}\"{letter}")
    return " ".join(out)


def format_dm(pos: Position, places: int = 3) -> str:
    """``N 50° 48.258' E 6° 28.973'`` (degrees and decimal minutes, GPS style)."""
    out = []
    for value, (pos_letter, neg_letter) in ((pos.lat, "NS"), (pos.lon, "EW")):
        degrees, minutes = _sexagesimal(value, 2, places)
        width = 3 + places if places else 2
        text = f"{minutes / 10**places:0{width}.{places}f}"
        letter = neg_letter if value < 0 and (degrees or minutes) else pos_letter
        out.append(f"{letter} {degrees}° {text}'")
    return " ".join(out)


def describe(pos: Position) -> str:
    """``32U LB 2264 3108 (50.80430, 6.48290)``: UTMREF for the staff, decimal for maps."""
    return f"{format_utmref(pos)} ({format_decimal(pos)})"
