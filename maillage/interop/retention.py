"""Retention of personal data kept by imports and freshness campaigns."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from maillage.core.actors import Actor, require, system_only
from maillage.core.extensions import erase_quoted_values
from maillage.interop.models import FreshnessCampaign, FreshnessRequest, ImportRun

#: Days an import run keeps the raw values of the rows it rejected.
IMPORT_VALUES_DAYS = 90
#: Days after a campaign's links expire before the addresses it wrote to are erased.
CAMPAIGN_EMAILS_DAYS = 60


@transaction.atomic
def import_values_purge(*, before: dt.datetime, dry_run: bool = False, by: Actor) -> int:
    """Erase the raw values quoted in the reports of imports started before `before`: the
    rejected rows (`issues`) and the notes (`notes`, e.g. a pre-1.0 value left out).

    Rejected rows may carry a person's contact (a volunteer's phone or e-mail); the report
    keeps the row, field and reason. Returns the number of import runs changed.
    """
    require(by, system_only)
    runs = ImportRun.objects.filter(started_at__lt=before)
    quoting = {
        pk
        for pk, issues, notes in runs.values_list("pk", "issues", "notes")
        if any(item.get("value") for item in [*issues, *notes])
    }
    erase_quoted_values(runs, field="issues", dry_run=dry_run)
    erase_quoted_values(runs, field="notes", dry_run=dry_run)
    return len(quoting)


@transaction.atomic
def campaign_emails_purge(*, before: dt.datetime, dry_run: bool = False, by: Actor) -> int:
    """Erase the addresses of freshness requests whose links expired before `before`.

    The request keeps its structure, places and answer (the campaign's figures do not change).
    Returns the number of requests changed.
    """
    require(by, system_only)
    expired = [
        campaign.pk
        for campaign in FreshnessCampaign.objects.filter(sent_at__lt=before).only(
            "pk", "sent_at", "valid_days"
        )
        if campaign.sent_at + dt.timedelta(days=campaign.valid_days) < before
    ]
    requests = FreshnessRequest.objects.filter(campaign__in=expired).exclude(email="")
    if dry_run:
        return requests.count()
    return requests.update(email="")
