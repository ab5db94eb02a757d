"""The worker of the diagnostic: computes pending runs, one at a time, and waits for more.

Before each claim it gives back the runs of dead workers (heartbeat older than
--stale-after): pending again, or failed after --max-attempts starts.
"""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from maillage.core.actors import SystemActor
from maillage.diagnostic import jobs

WORKER = SystemActor("diagnostic worker")


class Command(BaseCommand):
    help = (
        "Compute the pending diagnostic runs. Polls the database every --interval seconds; "
        "--once computes what is pending and stops. A running run whose heartbeat is older "
        "than --stale-after seconds lost its worker: it is queued again, or marked failed "
        "once --max-attempts workers started it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Stop when nothing is pending.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between polls (default 5)."
        )
        parser.add_argument(
            "--stale-after",
            type=float,
            default=jobs.STALE_AFTER.total_seconds(),
            help="Seconds without a heartbeat after which a running run is taken as abandoned "
            f"(default {jobs.STALE_AFTER.total_seconds():.0f}).",
        )
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=jobs.MAX_ATTEMPTS,
            help="Starts after which an abandoned run is marked failed rather than queued "
            f"again (default {jobs.MAX_ATTEMPTS}).",
        )

    def handle(self, *args, once, interval, stale_after, max_attempts, **options):
        if stale_after <= 0 or max_attempts < 1:
            raise CommandError("--stale-after must be > 0 and --max-attempts >= 1.")
        stale = dt.timedelta(seconds=stale_after)
        done = 0
        while True:
            requeued, failed = jobs.diagnostic_runs_requeue_stale(
                stale_after=stale, max_attempts=max_attempts, by=WORKER
            )
            if requeued or failed:
                self.stdout.write(
                    f"{requeued} abandoned run(s) queued again, {failed} marked failed."
                )
            run = jobs.diagnostic_run_claim_next(by=WORKER)
            if run is None:
                if once:
                    break
                time.sleep(interval)
                continue
            run = jobs.diagnostic_run_execute(run=run, by=WORKER)
            done += 1
            self.stdout.write(f"run {run.pk} ({run.territory.slug}): {run.status}")
        self.stdout.write(f"{done} run(s) computed.")
