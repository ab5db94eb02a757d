"""Long work off the request: the life of a record of background work, for every app.

A page creates the record (status "queued") and calls `work_enqueue`, which enqueues the app's
task (Django's task API, the django-tasks backport until Django 6) in the same transaction. The
worker (`manage.py run_tasks`) runs the task, which calls `work_claim`, then `work_progress` as
it goes (each call is a heartbeat), and finally writes its result itself, or `work_fail`.

A worker that dies leaves its record "running" with a heartbeat that grows old:
`works_requeue_stale` (the worker calls it between tasks) queues it again with a new task, or
marks it failed with the reason once `max_attempts` workers started it. The attempt number is
the worker's token: progress and final writes only apply while the record is still running
under that attempt, so a late worker writes nothing (`WorkLost`).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from maillage.core.actors import Actor, require, system_only
from maillage.core.models import BackgroundWork

logger = logging.getLogger(__name__)

QUEUED, RUNNING, FAILED = "queued", "running", "failed"
#: A running record whose heartbeat is older than this lost its worker
#: (`run_tasks --stale-after`). Steps beat every few seconds: ten minutes is generous.
STALE_AFTER = dt.timedelta(minutes=10)
#: A record whose worker died this many times is marked failed rather than queued again.
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class WorkKind:
    """A kind of background work: its record and the task that does it, `task.enqueue(pk)`."""

    key: str
    model: type[BackgroundWork]
    task: Any  # a django_tasks Task taking the record's primary key


_KINDS: dict[str, WorkKind] = {}
#: Work the worker does besides tasks, between them: step(by=actor) -> number of items done.
_STEPS: dict[str, Callable[..., int]] = {}


def register(kind: WorkKind) -> None:
    """Called by each app's `AppConfig.ready()`: the worker requeues these records."""
    _KINDS[kind.key] = kind


def register_step(key: str, step: Callable[..., int]) -> None:
    """Work with its own queue (the diagnostic's runs) that `run_tasks` also does, between
    tasks: `step(by=worker)` does what is due and returns how many items it did."""
    _STEPS[key] = step


def steps() -> list[tuple[str, Callable[..., int]]]:
    return sorted(_STEPS.items())


def kind(key: str) -> WorkKind:
    """The registered kind `key` (KeyError names it when its app did not register it)."""
    return _KINDS[key]


def kinds() -> list[WorkKind]:
    return sorted(_KINDS.values(), key=lambda k: k.key)


def _all(model: type[BackgroundWork]) -> QuerySet[Any]:
    # The manager of a concrete subclass (the abstract class declares none, nor `status`).
    return model._default_manager.all()


class WorkLost(Exception):
    """The record was queued again (or failed) while this worker worked on it."""


def work_enqueue(*, kind: WorkKind, record: BackgroundWork) -> None:
    """Enqueue the task of a saved, queued record and remember the task's id. Called inside
    the transaction that created the record: the queued task and its record exist together
    or not at all."""
    result = kind.task.enqueue(record.pk)
    _all(kind.model).filter(pk=record.pk).update(task_id=str(result.id))
    record.task_id = str(result.id)


def work_claim(*, model: type[BackgroundWork], pk: int, by: Actor) -> int | None:
    """Mark a queued record as running and count the attempt; returns the attempt number
    (this worker's token), or None when the record is not queued (done, or taken)."""
    require(by, system_only)
    record = _all(model).filter(pk=pk, status=QUEUED).values("attempts").first()
    if record is None:
        return None
    now = timezone.now()
    attempt = record["attempts"] + 1
    taken = (
        _all(model)
        .filter(pk=pk, status=QUEUED, attempts=attempt - 1)
        .update(
            status=RUNNING, attempts=attempt, heartbeat_at=now, progress=0, step="start", error=""
        )
    )
    return attempt if taken else None


def work_progress(
    *, model: type[BackgroundWork], pk: int, attempt: int, percent: int, step: str
) -> None:
    """Record progress (and a heartbeat); raises `WorkLost` when the attempt lost the record."""
    beat = (
        _all(model)
        .filter(pk=pk, status=RUNNING, attempts=attempt)
        .update(progress=max(0, min(100, percent)), step=step[:40], heartbeat_at=timezone.now())
    )
    if not beat:
        raise WorkLost


def work_still_owned(*, model: type[BackgroundWork], pk: int, attempt: int) -> None:
    """Inside the transaction of the final write: lock the record, and raise `WorkLost` (which
    undoes that transaction) when this attempt no longer owns it."""
    owned = _all(model).select_for_update().filter(pk=pk, status=RUNNING, attempts=attempt).exists()
    if not owned:
        raise WorkLost


def work_fail(*, model: type[BackgroundWork], pk: int, attempt: int, reason: str) -> bool:
    """Mark the record failed with `reason` (shown on its page); False if the attempt lost it."""
    return bool(
        _all(model)
        .filter(pk=pk, status=RUNNING, attempts=attempt)
        .update(status=FAILED, error=reason[:2000], finished_at=timezone.now())
    )


def run_claimed(
    *,
    model: type[BackgroundWork],
    pk: int,
    by: Actor,
    work: Callable[[int, Callable[[int, str], None]], object],
) -> None:
    """Claim the record and run `work(attempt, progress)`. `progress(percent, step)` records
    progress. An exception marks the record failed with its message (and is raised again, so
    that the task's result says failed too); a lost record is left to its new attempt."""
    attempt = work_claim(model=model, pk=pk, by=by)
    if attempt is None:
        logger.info("%s %s is not queued: nothing to do", model.__name__, pk)
        return

    def progress(percent: int, step: str) -> None:
        work_progress(model=model, pk=pk, attempt=attempt, percent=percent, step=step)

    try:
        work(attempt, progress)
    except WorkLost:
        logger.warning("%s %s: attempt %s lost its record, stopping", model.__name__, pk, attempt)
    except Exception as error:
        logger.exception("%s %s failed", model.__name__, pk)
        work_fail(
            model=model,
            pk=pk,
            attempt=attempt,
            reason=_("Unexpected error: %(error)s") % {"error": repr(error)[:500]},
        )
        raise


def with_stored_upload(
    record: Any, *, read: Callable[[Any], bytes], work: Callable[[bytes], object]
) -> None:
    """Run `work(data)` on the file stored on `record.upload` (read by `read(file)`), then
    delete the file: it holds personal data (docs/privacy.md) and is kept only for the retry of
    an attempt whose worker died (`WorkLost`: the attempt that owns the record now needs it)."""
    with record.upload.open("rb") as stored:
        data = read(stored)
    try:
        work(data)
    except WorkLost:
        raise
    except Exception:  # failed for good: no retry will read the file
        upload_forget(record)
        raise
    upload_forget(record)


def upload_forget(record: Any) -> None:
    """Delete the file stored on `record.upload` and forget its name."""
    if record.upload:
        record.upload.delete(save=False)
        type(record).objects.filter(pk=record.pk).update(upload="")


def _close_task_result(task_id: str, now: dt.datetime) -> None:
    # The dead worker's task result stays "running" in the database backend: close it. (Other
    # backends, such as the immediate one of the tests, have no stored result to close.)
    try:
        key = uuid.UUID(task_id)
    except ValueError:
        return
    DBTaskResult.objects.running().filter(id=key).update(
        status=TaskResultStatus.FAILED, finished_at=now
    )


def _stale(cutoff: dt.datetime) -> Q:
    return Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True)


def works_requeue_stale(
    *, stale_after: dt.timedelta = STALE_AFTER, max_attempts: int = MAX_ATTEMPTS, by: Actor
) -> tuple[int, int]:
    """Give back the records of dead workers, of every registered kind: a running record whose
    heartbeat is older than `stale_after` is queued again with a new task, or marked failed
    (with the reason) once `max_attempts` workers started it. The dead worker's task result is
    closed as failed. Returns (requeued, failed).

    Each change is a conditional UPDATE on the status, the attempt and the heartbeat read, so two
    workers never both requeue the same record and a worker that beats meanwhile keeps it."""
    require(by, system_only)
    now = timezone.now()
    cutoff = now - stale_after
    requeued = failed = 0
    for kind in kinds():
        running = _all(kind.model).filter(status=RUNNING)
        rows = running.filter(_stale(cutoff)).values_list("pk", "attempts", "task_id")
        for pk, attempts, task_id in list(rows):
            same = running.filter(_stale(cutoff), pk=pk, attempts=attempts)
            with transaction.atomic():
                if attempts >= max_attempts:
                    done = same.update(
                        status=FAILED,
                        finished_at=now,
                        error=_(
                            "The worker stopped during this work %(attempts)s times (killed or "
                            "out of memory): it was not tried again. Try again later, or with a "
                            "smaller file."
                        )
                        % {"attempts": attempts},
                    )
                    failed += done
                else:
                    done = same.update(status=QUEUED, progress=0, step="", heartbeat_at=None)
                    if done:
                        work_enqueue(kind=kind, record=_all(kind.model).get(pk=pk))
                        requeued += 1
                if done:
                    _close_task_result(task_id, now)
            if done:
                logger.warning("%s %s: its worker stopped (attempt %s)", kind.key, pk, attempts)
    return requeued, failed
