"""The permission matrix of the diagnostic: pages, writes and API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maillage.diagnostic import services, squares
from maillage.diagnostic.computation import RunParameters
from maillage.diagnostic.models import (
    CandidateSite,
    DiagnosticRun,
    FragilityIndicator,
    PopulationGrid,
    TravelMatrix,
)
from tests import factories
from tests.factories import SYSTEM, Role

WHO = ("anonymous", "coordinator", "structure", "prescriber", "partner", "elsewhere", "no_role")


@pytest.fixture
def world(territory, bordeaux, pessac):
    own = factories.organisation(territory, name="Own")
    place = factories.place(own, bordeaux, services_=(("AideAuxDemarchesAdministratives", 3),))
    other = factories.territory(slug="elsewhere", name="Elsewhere")
    users = {
        "anonymous": None,
        "coordinator": factories.user(territory=territory, role=Role.COORDINATOR),
        "structure": factories.user(territory=territory, role=Role.STRUCTURE, organisations=[own]),
        "prescriber": factories.user(territory=territory, role=Role.PRESCRIBER),
        "partner": factories.user(territory=territory, role=Role.PARTNER),
        "elsewhere": factories.user(territory=other, role=Role.COORDINATOR),
        "no_role": factories.user(),
    }
    run = services.diagnostic_run_request(
        territory=territory, by=SYSTEM, parameters=RunParameters(index="custom")
    )
    return {"territory": territory, "users": users, "run": run, "place": place}


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


READ = {"anonymous": 302, "coordinator": 200, "partner": 200}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(
    "page",
    [
        "home",
        "run",
        "run_csv",
        "indicators",
        "candidates",
        "travel_matrix",
        "travel_matrix_template",
        "population_squares",
    ],
)
def test_read_matrix(client, world, who, page):
    slug = world["territory"].slug
    kwargs = {"territory": slug}
    if page.startswith("run"):
        kwargs["pk"] = world["run"].pk
    response = _client(client, world["users"][who]).get(
        reverse(f"diagnostic:{page}", kwargs=kwargs)
    )
    assert response.status_code == READ.get(who, 403)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


WRITE = {"anonymous": 302, "coordinator": 302}


@pytest.mark.parametrize("who", WHO)
def test_run_start_matrix(client, world, who):
    url = reverse("diagnostic:run_start", kwargs={"territory": world["territory"].slug})
    before = DiagnosticRun.objects.count()
    data = {
        "index": "custom",
        "method": "deciles",
        "missing": "reweight",
        "need": "category:procedures",
        "radius_km": "10",
        "decay": "steps",
        "demand": "population",
        "candidates": "communes",
        "k": "1",
        "cover_km": "5",
        "solver": "auto",
    }
    response = _client(client, world["users"][who]).post(url, data)
    assert response.status_code == WRITE.get(who, 403)
    assert DiagnosticRun.objects.count() == before + (who == "coordinator")


@pytest.mark.parametrize("who", WHO)
def test_indicator_and_candidate_writes_matrix(client, world, who):
    slug = world["territory"].slug
    c = _client(client, world["users"][who])
    c.post(
        reverse("diagnostic:indicators", kwargs={"territory": slug}),
        {
            "action": "create",
            "key": "aged_65_plus",
            "label": "65+",
            "axis": "index",
            "higher_is_fragile": "on",
            "weight": "1",
            "source": "INSEE",
            "year": "2021",
        },
    )
    upload = SimpleUploadedFile("sites.csv", b"name,latitude,longitude,kind\nM,44.8,-0.5,market\n")
    c.post(reverse("diagnostic:candidates", kwargs={"territory": slug}), {"file": upload})
    allowed = who == "coordinator"
    assert FragilityIndicator.objects.exists() is allowed
    assert CandidateSite.objects.exists() is allowed


@pytest.mark.parametrize("who", WHO)
def test_travel_matrix_writes_matrix(client, world, who):
    slug = world["territory"].slug
    c = _client(client, world["users"][who])
    routes = f"area_code,place_id,minutes\n33063,{world['place'].pk},4\n".encode()
    response = c.post(
        reverse("diagnostic:travel_matrix", kwargs={"territory": slug}),
        {"file": SimpleUploadedFile("routes.csv", routes), "source": ""},
    )
    assert response.status_code == WRITE.get(who, 403)
    assert TravelMatrix.objects.exists() is (who == "coordinator")
    services.travel_matrix_import(territory=world["territory"], by=SYSTEM, data=routes)
    response = c.post(reverse("diagnostic:travel_matrix_clear", kwargs={"territory": slug}))
    assert response.status_code == WRITE.get(who, 403)
    assert TravelMatrix.objects.exists() is (who != "coordinator")
    # Clearing is a POST only.
    if who == "coordinator":
        cleared = c.get(reverse("diagnostic:travel_matrix_clear", kwargs={"territory": slug}))
        assert cleared.status_code == 405


API_READ = {"anonymous": 403, "coordinator": 200, "partner": 200}


@pytest.mark.parametrize("who", WHO)
def test_api_matrix(client, world, who):
    slug = world["territory"].slug
    c = _client(client, world["users"][who])
    latest = c.get(f"/api/v1/territories/{slug}/diagnostic/latest")
    one = c.get(f"/api/v1/territories/{slug}/diagnostic/runs/{world['run'].pk}")
    assert latest.status_code == one.status_code == API_READ.get(who, 403)


SQUARES = "square_id,area_code,population\nCRS3035RES200mN2473200E3486000,33063,12\n"


@pytest.mark.parametrize("who", WHO)
def test_population_squares_writes_matrix(client, world, who):
    slug = world["territory"].slug
    c = _client(client, world["users"][who])
    response = c.post(
        reverse("diagnostic:population_squares", kwargs={"territory": slug}),
        {"file": SimpleUploadedFile("squares.csv", SQUARES.encode()), "source": ""},
    )
    assert response.status_code == WRITE.get(who, 403)
    assert PopulationGrid.objects.exists() is (who == "coordinator")
    squares.population_squares_import(
        territory=world["territory"], by=SYSTEM, data=SQUARES.encode()
    )
    response = c.post(reverse("diagnostic:population_squares_clear", kwargs={"territory": slug}))
    assert response.status_code == WRITE.get(who, 403)
    assert PopulationGrid.objects.exists() is (who != "coordinator")


@pytest.mark.parametrize("who", WHO)
def test_squares_export_read_matrix(client, world, who):
    territory = world["territory"]
    squares.population_squares_import(territory=territory, by=SYSTEM, data=SQUARES.encode())
    run = services.diagnostic_run_request(
        territory=territory,
        by=SYSTEM,
        parameters=RunParameters(index="custom", demand_points="squares"),
        inline=True,
    )
    assert run.status == DiagnosticRun.Status.DONE
    response = _client(client, world["users"][who]).get(
        reverse("diagnostic:run_squares_csv", kwargs={"territory": territory.slug, "pk": run.pk})
    )
    assert response.status_code == READ.get(who, 403)
