"""File names built from user input (incident titles, report names, exports).

A title such as ``../../Lage 27.11.`` or ``CON`` must never become a path
outside the chosen folder, a Windows device, or a name a file system refuses.
The result keeps umlauts and other letters (every file system the staff uses
stores them), turns everything else questionable into ``_``, and stays short
enough for any file system together with a time stamp and a suffix.
"""

from __future__ import annotations

import re
import unicodedata

EXERCISE_PREFIX = "UEBUNG"
MAX_STEM_BYTES = 120  # file systems allow 255 bytes; leave room for stamps
FALLBACK_STEM = "Datei"

# Characters Windows forbids, plus both path separators.
_FORBIDDEN = set('<>:"/\\|?*')
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"COM{c}" for c in "0123456789¹²³"}
    | {f"LPT{c}" for c in "0123456789¹²³"}
)
_SUFFIX_RE = re.compile(r"^\.[A-Za-z0-9]{1,10}(\.[A-Za-z0-9]{1,10})?$")
_UNDERSCORES = re.compile(r"_{2,}")
_DOTS = re.compile(r"\.{2,}")


def _clean_char(ch: str) -> str:
    if ch in _FORBIDDEN:
        return "_"
    category = unicodedata.category(ch)
    # Control, format (bidi overrides that disguise an extension), surrogates,
    # private use, unassigned, and separators other than the plain space.
    if category[0] == "C" or (category[0] == "Z" and ch != " "):
        return "_" if category != "Cf" else ""
    if ch == " ":
        return "_"
    return ch


def _truncate_utf8(text: str, limit: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore")


def _is_reserved(stem: str) -> bool:
    # Windows treats "CON.txt" and "con .pdf" as the device too.
    base = stem.split(".", 1)[0].rstrip(" _").upper()
    return base in _WINDOWS_RESERVED


def safe_stem(text: str, *, max_bytes: int = MAX_STEM_BYTES) -> str:
    """The name part alone: no separators, no ``..``, no control characters."""
    normalized = unicodedata.normalize("NFC", text)
    stem = "".join(_clean_char(ch) for ch in normalized)
    stem = _DOTS.sub(".", stem)
    stem = _UNDERSCORES.sub("_", stem)
    stem = stem.strip("._- ")
    stem = _truncate_utf8(stem, max_bytes).rstrip("._- ")
    if not stem:
        stem = FALLBACK_STEM
    if _is_reserved(stem):
        stem = "_" + stem
    return stem


def safe_filename(text: str, suffix: str = "", *, max_bytes: int = MAX_STEM_BYTES) -> str:
    """A file name for ``text`` ending in ``suffix`` (e.g. ``".pdf"``).

    The suffix is program-chosen, not user input; a malformed one is a bug.
    """
    if suffix and not _SUFFIX_RE.fullmatch(suffix):
        raise ValueError(f"invalid file suffix {suffix!r}")
    # A title that already ends in the suffix ("Lage.pdf") keeps one suffix,
    # and the function gives the same name when fed its own result.
    body = text.strip()
    if suffix and body.casefold().endswith(suffix.casefold()):
        body = body[: -len(suffix)]
    return safe_stem(body, max_bytes=max_bytes) + suffix


def exercise_filename(text: str, suffix: str = "", *, exercise: bool = True) -> str:
    """As safe_filename, with ``UEBUNG_`` in front for everything an exercise produces."""
    name = safe_filename(text, suffix)
    if not exercise or name.startswith(EXERCISE_PREFIX + "_"):
        return name
    # Through safe_filename again: the prefix must not push past the length limit.
    return safe_filename(f"{EXERCISE_PREFIX}_{name}", suffix)
