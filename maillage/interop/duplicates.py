"""Writes of deduplication: find candidate pairs, merge or reject them (one transaction each)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.core.actors import Actor, require, user_of
from maillage.directory import services as directory_services
from maillage.directory.models import Place
from maillage.interop import deduplication, permissions
from maillage.interop.models import DuplicateCandidate, SourceRecord
from maillage.territories.models import Territory


@transaction.atomic
def duplicates_detect(*, territory: Territory, by: Actor) -> int:
    """Look for duplicate places (published and drafts) and record the new candidate pairs.
    Pairs already decided (merged or rejected) are never proposed again."""
    require(by, lambda user: permissions.can_review_duplicates(user, territory))
    places = list(
        Place.objects.filter(territory=territory)
        .exclude(status=Place.Status.ARCHIVED)
        .select_related("organisation")
        .only(
            "pk",
            "name",
            "latitude",
            "longitude",
            "phone",
            "email",
            "website",
            "organisation__siret",
        )
    )
    rows = [
        deduplication.PlaceRow(
            p.pk,
            p.name,
            p.latitude,
            p.longitude,
            p.phone,
            p.email,
            p.website,
            p.organisation.siret,
            p.address,
            p.postal_code,
            p.location_precision == Place.Precision.COMMUNE,
        )
        for p in places
    ]
    known = set(
        DuplicateCandidate.objects.filter(territory=territory).values_list(
            "place_a_id", "place_b_id"
        )
    )
    new = [
        DuplicateCandidate(
            territory=territory,
            place_a_id=c.a,
            place_b_id=c.b,
            score=c.score,
            distance_m=c.distance_m,
            reasons=list(c.reasons),
        )
        for c in deduplication.find_candidates(rows)
        if (c.a, c.b) not in known
    ]
    DuplicateCandidate.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def duplicate_merge(*, candidate: DuplicateCandidate, keep: Place, by: Actor) -> Place:
    """Keep `keep`, archive the other place; every source's provenance moves to the kept place
    (so that re-imports of either source update it)."""
    require(by, lambda user: permissions.can_review_duplicates(user, candidate.territory))
    if keep.pk not in (candidate.place_a_id, candidate.place_b_id):
        raise ValidationError({"keep": _("Choose one of the two places.")})
    other_id = candidate.place_b_id if keep.pk == candidate.place_a_id else candidate.place_a_id
    other = Place.objects.get(pk=other_id)
    SourceRecord.objects.filter(place=other).update(place=keep)
    directory_services.place_set_status(place=other, status=Place.Status.ARCHIVED, by=by)
    candidate.status = DuplicateCandidate.Status.MERGED
    candidate.kept = keep
    candidate.decided_by = user_of(by)
    candidate.decided_at = timezone.now()
    candidate.save()
    return keep


@transaction.atomic
def duplicate_reject(*, candidate: DuplicateCandidate, by: Actor) -> DuplicateCandidate:
    """Remember that the two places are different (never proposed again)."""
    require(by, lambda user: permissions.can_review_duplicates(user, candidate.territory))
    candidate.status = DuplicateCandidate.Status.REJECTED
    candidate.decided_by = user_of(by)
    candidate.decided_at = timezone.now()
    candidate.save()
    return candidate
