"""Background tasks of the observatory (Django's task API; run by `manage.py run_tasks`)."""

from __future__ import annotations

from django_tasks import task

from maillage.core.actors import SystemActor
from maillage.observatory import services

WORKER = SystemActor("background worker: survey import")


@task()
def responses_import_task(report_id: int) -> None:
    """Import the stored file of a queued `ImportReport` (`services.responses_import_execute`)."""
    services.responses_import_execute(report_id=report_id, by=WORKER)
