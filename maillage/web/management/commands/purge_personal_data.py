"""Erase personal data past its retention period (docs/privacy.md). Run it daily (cron).

Each app registers its rules (`maillage.core.extensions.RetentionRule`); this command runs them
all, each in its own transaction, and says what it erased.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from maillage.core.actors import SystemActor
from maillage.core.extensions import retention_rules

RETENTION = SystemActor("purge_personal_data")


def _days_overrides(values: list[str], known: set[str]) -> dict[str, int]:
    overrides = {}
    for value in values:
        key, sep, days = value.partition("=")
        if not sep or key not in known:
            raise CommandError(
                f"--days expects RULE=DAYS with RULE among {', '.join(sorted(known))}; got {value!r}"
            )
        try:
            overrides[key] = int(days)
        except ValueError:
            raise CommandError(
                f"--days {value!r}: {days!r} is not a whole number of days"
            ) from None
        if overrides[key] < 0:
            raise CommandError(f"--days {value!r}: the number of days cannot be negative")
    return overrides


class Command(BaseCommand):
    help = (
        "Erase personal data past its retention period, rule by rule (see docs/privacy.md). "
        "Run it once a day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be erased; change nothing."
        )
        parser.add_argument(
            "--days",
            action="append",
            default=[],
            metavar="RULE=DAYS",
            help="Keep a rule's data this many days instead of its default (repeatable).",
        )

    def handle(self, *args, dry_run: bool, days: list[str], **options):
        rules = retention_rules()
        overrides = _days_overrides(days, {rule.key for rule in rules})
        now = timezone.now()
        verb = "would erase" if dry_run else "erased"
        for rule in rules:
            kept_days = overrides.get(rule.key, rule.days)
            before = now - dt.timedelta(days=kept_days)
            count = rule.purge(before=before, dry_run=dry_run, by=RETENTION)
            self.stdout.write(
                f"{rule.key}: {rule.description} — kept {kept_days} days "
                f"(recorded before {before:%Y-%m-%d %H:%M} UTC): {verb} {count}"
            )
