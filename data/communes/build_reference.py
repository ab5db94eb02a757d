"""Build the national commune reference of `manage.py territory_create` (run by hand, offline).

    python3 data/communes/build_reference.py DECOUPAGE_DIR FRANCE_GEOJSON_CHECKOUT

- DECOUPAGE_DIR holds `communes.json`, `epci.json`, `departements.json` of the npm package
  `@etalab/decoupage-administratif` 6.0.0 (millésime 2026); they are copied here gzipped
  (`gzip -9n`, so that a rebuild gives the same bytes).
- FRANCE_GEOJSON_CHECKOUT is a git checkout of github.com/gregoiredavid/france-geojson
  (commit 5d34ee6d, IGN Admin Express COG 2018 simplified): the area-weighted centroid of every
  commune polygon of its `departements/*/communes-*.geojson` files is written to
  `france-communes-centroids-2018.csv` (WGS84, 6 decimals, about 0.1 m), and the contours of
  the départements named in CONTOURS are copied.

Centroids are computed on an equirectangular projection centred on each commune (x scaled by
the cosine of its latitude): at a commune's size the difference with a centroid computed on the
ellipsoid is far below the 1 m precision of the source's coordinates.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONTOURS = {"33-gironde", "62-pas-de-calais"}  # the demo territories' départements


def _ring_centroid(ring: list[list[float]], cos_lat: float) -> tuple[float, float, float]:
    """Signed area and centroid (x, y in scaled degrees) of one closed ring (shoelace)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in pairwise(ring):
        x0, x1 = x0 * cos_lat, x1 * cos_lat
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if area == 0:
        return 0.0, 0.0, 0.0
    return area, cx / (6 * area), cy / (6 * area)


def centroid(geometry: dict) -> tuple[float, float]:
    """(latitude, longitude) of the area-weighted centroid of a Polygon or MultiPolygon."""
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    lats = [lat for polygon in polygons for lon, lat in polygon[0]]
    cos_lat = math.cos(math.radians(sum(lats) / len(lats)))
    total = sx = sy = 0.0
    for polygon in polygons:
        for index, ring in enumerate(polygon):  # holes have the opposite orientation
            area, cx, cy = _ring_centroid(ring, cos_lat)
            area = abs(area) if index == 0 else -abs(area)
            total += area
            sx += cx * area
            sy += cy * area
    return sy / total, sx / total / cos_lat


def main(decoupage: Path, france_geojson: Path) -> None:
    for name in ("communes", "epci", "departements"):
        data = (decoupage / f"{name}.json").read_bytes()
        json.loads(data)  # a valid file
        (HERE / f"{name}.json.gz").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    listed = subprocess.run(
        ["git", "-C", str(france_geojson), "ls-tree", "-r", "--name-only", "HEAD", "departements"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    rows = {}
    for path in sorted(p for p in listed if "/communes-" in p):
        raw = subprocess.run(
            ["git", "-C", str(france_geojson), "show", f"HEAD:{path}"],
            capture_output=True,
            check=True,
        ).stdout
        features = json.loads(raw)["features"]
        for feature in features:
            lat, lon = centroid(feature["geometry"])
            rows[feature["properties"]["code"]] = (f"{lat:.6f}", f"{lon:.6f}")
        department = path.split("/")[1]
        if department in CONTOURS:
            (HERE / f"communes-{department}-2018.geojson").write_bytes(raw)
    with open(HERE / "france-communes-centroids-2018.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code_insee", "latitude", "longitude"])
        for code in sorted(rows):
            writer.writerow([code, *rows[code]])
    print(f"{len(rows)} commune centroids")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
