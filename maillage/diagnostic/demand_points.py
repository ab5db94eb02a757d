"""Where the demand of the accessibility sits: the communes' centres, or population squares.

No database here (`selectors.population_squares` reads the squares into arrays). With the
communes, each commune is one demand point at its centre, holding its whole population. With
population squares (INSEE's 200 m or 1 km grid), each square is a demand point at its centre
holding the people counted in it; a commune without any square keeps one point at its centre
with its population, so that nobody drops out of the demand. The accessibility computed per
point is then brought back to the communes by `area_mean` (population-weighted mean) and
`area_share` (share of the population at points where something holds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PopulationSquares:
    """The territory's population squares as parallel arrays (one entry per square)."""

    codes: list[str]  # INSPIRE identifiers, e.g. CRS3035RES200mN2473200E3486000
    area: np.ndarray  # int, index into the inputs' area_codes: the commune it is counted in
    lat: np.ndarray  # float64, centre, degrees
    lon: np.ndarray
    size_m: np.ndarray  # float64, side in metres
    population: np.ndarray  # float64, people counted in the square, >= 0
    source: str = ""
    uploaded_at: str = ""  # ISO 8601


@dataclass(frozen=True)
class DemandPoints:
    """The demand points of a run, as parallel arrays. The first `n_squares` points are
    population squares (in the order of `PopulationSquares`); the others are centres of
    communes (all the communes, or those without a square)."""

    lat: np.ndarray
    lon: np.ndarray
    area: np.ndarray  # int, the commune of each point (index into the inputs' areas)
    population: np.ndarray  # float64, people at the point (0 where unknown)
    n_squares: int = 0


def commune_points(
    *, area_lat: np.ndarray, area_lon: np.ndarray, population: np.ndarray
) -> DemandPoints:
    """One point per commune, at its centre, with its population (NaN counts 0)."""
    return DemandPoints(
        lat=area_lat,
        lon=area_lon,
        area=np.arange(len(area_lat)),
        population=np.nan_to_num(population, nan=0.0),
    )


def square_points(
    squares: PopulationSquares,
    *,
    area_lat: np.ndarray,
    area_lon: np.ndarray,
    population: np.ndarray,
) -> DemandPoints:
    """The squares, then the centres of the communes that have no square (with the commune's
    population, NaN counting 0)."""
    without = np.setdiff1d(np.arange(len(area_lat)), squares.area)
    return DemandPoints(
        lat=np.concatenate([squares.lat, area_lat[without]]),
        lon=np.concatenate([squares.lon, area_lon[without]]),
        area=np.concatenate([squares.area.astype(np.int64), without]),
        population=np.concatenate(
            [squares.population, np.nan_to_num(population[without], nan=0.0)]
        ),
        n_squares=len(squares.codes),
    )


def area_mean(values: np.ndarray, points: DemandPoints, n_areas: int) -> np.ndarray:
    """Population-weighted mean of a value of the points, per commune.

    ``mean_a = Σ_{i ∈ a} P_i v_i / Σ_{i ∈ a} P_i`` over the points ``i`` of commune ``a``;
    the plain mean of its points where they hold nobody (``Σ P_i = 0``); NaN for a commune
    without any point (never the case with `commune_points` or `square_points`).

    Parameters
    ----------
    values : numpy.ndarray of float, shape (n_points,)
        A value per point, for example its accessibility.
    points : DemandPoints
        The points, their commune and population.
    n_areas : int
        Number of communes.

    Returns
    -------
    numpy.ndarray of float64, shape (n_areas,)
    """
    weighted = np.bincount(points.area, weights=points.population * values, minlength=n_areas)
    people = np.bincount(points.area, weights=points.population, minlength=n_areas)
    plain = np.bincount(points.area, weights=values, minlength=n_areas)
    count = np.bincount(points.area, minlength=n_areas)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(people > 0, weighted / people, plain / count)


def area_share(flag: np.ndarray, points: DemandPoints, n_areas: int) -> np.ndarray:
    """Share of each commune's population living at points where `flag` is true.

    ``share_a = Σ_{i ∈ a, flag_i} P_i / Σ_{i ∈ a} P_i``, in [0, 1]; NaN where the commune's
    points hold nobody.
    """
    people = np.bincount(points.area, weights=points.population, minlength=n_areas)
    flagged = np.bincount(
        points.area, weights=np.where(flag, points.population, 0.0), minlength=n_areas
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(people > 0, flagged / people, np.nan)


def whole_percent(share: float) -> int:
    """A share as a whole percentage that says neither 0 % nor 100 % unless it is so."""
    percent = round(100 * share)
    return max(1, min(percent, 99)) if 0 < share < 1 else percent


def demand_points_summary(
    points: DemandPoints, squares: PopulationSquares | None, area_names: list[str]
) -> dict:
    """Which demand points a run used (stored with it); on squares, how many, from which
    import, and the communes without a square (counted at their centre)."""
    if squares is None or not points.n_squares:
        return {"kind": "communes"}
    return {
        "kind": "squares",
        "squares": points.n_squares,
        "sizes_m": sorted({int(size) for size in squares.size_m}),
        "population": float(squares.population.sum()),
        "source": squares.source,
        "uploaded_at": squares.uploaded_at,
        "areas_without_squares": [area_names[a] for a in points.area[points.n_squares :].tolist()],
    }


def square_results(
    points: DemandPoints,
    squares: PopulationSquares | None,
    area_codes: list[str],
    *,
    access: np.ndarray,
    nearest_km: np.ndarray,
) -> dict:
    """The result of each square as parallel lists: identifier, commune code, population,
    accessibility (per 100,000, from the points' `access`) and great-circle distance to the
    nearest place for the need (None: no such place)."""
    assert squares is not None
    n = points.n_squares
    return {
        "code": list(squares.codes),
        "area": [area_codes[a] for a in squares.area.tolist()],
        "population": squares.population.tolist(),
        "accessibility": access[:n].tolist(),
        "nearest_km": [None if np.isinf(d) else float(d) for d in nearest_km[:n]],
    }
