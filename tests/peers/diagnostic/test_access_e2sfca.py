"""E2SFCA equals PySAL ``access`` (``Access.enhanced_two_stage_fca``) to 1e-9 relative.

Runs in .venv-peers-diag (scripts/test-peers-diagnostic.sh). The peer is imported inside the
tests so that collecting this file elsewhere does not break; a missing peer fails the test.
"""

import warnings

import numpy as np
import pytest

from analysis.accessibility import GaussianDecay, StepDecay, e2sfca, e2sfca_from_distances
from analysis.geo import haversine_km

pytestmark = pytest.mark.peers


def access_e2sfca(distance, capacity, population, *, max_cost, weight_fn):
    """Run the peer on a dense distance matrix; NaN where it gives no value."""
    import pandas as pd
    from access import Access

    n, m = distance.shape
    origin, dest = np.meshgrid(np.arange(n), np.arange(m), indexing="ij")
    cost_df = pd.DataFrame(
        {"origin": origin.ravel(), "dest": dest.ravel(), "cost": distance.ravel()}
    )
    demand_df = pd.DataFrame({"geoid": np.arange(n), "pop": population})
    supply_df = pd.DataFrame({"geoid": np.arange(m), "capacity": capacity})
    with warnings.catch_warnings():
        # The peer's own deprecation warnings (pandas 3 `inplace=`) are not ours to fix.
        warnings.simplefilter("ignore")
        model = Access(
            demand_df=demand_df,
            demand_index="geoid",
            demand_value="pop",
            supply_df=supply_df,
            supply_index="geoid",
            supply_value="capacity",
            cost_df=cost_df,
            cost_origin="origin",
            cost_dest="dest",
            cost_name="cost",
        )
        out = model.enhanced_two_stage_fca(name="e2sfca", max_cost=max_cost, weight_fn=weight_fn)
    return out["e2sfca_capacity"].reindex(np.arange(n)).to_numpy(dtype=float)


def clustered(rng, n, towns):
    k = rng.integers(0, len(towns), n)
    return towns[k, 0] + rng.normal(0, 0.05, n), towns[k, 1] + rng.normal(0, 0.07, n)


def assert_same_as_access(ours, theirs):
    # access leaves demand points with no place within reach out (NaN); Maillage gives 0.
    reached = ~np.isnan(theirs)
    assert reached.sum() > 0.5 * len(theirs)
    np.testing.assert_array_equal(ours[~reached], 0.0)
    np.testing.assert_allclose(ours[reached], theirs[reached], rtol=1e-9, atol=0)


def test_hand_example_equals_access():
    from access import weights

    distance = np.array([[2.0, 8.0], [7.0, 3.0], [19.0, 9.0]])
    population = np.array([100.0, 200.0, 300.0])
    capacity = np.array([2.0, 1.0])
    theirs = access_e2sfca(
        distance, capacity, population, max_cost=10.0, weight_fn=weights.step_fn({5: 1, 10: 0.5})
    )
    ours = e2sfca_from_distances(
        distance=distance,
        capacity=capacity,
        population=population,
        max_distance=10.0,
        decay=StepDecay(breaks=(5.0, 10.0), weights=(1.0, 0.5)),
    )
    np.testing.assert_allclose(theirs, [0.01125, 0.0075, 0.00125], rtol=1e-12)
    np.testing.assert_allclose(ours.score, theirs, rtol=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_default_step_decay_on_coordinates_equals_access(seed):
    from access import weights

    rng = np.random.default_rng(seed)
    towns = np.column_stack([rng.uniform(44.5, 45.3, 6), rng.uniform(-1.2, 0.0, 6)])
    dlat, dlon = clustered(rng, 400, towns)
    slat, slon = clustered(rng, 60, towns)
    population = rng.gamma(2.0, 60.0, 400)
    capacity = rng.uniform(0.1, 3.0, 60)
    ours = e2sfca(
        supply_lat=slat,
        supply_lon=slon,
        capacity=capacity,
        demand_lat=dlat,
        demand_lon=dlon,
        population=population,
        radius_km=10.0,
    )
    distance = haversine_km(lat1=dlat[:, None], lon1=dlon[:, None], lat2=slat, lon2=slon)
    theirs = access_e2sfca(
        distance,
        capacity,
        population,
        max_cost=10.0,
        weight_fn=weights.step_fn({10 / 3: 1.0, 20 / 3: 0.68, 10.0: 0.22}),
    )
    assert ours.n_pairs == int((distance <= 10.0).sum())
    assert_same_as_access(ours.score, theirs)


def test_gaussian_decay_equals_access():
    from access import weights

    rng = np.random.default_rng(4)
    towns = np.column_stack([rng.uniform(44.5, 45.3, 4), rng.uniform(-1.2, 0.0, 4)])
    dlat, dlon = clustered(rng, 300, towns)
    slat, slon = clustered(rng, 40, towns)
    population = rng.gamma(2.0, 60.0, 300)
    capacity = rng.uniform(0.1, 3.0, 40)
    ours = e2sfca(
        supply_lat=slat,
        supply_lon=slon,
        capacity=capacity,
        demand_lat=dlat,
        demand_lon=dlon,
        population=population,
        radius_km=15.0,
        decay=GaussianDecay(sigma=6.0),
    )
    distance = haversine_km(lat1=dlat[:, None], lon1=dlon[:, None], lat2=slat, lon2=slon)
    theirs = access_e2sfca(
        distance, capacity, population, max_cost=15.0, weight_fn=weights.gaussian(6.0)
    )
    assert_same_as_access(ours.score, theirs)


def test_travel_time_matrix_equals_access():
    from access import weights

    rng = np.random.default_rng(5)
    minutes = rng.uniform(0.0, 60.0, (150, 25))
    population = rng.integers(0, 500, 150).astype(float)
    capacity = rng.uniform(0.5, 2.0, 25)
    ours = e2sfca_from_distances(
        distance=minutes,
        capacity=capacity,
        population=population,
        max_distance=30.0,
        decay=StepDecay(breaks=(10.0, 20.0, 30.0), weights=DEFAULT_WEIGHTS),
    )
    theirs = access_e2sfca(
        minutes,
        capacity,
        population,
        max_cost=30.0,
        weight_fn=weights.step_fn({10: 1.0, 20: 0.68, 30: 0.22}),
    )
    assert_same_as_access(ours.score, theirs)


DEFAULT_WEIGHTS = (1.0, 0.68, 0.22)
