import pytest

from maillage.directory.models import Place
from tests import factories


@pytest.fixture
def places(territory, bordeaux, pessac):
    org = factories.organisation(territory, name="Pimms Médiation")
    factories.place(
        org,
        bordeaux,
        name="Bordeaux centre",
        phone="05 56 00 00 00",
        services_=(("AideAuxDemarchesAdministratives", 3),),
    )
    factories.place(
        org, pessac, name="Pessac Alouette", services_=(("LoisirsEtCreationsNumeriques", 1),)
    )
    factories.place(org, pessac, name="Brouillon", status=Place.Status.DRAFT)


def test_search_nearest_first_with_pagination(client, places):
    response = client.get(
        "/api/v1/territories/test-metropole/places", {"where": "33600", "page_size": 1}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["pages"], body["page"]) == (2, 2, 1)
    first = body["results"][0]
    assert first["name"] == "Pessac Alouette"
    assert first["distance_km"] == 0.0
    assert first["commune_code"] == "33318"
    (service,) = first["services"]
    assert service["service"] == "LoisirsEtCreationsNumeriques"
    assert service["standard"] == "Loisirs et créations numériques"
    assert (service["category"], service["stars"], service["note"]) == ("culture", 1, "")
    second = client.get(
        "/api/v1/territories/test-metropole/places", {"where": "33600", "page_size": 1, "page": 2}
    ).json()
    assert second["results"][0]["name"] == "Bordeaux centre"


def test_labels_follow_accept_language(client, places):
    params = {"service": "LoisirsEtCreationsNumeriques"}
    url = "/api/v1/territories/test-metropole/places"
    english = client.get(url, params, headers={"accept-language": "en"}).json()
    assert english["results"][0]["services"][0]["label"] == "Digital leisure and creation"
    french = client.get(url, params, headers={"accept-language": "fr"}).json()
    assert french["results"][0]["services"][0]["label"] == "Loisirs et créations numériques"


def test_same_filters_as_the_page(client, places):
    body = client.get(
        "/api/v1/territories/test-metropole/places", {"service": "AideAuxDemarchesAdministratives"}
    ).json()
    assert [r["name"] for r in body["results"]] == ["Bordeaux centre"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"service": "Teleportation"}, "service"),
        ({"lat": 44.8}, "lat"),
        ({"page_size": 1000}, "page_size"),
        ({"page": "deux"}, "page"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(client, places, params, field):
    response = client.get("/api/v1/territories/test-metropole/places", params)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert field in detail or "latitude" in detail


@pytest.mark.parametrize(
    ("params", "field"), [({"where": "Atlantis"}, "where"), ({"commune": "99999"}, "commune")]
)
def test_an_unknown_commune_is_404_naming_the_field(client, places, params, field):
    response = client.get("/api/v1/territories/test-metropole/places", params)
    assert response.status_code == 404
    assert field in response.json()["detail"]


def test_detail_and_drafts_hidden(client, places):
    place = Place.objects.get(name="Bordeaux centre")
    body = client.get(f"/api/v1/territories/test-metropole/places/{place.pk}").json()
    assert body["phone"] == "05 56 00 00 00"
    assert body["step_free_access"] == "unknown"
    draft = Place.objects.get(name="Brouillon")
    assert client.get(f"/api/v1/territories/test-metropole/places/{draft.pk}").status_code == 404


def test_areas_territories_and_vocabulary(client, places):
    areas = client.get("/api/v1/territories/test-metropole/areas").json()
    assert [a["code"] for a in areas] == ["33063", "33318"]
    assert client.get("/api/v1/territories").json()[0]["slug"] == "test-metropole"
    services = client.get("/api/v1/services").json()
    assert len(services) == 9
    assert {s["category"] for s in services} == {"access", "first_steps", "procedures", "culture"}


def test_openapi_describes_the_endpoints(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert "/api/v1/territories/{slug}/places" in paths
    parameters = {
        p["name"] for p in paths["/api/v1/territories/{slug}/places"]["get"]["parameters"]
    }
    assert {"q", "where", "lat", "lon", "service", "category", "open_now", "page"} <= parameters


def test_open_at_a_given_local_time(client, territory, bordeaux):
    org = factories.organisation(territory)
    factories.place(org, bordeaux, name="Le matin", opening_hours="Tu 09:00-12:00")
    url = "/api/v1/territories/test-metropole/places"
    tuesday = client.get(url, {"open_now": True, "at": "2026-11-24T10:30"}).json()
    assert [r["name"] for r in tuesday["results"]] == ["Le matin"]
    afternoon = client.get(url, {"open_now": True, "at": "2026-11-24T14:30"}).json()
    assert afternoon["count"] == 0
    bad = client.get(url, {"open_now": True, "at": "mardi matin"})
    assert bad.status_code == 422 and "at" in bad.content.decode()
