"""Writes: indicators, CSV imports (per-line errors, all or nothing), runs and the worker."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from maillage.diagnostic import jobs, services
from maillage.diagnostic.computation import RunParameters
from maillage.diagnostic.models import (
    CandidateSite,
    DiagnosticRun,
    FragilityIndicator,
    IndicatorValue,
)
from tests import factories
from tests.factories import SYSTEM, Role

INDICATOR = {
    "key": "poverty_rate",
    "label": "Poverty rate",
    "axis": "index",
    "higher_is_fragile": True,
    "weight": 1.0,
    "source": "INSEE Filosofi",
    "year": 2021,
    "reference": 14.5,
}


@pytest.fixture
def coordinator(territory):
    return factories.user(territory=territory, role=Role.COORDINATOR)


@pytest.fixture
def indicator(territory, coordinator):
    return services.indicator_create(territory=territory, by=coordinator, data=INDICATOR)


def test_indicator_values_import(territory, bordeaux, pessac, indicator, coordinator):
    data = b"indicator;code;value\npoverty_rate;33063;16,2\npoverty_rate;33318;\n"
    IndicatorValue.objects.create(indicator=indicator, area=pessac, value=9.0)
    assert services.indicator_values_import(territory=territory, by=coordinator, data=data) == 2
    values = dict(IndicatorValue.objects.values_list("area__code", "value"))
    assert values == {"33063": 16.2}  # an empty value makes the value missing


def test_indicator_values_import_is_all_or_nothing(territory, bordeaux, indicator, coordinator):
    data = (
        b"indicator,code,value\n"
        b"poverty_rate,33063,12\n"
        b"unknown,33063,1\n"
        b"poverty_rate,99999,abc\n"
        b"poverty_rate,33063,13\n"
    )
    with pytest.raises(services.ImportRejected) as rejected:
        services.indicator_values_import(territory=territory, by=coordinator, data=data)
    errors = [(e.row, e.column) for e in rejected.value.errors]
    assert errors == [(3, "indicator"), (4, "code"), (4, "value"), (5, "code")]
    assert not IndicatorValue.objects.exists()


def test_import_reports_a_missing_column(territory, coordinator):
    with pytest.raises(services.ImportRejected) as rejected:
        services.indicator_values_import(territory=territory, by=coordinator, data=b"code,value\n")
    assert [(e.row, e.column) for e in rejected.value.errors] == [(1, "indicator")]


def test_candidate_sites_import_replaces_the_list(territory, coordinator):
    CandidateSite.objects.create(
        territory=territory, name="Old", latitude=44.8, longitude=-0.5, kind="market"
    )
    data = (
        "name,latitude,longitude,kind\n"
        "Marché des Capucins,44.8306,-0.5681,market\n"
        "Point wifi Aubiers,44.8790,-0.5720,wifi_point\n"
    ).encode()
    assert services.candidate_sites_import(territory=territory, by=coordinator, data=data) == 2
    assert sorted(CandidateSite.objects.values_list("name", flat=True)) == [
        "Marché des Capucins",
        "Point wifi Aubiers",
    ]


def test_candidate_sites_import_names_line_and_field(territory, coordinator):
    CandidateSite.objects.create(
        territory=territory, name="Kept", latitude=44.8, longitude=-0.5, kind="market"
    )
    data = b"name,latitude,longitude,kind\nA,44.8,-0.5,market\n,91,x,castle\n"
    with pytest.raises(services.ImportRejected) as rejected:
        services.candidate_sites_import(territory=territory, by=coordinator, data=data)
    assert [(e.row, e.column) for e in rejected.value.errors] == [
        (3, "name"),
        (3, "latitude"),
        (3, "longitude"),
        (3, "kind"),
    ]
    assert list(CandidateSite.objects.values_list("name", flat=True)) == ["Kept"]


def test_only_coordinators_write(territory, indicator):
    partner = factories.user(territory=territory, role=Role.PARTNER)
    with pytest.raises(PermissionDenied):
        services.indicator_create(territory=territory, by=partner, data=INDICATOR)
    with pytest.raises(PermissionDenied):
        services.diagnostic_run_request(
            territory=territory, by=partner, parameters=RunParameters(index="custom")
        )


def _world(territory, bordeaux, pessac):
    org = factories.organisation(territory)
    factories.place(org, bordeaux, services_=(("AideAuxDemarchesAdministratives", 3),))
    factories.place(org, pessac, services_=(("MaitriseDesOutilsNumeriquesDuQuotidien", 2),))


def test_small_run_is_computed_inline(territory, bordeaux, pessac, coordinator):
    _world(territory, bordeaux, pessac)
    run = services.diagnostic_run_request(
        territory=territory, by=coordinator, parameters=RunParameters(index="custom")
    )
    assert run.status == DiagnosticRun.Status.DONE and run.progress == 100
    assert run.result["places_used"] == 1  # only Bordeaux's place helps with procedures
    assert [a["code"] for a in run.result["areas"]] == ["33063", "33318"]
    assert run.requested_by == coordinator


def test_large_run_waits_for_the_worker(territory, bordeaux, pessac, coordinator):
    _world(territory, bordeaux, pessac)
    run = services.diagnostic_run_request(
        territory=territory, by=coordinator, parameters=RunParameters(index="custom"), inline=False
    )
    assert run.status == DiagnosticRun.Status.PENDING and run.progress == 0
    out = io.StringIO()
    call_command("run_diagnostic_jobs", "--once", stdout=out)
    assert "1 run(s) computed." in out.getvalue()
    run.refresh_from_db()
    assert run.status == DiagnosticRun.Status.DONE and run.step == "done"
    assert run.started_at <= run.finished_at
    # A claimed run cannot be claimed twice.
    assert jobs.diagnostic_run_claim(run=run, by=SYSTEM) is False


def test_a_run_that_cannot_be_computed_says_why(territory, bordeaux, coordinator):
    run = services.diagnostic_run_request(
        territory=territory, by=coordinator, parameters=RunParameters(index="ifn-2023")
    )
    assert run.status == DiagnosticRun.Status.FAILED
    assert run.result["error"]["code"] == "preset_lacks"


def test_example_indicators_flag_the_run(territory, bordeaux, pessac, coordinator):
    indicator = services.indicator_create(
        territory=territory, by=coordinator, data=INDICATOR, is_example=True
    )
    services.indicator_values_set(
        indicator=indicator, by=coordinator, values={bordeaux: 20.0, pessac: 10.0}
    )
    run = services.diagnostic_run_request(
        territory=territory, by=coordinator, parameters=RunParameters(index="custom")
    )
    assert run.uses_example_data is True
    assert FragilityIndicator.objects.get().values.count() == 2


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_areas_csv_neutralises_spreadsheet_formulas(start):
    from types import SimpleNamespace

    from maillage.diagnostic.exports import areas_csv

    area = {
        "rank": 1,
        "code": "99999",
        "name": f"{start}cmd|' /C calc'!A0",
        "population": 10,
        "index": None,
        "coverage": None,
        "fragile_population": None,
        "accessibility": None,
        "nearest_km": None,
        "reasons": [],
    }
    run = SimpleNamespace(
        result={"parameters": {"need": ""}, "areas": [area]}, uses_example_data=False
    )
    [row] = list(csv.DictReader(io.StringIO(areas_csv(run))))
    assert row["commune"] == f"'{start}cmd|' /C calc'!A0" and row["population"] == "10"
