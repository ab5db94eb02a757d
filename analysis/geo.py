"""Great-circle distances and a spatial index for points given as latitude/longitude.

Every distance here is a great-circle distance on a sphere of radius
:data:`EARTH_RADIUS_KM` (the IUGG mean Earth radius), in kilometres. Points are WGS84
latitude/longitude in decimal degrees; the ellipsoid is ignored (error below 0.5 %, far
below the uncertainty of "walking or driving 10 km").

The spatial index is a :class:`scipy.spatial.cKDTree` on 3-D unit vectors. On the unit
sphere the straight-line (chord) distance ``c`` and the great-circle distance ``d`` of two
points are tied by a monotone relation,

.. math:: c = 2 \\sin\\left(\\frac{d}{2R}\\right), \\qquad d = 2R \\arcsin\\left(\\frac{c}{2}\\right),

so "all pairs within ``r`` km" is exactly "all pairs within chord ``c(r)``" in 3-D, with no
distortion near the poles or across the antimeridian. The same functions serve the
diagnostic (catchments, accessibility, siting) and the directory's "near me" search.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.spatial import cKDTree

__all__ = [
    "EARTH_RADIUS_KM",
    "chord_from_km",
    "haversine_km",
    "iter_pair_chunks",
    "km_from_chord",
    "nearest",
    "pairs_within",
    "spatial_order",
    "unit_vectors",
]

#: Mean Earth radius (IUGG, R1 = (2a + b) / 3), in kilometres.
EARTH_RADIUS_KM = 6371.0088

#: Largest number of query points handled at once by :func:`pairs_within`; bounds memory
#: (each pair found costs 24 bytes while a chunk is processed) and fits ``uint16`` indices.
DEFAULT_CHUNK_SIZE = 4_096

ArrayLike = npt.ArrayLike
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
T = TypeVar("T")


def haversine_km(
    *, lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> FloatArray:
    """Great-circle distance between points, in kilometres (haversine formula).

    Inputs broadcast against each other like any numpy operation: pass ``lat1[:, None]``
    and ``lat2[None, :]`` for a full distance matrix.

    .. math::

        h = \\sin^2\\frac{\\varphi_2 - \\varphi_1}{2}
            + \\cos\\varphi_1 \\cos\\varphi_2 \\sin^2\\frac{\\lambda_2 - \\lambda_1}{2},
        \\qquad d = 2R \\arcsin\\sqrt{h}

    Parameters
    ----------
    lat1, lon1 : array_like of float
        First points, latitude and longitude in decimal degrees (WGS84).
    lat2, lon2 : array_like of float
        Second points, same units; broadcast against the first.

    Returns
    -------
    numpy.ndarray of float64
        Distances in kilometres, with the broadcast shape of the inputs.
    """
    phi1 = np.radians(np.asarray(lat1, dtype=np.float64))
    phi2 = np.radians(np.asarray(lat2, dtype=np.float64))
    dphi = phi2 - phi1
    dlam = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    h = np.sin(dphi / 2.0) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam / 2.0) ** 2
    # Rounding can push h a hair above 1 for antipodal points.
    distance: FloatArray = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    return distance


def unit_vectors(*, lat: ArrayLike, lon: ArrayLike) -> FloatArray:
    """Cartesian unit vectors of points on the sphere.

    Parameters
    ----------
    lat, lon : array_like of float, shape (n,)
        Latitude and longitude in decimal degrees.

    Returns
    -------
    numpy.ndarray of float64, shape (n, 3)
        ``(cos φ cos λ, cos φ sin λ, sin φ)`` for each point.
    """
    phi = np.radians(np.asarray(lat, dtype=np.float64)).ravel()
    lam = np.radians(np.asarray(lon, dtype=np.float64)).ravel()
    if phi.shape != lam.shape:
        raise ValueError(f"lat and lon differ in length: {phi.size} != {lam.size}")
    if phi.size and (np.nanmax(np.abs(phi)) > np.pi / 2 or not np.all(np.isfinite(phi + lam))):
        raise ValueError("latitudes must be finite and within [-90, 90] degrees")
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def chord_from_km(distance_km: ArrayLike) -> FloatArray:
    """Chord length on the unit sphere for a great-circle distance in km.

    ``c = 2 sin(d / (2R))``; distances beyond half the circumference give the diameter, 2.
    """
    d = np.minimum(np.asarray(distance_km, dtype=np.float64), np.pi * EARTH_RADIUS_KM)
    return 2.0 * np.sin(d / (2.0 * EARTH_RADIUS_KM))


def km_from_chord(chord: ArrayLike) -> FloatArray:
    """Great-circle distance in km for a chord length on the unit sphere.

    ``d = 2R arcsin(c / 2)``, the inverse of :func:`chord_from_km`.
    """
    c = np.clip(np.asarray(chord, dtype=np.float64), 0.0, 2.0)
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(c / 2.0)


def spatial_order(xyz: FloatArray) -> IntArray:
    """A permutation that puts nearby points next to each other (k-d tree leaf order).

    Contiguous slices of the permuted points are compact in space, so per-slice trees are
    tight and per-slice queries touch few branches of the other tree.
    """
    if len(xyz) == 0:
        return np.arange(0, dtype=np.intp)
    return cKDTree(xyz, leafsize=64, balanced_tree=False, copy_data=False).indices


def iter_pair_chunks(
    *,
    query_xyz: FloatArray,
    tree: cKDTree,
    chord_radius: float,
    func: Callable[[IntArray, np.ndarray], T],
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    workers: int = 2,
    order: IntArray | None = None,
) -> Iterator[T]:
    """Apply ``func`` to all pairs (query point, tree point) within a chord radius, by chunks.

    Query points are put in spatial order (:func:`spatial_order`) and cut into chunks of at
    most ``chunk_size`` points; each chunk gets its own small tree, is matched against
    ``tree`` with :meth:`cKDTree.sparse_distance_matrix` (C++, releases the GIL) and handed
    to ``func``, which should reduce the pairs to what the caller needs. ``workers`` chunks
    run in parallel threads; results come back in chunk order, so anything summed from them
    does not depend on thread timing. Memory is bounded by ``workers`` chunks of pairs
    (24 bytes a pair) plus what ``func`` keeps.

    Parameters
    ----------
    query_xyz : numpy.ndarray, shape (n, 3)
        Unit vectors of the query points (:func:`unit_vectors`).
    tree : scipy.spatial.cKDTree
        Index of the other points' unit vectors.
    chord_radius : float
        Chord length on the unit sphere (:func:`chord_from_km`).
    func : callable ``(rows, pairs) -> T``
        ``rows`` (intp, shape (n_chunk,)) are the indices into ``query_xyz`` of the chunk's
        points; ``pairs`` is a structured array with fields ``i`` (position in ``rows``),
        ``j`` (index of the tree point) and ``v`` (chord length), in no particular order.
    chunk_size : int
        Query points per chunk, at most 65,535 (so that ``i`` fits ``uint16``).
    workers : int
        Threads used to process chunks concurrently.
    order : numpy.ndarray of intp, shape (n,), optional
        The query points' spatial order, when the caller computed it already
        (``spatial_order(query_xyz)``).

    Yields
    ------
    T
        ``func``'s result for each chunk, in chunk order.
    """
    if not 0 < chunk_size <= 65_535:
        raise ValueError(f"chunk_size must be in 1..65535, got {chunk_size}")
    if order is None:
        order = spatial_order(query_xyz)

    def run(start: int) -> T:
        rows = order[start : start + chunk_size]
        chunk_tree = cKDTree(query_xyz[rows], leafsize=16, balanced_tree=False)
        pairs = chunk_tree.sparse_distance_matrix(tree, chord_radius, output_type="ndarray")
        return func(rows, pairs)

    starts = range(0, len(order), chunk_size)
    if workers <= 1 or len(starts) <= 1:
        for start in starts:
            yield run(start)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # At most 8 × workers chunks in flight: memory stays bounded however many chunks, and
        # a slow chunk at the head of the queue does not leave the other threads idle.
        in_flight: deque[Future[T]] = deque()
        for start in starts:
            in_flight.append(pool.submit(run, start))
            if len(in_flight) >= 8 * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


def pairs_within(
    *,
    lat1: ArrayLike,
    lon1: ArrayLike,
    lat2: ArrayLike,
    lon2: ArrayLike,
    radius_km: float,
    workers: int = 2,
) -> sparse.csr_array:
    """Great-circle distances of all pairs of points closer than a radius.

    Parameters
    ----------
    lat1, lon1 : array_like of float, shape (n1,)
        First set of points (rows of the result), decimal degrees.
    lat2, lon2 : array_like of float, shape (n2,)
        Second set of points (columns of the result), decimal degrees.
    radius_km : float
        Search radius in kilometres; a pair is kept when its distance is ``<= radius_km``.
    workers : int
        Threads used for the search (default 2).

    Returns
    -------
    scipy.sparse.csr_array of float64, shape (n1, n2)
        ``out[i, j]`` is the distance in km between point ``i`` of the first set and point
        ``j`` of the second, stored for every pair within ``radius_km`` and only for them;
        column indices are sorted within each row. Coincident points are stored as
        **explicit zeros**: iterate over ``out.indptr``/``out.indices`` (or ``out.tocoo()``)
        rather than ``out.nonzero()``, which drops them.

    Examples
    --------
    Places within 5 km of a person in Bordeaux, nearest first:

    >>> m = pairs_within(lat1=[44.8378], lon1=[-0.5792], lat2=[44.84, 44.9, 45.5],
    ...                  lon2=[-0.58, -0.6, -0.6], radius_km=5.0)
    >>> row = m[[0], :].tocoo()
    >>> [int(j) for j in row.col[np.argsort(row.data)]]
    [0]
    """
    if not radius_km >= 0:
        raise ValueError(f"radius_km must be a non-negative number, got {radius_km}")
    xyz1 = unit_vectors(lat=lat1, lon=lon1)
    xyz2 = unit_vectors(lat=lat2, lon=lon2)
    n1, n2 = len(xyz1), len(xyz2)
    # Inflate the chord radius by a few ulps and filter on the exact distance afterwards, so
    # the boundary follows the km radius, not the rounding of its chord.
    chord = float(chord_from_km(radius_km)) * (1.0 + 1e-12)
    tree = cKDTree(xyz2, balanced_tree=False)

    def keep_within(rows: IntArray, pairs: np.ndarray) -> tuple[IntArray, IntArray, FloatArray]:
        d = km_from_chord(pairs["v"])
        keep = d <= radius_km
        return rows[pairs["i"][keep]], pairs["j"][keep].astype(np.intp), d[keep]

    parts = list(
        iter_pair_chunks(
            query_xyz=xyz1, tree=tree, chord_radius=chord, func=keep_within, workers=workers
        )
    )
    rows_parts = [p[0] for p in parts]
    cols_parts = [p[1] for p in parts]
    dist_parts = [p[2] for p in parts]
    rows_all = np.concatenate(rows_parts) if rows_parts else np.empty(0, np.intp)
    cols_all = np.concatenate(cols_parts) if cols_parts else np.empty(0, np.intp)
    dist_all = np.concatenate(dist_parts) if dist_parts else np.empty(0)
    order = np.lexsort((cols_all, rows_all))
    indptr = np.zeros(n1 + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows_all, minlength=n1), out=indptr[1:])
    index_dtype = np.int32 if max(n2, len(order)) < 2**31 else np.int64
    return sparse.csr_array(
        (dist_all[order], cols_all[order].astype(index_dtype), indptr.astype(index_dtype)),
        shape=(n1, n2),
    )


def nearest(
    *,
    lat: ArrayLike,
    lon: ArrayLike,
    points_lat: ArrayLike,
    points_lon: ArrayLike,
    k: int = 1,
    max_km: float | None = None,
    workers: int = 1,
) -> tuple[FloatArray, IntArray]:
    """The ``k`` nearest points of a set to each query point.

    Parameters
    ----------
    lat, lon : array_like of float, shape (n,)
        Query points, decimal degrees.
    points_lat, points_lon : array_like of float, shape (m,)
        Points searched (for example the directory's places), decimal degrees.
    k : int
        Number of neighbours wanted for each query point.
    max_km : float, optional
        Ignore points farther than this many kilometres.
    workers : int
        Threads used by the tree query (``-1``: all cores).

    Returns
    -------
    distance_km : numpy.ndarray of float64, shape (n, k)
        Great-circle distances in km, nearest first; ``inf`` where fewer than ``k`` points
        exist (within ``max_km``).
    index : numpy.ndarray of intp, shape (n, k)
        Indices into ``points_lat``; ``-1`` where ``distance_km`` is ``inf``.

    Examples
    --------
    >>> d, j = nearest(lat=[44.8378], lon=[-0.5792], points_lat=[48.8566, 44.84],
    ...                points_lon=[2.3522, -0.58], k=2)
    >>> j.tolist(), round(float(d[0, 0]), 2)
    ([[1, 0]], 0.24)
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    query_xyz = unit_vectors(lat=lat, lon=lon)
    points_xyz = unit_vectors(lat=points_lat, lon=points_lon)
    n = len(query_xyz)
    if len(points_xyz) == 0:
        return np.full((n, k), np.inf), np.full((n, k), -1, dtype=np.intp)
    bound = np.inf if max_km is None else float(chord_from_km(max_km)) * (1.0 + 1e-12)
    tree = cKDTree(points_xyz)
    chord, index = tree.query(
        query_xyz, k=[*range(1, k + 1)], distance_upper_bound=bound, workers=workers
    )
    found = np.isfinite(chord)
    distance = np.where(found, km_from_chord(np.where(found, chord, 0.0)), np.inf)
    if max_km is not None:
        found &= distance <= max_km
        distance[~found] = np.inf
    index = np.where(found, index, -1).astype(np.intp)
    return distance, index
