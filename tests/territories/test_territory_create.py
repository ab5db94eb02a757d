"""`manage.py territory_create` builds a territory from the national commune reference in
data/communes/. Expected values are read from the source files (decoupage-administratif 6.0.0
and the France-GeoJSON contours), not from the code under test."""

import csv
import gzip
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from maillage.territories.models import Area, Territory

DATA = Path(__file__).resolve().parents[2] / "data" / "communes"
BOULONNAIS = "246200729"


def _epci_members(siren: str) -> dict[str, dict]:
    """The EPCI's members as the communes file describes them (populations in force in 2026;
    epci.json's own member populations are the previous vintage, those in force in 2025)."""
    with gzip.open(DATA / "epci.json.gz", "rt", encoding="utf-8") as f:
        (epci,) = [e for e in json.load(f) if e["code"] == siren]
    with gzip.open(DATA / "communes.json.gz", "rt", encoding="utf-8") as f:
        communes = {c["code"]: c for c in json.load(f) if c["type"] == "commune-actuelle"}
    return {m["code"]: communes[m["code"]] for m in epci["membres"]}


@pytest.mark.django_db
def test_the_boulonnais_has_its_22_communes_with_real_populations_centres_and_contours():
    out = StringIO()
    call_command("territory_create", "boulonnais", "--epci", BOULONNAIS, stdout=out)
    territory = Territory.objects.get(slug="boulonnais")
    assert territory.name == "CA du Boulonnais"
    assert territory.kind == "epci" and territory.official_code == BOULONNAIS
    areas = {a.code: a for a in Area.objects.filter(territory=territory)}
    members = _epci_members(BOULONNAIS)
    assert set(areas) == set(members) and len(areas) == 22
    for code, member in members.items():
        assert areas[code].population == member["population"], code
        assert areas[code].name == member["nom"]
    boulogne = areas["62160"]
    assert boulogne.name == "Boulogne-sur-Mer" and boulogne.population == 40539
    assert "62200" in boulogne.postal_codes
    # Its centre lies in the town (Boulogne-sur-Mer's town hall: 50.7264 N, 1.6147 E).
    assert abs(boulogne.latitude - 50.726) < 0.03 and abs(boulogne.longitude - 1.61) < 0.04
    assert all(
        a.contour and a.contour["type"] in {"Polygon", "MultiPolygon"} for a in areas.values()
    )
    assert all(a.population_year == 2023 for a in areas.values())
    assert sum(a.population for a in areas.values()) == sum(
        m["population"] for m in members.values()
    )
    assert "22 communes" in out.getvalue()
    assert territory.bbox_south < 50.73 < territory.bbox_north


@pytest.mark.django_db
def test_a_departement_and_a_list_of_communes():
    call_command("territory_create", "gironde", "--departement", "33", stdout=StringIO())
    gironde = Territory.objects.get(slug="gironde")
    assert gironde.name == "Gironde" and gironde.kind == "departement"
    assert Area.objects.filter(territory=gironde).count() > 500
    call_command(
        "territory_create",
        "rive-droite",
        "--communes",
        "33003,33004",
        "--name",
        "Rive droite",
        stdout=StringIO(),
    )
    rive = Territory.objects.get(slug="rive-droite")
    assert rive.kind == "other"
    assert sorted(Area.objects.filter(territory=rive).values_list("code", flat=True)) == [
        "33003",
        "33004",
    ]


def test_centres_match_the_repositorys_earlier_bordeaux_centroids():
    from maillage.territories import reference

    with open(DATA / "bordeaux-metropole-centroids.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            commune = reference.commune(row["code_insee"])
            assert commune.latitude == pytest.approx(float(row["latitude"]), abs=1e-6)
            assert commune.longitude == pytest.approx(float(row["longitude"]), abs=1e-6)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--epci", "123"], "is not the SIREN of an intercommunality"),
        (["--departement", "99"], "is not a département code"),
        (["--communes", "33063,75056X"], "'75056X' is not the INSEE code"),
        (["--communes", "13201"], "arrondissements of Paris, Lyon and Marseille"),
        (["--communes", "33063,33318"], "Give the territory's name with --name"),
    ],
)
def test_wrong_codes_are_refused_with_what_to_give_and_nothing_written(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("territory_create", "anything", *arguments, stdout=StringIO())
    assert not Territory.objects.filter(slug="anything").exists()


@pytest.mark.django_db
def test_a_commune_without_known_centre_is_refused_then_given_or_left_out(tmp_path):
    # Sannerville (14666), a commune restored after 2018: not in the 2018 contours, and it holds
    # no former communes whose centre could stand for it.
    with pytest.raises(CommandError, match="No centre is known for 14666 Sannerville"):
        call_command(
            "territory_create",
            "caen-est",
            "--communes",
            "14666,14118",
            "--name",
            "Caen est",
            stdout=StringIO(),
        )
    assert not Territory.objects.filter(slug="caen-est").exists()
    centres = tmp_path / "centres.csv"
    centres.write_text("code_insee,latitude,longitude\n14666,49.1870,-0.2807\n", encoding="utf-8")
    call_command(
        "territory_create",
        "caen-est",
        "--communes",
        "14666,14118",
        "--name",
        "Caen est",
        "--centres",
        str(centres),
        stdout=StringIO(),
    )
    area = Area.objects.get(territory__slug="caen-est", code="14666")
    assert (area.latitude, area.longitude) == (49.1870, -0.2807)
    err = StringIO()
    call_command(
        "territory_create",
        "caen-est-2",
        "--communes",
        "14666,14118",
        "--name",
        "Caen est",
        "--skip-missing-centres",
        stdout=StringIO(),
        stderr=err,
    )
    assert "Left out (no known centre): 14666 Sannerville" in err.getvalue()
    assert Area.objects.filter(territory__slug="caen-est-2").count() == 1


@pytest.mark.django_db
def test_an_existing_slug_is_refused_unless_update():
    call_command("territory_create", "boulonnais", "--epci", BOULONNAIS, stdout=StringIO())
    with pytest.raises(CommandError, match="exists already"):
        call_command("territory_create", "boulonnais", "--epci", BOULONNAIS, stdout=StringIO())
    Area.objects.filter(code="62160").update(population=1)
    call_command(
        "territory_create", "boulonnais", "--epci", BOULONNAIS, "--update", stdout=StringIO()
    )
    assert Area.objects.get(code="62160").population == 40539
