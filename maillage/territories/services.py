"""Writes to territories: loading a territory's official areas, giving roles.

Only the system does them (commands, the demo loader): people get roles by invitation
(`members.py`), and areas come from official files."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from maillage.core.actors import Actor, require, system_only
from maillage.territories.models import Area, Membership, Territory
from maillage.territories.reference import POPULATION_YEAR, CommuneRef


class AreaFileError(ValueError):
    """A row of an areas file is wrong; the message names the file, row and field."""


@transaction.atomic
def territory_load_communes(
    *,
    territory: Territory,
    communes_csv: Path,
    centroids_csv: Path,
    contours_geojson: Path | None = None,
    source: str = "",
    by: Actor,
) -> int:
    """Create or update the communes of `territory` from INSEE-coded files.

    `communes_csv` has columns code_insee, nom, population_municipale, codes_postaux (space
    separated); `centroids_csv` has code_insee, latitude, longitude. All rows are checked before
    anything is written; the whole load is one transaction.
    """
    require(by, system_only)
    centroids = {}
    with open(centroids_csv, encoding="utf-8") as f:
        for row_number, row in enumerate(csv.DictReader(f), start=2):
            try:
                centroids[row["code_insee"]] = (float(row["latitude"]), float(row["longitude"]))
            except (KeyError, ValueError) as error:
                raise AreaFileError(
                    f"{centroids_csv.name}, row {row_number}: latitude/longitude "
                    f"must be numbers ({error})"
                ) from None
    contours = {}
    if contours_geojson is not None:
        for feature in json.loads(contours_geojson.read_text(encoding="utf-8"))["features"]:
            contours[feature["properties"]["code"]] = feature["geometry"]
    areas = []
    with open(communes_csv, encoding="utf-8") as f:
        for row_number, row in enumerate(csv.DictReader(f), start=2):
            code = (row.get("code_insee") or "").strip()
            if code not in centroids:
                raise AreaFileError(
                    f"{communes_csv.name}, row {row_number}, field code_insee: "
                    f"no centroid for commune {code!r}"
                )
            try:
                population = int(row["population_municipale"])
            except (KeyError, ValueError):
                raise AreaFileError(
                    f"{communes_csv.name}, row {row_number}, field "
                    f"population_municipale: not a whole number"
                ) from None
            lat, lon = centroids[code]
            areas.append(
                Area(
                    territory=territory,
                    kind=Area.Kind.COMMUNE,
                    code=code,
                    name=row["nom"].strip(),
                    population=population,
                    postal_codes=row.get("codes_postaux", "").split(),
                    latitude=lat,
                    longitude=lon,
                    contour=contours.get(code),
                    source=source,
                )
            )
    for area in areas:
        try:
            area.full_clean(exclude=["territory"], validate_unique=False)
        except ValidationError as error:
            raise AreaFileError(
                f"{communes_csv.name}, commune {area.code}: {error.message_dict}"
            ) from None
    existing = {a.code: a for a in Area.objects.filter(territory=territory)}
    for area in areas:
        if area.code in existing:
            area.pk = existing[area.code].pk
            area.save()
        else:
            area.save()
    territory_update_bbox(territory=territory, by=by)
    return len(areas)


def territory_update_bbox(*, territory: Territory, by: Actor) -> None:
    """Keep the bounding box of the territory's areas (centres and contours)."""
    require(by, system_only)
    lats, lons = [], []
    for area in Area.objects.filter(territory=territory):
        lats.append(area.latitude)
        lons.append(area.longitude)
        for ring in _rings(area.contour):
            for lon, lat in ring:
                lats.append(lat)
                lons.append(lon)
    if lats:
        territory.bbox_south, territory.bbox_north = min(lats), max(lats)
        territory.bbox_west, territory.bbox_east = min(lons), max(lons)
        territory.save(update_fields=["bbox_south", "bbox_north", "bbox_west", "bbox_east"])


def _rings(geometry: dict[str, Any] | None) -> list[list[list[float]]]:
    """The rings of a GeoJSON Polygon or MultiPolygon (none for other geometries)."""
    if not geometry:
        return []
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


@transaction.atomic
def membership_grant(*, user: User, territory: Territory, role: str, by: Actor) -> Membership:
    """Give `user` a role in `territory` (idempotent). Coordinators invite through
    `members.invitation_create` (the role exists once the person accepts); this is for the system."""
    require(by, system_only)
    membership, _created = Membership.objects.get_or_create(
        user=user, territory=territory, role=role
    )
    return membership


class TerritoryCreationError(ValueError):
    """The territory cannot be created as asked; the message says why and what to do."""


@transaction.atomic
def territory_create(
    *,
    slug: str,
    name: str,
    kind: str,
    official_code: str,
    communes: Sequence[CommuneRef],
    source: str,
    update: bool = False,
    by: Actor,
) -> Territory:
    """Create a territory (or, with `update`, refresh an existing one's communes) from
    reference communes: code, name, population, postal codes, centre and, when known, contour.

    Every commune must have a centre (the directory places and measures distances from it);
    nothing is written when one has none or the slug is taken. Only the system creates
    territories (the `territory_create` command, run by the operator).
    """
    require(by, system_only)
    without_centre = [c for c in communes if c.latitude is None or c.longitude is None]
    if without_centre:
        raise TerritoryCreationError(
            "No centre is known for "
            + ", ".join(f"{c.code} {c.name}" for c in without_centre)
            + ": give their centres with --centres FILE (columns code_insee, latitude, "
            "longitude) or leave them out with --skip-missing-centres."
        )
    territory = Territory.objects.filter(slug=slug).first()
    if territory is not None and not update:
        raise TerritoryCreationError(
            f"A territory with the short name {slug!r} exists already: choose another one, or "
            f"refresh its communes with --update."
        )
    if territory is None:
        territory = Territory(slug=slug, name=name, kind=kind, official_code=official_code)
    else:
        territory.name, territory.kind, territory.official_code = name, kind, official_code
    try:
        territory.full_clean(exclude=["directory_version"])
    except ValidationError as error:
        raise TerritoryCreationError(f"{error.message_dict}") from None
    territory.save()
    existing = {a.code: a for a in Area.objects.filter(territory=territory)}
    for commune in communes:
        area = existing.get(commune.code) or Area(territory=territory, code=commune.code)
        area.kind = Area.Kind.COMMUNE
        area.name = commune.name
        area.population = commune.population
        area.population_year = POPULATION_YEAR
        area.postal_codes = list(commune.postal_codes)
        assert commune.latitude is not None and commune.longitude is not None  # checked above
        area.latitude, area.longitude = commune.latitude, commune.longitude
        area.contour = commune.contour
        area.source = source
        area.full_clean(validate_unique=False)
        area.save()
    territory_update_bbox(territory=territory, by=by)
    return territory
