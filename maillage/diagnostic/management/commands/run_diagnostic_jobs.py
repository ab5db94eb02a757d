"""The worker of the diagnostic: computes pending runs, one at a time, and waits for more."""

import time

from django.core.management.base import BaseCommand

from maillage.diagnostic import services


class Command(BaseCommand):
    help = (
        "Compute the pending diagnostic runs. Polls the database every --interval seconds; "
        "--once computes what is pending and stops."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Stop when nothing is pending.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between polls (default 5)."
        )

    def handle(self, *args, once, interval, **options):
        done = 0
        while True:
            run = services.diagnostic_run_claim_next()
            if run is None:
                if once:
                    break
                time.sleep(interval)
                continue
            run = services.diagnostic_run_execute(run=run)
            done += 1
            self.stdout.write(f"run {run.pk} ({run.territory.slug}): {run.status}")
        self.stdout.write(f"{done} run(s) computed.")
