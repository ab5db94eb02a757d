"""Turn what a person types in "where?" into a point.

`AreaGeocoder` resolves a commune name, postal code or official code from the territory's own
areas, offline. An address geocoder (Base Adresse Nationale) can be added behind the same
`locate` method; it is not wired yet, so addresses resolve to their commune.
"""

from __future__ import annotations

from dataclasses import dataclass

from maillage.directory.text import fold
from maillage.territories.models import Area, Territory


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
        areas = list(Area.objects.filter(territory=self.territory))
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
