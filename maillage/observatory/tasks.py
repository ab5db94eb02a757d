"""Background tasks of the observatory (Django's task API; run by `manage.py run_tasks`)."""

from __future__ import annotations

from django_tasks import task

from maillage.core.actors import SystemActor
from maillage.observatory import services

WORKER = SystemActor("background worker: observatory")


@task()
def responses_import_task(report_id: int) -> None:
    """Import the stored file of a queued `ImportReport` (`services.responses_import_execute`)."""
    services.responses_import_execute(report_id=report_id, by=WORKER)


@task()
def weighting_run_task(run_id: int) -> None:
    """Rake a queued `WeightingRun` (`services.weighting_run_execute`)."""
    services.weighting_run_execute(run_id=run_id, by=WORKER)
