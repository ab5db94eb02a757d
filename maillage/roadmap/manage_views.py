"""The coordinator's (and, for their actions, the structures') forms that add things: bodies,
members, attendance, plans, objectives, results, actions, partners, funding, risks, indicators
and targets. Each view checks the permission, validates a form and calls one service."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from maillage.core.lookup import territory_for
from maillage.roadmap import editing, forms, permissions, selectors, services
from maillage.roadmap.models import (
    Action,
    ActionPlan,
    Attendance,
    Body,
    IndicatorDefinition,
    StrategicObjective,
)


def _form_page(
    request,
    *,
    territory,
    form,
    title: str,
    back_url: str,
    back_label: str,
    save: Callable[[dict], object],
    done_message: str,
    subtitle: str = "",
):
    """Show `form`; on a valid POST call `save(cleaned_data)` and go back to `back_url`."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, done_message)
            return redirect(back_url)
    return render(
        request,
        "roadmap/form.html",
        {
            "territory": territory,
            "form": form,
            "title": title,
            "back_url": back_url,
            "back_label": back_label,
            "subtitle": subtitle,
        },
    )


def _url(name: str, territory, **kwargs) -> str:
    from django.urls import reverse

    return reverse(name, kwargs={"territory": territory.slug, **kwargs})


@login_required
def body_new(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    return _form_page(
        request,
        territory=territory,
        form=forms.BodyForm(request.POST or None, territory=territory),
        title=_("New body"),
        back_url=_url("roadmap:home", territory),
        back_label=_("Governance and roadmap"),
        save=lambda data: services.body_create(territory=territory, by=request.user, **data),
        done_message=_("Body created."),
    )


@login_required
def body_member_new(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    body = get_object_or_404(Body, pk=pk, territory=territory)
    return _form_page(
        request,
        territory=territory,
        form=forms.BodyMemberForm(request.POST or None, territory=territory),
        title=_("Add a member to %(body)s") % {"body": body.name},
        back_url=_url("roadmap:body", territory, pk=body.pk),
        back_label=body.name,
        save=lambda data: services.body_member_add(body=body, by=request.user, **data),
        done_message=_("Member added."),
    )


@login_required
def attendance_edit(request, territory, pk):
    """One choice per member of the body: present, excused or absent."""
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    meeting = get_object_or_404(
        selectors.meeting_detail_queryset(), pk=pk, body__territory=territory
    )
    members = list(meeting.body.members.all())
    current = {row.member_id: row.status for row in meeting.attendance.all()}
    form = forms.MeetingAttendanceForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        services.attendance_record(meeting=meeting, statuses=form.statuses(), by=request.user)
        messages.success(request, _("Attendance saved."))
        return redirect("roadmap:meeting", territory=territory.slug, pk=meeting.pk)
    return render(
        request,
        "roadmap/attendance_form.html",
        {
            "territory": territory,
            "meeting": meeting,
            "rows": [(m, current.get(m.pk, "")) for m in members],
            "choices": Attendance.Status.choices,
            "errors": form.members_in_error() if form.is_bound else [],
        },
    )


@login_required
def plan_new(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    return _form_page(
        request,
        territory=territory,
        form=forms.ActionPlanForm(request.POST or None),
        title=_("New action plan"),
        back_url=_url("roadmap:home", territory),
        back_label=_("Governance and roadmap"),
        save=lambda data: services.action_plan_create(territory=territory, by=request.user, **data),
        done_message=_("Action plan created."),
    )


@login_required
def objective_new(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    plan = get_object_or_404(ActionPlan, pk=pk, territory=territory)
    return _form_page(
        request,
        territory=territory,
        form=forms.ObjectiveForm(request.POST or None),
        title=_("New strategic objective"),
        back_url=_url("roadmap:plan", territory, pk=plan.pk),
        back_label=plan.title,
        save=lambda data: services.objective_add(plan=plan, by=request.user, **data),
        done_message=_("Strategic objective added."),
    )


@login_required
def result_new(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    objective = get_object_or_404(
        StrategicObjective.objects.select_related("plan"), pk=pk, plan__territory=territory
    )
    return _form_page(
        request,
        territory=territory,
        form=forms.ExpectedResultForm(request.POST or None),
        title=_("New expected result for “%(objective)s”") % {"objective": objective.title},
        back_url=_url("roadmap:plan", territory, pk=objective.plan_id),
        back_label=objective.plan.title,
        save=lambda data: services.expected_result_add(
            objective=objective, by=request.user, **data
        ),
        done_message=_("Expected result added."),
    )


@login_required
def action_new(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    plan = get_object_or_404(ActionPlan, pk=pk, territory=territory)

    def save(data):
        data = dict(data)
        services.action_create(
            plan=plan,
            title=data.pop("title"),
            status=data.pop("status"),
            lead=data.pop("lead"),
            result=data.pop("result"),
            code=data.pop("code"),
            data=data,
            by=request.user,
        )

    return _form_page(
        request,
        territory=territory,
        form=forms.ActionCreateForm(request.POST or None, plan=plan),
        title=_("New action"),
        back_url=_url("roadmap:plan", territory, pk=plan.pk),
        back_label=plan.title,
        save=save,
        done_message=_("Action created."),
    )


def _action_for(request, territory_slug: str, pk: int, *, team: bool = False):
    territory = territory_for(request, territory_slug, allowed=permissions.can_read)
    action = get_object_or_404(selectors.action_queryset(), pk=pk, plan__territory=territory)
    allowed = (
        permissions.can_change_action_team(request.user, action)
        if team
        else permissions.can_edit_action(request.user, action)
    )
    if not allowed:
        raise PermissionDenied
    return territory, action


def _action_form(request, territory, action: Action, form, title, save, done_message):
    return _form_page(
        request,
        territory=territory,
        form=form,
        title=title,
        back_url=_url("roadmap:action", territory, pk=action.pk),
        back_label=action.title,
        save=save,
        done_message=done_message,
    )


@login_required
def partner_new(request, territory, pk):
    territory, action = _action_for(request, territory, pk, team=True)
    return _action_form(
        request,
        territory,
        action,
        forms.PartnerForm(request.POST or None, territory=territory),
        _("Add a partner"),
        lambda data: services.action_partner_add(action=action, by=request.user, **data),
        _("Partner added."),
    )


@login_required
def funding_new(request, territory, pk):
    territory, action = _action_for(request, territory, pk)
    return _action_form(
        request,
        territory,
        action,
        forms.FundingLineForm(request.POST or None),
        _("Add a funding line"),
        lambda data: services.funding_line_add(action=action, by=request.user, **data),
        _("Funding line added."),
    )


@login_required
def risk_new(request, territory, pk):
    territory, action = _action_for(request, territory, pk)
    return _action_form(
        request,
        territory,
        action,
        forms.RiskForm(request.POST or None),
        _("Add a risk"),
        lambda data: services.risk_add(action=action, by=request.user, **data),
        _("Risk added."),
    )


@login_required
def indicator_new(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_manage)

    def save(data):
        services.indicator_define(territory=territory, by=request.user, **data)

    return _form_page(
        request,
        territory=territory,
        form=forms.IndicatorForm(request.POST or None),
        title=_("New indicator"),
        back_url=_url("roadmap:indicators", territory),
        back_label=_("Indicators and targets"),
        save=save,
        done_message=_("Indicator saved."),
    )


@login_required
def target_new(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    indicator = get_object_or_404(IndicatorDefinition, pk=pk, territory=territory)
    return _form_page(
        request,
        territory=territory,
        form=forms.TargetForm(request.POST or None),
        title=_("Set a target for “%(indicator)s”") % {"indicator": indicator.name},
        back_url=_url("roadmap:indicators", territory),
        back_label=_("Indicators and targets"),
        save=lambda data: services.indicator_target_set(
            indicator=indicator, by=request.user, **data
        ),
        done_message=_("Target saved."),
    )


# --- Changing and deleting (one view each, driven by editing.KINDS) ---------------------------


def _record(request, territory_slug: str, kind_key: str, pk: int):
    kind = editing.KINDS[kind_key]
    territory = territory_for(request, territory_slug, allowed=permissions.can_read)
    return territory, kind, kind.get(territory, pk)


@login_required
def object_edit(request, territory, pk, kind):
    """The form that changes a record, with the rule of the form that added it."""
    territory, kind, obj = _record(request, territory, kind, pk)
    if not kind.can_edit(request.user, obj, kind):
        raise PermissionDenied
    page = kind.page(obj)
    return _form_page(
        request,
        territory=territory,
        form=kind.form(request.POST or None, obj, request.user),
        title=str(kind.edit_title),
        subtitle=str(obj),
        back_url=page.url(territory),
        back_label=page.label,
        save=lambda data: editing.roadmap_object_update(obj=obj, data=data, by=request.user),
        done_message=_("Changes saved."),
    )


@login_required
def object_delete(request, territory, pk, kind):
    """GET: what deleting the record also deletes, and a button; POST: delete it."""
    territory, kind, obj = _record(request, territory, kind, pk)
    if not kind.can_delete(request.user, obj, kind):
        raise PermissionDenied
    page, back = kind.page(obj), kind.return_page(obj)
    error = None
    if request.method == "POST":
        try:
            editing.roadmap_object_delete(obj=obj, by=request.user)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, _("“%(record)s” deleted.") % {"record": obj})
            return redirect(back.url(territory))
    return render(
        request,
        "roadmap/delete.html",
        {
            "territory": territory,
            "title": kind.delete_title,
            "record": obj,
            "summary": editing.deletion_summary(obj),
            "error": error,
            "cancel_url": page.url(territory),
            "cancel_label": page.label,
        },
    )
