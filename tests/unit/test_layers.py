"""The layer direction of DESIGN.md: gui -> services -> domain/store."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ROOT = REPO / "krisenstab"  # the source tree that goes into the wheel

# For each layer, the krisenstab packages it must not import.
FORBIDDEN = {
    "domain": (
        "krisenstab.store",
        "krisenstab.services",
        "krisenstab.gui",
        "krisenstab.reports",
        "krisenstab.exchange",
        "krisenstab.exercise",
        "krisenstab.cli",
    ),
    "store": (
        "krisenstab.services",
        "krisenstab.gui",
        "krisenstab.reports",
        "krisenstab.exchange",
        "krisenstab.exercise",
        "krisenstab.cli",
    ),
    "services": ("krisenstab.gui", "krisenstab.cli"),
    "reports": ("krisenstab.gui", "krisenstab.cli"),
    "exchange": ("krisenstab.gui", "krisenstab.cli", "krisenstab.services"),
    "exercise": ("krisenstab.gui", "krisenstab.cli"),
    "cli": ("krisenstab.gui.main_window",),
}
NO_QT_LAYERS = ("domain", "store", "services", "reports", "exchange", "exercise")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_layer_direction():
    problems = []
    for layer, forbidden in FORBIDDEN.items():
        for path in (ROOT / layer).rglob("*.py"):
            for name in _imports(path):
                if any(name == f or name.startswith(f + ".") for f in forbidden):
                    problems.append(f"{path.relative_to(ROOT)} imports {name}")
    assert problems == []


def test_no_widgets_below_the_gui():
    problems = []
    for layer in NO_QT_LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            for name in _imports(path):
                if name.startswith(
                    ("PySide6.QtWidgets", "PySide6.QtGui", "PySide6.QtPrintSupport")
                ):
                    problems.append(f"{path.relative_to(ROOT)} imports {name}")
    assert problems == []


def test_every_package_is_listed_for_the_wheel():
    import tomllib

    pyproject = REPO / "pyproject.toml"
    listed = set(tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["packages"])
    present = {
        "krisenstab." + ".".join(p.parent.relative_to(ROOT).parts)
        if p.parent != ROOT
        else "krisenstab"
        for p in ROOT.rglob("__init__.py")
    }
    assert present - listed == set()
