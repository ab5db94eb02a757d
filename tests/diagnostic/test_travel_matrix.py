"""The distance or travel-time matrix: its import (per-line errors, all or nothing), a run on
it checked against `e2sfca_from_distances` called independently, and what the pages say."""

import csv
import io

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from analysis.accessibility import GaussianDecay, StepDecay, e2sfca_from_distances
from maillage.diagnostic import exports, presenters, services
from maillage.diagnostic.computation import RunParameters
from maillage.diagnostic.models import DiagnosticRun, TravelMatrix, TravelRoute
from tests import factories
from tests.factories import SYSTEM, Role

NEED = "AideAuxDemarchesAdministratives"  # a service of the "procedures" category
OTHER = "MaitriseDesOutilsNumeriquesDuQuotidien"


def en(name, **kwargs):
    with translation.override("en"):
        return reverse(name, **kwargs)


@pytest.fixture
def coordinator(territory):
    return factories.user(territory=territory, role=Role.COORDINATOR)


@pytest.fixture
def merignac(territory):
    return factories.area(
        territory, code="33281", name="Mérignac", lat=44.8386, lon=-0.6436, population=70317
    )


@pytest.fixture
def places(territory, bordeaux, pessac):
    """Four published places: three offer the need, one (P4) will have no route."""
    org = factories.organisation(territory)
    return {
        "p1": factories.place(org, bordeaux, name="P1", services_=((NEED, 3),)),
        "p2": factories.place(
            org, pessac, name="P2", services_=((NEED, 2),), opening_hours="Mo-Sa 09:00-19:00"
        ),
        "p3": factories.place(org, pessac, name="P3", services_=((OTHER, 3),)),
        "p4": factories.place(org, bordeaux, name="P4", services_=((NEED, 1),)),
    }


def _id(territory, place):
    return f"maillage-{territory.slug}-{place.pk}"


def _routes_file(territory, places, unit="minutes"):
    p1, p2, p3 = (_id(territory, places[k]) for k in ("p1", "p2", "p3"))
    return (
        f"area_code,place_id,{unit}\n"
        f"33063,{p1},0\n"  # a route of length 0: the place is at the commune's centre
        f"33063,{p2},18\n"
        f"33318,{p1},25\n"  # beyond a 20-minute catchment
        f"33318,{p2},12\n"
        f"33318,{p3},1\n"  # P3 does not offer the need
    ).encode()


# --- Import -------------------------------------------------------------------------------


def test_import_stores_the_routes(territory, bordeaux, pessac, places, coordinator):
    p1, p2 = places["p1"], places["p2"]
    data = (
        "area_code;place_id;minutes\n"
        f"33063;{_id(territory, p1)};12,5\n"
        f"33318;{p2.pk};7\n"  # the number alone (the API's id) is accepted too
        f"33318;{_id(territory, p1).upper()};\n"  # empty: no route
    ).encode()
    count = services.travel_matrix_import(
        territory=territory, by=coordinator, data=data, source="OSRM, car, 2025"
    )
    assert count == 2
    matrix = TravelMatrix.objects.get(territory=territory)
    assert (matrix.unit, matrix.source, matrix.uploaded_by) == (
        "minutes",
        "OSRM, car, 2025",
        coordinator,
    )
    assert sorted(TravelRoute.objects.values_list("area__code", "place__name", "value")) == [
        ("33063", "P1", 12.5),
        ("33318", "P2", 7.0),
    ]


def test_a_new_import_replaces_the_matrix_and_clear_deletes_it(
    territory, bordeaux, pessac, places, coordinator
):
    services.travel_matrix_import(
        territory=territory, by=coordinator, data=_routes_file(territory, places)
    )
    data = f"area_code,place_id,km\n33318,{_id(territory, places['p2'])},3.2\n".encode()
    assert services.travel_matrix_import(territory=territory, by=coordinator, data=data) == 1
    assert TravelMatrix.objects.get().unit == "km"
    assert list(TravelRoute.objects.values_list("value", flat=True)) == [3.2]
    services.travel_matrix_clear(territory=territory, by=coordinator)
    assert not TravelMatrix.objects.exists() and not TravelRoute.objects.exists()


def test_every_bad_line_is_reported_and_nothing_is_written(
    territory, bordeaux, pessac, places, coordinator
):
    services.travel_matrix_import(
        territory=territory, by=coordinator, data=_routes_file(territory, places)
    )
    before = sorted(TravelRoute.objects.values_list("area_id", "place_id", "value"))
    elsewhere = factories.territory(slug="elsewhere")
    foreign = factories.place(factories.organisation(elsewhere), factories.area(elsewhere))
    p1, p2 = _id(territory, places["p1"]), _id(territory, places["p2"])
    data = (
        "area_code,place_id,minutes\n"
        f"33063,{p1},10\n"
        f"99999,{p1},10\n"  # line 3: unknown area
        f"33063,maillage-{territory.slug}-999999,10\n"  # line 4: unknown place
        f"33063,{_id(elsewhere, foreign)},10\n"  # line 5: a place of another territory
        f"33318,{p2},abc\n"  # line 6: not a number
        f"33318,{p1},-3\n"  # line 7: negative
        f"33063,{p1},11\n"  # line 8: the pair of line 2 again
    ).encode()
    with pytest.raises(services.ImportRejected) as rejected, translation.override("en"):
        services.travel_matrix_import(territory=territory, by=coordinator, data=data)
    errors = rejected.value.errors
    assert [(e.row, e.column) for e in errors] == [
        (3, "area_code"),
        (4, "place_id"),
        (5, "place_id"),
        (6, "minutes"),
        (7, "minutes"),
        (8, "place_id"),
    ]
    assert "99999" in errors[0].message
    assert "“abc” is not a number" in errors[3].message
    assert "negative" in errors[4].message
    assert "already on line 2" in errors[5].message
    assert TravelMatrix.objects.get().unit == "minutes"  # the previous matrix is untouched
    assert sorted(TravelRoute.objects.values_list("area_id", "place_id", "value")) == before


@pytest.mark.parametrize(
    ("header", "fields"),
    [
        ("area_code,minutes", ["place_id"]),
        ("area_code,place_id,distance", ["km/minutes"]),
        ("area_code,place_id,km,minutes", ["km/minutes"]),
        ("code,place_id", ["area_code", "km/minutes"]),
    ],
)
def test_a_wrong_header_is_reported_on_line_1(territory, coordinator, header, fields):
    data = f"{header}\n33063,1,2\n".encode()
    with pytest.raises(services.ImportRejected) as rejected:
        services.travel_matrix_import(territory=territory, by=coordinator, data=data)
    assert [(e.row, e.column) for e in rejected.value.errors] == [(1, f) for f in fields]
    assert not TravelMatrix.objects.exists()


def test_a_file_too_big_or_without_any_route_is_refused(
    territory, bordeaux, places, coordinator, settings
):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "bytes": 5 * 1024 * 1024}
    big = b"area_code,place_id,minutes\n" + b"33063,1,1\n" * (5 * 1024 * 1024 // 10 + 1)
    with pytest.raises(services.ImportRejected) as rejected, translation.override("en"):
        services.travel_matrix_import(territory=territory, by=coordinator, data=big)
    assert [(e.row, e.column) for e in rejected.value.errors] == [(0, "")]
    assert "larger than 5 MB" in rejected.value.errors[0].message
    empty = f"area_code,place_id,km\n33063,{places['p1'].pk},\n".encode()
    with pytest.raises(services.ImportRejected) as rejected:
        services.travel_matrix_import(territory=territory, by=coordinator, data=empty)
    assert [(e.row, e.column) for e in rejected.value.errors] == [(2, "km")]
    assert not TravelMatrix.objects.exists()


def test_only_coordinators_import_or_clear(territory, bordeaux, places):
    partner = factories.user(territory=territory, role=Role.PARTNER)
    data = f"area_code,place_id,km\n33063,{places['p1'].pk},1\n".encode()
    with pytest.raises(PermissionDenied):
        services.travel_matrix_import(territory=territory, by=partner, data=data)
    with pytest.raises(PermissionDenied):
        services.travel_matrix_clear(territory=territory, by=partner)


# --- A run on the matrix ------------------------------------------------------------------


def _matrix_run(territory, coordinator, **overrides):
    values = {
        "index": "custom",
        "need": f"service:{NEED}",
        "demand": "population",
        "distance": "matrix",
        "matrix_unit": "minutes",
        "matrix_radius": 20.0,
        "k": 1,
    }
    values.update(overrides)
    return services.diagnostic_run_request(
        territory=territory, by=coordinator, parameters=RunParameters(**values), inline=True
    )


@pytest.mark.parametrize("decay", ["steps", "gaussian"])
def test_accessibility_on_the_matrix_equals_e2sfca_from_distances(
    territory, bordeaux, pessac, merignac, places, coordinator, decay
):
    services.travel_matrix_import(
        territory=territory, by=coordinator, data=_routes_file(territory, places)
    )
    run = _matrix_run(territory, coordinator, decay=decay)
    assert run.status == DiagnosticRun.Status.DONE, run.result
    # Independently: areas by code (Bordeaux, Mérignac, Pessac); supply = the places offering
    # the need, by id (P1, P2, P4); capacity = weekly hours / 35 × stars / 3; inf = no route.
    inf = np.inf
    distance = np.array(
        [
            [0.0, 18.0, inf],  # Bordeaux
            [inf, inf, inf],  # Mérignac: no route at all
            [25.0, 12.0, inf],  # Pessac (its route to P3 does not count: P3 is not supply)
        ]
    )
    capacity = np.array([40 / 35 * 3 / 3, 60 / 35 * 2 / 3, 40 / 35 * 1 / 3])
    population = np.array([265328.0, 70317.0, 66874.0])
    weights = (
        GaussianDecay(sigma=10.0) if decay == "gaussian" else StepDecay.equal_zones(radius=20.0)
    )
    expected = e2sfca_from_distances(
        distance=distance,
        capacity=capacity,
        population=population,
        max_distance=20.0,
        decay=weights,
    )
    got = {a["code"]: a["accessibility"] for a in run.result["areas"]}
    for i, code in enumerate(["33063", "33281", "33318"]):
        assert abs(got[code] - 100_000 * expected.score[i]) <= 1e-12 * max(1.0, got[code])
    assert got["33281"] == 0.0
    assert run.result["pairs"] == expected.n_pairs == 3
    distance_used = run.result["distance"]
    assert distance_used["kind"] == "matrix" and distance_used["unit"] == "minutes"
    assert distance_used["routes"] == 5
    assert distance_used["places_without_route"] == ["P4"]
    assert distance_used["areas_without_route"] == ["Mérignac"]


def test_reasons_on_a_travel_time_matrix_speak_in_minutes(
    territory, bordeaux, pessac, merignac, places, coordinator
):
    services.travel_matrix_import(
        territory=territory, by=coordinator, data=_routes_file(territory, places)
    )
    run = _matrix_run(territory, coordinator)
    areas = {a["code"]: a for a in run.result["areas"]}
    # Bordeaux reaches P1 in 0 min; the place open on Saturdays (P2) is 18 min away (> 15).
    assert areas["33063"]["reasons"][0] == {"code": "no_saturday", "minutes": 15.0}
    assert areas["33063"]["nearest_by_matrix"] == 0.0
    assert areas["33063"]["nearest_km"] == pytest.approx(0.0, abs=1e-9)  # still great-circle
    pessac_reasons = [r["code"] for r in areas["33318"]["reasons"]]  # P2 at 12 min: in reach
    assert "no_place_for_need" not in pessac_reasons and "no_saturday" not in pessac_reasons
    assert {"code": "no_place_for_need", "minutes": 20.0} in areas["33281"]["reasons"]
    assert areas["33281"]["nearest_by_matrix"] is None  # no route
    with translation.override("en"):
        texts = [r for row in presenters.area_rows(run) for r in row.reasons]
    assert "No place open on Saturdays within 15 minutes" in texts
    assert any(t.startswith("No place offering") and t.endswith("within 20 minutes") for t in texts)
    assert not any(t.endswith(" km") for t in texts)
    with translation.override("fr"):
        french = presenters.reason_text({"code": "no_evening", "minutes": 15.0}, need="")
    assert french == "Aucun lieu ouvert après 18 h en semaine à moins de 15 minutes"


def test_reasons_on_a_road_distance_matrix_speak_in_km(
    territory, bordeaux, pessac, places, coordinator
):
    services.travel_matrix_import(
        territory=territory, by=coordinator, data=_routes_file(territory, places, unit="km")
    )
    run = _matrix_run(territory, coordinator, matrix_unit="km", matrix_radius=10.0)
    areas = {a["code"]: a for a in run.result["areas"]}
    assert {"code": "no_saturday", "km": 5.0} in areas["33063"]["reasons"]


def test_a_run_fails_clearly_when_the_matrix_is_gone_or_changed_unit(
    territory, bordeaux, pessac, places, coordinator
):
    run = _matrix_run(territory, coordinator)
    assert run.status == DiagnosticRun.Status.FAILED
    assert run.result["error"]["code"] == "no_matrix"
    services.travel_matrix_import(
        territory=territory, by=coordinator, data=_routes_file(territory, places, unit="km")
    )
    run = _matrix_run(territory, coordinator)  # asked in minutes, the matrix is now in km
    assert run.result["error"] == {
        "code": "matrix_unit_changed",
        "params": {"expected": "minutes", "found": "km"},
    }
    with translation.override("en"):
        assert "another unit (km instead of minutes)" in presenters.error_text(run.result["error"])


def test_parameters_stored_before_matrices_read_as_great_circle(territory, bordeaux, pessac):
    old = {
        "index": "custom",
        "method": "deciles",
        "missing": "reweight",
        "need": "category:procedures",
        "radius_km": 10.0,
        "decay": "steps",
        "demand": "fragile",
        "candidates": "communes",
        "k": 3,
        "cover_km": 5.0,
        "solver": "auto",
        "uncovered_only": False,
    }
    params = RunParameters.from_dict(old)
    assert (params.distance, params.matrix_unit, params.uses_matrix) == ("great_circle", "", False)
    assert RunParameters.from_dict(params.as_dict()) == params
    # A stored result without the "distance" entry reads, exports and serves as great-circle.
    run = services.diagnostic_run_request(
        territory=territory, by=SYSTEM, parameters=RunParameters(index="custom"), inline=True
    )
    result = dict(run.result)
    del result["distance"]
    DiagnosticRun.objects.filter(pk=run.pk).update(result=result, parameters=old)
    run.refresh_from_db()
    assert presenters.distance_summary(run)["matrix"] is False
    exported = list(csv.DictReader(io.StringIO(exports.areas_csv(run))))
    assert {r["distance"] for r in exported} == {"great_circle_km"}
    assert {r["nearest_place_by_matrix"] for r in exported} == {""}


# --- Pages --------------------------------------------------------------------------------


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def test_upload_page_reports_line_and_column(coordinator_client, territory, bordeaux, places):
    url = en("diagnostic:travel_matrix", kwargs={"territory": territory.slug})
    page = coordinator_client.get(url)
    assert page.status_code == 200 and "No matrix uploaded" in page.content.decode()
    upload = SimpleUploadedFile(
        "routes.csv", f"area_code,place_id,minutes\n33063,{places['p1'].pk},x\n".encode()
    )
    response = coordinator_client.post(url, {"file": upload, "source": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in html and "Row 2, column “minutes”" in html
    assert 'href="#id_file"' in html  # the error leads to the file field
    assert not TravelMatrix.objects.exists()


def test_upload_then_run_on_the_matrix_from_the_pages(
    coordinator_client, territory, bordeaux, pessac, merignac, places
):
    slug = territory.slug
    home = en("diagnostic:home", kwargs={"territory": slug})
    assert 'name="distance"' not in coordinator_client.get(home).content.decode()
    upload = SimpleUploadedFile("routes.csv", _routes_file(territory, places))
    response = coordinator_client.post(
        en("diagnostic:travel_matrix", kwargs={"territory": slug}),
        {"file": upload, "source": "OSRM, car"},
    )
    assert response.status_code == 302
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "5 routes imported." in page and "OSRM, car" in page
    assert "1 published place has no route" in page and "P4" in page
    form = coordinator_client.get(home).content.decode()
    assert 'name="distance"' in form and "Catchment on the uploaded matrix (minutes)" in form
    response = coordinator_client.post(
        en("diagnostic:run_start", kwargs={"territory": slug}),
        {
            "index": "custom",
            "method": "deciles",
            "missing": "reweight",
            "need": f"service:{NEED}",
            "radius_km": "10",
            "distance": "matrix",
            "matrix_radius": "20",
            "decay": "steps",
            "demand": "population",
            "candidates": "communes",
            "k": "1",
            "cover_km": "5",
            "solver": "auto",
        },
    )
    run = DiagnosticRun.objects.get()
    assert run.parameters["distance"] == "matrix" and run.parameters["matrix_unit"] == "minutes"
    html = coordinator_client.get(response["Location"]).content.decode()
    assert "within 20 minutes (uploaded travel-time matrix)" in html
    assert "Travel times in minutes, from the matrix uploaded on" in html
    assert "Source: OSRM, car." in html
    assert "1 published place offering the need has no route in the matrix" in html
    assert "1 commune has no route to any of these places" in html
    assert "Nearest place for the need (minutes, uploaded matrix)" in html
    assert "no route" in html
    assert "candidate sites are not in the matrix" in html
    exported = coordinator_client.get(
        en("diagnostic:run_csv", kwargs={"territory": slug, "pk": run.pk})
    )
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(exported.content.decode()))}
    assert {r["distance"] for r in rows.values()} == {"matrix_minutes"}
    assert rows["33318"]["nearest_place_by_matrix"] == "12.0"
    assert rows["33281"]["nearest_place_by_matrix"] == ""
    assert "within 20 minutes" in rows["33281"]["reasons"]
    api = coordinator_client.get(f"/api/v1/territories/{slug}/diagnostic/runs/{run.pk}").json()
    assert api["distance"] == "matrix_minutes"
    by_code = {a["code"]: a for a in api["areas"]}
    assert by_code["33318"]["nearest_place_by_matrix"] == 12.0


def test_the_matrix_choice_needs_a_matrix_and_a_catchment(
    coordinator_client, territory, bordeaux, places
):
    url = en("diagnostic:run_start", kwargs={"territory": territory.slug})
    data = {
        "index": "custom",
        "method": "deciles",
        "missing": "reweight",
        "need": "",
        "radius_km": "10",
        "decay": "steps",
        "demand": "population",
        "candidates": "communes",
        "k": "1",
        "cover_km": "5",
        "solver": "auto",
        "distance": "matrix",
        "matrix_radius": "",
    }
    # Without a matrix the choice does not exist: it is ignored, the run is great-circle.
    coordinator_client.post(url, data)
    assert DiagnosticRun.objects.get().parameters["distance"] == "great_circle"
    services.travel_matrix_import(
        territory=territory,
        by=SYSTEM,
        data=f"area_code,place_id,km\n33063,{places['p1'].pk},1\n".encode(),
    )
    response = coordinator_client.post(url, data)
    assert response.status_code == 400
    assert 'href="#id_matrix_radius"' in response.content.decode()


def test_template_lists_nearby_pairs_with_coordinates(
    coordinator_client, territory, bordeaux, pessac, places
):
    url = en("diagnostic:travel_matrix_template", kwargs={"territory": territory.slug})
    response = coordinator_client.get(url)
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert len(rows) == 2 * 4  # Bordeaux and Pessac are 9 km apart: every pair is listed
    first = rows[0]
    assert first["area_code"] == "33063" and first["place_id"] == _id(territory, places["p1"])
    assert first["minutes"] == "" and first["place_name"] == "P1"
    # Filled in, the template imports as it is (its extra columns are ignored).
    filled = io.StringIO()
    writer = csv.DictWriter(filled, fieldnames=list(first))
    writer.writeheader()
    writer.writerows({**r, "minutes": "10"} for r in rows)
    count = services.travel_matrix_import(
        territory=territory, by=SYSTEM, data=filled.getvalue().encode()
    )
    assert count == 8


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_template_neutralises_formulas_in_names(coordinator_client, territory, places, start):
    from maillage.directory.models import Place

    Place.objects.filter(pk=places["p1"].pk).update(name=f'{start}HYPERLINK("http://x")')
    url = en("diagnostic:travel_matrix_template", kwargs={"territory": territory.slug})
    rows = list(csv.DictReader(io.StringIO(coordinator_client.get(url).content.decode())))
    named = {r["place_name"] for r in rows if r["place_id"] == _id(territory, places["p1"])}
    assert named == {f'\'{start}HYPERLINK("http://x")'}
    assert all(not r["area_latitude"].startswith("'") for r in rows)  # numbers stay numbers
