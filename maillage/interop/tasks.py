"""Background tasks of the interop app (Django's task API; run by `manage.py run_tasks`)."""

from __future__ import annotations

from django_tasks import task

from maillage.core.actors import SystemActor
from maillage.interop import services

WORKER = SystemActor("background worker: place import")


@task()
def import_run_task(run_id: int) -> None:
    """Import the stored file of a queued `ImportRun` (`services.import_run_execute`)."""
    services.import_run_execute(run_id=run_id, by=WORKER)
