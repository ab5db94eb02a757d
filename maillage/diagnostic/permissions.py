"""Who may read and change the diagnostic. Views, API and services all use these checks.

The diagnostic is a working tool of the territory's coordination: coordinators and partners
(read only) see it; coordinators enter indicators, upload candidate sites and start runs.
There is no public version (docs/diagnostic.md says why).
"""

from __future__ import annotations

from maillage.territories.models import Membership, Territory
from maillage.territories.permissions import is_coordinator, roles_in

Role = Membership.Role
READERS = frozenset({Role.COORDINATOR, Role.PARTNER})


def can_view_diagnostic(user, territory: Territory) -> bool:
    return bool(READERS & roles_in(user, territory))


def can_manage_diagnostic(user, territory: Territory) -> bool:
    """Indicators, candidate sites and runs are the coordinator's."""
    return is_coordinator(user, territory)
