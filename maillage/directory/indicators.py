"""Indicators the directory computes for the roadmap (see core.extensions)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from maillage.core.extensions import ComputedIndicator
from maillage.directory.models import Place
from maillage.territories.models import Territory


def _published_places(territory: Territory, on: dt.date) -> float:
    # The current count: history of publication dates is not kept per day yet.
    return float(Place.objects.filter(territory=territory, status=Place.Status.PUBLISHED).count())


published_places = ComputedIndicator(
    key="directory.published_places",
    label=_("Published places in the directory"),
    unit=_("places"),
    compute=_published_places,
    source=_("Directory"),
)
