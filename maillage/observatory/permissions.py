"""Who may do what in the observatory. Views, API and services all use these checks.

Published runs (their estimates, pages, CSV and API) are public. Everything else — waves,
imports and their reports, margins, draft runs — is the coordinator's: coordinators prepare,
weight and publish. Other roles see what the public sees.
"""

from __future__ import annotations

from maillage.observatory.models import WeightingRun
from maillage.territories.models import Territory
from maillage.territories.permissions import is_coordinator


def can_manage(user, territory: Territory) -> bool:
    """Create waves, import responses, load margins, run the weighting, publish."""
    return is_coordinator(user, territory)


def can_view_run(user, run: WeightingRun) -> bool:
    if run.status == WeightingRun.Status.PUBLISHED:
        return True
    return can_manage(user, run.wave.territory)
