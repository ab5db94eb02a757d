"""Indicators the observatory computes for the roadmap (see core.extensions)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from maillage.core.extensions import ComputedIndicator
from maillage.observatory.models import Estimate, WeightingRun
from maillage.territories.models import Territory


def _territory_share(indicator: str):
    def compute(territory: Territory, on: dt.date) -> float | None:
        """Percent, from the latest run published on or before `on` (None without one)."""
        run = (
            WeightingRun.objects.filter(
                wave__territory=territory,
                status=WeightingRun.Status.PUBLISHED,
                published_at__date__lte=on,
            )
            .order_by("-published_at")
            .first()
        )
        if run is None:
            return None
        estimate = Estimate.objects.filter(
            run=run, indicator=indicator, domain_kind="territory", suppressed=False
        ).first()
        return None if estimate is None or estimate.estimate is None else 100 * estimate.estimate

    return compute


been_to_place = ComputedIndicator(
    key="observatory.been_to_place",
    label=_("Residents who have been to a digital-mediation place"),
    unit=_("%"),
    compute=_territory_share("been_to_place"),
    source=_("Observatory"),
)
knows_place = ComputedIndicator(
    key="observatory.knows_place",
    label=_("Residents who know a digital-mediation place"),
    unit=_("%"),
    compute=_territory_share("knows_place"),
    source=_("Observatory"),
)
admin_difficulty = ComputedIndicator(
    key="observatory.admin_difficulty",
    label=_("Residents who felt in difficulty with online administrative procedures"),
    unit=_("%"),
    compute=_territory_share("admin_difficulty"),
    source=_("Observatory"),
)
