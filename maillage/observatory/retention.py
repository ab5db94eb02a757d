"""Retention of the personal data the observatory keeps outside the survey itself."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from maillage.observatory.models import ImportReport

#: Days an import report keeps the raw values of rejected or doubtful cells.
IMPORT_VALUES_DAYS = 90


@transaction.atomic
def import_values_purge(*, before: dt.datetime, dry_run: bool = False) -> int:
    """Erase the raw cell values quoted in import reports made before `before`.

    A rejected cell may hold what a respondent said (an age, a free answer): the report keeps
    its row, column and reason, which are enough to fix the file, and loses the value.
    Returns the number of reports changed.
    """
    changed = []
    reports = ImportReport.objects.select_for_update().filter(created_at__lt=before)
    for report in reports.only("pk", "problems"):
        if any(problem.get("value") for problem in report.problems):
            report.problems = [{**problem, "value": ""} for problem in report.problems]
            changed.append(report)
    if not dry_run:
        ImportReport.objects.bulk_update(changed, ["problems"], batch_size=200)
    return len(changed)
