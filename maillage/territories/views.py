"""The members' pages of a territory (coordinators invite, withdraw, remove, lift lockouts),
the page where a person answers an invitation, and a person's own roles."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.core.lookup import territory_for
from maillage.territories import lockouts
from maillage.territories import members as services
from maillage.territories.forms import (
    ROLE_HELP,
    InvitationForm,
    NewAccountForm,
)
from maillage.territories.models import Invitation, Membership
from maillage.territories.permissions import is_coordinator


def _link_for(request):
    def link_for(token: str) -> str:
        return request.build_absolute_uri(reverse("invitation", kwargs={"token": token}))

    return link_for


@login_required
def members(request, territory):
    """The people who have a role in the territory, pending invitations and locked-out
    accounts; coordinators invite, withdraw, remove and lift lockouts."""
    territory_obj = territory_for(request, territory, allowed=is_coordinator)
    form = InvitationForm()
    if request.method == "POST":
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.invitation_create(
                    territory=territory_obj,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    by=request.user,
                    link_for=_link_for(request),
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s. The role exists once they accept.")
                    % {"email": invitation.email},
                )
                return redirect("territories:members", territory=territory)
    memberships = (
        Membership.objects.filter(territory=territory_obj)
        .select_related("user")
        .order_by("user__email", "user__username", "role")
    )
    pending = Invitation.objects.filter(
        territory=territory_obj, status=Invitation.Status.PENDING
    ).select_related("invited_by")
    return render(
        request,
        "territories/members.html",
        {
            "territory": territory_obj,
            "form": form,
            "memberships": memberships,
            "invitations": pending,
            "now": timezone.now(),
            "locked_out": lockouts.locked_out_members(territory_obj),
            "role_help": [ROLE_HELP[role] for role in Membership.Role.values],
        },
    )


@login_required
@require_POST
def member_remove(request, territory, pk):
    territory_obj = territory_for(request, territory, allowed=is_coordinator)
    membership = get_object_or_404(Membership, pk=pk, territory=territory_obj)
    try:
        services.membership_revoke(membership=membership, by=request.user)
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


@login_required
@require_POST
def invitation_resend(request, territory, pk):
    territory_obj = territory_for(request, territory, allowed=is_coordinator)
    invitation = get_object_or_404(Invitation, pk=pk, territory=territory_obj)
    try:
        services.invitation_resend(
            invitation=invitation, by=request.user, link_for=_link_for(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Invitation sent again to %(email)s.") % {"email": invitation.email}
        )
    return redirect("territories:members", territory=territory)


@login_required
@require_POST
def invitation_revoke(request, territory, pk):
    territory_obj = territory_for(request, territory, allowed=is_coordinator)
    invitation = get_object_or_404(Invitation, pk=pk, territory=territory_obj)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The invitation of %(email)s is withdrawn: its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("territories:members", territory=territory)


@login_required
@require_POST
def lockout_lift(request, territory, user_id):
    territory_obj = territory_for(request, territory, allowed=is_coordinator)
    user = get_object_or_404(User, pk=user_id, memberships__territory=territory_obj)
    lockouts.account_lockout_lift(user=user, territory=territory_obj, by=request.user)
    messages.success(
        request,
        _("%(person)s can sign in again.") % {"person": user.email or user.get_username()},
    )
    return redirect("territories:members", territory=territory)


def _closed(invitation: Invitation | None):
    """The page of a link that no longer works (None while it does): unknown (404), or
    answered, withdrawn or expired (410), each saying so."""
    if invitation is None:
        reason, status = "unknown", 404
    elif invitation.status != Invitation.Status.PENDING:
        reason, status = invitation.status, 410
    elif invitation.expires_at <= timezone.now():
        reason, status = "expired", 410
    else:
        return None
    return reason, status


def _closed_page(request, invitation, closed):
    reason, status = closed
    return render(
        request,
        "territories/invitation_closed.html",
        {"reason": reason, "invitation": invitation},
        status=status,
    )


def invitation(request, token):
    """Where the e-mailed link leads: what is offered, a button to accept (signed in) or a
    form to create an account and accept, and a button to decline. A used, expired,
    withdrawn or unknown link gets a page saying so."""
    invitation = services.invitation_open(token)
    closed = _closed(invitation)
    if closed:
        return _closed_page(request, invitation, closed)
    form = NewAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not request.user.is_authenticated and form.is_valid():
        try:
            user = services.invitation_accept_with_new_account(
                token=token, password=form.cleaned_data["password1"], by=request.user
            )
        except ValidationError as error:
            form.add_error("password1", error.message_dict.get("password", error.messages))
        else:
            messages.success(
                request,
                _("Your account is created; your user name is %(username)s. Sign in.")
                % {"username": user.get_username()},
            )
            return redirect("login")
    return render(
        request,
        "territories/invitation.html",
        {"invitation": invitation, "form": form, "token": token},
    )


@login_required
@require_POST
def invitation_accept(request, token):
    invitation = services.invitation_open(token)
    closed = _closed(invitation)
    if closed:
        return _closed_page(request, invitation, closed)
    membership = services.invitation_accept(token=token, by=request.user)
    messages.success(
        request,
        _("You now have the role “%(role)s” in %(territory)s.")
        % {"role": membership.get_role_display(), "territory": membership.territory.name},
    )
    return redirect("my_roles")


@require_POST
def invitation_decline(request, token):
    invitation = services.invitation_open(token)
    closed = _closed(invitation)
    if closed:
        return _closed_page(request, invitation, closed)
    services.invitation_decline(token=token, by=request.user)
    messages.success(request, _("You declined the invitation. Nothing else is done."))
    return redirect("web:home")


@login_required
def my_roles(request):
    """The roles of the signed-in person, each with a button to leave it."""
    memberships = request.user.memberships.select_related("territory").order_by(
        "territory__name", "role"
    )
    return render(request, "territories/my_roles.html", {"memberships": memberships})


@login_required
@require_POST
def membership_leave(request, pk):
    membership = get_object_or_404(Membership, pk=pk, user=request.user)
    try:
        services.membership_leave(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("You no longer have the role “%(role)s” in %(territory)s.")
            % {"role": membership.get_role_display(), "territory": membership.territory.name},
        )
    return redirect("my_roles")
