"""The permission matrix: coordinators edit; structure members edit only the actions their
organisation leads or is a partner of; prescribers and partners read; others see nothing."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from maillage.roadmap import services
from maillage.roadmap.models import Action
from tests.factories import SYSTEM

WHO = [
    "anonymous",
    "coordinator",
    "structure",
    "structure_partner",
    "prescriber",
    "partner",
    "coordinator_elsewhere",
    "no_role",
]
# Status of GET on a reading page (home, plan, indicators, report, CSV).
READ = {
    "anonymous": 302,
    "coordinator": 200,
    "structure": 200,
    "structure_partner": 200,
    "prescriber": 200,
    "partner": 200,
    "coordinator_elsewhere": 403,
    "no_role": 403,
}
# Status of GET on the edit page of each action.
EDIT = [
    ("anonymous", "led", 302),
    ("coordinator", "led", 200),
    ("coordinator", "foreign", 200),
    ("structure", "led", 200),  # their organisation leads it
    ("structure", "partnered", 403),
    ("structure", "foreign", 403),
    ("structure_partner", "partnered", 200),  # their organisation is a partner
    ("structure_partner", "led", 403),
    ("prescriber", "led", 403),
    ("partner", "led", 403),
    ("coordinator_elsewhere", "led", 403),
    ("no_role", "led", 403),
]


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _read_urls(world):
    slug = world["territory"].slug
    return [
        reverse("roadmap:home", kwargs={"territory": slug}),
        reverse("roadmap:plan", kwargs={"territory": slug, "pk": world["plan"].pk}),
        reverse("roadmap:action", kwargs={"territory": slug, "pk": world["led"].pk}),
        reverse("roadmap:indicators", kwargs={"territory": slug}),
        reverse("roadmap:inventory", kwargs={"territory": slug}),
        reverse("roadmap:calendar", kwargs={"territory": slug}),
        reverse("roadmap:report", kwargs={"territory": slug, "year": 2025}),
        reverse("roadmap:export_csv", kwargs={"territory": slug, "kind": "actions"}),
        reverse("roadmap:plan_urbact_json", kwargs={"territory": slug, "pk": world["plan"].pk}),
    ]


@pytest.mark.parametrize("who", WHO)
def test_read_matrix(client, world, who):
    client = _client(client, world["users"][who])
    for url in _read_urls(world):
        assert client.get(url).status_code == READ[who], url


@pytest.mark.parametrize(("who", "which", "expected"), EDIT)
def test_action_edit_page_matrix(client, world, who, which, expected):
    client = _client(client, world["users"][who])
    slug = world["territory"].slug
    for name in ("roadmap:action_edit", "roadmap:activity_new"):
        url = reverse(name, kwargs={"territory": slug, "pk": world[which].pk})
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize(("who", "which", "expected"), EDIT)
def test_action_update_service_matrix(world, who, which, expected):
    """The service refuses what the page refuses (one permission check)."""
    user = world["users"][who] or AnonymousUser()
    action = world[which]
    if expected == 200:
        saved = services.action_update(
            action=action, data={"status": Action.Status.IN_PROGRESS}, by=user
        )
        assert saved.status == Action.Status.IN_PROGRESS
    else:
        with pytest.raises(PermissionDenied):
            services.action_update(action=action, data={"status": Action.Status.DONE}, by=user)
        action.refresh_from_db()
        assert action.status == Action.Status.PLANNED


def test_structure_member_posts_their_part_and_cannot_change_the_lead(client, world):
    client.force_login(world["users"]["structure"])
    action = world["led"]
    url = reverse("roadmap:action_edit", kwargs={"territory": "test-metropole", "pk": action.pk})
    response = client.post(
        url,
        {
            "description": "Nouveau",
            "status": "in_progress",
            "lead": world["partner_org"].pk,  # not a field of the form: ignored
            "start_date": "2025-01-01",
            "end_date": "2025-12-31",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress" and action.description == "Nouveau"
    assert action.lead == world["own"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("coordinator", 200), ("structure", 403), ("partner", 403), ("prescriber", 403)],
)
def test_only_coordinators_manage_meetings_and_indicators(client, world, who, expected):
    from maillage.roadmap.models import Body, IndicatorDefinition

    territory = world["territory"]
    body = services.body_create(
        territory=territory,
        name="Comité",
        level=Body.Level.STRATEGIC,
        meetings_per_year=1,
        by=SYSTEM,
    )
    indicator = services.indicator_define(
        territory=territory,
        code="x",
        name="X",
        unit="u",
        scope=IndicatorDefinition.Scope.LOCAL,
        by=SYSTEM,
    )
    client.force_login(world["users"][who])
    slug = territory.slug
    assert (
        client.get(reverse("roadmap:meeting_new", kwargs={"territory": slug, "pk": body.pk}))
    ).status_code == expected
    assert (
        client.get(
            reverse("roadmap:indicator_value_new", kwargs={"territory": slug, "pk": indicator.pk})
        )
    ).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("coordinator", 200), ("structure", 200), ("partner", 403), ("prescriber", 403)],
)
def test_inventory_form_matrix(client, world, who, expected):
    client.force_login(world["users"][who])
    url = reverse("roadmap:inventory_new", kwargs={"territory": world["territory"].slug})
    assert client.get(url).status_code == expected


def test_structure_member_adds_inventory_entries_only_for_their_organisation(world):
    from maillage.roadmap.models import InventoryEntry

    user = world["users"]["structure"]
    common = {
        "territory": world["territory"],
        "title": "Atelier",
        "audience": InventoryEntry.Audience.PUBLIC,
        "category": InventoryEntry.Category.TRAINING,
        "by": user,
    }
    assert services.inventory_entry_submit(organisation=world["own"], **common).pk
    with pytest.raises(PermissionDenied):
        services.inventory_entry_submit(organisation=world["partner_org"], **common)


@pytest.mark.parametrize("who", WHO)
def test_api_follows_the_same_rule(client, world, who):
    client = _client(client, world["users"][who])
    slug = world["territory"].slug
    expected = 200 if READ[who] == 200 else 403
    assert client.get(f"/api/v1/territories/{slug}/roadmap/indicators").status_code == expected
    url = f"/api/v1/territories/{slug}/roadmap/plans/{world['plan'].pk}/urbact"
    assert client.get(url).status_code == expected
