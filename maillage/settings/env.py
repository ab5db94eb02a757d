"""The one place that reads the process environment.

Every setting that varies between machines comes from here, with its default and its help, so
that `docs/operations.md` can list them and a test can check that the list is complete.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str


SETTINGS = (
    Setting(
        "MAILLAGE_DATABASE_URL",
        f"sqlite:///{BASE_DIR / 'var' / 'maillage.sqlite3'}",
        "Database URL: sqlite:///path or postgres://user:pass@host:port/name.",
    ),
    Setting(
        "MAILLAGE_SECRET_KEY",
        None,
        "Django secret key. Required in production; development uses a fixed insecure key.",
    ),
    Setting(
        "MAILLAGE_ALLOWED_HOSTS",
        "127.0.0.1,localhost",
        "Comma-separated host names the site answers to.",
    ),
    Setting("MAILLAGE_DEBUG", "false", "true to show debug pages (development only)."),
    Setting(
        "MAILLAGE_DEFAULT_TERRITORY",
        "bordeaux-metropole",
        "Slug of the territory the home page opens when several are hosted.",
    ),
    Setting(
        "MAILLAGE_EMAIL_URL",
        "console://",
        "console:// prints e-mails; smtp://user:pass@host:port sends them.",
    ),
    Setting(
        "MAILLAGE_EMAIL_FROM",
        "Maillage <noreply@localhost>",
        "Sender of the e-mails (invitations, password links, freshness campaigns).",
    ),
    Setting("MAILLAGE_MEDIA_ROOT", str(BASE_DIR / "var" / "media"), "Where uploaded files go."),
    Setting(
        "MAILLAGE_STATIC_ROOT",
        str(BASE_DIR / "var" / "static"),
        "Where collectstatic gathers static files.",
    ),
    Setting(
        "MAILLAGE_ADDRESS_GEOCODER_URL",
        "https://data.geopf.fr/geocodage/search",
        "Address search service (Géoplateforme API, GeoJSON); empty to search communes only.",
    ),
    Setting(
        "MAILLAGE_MAP_TILES_URL",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "Tile URL template for the Leaflet map (empty to hide the map).",
    ),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def read(name: str) -> str | None:
    """Return the environment value of a declared setting, or its default."""
    setting = _BY_NAME[name]
    return os.environ.get(name, setting.default)


def read_bool(name: str) -> bool:
    value = (read(name) or "").strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"", "0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def read_list(name: str) -> list[str]:
    return [item.strip() for item in (read(name) or "").split(",") if item.strip()]
