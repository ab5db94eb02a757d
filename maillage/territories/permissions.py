"""Roles per territory. Views, API and services all ask here (one permission check)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from maillage.territories.models import Membership, Territory

Role = Membership.Role


def roles_in(user, territory: Territory) -> frozenset[str]:
    """Return the roles `user` holds in `territory` (empty for anonymous users)."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return frozenset()
    if not user.is_active:
        return frozenset()
    cache = getattr(user, "_maillage_roles", None)
    if cache is None:
        cache = {}
        for territory_id, role in Membership.objects.filter(user=user).values_list(
            "territory_id", "role"
        ):
            cache.setdefault(territory_id, set()).add(role)
        user._maillage_roles = cache
    return frozenset(cache.get(territory.pk, ()))


def is_coordinator(user, territory: Territory) -> bool:
    return Role.COORDINATOR in roles_in(user, territory)


def can_read_private(user, territory: Territory) -> bool:
    """Members of any role may read unpublished data of their territory."""
    return bool(roles_in(user, territory))
