"""The permission matrix of the open-data pages, the API and the services."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from maillage.interop import duplicates, services
from maillage.interop.models import DuplicateCandidate, Format
from tests import factories
from tests.factories import Role
from tests.interop.conftest import EXAMPLE_CSV

WHO = [
    "anonymous",
    "coordinator",
    "structure",
    "prescriber",
    "partner",
    "coordinator_elsewhere",
    "no_role",
]


@pytest.fixture
def world(territory, bordeaux):
    own = factories.organisation(territory, name="Own")
    a = factories.place(
        own, bordeaux, name="Centre social Arc-en-ciel", address="1 rue X", postal_code="33000"
    )
    b = factories.place(
        own, bordeaux, name="Centre social Arc en ciel", address="1 rue X", postal_code="33000"
    )
    candidate = DuplicateCandidate.objects.create(
        territory=territory, place_a=a, place_b=b, score=95, distance_m=0
    )
    elsewhere = factories.territory(slug="elsewhere", name="Elsewhere")
    return {
        "candidate": candidate,
        "anonymous": None,
        "coordinator": factories.user(territory=territory, role=Role.COORDINATOR),
        "structure": factories.user(territory=territory, role=Role.STRUCTURE, organisations=[own]),
        "prescriber": factories.user(territory=territory, role=Role.PRESCRIBER),
        "partner": factories.user(territory=territory, role=Role.PARTNER),
        "coordinator_elsewhere": factories.user(territory=elsewhere, role=Role.COORDINATOR),
        "no_role": factories.user(),
    }


def _status(client, world, who, url):
    if world[who] is not None:
        client.force_login(world[who])
    return client.get(url).status_code


@pytest.mark.parametrize("who", WHO)
def test_open_data_page_and_files_are_public(client, world, territory, who):
    slug = territory.slug
    assert _status(client, world, who, f"/{slug}/open-data/") == 200
    assert _status(client, world, who, f"/{slug}/open-data/files/lieux-csv/") == 200
    assert _status(client, world, who, f"/api/v1/territories/{slug}/open-data") == 200
    assert _status(client, world, who, f"/api/v1/territories/{slug}/open-data/geojson") == 200


COORDINATOR_PAGES = ["imports/", "conflicts/", "duplicates/", "campaigns/"]
EXPECTED = {"anonymous": 302, "coordinator": 200}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("page", [*COORDINATOR_PAGES, "duplicate"])
def test_coordinator_pages_matrix(client, world, territory, who, page):
    if page == "duplicate":
        page = f"duplicates/{world['candidate'].pk}/"
    expected = EXPECTED.get(who, 403)
    assert _status(client, world, who, f"/{territory.slug}/open-data/{page}") == expected


@pytest.mark.parametrize("who", WHO)
def test_services_refuse_everyone_but_the_coordinator(world, territory, who):
    user = world[who] or AnonymousUser()
    if who == "coordinator":
        duplicates.duplicate_reject(candidate=world["candidate"], by=user)
        return
    with pytest.raises(PermissionDenied):
        duplicates.duplicate_reject(candidate=world["candidate"], by=user)
    with pytest.raises(PermissionDenied):
        services.import_places(
            territory=territory,
            data=EXAMPLE_CSV.read_bytes(),
            filename="f",
            file_format=Format.LIEUX_CSV,
            source="s",
            by=user,
        )
