"""Demo data of the diagnostic for Bordeaux Métropole (run by `load_demo`, idempotent).

Real: the communes, their populations and centres (from the directory's demo). Invented and
marked `is_example`: the values of the five indicators of the 2023 digital fragility index
(no open statistic on age, diplomas, poverty or broadband coverage is shipped with Maillage).
docs/diagnostic.md says which real sources a territory loads instead.
"""

from __future__ import annotations

import numpy as np
from django.db import transaction

from maillage.core.actors import SystemActor
from maillage.diagnostic import selectors, services
from maillage.diagnostic.computation import RunParameters
from maillage.diagnostic.models import DiagnosticRun, FragilityIndicator, IndicatorValue
from maillage.territories.models import Territory

DEMO_LOADER = SystemActor("demo loader")

EXAMPLE_SOURCE = "Valeurs inventées pour la démonstration (source réelle : %s)"
EXAMPLE_YEAR = 2021
# key, label, real source, plausible range of the invented share (%)
EXAMPLE_INDICATORS = (
    ("no_very_high_speed", "Locaux non couverts en très haut débit (%)", "ARCEP", (0.0, 15.0)),
    ("no_4g", "Territoire non couvert en 4G (%)", "ARCEP", (0.0, 5.0)),
    ("aged_65_plus", "Part des 65 ans et plus (%)", "INSEE, recensement", (12.0, 28.0)),
    (
        "low_qualification_15_plus",
        "Part des 15 ans et plus peu ou pas diplômés (%)",
        "INSEE, recensement",
        (15.0, 40.0),
    ),
    ("poverty_rate", "Taux de pauvreté (%)", "INSEE Filosofi", (5.0, 25.0)),
)


def example_value(key: str, code: str) -> float:
    """A deterministic invented value for an indicator in a commune (seeded by both)."""
    _key, _label, _source, (low, high) = next(i for i in EXAMPLE_INDICATORS if i[0] == key)
    seed = int(code) * 31 + sum(map(ord, key))
    return round(float(np.random.default_rng(seed).uniform(low, high)), 1)


@transaction.atomic
def load_demo(territory: Territory, *, with_users: bool = False) -> None:
    areas = list(selectors.territory_areas(territory))
    if not areas:
        return
    # Filosofi withholds poverty rates of small communes (statistical secrecy): the demo leaves
    # the smallest commune without one, to show how missing data is handled.
    smallest = min(areas, key=lambda a: a.population or 0)
    for key, label, source, _range in EXAMPLE_INDICATORS:
        indicator, _created = FragilityIndicator.objects.update_or_create(
            territory=territory,
            key=key,
            defaults={
                "label": label,
                "axis": "index",
                "higher_is_fragile": True,
                "weight": 1.0,
                "source": EXAMPLE_SOURCE % source,
                "year": EXAMPLE_YEAR,
                "is_example": True,
            },
        )
        indicator.full_clean()
        for area in areas:
            if key == "poverty_rate" and area.pk == smallest.pk:
                IndicatorValue.objects.filter(indicator=indicator, area=area).delete()
                continue
            IndicatorValue.objects.update_or_create(
                indicator=indicator, area=area, defaults={"value": example_value(key, area.code)}
            )
    if not DiagnosticRun.objects.filter(
        territory=territory, status=DiagnosticRun.Status.DONE
    ).exists():
        services.diagnostic_run_request(
            territory=territory, by=DEMO_LOADER, parameters=RunParameters(), inline=True
        )
