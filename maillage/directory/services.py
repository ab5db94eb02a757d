"""Writes to the directory. Every function is a domain operation run in one transaction."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maillage.core.actors import Actor, require, user_of
from maillage.directory import opening_hours, permissions
from maillage.directory import vocabularies as voc
from maillage.directory.models import (
    Organisation,
    OrganisationInvitation,
    OrganisationMember,
    Place,
    PlaceService,
)
from maillage.directory.text import fold
from maillage.territories.members import LinkFor, invitation_create
from maillage.territories.models import Invitation, Membership, Territory

# Fields a person edits through the place form; everything else is the services' business.
EDITABLE_FIELDS = (
    "name",
    "is_mobile",
    "address",
    "address_complement",
    "postal_code",
    "area",
    "latitude",
    "longitude",
    "location_precision",
    "access_directions",
    "opening_hours",
    "phone",
    "email",
    "website",
    "appointment_url",
    "step_free_access",
    "languages",
    "publics",
    "specific_support",
    "support_formats",
    "delivery_modes",
    "access_modes",
    "fees",
    "summary",
    "description",
)
LIST_FIELDS = (
    "languages",
    "publics",
    "specific_support",
    "support_formats",
    "delivery_modes",
    "access_modes",
    "fees",
)
_VOCABULARY_OF = {
    "languages": voc.LANGUAGES,
    "publics": voc.PUBLICS,
    "specific_support": voc.SPECIFIC_SUPPORT,
    "support_formats": voc.SUPPORT_FORMATS,
    "delivery_modes": voc.DELIVERY_MODES,
    "access_modes": voc.ACCESS_MODES,
    "fees": voc.FEES,
}


@dataclass(frozen=True)
class ServiceOffer:
    service: str
    stars: int = 1
    note: str = ""


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: Any
    after: Any


class PlaceEditConflict(Exception):
    """Someone saved the place after the editor opened it. Carries what they changed."""

    def __init__(self, place: Place, changes: list[FieldChange]):
        super().__init__(f"place {place.pk} changed since the form was opened")
        self.place = place
        self.changes = changes


def services_snapshot_of(offers: Iterable[ServiceOffer]) -> list[dict[str, Any]]:
    """The services of a place as stored with each version (sorted, plain dicts)."""
    return sorted(
        ({"service": o.service, "stars": o.stars, "note": o.note} for o in offers),
        key=lambda s: s["service"],
    )


@functools.cache
def _labels_in_every_language(key: str) -> str:
    # Every language of the site, whoever saves: the text searched must not depend on the
    # language of the person who last edited the place. Cached: catalogs do not change while
    # the process runs.
    labels = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            labels.append(str(voc.SERVICE_BY_KEY[key].label))
    return " ".join(labels)


def _service_labels(keys: list[str]) -> list[str]:
    return [_labels_in_every_language(k) for k in keys]


def search_text_of(place: Place) -> str:
    """The folded text that word search looks into (names, address, descriptions, services)."""
    keys = [s["service"] for s in place.services_snapshot if s["service"] in voc.SERVICE_BY_KEY]
    parts = [
        place.name,
        place.organisation.name,
        place.area.name,
        place.address,
        place.postal_code,
        place.summary,
        place.description,
        *_service_labels(keys),
        *(voc.SERVICE_BY_KEY[k].standard for k in keys),
    ]
    return f" {fold(' '.join(p for p in parts if p))} "


def check_vocabularies(place: Place) -> None:
    """Refuse list fields holding values outside their vocabulary (field-named errors)."""
    errors = {}
    for field in LIST_FIELDS:
        value = getattr(place, field)
        if not isinstance(value, list):
            errors[field] = _("Expected a list of values.")
            continue
        known = {t.key for t in _VOCABULARY_OF[field]}
        unknown = [v for v in value if v not in known]
        if unknown:
            errors[field] = _("Unknown value(s): %(values)s.") % {
                "values": ", ".join(map(str, unknown))
            }
    if errors:
        raise ValidationError(errors)


def _validate(place: Place) -> list[str]:
    """Validate `place` fully; return warnings that do not stop the save."""
    errors: dict[str, list[str]] = {}
    try:
        place.full_clean(exclude=["search_text", "services_snapshot"])
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        check_vocabularies(place)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    hours_error = opening_hours.validate(place.opening_hours)
    if hours_error:
        errors.setdefault("opening_hours", []).append(hours_error)
    if place.area_id and place.area.territory_id != place.territory_id:
        errors.setdefault("area", []).append(_("This commune is not in the territory."))
    if place.organisation_id and place.organisation.territory_id != place.territory_id:
        errors.setdefault("organisation", []).append(
            _("This organisation is not in the territory.")
        )
    if errors:
        raise ValidationError(errors)
    return place_location_warnings(place)


def place_location_warnings(place: Place) -> list[str]:
    """Coordinates outside the territory are suspicious but possible (a mobile unit's base)."""
    t = place.territory
    south, west, north, east = t.bbox_south, t.bbox_west, t.bbox_north, t.bbox_east
    if south is None or west is None or north is None or east is None:
        return []
    margin = 0.02  # about 2 km
    inside = (
        south - margin <= place.latitude <= north + margin
        and west - margin <= place.longitude <= east + margin
    )
    if inside:
        return []
    return [
        _(
            "The coordinates (%(lat).5f, %(lon).5f) are outside %(territory)s. "
            "Check that latitude and longitude are not swapped."
        )
        % {"lat": place.latitude, "lon": place.longitude, "territory": t.name}
    ]


def _write_services(place: Place, offers: list[ServiceOffer]) -> None:
    for offer in offers:
        if offer.service not in voc.SERVICE_BY_KEY:
            raise ValidationError(
                {"services": _("Unknown service: %(key)s.") % {"key": offer.service}}
            )
        if not 1 <= int(offer.stars) <= 3:
            raise ValidationError({"services": _("A level is 1, 2 or 3 stars.")})
    keys = [o.service for o in offers]
    if len(keys) != len(set(keys)):
        raise ValidationError({"services": _("Each service is listed once.")})
    PlaceService.objects.filter(place=place).delete()
    PlaceService.objects.bulk_create(
        PlaceService(
            place=place,
            service=o.service,
            category=voc.SERVICE_BY_KEY[o.service].category,
            stars=int(o.stars),
            note=o.note,
        )
        for o in offers
    )
    place.services_snapshot = services_snapshot_of(offers)


def directory_changed(territory_id: int) -> None:
    """Mark the territory's directory as changed (search indexes rebuild on next use)."""
    Territory.objects.filter(pk=territory_id).update(directory_version=uuid.uuid4().hex)


def _save(place: Place, *, by: Actor, reason: str) -> None:
    # django-simple-history reads these two attributes when it writes the history row.
    place._history_user = user_of(by)  # type: ignore[attr-defined]
    place._change_reason = reason  # type: ignore[attr-defined]
    place.search_text = search_text_of(place)
    place.save()
    directory_changed(place.territory_id)


@transaction.atomic
def place_create(
    *,
    organisation: Organisation,
    data: Mapping[str, Any],
    services: list[ServiceOffer],
    by: Actor,
    is_example: bool = False,
    status: str = Place.Status.DRAFT,
) -> tuple[Place, list[str]]:
    """Create a place of `organisation`; returns the place and location warnings."""
    require(by, lambda user: permissions.can_edit_organisation(user, organisation))
    if status != Place.Status.DRAFT:
        require(by, lambda user: permissions.can_publish(user, organisation.territory))
    place = Place(
        territory=organisation.territory,
        organisation=organisation,
        status=status,
        is_example=is_example,
    )
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(place, field, data[field])
    warnings = _validate(place)
    place.services_snapshot = services_snapshot_of(services)
    _save(place, by=by, reason=_("Created"))
    _write_services(place, services)
    return place, warnings


def place_values(place: Place) -> dict[str, Any]:
    values = {field: getattr(place, field) for field in EDITABLE_FIELDS if field != "area"}
    values["area"] = place.area_id
    values["services"] = place.services_snapshot
    return values


def place_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldChange]:
    """Fields whose value differs between two `place_values` dictionaries."""
    labels = {f.name: str(f.verbose_name) for f in Place._meta.fields}
    labels["services"] = _("services")
    changes = []
    for field in (*EDITABLE_FIELDS, "services"):
        if before.get(field) != after.get(field):
            changes.append(
                FieldChange(field, labels.get(field, field), before.get(field), after.get(field))
            )
    return changes


def _values_at_version(place: Place, version: int) -> dict[str, Any] | None:
    record = place.history.filter(version=version).order_by("-history_date").first()
    if record is None:
        return None
    values = {field: getattr(record, field) for field in EDITABLE_FIELDS if field != "area"}
    values["area"] = record.area_id
    values["services"] = record.services_snapshot
    return values


@transaction.atomic
def place_update(
    *,
    place_id: int,
    data: Mapping[str, Any],
    services: list[ServiceOffer] | None,
    expected_version: int,
    by: Actor,
) -> tuple[Place, list[str]]:
    """Save an edit made on version `expected_version` of the place.

    Raises `PlaceEditConflict` when someone saved in between: nothing is written, and the
    exception lists what the other person changed so that the editor can merge by hand.
    """
    place = (
        Place.objects.select_for_update()
        .select_related("territory", "organisation", "area")
        .get(pk=place_id)
    )
    require(by, lambda user: permissions.can_edit_place(user, place))
    if place.version != expected_version:
        base = _values_at_version(place, expected_version) or {}
        raise PlaceEditConflict(place, place_diff(base, place_values(place)))
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(place, field, data[field])
    warnings = _validate(place)
    if services is not None:
        _write_services(place, services)
    place.version += 1
    _save(place, by=by, reason=_("Edited"))
    return place, warnings


@transaction.atomic
def place_set_status(*, place: Place, status: str, by: Actor) -> Place:
    """Publish, archive or put back to draft (coordinators only)."""
    require(by, lambda user: permissions.can_publish(user, place.territory))
    if status not in Place.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    place = Place.objects.select_for_update().get(pk=place.pk)
    place.status = status
    place.version += 1
    reasons: dict[str, str] = {
        Place.Status.PUBLISHED: _("Published"),
        Place.Status.ARCHIVED: _("Archived"),
        Place.Status.DRAFT: _("Back to draft"),
    }
    _save(place, by=by, reason=reasons[status])
    return place


@transaction.atomic
def place_confirm(*, place: Place, by: Actor) -> Place:
    """Record that the place's information is still correct ("still correct" button)."""
    require(by, lambda user: permissions.can_edit_place(user, place))
    place = Place.objects.select_for_update().get(pk=place.pk)
    place.confirmed_at = timezone.now()
    place.confirmed_by = user_of(by)
    place.version += 1
    _save(place, by=by, reason=_("Confirmed still correct"))
    return place


@transaction.atomic
def place_revert(*, place: Place, history_id: int, by: Actor) -> Place:
    """Bring back the place (fields and services) as it was in a past version."""
    require(by, lambda user: permissions.can_publish(user, place.territory))
    place = Place.objects.select_for_update().get(pk=place.pk)
    record = place.history.get(history_id=history_id)
    for field in EDITABLE_FIELDS:
        if field == "area":
            place.area_id = record.area_id
        else:
            setattr(place, field, getattr(record, field))
    place.status = record.status
    _write_services(place, [ServiceOffer(**s) for s in record.services_snapshot])
    place.version += 1
    _validate(place)
    _save(place, by=by, reason=_("Reverted to version %(version)s") % {"version": record.version})
    return place


@transaction.atomic
def organisation_create(
    *,
    territory: Territory,
    name: str,
    kind: str,
    by: Actor,
    siret: str = "",
    labels: list[str] | None = None,
    local_programmes: list[str] | None = None,
    website: str = "",
    is_example: bool = False,
    source_note: str = "",
) -> Organisation:
    require(by, lambda user: permissions.can_publish(user, territory))
    organisation = Organisation(
        territory=territory,
        name=name,
        kind=kind,
        siret=siret,
        labels=labels or [],
        local_programmes=local_programmes or [],
        website=website,
        is_example=is_example,
        source_note=source_note,
    )
    organisation.full_clean()
    unknown = [label for label in organisation.labels if label not in dict(voc.PROGRAMME_CHOICES)]
    if unknown:
        raise ValidationError(
            {"labels": _("Unknown value(s): %(values)s.") % {"values": ", ".join(unknown)}}
        )
    organisation._history_user = user_of(by)  # type: ignore[attr-defined]  # simple-history
    organisation.save()
    return organisation


ORGANISATION_FIELDS = ("name", "kind", "siret", "labels", "local_programmes", "website")


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, data: Mapping[str, Any], by: Actor
) -> Organisation:
    """Change an organisation's identity (coordinators, or the organisation's own members)."""
    require(by, lambda user: permissions.can_edit_organisation(user, organisation))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for field in ORGANISATION_FIELDS:
        if field in data:
            setattr(organisation, field, data[field])
    organisation.full_clean()
    unknown = [label for label in organisation.labels if label not in dict(voc.PROGRAMME_CHOICES)]
    if unknown:
        raise ValidationError(
            {"labels": _("Unknown value(s): %(values)s.") % {"values": ", ".join(unknown)}}
        )
    organisation._history_user = user_of(by)  # type: ignore[attr-defined]  # simple-history
    organisation.save()
    places = list(Place.objects.filter(organisation=organisation).select_related("area"))
    for place in places:
        place.organisation = organisation  # its new name feeds the search text
        place.search_text = search_text_of(place)
    Place.objects.bulk_update(places, ["search_text"], batch_size=500)
    directory_changed(organisation.territory_id)
    return organisation


@transaction.atomic
def organisation_member_invite(
    *, organisation: Organisation, email: str, by: User, link_for: LinkFor
) -> OrganisationInvitation:
    """Invite an e-mail address to keep the organisation's places (the structure role).

    Nothing is looked up: the answer and the e-mail are the same whether or not an account
    uses the address, and the person is attached only when they accept
    (`organisation_invitation_join`). Only a coordinator of the territory (a person)."""
    invitation = invitation_create(
        territory=organisation.territory,
        email=email,
        role=Membership.Role.STRUCTURE,
        by=by,
        link_for=link_for,
    )
    link = OrganisationInvitation(invitation=invitation, organisation=organisation)
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def organisation_invitation_join(*, invitation: Invitation, user: User, by: Actor) -> None:
    """The acceptance step of an organisation's invitation: `user`, who has just accepted it
    (`by`, `invitation.accepted_by`), keeps the organisation's places from now on. Nothing
    for other invitations."""
    require(
        by,
        lambda person: (
            person.is_authenticated
            and person.pk == user.pk
            and invitation.accepted_by_id == user.pk
        ),
    )
    link = OrganisationInvitation.objects.filter(invitation=invitation).first()
    if link is None or invitation.status != Invitation.Status.ACCEPTED:
        return
    OrganisationMember.objects.get_or_create(organisation=link.organisation, user=user)


@transaction.atomic
def organisation_member_remove(*, organisation: Organisation, user: User, by: Actor) -> None:
    require(by, lambda user: permissions.can_publish(user, organisation.territory))
    OrganisationMember.objects.filter(organisation=organisation, user=user).delete()
