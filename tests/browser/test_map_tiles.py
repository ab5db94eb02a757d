"""The policy's image sources follow MAILLAGE_MAP_TILES_URL: Chromium loads the map's tiles from
the configured server, and refuses them (a reported violation) from any other."""

from pathlib import Path

import pytest

from maillage.settings.headers import content_security_policy

pytestmark = pytest.mark.browser

TILE = (Path(__file__).parents[2] / "maillage/web/static/img/offline-tile.png").read_bytes()
TILES_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"


def _open_map(page, live_server, demo) -> list[str]:
    """Open a search with a map; the tile requests that reached the (faked) tile server."""
    served = []

    def tile_server(route):
        served.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE)

    page.route("https://*.tiles.example.org/**", tile_server)
    page.goto(f"{live_server.url}/{demo.slug}/places/?where=Pessac")
    page.locator("#map .leaflet-tile").first.wait_for(state="attached")
    page.wait_for_load_state("networkidle")
    return served


def test_tiles_from_the_configured_server_load_under_the_policy(
    live_server, page, demo, settings, csp_violations
):
    settings.MAP_TILES_URL = TILES_URL
    settings.CONTENT_SECURITY_POLICY = content_security_policy(TILES_URL)
    served = _open_map(page, live_server, demo)
    assert served and all(".tiles.example.org/" in url for url in served)
    assert page.locator("#map img.leaflet-tile-loaded").count() >= 1
    assert csp_violations == []


def test_tiles_from_a_server_the_policy_does_not_name_are_refused(
    live_server, page, demo, settings, csp_violations
):
    settings.MAP_TILES_URL = TILES_URL
    settings.CONTENT_SECURITY_POLICY = content_security_policy("/static/img/offline-tile.png")
    served = _open_map(page, live_server, demo)
    assert served == []  # Chromium never asked the tile server
    assert any("img-src" in violation for violation in csp_violations), csp_violations
    csp_violations.clear()  # seen and expected: the fixture's final check must not fail
