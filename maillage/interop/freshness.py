"""Freshness campaigns (writes): ask structures to confirm or update their places.

Each structure gets an e-mail with a signed link (django.core.signing, salted, timestamped) that
expires after the campaign's `valid_days`. The link opens a page with two buttons: a mail
scanner following the link changes nothing; only the person's click (a POST) answers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.core.actors import Actor, SystemActor, require, system_only, user_of
from maillage.directory import bulk
from maillage.directory.models import Organisation, Place
from maillage.interop import permissions
from maillage.interop.models import FreshnessCampaign, FreshnessRequest
from maillage.territories.models import Territory

SALT = "maillage.interop.freshness"
#: Who answers a freshness request: nobody signs in, the signed link is the proof.
LINK_HOLDER = SystemActor("signed link of a freshness campaign")


class InvalidLink(Exception):
    """The link is altered or expired. `expired` tells which."""

    def __init__(self, expired: bool):
        super().__init__("expired" if expired else "bad signature")
        self.expired = expired


class AlreadyAnswered(Exception):
    """The link was used already: a link answers once. `request` holds what was recorded."""

    def __init__(self, request: FreshnessRequest):
        super().__init__(f"freshness request {request.pk} answered at {request.answered_at}")
        self.request = request


def request_token(request: FreshnessRequest) -> str:
    return signing.dumps({"r": request.pk, "c": request.campaign_id}, salt=SALT)


def request_from_token(token: str) -> FreshnessRequest:
    """The request a link stands for; raises InvalidLink when altered or expired."""
    try:
        unsigned = signing.loads(token, salt=SALT, max_age=None)
    except signing.BadSignature as error:
        raise InvalidLink(expired=False) from error
    request = (
        FreshnessRequest.objects.select_related("campaign__territory", "organisation")
        .filter(pk=unsigned.get("r"), campaign_id=unsigned.get("c"))
        .first()
    )
    if request is None:
        raise InvalidLink(expired=False)
    try:
        signing.loads(token, salt=SALT, max_age=request.campaign.valid_days * 86400)
    except signing.SignatureExpired as error:
        raise InvalidLink(expired=True) from error
    return request


def _recipients(territory: Territory) -> list[tuple[Organisation, str, list[int]]]:
    """(organisation, address, place ids) for each organisation with a place to confirm: the
    first e-mail of its places, else a member's."""
    by_org: dict[int, tuple[Organisation, str, list[int]]] = {}
    places = (
        Place.objects.filter(territory=territory)
        .exclude(status=Place.Status.ARCHIVED)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )
    for place in places:
        org, email, ids = by_org.get(place.organisation_id, (place.organisation, "", []))
        ids.append(place.pk)
        by_org[place.organisation_id] = (org, email or place.email, ids)
    result = []
    for org, email, ids in by_org.values():
        if not email:
            member = org.members.select_related("user").exclude(user__email="").first()
            email = member.user.email if member else ""
        if email:
            result.append((org, email, ids))
    return result


@transaction.atomic
def campaign_send(
    *,
    territory: Territory,
    title: str,
    message: str,
    valid_days: int,
    by: Actor,
    link_for: Callable[[str], str],
) -> FreshnessCampaign:
    """Create a campaign and e-mail every structure that has an address.

    `link_for(token)` turns a token into the absolute URL of the answer page.
    """
    require(by, lambda user: permissions.can_run_campaigns(user, territory))
    campaign = FreshnessCampaign(
        territory=territory, title=title, message=message, valid_days=valid_days, by=user_of(by)
    )
    campaign.full_clean()
    campaign.save()
    requests = FreshnessRequest.objects.bulk_create(
        FreshnessRequest(campaign=campaign, organisation=org, email=email, place_ids=ids)
        for org, email, ids in _recipients(territory)
    )
    messages = []
    for request in requests:
        body = _(
            "Hello,\n\n%(message)s\n\nIs the information about your places in the directory of "
            "%(territory)s still correct? Answer in one click:\n%(link)s\n\n"
            "This link works for %(days)s days.\n"
        ) % {
            "message": message,
            "territory": territory.name,
            "link": link_for(request_token(request)),
            "days": valid_days,
        }
        messages.append(EmailMessage(subject=title, body=body, to=[request.email]))
    get_connection().send_messages(messages)  # a failure undoes the campaign: send again
    return campaign


@transaction.atomic
def request_answer(*, request: FreshnessRequest, answer: str, by: Actor) -> FreshnessRequest:
    """Record the structure's answer; "confirmed" marks its places as still correct.

    Nobody signs in to answer: the signed link is the proof, checked by `request_from_token`
    before this is called, and `by` is then the system acting on it (`LINK_HOLDER`).
    A link answers once: a request already answered raises `AlreadyAnswered` (nothing is
    written; the row lock makes two simultaneous clicks record one answer)."""
    require(by, system_only)
    if answer not in (FreshnessRequest.Answer.CONFIRMED, FreshnessRequest.Answer.UPDATE):
        raise ValueError(answer)
    request = FreshnessRequest.objects.select_for_update().get(pk=request.pk)
    if request.answer != FreshnessRequest.Answer.WAITING:
        raise AlreadyAnswered(request)
    if answer == FreshnessRequest.Answer.CONFIRMED:
        bulk.places_mark_confirmed(
            place_ids=request.place_ids,
            territory=request.campaign.territory,
            reason=_("Confirmed still correct (freshness campaign)"),
            by=by,
        )
    request.answer = answer
    request.answered_at = timezone.now()
    request.save()
    return request
