"""Who may do what with open data. Views, API and services all ask here."""

from __future__ import annotations

from maillage.territories.models import Territory
from maillage.territories.permissions import is_coordinator


def can_download(user, territory: Territory) -> bool:
    """The open-data files hold published places only: everyone may download them."""
    return True


def can_import(user, territory: Territory) -> bool:
    """Imports write the directory and their reports quote the files: coordinators only."""
    return is_coordinator(user, territory)


def can_review_duplicates(user, territory: Territory) -> bool:
    return is_coordinator(user, territory)


def can_run_campaigns(user, territory: Territory) -> bool:
    return is_coordinator(user, territory)
