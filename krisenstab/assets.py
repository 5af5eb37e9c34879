"""Access to the files in resources/ (fonts, demo data, translations).

In an installed wheel resources/ is the package ``krisenstab.resources`` and is
found through importlib.resources. Only when the program runs straight from a
source checkout (PYTHONPATH pointing at it) does the folder beside the package
serve instead.
"""

from __future__ import annotations

import importlib.resources
from importlib.resources.abc import Traversable
from pathlib import Path


def resources_root() -> Traversable:
    try:
        return importlib.resources.files("krisenstab.resources")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Traversable:
    """Return the resource file at resources/<parts...>."""
    node = resources_root()
    for part in parts:
        node = node / part
    return node


def resource_path(*parts: str) -> Path:
    """A real filesystem path to a resource (wheels are installed unzipped)."""
    return Path(str(resource(*parts)))
