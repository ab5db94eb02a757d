"""Importing the real extracts available: every rejected row explained, with counts.

- The standard's own example (data/standards/lieux-mediation-numerique/exemple-valide.csv):
  tests/interop/test_import.py.
- 687 real places of the Hinaura network (Auvergne-Rhône-Alpes) as published by the national
  cartography's client (npm @gouvfr-anct/cartographie-nationale 5.22.0, Licence Ouverte 2.0),
  tests/interop/data/hinaura/source.json. The file predates v1.0.0 of the standard (services
  written "Accéder à une connexion internet", `;` between values, `courriel` instead of
  `courriels`, no `code_insee`): its rows are upgraded to v1.0.2 by
  `maillage.interop.legacy`; old values without an equivalent are reported as notes, and the
  rows still rejected are explained.
"""

import collections
import csv
from pathlib import Path

import pytest

from maillage.directory.models import Place
from maillage.interop import services
from maillage.interop.models import Format
from tests import factories
from tests.factories import SYSTEM

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
        by=SYSTEM,
    )
    assert (refused.status, refused.rows, refused.created) == ("refused", 687, 0)
    assert not Place.objects.exists()
    run = services.import_places(
        territory=aura,
        data=data,
        filename="source.json",
        file_format=Format.LIEUX_JSON,
        source="hinaura",
        by=SYSTEM,
        valid_rows_only=True,
    )
    rejected_rows = {i["row"] for i in run.issues}
    assert run.rejected == len(rejected_rows)
    assert run.created + run.rejected == run.rows == 687
    assert all(i["field"] and i["reason"] for i in run.issues)
    by_field = collections.Counter(i["field"] for i in run.issues)
    assert (run.status, run.created, run.rejected) == ("partial", *EXPECTED_COUNTS)
    assert dict(by_field) == EXPECTED_BY_FIELD
    assert Place.objects.count() == run.created
    # Every row is pre-1.0; the values without an equivalent are notes, not rejections.
    assert run.converted == refused.converted == 687
    assert all(n["row"] and n["field"] and n["value"] and n["reason"] for n in run.notes)
    assert all(
        n["reason"].startswith("Pre-1.0 value without an equivalent in v1.0.2, left out: ")
        for n in run.notes
    )
    notes = collections.Counter((n["field"], n["value"].split(" :")[0]) for n in run.notes)
    assert dict(notes) == EXPECTED_NOTES
    assert refused.notes == run.notes


def test_hinaura_places_have_the_v1_services_of_their_old_wording(aura):
    run = services.import_places(
        territory=aura,
        data=(HINAURA / "source.json").read_bytes(),
        filename="source.json",
        file_format=Format.LIEUX_JSON,
        source="hinaura",
        by=SYSTEM,
        valid_rows_only=True,
    )
    assert run.created == EXPECTED_COUNTS[0]
    # id 0: "Accéder à une connexion internet;Accéder à du matériel;Accompagner les démarches
    # de santé;Réaliser des démarches administratives avec un accompagnement"; publics
    # "Adultes;Familles/enfants;Jeunes (16-26 ans);Seniors (+ 65 ans);Surdité;Handicaps
    # mentaux : …;Personnes en situation d'illettrisme;Déficience visuelle"; "Gratuit : …";
    # "Avec de l'aide : …".
    abondance = Place.objects.get(name="MAISON DE SERVICES AU PUBLIC D'ABONDANCE")
    assert sorted(s["service"] for s in abondance.services_snapshot) == [
        "AccesInternetEtMaterielInformatique",
        "AideAuxDemarchesAdministratives",
    ]
    assert sorted(abondance.publics) == ["FamillesEnfants", "Jeunes", "Seniors"]
    assert sorted(abondance.specific_support) == [
        "DeficienceVisuelle",
        "HandicapsMentaux",
        "Illettrisme",
        "Surdite",
    ]
    assert (abondance.fees, abondance.support_formats) == (
        ["Gratuit"],
        ["AccompagnementIndividuel"],
    )
    # id 39: all ten old services (four v1.0 keys); "Adhésion : …" (a fee: Payant) and
    # "Accepte le Pass numérique : …" (a note); the three old support modes; `courriel`.
    lieu = Place.objects.get(name="26FK")
    assert sorted(s["service"] for s in lieu.services_snapshot) == [
        "AccesInternetEtMaterielInformatique",
        "AideAuxDemarchesAdministratives",
        "ComprehensionDuMondeNumerique",
        "MaitriseDesOutilsNumeriquesDuQuotidien",
    ]
    assert lieu.fees == ["Payant"]
    assert sorted(lieu.support_formats) == [
        "AccompagnementIndividuel",
        "DansUnAtelier",
        "EnAutonomie",
    ]
    assert (lieu.publics, lieu.specific_support) == (
        ["Jeunes", "Seniors"],
        ["HandicapsMentaux", "Illettrisme"],
    )
    assert lieu.email == "espacenumerique@26fk.fr"


# The extract is pre-1.0 throughout. Once upgraded, 50 rows are rejected on `code_insee`: the
# file has no INSEE code and their commune name and postal code (e.g. "Oullins" 69600, "Annecy
# Cedex 03" 74003) are not a pair of communes.csv (data/hinaura/SOURCE.md); one row for an
# e-mail address the directory's validation refuses.
EXPECTED_COUNTS = (636, 51)
EXPECTED_BY_FIELD = {"code_insee": 50, "courriels": 1}
# Old values without an equivalent in v1.0.2 (docs/interop.md): one note per row that has one.
EXPECTED_NOTES = {
    ("publics_accueillis", "Adultes"): 637,
    ("modalites_accompagnement", "A ma place"): 131,
    ("conditions_acces", "Accepte le Pass numérique"): 91,
}
