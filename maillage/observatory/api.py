"""Observatory endpoints: published estimates (drafts for the territory's coordinators)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from maillage.core.api_errors import LOOKUP_ERRORS
from maillage.core.lookup import territory_for
from maillage.observatory import permissions, presenters, selectors

router = Router(tags=["observatory"])


class WeightingRunOut(Schema):
    id: int
    wave: str
    grid_version: str
    synthetic_data: bool
    assumed_margins: bool
    margins_source: str
    status: str
    published_at: str | None
    respondents: int
    kish_design_effect: float | None
    effective_sample_size: float | None


class EstimateOut(Schema):
    indicator: str
    indicator_label: str
    domain: str
    domain_code: str
    domain_label: str
    percent: float | None
    ci95_lower: float | None
    ci95_upper: float | None
    standard_error: float | None
    respondents: int | None
    small_sample: bool
    suppressed: bool


class EstimatePage(Schema):
    run: WeightingRunOut
    synthetic_data: bool
    assumed_margins: bool
    count: int
    results: list[EstimateOut]


class EstimateParams(Schema):
    run: int | None = None
    indicator: str = ""
    domain: str = ""
    domain_code: str = ""


def _run_out(run) -> dict:
    return {
        "id": run.pk,
        "wave": run.wave.name,
        "grid_version": run.wave.grid.grid_version,
        "synthetic_data": run.wave.is_synthetic,
        "assumed_margins": run.margin_set.is_assumed,
        "margins_source": run.margin_set.source,
        "status": run.status,
        "published_at": run.published_at.isoformat() if run.published_at else None,
        "respondents": run.diagnostics.get("n", 0),
        "kish_design_effect": run.diagnostics.get("kish_design_effect"),
        "effective_sample_size": run.diagnostics.get("effective_sample_size"),
    }


@router.get(
    "/territories/{slug}/observatory/runs",
    response={200: list[WeightingRunOut], **LOOKUP_ERRORS},
    summary="Published weighting runs of a territory's survey, latest first",
)
def run_list(request, slug: str):
    territory = territory_for(request, slug)
    return [_run_out(r) for r in selectors.published_runs(territory)]


@router.get(
    "/territories/{slug}/observatory/estimates",
    response={200: EstimatePage, **LOOKUP_ERRORS},
    summary="Estimates (percent, 95% interval) of the latest published run, or of `run`",
    description="Cells with fewer than 5 respondents carry no figure and no count "
    "(`suppressed`); `small_sample` flags fewer than 30. `synthetic_data` marks invented "
    "answers (the demo); `assumed_margins` marks population totals that are not census figures.",
)
def estimate_list(request, slug: str, params: Query[EstimateParams]):
    territory = territory_for(request, slug)
    if params.run is not None:
        run = get_object_or_404(selectors.runs(territory), pk=params.run)
        if not permissions.can_view_run(request.user, run):
            raise Http404
    else:
        run = selectors.latest_published_run(territory)
        if run is None:
            raise Http404
    estimates = selectors.run_estimates(run)
    if params.indicator:
        estimates = estimates.filter(indicator=params.indicator)
    if params.domain:
        estimates = estimates.filter(domain_kind=params.domain)
    if params.domain_code:
        estimates = estimates.filter(domain_code=params.domain_code)
    grid = selectors.wave_grid(run.wave)
    labels = presenters.domain_labels(grid, territory.areas.all())
    results = [
        {
            "indicator": f.indicator,
            "indicator_label": f.label,
            "domain": f.domain_kind,
            "domain_code": f.domain_code,
            "domain_label": f.domain_label,
            "percent": f.value,
            "ci95_lower": f.lower,
            "ci95_upper": f.upper,
            "standard_error": f.standard_error,
            "respondents": f.respondents,
            "small_sample": f.small_sample,
            "suppressed": f.suppressed,
        }
        for f in presenters.figures(estimates, grid, labels)
    ]
    return {
        "run": _run_out(run),
        "synthetic_data": run.wave.is_synthetic,
        "assumed_margins": run.margin_set.is_assumed,
        "count": len(results),
        "results": results,
    }
