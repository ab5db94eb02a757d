"""The run queue: heartbeats, and the runs of dead workers requeued or failed. Real rows with
timestamps set in the past, on SQLite and PostgreSQL (no mock of the database)."""

import datetime as dt
import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from maillage.diagnostic import jobs, services
from maillage.diagnostic.computation import RunParameters
from maillage.diagnostic.models import DiagnosticRun
from tests import factories
from tests.factories import SYSTEM, Role

STALE = dt.timedelta(minutes=10)


def _pending(territory) -> DiagnosticRun:
    return services.diagnostic_run_request(
        territory=territory, by=SYSTEM, parameters=RunParameters(index="custom"), inline=False
    )


def _claimed(territory) -> DiagnosticRun:
    run = _pending(territory)
    assert jobs.diagnostic_run_claim(run=run, by=SYSTEM)
    return run


def _silent_for(run: DiagnosticRun, delta: dt.timedelta) -> None:
    """The run's worker last beat `delta` ago."""
    DiagnosticRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - delta)


def test_claim_counts_the_attempt_and_progress_beats(territory, bordeaux):
    run = _claimed(territory)
    assert (run.status, run.attempts) == ("running", 1)
    assert run.heartbeat_at == run.started_at
    _silent_for(run, dt.timedelta(hours=1))
    jobs.diagnostic_run_execute(run=run, by=SYSTEM)
    run.refresh_from_db()
    assert run.status == "done" and run.attempts == 1
    assert timezone.now() - run.heartbeat_at < dt.timedelta(minutes=1)  # every step beats


def test_a_silent_run_is_requeued_then_computed(territory, bordeaux):
    run = _claimed(territory)
    DiagnosticRun.objects.filter(pk=run.pk).update(progress=35, step="accessibility")
    _silent_for(run, STALE + dt.timedelta(seconds=1))
    assert jobs.diagnostic_runs_requeue_stale(stale_after=STALE, by=SYSTEM) == (1, 0)
    run.refresh_from_db()
    assert (run.status, run.progress, run.step, run.attempts) == ("pending", 0, "", 1)
    assert run.started_at is None and run.heartbeat_at is None
    out = io.StringIO()
    call_command("run_diagnostic_jobs", "--once", stdout=out)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 2)
    assert "1 run(s) computed." in out.getvalue()


def test_a_beating_run_is_left_alone(territory, bordeaux):
    run = _claimed(territory)
    _silent_for(run, STALE - dt.timedelta(minutes=1))
    assert jobs.diagnostic_runs_requeue_stale(stale_after=STALE, by=SYSTEM) == (0, 0)
    assert DiagnosticRun.objects.get(pk=run.pk).status == "running"
    pending, done = _pending(territory), _claimed(territory)
    DiagnosticRun.objects.filter(pk__in=[pending.pk, done.pk]).update(
        heartbeat_at=timezone.now() - dt.timedelta(days=1)
    )
    DiagnosticRun.objects.filter(pk=done.pk).update(status="done")
    assert jobs.diagnostic_runs_requeue_stale(stale_after=STALE, by=SYSTEM) == (0, 0)  # not running


def test_a_run_claimed_before_heartbeats_existed_counts_from_its_start(territory, bordeaux):
    run = _claimed(territory)
    DiagnosticRun.objects.filter(pk=run.pk).update(
        heartbeat_at=None, started_at=timezone.now() - dt.timedelta(hours=2)
    )
    assert jobs.diagnostic_runs_requeue_stale(stale_after=STALE, by=SYSTEM) == (1, 0)


def test_after_max_attempts_the_run_fails_and_says_why(client, territory, bordeaux):
    run = _claimed(territory)
    DiagnosticRun.objects.filter(pk=run.pk).update(attempts=3)
    _silent_for(run, dt.timedelta(hours=1))
    assert jobs.diagnostic_runs_requeue_stale(stale_after=STALE, max_attempts=3, by=SYSTEM) == (
        0,
        1,
    )
    run.refresh_from_db()
    assert run.status == "failed" and run.finished_at is not None
    assert run.result == {"error": {"code": "worker_lost", "params": {"attempts": 3}}}
    client.force_login(factories.user(territory=territory, role=Role.COORDINATOR))
    with translation.override("en"):
        url = reverse("diagnostic:run", kwargs={"territory": territory.slug, "pk": run.pk})
    html = client.get(url).content.decode()
    assert "The computation was interrupted 3 times" in html


def test_two_workers_never_both_requeue(territory, bordeaux):
    run = _claimed(territory)
    _silent_for(run, dt.timedelta(hours=1))
    assert jobs.diagnostic_runs_requeue_stale(stale_after=STALE, by=SYSTEM) == (1, 0)
    assert jobs.diagnostic_runs_requeue_stale(stale_after=STALE, by=SYSTEM) == (0, 0)
    # A worker that read the run before the requeue cannot claim it with what it read.
    stale_copy = DiagnosticRun.objects.get(pk=run.pk)
    assert jobs.diagnostic_run_claim(run=DiagnosticRun.objects.get(pk=run.pk), by=SYSTEM)
    _silent_for(run, dt.timedelta(hours=1))
    jobs.diagnostic_runs_requeue_stale(stale_after=STALE, by=SYSTEM)
    assert DiagnosticRun.objects.get(pk=run.pk).attempts == 2
    assert (
        stale_copy.attempts == 1 and jobs.diagnostic_run_claim(run=stale_copy, by=SYSTEM) is False
    )


def test_the_late_worker_of_a_requeued_run_writes_nothing(territory, bordeaux):
    late = _claimed(territory)  # attempt 1: its worker seems dead…
    _silent_for(late, dt.timedelta(hours=1))
    jobs.diagnostic_runs_requeue_stale(stale_after=STALE, by=SYSTEM)
    current = jobs.diagnostic_run_claim_next(by=SYSTEM)  # attempt 2, another worker
    assert current.pk == late.pk and current.attempts == 2
    # …but it was only slow: it wakes up and computes. Its first beat finds the run is no
    # longer its own, it stops and writes nothing.
    returned = jobs.diagnostic_run_execute(run=late, by=SYSTEM)
    assert (returned.status, returned.attempts, returned.progress) == ("running", 2, 1)
    done = jobs.diagnostic_run_execute(run=current, by=SYSTEM)
    assert done.status == "done" and done.attempts == 2


def test_the_late_final_write_is_dropped(territory, bordeaux):
    late = _claimed(territory)
    _silent_for(late, dt.timedelta(hours=1))
    jobs.diagnostic_runs_requeue_stale(stale_after=STALE, by=SYSTEM)
    finished = jobs._run_finish(late, 1, error={"code": "internal", "params": {}})
    assert (finished.status, finished.result) == ("pending", None)


def test_worker_command_options(territory, bordeaux):
    run = _claimed(territory)
    _silent_for(run, dt.timedelta(seconds=90))
    out = io.StringIO()
    call_command("run_diagnostic_jobs", "--once", "--stale-after", "600", stdout=out)
    assert DiagnosticRun.objects.get(pk=run.pk).status == "running"  # 90 s < 600 s
    call_command(
        "run_diagnostic_jobs", "--once", "--stale-after", "60", "--max-attempts", "1", stdout=out
    )
    assert "0 abandoned run(s) queued again, 1 marked failed." in out.getvalue()
    assert DiagnosticRun.objects.get(pk=run.pk).status == "failed"
    with pytest.raises(CommandError):
        call_command("run_diagnostic_jobs", "--once", "--max-attempts", "0")


def test_a_requeued_run_says_so_while_it_waits(client, territory, bordeaux):
    run = _claimed(territory)
    _silent_for(run, dt.timedelta(hours=1))
    jobs.diagnostic_runs_requeue_stale(stale_after=STALE, by=SYSTEM)
    client.force_login(factories.user(territory=territory, role=Role.COORDINATOR))
    with translation.override("en"):
        url = reverse("diagnostic:run", kwargs={"territory": territory.slug, "pk": run.pk})
    html = client.get(url).content.decode()
    assert "the run is back in the queue (1 interrupted attempt)" in html


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_requeue_and_claim_once(territory, bordeaux):
    """Real concurrency: workers in threads, each with its own connection (PostgreSQL; an
    in-memory SQLite database is not shared between connections)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database shared between connections")
    runs = [_claimed(territory) for _ in range(3)]
    DiagnosticRun.objects.update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    n_workers = 4
    barrier = threading.Barrier(n_workers)
    requeued, claimed, failures = [], [], []

    def worker():
        try:
            barrier.wait()
            requeued.append(jobs.diagnostic_runs_requeue_stale(stale_after=STALE, by=SYSTEM)[0])
            barrier.wait()
            while (run := jobs.diagnostic_run_claim_next(by=SYSTEM)) is not None:
                claimed.append(run.pk)
        except Exception as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n_workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert sum(requeued) == len(runs)
    assert sorted(claimed) == sorted(r.pk for r in runs)  # each run claimed exactly once
    assert set(DiagnosticRun.objects.values_list("attempts", flat=True)) == {2}
