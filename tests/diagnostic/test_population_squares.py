"""Population squares: their import (INSEE's columns and the plain form, per-line errors, all
or nothing), a run on squares checked against `e2sfca` called independently and against
population-weighted means computed by hand, and what the form, pages, exports and API say."""

import csv
import io
import math
from types import SimpleNamespace

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from analysis.accessibility import GaussianDecay, StepDecay, e2sfca
from analysis.grid import cell_centres, laea_europe_from_latlon
from maillage.diagnostic import exports, presenters, selectors, services, squares
from maillage.diagnostic.computation import (
    DiagnosticInputError,
    DiagnosticInputs,
    RunParameters,
    TravelRoutes,
    compute,
)
from maillage.diagnostic.demand_points import PopulationSquares, whole_percent
from maillage.diagnostic.forms import RunForm
from maillage.diagnostic.models import DiagnosticRun, PopulationGrid, PopulationSquare
from tests import factories
from tests.factories import SYSTEM, Role

NEED = "AideAuxDemarchesAdministratives"  # a service of the "procedures" category
OTHER = "MaitriseDesOutilsNumeriquesDuQuotidien"
KM_PER_DEGREE_LAT = 2 * math.pi * 6371.0088 / 360
BORDEAUX = (44.8378, -0.5792)
PESSAC = (44.7915, -0.6760)


def en(name, **kwargs):
    with translation.override("en"):
        return reverse(name, **kwargs)


def square_id(lat: float, lon: float, size: int = 200) -> str:
    """The INSEE identifier of the square of the grid holding a point (corner in metres)."""
    easting, northing = laea_europe_from_latlon(lat=lat, lon=lon)
    east, north = int(easting // size * size), int(northing // size * size)
    return f"CRS3035RES{size}mN{north}E{east}"


def shifted(point: tuple[float, float], *, north_km=0.0, east_km=0.0) -> tuple[float, float]:
    lat, lon = point
    return (
        lat + north_km / KM_PER_DEGREE_LAT,
        lon + east_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(lat))),
    )


@pytest.fixture
def coordinator(territory):
    return factories.user(territory=territory, role=Role.COORDINATOR)


@pytest.fixture
def merignac(territory):
    return factories.area(
        territory, code="33281", name="Mérignac", lat=44.8386, lon=-0.6436, population=70317
    )


def _import(territory, text: str, by=SYSTEM, **kwargs):
    return squares.population_squares_import(
        territory=territory, by=by, data=text.encode(), **kwargs
    )


def _stored(territory):
    return sorted(
        PopulationSquare.objects.filter(grid__territory=territory).values_list(
            "code", "area__code", "population", "size_m"
        )
    )


# --- Import -------------------------------------------------------------------------------

B1, B2 = square_id(*BORDEAUX), square_id(*shifted(BORDEAUX, north_km=2))
P1, P2 = square_id(*PESSAC), square_id(*shifted(PESSAC, north_km=-1))
FAR = square_id(*shifted(BORDEAUX, east_km=40))


def test_import_with_insee_columns(territory, bordeaux, pessac, coordinator):
    data = (
        "Idcar_200m;I_est_200;Idcar_1km;Ind;Men;lcog_geo\n"
        f"{B1};0;x;112,5;50;33063\n"
        f"{B2};0;x;87;40;9999933063\n"  # first code outside, second one ours: Bordeaux
        f"{P1};1;x;10;4;3331833063\n"  # straddles Pessac and Bordeaux: the first, Pessac
        f"{P2};0;x;0;0;33318\n"
        f"{FAR};0;x;300;120;33999\n"  # a commune outside the territory: skipped, counted
    )
    imported = _import(territory, data, by=coordinator, source="INSEE Filosofi 2019, 200 m")
    assert (imported.squares, imported.skipped_outside) == (4, 1)
    assert _stored(territory) == sorted(
        [
            (B1, "33063", 112.5, 200),
            (B2, "33063", 87.0, 200),
            (P1, "33318", 10.0, 200),
            (P2, "33318", 0.0, 200),
        ]
    )
    grid = PopulationGrid.objects.get(territory=territory)
    assert (grid.source, grid.skipped_outside, grid.uploaded_by) == (
        "INSEE Filosofi 2019, 200 m",
        1,
        coordinator,
    )
    # Centres come from analysis.grid; the square holds the point it was built from.
    stored = PopulationSquare.objects.get(code=B1)
    lat, lon, _size = cell_centres([B1])
    assert (stored.latitude, stored.longitude) == (lat[0], lon[0])
    assert (
        abs(stored.latitude - BORDEAUX[0]) < 0.002 and abs(stored.longitude - BORDEAUX[1]) < 0.002
    )


def test_import_with_plain_columns_any_case_and_1_km_squares(territory, bordeaux, pessac):
    data = "SQUARE_ID,Area_Code,Population\n1kmN2473E3486,33063,1200\n1kmN2469E3477,33318,800\n"
    imported = _import(territory, data)
    assert (imported.squares, imported.skipped_outside) == (2, 0)
    assert _stored(territory) == [
        ("1kmN2469E3477", "33318", 800.0, 1000),
        ("1kmN2473E3486", "33063", 1200.0, 1000),
    ]


def test_the_id_column_may_be_insee_1_km_one(territory, bordeaux):
    imported = _import(
        territory, "idcar_1km,ind,lcog_geo\nCRS3035RES1000mN2473000E3486000,5,33063\n"
    )
    assert imported.squares == 1 and _stored(territory)[0][3] == 1000


def test_a_file_with_no_square_in_the_territory_is_refused(territory, bordeaux):
    data = f"square_id,area_code,population\n{B1},33999,10\n{B2},3399933998,5\n"
    with pytest.raises(services.ImportRejected) as rejected, translation.override("en"):
        _import(territory, data)
    [error] = rejected.value.errors
    assert (error.row, error.column) == (0, "")
    assert "No square of the file is in the territory" in error.message
    assert "2 lines" in error.message
    assert not PopulationGrid.objects.exists()


def test_every_bad_line_is_reported_and_nothing_is_written(territory, bordeaux, pessac):
    _import(territory, f"square_id,area_code,population\n{B1},33063,10\n")
    before = _stored(territory)
    data = (
        "Idcar_200m,Ind,lcog_geo\n"
        f"{B1},12,33063\n"
        "CRS3035RES200mN2473200,5,33063\n"  # line 3: not an identifier of the grid
        f"{B2},-4,33063\n"  # line 4: negative
        f"{P1},abc,33318\n"  # line 5: not a number
        f"{B1},3,33063\n"  # line 6: the square of line 2 again
        f"{P2},3,\n"  # line 7: no commune code
        f"{FAR},,33063\n"  # line 8: no population
        f"{FAR},1,33-63\n"  # line 9: not a commune code
        "1kmN2470E3480,1,33318\n"  # line 10: 1 km among 200 m squares
        "CRS3035RES100000mN2400000E3400000,1,33318\n"  # line 11: 100 km, no population grid
    )
    with pytest.raises(services.ImportRejected) as rejected, translation.override("en"):
        _import(territory, data)
    errors = rejected.value.errors
    assert [(e.row, e.column) for e in errors] == [
        (3, "idcar_200m"),
        (4, "ind"),
        (5, "ind"),
        (6, "idcar_200m"),
        (7, "lcog_geo"),
        (8, "ind"),
        (9, "lcog_geo"),
        (10, "idcar_200m"),
        (11, "idcar_200m"),
    ]
    messages = [e.message for e in errors]
    assert "is not a square of the European grid" in messages[0]
    assert "“-4” is negative" in messages[1]
    assert "“abc” is not a number" in messages[2]
    assert "already on line 2" in messages[3]
    assert "commune code is empty" in messages[4]
    assert "population is empty" in messages[5]
    assert "“33-63” is not a commune code" in messages[6]
    assert "1000 m wide, the one on line 2 200 m" in messages[7]
    assert "is not a square of the European grid" in messages[8]
    assert _stored(territory) == before  # the previous squares are untouched


@pytest.mark.parametrize(
    ("header", "fields"),
    [
        ("id,population,area_code", ["square_id"]),
        ("square_id,people,area_code", ["population"]),
        ("idcar_200m,ind,commune", ["area_code"]),
        ("code;value", ["square_id", "population", "area_code"]),
    ],
)
def test_a_wrong_header_is_reported_on_line_1(territory, bordeaux, header, fields):
    with pytest.raises(services.ImportRejected) as rejected:
        _import(territory, f"{header}\n{B1},1,33063\n")
    assert [(e.row, e.column) for e in rejected.value.errors] == [(1, f) for f in fields]
    assert not PopulationGrid.objects.exists()


def test_a_file_too_big_or_too_long_is_refused(territory, bordeaux, settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "bytes": 1024 * 1024}
    line = f"{B1},1,33063\n".encode()
    big = b"square_id,population,area_code\n" + line * (1024 * 1024 // len(line) + 1)
    with pytest.raises(services.ImportRejected) as rejected, translation.override("en"):
        squares.population_squares_import(territory=territory, by=SYSTEM, data=big)
    assert [(e.row, e.column) for e in rejected.value.errors] == [(0, "")]
    assert "larger than 1 MB" in rejected.value.errors[0].message
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "rows": 2}
    with pytest.raises(services.ImportRejected) as rejected, translation.override("en"):
        _import(
            territory, f"square_id,area_code,population\n{B1},33063,1\n{B2},33063,1\n{P1},1,1\n"
        )
    assert "more than 2 rows" in rejected.value.errors[0].message
    assert not PopulationGrid.objects.exists()


def test_many_errors_are_listed_up_to_a_limit(territory, bordeaux, monkeypatch):
    monkeypatch.setattr(squares, "MAX_REPORTED_ERRORS", 3)
    data = "square_id,area_code,population\n" + f"{B1},33063,x\n" * 10
    with pytest.raises(services.ImportRejected) as rejected, translation.override("en"):
        _import(territory, data)
    errors = rejected.value.errors
    assert len(errors) == 4 and errors[-1].row == 0
    assert "Only the first 3 errors are listed" in errors[-1].message


def test_a_new_import_replaces_the_squares_and_clear_deletes_them(territory, bordeaux):
    _import(territory, f"square_id,area_code,population\n{B1},33063,10\n{B2},33063,5\n")
    _import(territory, f"square_id,area_code,population\n{B2},33063,7\n")
    assert _stored(territory) == [(B2, "33063", 7.0, 200)]
    assert PopulationGrid.objects.count() == 1
    squares.population_squares_clear(territory=territory, by=SYSTEM)
    assert not PopulationGrid.objects.exists() and not PopulationSquare.objects.exists()


def test_only_coordinators_import_or_clear(territory, bordeaux):
    partner = factories.user(territory=territory, role=Role.PARTNER)
    with pytest.raises(PermissionDenied):
        _import(territory, f"square_id,area_code,population\n{B1},33063,1\n", by=partner)
    with pytest.raises(PermissionDenied):
        squares.population_squares_clear(territory=territory, by=partner)


# --- A run on squares ---------------------------------------------------------------------


@pytest.fixture
def places(territory, bordeaux, pessac):
    org = factories.organisation(territory)
    return {
        "p1": factories.place(org, bordeaux, name="P1", services_=((NEED, 3),)),
        "p2": factories.place(
            org, pessac, name="P2", services_=((NEED, 2),), opening_hours="Mo-Sa 09:00-19:00"
        ),
        "p3": factories.place(org, pessac, name="P3", services_=((OTHER, 3),)),
    }


#: Squares of Bordeaux (centre, 2 km north, 6 km east) and Pessac (centre, 1 km south, 12 km
#: south-west: beyond the 10 km catchment of both places). Mérignac has none: its centre.
SQUARES = [
    (square_id(*BORDEAUX), "33063", 1200.0),
    (square_id(*shifted(BORDEAUX, north_km=2)), "33063", 800.0),
    (square_id(*shifted(BORDEAUX, east_km=6)), "33063", 300.0),
    (square_id(*PESSAC), "33318", 900.0),
    (square_id(*shifted(PESSAC, north_km=-1)), "33318", 400.0),
    (square_id(*shifted(PESSAC, north_km=-12, east_km=-10)), "33318", 100.0),
]


def _squares_file(rows=SQUARES) -> str:
    return "square_id,area_code,population\n" + "".join(f"{c},{a},{p}\n" for c, a, p in rows)


def _squares_run(territory, **overrides):
    values = {
        "index": "custom",
        "need": f"service:{NEED}",
        "demand": "population",
        "demand_points": "squares",
        "k": 1,
    }
    values.update(overrides)
    return services.diagnostic_run_request(
        territory=territory, by=SYSTEM, parameters=RunParameters(**values), inline=True
    )


@pytest.mark.parametrize("decay", ["steps", "gaussian"])
@pytest.mark.parametrize("demand", ["population", "fragile"])
def test_accessibility_on_squares_equals_e2sfca_and_population_weighted_means(
    territory, bordeaux, pessac, merignac, places, decay, demand
):
    indicator = services.indicator_create(
        territory=territory,
        by=SYSTEM,
        data={"key": "poverty_rate", "label": "Poverty", "source": "INSEE", "year": 2021},
    )
    services.indicator_values_set(
        indicator=indicator, by=SYSTEM, values={bordeaux: 20.0, pessac: 10.0, merignac: 15.0}
    )
    _import(territory, _squares_file())
    run = _squares_run(territory, decay=decay, demand=demand)
    assert run.status == DiagnosticRun.Status.DONE, run.result
    # Independently: the six squares, then Mérignac's centre (no square) with its population;
    # a fragile population is the square's population × its commune's weight, the percentile
    # rank of the commune's index (Pessac 10 → 1/3, Mérignac 15 → 2/3, Bordeaux 20 → 1).
    lat, lon, _size = cell_centres([c for c, _a, _p in SQUARES])
    demand_lat = np.append(lat, 44.8386)
    demand_lon = np.append(lon, -0.6436)
    population = np.array([p for _c, _a, p in SQUARES] + [70317.0])
    share = {"33063": 1.0, "33318": 1 / 3, "33281": 2 / 3}
    area_of = [a for _c, a, _p in SQUARES] + ["33281"]
    weights = np.array([share[a] for a in area_of]) if demand == "fragile" else 1.0
    expected = e2sfca(
        supply_lat=[BORDEAUX[0], PESSAC[0]],
        supply_lon=[BORDEAUX[1], PESSAC[1]],
        capacity=[40 / 35 * 3 / 3, 60 / 35 * 2 / 3],  # P1 and P2: weekly hours / 35 × stars / 3
        demand_lat=demand_lat,
        demand_lon=demand_lon,
        population=population * weights,
        radius_km=10.0,
        decay=GaussianDecay(sigma=5.0) if decay == "gaussian" else StepDecay.equal_zones(radius=10),
        workers=1,
    )
    score = 100_000 * expected.score
    by_square = dict(
        zip(run.square_results["code"], run.square_results["accessibility"], strict=True)
    )
    assert len(by_square) == 6
    for k, (code, _area, _people) in enumerate(SQUARES):
        assert abs(by_square[code] - score[k]) <= 1e-12 * max(1.0, score[k])
    assert score[5] == 0.0  # the square 12 km south-west of Pessac reaches nothing
    # Each commune: the mean of its squares' accessibility, weighted by their population.
    bordeaux_mean = (1200 * score[0] + 800 * score[1] + 300 * score[2]) / 2300
    pessac_mean = (900 * score[3] + 400 * score[4] + 100 * score[5]) / 1400
    got = {a["code"]: a["accessibility"] for a in run.result["areas"]}
    assert abs(got["33063"] - bordeaux_mean) <= 1e-12 * bordeaux_mean
    assert abs(got["33318"] - pessac_mean) <= 1e-12 * pessac_mean
    assert abs(got["33281"] - score[6]) <= 1e-12 * max(1.0, score[6])  # its centre
    if demand == "population":
        # Capacity is neither created nor lost: people × accessibility add up to the capacity
        # of the places somebody reaches (both P1 and P2 here), communes as squares.
        people = {"33063": 2300.0, "33318": 1400.0, "33281": 70317.0}
        total = sum(people[code] * got[code] for code in people) / 100_000
        assert total == pytest.approx(40 / 35 + 60 / 35 * 2 / 3, rel=1e-12)
    # Mérignac counts at its centre, and the results say so.
    points = run.result["demand_points"]
    assert points["kind"] == "squares" and points["squares"] == 6
    assert points["sizes_m"] == [200] and points["population"] == 3700.0
    assert points["areas_without_squares"] == ["Mérignac"]
    assert run.result["pairs"] == expected.n_pairs
    assert "square_results" not in run.result  # stored apart
    # The commune's own figures stay those of its legal population.
    row = next(a for a in run.result["areas"] if a["code"] == "33063")
    assert row["population"] == 265328.0


def test_share_of_the_population_without_a_place_within_reach(territory, bordeaux, pessac):
    # One place, at Bordeaux's centre, closed on Saturdays and evenings; catchment 3 km.
    factories.place(factories.organisation(territory), bordeaux, services_=((NEED, 3),))
    rows = [
        (square_id(*BORDEAUX), "33063", 100.0),  # in reach
        (square_id(*shifted(BORDEAUX, north_km=5)), "33063", 300.0),  # 5 km: out of reach
        (square_id(*PESSAC), "33318", 50.0),  # 9 km: out of reach
        (square_id(*shifted(PESSAC, north_km=1)), "33318", 50.0),
    ]
    _import(territory, _squares_file(rows))
    run = _squares_run(territory, radius_km=3.0)
    areas = {a["code"]: a for a in run.result["areas"]}
    assert areas["33063"]["population_without_place_share"] == 300 / 400
    assert areas["33318"]["population_without_place_share"] == 1.0
    assert areas["33063"]["reasons"][:2] == [
        {"code": "no_place_for_need", "km": 3.0, "percent": 75},
        {"code": "no_saturday", "km": 5.0, "percent": 100},
    ]
    assert {"code": "no_place_for_need", "km": 3.0, "percent": 100} in areas["33318"]["reasons"]
    with translation.override("en"):
        texts = [r for row in presenters.area_rows(run) for r in row.reasons]
    assert any(
        t.startswith("75% of the population has no place offering") and t.endswith("within 3 km")
        for t in texts
    )
    # Everybody: the plain sentence says it as truly, and shorter.
    assert "No place open on Saturdays within 5 km" in texts
    assert not any(t.startswith("100%") for t in texts)
    with translation.override("fr"):
        french = presenters.reason_text({"code": "no_evening", "km": 5.0, "percent": 31}, need="")
    assert (
        french
        == "31 % de la population n'a aucun lieu ouvert après 18 h en semaine à moins de 5 km"
    )


def test_a_small_share_gives_no_reason_and_percentages_are_never_rounded_to_0_or_100():
    assert [whole_percent(s) for s in (0.0, 0.001, 0.014, 0.5, 0.996, 1.0)] == [
        0,
        1,
        1,
        50,
        99,
        100,
    ]


def _pure_inputs(**overrides):
    values = {
        "area_codes": ["33001"],
        "area_names": ["Alpha"],
        "area_lat": np.array([44.8]),
        "area_lon": np.array([-0.5]),
        "population": np.array([1000.0]),
        "indicators": [],
        "need_services": [NEED],
        "place_names": ["Place"],
        "place_lat": np.array([44.8]),
        "place_lon": np.array([-0.5]),
        "weekly_hours": np.array([35.0]),
        "open_saturday": np.array([False]),
        "open_evening": np.array([False]),
        "need_stars": np.array([[3.0]]),
        "places_example": 0,
    }
    values.update(overrides)
    return DiagnosticInputs(**values)


def test_squares_with_the_matrix_or_without_squares_are_input_errors():
    squares_ = PopulationSquares(
        codes=["1kmN2473E3486"],
        area=np.array([0]),
        lat=np.array([44.8]),
        lon=np.array([-0.5]),
        size_m=np.array([1000.0]),
        population=np.array([10.0]),
    )
    routes = TravelRoutes(unit="km", area=np.array([0]), place=np.array([0]), value=np.array([1.0]))
    on_matrix = RunParameters(
        index="custom", demand_points="squares", distance="matrix", matrix_unit="km"
    )
    with pytest.raises(DiagnosticInputError) as error:
        compute(_pure_inputs(squares=squares_, routes=routes), on_matrix)
    assert error.value.code == "squares_with_matrix"
    with pytest.raises(DiagnosticInputError) as error:
        compute(_pure_inputs(), RunParameters(index="custom", demand_points="squares"))
    assert error.value.code == "no_squares"
    with translation.override("en"):
        assert "cannot be used with the uploaded matrix" in presenters.error_text(
            {"code": "squares_with_matrix"}
        )


def test_a_run_on_squares_deleted_meanwhile_fails_clearly(territory, bordeaux):
    run = _squares_run(territory)
    assert run.status == DiagnosticRun.Status.FAILED
    assert run.result["error"]["code"] == "no_squares"
    with translation.override("en"):
        assert "import them again" in presenters.error_text(run.result["error"])


def test_run_size_counts_squares_and_large_runs_go_to_the_worker(
    territory, bordeaux, pessac, places, monkeypatch
):
    _import(territory, _squares_file())
    on_squares = RunParameters(index="custom", demand_points="squares")
    assert selectors.run_size(territory, on_squares) == 6 * 3  # squares × published places
    assert selectors.run_size(territory, RunParameters(index="custom")) == 2 * 3  # communes
    monkeypatch.setattr(services, "INLINE_MAX_SIZE", 10)
    waiting = services.diagnostic_run_request(territory=territory, by=SYSTEM, parameters=on_squares)
    assert waiting.status == DiagnosticRun.Status.PENDING
    inline = services.diagnostic_run_request(
        territory=territory, by=SYSTEM, parameters=RunParameters(index="custom")
    )
    assert inline.status == DiagnosticRun.Status.DONE


def test_runs_stored_before_squares_read_as_communes(territory, bordeaux, pessac):
    old = RunParameters(index="custom").as_dict()
    del old["demand_points"]
    params = RunParameters.from_dict(old)
    assert (params.demand_points, params.uses_squares) == ("communes", False)
    run = services.diagnostic_run_request(
        territory=territory, by=SYSTEM, parameters=RunParameters(index="custom"), inline=True
    )
    assert run.result["demand_points"] == {"kind": "communes"}
    assert run.square_results is None
    result = dict(run.result)
    del result["demand_points"]
    DiagnosticRun.objects.filter(pk=run.pk).update(result=result, parameters=old)
    run.refresh_from_db()
    assert presenters.demand_points_summary(run)["squares"] is False
    exported = list(csv.DictReader(io.StringIO(exports.areas_csv(run))))
    assert {r["demand_points"] for r in exported} == {"communes"}
    assert {r["population_without_place_share"] for r in exported} == {""}


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_squares_csv_neutralises_spreadsheet_formulas(start):
    run = SimpleNamespace(
        result={"areas": [{"code": "99999", "name": f"{start}cmd|' /C calc'!A0"}]},
        square_results={
            "code": ["1kmN2473E3486"],
            "area": ["99999"],
            "population": [12.5],
            "accessibility": [3.25],
            "nearest_km": [None],
        },
        uses_example_data=False,
    )
    [row] = list(csv.DictReader(io.StringIO(exports.squares_csv(run))))
    assert row == {
        "square_id": "1kmN2473E3486",
        "area_code": "99999",
        "commune": f"'{start}cmd|' /C calc'!A0",
        "population": "12.5",
        "accessibility_per_100000": "3.25",
        "nearest_place_km": "",
        "example_data": "no",
    }


# --- The run form -------------------------------------------------------------------------

FORM = {
    "index": "custom",
    "method": "deciles",
    "missing": "reweight",
    "need": f"service:{NEED}",
    "radius_km": "10",
    "decay": "steps",
    "demand": "population",
    "candidates": "communes",
    "k": "1",
    "cover_km": "5",
    "solver": "auto",
}


def test_the_squares_choice_is_offered_only_when_squares_exist(territory, bordeaux):
    assert "demand_points" not in RunForm(grid=None).fields
    form = RunForm({**FORM, "demand_points": "squares"}, grid=None)
    assert form.is_valid() and form.parameters().demand_points == "communes"
    _import(territory, f"square_id,area_code,population\n{B1},33063,10\n{B2},33063,5\n")
    with translation.override("en"):
        form = RunForm(grid=selectors.population_grid(territory))
        label = dict(form.fields["demand_points"].choices)["squares"]
    assert label.startswith("The 2 population squares imported on")
    form = RunForm({**FORM, "demand_points": "squares"}, grid=selectors.population_grid(territory))
    assert form.is_valid() and form.parameters().uses_squares


def test_squares_with_the_matrix_are_refused_by_the_form(territory, bordeaux, places):
    _import(territory, f"square_id,area_code,population\n{B1},33063,10\n")
    services.travel_matrix_import(
        territory=territory,
        by=SYSTEM,
        data=f"area_code,place_id,km\n33063,{places['p1'].pk},1\n".encode(),
    )
    data = {**FORM, "demand_points": "squares", "distance": "matrix", "matrix_radius": "10"}
    with translation.override("en"):
        form = RunForm(
            data,
            matrix=selectors.travel_matrix(territory),
            grid=selectors.population_grid(territory),
        )
        assert not form.is_valid()
        [message] = form.errors["demand_points"]
    assert "cannot be used with the uploaded matrix" in message
    assert "Choose the great-circle distance, or the communes as demand points." in message


# --- Pages, exports, API ------------------------------------------------------------------


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def test_squares_page_reports_line_and_column(coordinator_client, territory, bordeaux):
    url = en("diagnostic:population_squares", kwargs={"territory": territory.slug})
    page = coordinator_client.get(url).content.decode()
    assert "No population squares loaded" in page
    assert "Données carroyées" in page and "GEOSTAT" in page
    upload = SimpleUploadedFile("squares.csv", f"Idcar_200m;Ind;lcog_geo\n{B1};x;33063\n".encode())
    response = coordinator_client.post(url, {"file": upload, "source": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in html and "Row 2, column “ind”" in html
    assert 'href="#id_file"' in html
    assert not PopulationGrid.objects.exists()
    # An error about the whole file has no line number.
    upload = SimpleUploadedFile(
        "squares.csv", f"square_id,area_code,population\n{B1},33999,1\n".encode()
    )
    html = coordinator_client.post(url, {"file": upload, "source": ""}).content.decode()
    assert "Row 0" not in html and "No square of the file is in the territory" in html


def test_import_then_run_on_squares_from_the_pages(
    coordinator_client, territory, bordeaux, pessac, merignac, places
):
    slug = territory.slug
    home = en("diagnostic:home", kwargs={"territory": slug})
    form = coordinator_client.get(home).content.decode()
    assert 'name="demand_points"' not in form and "import population squares" in form
    rows = [*SQUARES, (FAR, "33999", 300.0)]
    upload = SimpleUploadedFile("squares.csv", _squares_file(rows).encode())
    response = coordinator_client.post(
        en("diagnostic:population_squares", kwargs={"territory": slug}),
        {"file": upload, "source": "INSEE Filosofi 2019"},
    )
    assert response.status_code == 302
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "6 population squares imported. 1 square outside the territory skipped." in page
    assert "INSEE Filosofi 2019" in page and "200 m" in page
    assert "1 commune has no square" in page and "Mérignac" in page
    form = coordinator_client.get(home).content.decode()
    assert 'name="demand_points"' in form and "The 6 population squares imported on" in form
    response = coordinator_client.post(
        en("diagnostic:run_start", kwargs={"territory": slug}), {**FORM, "demand_points": "squares"}
    )
    run = DiagnosticRun.objects.get()
    assert run.parameters["demand_points"] == "squares" and run.status == "done"
    html = coordinator_client.get(response["Location"]).content.decode()
    assert "6 population squares (200 m) imported on" in html
    assert "Source: INSEE Filosofi 2019." in html
    assert "1 commune has no square: it counts at its centre (Mérignac)." in html
    assert "Population without a place within 10 km (%)" in html
    assert "Nearest place from the commune's centre (km)" in html
    squares_url = en("diagnostic:run_squares_csv", kwargs={"territory": slug, "pk": run.pk})
    assert squares_url in html
    communes = coordinator_client.get(
        en("diagnostic:run_csv", kwargs={"territory": slug, "pk": run.pk})
    )
    rows_out = {r["code"]: r for r in csv.DictReader(io.StringIO(communes.content.decode()))}
    assert {r["demand_points"] for r in rows_out.values()} == {"squares"}
    assert float(rows_out["33318"]["population_without_place_share"]) == pytest.approx(
        100 / 1400, abs=1e-6
    )
    exported = coordinator_client.get(squares_url)
    assert exported["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert len(table) == 6 and list(table[0]) == list(exports.SQUARES_CSV_COLUMNS)
    assert {r["area_code"] for r in table} == {"33063", "33318"}
    api = coordinator_client.get(f"/api/v1/territories/{slug}/diagnostic/latest").json()
    assert (api["demand_points"], api["squares"]) == ("squares", 6)
    by_code = {a["code"]: a for a in api["areas"]}
    assert by_code["33318"]["population_without_place_share"] == pytest.approx(100 / 1400)
    # The squares' export exists only for runs on squares.
    on_communes = _squares_run(territory, demand_points="communes")
    missing = coordinator_client.get(
        en("diagnostic:run_squares_csv", kwargs={"territory": slug, "pk": on_communes.pk})
    )
    assert missing.status_code == 404
    api = coordinator_client.get(f"/api/v1/territories/{slug}/diagnostic/latest").json()
    assert (api["demand_points"], api["squares"]) == ("communes", None)


def test_clearing_from_the_page(coordinator_client, territory, bordeaux):
    _import(territory, f"square_id,area_code,population\n{B1},33063,10\n")
    url = en("diagnostic:population_squares_clear", kwargs={"territory": territory.slug})
    response = coordinator_client.post(url)
    assert response.status_code == 302 and not PopulationGrid.objects.exists()
    assert coordinator_client.get(url).status_code == 405
