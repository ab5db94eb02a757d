"""Writes to the governance and the roadmap. Each function is one domain operation in one
transaction; it validates fully (`full_clean`) and checks its permission itself: `by` is
required, a user (checked by `permissions`) or a `SystemActor` (demo loader, imports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from maillage.core import extensions
from maillage.core.actors import Actor, require, user_of
from maillage.directory.models import Organisation
from maillage.roadmap import permissions
from maillage.roadmap.models import (
    Action,
    ActionPartner,
    ActionPlan,
    Activity,
    Attendance,
    Body,
    BodyMember,
    Decision,
    ExpectedResult,
    FollowUp,
    FundingLine,
    IndicatorDefinition,
    IndicatorTarget,
    IndicatorValue,
    InventoryEntry,
    Meeting,
    ReferenceFigure,
    Risk,
    StrategicObjective,
)
from maillage.territories.models import Area, Territory

M = TypeVar("M", bound=models.Model)

# The fields of an action that its lead and partners may change (their part).
ACTION_EDITABLE_FIELDS = (
    "description",
    "target_publics",
    "start_date",
    "end_date",
    "calendar",
    "status",
    "success_indicators",
)
# France Numérique Ensemble national targets for 2027 (DESIGN.md §1).
# Names are data in the territory's language (French), like the directory's.
NATIONAL_TARGETS = (
    ("fne-people-supported", "Personnes accompagnées", "personnes", 8_000_000),
    ("fne-places", "Lieux d'inclusion numérique", "lieux", 25_000),
    ("fne-helpers-trained", "Aidants formés", "personnes", 20_000),
    ("fne-refurbished-devices", "Équipements reconditionnés", "équipements", 2_000_000),
)
FNE_SOURCE = "Feuille de route nationale France Numérique Ensemble : objectifs pour 2027."


def _save(instance: M) -> M:
    instance.full_clean()
    instance.save()
    return instance


def _same_territory(organisation: Organisation | None, territory: Territory, field: str) -> None:
    if organisation is not None and organisation.territory_id != territory.pk:
        raise ValidationError({field: _("This organisation is not in the territory.")})


# --- Governance ------------------------------------------------------------------------------


@transaction.atomic
def body_create(
    *,
    territory: Territory,
    name: str,
    level: str,
    meetings_per_year: int,
    chair: str = "",
    chair_organisation: Organisation | None = None,
    purpose: str = "",
    is_example: bool = False,
    source_note: str = "",
    by: Actor,
) -> Body:
    require(by, lambda user: permissions.can_manage(user, territory))
    _same_territory(chair_organisation, territory, "chair_organisation")
    return _save(
        Body(
            territory=territory,
            name=name,
            level=level,
            meetings_per_year=meetings_per_year,
            chair=chair,
            chair_organisation=chair_organisation,
            purpose=purpose,
            is_example=is_example,
            source_note=source_note,
        )
    )


@transaction.atomic
def body_member_add(
    *,
    body: Body,
    organisation: Organisation | None = None,
    name: str = "",
    role: str = BodyMember.Role.MEMBER,
    college: str = "",
    seats: int = 1,
    must_be_invited: bool = True,
    is_example: bool = False,
    source_note: str = "",
    by: Actor,
) -> BodyMember:
    """Add an organisation of the directory, or people described in words, to a body."""
    require(by, lambda user: permissions.can_manage(user, body.territory))
    _same_territory(organisation, body.territory, "organisation")
    if organisation is None and not name.strip():
        raise ValidationError({"name": _("Choose an organisation or write who the member is.")})
    return _save(
        BodyMember(
            body=body,
            organisation=organisation,
            name=name.strip(),
            role=role,
            college=college,
            seats=seats,
            must_be_invited=must_be_invited,
            is_example=is_example,
            source_note=source_note,
        )
    )


@transaction.atomic
def meeting_create(
    *,
    body: Body,
    date: dt.date,
    place: str = "",
    agenda: str = "",
    minutes: str = "",
    is_example: bool = False,
    source_note: str = "",
    by: Actor,
) -> Meeting:
    require(by, lambda user: permissions.can_manage(user, body.territory))
    return _save(
        Meeting(
            body=body,
            date=date,
            place=place,
            agenda=agenda,
            minutes=minutes,
            is_example=is_example,
            source_note=source_note,
        )
    )


@transaction.atomic
def meeting_update(*, meeting: Meeting, data: Mapping[str, Any], by: Actor) -> Meeting:
    require(by, lambda user: permissions.can_manage(user, meeting.body.territory))
    for field in ("date", "place", "agenda", "minutes"):
        if field in data:
            setattr(meeting, field, data[field])
    return _save(meeting)


@transaction.atomic
def attendance_record(
    *, meeting: Meeting, statuses: Mapping[int, str], by: Actor
) -> list[Attendance]:
    """Record who was present, excused or absent: `statuses` maps body member ids to a status."""
    require(by, lambda user: permissions.can_manage(user, meeting.body.territory))
    members = {m.pk: m for m in meeting.body.members.all()}
    saved = []
    for member_id, status in statuses.items():
        if member_id not in members:
            raise ValidationError(
                {"member": _("Member %(id)s is not a member of this body.") % {"id": member_id}}
            )
        row, _created = Attendance.objects.get_or_create(
            meeting=meeting, member=members[member_id], defaults={"status": status}
        )
        row.status = status
        saved.append(_save(row))
    return saved


@transaction.atomic
def decision_add(
    *,
    meeting: Meeting,
    text: str,
    is_example: bool = False,
    follow_up: str = "",
    follow_up_due_date: dt.date | None = None,
    follow_up_action: Action | None = None,
    by: Actor,
) -> Decision:
    """Record a decision of a meeting and, with `follow_up`, the follow-up it calls for: both
    or neither (one transaction)."""
    require(by, lambda user: permissions.can_manage(user, meeting.body.territory))
    decision = _save(Decision(meeting=meeting, text=text, is_example=is_example))
    if follow_up.strip():
        follow_up_add(
            decision=decision,
            description=follow_up,
            due_date=follow_up_due_date,
            action=follow_up_action,
            is_example=is_example,
            by=by,
        )
    return decision


@transaction.atomic
def follow_up_add(
    *,
    decision: Decision,
    description: str,
    owner: Organisation | None = None,
    due_date: dt.date | None = None,
    action: Action | None = None,
    is_example: bool = False,
    by: Actor,
) -> FollowUp:
    """A follow-up action created by a decision, optionally tied to an action of a plan."""
    territory = decision.meeting.body.territory
    require(by, lambda user: permissions.can_manage(user, territory))
    _same_territory(owner, territory, "owner")
    if action is not None and action.plan.territory_id != territory.pk:
        raise ValidationError({"action": _("This action is not in the territory.")})
    return _save(
        FollowUp(
            decision=decision,
            description=description,
            owner=owner,
            due_date=due_date,
            action=action,
            is_example=is_example,
        )
    )


# --- Action plans ----------------------------------------------------------------------------


@transaction.atomic
def action_plan_create(
    *,
    territory: Territory,
    title: str,
    start_year: int,
    end_year: int,
    framework: str = ActionPlan.Framework.ROADMAP,
    context: str = "",
    is_example: bool = False,
    source_note: str = "",
    by: Actor,
) -> ActionPlan:
    require(by, lambda user: permissions.can_manage(user, territory))
    if end_year < start_year:
        raise ValidationError({"end_year": _("The last year comes after the first year.")})
    return _save(
        ActionPlan(
            territory=territory,
            title=title,
            start_year=start_year,
            end_year=end_year,
            framework=framework,
            context=context,
            is_example=is_example,
            source_note=source_note,
        )
    )


@transaction.atomic
def objective_add(
    *, plan: ActionPlan, title: str, description: str = "", order: int | None = None, by: Actor
) -> StrategicObjective:
    require(by, lambda user: permissions.can_manage(user, plan.territory))
    if order is None:
        order = plan.objectives.count() + 1
    return _save(StrategicObjective(plan=plan, title=title, description=description, order=order))


@transaction.atomic
def expected_result_add(
    *, objective: StrategicObjective, title: str, order: int | None = None, by: Actor
) -> ExpectedResult:
    require(by, lambda user: permissions.can_manage(user, objective.plan.territory))
    if order is None:
        order = objective.results.count() + 1
    return _save(ExpectedResult(objective=objective, title=title, order=order))


@transaction.atomic
def action_create(
    *,
    plan: ActionPlan,
    title: str,
    status: str,
    lead: Organisation | None = None,
    result: ExpectedResult | None = None,
    code: str = "",
    data: Mapping[str, Any] | None = None,
    is_example: bool = False,
    source_note: str = "",
    by: Actor,
) -> Action:
    require(by, lambda user: permissions.can_manage(user, plan.territory))
    _same_territory(lead, plan.territory, "lead")
    if result is not None and result.objective.plan_id != plan.pk:
        raise ValidationError({"result": _("This expected result belongs to another plan.")})
    action = Action(
        plan=plan,
        title=title,
        status=status,
        lead=lead,
        result=result,
        code=code,
        is_example=is_example,
        source_note=source_note,
    )
    for field in ACTION_EDITABLE_FIELDS:
        if data and field in data:
            setattr(action, field, data[field])
    return _save(action)


@transaction.atomic
def action_update(*, action: Action, data: Mapping[str, Any], by: Actor) -> Action:
    """Change an action's own part (description, publics, calendar, status, indicators).

    Its lead and partners may do it as well as the coordinator; fields outside
    `ACTION_EDITABLE_FIELDS` (title, lead, plan) are ignored here.
    """
    action = Action.objects.select_for_update().select_related("plan__territory").get(pk=action.pk)
    require(by, lambda user: permissions.can_edit_action(user, action))
    for field in ACTION_EDITABLE_FIELDS:
        if field in data:
            setattr(action, field, data[field])
    return _save(action)


@transaction.atomic
def action_partner_add(
    *, action: Action, organisation: Organisation, role: str, is_example: bool = False, by: Actor
) -> ActionPartner:
    require(by, lambda user: permissions.can_change_action_team(user, action))
    _same_territory(organisation, action.plan.territory, "organisation")
    return _save(
        ActionPartner(action=action, organisation=organisation, role=role, is_example=is_example)
    )


@transaction.atomic
def funding_line_add(
    *,
    action: Action,
    source: str,
    status: str,
    amount: Decimal | None = None,
    is_example: bool = False,
    by: Actor,
) -> FundingLine:
    require(by, lambda user: permissions.can_edit_action(user, action))
    return _save(
        FundingLine(
            action=action, source=source, status=status, amount=amount, is_example=is_example
        )
    )


@transaction.atomic
def risk_add(
    *,
    action: Action,
    description: str,
    kind: str,
    probability: str,
    impact: str,
    mitigation: str = "",
    owner: str = "",
    is_example: bool = False,
    by: Actor,
) -> Risk:
    require(by, lambda user: permissions.can_edit_action(user, action))
    return _save(
        Risk(
            action=action,
            description=description,
            kind=kind,
            probability=probability,
            impact=impact,
            mitigation=mitigation,
            owner=owner,
            is_example=is_example,
        )
    )


@transaction.atomic
def activity_add(
    *,
    action: Action,
    what: str,
    state: str,
    date: dt.date | None = None,
    participants: int | None = None,
    results: str = "",
    keep: str = "",
    change: str = "",
    is_example: bool = False,
    by: Actor,
) -> Activity:
    """Log an activity of an action (done, upcoming or future) with its results."""
    require(by, lambda user: permissions.can_edit_action(user, action))
    if state == Activity.State.DONE and date is None:
        raise ValidationError({"date": _("Give the date of an activity that is done.")})
    return _save(
        Activity(
            action=action,
            what=what,
            state=state,
            date=date,
            participants=participants,
            results=results,
            keep=keep,
            change=change,
            created_by=user_of(by),
            is_example=is_example,
        )
    )


# --- Indicators ------------------------------------------------------------------------------


@transaction.atomic
def indicator_define(
    *,
    territory: Territory,
    code: str,
    name: str,
    unit: str,
    scope: str,
    direction: str = IndicatorDefinition.Direction.UP,
    computed_key: str = "",
    programme: str = "",
    description: str = "",
    is_example: bool = False,
    source_note: str = "",
    target: float | None = None,
    target_year: int | None = None,
    by: Actor,
) -> IndicatorDefinition:
    """Define an indicator (or update the one with this code). With `computed_key`, its values
    come from the registry of computed indicators (core.extensions), never by hand.
    With `target`, also set its target for `target_year` (see `indicator_target_set`): both
    or neither (one transaction)."""
    require(by, lambda user: permissions.can_manage(user, territory))
    if computed_key:
        try:
            extensions.computed_indicator(computed_key)
        except KeyError:
            raise ValidationError(
                {
                    "computed_key": _("No part of Maillage computes “%(key)s”.")
                    % {"key": computed_key}
                }
            ) from None
    indicator = IndicatorDefinition.objects.filter(territory=territory, code=code).first()
    indicator = indicator or IndicatorDefinition(territory=territory, code=code)
    indicator.name = name
    indicator.unit = unit
    indicator.scope = scope
    indicator.direction = direction
    indicator.computed_key = computed_key
    indicator.source = (
        IndicatorDefinition.Source.COMPUTED if computed_key else IndicatorDefinition.Source.MANUAL
    )
    indicator.programme = programme
    indicator.description = description
    indicator.is_example = is_example
    indicator.source_note = source_note
    _save(indicator)
    if target is not None:
        indicator_target_set(indicator=indicator, value=target, year=target_year, by=by)
    return indicator


@transaction.atomic
def indicator_target_set(
    *,
    indicator: IndicatorDefinition,
    value: float,
    year: int | None = None,
    is_example: bool = False,
    source_note: str = "",
    by: Actor,
) -> IndicatorTarget:
    """Set the target for a period (the year it is due, or no deadline)."""
    require(by, lambda user: permissions.can_manage(user, indicator.territory))
    target = IndicatorTarget.objects.filter(indicator=indicator, year=year).first()
    target = target or IndicatorTarget(indicator=indicator, year=year)
    target.value = value
    target.is_example = is_example
    target.source_note = source_note
    return _save(target)


@transaction.atomic
def indicator_value_record(
    *,
    indicator: IndicatorDefinition,
    date: dt.date,
    value: float,
    note: str = "",
    is_example: bool = False,
    by: Actor,
) -> IndicatorValue:
    """Record the actual value of an indicator entered by hand on `date` (replaces that day's)."""
    require(by, lambda user: permissions.can_manage(user, indicator.territory))
    if indicator.source == IndicatorDefinition.Source.COMPUTED:
        raise ValidationError(
            {"value": _("This indicator is computed by Maillage: its values are not entered.")}
        )
    row = IndicatorValue.objects.filter(indicator=indicator, date=date).first()
    row = row or IndicatorValue(indicator=indicator, date=date)
    row.value = value
    row.note = note
    row.is_example = is_example
    return _save(row)


@transaction.atomic
def indicators_preload_national(*, territory: Territory, by: Actor) -> list[IndicatorDefinition]:
    """Add France Numérique Ensemble's four national targets for 2027. Idempotent."""
    require(by, lambda user: permissions.can_manage(user, territory))
    created = []
    for code, name, unit, target in NATIONAL_TARGETS:
        indicator = indicator_define(
            territory=territory,
            code=code,
            name=name,
            unit=unit,
            scope=IndicatorDefinition.Scope.NATIONAL,
            programme="France Numérique Ensemble",
            source_note=FNE_SOURCE,
            by=by,
        )
        indicator_target_set(
            indicator=indicator, value=target, year=2027, source_note=FNE_SOURCE, by=by
        )
        created.append(indicator)
    return created


# --- Inventory -------------------------------------------------------------------------------


@transaction.atomic
def inventory_entry_submit(
    *,
    territory: Territory,
    organisation: Organisation,
    title: str,
    audience: str,
    category: str,
    carrier: str = "",
    description: str = "",
    area: Area | None = None,
    is_example: bool = False,
    by: Actor,
) -> InventoryEntry:
    """A structure describes one of its actions for the territory's inventory."""
    require(by, lambda user: permissions.can_submit_inventory_for(user, organisation, territory))
    _same_territory(organisation, territory, "organisation")
    if area is not None and area.territory_id != territory.pk:
        raise ValidationError({"area": _("This commune is not in the territory.")})
    return _save(
        InventoryEntry(
            territory=territory,
            organisation=organisation,
            carrier=carrier or carrier_of(organisation),
            title=title,
            description=description,
            audience=audience,
            category=category,
            area=area,
            submitted_by=user_of(by),
            is_example=is_example,
        )
    )


def carrier_of(organisation: Organisation) -> str:
    """The inventory's kind of carrier, from the directory's kind of organisation."""
    return {
        "commune": InventoryEntry.Carrier.COMMUNE,
        "association": InventoryEntry.Carrier.ASSOCIATION,
        "public_body": InventoryEntry.Carrier.PUBLIC_BODY,
        "france_services": InventoryEntry.Carrier.PUBLIC_BODY,
        "library": InventoryEntry.Carrier.COMMUNE,
        "public_digital_space": InventoryEntry.Carrier.PUBLIC_BODY,
        "social_centre": InventoryEntry.Carrier.SOCIAL,
        "shelter": InventoryEntry.Carrier.SOCIAL,
        "company": InventoryEntry.Carrier.PRIVATE,
    }.get(organisation.kind, InventoryEntry.Carrier.OTHER)


@transaction.atomic
def reference_figure_set(
    *,
    territory: Territory,
    key: str,
    label: str,
    value: float,
    unit: str = "",
    source_note: str = "",
    by: Actor,
) -> ReferenceFigure:
    """Keep a figure a published document printed (idempotent on `key`)."""
    require(by, lambda user: permissions.can_manage(user, territory))
    figure = ReferenceFigure.objects.filter(territory=territory, key=key).first()
    figure = figure or ReferenceFigure(territory=territory, key=key)
    figure.label, figure.value, figure.unit, figure.source_note = label, value, unit, source_note
    return _save(figure)
