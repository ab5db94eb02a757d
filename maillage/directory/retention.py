"""Retention of personal data in the history of places."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

from django.db import transaction

from maillage.core.actors import Actor, require, system_only
from maillage.directory.models import CONTACT_FIELDS, Place

#: Days a replaced version of a place keeps its phone and e-mail.
CONTACT_HISTORY_DAYS = 365
_BATCH = 500


def _versions_replaced_before(before: dt.datetime) -> Iterator[int]:
    """History ids of the versions with a phone or an e-mail that a newer version of the same
    place replaced before `before` (the last version of a deleted place counts as replaced
    when the place was deleted). A place's latest version is what it shows now: never listed."""
    history = Place.history.model  # added by simple-history
    # Only versions recorded before `before` can have been replaced before it.
    rows = (
        history.objects.filter(history_date__lt=before)
        .order_by("id", "history_date", "history_id")
        .values_list("history_id", "id", "history_date", "history_type", *CONTACT_FIELDS)
        .iterator(chunk_size=2000)
    )
    version = None
    for following in itertools.chain(rows, [None]):  # None: after the last version
        if version is not None:
            replaced = (following is not None and following[1] == version[1]) or (
                version[3] == "-"  # the version that records the place's deletion
            )
            if replaced and any(version[4:]):
                yield version[0]
        version = following


@transaction.atomic
def contact_history_purge(*, before: dt.datetime, dry_run: bool = False, by: Actor) -> int:
    """Erase the phone and e-mail of the versions of places that were replaced before `before`.

    A place publishes its phone and e-mail on purpose, but an earlier version may hold a
    person's direct line or address that the structure has since replaced: history keeps it
    for `CONTACT_HISTORY_DAYS` after the change (enough to see and undo a wrong edit), then
    loses it. The place itself and its latest version never change; every other field of every
    version stays, so history still shows and reverts them (a revert to an erased version keeps
    the place's current phone and e-mail: `contact_erased`). Returns the number of versions
    changed (or that would be, with `dry_run`).
    """
    require(by, system_only)
    history = Place.history.model  # added by simple-history
    erased = list(_versions_replaced_before(before))
    if not dry_run:
        for start in range(0, len(erased), _BATCH):
            history.objects.filter(history_id__in=erased[start : start + _BATCH]).update(
                **dict.fromkeys(CONTACT_FIELDS, ""), contact_erased=True
            )
    return len(erased)
