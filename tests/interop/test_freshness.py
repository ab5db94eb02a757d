"""Freshness campaigns: signed expiring links, answers, the campaign page."""

import time

import pytest
from django.core import mail, signing
from django.test import Client

from maillage.directory.models import Place
from maillage.interop import freshness
from maillage.interop.models import FreshnessRequest
from tests import factories


@pytest.fixture
def setup(territory, bordeaux):
    coordinator = factories.user(territory=territory, role=factories.Role.COORDINATOR)
    with_mail = factories.organisation(territory, name="Association A")
    factories.place(with_mail, bordeaux, name="Lieu A", email="a@example.org")
    factories.place(with_mail, bordeaux, name="Lieu A2")
    member_only = factories.organisation(territory, name="Association B")
    factories.place(member_only, bordeaux, name="Lieu B")
    member = factories.user(
        territory=territory, role=factories.Role.STRUCTURE, organisations=[member_only]
    )
    member.email = "b@example.org"
    member.save()
    silent = factories.organisation(territory, name="Association C")
    factories.place(silent, bordeaux, name="Lieu C")
    return coordinator


def _send(territory, coordinator, days=30):
    return freshness.campaign_send(
        territory=territory,
        title="Vos lieux sont-ils à jour ?",
        message="Merci !",
        valid_days=days,
        by=coordinator,
        link_for=lambda token: f"https://x/{token}/",
    )


def test_campaign_emails_each_structure_with_an_address(territory, setup):
    campaign = _send(territory, setup)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    request = campaign.requests.get(organisation__name="Association A")
    assert len(request.place_ids) == 2
    token = freshness.request_token(request)
    assert any(token in m.body for m in mail.outbox)
    assert freshness.request_from_token(token) == request


def test_answer_confirms_the_places(territory, setup):
    campaign = _send(territory, setup)
    request = campaign.requests.get(organisation__name="Association A")
    client = Client()
    url = f"/en/{territory.slug}/open-data/freshness/{freshness.request_token(request)}/"
    page = client.get(url)
    assert page.status_code == 200 and "Lieu A2" in page.text
    assert FreshnessRequest.objects.get(pk=request.pk).answer == "waiting"  # GET changes nothing
    client.post(url, {"answer": "confirmed"})
    request.refresh_from_db()
    assert request.answer == "confirmed" and request.answered_at
    places = Place.objects.filter(pk__in=request.place_ids)
    assert all(p.confirmed_at for p in places)
    assert places.first().history.first().history_change_reason.startswith("Confirmed")
    coordinator = Client()
    coordinator.force_login(setup)
    page = coordinator.get(f"/en/{territory.slug}/open-data/campaigns/{campaign.pk}/")
    assert "Confirmed still correct" in page.text and "No answer yet" in page.text


def test_tampered_and_expired_links(territory, setup, monkeypatch):
    campaign = _send(territory, setup, days=1)
    token = freshness.request_token(campaign.requests.first())
    with pytest.raises(freshness.InvalidLink) as error:
        freshness.request_from_token(token[:-2] + "xx")
    assert not error.value.expired
    assert Client().get(f"/en/{territory.slug}/open-data/freshness/{token}x/").status_code == 404
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + 2 * 86400)
    with pytest.raises(freshness.InvalidLink) as error:
        freshness.request_from_token(token)
    assert error.value.expired
    expired = Client().get(f"/en/{territory.slug}/open-data/freshness/{token}/")
    assert expired.status_code == 410
    assert "expired" in expired.text


def test_an_answered_link_refuses_a_second_use_and_says_what_was_recorded(territory, setup):
    campaign = _send(territory, setup)
    request = campaign.requests.get(organisation__name="Association A")
    url = f"/en/{territory.slug}/open-data/freshness/{freshness.request_token(request)}/"
    client = Client()
    assert client.post(url, {"answer": "update"}).status_code == 200
    request.refresh_from_db()
    answered_at = request.answered_at
    history_rows = sum(p.history.count() for p in Place.objects.filter(pk__in=request.place_ids))

    again = client.post(url, {"answer": "confirmed"})  # the link forwarded, or clicked twice
    assert again.status_code == 409
    assert "already been used" in again.text and "Will update" in again.text
    assert "Association A" in again.text and "Lieu A2" in again.text
    request.refresh_from_db()
    assert (request.answer, request.answered_at) == ("update", answered_at)
    places = Place.objects.filter(pk__in=request.place_ids)
    assert not any(p.confirmed_at for p in places)
    assert sum(p.history.count() for p in places) == history_rows
    later = client.get(url)  # opening it again shows the same page, without buttons
    assert later.status_code == 200 and "already been used" in later.text
    assert 'name="answer"' not in later.text


def test_the_service_records_one_answer_per_request(territory, setup):
    campaign = _send(territory, setup)
    request = campaign.requests.get(organisation__name="Association A")
    freshness.request_answer(request=request, answer="confirmed", by=freshness.LINK_HOLDER)
    with pytest.raises(freshness.AlreadyAnswered) as used:
        freshness.request_answer(request=request, answer="update", by=freshness.LINK_HOLDER)
    assert used.value.request.answer == "confirmed"
    assert FreshnessRequest.objects.get(pk=request.pk).answer == "confirmed"
