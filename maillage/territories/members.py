"""Who has a role in a territory: invitations by e-mail, roles given and taken back.

A coordinator invites a person by e-mail with a role. A person without an account gets one with
no password and an e-mail with a one-time link to choose it (Django's password-reset token:
valid `PASSWORD_RESET_TIMEOUT`, used once); inviting the same address again sends a new link.
A person who already has an account is told by e-mail, without a link. Nothing else about the
person is asked or kept (docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from maillage.core.actors import Actor, require, system_only
from maillage.territories.models import Membership, Territory
from maillage.territories.permissions import is_coordinator

#: link_for(uidb64, token) -> absolute URL of the page where the person chooses a password.
LinkFor = Callable[[str, str], str]


@dataclass(frozen=True)
class Invitation:
    membership: Membership
    account_created: bool  # a new account, with no password yet
    link_sent: bool  # the e-mail carries a link to choose a password


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


def _free_username(email: str) -> str:
    base = email.lower()[:140]
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def membership_invite(
    *, territory: Territory, email: str, role: str, by: User, link_for: LinkFor
) -> Invitation:
    """Give `role` in `territory` to the person with this e-mail address and tell them.

    Raises PermissionDenied unless `by` (a person, never the system: the e-mail names them)
    coordinates the territory, and ValidationError (on "email" or "role") for a wrong address
    or role; nothing is written then.
    """
    require(by, lambda user: is_coordinator(user, territory), people_only=True)
    email = _normalised_email(email)
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose one of the roles of the list.")})
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email).order_by("pk").first()
        account_created = existing is None
        if existing is None:
            user = User(username=_free_username(email), email=email)
            user.set_unusable_password()
            user.full_clean()
            user.save()
        else:
            user = existing
        membership, _created = Membership.objects.get_or_create(
            user=user, territory=territory, role=role
        )
    link = None
    if not user.has_usable_password():  # new, or invited before and no password chosen yet
        link = link_for(
            urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
        )
    context = {
        "territory": territory,
        "role": membership.get_role_display(),
        "link": link,
        "username": user.get_username(),
        "by": by.get_full_name() or by.get_username(),
        "timeout_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    send_mail(
        subject=_("Maillage: your role in %(territory)s") % {"territory": territory.name},
        message=render_to_string("territories/invitation_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    return Invitation(membership, account_created, link is not None)


@transaction.atomic
def membership_revoke(*, membership: Membership, by: Actor) -> None:
    """Take a role back. The last coordinator of a territory cannot be removed (somebody must
    be able to give roles); the account itself stays."""
    territory = membership.territory
    require(by, lambda user: is_coordinator(user, territory))
    if membership.role == Membership.Role.COORDINATOR:
        coordinators = Membership.objects.select_for_update().filter(
            territory=territory, role=Membership.Role.COORDINATOR
        )
        if coordinators.count() <= 1:
            raise ValidationError(
                _("This is the territory's last coordinator: give the role to somebody else first.")
            )
    membership.delete()


#: Days an invitation nobody accepted keeps its account (and the e-mail address in it).
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
