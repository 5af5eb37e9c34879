"""The one way the program reads XML, and small helpers for writing it.

Every XML document that comes from outside (CAP alerts, scenario files, ...)
goes through :func:`parse_xml`. It reads in two independent passes so that a
gap in one parser is not enough to reach the file system or the network:

1. a streaming expat pass without a tree: it aborts on the first DOCTYPE,
   entity declaration or external entity reference, limits the nesting depth
   and proves the document well-formed;
2. lxml with a hardened parser (no entity resolution, no DTD loading, no
   network, no huge trees) builds the tree; the result is checked once more
   for any DTD or entity node.

Nothing here ever processes XInclude or follows ``xsi:schemaLocation``:
schemas are compiled from bytes the program ships (see :func:`compile_schema`).
"""

from __future__ import annotations

import re
import xml.parsers.expat as expat
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from lxml import etree

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DEPTH",
    "UnsafeXmlError",
    "XmlError",
    "clean_text",
    "compile_schema",
    "format_datetime",
    "hardened_parser",
    "local_name",
    "parse_datetime",
    "parse_xml",
]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_DEPTH = 100

BERLIN = ZoneInfo("Europe/Berlin")


class XmlError(Exception):
    """XML content the program cannot accept; the message is German and meant for users."""


class UnsafeXmlError(XmlError):
    """The document uses constructs that could make a parser reach outside (DTD, entities)."""


_DOCTYPE_MESSAGE = (
    "Die XML-Datei enthält eine DOCTYPE-Deklaration. Solche Dateien werden aus "
    "Sicherheitsgründen nicht gelesen, weil sie auf fremde Dateien oder "
    "Netzwerkadressen verweisen können."
)
_ENTITY_MESSAGE = (
    "Die XML-Datei deklariert oder verwendet Entitäten. Solche Dateien werden aus "
    "Sicherheitsgründen nicht gelesen."
)

# German wording for the expat errors a user will actually meet; anything else
# keeps expat's English reason behind a German lead-in.
_EXPAT_REASONS: dict[str, str] = {
    expat.errors.XML_ERROR_SYNTAX: "Syntaxfehler",
    expat.errors.XML_ERROR_NO_ELEMENTS: "kein Wurzelelement gefunden",
    expat.errors.XML_ERROR_INVALID_TOKEN: "ungültiges Zeichen oder ungültige Auszeichnung",
    expat.errors.XML_ERROR_UNCLOSED_TOKEN: "unvollständiges Element",
    expat.errors.XML_ERROR_PARTIAL_CHAR: "unvollständiges Zeichen",
    expat.errors.XML_ERROR_TAG_MISMATCH: "Start- und End-Tag passen nicht zusammen",
    expat.errors.XML_ERROR_DUPLICATE_ATTRIBUTE: "doppeltes Attribut",
    expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT: "Inhalt nach dem Ende des Wurzelelements",
    expat.errors.XML_ERROR_UNDEFINED_ENTITY: "Verweis auf eine nicht definierte Entität",
    expat.errors.XML_ERROR_UNKNOWN_ENCODING: "unbekannte Zeichenkodierung",
    expat.errors.XML_ERROR_INCORRECT_ENCODING: (
        "die Zeichenkodierung passt nicht zur Angabe in der XML-Deklaration"
    ),
    expat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION: "nicht abgeschlossener CDATA-Abschnitt",
    expat.errors.XML_ERROR_MISPLACED_XML_PI: "XML-Deklaration an falscher Stelle",
    expat.errors.XML_ERROR_XML_DECL: "ungültige XML-Deklaration",
    expat.errors.XML_ERROR_BAD_CHAR_REF: "Verweis auf ein in XML unzulässiges Zeichen",
    expat.errors.XML_ERROR_UNBOUND_PREFIX: "nicht deklariertes Namensraum-Präfix",
    expat.errors.XML_ERROR_INVALID_ARGUMENT: "ungültiger Inhalt",
}


class _Refused(Exception):
    """Raised from inside expat callbacks; carries the exception to re-raise outside."""

    def __init__(self, error: XmlError) -> None:
        super().__init__(str(error))
        self.error = error


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def _where(source_name: str | None) -> str:
    return f" ‚{source_name}‘" if source_name else ""


def _check_with_expat(data: bytes, max_depth: int) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    # Parameter entities are the classic route to remote DTDs: never parse them.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = 0

    def refuse_doctype(*_args: object) -> None:
        raise _Refused(UnsafeXmlError(_DOCTYPE_MESSAGE))

    def refuse_entity(*_args: object) -> None:
        raise _Refused(UnsafeXmlError(_ENTITY_MESSAGE))

    def start(*_args: object) -> None:
        nonlocal depth
        depth += 1
        if depth > max_depth:
            raise _Refused(
                XmlError(f"Die XML-Datei ist zu tief verschachtelt (mehr als {max_depth} Ebenen).")
            )

    def end(*_args: object) -> None:
        nonlocal depth
        depth -= 1

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_entity
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _Refused as refused:
        raise refused.error from None
    except expat.ExpatError as exc:
        reason = _EXPAT_REASONS.get(expat.errors.messages[exc.code], str(exc).split(":")[0])
        raise XmlError(
            f"Die Datei ist kein gültiges XML (Zeile {exc.lineno}, Spalte {exc.offset + 1}): "
            f"{reason}."
        ) from None
    except (ValueError, LookupError) as exc:
        # pyexpat refuses multi-byte legacy encodings with ValueError.
        raise XmlError(
            f"Die Zeichenkodierung der Datei wird nicht unterstützt ({exc}). "
            "Bitte als UTF-8 speichern."
        ) from None


def hardened_parser() -> etree.XMLParser:
    """A fresh lxml parser that never resolves entities, loads DTDs or touches the network.

    lxml parsers must not be shared between threads, hence a new one per call.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        collect_ids=False,
        remove_comments=False,
    )


def parse_xml(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    source_name: str | None = None,
) -> etree._Element:
    """Parse untrusted XML bytes and return the root element.

    Raises :class:`UnsafeXmlError` for any DOCTYPE or entity and
    :class:`XmlError` for everything else that is wrong (size, syntax,
    encoding, depth). Never opens a file or a network address.
    """
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"parse_xml expects bytes, got {type(data).__name__}")
    if not data.strip():
        raise XmlError(f"Die Datei{_where(source_name)} ist leer.")
    if len(data) > max_bytes:
        raise XmlError(
            f"Die Datei{_where(source_name)} ist zu groß ({_megabytes(len(data))}; "
            f"erlaubt sind höchstens {_megabytes(max_bytes)})."
        )
    _check_with_expat(data, max_depth)
    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno is not None else "?"
        raise XmlError(f"Die Datei ist kein gültiges XML (Zeile {line}): {exc.msg}") from None
    except (ValueError, LookupError) as exc:
        raise XmlError(f"Die Datei kann nicht als XML gelesen werden: {exc}") from None
    if root is None:
        raise XmlError("Die Datei enthält kein XML-Wurzelelement.")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXmlError(_DOCTYPE_MESSAGE)
    if next(root.iter(etree.Entity), None) is not None:
        raise UnsafeXmlError(_ENTITY_MESSAGE)
    return root


def compile_schema(xsd: bytes) -> etree.XMLSchema:
    """Compile an XML schema the program ships, from bytes (so no file is opened later).

    Only self-contained schemas are supported: an ``xs:import`` or
    ``xs:include`` would have to be fetched, and nothing is fetched here.
    """
    root = parse_xml(xsd, source_name="XML-Schema")
    xs = "{http://www.w3.org/2001/XMLSchema}"
    for tag in ("import", "include", "redefine"):
        if root.find(f"{xs}{tag}") is not None:
            raise XmlError(
                "Das XML-Schema verweist auf weitere Schemadateien; das wird nicht unterstützt."
            )
    return etree.XMLSchema(root)


def local_name(element: etree._Element) -> str:
    """The tag without its namespace."""
    return etree.QName(element).localname


# XML 1.0 allows TAB, LF, CR and everything from U+0020 except surrogates and
# U+FFFE/U+FFFF; lxml refuses the rest, so writers strip them first.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_text(value: str) -> str:
    """Remove every character XML 1.0 cannot hold (control characters, lone surrogates)."""
    return _NOT_XML_CHAR.sub("", value)


# The CAP 1.2 and EDXL date-time pattern: seconds precision, numeric offset.
_STRICT_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d")
# xs:dateTime as CAP 1.0/1.1 wrote it: fractions allowed, "Z" tolerated.
_LENIENT_DATETIME = re.compile(
    r"(?P<main>-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d)(?P<fraction>\.\d+)?(?P<zone>Z|[-+]\d\d:\d\d)?"
)


def parse_datetime(text: str, *, strict: bool = True) -> datetime:
    """Parse a CAP/EDXL date-time into an aware datetime.

    ``strict`` follows the CAP 1.2 pattern (``2026-11-27T15:04:00+01:00``);
    otherwise fractions of a second and a trailing ``Z`` are accepted too.
    A value without offset is refused: its meaning depends on where it was
    written. Raises ValueError with a German message.
    """
    value = text.strip()
    if strict:
        if not _STRICT_DATETIME.fullmatch(value):
            raise ValueError("erwartet wird z. B. 2026-11-27T15:04:00+01:00")
        main, zone = value[:19], value[19:]
    else:
        match = _LENIENT_DATETIME.fullmatch(value)
        if match is None:
            raise ValueError("erwartet wird z. B. 2026-11-27T15:04:00+01:00")
        if match.group("zone") is None:
            raise ValueError("die Angabe der Zeitzone fehlt")
        main = match.group("main")
        fraction = match.group("fraction")
        if fraction:
            # datetime takes microseconds; finer digits carry no meaning for an alert.
            main += fraction[:7].ljust(7, "0")
        zone = "+00:00" if match.group("zone") == "Z" else match.group("zone")
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    if hours > 14 or minutes > 59 or (hours == 14 and minutes):
        raise ValueError("die Zeitzonenangabe liegt außerhalb von ±14:00")
    try:
        parsed = datetime.fromisoformat(main + zone)
    except ValueError:
        raise ValueError("das Datum oder die Uhrzeit gibt es nicht") from None
    return parsed


def format_datetime(value: datetime, zone: tzinfo = BERLIN) -> str:
    """Format an aware datetime as ``2026-11-27T15:04:00+01:00`` (CAP 1.2 / EDXL pattern).

    The time is shown in ``zone`` (Europe/Berlin by default) so a reader sees
    local time; offsets that are not whole minutes (local mean time before
    1893) fall back to UTC, written ``-00:00`` as CAP prescribes.
    Raises ValueError (German message) for naive or unrepresentable values.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("Zeitangabe ohne Zeitzone kann nicht geschrieben werden.")
    try:
        local = value.astimezone(zone)
        offset = local.utcoffset() or timedelta(0)
        if offset.total_seconds() % 60:
            local = value.astimezone(UTC)
            offset = timedelta(0)
    except (OverflowError, ValueError):
        raise ValueError("Zeitangabe liegt außerhalb des darstellbaren Bereichs.") from None
    if not 1 <= local.year <= 9999:
        raise ValueError("Zeitangabe liegt außerhalb des darstellbaren Bereichs.")
    total_minutes = int(offset.total_seconds()) // 60
    sign = "-" if total_minutes <= 0 else "+"
    hours, minutes = divmod(abs(total_minutes), 60)
    return (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d}T"
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}{sign}{hours:02d}:{minutes:02d}"
    )
