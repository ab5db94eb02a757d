"""Exact MCLP objective equals spopt's ``MCLP`` (PuLP + CBC) on small instances.

Runs in .venv-peers-diag (scripts/test-peers-diagnostic.sh); the peer is imported inside the
tests, and a missing peer fails them.
"""

import warnings

import numpy as np
import pytest

from analysis.geo import haversine_km
from analysis.siting import coverage_from_distances, mclp_exact, mclp_greedy

pytestmark = pytest.mark.peers


def spopt_objective(distance, demand, *, radius, k):
    import pulp
    from spopt.locate import MCLP

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the peer's own deprecation warnings
        model = MCLP.from_cost_matrix(distance, demand, service_radius=radius, p_facilities=k)
        model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    chosen = [j for j, y in enumerate(model.fac_vars) if y.value() > 0.5]
    return float(pulp.value(model.problem.objective)), chosen


def territory(seed, n_demand, n_sites):
    rng = np.random.default_rng(seed)
    towns = np.column_stack([rng.uniform(44.6, 45.1, 8), rng.uniform(-0.9, -0.3, 8)])
    t = rng.integers(0, 8, n_demand)
    dlat = towns[t, 0] + rng.normal(0, 0.03, n_demand)
    dlon = towns[t, 1] + rng.normal(0, 0.04, n_demand)
    slat, slon = rng.uniform(44.6, 45.1, n_sites), rng.uniform(-0.9, -0.3, n_sites)
    distance = haversine_km(lat1=dlat[:, None], lon1=dlon[:, None], lat2=slat, lon2=slon)
    demand = rng.integers(1, 300, n_demand).astype(float)
    return distance, demand


@pytest.mark.parametrize(("seed", "radius", "k"), [(1, 3.0, 4), (2, 5.0, 6), (3, 8.0, 3)])
def test_exact_objective_equals_spopt(seed, radius, k):
    distance, demand = territory(seed, 300, 40)
    theirs, their_sites = spopt_objective(distance, demand, radius=radius, k=k)
    coverage = coverage_from_distances(distance=distance, radius=radius)
    ours = mclp_exact(coverage=coverage, demand=demand, k=k)
    assert ours.optimal
    assert len(their_sites) == len(ours.sites) == k
    assert ours.objective == pytest.approx(theirs, rel=1e-9)
    # spopt's chosen sites, scored our way, give the same covered demand.
    assert demand[coverage.toarray()[:, their_sites].any(axis=1)].sum() == pytest.approx(theirs)
    greedy = mclp_greedy(coverage=coverage, demand=demand, k=k)
    assert (1 - 1 / np.e) * theirs <= greedy.objective <= theirs + 1e-9
