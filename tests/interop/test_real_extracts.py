"""Importing the real extracts available: every rejected row explained, with counts.

- The standard's own example (data/standards/lieux-mediation-numerique/exemple-valide.csv):
  tests/interop/test_import.py.
- 687 real places of the Hinaura network (Auvergne-Rhône-Alpes) as published by the national
  cartography's client (npm @gouvfr-anct/cartographie-nationale 5.22.0, Licence Ouverte 2.0),
  tests/interop/data/hinaura/source.json. The file predates v1.0.0 of the standard (services
  written "Accéder à une connexion internet", `courriel` instead of `courriels`, no
  `code_insee`): importing it as v1.0.2 must reject every row that uses an old value, and say
  why, and import the others.
"""

import collections
import csv
from pathlib import Path

import pytest

from maillage.directory.models import Place
from maillage.interop import services
from maillage.interop.models import Format
from tests import factories

HINAURA = Path(__file__).parent / "data" / "hinaura"


@pytest.fixture
def aura(db):
    """A test territory with the 393 real communes (INSEE code, name, postal codes) of the
    Hinaura places; each commune's centre is the mean position of its places (derived)."""
    territory = factories.territory(
        "aura-test",
        name="Auvergne-Rhône-Alpes (test)",
        bbox_south=44.1,
        bbox_north=46.6,
        bbox_west=2.0,
        bbox_east=7.2,
    )
    with (HINAURA / "communes.csv").open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            factories.area(
                territory,
                code=row["code_insee"],
                name=row["nom"],
                lat=float(row["latitude"]),
                lon=float(row["longitude"]),
                postal_codes=row["codes_postaux"].split("|"),
                population=None,
            )
    return territory


def test_hinaura_extract_every_rejected_row_explained(aura):
    data = (HINAURA / "source.json").read_bytes()
    refused = services.import_places(
        territory=aura,
        data=data,
        filename="source.json",
        file_format=Format.LIEUX_JSON,
        source="hinaura",
        by=None,
    )
    assert (refused.status, refused.rows, refused.created) == ("refused", 687, 0)
    assert not Place.objects.exists()
    run = services.import_places(
        territory=aura,
        data=data,
        filename="source.json",
        file_format=Format.LIEUX_JSON,
        source="hinaura",
        by=None,
        valid_rows_only=True,
    )
    rejected_rows = {i["row"] for i in run.issues}
    assert run.rejected == len(rejected_rows)
    assert run.created + run.rejected == run.rows == 687
    assert all(i["field"] and i["reason"] for i in run.issues)
    by_field = collections.Counter(i["field"] for i in run.issues)
    assert (run.created, run.rejected) == EXPECTED_COUNTS
    assert dict(by_field) == EXPECTED_BY_FIELD
    assert Place.objects.count() == run.created


# Every row uses the pre-1.0 wording of `services` (e.g. "Accéder à du matériel"), and 570 of
# them the old wording of `modalites_accompagnement` ("Seul", "Avec de l'aide"…): nothing of
# this extract is importable as v1.0.2 without a mapping of the old vocabulary (not built).
EXPECTED_COUNTS = (0, 687)
EXPECTED_BY_FIELD = {"services": 687, "modalites_accompagnement": 570}
