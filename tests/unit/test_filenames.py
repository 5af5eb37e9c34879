"""File names built from user input stay inside their folder and are valid everywhere."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from krisenstab.domain.filenames import (
    MAX_STEM_BYTES,
    exercise_filename,
    safe_filename,
    safe_stem,
)

WINDOWS_RESERVED = (
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(10)} | {f"LPT{i}" for i in range(10)}
)
FORBIDDEN = set('<>:"/\\|?*')

# Text as users (and attackers) type it: any code point, plus the nasty pieces.
nasty = st.sampled_from(
    ["..", "../", "..\\", "/", "\\", "CON", "nul", "LPT1", "COM¹", "\x00", "\n", "\u202e",
     "\u200b", " ", ".", "~", "$", "C:", "\\\\server\\share", "Ü", "🙂", "ש", "\ufeff"]
)  # fmt: skip
user_text = st.lists(st.one_of(st.text(max_size=40), nasty), max_size=12).map("".join)
suffixes = st.sampled_from(["", ".pdf", ".db", ".json", ".xlsx", ".tar.gz"])


def check_name(name: str, suffix: str) -> None:
    assert name.endswith(suffix)
    stem = name[: len(name) - len(suffix)] if suffix else name
    assert stem, name
    assert not FORBIDDEN & set(name)
    assert ".." not in name
    assert not any(unicodedata.category(ch)[0] == "C" for ch in name)
    assert not name.startswith((".", "-", " ")) and not stem.endswith((".", " "))
    assert stem.split(".")[0].upper() not in WINDOWS_RESERVED
    assert len(stem.encode("utf-8")) <= MAX_STEM_BYTES
    assert len(name.encode("utf-8")) <= 255
    assert unicodedata.normalize("NFC", name) == name


@settings(max_examples=1500, deadline=None)
@given(user_text, suffixes)
@example("../../etc/passwd", ".pdf")
@example("CON", ".pdf")
@example("con .txt", "")
@example("\u202egpj.exe", ".pdf")
@example("", ".db")
@example("...", "")
@example("a" * 5000, ".pdf")
@example("Ü" * 200, ".pdf")
def test_safe_filename_properties(text, suffix):
    name = safe_filename(text, suffix)
    check_name(name, suffix)
    # It stays inside the folder it is put in.
    base = Path("/tmp/krisenstab-ziel")
    assert (base / name).parent == base
    assert Path(name).name == name
    # Feeding the result back gives the same name.
    assert safe_filename(name, suffix) == name


@settings(max_examples=500, deadline=None)
@given(user_text)
def test_exercise_names_are_marked_once(text):
    name = exercise_filename(text, ".pdf")
    assert name.startswith("UEBUNG_")
    check_name(name, ".pdf")
    assert exercise_filename(name, ".pdf") == name
    assert exercise_filename(text, ".pdf", exercise=False) == safe_filename(text, ".pdf")


def test_examples_read_well():
    assert safe_filename("Lagebericht Nr. 3 – Hochwasser Düren", ".pdf") == (
        "Lagebericht_Nr._3_–_Hochwasser_Düren.pdf"
    )
    assert safe_filename("../../etc/passwd") == "etc_passwd"
    assert safe_filename("CON", ".pdf") == "_CON.pdf"
    assert safe_filename("Lage.pdf", ".pdf") == "Lage.pdf"
    assert safe_filename("", ".db") == "Datei.db"
    assert safe_filename("a\u202efdp.exe") == "afdp.exe"
    assert safe_stem("x" * 1000) == "x" * MAX_STEM_BYTES
    assert exercise_filename("Stabsrahmenübung Muster", ".pdf") == (
        "UEBUNG_Stabsrahmenübung_Muster.pdf"
    )


def test_program_suffixes_are_checked():
    with pytest.raises(ValueError):
        safe_filename("x", "pdf")
    with pytest.raises(ValueError):
        safe_filename("x", "./../a")
