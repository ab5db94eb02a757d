"""The language switcher is links (maillage/web/templatetags/languages.py): public pages carry no
CSRF token, so an anonymous visitor gets no cookie and the pages can be kept (page_cache)."""

import pytest

from tests import factories


@pytest.fixture
def place(territory, bordeaux):
    return factories.place(factories.organisation(territory), bordeaux, name="Espace du Lac")


def test_anonymous_public_pages_set_no_cookie(client, place):
    for url in (
        "/test-metropole/",
        "/en/test-metropole/",
        "/test-metropole/places/",
        "/test-metropole/places/?where=Bordeaux&open_now=on",
        f"/test-metropole/places/{place.pk}/",
        f"/en/test-metropole/places/{place.pk}/print/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, (url, list(response.cookies))
    assert not client.cookies  # no session, no CSRF token, no language cookie


def test_the_language_links_lead_to_the_same_page_in_the_other_language(client, place):
    page = client.get("/test-metropole/places/?where=Bordeaux&open_now=on").content.decode()
    assert 'href="/en/test-metropole/places/?where=Bordeaux&amp;open_now=on"' in page
    assert 'hreflang="fr" aria-current="true"' in page
    english = client.get(f"/en/test-metropole/places/{place.pk}/").content.decode()
    assert f'href="/test-metropole/places/{place.pk}/" lang="fr" hreflang="fr"' in english
