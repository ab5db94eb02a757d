"""Retention of the personal data the observatory keeps outside the survey itself."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from maillage.core.actors import Actor, require, system_only
from maillage.core.extensions import erase_quoted_values
from maillage.observatory.models import ImportReport

#: Days an import report keeps the raw values of rejected or doubtful cells.
IMPORT_VALUES_DAYS = 90


@transaction.atomic
def import_values_purge(*, before: dt.datetime, dry_run: bool = False, by: Actor) -> int:
    """Erase the raw cell values quoted in import reports made before `before`.

    A rejected cell may hold what a respondent said (an age, a free answer): the report keeps
    its row, column and reason, which are enough to fix the file, and loses the value.
    Returns the number of reports changed.
    """
    require(by, system_only)
    reports = ImportReport.objects.filter(created_at__lt=before)
    return erase_quoted_values(reports, field="problems", dry_run=dry_run)
