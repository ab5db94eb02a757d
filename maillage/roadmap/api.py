"""Roadmap endpoints: indicators against targets and an action plan in the URBACT structure.

Same rule as the pages (roadmap.permissions.can_read): a role in the territory is needed, so
these endpoints answer 403 to anonymous callers; they use the session of a signed-in person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from maillage.core.api_errors import RESTRICTED_ERRORS
from maillage.core.lookup import territory_for
from maillage.roadmap import exports, permissions, selectors
from maillage.roadmap.models import ActionPlan

router = Router(tags=["roadmap"])


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    scope: str
    source: str
    computed_key: str
    target: float | None
    target_year: int | None
    current: float | None
    current_date: dt.date | None
    percent_of_target: float | None
    is_example: bool


READ_REFUSAL = "A role in this territory is needed to read its roadmap."


@router.get(
    "/territories/{slug}/roadmap/indicators",
    response={200: list[IndicatorOut], **RESTRICTED_ERRORS},
    summary="The roadmap's indicators against their targets",
)
def indicators(request, slug: str):
    territory = territory_for(request, slug, allowed=permissions.can_read, refusal=READ_REFUSAL)
    return [
        IndicatorOut(
            code=p.indicator.code,
            name=p.indicator.name,
            unit=p.indicator.unit,
            scope=p.indicator.scope,
            source=p.indicator.source,
            computed_key=p.indicator.computed_key,
            target=p.target,
            target_year=p.target_year,
            current=p.current,
            current_date=p.current_date,
            percent_of_target=p.ratio,
            is_example=p.is_example,
        )
        for p in selectors.indicators_progress(territory, on=timezone.localdate())
    ]


@router.get(
    "/territories/{slug}/roadmap/plans/{plan_id}/urbact",
    response={200: dict[str, Any], **RESTRICTED_ERRORS},
    summary="An action plan in the URBACT Integrated Action Plan structure",
)
def plan_urbact(request, slug: str, plan_id: int) -> dict:
    territory = territory_for(request, slug, allowed=permissions.can_read, refusal=READ_REFUSAL)
    plan = get_object_or_404(ActionPlan, pk=plan_id, territory=territory)
    return exports.urbact_plan(plan, governance=selectors.bodies_of(territory))
