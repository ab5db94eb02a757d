"""Who may see and do what: anonymous, each role, a coordinator of another territory, a
signed-in user without a role."""

import pytest
from django.core.exceptions import PermissionDenied

from maillage.observatory import services
from maillage.observatory.models import WeightingRun
from tests import factories
from tests.factories import SYSTEM

pytestmark = pytest.mark.django_db
Role = factories.Role


@pytest.fixture
def people(territory):
    other = factories.territory(slug="autre", name="Autre")
    return {
        "anonymous": None,
        "coordinator": factories.user(territory=territory, role=Role.COORDINATOR),
        "structure": factories.user(territory=territory, role=Role.STRUCTURE),
        "prescriber": factories.user(territory=territory, role=Role.PRESCRIBER),
        "partner": factories.user(territory=territory, role=Role.PARTNER),
        "other_coordinator": factories.user(territory=other, role=Role.COORDINATOR),
        "no_role": factories.user(),
    }


@pytest.fixture
def draft_run(published_run, margins):
    return services.weighting_run_create(wave=published_run.wave, margin_set=margins, by=SYSTEM)


MANAGE_URLS = (
    "manage/",
    "manage/waves/new/",
    "manage/runs/new/",
    "manage/margins/new/",
)


@pytest.mark.parametrize(
    "who,can_manage",
    [
        ("anonymous", False),
        ("coordinator", True),
        ("structure", False),
        ("prescriber", False),
        ("partner", False),
        ("other_coordinator", False),
        ("no_role", False),
    ],
)
def test_permission_matrix(client, territory, people, published_run, draft_run, who, can_manage):
    user = people[who]
    if user is not None:
        client.force_login(user)
    base = f"/{territory.slug}/observatory/"
    # Published results: everybody.
    for url in ("", "methodology/", "estimates.csv", "compare/", "grid/", "communes/33063/"):
        assert client.get(base + url).status_code == 200, (who, url)
    api = f"/api/v1/territories/{territory.slug}/observatory/estimates"
    assert client.get(api).status_code == 200
    # Drafts: coordinators of the territory only (404 for the others: no existence leak).
    expected = 200 if can_manage else 404
    assert client.get(f"{base}?run={draft_run.pk}").status_code == expected, who
    assert client.get(f"{base}estimates.csv?run={draft_run.pk}").status_code == expected
    assert client.get(f"{api}?run={draft_run.pk}").status_code == expected
    # Workspace and writes.
    for url in MANAGE_URLS:
        status = client.get(base + url).status_code
        if can_manage:
            assert status == 200, (who, url)
        else:
            assert status in (302, 403), (who, url, status)
    response = client.post(f"{base}manage/runs/{draft_run.pk}/status/", {"status": "published"})
    draft_run.refresh_from_db()
    assert (draft_run.status == WeightingRun.Status.PUBLISHED) == can_manage
    if not can_manage:
        assert response.status_code in (302, 403)


def test_services_refuse_other_roles(territory, people, wave, margins):
    for who in ("structure", "prescriber", "partner", "other_coordinator", "no_role"):
        with pytest.raises(PermissionDenied):
            services.weighting_run_create(wave=wave, margin_set=margins, by=people[who])


@pytest.mark.parametrize("status", ["", "archived", "Published"])
def test_an_unknown_run_status_is_a_bad_request_and_changes_nothing(
    client, territory, people, published_run, status
):
    client.force_login(people["coordinator"])
    url = f"/{territory.slug}/observatory/manage/runs/{published_run.pk}/status/"
    assert client.post(url, {"status": status}).status_code == 400
    published_run.refresh_from_db()
    assert published_run.status == WeightingRun.Status.PUBLISHED


@pytest.mark.parametrize(
    ("query", "expected"), [("?run=abc", 400), ("?run=0", 400), ("?run=", 200)]
)
def test_the_results_pages_read_their_run_through_a_form(
    client, territory, published_run, query, expected
):
    assert client.get(f"/{territory.slug}/observatory/{query}").status_code == expected
