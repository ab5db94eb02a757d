"""Turn places into what the pages and the API show: translated labels, no logic in templates."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from maillage.directory import opening_hours
from maillage.directory import vocabularies as voc
from maillage.directory.models import Place


@dataclass
class ServiceLine:
    key: str
    label: str
    category: str
    category_label: str
    stars: int
    stars_label: str
    note: str


@dataclass
class PlaceCard:
    place: Place
    url: str
    distance_km: float | None
    services: list[ServiceLine]
    categories: list[str]
    fees: list[str]
    publics: list[str]
    specific_support: list[str]
    languages: list[str]
    support_formats: list[str]
    delivery_modes: list[str]
    access_modes: list[str]
    labels: list[str] = field(default_factory=list)
    maps_url: str = ""
    phone_uri: str = ""
    status_now: str = ""  # "Open now, until 12:00", in the territory's local time


def _labels(terms, keys) -> list[str]:
    return [str(voc.label(terms, k)) for k in keys]


def place_card(place: Place, *, distance_km: float | None = None, now=None) -> PlaceCard:
    lines = []
    order = {t.key: i for i, t in enumerate(voc.SERVICES)}  # the vocabulary's order
    for s in sorted(place.services.all(), key=lambda s: order.get(s.service, len(order))):
        term = voc.SERVICE_BY_KEY.get(s.service)
        category = voc.CATEGORY_BY_KEY.get(s.category)
        lines.append(
            ServiceLine(
                key=s.service,
                label=str(term.label if term else s.service),
                category=s.category,
                category_label=str(category.label if category else s.category),
                stars=s.stars,
                stars_label=str(voc.STARS[s.stars - 1].label),
                note=s.note,
            )
        )
    categories = []
    for line in lines:
        if line.category_label not in categories:
            categories.append(line.category_label)
    phone = "".join(c for c in place.phone if c.isdigit() or c == "+")
    return PlaceCard(
        place=place,
        url=reverse("directory:place", kwargs={"territory": place.territory.slug, "pk": place.pk}),
        distance_km=distance_km,
        services=lines,
        categories=categories,
        fees=_labels(voc.FEES, place.fees),
        publics=_labels(voc.PUBLICS, place.publics),
        specific_support=_labels(voc.SPECIFIC_SUPPORT, place.specific_support),
        languages=_labels(voc.LANGUAGES, place.languages),
        support_formats=_labels(voc.SUPPORT_FORMATS, place.support_formats),
        delivery_modes=_labels(voc.DELIVERY_MODES, place.delivery_modes),
        access_modes=_labels(voc.ACCESS_MODES, place.access_modes),
        labels=_labels(voc.PROGRAMMES, place.organisation.labels)
        + list(place.organisation.local_programmes),
        maps_url=(
            "https://www.openstreetmap.org/directions?to="
            f"{place.latitude:.6f}%2C{place.longitude:.6f}"
        ),
        phone_uri=f"tel:{phone}" if phone else "",
        status_now=opening_hours.status_in_words(
            place.opening_hours,
            now=timezone.localtime(now or timezone.now()).replace(tzinfo=None),
            country=place.territory.country,
        ),
    )


def map_points(result, *, first_rank: int = 1) -> list[dict]:
    return [
        {
            "lat": hit.place.latitude,
            "lon": hit.place.longitude,
            "name": hit.place.name,
            "url": reverse(
                "directory:place",
                kwargs={"territory": hit.place.territory.slug, "pk": hit.place.pk},
            ),
            "approximate": hit.place.location_precision == Place.Precision.COMMUNE,
            "rank": n,
        }
        for n, hit in enumerate(result.hits, start=first_rank)
    ]
