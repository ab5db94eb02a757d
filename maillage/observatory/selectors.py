"""Reads of the observatory: runs, estimates and the arrays the analysis needs."""

from __future__ import annotations

import numpy as np
from django.db.models import QuerySet

from maillage.observatory.grid import Grid, load_grid
from maillage.observatory.models import Estimate, Respondent, Wave, WeightingRun
from maillage.observatory.pipeline import (
    SurveyArrays,
    WeightingOutcome,
    WeightingSettings,
    survey_arrays,
    weigh,
)
from maillage.territories.models import Territory


def wave_grid(wave: Wave) -> Grid:
    """The common grid of the wave's version plus the territory's own questions."""
    return load_grid(wave.grid.grid_version).with_extra_questions(wave.grid.extra_questions)


def wave_arrays(wave: Wave, grid: Grid | None = None) -> SurveyArrays:
    rows = (
        Respondent.objects.filter(wave=wave)
        .order_by("pk")
        .values_list("pk", "area__code", "design_weight", "answers")
    )
    return survey_arrays(list(rows), grid or wave_grid(wave))


def published_runs(territory: Territory) -> QuerySet[WeightingRun]:
    return (
        WeightingRun.objects.filter(wave__territory=territory, status=WeightingRun.Status.PUBLISHED)
        .select_related("wave", "wave__grid", "margin_set")
        .defer("weights", "respondent_ids")  # loaded only when a page needs them
        .order_by("-published_at", "-pk")
    )


def latest_published_run(territory: Territory) -> WeightingRun | None:
    return published_runs(territory).first()


def run_estimates(run: WeightingRun, *, domain_kind: str | None = None) -> QuerySet[Estimate]:
    queryset = Estimate.objects.filter(run=run)
    if domain_kind is not None:
        queryset = queryset.filter(domain_kind=domain_kind)
    return queryset.order_by("pk")


def waves(territory: Territory) -> QuerySet[Wave]:
    return Wave.objects.filter(territory=territory).select_related("grid")


def runs(territory: Territory) -> QuerySet[WeightingRun]:
    return (
        WeightingRun.objects.filter(wave__territory=territory, status__in=WeightingRun.COMPUTED)
        .select_related("wave", "margin_set")
        .defer("weights", "respondent_ids")
    )


def run_outcome(run: WeightingRun) -> tuple[SurveyArrays, WeightingOutcome]:
    """The run's respondents and weighting, with the calibration codes the variance needs.

    The raking is deterministic: it is run again from the stored settings and margins (a
    margin set used by a run cannot change) and checked against the stored weights.
    """
    grid = wave_grid(run.wave)
    arrays = wave_arrays(run.wave, grid)
    settings = WeightingSettings(
        tolerance=run.tolerance,
        max_iterations=run.max_iterations,
        bounds=None
        if run.bound_lower is None or run.bound_upper is None
        else (run.bound_lower, run.bound_upper),
        trim_ratio=run.trim_ratio,
        min_cell=20 if run.variance_method == WeightingRun.Variance.BOOTSTRAP else 10,
    )
    outcome = weigh(arrays, grid, run.margin_set.margins, settings)
    if arrays.ids.tolist() != run.respondent_ids or not np.allclose(
        outcome.weights, run.weights, rtol=1e-9
    ):
        raise ValueError(f"run {run.pk}: the responses changed since the weighting")
    return arrays, outcome
