"""Who may read and change the directory. Views, API and services all use these checks."""

from __future__ import annotations

from maillage.directory.models import Organisation, Place
from maillage.territories.models import Membership, Territory
from maillage.territories.permissions import is_coordinator, roles_in

Role = Membership.Role


def member_organisation_ids(user) -> frozenset[int]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = getattr(user, "_maillage_organisations", None)
    if cache is None:
        cache = frozenset(user.organisation_memberships.values_list("organisation_id", flat=True))
        user._maillage_organisations = cache
    return cache


def can_edit_organisation(user, organisation: Organisation) -> bool:
    territory = organisation.territory
    if is_coordinator(user, territory):
        return True
    return Role.STRUCTURE in roles_in(
        user, territory
    ) and organisation.pk in member_organisation_ids(user)


def can_edit_place(user, place: Place) -> bool:
    """Coordinators edit every place of their territory; structure members their own."""
    return can_edit_organisation(user, place.organisation)


def can_publish(user, territory: Territory) -> bool:
    """Publishing, archiving and reverting are the coordinator's."""
    return is_coordinator(user, territory)


def can_view_place(user, place: Place) -> bool:
    if place.status == Place.Status.PUBLISHED:
        return True
    return bool(roles_in(user, place.territory))


def editable_organisations(user, territory: Territory):
    if is_coordinator(user, territory):
        return Organisation.objects.filter(territory=territory)
    if Role.STRUCTURE in roles_in(user, territory):
        return Organisation.objects.filter(
            territory=territory, pk__in=member_organisation_ids(user)
        )
    return Organisation.objects.none()
