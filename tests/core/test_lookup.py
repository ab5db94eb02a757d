"""The one territory-and-permission lookup of views and API (core.lookup.territory_for)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, RequestFactory

from maillage.core.lookup import territory_for
from maillage.territories.models import Membership
from maillage.territories.permissions import is_coordinator
from tests import factories


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_an_unknown_slug_is_404_and_a_known_one_is_found(territory):
    with pytest.raises(Http404):
        territory_for(_request(AnonymousUser()), "nowhere")
    assert territory_for(_request(AnonymousUser()), territory.slug) == territory


def test_a_refused_user_gets_403_with_the_reason(territory):
    partner = factories.user(territory=territory, role=Membership.Role.PARTNER)
    coordinator = factories.user(territory=territory, role=Membership.Role.COORDINATOR)
    with pytest.raises(PermissionDenied, match="coordinators only"):
        territory_for(
            _request(partner), territory.slug, allowed=is_coordinator, refusal="coordinators only"
        )
    with pytest.raises(PermissionDenied):
        territory_for(_request(AnonymousUser()), territory.slug, allowed=is_coordinator)
    assert territory_for(_request(coordinator), territory.slug, allowed=is_coordinator) == territory


def test_the_api_answers_a_refused_territory_with_403_and_its_reason(territory):
    response = Client().get(f"/api/v1/territories/{territory.slug}/roadmap/indicators")
    assert response.status_code == 403
    assert response.json() == {"detail": "A role in this territory is needed to read its roadmap."}
    assert Client().get("/api/v1/territories/nowhere/roadmap/indicators").status_code == 404
