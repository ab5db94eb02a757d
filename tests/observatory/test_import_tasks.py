"""Survey response imports as background tasks, on the database backend of Django's task API:
the wave's import page stores the file and queues the report; `manage.py run_tasks` imports it
(or fails it with the reason); nothing is half-written."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from maillage.core import background
from maillage.core.actors import SystemActor
from maillage.observatory.models import ImportReport, Respondent
from tests import factories
from tests.observatory.conftest import csv_bytes

DATABASE_BACKEND = override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
)


def database_tasks(test):
    """The database backend, in real transactions (the worker closes a connection left inside
    a transaction, as a test's would be on PostgreSQL)."""
    return pytest.mark.django_db(transaction=True)(DATABASE_BACKEND(test))


@pytest.fixture
def coordinator_client(client, territory):
    client.force_login(factories.user(territory=territory, role=factories.Role.COORDINATOR))
    return client


def _send(client, territory, wave, data: bytes, **fields):
    return client.post(
        f"/en/{territory.slug}/observatory/manage/waves/{wave.pk}/import/",
        {"file": SimpleUploadedFile("r.csv", data, content_type="text/csv"), **fields},
    )


@database_tasks
def test_the_page_queues_the_import_and_the_worker_runs_it(
    coordinator_client, territory, wave, survey_rows
):
    codebook = {"columns": {"SEXE": "P_SEX"}}
    rows = [{("SEXE" if k == "P_SEX" else k): v for k, v in r.items()} for r in survey_rows]
    response = _send(
        coordinator_client,
        territory,
        wave,
        csv_bytes(rows),
        codebook=SimpleUploadedFile("c.json", json.dumps(codebook).encode()),
    )
    report = ImportReport.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{report.pk}/")
    assert report.status == ImportReport.Status.QUEUED and report.upload.name
    assert report.codebook["columns"] == {"SEXE": "P_SEX"}
    stored, storage = report.upload.name, report.upload.storage
    assert DBTaskResult.objects.get().status == "READY"
    assert not Respondent.objects.exists()
    page = coordinator_client.get(response["Location"] + "?follow=1")
    assert '<meta http-equiv="refresh" content="3">' in page.text
    assert "Waiting for the background worker" in page.text

    call_command("run_tasks", "--once", stdout=None)

    report.refresh_from_db()
    assert report.status == ImportReport.Status.DONE, report.error
    assert (report.rows_read, report.rows_imported, report.progress) == (400, 400, 100)
    assert Respondent.objects.filter(wave=wave).count() == 400
    assert not report.upload and not storage.exists(stored)  # the answers are not kept twice
    page = coordinator_client.get(response["Location"] + "?follow=1")
    assert "http-equiv" not in page.text and "400 of 400 rows imported" in page.text


@database_tasks
def test_a_file_with_an_error_stores_nothing_but_its_report(
    coordinator_client, territory, wave, survey_rows
):
    bad = [dict(r) for r in survey_rows]
    bad[0]["P_SEX"] = "x"
    _send(coordinator_client, territory, wave, csv_bytes(bad))
    call_command("run_tasks", "--once", stdout=None)
    report = ImportReport.objects.get()
    assert report.status == ImportReport.Status.DONE
    assert report.rows_imported == 0 and not Respondent.objects.exists()
    assert any(p["column"] == "P_SEX" and p["row"] == 2 for p in report.problems)


@database_tasks
def test_an_unreadable_file_fails_with_the_readers_message(coordinator_client, territory, wave):
    _send(coordinator_client, territory, wave, b"commune_code,q1\n33063\n")
    call_command("run_tasks", "--once", stdout=None)
    report = ImportReport.objects.get()
    assert report.status == ImportReport.Status.FAILED
    assert report.error.startswith("Row 2")
    assert not report.upload
    page = coordinator_client.get(f"/en/{territory.slug}/observatory/manage/reports/{report.pk}/")
    assert "Nothing was imported" in page.text and report.error in page.text
    assert not Respondent.objects.exists()


@DATABASE_BACKEND
def test_a_late_worker_stores_no_respondent(coordinator_client, territory, wave, survey_rows):
    """The worker lost the report (queued again) before its writes: they are undone."""
    _send(coordinator_client, territory, wave, csv_bytes(survey_rows))
    report = ImportReport.objects.get()
    worker = SystemActor("test worker")
    attempt = background.work_claim(model=ImportReport, pk=report.pk, by=worker)
    assert attempt == 1
    ImportReport.objects.filter(pk=report.pk).update(status=ImportReport.Status.QUEUED)
    from maillage.observatory import services

    def owned():
        background.work_still_owned(model=ImportReport, pk=report.pk, attempt=attempt)

    with pytest.raises(background.WorkLost):
        services.responses_import(
            wave=wave,
            data=csv_bytes(survey_rows),
            filename="r.csv",
            by=worker,
            report=report,
            owned=owned,
        )
    assert not Respondent.objects.exists()
    assert ImportReport.objects.get().rows_imported == 0
