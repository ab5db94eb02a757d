"""Busy pages make a fixed number of queries, whatever the number of results (no N+1)."""

import pytest

from tests import factories


@pytest.fixture
def many_places(territory, bordeaux, pessac):
    org = factories.organisation(territory)
    for n in range(12):
        factories.place(
            org,
            bordeaux if n % 2 else pessac,
            name=f"Lieu {n}",
            services_=(("AideAuxDemarchesAdministratives", 2), ("LoisirsEtCreationsNumeriques", 1)),
        )


def _count(client, url, params, django_assert_max_num_queries, limit):
    client.get(url, params)  # build the search index first
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def test_search_page_queries_do_not_grow_with_results(
    client, many_places, django_assert_max_num_queries
):
    url = "/test-metropole/places/"
    few = _count(
        client,
        url,
        {"where": "Pessac", "service": "LoisirsEtCreationsNumeriques", "commune": "33063"},
        django_assert_max_num_queries,
        12,
    )
    many = _count(client, url, {"where": "Pessac"}, django_assert_max_num_queries, 12)
    assert few == many + 1  # the commune filter looks the commune up


def test_api_search_queries_do_not_grow_with_results(
    client, many_places, django_assert_max_num_queries
):
    url = "/api/v1/territories/test-metropole/places"
    one = _count(client, url, {"page_size": 1}, django_assert_max_num_queries, 8)
    many = _count(client, url, {"page_size": 12}, django_assert_max_num_queries, 8)
    words = _count(client, url, {"q": "Lieu", "page_size": 12}, django_assert_max_num_queries, 8)
    assert one == many
    assert words == many + 1  # the word filter is one query
