"""Exports validate against the official schema files kept in the repository; round trips."""

import csv
import io
import json

import jsonschema
import pytest

from maillage.directory.models import Place
from maillage.interop import datainclusion, selectors, services, standard, tableschema
from maillage.interop.models import Format, ImportRun
from maillage.interop.services import place_import_values
from maillage.web import spreadsheets
from tests import factories
from tests.factories import SYSTEM
from tests.interop.conftest import EXAMPLE_CSV
from tests.interop.helpers import csv_bytes, variant


def _import(territory, data, file_format=Format.LIEUX_CSV, source="src"):
    return services.import_places(
        territory=territory,
        data=data,
        filename="f",
        file_format=file_format,
        source=source,
        by=SYSTEM,
        publish=True,
    )


def _records(territory):
    """Every imported field of every place, plus its organisation, comparable across ids."""
    return sorted(
        (
            place_import_values(p)
            | {
                "organisation": (
                    p.organisation.name,
                    p.organisation.siret,
                    p.organisation.kind,
                    p.organisation.labels,
                ),
                "status": p.status,
            }
            for p in Place.objects.filter(territory=territory).select_related(
                "area", "organisation"
            )
        ),
        key=lambda v: v["name"],
    )


@pytest.fixture
def reims_twin(db):
    """A second territory with the same commune, to import an export into."""
    t = factories.territory("reims-bis", name="Reims bis")
    factories.area(t, code="51454", name="Reims", lat=49.2535, lon=4.0551, postal_codes=("51100",))
    return t


def test_round_trip_on_the_real_example_gives_identical_records(reims_territory, reims_twin):
    _import(reims_territory, EXAMPLE_CSV.read_bytes())
    exported = selectors.download_content(reims_territory, "lieux-csv")[1]
    run = _import(reims_twin, exported.encode(), source="maillage")
    assert (run.status, run.created) == ("imported", 1)
    assert _records(reims_twin) == _records(reims_territory)
    # and the export of the re-import is the same file, but for the ids
    again = selectors.download_content(reims_twin, "lieux-csv")[1]
    strip = lambda text: [r | {"id": "", "source": ""} for r in csv.DictReader(io.StringIO(text))]  # noqa: E731
    assert strip(again) == strip(exported)


def test_round_trip_in_json(reims_territory, reims_twin):
    _import(
        reims_territory,
        csv_bytes([variant(id="a"), variant(id="b", nom="Lieu B", itinerance="Fixe")]),
    )
    exported = selectors.download_content(reims_territory, "lieux-json")[1]
    _import(reims_twin, exported.encode(), file_format=Format.LIEUX_JSON)
    assert _records(reims_twin) == _records(reims_territory)


def test_data_inclusion_round_trip_keeps_the_core_fields(reims_territory, reims_twin):
    _import(reims_territory, EXAMPLE_CSV.read_bytes())
    exported = selectors.download_content(reims_territory, "data-inclusion")[1]
    run = _import(reims_twin, exported.encode(), file_format=Format.DATA_INCLUSION)
    assert run.created == 1
    core = (
        "name",
        "address",
        "postal_code",
        "area",
        "latitude",
        "longitude",
        "opening_hours",
        "phone",
        "email",
        "website",
        "services",
    )
    a, b = _records(reims_territory)[0], _records(reims_twin)[0]
    assert {k: a[k] for k in core} == {k: b[k] for k in core}


def test_csv_export_validates_against_the_table_schema(reims_territory, bordeaux):
    _import(reims_territory, csv_bytes([variant(id="a"), variant(id="b", telephone="")]))
    text = selectors.download_content(reims_territory, "lieux-csv")[1]
    assert tableschema.validate_csv(text, standard.schema()) == []


def test_directory_places_export_validates(territory, bordeaux):
    org = factories.organisation(territory, name="Centre social", labels=["FranceServices"])
    factories.place(
        org,
        bordeaux,
        name="Centre =1+1",
        address="1 rue X",
        postal_code="33000",
        phone="05 56 00 00 00",
        fees=["Gratuit"],
        publics=["Seniors"],
    )
    factories.place(org, bordeaux, name="Sans adresse")  # not exportable in the standard
    text = selectors.download_content(territory, "lieux-csv")[1]
    assert tableschema.validate_csv(text, standard.schema()) == []
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    assert rows[0]["telephone"] == "+33556000000"
    assert rows[0]["dispositif_programmes_nationaux"] == "France Services"
    summary = selectors.open_data_summary(territory)
    assert (summary.places, summary.not_in_standard) == (2, 1)


def test_validator_catches_what_the_schema_forbids():
    fields = ",".join(standard.field_names())
    row = dict.fromkeys(standard.field_names(), "")
    row.update(
        id="x",
        pivot="12",
        nom="N",
        commune="C",
        code_postal="ABCDE",
        adresse="A",
        date_maj="2024-13-01",
        services="Jardinage",
        latitude="north",
    )
    text = fields + "\r\n" + ",".join(row.values()) + "\r\n"
    errors = tableschema.validate_csv(text, standard.schema())
    assert {e.split(": ")[0] for e in errors} == {
        "row 2, field pivot",
        "row 2, field code_postal",
        "row 2, field date_maj",
        "row 2, field services",
        "row 2, field latitude",
    }


def test_data_inclusion_export_validates_against_its_json_schema(
    reims_territory, territory, bordeaux
):
    _import(reims_territory, EXAMPLE_CSV.read_bytes())
    org = factories.organisation(territory, name="Association", is_example=True)
    factories.place(org, bordeaux, name="Sans adresse", is_example=True)
    for t in (reims_territory, territory):
        document = json.loads(selectors.download_content(t, "data-inclusion")[1])
        checker = jsonschema.FormatChecker()
        for name, items in (
            ("structure", document["structures"]),
            ("service", document["services"]),
        ):
            validator = jsonschema.Draft202012Validator(
                datainclusion.json_schema(name), format_checker=checker
            )
            for item in items:
                assert list(validator.iter_errors(item)) == [], item
        assert document["structures"]
    example = json.loads(selectors.download_content(territory, "data-inclusion")[1])
    assert example["structures"][0]["source"] == "maillage-exemple"


def test_geojson_and_datapackage(reims_territory):
    _import(reims_territory, EXAMPLE_CSV.read_bytes())
    geo = json.loads(selectors.download_content(reims_territory, "geojson")[1])
    assert geo["type"] == "FeatureCollection"
    assert geo["features"][0]["geometry"]["coordinates"] == [5.41423, 43.52609]
    package = json.loads(selectors.download_content(reims_territory, "datapackage")[1])
    resource = package["resources"][0]
    assert resource["path"] == "lieux.csv"
    assert [f["name"] for f in resource["schema"]["fields"]] == list(standard.field_names())
    assert package["licenses"][0]["name"] == "etalab-2.0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("+33556000000", "+33556000000"),
        ("\tcmd", "'\tcmd"),
        ("Centre social", "Centre social"),
    ],
)
def test_formula_injection_is_neutralised(value, expected):
    assert spreadsheets.neutralise(value) == expected


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_export_neutralises_formulas(territory, bordeaux, start):
    org = factories.organisation(territory)
    factories.place(
        org,
        bordeaux,
        name=f"{start}cmd|'/C calc'!A0",
        address=f"{start}1 rue X",
        postal_code="33000",
    )
    text = selectors.download_content(territory, "lieux-csv")[1]
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["nom"] == f"'{start}cmd|'/C calc'!A0"
    assert row["adresse"] == f"'{start}1 rue X"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_import_report_and_notes_csv_neutralise_formulas(territory, start):
    quoted = {"row": 2, "field": f"{start}tel", "value": f"{start}A1+1", "reason": "Bad."}
    run = ImportRun.objects.create(
        territory=territory, format="csv", status="done", issues=[quoted], notes=[quoted]
    )
    for text in (selectors.run_report_csv(run), selectors.run_notes_csv(run)):
        row = next(csv.reader(io.StringIO(text.splitlines()[1])))
        assert row == ["2", f"'{start}tel", f"'{start}A1+1", "Bad."]
