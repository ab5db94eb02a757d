"""Where to go: the maximal covering location problem (MCLP), exact and greedy.

Church & ReVelle (1974). Demand points ``i`` with weight ``a_i`` (fragile population), candidate
sites ``j`` (commune centres, markets, social-housing addresses, wifi points), coverage sets
``N_i = {j : d_ij <= S}`` for a service distance ``S``; choose ``k`` sites:

.. math::

    \\max \\sum_i a_i x_i \\quad \\text{s.t.} \\quad
    x_i \\le \\sum_{j \\in N_i} y_j \\;\\; \\forall i, \\qquad
    \\sum_j y_j = k, \\qquad y_j \\in \\{0, 1\\}, \\; 0 \\le x_i \\le 1.

* :func:`mclp_exact` solves it with HiGHS through :func:`scipy.optimize.milp` (no new
  dependency). ``x`` may stay continuous: for integer ``y`` the best ``x_i`` is
  ``min(1, Σ y_j)``, already 0 or 1. Demand points with the same coverage set are merged
  (their weights added) and points no candidate covers are dropped before solving.
* :func:`mclp_greedy` adds, k times, the site that covers the most still-uncovered demand
  (lazy evaluation, Minoux 1978). Covered demand is a monotone submodular function of the
  set of sites, so the greedy value is at least ``1 − (1 − 1/k)^k ≥ 1 − 1/e ≈ 0.632`` of the
  optimum (Nemhauser, Wolsey & Fisher 1978); in practice it is usually within a few percent.

Both choose exactly ``k`` sites (as spopt's ``MCLP`` does). Coverage is a boolean sparse
matrix (demand × candidates), built by :func:`coverage_within_km` from coordinates or by
:func:`coverage_from_distances` from a distance or travel-time matrix.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import optimize, sparse

from analysis.geo import pairs_within

__all__ = [
    "Siting",
    "coverage_from_distances",
    "coverage_within_km",
    "mclp_exact",
    "mclp_greedy",
]

if TYPE_CHECKING:
    from scipy.optimize._milp import _OptionsMILP as MilpOptions
    from scipy.sparse._base import _spbase

    # Any 2-D scipy.sparse array or matrix (their common base).
    SparseMatrix: TypeAlias = _spbase[Any, tuple[int, int]]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: Greedy's worst-case share of the optimum, 1 − 1/e.
GREEDY_GUARANTEE = 1.0 - 1.0 / math.e


@dataclass(frozen=True)
class Siting:
    """A choice of sites and what it covers.

    Attributes
    ----------
    sites : numpy.ndarray of intp, shape (k,)
        Indices of the chosen candidates (greedy: in the order chosen; exact: increasing).
    covered : numpy.ndarray of bool, shape (n_demand,)
        Whether each demand point is within reach of a chosen site.
    objective : float
        Covered demand, ``Σ a_i`` over covered points.
    upper_bound : float
        A proven upper bound on the best possible objective (exact: the solver's dual
        bound, equal to ``objective`` when solved to optimality; greedy: the tightest of
        ``objective / (1 − 1/e)`` and the data-dependent bounds of lazy greedy).
    optimal : bool
        ``True`` when the objective is proven optimal.
    """

    sites: IntArray
    covered: BoolArray
    objective: float
    upper_bound: float
    optimal: bool


def coverage_within_km(
    *,
    demand_lat: npt.ArrayLike,
    demand_lon: npt.ArrayLike,
    site_lat: npt.ArrayLike,
    site_lon: npt.ArrayLike,
    radius_km: float,
) -> sparse.csr_array:
    """Coverage matrix from coordinates: demand ``i`` is covered by site ``j`` within a radius.

    Parameters
    ----------
    demand_lat, demand_lon : array_like, shape (n_demand,)
        Demand points, decimal degrees.
    site_lat, site_lon : array_like, shape (n_sites,)
        Candidate sites, decimal degrees.
    radius_km : float
        Service distance ``S`` in km of great-circle distance (``d_ij <= S`` covers).

    Returns
    -------
    scipy.sparse.csr_array of bool, shape (n_demand, n_sites)
    """
    distance = pairs_within(
        lat1=demand_lat, lon1=demand_lon, lat2=site_lat, lon2=site_lon, radius_km=radius_km
    )
    return sparse.csr_array(
        (np.ones(distance.nnz, dtype=bool), distance.indices, distance.indptr),
        shape=distance.shape,
    )


def coverage_from_distances(
    *, distance: npt.ArrayLike | SparseMatrix, radius: float
) -> sparse.csr_array:
    """Coverage matrix from a distance or travel-time matrix (``d_ij <= radius`` covers).

    Parameters
    ----------
    distance : array_like or scipy.sparse array/matrix, shape (n_demand, n_sites)
        Dense: ``inf``/``nan`` is no route. Sparse: only stored entries are routes.
    radius : float
        Service distance, in the unit of ``distance``.

    Returns
    -------
    scipy.sparse.csr_array of bool, shape (n_demand, n_sites)
    """
    if sparse.issparse(distance):
        coo = sparse.coo_array(distance)
        keep = coo.data <= radius
        return sparse.csr_array(
            (np.ones(int(keep.sum()), dtype=bool), (coo.row[keep], coo.col[keep])),
            shape=coo.shape,
        )
    dense = np.asarray(distance, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return sparse.csr_array(dense <= radius)


def _check_problem(
    coverage: SparseMatrix | npt.ArrayLike, demand: npt.ArrayLike, k: int
) -> tuple[sparse.csr_array, FloatArray]:
    cover: sparse.csr_array[np.bool_, tuple[int, int]]
    if sparse.issparse(coverage):
        cover = sparse.csr_array(coverage).astype(bool)
    else:
        cover = sparse.csr_array(np.asarray(coverage), dtype=bool)
    cover.sum_duplicates()
    cover.eliminate_zeros()
    weights = np.asarray(demand, dtype=np.float64).ravel()
    n_demand, n_sites = cover.shape
    if weights.size != n_demand:
        raise ValueError(f"demand has {weights.size} values for {n_demand} coverage rows")
    bad = np.flatnonzero(~np.isfinite(weights) | (weights < 0))
    if bad.size:
        raise ValueError(
            f"demand must be finite and non-negative; value {weights[bad[0]]!r} at index {bad[0]}"
        )
    if not 0 <= k <= n_sites:
        raise ValueError(f"k must be between 0 and the {n_sites} candidates, got {k}")
    return cover, weights


def _covered_by(cover: sparse.csr_array, sites: IntArray) -> BoolArray:
    chosen = np.zeros(cover.shape[1], dtype=bool)
    chosen[sites] = True
    return np.asarray(cover.astype(np.int32) @ chosen.astype(np.int32) > 0)


def mclp_exact(
    *,
    coverage: SparseMatrix | npt.ArrayLike,
    demand: npt.ArrayLike,
    k: int,
    time_limit_s: float | None = None,
) -> Siting:
    """Optimal MCLP by mixed-integer programming (HiGHS via :func:`scipy.optimize.milp`).

    Solved to a zero relative gap. Size the problem with care: the number of binary variables
    is the number of candidates, and hard instances grow exponentially; for thousands of
    candidates use :func:`mclp_greedy`, or set ``time_limit_s`` and read ``optimal`` and
    ``upper_bound``.

    Parameters
    ----------
    coverage : sparse or dense boolean matrix, shape (n_demand, n_sites)
        ``coverage[i, j]`` is true when site ``j`` covers demand point ``i``.
    demand : array_like of float, shape (n_demand,)
        ``a_i``, weight of each demand point (for example its fragile population), ``>= 0``.
    k : int
        Number of sites to choose, ``0 <= k <= n_sites``.
    time_limit_s : float, optional
        Stop the solver after this many seconds and return the best solution found.

    Returns
    -------
    Siting
    """
    cover, weights = _check_problem(coverage, demand, k)
    n_demand, n_sites = cover.shape
    if k == 0 or cover.nnz == 0:
        sites = np.arange(k, dtype=np.intp)
        covered = _covered_by(cover, sites)
        value = float(weights[covered].sum())
        return Siting(sites, covered, value, value, True)

    # Merge demand points with identical coverage sets; drop the ones nobody covers.
    cover.sort_indices()
    groups: dict[bytes, int] = {}
    group_of = np.full(n_demand, -1, dtype=np.intp)
    first: list[np.integer] = []  # one demand point standing for each group
    for i in np.flatnonzero((np.diff(cover.indptr) > 0) & (weights > 0)):
        key = cover.indices[cover.indptr[i] : cover.indptr[i + 1]].tobytes()
        group_of[i] = groups.setdefault(key, len(groups))
        if group_of[i] == len(first):
            first.append(i)
    n_groups = len(groups)
    kept = group_of >= 0
    group_weight = np.bincount(group_of[kept], weights=weights[kept], minlength=n_groups)
    group_cover = cover[np.asarray(first, dtype=np.intp)].astype(np.float64)

    # Variables: y (n_sites, binary) then x (n_groups, continuous in [0, 1]).
    c = np.concatenate([np.zeros(n_sites), -group_weight])
    link = sparse.hstack([-group_cover, sparse.eye_array(n_groups)], format="csr")
    budget = sparse.csr_array(np.concatenate([np.ones(n_sites), np.zeros(n_groups)])[None, :])
    constraints = [
        optimize.LinearConstraint(link, -np.inf, 0.0),
        optimize.LinearConstraint(budget, k, k),
    ]
    integrality = np.concatenate([np.ones(n_sites), np.zeros(n_groups)])
    options: MilpOptions = {"mip_rel_gap": 0.0, "disp": False}
    if time_limit_s is not None:
        options["time_limit"] = float(time_limit_s)
    result = optimize.milp(
        c,
        integrality=integrality,
        bounds=optimize.Bounds(0.0, 1.0),
        constraints=constraints,
        options=options,
    )
    if result.x is None:
        raise RuntimeError(f"MCLP solver found no solution: {result.message}")
    sites = np.flatnonzero(result.x[:n_sites] > 0.5).astype(np.intp)
    covered = _covered_by(cover, sites)
    value = float(weights[covered].sum())
    optimal = result.status == 0
    bound = value if optimal else max(value, -float(result.mip_dual_bound))
    return Siting(sites, covered, value, bound, optimal)


def mclp_greedy(
    *,
    coverage: SparseMatrix | npt.ArrayLike,
    demand: npt.ArrayLike,
    k: int,
) -> Siting:
    """Greedy MCLP with lazy evaluation: at least ``1 − 1/e`` of the optimum.

    At each of the ``k`` rounds, take the site whose not-yet-covered demand is largest (ties:
    lowest index). Gains only shrink as sites are added (submodularity), so a gain computed in
    an earlier round is an upper bound: sites are kept in a heap by their last known gain and
    only the top one is re-evaluated until it stays on top (Minoux's accelerated greedy), which
    gives the same choice as the plain greedy in far fewer evaluations.

    Guarantee (Nemhauser, Wolsey & Fisher 1978): ``objective >= (1 − (1 − 1/k)^k) × optimum
    >= (1 − 1/e) × optimum``. ``upper_bound`` reports the tighter of ``objective / (1 − 1/e)``
    and ``f(S) + (sum of the k largest gain bounds)``, valid after any round.

    Parameters
    ----------
    coverage : sparse or dense boolean matrix, shape (n_demand, n_sites)
        ``coverage[i, j]`` is true when site ``j`` covers demand point ``i``.
    demand : array_like of float, shape (n_demand,)
        ``a_i``, weight of each demand point, ``>= 0``.
    k : int
        Number of sites to choose, ``0 <= k <= n_sites``.

    Returns
    -------
    Siting
    """
    cover, weights = _check_problem(coverage, demand, k)
    by_site = sparse.csc_array(cover)
    indptr, indices = by_site.indptr, by_site.indices
    gain0 = np.asarray(by_site.astype(np.float64).T @ weights)
    heap = [(-float(g), j) for j, g in enumerate(gain0)]
    heapq.heapify(heap)
    # Before any choice, OPT <= the k largest single-site gains.
    bound = float(np.sort(gain0)[::-1][:k].sum())
    covered = np.zeros(cover.shape[0], dtype=bool)
    sites: list[int] = []
    value = 0.0
    while len(sites) < k:
        _, j = heapq.heappop(heap)
        rows = indices[indptr[j] : indptr[j + 1]]
        fresh = rows[~covered[rows]]
        gain = float(weights[fresh].sum())
        if heap and (gain < -heap[0][0] or (gain == -heap[0][0] and j > heap[0][1])):
            heapq.heappush(heap, (-gain, j))
            continue
        sites.append(j)
        covered[fresh] = True
        value += gain
    if heap:
        bound = min(bound, value + sum(-g for g, _ in heapq.nsmallest(k, heap)))
    else:
        bound = min(bound, value)
    bound = min(bound, value / GREEDY_GUARANTEE) if value > 0 else bound
    value = float(weights[covered].sum())
    bound = max(bound, value)
    return Siting(np.asarray(sites, dtype=np.intp), covered, value, bound, bound <= value)
