"""Reads of the governance and the roadmap: calendars, plan trees, indicator progress,
inventory statistics and the annual report's data."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Case, Prefetch, QuerySet, Value, When

from maillage.core import extensions
from maillage.roadmap.models import (
    Action,
    ActionPlan,
    Activity,
    Body,
    BodyMember,
    Decision,
    IndicatorDefinition,
    InventoryEntry,
    Meeting,
    ReferenceFigure,
)
from maillage.territories.models import Territory

SMALL_CELL = 5  # counts of people below this are never shown


def people_count(value: int | None) -> int | None:
    """A count of people as it may be shown: None when it is below the small-cell threshold."""
    if value is None or value < SMALL_CELL:
        return None
    return value


# --- Governance ------------------------------------------------------------------------------


# Bodies are listed from the strategic level down.
LEVEL_RANK = {level: rank for rank, level in enumerate(Body.Level.values)}


def _by_level():
    return Case(
        *(When(level=level, then=Value(rank)) for level, rank in LEVEL_RANK.items()),
        default=Value(len(LEVEL_RANK)),
    )


def bodies_of(territory: Territory) -> QuerySet[Body]:
    return (
        Body.objects.filter(territory=territory)
        .order_by(_by_level(), "name")
        .select_related("chair_organisation")
        .prefetch_related(
            Prefetch("members", queryset=BodyMember.objects.select_related("organisation")),
            "meetings",
        )
    )


def body_invitees(body: Body) -> list[BodyMember]:
    """Who must be invited to the body's meetings."""
    return [m for m in body.members.select_related("organisation") if m.must_be_invited]


def meeting_detail_queryset() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("body__territory").prefetch_related(
        Prefetch("body__members", queryset=BodyMember.objects.select_related("organisation")),
        "attendance__member__organisation",
        Prefetch(
            "decisions",
            queryset=Decision.objects.prefetch_related("follow_ups__owner", "follow_ups__action"),
        ),
    )


@dataclass(frozen=True)
class BodyYear:
    body: Body
    expected: int
    held: int
    planned: int  # meetings dated later in the year


def calendar(territory: Territory, *, year: int, today: dt.date) -> tuple[list, list[BodyYear]]:
    """The year's meetings in date order, and per body the meetings expected, held, planned."""
    meetings = list(
        Meeting.objects.filter(body__territory=territory, date__year=year)
        .select_related("body")
        .order_by("date", "body__name")
    )
    per_body = []
    for body in Body.objects.filter(territory=territory).order_by(_by_level(), "name"):
        mine = [m for m in meetings if m.body_id == body.pk]
        held = sum(1 for m in mine if m.date <= today)
        per_body.append(BodyYear(body, body.meetings_per_year, held, len(mine) - held))
    return meetings, per_body


# --- Action plans ----------------------------------------------------------------------------


def plans_of(territory: Territory) -> QuerySet[ActionPlan]:
    return ActionPlan.objects.filter(territory=territory)


def action_queryset() -> QuerySet[Action]:
    return Action.objects.select_related(
        "plan__territory", "lead", "result__objective"
    ).prefetch_related("partners__organisation", "funding", "risks", "activities", "indicators")


def plan_tree(plan: ActionPlan) -> ActionPlan:
    """The plan with objectives → results → actions prefetched (and actions not attached)."""
    return (
        ActionPlan.objects.filter(pk=plan.pk)
        .prefetch_related(
            "objectives__results__actions__lead",
            Prefetch("actions", queryset=action_queryset()),
        )
        .select_related("territory")
        .get()
    )


def status_counts(actions) -> dict[str, int]:
    counts = Counter(a.status for a in actions)
    return {status: counts.get(status, 0) for status in Action.Status.values}


# --- Indicators ------------------------------------------------------------------------------


@dataclass
class IndicatorProgress:
    indicator: IndicatorDefinition
    target: float | None
    target_year: int | None
    current: float | None
    current_date: dt.date | None
    points: list[tuple[str, float]] = field(default_factory=list)
    is_example: bool = False  # a shown value or target is example data

    @property
    def ratio(self) -> float | None:
        """Share of the target reached, in percent (None without a target or a value)."""
        if self.target in (None, 0) or self.current is None:
            return None
        if self.indicator.direction == IndicatorDefinition.Direction.DOWN:
            return 100.0 * self.target / self.current if self.current else None
        return 100.0 * self.current / self.target


def indicator_progress(indicator: IndicatorDefinition, *, on: dt.date) -> IndicatorProgress:
    """Target and actual values of an indicator on `on`.

    Computed indicators ask the registry (core.extensions) for their value on that date,
    so a figure computed by the directory, the activity record or the observatory flows in
    without anyone entering it. Indicators entered by hand use their last value up to `on`.
    """
    targets = sorted(indicator.targets.all(), key=lambda t: (t.year is None, t.year or 0))
    target = targets[-1] if targets else None
    example = bool(indicator.is_example or (target and target.is_example))
    if indicator.source == IndicatorDefinition.Source.COMPUTED:
        value = extensions.computed_indicator(indicator.computed_key).compute(
            indicator.territory, on
        )
        points = [(on.isoformat(), value)] if value is not None else []
        current_date = on if value is not None else None
    else:
        values = [v for v in indicator.values.all() if v.date <= on]
        points = [(v.date.isoformat(), v.value) for v in values]
        value = values[-1].value if values else None
        current_date = values[-1].date if values else None
        example = example or any(v.is_example for v in values)
    return IndicatorProgress(
        indicator=indicator,
        target=target.value if target else None,
        target_year=target.year if target else None,
        current=value,
        current_date=current_date,
        points=points,
        is_example=example,
    )


def indicators_progress(territory: Territory, *, on: dt.date) -> list[IndicatorProgress]:
    indicators = (
        IndicatorDefinition.objects.filter(territory=territory)
        .prefetch_related("targets", "values")
        .select_related("territory")
    )
    return [indicator_progress(i, on=on) for i in indicators]


# --- Inventory -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    key: str
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class InventoryStats:
    total: int
    by_carrier: list[Share]
    by_audience: list[Share]
    by_category: list[Share]
    example_entries: int
    reference: list[ReferenceFigure]


def _shares(counter: Counter, choices, total: int) -> list[Share]:
    return [
        Share(
            key,
            str(label),
            counter.get(key, 0),
            100.0 * counter.get(key, 0) / total if total else 0.0,
        )
        for key, label in choices
    ]


def inventory_stats(territory: Territory) -> InventoryStats:
    """Live statistics of the inventory, beside the figures the published roadmap printed."""
    rows = list(
        InventoryEntry.objects.filter(territory=territory).values_list(
            "carrier", "audience", "category", "is_example"
        )
    )
    total = len(rows)
    return InventoryStats(
        total=total,
        by_carrier=_shares(Counter(r[0] for r in rows), InventoryEntry.Carrier.choices, total),
        by_audience=_shares(Counter(r[1] for r in rows), InventoryEntry.Audience.choices, total),
        by_category=_shares(Counter(r[2] for r in rows), InventoryEntry.Category.choices, total),
        example_entries=sum(1 for r in rows if r[3]),
        reference=list(ReferenceFigure.objects.filter(territory=territory)),
    )


# --- Annual report ---------------------------------------------------------------------------


@dataclass
class AnnualReport:
    territory: Territory
    year: int
    on: dt.date
    bodies: list[BodyYear]
    meetings: list[Meeting]
    plans: list[ActionPlan]
    actions: list[Action]
    status_counts: dict[str, int]
    activities: list[Activity]
    indicators: list[IndicatorProgress]
    inventory: InventoryStats
    has_example: bool


def annual_report(territory: Territory, *, year: int, today: dt.date) -> AnnualReport:
    """Everything the annual report to the strategic committee shows for `year`.

    Indicators are taken on 31 December of the year, or today when the year is not over.
    """
    on = min(today, dt.date(year, 12, 31))
    _meetings, bodies = calendar(territory, year=year, today=today)
    meetings = list(
        meeting_detail_queryset().filter(body__territory=territory, date__year=year, date__lte=on)
    )
    plans = list(plans_of(territory).filter(start_year__lte=year, end_year__gte=year))
    actions = list(action_queryset().filter(plan__in=plans))
    activities = [
        a for action in actions for a in action.activities.all() if a.date and a.date.year == year
    ]
    indicators = indicators_progress(territory, on=on)
    inventory = inventory_stats(territory)
    has_example = (
        any(m.is_example for m in meetings)
        or any(b.body.is_example for b in bodies)
        or any(a.is_example for a in actions)
        or any(a.is_example for a in activities)
        or any(i.is_example for i in indicators)
        or inventory.example_entries > 0
    )
    return AnnualReport(
        territory=territory,
        year=year,
        on=on,
        bodies=bodies,
        meetings=meetings,
        plans=plans,
        actions=actions,
        status_counts=status_counts(actions),
        activities=sorted(activities, key=lambda a: a.date),
        indicators=indicators,
        inventory=inventory,
        has_example=has_example,
    )
