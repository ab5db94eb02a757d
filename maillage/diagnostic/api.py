"""Diagnostic endpoints: a run's progress and its result per area (coordinators and partners)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from maillage.core.api_errors import RESTRICTED_ERRORS
from maillage.core.lookup import territory_for
from maillage.diagnostic import permissions, presenters, selectors
from maillage.diagnostic.models import DiagnosticRun

router = Router(tags=["diagnostic"])


class DiagnosticAreaOut(Schema):
    rank: int
    code: str
    name: str
    population: float | None
    fragility_index: float | None
    indicator_weight_available: float | None
    fragile_population: float | None
    accessibility_per_100000: float | None
    nearest_place_km: float | None
    nearest_place_by_matrix: float | None = None
    population_without_place_share: float | None = None
    reasons: list[str]


class DiagnosticSiteOut(Schema):
    name: str
    kind: str
    latitude: float
    longitude: float
    added_fragile_population: float
    areas_covered: list[str]


class DiagnosticRunOut(Schema):
    id: int
    status: str
    progress: int
    step: str
    created_at: str
    finished_at: str | None
    is_example: bool
    parameters: dict
    distance: str | None = None
    demand_points: str | None = None
    squares: int | None = None
    error: str | None = None
    areas: list[DiagnosticAreaOut] | None = None
    sites: list[DiagnosticSiteOut] | None = None


READ_REFUSAL = "Only the territory's coordinators and partners see its diagnostic."


def _run_out(run: DiagnosticRun) -> dict:
    out = {
        "id": run.pk,
        "status": run.status,
        "progress": run.progress,
        "step": run.step_label,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "is_example": run.uses_example_data,
        "parameters": run.parameters,
    }
    if run.status == DiagnosticRun.Status.FAILED and run.result:
        out["error"] = presenters.error_text(run.result["error"])
    if run.status == DiagnosticRun.Status.DONE:
        need = run.result["parameters"]["need"]
        distance = presenters.distance_of(run)
        out["distance"] = f"{distance['kind']}_{distance['unit']}"
        points = presenters.demand_points_of(run)
        out["demand_points"] = points["kind"]
        out["squares"] = points.get("squares")
        out["areas"] = [
            {
                "rank": a["rank"],
                "code": a["code"],
                "name": a["name"],
                "population": a["population"],
                "fragility_index": a["index"],
                "indicator_weight_available": a["coverage"],
                "fragile_population": a["fragile_population"],
                "accessibility_per_100000": a["accessibility"],
                "nearest_place_km": a["nearest_km"],
                "nearest_place_by_matrix": a.get("nearest_by_matrix"),
                "population_without_place_share": a.get("population_without_place_share"),
                "reasons": [presenters.reason_text(r, need=need) for r in a["reasons"]],
            }
            for a in sorted(run.result["areas"], key=lambda a: a["rank"])
        ]
        out["sites"] = [
            {k: s[k] for k in DiagnosticSiteOut.model_fields} for s in run.result["sites"]["chosen"]
        ]
    return out


@router.get(
    "/territories/{slug}/diagnostic/latest",
    response={200: DiagnosticRunOut, **RESTRICTED_ERRORS},
    url_name="diagnostic_latest",
    summary="The territory's latest finished diagnostic",
    description="`is_example` is true when the run used invented data (example indicators, "
    "places or candidate sites). `demand_points` says where the demand sat: `communes` (their "
    "centre) or `squares` (the territory's population squares, `squares` of them; each "
    "commune's accessibility is then the population-weighted mean of its squares', and "
    "`population_without_place_share` the share of its population living in squares with no "
    "place for the need within the catchment).",
)
def diagnostic_latest(request, slug: str):
    territory = territory_for(
        request, slug, allowed=permissions.can_view_diagnostic, refusal=READ_REFUSAL
    )
    run = selectors.latest_done_run(territory)
    if run is None:
        raise HttpError(404, "No diagnostic has been computed for this territory yet.")
    return _run_out(run)


@router.get(
    "/territories/{slug}/diagnostic/runs/{run_id}",
    response={200: DiagnosticRunOut, **RESTRICTED_ERRORS},
    url_name="diagnostic_run",
    summary="One diagnostic run: its progress, then its result",
    description="`distance` (finished runs) says which distance the accessibility and the "
    "reasons used: `great_circle_km`, `matrix_km` or `matrix_minutes`; on a matrix, "
    "`nearest_place_by_matrix` is the shortest route (null: no route) and `nearest_place_km` "
    "stays the great-circle distance. `demand_points`: `communes` or `squares` (see the "
    "latest run).",
)
def diagnostic_run(request, slug: str, run_id: int):
    territory = territory_for(
        request, slug, allowed=permissions.can_view_diagnostic, refusal=READ_REFUSAL
    )
    return _run_out(get_object_or_404(selectors.runs(territory), pk=run_id))
