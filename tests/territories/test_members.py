"""Members of a territory: invitations by e-mail accepted by the person, roles taken back and
left, who may do it, and that no page tells whether an account exists."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from maillage.directory.models import OrganisationMember
from maillage.territories.models import Invitation, Membership
from tests import factories

Role = factories.Role
PASSWORD = "Un mot de passe pour 2026"


def members_url(territory) -> str:
    return f"/{territory.slug}/members/"


@pytest.fixture
def coordinator(territory):
    account = factories.user("camille", territory=territory, role=Role.COORDINATOR)
    account.email = "camille@example.org"
    account.save()
    return account


def signed_in(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def invite(client, territory, email, role=Role.PRESCRIBER):
    return client.post(members_url(territory), {"email": email, "role": role})


def link_in(message) -> str:
    return re.search(r"http://testserver(/invitation/\S+/)", message.body).group(1)


def test_an_invitation_gives_no_role_until_a_new_person_accepts(territory, coordinator):
    client = signed_in(coordinator)
    response = invite(client, territory, "Lou.Martin@Example.ORG")
    assert response.status_code == 302
    assert not get_user_model().objects.filter(email__iexact="lou.martin@example.org").exists()
    invitation = Invitation.objects.get()
    assert invitation.email == "Lou.Martin@example.org"
    assert invitation.status == Invitation.Status.PENDING
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["Lou.Martin@example.org"]
    assert mail.outbox[0].from_email == "Maillage <noreply@localhost>"  # MAILLAGE_EMAIL_FROM
    link = link_in(mail.outbox[0])
    token = link.split("/")[2]
    assert token not in invitation.token_hash  # only the hash is kept
    invitee = Client()
    page = invitee.get(link)
    assert page.status_code == 200 and territory.name in page.content.decode()
    response = invitee.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    account = get_user_model().objects.get(email="Lou.Martin@example.org")
    assert account.username == "lou.martin@example.org"
    assert Membership.objects.filter(user=account, territory=territory, role=Role.PRESCRIBER)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.accepted_by == account
    assert (
        invitee.post("/login/", {"username": account.username, "password": PASSWORD}).status_code
        == 302
    )
    assert invitee.get(link).status_code == 410  # used once


def test_an_existing_account_accepts_after_signing_in(territory, coordinator):
    existing = factories.user("sami")
    invite(signed_in(coordinator), territory, "sami@example.org", role=Role.PARTNER)
    link = link_in(mail.outbox[0])
    assert not Membership.objects.filter(user=existing).exists()
    client = signed_in(existing)
    page = client.get(link).content.decode()
    assert "sami" in page  # accept with this account
    assert client.post(f"{link}accept/").status_code == 302
    assert Membership.objects.filter(user=existing, territory=territory, role=Role.PARTNER)
    assert get_user_model().objects.count() == 2  # no account created


def test_a_weak_password_is_refused_and_nothing_is_created(territory, coordinator):
    invite(signed_in(coordinator), territory, "lou@example.org")
    link = link_in(mail.outbox[0])
    response = Client().post(link, {"password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not get_user_model().objects.filter(email="lou@example.org").exists()
    assert Invitation.objects.get().status == Invitation.Status.PENDING


def test_declining_closes_the_link_and_gives_nothing(territory, coordinator):
    invite(signed_in(coordinator), territory, "lou@example.org")
    link = link_in(mail.outbox[0])
    assert Client().post(f"{link}decline/").status_code == 302
    assert Invitation.objects.get().status == Invitation.Status.DECLINED
    assert not Membership.objects.exclude(user=coordinator).exists()


@pytest.mark.parametrize("state", ["accepted", "revoked", "expired", "resent", "unknown"])
def test_a_closed_link_gets_a_clear_page(territory, coordinator, state):
    client = signed_in(coordinator)
    invite(client, territory, "lou@example.org")
    link = link_in(mail.outbox[0])
    invitation = Invitation.objects.get()
    if state == "accepted":
        Client().post(link, {"password1": PASSWORD, "password2": PASSWORD})
    elif state == "revoked":
        client.post(f"{members_url(territory)}invitations/{invitation.pk}/revoke/")
    elif state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
    elif state == "resent":  # a new link replaces the old one
        client.post(f"{members_url(territory)}invitations/{invitation.pk}/resend/")
        assert len(mail.outbox) == 2 and link_in(mail.outbox[1]) != link
    else:
        link = "/invitation/not-a-token/"
    users_before = get_user_model().objects.count()
    page = Client().get(link)
    assert page.status_code == (404 if state in ("unknown", "resent") else 410)
    assert "Ce lien d'invitation ne fonctionne plus" in page.content.decode()
    Client().post(link, {"password1": PASSWORD, "password2": PASSWORD})
    signed = signed_in(factories.user("late"))
    assert signed.post(f"{link}accept/").status_code in (404, 410)
    assert Client().post(f"{link}decline/").status_code in (404, 410)
    assert get_user_model().objects.count() == users_before + 1  # "late" only
    assert Membership.objects.filter(territory=territory).count() == (
        2 if state == "accepted" else 1
    )


@pytest.mark.parametrize("exists", [True, False])
def test_a_coordinator_cannot_attach_see_or_detect_another_territorys_account(
    territory, coordinator, exists
):
    """The issue's case: an account with a role elsewhere, invited by e-mail or by user name.
    Same answer, same e-mail, no role, no name, whether the account exists or not."""
    other = factories.territory("autre", name="Autre")
    if exists:
        stranger = factories.user("dominique", territory=other, role=Role.COORDINATOR)
        stranger.first_name, stranger.last_name = "Dominique", "Secret"
        stranger.email = "dominique@example.org"
        stranger.save()
    client = signed_in(coordinator)
    answers = []
    for text in ("dominique@example.org", "dominique"):
        response = invite(client, territory, text, role=Role.COORDINATOR)
        answers.append((response.status_code, response.get("Location")))
        page = client.get(members_url(territory)).content.decode()
        assert "Secret" not in page and "Dominique" not in page
    # The address is accepted (invitation sent), the bare user name is refused as not an
    # address: both exactly as for an unknown person.
    assert answers == [(302, members_url(territory)), (200, None)]
    assert Membership.objects.filter(territory=territory).count() == 1
    assert [m.to for m in mail.outbox] == [["dominique@example.org"]]
    body = mail.outbox[0].body
    assert "Secret" not in body and "dominique\n" not in body
    # Through an organisation's "add member" form too.
    organisation = factories.organisation(territory)
    url = f"/{territory.slug}/manage/organisations/{organisation.pk}/"
    response = client.post(url, {"action": "add_member", "email": "dominique@example.org"})
    assert response.status_code == 302
    assert not OrganisationMember.objects.exists()
    assert "Secret" not in client.get(url).content.decode()


def test_an_organisation_invitation_attaches_the_person_when_accepted(territory, coordinator):
    organisation = factories.organisation(territory)
    url = f"/{territory.slug}/manage/organisations/{organisation.pk}/"
    client = signed_in(coordinator)
    client.post(url, {"action": "add_member", "email": "lou@example.org"})
    assert "lou@example.org" in client.get(url).content.decode()  # pending
    assert not OrganisationMember.objects.exists()
    Client().post(
        link_in(mail.outbox[0]),
        {"password1": PASSWORD, "password2": PASSWORD},
    )
    account = get_user_model().objects.get(email="lou@example.org")
    assert OrganisationMember.objects.filter(organisation=organisation, user=account).exists()
    assert Membership.objects.filter(user=account, territory=territory, role=Role.STRUCTURE)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not an address", "role": Role.PRESCRIBER}, "email"),
        ({"email": "", "role": Role.PRESCRIBER}, "email"),
        ({"email": "lou@example.org", "role": "king"}, "role"),
        ({"email": "lou@example.org", "role": ""}, "role"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_nothing_is_written(
    territory, coordinator, data, field
):
    response = signed_in(coordinator).post(members_url(territory), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_roles_are_taken_back_but_not_the_last_coordinator(territory, coordinator):
    client = signed_in(coordinator)
    partner = factories.user("alix", territory=territory, role=Role.PARTNER)
    membership = Membership.objects.get(user=partner, territory=territory)
    response = client.post(f"{members_url(territory)}{membership.pk}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert get_user_model().objects.filter(pk=partner.pk).exists()  # the account stays
    own = Membership.objects.get(user=coordinator, territory=territory)
    page = client.post(f"{members_url(territory)}{own.pk}/remove/", follow=True)
    assert Membership.objects.filter(pk=own.pk).exists()
    assert "dernier coordinateur" in page.content.decode()


def test_the_page_lists_roles_and_pending_invitations_revocable(territory, coordinator):
    client = signed_in(coordinator)
    invite(client, territory, "lou@example.org")
    page = client.get(members_url(territory)).content.decode()
    assert "lou@example.org" in page and "camille@example.org" in page
    assert "Invitations en attente de réponse" in page
    invitation = Invitation.objects.get()
    page = client.post(f"{members_url(territory)}invitations/{invitation.pk}/revoke/", follow=True)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    assert "est retirée" in page.content.decode()
    assert "lou@example.org" not in client.get(members_url(territory)).content.decode()


def test_a_person_sees_and_leaves_their_roles_but_not_the_last_coordinator(territory, coordinator):
    person = factories.user("alix", territory=territory, role=Role.PARTNER)
    Membership.objects.create(user=person, territory=territory, role=Role.PRESCRIBER)
    client = signed_in(person)
    page = client.get("/my-roles/").content.decode()
    assert territory.name in page and "Prescripteur" in page
    partner = Membership.objects.get(user=person, role=Role.PARTNER)
    assert client.post(f"/my-roles/{partner.pk}/leave/").status_code == 302
    assert set(person.memberships.values_list("role", flat=True)) == {Role.PRESCRIBER}
    # Nobody leaves a role of somebody else.
    own = Membership.objects.get(user=coordinator)
    assert client.post(f"/my-roles/{own.pk}/leave/").status_code == 404
    # The last coordinator stays.
    page = signed_in(coordinator).post(f"/my-roles/{own.pk}/leave/", follow=True)
    assert Membership.objects.filter(pk=own.pk).exists()
    assert "dernier coordinateur" in page.content.decode()
    assert Client().get("/my-roles/").status_code == 302  # sign in first


@pytest.mark.parametrize(
    "role", [None, Role.STRUCTURE, Role.PRESCRIBER, Role.PARTNER, "other-coordinator", "no-role"]
)
def test_only_the_territorys_coordinators_see_or_change_members(territory, coordinator, role):
    other = factories.territory("autre", name="Autre")
    target = Membership.objects.get(user=coordinator, territory=territory)
    invite(signed_in(coordinator), territory, "lou@example.org")
    invitation = Invitation.objects.get()
    mail.outbox.clear()
    if role is None:
        client = Client()
    elif role == "other-coordinator":
        client = signed_in(factories.user(territory=other, role=Role.COORDINATOR))
    elif role == "no-role":
        client = signed_in(factories.user())
    else:
        client = signed_in(factories.user(territory=territory, role=role))
    expected = 302 if role is None else 403  # anonymous: to the sign-in page
    base = members_url(territory)
    assert client.get(base).status_code == expected
    assert invite(client, territory, "x@example.org").status_code == expected
    assert client.post(f"{base}{target.pk}/remove/").status_code == expected
    assert client.post(f"{base}invitations/{invitation.pk}/resend/").status_code == expected
    assert client.post(f"{base}invitations/{invitation.pk}/revoke/").status_code == expected
    assert client.post(f"{base}lockouts/{coordinator.pk}/lift/").status_code == expected
    assert Invitation.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert Membership.objects.filter(pk=target.pk).exists()
    assert mail.outbox == []


def test_the_menu_shows_members_to_coordinators_only(territory, coordinator):
    home = f"/{territory.slug}/"
    assert members_url(territory) in signed_in(coordinator).get(home).content.decode()
    partner = factories.user(territory=territory, role=Role.PARTNER)
    assert members_url(territory) not in signed_in(partner).get(home).content.decode()
