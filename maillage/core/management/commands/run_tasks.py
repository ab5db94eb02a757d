"""The one background worker: runs the queued tasks (place and survey imports, weighting
runs) and the diagnostic's runs, and gives back the work of dead workers.

Each round: records whose heartbeat is older than --stale-after are queued again (or marked
failed after --max-attempts starts), the registered steps run (the diagnostic's queue), then
every ready task of the database backend runs (django-tasks-db's worker, in batch mode).
"""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from maillage.core import background
from maillage.core.actors import SystemActor

WORKER = SystemActor("background worker")


class Command(BaseCommand):
    help = (
        "Run the background work: queued tasks (place and survey imports, weighting runs) and "
        "diagnostic runs. Polls the database every --interval seconds; --once does what is due "
        "and stops. Work whose heartbeat is older than --stale-after seconds lost its worker: "
        "it is queued again, or marked failed once --max-attempts workers started it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Stop when nothing is due.")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between polls (default 2)."
        )
        parser.add_argument(
            "--stale-after",
            type=float,
            default=background.STALE_AFTER.total_seconds(),
            help="Seconds without a heartbeat after which running work is taken as abandoned "
            f"(default {background.STALE_AFTER.total_seconds():.0f}).",
        )
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=background.MAX_ATTEMPTS,
            help="Starts after which abandoned work is marked failed rather than queued again "
            f"(default {background.MAX_ATTEMPTS}).",
        )

    def handle(
        self,
        *args: object,
        once: bool,
        interval: float,
        stale_after: float,
        max_attempts: int,
        **options: object,
    ) -> None:
        if stale_after <= 0 or max_attempts < 1 or interval < 0:
            raise CommandError(
                "--stale-after must be > 0, --max-attempts >= 1 and --interval >= 0."
            )
        stale = dt.timedelta(seconds=stale_after)
        worker_id = get_random_string(32)
        while True:
            requeued, failed = background.works_requeue_stale(
                stale_after=stale, max_attempts=max_attempts, by=WORKER
            )
            if requeued or failed:
                self.stdout.write(
                    f"{requeued} abandoned task(s) queued again, {failed} marked failed."
                )
            done = sum(step(by=WORKER) for _key, step in background.steps())
            Worker(
                queue_names=["*"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=worker_id,
                excluded_queue_names=[],
            ).run()
            if once and not done:
                break
            if not done:
                time.sleep(interval)
