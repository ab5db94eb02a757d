"""The security headers of every response: Content-Security-Policy and Permissions-Policy.

django-csp's middleware sends `CONTENT_SECURITY_POLICY`; `maillage.web.middleware` sends
`PERMISSIONS_POLICY`. docs/operations.md explains both and how to allow another tile server."""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured


def tile_source(url: str | None) -> str | None:
    """The CSP source that lets pages load map tiles from the Leaflet URL template `url`.

    None when the pages need nothing beyond 'self': no map (empty), or tiles served by the site
    itself (a relative URL). A placeholder in the host, such as Leaflet's `{s}` sub-domain,
    becomes the wildcard `*`, which CSP allows only as the leftmost label."""
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.netloc:
        return None
    labels = parts.netloc.split(".")
    if any("{" in label for label in labels[1:]):
        raise ImproperlyConfigured(
            f"MAILLAGE_MAP_TILES_URL: a placeholder is allowed only in the first label of the "
            f"host (such as {{s}}.tile.example.org), not in {parts.netloc!r}"
        )
    if "{" in labels[0]:
        labels[0] = "*"
    host = ".".join(labels)
    return f"{parts.scheme}://{host}" if parts.scheme else host


def content_security_policy(map_tiles_url: str | None) -> dict[str, dict[str, list[str]]]:
    """django-csp's setting: nothing inline, nothing from elsewhere but the map's tiles.

    Scripts and styles come from the site's static files only (no inline code, no nonce needed);
    images from the site, `data:` URLs (Swagger UI's and Leaflet's icons) and the tile server;
    scripts fetch from the site only (a diagnostic's progress, the OpenAPI document)."""
    images = [SELF, "data:"]
    tiles = tile_source(map_tiles_url)
    if tiles:
        images.append(tiles)
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF],
            "style-src": [SELF],
            "img-src": images,
            "font-src": [SELF],
            "connect-src": [SELF],
            "object-src": [NONE],
            "base-uri": [SELF],
            "form-action": [SELF],
            "frame-ancestors": [NONE],
        }
    }


# Browser features the pages may use: geolocation for "use my location" on the search page, on
# the site itself only; everything else that reaches a person's devices or money is denied.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "geolocation": ["self"],
    "camera": [],
    "microphone": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "bluetooth": [],
    "hid": [],
    "midi": [],
    "magnetometer": [],
    "gyroscope": [],
    "accelerometer": [],
    "display-capture": [],
    "publickey-credentials-get": [],
    "browsing-topics": [],
}
