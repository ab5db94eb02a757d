"""Changing and deleting what the roadmap's forms added.

One registry, `KINDS`, says for each kind of record: its form, who may change or delete it (the
same rule as who may add it, see permissions.py), the page where it is shown and the page to go
back to once it is deleted. Two services write: `roadmap_object_update` and
`roadmap_object_delete`; `deletion_summary` says what a deletion also deletes, computed by
Django's own deletion collector from the real relations (`on_delete` of every foreign key).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms as django_forms
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from maillage.core.actors import Person, require
from maillage.directory.models import Organisation
from maillage.roadmap import forms, permissions
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
    Risk,
    StrategicObjective,
)
from maillage.territories.models import Area, Territory


@dataclass(frozen=True)
class Page:
    """Where a record is shown: a URL name of the roadmap, its `pk` (or None) and a label."""

    name: str
    pk: int | None
    label: str
    anchor: str = ""

    def url(self, territory: Territory) -> str:
        kwargs = {"territory": territory.slug} | ({"pk": self.pk} if self.pk else {})
        return reverse(f"roadmap:{self.name}", kwargs=kwargs) + self.anchor


def _manage(user, obj, kind: Kind) -> bool:
    return permissions.can_manage(user, kind.territory_of(obj))


@dataclass(frozen=True)
class Kind:
    """How one kind of record is changed and deleted."""

    key: str  # URL names roadmap:<key>_edit and roadmap:<key>_delete
    prefix: str  # URL path: <prefix>/<pk>/edit/
    model: type[models.Model]
    territory_path: str  # lookup from the record to its territory
    form: Callable[..., django_forms.BaseForm]  # (data, obj, user) -> bound form
    page: Callable[[Any], Page]  # where it is shown (and where an edit returns)
    edit_title: str
    delete_title: str
    parent: Callable[[Any], Page] | None = None  # where a deletion returns (default: page)
    can_edit: Callable[..., bool] = _manage  # (user, obj, kind)
    can_delete: Callable[..., bool] = _manage
    fields: Callable[[Any, Any], Iterable[str]] | None = None  # (user, obj); default: form's
    prepare: Callable[[Any, set[str]], None] | None = None  # derive and check before saving

    def territory_of(self, obj) -> Territory:
        for name in self.territory_path.split("__"):
            obj = getattr(obj, name)
        return obj

    def get(self, territory: Territory, pk: int):
        """The record `pk` of `territory`, or Http404."""
        from django.shortcuts import get_object_or_404

        related = self.territory_path.rsplit("__", 1)[0] if "__" in self.territory_path else None
        queryset = self.model.objects.all()
        if related:
            queryset = queryset.select_related(related)
        return get_object_or_404(queryset, pk=pk, **{self.territory_path: territory})

    def return_page(self, obj) -> Page:
        return (self.parent or self.page)(obj)


# --- Pages -----------------------------------------------------------------------------------


def _home(obj) -> Page:
    return Page("home", None, _("Governance and roadmap"))


def _body(body: Body) -> Page:
    return Page("body", body.pk, body.name)


def _meeting(meeting: Meeting) -> Page:
    return Page("meeting", meeting.pk, str(meeting))


def _plan(plan: ActionPlan) -> Page:
    return Page("plan", plan.pk, plan.title)


def _action(action: Action) -> Page:
    return Page("action", action.pk, action.title)


def _indicators(indicator: IndicatorDefinition) -> Page:
    return Page("indicators", None, _("Indicators and targets"), f"#indicator-{indicator.pk}")


# --- Rules that the forms check and the services check again --------------------------------


def _action_fields(user, action: Action) -> Iterable[str]:
    if permissions.can_manage(user, action.plan.territory):
        return forms.ActionCreateForm.Meta.fields
    return forms.ActionForm.Meta.fields


def _action_form(data, action: Action, user):
    if permissions.can_manage(user, action.plan.territory):
        return forms.ActionCreateForm(data, instance=action, plan=action.plan)
    return forms.ActionForm(data, instance=action)


def _check_action(action: Action, changed: set[str]) -> None:
    if action.result_id and action.result.objective.plan_id != action.plan_id:
        raise ValidationError({"result": _("This expected result belongs to another plan.")})


def _check_follow_up(follow_up: FollowUp, changed: set[str]) -> None:
    territory = follow_up.decision.meeting.body.territory
    if follow_up.action_id and follow_up.action.plan.territory_id != territory.pk:
        raise ValidationError({"action": _("This action is not in the territory.")})


def _check_member(member: BodyMember, changed: set[str]) -> None:
    member.name = member.name.strip()
    if member.organisation_id is None and not member.name:
        raise ValidationError({"name": _("Choose an organisation or write who the member is.")})


def _check_activity(activity: Activity, changed: set[str]) -> None:
    if activity.state == Activity.State.DONE and activity.date is None:
        raise ValidationError({"date": _("Give the date of an activity that is done.")})


def _check_indicator(indicator: IndicatorDefinition, changed: set[str]) -> None:
    indicator.source = (
        IndicatorDefinition.Source.COMPUTED
        if indicator.computed_key
        else IndicatorDefinition.Source.MANUAL
    )


def _check_inventory(entry: InventoryEntry, changed: set[str]) -> None:
    from maillage.roadmap.services import carrier_of

    if "organisation" in changed:
        entry.carrier = carrier_of(entry.organisation)


def _can_change_inventory(user, entry: InventoryEntry, kind: Kind) -> bool:
    return permissions.can_change_inventory_entry(user, entry)


def _inventory_form(data, entry: InventoryEntry, user):
    return forms.InventoryEntryForm(
        data,
        instance=entry,
        territory=entry.territory,
        organisation_ids=permissions.inventory_organisation_ids(user, entry.territory),
    )


def _edit_action(user, obj, kind: Kind) -> bool:
    return permissions.can_edit_action(user, obj)


def _edit_part(user, obj, kind: Kind) -> bool:
    return permissions.can_edit_action(user, obj.action)


def _change_team(user, obj, kind: Kind) -> bool:
    return permissions.can_change_action_team(user, obj.action)


def _plain(form_class):
    return lambda data, obj, user: form_class(data, instance=obj)


def _in_territory(form_class, path: str):
    def build(data, obj, user):
        territory = obj
        for name in path.split("__"):
            territory = getattr(territory, name)
        return form_class(data, instance=obj, territory=territory)

    return build


_KINDS = [
    Kind(
        "body",
        "bodies",
        Body,
        "territory",
        _in_territory(forms.BodyForm, "territory"),
        _body,
        gettext_lazy("Edit the body"),
        gettext_lazy("Delete this body?"),
        parent=_home,
    ),
    Kind(
        "member",
        "members",
        BodyMember,
        "body__territory",
        _in_territory(forms.BodyMemberForm, "body__territory"),
        lambda m: _body(m.body),
        gettext_lazy("Edit the member"),
        gettext_lazy("Remove this member?"),
        prepare=_check_member,
    ),
    Kind(
        "meeting",
        "meetings",
        Meeting,
        "body__territory",
        _plain(forms.MeetingForm),
        _meeting,
        gettext_lazy("Edit the meeting"),
        gettext_lazy("Delete this meeting?"),
        parent=lambda m: _body(m.body),
    ),
    Kind(
        "attendance",
        "attendance",
        Attendance,
        "meeting__body__territory",
        _plain(forms.AttendanceForm),
        lambda a: _meeting(a.meeting),
        gettext_lazy("Edit the attendance"),
        gettext_lazy("Delete this attendance record?"),
    ),
    Kind(
        "decision",
        "decisions",
        Decision,
        "meeting__body__territory",
        _plain(forms.DecisionTextForm),
        lambda d: _meeting(d.meeting),
        gettext_lazy("Edit the decision"),
        gettext_lazy("Delete this decision?"),
    ),
    Kind(
        "follow_up",
        "follow-ups",
        FollowUp,
        "decision__meeting__body__territory",
        _in_territory(forms.FollowUpForm, "decision__meeting__body__territory"),
        lambda f: _meeting(f.decision.meeting),
        gettext_lazy("Edit the follow-up action"),
        gettext_lazy("Delete this follow-up action?"),
        prepare=_check_follow_up,
    ),
    Kind(
        "plan",
        "plans",
        ActionPlan,
        "territory",
        _plain(forms.ActionPlanForm),
        _plan,
        gettext_lazy("Edit the action plan"),
        gettext_lazy("Delete this action plan?"),
        parent=_home,
    ),
    Kind(
        "objective",
        "objectives",
        StrategicObjective,
        "plan__territory",
        _plain(forms.ObjectiveForm),
        lambda o: _plan(o.plan),
        gettext_lazy("Edit the strategic objective"),
        gettext_lazy("Delete this strategic objective?"),
    ),
    Kind(
        "result",
        "results",
        ExpectedResult,
        "objective__plan__territory",
        _plain(forms.ExpectedResultForm),
        lambda r: _plan(r.objective.plan),
        gettext_lazy("Edit the expected result"),
        gettext_lazy("Delete this expected result?"),
    ),
    Kind(
        "action",
        "actions",
        Action,
        "plan__territory",
        _action_form,
        _action,
        gettext_lazy("Edit the action"),
        gettext_lazy("Delete this action?"),
        parent=lambda a: _plan(a.plan),
        can_edit=_edit_action,
        fields=_action_fields,
        prepare=_check_action,
    ),
    Kind(
        "partner",
        "partners",
        ActionPartner,
        "action__plan__territory",
        _in_territory(forms.PartnerForm, "action__plan__territory"),
        lambda p: _action(p.action),
        gettext_lazy("Edit the partner"),
        gettext_lazy("Remove this partner?"),
        can_edit=_change_team,
        can_delete=_change_team,
    ),
    Kind(
        "funding",
        "funding",
        FundingLine,
        "action__plan__territory",
        _plain(forms.FundingLineForm),
        lambda f: _action(f.action),
        gettext_lazy("Edit the funding line"),
        gettext_lazy("Delete this funding line?"),
        can_edit=_edit_part,
        can_delete=_edit_part,
    ),
    Kind(
        "risk",
        "risks",
        Risk,
        "action__plan__territory",
        _plain(forms.RiskForm),
        lambda r: _action(r.action),
        gettext_lazy("Edit the risk"),
        gettext_lazy("Delete this risk?"),
        can_edit=_edit_part,
        can_delete=_edit_part,
    ),
    Kind(
        "activity",
        "activities",
        Activity,
        "action__plan__territory",
        _plain(forms.ActivityForm),
        lambda a: _action(a.action),
        gettext_lazy("Edit the activity"),
        gettext_lazy("Delete this activity?"),
        can_edit=_edit_part,
        can_delete=_edit_part,
        prepare=_check_activity,
    ),
    Kind(
        "indicator",
        "indicators",
        IndicatorDefinition,
        "territory",
        _plain(forms.IndicatorEditForm),
        _indicators,
        gettext_lazy("Edit the indicator"),
        gettext_lazy("Delete this indicator?"),
        prepare=_check_indicator,
    ),
    Kind(
        "target",
        "targets",
        IndicatorTarget,
        "indicator__territory",
        _plain(forms.TargetForm),
        lambda t: _indicators(t.indicator),
        gettext_lazy("Edit the target"),
        gettext_lazy("Delete this target?"),
    ),
    Kind(
        "value",
        "values",
        IndicatorValue,
        "indicator__territory",
        _plain(forms.IndicatorValueForm),
        lambda v: _indicators(v.indicator),
        gettext_lazy("Edit the value"),
        gettext_lazy("Delete this value?"),
    ),
    Kind(
        "inventory",
        "inventory",
        InventoryEntry,
        "territory",
        _inventory_form,
        lambda e: Page("inventory", None, _("Inventory of the actors' actions")),
        gettext_lazy("Edit the inventory entry"),
        gettext_lazy("Delete this inventory entry?"),
        can_edit=_can_change_inventory,
        can_delete=_can_change_inventory,
        prepare=_check_inventory,
    ),
]
KINDS: dict[str, Kind] = {kind.key: kind for kind in _KINDS}
_BY_MODEL: dict[type[models.Model], Kind] = {kind.model: kind for kind in _KINDS}

# "3 actions": how a deletion summary counts each kind of record.
COUNTS = {
    Body: ngettext_lazy("%(count)d body", "%(count)d bodies", "count"),
    BodyMember: ngettext_lazy("%(count)d member", "%(count)d members", "count"),
    Meeting: ngettext_lazy("%(count)d meeting", "%(count)d meetings", "count"),
    Attendance: ngettext_lazy(
        "%(count)d attendance record", "%(count)d attendance records", "count"
    ),
    Decision: ngettext_lazy("%(count)d decision", "%(count)d decisions", "count"),
    FollowUp: ngettext_lazy("%(count)d follow-up action", "%(count)d follow-up actions", "count"),
    ActionPlan: ngettext_lazy("%(count)d action plan", "%(count)d action plans", "count"),
    StrategicObjective: ngettext_lazy(
        "%(count)d strategic objective", "%(count)d strategic objectives", "count"
    ),
    ExpectedResult: ngettext_lazy(
        "%(count)d expected result", "%(count)d expected results", "count"
    ),
    Action: ngettext_lazy("%(count)d action", "%(count)d actions", "count"),
    ActionPartner: ngettext_lazy("%(count)d partner", "%(count)d partners", "count"),
    FundingLine: ngettext_lazy("%(count)d funding line", "%(count)d funding lines", "count"),
    Risk: ngettext_lazy("%(count)d risk", "%(count)d risks", "count"),
    Activity: ngettext_lazy("%(count)d activity", "%(count)d activities", "count"),
    IndicatorDefinition: ngettext_lazy("%(count)d indicator", "%(count)d indicators", "count"),
    IndicatorTarget: ngettext_lazy("%(count)d target", "%(count)d targets", "count"),
    IndicatorValue: ngettext_lazy("%(count)d value", "%(count)d values", "count"),
    InventoryEntry: ngettext_lazy(
        "%(count)d inventory entry", "%(count)d inventory entries", "count"
    ),
}


def kind_of(obj: models.Model) -> Kind:
    return _BY_MODEL[type(obj)]


# --- What a deletion does --------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    model: type[models.Model]
    count: int

    @property
    def label(self) -> str:
        if self.model in COUNTS:
            return COUNTS[self.model] % {"count": self.count}
        # A record of another app (never the case today): its own name, counted.
        name = self.model._meta.verbose_name_plural
        return _("%(count)d × %(name)s") % {"count": self.count, "name": name}


@dataclass(frozen=True)
class DeletionSummary:
    """What deleting one record does: what it also deletes, what stays but loses its link to
    it (`on_delete=SET_NULL`), and what forbids it (`PROTECT`, `RESTRICT`)."""

    deletes: list[Count] = field(default_factory=list)
    detaches: list[Count] = field(default_factory=list)
    protected_by: list[Count] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.protected_by


class _CountingCollector(Collector):
    # Collect every row instead of deleting some in bulk, so that each one is counted.
    def can_fast_delete(self, *args, **kwargs) -> bool:
        return False


def _order(counter: Counter) -> list[Count]:
    known = list(COUNTS)
    return [
        Count(model, n)
        for model, n in sorted(
            counter.items(),
            key=lambda item: known.index(item[0]) if item[0] in known else len(known),
        )
        if n
    ]


def _size(objs) -> int:
    return objs.count() if hasattr(objs, "count") and not isinstance(objs, list) else len(objs)


def deletion_summary(obj: models.Model) -> DeletionSummary:
    """What `obj.delete()` would also delete, detach or be refused by. Reads only."""
    collector = _CountingCollector(using=router.db_for_write(type(obj)), origin=obj)
    try:
        collector.collect([obj])
    except ProtectedError as error:
        return DeletionSummary(
            protected_by=_order(Counter(type(o) for o in error.protected_objects))
        )
    except RestrictedError as error:
        return DeletionSummary(
            protected_by=_order(Counter(type(o) for o in error.restricted_objects))
        )
    deletes = Counter()
    for model, instances in collector.data.items():
        if not model._meta.auto_created:  # links of a many-to-many field are not records
            deletes[model] += len(instances)
    deletes[type(obj)] -= 1  # the record itself
    detaches = Counter()
    for (field_, _value), batches in collector.field_updates.items():
        detaches[field_.model] += sum(_size(objs) for objs in batches)
    return DeletionSummary(deletes=_order(deletes), detaches=_order(detaches))


# --- Services --------------------------------------------------------------------------------


def _territory_refs(obj: models.Model, territory: Territory, changed: set[str]) -> None:
    """An organisation or a commune chosen for a record is one of its territory's."""
    for name in changed:
        value = getattr(obj, name, None)
        if isinstance(value, Organisation | Area) and value.territory_id != territory.pk:
            raise ValidationError({name: _("This choice is not in the territory.")})


@transaction.atomic
def roadmap_object_update(
    *, obj: models.Model, data: Mapping[str, Any], by: Person
) -> models.Model:
    """Change a record of the roadmap with a form's `data`, as `by` may.

    Only the fields of the kind's form (for an action's lead or partner: the action's own part)
    are taken from `data`; the rest is ignored. Raises PermissionDenied or ValidationError;
    nothing is written then.
    """
    kind = kind_of(obj)
    obj = kind.model.objects.select_for_update().get(pk=obj.pk)
    require(by, lambda user: kind.can_edit(user, obj, kind), people_only=True)
    names = kind.fields(by, obj) if kind.fields else kind.form(None, obj, by).fields
    changed = set()
    for name in names:
        if name in data and getattr(obj, name) != data[name]:
            setattr(obj, name, data[name])
            changed.add(name)
    _territory_refs(obj, kind.territory_of(obj), changed)
    if kind.prepare:
        kind.prepare(obj, changed)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def roadmap_object_delete(*, obj: models.Model, by: Person) -> DeletionSummary:
    """Delete a record of the roadmap and what depends on it (see `deletion_summary`).

    Raises PermissionDenied, or ValidationError when other records protect it.
    """
    kind = kind_of(obj)
    obj = kind.model.objects.select_for_update().get(pk=obj.pk)
    require(by, lambda user: kind.can_delete(user, obj, kind), people_only=True)
    summary = deletion_summary(obj)
    if not summary.allowed:
        raise ValidationError(
            _("Other records still refer to it: %(records)s. Change or delete them first.")
            % {"records": ", ".join(c.label for c in summary.protected_by)}
        )
    obj.delete()
    return summary
