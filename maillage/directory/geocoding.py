"""Turn what a person types in "where?" into a point.

`AreaGeocoder` resolves a commune name, postal code or official code from the territory's own
areas, offline. `AddressGeocoder` asks the national geocoding service of the Géoplateforme
(IGN, Base Adresse Nationale) for a street address, and keeps only answers inside the
territory. `geocoder_for` chains them: communes first (no network call), then addresses.
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from maillage.directory.text import fold
from maillage.territories.models import Area, Territory

logger = logging.getLogger("maillage.geocoding")


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    label: str
    area: Area | None


class AreaGeocoder:
    def __init__(self, territory: Territory):
        self.territory = territory

    def locate(self, text: str) -> Location | None:
        wanted = fold(text)
        if not wanted:
            return None
        areas = list(Area.objects.filter(territory=self.territory).defer("contour"))
        digits = wanted.replace(" ", "")
        for area in areas:
            if digits.isdigit() and (digits == area.code or digits in area.postal_codes):
                return Location(area.latitude, area.longitude, area.name, area)
        exact = [a for a in areas if fold(a.name) == wanted]
        if not exact:
            # "Bordeaux Bastide", "12 rue X 33600 Pessac": a commune named in the text.
            exact = sorted(
                (a for a in areas if f" {fold(a.name)} " in f" {wanted} "),
                key=lambda a: -len(a.name),
            )
        if not exact:
            for token in wanted.split():
                if token.isdigit() and len(token) == 5:
                    exact = [a for a in areas if token in a.postal_codes]
                    if exact:
                        break
        if not exact:
            return None
        area = exact[0]
        return Location(area.latitude, area.longitude, area.name, area)


class AddressGeocoder:
    """Street addresses through the Géoplateforme geocoding API (GeoJSON answer).

    Only the typed text is sent; answers are cached for a day. Any failure (network, timeout,
    unexpected answer) returns None: the person is then asked for a commune instead.
    """

    MIN_SCORE = 0.5

    def __init__(self, territory: Territory, *, url: str, timeout: float = 2.0):
        self.territory = territory
        self.url = url
        self.timeout = timeout

    def locate(self, text: str) -> Location | None:
        query = " ".join(text.split())
        if len(query) < 3:
            return None
        digest = hashlib.sha256(fold(query).encode()).hexdigest()[:32]
        key = f"geocode:{self.territory.pk}:{digest}"
        cached = cache.get(key)
        if cached is not None:
            return cached or None
        location = self._ask(query)
        cache.set(key, location or "", 24 * 3600)
        return location

    def _ask(self, query: str) -> Location | None:
        params = urllib.parse.urlencode({"q": query, "index": "address", "limit": 5})
        request = urllib.request.Request(f"{self.url}?{params}", headers={"User-Agent": "Maillage"})
        try:
            with urllib.request.urlopen(
                request, timeout=self.timeout
            ) as response:  # the URL is the operator's setting
                answer = json.load(response)
        except (OSError, ValueError, urllib.error.URLError) as error:
            logger.warning("address geocoding failed for %r: %s", query, error)
            return None
        areas = {a.code: a for a in Area.objects.filter(territory=self.territory)}
        for feature in answer.get("features", []):
            properties = feature.get("properties") or {}
            area = areas.get(str(properties.get("citycode", "")))
            try:
                lon, lat = feature["geometry"]["coordinates"][:2]
                score = float(properties.get("score", 0))
            except (KeyError, TypeError, ValueError):
                continue
            if area is not None and score >= self.MIN_SCORE:
                return Location(float(lat), float(lon), str(properties.get("label", query)), None)
        return None


class ChainedGeocoder:
    def __init__(self, *geocoders):
        self.geocoders = geocoders

    def locate(self, text: str) -> Location | None:
        for geocoder in self.geocoders:
            location = geocoder.locate(text)
            if location is not None:
                return location
        return None


def geocoder_for(territory: Territory):
    """Communes first (offline), then street addresses when an address service is set."""
    url = settings.ADDRESS_GEOCODER_URL
    if not url:
        return AreaGeocoder(territory)
    return ChainedGeocoder(AreaGeocoder(territory), AddressGeocoder(territory, url=url))
