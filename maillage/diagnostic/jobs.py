"""The queue of diagnostic runs: claim, heartbeat, compute, and requeue the runs of dead workers.

A run is claimed by a conditional UPDATE (`pending → running`) that also counts the attempt;
the attempt number is the worker's token: its progress updates (each one a heartbeat) and its
final write only apply while the run is still running under that attempt. The worker
(`manage.py run_diagnostic_jobs`) first gives back the runs whose heartbeat is too old
(`diagnostic_runs_requeue_stale`), then claims the oldest pending one.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from maillage.core.actors import Actor, require, system_only
from maillage.diagnostic import computation, permissions, selectors
from maillage.diagnostic.models import DiagnosticRun

logger = logging.getLogger(__name__)

#: A running run whose heartbeat is older than this lost its worker (the worker's default;
#: `run_diagnostic_jobs --stale-after`). Steps last seconds: ten minutes is generous.
STALE_AFTER = dt.timedelta(minutes=10)
#: A run whose worker died this many times is marked failed rather than requeued.
MAX_ATTEMPTS = 3


def diagnostic_run_claim(*, run: DiagnosticRun, by: Actor) -> bool:
    """Mark a pending run as running; False when someone else (a worker) took it first.
    A conditional UPDATE, so two workers never run the same job, on SQLite and PostgreSQL.
    It counts the attempt: the attempt number is this worker's token of ownership. `by` is
    the worker (a `SystemActor`) or the person whose request computes it at once."""
    require(by, lambda user: permissions.can_manage_diagnostic(user, run.territory))
    now = timezone.now()
    attempt = run.attempts + 1
    taken = DiagnosticRun.objects.filter(
        pk=run.pk, status=DiagnosticRun.Status.PENDING, attempts=run.attempts
    ).update(
        status=DiagnosticRun.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=attempt,
        progress=1,
        step="start",
    )
    if taken:
        run.status, run.started_at, run.heartbeat_at = DiagnosticRun.Status.RUNNING, now, now
        run.attempts, run.progress, run.step = attempt, 1, "start"
    return bool(taken)


def diagnostic_run_claim_next(*, by: Actor) -> DiagnosticRun | None:
    """The oldest pending run, claimed for this worker (None when there is none). Any
    territory's: only the system (the worker) does it."""
    require(by, system_only)
    for run in DiagnosticRun.objects.filter(status=DiagnosticRun.Status.PENDING).order_by(
        "created_at", "pk"
    )[:20]:
        if diagnostic_run_claim(run=run, by=by):
            return run
    return None


def _stale(cutoff: dt.datetime) -> Q:
    # Runs claimed before heartbeats existed have none: their start is their last sign of life.
    return Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)


def diagnostic_runs_requeue_stale(
    *, stale_after: dt.timedelta = STALE_AFTER, max_attempts: int = MAX_ATTEMPTS, by: Actor
) -> tuple[int, int]:
    """Give back the runs of dead workers: a running run whose heartbeat is older than
    `stale_after` goes back to pending, or is marked failed once `max_attempts` workers
    started it. Returns (requeued, failed).

    Each change is a conditional UPDATE on the status, the attempt and the heartbeat read, so
    two workers never both requeue (or fail) the same run, and a worker that beats again in
    the meantime keeps its run; a requeued run's late worker loses its writes (its attempt
    is no longer the run's). Only the system (the worker) does it."""
    require(by, system_only)
    now = timezone.now()
    cutoff = now - stale_after
    running = DiagnosticRun.objects.filter(status=DiagnosticRun.Status.RUNNING)
    requeued = failed = 0
    for pk, attempts in running.filter(_stale(cutoff)).values_list("pk", "attempts"):
        same = running.filter(_stale(cutoff), pk=pk, attempts=attempts)
        if attempts >= max_attempts:
            if same.update(
                status=DiagnosticRun.Status.FAILED,
                finished_at=now,
                error="worker_lost",
                result={"error": {"code": "worker_lost", "params": {"attempts": attempts}}},
            ):
                failed += 1
                logger.error("diagnostic run %s abandoned after %s attempts", pk, attempts)
        elif same.update(
            status=DiagnosticRun.Status.PENDING,
            progress=0,
            step="",
            started_at=None,
            heartbeat_at=None,
        ):
            requeued += 1
            logger.warning(
                "diagnostic run %s requeued: its worker stopped (attempt %s)", pk, attempts
            )
    return requeued, failed


class RunLost(Exception):
    """The run was requeued while this worker computed it: another attempt owns it now."""


def diagnostic_run_execute(*, run: DiagnosticRun, by: Actor) -> DiagnosticRun:
    """Compute a claimed run. Progress is saved as it goes (outside the final transaction, so
    that readers see it) with a heartbeat; the result or the error is saved at the end. Every
    write is conditional on the run still being this attempt's: if it was requeued as stale
    meanwhile, the computation stops and writes nothing."""
    require(by, lambda user: permissions.can_manage_diagnostic(user, run.territory))
    attempt = run.attempts

    def progress(percent: int, step: str) -> None:
        beat = DiagnosticRun.objects.filter(
            pk=run.pk, status=DiagnosticRun.Status.RUNNING, attempts=attempt
        ).update(progress=percent, step=step, heartbeat_at=timezone.now())
        if not beat:
            raise RunLost

    params = computation.RunParameters.from_dict(run.parameters)
    try:
        inputs = selectors.diagnostic_inputs(territory=run.territory, params=params)
        result = computation.compute(inputs, params, progress)
    except RunLost:
        logger.warning("diagnostic run %s: attempt %s was requeued, stopping", run.pk, attempt)
        run.refresh_from_db()
        return run
    except computation.DiagnosticInputError as error:
        return _run_finish(run, attempt, error={"code": error.code, "params": error.params})
    except Exception as error:  # a failed job must say so rather than stay "running"
        logger.exception("diagnostic run %s failed", run.pk)
        return _run_finish(
            run, attempt, error={"code": "internal", "params": {"detail": repr(error)[:500]}}
        )
    return _run_finish(run, attempt, result=result)


@transaction.atomic
def _run_finish(
    run: DiagnosticRun,
    attempt: int,
    *,
    result: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
) -> DiagnosticRun:
    run.refresh_from_db()
    run.finished_at = timezone.now()
    if result is None:
        run.status = DiagnosticRun.Status.FAILED
        run.error = str((error or {}).get("code"))
        run.result = {"error": error}
    else:
        run.status = DiagnosticRun.Status.DONE
        run.progress = 100
        run.step = "done"
        # Tens of thousands of values on population squares: stored apart (pages read the
        # result; only the squares' export reads these).
        run.square_results = result.pop("square_results", None)
        run.result = result
        run.uses_example_data = bool(
            result["uses_example_indicators"]
            or result["places_example"]
            or result["sites"]["candidates_example"]
        )
    run.full_clean()
    fields = (
        "status",
        "progress",
        "step",
        "result",
        "square_results",
        "error",
        "uses_example_data",
        "finished_at",
    )
    saved = DiagnosticRun.objects.filter(
        pk=run.pk, status=DiagnosticRun.Status.RUNNING, attempts=attempt
    ).update(**{name: getattr(run, name) for name in fields})
    if not saved:  # requeued as stale meanwhile: the current attempt will write its own
        logger.warning(
            "diagnostic run %s: attempt %s was requeued, result dropped", run.pk, attempt
        )
        run.refresh_from_db()
    return run


def diagnostic_jobs_step(*, by: Actor) -> int:
    """One round of the diagnostic's queue inside the shared worker (`manage.py run_tasks`):
    give back the runs of dead workers, then compute the oldest pending run. Returns the number
    of runs computed (0 or 1)."""
    require(by, system_only)
    diagnostic_runs_requeue_stale(by=by)
    run = diagnostic_run_claim_next(by=by)
    if run is None:
        return 0
    diagnostic_run_execute(run=run, by=by)
    return 1
