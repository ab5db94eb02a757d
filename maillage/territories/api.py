from ninja import Router, Schema

from maillage.core.api_errors import LOOKUP_ERRORS
from maillage.core.lookup import territory_for
from maillage.territories.models import Area, Territory

router = Router(tags=["territories"])


class TerritoryOut(Schema):
    slug: str
    name: str
    kind: str
    country: str
    official_code: str


class AreaOut(Schema):
    code: str
    name: str
    kind: str
    population: int | None
    population_year: int | None
    latitude: float
    longitude: float
    postal_codes: list[str]


@router.get("/territories", response={200: list[TerritoryOut]}, summary="List the territories")
def territory_list(request):
    return list(Territory.objects.all())


@router.get(
    "/territories/{slug}/areas",
    response={200: list[AreaOut], **LOOKUP_ERRORS},
    summary="List the areas (communes) of a territory",
)
def area_list(request, slug: str):
    territory = territory_for(request, slug)
    return list(Area.objects.filter(territory=territory).order_by("code"))
