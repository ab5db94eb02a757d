"""Members of a territory: invitations by e-mail, roles given and taken back, who may do it."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from maillage.territories.models import Membership
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


def test_a_new_person_gets_an_account_and_chooses_a_password(territory, coordinator):
    client = signed_in(coordinator)
    response = invite(client, territory, "Lou.Martin@Example.ORG")
    assert response.status_code == 302
    account = get_user_model().objects.get(email="Lou.Martin@example.org")
    assert not account.has_usable_password()
    assert account.username == "lou.martin@example.org"
    assert Membership.objects.filter(user=account, territory=territory, role=Role.PRESCRIBER)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["Lou.Martin@example.org"]
    assert mail.outbox[0].from_email == "Maillage <noreply@localhost>"  # MAILLAGE_EMAIL_FROM
    body = mail.outbox[0].body
    assert "lou.martin@example.org" in body and territory.name in body
    link = re.search(r"http://testserver(/password/reset/\S+/)", body).group(1)
    # The invitee follows the link, chooses a password, then signs in.
    invitee = Client()
    form_page = invitee.get(link, follow=True)
    assert form_page.context["validlink"]
    invitee.post(
        form_page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert invitee.login(username="lou.martin@example.org", password=PASSWORD)
    assert not invitee.get(link, follow=True).context["validlink"]  # used once


def test_an_existing_account_is_found_by_e_mail_and_told_without_a_link(territory, coordinator):
    existing = factories.user("sami")
    existing.email = "sami@example.org"
    existing.save()
    invite(signed_in(coordinator), territory, "SAMI@example.org", role=Role.PARTNER)
    assert get_user_model().objects.filter(email__iexact="sami@example.org").count() == 1
    assert Membership.objects.filter(user=existing, territory=territory, role=Role.PARTNER)
    assert len(mail.outbox) == 1
    assert "/password/reset/" not in mail.outbox[0].body


def test_inviting_again_sends_a_new_link_until_a_password_is_chosen(territory, coordinator):
    client = signed_in(coordinator)
    invite(client, territory, "lou@example.org")
    invite(client, territory, "lou@example.org", role=Role.STRUCTURE)
    assert get_user_model().objects.filter(email="lou@example.org").count() == 1
    assert len(mail.outbox) == 2 and "/password/reset/" in mail.outbox[1].body
    assert set(
        Membership.objects.filter(user__email="lou@example.org").values_list("role", flat=True)
    ) == {Role.PRESCRIBER, Role.STRUCTURE}


def test_a_taken_user_name_gets_a_suffix(territory, coordinator):
    factories.user("lou@example.org")  # a user name that looks like the address, other e-mail
    invite(signed_in(coordinator), territory, "lou@example.org")
    assert get_user_model().objects.get(email="lou@example.org").username == "lou@example.org-2"
    assert "lou@example.org-2" in mail.outbox[0].body


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
    users_before = get_user_model().objects.count()
    response = signed_in(coordinator).post(members_url(territory), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert get_user_model().objects.count() == users_before
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


def test_the_page_lists_roles_and_pending_invitations(territory, coordinator):
    client = signed_in(coordinator)
    invite(client, territory, "lou@example.org")
    page = client.get(members_url(territory)).content.decode()
    assert "lou@example.org" in page and "camille@example.org" in page
    assert "Invitée, pas encore de mot de passe" in page


@pytest.mark.parametrize(
    "role", [None, Role.STRUCTURE, Role.PRESCRIBER, Role.PARTNER, "other-coordinator", "no-role"]
)
def test_only_the_territorys_coordinators_see_or_change_members(territory, coordinator, role):
    other = factories.territory("autre", name="Autre")
    target = Membership.objects.get(user=coordinator, territory=territory)
    if role is None:
        client = Client()
    elif role == "other-coordinator":
        client = signed_in(factories.user(territory=other, role=Role.COORDINATOR))
    elif role == "no-role":
        client = signed_in(factories.user())
    else:
        client = signed_in(factories.user(territory=territory, role=role))
    expected = 302 if role is None else 403  # anonymous: to the sign-in page
    assert client.get(members_url(territory)).status_code == expected
    assert invite(client, territory, "x@example.org").status_code == expected
    assert client.post(f"{members_url(territory)}{target.pk}/remove/").status_code == expected
    assert not get_user_model().objects.filter(email="x@example.org").exists()
    assert Membership.objects.filter(pk=target.pk).exists()
    assert mail.outbox == []


def test_the_menu_shows_members_to_coordinators_only(territory, coordinator):
    home = f"/{territory.slug}/"
    assert members_url(territory) in signed_in(coordinator).get(home).content.decode()
    partner = factories.user(territory=territory, role=Role.PARTNER)
    assert members_url(territory) not in signed_in(partner).get(home).content.decode()
