"""Fixtures of the interop tests: a territory with the real communes of the standard's example."""

from pathlib import Path

import pytest
from django.conf import settings

DATA = Path(settings.BASE_DIR) / "data"
EXAMPLE_CSV = DATA / "standards" / "lieux-mediation-numerique" / "exemple-valide.csv"


@pytest.fixture
def reims_territory(db):
    """Reims (INSEE 51454, postal code 51100), the commune of the standard's example row."""
    from tests import factories

    t = factories.territory(
        "grand-reims",
        name="Grand Reims",
        bbox_south=49.1,
        bbox_north=49.4,
        bbox_west=3.8,
        bbox_east=4.3,
    )
    factories.area(
        t,
        code="51454",
        name="Reims",
        lat=49.2535,
        lon=4.0551,
        postal_codes=("51100",),
        population=179589,
    )
    return t


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, the source language (pages use the /en/ prefix)."""
    from django.utils import translation

    with translation.override("en"):
        yield
