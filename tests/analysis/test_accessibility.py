"""E2SFCA accessibility (analysis.accessibility): hand example, naive oracle, invariants."""

import math

import numpy as np
import pytest
from scipy import sparse

from analysis.accessibility import (
    DEFAULT_STEP_WEIGHTS,
    GaussianDecay,
    StepDecay,
    e2sfca,
    e2sfca_from_distances,
    supply_capacity,
)
from analysis.geo import EARTH_RADIUS_KM, haversine_km

# Hand example: 3 demand points, 2 places, radius 10, zones (0, 5] → 1 and (5, 10] → 0.5.
#   distances      place 1  place 2        weights   place 1  place 2
#   demand 1 (100)    2        8                        1       0.5
#   demand 2 (200)    7        3                        0.5     1
#   demand 3 (300)   19        9                        0       0.5
#   D_1 = 100 + 100 = 200          R_1 = 2 / 200 = 0.01
#   D_2 = 50 + 200 + 150 = 400     R_2 = 1 / 400 = 0.0025
#   A = [0.01 + 0.00125, 0.005 + 0.0025, 0.00125]
HAND_DISTANCE = np.array([[2.0, 8.0], [7.0, 3.0], [19.0, 9.0]])
HAND_POPULATION = np.array([100.0, 200.0, 300.0])
HAND_CAPACITY = np.array([2.0, 1.0])
HAND_DECAY = StepDecay(breaks=(5.0, 10.0), weights=(1.0, 0.5))
HAND_SCORE = [0.01125, 0.0075, 0.00125]


def km_along_equator(km):
    return np.degrees(np.asarray(km, dtype=float) / EARTH_RADIUS_KM)


def naive_e2sfca(distance, capacity, population, radius, weight):
    """O(n·m) loops straight from Luo & Qi's definition: the oracle."""
    n, m = distance.shape
    demand_at = [0.0] * m
    for j in range(m):
        for i in range(n):
            if distance[i, j] <= radius:
                demand_at[j] += population[i] * weight(distance[i, j])
    ratio = [capacity[j] / demand_at[j] if demand_at[j] > 0 else 0.0 for j in range(m)]
    score = [0.0] * n
    for i in range(n):
        for j in range(m):
            if distance[i, j] <= radius:
                score[i] += ratio[j] * weight(distance[i, j])
    return np.array(score), np.array(ratio), np.array(demand_at)


def step_weight(breaks, weights):
    def weight(d):
        for b, w in zip(breaks, weights, strict=True):
            if d <= b:
                return w
        return 0.0

    return weight


def clustered_points(rng, n, *, centres=5, spread_km=6.0):
    """Points around a few towns; the towns are the same in every call (seed 0)."""
    towns = np.random.default_rng(0)
    clat = towns.uniform(44.6, 45.1, centres)
    clon = towns.uniform(-0.9, -0.3, centres)
    k = rng.integers(0, centres, n)
    lat = clat[k] + rng.normal(0, spread_km / 111.2, n)
    lon = clon[k] + rng.normal(0, spread_km / 79.0, n)
    return lat, lon


def random_case(seed, n_demand, n_supply):
    """Seeded demand and places around the same towns, as keyword arguments of `e2sfca`,
    with their full great-circle distance matrix (the oracles' input)."""
    rng = np.random.default_rng(seed)
    dlat, dlon = clustered_points(rng, n_demand)
    slat, slon = clustered_points(rng, n_supply)
    case = {
        "supply_lat": slat,
        "supply_lon": slon,
        "capacity": rng.uniform(0.5, 3.0, n_supply),
        "demand_lat": dlat,
        "demand_lon": dlon,
        "population": rng.gamma(2.0, 50.0, n_demand),
    }
    distance = haversine_km(lat1=dlat[:, None], lon1=dlon[:, None], lat2=slat, lon2=slon)
    return case, distance


def test_hand_example_from_a_distance_matrix():
    result = e2sfca_from_distances(
        distance=HAND_DISTANCE,
        capacity=HAND_CAPACITY,
        population=HAND_POPULATION,
        max_distance=10.0,
        decay=HAND_DECAY,
    )
    np.testing.assert_allclose(result.catchment_demand, [200.0, 400.0], rtol=1e-15)
    np.testing.assert_allclose(result.supply_ratio, [0.01, 0.0025], rtol=1e-15)
    np.testing.assert_allclose(result.score, HAND_SCORE, rtol=1e-14)
    assert result.n_pairs == 5


def test_hand_example_on_coordinates():
    # Places at 0 and 10 km along the equator, people at 2, 7 and 19 km: the same distances.
    result = e2sfca(
        supply_lat=[0.0, 0.0],
        supply_lon=km_along_equator([0.0, 10.0]),
        capacity=HAND_CAPACITY,
        demand_lat=[0.0, 0.0, 0.0],
        demand_lon=km_along_equator([2.0, 7.0, 19.0]),
        population=HAND_POPULATION,
        radius_km=10.0,
        decay=HAND_DECAY,
    )
    np.testing.assert_allclose(result.score, HAND_SCORE, rtol=1e-12)
    assert result.n_pairs == 5


def test_sparse_matrix_input_uses_stored_entries_only():
    stored = sparse.csr_array(HAND_DISTANCE * (HAND_DISTANCE <= 10))
    result = e2sfca_from_distances(
        distance=stored,
        capacity=HAND_CAPACITY,
        population=HAND_POPULATION,
        max_distance=10.0,
        decay=HAND_DECAY,
    )
    np.testing.assert_allclose(result.score, HAND_SCORE, rtol=1e-14)


def test_default_decay_is_luo_qi_on_three_equal_zones():
    decay = StepDecay.equal_zones(radius=10.0)
    assert decay.weights == DEFAULT_STEP_WEIGHTS == (1.0, 0.68, 0.22)
    np.testing.assert_allclose(decay.breaks, [10 / 3, 20 / 3, 10.0])
    np.testing.assert_array_equal(
        decay([0.0, 10 / 3, 3.4, 6.7, 10.0, 10.01]), [1, 1, 0.68, 0.22, 0.22, 0]
    )


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("chunk_size", [7, 4096, None])
def test_matches_naive_oracle_on_random_points(workers, chunk_size):
    rng = np.random.default_rng(11)
    dlat, dlon = clustered_points(rng, 240)
    slat, slon = clustered_points(rng, 40)
    population = rng.gamma(2.0, 50.0, 240)
    population[:5] = 0.0
    capacity = rng.uniform(0.0, 3.0, 40)
    result = e2sfca(
        supply_lat=slat,
        supply_lon=slon,
        capacity=capacity,
        demand_lat=dlat,
        demand_lon=dlon,
        population=population,
        radius_km=8.0,
        chunk_size=chunk_size,
        workers=workers,
    )
    distance = haversine_km(lat1=dlat[:, None], lon1=dlon[:, None], lat2=slat, lon2=slon)
    decay = StepDecay.equal_zones(radius=8.0)
    score, ratio, demand_at = naive_e2sfca(
        distance, capacity, population, 8.0, step_weight(decay.breaks, decay.weights)
    )
    assert result.n_pairs == int((distance <= 8.0).sum()) > 1000
    assert (score == 0).any() and (score > 0).any()  # some people have no place within reach
    np.testing.assert_allclose(result.catchment_demand, demand_at, rtol=1e-12)
    np.testing.assert_allclose(result.supply_ratio, ratio, rtol=1e-12)
    np.testing.assert_allclose(result.score, score, rtol=1e-12, atol=0)


def test_gaussian_decay_matches_naive_oracle():
    case, distance = random_case(12, 150, 30)
    decay = GaussianDecay(sigma=4.0)
    result = e2sfca(**case, radius_km=10.0, decay=decay, chunk_size=50)
    capacity, population = case["capacity"], case["population"]
    score, _, _ = naive_e2sfca(
        distance, capacity, population, 10.0, lambda d: math.exp(-d * d / 32.0)
    )
    np.testing.assert_allclose(result.score, score, rtol=1e-9)
    from_matrix = e2sfca_from_distances(
        distance=distance,
        capacity=capacity,
        population=population,
        max_distance=10.0,
        decay=decay,
    )
    np.testing.assert_allclose(from_matrix.score, score, rtol=1e-12)


def test_capacity_is_conserved():
    # Σ_i P_i A_i = Σ_j R_j D_j = Σ_j S_j over places somebody can reach.
    rng = np.random.default_rng(13)
    dlat, dlon = clustered_points(rng, 500)
    slat, slon = clustered_points(rng, 60, centres=8, spread_km=20.0)
    population = rng.gamma(2.0, 50.0, 500)
    capacity = rng.uniform(0.5, 3.0, 60)
    result = e2sfca(
        supply_lat=slat,
        supply_lon=slon,
        capacity=capacity,
        demand_lat=dlat,
        demand_lon=dlon,
        population=population,
    )
    reached = result.catchment_demand > 0
    assert (~reached).any() and reached.any()
    assert population @ result.score == pytest.approx(capacity[reached].sum(), rel=1e-12)
    assert (result.supply_ratio[~reached] == 0).all()


def test_many_zones_match_the_distance_matrix_path():
    # More zones than a byte can count: the zone codes must not wrap around.
    case, distance = random_case(15, 400, 60)
    decay = StepDecay.equal_zones(radius=8.0, weights=np.linspace(1.0, 0.01, 300))
    result = e2sfca(**case, radius_km=8.0, decay=decay, chunk_size=50)
    expected = e2sfca_from_distances(
        distance=distance,
        capacity=case["capacity"],
        population=case["population"],
        max_distance=8.0,
        decay=decay,
    )
    assert len(np.unique(decay(distance[distance <= 8.0]))) > 255
    np.testing.assert_allclose(result.score, expected.score, rtol=1e-12)
    np.testing.assert_allclose(result.catchment_demand, expected.catchment_demand, rtol=1e-12)


def test_results_do_not_depend_on_threads():
    rng = np.random.default_rng(14)
    dlat, dlon = clustered_points(rng, 3000)
    slat, slon = clustered_points(rng, 300)
    kwargs = {
        "supply_lat": slat,
        "supply_lon": slon,
        "capacity": np.ones(300),
        "demand_lat": dlat,
        "demand_lon": dlon,
        "population": np.ones(3000),
        "chunk_size": 100,
    }
    one = e2sfca(**kwargs, workers=1)
    two = e2sfca(**kwargs, workers=2)
    np.testing.assert_array_equal(one.score, two.score)


def test_empty_inputs_give_zero_accessibility():
    result = e2sfca(
        supply_lat=[],
        supply_lon=[],
        capacity=[],
        demand_lat=[45.0],
        demand_lon=[0.0],
        population=[10.0],
    )
    assert result.score.tolist() == [0.0]


def test_bad_inputs_say_what_is_wrong():
    with pytest.raises(ValueError, match=r"population .* index 1"):
        e2sfca_from_distances(
            distance=HAND_DISTANCE,
            capacity=HAND_CAPACITY,
            population=[1.0, -2.0, 3.0],
            max_distance=10.0,
        )
    with pytest.raises(ValueError, match="capacity has 3 values"):
        e2sfca_from_distances(
            distance=HAND_DISTANCE,
            capacity=[1.0, 2.0, 3.0],
            population=HAND_POPULATION,
            max_distance=10.0,
        )
    with pytest.raises(ValueError, match="strictly increasing"):
        StepDecay(breaks=(5.0, 5.0), weights=(1.0, 0.5))
    with pytest.raises(ValueError, match="sigma"):
        GaussianDecay(sigma=0.0)


def test_supply_capacity_from_hours_and_stars():
    capacity = supply_capacity(
        weekly_hours=[35.0, 17.5, 70.0, 0.0],
        service_stars=[[3, 3], [3, 0], [1, 2], [3, 3]],
    )
    np.testing.assert_allclose(capacity, [1.0, 0.25, 1.0, 0.0])
    offered = supply_capacity(weekly_hours=[35.0, 35.0], service_stars=[True, False])
    np.testing.assert_allclose(offered, [1.0, 0.0])
    np.testing.assert_allclose(supply_capacity(weekly_hours=[7.0]), [0.2])
    with pytest.raises(ValueError, match=r"0\.\.3"):
        supply_capacity(weekly_hours=[35.0], service_stars=[[4]])
    with pytest.raises(ValueError, match="weekly_hours"):
        supply_capacity(weekly_hours=[200.0])
