"""The observatory: grid adoptions, survey waves, anonymous responses, population margins,
weighting runs and the estimates they publish."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from maillage.core.models import BackgroundWork
from maillage.territories.models import Area, Territory


class GridAdoption(models.Model):
    """A territory's use of one version of the common grid, with the questions it added."""

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="observatory_grids"
    )
    grid_version = models.CharField(_("grid version"), max_length=20)
    extra_questions = models.JSONField(
        _("questions added by the territory"), default=list, blank=True
    )
    adopted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("grid adoption")
        verbose_name_plural = _("grid adoptions")
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "grid_version"], name="observatory_grid_adopted_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.territory} · v{self.grid_version}"


class Wave(models.Model):
    """One survey wave (a fieldwork period) of a territory, on an adopted grid."""

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="observatory_waves"
    )
    grid = models.ForeignKey(GridAdoption, on_delete=models.PROTECT, related_name="waves")
    name = models.CharField(_("name"), max_length=200)
    fieldwork_start = models.DateField(_("fieldwork start"), null=True, blank=True)
    fieldwork_end = models.DateField(_("fieldwork end"), null=True, blank=True)
    is_synthetic = models.BooleanField(
        _("synthetic data"),
        default=False,
        help_text=_("Generated answers for a demonstration, not a real survey."),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey wave")
        verbose_name_plural = _("survey waves")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "name"], name="observatory_wave_name"),
            models.CheckConstraint(
                condition=models.Q(fieldwork_end__isnull=True)
                | models.Q(fieldwork_start__isnull=True)
                | models.Q(fieldwork_end__gte=models.F("fieldwork_start")),
                name="observatory_wave_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Respondent(models.Model):
    """One anonymous respondent: a commune, the answers the grid asks for, a design weight.

    No name, no contact, no free text: only the answer codes of the grid's questions.
    """

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="respondents")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    row_number = models.PositiveIntegerField(_("number in the wave"))
    design_weight = models.FloatField(
        _("design weight"), validators=[MinValueValidator(0.0)], null=True, blank=True
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)

    class Meta:
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "row_number"], name="observatory_row_once"),
            models.CheckConstraint(
                condition=models.Q(design_weight__isnull=True) | models.Q(design_weight__gt=0),
                name="observatory_design_weight_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wave} · {self.row_number}"


class ImportReport(BackgroundWork):
    """What happened to one file of responses: rows read, written, and every problem found.

    A file sent on the wave's import page is stored (`upload`) and imported by a background task
    (`observatory.tasks.responses_import_task`): "queued", then "running" with its progress,
    then "done" (the rows and problems below), or "failed" with the reason (a file that cannot
    be read names its row or the limit)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the background worker")
        RUNNING = "running", _("Being imported")
        DONE = "done", _("Checked")
        FAILED = "failed", _("Failed: nothing imported")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="import_reports")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DONE
    )
    # The file as sent and the import's choices, read by the background task.
    upload = models.FileField(_("file"), upload_to="survey-imports/%Y/%m/", blank=True)
    codebook = models.JSONField(_("codebook"), null=True, blank=True)
    import_valid_rows = models.BooleanField(default=False)
    filename = models.CharField(_("file"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rows_read = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)  # [{row, column, value, reason}]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def step_label(self) -> str:
        """The current step, for its page."""
        labels = {
            "start": _("starting"),
            "read": _("reading the file"),
            "checked": _("checking every row"),
        }
        return str(labels.get(self.step, self.step))


class MarginSet(models.Model):
    """Population totals per commune that responses are weighted to.

    `margins` is ``{"age_sex": {commune_code: {"<age>|<sex>": persons}},
    "education": {commune_code: {"<education>": persons}}}``. `is_assumed` marks totals that
    are not from a census table (shown as "assumed margins" on every page that uses them).
    """

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="observatory_margins"
    )
    name = models.CharField(_("name"), max_length=200)
    is_assumed = models.BooleanField(_("assumed margins"), default=False)
    source = models.TextField(_("source"))
    margins = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("population margins")
        verbose_name_plural = _("population margins")
        constraints = [
            models.UniqueConstraint(fields=["territory", "name"], name="observatory_margin_name")
        ]

    def __str__(self) -> str:
        return self.name


class WeightingRun(BackgroundWork):
    """Weights of a wave raked to a margin set, the settings used, diagnostics and estimates.

    Run from the page by a background task (`observatory.tasks.weighting_run_task`): queued,
    running (with its progress), then a draft with its estimates, or failed with the reason."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the background worker")
        RUNNING = "running", _("Being weighted")
        FAILED = "failed", _("Failed")
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    #: Statuses of a computed run (the others are work in progress or failed).
    COMPUTED = (Status.DRAFT, Status.PUBLISHED)

    class Variance(models.TextChoices):
        TAYLOR = "taylor", _("Taylor linearisation on calibration residuals")
        BOOTSTRAP = "bootstrap", _("Rao–Wu bootstrap, re-raked replicates")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="runs")
    margin_set = models.ForeignKey(MarginSet, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    tolerance = models.FloatField(_("tolerance"), default=1e-6)
    max_iterations = models.PositiveIntegerField(_("maximum sweeps"), default=100)
    bound_lower = models.FloatField(_("lowest adjustment factor"), null=True, blank=True)
    bound_upper = models.FloatField(_("highest adjustment factor"), null=True, blank=True)
    trim_ratio = models.FloatField(
        _("trim weights above this multiple of the mean"), null=True, blank=True
    )
    variance_method = models.CharField(
        _("variance"), max_length=20, choices=Variance.choices, default=Variance.TAYLOR
    )
    replicates = models.PositiveIntegerField(_("bootstrap replicates"), default=100)
    seed = models.PositiveIntegerField(_("random seed"), default=2024)
    converged = models.BooleanField(default=False)
    iterations = models.PositiveIntegerField(default=0)
    max_relative_error = models.FloatField(default=0.0)
    diagnostics = models.JSONField(default=dict, blank=True)
    respondent_ids = models.JSONField(default=list, blank=True)
    weights = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    @property
    def step_label(self) -> str:
        """The current step, for its page."""
        labels = {
            "start": _("starting"),
            "read": _("reading the responses"),
            "raked": _("raking to the margins"),
            "estimated": _("computing the estimates"),
            "done": _("done"),
        }
        return str(labels.get(self.step, self.step))

    class Meta:
        verbose_name = _("weighting run")
        verbose_name_plural = _("weighting runs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(tolerance__gt=0), name="observatory_tol"),
            models.CheckConstraint(
                condition=models.Q(bound_lower__isnull=True)
                | models.Q(bound_upper__isnull=True)
                | (models.Q(bound_lower__gte=0, bound_lower__lt=1, bound_upper__gt=1)),
                name="observatory_bounds_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(trim_ratio__isnull=True) | models.Q(trim_ratio__gt=1),
                name="observatory_trim_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wave} · {self.created_at:%Y-%m-%d %H:%M}"


class Estimate(models.Model):
    """A weighted share (0..1) of one indicator in one domain, with its 95% interval.

    `domain_kind` is "territory", "commune" or a subgroup of the grid (age_band, sex,
    education, equipment); `domain_code` the commune's code or the level's code. Suppressed
    cells (fewer than 5 respondents) keep no figure.
    """

    run = models.ForeignKey(WeightingRun, on_delete=models.CASCADE, related_name="estimates")
    indicator = models.CharField(max_length=60)
    domain_kind = models.CharField(max_length=30)
    domain_code = models.CharField(max_length=30, blank=True)
    estimate = models.FloatField(null=True)
    standard_error = models.FloatField(null=True)
    lower = models.FloatField(null=True)
    upper = models.FloatField(null=True)
    n = models.PositiveIntegerField()
    df = models.FloatField()
    small_sample = models.BooleanField(default=False)
    suppressed = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "indicator", "domain_kind", "domain_code"],
                name="observatory_estimate_once",
            ),
            models.CheckConstraint(
                condition=models.Q(suppressed=False) | models.Q(estimate__isnull=True),
                name="observatory_suppressed_has_no_figure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.domain_kind} {self.domain_code}"
