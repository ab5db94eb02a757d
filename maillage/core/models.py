"""What every record of background work shares (abstract: no table of its own).

A record of long work (an import run, a weighting run…) says where the work stands, so that
its page shows it: its `status` (the app's choices, which include "queued", "running" and
"failed"), a percentage, the current step, the reason of a failure, and what the queue needs to
notice a dead worker (attempts and heartbeat). `maillage.core.background` writes these fields.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BackgroundWork(models.Model):
    """Progress of work done by a background task (`maillage.core.background`)."""

    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=40, blank=True)
    error = models.TextField(_("reason of the failure"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The id of the task result of the latest attempt (django-tasks), to close it when its
    # worker died.
    task_id = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_working(self) -> bool:
        """Queued or running: its page refreshes itself until the work ends."""
        return getattr(self, "status", "") in ("queued", "running")
