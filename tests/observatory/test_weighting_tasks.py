"""Weighting runs as background tasks, on the database backend of Django's task API: the page
queues the run and shows its progress; `manage.py run_tasks` rakes it into a draft with its
estimates, or fails it with the reason; a worker that lost the run writes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from maillage.core import background
from maillage.observatory import services
from maillage.observatory.models import Estimate, WeightingRun
from tests import factories
from tests.factories import SYSTEM
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


def _queue(client, territory, wave, margins):
    return client.post(
        f"/en/{territory.slug}/observatory/manage/runs/new/",
        {
            "wave": wave.pk,
            "margin_set": margins.pk,
            "tolerance": "1e-6",
            "max_iterations": "100",
            "variance_method": "taylor",
            "replicates": "100",
        },
    )


@pytest.fixture
def responses(wave, survey_rows):
    services.responses_import(wave=wave, data=csv_bytes(survey_rows), filename="s.csv", by=SYSTEM)


@database_tasks
def test_the_page_queues_the_run_and_the_worker_rakes_it(
    coordinator_client, territory, wave, margins, responses
):
    response = _queue(coordinator_client, territory, wave, margins)
    run = WeightingRun.objects.get()
    progress_url = f"/en/{territory.slug}/observatory/manage/runs/{run.pk}/"
    assert response.status_code == 302 and response["Location"] == progress_url
    assert run.status == WeightingRun.Status.QUEUED and not Estimate.objects.exists()
    assert DBTaskResult.objects.get().status == "READY"
    page = coordinator_client.get(progress_url + "?follow=1")
    assert '<meta http-equiv="refresh" content="3">' in page.text
    assert "Waiting for the background worker" in page.text
    # Not a computed run yet: no page offers it.
    methodology = coordinator_client.get(
        f"/en/{territory.slug}/observatory/methodology/?run={run.pk}"
    )
    assert methodology.status_code == 404

    call_command("run_tasks", "--once", stdout=None)

    run.refresh_from_db()
    assert run.status == WeightingRun.Status.DRAFT and run.converged
    assert (run.progress, run.step, run.attempts) == (100, "done", 1)
    assert Estimate.objects.filter(run=run).exists() and len(run.weights) == 400
    page = coordinator_client.get(progress_url)
    assert page.status_code == 302 and f"?run={run.pk}" in page["Location"]


@database_tasks
def test_an_impossible_weighting_fails_with_the_reason(
    coordinator_client, territory, wave, margins
):
    _queue(coordinator_client, territory, wave, margins)  # a wave without any response
    call_command("run_tasks", "--once", stdout=None)
    run = WeightingRun.objects.get()
    assert run.status == WeightingRun.Status.FAILED
    assert run.error.startswith("The weighting is impossible")
    page = coordinator_client.get(
        f"/en/{territory.slug}/observatory/manage/runs/{run.pk}/?follow=1"
    )
    assert run.error in page.text and "http-equiv" not in page.text
    assert not Estimate.objects.exists()


@DATABASE_BACKEND
def test_a_worker_that_lost_the_run_writes_nothing(
    coordinator_client, territory, wave, margins, responses, monkeypatch
):
    _queue(coordinator_client, territory, wave, margins)
    run = WeightingRun.objects.get()
    original = background.work_progress

    def requeued_meanwhile(**kwargs):
        if kwargs["step"] == "estimated":  # taken for dead just before its writes
            WeightingRun.objects.filter(pk=run.pk).update(status=WeightingRun.Status.QUEUED)
        original(**kwargs)

    monkeypatch.setattr(background, "work_progress", requeued_meanwhile)
    services.weighting_run_execute(run_id=run.pk, by=SYSTEM)
    run.refresh_from_db()
    assert run.status == WeightingRun.Status.QUEUED and run.weights == []
    assert not Estimate.objects.exists()
