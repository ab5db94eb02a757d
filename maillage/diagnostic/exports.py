"""The diagnostic's CSV files: a run's communes and squares, and the files to fill for the
imports. Cells a spreadsheet would run as a formula are neutralised (`web.spreadsheets`)."""

from __future__ import annotations

import io

from analysis.grid import laea_europe_from_latlon
from maillage.diagnostic import selectors
from maillage.diagnostic.models import DiagnosticRun
from maillage.diagnostic.presenters import demand_points_of, distance_of, reason_text
from maillage.directory.selectors import place_open_data_id
from maillage.web import spreadsheets

CSV_COLUMNS = (
    "rank",
    "code",
    "commune",
    "population",
    "fragility_index",
    "indicator_weight_available",
    "fragile_population",
    "accessibility_per_100000",
    "nearest_place_km",
    "reasons",
    "example_data",
    "distance",
    "nearest_place_by_matrix",
    "demand_points",
    "population_without_place_share",
)


def areas_csv(run: DiagnosticRun) -> str:
    """The areas of a run as CSV (UTF-8); the `example_data` column says when the run used
    invented data (example indicators, places or candidates); `distance` which distance the
    accessibility and the reasons used (`great_circle_km`, `matrix_km` or `matrix_minutes`),
    `nearest_place_by_matrix` the shortest route on the matrix (empty: no route);
    `demand_points` where the demand sat (`communes` or `squares`) and, on squares,
    `population_without_place_share` the share of the commune's population living in squares
    with no place for the need within the catchment."""
    need = run.result["parameters"]["need"]
    distance = distance_of(run)
    distance_code = f"{distance['kind']}_{distance['unit']}"
    matrix = distance["kind"] == "matrix"
    points = demand_points_of(run)["kind"]
    out = io.StringIO()
    writer = spreadsheets.writer(out)
    writer.writerow(CSV_COLUMNS)
    example = "yes" if run.uses_example_data else "no"
    for a in sorted(run.result["areas"], key=lambda a: a["rank"]):
        writer.writerow(
            [
                a["rank"],
                a["code"],
                a["name"],
                "" if a["population"] is None else int(a["population"]),
                "" if a["index"] is None else round(a["index"], 6),
                "" if a["coverage"] is None else round(a["coverage"], 4),
                "" if a["fragile_population"] is None else round(a["fragile_population"], 1),
                "" if a["accessibility"] is None else round(a["accessibility"], 6),
                "" if a["nearest_km"] is None else round(a["nearest_km"], 3),
                " | ".join(reason_text(r, need=need) for r in a["reasons"]),
                example,
                distance_code,
                round(a["nearest_by_matrix"], 3)
                if matrix and a.get("nearest_by_matrix") is not None
                else "",
                points,
                ""
                if a.get("population_without_place_share") is None
                else round(a["population_without_place_share"], 6),
            ]
        )
    return out.getvalue()


SQUARES_CSV_COLUMNS = (
    "square_id",
    "area_code",
    "commune",
    "population",
    "accessibility_per_100000",
    "nearest_place_km",
    "example_data",
)


def squares_csv(run: DiagnosticRun) -> str:
    """The population squares of a run on squares (`run.square_results`), in the order of
    their identifiers: the commune each counts in, its population, its accessibility (the
    communes' values are their population-weighted means) and the great-circle distance to
    the nearest place for the need (empty: none)."""
    squares = run.square_results
    names = {a["code"]: a["name"] for a in run.result["areas"]}
    example = "yes" if run.uses_example_data else "no"
    out = io.StringIO()
    writer = spreadsheets.writer(out)
    writer.writerow(SQUARES_CSV_COLUMNS)
    for code, area, population, access, nearest in zip(
        squares["code"],
        squares["area"],
        squares["population"],
        squares["accessibility"],
        squares["nearest_km"],
        strict=True,
    ):
        writer.writerow(
            [
                code,
                area,
                names.get(area, ""),
                population,
                round(access, 6),
                "" if nearest is None else round(nearest, 3),
                example,
            ]
        )
    return out.getvalue()


def population_squares_example_csv(territory) -> str:
    """Three lines of a squares file in the plain form: the 200 m square of the territory's
    first commune's centre and the one east of it."""
    area = selectors.territory_areas(territory).first()
    code, lat, lon = (
        (area.code, area.latitude, area.longitude) if area else ("33063", 44.8378, -0.5792)
    )
    easting, northing = laea_europe_from_latlon(lat=lat, lon=lon)
    east, north = int(easting // 200 * 200), int(northing // 200 * 200)
    return "\n".join(
        [
            "square_id,area_code,population",
            f"CRS3035RES200mN{north}E{east},{code},112.5",
            f"CRS3035RES200mN{north}E{east + 200},{code},87",
        ]
    )


def travel_matrix_template_csv(territory) -> str:
    """A file to fill with a routing tool (`selectors.travel_matrix_template`)."""
    out = io.StringIO()
    writer = spreadsheets.writer(out)
    writer.writerow(selectors.TEMPLATE_COLUMNS)
    for row in selectors.travel_matrix_template(territory):
        writer.writerow(row)
    return out.getvalue()


def travel_matrix_example_csv(territory) -> str:
    """Three lines of a matrix file, with the territory's first commune code."""
    area = selectors.territory_areas(territory).first()
    code = area.code if area else "33063"
    return "\n".join(
        [
            "area_code,place_id,minutes",
            f"{code},{place_open_data_id(territory.slug, 12)},12.5",
            f"{code},{place_open_data_id(territory.slug, 14)},25",
        ]
    )
