"""Per-workstation settings: file locations, the workstation id, last choices.

Kept as a small versioned JSON file in the platform's config folder.
``KRISENSTAB_HOME`` moves config and data into one folder (tests use it, and
so can a portable installation on a USB stick).
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import platformdirs

APP_NAME = "krisenstab"
SETTINGS_VERSION = 1


def config_dir() -> Path:
    home = os.environ.get("KRISENSTAB_HOME")
    if home:
        return Path(home) / "config"
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    home = os.environ.get("KRISENSTAB_HOME")
    if home:
        return Path(home) / "data"
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "krisenstab.db"


def demo_db_path() -> Path:
    return data_dir() / "krisenstab-demo.db"


@dataclass
class Settings:
    version: int = SETTINGS_VERSION
    workstation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    workstation_name: str = ""
    last_person: str = ""
    last_function: str = ""
    backup_dir: str = ""
    backup_interval_min: int = 5
    lock_after_min: int = 15
    power_warn_hours: float = 6.0
    power_critical_hours: float = 2.0

    @classmethod
    def load(cls) -> Settings:
        path = config_dir() / "settings.json"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = None
        if not isinstance(raw, dict):
            settings = cls()
            settings.save()
            return settings
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        try:
            settings = cls(**known)
        except TypeError:
            settings = cls()
        if not settings.workstation_id:
            settings.workstation_id = str(uuid.uuid4())
        return settings

    def save(self) -> None:
        path = config_dir() / "settings.json"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            # Settings are a convenience; a read-only home must not stop the staff.
            pass
