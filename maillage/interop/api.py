"""Open-data endpoints: the same files as the open-data page."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from maillage.core.api_errors import LOOKUP_ERRORS
from maillage.interop import exports, permissions, selectors
from maillage.territories.models import Territory

router = Router(tags=["interop"])


class DownloadOut(Schema):
    key: str
    filename: str
    media_type: str
    label: str
    url: str


class OpenDataOut(Schema):
    territory: str
    licence: str
    licence_url: str
    updated: str
    places: int
    example_places: int
    downloads: list[DownloadOut]


@router.get(
    "/territories/{slug}/open-data",
    response={200: OpenDataOut, **LOOKUP_ERRORS},
    summary="The open-data files of a territory's published directory",
)
def open_data(request, slug: str):
    territory = get_object_or_404(Territory, slug=slug)
    if not permissions.can_download(request.user, territory):
        raise Http404
    summary = selectors.open_data_summary(territory)
    return {
        "territory": territory.slug,
        "licence": summary.licence["title"],
        "licence_url": summary.licence["path"],
        "updated": summary.updated,
        "places": summary.places,
        "example_places": summary.examples,
        "downloads": [
            {
                "key": d.key,
                "filename": d.filename,
                "media_type": d.media_type,
                "label": str(d.label),
                "url": request.build_absolute_uri(
                    f"/api/v1/territories/{territory.slug}/open-data/{d.key}"
                ),
            }
            for d in summary.downloads
        ],
    }


def _file_content() -> dict:
    """The OpenAPI `content` of a file's answer: each media type of the downloads, text for
    CSV, any JSON value for the others."""
    content: dict = {}
    for download in exports.DOWNLOADS:
        media_type = download.media_type.split(";")[0]
        content[media_type] = {"schema": {"type": "string"} if media_type == "text/csv" else {}}
    return content


@router.get(
    "/territories/{slug}/open-data/{key}",
    response=LOOKUP_ERRORS,
    summary="One open-data file (CSV, JSON, GeoJSON or datapackage.json)",
    description="Keys: lieux-csv, lieux-json, data-inclusion, geojson, datapackage; "
    "another key answers 404.",
    openapi_extra={
        "responses": {
            200: {"description": "The file, as an attachment", "content": _file_content()}
        }
    },
)
def open_data_file(request, slug: str, key: str):
    territory = get_object_or_404(Territory, slug=slug)
    if not permissions.can_download(request.user, territory):
        raise Http404
    try:
        item, content = selectors.download_content(territory, key)
    except KeyError as error:
        raise Http404 from error
    response = HttpResponse(content, content_type=item.media_type)
    response["Content-Disposition"] = f'attachment; filename="{territory.slug}-{item.filename}"'
    return response
