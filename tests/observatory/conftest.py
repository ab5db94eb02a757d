"""A small survey of three communes, built through the services like the application does."""

import csv
import io

import pytest

from maillage.observatory import services, synthetic
from tests.factories import SYSTEM


def csv_bytes(rows, fields=None) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields or list(rows[0]), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


@pytest.fixture
def communes(territory):
    from tests import factories

    areas = [
        factories.area(territory),
        factories.area(territory, code="33318", name="Pessac", population=66874),
        factories.area(territory, code="33004", name="Ambès", population=3291),
    ]
    return areas


@pytest.fixture
def wave(territory, communes):
    grid = services.grid_adopt(territory=territory, version="1", by=SYSTEM)
    return services.wave_create(
        territory=territory, grid=grid, name="Vague 1", is_synthetic=True, by=SYSTEM
    )


@pytest.fixture
def margins(territory, communes):
    return services.margin_set_create(
        territory=territory,
        name="Assumed",
        margins=synthetic.assumed_margins(
            [synthetic.Commune(a.code, a.population) for a in communes]
        ),
        source="test",
        is_assumed=True,
        by=SYSTEM,
    )


@pytest.fixture
def survey_rows(communes):
    """400 rows: Ambès gets only 3 respondents, so its cells are suppressed."""
    rows = synthetic.generate(
        [synthetic.Commune(a.code, a.population) for a in communes[:2]], n=397, seed=3
    )
    extra = synthetic.generate([synthetic.Commune("33004", 3291)], n=60, seed=4)[:3]
    return rows + extra


@pytest.fixture
def published_run(wave, margins, survey_rows):
    report = services.responses_import(
        wave=wave, data=csv_bytes(survey_rows), filename="s.csv", by=SYSTEM
    )
    assert report.rows_imported == 400, report.problems[:3]
    run = services.weighting_run_create(wave=wave, margin_set=margins, by=SYSTEM)
    return services.weighting_run_publish(run=run, by=SYSTEM)
