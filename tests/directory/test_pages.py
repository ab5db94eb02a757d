import pytest
from django.urls import reverse

from maillage.directory.models import Place
from tests import factories
from tests.factories import Role


@pytest.fixture
def place(territory, bordeaux):
    org = factories.organisation(territory, name="Centre social")
    return factories.place(
        org,
        bordeaux,
        name="Espace public numérique",
        phone="05 56 11 22 33",
        email="contact@example.org",
        opening_hours="Mo-Fr 09:00-12:00,14:00-17:00",
        services_=(("AideAuxDemarchesAdministratives", 3),),
    )


def test_search_page_lists_results_without_javascript(client, place):
    response = client.get("/test-metropole/places/", {"q": "numerique", "where": "Bordeaux"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Espace public numérique" in page
    assert 'id="map"' in page  # the map is an addition; the list is in the HTML itself
    assert "<ol" in page


def test_unknown_commune_message_names_the_field(client, place):
    page = client.get("/test-metropole/places/", {"where": "Atlantis"}).content.decode()
    assert "Atlantis" in page
    assert 'href="#id_where"' in page
    assert 'aria-invalid="true"' in page


def test_place_page_has_tap_to_call_mail_and_hours(client, place):
    page = client.get(f"/test-metropole/places/{place.pk}/").content.decode()
    assert 'href="tel:0556112233"' in page
    assert 'href="mailto:contact@example.org"' in page
    assert '<table class="hours">' in page
    print_page = client.get(f"/test-metropole/places/{place.pk}/print/").content.decode()
    assert "Espace public numérique" in print_page


def test_english_pages(client, place):
    page = client.get("/en/test-metropole/").content.decode()
    assert '<html lang="en">' in page
    page = client.get("/test-metropole/").content.decode()
    assert '<html lang="fr">' in page


def test_simple_mode_has_fewer_choices(client, place):
    full = client.get("/test-metropole/places/").content.decode()
    simple = client.get("/test-metropole/places/", {"simple": "1"}).content.decode()
    assert 'name="service"' in full
    assert 'name="service"' not in simple
    assert 'class="simple' in simple


def test_edit_form_saves_and_reports_a_concurrent_edit(client, territory, place):
    org = place.organisation
    alice = factories.user(territory=territory, role=Role.STRUCTURE, organisations=[org])
    url = reverse("directory:place_edit", kwargs={"territory": territory.slug, "pk": place.pk})
    client.force_login(alice)
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "area": place.area_id,
            "version": place.version,
            "name": "Nouveau nom",
            "services-TOTAL_FORMS": 0,
            "services-INITIAL_FORMS": 0,
        }
    )
    for key in (
        "languages",
        "publics",
        "specific_support",
        "support_formats",
        "delivery_modes",
        "access_modes",
        "fees",
    ):
        data.pop(key, None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    place.refresh_from_db()
    assert place.name == "Nouveau nom"
    # A second editor still holding the old version is told and shown the difference.
    data["name"] = "Autre nom"
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nouveau nom" in page and 'id="conflict"' in page
    place.refresh_from_db()
    assert place.name == "Nouveau nom"


def test_edit_form_rejects_bad_opening_hours_with_a_message(client, territory, place):
    coordinator = factories.user(territory=territory, role=Role.COORDINATOR)
    client.force_login(coordinator)
    url = reverse("directory:place_edit", kwargs={"territory": territory.slug, "pk": place.pk})
    response = client.post(
        url,
        {
            "name": "X",
            "area": place.area_id,
            "latitude": 44.8,
            "longitude": -0.57,
            "version": place.version,
            "location_precision": "address",
            "step_free_access": "unknown",
            "opening_hours": "lundi 9h-12h",
            "services-TOTAL_FORMS": 0,
            "services-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "opening_hours" in response.context["form"].errors
    assert 'href="#id_opening_hours"' in response.content.decode()
    place.refresh_from_db()
    assert place.name == "Espace public numérique"


def test_coordinator_dashboard_lists_drafts_and_stale_places(client, territory, bordeaux, place):
    org = place.organisation
    factories.place(org, bordeaux, name="Brouillon à relire", status=Place.Status.DRAFT)
    coordinator = factories.user(territory=territory, role=Role.COORDINATOR)
    client.force_login(coordinator)
    page = client.get(reverse("directory:manage", kwargs={"territory": territory.slug}))
    text = page.content.decode()
    assert "Brouillon à relire" in text
    assert list(page.context["to_confirm"]) == [place]  # never confirmed


def test_history_page_shows_changes(client, territory, place):
    from maillage.directory import services

    coordinator = factories.user(territory=territory, role=Role.COORDINATOR)
    services.place_update(
        place_id=place.pk,
        data={"phone": "05 56 99 99 99"},
        services=None,
        expected_version=place.version,
        by=coordinator,
    )
    client.force_login(coordinator)
    page = client.get(
        reverse("directory:place_history", kwargs={"territory": territory.slug, "pk": place.pk})
    )
    assert "05 56 99 99 99" in page.content.decode()


def test_revert_to_an_unknown_version_is_a_404(client, territory, place):
    coordinator = factories.user(territory=territory, role=Role.COORDINATOR)
    client.force_login(coordinator)
    unknown = place.history.latest("history_date").history_id + 1000
    url = reverse(
        "directory:place_revert",
        kwargs={"territory": territory.slug, "pk": place.pk, "history_id": unknown},
    )
    assert client.post(url).status_code == 404
    place.refresh_from_db()
    assert place.history.count() == 1


def test_new_place_without_coordinates_goes_to_the_commune_centre(client, territory, bordeaux):
    org = factories.organisation(territory, name="Nouvelle structure")
    member = factories.user(territory=territory, role=Role.STRUCTURE, organisations=[org])
    client.force_login(member)
    url = reverse(
        "directory:place_new", kwargs={"territory": territory.slug, "organisation_id": org.pk}
    )
    response = client.post(
        url,
        {
            "name": "Permanence numérique",
            "area": bordeaux.pk,
            "version": 1,
            "location_precision": "address",
            "step_free_access": "unknown",
            "opening_hours": "",
            "services-TOTAL_FORMS": 0,
            "services-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    place = Place.objects.get(name="Permanence numérique")
    assert (place.latitude, place.longitude) == (bordeaux.latitude, bordeaux.longitude)
    assert place.location_precision == Place.Precision.COMMUNE
    assert place.status == Place.Status.DRAFT
