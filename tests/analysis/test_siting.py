"""Maximal covering location (analysis.siting): exhaustive oracle, greedy guarantee."""

import itertools
import math

import numpy as np
import pytest
from scipy import sparse

from analysis.geo import haversine_km
from analysis.siting import (
    coverage_from_distances,
    coverage_within_km,
    mclp_exact,
    mclp_greedy,
)


def exhaustive_best(coverage, demand, k):
    return max(
        demand[coverage[:, list(sites)].any(axis=1)].sum()
        for sites in itertools.combinations(range(coverage.shape[1]), k)
    )


def random_instance(rng, n, m):
    coverage = rng.random((n, m)) < rng.uniform(0.05, 0.4)
    demand = rng.integers(0, 20, n).astype(float)
    return coverage, demand


@pytest.mark.parametrize("seed", range(40))
def test_exact_equals_exhaustive_search(seed):
    rng = np.random.default_rng(seed)
    coverage, demand = random_instance(rng, int(rng.integers(5, 40)), int(rng.integers(3, 9)))
    k = int(rng.integers(1, coverage.shape[1] + 1))
    result = mclp_exact(coverage=coverage, demand=demand, k=k)
    assert result.optimal
    assert len(result.sites) == k == len(set(result.sites.tolist()))
    assert result.objective == pytest.approx(exhaustive_best(coverage, demand, k), abs=1e-9)
    assert result.objective == demand[coverage[:, result.sites].any(axis=1)].sum()
    np.testing.assert_array_equal(result.covered, coverage[:, result.sites].any(axis=1))


def test_greedy_is_within_its_guarantee_on_a_battery():
    ratios = []
    for seed in range(50):
        rng = np.random.default_rng(1000 + seed)
        coverage, demand = random_instance(rng, 60, 15)
        k = int(rng.integers(2, 8))
        exact = mclp_exact(coverage=coverage, demand=demand, k=k)
        greedy = mclp_greedy(coverage=coverage, demand=demand, k=k)
        assert exact.optimal
        assert exact.objective >= greedy.objective - 1e-9
        assert greedy.objective >= (1 - (1 - 1 / k) ** k) * exact.objective - 1e-9
        assert greedy.objective >= (1 - 1 / math.e) * exact.objective
        assert greedy.upper_bound >= exact.objective - 1e-9
        assert len(set(greedy.sites.tolist())) == k
        ratios.append(greedy.objective / exact.objective)
    assert min(ratios) < 1.0  # the battery does contain instances where greedy is not optimal


def test_greedy_misses_the_optimum_on_the_textbook_trap():
    # Sites: L covers u1..u3, R covers v1..v3, M covers u1, u2, v1, v2 and w (weight 0.5).
    # Greedy takes M (4.5) then L or R (+1) = 5.5; the optimum is L + R = 6.
    demand = np.array([1, 1, 1, 1, 1, 1, 0.5])
    coverage = np.zeros((7, 3), dtype=bool)
    coverage[[0, 1, 2], 0] = True
    coverage[[3, 4, 5], 1] = True
    coverage[[0, 1, 3, 4, 6], 2] = True
    greedy = mclp_greedy(coverage=coverage, demand=demand, k=2)
    exact = mclp_exact(coverage=coverage, demand=demand, k=2)
    assert greedy.sites.tolist() == [2, 0]
    assert greedy.objective == 5.5
    assert not greedy.optimal
    assert exact.sites.tolist() == [0, 1]
    assert exact.objective == 6.0


def test_greedy_equals_plain_greedy_without_lazy_evaluation():
    rng = np.random.default_rng(7)
    coverage, demand = random_instance(rng, 300, 50)
    covered = np.zeros(300, dtype=bool)
    plain = []
    for _ in range(10):
        gains = [demand[coverage[:, j] & ~covered].sum() for j in range(50)]
        gains = [g if j not in plain else -1.0 for j, g in enumerate(gains)]
        best = int(np.argmax(gains))  # first maximum: lowest index on ties
        plain.append(best)
        covered |= coverage[:, best]
    lazy = mclp_greedy(coverage=sparse.csr_array(coverage), demand=demand, k=10)
    assert lazy.sites.tolist() == plain


def test_zero_sites_and_uncoverable_demand():
    coverage = np.array([[True, False], [False, False]])
    none = mclp_exact(coverage=coverage, demand=[3.0, 4.0], k=0)
    assert none.objective == 0.0 and none.sites.size == 0
    one = mclp_exact(coverage=coverage, demand=[3.0, 4.0], k=1)
    assert one.objective == 3.0 and one.sites.tolist() == [0]
    assert mclp_greedy(coverage=coverage, demand=[3.0, 4.0], k=2).objective == 3.0


def test_coverage_from_coordinates_and_distances_agree():
    rng = np.random.default_rng(8)
    dlat, dlon = rng.uniform(44.7, 45.0, 200), rng.uniform(-0.8, -0.4, 200)
    slat, slon = rng.uniform(44.7, 45.0, 20), rng.uniform(-0.8, -0.4, 20)
    distance = haversine_km(lat1=dlat[:, None], lon1=dlon[:, None], lat2=slat, lon2=slon)
    from_coordinates = coverage_within_km(
        demand_lat=dlat, demand_lon=dlon, site_lat=slat, site_lon=slon, radius_km=5.0
    )
    from_dense = coverage_from_distances(distance=distance, radius=5.0)
    from_sparse = coverage_from_distances(distance=sparse.csr_array(distance), radius=5.0)
    expected = distance <= 5.0
    assert 0 < expected.sum() < expected.size
    for matrix in (from_coordinates, from_dense, from_sparse):
        np.testing.assert_array_equal(matrix.toarray(), expected)


def test_bad_inputs_say_what_is_wrong():
    coverage = np.ones((2, 3), dtype=bool)
    with pytest.raises(ValueError, match="between 0 and the 3 candidates"):
        mclp_exact(coverage=coverage, demand=[1.0, 1.0], k=4)
    with pytest.raises(ValueError, match="demand has 3 values"):
        mclp_greedy(coverage=coverage, demand=[1.0, 1.0, 1.0], k=1)
    with pytest.raises(ValueError, match="at index 1"):
        mclp_greedy(coverage=coverage, demand=[1.0, np.nan], k=1)
