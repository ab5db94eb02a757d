"""The permission matrix: who reaches which page and which write."""

import pytest
from django.urls import reverse

from maillage.directory.models import Place
from tests import factories
from tests.factories import Role


@pytest.fixture
def world(territory, bordeaux):
    own = factories.organisation(territory, name="Own")
    other = factories.organisation(territory, name="Other")
    other_territory = factories.territory(slug="elsewhere", name="Elsewhere")
    return {
        "own_place": factories.place(own, bordeaux, name="Own place"),
        "other_place": factories.place(other, bordeaux, name="Other place"),
        "draft": factories.place(own, bordeaux, name="Draft", status=Place.Status.DRAFT),
        "own": own,
        "other": other,
        "users": {
            "anonymous": None,
            "coordinator": factories.user(territory=territory, role=Role.COORDINATOR),
            "structure": factories.user(
                territory=territory, role=Role.STRUCTURE, organisations=[own]
            ),
            "prescriber": factories.user(territory=territory, role=Role.PRESCRIBER),
            "partner": factories.user(territory=territory, role=Role.PARTNER),
            "coordinator_elsewhere": factories.user(
                territory=other_territory, role=Role.COORDINATOR
            ),
            "no_role": factories.user(),
        },
    }


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


# (who, which place, expected status of GET edit page)
EDIT_MATRIX = [
    ("anonymous", "own_place", 302),  # to the sign-in page
    ("coordinator", "own_place", 200),
    ("coordinator", "other_place", 200),
    ("structure", "own_place", 200),
    ("structure", "other_place", 403),
    ("prescriber", "own_place", 403),
    ("partner", "own_place", 403),
    ("coordinator_elsewhere", "own_place", 403),
    ("no_role", "own_place", 403),
]


@pytest.mark.parametrize(("who", "which", "expected"), EDIT_MATRIX)
def test_edit_page_matrix(client, world, who, which, expected):
    place = world[which]
    url = reverse(
        "directory:place_edit", kwargs={"territory": place.territory.slug, "pk": place.pk}
    )
    response = _client(client, world["users"][who]).get(url)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("coordinator", 302),
        ("structure", 403),
        ("prescriber", 403),
        ("partner", 403),
        ("coordinator_elsewhere", 403),
    ],
)
def test_publish_matrix(client, world, who, expected):
    place = world["draft"]
    url = reverse(
        "directory:place_status", kwargs={"territory": place.territory.slug, "pk": place.pk}
    )
    response = _client(client, world["users"][who]).post(url, {"status": "published"})
    assert response.status_code == expected
    place.refresh_from_db()
    published = who == "coordinator"
    assert (place.status == Place.Status.PUBLISHED) is published
    if expected == 302 and not published:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("coordinator", 302),
        ("structure", 302),
        ("prescriber", 403),
        ("partner", 403),
    ],
)
def test_confirm_matrix(client, world, who, expected):
    place = world["own_place"]
    url = reverse(
        "directory:place_confirm", kwargs={"territory": place.territory.slug, "pk": place.pk}
    )
    _client(client, world["users"][who]).post(url)
    place.refresh_from_db()
    assert (place.confirmed_at is not None) is (who in {"coordinator", "structure"})


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 404),
        ("coordinator", 200),
        ("structure", 200),
        ("partner", 200),
        ("coordinator_elsewhere", 404),
    ],
)
def test_drafts_are_visible_to_members_only(client, world, who, expected):
    place = world["draft"]
    url = reverse("directory:place", kwargs={"territory": place.territory.slug, "pk": place.pk})
    assert _client(client, world["users"][who]).get(url).status_code == expected


def test_structure_cannot_create_a_place_for_another_organisation(client, world):
    client.force_login(world["users"]["structure"])
    url = reverse(
        "directory:place_new",
        kwargs={"territory": "test-metropole", "organisation_id": world["other"].pk},
    )
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Intrus"}).status_code == 403
    assert not Place.objects.filter(name="Intrus").exists()


def test_structure_post_to_another_organisation_place_writes_nothing(client, world):
    place = world["other_place"]
    client.force_login(world["users"]["structure"])
    url = reverse(
        "directory:place_edit", kwargs={"territory": place.territory.slug, "pk": place.pk}
    )
    assert client.post(url, {"name": "Hacked", "version": place.version}).status_code == 403
    place.refresh_from_db()
    assert place.name == "Other place"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("coordinator", 200),
        ("structure", 200),
        ("partner", 200),
        ("no_role", 403),
    ],
)
def test_manage_page_matrix(client, world, who, expected):
    url = reverse("directory:manage", kwargs={"territory": "test-metropole"})
    assert _client(client, world["users"][who]).get(url).status_code == expected


def test_partner_sees_no_edit_link(client, world):
    place = world["own_place"]
    client.force_login(world["users"]["partner"])
    url = reverse("directory:place", kwargs={"territory": place.territory.slug, "pk": place.pk})
    page = client.get(url).content.decode()
    edit = reverse(
        "directory:place_edit", kwargs={"territory": place.territory.slug, "pk": place.pk}
    )
    assert edit not in page


@pytest.mark.parametrize("who", ["structure", "partner", "anonymous"])
def test_only_coordinators_revert(client, world, who):
    place = world["own_place"]
    record = place.history.earliest("history_date")
    url = reverse(
        "directory:place_revert",
        kwargs={"territory": place.territory.slug, "pk": place.pk, "history_id": record.history_id},
    )
    response = _client(client, world["users"][who]).post(url)
    assert response.status_code in {302, 403}
    if who != "anonymous":
        assert response.status_code == 403


@pytest.mark.parametrize(
    ("who", "list_status", "own_status", "other_status"),
    [
        ("anonymous", 302, 302, 302),
        ("coordinator", 200, 200, 200),
        ("structure", 403, 200, 403),
        ("prescriber", 403, 403, 403),
        ("partner", 403, 403, 403),
        ("coordinator_elsewhere", 403, 403, 403),
    ],
)
def test_organisation_pages_matrix(client, world, who, list_status, own_status, other_status):
    client = _client(client, world["users"][who])
    slug = "test-metropole"
    assert (
        client.get(reverse("directory:organisations", kwargs={"territory": slug})).status_code
        == list_status
    )
    for org, expected in ((world["own"], own_status), (world["other"], other_status)):
        url = reverse("directory:organisation_edit", kwargs={"territory": slug, "pk": org.pk})
        assert client.get(url).status_code == expected


def test_only_coordinators_invite_members_and_they_join_when_they_accept(client, world):
    import re

    from django.core import mail

    from maillage.directory.models import OrganisationMember

    newcomer = factories.user("newcomer")
    newcomer.email = "newcomer@example.org"
    newcomer.save()
    url = reverse(
        "directory:organisation_edit", kwargs={"territory": "test-metropole", "pk": world["own"].pk}
    )
    client.force_login(world["users"]["structure"])
    response = client.post(url, {"action": "add_member", "email": "newcomer@example.org"})
    assert response.status_code == 403
    assert mail.outbox == []
    client.force_login(world["users"]["coordinator"])
    response = client.post(url, {"action": "add_member", "email": "newcomer@example.org"})
    assert response.status_code == 302
    assert not OrganisationMember.objects.filter(user=newcomer).exists()  # not before accepting
    link = re.search(r"http://testserver(/invitation/\S+/)", mail.outbox[0].body).group(1)
    client.force_login(newcomer)
    assert client.post(f"{link}accept/").status_code == 302
    assert OrganisationMember.objects.filter(organisation=world["own"], user=newcomer).exists()
    # The newcomer can now edit the organisation's places, and only those.
    own = reverse(
        "directory:place_edit", kwargs={"territory": "test-metropole", "pk": world["own_place"].pk}
    )
    other = reverse(
        "directory:place_edit",
        kwargs={"territory": "test-metropole", "pk": world["other_place"].pk},
    )
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 403


def test_an_unknown_address_gets_the_same_answer_as_a_known_one(client, world):
    client.force_login(world["users"]["coordinator"])
    url = reverse(
        "directory:organisation_edit", kwargs={"territory": "test-metropole", "pk": world["own"].pk}
    )
    known = world["users"]["structure"]
    known.email = "known@example.org"
    known.save()
    answers = [
        client.post(url, {"action": "add_member", "email": email}, follow=True)
        for email in ("nobody@example.org", "known@example.org")
    ]
    texts = [
        a.content.decode().replace(email, "ADDRESS")
        for a, email in zip(answers, ("nobody@example.org", "known@example.org"), strict=True)
    ]
    assert [a.status_code for a in answers] == [200, 200]
    assert texts[0].count("ADDRESS") == texts[1].count("ADDRESS")
    assert "Invitation envoyée à ADDRESS" in texts[0] and "Invitation envoyée à ADDRESS" in texts[1]


def test_renaming_an_organisation_updates_the_search(client, world):
    from maillage.directory.selectors import SearchCriteria, place_search

    client.force_login(world["users"]["coordinator"])
    url = reverse(
        "directory:organisation_edit", kwargs={"territory": "test-metropole", "pk": world["own"].pk}
    )
    response = client.post(
        url,
        {
            "name": "Maison des Solidarités",
            "kind": "association",
            "siret": "",
            "website": "",
            "local_programmes": "ALADDIN",
        },
    )
    assert response.status_code == 302
    territory = world["own"].territory
    result = place_search(territory=territory, criteria=SearchCriteria(q="solidarites"))
    assert {h.place.name for h in result.hits} == {"Own place"}
    world["own"].refresh_from_db()
    assert world["own"].local_programmes == ["ALADDIN"]


@pytest.mark.parametrize("status", ["", "deleted", "PUBLISHED"])
def test_an_unknown_status_is_a_bad_request_and_changes_nothing(client, world, status):
    place = world["draft"]
    url = reverse(
        "directory:place_status", kwargs={"territory": place.territory.slug, "pk": place.pk}
    )
    response = _client(client, world["users"]["coordinator"]).post(url, {"status": status})
    assert response.status_code == 400
    place.refresh_from_db()
    assert (place.status, place.version) == (Place.Status.DRAFT, 1)


@pytest.mark.parametrize(
    ("next_page", "expected"),
    [("/test-metropole/annuaire/", "/test-metropole/annuaire/"), ("https://evil.example/", None)],
)
def test_a_status_button_goes_back_only_to_a_page_of_this_site(client, world, next_page, expected):
    place = world["draft"]
    kwargs = {"territory": place.territory.slug, "pk": place.pk}
    response = _client(client, world["users"]["coordinator"]).post(
        reverse("directory:place_status", kwargs=kwargs), {"status": "archived", "next": next_page}
    )
    assert response.status_code == 302
    assert response["Location"] == (expected or reverse("directory:place", kwargs=kwargs))
