"""The public pages kept per directory version (maillage/directory/page_cache.py)."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from maillage.directory import page_cache, services
from maillage.directory.models import Place
from tests import factories

PAGES_IN_MEMORY = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public_pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "test-public-pages",
    },
}
PARIS = dt.timezone(dt.timedelta(hours=1))  # Europe/Paris in winter


@pytest.fixture(autouse=True)
def pages_in_memory():
    with override_settings(CACHES=PAGES_IN_MEMORY):
        page_cache.clear()
        yield
        page_cache.clear()


@pytest.fixture
def clock(monkeypatch):
    """Set the time every part of the site reads (a Tuesday in November, local time)."""

    class Clock:
        def set(self, hour: int, minute: int = 0) -> None:
            moment = dt.datetime(2026, 11, 24, hour, minute, 30, tzinfo=PARIS)
            monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(dt.UTC))

    result = Clock()
    result.set(10)
    return result


@pytest.fixture
def place(territory, bordeaux):
    return factories.place(
        factories.organisation(territory), bordeaux, name="Espace numérique du Lac"
    )


def _rename(place: Place, name: str) -> None:
    """What the structure's edit form does (a coordinator may edit every place)."""
    data = {field: getattr(place, field) for field in services.EDITABLE_FIELDS}
    data["name"] = name
    coordinator = factories.user(territory=place.territory, role=factories.Role.COORDINATOR)
    services.place_update(
        place_id=place.pk, data=data, services=None, expected_version=place.version, by=coordinator
    )


def test_a_kept_page_is_served_without_rendering_it_again(
    client, place, clock, django_assert_max_num_queries
):
    url = f"/test-metropole/places/{place.pk}/"
    first = client.get(url)
    with django_assert_max_num_queries(1):  # the directory version only
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content
    assert not second.cookies
    assert "Cookie" in second["Vary"]  # what a signed-in person sees differs


def test_an_edit_of_a_place_is_visible_at_once(client, place, clock):
    for url in (
        f"/test-metropole/places/{place.pk}/",
        f"/test-metropole/places/{place.pk}/print/",
        "/test-metropole/places/",
    ):
        assert "Espace numérique du Lac" in client.get(url).content.decode()
    _rename(place, "Médiathèque du Lac")
    for url in (
        f"/test-metropole/places/{place.pk}/",
        f"/test-metropole/places/{place.pk}/print/",
        "/test-metropole/places/",
    ):
        page = client.get(url).content.decode()
        assert "Médiathèque du Lac" in page, url
        assert "Espace numérique du Lac" not in page, url


def test_a_signed_in_person_never_gets_a_kept_page(client, territory, place, clock):
    url = f"/en/test-metropole/places/{place.pk}/"
    anonymous = client.get(url).content.decode()
    coordinator = factories.user(territory=territory, role=factories.Role.COORDINATOR)
    client.force_login(coordinator)
    signed_in = client.get(url).content.decode()
    assert "Edit this place" in signed_in
    assert signed_in != anonymous
    client.logout()
    assert "Edit this place" not in client.get(url).content.decode()


def test_a_signed_in_persons_page_is_never_kept_for_others(client, territory, place, clock):
    url = f"/en/test-metropole/places/{place.pk}/"
    client.force_login(factories.user(territory=territory, role=factories.Role.COORDINATOR))
    client.get(url)
    client.logout()
    assert "Edit this place" not in client.get(url).content.decode()


def test_the_language_and_the_query_string_are_in_the_key(client, place, bordeaux, pessac, clock):
    french = client.get("/test-metropole/places/").content.decode()
    english = client.get("/en/test-metropole/places/").content.decode()
    assert 'lang="fr"' in french and 'lang="en"' in english
    pessac_only = client.get("/test-metropole/places/", {"commune": pessac.code})
    assert "Espace numérique du Lac" in french
    assert "Espace numérique du Lac" not in pessac_only.content.decode()
    simple = client.get("/test-metropole/?simple=1").content.decode()
    assert 'class="simple' in simple
    assert 'class="simple' not in client.get("/test-metropole/").content.decode()


def test_open_now_results_change_when_the_clock_moves(client, place, clock):
    url = "/test-metropole/places/"
    clock.set(16, 59)  # the place opens Mo-Fr 09:00-17:00
    assert "Espace numérique du Lac" in client.get(url, {"open_now": "on"}).content.decode()
    page = client.get(f"/en/test-metropole/places/{place.pk}/").content.decode()
    assert "Open now, until" in page
    clock.set(17, 0)  # the very minute it closes
    closed = client.get(url, {"open_now": "on"}).content.decode()
    assert "Espace numérique du Lac" not in closed
    page = client.get(f"/en/test-metropole/places/{place.pk}/").content.decode()
    assert "Closed now, opens" in page


def test_the_clock_key_is_the_date_and_the_next_opening_or_closing(territory, place, clock):
    territory.refresh_from_db()
    version = territory.directory_version
    clock.set(10, 15)
    assert page_cache.clock_key(territory, version=version) == "2026-11-24 until 2026-11-24T17:00"
    clock.set(16, 59)
    assert page_cache.clock_key(territory, version=version) == "2026-11-24 until 2026-11-24T17:00"
    clock.set(17, 0)
    assert page_cache.clock_key(territory, version=version) == "2026-11-24 until 2026-11-25T09:00"


def test_pages_with_messages_waiting_are_neither_served_from_nor_kept_in_the_cache(
    client, place, clock
):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    url = f"/test-metropole/places/{place.pk}/"
    client.get(url)
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Enregistré !")])
    assert "Enregistré !" in client.get(url).content.decode()
    assert "Enregistré !" not in client.get(url).content.decode()  # shown once, never kept
