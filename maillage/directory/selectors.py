"""Reads of the directory: the public search and what the pages show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from analysis.geo import haversine_km
from maillage.directory import opening_hours
from maillage.directory.models import OpeningSlot, Place, PlaceService
from maillage.directory.text import words
from maillage.territories.models import Area, Territory

STALE_AFTER = dt.timedelta(days=365)


@dataclass(frozen=True)
class SearchCriteria:
    """What a person asks for. Built from the search form (web) or query string (API)."""

    q: str = ""
    area: Area | None = None  # the origin: results are sorted by distance from its centre
    commune: Area | None = None  # a filter: only the places of this commune
    latitude: float | None = None
    longitude: float | None = None
    services: tuple[str, ...] = ()
    category: str = ""
    public: str = ""
    language: str = ""
    step_free: bool = False
    free_of_charge: bool = False
    open_now: bool = False
    radius_km: float | None = None


@dataclass
class SearchHit:
    place: Place
    distance_km: float | None


@dataclass
class SearchResult:
    hits: list[SearchHit]
    total: int
    page: int
    page_size: int
    origin: tuple[float, float] | None
    origin_label: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _filtered(territory: Territory, c: SearchCriteria, now: dt.datetime) -> QuerySet[Place]:
    qs = Place.objects.filter(territory=territory, status=Place.Status.PUBLISHED)
    for word in words(c.q):
        qs = qs.filter(search_text__contains=word)
    for service in c.services:
        qs = qs.filter(Exists(PlaceService.objects.filter(place=OuterRef("pk"), service=service)))
    if c.category:
        qs = qs.filter(
            Exists(PlaceService.objects.filter(place=OuterRef("pk"), category=c.category))
        )
    if c.step_free:
        qs = qs.filter(step_free_access=Place.StepFree.YES)
    if c.open_now:
        minute = opening_hours.minute_of_week(now)
        qs = qs.filter(
            Exists(
                OpeningSlot.objects.filter(
                    place=OuterRef("pk"), start_minute__lte=minute, end_minute__gt=minute
                )
            )
        )
    if c.commune is not None:
        qs = qs.filter(area=c.commune)
    return qs


def _keep(place_lists: dict, c: SearchCriteria) -> bool:
    # List fields are JSON; containment is filtered here so SQLite and PostgreSQL agree.
    if c.public and c.public not in place_lists["publics"]:
        return False
    if c.language and c.language not in place_lists["languages"]:
        return False
    return not (c.free_of_charge and "Gratuit" not in place_lists["fees"])


def place_search(
    *,
    territory: Territory,
    criteria: SearchCriteria,
    page: int = 1,
    page_size: int = 20,
    now: dt.datetime | None = None,
) -> SearchResult:
    """Published places matching `criteria`, nearest first when there is a point of origin.

    Filters run in the database; distances are computed for the matching rows with numpy
    (great-circle, km) so the same code serves SQLite and PostgreSQL.
    """
    now_local = timezone.localtime(now or timezone.now()).replace(tzinfo=None)
    c = criteria
    origin = None
    origin_label = ""
    if c.latitude is not None and c.longitude is not None:
        origin = (c.latitude, c.longitude)
    elif c.area is not None:
        origin = (c.area.latitude, c.area.longitude)
        origin_label = c.area.name
    qs = _filtered(territory, c, now_local)
    rows = list(
        qs.values_list(
            "pk", "latitude", "longitude", "name", "opening_hours", "publics", "languages", "fees"
        )
    )
    if c.public or c.language or c.free_of_charge:
        rows = [r for r in rows if _keep({"publics": r[5], "languages": r[6], "fees": r[7]}, c)]
    if c.open_now:
        rows = [
            r for r in rows if opening_hours.is_open(r[4], now_local, country=territory.country)
        ]
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    distances = None
    if origin is not None and rows:
        lat = np.fromiter((r[1] for r in rows), dtype=float, count=len(rows))
        lon = np.fromiter((r[2] for r in rows), dtype=float, count=len(rows))
        distances = haversine_km(lat1=origin[0], lon1=origin[1], lat2=lat, lon2=lon)
        if c.radius_km is not None:
            keep = distances <= c.radius_km
            ids, distances = ids[keep], distances[keep]
        order = np.lexsort((ids, distances))
    else:
        names = [r[3].casefold() for r in rows]
        order = np.array(
            sorted(range(len(rows)), key=lambda i: (names[i], rows[i][0])), dtype=np.int64
        )
    total = len(order)
    page = max(1, page)
    chosen = order[(page - 1) * page_size : page * page_size]
    page_ids = [int(ids[i]) for i in chosen]
    places = place_detail_queryset().in_bulk(page_ids)
    hits = [
        SearchHit(places[pid], None if distances is None else float(distances[i]))
        for pid, i in zip(page_ids, chosen, strict=True)
    ]
    return SearchResult(
        hits=hits,
        total=total,
        page=page,
        page_size=page_size,
        origin=origin,
        origin_label=origin_label,
    )


def place_detail_queryset() -> QuerySet[Place]:
    return Place.objects.select_related("area", "organisation", "territory").prefetch_related(
        Prefetch("services", queryset=PlaceService.objects.order_by("category", "service"))
    )


def places_to_confirm(*, territory: Territory, now: dt.datetime | None = None) -> QuerySet[Place]:
    """Published places nobody has confirmed for 12 months (or ever), oldest first."""
    limit = (now or timezone.now()) - STALE_AFTER
    from django.db.models import Q

    return (
        Place.objects.filter(territory=territory, status=Place.Status.PUBLISHED)
        .filter(Q(confirmed_at__lt=limit) | Q(confirmed_at__isnull=True))
        .select_related("organisation", "area")
        .order_by("confirmed_at", "name")
    )


def places_to_review(*, territory: Territory) -> QuerySet[Place]:
    return (
        Place.objects.filter(territory=territory, status=Place.Status.DRAFT)
        .select_related("organisation", "area")
        .order_by("-updated_at")
    )
