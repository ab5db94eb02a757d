"""The one place that reads the process environment.

Every setting that varies between machines comes from here, with its default and its help, so
that `docs/operations.md` can list them and a test can check that the list is complete.

The operator writes these variables once in an environment file (`maillage.env` beside
`manage.py`, or the file named by `MAILLAGE_ENV_FILE`): `manage.py`, the application server and
the scheduled jobs all read it through `load_file`, so they run with the same settings. A
variable set in the process environment wins over the file.
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
        "MAILLAGE_ENV_FILE",
        str(BASE_DIR / "maillage.env"),
        "Environment file read by manage.py, the server and cron (NAME=value lines; "
        "DJANGO_SETTINGS_MODULE may be set there too). The process environment wins.",
    ),
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
        "console:// prints e-mails (development only); smtp://user:pass@host:port, "
        "smtp+tls:// (STARTTLS) or smtp+ssl:// sends them; file:///folder writes each e-mail "
        "to a file (a staging server that must not send).",
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


def is_set(name: str) -> bool:
    """True when the variable is given explicitly (environment or file), not by its default."""
    _BY_NAME[name]  # a declared setting
    return bool(os.environ.get(name, "").strip())


def parse_file(text: str) -> dict[str, str]:
    """`NAME=value` lines of an environment file; blank lines and `#` comments skipped, one
    pair of surrounding quotes removed, an optional leading `export ` accepted."""
    values = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or not name.replace("_", "").isalnum():
            raise ValueError(f"line {number}: expected NAME=value, got {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def load_file(default_settings: str) -> None:
    """Read the environment file (if any) into the process environment, without overriding
    what is already set, then choose the settings module (`default_settings` when neither the
    environment nor the file names one)."""
    path = Path(os.environ.get("MAILLAGE_ENV_FILE") or str(BASE_DIR / "maillage.env"))
    if path.exists():  # /dev/null names no file on purpose
        try:
            values = parse_file(path.read_text(encoding="utf-8"))
        except ValueError as error:
            raise SystemExit(f"{path}, {error}") from None
        for name, value in values.items():
            os.environ.setdefault(name, value)
    elif os.environ.get("MAILLAGE_ENV_FILE"):
        raise SystemExit(f"MAILLAGE_ENV_FILE names {path}, which does not exist.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings)
