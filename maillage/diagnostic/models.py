"""Fragility indicators per area, candidate sites, and diagnostic runs (a small job queue)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from maillage.directory.models import Place
from maillage.territories.models import Area, Territory


class FragilityIndicator(models.Model):
    """One open statistic per area (a share, a rate, a median income) and what it means."""

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="fragility_indicators"
    )
    key = models.CharField(
        _("identifier"),
        max_length=60,
        validators=[
            RegexValidator(
                r"^[a-z][a-z0-9_]{1,59}$",
                _("Use lower-case letters, digits and underscores, for example poverty_rate."),
            )
        ],
        help_text=_("The presets use fixed identifiers, for example poverty_rate or aged_65_plus."),
    )
    label = models.CharField(_("name"), max_length=200)
    axis = models.CharField(
        _("axis"),
        max_length=60,
        default="index",
        help_text=_("Indicators of the same axis are averaged first, then the axes."),
    )
    higher_is_fragile = models.BooleanField(
        _("a higher value means more fragility"),
        default=True,
        help_text=_("Untick for a coverage rate or an income: there, higher is less fragile."),
    )
    weight = models.FloatField(
        _("weight"), default=1.0, validators=[MinValueValidator(0.001), MaxValueValidator(1000)]
    )
    source = models.CharField(_("source"), max_length=300)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    reference = models.FloatField(
        _("value of the reference territory"),
        null=True,
        blank=True,
        help_text=_("France or the département; needed by the “ratio to a reference” method."),
    )
    is_example = models.BooleanField(
        _("example data"),
        default=False,
        help_text=_("Invented for the demonstration; shown as such to every reader."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fragility indicator")
        verbose_name_plural = _("fragility indicators")
        ordering = ["axis", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "key"], name="fragility_indicator_unique_key"
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="fragility_indicator_weight"),
        ]

    def __str__(self) -> str:
        return self.label


class IndicatorValue(models.Model):
    """The value of an indicator in one area. No row means the value is missing."""

    indicator = models.ForeignKey(
        FragilityIndicator, on_delete=models.CASCADE, related_name="values"
    )
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    value = models.FloatField(_("value"))

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "area"], name="indicator_value_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.key} · {self.area.code} = {self.value}"


class CandidateSite(models.Model):
    """A place where the territory could go to people: a market, a wifi point…"""

    class Kind(models.TextChoices):
        COMMUNE_CENTRE = "commune_centre", _("Commune centre")
        MARKET = "market", _("Market")
        SOCIAL_HOUSING = "social_housing", _("Social housing")
        WIFI_POINT = "wifi_point", _("Social wifi point")
        OTHER = "other", _("Other")

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="candidate_sites"
    )
    name = models.CharField(_("name"), max_length=200)
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_example = models.BooleanField(_("example data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("candidate site")
        verbose_name_plural = _("candidate sites")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="candidate_site_coordinates_valid",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="candidate_site_name_required"),
        ]

    def __str__(self) -> str:
        return self.name


class TravelMatrix(models.Model):
    """Road distances or travel times from the territory's areas to its places, uploaded by a
    coordinator (from a routing tool). One per territory: a new upload replaces it. A pair of
    area and place without a route row has no route."""

    class Unit(models.TextChoices):
        KM = "km", _("kilometres")
        MINUTES = "minutes", _("minutes")

    territory = models.OneToOneField(
        Territory, on_delete=models.CASCADE, related_name="travel_matrix"
    )
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("How the values were computed, for example “OSRM, car, 2025”."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("distance or travel-time matrix")
        verbose_name_plural = _("distance or travel-time matrices")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__in=["km", "minutes"]), name="travel_matrix_unit_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.territory} · {self.unit}"


class TravelRoute(models.Model):
    """The distance (km) or time (minutes) from an area's centre to a place, in the unit of
    its matrix."""

    matrix = models.ForeignKey(TravelMatrix, on_delete=models.CASCADE, related_name="routes")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+")
    value = models.FloatField(_("distance or time"), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        constraints = [
            models.UniqueConstraint(
                fields=["matrix", "area", "place"], name="travel_route_unique_pair"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="travel_route_value_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} → {self.place_id}: {self.value}"


class PopulationGrid(models.Model):
    """The territory's population squares (INSEE's 200 m or 1 km grid, Eurostat GEOSTAT), as
    one import: a new upload replaces it. Runs may take its squares as demand points."""

    territory = models.OneToOneField(
        Territory, on_delete=models.CASCADE, related_name="population_grid"
    )
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("Where the squares come from, for example “INSEE Filosofi 2019, 200 m”."),
    )
    skipped_outside = models.PositiveIntegerField(
        _("squares outside the territory"),
        default=0,
        help_text=_("Lines of the file whose communes are all outside the territory, skipped."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("population squares")
        verbose_name_plural = _("population squares")

    def __str__(self) -> str:
        return f"{self.territory} · {self.uploaded_at:%Y-%m-%d}"


class PopulationSquare(models.Model):
    """A square of the European grid where people live: its identifier, centre, side, the
    people counted in it and the commune it is counted in (the first of its communes that
    belongs to the territory)."""

    grid = models.ForeignKey(PopulationGrid, on_delete=models.CASCADE, related_name="squares")
    code = models.CharField(_("square identifier"), max_length=60)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    latitude = models.FloatField(
        _("latitude of the centre"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude of the centre"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    size_m = models.PositiveIntegerField(_("side (m)"), validators=[MinValueValidator(1)])
    population = models.FloatField(_("population"), validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("population square")
        verbose_name_plural = _("population squares")
        constraints = [
            models.UniqueConstraint(fields=["grid", "code"], name="population_square_unique_code"),
            models.CheckConstraint(
                condition=Q(population__gte=0), name="population_square_population_positive"
            ),
            models.CheckConstraint(condition=Q(size_m__gt=0), name="population_square_size"),
            models.CheckConstraint(
                condition=Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="population_square_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.population}"


STEP_LABELS = {
    "": _("Waiting"),
    "start": _("Starting"),
    "index": _("Computing the fragility index"),
    "accessibility": _("Computing the accessibility of the offer"),
    "squares": _("Averaging the squares of each commune"),
    "blind_spots": _("Finding the blind spots"),
    "sites": _("Choosing where to go"),
    "done": _("Done"),
}


class DiagnosticRun(models.Model):
    """One computation of the diagnostic: asked for by a view, done inline for a small
    territory or by the `run_diagnostic_jobs` worker, with its progress and its result."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="diagnostic_runs"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    step = models.CharField(_("current step"), max_length=40, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict)
    result = models.JSONField(_("result"), null=True, blank=True)
    # The accessibility of each population square of a run on squares (tens of thousands of
    # values): kept apart from `result`, which every page reads, and read only by its export.
    square_results = models.JSONField(_("results per square"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    uses_example_data = models.BooleanField(_("uses example data"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written by the run's worker at each step: a running run whose heartbeat is old lost its
    # worker (`services.diagnostic_runs_requeue_stale`).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        _("attempts"), default=0, help_text=_("How many times a worker started this run.")
    )

    class Meta:
        verbose_name = _("diagnostic run")
        verbose_name_plural = _("diagnostic runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="diagnostic_run_progress")
        ]

    def __str__(self) -> str:
        return f"{self.territory} · {self.created_at:%Y-%m-%d %H:%M} · {self.status}"

    @property
    def step_label(self) -> str:
        return str(STEP_LABELS.get(self.step, self.step))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
