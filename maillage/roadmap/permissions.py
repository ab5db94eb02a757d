"""Who may read and change the governance and the roadmap. Views, API and services all ask here.

- Coordinators of the territory read and edit everything.
- Structure members read everything and edit the actions their organisation leads or is a
  partner of (their part: description, status, calendar, activities, risks, funding), and add
  their organisation's actions to the inventory.
- Prescribers and partners read.
- Anonymous visitors, people without a role and other territories' members see nothing: the
  roadmap holds minutes, funding and risks that a territory publishes itself when it decides to.
"""

from __future__ import annotations

from maillage.directory.permissions import member_organisation_ids
from maillage.roadmap.models import Action
from maillage.territories.models import Membership, Territory
from maillage.territories.permissions import can_read_private, is_coordinator, roles_in

Role = Membership.Role


def can_read(user, territory: Territory) -> bool:
    """Every role of the territory reads its governance, plans, indicators and reports."""
    return can_read_private(user, territory)


def can_manage(user, territory: Territory) -> bool:
    """Bodies, meetings, plans, indicators and targets are the coordinator's."""
    return is_coordinator(user, territory)


def _structure_organisations(user, territory: Territory) -> frozenset[int]:
    if Role.STRUCTURE not in roles_in(user, territory):
        return frozenset()
    return member_organisation_ids(user)


def action_organisation_ids(action: Action) -> set[int]:
    ids = {p.organisation_id for p in action.partners.all()}
    if action.lead_id:
        ids.add(action.lead_id)
    return ids


def can_edit_action(user, action: Action) -> bool:
    """Coordinators; structure members whose organisation leads the action or is a partner."""
    territory = action.plan.territory
    if is_coordinator(user, territory):
        return True
    mine = _structure_organisations(user, territory)
    return bool(mine and mine & action_organisation_ids(action))


def can_change_action_team(user, action: Action) -> bool:
    """The lead and the partners of an action are chosen by the coordinator."""
    return is_coordinator(user, action.plan.territory)


def inventory_organisation_ids(user, territory: Territory) -> frozenset[int] | None:
    """Organisations whose actions `user` may add to the inventory (None: all of them)."""
    if is_coordinator(user, territory):
        return None
    return _structure_organisations(user, territory)


def can_submit_inventory(user, territory: Territory) -> bool:
    allowed = inventory_organisation_ids(user, territory)
    return allowed is None or bool(allowed)


def can_submit_inventory_for(user, organisation, territory: Territory) -> bool:
    """Whether `user` may add an action of `organisation` to the territory's inventory."""
    allowed = inventory_organisation_ids(user, territory)
    return allowed is None or organisation.pk in allowed


def can_change_inventory_entry(user, entry) -> bool:
    """Who may add an entry for its organisation may change or delete it."""
    allowed = inventory_organisation_ids(user, entry.territory)
    return allowed is None or entry.organisation_id in allowed
