"""Retention of personal data kept by imports and freshness campaigns."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from maillage.core.actors import Actor, require, system_only
from maillage.core.extensions import erase_quoted_values
from maillage.directory.models import CONTACT_FIELDS
from maillage.interop.models import (
    FieldConflict,
    FreshnessCampaign,
    FreshnessRequest,
    ImportRun,
    SourceRecord,
)

#: Days an import run keeps the raw values of the rows it rejected.
IMPORT_VALUES_DAYS = 90
#: Days after a campaign's links expire before the addresses it wrote to are erased.
CAMPAIGN_EMAILS_DAYS = 60
#: Days the phone and e-mail a source gave for a place are kept once the source stops sending
#: the place (and once a conflict on them was decided).
SOURCE_CONTACTS_DAYS = 365
_BATCH = 500


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


@transaction.atomic
def source_contacts_purge(*, before: dt.datetime, dry_run: bool = False, by: Actor) -> int:
    """Erase the phone and e-mail a source gave for a place where they are kept besides the
    place itself: in the provenance records no import has sent since `before`
    (`SourceRecord.values`, the imported values a re-import compares with) and in the field
    conflicts on them decided before `before` (`FieldConflict.current` and `incoming`).

    A record the source sends again gets its values back. Until then, a re-import that brings
    a phone or e-mail different from the place's takes the source's (it cannot tell a hand
    edit from the source's change any more), as for a new source. Returns the number of source
    records and conflicts changed.
    """
    require(by, system_only)
    records = 0
    batch: list[SourceRecord] = []  # written 500 at a time: memory bounded whatever the table
    stale = SourceRecord.objects.filter(imported_at__lt=before).select_for_update()
    for record in stale.only("pk", "values").iterator(chunk_size=_BATCH):
        if not any(field in record.values for field in CONTACT_FIELDS):
            continue
        records += 1
        if dry_run:
            continue
        for field in CONTACT_FIELDS:
            record.values.pop(field, None)
        batch.append(record)
        if len(batch) == _BATCH:
            SourceRecord.objects.bulk_update(batch, ["values"])
            batch = []
    if batch:
        SourceRecord.objects.bulk_update(batch, ["values"])
    decided = (
        FieldConflict.objects.filter(field__in=CONTACT_FIELDS, decided_at__lt=before)
        .exclude(status=FieldConflict.Status.OPEN)
        .select_for_update()
    )
    conflicts = [
        pk
        for pk, current, incoming in decided.values_list("pk", "current", "incoming")
        if current or incoming
    ]
    if not dry_run:
        FieldConflict.objects.filter(pk__in=conflicts).update(current="", incoming="")
    return records + len(conflicts)
