"""Importing responses: a per-row report, all or nothing, codebooks, CSV and XLSX."""

import csv
import io
import json

import pytest
from openpyxl import Workbook

from maillage.observatory import services
from maillage.observatory.importing import Codebook
from maillage.observatory.models import ImportReport, Respondent
from maillage.observatory.presenters import report_csv
from tests.factories import SYSTEM
from tests.observatory.conftest import csv_bytes

pytestmark = pytest.mark.django_db


def test_malformed_file_gives_a_per_row_report_and_writes_nothing(wave, survey_rows):
    rows = [dict(r) for r in survey_rows[:10]]
    rows[2]["P_AGE"] = "17"  # out of range
    rows[4]["P_SEX"] = ""  # missing, needed to weight
    rows[6]["EQ_COMPUTER"] = "maybe"  # out of range
    rows[7]["FE_THEFT"] = ""  # missing, not needed to weight: a warning
    report = services.responses_import(
        wave=wave, data=csv_bytes(rows), filename="bad.csv", by=SYSTEM
    )
    assert Respondent.objects.count() == 0
    assert report.rows_read == 10 and report.rows_imported == 0
    errors = [p for p in report.problems if p["severity"] == "error"]
    assert [(p["row"], p["column"], p["value"]) for p in errors] == [
        (4, "P_AGE", "17"),
        (6, "P_SEX", ""),
        (8, "EQ_COMPUTER", "maybe"),
    ]
    assert "P_AGE" in errors[0]["reason"] and "18_24" in errors[0]["reason"]
    warnings = [p for p in report.problems if p["severity"] == "warning"]
    assert (9, "FE_THEFT") in {(p["row"], p["column"]) for p in warnings}
    text = report_csv(report.problems)
    assert text.splitlines()[0] == "row,column,value,reason,severity"
    assert "4,P_AGE,17," in text


def test_the_coordinator_may_import_the_valid_rows(wave, survey_rows):
    rows = [dict(r) for r in survey_rows[:10]]
    rows[2]["P_AGE"] = "17"
    report = services.responses_import(
        wave=wave, data=csv_bytes(rows), filename="bad.csv", import_valid_rows=True, by=SYSTEM
    )
    assert report.rows_imported == 9 and report.rows_rejected == 1
    assert Respondent.objects.filter(wave=wave).count() == 9


def test_a_missing_required_column_stops_everything(wave, survey_rows):
    fields = [f for f in survey_rows[0] if f != "P_EDUCATION"]
    report = services.responses_import(
        wave=wave,
        data=csv_bytes(survey_rows[:5], fields),
        filename="x.csv",
        import_valid_rows=True,
        by=SYSTEM,
    )
    assert report.rows_imported == 0
    assert report.problems[0]["row"] == 1 and report.problems[0]["column"] == "P_EDUCATION"


def test_columns_outside_the_grid_are_not_stored(wave, survey_rows):
    rows = [{**r, "nom": "Dupont", "telephone": "0600000000"} for r in survey_rows[:5]]
    report = services.responses_import(wave=wave, data=csv_bytes(rows), filename="x.csv", by=SYSTEM)
    assert report.rows_imported == 5
    stored = Respondent.objects.first().answers
    assert "nom" not in stored and "telephone" not in stored
    assert {p["column"] for p in report.problems if p["row"] == 1} == {"nom", "telephone"}


def test_xlsx_with_a_codebook(wave, survey_rows):
    book = Workbook()
    sheet = book.active
    fields = list(survey_rows[0])
    renamed = ["age" if f == "P_AGE" else f for f in fields]
    sheet.append([*renamed, "poids"])
    age_codes = {"18_24": 1, "25_34": 2, "35_49": 3, "50_64": 4, "65_74": 5, "75_plus": 6}
    for r in survey_rows[:8]:
        sheet.append([age_codes[r[f]] if f == "P_AGE" else r[f] for f in fields] + [1.5])
    buffer = io.BytesIO()
    book.save(buffer)
    codebook = Codebook.from_json(
        json.loads(
            json.dumps(
                {
                    "columns": {"age": "P_AGE"},
                    "values": {"P_AGE": {str(v): k for k, v in age_codes.items()}},
                    "design_weight": "poids",
                }
            )
        )
    )
    report = services.responses_import(
        wave=wave, data=buffer.getvalue(), filename="r.xlsx", codebook=codebook, by=SYSTEM
    )
    assert report.rows_imported == 8, report.problems
    first = Respondent.objects.order_by("pk").first()
    assert first.answers["P_AGE"] == survey_rows[0]["P_AGE"]
    assert first.design_weight == 1.5


def test_a_bad_design_weight_names_the_row(wave, survey_rows):
    rows = [{**r, "design_weight": "1"} for r in survey_rows[:4]]
    rows[1]["design_weight"] = "-2"
    report = services.responses_import(wave=wave, data=csv_bytes(rows), filename="w.csv", by=SYSTEM)
    assert report.rows_imported == 0
    assert [(p["row"], p["column"]) for p in report.problems if p["severity"] == "error"] == [
        (3, "design_weight")
    ]
    assert ImportReport.objects.count() == 1


def test_a_territory_question_is_imported_with_the_common_ones(territory, communes, survey_rows):
    extra = {
        "code": "X_LIBRARY",
        "axis": "usages",
        "wording": {"fr": "Allez-vous à la médiathèque ?", "en": "Do you go to the library?"},
        "options": [
            {"code": "yes", "label": {"fr": "Oui", "en": "Yes"}},
            {"code": "no", "label": {"fr": "Non", "en": "No"}},
        ],
    }
    grid = services.grid_adopt(territory=territory, version="1", extra_questions=[extra], by=SYSTEM)
    wave = services.wave_create(
        territory=territory, grid=grid, name="Avec question locale", by=SYSTEM
    )
    rows = [{**r, "X_LIBRARY": "yes"} for r in survey_rows[:5]]
    rows[1]["X_LIBRARY"] = "perhaps"
    report = services.responses_import(wave=wave, data=csv_bytes(rows), filename="x.csv", by=SYSTEM)
    assert report.rows_imported == 0
    assert report.problems[-1]["column"] == "X_LIBRARY" and report.problems[-1]["row"] == 3
    rows[1]["X_LIBRARY"] = "no"
    services.responses_import(wave=wave, data=csv_bytes(rows), filename="x.csv", by=SYSTEM)
    assert Respondent.objects.filter(wave=wave, answers__X_LIBRARY="no").count() == 1


def test_an_extra_question_cannot_reuse_a_common_code(territory):
    from django.core.exceptions import ValidationError

    bad = {"code": "EQ_COMPUTER", "axis": "usages", "wording": {"fr": "x", "en": "x"}}
    with pytest.raises(ValidationError):
        services.grid_adopt(territory=territory, version="1", extra_questions=[bad], by=SYSTEM)


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_report_csv_neutralises_a_formula_in_every_text_cell(start):
    problems = [
        {
            "row": 4,
            "column": f"{start}P_AGE",
            "value": f'{start}HYPERLINK("http://x")',
            "reason": f"{start}1+2",
            "severity": "error",
        }
    ]
    row = next(csv.DictReader(io.StringIO(report_csv(problems))))
    assert row == {
        "row": "4",
        "column": f"'{start}P_AGE",
        "value": f'\'{start}HYPERLINK("http://x")',
        "reason": f"'{start}1+2",  # not a plain number: a sum
        "severity": "error",
    }
