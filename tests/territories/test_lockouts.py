"""Login throttling (django-axes): an account locked out after too many wrong passwords,
refused even with the right one until the cool-off ends, and lifted by a coordinator of a
territory where the person has a role."""

import datetime as dt
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from maillage.core.actors import SystemActor
from maillage.territories import lockouts
from tests import factories

Role = factories.Role
PASSWORD = "correct horse battery staple"  # tests.factories.user's


def sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def lock_out(username, wrong=30):
    client = Client()
    for _ in range(wrong):
        assert sign_in(client, username, "wrong password").status_code in (200, 429)
    return client


@pytest.fixture
def alix(territory):
    account = factories.user("alix", territory=territory, role=Role.PRESCRIBER)
    account.email = "alix@example.org"
    account.save()
    return account


def test_the_31st_attempt_is_refused_even_with_the_right_password(alix):
    client = lock_out("alix", wrong=30)
    response = sign_in(client, "alix", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Connexion suspendue" in page and "même avec le bon mot de passe" in page
    assert "30\u00a0minutes" in page or "30 minutes" in page
    # Another browser, another address: still refused (the lock is on the account).
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert sign_in(other, "alix", PASSWORD).status_code == 429


def test_the_lockout_says_nothing_about_whether_the_account_exists(alix):
    pages = []
    for username in ("alix", "nobody-here"):
        client = lock_out(username, wrong=settings.AXES_FAILURE_LIMIT)
        response = sign_in(client, username, PASSWORD)
        # The same page but for the CSRF token of the language form (random per response).
        text = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())
        pages.append((response.status_code, text))
    assert pages[0] == pages[1] and pages[0][0] == 429


def test_a_few_mistakes_do_not_lock_and_success_resets_the_count(alix):
    client = lock_out("alix", wrong=settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "alix", PASSWORD).status_code == 302
    client = lock_out("alix", wrong=settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "alix", PASSWORD).status_code == 302  # the count started again


def test_the_lock_ends_after_the_cool_off(alix):
    lock_out("alix", wrong=settings.AXES_FAILURE_LIMIT)
    assert sign_in(Client(), "alix", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    )
    assert sign_in(Client(), "alix", PASSWORD).status_code == 302


def test_a_password_reset_does_not_lift_the_lock(alix):
    lock_out("alix")
    client = Client()
    client.post("/password/reset/", {"email": "alix@example.org"})
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    new = "Un tout nouveau mot de passe 2026"
    client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert sign_in(Client(), "alix", new).status_code == 429


def test_a_coordinator_of_the_territory_sees_and_lifts_the_lock(territory, alix):
    coordinator = factories.user(territory=territory, role=Role.COORDINATOR)
    stranger = factories.user("sacha")  # locked out, but no role in the territory
    lock_out("alix")
    lock_out("sacha")
    client = Client()
    client.force_login(coordinator)
    page = client.get(f"/{territory.slug}/members/").content.decode()
    assert "alix@example.org" in page and "sacha" not in page
    assert client.post(f"/{territory.slug}/members/lockouts/{stranger.pk}/lift/").status_code == 404
    response = client.post(f"/{territory.slug}/members/lockouts/{alix.pk}/lift/")
    assert response.status_code == 302
    assert sign_in(Client(), "alix", PASSWORD).status_code == 302
    assert sign_in(Client(), "sacha", PASSWORD).status_code == 429


def test_a_coordinator_of_another_territory_cannot_lift_the_lock(territory, alix):
    other = factories.territory("autre", name="Autre")
    outsider = factories.user(territory=other, role=Role.COORDINATOR)
    lock_out("alix")
    client = Client()
    client.force_login(outsider)
    assert client.post(f"/{territory.slug}/members/lockouts/{alix.pk}/lift/").status_code == 403
    assert client.post(f"/{other.slug}/members/lockouts/{alix.pk}/lift/").status_code == 404
    assert "alix" not in client.get(f"/{other.slug}/members/").content.decode()
    assert sign_in(Client(), "alix", PASSWORD).status_code == 429


def test_failed_sign_ins_are_purged(alix):
    lock_out("alix", wrong=3)
    assert AccessAttempt.objects.exists()
    by = SystemActor("purge_personal_data")
    later = timezone.now() + dt.timedelta(days=lockouts.FAILED_SIGN_INS_DAYS)
    assert lockouts.failed_sign_ins_purge(before=later, dry_run=True, by=by) == 1
    assert AccessAttempt.objects.exists()
    assert lockouts.failed_sign_ins_purge(before=later, by=by) == 1
    assert not AccessAttempt.objects.exists()
