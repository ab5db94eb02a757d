"""Open-data pages. Views validate input with a form and call one selector or service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from maillage.core import uploads
from maillage.core.forms import follows
from maillage.core.lookup import territory_for
from maillage.interop import duplicates as duplicate_services
from maillage.interop import freshness, permissions, selectors, services
from maillage.interop.forms import AnswerForm, CampaignForm, ConflictForm, DuplicateForm, ImportForm
from maillage.interop.models import (
    DuplicateCandidate,
    FieldConflict,
    FreshnessCampaign,
    FreshnessRequest,
    ImportRun,
)

ISSUES_SHOWN = 500
#: Seconds between two refreshes of a run's page while it is queued or running.
REFRESH_SECONDS = 3


def open_data(request, territory):
    territory = territory_for(request, territory)
    return render(
        request,
        "interop/open_data.html",
        {
            "territory": territory,
            "summary": selectors.open_data_summary(territory),
            "can_import": permissions.can_import(request.user, territory),
        },
    )


def download(request, territory, key):
    territory = territory_for(request, territory)
    try:
        item, content = selectors.download_content(territory, key)
    except KeyError as error:
        raise Http404 from error
    response = HttpResponse(content, content_type=item.media_type)
    response["Content-Disposition"] = f'attachment; filename="{territory.slug}-{item.filename}"'
    return response


@login_required
def imports(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_import)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = services.import_run_create(
                    territory=territory,
                    data=uploads.read_upload(upload),
                    filename=upload.name,
                    file_format=form.cleaned_data["file_format"],
                    source=form.cleaned_data["source"],
                    by=request.user,
                    valid_rows_only=form.cleaned_data["valid_rows_only"],
                    publish=form.cleaned_data["publish"],
                )
            except uploads.UnreadableFile as error:
                form.add_error("file", str(error))
            else:
                return redirect("interop:import_run", territory=territory.slug, pk=run.pk)
    else:
        form = ImportForm()
    return render(
        request,
        "interop/imports.html",
        {
            "territory": territory,
            "form": form,
            "runs": selectors.import_runs(territory)[:50],
            "conflicts": selectors.open_conflicts(territory).count(),
        },
    )


def _run(request, slug: str, pk: int) -> ImportRun:
    territory = territory_for(request, slug, allowed=permissions.can_import)
    return get_object_or_404(ImportRun, pk=pk, territory=territory)


@login_required
def import_run(request, territory, pk):
    run = _run(request, territory, pk)
    return render(
        request,
        "interop/import_run.html",
        {
            "territory": run.territory,
            "run": run,
            "issues": run.issues[:ISSUES_SHOWN],
            "more_issues": max(0, len(run.issues) - ISSUES_SHOWN),
            "notes": run.notes[:ISSUES_SHOWN],
            "more_notes": max(0, len(run.notes) - ISSUES_SHOWN),
            "conflicts": run.field_conflicts.select_related("record__place"),
            "refresh_seconds": REFRESH_SECONDS,
            "follow": follows(request),
        },
    )


@login_required
def import_report(request, territory, pk):
    run = _run(request, territory, pk)
    response = HttpResponse(selectors.run_report_csv(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-report.csv"'
    return response


@login_required
def import_notes(request, territory, pk):
    run = _run(request, territory, pk)
    response = HttpResponse(selectors.run_notes_csv(run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-notes.csv"'
    return response


@login_required
def conflicts(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_import)
    return render(
        request,
        "interop/conflicts.html",
        {"territory": territory, "conflicts": selectors.open_conflicts(territory)[:200]},
    )


@login_required
@require_POST
def conflict_decide(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_import)
    conflict = get_object_or_404(FieldConflict, pk=pk, record__territory=territory)
    form = ConflictForm(request.POST)
    if form.is_valid():
        try:
            services.conflict_decide(
                conflict=conflict,
                take_source=form.cleaned_data["decision"] == "take",
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Decision saved."))
    return redirect("interop:conflicts", territory=territory.slug)


@login_required
def duplicates(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_review_duplicates)
    if request.method == "POST":
        found = duplicate_services.duplicates_detect(territory=territory, by=request.user)
        messages.success(
            request,
            ngettext("%(count)s new pair to review.", "%(count)s new pairs to review.", found)
            % {"count": found},
        )
        return redirect("interop:duplicates", territory=territory.slug)
    return render(
        request,
        "interop/duplicates.html",
        {"territory": territory, "candidates": selectors.duplicate_candidates(territory)[:200]},
    )


@login_required
def duplicate(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_review_duplicates)
    candidate = get_object_or_404(selectors.duplicate_candidates(territory), pk=pk)
    form = DuplicateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        if decision == "reject":
            duplicate_services.duplicate_reject(candidate=candidate, by=request.user)
            messages.success(request, _("Remembered: these are two different places."))
        else:
            keep = candidate.place_a if decision == "keep_a" else candidate.place_b
            duplicate_services.duplicate_merge(candidate=candidate, keep=keep, by=request.user)
            messages.success(request, _("Merged: the other place is archived."))
        return redirect("interop:duplicates", territory=territory.slug)
    return render(
        request,
        "interop/duplicate.html",
        {
            "territory": territory,
            "candidate": candidate,
            "form": form,
            "fields": _side_by_side(candidate),
        },
    )


def _side_by_side(candidate: DuplicateCandidate) -> list[tuple[str, object, object]]:
    a, b = candidate.place_a, candidate.place_b
    rows = [
        (_("Name"), a.name, b.name),
        (_("Organisation"), a.organisation.name, b.organisation.name),
        (_("SIRET"), a.organisation.siret, b.organisation.siret),
        (_("Address"), a.address, b.address),
        (_("Commune"), a.area.name, b.area.name),
        (_("Phone"), a.phone, b.phone),
        (_("E-mail"), a.email, b.email),
        (_("Website"), a.website, b.website),
        (_("Opening hours"), a.opening_hours, b.opening_hours),
        (_("Status"), a.get_status_display(), b.get_status_display()),
        (
            _("Sources"),
            ", ".join(sorted(r.source for r in a.source_records.all())) or "–",
            ", ".join(sorted(r.source for r in b.source_records.all())) or "–",
        ),
    ]
    return rows


@login_required
def campaigns(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_run_campaigns)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = freshness.campaign_send(
            territory=territory,
            by=request.user,
            link_for=lambda token: request.build_absolute_uri(
                reverse("interop:answer", kwargs={"territory": territory.slug, "token": token})
            ),
            **form.cleaned_data,
        )
        messages.success(request, _("Campaign sent."))
        return redirect("interop:campaign", territory=territory.slug, pk=campaign.pk)
    return render(
        request,
        "interop/campaigns.html",
        {"territory": territory, "form": form, "campaigns": selectors.campaigns(territory)},
    )


@login_required
def campaign(request, territory, pk):
    territory = territory_for(request, territory, allowed=permissions.can_run_campaigns)
    item = get_object_or_404(FreshnessCampaign, pk=pk, territory=territory)
    return render(
        request,
        "interop/campaign.html",
        {"territory": territory, "campaign": item, "requests": selectors.campaign_requests(item)},
    )


def _answer_used(request, item: FreshnessRequest) -> HttpResponse:
    """A link answers once: say what was recorded and when (409 to a second click)."""
    return render(
        request,
        "interop/answer_used.html",
        {
            "territory": item.campaign.territory,
            "item": item,
            "places": selectors.request_places(item),
        },
        status=409 if request.method == "POST" else 200,
    )


def answer(request, territory, token):
    """The page a structure reaches from its e-mail. No sign-in: the signed link is the key."""
    try:
        item = freshness.request_from_token(token)
    except freshness.InvalidLink as error:
        return render(
            request,
            "interop/answer_invalid.html",
            {"territory": territory_for(request, territory), "expired": error.expired},
            status=410 if error.expired else 404,
        )
    if item.campaign.territory.slug != territory:
        raise Http404
    if item.answer != FreshnessRequest.Answer.WAITING:
        return _answer_used(request, item)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = freshness.request_answer(
                request=item, answer=form.cleaned_data["answer"], by=freshness.LINK_HOLDER
            )
        except freshness.AlreadyAnswered as used:  # another click won the race
            return _answer_used(request, used.request)
    return render(
        request,
        "interop/answer.html",
        {
            "territory": item.campaign.territory,
            "item": item,
            "form": form,
            "places": selectors.request_places(item),
        },
    )
