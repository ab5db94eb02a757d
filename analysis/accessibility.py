"""Spatial accessibility of the offer: enhanced two-step floating catchment area (E2SFCA).

Luo & Qi (2009). For supply points ``j`` (places) with capacity ``S_j``, demand points ``i``
(areas or population cells) with population ``P_i``, distances ``d_ij`` and a decay weight
``w(d)`` that is zero beyond the catchment radius ``d_0``:

.. math::

    D_j = \\sum_{i:\\, d_{ij} \\le d_0} P_i \\, w(d_{ij}), \\qquad
    R_j = \\frac{S_j}{D_j}, \\qquad
    A_i = \\sum_{j:\\, d_{ij} \\le d_0} R_j \\, w(d_{ij}).

``D_j`` is the demand weighing on place ``j`` (people, decay-weighted), ``R_j`` the capacity
per person at ``j`` and ``A_i`` the capacity per person reachable from ``i``: with capacity in
"full-time-equivalent places" (:func:`supply_capacity`), ``A_i × 100,000`` reads "places per
100,000 inhabitants". The definitions follow PySAL ``access``
(``Access.enhanced_two_stage_fca``) exactly, and the peer test checks it; two choices differ
where ``access`` returns no number:

* a demand point with no place within reach gets ``A_i = 0`` (``access`` leaves it out);
* a place with nobody within reach (``D_j = 0``) gets ``R_j = 0`` (``access`` divides by 0).

Defaults (Maillage's choice, see ``docs/methods/accessibility.md``): catchment radius
:data:`DEFAULT_RADIUS_KM` = 10 km of great-circle distance, cut in three equal zones with
Luo & Qi's weights 1, 0.68 and 0.22 (:meth:`StepDecay.equal_zones`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.spatial import cKDTree

from analysis.geo import (
    DEFAULT_CHUNK_SIZE,
    chord_from_km,
    iter_pair_chunks,
    km_from_chord,
    spatial_order,
    unit_vectors,
)

__all__ = [
    "DEFAULT_RADIUS_KM",
    "DEFAULT_STEP_WEIGHTS",
    "Accessibility",
    "GaussianDecay",
    "StepDecay",
    "e2sfca",
    "e2sfca_from_distances",
    "supply_capacity",
]

#: Default catchment radius, km of great-circle distance.
DEFAULT_RADIUS_KM = 10.0
#: Luo & Qi (2009) zone weights (Gaussian decay, β = 100, read at the zones' mid-points).
DEFAULT_STEP_WEIGHTS = (1.0, 0.68, 0.22)
#: Demand points per chunk with a stepwise decay: small enough that a chunk's pairs stay in
#: the processor's cache between their search and their reduction. On the regional benchmark
#: (docs/benchmarks.md) 384, 512 and 768 were equally fast, 256 took 20 % and 128 40 % more.
STEP_CHUNK_SIZE = 512
#: Weekly opening hours of one "full-time-equivalent" place (the French legal week).
REFERENCE_WEEKLY_HOURS = 35.0

if TYPE_CHECKING:
    from scipy.sparse._base import _spbase

    # Any 2-D scipy.sparse array or matrix (their common base).
    SparseMatrix: TypeAlias = _spbase[Any, tuple[int, int]]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
# The pairs of one chunk (analysis.geo.iter_pair_chunks): a record array of fields
# i (chunk-local query index), j (tree index) and v (chord length).
Pairs = np.ndarray
T = TypeVar("T")


@dataclass(frozen=True)
class StepDecay:
    """Stepwise distance decay: weight ``weights[k]`` for ``breaks[k-1] < d <= breaks[k]``.

    Distances beyond the last break weigh 0 (as ``access.weights.step_fn``).

    Attributes
    ----------
    breaks : tuple of float
        Increasing upper bounds of the zones, in the unit of the distances (km by default).
    weights : tuple of float
        Non-negative weight of each zone, same length as ``breaks``.
    """

    breaks: tuple[float, ...]
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        b = np.asarray(self.breaks, dtype=np.float64)
        w = np.asarray(self.weights, dtype=np.float64)
        if b.ndim != 1 or b.size == 0 or b.shape != w.shape:
            raise ValueError(
                f"breaks and weights must be non-empty and of equal length, got {self.breaks} "
                f"and {self.weights}"
            )
        if np.any(np.diff(b) <= 0) or b[0] <= 0:
            raise ValueError(f"breaks must be positive and strictly increasing, got {self.breaks}")
        if np.any(w < 0) or not np.all(np.isfinite(w)):
            raise ValueError(f"weights must be finite and non-negative, got {self.weights}")

    @classmethod
    def equal_zones(
        cls, *, radius: float, weights: Sequence[float] = DEFAULT_STEP_WEIGHTS
    ) -> StepDecay:
        """Zones of equal width up to ``radius`` (Luo & Qi's layout: 0–10, 10–20, 20–30 min).

        ``StepDecay.equal_zones(radius=10)`` has breaks 10/3, 20/3 and 10 km.
        """
        n = len(weights)
        return cls(
            breaks=tuple(radius * (k + 1) / n for k in range(n)),
            weights=tuple(float(w) for w in weights),
        )

    def __call__(self, distance: npt.ArrayLike) -> FloatArray:
        """Weights for distances (same unit as ``breaks``)."""
        table = np.asarray((*self.weights, 0.0))
        return table[np.searchsorted(self.breaks, np.asarray(distance, np.float64), side="left")]


@dataclass(frozen=True)
class GaussianDecay:
    """Continuous Gaussian decay ``w(d) = exp(-d² / (2 σ²))`` (``access.weights.gaussian``).

    Still cut at the catchment radius: pairs farther than the radius weigh 0. With
    ``sigma = radius / 2`` the weight at the radius is ``e⁻² ≈ 0.135``.

    Attributes
    ----------
    sigma : float
        Width, in the unit of the distances (km by default).
    """

    sigma: float

    def __post_init__(self) -> None:
        if not self.sigma > 0:
            raise ValueError(f"sigma must be positive, got {self.sigma}")

    def __call__(self, distance: npt.ArrayLike) -> FloatArray:
        """Weights for distances (same unit as ``sigma``)."""
        d = np.asarray(distance, np.float64)
        return np.exp(-(d * d) / (2.0 * self.sigma**2))


Decay = StepDecay | GaussianDecay


@dataclass(frozen=True)
class Accessibility:
    """Result of an E2SFCA run.

    Attributes
    ----------
    score : numpy.ndarray, shape (n_demand,)
        ``A_i``: capacity per person reachable from each demand point (capacity units per
        person; 0 where no place is within reach).
    supply_ratio : numpy.ndarray, shape (n_supply,)
        ``R_j = S_j / D_j``: capacity per person at each place (0 where ``D_j = 0``).
    catchment_demand : numpy.ndarray, shape (n_supply,)
        ``D_j``: decay-weighted population within reach of each place.
    n_pairs : int
        Number of (demand, supply) pairs within the catchment radius.
    """

    score: FloatArray
    supply_ratio: FloatArray
    catchment_demand: FloatArray
    n_pairs: int


def supply_capacity(
    *,
    weekly_hours: npt.ArrayLike,
    service_stars: npt.ArrayLike | None = None,
    max_stars: float = 3.0,
    reference_weekly_hours: float = REFERENCE_WEEKLY_HOURS,
) -> FloatArray:
    """Capacity of places for one need, from opening hours and the services they offer.

    .. math::

        S_j = \\frac{h_j}{h_{ref}} \\times \\frac{1}{|N|} \\sum_{s \\in N}
              \\frac{\\text{stars}_{js}}{\\text{max\\_stars}}

    where ``h_j`` is the weekly opening time of place ``j``, ``N`` the services that serve
    the chosen need (the columns of ``service_stars``) and ``stars_js`` the place's
    self-assessed level for service ``s`` (0 = not offered). A place open 35 h a week offering
    every service of the need at the top level counts 1 ("one full-time-equivalent place").

    Parameters
    ----------
    weekly_hours : array_like of float, shape (n,)
        Opening hours per week of each place (from its OSM ``opening_hours``), ``>= 0``.
    service_stars : array_like of float, shape (n,) or (n, n_services), optional
        Stars of each place for each service of the need; booleans are accepted (offered or
        not, counted as top level). ``None``: every place offers the need fully.
    max_stars : float
        Top of the star scale (default 3).
    reference_weekly_hours : float
        Hours per week of one full-time-equivalent place (default 35).

    Returns
    -------
    numpy.ndarray of float64, shape (n,)
        Capacity in full-time-equivalent places.
    """
    hours = np.asarray(weekly_hours, dtype=np.float64)
    if np.any(~np.isfinite(hours)) or np.any(hours < 0) or np.any(hours > 168):
        raise ValueError("weekly_hours must be finite and within 0..168 hours")
    if service_stars is None:
        level = np.ones_like(hours)
    else:
        stars = np.asarray(service_stars)
        if stars.dtype == bool:
            stars = stars.astype(np.float64) * max_stars
        stars = np.asarray(stars, dtype=np.float64)
        if stars.ndim == 1:
            stars = stars[:, None]
        if stars.shape[0] != hours.shape[0]:
            raise ValueError(f"service_stars has {stars.shape[0]} rows for {hours.shape[0]} places")
        if np.any(~np.isfinite(stars)) or np.any(stars < 0) or np.any(stars > max_stars):
            raise ValueError(f"service_stars must be within 0..{max_stars}")
        level = stars.mean(axis=1) / max_stars
    return hours / reference_weekly_hours * level


def _check_weights(name: str, values: npt.ArrayLike, n: int | None = None) -> FloatArray:
    array = np.asarray(values, dtype=np.float64).ravel()
    if n is not None and array.size != n:
        raise ValueError(f"{name} has {array.size} values, expected {n}")
    bad = np.flatnonzero(~np.isfinite(array) | (array < 0))
    if bad.size:
        raise ValueError(
            f"{name} must be finite and non-negative; first bad value {array[bad[0]]!r} "
            f"at index {bad[0]}"
        )
    return array


def _weighted_bincount(
    index: npt.NDArray[np.integer], weights: FloatArray, minlength: int = 0
) -> FloatArray:
    # np.bincount with weights returns float64; numpy's stubs say intp whatever the weights.
    return np.bincount(index, weights=weights, minlength=minlength).astype(np.float64, copy=False)


def _ratio(capacity: FloatArray, catchment_demand: FloatArray) -> FloatArray:
    ratio = np.zeros_like(capacity)
    np.divide(capacity, catchment_demand, out=ratio, where=catchment_demand > 0)
    return ratio


def e2sfca(
    *,
    supply_lat: npt.ArrayLike,
    supply_lon: npt.ArrayLike,
    capacity: npt.ArrayLike,
    demand_lat: npt.ArrayLike,
    demand_lon: npt.ArrayLike,
    population: npt.ArrayLike,
    radius_km: float = DEFAULT_RADIUS_KM,
    decay: Decay | None = None,
    chunk_size: int | None = None,
    workers: int = 2,
) -> Accessibility:
    """Enhanced two-step floating catchment area on great-circle distances.

    See the module docstring for the formulas. Pairs within ``radius_km`` are found with a
    k-d tree on unit vectors (:mod:`analysis.geo`), by chunks of ``chunk_size`` demand points
    in spatial order, ``workers`` chunks at a time. With a :class:`StepDecay` the pairs are
    reduced in cache right after their search and kept between the two steps as 6 bytes each
    (chunk-local demand index, place and zone), so memory grows as about 6 bytes × pairs
    (265 million pairs: ~1.6 GB); with a continuous decay the pairs are searched again in
    the second step instead of kept.

    Zones are compared in chord space (``c ≤ 2 sin(b / 2R)`` ⇔ ``d ≤ b``): a pair lying
    within ~1e-12 km of a break may fall on either side of it.

    Parameters
    ----------
    supply_lat, supply_lon : array_like of float, shape (n_supply,)
        Places, decimal degrees.
    capacity : array_like of float, shape (n_supply,)
        ``S_j``, capacity of each place (:func:`supply_capacity`), ``>= 0``.
    demand_lat, demand_lon : array_like of float, shape (n_demand,)
        Demand points (area centroids or population cells), decimal degrees.
    population : array_like of float, shape (n_demand,)
        ``P_i``, population (or fragile population) of each demand point, ``>= 0``.
    radius_km : float
        Catchment radius ``d_0`` in km (default 10).
    decay : StepDecay or GaussianDecay, optional
        Distance decay in km; default ``StepDecay.equal_zones(radius=radius_km)``: weights
        1, 0.68, 0.22 on three equal zones.
    chunk_size : int, optional
        Demand points per chunk (at most 65,535); default :data:`STEP_CHUNK_SIZE` with a
        stepwise decay, ``analysis.geo.DEFAULT_CHUNK_SIZE`` with a continuous one.
    workers : int
        Threads (default 2, the cores of the reference machine).

    Returns
    -------
    Accessibility
        ``score`` (``A_i``), ``supply_ratio`` (``R_j``), ``catchment_demand`` (``D_j``) and
        the number of pairs.
    """
    if not radius_km > 0:
        raise ValueError(f"radius_km must be positive, got {radius_km}")
    decay = StepDecay.equal_zones(radius=radius_km) if decay is None else decay
    supply_xyz = unit_vectors(lat=supply_lat, lon=supply_lon)
    demand_xyz = unit_vectors(lat=demand_lat, lon=demand_lon)
    n_supply, n_demand = len(supply_xyz), len(demand_xyz)
    cap = _check_weights("capacity", capacity, n_supply)
    pop = _check_weights("population", population, n_demand)
    if n_supply == 0 or n_demand == 0:
        return Accessibility(np.zeros(n_demand), np.zeros(n_supply), np.zeros(n_supply), 0)

    chord_radius = float(chord_from_km(radius_km))
    if isinstance(decay, StepDecay):
        if chunk_size is None:
            chunk_size = STEP_CHUNK_SIZE
        return _e2sfca_steps(
            supply_xyz=supply_xyz,
            capacity=cap,
            demand_xyz=demand_xyz,
            population=pop,
            chord_radius=chord_radius,
            decay=decay,
            chunk_size=chunk_size,
            workers=workers,
        )

    if chunk_size is None:
        chunk_size = DEFAULT_CHUNK_SIZE
    tree = cKDTree(supply_xyz, balanced_tree=False)

    def weighted_pairs(pairs: Pairs) -> tuple[IntArray, IntArray, FloatArray]:
        w = decay(km_from_chord(pairs["v"]))
        return pairs["i"], pairs["j"], w

    def first_pass(rows: IntArray, pairs: Pairs) -> tuple[FloatArray, int]:
        i, j, w = weighted_pairs(pairs)
        return _weighted_bincount(j, pop[rows][i] * w, n_supply), len(i)

    catchment = np.zeros(n_supply)
    n_pairs = 0
    for chunk_catchment, chunk_pairs in iter_pair_chunks(
        query_xyz=demand_xyz,
        tree=tree,
        chord_radius=chord_radius,
        func=first_pass,
        chunk_size=chunk_size,
        workers=workers,
    ):
        catchment += chunk_catchment
        n_pairs += chunk_pairs
    ratio = _ratio(cap, catchment)
    score = np.zeros(n_demand)

    def second_pass(rows: IntArray, pairs: Pairs) -> None:
        i, j, w = weighted_pairs(pairs)
        score[rows] = np.bincount(i, weights=ratio[j] * w, minlength=len(rows))

    for _ in iter_pair_chunks(
        query_xyz=demand_xyz,
        tree=tree,
        chord_radius=chord_radius,
        func=second_pass,
        chunk_size=chunk_size,
        workers=workers,
    ):
        pass
    return Accessibility(score, ratio, catchment, n_pairs)


def _e2sfca_steps(
    *,
    supply_xyz: FloatArray,
    capacity: FloatArray,
    demand_xyz: FloatArray,
    population: FloatArray,
    chord_radius: float,
    decay: StepDecay,
    chunk_size: int,
    workers: int,
) -> Accessibility:
    """E2SFCA with a stepwise decay: the pairs are found once and kept, 6 bytes each.

    Each pair is reduced to its chunk-local demand index (``uint16``) and a code
    ``(place − first place of the chunk) × n_codes + zone`` (``int32``), where the zone
    counts the chord breaks the pair lies beyond (zone ``len(breaks)`` weighs 0). Step one
    bins population by code, step two gathers ``R_j × w_zone`` by code.

    Speed comes from two orders. Demand chunks are small (:data:`STEP_CHUNK_SIZE` points,
    some 60,000 pairs), so a chunk's pairs are still in the processor's cache when they are
    reduced right after the search. Places are numbered in spatial order, so the places
    near one chunk have nearby numbers and the chunk bins into a short range of codes
    instead of all of them.
    """
    n_supply, n_demand = len(supply_xyz), len(demand_xyz)
    chord_breaks = chord_from_km(np.asarray(decay.breaks))
    table = np.asarray((*decay.weights, 0.0))
    n_codes = len(table)
    if n_supply * n_codes >= 2**31:
        raise ValueError(f"too many places for one run: {n_supply}")
    zone_dtype = np.uint8 if n_codes <= np.iinfo(np.uint8).max else np.int32
    # With two threads, the demand is put in order while the places' order and tree are built.
    with ThreadPoolExecutor(max_workers=1) if workers > 1 else nullcontext() as pool:
        demand_order_soon = pool.submit(spatial_order, demand_xyz) if pool else None
        supply_order = spatial_order(supply_xyz)
        tree = cKDTree(supply_xyz[supply_order], balanced_tree=False)
        demand_order = (
            demand_order_soon.result() if demand_order_soon else spatial_order(demand_xyz)
        )

    def first_step(
        rows: IntArray, pairs: Pairs
    ) -> tuple[int, FloatArray, IntArray, npt.NDArray[np.uint16], npt.NDArray[np.int32]]:
        place = pairs["j"]
        low = int(place.min()) if len(place) else 0
        chord = pairs["v"].copy()  # contiguous: the comparisons below read it faster
        zone = (chord > chord_breaks[0]).astype(zone_dtype)
        for chord_break in chord_breaks[1:]:
            zone += chord > chord_break
        # np.bincount holds the GIL: it is given intp indices, so that it does not convert
        # them under the lock; the casts to the stored 6 bytes run without it.
        code = place - low
        code *= n_codes
        code += zone
        local = pairs["i"]
        binned = _weighted_bincount(code, population[rows].take(local))
        return low * n_codes, binned, rows, local.astype(np.uint16), code.astype(np.int32)

    binned = np.zeros(n_supply * n_codes)
    chunks: list[tuple[int, IntArray, npt.NDArray[np.uint16], npt.NDArray[np.int32]]] = []
    for base, chunk_binned, rows, local, code in iter_pair_chunks(
        query_xyz=demand_xyz,
        tree=tree,
        chord_radius=chord_radius,
        func=first_step,
        chunk_size=chunk_size,
        workers=workers,
        order=demand_order,
    ):
        # Added in chunk order, whatever thread computed them: the sums do not depend on threads.
        binned[base : base + len(chunk_binned)] += chunk_binned
        chunks.append((base, rows, local, code))
    catchment_sorted = binned.reshape(n_supply, n_codes) @ table
    ratio_sorted = _ratio(capacity[supply_order], catchment_sorted)
    ratio_by_code = np.outer(ratio_sorted, table).ravel()
    score = np.zeros(n_demand)

    def second_step(
        chunk: tuple[int, IntArray, npt.NDArray[np.uint16], npt.NDArray[np.int32]],
    ) -> None:
        base, rows, local, code = chunk
        weights = ratio_by_code[base:].take(code.astype(np.intp))
        score[rows] = np.bincount(local.astype(np.intp), weights=weights, minlength=len(rows))

    _run_in_threads(second_step, chunks, workers)
    catchment = np.empty(n_supply)
    catchment[supply_order] = catchment_sorted
    ratio = np.empty(n_supply)
    ratio[supply_order] = ratio_sorted
    return Accessibility(score, ratio, catchment, sum(len(c[2]) for c in chunks))


def _run_in_threads(func: Callable[[T], None], items: Sequence[T], workers: int) -> None:
    if workers <= 1 or len(items) <= 1:
        for item in items:
            func(item)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(func, items))


def e2sfca_from_distances(
    *,
    distance: npt.ArrayLike | SparseMatrix,
    capacity: npt.ArrayLike,
    population: npt.ArrayLike,
    max_distance: float,
    decay: Decay | None = None,
) -> Accessibility:
    """Enhanced two-step floating catchment area on a caller-supplied distance or time matrix.

    Use it with road distances or travel times (minutes: then ``max_distance`` and the
    decay are in minutes too). Formulas as in the module docstring.

    Parameters
    ----------
    distance : array_like or scipy.sparse array/matrix, shape (n_demand, n_supply)
        Dense: every finite entry is a route; ``inf`` or ``nan`` means no route.
        Sparse: only **stored** entries are routes (an explicit stored 0 is a route of
        length 0; an implicit zero is no route).
    capacity : array_like of float, shape (n_supply,)
        ``S_j``, ``>= 0``.
    population : array_like of float, shape (n_demand,)
        ``P_i``, ``>= 0``.
    max_distance : float
        Catchment cut-off ``d_0``: pairs with ``distance <= max_distance`` count.
    decay : StepDecay or GaussianDecay, optional
        Default ``StepDecay.equal_zones(radius=max_distance)``.

    Returns
    -------
    Accessibility
    """
    decay = StepDecay.equal_zones(radius=max_distance) if decay is None else decay
    if sparse.issparse(distance):
        coo = sparse.coo_array(distance)
        n_demand, n_supply = coo.shape
        rows: npt.NDArray[np.integer] = coo.row
        cols: npt.NDArray[np.integer] = coo.col
        d = np.asarray(coo.data, dtype=np.float64)
        keep = np.isfinite(d) & (d <= max_distance)
        rows, cols, d = rows[keep], cols[keep], d[keep]
    else:
        dense = np.asarray(distance, dtype=np.float64)
        if dense.ndim != 2:
            raise ValueError(f"distance must be 2-D (n_demand, n_supply), got {dense.shape}")
        n_demand, n_supply = dense.shape
        with np.errstate(invalid="ignore"):
            rows, cols = np.nonzero(dense <= max_distance)
        d = dense[rows, cols]
    if np.any(d < 0):
        raise ValueError("distances must be non-negative")
    cap = _check_weights("capacity", capacity, n_supply)
    pop = _check_weights("population", population, n_demand)
    w = decay(d)
    catchment = _weighted_bincount(cols, pop[rows] * w, n_supply)
    ratio = _ratio(cap, catchment)
    score = _weighted_bincount(rows, ratio[cols] * w, n_demand)
    return Accessibility(score, ratio, catchment, len(d))
