"""Indicators the interop app computes for the roadmap (see core.extensions)."""

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from maillage.core.extensions import ComputedIndicator
from maillage.interop.models import FreshnessRequest
from maillage.territories.models import Territory


def _answer_rate(territory: Territory, on: dt.date) -> float | None:
    """Share (%) of structures asked by freshness campaigns sent in the 12 months before `on`
    that answered. None when no structure was asked."""
    asked = FreshnessRequest.objects.filter(
        campaign__territory=territory,
        campaign__sent_at__date__lte=on,
        campaign__sent_at__date__gt=on - dt.timedelta(days=365),
    )
    total = asked.count()
    if not total:
        return None
    answered = asked.filter(~Q(answer=FreshnessRequest.Answer.WAITING)).count()
    return round(100.0 * answered / total, 1)


places_confirmed_by_campaign = ComputedIndicator(
    key="interop.freshness_answer_rate",
    label=_("Structures answering freshness campaigns (last 12 months)"),
    unit="%",
    compute=_answer_rate,
    source=_("Open data"),
)
