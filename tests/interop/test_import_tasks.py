"""Place imports as background tasks, on the database backend of Django's task API.

The page stores the file, queues the run and returns; `manage.py run_tasks` imports it. A worker
that died mid-way leaves a running run with an old heartbeat: the next worker queues it again,
or marks it failed with the reason after the last attempt. Nothing is ever half-written.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from maillage.core import background
from maillage.core.actors import SystemActor
from maillage.directory.models import Place
from maillage.interop.models import ImportRun, SourceRecord
from tests import factories
from tests.interop.helpers import csv_bytes, variant

_DATABASE_BACKEND = override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
)


def DATABASE_TASKS(test):
    """The database backend, and real transactions: the worker (django-tasks-db's) closes a
    connection left inside a transaction, as a test's would be on PostgreSQL."""
    return pytest.mark.django_db(transaction=True)(_DATABASE_BACKEND(test))


WORKER = SystemActor("test worker")


@pytest.fixture
def coordinator_client(client, reims_territory):
    client.force_login(factories.user(territory=reims_territory, role=factories.Role.COORDINATOR))
    return client


def _upload(client, territory, data: bytes, **fields):
    return client.post(
        f"/en/{territory.slug}/open-data/imports/",
        {
            "file": SimpleUploadedFile("places.csv", data, "text/csv"),
            "file_format": "lieux-csv",
            "source": "test-source",
            **fields,
        },
    )


def _rows(count: int) -> list[dict[str, str]]:
    return [variant(id=f"place-{i}", nom=f"Lieu {i}") for i in range(count)]


@DATABASE_TASKS
def test_the_page_queues_the_import_and_the_worker_runs_it(coordinator_client, reims_territory):
    # (How long the request takes is measured by bench/bench_tasks.py, not asserted here.)
    response = _upload(coordinator_client, reims_territory, csv_bytes(_rows(3)))
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/{reims_territory.slug}/open-data/imports/{run.pk}/"
    # Queued: the file is stored, a task waits, nothing is imported yet.
    assert run.status == ImportRun.Status.QUEUED and run.upload.name
    stored, storage = run.upload.name, run.upload.storage
    assert storage.exists(stored)
    assert DBTaskResult.objects.get().status == "READY"
    assert str(DBTaskResult.objects.get().id) == run.task_id
    assert not Place.objects.exists()
    page = coordinator_client.get(response["Location"])
    assert "Waiting for the background worker" in page.text
    assert 'value="0"' in page.text  # the progress bar
    assert "http-equiv" not in page.text  # no timed reload unless asked (WCAG 2.2.1)
    followed = coordinator_client.get(response["Location"] + "?follow=1")
    assert '<meta http-equiv="refresh" content="3">' in followed.text

    call_command("run_tasks", "--once", stdout=None)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.IMPORTED
    assert (run.created, run.rows, run.progress, run.step, run.attempts) == (3, 3, 100, "done", 1)
    assert run.by is not None and run.finished_at is not None
    assert not run.upload and not storage.exists(stored)  # its personal data is not kept
    assert Place.objects.count() == 3
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    page = coordinator_client.get(response["Location"] + "?follow=1")
    assert "http-equiv" not in page.text  # done: no more refresh
    assert "Places created" in page.text


@DATABASE_TASKS
def test_progress_is_recorded_on_the_run_while_it_runs(coordinator_client, reims_territory):
    _upload(coordinator_client, reims_territory, csv_bytes(_rows(2)))
    run = ImportRun.objects.get()
    seen: list[tuple[str, int, str]] = []
    original = background.work_progress

    def watch(**kwargs):
        original(**kwargs)
        row = ImportRun.objects.values("status", "progress", "step").get(pk=run.pk)
        seen.append((row["status"], row["progress"], row["step"]))

    background.work_progress = watch
    try:
        call_command("run_tasks", "--once", stdout=None)
    finally:
        background.work_progress = original
    assert seen == [("running", 5, "read"), ("running", 40, "read"), ("running", 70, "checked")]


@DATABASE_TASKS
def test_a_refused_file_writes_nothing_but_its_report(coordinator_client, reims_territory):
    rows = _rows(3)
    rows[1]["code_insee"] = "99999"
    _upload(coordinator_client, reims_territory, csv_bytes(rows))
    call_command("run_tasks", "--once", stdout=None)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED
    assert [(i["row"], i["field"]) for i in run.issues] == [(3, "code_insee")]
    assert not Place.objects.exists() and not SourceRecord.objects.exists()
    page = coordinator_client.get(f"/en/{reims_territory.slug}/open-data/imports/{run.pk}/")
    assert "Nothing was written" in page.text and "http-equiv" not in page.text


def _as_if_its_worker_died(run: ImportRun, *, attempts: int) -> None:
    """The state a killed worker leaves: the run running under its attempt, a heartbeat an hour
    old, and its task result claimed ("RUNNING") forever."""
    DBTaskResult.objects.filter(id=run.task_id).update(status="RUNNING")
    old = timezone.now() - dt.timedelta(hours=1)
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, attempts=attempts, heartbeat_at=old, progress=40
    )


@DATABASE_TASKS
def test_a_run_whose_worker_died_is_picked_up_again(coordinator_client, reims_territory):
    _upload(coordinator_client, reims_territory, csv_bytes(_rows(2)))
    run = ImportRun.objects.get()
    dead_task = run.task_id
    _as_if_its_worker_died(run, attempts=1)

    call_command("run_tasks", "--once", stdout=None)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.IMPORTED and run.attempts == 2
    assert run.task_id != dead_task
    assert DBTaskResult.objects.get(id=dead_task).status == "FAILED"
    assert DBTaskResult.objects.get(id=run.task_id).status == "SUCCESSFUL"
    assert Place.objects.count() == 2


@_DATABASE_BACKEND
def test_a_fresh_heartbeat_keeps_the_run_with_its_worker(coordinator_client, reims_territory):
    _upload(coordinator_client, reims_territory, csv_bytes(_rows(1)))
    run = ImportRun.objects.get()
    _as_if_its_worker_died(run, attempts=1)
    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    assert background.works_requeue_stale(by=WORKER) == (0, 0)
    assert ImportRun.objects.get().status == ImportRun.Status.RUNNING


@DATABASE_TASKS
def test_after_the_last_attempt_the_run_fails_with_the_reason(coordinator_client, reims_territory):
    _upload(coordinator_client, reims_territory, csv_bytes(_rows(2)))
    run = ImportRun.objects.get()
    _as_if_its_worker_died(run, attempts=background.MAX_ATTEMPTS)

    call_command("run_tasks", "--once", stdout=None)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert "The worker stopped during this work 3 times" in run.error
    assert not Place.objects.exists()
    page = coordinator_client.get(f"/en/{reims_territory.slug}/open-data/imports/{run.pk}/")
    assert "The worker stopped during this work 3 times" in page.text
    assert "http-equiv" not in page.text


@DATABASE_TASKS
def test_an_unexpected_error_fails_the_run_with_its_reason(coordinator_client, reims_territory):
    _upload(coordinator_client, reims_territory, csv_bytes(_rows(2)))
    run = ImportRun.objects.get()
    run.upload.storage.delete(run.upload.name)  # the stored file is gone

    call_command("run_tasks", "--once", stdout=None)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.error.startswith("Unexpected error: FileNotFoundError")
    assert DBTaskResult.objects.get().status == "FAILED"
    assert not Place.objects.exists()


@_DATABASE_BACKEND
def test_a_late_worker_writes_nothing(coordinator_client, reims_territory):
    """A worker that was taken for dead (its run queued again) but wakes up: its progress is
    refused and its final transaction undone, so the run's new attempt alone writes."""
    _upload(coordinator_client, reims_territory, csv_bytes(_rows(2)))
    run = ImportRun.objects.get()
    attempt = background.work_claim(model=ImportRun, pk=run.pk, by=WORKER)
    assert attempt == 1
    assert background.work_claim(model=ImportRun, pk=run.pk, by=WORKER) is None  # taken
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.QUEUED)  # requeued
    with pytest.raises(background.WorkLost):
        background.work_progress(model=ImportRun, pk=run.pk, attempt=1, percent=50, step="read")
    with pytest.raises(background.WorkLost), transaction.atomic():
        background.work_still_owned(model=ImportRun, pk=run.pk, attempt=1)
    assert not background.work_fail(model=ImportRun, pk=run.pk, attempt=1, reason="late")
    assert ImportRun.objects.get().status == ImportRun.Status.QUEUED


def test_the_page_imports_at_once_with_the_immediate_backend(coordinator_client, reims_territory):
    """The test settings run tasks inside the request (the immediate backend): page tests see
    the outcome without a worker."""
    response = _upload(coordinator_client, reims_territory, csv_bytes(_rows(2)), publish="on")
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert run.status == ImportRun.Status.IMPORTED and run.created == 2
    assert Place.objects.filter(status=Place.Status.PUBLISHED).count() == 2
