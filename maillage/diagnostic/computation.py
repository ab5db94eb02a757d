"""The diagnostic's pipeline on plain arrays: index, accessibility, blind spots, sites.

No database here: `selectors.diagnostic_inputs` turns rows into the arrays below and
`jobs.diagnostic_run_execute` stores what `compute` returns (plain JSON: numbers, codes and
names; sentences are written at display time by `presenters`, in the reader's language).
The numerical work is done by the `analysis` package (fragility, accessibility, siting, geo).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields

import numpy as np
from scipy import sparse, stats

from analysis import accessibility, fragility, siting
from analysis.geo import nearest
from maillage.diagnostic.demand_points import (
    DemandPoints,
    PopulationSquares,
    area_mean,
    area_share,
    commune_points,
    demand_points_summary,
    square_points,
    square_results,
    whole_percent,
)

#: Distance (km) used by the "no place open on Saturdays / in the evening" reasons.
NEARBY_KM = 5.0
#: The same on an uploaded matrix, in its unit: 5 km of road, or a quarter of an hour.
NEARBY = {"km": NEARBY_KM, "minutes": 15.0}
#: Exact MCLP up to this many candidate sites; greedy (1 − 1/e guarantee) above.
EXACT_MAX_CANDIDATES = 300
#: An area is said to have low accessibility under this share of the territory's average.
LOW_ACCESS_SHARE = 0.5
#: On population squares, a "no place within …" reason is given when at least this share of a
#: commune's population lives in squares without such a place.
SHARE_REASON_MIN = 0.01
PER_PEOPLE = 100_000
PRESETS = {
    "ifn-2023": fragility.IFN_2023,
    "ifn-first-generation": fragility.IFN_FIRST_GENERATION,
}


class DiagnosticInputError(ValueError):
    """The data cannot give this diagnostic; the message says what to load or change."""

    def __init__(self, code: str, **params):
        super().__init__(f"{code}: {params}")
        self.code = code
        self.params = params


@dataclass(frozen=True)
class RunParameters:
    """What a coordinator chooses; stored with the run (JSON) so the result can be explained."""

    index: str = "ifn-2023"  # "custom" or a key of PRESETS
    method: str = "deciles"  # custom index only: a normalisation of analysis.fragility
    missing: str = "reweight"  # or "propagate"
    need: str = "category:procedures"  # "", "service:<key>" or "category:<key>"
    radius_km: float = accessibility.DEFAULT_RADIUS_KM
    decay: str = "steps"  # "steps" (1, 0.68, 0.22 on 3 equal zones) or "gaussian"
    demand: str = "fragile"  # "population" or "fragile"
    candidates: str = "communes"  # "communes" (their centres) or "uploaded"
    k: int = 3
    cover_km: float = 5.0
    solver: str = "auto"  # "auto", "exact" or "greedy"
    uncovered_only: bool = False
    # Accessibility and blind-spot reasons on "great_circle" distances (radius_km) or on the
    # territory's uploaded "matrix" (matrix_radius, in matrix_unit: "km" or "minutes").
    distance: str = "great_circle"
    matrix_unit: str = ""
    matrix_radius: float = 0.0
    # Demand points of the accessibility: the "communes" (their centre) or the territory's
    # population "squares" (great-circle distances only: the matrix is per commune).
    demand_points: str = "communes"

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RunParameters:
        """The parameters of a stored run; fields added since it was stored take their
        defaults (a run stored before matrices existed used great-circle distances, one
        stored before population squares existed the communes' centres)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    @property
    def uses_matrix(self) -> bool:
        return self.distance == "matrix"

    @property
    def uses_squares(self) -> bool:
        return self.demand_points == "squares"


@dataclass(frozen=True)
class TravelRoutes:
    """The territory's uploaded routes as parallel arrays (one entry per route): the area's
    and the place's positions in `DiagnosticInputs`, and the distance or time."""

    unit: str  # "km" or "minutes"
    area: np.ndarray  # int, index into area_codes
    place: np.ndarray  # int, index into place_names
    value: np.ndarray  # float64, >= 0
    source: str = ""
    uploaded_at: str = ""  # ISO 8601


@dataclass(frozen=True)
class IndicatorColumn:
    key: str
    label: str
    axis: str
    higher_is_fragile: bool
    weight: float
    reference: float | None
    source: str
    year: int
    is_example: bool
    values: np.ndarray  # float64 per area, NaN where missing


@dataclass(frozen=True)
class DiagnosticInputs:
    """Everything a run needs, as arrays in a fixed order (areas by code, places by id)."""

    area_codes: list[str]
    area_names: list[str]
    area_lat: np.ndarray
    area_lon: np.ndarray
    population: np.ndarray  # NaN where unknown
    indicators: list[IndicatorColumn]
    need_services: list[str]  # the services serving the chosen need (empty: any service)
    place_names: list[str]
    place_lat: np.ndarray
    place_lon: np.ndarray
    weekly_hours: np.ndarray
    open_saturday: np.ndarray  # bool
    open_evening: np.ndarray  # bool: open after 18:00 on a weekday
    need_stars: np.ndarray  # (n_places, n_need_services), 0 = not offered
    places_example: int  # how many of the places are example data
    candidate_names: list[str] = field(default_factory=list)
    candidate_kinds: list[str] = field(default_factory=list)
    candidate_lat: np.ndarray = field(default_factory=lambda: np.zeros(0))
    candidate_lon: np.ndarray = field(default_factory=lambda: np.zeros(0))
    candidates_example: int = 0
    routes: TravelRoutes | None = None  # read only for a run on the uploaded matrix
    squares: PopulationSquares | None = None  # read only for a run on population squares


Progress = Callable[[int, str], None]


def _float(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def fragility_of(
    inputs: DiagnosticInputs, params: RunParameters
) -> tuple[fragility.FragilityIndex | None, str, list[IndicatorColumn]]:
    """The index per area, the normalisation used and the indicators it used."""
    columns = inputs.indicators
    if params.index in PRESETS:
        preset = PRESETS[params.index]
        by_key = {c.key: c for c in columns}
        lacking = [s.name for s in preset.indicators if s.name not in by_key]
        if lacking:
            raise DiagnosticInputError("preset_lacks", preset=preset.name, keys=lacking)
        used = [by_key[s.name] for s in preset.indicators]
        specs = {s.name: s for s in preset.indicators}
        if preset.method == "ratio":
            no_reference = [c.key for c in used if c.reference is None]
            if no_reference:
                raise DiagnosticInputError("no_reference", keys=no_reference)
        built = [
            fragility.Indicator(
                name=c.key,
                values=c.values,
                higher_is_fragile=specs[c.key].higher_is_fragile,
                weight=specs[c.key].weight,
                axis=specs[c.key].axis,
                reference=c.reference,
            )
            for c in used
        ]
        method = preset.method
    else:
        used = list(columns)
        if not used:
            return None, params.method, []
        if params.method == "ratio":
            no_reference = [c.key for c in used if c.reference is None]
            if no_reference:
                raise DiagnosticInputError("no_reference", keys=no_reference)
        built = [
            fragility.Indicator(
                name=c.key,
                values=c.values,
                higher_is_fragile=c.higher_is_fragile,
                weight=c.weight,
                axis=c.axis,
                reference=c.reference,
            )
            for c in used
        ]
        method = params.method
    index = fragility.fragility_index(indicators=built, method=method, missing=params.missing)
    return index, method, used


def need_weight(score: np.ndarray) -> np.ndarray:
    """Share of an area's population counted as "fragile population": the percentile rank of
    its index among the areas that have one (in (0, 1]); 0.5 (the median) where the index is
    missing. Scale-free, so it reads the same for every normalisation."""
    weight = np.full(score.shape, 0.5)
    known = ~np.isnan(score)
    if known.any():
        weight[known] = stats.rankdata(score[known], method="average") / known.sum()
    return weight


def _decay(params: RunParameters, radius: float) -> accessibility.Decay:
    if params.decay == "gaussian":
        return accessibility.GaussianDecay(sigma=radius / 2)
    return accessibility.StepDecay.equal_zones(radius=radius)


def route_matrix(
    routes: TravelRoutes, *, n_areas: int, n_places: int, columns: np.ndarray
) -> sparse.coo_array:
    """The routes to some of the places, as a sparse matrix for E2SFCA.

    Parameters
    ----------
    routes : TravelRoutes
        Every route of the uploaded matrix.
    n_areas, n_places : int
        Number of areas and of places of the inputs.
    columns : numpy.ndarray of int, shape (n_columns,)
        Indices of the places kept, in the order of the matrix's columns.

    Returns
    -------
    scipy.sparse.coo_array of float64, shape (n_areas, n_columns)
        ``out[i, k]`` is the distance or time from area ``i`` to place ``columns[k]``, stored
        for the pairs that have a route and only for them (a route of length 0 is an explicit
        stored zero); an unstored pair has no route.
    """
    column_of = np.full(n_places, -1, dtype=np.int64)
    column_of[columns] = np.arange(len(columns))
    kept = column_of[routes.place] >= 0
    return sparse.coo_array(
        (routes.value[kept], (routes.area[kept], column_of[routes.place[kept]])),
        shape=(n_areas, len(columns)),
    )


def _nearest_by_routes(
    routes: TravelRoutes, n_areas: int, masks: tuple[np.ndarray, ...]
) -> list[np.ndarray]:
    """Shortest route from each area to a place of each mask (inf: no route)."""
    out = []
    for mask in masks:
        nearest_value = np.full(n_areas, np.inf)
        kept = mask[routes.place]
        np.minimum.at(nearest_value, routes.area[kept], routes.value[kept])
        out.append(nearest_value)
    return out


def _routes_for(inputs: DiagnosticInputs, params: RunParameters) -> TravelRoutes:
    routes = inputs.routes
    if routes is None:
        raise DiagnosticInputError("no_matrix")
    if routes.unit != params.matrix_unit:
        # The matrix was replaced by one in another unit after the run was asked for: its
        # radius would be read in the wrong unit.
        raise DiagnosticInputError(
            "matrix_unit_changed", expected=params.matrix_unit, found=routes.unit
        )
    return routes


def _nearest_km(
    lat: np.ndarray, lon: np.ndarray, inputs: DiagnosticInputs, masks: tuple[np.ndarray, ...]
) -> list[np.ndarray]:
    """Great-circle distance (km) from each point to the nearest place of each mask (inf:
    no such place)."""
    out = []
    for mask in masks:
        if not mask.any():
            out.append(np.full(len(lat), np.inf))
            continue
        distance, _index = nearest(
            lat=lat, lon=lon, points_lat=inputs.place_lat[mask], points_lon=inputs.place_lon[mask]
        )
        out.append(distance[:, 0])
    return out


def _demand_points(inputs: DiagnosticInputs, params: RunParameters) -> DemandPoints:
    """The communes' centres, or the population squares (and the centres of the communes
    without a square)."""
    if not params.uses_squares:
        return commune_points(
            area_lat=inputs.area_lat, area_lon=inputs.area_lon, population=inputs.population
        )
    if params.uses_matrix:
        # The matrix gives routes from the communes' centres, not from the squares.
        raise DiagnosticInputError("squares_with_matrix")
    if inputs.squares is None or not len(inputs.squares.codes):
        raise DiagnosticInputError("no_squares")
    return square_points(
        inputs.squares,
        area_lat=inputs.area_lat,
        area_lon=inputs.area_lon,
        population=inputs.population,
    )


def compute(
    inputs: DiagnosticInputs, params: RunParameters, progress: Progress | None = None
) -> dict:
    """Run the whole diagnostic; return a JSON-ready dict (see docs/diagnostic.md).

    On population squares the dict also has ``square_results`` (per square: identifier,
    commune, population, accessibility, nearest place), which `jobs` stores apart."""
    report = progress or (lambda percent, step: None)
    n_areas = len(inputs.area_codes)
    population = np.nan_to_num(inputs.population, nan=0.0)
    points = _demand_points(inputs, params)
    squares = params.uses_squares

    report(10, "index")
    index, method, used = fragility_of(inputs, params)
    score = index.score if index is not None else np.full(n_areas, np.nan)
    weight = need_weight(score)
    fragile_population = population * weight

    report(35, "accessibility")
    if inputs.need_stars.shape[1]:
        offers = (inputs.need_stars > 0).any(axis=1)
        stars = inputs.need_stars
    else:
        offers = np.ones(len(inputs.place_names), dtype=bool)
        stars = None
    capacity = accessibility.supply_capacity(weekly_hours=inputs.weekly_hours, service_stars=stars)
    supply = offers & (capacity > 0)
    # The demand at each point: its population, or its fragile population, which is its
    # population times its commune's weight (`need_weight`), as for the communes themselves.
    demand = points.population * (weight[points.area] if params.demand == "fragile" else 1.0)
    routes = _routes_for(inputs, params) if params.uses_matrix else None
    if routes is None:
        radius, unit = params.radius_km, "km"
        run = accessibility.e2sfca(
            supply_lat=inputs.place_lat[supply],
            supply_lon=inputs.place_lon[supply],
            capacity=capacity[supply],
            demand_lat=points.lat,
            demand_lon=points.lon,
            population=demand,
            radius_km=radius,
            decay=_decay(params, radius),
            workers=1,
        )
    else:
        radius, unit = params.matrix_radius, routes.unit
        run = accessibility.e2sfca_from_distances(
            distance=route_matrix(
                routes,
                n_areas=n_areas,
                n_places=len(inputs.place_names),
                columns=np.flatnonzero(supply),
            ),
            capacity=capacity[supply],
            population=demand,
            max_distance=radius,
            decay=_decay(params, radius),
        )
    point_access = run.score * PER_PEOPLE
    weighted_total = demand.sum()
    mean_access = (
        float((point_access * demand).sum() / weighted_total) if weighted_total > 0 else 0.0
    )

    # The "no place within …" reasons: the need within the catchment, places open on
    # Saturdays and in the evening nearby.
    limits = {"no_place_for_need": radius, "no_saturday": NEARBY[unit], "no_evening": NEARBY[unit]}
    masks = (offers, offers & inputs.open_saturday, offers & inputs.open_evening)
    if squares:
        report(50, "squares")
        access = area_mean(point_access, points, n_areas)
        # Per commune, the share of its population living in squares without such a place
        # (great-circle from the square's centre): truer than its centre, which is in reach
        # or not for everybody.
        point_nearest = _nearest_km(points.lat, points.lon, inputs, masks)
        shares = {
            code: area_share(far > limit, points, n_areas)
            for (code, limit), far in zip(limits.items(), point_nearest, strict=True)
        }
    else:
        access = point_access

    report(60, "blind_spots")
    # Great-circle distance from the commune's centre to the nearest place for the need:
    # shown, and used by the sites (candidate sites are not in the matrix).
    from_centres = _nearest_km(inputs.area_lat, inputs.area_lon, inputs, masks)
    nearest_need_km = from_centres[0]
    if routes is not None:
        from_centres = _nearest_by_routes(routes, n_areas, masks)
    nearest = dict(zip(limits, from_centres, strict=True))
    top = float(access.max()) if n_areas else 0.0
    gap = 1.0 - access / top if top > 0 else np.ones(n_areas)
    priority = fragile_population * gap
    order = np.argsort(-priority, kind="stable")
    rank = np.empty(n_areas, dtype=int)
    rank[order] = np.arange(1, n_areas + 1)

    areas = []
    for a in range(n_areas):
        # The limit is stored under its unit ("km" or "minutes"): the sentence says which.
        reasons = []
        for code, limit in limits.items():
            if squares:
                if shares[code][a] >= SHARE_REASON_MIN:
                    reasons.append(
                        {"code": code, unit: limit, "percent": whole_percent(shares[code][a])}
                    )
            elif nearest[code][a] > limit:
                reasons.append({"code": code, unit: limit})
        if mean_access > 0 and access[a] < LOW_ACCESS_SHARE * mean_access:
            reasons.append({"code": "low_access", "percent": round(100 * access[a] / mean_access)})
        if not np.isnan(score[a]) and weight[a] > 0.75:
            reasons.append({"code": "most_fragile_quarter"})
        row = {
            "code": inputs.area_codes[a],
            "name": inputs.area_names[a],
            "population": _float(inputs.population[a]),
            "index": _float(score[a]),
            "coverage": _float(index.coverage[a]) if index is not None else 0.0,
            "axes": {k: _float(v[a]) for k, v in (index.axes if index else {}).items()},
            "fragile_population": _float(fragile_population[a]),
            "accessibility": _float(access[a]),
            "nearest_km": _float(nearest_need_km[a]),
            "priority": _float(priority[a]),
            "rank": int(rank[a]),
            "reasons": reasons,
        }
        if routes is not None:
            row["nearest_by_matrix"] = _float(nearest["no_place_for_need"][a])  # None: no route
        if squares:
            row["population_without_place_share"] = _float(shares["no_place_for_need"][a])
        areas.append(row)

    report(80, "sites")
    sites = _where_to_go(inputs, params, fragile_population, nearest_need_km)
    report(100, "done")
    result = {
        "parameters": params.as_dict(),
        "method": method,
        "indicators": [
            {
                "key": c.key,
                "label": c.label,
                "axis": c.axis,
                "source": c.source,
                "year": c.year,
                "is_example": c.is_example,
            }
            for c in used
        ],
        "uses_example_indicators": any(c.is_example for c in used),
        "places_used": int(supply.sum()),
        "places_example": inputs.places_example,
        "pairs": run.n_pairs,
        "distance": _distance_summary(inputs, routes, radius=radius, supply=supply),
        "demand_points": demand_points_summary(points, inputs.squares, inputs.area_names),
        "mean_accessibility": mean_access,
        "areas": areas,
        "sites": sites,
    }
    if squares:
        result["square_results"] = square_results(
            points,
            inputs.squares,
            inputs.area_codes,
            access=point_access,
            nearest_km=point_nearest[0],
        )
    return result


def _distance_summary(
    inputs: DiagnosticInputs, routes: TravelRoutes | None, *, radius: float, supply: np.ndarray
) -> dict:
    """Which distance the run used; on a matrix, who has no route (they count for nobody)."""
    if routes is None:
        return {"kind": "great_circle", "unit": "km", "radius": radius}
    place_has_route = np.zeros(len(inputs.place_names), dtype=bool)
    place_has_route[routes.place] = True
    area_has_route = np.zeros(len(inputs.area_codes), dtype=bool)
    area_has_route[routes.area[supply[routes.place]]] = True
    return {
        "kind": "matrix",
        "unit": routes.unit,
        "radius": radius,
        "source": routes.source,
        "uploaded_at": routes.uploaded_at,
        "routes": len(routes.value),
        "places_without_route": sorted(
            inputs.place_names[j] for j in np.flatnonzero(supply & ~place_has_route)
        ),
        "areas_without_route": [inputs.area_names[a] for a in np.flatnonzero(~area_has_route)],
    }


def _where_to_go(
    inputs: DiagnosticInputs,
    params: RunParameters,
    fragile_population: np.ndarray,
    nearest_need: np.ndarray,
) -> dict:
    if params.candidates == "communes":
        names, kinds = list(inputs.area_names), ["commune_centre"] * len(inputs.area_names)
        lat, lon, example = inputs.area_lat, inputs.area_lon, 0
    else:
        names, kinds = inputs.candidate_names, inputs.candidate_kinds
        lat, lon, example = inputs.candidate_lat, inputs.candidate_lon, inputs.candidates_example
    if len(names) == 0:
        raise DiagnosticInputError("no_candidates")
    weights = fragile_population.copy()
    if params.uncovered_only:
        weights[nearest_need <= params.cover_km] = 0.0
    cover = siting.coverage_within_km(
        demand_lat=inputs.area_lat,
        demand_lon=inputs.area_lon,
        site_lat=lat,
        site_lon=lon,
        radius_km=params.cover_km,
    )
    k = min(params.k, len(names))
    exact = params.solver == "exact" or (
        params.solver == "auto" and len(names) <= EXACT_MAX_CANDIDATES
    )
    solution = (siting.mclp_exact if exact else siting.mclp_greedy)(
        coverage=cover, demand=weights, k=k
    )
    chosen = []
    covered_so_far = np.zeros(len(weights), dtype=bool)
    by_site = cover.tocsc()
    for j in solution.sites:
        column = np.zeros(len(weights), dtype=bool)
        column[by_site.indices[by_site.indptr[j] : by_site.indptr[j + 1]]] = True
        newly = column & ~covered_so_far
        covered_so_far |= column
        chosen.append(
            {
                "name": names[j],
                "kind": kinds[j],
                "latitude": float(lat[j]),
                "longitude": float(lon[j]),
                "added_fragile_population": float(weights[newly].sum()),
                "areas_covered": [inputs.area_codes[a] for a in np.flatnonzero(column)],
            }
        )
    return {
        "solver": "exact" if exact else "greedy",
        "k": k,
        "candidates": len(names),
        "candidates_example": example,
        "objective": solution.objective,
        "upper_bound": solution.upper_bound,
        "optimal": bool(solution.optimal),
        "total_fragile_population": float(weights.sum()),
        "chosen": chosen,
    }
