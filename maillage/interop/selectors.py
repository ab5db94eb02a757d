"""Reads of the interop app: open-data files, import reports, duplicates, campaigns."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from maillage.directory.models import Place
from maillage.interop import exports, standard
from maillage.interop.models import (
    DuplicateCandidate,
    FieldConflict,
    FreshnessCampaign,
    FreshnessRequest,
    ImportRun,
)
from maillage.territories.models import Territory
from maillage.web import spreadsheets


def published_places(territory: Territory) -> QuerySet[Place]:
    return (
        Place.objects.published()
        .filter(territory=territory)
        .select_related("organisation", "area")
        .order_by("pk")
    )


@dataclass(frozen=True)
class OpenDataSummary:
    downloads: tuple[exports.Download, ...]
    places: int
    not_in_standard: int  # published places without the address the standard requires
    examples: int
    updated: str
    licence: dict


def open_data_summary(territory: Territory) -> OpenDataSummary:
    places = list(published_places(territory))
    return OpenDataSummary(
        downloads=exports.DOWNLOADS,
        places=len(places),
        not_in_standard=sum(1 for p in places if not standard.exportable(p)),
        examples=sum(1 for p in places if p.is_example or p.organisation.is_example),
        updated=exports.last_update(places),
        licence=exports.LICENCE,
    )


def download_content(territory: Territory, key: str) -> tuple[exports.Download, str]:
    """The file `key` of the territory's published directory (KeyError when unknown)."""
    download = exports.DOWNLOAD_BY_KEY[key]
    return download, download.build(list(published_places(territory)), territory=territory)


def import_runs(territory: Territory) -> QuerySet[ImportRun]:
    return ImportRun.objects.filter(territory=territory).select_related("by")


def run_report_csv(run: ImportRun) -> str:
    """The rejected rows of a run: row, field, value, reason (for a spreadsheet)."""
    buffer = io.StringIO()
    writer = spreadsheets.writer(buffer, lineterminator="\r\n")
    writer.writerow(["row", "field", "value", "reason"])
    for issue in run.issues:
        writer.writerow(
            [
                issue["row"],
                issue["field"],
                str(issue["value"]),
                issue["reason"],
            ]
        )
    return buffer.getvalue()


def run_notes_csv(run: ImportRun) -> str:
    """The notes of a run (values left out, not rejections): row, field, value, note."""
    buffer = io.StringIO()
    writer = spreadsheets.writer(buffer, lineterminator="\r\n")
    writer.writerow(["row", "field", "value", "note"])
    for note in run.notes:
        writer.writerow(
            [
                note["row"],
                note["field"],
                str(note["value"]),
                note["reason"],
            ]
        )
    return buffer.getvalue()


def open_conflicts(territory: Territory) -> QuerySet[FieldConflict]:
    return (
        FieldConflict.objects.filter(record__territory=territory, status=FieldConflict.Status.OPEN)
        .select_related("record__place", "run")
        .order_by("record__place__name", "field")
    )


def duplicate_candidates(territory: Territory, *, status: str = DuplicateCandidate.Status.OPEN):
    """Candidates whose two places are still in the directory (not archived)."""
    return (
        DuplicateCandidate.objects.filter(territory=territory, status=status)
        .exclude(place_a__status=Place.Status.ARCHIVED)
        .exclude(place_b__status=Place.Status.ARCHIVED)
        .select_related(
            "place_a__area", "place_b__area", "place_a__organisation", "place_b__organisation"
        )
    )


def campaigns(territory: Territory) -> QuerySet[FreshnessCampaign]:
    return FreshnessCampaign.objects.filter(territory=territory).annotate(
        sent=Count("requests"),
        answered=Count("requests", filter=~Q(requests__answer=FreshnessRequest.Answer.WAITING)),
    )


def campaign_requests(campaign: FreshnessCampaign) -> QuerySet[FreshnessRequest]:
    return campaign.requests.select_related("organisation")


def request_places(request: FreshnessRequest) -> QuerySet[Place]:
    return Place.objects.filter(pk__in=request.place_ids).select_related("area").order_by("name")
