"""Directory endpoints. The query string is validated by the public search form."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import BeforeValidator

from maillage.core.api_errors import LOOKUP_ERRORS
from maillage.core.lookup import territory_for
from maillage.directory import permissions, selectors
from maillage.directory import vocabularies as voc
from maillage.directory.forms import PlaceSearchForm
from maillage.directory.models import Place
from maillage.directory.services import EDITABLE_FIELDS

router = Router(tags=["directory"])
MAX_PAGE_SIZE = 100


class ServiceOut(Schema):
    service: str
    label: str
    standard: str
    category: str
    stars: int
    note: str


class PlaceOut(Schema):
    id: int
    name: str
    organisation: str
    commune_code: str
    commune: str
    address: str
    postal_code: str
    latitude: float
    longitude: float
    location_precision: str
    distance_km: float | None = None
    opening_hours: str
    phone: str
    email: str
    website: str
    services: list[ServiceOut]
    is_example: bool
    url: str


class PlaceDetailOut(PlaceOut):
    address_complement: str
    access_directions: str
    is_mobile: bool
    step_free_access: str
    languages: list[str]
    publics: list[str]
    specific_support: list[str]
    support_formats: list[str]
    delivery_modes: list[str]
    access_modes: list[str]
    fees: list[str]
    summary: str
    description: str
    appointment_url: str
    labels: list[str]
    confirmed_at: str | None
    updated_at: str


class PlacePage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    results: list[PlaceOut]


def _iso_date_time(value: object) -> object:
    """Only a written date and time (`2026-11-24T10:30`), not a number of seconds."""
    if isinstance(value, str) and not re.match(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", value):
        raise ValueError("expected a date and time such as 2026-11-24T10:30")
    return value


# A local date-time (an offset is allowed) for `open_now`.
LocalDateTime = Annotated[dt.datetime, BeforeValidator(_iso_date_time)]


def _choices(field: str) -> dict:
    """The values the search form accepts for `field` ("" for any), for the OpenAPI description."""
    return {"enum": [value for value, _label in PlaceSearchForm.base_fields[field].choices]}


class SearchParams(Schema):
    """The search form's fields, with its limits, so that the OpenAPI description says which
    values are valid. `lat` and `lon` go together (a point), which OpenAPI cannot express: one
    without the other answers 422. An unknown `where` or `commune` answers 404."""

    q: str = Field("", max_length=200)
    where: str = Field("", max_length=200)
    commune: str = Field("", max_length=20)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    service: str = Field("", json_schema_extra=_choices("service"))
    category: str = Field("", json_schema_extra=_choices("category"))
    public: str = Field("", json_schema_extra=_choices("public"))
    language: str = Field("", json_schema_extra=_choices("language"))
    step_free: bool = False
    free: bool = False
    open_now: bool = False
    at: LocalDateTime | None = None
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class VocabularyTermOut(Schema):
    key: str
    label: str
    standard: str
    category: str


def _place_out(request, place: Place, distance_km: float | None = None) -> dict:
    return {
        "id": place.pk,
        "name": place.name,
        "organisation": place.organisation.name,
        "commune_code": place.area.code,
        "commune": place.area.name,
        "address": place.address,
        "postal_code": place.postal_code,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "location_precision": place.location_precision,
        "distance_km": None if distance_km is None else round(distance_km, 3),
        "opening_hours": place.opening_hours,
        "phone": place.phone,
        "email": place.email,
        "website": place.website,
        "services": [
            {
                "service": s.service,
                "label": str(voc.label(voc.SERVICES, s.service)),
                "standard": voc.SERVICE_BY_KEY[s.service].standard
                if s.service in voc.SERVICE_BY_KEY
                else "",
                "category": s.category,
                "stars": s.stars,
                "note": s.note,
            }
            for s in place.services.all()
        ],
        "is_example": place.is_example,
        "url": request.build_absolute_uri(f"/{place.territory.slug}/places/{place.pk}/"),
    }


@router.get(
    "/territories/{slug}/places",
    response={200: PlacePage, **LOOKUP_ERRORS},
    summary="Search the published places of a territory",
    description="Same filters as the public search page; nearest first when `where` "
    "or `lat`/`lon` give a point (both or neither). 404 when `where` or `commune` names no "
    "commune of the territory; 422 for another invalid parameter, naming it.",
)
def place_list(request, slug: str, params: Query[SearchParams]):
    territory = territory_for(request, slug)
    data = {k: v for k, v in params.dict().items() if v not in (None, "", False)}
    form = PlaceSearchForm(data, territory=territory)
    if not form.is_valid():
        # A commune that the territory does not have is a thing not found; the rest is invalid.
        unknown = {("where", "unknown_place"), ("commune", "unknown_commune")}
        status = 404
        for field, errors in form.errors.as_data().items():
            if any((field, error.code) not in unknown for error in errors):
                status = 422
        raise HttpError(
            status,
            "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()),
        )
    result = selectors.place_search(
        territory=territory,
        criteria=form.criteria(),
        page=params.page,
        page_size=params.page_size,
        now=form.cleaned_data.get("at"),
    )
    return {
        "count": result.total,
        "page": result.page,
        "page_size": result.page_size,
        "pages": result.pages,
        "results": [_place_out(request, h.place, h.distance_km) for h in result.hits],
    }


@router.get(
    "/territories/{slug}/places/{place_id}",
    response={200: PlaceDetailOut, **LOOKUP_ERRORS},
    summary="One place, with everything the place page shows",
)
def place_detail(request, slug: str, place_id: int):
    place = get_object_or_404(selectors.place_detail_queryset(), pk=place_id, territory__slug=slug)
    if not permissions.can_view_place(request.user, place):
        raise Http404
    out = _place_out(request, place)
    out.update(
        {
            field: getattr(place, field)
            for field in EDITABLE_FIELDS
            if field not in PlaceOut.model_fields and field != "area"
        }
    )
    out["labels"] = list(place.organisation.labels)
    out["confirmed_at"] = place.confirmed_at.isoformat() if place.confirmed_at else None
    out["updated_at"] = place.updated_at.isoformat()
    return out


@router.get(
    "/services",
    response={200: list[VocabularyTermOut]},
    summary="The services vocabulary and its categories",
)
def service_vocabulary(request):
    return [
        {"key": t.key, "label": str(t.label), "standard": t.standard, "category": t.category}
        for t in voc.SERVICES
    ]
