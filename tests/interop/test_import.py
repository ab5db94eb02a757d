"""Imports of the national standard and data·inclusion: counts, reports, idempotence,
provenance and hand edits."""

import json

import pytest

from maillage.core import uploads
from maillage.directory import services as directory_services
from maillage.directory.models import Organisation, Place
from maillage.interop import selectors, services
from maillage.interop.models import FieldConflict, Format, ImportRun, SourceRecord
from tests import factories
from tests.factories import SYSTEM
from tests.interop.conftest import EXAMPLE_CSV
from tests.interop.helpers import csv_bytes, example_row, variant


def _import(territory, data, **kwargs):
    options = {"file_format": Format.LIEUX_CSV, "source": "test-source", "by": SYSTEM}
    options.update(kwargs)
    return services.import_places(territory=territory, data=data, filename="f.csv", **options)


def test_real_example_of_the_standard_imports_in_its_commune(reims_territory):
    run = _import(reims_territory, EXAMPLE_CSV.read_bytes(), publish=True)
    assert (run.status, run.rows, run.created, run.rejected) == ("imported", 1, 1, 0)
    place = Place.objects.get()
    assert place.name == "Anonymal"
    assert place.area.code == "51454"
    assert place.opening_hours == "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00"
    assert place.phone == "+33180059880"
    assert place.email == "contact@laquincaillerie.tl"  # the directory keeps one address
    assert place.is_mobile is True
    assert sorted(s["service"] for s in place.services_snapshot) == [
        "InsertionProfessionnelleViaLeNumerique",
        "LoisirsEtCreationsNumeriques",
        "MaitriseDesOutilsNumeriquesDuQuotidien",
    ]
    assert place.publics == ["Jeunes", "Femmes"]
    assert place.organisation.siret == "43493312300029"
    assert place.organisation.labels == ["AidantsConnect", "ConseillersNumeriques", "LaCroixRouge"]
    assert place.history.count() == 1
    assert f" {'anonymal'} " in place.search_text
    record = SourceRecord.objects.get()
    assert (record.source, record.source_id, str(record.source_updated_on)) == (
        "test-source",
        "structure-1",
        "2024-04-02",
    )


def test_real_example_outside_the_territory_is_rejected_naming_the_field(territory, bordeaux):
    run = _import(territory, EXAMPLE_CSV.read_bytes())
    assert (run.status, run.rows, run.created, run.rejected) == ("refused", 1, 0, 1)
    assert run.issues == [
        {
            "row": 2,
            "field": "code_insee",
            "value": "51454",
            "reason": "Unknown commune: it is not one of the communes of Test Métropole.",
        }
    ]
    assert not Place.objects.exists()


BAD_ROWS = [
    variant(id="ok-1"),
    variant(id="bad-postal", code_postal="5110"),
    variant(id="bad-service", services="Aide aux démarches administratives|Jardinage"),
    variant(id="bad-hours", horaires="tous les jours"),
    variant(id="no-name", nom=""),
    variant(id="bad-phone", telephone="05 56 00 00 00"),
    variant(id="bad-mail", courriels="pas-une-adresse"),
    variant(id="bad-siret", pivot="43493312300028"),
    variant(id="ok-1", nom="Same id again"),
    variant(id="ok-2", latitude="", longitude=""),
]


def test_every_rejected_row_is_explained_and_nothing_written_by_default(reims_territory):
    run = _import(reims_territory, csv_bytes(BAD_ROWS))
    assert run.status == ImportRun.Status.REFUSED
    assert (run.rows, run.created, run.rejected) == (10, 0, 8)
    by_row = {(i["row"], i["field"]) for i in run.issues}
    assert by_row == {
        (3, "code_postal"),
        (4, "services"),
        (5, "horaires"),
        (6, "nom"),
        (7, "telephone"),
        (8, "courriels"),
        (9, "pivot"),
        (10, "id"),
    }
    assert all(i["reason"] for i in run.issues)
    assert {i["value"] for i in run.issues if i["field"] == "pivot"} == {"43493312300028"}
    assert not Place.objects.exists() and not Organisation.objects.exists()
    report = selectors.run_report_csv(run).splitlines()
    assert report[0] == "row,field,value,reason"
    assert len(report) == 1 + len(run.issues)


def test_import_the_valid_rows_when_asked(reims_territory):
    run = _import(reims_territory, csv_bytes(BAD_ROWS), valid_rows_only=True)
    assert run.status == ImportRun.Status.PARTIAL
    assert (run.created, run.rejected) == (2, 8)
    no_position = Place.objects.get(source_records__source_id="ok-2")
    assert no_position.location_precision == "commune"
    assert (no_position.latitude, no_position.longitude) == (49.2535, 4.0551)
    # the organisation of the row with a wrong SIRET was not created
    assert not Organisation.objects.filter(siret="43493312300028").exists()


def test_reimport_is_idempotent(reims_territory):
    data = csv_bytes([variant(id="a"), variant(id="b", nom="Autre lieu", pivot="00000000000000")])
    first = _import(reims_territory, data)
    second = _import(reims_territory, data)
    assert (first.created, second.created, second.updated, second.unchanged) == (2, 0, 0, 2)
    assert Place.objects.count() == 2 and SourceRecord.objects.count() == 2
    assert SourceRecord.objects.get(source_id="a").last_run == second


def test_reimport_updates_what_the_source_changed(reims_territory):
    _import(reims_territory, csv_bytes([variant(id="a")]))
    run = _import(reims_territory, csv_bytes([variant(id="a", horaires="Mo-Fr 10:00-12:00")]))
    assert (run.updated, run.conflicts) == (1, 0)
    place = Place.objects.get()
    assert place.opening_hours == "Mo-Fr 10:00-12:00"
    assert place.version == 2
    assert place.history.count() == 2


def test_a_field_edited_by_hand_is_kept_and_the_coordinator_told(reims_territory):
    coordinator = factories.user(territory=reims_territory, role=factories.Role.COORDINATOR)
    _import(reims_territory, csv_bytes([variant(id="a")]))
    place = Place.objects.get()
    directory_services.place_update(
        place_id=place.pk,
        data={"opening_hours": "Tu 14:00-18:00", "summary": "Hand-written"},
        services=None,
        expected_version=place.version,
        by=coordinator,
    )
    run = _import(
        reims_territory,
        csv_bytes([variant(id="a", horaires="Mo-Fr 10:00-12:00", nom="Anonymal II")]),
    )
    place.refresh_from_db()
    assert place.opening_hours == "Tu 14:00-18:00"  # kept
    assert place.name == "Anonymal II"  # not edited by hand: the source wins
    conflict = FieldConflict.objects.get()
    assert (conflict.field, conflict.current, conflict.incoming) == (
        "opening_hours",
        "Tu 14:00-18:00",
        "Mo-Fr 10:00-12:00",
    )
    assert run.conflicts == 1
    # the same file again: already reported, no new conflict
    _import(
        reims_territory,
        csv_bytes([variant(id="a", horaires="Mo-Fr 10:00-12:00", nom="Anonymal II")]),
    )
    assert FieldConflict.objects.count() == 1
    services.conflict_decide(conflict=conflict, take_source=True, by=coordinator)
    place.refresh_from_db()
    assert place.opening_hours == "Mo-Fr 10:00-12:00"


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [("utf-8", ",", False), ("utf-8", ";", True), ("cp1252", ";", False), ("latin-1", "\t", False)],
)
def test_encodings_and_separators_are_detected(reims_territory, encoding, delimiter, bom):
    data = csv_bytes(
        [variant(id="a", services="Accès internet et matériel informatique")],
        delimiter=delimiter,
        encoding=encoding,
    )
    if bom:
        data = b"\xef\xbb\xbf" + data
    run = _import(reims_territory, data)
    assert run.status == "imported", run.issues
    assert run.delimiter == delimiter
    assert (
        Place.objects.get().services_snapshot[0]["service"] == "AccesInternetEtMaterielInformatique"
    )


def test_size_limit(reims_territory, settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "bytes": 100}
    with pytest.raises(uploads.UnreadableFile):
        _import(reims_territory, EXAMPLE_CSV.read_bytes())


def test_json_of_the_standard(reims_territory):
    rows = [example_row(), variant(id="x", code_insee="99999")]
    run = _import(
        reims_territory,
        json.dumps(rows).encode(),
        file_format=Format.LIEUX_JSON,
        valid_rows_only=True,
    )
    assert (run.created, run.rejected) == (1, 1)
    assert run.issues[0]["row"] == 2 and run.issues[0]["field"] == "code_insee"


def test_data_inclusion_import(reims_territory):
    document = {
        "structures": [
            {
                "source": "dora",
                "id": "dora--1",
                "nom": "Espace numérique",
                "date_maj": "2025-01-02",
                "code_insee": "51454",
                "code_postal": "51100",
                "adresse": "1 rue de Vesle",
                "latitude": 49.25,
                "longitude": 4.03,
                "telephone": "+33326000000",
                "courriel": "contact@example.org",
                "horaires_accueil": "Mo-Fr 09:00-17:00",
            },
            {"source": "dora", "id": "dora--2", "nom": "Sans commune", "date_maj": "2025-01-02"},
        ],
        "services": [
            {
                "source": "dora",
                "structure_id": "dora--1",
                "id": "s1",
                "nom": "Atelier",
                "description": "Atelier numérique",
                "date_maj": "2025-01-02",
                "thematiques": ["numerique--acceder-a-une-connexion-internet"],
                "frais": "gratuit",
            },
        ],
    }
    run = _import(
        reims_territory,
        json.dumps(document).encode(),
        file_format=Format.DATA_INCLUSION,
        valid_rows_only=True,
    )
    assert (run.created, run.rejected) == (1, 1)
    assert run.issues == [
        {
            "row": 2,
            "field": "code_insee",
            "value": "",
            "reason": "The commune's INSEE code is needed.",
        }
    ]
    place = Place.objects.get()
    assert place.services_snapshot[0]["service"] == "AccesInternetEtMaterielInformatique"
    assert place.fees == ["Gratuit"]
