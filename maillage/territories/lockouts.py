"""Accounts locked out after too many wrong passwords (django-axes), seen and lifted by the
coordinators of the territories where the person has a role.

Axes keeps one record per user name tried (`AccessAttempt`: user name, IP address, browser,
page, number of failures, time; never the password). An account is locked out while it has
`AXES_FAILURE_LIMIT` failures or more, the last one less than `AXES_COOLOFF_TIME` ago.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from maillage.core.actors import Actor, require, system_only
from maillage.territories.models import Territory
from maillage.territories.permissions import is_coordinator

logger = logging.getLogger(__name__)

#: Days the records of failed sign-ins are kept at most (axes itself forgets them once the
#: cool-off is over, at the next attempt with the same name).
FAILED_SIGN_INS_DAYS = 1


def _locking_attempts() -> QuerySet[Any]:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts: QuerySet[Any] = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    )
    return attempts


def locked_out_members(territory: Territory) -> list[User]:
    """The people with a role in `territory` whose account is locked out now, by user name."""
    usernames = _locking_attempts().values("username")
    return list(
        User.objects.filter(memberships__territory=territory, username__in=usernames)
        .distinct()
        .order_by("username")
    )


@transaction.atomic
def account_lockout_lift(*, user: User, territory: Territory, by: Actor) -> int:
    """Let `user` sign in again at once: forget their failed attempts. Returns how many
    records were erased.

    Raises PermissionDenied unless `by` coordinates `territory` and `user` has a role there
    (a coordinator never reaches accounts of other territories). Logged with who lifted it.
    """
    require(
        by,
        lambda person: (
            is_coordinator(person, territory)
            and user.memberships.filter(territory=territory).exists()
        ),
    )
    count: int
    count, _by_model = AccessAttempt.objects.filter(username=user.get_username()).delete()
    logger.info(
        "Lockout of account %s lifted in territory %s by %s (%s records)",
        user.pk,
        territory.slug,
        by if not isinstance(by, User) else f"user {by.pk}",
        count,
    )
    return count


@transaction.atomic
def failed_sign_ins_purge(*, before: dt.datetime, dry_run: bool = False, by: Actor) -> int:
    """Erase the records of failed sign-ins made before `before`; returns how many. Only the
    system does it (`purge_personal_data`)."""
    require(by, system_only)
    attempts: QuerySet[Any] = AccessAttempt.objects.filter(attempt_time__lt=before)
    count: int = attempts.count()
    if not dry_run:
        attempts.delete()
    return count
