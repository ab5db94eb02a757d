"""Reads for the diagnostic, and the bridge that turns the directory's rows into arrays."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import opening_hours as oh
from django.db.models import Count, QuerySet, Sum

from analysis.geo import pairs_within
from maillage.diagnostic.computation import (
    DiagnosticInputs,
    IndicatorColumn,
    RunParameters,
    TravelRoutes,
)
from maillage.diagnostic.demand_points import PopulationSquares
from maillage.diagnostic.models import (
    CandidateSite,
    DiagnosticRun,
    FragilityIndicator,
    IndicatorValue,
    PopulationGrid,
    PopulationSquare,
    TravelMatrix,
    TravelRoute,
)
from maillage.directory import opening_hours
from maillage.directory import vocabularies as voc
from maillage.directory.models import Place, PlaceService
from maillage.directory.selectors import place_open_data_id
from maillage.territories.models import Area, Territory

#: The reference week used to count weekly opening hours: a week of January 2025 with no
#: public holiday in France (Monday 13 to Sunday 19), so "PH off" rules do not bite.
REFERENCE_MONDAY = dt.datetime(2025, 1, 13)
EVENING = dt.time(18, 0)


@dataclass(frozen=True)
class WeeklyOpening:
    hours: float  # open hours in the reference week
    saturday: bool  # open at some time on Saturday
    evening: bool  # open after 18:00 on a weekday


@lru_cache(maxsize=4096)
def weekly_opening(text: str, country: str = "FR") -> WeeklyOpening:
    """Weekly opening of a place from its OSM `opening_hours` text, over the reference week.

    An empty or unreadable text counts as closed (0 hours): the place gives no capacity.
    """
    if not text.strip():
        return WeeklyOpening(0.0, False, False)
    try:
        rules = opening_hours.parse(text.strip(), country)
    except opening_hours.OpeningHoursError:
        return WeeklyOpening(0.0, False, False)
    start = REFERENCE_MONDAY
    end = start + dt.timedelta(days=7)
    seconds = 0.0
    saturday = evening = False
    for begin, finish, state, _comment in rules.intervals(start, end):
        if state != oh.State.OPEN:
            continue
        finish = min(finish, end)
        seconds += (finish - begin).total_seconds()
        # Any part of the interval on Saturday (day 5)?
        sat_start = start + dt.timedelta(days=5)
        if begin < sat_start + dt.timedelta(days=1) and finish > sat_start:
            saturday = True
        day = begin.date()
        while dt.datetime.combine(day, dt.time()) < finish:
            if day.weekday() < 5 and finish > dt.datetime.combine(day, EVENING):
                evening = True
            day += dt.timedelta(days=1)
    return WeeklyOpening(round(seconds / 3600, 6), saturday, evening)


def need_services(need: str) -> list[str]:
    """Service keys serving a need: "service:<key>", "category:<key>" or "" (every service)."""
    kind, _sep, key = need.partition(":")
    if kind == "service" and key in voc.SERVICE_BY_KEY:
        return [key]
    if kind == "category" and key in voc.CATEGORY_BY_KEY:
        return voc.services_in_category(key)
    return []


def need_label(need: str) -> str:
    kind, _sep, key = need.partition(":")
    if kind == "service" and key in voc.SERVICE_BY_KEY:
        return str(voc.SERVICE_BY_KEY[key].label)
    if kind == "category" and key in voc.CATEGORY_BY_KEY:
        return str(voc.CATEGORY_BY_KEY[key].label)
    return ""


def territory_areas(territory: Territory) -> QuerySet[Area]:
    return Area.objects.filter(territory=territory).order_by("code")


def diagnostic_inputs(*, territory: Territory, params: RunParameters) -> DiagnosticInputs:
    """Read the territory's areas, indicators, published places and candidates into arrays."""
    areas = list(territory_areas(territory))
    position = {a.pk: i for i, a in enumerate(areas)}
    columns = []
    for indicator in FragilityIndicator.objects.filter(territory=territory).order_by("key"):
        values = np.full(len(areas), np.nan)
        for area_id, value in IndicatorValue.objects.filter(indicator=indicator).values_list(
            "area_id", "value"
        ):
            if area_id in position:
                values[position[area_id]] = value
        columns.append(
            IndicatorColumn(
                key=indicator.key,
                label=indicator.label,
                axis=indicator.axis,
                higher_is_fragile=indicator.higher_is_fragile,
                weight=indicator.weight,
                reference=indicator.reference,
                source=indicator.source,
                year=indicator.year,
                is_example=indicator.is_example,
                values=values,
            )
        )

    services = need_services(params.need)
    places = list(
        Place.objects.filter(territory=territory, status=Place.Status.PUBLISHED)
        .order_by("pk")
        .values_list("pk", "name", "latitude", "longitude", "opening_hours", "is_example")
    )
    row_of = {pk: i for i, (pk, *_rest) in enumerate(places)}
    stars = np.zeros((len(places), len(services)))
    column_of = {s: k for k, s in enumerate(services)}
    if services:
        for place_id, service, level in PlaceService.objects.filter(
            place__territory=territory,
            place__status=Place.Status.PUBLISHED,
            service__in=services,
        ).values_list("place_id", "service", "stars"):
            stars[row_of[place_id], column_of[service]] = level
    openings = [weekly_opening(p[4], territory.country) for p in places]

    candidates = list(CandidateSite.objects.filter(territory=territory).order_by("name", "pk"))
    routes = (
        travel_routes(territory=territory, area_position=position, place_position=row_of)
        if params.uses_matrix
        else None
    )
    squares = (
        population_squares(territory=territory, area_position=position)
        if params.uses_squares
        else None
    )
    return DiagnosticInputs(
        area_codes=[a.code for a in areas],
        area_names=[a.name for a in areas],
        area_lat=np.array([a.latitude for a in areas], dtype=np.float64),
        area_lon=np.array([a.longitude for a in areas], dtype=np.float64),
        population=np.array(
            [np.nan if a.population is None else a.population for a in areas], dtype=np.float64
        ),
        indicators=columns,
        need_services=services,
        place_names=[p[1] for p in places],
        place_lat=np.array([p[2] for p in places], dtype=np.float64),
        place_lon=np.array([p[3] for p in places], dtype=np.float64),
        weekly_hours=np.array([o.hours for o in openings], dtype=np.float64),
        open_saturday=np.array([o.saturday for o in openings], dtype=bool),
        open_evening=np.array([o.evening for o in openings], dtype=bool),
        need_stars=stars,
        places_example=sum(1 for p in places if p[5]),
        candidate_names=[c.name for c in candidates],
        candidate_kinds=[c.kind for c in candidates],
        candidate_lat=np.array([c.latitude for c in candidates], dtype=np.float64),
        candidate_lon=np.array([c.longitude for c in candidates], dtype=np.float64),
        candidates_example=sum(1 for c in candidates if c.is_example),
        routes=routes,
        squares=squares,
    )


def travel_routes(
    *, territory: Territory, area_position: dict[int, int], place_position: dict[int, int]
) -> TravelRoutes | None:
    """The uploaded routes to the places of `place_position` (the published ones), as arrays
    indexed like the inputs; None when the territory has no matrix."""
    matrix = travel_matrix(territory)
    if matrix is None:
        return None
    area, place, value = [], [], []
    for area_id, place_id, length in TravelRoute.objects.filter(matrix=matrix).values_list(
        "area_id", "place_id", "value"
    ):
        if area_id in area_position and place_id in place_position:
            area.append(area_position[area_id])
            place.append(place_position[place_id])
            value.append(length)
    return TravelRoutes(
        unit=matrix.unit,
        area=np.array(area, dtype=np.int64),
        place=np.array(place, dtype=np.int64),
        value=np.array(value, dtype=np.float64),
        source=matrix.source,
        uploaded_at=matrix.uploaded_at.isoformat(),
    )


def population_squares(
    *, territory: Territory, area_position: dict[int, int]
) -> PopulationSquares | None:
    """The territory's population squares as arrays, their commune indexed like the inputs'
    areas; None when none were imported."""
    grid = population_grid(territory)
    if grid is None:
        return None
    rows = list(
        PopulationSquare.objects.filter(grid=grid)
        .order_by("code")
        .values_list("code", "area_id", "latitude", "longitude", "size_m", "population")
    )
    return PopulationSquares(
        codes=[r[0] for r in rows],
        area=np.array([area_position[r[1]] for r in rows], dtype=np.int64),
        lat=np.array([r[2] for r in rows], dtype=np.float64),
        lon=np.array([r[3] for r in rows], dtype=np.float64),
        size_m=np.array([r[4] for r in rows], dtype=np.float64),
        population=np.array([r[5] for r in rows], dtype=np.float64),
        source=grid.source,
        uploaded_at=grid.uploaded_at.isoformat(),
    )


def run_size(territory: Territory, params: RunParameters | None = None) -> int:
    """A rough size of a run: demand points × published places (decides inline or worker).
    The demand points are the areas, or the population squares when the run uses them."""
    if params is not None and params.uses_squares:
        n_points = PopulationSquare.objects.filter(grid__territory=territory).count()
    else:
        n_points = Area.objects.filter(territory=territory).count()
    n_places = Place.objects.filter(territory=territory, status=Place.Status.PUBLISHED).count()
    return n_points * max(n_places, 1)


def runs(territory: Territory) -> QuerySet[DiagnosticRun]:
    """The territory's runs, without their results per square (read only by their export)."""
    return DiagnosticRun.objects.filter(territory=territory).defer("square_results")


def latest_done_run(territory: Territory) -> DiagnosticRun | None:
    return (
        runs(territory)
        .filter(status=DiagnosticRun.Status.DONE)
        .order_by("-finished_at", "-pk")
        .first()
    )


def recent_runs(territory: Territory, limit: int = 10) -> list[DiagnosticRun]:
    return list(
        runs(territory).select_related("requested_by").order_by("-created_at", "-pk")[:limit]
    )


def indicators_with_counts(territory: Territory) -> QuerySet[FragilityIndicator]:
    return FragilityIndicator.objects.filter(territory=territory).annotate(n_values=Count("values"))


def indicator_table(territory: Territory) -> tuple[list[FragilityIndicator], list[dict]]:
    """Indicators and one row per area with its values (None where missing)."""
    indicators = list(FragilityIndicator.objects.filter(territory=territory).order_by("key"))
    values = {
        (indicator_id, area_id): value
        for indicator_id, area_id, value in IndicatorValue.objects.filter(
            indicator__territory=territory
        ).values_list("indicator_id", "area_id", "value")
    }
    rows = [
        {"area": area, "values": [values.get((i.pk, area.pk)) for i in indicators]}
        for area in Area.objects.filter(territory=territory).order_by("name")
    ]
    return indicators, rows


def candidate_sites(territory: Territory) -> QuerySet[CandidateSite]:
    return CandidateSite.objects.filter(territory=territory).order_by("name", "pk")


def travel_matrix(territory: Territory) -> TravelMatrix | None:
    return TravelMatrix.objects.filter(territory=territory).select_related("uploaded_by").first()


@dataclass(frozen=True)
class TravelMatrixSummary:
    matrix: TravelMatrix
    routes: int
    areas_with_route: int
    areas: int
    places_with_route: int
    published_places: int
    published_without_route: list[str]  # names: nobody reaches them on the matrix


def travel_matrix_summary(territory: Territory) -> TravelMatrixSummary | None:
    """What the uploaded matrix covers, for its page (None: no matrix)."""
    matrix = travel_matrix(territory)
    if matrix is None:
        return None
    routes = TravelRoute.objects.filter(matrix=matrix)
    published = Place.objects.filter(territory=territory, status=Place.Status.PUBLISHED)
    reached = set(routes.values_list("place_id", flat=True).distinct())
    return TravelMatrixSummary(
        matrix=matrix,
        routes=routes.count(),
        areas_with_route=routes.values("area_id").distinct().count(),
        areas=Area.objects.filter(territory=territory).count(),
        places_with_route=len(reached),
        published_places=published.count(),
        published_without_route=sorted(
            name for pk, name in published.values_list("pk", "name") if pk not in reached
        ),
    )


def population_grid(territory: Territory) -> PopulationGrid | None:
    """The territory's population squares import, with `square_count` (None: none)."""
    return (
        PopulationGrid.objects.filter(territory=territory)
        .annotate(square_count=Count("squares"))
        .select_related("uploaded_by")
        .first()
    )


@dataclass(frozen=True)
class PopulationGridSummary:
    grid: PopulationGrid
    squares: int
    population: float
    sizes_m: list[int]
    areas: list[dict]  # per commune, by name: area, squares, population (in its squares)
    areas_without_squares: list[str]  # names: counted at their centre in a run on squares


def population_grid_summary(territory: Territory) -> PopulationGridSummary | None:
    """What the imported squares cover, for their page (None: no squares)."""
    grid = population_grid(territory)
    if grid is None:
        return None
    squares = PopulationSquare.objects.filter(grid=grid)
    per_area = {
        row["area_id"]: row
        for row in squares.values("area_id").annotate(n=Count("pk"), people=Sum("population"))
    }
    rows = [
        {
            "area": area,
            "squares": per_area.get(area.pk, {}).get("n", 0),
            "population": per_area.get(area.pk, {}).get("people") or 0.0,
        }
        for area in Area.objects.filter(territory=territory).order_by("name")
    ]
    return PopulationGridSummary(
        grid=grid,
        squares=grid.square_count,
        population=sum(r["population"] for r in rows),
        sizes_m=sorted(squares.values_list("size_m", flat=True).distinct()),
        areas=rows,
        areas_without_squares=[r["area"].name for r in rows if not r["squares"]],
    )


#: The template lists the pairs of area and place closer than this as the crow flies.
TEMPLATE_MAX_KM = 50.0
TEMPLATE_COLUMNS = (
    "area_code",
    "place_id",
    "minutes",
    "area_name",
    "area_latitude",
    "area_longitude",
    "place_name",
    "place_latitude",
    "place_longitude",
)


def travel_matrix_template(territory: Territory) -> list[tuple]:
    """Rows (`TEMPLATE_COLUMNS`) of a file to fill with a routing tool: every pair of an area
    and a published place within `TEMPLATE_MAX_KM`, the `minutes` column left empty."""
    areas = list(territory_areas(territory))
    places = list(
        Place.objects.filter(territory=territory, status=Place.Status.PUBLISHED)
        .order_by("pk")
        .values_list("pk", "name", "latitude", "longitude")
    )
    if not areas or not places:
        return []
    pairs = pairs_within(
        lat1=[a.latitude for a in areas],
        lon1=[a.longitude for a in areas],
        lat2=[p[2] for p in places],
        lon2=[p[3] for p in places],
        radius_km=TEMPLATE_MAX_KM,
        workers=1,
    )
    rows = []
    for i, area in enumerate(areas):
        for j in pairs.indices[pairs.indptr[i] : pairs.indptr[i + 1]]:
            pk, name, lat, lon = places[j]
            rows.append(
                (
                    area.code,
                    place_open_data_id(territory.slug, pk),
                    "",
                    area.name,
                    area.latitude,
                    area.longitude,
                    name,
                    lat,
                    lon,
                )
            )
    return rows
