"""The open-data files of a territory's published directory.

Every file is built from the same rows: the published places (`selectors.published_places`).
CSV cells that a spreadsheet would run as a formula are neutralised (`web.spreadsheets`).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from maillage.directory import vocabularies as voc
from maillage.directory.selectors import place_open_data_id
from maillage.interop import datainclusion, standard
from maillage.web import spreadsheets

LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}


def _csv(rows: Iterable[dict[str, str]], fields: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = spreadsheets.DictWriter(buffer, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def lieux_csv(places, *, territory) -> str:
    rows = (
        standard.row_from_place(p, territory_slug=territory.slug)
        for p in places
        if standard.exportable(p)
    )
    return _csv(rows, standard.field_names())


def lieux_json(places, *, territory) -> str:
    rows = [
        standard.row_from_place(p, territory_slug=territory.slug)
        for p in places
        if standard.exportable(p)
    ]
    return json.dumps(rows, ensure_ascii=False, indent=1)


def data_inclusion_json(places, *, territory) -> str:
    document = datainclusion.document_from_places(places, territory_slug=territory.slug)
    return json.dumps(document, ensure_ascii=False, indent=1)


def geojson(places, *, territory) -> str:
    features = []
    for place in places:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [place.longitude, place.latitude]},
                "properties": {
                    "id": place_open_data_id(territory.slug, place.pk),
                    "nom": place.name,
                    "structure": place.organisation.name,
                    "commune": place.area.name,
                    "code_insee": place.area.code,
                    "adresse": place.address,
                    "code_postal": place.postal_code,
                    "precision": place.location_precision,
                    "horaires": place.opening_hours,
                    "telephone": place.phone,
                    "courriel": place.email,
                    "site_web": place.website,
                    "services": [
                        voc.SERVICE_BY_KEY[s["service"]].standard
                        for s in place.services_snapshot
                        if s["service"] in voc.SERVICE_BY_KEY
                    ],
                    "exemple": place.is_example or place.organisation.is_example,
                },
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def last_update(places) -> str:
    dates = [(p.confirmed_at or p.updated_at) for p in places]
    return max(dates).date().isoformat() if dates else ""


def datapackage(places, *, territory) -> str:
    """Frictionless Data Package describing the CSV export with the standard's table schema."""
    schema = dict(standard.schema())
    updated = last_update(places)
    package = {
        "profile": "tabular-data-package",
        "name": f"maillage-{territory.slug}-lieux-mediation-numerique",
        "title": f"Lieux de médiation numérique – {territory.name}",
        "licenses": [LICENCE],
        "created": updated,
        "sources": [
            {
                "title": "Standard de données des lieux de médiation numérique",
                "path": standard.SOURCE_URL,
            }
        ],
        "resources": [
            {
                "name": "lieux",
                "path": "lieux.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "doubleQuote": True},
                "schema": schema,
            }
        ],
    }
    return json.dumps(package, ensure_ascii=False, indent=1)


@dataclass(frozen=True)
class Download:
    key: str
    filename: str
    media_type: str
    label: str
    build: Callable[..., str]


DOWNLOADS = (
    Download(
        "lieux-csv",
        "lieux.csv",
        "text/csv; charset=utf-8",
        _("National standard of digital-mediation places v1.0.2 (CSV)"),
        lieux_csv,
    ),
    Download(
        "lieux-json",
        "lieux.json",
        "application/json",
        _("National standard of digital-mediation places v1.0.2 (JSON)"),
        lieux_json,
    ),
    Download(
        "data-inclusion",
        "data-inclusion.json",
        "application/json",
        _("data·inclusion v1 structures and services (JSON)"),
        data_inclusion_json,
    ),
    Download(
        "geojson",
        "lieux.geojson",
        "application/geo+json",
        _("Map of the places (GeoJSON)"),
        geojson,
    ),
    Download(
        "datapackage",
        "datapackage.json",
        "application/json",
        _("Frictionless data package (description of the CSV with its table schema)"),
        datapackage,
    ),
)
DOWNLOAD_BY_KEY = {d.key: d for d in DOWNLOADS}
