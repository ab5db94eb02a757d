"""Great-circle distances and the spatial index (analysis.geo)."""

import math

import numpy as np
import pytest

from analysis.geo import (
    EARTH_RADIUS_KM,
    chord_from_km,
    haversine_km,
    km_from_chord,
    nearest,
    pairs_within,
    unit_vectors,
)

BORDEAUX = (44.8378, -0.5792)
PARIS = (48.8566, 2.3522)


def random_points(rng, n, *, lat=(44.5, 45.2), lon=(-1.0, -0.2)):
    return rng.uniform(*lat, n), rng.uniform(*lon, n)


def test_bordeaux_paris_is_about_500_km():
    d = haversine_km(lat1=BORDEAUX[0], lon1=BORDEAUX[1], lat2=PARIS[0], lon2=PARIS[1])
    # Spherical law of cosines, an independent formula for the same distance.
    p1, l1, p2, l2 = map(math.radians, (*BORDEAUX, *PARIS))
    cosines = EARTH_RADIUS_KM * math.acos(
        math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(l2 - l1)
    )
    assert d == pytest.approx(cosines, rel=1e-9)
    assert 495 < d < 505  # published great-circle distance: ~499 km


def test_known_arcs():
    quarter_meridian = haversine_km(lat1=0.0, lon1=0.0, lat2=90.0, lon2=0.0)
    assert quarter_meridian == pytest.approx(math.pi * EARTH_RADIUS_KM / 2, rel=1e-12)
    antipodes = haversine_km(lat1=10.0, lon1=20.0, lat2=-10.0, lon2=-160.0)
    # The haversine loses digits near antipodes (arcsin of ~1): 1e-7 is what it can give.
    assert antipodes == pytest.approx(math.pi * EARTH_RADIUS_KM, rel=1e-7)
    across_antimeridian = haversine_km(lat1=0.0, lon1=179.5, lat2=0.0, lon2=-179.5)
    assert across_antimeridian == pytest.approx(math.radians(1.0) * EARTH_RADIUS_KM, rel=1e-9)


def test_haversine_broadcasts_to_a_matrix():
    rng = np.random.default_rng(1)
    lat1, lon1 = random_points(rng, 4)
    lat2, lon2 = random_points(rng, 3)
    m = haversine_km(lat1=lat1[:, None], lon1=lon1[:, None], lat2=lat2, lon2=lon2)
    assert m.shape == (4, 3)
    assert m[2, 1] == haversine_km(lat1=lat1[2], lon1=lon1[2], lat2=lat2[1], lon2=lon2[1])


def test_chord_and_km_are_inverse_and_match_unit_vectors():
    rng = np.random.default_rng(2)
    lat, lon = random_points(rng, 50, lat=(-80, 80), lon=(-180, 180))
    xyz = unit_vectors(lat=lat, lon=lon)
    np.testing.assert_allclose(np.linalg.norm(xyz, axis=1), 1.0, rtol=1e-15)
    chord = np.linalg.norm(xyz[:25] - xyz[25:], axis=1)
    expected = haversine_km(lat1=lat[:25], lon1=lon[:25], lat2=lat[25:], lon2=lon[25:])
    np.testing.assert_allclose(km_from_chord(chord), expected, rtol=1e-9)
    np.testing.assert_allclose(km_from_chord(chord_from_km(expected)), expected, rtol=1e-12)


def test_unit_vectors_reject_bad_latitudes():
    with pytest.raises(ValueError, match="latitudes"):
        unit_vectors(lat=[91.0], lon=[0.0])
    with pytest.raises(ValueError, match="differ in length"):
        unit_vectors(lat=[1.0, 2.0], lon=[0.0])


@pytest.mark.parametrize("workers", [1, 2])
def test_pairs_within_equals_brute_force(workers):
    rng = np.random.default_rng(3)
    lat1, lon1 = random_points(rng, 700)
    lat2, lon2 = random_points(rng, 300)
    radius = 7.5
    got = pairs_within(
        lat1=lat1, lon1=lon1, lat2=lat2, lon2=lon2, radius_km=radius, workers=workers
    )
    full = haversine_km(lat1=lat1[:, None], lon1=lon1[:, None], lat2=lat2, lon2=lon2)
    rows, cols = np.nonzero(full <= radius)
    assert got.shape == (700, 300)
    assert got.nnz == len(rows) > 1000
    coo = got.tocoo()
    assert sorted(zip(coo.row.tolist(), coo.col.tolist(), strict=True)) == sorted(
        zip(rows.tolist(), cols.tolist(), strict=True)
    )
    np.testing.assert_allclose(got.toarray()[rows, cols], full[rows, cols], rtol=1e-9)
    assert got.has_sorted_indices


def test_pairs_within_keeps_coincident_points_as_explicit_zeros():
    got = pairs_within(lat1=[45.0], lon1=[0.0], lat2=[45.0, 46.0], lon2=[0.0, 0.0], radius_km=1.0)
    assert got.nnz == 1
    assert got.indices.tolist() == [0]
    assert got.data.tolist() == [0.0]


def test_pairs_within_handles_empty_sets():
    got = pairs_within(lat1=[], lon1=[], lat2=[45.0], lon2=[0.0], radius_km=1.0)
    assert got.shape == (0, 1)
    assert got.nnz == 0


def test_nearest_equals_brute_force():
    rng = np.random.default_rng(4)
    lat, lon = random_points(rng, 200)
    plat, plon = random_points(rng, 80)
    d, j = nearest(lat=lat, lon=lon, points_lat=plat, points_lon=plon, k=3)
    full = haversine_km(lat1=lat[:, None], lon1=lon[:, None], lat2=plat, lon2=plon)
    expected_j = np.argsort(full, axis=1)[:, :3]
    np.testing.assert_array_equal(j, expected_j)
    np.testing.assert_allclose(d, np.take_along_axis(full, expected_j, axis=1), rtol=1e-9)


def test_nearest_marks_missing_neighbours():
    d, j = nearest(
        lat=[45.0],
        lon=[0.0],
        points_lat=[45.0, 45.05, 46.0],
        points_lon=[0.01, 0.0, 0.0],
        k=4,
        max_km=10.0,
    )
    assert j.tolist() == [[0, 1, -1, -1]]
    assert np.isfinite(d[0, :2]).all()
    assert np.isinf(d[0, 2:]).all()
    d, j = nearest(lat=[45.0], lon=[0.0], points_lat=[], points_lon=[], k=2)
    assert j.tolist() == [[-1, -1]]
