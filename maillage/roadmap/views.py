"""Roadmap pages. Every page needs a role in the territory (see permissions.py); views check it,
validate input with a form and call one selector or service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.core.lookup import territory_for
from maillage.roadmap import exports, permissions, presenters, selectors, services
from maillage.roadmap.forms import (
    ActivityForm,
    CalendarYearForm,
    DecisionForm,
    IndicatorValueForm,
    InventoryEntryForm,
    MeetingForm,
)
from maillage.roadmap.models import ActionPlan, Body, IndicatorDefinition, InventoryEntry
from maillage.territories.models import Territory


def _apply_errors(form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


def _today():
    return timezone.localdate()


@login_required
def home(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_read)
    return render(
        request,
        "roadmap/home.html",
        {
            "territory": territory,
            "bodies": selectors.bodies_of(territory),
            "plans": selectors.plans_of(territory),
            "year": _today().year,
            "can_manage": permissions.can_manage(request.user, territory),
            "csv_kinds": [(kind, exports.CSV_LABELS[kind]) for kind in exports.CSV_EXPORTS],
        },
    )


@login_required
def body_detail(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_read)
    body = get_object_or_404(selectors.bodies_of(territory), pk=pk)
    return render(
        request,
        "roadmap/body.html",
        {
            "territory": territory,
            "body": body,
            "invitees": selectors.body_invitees(body),
            "can_manage": permissions.can_manage(request.user, territory),
        },
    )


@login_required
def meeting_new(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    body = get_object_or_404(Body, pk=pk, territory=territory)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(body=body, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("roadmap:meeting", territory=territory.slug, pk=meeting.pk)
    return render(
        request, "roadmap/meeting_form.html", {"territory": territory, "body": body, "form": form}
    )


@login_required
def meeting_detail(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_read)
    meeting = get_object_or_404(
        selectors.meeting_detail_queryset(), pk=pk, body__territory=territory
    )
    return render(
        request,
        "roadmap/meeting.html",
        {
            "territory": territory,
            "meeting": meeting,
            "invitees": [m for m in meeting.body.members.all() if m.must_be_invited],
            "can_manage": permissions.can_manage(request.user, territory),
        },
    )


@login_required
def decision_new(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    meeting = get_object_or_404(
        selectors.meeting_detail_queryset(), pk=pk, body__territory=territory
    )
    form = DecisionForm(request.POST or None, territory=territory)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.decision_add(
            meeting=meeting,
            text=data["text"],
            follow_up=data["follow_up"],
            follow_up_due_date=data["due_date"],
            follow_up_action=data["action"],
            by=request.user,
        )
        messages.success(request, _("Decision saved."))
        return redirect("roadmap:meeting", territory=territory.slug, pk=meeting.pk)
    return render(
        request,
        "roadmap/decision_form.html",
        {"territory": territory, "meeting": meeting, "form": form},
    )


@login_required
def calendar(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_read)
    today = _today()
    form = CalendarYearForm(request.GET)
    if not form.is_valid():  # the page's links give years 2000 to 2100 only
        raise BadRequest(form.errors.as_text())
    year = form.cleaned_data["year"] or today.year
    meetings, per_body = selectors.calendar(territory, year=year, today=today)
    return render(
        request,
        "roadmap/calendar.html",
        {
            "territory": territory,
            "year": year,
            "meetings": meetings,
            "per_body": per_body,
            "previous": year - 1,
            "next": year + 1,
        },
    )


@login_required
def calendar_ical(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_read)
    meetings = selectors.meeting_detail_queryset().filter(body__territory=territory)
    text = exports.meetings_ical(meetings, host=request.get_host(), example_label=_("example data"))
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{territory.slug}-meetings.ics"'
    return response


@login_required
def plan_detail(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_read)
    plan = get_object_or_404(ActionPlan, pk=pk, territory=territory)
    plan = selectors.plan_tree(plan)
    actions = list(plan.actions.all())
    counts = selectors.status_counts(actions)
    title = _("Actions by status")
    return render(
        request,
        "roadmap/plan.html",
        {
            "territory": territory,
            "plan": plan,
            "unattached": [a for a in actions if a.result_id is None],
            "status_rows": presenters.status_rows(counts),
            "can_manage": permissions.can_manage(request.user, territory),
            "status_chart": presenters.status_chart(counts, title=title),
            "status_title": title,
        },
    )


@login_required
def plan_urbact(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_read)
    plan = get_object_or_404(ActionPlan, pk=pk, territory=territory)
    data = exports.urbact_plan(plan, governance=selectors.bodies_of(territory))
    return render(
        request,
        "roadmap/urbact.html",
        {"territory": territory, "plan": plan, "iap": data},
    )


@login_required
def plan_urbact_json(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_read)
    plan = get_object_or_404(ActionPlan, pk=pk, territory=territory)
    data = exports.urbact_plan(plan, governance=selectors.bodies_of(territory))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="action-plan-{plan.pk}-urbact.json"'
    return response


def _action(request, territory: Territory, pk: int):
    action = get_object_or_404(selectors.action_queryset(), pk=pk, plan__territory=territory)
    return action


@login_required
def action_detail(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_read)
    action = _action(request, territory, pk)
    activities = [
        {"activity": a, "participants": selectors.people_count(a.participants)}
        for a in action.activities.all()
    ]
    return render(
        request,
        "roadmap/action.html",
        {
            "territory": territory,
            "action": action,
            "activities": activities,
            "can_edit": permissions.can_edit_action(request.user, action),
            "can_change_team": permissions.can_change_action_team(request.user, action),
            "can_manage": permissions.can_manage(request.user, territory),
            "small_cell": selectors.SMALL_CELL,
        },
    )


@login_required
def activity_new(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_read)
    action = _action(request, territory, pk)
    if not permissions.can_edit_action(request.user, action):
        raise PermissionDenied
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_add(action=action, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Activity added to the log."))
            return redirect("roadmap:action", territory=territory.slug, pk=action.pk)
    return render(
        request,
        "roadmap/activity_form.html",
        {"territory": territory, "action": action, "form": form},
    )


@login_required
def indicator_list(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_read)
    items = [
        {"progress": p, "chart": presenters.indicator_chart(p)}
        for p in selectors.indicators_progress(territory, on=_today())
    ]
    return render(
        request,
        "roadmap/indicators.html",
        {
            "territory": territory,
            "items": items,
            "can_manage": permissions.can_manage(request.user, territory),
        },
    )


@login_required
def indicator_value_new(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_manage)
    indicator = get_object_or_404(IndicatorDefinition, pk=pk, territory=territory)
    if indicator.source == IndicatorDefinition.Source.COMPUTED:
        raise Http404
    form = IndicatorValueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.indicator_value_record(indicator=indicator, by=request.user, **form.cleaned_data)
        messages.success(request, _("Value saved."))
        return redirect("roadmap:indicators", territory=territory.slug)
    return render(
        request,
        "roadmap/indicator_value_form.html",
        {"territory": territory, "indicator": indicator, "form": form},
    )


@login_required
def inventory(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_read)
    stats = selectors.inventory_stats(territory)
    allowed = permissions.inventory_organisation_ids(request.user, territory)
    carrier_title = _("Actions by kind of carrier")
    return render(
        request,
        "roadmap/inventory.html",
        {
            "territory": territory,
            "stats": stats,
            "entries": [
                (entry, allowed is None or entry.organisation_id in allowed)
                for entry in InventoryEntry.objects.filter(territory=territory).select_related(
                    "organisation", "area"
                )
            ],
            "carrier_chart": presenters.shares_chart(stats.by_carrier, title=carrier_title),
            "carrier_title": carrier_title,
            "can_submit": permissions.can_submit_inventory(request.user, territory),
        },
    )


@login_required
def inventory_new(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_read)
    if not permissions.can_submit_inventory(request.user, territory):
        raise PermissionDenied
    form = InventoryEntryForm(
        request.POST or None,
        territory=territory,
        organisation_ids=permissions.inventory_organisation_ids(request.user, territory),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.inventory_entry_submit(
                territory=territory, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Thank you: the action is in the inventory."))
            return redirect("roadmap:inventory", territory=territory.slug)
    return render(request, "roadmap/inventory_form.html", {"territory": territory, "form": form})


def _report_context(territory: Territory, year: int) -> dict:
    data = selectors.annual_report(territory, year=year, today=_today())
    status_title = _("Actions by status")
    progress_title = _("Share of each target reached")
    carrier_title = _("Actions by kind of carrier")
    return {
        "carrier_chart": presenters.shares_chart(data.inventory.by_carrier, title=carrier_title),
        "territory": territory,
        "report": data,
        "indicators": [
            {"progress": p, "chart": presenters.indicator_chart(p)} for p in data.indicators
        ],
        "activities": [
            {"activity": a, "participants": selectors.people_count(a.participants)}
            for a in data.activities
        ],
        "status_title": status_title,
        "status_chart": presenters.status_chart(data.status_counts, title=status_title),
        "status_rows": presenters.status_rows(data.status_counts),
        "progress_title": progress_title,
        "progress_chart": presenters.progress_chart(data.indicators, title=progress_title),
        "small_cell": selectors.SMALL_CELL,
    }


def _report_year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Http404
    return year


@login_required
def report(request, territory, year):
    territory = territory_for(request, territory, allowed=permissions.can_read)
    context = _report_context(territory, _report_year(year))
    return render(request, "roadmap/report.html", context)


@login_required
def report_pdf(request, territory, year):
    from maillage.roadmap.pdf import html_to_pdf

    territory = territory_for(request, territory, allowed=permissions.can_read)
    context = _report_context(territory, _report_year(year))
    html = render_to_string("roadmap/report_print.html", context, request=request)
    pdf = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="annual-report-{year}.pdf"'
    return response


@login_required
def export_csv(request, territory, kind):
    territory = territory_for(request, territory, allowed=permissions.can_read)
    if kind not in exports.CSV_EXPORTS:
        raise Http404
    text = exports.csv_text(kind, territory=territory, today=_today())
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{territory.slug}-{kind}.csv"'
    return response
