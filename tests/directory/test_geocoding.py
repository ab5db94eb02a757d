"""Address search against a real HTTP server on this machine speaking the Géoplateforme
geocoding API's format (the real service is not reachable from the tests)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.cache import cache

from maillage.directory.forms import PlaceSearchForm
from maillage.directory.geocoding import AddressGeocoder

ANSWERS = {
    "12 rue sainte-catherine": {
        "citycode": "33063",
        "lon": -0.5737,
        "lat": 44.8393,
        "label": "12 Rue Sainte-Catherine 33000 Bordeaux",
        "score": 0.93,
    },
    "5 rue de rivoli": {
        "citycode": "75104",
        "lon": 2.3622,
        "lat": 48.8556,
        "label": "5 Rue de Rivoli 75004 Paris",
        "score": 0.96,
    },
    "rue vague": {"citycode": "33063", "lon": -0.58, "lat": 44.84, "label": "Rue ?", "score": 0.2},
}


class FakeGeoplateforme(BaseHTTPRequestHandler):
    requests: list = []

    def do_GET(self):  # http.server's method name
        query = parse_qs(urlparse(self.path).query)
        FakeGeoplateforme.requests.append(query)
        found = ANSWERS.get(query["q"][0].lower())
        features = (
            []
            if found is None
            else [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [found["lon"], found["lat"]]},
                    "properties": {
                        "label": found["label"],
                        "score": found["score"],
                        "citycode": found["citycode"],
                        "type": "housenumber",
                    },
                }
            ]
        )
        body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def service(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGeoplateforme)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ADDRESS_GEOCODER_URL = f"http://127.0.0.1:{server.server_port}/geocodage/search"
    FakeGeoplateforme.requests = []
    cache.clear()
    yield
    server.shutdown()
    server.server_close()


def test_an_address_in_the_territory_becomes_the_point_of_origin(territory, bordeaux, service):
    form = PlaceSearchForm({"where": "12 rue Sainte-Catherine"}, territory=territory)
    assert form.is_valid(), form.errors
    criteria = form.criteria()
    assert (criteria.latitude, criteria.longitude) == (44.8393, -0.5737)
    assert criteria.origin_label == "12 Rue Sainte-Catherine 33000 Bordeaux"
    assert FakeGeoplateforme.requests[0]["index"] == ["address"]


def test_communes_are_resolved_without_calling_the_service(territory, bordeaux, service):
    form = PlaceSearchForm({"where": "Bordeaux"}, territory=territory)
    assert form.is_valid()
    assert FakeGeoplateforme.requests == []


@pytest.mark.parametrize("text", ["5 rue de Rivoli", "rue vague", "nowhere street"])
def test_answers_outside_the_territory_or_unsure_are_refused(territory, bordeaux, service, text):
    form = PlaceSearchForm({"where": text}, territory=territory)
    assert not form.is_valid()
    assert text in form.errors["where"][0]


def test_answers_are_cached(territory, bordeaux, service):
    geocoder = AddressGeocoder(territory, url=f"{_url()}")
    for _ in range(3):
        assert geocoder.locate("12 rue Sainte-Catherine") is not None
    assert len(FakeGeoplateforme.requests) == 1


def _url():
    from django.conf import settings

    return settings.ADDRESS_GEOCODER_URL


def test_a_service_that_does_not_answer_is_not_an_error_page(territory, bordeaux, settings):
    cache.clear()
    settings.ADDRESS_GEOCODER_URL = "http://127.0.0.1:9/geocodage/search"  # nothing listens
    form = PlaceSearchForm({"where": "12 rue Sainte-Catherine"}, territory=territory)
    assert not form.is_valid()
    assert "where" in form.errors
