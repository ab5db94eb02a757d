"""Shared fixtures. Imports of Django code stay inside fixtures so that `tests/analysis` runs in
an environment without Django."""

import importlib.util

import pytest

# Peer comparisons run in their own environments (scripts/test-peers-*.sh), which have no
# Django; the application's environment does not collect them.
collect_ignore = ["peers"] if importlib.util.find_spec("django") else []


def pytest_addoption(parser):
    parser.addoption(
        "--database-only",
        action="store_true",
        help="run only the tests that use the database (the PostgreSQL pass: pure tests and "
        "tests/analysis ran once already, on SQLite and without Django)",
    )


def uses_database(item) -> bool:
    """Whether pytest-django gives `item` a database: a `django_db` marker, or a fixture that
    needs one (`db`, `transactional_db`, `live_server`…, directly or through another fixture).
    Any other test that touched the database would fail: pytest-django blocks it."""
    return bool(
        item.get_closest_marker("django_db")
        or {"_django_db_helper", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config, items):
    """With --database-only, deselect the tests that do not use the database."""
    if not config.getoption("database_only"):
        return
    selected, deselected = [], []
    for item in items:
        (selected if uses_database(item) else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def pytest_terminal_summary(terminalreporter, config):
    """The seed of the random order (pytest-randomly), at the end where a failure is read."""
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int):
        terminalreporter.write_line(f"Random order: replay it with --randomly-seed={seed}")


@pytest.fixture(autouse=True)
def _default_language_and_no_cached_index(request):
    """Each test starts in the default language with no directory search index cached, and
    leaves the language it found: a request to an /en/ page leaves English active in the thread, and a
    later `reverse()` would build an /en/ URL."""
    if not request.config.pluginmanager.hasplugin("django"):  # tests/analysis without Django
        yield
        return
    from django.conf import settings
    from django.utils import translation

    from maillage.directory import search_index

    # The directory's search indexes are cached per territory id and version; ids are reused
    # once a test's rows are rolled back.
    search_index._cache.clear()
    with translation.override(settings.LANGUAGE_CODE):
        yield
    search_index._cache.clear()


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
