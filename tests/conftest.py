"""Shared fixtures. Imports of Django code stay inside fixtures so that `tests/analysis` runs in
an environment without Django."""

import importlib.util

import pytest

# Peer comparisons run in their own environments (scripts/test-peers-*.sh), which have no
# Django; the application's environment does not collect them.
collect_ignore = ["peers"] if importlib.util.find_spec("django") else []


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
