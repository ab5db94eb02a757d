"""Shared fixtures. Imports of Django code stay inside fixtures so that `tests/analysis` runs in
an environment without Django."""

import pytest


@pytest.fixture
def territory(db):
    from tests import factories

    return factories.territory()


@pytest.fixture
def bordeaux(territory):
    from tests import factories

    return factories.area(territory)


@pytest.fixture
def pessac(territory):
    from tests import factories

    return factories.area(
        territory,
        code="33318",
        name="Pessac",
        lat=44.7915,
        lon=-0.6760,
        postal_codes=("33600",),
        population=66874,
    )
