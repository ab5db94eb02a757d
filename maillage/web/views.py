"""Pages that belong to no single domain app: the front door, the signed-in workspace and\nthe members of a territory."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.territories.members import membership_invite, membership_revoke
from maillage.territories.models import Membership, Territory
from maillage.territories.permissions import is_coordinator
from maillage.web.forms import ROLE_HELP, InvitationForm


def home(request):
    territories = list(Territory.objects.all())
    if len(territories) == 1:
        return redirect("directory:home", territory=territories[0].slug)
    default = next((t for t in territories if t.slug == settings.DEFAULT_TERRITORY), None)
    if default is not None and not request.GET.get("all"):
        return redirect("directory:home", territory=default.slug)
    return render(request, "web/territories.html", {"territories": territories})


@login_required
def workspace(request):
    memberships = request.user.memberships.select_related("territory").order_by("territory__name")
    if memberships.count() == 1:
        return redirect("directory:manage", territory=memberships.first().territory.slug)
    return render(request, "web/workspace.html", {"memberships": memberships})


def _coordinated_territory(request, slug: str) -> Territory:
    territory = get_object_or_404(Territory, slug=slug)
    if not is_coordinator(request.user, territory):
        raise PermissionDenied
    return territory


@login_required
def members(request, territory):
    """The people who have a role in the territory; coordinators invite and remove."""
    territory_obj = _coordinated_territory(request, territory)
    form = InvitationForm()
    if request.method == "POST":
        form = InvitationForm(request.POST)
        if form.is_valid():

            def link_for(uidb64: str, token: str) -> str:
                return request.build_absolute_uri(
                    reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
                )

            try:
                invitation = membership_invite(
                    territory=territory_obj,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    by=request.user,
                    link_for=link_for,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                email = invitation.membership.user.email
                if invitation.link_sent:
                    text = _("Invitation sent to %(email)s, with a link to choose a password.")
                else:
                    text = _(
                        "%(email)s already had an account: the role is given and they are told."
                    )
                messages.success(request, text % {"email": email})
                return redirect("web:members", territory=territory)
    memberships = (
        Membership.objects.filter(territory=territory_obj)
        .select_related("user")
        .order_by("user__email", "user__username", "role")
    )
    return render(
        request,
        "web/members.html",
        {
            "territory": territory_obj,
            "form": form,
            "memberships": memberships,
            "role_help": [ROLE_HELP[role] for role in Membership.Role.values],
        },
    )


@login_required
@require_POST
def member_remove(request, territory, pk):
    territory_obj = _coordinated_territory(request, territory)
    membership = get_object_or_404(Membership, pk=pk, territory=territory_obj)
    try:
        membership_revoke(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(person)s no longer has the role “%(role)s”.")
            % {
                "person": membership.user.email or membership.user.get_username(),
                "role": membership.get_role_display(),
            },
        )
    return redirect("web:members", territory=territory)
