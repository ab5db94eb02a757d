"""Imports and their reports, provenance of each record, duplicates, freshness campaigns."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from maillage.core.models import BackgroundWork
from maillage.directory.models import Organisation, Place
from maillage.territories.models import Territory


class Format(models.TextChoices):
    LIEUX_CSV = "lieux-csv", _("National standard of digital-mediation places (CSV)")
    LIEUX_JSON = "lieux-json", _("National standard of digital-mediation places (JSON)")
    DATA_INCLUSION = "data-inclusion", _("data·inclusion v1 (JSON: structures and services)")


class ImportRun(BackgroundWork):
    """One file imported (or refused) into a territory, with its row-by-row report.

    A file uploaded on the imports page is stored (`upload`) and imported by a background task
    (`interop.tasks.import_run_task`): the run is "queued", then "running" with its progress,
    then imported, partial or refused (or failed, with the reason, when the work broke)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the background worker")
        RUNNING = "running", _("Being imported")
        FAILED = "failed", _("Failed: nothing imported")
        IMPORTED = "imported", _("Imported")
        PARTIAL = "partial", _("Valid rows imported, others rejected")
        REFUSED = "refused", _("Nothing imported: the file has errors")

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="import_runs")
    source = models.CharField(
        _("source"),
        max_length=100,
        help_text=_("Who produced the file, for example: cartographie-nationale, dora, hubik."),
    )
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("separator"), max_length=4, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("places created"), default=0)
    updated = models.PositiveIntegerField(_("places updated"), default=0)
    unchanged = models.PositiveIntegerField(_("places unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    conflicts = models.PositiveIntegerField(_("fields kept as edited by hand"), default=0)
    # [{"row": 3, "field": "code_insee", "value": "51454", "reason": "..."}]
    issues = models.JSONField(default=list, blank=True)
    converted = models.PositiveIntegerField(
        _("rows converted from the standard's pre-1.0 vocabulary"), default=0
    )
    # What the import did to rows without rejecting them (same keys as `issues`), for example
    # a pre-1.0 value left out because v1.0.2 has no equivalent: never counted as rejections.
    notes = models.JSONField(default=list, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    # The file as uploaded, read by the background task (empty for the command's imports).
    upload = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    valid_rows_only = models.BooleanField(
        _("valid rows imported even if others are rejected"), default=False
    )
    publish = models.BooleanField(_("new places published at once"), default=False)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} · {self.filename} · {self.started_at:%Y-%m-%d}"

    @property
    def step_label(self) -> str:
        """The current step, for its page."""
        labels = {
            "start": _("starting"),
            "read": _("reading the file"),
            "checked": _("checking every row"),
            "written": _("writing the places"),
            "done": _("done"),
        }
        return str(labels.get(self.step, self.step))


class SourceRecord(models.Model):
    """Provenance: a place as one source describes it (upsert key: territory, source, id).

    `values` holds what the source said the last time, in the directory's vocabulary: a re-import
    compares it with the place to tell a field edited by hand from one the source changed.
    """

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="+")
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="source_records")
    source = models.CharField(_("source"), max_length=100)
    source_id = models.CharField(_("identifier in the source"), max_length=200)
    values = models.JSONField(default=dict)
    source_updated_on = models.DateField(_("updated at the source"), null=True, blank=True)
    first_run = models.ForeignKey(ImportRun, on_delete=models.SET_NULL, null=True, related_name="+")
    last_run = models.ForeignKey(ImportRun, on_delete=models.SET_NULL, null=True, related_name="+")
    imported_at = models.DateTimeField(_("last imported"))

    class Meta:
        verbose_name = _("source record")
        verbose_name_plural = _("source records")
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "source", "source_id"], name="source_record_unique"
            )
        ]
        indexes = [models.Index(fields=["place"], name="source_record_place_idx")]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id}"


class FieldConflict(models.Model):
    """A source changed a field that someone had edited by hand: the place keeps the hand-made
    value until a coordinator decides."""

    class Status(models.TextChoices):
        OPEN = "open", _("To decide")
        KEPT = "kept", _("Hand-made value kept")
        TAKEN = "taken", _("Source value taken")

    record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="conflicts")
    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="field_conflicts")
    field = models.CharField(_("field"), max_length=40)
    current = models.JSONField(_("value in the directory"), null=True)
    incoming = models.JSONField(_("value in the source"), null=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.record} · {self.field}"

    @property
    def field_label(self) -> str:
        """The field's name as people read it (the place form's label)."""
        if self.field == "services":
            return str(_("services"))
        try:
            return str(Place._meta.get_field(self.field).verbose_name)
        except FieldDoesNotExist:
            return self.field


class DuplicateCandidate(models.Model):
    """Two places that may be the same. `place_a` has the smaller id; a decision is remembered."""

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        MERGED = "merged", _("Merged")
        REJECTED = "rejected", _("Not the same place")

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="+")
    place_a = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+")
    place_b = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("name similarity"))
    distance_m = models.FloatField(_("distance (m)"))
    reasons = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    kept = models.ForeignKey(
        Place, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["place_a", "place_b"], name="duplicate_pair_unique"),
            models.CheckConstraint(
                condition=Q(place_a__lt=F("place_b")), name="duplicate_pair_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place_a_id} ~ {self.place_b_id}"


class FreshnessCampaign(models.Model):
    """A request sent to structures to confirm or update their places."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    message = models.TextField(_("message"), blank=True)
    valid_days = models.PositiveSmallIntegerField(_("days the links stay valid"), default=30)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class FreshnessRequest(models.Model):
    """One structure's request in a campaign: its places, the address written to, the answer."""

    class Answer(models.TextChoices):
        WAITING = "waiting", _("No answer yet")
        CONFIRMED = "confirmed", _("Confirmed still correct")
        UPDATE = "update", _("Will update")

    campaign = models.ForeignKey(
        FreshnessCampaign, on_delete=models.CASCADE, related_name="requests"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # Erased by the retention rule "interop.campaign_emails" once the links expired.
    email = models.EmailField(_("e-mail"), blank=True)
    place_ids = models.JSONField(default=list)
    answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.WAITING)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation"], name="freshness_request_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.organisation}"
