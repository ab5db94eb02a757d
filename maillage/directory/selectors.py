"""Reads of the directory: the public search and what the pages show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from analysis.geo import haversine_km
from maillage.directory import search_index
from maillage.directory.models import Place, PlaceService
from maillage.directory.text import words
from maillage.territories.models import Area, Territory

STALE_AFTER = dt.timedelta(days=365)


def place_open_data_id(territory_slug: str, place_pk: int) -> str:
    """The identifier of a place in the open-data exports (`id` of the national standard and
    of GeoJSON), also how uploaded files name a place (the diagnostic's route matrix)."""
    return f"maillage-{territory_slug}-{place_pk}"


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
    origin_label: str = ""  # what the person typed, resolved (e.g. the address found)


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


def _word_matches(territory: Territory, q: str) -> np.ndarray | None:
    """Primary keys of published places whose folded text contains every word of `q`."""
    query_words = words(q)
    if not query_words:
        return None
    qs = Place.objects.filter(territory=territory, status=Place.Status.PUBLISHED)
    for word in query_words:
        qs = qs.filter(search_text__contains=word)
    return np.fromiter(qs.values_list("pk", flat=True), dtype=np.int64)


def place_search(
    *,
    territory: Territory,
    criteria: SearchCriteria,
    page: int = 1,
    page_size: int = 20,
    now: dt.datetime | None = None,
) -> SearchResult:
    """Published places matching `criteria`, nearest first when there is a point of origin.

    Filters are boolean masks over the territory's in-memory index (`search_index`); word
    search runs in the database on folded text; distances are great-circle, in km.
    """
    c = criteria
    index = search_index.index_for(territory)
    keep = np.ones(len(index), dtype=bool)
    for service in c.services:
        keep &= (index.services & search_index.bit("services", service)) != 0
    if c.category:
        keep &= (index.categories & search_index.bit("categories", c.category)) != 0
    if c.public:
        keep &= (index.publics & search_index.bit("publics", c.public)) != 0
    if c.language:
        keep &= (index.languages & search_index.bit("languages", c.language)) != 0
    if c.free_of_charge:
        keep &= (index.fees & search_index.bit("fees", "Gratuit")) != 0
    if c.step_free:
        keep &= index.step_free
    if c.commune is not None:
        keep &= index.area_id == c.commune.pk
    matches = _word_matches(territory, c.q)
    if matches is not None:
        keep &= np.isin(index.ids, matches)
    if c.open_now:
        moment = timezone.localtime(now or timezone.now()).replace(tzinfo=None)
        keep &= index.open_mask(moment, country=territory.country, among=keep)

    origin = None
    origin_label = ""
    if c.latitude is not None and c.longitude is not None:
        origin = (c.latitude, c.longitude)
        origin_label = c.origin_label
    elif c.area is not None:
        origin = (c.area.latitude, c.area.longitude)
        origin_label = c.area.name
    rows = np.flatnonzero(keep)
    distances = None
    if origin is not None:
        distances = haversine_km(
            lat1=origin[0], lon1=origin[1], lat2=index.latitude[rows], lon2=index.longitude[rows]
        )
        if c.radius_km is not None:
            within = distances <= c.radius_km
            rows, distances = rows[within], distances[within]
        order = np.lexsort((index.ids[rows], distances))
    else:
        order = np.argsort(index.name_order[rows], kind="stable")
    total = len(rows)
    page = max(1, page)
    chosen = order[(page - 1) * page_size : page * page_size]
    page_ids = [int(index.ids[rows[i]]) for i in chosen]
    places = place_detail_queryset().in_bulk(page_ids)
    hits = [
        SearchHit(places[pid], None if distances is None else float(distances[i]))
        for pid, i in zip(page_ids, chosen, strict=True)
        if pid in places  # deleted since the index was built: skipped
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
    # The commune's contour (a GeoJSON polygon) is never shown with a place: not loaded.
    return (
        Place.objects.select_related("area", "organisation", "territory")
        .defer("area__contour")
        .prefetch_related(
            Prefetch("services", queryset=PlaceService.objects.order_by("category", "service"))
        )
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
