"""The members' pages of a territory: who has a role; coordinators invite and remove."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.core.lookup import territory_for
from maillage.territories.forms import ROLE_HELP, InvitationForm
from maillage.territories.members import membership_invite, membership_revoke
from maillage.territories.models import Membership
from maillage.territories.permissions import is_coordinator


@login_required
def members(request, territory):
    """The people who have a role in the territory; coordinators invite and remove."""
    territory_obj = territory_for(request, territory, allowed=is_coordinator)
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
                return redirect("territories:members", territory=territory)
    memberships = (
        Membership.objects.filter(territory=territory_obj)
        .select_related("user")
        .order_by("user__email", "user__username", "role")
    )
    return render(
        request,
        "territories/members.html",
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
    territory_obj = territory_for(request, territory, allowed=is_coordinator)
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
    return redirect("territories:members", territory=territory)
