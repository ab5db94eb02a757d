"""Directory pages. Views validate input with a form and call one selector or service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.core.lookup import territory_for
from maillage.directory import opening_hours, permissions, selectors, services
from maillage.directory import vocabularies as voc
from maillage.directory.forms import (
    MemberForm,
    OrganisationForm,
    PlaceForm,
    PlaceSearchForm,
    PlaceServiceFormSet,
    PlaceStatusForm,
    ReturnForm,
    service_initial,
)
from maillage.directory.models import Organisation, Place
from maillage.directory.page_cache import public_page
from maillage.directory.presenters import map_points, place_card
from maillage.territories.permissions import is_coordinator, roles_in


@public_page(clock=False)
def territory_home(request, territory):
    territory = territory_for(request, territory)
    form = PlaceSearchForm(territory=territory)
    return render(
        request,
        "directory/home.html",
        {
            "territory": territory,
            "form": form,
            "categories": voc.SERVICE_CATEGORIES,
            "communes": territory.areas.order_by("name").values("name"),
            "place_count": Place.objects.filter(
                territory=territory, status=Place.Status.PUBLISHED
            ).count(),
        },
    )


@public_page(clock=True)
def place_search(request, territory):
    territory = territory_for(request, territory)
    form = PlaceSearchForm(request.GET or None, territory=territory)
    result = None
    if form.is_bound and form.is_valid():
        result = selectors.place_search(
            territory=territory,
            criteria=form.criteria(),
            page=form.cleaned_data.get("page") or 1,
            now=form.cleaned_data.get("at"),
        )
    elif not form.is_bound:
        form = PlaceSearchForm({}, territory=territory)
        form.is_valid()
        result = selectors.place_search(territory=territory, criteria=form.criteria())
    query = request.GET.copy()
    query.pop("page", None)
    first_rank = (result.page - 1) * result.page_size + 1 if result else 1
    return render(
        request,
        "directory/search.html",
        {
            "territory": territory,
            "form": form,
            "result": result,
            "cards": [place_card(hit.place, distance_km=hit.distance_km) for hit in result.hits]
            if result
            else [],
            "map_points": map_points(result, first_rank=first_rank) if result else [],
            "first_rank": first_rank,
            "query_string": query.urlencode(),
            "communes": territory.areas.order_by("name").values("name"),
        },
    )


def _visible_place(request, territory_slug: str, pk: int) -> Place:
    place = get_object_or_404(
        selectors.place_detail_queryset(), pk=pk, territory__slug=territory_slug
    )
    if not permissions.can_view_place(request.user, place):
        raise Http404
    return place


def _place_context(request, place: Place) -> dict:
    now = timezone.localtime().replace(tzinfo=None)
    return {
        "territory": place.territory,
        "place": place,
        "card": place_card(place),
        "week": opening_hours.week_in_words(
            place.opening_hours, today=now.date(), country=place.territory.country
        ),
        "status_now": opening_hours.status_in_words(
            place.opening_hours, now=now, country=place.territory.country
        ),
        "stars": voc.STARS,
        "can_edit": permissions.can_edit_place(request.user, place),
    }


@public_page(clock=True)
def place_detail(request, territory, pk):
    place = _visible_place(request, territory, pk)
    return render(request, "directory/place.html", _place_context(request, place))


@public_page(clock=True)
def place_print(request, territory, pk):
    place = _visible_place(request, territory, pk)
    return render(request, "directory/place_print.html", _place_context(request, place))


@login_required
def manage(request, territory):
    territory = territory_for(request, territory)
    roles = roles_in(request.user, territory)
    if not roles:
        raise PermissionDenied
    organisations = permissions.editable_organisations(request.user, territory).prefetch_related(
        "places__area"
    )
    context = {
        "territory": territory,
        "roles": roles,
        "organisations": organisations,
        "is_coordinator": is_coordinator(request.user, territory),
    }
    if context["is_coordinator"]:
        context["to_review"] = selectors.places_to_review(territory=territory)
        context["to_confirm"] = selectors.places_to_confirm(territory=territory)[:200]
    return render(request, "directory/manage.html", context)


def _editable_place(request, territory_slug: str, pk: int) -> Place:
    place = get_object_or_404(
        Place.objects.select_related("territory", "organisation", "area"),
        pk=pk,
        territory__slug=territory_slug,
    )
    if not permissions.can_edit_place(request.user, place):
        raise PermissionDenied
    return place


def _offers(formset) -> list[services.ServiceOffer]:
    return [
        services.ServiceOffer(
            f.cleaned_data["service"], f.cleaned_data["stars"], f.cleaned_data.get("note", "")
        )
        for f in formset.forms
        if f.cleaned_data.get("offered")
    ]


def _apply_service_errors(form, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        target = field if field in form.fields else None
        for problem in problems:
            form.add_error(target, problem)


@login_required
def place_edit(request, territory, pk):
    place = _editable_place(request, territory, pk)
    conflict = None
    if request.method == "POST":
        form = PlaceForm(
            request.POST, instance=Place.objects.get(pk=place.pk), territory=place.territory
        )
        formset = PlaceServiceFormSet(request.POST, prefix="services")
        if form.is_valid() and formset.is_valid():
            try:
                saved, warnings = services.place_update(
                    place_id=place.pk,
                    data=form.cleaned_data,
                    services=_offers(formset),
                    expected_version=form.cleaned_data["version"],
                    by=request.user,
                )
            except services.PlaceEditConflict as error:
                conflict = error
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                for warning in warnings:
                    messages.warning(request, warning)
                messages.success(request, _("Saved. Thank you for keeping this place up to date."))
                return redirect("directory:place", territory=territory, pk=saved.pk)
    else:
        form = PlaceForm(
            instance=place, territory=place.territory, initial={"version": place.version}
        )
        formset = PlaceServiceFormSet(
            initial=service_initial(place.services_snapshot), prefix="services"
        )
    return render(
        request,
        "directory/place_form.html",
        {
            "territory": place.territory,
            "place": place,
            "form": form,
            "formset": formset,
            "conflict": conflict,
            "service_terms": voc.SERVICE_BY_KEY,
        },
    )


@login_required
def place_new(request, territory, organisation_id):
    territory_obj = territory_for(request, territory)
    organisation = get_object_or_404(Organisation, pk=organisation_id, territory=territory_obj)
    if not permissions.can_edit_organisation(request.user, organisation):
        raise PermissionDenied
    if request.method == "POST":
        form = PlaceForm(request.POST, territory=territory_obj)
        formset = PlaceServiceFormSet(request.POST, prefix="services")
        if form.is_valid() and formset.is_valid():
            try:
                place, warnings = services.place_create(
                    organisation=organisation,
                    data=form.cleaned_data,
                    services=_offers(formset),
                    by=request.user,
                )
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                for warning in warnings:
                    messages.warning(request, warning)
                messages.success(
                    request, _("Saved as a draft. A coordinator will review and publish it.")
                )
                return redirect("directory:place", territory=territory, pk=place.pk)
    else:
        form = PlaceForm(territory=territory_obj, initial={"version": 1})
        formset = PlaceServiceFormSet(initial=service_initial([]), prefix="services")
    return render(
        request,
        "directory/place_form.html",
        {
            "territory": territory_obj,
            "place": None,
            "organisation": organisation,
            "form": form,
            "formset": formset,
            "service_terms": voc.SERVICE_BY_KEY,
        },
    )


@login_required
@require_POST
def place_confirm(request, territory, pk):
    place = _editable_place(request, territory, pk)
    form = ReturnForm(request.POST)
    services.place_confirm(place=place, by=request.user)
    messages.success(request, _("Thank you: the place is confirmed as correct today."))
    return redirect(
        form.target(request) or reverse("directory:manage", kwargs={"territory": territory})
    )


@login_required
@require_POST
def place_status(request, territory, pk):
    place = get_object_or_404(Place, pk=pk, territory__slug=territory)
    form = PlaceStatusForm(request.POST)
    if not form.is_valid():  # the buttons send known statuses: this request was made by hand
        raise BadRequest(form.errors.as_text())
    status = form.cleaned_data["status"]
    services.place_set_status(place=place, status=status, by=request.user)
    messages.success(
        request, _("Status changed to “%(status)s”.") % {"status": Place.Status(status).label}
    )
    return redirect(
        form.target(request)
        or reverse("directory:place", kwargs={"territory": territory, "pk": pk})
    )


@login_required
def place_history(request, territory, pk):
    place = get_object_or_404(Place, pk=pk, territory__slug=territory)
    if not (
        permissions.can_edit_place(request.user, place) or roles_in(request.user, place.territory)
    ):
        raise PermissionDenied
    records = list(place.history.select_related("history_user").order_by("-history_date")[:100])
    labels = {f.name: f.verbose_name for f in Place._meta.fields}
    hidden = {"version", "updated_at", "confirmed_at", "confirmed_by", "services_snapshot"}
    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changes = (
            []
            if older is None
            else [
                {"field": labels.get(c.field, c.field), "old": c.old, "new": c.new}
                for c in newer.diff_against(older).changes
                if c.field not in hidden
            ]
        )
        if older is not None and newer.services_snapshot != older.services_snapshot:
            changes.append(
                {
                    "field": _("services"),
                    "old": _services_text(older.services_snapshot),
                    "new": _services_text(newer.services_snapshot),
                }
            )
        entries.append({"record": newer, "changes": changes})
    return render(
        request,
        "directory/place_history.html",
        {
            "territory": place.territory,
            "place": place,
            "entries": entries,
            "can_revert": permissions.can_publish(request.user, place.territory),
        },
    )


def _services_text(snapshot: list[dict]) -> str:
    return ", ".join(f"{voc.label(voc.SERVICES, s['service'])} ({s['stars']}★)" for s in snapshot)


@login_required
@require_POST
def place_revert(request, territory, pk, history_id):
    place = get_object_or_404(Place, pk=pk, territory__slug=territory)
    try:
        services.place_revert(place=place, history_id=history_id, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The place is back to the chosen version."))
    return redirect("directory:place_history", territory=territory, pk=pk)


@login_required
def organisation_list(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_publish)
    organisations = (
        Organisation.objects.filter(territory=territory)
        .prefetch_related("members__user", "places")
        .order_by("name")
    )
    return render(
        request,
        "directory/organisations.html",
        {"territory": territory, "organisations": organisations},
    )


@login_required
def organisation_new(request, territory):
    territory = territory_for(request, territory, allowed=permissions.can_publish)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(
                territory=territory, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Organisation created."))
            return redirect(
                "directory:organisation_edit", territory=territory.slug, pk=organisation.pk
            )
    return render(
        request,
        "directory/organisation_form.html",
        {"territory": territory, "form": form, "organisation": None},
    )


@login_required
def organisation_edit(request, territory, pk):
    territory_obj = territory_for(request, territory)
    organisation = get_object_or_404(Organisation, pk=pk, territory=territory_obj)
    if not permissions.can_edit_organisation(request.user, organisation):
        raise PermissionDenied
    is_coordinator_ = permissions.can_publish(request.user, territory_obj)
    form = OrganisationForm(instance=Organisation.objects.get(pk=pk))
    member_form = MemberForm()
    if request.method == "POST" and request.POST.get("action") == "add_member":
        if not is_coordinator_:
            raise PermissionDenied
        member_form = MemberForm(request.POST)
        if member_form.is_valid():

            def link_for(token: str) -> str:
                return request.build_absolute_uri(reverse("invitation", kwargs={"token": token}))

            try:
                link = services.organisation_member_invite(
                    organisation=organisation,
                    email=member_form.cleaned_data["email"],
                    by=request.user,
                    link_for=link_for,
                )
            except ValidationError as error:
                _apply_service_errors(member_form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Invitation sent to %(email)s: they keep this organisation's places "
                        "once they accept."
                    )
                    % {"email": link.invitation.email},
                )
                return redirect("directory:organisation_edit", territory=territory, pk=pk)
    elif request.method == "POST":
        form = OrganisationForm(request.POST, instance=Organisation.objects.get(pk=pk))
        if form.is_valid():
            try:
                services.organisation_update(
                    organisation=organisation, data=form.cleaned_data, by=request.user
                )
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("directory:organisation_edit", territory=territory, pk=pk)
    return render(
        request,
        "directory/organisation_form.html",
        {
            "territory": territory_obj,
            "form": form,
            "organisation": organisation,
            "member_form": member_form,
            "can_manage_members": is_coordinator_,
            "members": organisation.members.select_related("user").order_by("user__username"),
            "invitations": organisation.invitations.filter(
                invitation__status="pending"
            ).select_related("invitation"),
        },
    )


@login_required
@require_POST
def organisation_member_remove(request, territory, pk, user_id):
    organisation = get_object_or_404(Organisation, pk=pk, territory__slug=territory)
    member = get_object_or_404(organisation.members.select_related("user"), user_id=user_id)
    services.organisation_member_remove(
        organisation=organisation, user=member.user, by=request.user
    )
    messages.success(request, _("The person no longer keeps this organisation's places."))
    return redirect("directory:organisation_edit", territory=territory, pk=pk)
