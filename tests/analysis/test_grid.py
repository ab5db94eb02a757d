"""European grid squares (analysis.grid): EPSG:3035 both ways, INSPIRE identifiers."""

import doctest

import numpy as np
import pytest

import analysis.grid
from analysis.grid import (
    CellIdError,
    cell_centres,
    laea_europe_from_latlon,
    latlon_from_laea_europe,
)

# (easting, northing) → (lat, lon) as PROJ 9 gives them (pyproj, EPSG:3035 → EPSG:4326).
PROJ_REFERENCES = [
    (3486200.0, 2473300.0, 44.83785632942333, -0.5789656303394889),
    (3210500.0, 2029900.0, 40.49870406217639, -3.1108900544404303),
    (2635000.0, 1390000.0, 33.75751461152676, -8.158603265461645),
    (5500000.0, 4200000.0, 59.31478403019176, 31.016162041906373),
    (4321000.0, 3210000.0, 52.0, 10.0),
]


def test_forward_matches_the_epsg_guidance_note_example():
    # EPSG guidance note 7-2, method 9820 example: 50° N 5° E.
    easting, northing = laea_europe_from_latlon(lat=50.0, lon=5.0)
    assert easting == pytest.approx(3962799.45, abs=0.005)
    assert northing == pytest.approx(2999718.85, abs=0.005)


@pytest.mark.parametrize(("easting", "northing", "lat", "lon"), PROJ_REFERENCES)
def test_inverse_matches_proj(easting, northing, lat, lon):
    got_lat, got_lon = latlon_from_laea_europe(easting=easting, northing=northing)
    assert got_lat == pytest.approx(lat, abs=1e-8)
    assert got_lon == pytest.approx(lon, abs=1e-12)


def test_round_trip_over_europe():
    rng = np.random.default_rng(1)
    lat = rng.uniform(35.0, 70.0, 1000)
    lon = rng.uniform(-10.0, 30.0, 1000)
    back_lat, back_lon = latlon_from_laea_europe(
        **dict(zip(("easting", "northing"), laea_europe_from_latlon(lat=lat, lon=lon), strict=True))
    )
    np.testing.assert_allclose(back_lat, lat, atol=1e-8)
    np.testing.assert_allclose(back_lon, lon, atol=1e-10)


def test_cell_ids_in_insee_geostat_and_eea_forms():
    lat, lon, size = cell_centres(
        [
            "CRS3035RES200mN2473200E3486000",  # INSEE: central Bordeaux
            "1kmN2029E3210",  # GEOSTAT
            " crs3035res1000mN2029000E3210000 ",
            "1kmE3210N2029",  # EEA reference grid: E first
            "10kmN202E321",  # short form: the corner in units of the size
        ]
    )
    np.testing.assert_array_equal(size, [200.0, 1000.0, 1000.0, 1000.0, 10000.0])
    expected = latlon_from_laea_europe(
        easting=[3486100.0, 3210500.0, 3210500.0, 3210500.0, 3215000.0],
        northing=[2473300.0, 2029500.0, 2029500.0, 2029500.0, 2025000.0],
    )
    np.testing.assert_array_equal(lat, expected[0])
    np.testing.assert_array_equal(lon, expected[1])
    # The square holds the point it was named after (Bordeaux, 44.8378 N 0.5792 W).
    easting, northing = laea_europe_from_latlon(lat=44.8378, lon=-0.5792)
    assert 3486000 <= easting < 3486200 and 2473200 <= northing < 2473400


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "CRS3035RES200mN2473200",
        "200mN2473200E3486100x",
        "CRS3035RES0mN1E1",
        "0kmN1E1",
        "33063",
        "CRS3035RES200mN2473200E3486100",  # a corner off the 200 m grid: a mistyped id
    ],
)
def test_bad_cell_id_names_its_position(bad):
    with pytest.raises(CellIdError) as caught:
        cell_centres(["1kmN2029E3210", bad])
    assert caught.value.position == 1 and caught.value.value == bad.strip()


def test_off_grid_corner_says_so():
    with pytest.raises(CellIdError, match="not on the 200 m grid"):
        cell_centres(["CRS3035RES200mN2473200E3486100"])


def test_no_ids_give_empty_arrays():
    lat, lon, size = cell_centres([])
    assert lat.shape == lon.shape == size.shape == (0,)


def test_docstring_examples_run():
    assert doctest.testmod(analysis.grid).failed == 0
