"""Population grids: the European statistical grid (INSPIRE) and its projection, ETRS89-LAEA.

France's gridded population (INSEE "données carroyées", Filosofi: 200 m and 1 km squares) and
Eurostat's GEOSTAT grid (1 km) name each square by its lower-left corner in ETRS89-LAEA Europe
(EPSG:3035), for example ``CRS3035RES200mN2473200E3486000`` (the 200 m square of central
Bordeaux, whose corner is at northing 2,473,200 m, easting 3,486,000 m) or ``1kmN2473E3486``
(1 km, corner in km).
:func:`cell_centres` reads such identifiers and returns the squares' centres in latitude and
longitude, so that the squares can serve as demand points of the accessibility
(:mod:`analysis.accessibility`) like communes do.

The projection is the ellipsoidal Lambert azimuthal equal-area of EPSG guidance note 7-2
(method 9820) on GRS80, centred at 52° N 10° E, false easting 4,321,000 m and false northing
3,210,000 m; the inverse uses the note's series for the latitude from the authalic latitude
(error below 1e-8 degree, about 1 mm, tested against the note's example and PROJ's values).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

__all__ = [
    "CellIdError",
    "cell_centres",
    "laea_europe_from_latlon",
    "latlon_from_laea_europe",
]

FloatArray = npt.NDArray[np.float64]

# EPSG:3035: GRS80 ellipsoid, natural origin 52° N 10° E.
_A = 6_378_137.0
_F = 1.0 / 298.257222101
_E2 = _F * (2.0 - _F)
_E = np.sqrt(_E2)
_LAT0 = np.radians(52.0)
_LON0 = np.radians(10.0)
_FALSE_EASTING = 4_321_000.0
_FALSE_NORTHING = 3_210_000.0


def _q(sin_lat: FloatArray | float) -> FloatArray:
    s = np.asarray(sin_lat, dtype=np.float64)
    q: FloatArray = (1.0 - _E2) * (
        s / (1.0 - _E2 * s * s) - np.log((1.0 - _E * s) / (1.0 + _E * s)) / (2.0 * _E)
    )
    return q


_QP = float(_q(1.0))
_Q0 = float(_q(np.sin(_LAT0)))
_RQ = _A * np.sqrt(_QP / 2.0)
_BETA0 = np.arcsin(_Q0 / _QP)
_D = _A * (np.cos(_LAT0) / np.sqrt(1.0 - _E2 * np.sin(_LAT0) ** 2)) / (_RQ * np.cos(_BETA0))


def laea_europe_from_latlon(
    *, lat: npt.ArrayLike, lon: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Project WGS84/ETRS89 latitude and longitude (degrees) to ETRS89-LAEA (EPSG:3035).

    Returns
    -------
    easting, northing : numpy.ndarray of float64
        Metres, with the broadcast shape of the inputs.
    """
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    dlam = np.radians(np.asarray(lon, dtype=np.float64)) - _LON0
    beta = np.arcsin(_q(np.sin(phi)) / _QP)
    b = _RQ * np.sqrt(
        2.0 / (1.0 + np.sin(_BETA0) * np.sin(beta) + np.cos(_BETA0) * np.cos(beta) * np.cos(dlam))
    )
    easting = _FALSE_EASTING + b * _D * np.cos(beta) * np.sin(dlam)
    northing = _FALSE_NORTHING + (b / _D) * (
        np.cos(_BETA0) * np.sin(beta) - np.sin(_BETA0) * np.cos(beta) * np.cos(dlam)
    )
    return easting, northing


def latlon_from_laea_europe(
    *, easting: npt.ArrayLike, northing: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Latitude and longitude (degrees, ETRS89 ≈ WGS84) of ETRS89-LAEA coordinates (metres).

    Returns
    -------
    lat, lon : numpy.ndarray of float64
        Degrees, with the broadcast shape of the inputs.
    """
    x = np.asarray(easting, dtype=np.float64) - _FALSE_EASTING
    y = np.asarray(northing, dtype=np.float64) - _FALSE_NORTHING
    rho = np.hypot(x / _D, _D * y)
    c = 2.0 * np.arcsin(rho / (2.0 * _RQ))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(rho > 0, _D * y * np.sin(c) * np.cos(_BETA0) / rho, 0.0)
    beta = np.arcsin(np.cos(c) * np.sin(_BETA0) + ratio)
    e4, e6 = _E2 * _E2, _E2 * _E2 * _E2
    phi = (
        beta
        + (_E2 / 3.0 + 31.0 * e4 / 180.0 + 517.0 * e6 / 5040.0) * np.sin(2.0 * beta)
        + (23.0 * e4 / 360.0 + 251.0 * e6 / 3780.0) * np.sin(4.0 * beta)
        + (761.0 * e6 / 45360.0) * np.sin(6.0 * beta)
    )
    lam = _LON0 + np.arctan2(
        x * np.sin(c),
        _D * rho * np.cos(_BETA0) * np.cos(c) - _D * _D * y * np.sin(_BETA0) * np.sin(c),
    )
    return np.degrees(phi), np.degrees(lam)


class CellIdError(ValueError):
    """A grid-square identifier that is not in an INSPIRE form; `position` is its index."""

    def __init__(self, position: int, value: str, reason: str = ""):
        super().__init__(
            f"grid square {position}: {value!r} is not an identifier of the European grid"
            + (f" ({reason})" if reason else "")
            + " — expected for example CRS3035RES200mN2473200E3486000 or 1kmN2473E3486"
        )
        self.position = position
        self.value = value


# INSPIRE / INSEE: "CRS3035RES200mN2473200E3486000", size and corner in metres. Short forms
# (GEOSTAT "1kmN2473E3486", EEA reference grid "1kmE3486N2473"): the size in km and the corner
# in units of the size.
_METRES = re.compile(r"^CRS3035RES(?P<size>\d+)mN(?P<north>\d+)E(?P<east>\d+)$", re.IGNORECASE)
_SHORT = (
    re.compile(r"^(?P<size>\d+)kmN(?P<north>\d+)E(?P<east>\d+)$", re.IGNORECASE),
    re.compile(r"^(?P<size>\d+)kmE(?P<east>\d+)N(?P<north>\d+)$", re.IGNORECASE),
)


def _corner(position: int, text: str) -> tuple[float, float, float]:
    """(size, northing, easting) of a square's lower-left corner, metres."""
    match = _METRES.match(text)
    if match is not None:
        size, north, east = (int(match[name]) for name in ("size", "north", "east"))
        if size == 0:
            raise CellIdError(position, text, "a square of size 0")
        if north % size or east % size:
            raise CellIdError(position, text, f"its corner is not on the {size} m grid")
        return float(size), float(north), float(east)
    for pattern in _SHORT:
        match = pattern.match(text)
        if match is not None:
            size = int(match["size"]) * 1000
            if size == 0:
                raise CellIdError(position, text, "a square of size 0")
            return float(size), float(int(match["north"]) * size), float(int(match["east"]) * size)
    raise CellIdError(position, text)


def cell_centres(ids: Iterable[str]) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Centres of grid squares named by their INSPIRE identifiers.

    Parameters
    ----------
    ids : iterable of str
        Identifiers such as ``CRS3035RES200mN2473200E3486000`` (size and corner in metres,
        INSEE's and INSPIRE's form; the corner must be a multiple of the size) or
        ``1kmN2473E3486`` / ``1kmE3486N2473`` (size in km and corner in units of the size,
        GEOSTAT's and the EEA reference grid's short forms).

    Returns
    -------
    lat, lon : numpy.ndarray of float64
        Centre of each square, degrees.
    size_m : numpy.ndarray of float64
        Side of each square, metres.

    Raises
    ------
    CellIdError
        For the first identifier in none of these forms, or whose corner is off its grid
        (its position and value are given).

    Examples
    --------
    >>> lat, lon, size = cell_centres(["CRS3035RES200mN2473200E3486000"])
    >>> round(float(lat[0]), 4), round(float(lon[0]), 4), float(size[0])
    (44.8377, -0.5802, 200.0)
    """
    corners = [_corner(position, str(value).strip()) for position, value in enumerate(ids)]
    table = np.asarray(corners, dtype=np.float64).reshape(-1, 3)
    size_m = table[:, 0]
    lat, lon = latlon_from_laea_europe(
        easting=table[:, 2] + size_m / 2.0, northing=table[:, 1] + size_m / 2.0
    )
    return lat, lon, size_m
