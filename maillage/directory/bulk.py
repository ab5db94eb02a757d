"""Bulk writes to the directory, for imports of thousands of places.

Same guarantees as `services.place_create` / `place_update`: every row is validated before
anything is written (field validators, vocabularies, opening hours, commune and organisation of
the territory), `search_text` and `services_snapshot` are computed, every created or changed
record gets a history entry (django-simple-history's bulk helpers, with the user and the reason),
everything happens in one transaction and `directory_changed` is called once at the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history  # type: ignore[import-untyped]

from maillage.core.actors import Actor, require, user_of
from maillage.directory import opening_hours, permissions, services
from maillage.directory import vocabularies as voc
from maillage.directory.models import Organisation, Place, PlaceService
from maillage.territories.models import Territory

BATCH_SIZE = 500
UPDATED_FIELDS = [
    *services.EDITABLE_FIELDS,
    "version",
    "updated_at",
    "search_text",
    "services_snapshot",
]
# Checked by `_row_errors` without a query per row (the commune and organisation are checked
# against the territory in Python).
_NOT_CLEANED = [
    "search_text",
    "services_snapshot",
    "territory",
    "organisation",
    "area",
    "confirmed_by",
]


M = TypeVar("M", bound=models.Model)
#: The services of a place to write (None: left as they are).
Offers = list[services.ServiceOffer] | None


@dataclass
class PlaceWrite:
    """One place to create (`place_id` None) or update, with its services (None: unchanged)."""

    data: Mapping[str, Any]
    services: list[services.ServiceOffer] | None
    organisation: Organisation | None = None
    place_id: int | None = None


@dataclass
class BulkPlaceErrors(Exception):
    """Rows that failed validation: {index in the input: {field: [messages]}}. Nothing written."""

    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{len(self.errors)} invalid place(s)"


def _offer_errors(offers: Sequence[services.ServiceOffer]) -> list[str]:
    problems = []
    for offer in offers:
        if offer.service not in voc.SERVICE_BY_KEY:
            problems.append(_("Unknown service: %(key)s.") % {"key": offer.service})
        elif not 1 <= int(offer.stars) <= 3:
            problems.append(_("A level is 1, 2 or 3 stars."))
    keys = [o.service for o in offers]
    if len(keys) != len(set(keys)):
        problems.append(_("Each service is listed once."))
    return problems


def _row_errors(
    place: Place, offers: Sequence[services.ServiceOffer] | None, territory: Territory
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        place.full_clean(exclude=_NOT_CLEANED, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        services.check_vocabularies(place)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    hours_error = opening_hours.validate(place.opening_hours)
    if hours_error:
        errors.setdefault("opening_hours", []).append(hours_error)
    if place.area is None or place.area.territory_id != territory.pk:
        errors.setdefault("area", []).append(_("This commune is not in the territory."))
    if place.organisation.territory_id != territory.pk:
        errors.setdefault("organisation", []).append(
            _("This organisation is not in the territory.")
        )
    if offers is not None:
        problems = _offer_errors(offers)
        if problems:
            errors.setdefault("services", []).extend(problems)
    return errors


@dataclass
class BulkPlaceResult:
    created: list[Place]  # in the order of their writes
    updated: list[Place]
    created_index: list[int] = field(default_factory=list)  # index in `writes` of each created
    updated_index: list[int] = field(default_factory=list)
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)  # skipped rows


def _organisation_errors(organisation: Organisation) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        organisation.full_clean(exclude=["territory"], validate_unique=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    known = dict(voc.PROGRAMME_CHOICES)
    unknown = [label for label in organisation.labels if label not in known]
    if unknown:
        errors["labels"] = [_("Unknown value(s): %(values)s.") % {"values": ", ".join(unknown)}]
    return errors


def _create_with_history(objs: list[M], model: type[M], *, by: Actor, reason: str) -> list[M]:
    """Insert `objs` with `bulk_create`, then their "created" history records in the database
    itself (`INSERT … SELECT` from the rows just written), so that each history record equals
    its row by construction and no Python object is built for it.

    Equivalent to django-simple-history's `bulk_create_with_history`, whose per-row history
    objects were the largest cost of a 25,000-place import (docs/benchmarks.md).
    """
    objs = model._default_manager.bulk_create(objs, batch_size=BATCH_SIZE)
    history = model.history.model  # type: ignore[attr-defined]  # added by simple-history
    pk = model._meta.pk  # never None for a concrete model; "id" keeps the type checker calm
    pk_column = (pk.column if pk else None) or "id"
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in history.tracked_fields)
    now = history._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection)
    ids = [obj.pk for obj in objs]
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5_000):
            chunk = ids[start : start + 5_000]
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({columns}, "
                f"{quote('history_date')}, {quote('history_change_reason')}, "
                f"{quote('history_type')}, {quote('history_user_id')}) "
                f"SELECT {columns}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(pk_column)} IN ({', '.join(['%s'] * len(chunk))})",
                [now, reason, "+", getattr(user_of(by), "pk", None), *chunk],
            )
    return objs


@transaction.atomic
def places_bulk_write(
    *,
    territory: Territory,
    writes: Sequence[PlaceWrite],
    by: Actor,
    reason: str,
    status: str = Place.Status.DRAFT,
    is_example: bool = False,
    skip_invalid: bool = False,
) -> BulkPlaceResult:
    """Create and update many places of `territory` at once.

    `writes[i].data` holds values of `services.EDITABLE_FIELDS` (`area` an Area instance).
    A new place's organisation may be unsaved: it is validated with the row and created (with
    its history) only if one of its places is valid. Created places get `status` and
    `is_example`; updated places keep theirs and their version goes up by one. Raises
    `BulkPlaceErrors` (nothing written) when any row is invalid, unless `skip_invalid`: then
    the valid rows are written and the others are returned in `errors`.
    `by` is a coordinator of the territory, or the system (the import command).
    """
    require(by, lambda user: permissions.can_publish(user, territory))
    existing_ids = [w.place_id for w in writes if w.place_id is not None]
    existing = {
        p.pk: p
        for p in Place.objects.select_for_update()
        .select_related("organisation", "area")
        .filter(pk__in=existing_ids, territory=territory)
    }
    errors: dict[int, dict[str, list[str]]] = {}
    to_create: list[tuple[Place, Offers]] = []
    to_update: list[tuple[Place, Offers]] = []
    created_index: list[int] = []
    updated_index: list[int] = []
    organisation_errors: dict[int, dict[str, list[str]]] = {}  # id(organisation) → errors
    for index, write in enumerate(writes):
        organisation = write.organisation
        if write.place_id is None and organisation is not None and organisation._state.adding:
            key = id(organisation)
            if key not in organisation_errors:
                organisation.territory = territory
                organisation_errors[key] = _organisation_errors(organisation)
            if organisation_errors[key]:
                errors[index] = dict(organisation_errors[key])
                continue
        if write.place_id is None:
            place = Place(
                territory=territory,
                organisation=write.organisation,
                status=status,
                is_example=is_example,
            )
        else:
            found = existing.get(write.place_id)
            if found is None:  # a caller's mistake, not a user's
                raise ValueError(f"place {write.place_id} is not in territory {territory.pk}")
            place = found
            place.version += 1
        for name in services.EDITABLE_FIELDS:
            if name in write.data:
                setattr(place, name, write.data[name])
        row_errors = _row_errors(place, write.services, territory)
        if row_errors:
            errors[index] = row_errors
            continue
        if write.services is not None:
            place.services_snapshot = services.services_snapshot_of(write.services)
        place.search_text = services.search_text_of(place)
        if write.place_id is None:
            to_create.append((place, write.services))
            created_index.append(index)
        else:
            to_update.append((place, write.services))
            updated_index.append(index)
    if errors and not skip_invalid:
        raise BulkPlaceErrors(errors)

    new_organisations = {
        id(p.organisation): p.organisation for p, _offers in to_create if p.organisation.pk is None
    }
    if new_organisations:
        _create_with_history(list(new_organisations.values()), Organisation, by=by, reason=reason)

    created = [p for p, _offers in to_create]
    if created:
        now = timezone.now()
        for place in created:
            place.created_at = place.updated_at = now
        created = _create_with_history(created, Place, by=by, reason=reason)
    updated = [p for p, _offers in to_update]
    if updated:
        now = timezone.now()
        for place in updated:
            place.updated_at = now
        bulk_update_with_history(
            updated,
            Place,
            fields=UPDATED_FIELDS,
            batch_size=BATCH_SIZE,
            default_user=user_of(by),
            default_change_reason=reason,
        )
    _write_services(
        [(p, offers) for p, (_x, offers) in zip(created, to_create, strict=True)],
        replaced=to_update,
    )
    services.directory_changed(territory.pk)
    return BulkPlaceResult(
        created=created,
        updated=updated,
        created_index=created_index,
        updated_index=updated_index,
        errors=errors,
    )


def _write_services(
    new: list[tuple[Place, Offers]], *, replaced: list[tuple[Place, Offers]]
) -> None:
    """Services of new places, and of updated places whose services are given (replaced)."""
    replaced_ids = [p.pk for p, offers in replaced if offers is not None]
    for start in range(0, len(replaced_ids), BATCH_SIZE):
        PlaceService.objects.filter(place_id__in=replaced_ids[start : start + BATCH_SIZE]).delete()
    pairs = new + replaced
    PlaceService.objects.bulk_create(
        (
            PlaceService(
                place_id=place.pk,
                service=o.service,
                category=voc.SERVICE_BY_KEY[o.service].category,
                stars=int(o.stars),
                note=o.note,
            )
            for place, offers in pairs
            if offers is not None
            for o in offers
        ),
        batch_size=BATCH_SIZE,
    )


@transaction.atomic
def places_mark_confirmed(
    *, place_ids: Sequence[int], territory: Territory, reason: str, by: Actor
) -> int:
    """Record that places are still correct, as said through a signed link of a freshness
    campaign (no signed-in user: the link is the proof, `by` the system acting on it).
    History and version as `place_confirm`."""
    require(by, lambda user: permissions.can_publish(user, territory))
    places = list(Place.objects.select_for_update().filter(pk__in=place_ids, territory=territory))
    now = timezone.now()
    for place in places:
        place.confirmed_at = now
        place.version += 1
        place.updated_at = now
    if places:
        bulk_update_with_history(
            places,
            Place,
            fields=["confirmed_at", "version", "updated_at"],
            batch_size=BATCH_SIZE,
            default_change_reason=reason,
        )
        services.directory_changed(territory.pk)
    return len(places)
