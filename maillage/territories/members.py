"""Who has a role in a territory: invitations by e-mail, roles accepted, left and taken back.

A coordinator invites an e-mail address with a role. Nothing is looked up: whether an account
uses that address or not, the answer and the e-mail are the same, and no role exists yet. The
e-mail carries a link with a random token (only its hash is kept), valid
`INVITATION_DAYS` days and answered once. The person opens it and accepts, signed in with
their account or creating one on the spot, or declines; only then is the role given (and,
through the steps other apps register, for example the directory's organisation, what goes
with it). A person sees their roles and may leave one; the last coordinator cannot.
Nothing else about the person is asked or kept (docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.core.actors import Actor, Person, require, system_only
from maillage.territories.models import Invitation, Membership, Territory
from maillage.territories.permissions import is_coordinator

#: link_for(token) -> absolute URL of the page where the person answers the invitation.
LinkFor = Callable[[str], str]
#: Days an invitation link works.
INVITATION_DAYS = 14
#: What else happens when an invitation is accepted: step(invitation=…, user=…, by=…), each
#: registered by an app above this one (the directory attaches the person to an organisation).
AcceptanceStep = Callable[..., None]
ACCEPTANCE_STEPS: list[AcceptanceStep] = []


def register_acceptance_step(step: AcceptanceStep) -> None:
    if step not in ACCEPTANCE_STEPS:
        ACCEPTANCE_STEPS.append(step)


def token_hash(token: str) -> str:
    """The SHA-256 (hex) kept in place of an invitation's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _normalised_email(text: str) -> str:
    email = (text or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": _("Write an e-mail address, for example prenom.nom@example.org.")}
        ) from None
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def _send(invitation: Invitation, *, token: str, link_for: LinkFor, by: User) -> None:
    context = {
        "territory": invitation.territory,
        "role": invitation.get_role_display(),
        "link": link_for(token),
        "by": by.get_full_name() or by.get_username(),
        "days": INVITATION_DAYS,
    }
    send_mail(
        subject=_("Maillage: an invitation to %(territory)s")
        % {"territory": invitation.territory.name},
        message=render_to_string("territories/invitation_email.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.expires_at = timezone.now() + dt.timedelta(days=INVITATION_DAYS)
    return token


@transaction.atomic
def invitation_create(
    *, territory: Territory, email: str, role: str, by: User, link_for: LinkFor
) -> Invitation:
    """Invite the person with this e-mail address to take `role` in `territory`, by e-mail.

    The same whether or not an account uses the address: nothing is looked up, no role is
    given (it is, when the person accepts). Raises PermissionDenied unless `by` (a person:
    the e-mail names them) coordinates the territory, ValidationError (on "email" or "role")
    for a wrong address or role; nothing is written or sent then.
    """
    require(by, lambda user: is_coordinator(user, territory), people_only=True)
    email = _normalised_email(email)
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose one of the roles of the list.")})
    invitation = Invitation(territory=territory, email=email, role=role, invited_by=by)
    token = _new_token(invitation)
    invitation.full_clean()
    invitation.save()
    _send(invitation, token=token, link_for=link_for, by=by)
    return invitation


def _check_pending(invitation: Invitation) -> None:
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("This invitation has already been answered or withdrawn."))


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User, link_for: LinkFor) -> Invitation:
    """Send a pending invitation again with a new link (the old one stops working) and a new
    expiry. Only a coordinator of its territory (a person)."""
    require(by, lambda user: is_coordinator(user, invitation.territory), people_only=True)
    _check_pending(invitation)
    token = _new_token(invitation)
    invitation.full_clean()
    invitation.save(update_fields=["token_hash", "expires_at"])
    _send(invitation, token=token, link_for=link_for, by=by)
    return invitation


def _answer(invitation: Invitation, status: str, user: User | None = None) -> None:
    invitation.status = status
    invitation.answered_at = timezone.now()
    invitation.accepted_by = user
    invitation.full_clean()
    invitation.save(update_fields=["status", "answered_at", "accepted_by"])


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: Actor) -> None:
    """Withdraw a pending invitation: its link stops working. A coordinator of its territory."""
    require(by, lambda user: is_coordinator(user, invitation.territory))
    _check_pending(invitation)
    _answer(invitation, Invitation.Status.REVOKED)


def invitation_open(token: str) -> Invitation | None:
    """The invitation of this token, whatever its state (None for an unknown token)."""
    return (
        Invitation.objects.select_related("territory", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def _check_answerable(invitation: Invitation) -> None:
    _check_pending(invitation)
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has expired."))


def _invitation_of(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_for_update()
        .select_related("territory")
        .filter(token_hash=token_hash(token))
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, by: User) -> Membership:
    """`by`, signed in, takes the role offered by the invitation of `token`: the role (and
    what the acceptance steps add) exists from now on. Holding the link is the proof: the
    account may use another address than the invited one. PermissionDenied for an unknown
    token, ValidationError for an answered, withdrawn or expired invitation."""
    invitation = _invitation_of(token)
    require(
        by,
        lambda person: invitation is not None and person.is_authenticated and person.is_active,
        people_only=True,
    )
    assert invitation is not None and isinstance(by, User)  # checked just above
    _check_answerable(invitation)
    membership, _created = Membership.objects.get_or_create(
        user=by, territory=invitation.territory, role=invitation.role
    )
    _answer(invitation, Invitation.Status.ACCEPTED, by)
    for step in ACCEPTANCE_STEPS:
        step(invitation=invitation, user=by, by=by)
    return membership


@transaction.atomic
def invitation_accept_with_new_account(*, token: str, password: str, by: Person) -> User:
    """Create an account for the invited address with this password, then accept with it.

    Anybody holding the link may (it went to that address; PermissionDenied for an unknown
    token). The user name is the address (with a random suffix if taken: never a sign of who
    else has an account). ValidationError on "password" for a weak one, or for an invitation
    no longer pending; nothing is written then."""
    invitation = _invitation_of(token)
    require(by, lambda person: invitation is not None, people_only=True)
    assert invitation is not None  # checked just above
    _check_answerable(invitation)
    username = invitation.email.lower()[:120]
    if User.objects.filter(username=username).exists():
        username = f"{username}-{secrets.token_hex(3)}"
    user = User(username=username, email=invitation.email)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.full_clean()
    user.save()
    invitation_accept(token=token, by=user)
    return user


@transaction.atomic
def invitation_decline(*, token: str, by: Person) -> None:
    """Say no to the invitation of `token`: its link stops working, nothing else is written.
    Anybody holding the link may, signed in or not (PermissionDenied for an unknown token)."""
    invitation = _invitation_of(token)
    require(by, lambda person: invitation is not None, people_only=True)
    assert invitation is not None  # checked just above
    _check_answerable(invitation)
    _answer(invitation, Invitation.Status.DECLINED)


def _check_not_last_coordinator(membership: Membership) -> None:
    if membership.role == Membership.Role.COORDINATOR:
        coordinators = Membership.objects.select_for_update().filter(
            territory=membership.territory, role=Membership.Role.COORDINATOR
        )
        if coordinators.count() <= 1:
            raise ValidationError(
                _("This is the territory's last coordinator: give the role to somebody else first.")
            )


@transaction.atomic
def membership_leave(*, membership: Membership, by: User) -> None:
    """The person gives up one of their own roles (never the last coordinator's)."""
    require(by, lambda person: person.is_authenticated and person.pk == membership.user_id)
    _check_not_last_coordinator(membership)
    membership.delete()


@transaction.atomic
def membership_revoke(*, membership: Membership, by: Actor) -> None:
    """Take a role back. The last coordinator of a territory cannot be removed (somebody must
    be able to give roles); the account itself stays."""
    territory = membership.territory
    require(by, lambda user: is_coordinator(user, territory))
    _check_not_last_coordinator(membership)
    membership.delete()


#: Days an invitation is kept after it expired or was answered (the address in it with it).
ANSWERED_INVITATION_DAYS = 90


@transaction.atomic
def invitations_expired_purge(*, before: dt.datetime, dry_run: bool = False, by: Actor) -> int:
    """Delete the invitations that expired, or were answered, before `before` (the roles
    accepted stay). Returns how many. Only the system does it (`purge_personal_data`)."""
    require(by, system_only)
    invitations = Invitation.objects.filter(
        Q(answered_at__lt=before) | Q(answered_at__isnull=True, expires_at__lt=before)
    )
    count = invitations.count()
    if not dry_run:
        invitations.delete()
    return count


#: Days an account created by an invitation of the former kind (before invitations were
#: accepted) keeps waiting for a password.
UNANSWERED_INVITATION_DAYS = 90


@transaction.atomic
def invitations_unanswered_purge(*, before: dt.datetime, dry_run: bool = False, by: Actor) -> int:
    """Delete the accounts of invitations nobody accepted: created before `before`, no
    password ever chosen, never signed in. Their roles go with them. Returns how many.
    Only the system does it (`purge_personal_data`)."""
    require(by, system_only)
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    accounts = User.objects.filter(
        date_joined__lt=before,
        last_login__isnull=True,
        password__startswith=UNUSABLE_PASSWORD_PREFIX,
        is_staff=False,
        is_superuser=False,
    )
    count = accounts.count()
    if not dry_run:
        accounts.delete()
    return count
