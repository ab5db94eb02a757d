"""Rows written before v1.0 of the standard: Maillage's correspondence to v1.0.2, notes for the
values without an equivalent, and v1.0 rows left exactly as they are."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from maillage.directory.models import Place
from maillage.interop import legacy, retention, selectors, services, standard
from maillage.interop.models import Format, ImportRun
from tests import factories
from tests.factories import SYSTEM
from tests.interop.helpers import example_row, variant

LEFT_OUT = "Pre-1.0 value without an equivalent in v1.0.2, left out: "

# (old column, old value) → (v1.0.2 column, v1.0.2 key): the table of docs/interop.md.
CORRESPONDENCE = [
    ("services", "Accéder à du matériel", "services", "AccesInternetEtMaterielInformatique"),
    (
        "services",
        "Accéder à une connexion internet",
        "services",
        "AccesInternetEtMaterielInformatique",
    ),
    (
        "services",
        "Prendre en main un ordinateur",
        "services",
        "MaitriseDesOutilsNumeriquesDuQuotidien",
    ),
    (
        "services",
        "Prendre en main un smartphone ou une tablette",
        "services",
        "MaitriseDesOutilsNumeriquesDuQuotidien",
    ),
    (
        "services",
        "Utiliser le numérique au quotidien",
        "services",
        "MaitriseDesOutilsNumeriquesDuQuotidien",
    ),
    (
        "services",
        "Réaliser des démarches administratives avec un accompagnement",
        "services",
        "AideAuxDemarchesAdministratives",
    ),
    (
        "services",
        "Accompagner les démarches de santé",
        "services",
        "AideAuxDemarchesAdministratives",
    ),
    (
        "services",
        "Devenir autonome dans les démarches administratives",
        "services",
        "AideAuxDemarchesAdministratives",
    ),
    ("services", "Approfondir ma culture numérique", "services", "ComprehensionDuMondeNumerique"),
    (
        "services",
        "Promouvoir la citoyenneté numérique",
        "services",
        "ComprehensionDuMondeNumerique",
    ),
    (
        "modalites_accompagnement",
        "Seul : j'ai accès à du matériel et une connexion",
        "modalites_accompagnement",
        "EnAutonomie",
    ),
    (
        "modalites_accompagnement",
        "Avec de l'aide : je suis accompagné seul dans l'usage du numérique",
        "modalites_accompagnement",
        "AccompagnementIndividuel",
    ),
    (
        "modalites_accompagnement",
        "Dans un atelier : j'apprends collectivement à utiliser le numérique",
        "modalites_accompagnement",
        "DansUnAtelier",
    ),
    ("publics_accueillis", "Seniors (+ 65 ans)", "publics_specifiquement_adresses", "Seniors"),
    ("publics_accueillis", "Jeunes (16-26 ans)", "publics_specifiquement_adresses", "Jeunes"),
    (
        "publics_accueillis",
        "Familles/enfants",
        "publics_specifiquement_adresses",
        "FamillesEnfants",
    ),
    ("publics_accueillis", "Surdité", "prise_en_charge_specifique", "Surdite"),
    (
        "publics_accueillis",
        "Déficience visuelle",
        "prise_en_charge_specifique",
        "DeficienceVisuelle",
    ),
    (
        "publics_accueillis",
        "Handicaps mentaux : déficiences limitant les activités d'une personne",
        "prise_en_charge_specifique",
        "HandicapsMentaux",
    ),
    (
        "publics_accueillis",
        "Personnes en situation d'illettrisme",
        "prise_en_charge_specifique",
        "Illettrisme",
    ),
    (
        "publics_accueillis",
        "Public langues étrangères",
        "prise_en_charge_specifique",
        "LanguesEtrangeresAutre",
    ),
    (
        "conditions_acces",
        "Gratuit : Je peux accéder gratuitement au lieu et à ses services",
        "frais_a_charge",
        "Gratuit",
    ),
    (
        "conditions_acces",
        "Gratuit sous condition : La gratuité est conditionnée à des critères (situation "
        "familiale, convention avec un organisme social...)",
        "frais_a_charge",
        "GratuitSousCondition",
    ),
    (
        "conditions_acces",
        "Payant : L'accès au lieu et/ou à ses services est payant",
        "frais_a_charge",
        "Payant",
    ),
    (
        "conditions_acces",
        "Adhésion : L'accès au lieu et/ou à ses services nécessite d'y adhérer",
        "frais_a_charge",
        "Payant",
    ),
]
WITHOUT_EQUIVALENT = [
    ("publics_accueillis", "Adultes"),
    (
        "modalites_accompagnement",
        "A ma place : une personne habilitée fait les démarches à ma place",
    ),
    (
        "conditions_acces",
        "Accepte le Pass numérique : Il est possible d'utiliser un Pass numérique pour accéder "
        "au lieu",
    ),
]


def old_row(**changes: str) -> dict[str, str]:
    """The standard's example row written as a pre-1.0 file would (as in the Hinaura extract)."""
    row = example_row()
    for name in ("publics_specifiquement_adresses", "prise_en_charge_specifique", "courriels"):
        row.pop(name)
    row.update(
        services="Accéder à du matériel;Prendre en main un ordinateur",
        modalites_accompagnement="Seul : j'ai accès à du matériel et une connexion",
        publics_accueillis="Adultes;Seniors (+ 65 ans)",
        conditions_acces="Gratuit : Je peux accéder gratuitement au lieu et à ses services",
        frais_a_charge="",
        courriel="contact@laquincaillerie.tl",
    )
    row.update(changes)
    return row


def _keys(column: str, cell: str) -> list[str]:
    by_wording = {t.standard: t.key for t in legacy._VOCABULARIES[column]}
    return [by_wording[v] for v in cell.split("|") if v]


@pytest.mark.parametrize(("old_column", "old", "column", "key"), CORRESPONDENCE)
def test_each_old_value_becomes_its_v1_key(old_column, old, column, key):
    upgraded = legacy.upgrade(old_row(**{old_column: old}), 2)
    assert key in _keys(column, upgraded.row[column])
    assert not upgraded.issues
    assert old_column not in legacy.OLD_COLUMNS or old_column not in upgraded.row


@pytest.mark.parametrize(("old_column", "old"), WITHOUT_EQUIVALENT)
def test_an_old_value_without_equivalent_is_left_out_with_a_note(old_column, old):
    upgraded = legacy.upgrade(old_row(**{old_column: old}), 7)
    notes = [n for n in upgraded.notes if n.value == old]
    assert len(notes) == 1
    assert (notes[0].row, notes[0].column) == (7, old_column)
    assert notes[0].message.startswith(LEFT_OUT) and len(notes[0].message) > len(LEFT_OUT) + 20
    assert old not in json.dumps(upgraded.row, ensure_ascii=False)
    assert not upgraded.issues


def test_old_values_are_matched_on_the_words_before_the_colon():
    upgraded = legacy.upgrade(
        old_row(
            conditions_acces="payant : autre explication",
            modalites_accompagnement="Avec de l\u2019aide",
        ),
        2,
    )
    assert upgraded.row["frais_a_charge"] == "Payant"
    assert upgraded.row["modalites_accompagnement"] == "Accompagnement individuel"


def test_semicolons_and_old_columns_become_a_v1_row():
    upgraded = legacy.upgrade(
        old_row(
            publics_accueillis="Adultes;Jeunes (16-26 ans);Surdité;Familles/enfants",
            site_web="https://a.example/;https://b.example/",
        ),
        2,
    )
    row = upgraded.row
    assert row["services"] == (
        "Accès internet et matériel informatique|Maîtrise des outils numériques du quotidien"
    )
    assert row["publics_specifiquement_adresses"] == "Jeunes|Familles et/ou enfants"
    assert row["prise_en_charge_specifique"] == "Surdité"
    assert row["frais_a_charge"] == "Gratuit"
    assert row["modalites_accompagnement"] == "En autonomie"
    assert row["site_web"] == "https://a.example/|https://b.example/"
    assert row["courriels"] == "contact@laquincaillerie.tl"  # `courriel` → `courriels`
    assert not set(legacy.OLD_COLUMNS) & set(row)
    assert row["horaires"] == example_row()["horaires"]  # `;` of opening hours untouched
    record, issues = standard.record_from_row(row, 2)
    assert issues == []
    assert record.place["email"] == "contact@laquincaillerie.tl"
    assert record.place["website"] == "https://a.example/"
    assert record.place["services"] == [
        "AccesInternetEtMaterielInformatique",
        "MaitriseDesOutilsNumeriquesDuQuotidien",
    ]


def test_a_v1_row_is_not_upgraded():
    row = example_row()
    assert not legacy.is_pre_1_0(row)
    assert legacy.upgrade(row, 2) is None
    # `;` between v1.0 values is no sign of an old file: validated (and rejected) as before.
    assert legacy.upgrade(variant(services="Aide aux démarches administratives;Payant"), 2) is None


def test_old_values_mixed_with_v1_values_and_unknown_values():
    upgraded = legacy.upgrade(
        old_row(services="Accéder à du matériel;Loisirs et créations numériques;Cuisine"), 2
    )
    assert upgraded.row["services"] == (
        "Accès internet et matériel informatique|Loisirs et créations numériques|Cuisine"
    )
    _record, issues = standard.record_from_row(upgraded.row, 2)
    assert [(i.column, i.value) for i in issues] == [("services", "Cuisine")]
    unknown_public = legacy.upgrade(old_row(publics_accueillis="Adultes;Martiens"), 4)
    assert [(i.row, i.column, i.value) for i in unknown_public.issues] == [
        (4, "publics_accueillis", "Martiens")
    ]


# Imports: a pre-1.0 CSV, notes that are not rejections, the report and the command.


def _csv(rows: list[dict[str, str]]) -> bytes:
    names = list(dict.fromkeys(name for row in rows for name in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _import(territory, data: bytes, **options) -> ImportRun:
    return services.import_places(
        territory=territory,
        data=data,
        filename="ancien.csv",
        file_format=Format.LIEUX_CSV,
        source="ancien",
        by=SYSTEM,
        **options,
    )


def test_a_pre_1_0_file_imports_with_notes_that_are_not_rejections(reims_territory):
    rows = [
        old_row(id="a"),
        old_row(id="b", publics_accueillis="Seniors (+ 65 ans)"),
        old_row(id="c", publics_accueillis="Martiens"),
    ]
    refused = _import(reims_territory, _csv(rows))
    assert (refused.status, refused.rejected, refused.converted) == ("refused", 1, 3)
    run = _import(reims_territory, _csv(rows), valid_rows_only=True)
    assert (run.status, run.created, run.rejected, run.converted) == ("partial", 2, 1, 3)
    assert [(i["row"], i["field"], i["value"]) for i in run.issues] == [
        (4, "publics_accueillis", "Martiens")
    ]
    assert [(n["row"], n["field"], n["value"]) for n in run.notes] == [
        (2, "publics_accueillis", "Adultes")
    ]
    place = Place.objects.get(source_records__source_id="a")
    assert place.publics == ["Seniors"]
    assert place.email == "contact@laquincaillerie.tl"
    assert list(csv.reader(io.StringIO(selectors.run_notes_csv(run)))) == [
        ["row", "field", "value", "note"],
        ["2", "publics_accueillis", "Adultes", run.notes[0]["reason"]],
    ]
    again = _import(reims_territory, _csv(rows), valid_rows_only=True)
    assert (again.created, again.unchanged) == (0, 2)


def test_a_v1_file_has_no_conversion_and_no_notes(reims_territory):
    run = _import(reims_territory, _csv([example_row()]))
    assert (run.status, run.created, run.converted, run.notes) == ("imported", 1, 0, [])


def test_the_report_page_says_how_many_rows_were_converted_and_lists_the_notes(
    client, reims_territory
):
    run = _import(reims_territory, _csv([old_row(id="a"), old_row(id="b")]))
    client.force_login(factories.user(territory=reims_territory, role=factories.Role.COORDINATOR))
    page = client.get(f"/en/{reims_territory.slug}/open-data/imports/{run.pk}/").content.decode()
    assert "2 rows were written before version 1.0 of the standard" in page
    assert "Rows converted from the pre-1.0 vocabulary" in page
    assert page.count(LEFT_OUT) == 2
    notes = client.get(f"/{reims_territory.slug}/open-data/imports/{run.pk}/notes.csv")
    assert notes.status_code == 200 and len(notes.content.decode().splitlines()) == 3
    v1 = _import(reims_territory, _csv([variant(id="v1")]))
    page = client.get(f"/en/{reims_territory.slug}/open-data/imports/{v1.pk}/").content.decode()
    assert "version 1.0" not in page and 'id="notes"' not in page


def test_the_command_reports_the_conversion_and_the_notes(reims_territory, tmp_path):
    path = tmp_path / "ancien.csv"
    path.write_bytes(_csv([old_row(id="a")]))
    out = io.StringIO()
    call_command(
        "import_places",
        reims_territory.slug,
        str(path),
        "--source",
        "ancien",
        "--notes",
        str(tmp_path / "notes.csv"),
        verbosity=0,
        stdout=out,
    )
    output = out.getvalue()
    assert "1 created" in output and "0 rejected" in output
    assert "1 rows converted from the pre-1.0 vocabulary" in output
    assert "note, publics_accueillis: 'Adultes' left out in 1 rows." in output
    assert (tmp_path / "notes.csv").read_text(encoding="utf-8").startswith("row,field,value,note")


def test_retention_erases_the_values_quoted_in_notes_too(reims_territory):
    old = _import(reims_territory, _csv([old_row(id="a", publics_accueillis="Adultes;Martiens")]))
    recent = _import(reims_territory, _csv([old_row(id="b")]))
    ImportRun.objects.filter(pk=old.pk).update(started_at=timezone.now() - dt.timedelta(days=91))
    before = timezone.now() - dt.timedelta(days=retention.IMPORT_VALUES_DAYS)
    assert retention.import_values_purge(before=before, dry_run=True, by=SYSTEM) == 1
    assert ImportRun.objects.get(pk=old.pk).notes[0]["value"] == "Adultes"
    assert retention.import_values_purge(before=before, by=SYSTEM) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert [n["value"] for n in old.notes] == [""]
    assert [i["value"] for i in old.issues] == [""]
    assert old.notes[0]["reason"].startswith(LEFT_OUT)  # row, field and reason stay
    assert recent.notes[0]["value"] == "Adultes"
    assert retention.import_values_purge(before=before, by=SYSTEM) == 0
