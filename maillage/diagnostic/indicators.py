"""Indicators the diagnostic computes for the roadmap (see core.extensions)."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.utils.translation import gettext_lazy as _

from analysis.geo import nearest
from maillage.core.extensions import ComputedIndicator
from maillage.diagnostic.selectors import need_services, territory_areas
from maillage.directory.models import Place
from maillage.territories.models import Territory

PROCEDURES_RADIUS_KM = 10.0


def _share_within_procedures(territory: Territory, on: dt.date) -> float | None:
    # The current directory: the history of places is not kept per day yet. Populations are
    # the areas' (at their centre): a commune counts whole when its centre is within reach.
    areas = list(territory_areas(territory).filter(population__isnull=False))
    total = sum(a.population for a in areas)
    if not areas or total == 0:
        return None
    places = list(
        Place.objects.filter(
            territory=territory,
            status=Place.Status.PUBLISHED,
            services__service__in=need_services("category:procedures"),
        )
        .distinct()
        .values_list("latitude", "longitude")
    )
    if not places:
        return 0.0
    distance, _index = nearest(
        lat=[a.latitude for a in areas],
        lon=[a.longitude for a in areas],
        points_lat=[p[0] for p in places],
        points_lon=[p[1] for p in places],
    )
    reached = distance[:, 0] <= PROCEDURES_RADIUS_KM
    population = np.array([a.population for a in areas], dtype=np.float64)
    return float(100.0 * population[reached].sum() / population.sum())


population_near_procedures = ComputedIndicator(
    key="diagnostic.population_within_10km_procedures",
    label=_("Share of the population within 10 km of a place offering help with online procedures"),
    unit=_("%"),
    compute=_share_within_procedures,
    source=_("Territorial diagnostic"),
)
