"""data·inclusion schema v1 (pinned: package data-inclusion-schema 1.0.8,
gip-inclusion/data-inclusion-schema @ df9ce7ff38d313951193df749e63ec4eb10d8c1a), kept in
data/standards/data-inclusion-v1/ (structure.json, service.json: JSON Schema).

A file is a JSON object {"structures": [...], "services": [...]}. One structure is one place of
the directory; its services become the place's services: by the standard's French wording in
`nom` when Maillage wrote it, else by the `numerique--*` thematiques.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from maillage.core.uploads import RowReport
from maillage.directory import vocabularies as voc
from maillage.interop.records import Record, terms_from_standard
from maillage.interop.standard import phone_for_standard

VERSION = "1.0.8"
FOLDER = Path(settings.BASE_DIR) / "data" / "standards" / "data-inclusion-v1"
SOURCE_URL = "https://github.com/gip-inclusion/data-inclusion-schema"
SOURCE = "maillage"

THEMATIQUE_OF_SERVICE = {
    "AideAuxDemarchesAdministratives": "numerique--acceder-a-des-services-en-ligne",
    "AccesInternetEtMaterielInformatique": "numerique--acceder-a-une-connexion-internet",
    "MaterielInformatiqueAPrixSolidaire": "numerique--acquerir-un-equipement",
    "MaitriseDesOutilsNumeriquesDuQuotidien": "numerique--maitriser-les-fondamentaux-du-numerique",
    "UtilisationSecuriseeDuNumerique": "numerique--maitriser-les-fondamentaux-du-numerique",
    "InsertionProfessionnelleViaLeNumerique": "numerique--acceder-a-des-services-en-ligne",
    "ParentaliteEtEducationAvecLeNumerique": "numerique--maitriser-les-fondamentaux-du-numerique",
    "ComprehensionDuMondeNumerique": "numerique--maitriser-les-fondamentaux-du-numerique",
    "LoisirsEtCreationsNumeriques": "numerique--maitriser-les-fondamentaux-du-numerique",
}
# Reading a file from another producer: the first service of each thématique (lossy by nature).
SERVICE_OF_THEMATIQUE = {}
for _key, _theme in THEMATIQUE_OF_SERVICE.items():
    SERVICE_OF_THEMATIQUE.setdefault(_theme, _key)
FRAIS_OF_FEE = {"Gratuit": "gratuit", "GratuitSousCondition": "gratuit", "Payant": "payant"}
FEE_OF_FRAIS = {"gratuit": "Gratuit", "payant": "Payant"}
PUBLIC_OF_KEY = {
    "Jeunes": "jeunes",
    "Etudiants": "etudiants",
    "FamillesEnfants": "familles",
    "Seniors": "seniors",
    "Femmes": "femmes",
}
KEY_OF_PUBLIC = {v: k for k, v in PUBLIC_OF_KEY.items()}


@cache
def json_schema(name: str) -> dict[str, Any]:
    """`structure` or `service` JSON Schema, as published."""
    return json.loads((FOLDER / f"{name}.json").read_text(encoding="utf-8"))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def records_from_document(document: Any) -> tuple[list[Record], list[RowReport], int]:
    """Records, issues and the number of structures read. Rows are numbered from 1 in the
    `structures` array; a service's issue is reported on its structure's row."""
    if not isinstance(document, dict) or not isinstance(document.get("structures"), list):
        return (
            [],
            [
                RowReport(
                    row=0,
                    column="structures",
                    value="",
                    message=_('Expected {"structures": [...], "services": [...]}.'),
                )
            ],
            0,
        )
    structures = document["structures"]
    services_of: dict[str, list[dict]] = {}
    for service in document.get("services") or []:
        if isinstance(service, dict):
            services_of.setdefault(_text(service.get("structure_id")), []).append(service)
    by_wording = terms_from_standard(voc.SERVICES)
    records, issues = [], []
    for index, item in enumerate(structures, start=1):
        row_issues: list[RowReport] = []
        if not isinstance(item, dict):
            issues.append(
                RowReport(row=index, column="", value="", message=_("Expected an object."))
            )
            continue
        for required in ("source", "id", "nom", "date_maj"):
            if not _text(item.get(required)):
                row_issues.append(
                    RowReport(
                        row=index,
                        column=required,
                        value="",
                        message=_("Required by data·inclusion."),
                    )
                )
        updated_on = None
        try:
            updated_on = dt.date.fromisoformat(_text(item.get("date_maj")))
        except ValueError:
            if _text(item.get("date_maj")):
                row_issues.append(
                    RowReport(
                        row=index,
                        column="date_maj",
                        value=_text(item.get("date_maj")),
                        message=_("Expected a date YYYY-MM-DD."),
                    )
                )
        latitude, longitude = item.get("latitude"), item.get("longitude")
        for name, value in (("latitude", latitude), ("longitude", longitude)):
            if value is not None and not isinstance(value, int | float):
                row_issues.append(
                    RowReport(
                        row=index, column=name, value=_text(value), message=_("Expected a number.")
                    )
                )
        if not _text(item.get("code_insee")):
            row_issues.append(
                RowReport(
                    row=index,
                    column="code_insee",
                    value="",
                    message=_("The commune's INSEE code is needed."),
                )
            )
        offers: set[str] = set()
        fees: set[str] = set()
        publics: set[str] = set()
        remote = False
        for service in services_of.get(_text(item.get("id")), []):
            key = by_wording.get(_text(service.get("nom")))
            if key is None:
                key = next(
                    (
                        SERVICE_OF_THEMATIQUE[t]
                        for t in service.get("thematiques") or []
                        if t in SERVICE_OF_THEMATIQUE
                    ),
                    None,
                )
            if key:
                offers.add(key)
            if service.get("frais") in FEE_OF_FRAIS:
                fees.add(FEE_OF_FRAIS[service["frais"]])
            publics.update(
                KEY_OF_PUBLIC[p] for p in service.get("publics") or [] if p in KEY_OF_PUBLIC
            )
            remote = remote or "a-distance" in (service.get("modes_accueil") or [])
        if row_issues:
            issues.extend(row_issues)
            continue
        has_position = isinstance(latitude, int | float) and isinstance(longitude, int | float)
        place = {
            "name": _text(item.get("nom")),
            "is_mobile": False,
            "address": _text(item.get("adresse")),
            "address_complement": _text(item.get("complement_adresse")),
            "postal_code": _text(item.get("code_postal")),
            "area": _text(item.get("code_insee")),
            "latitude": float(latitude) if has_position else None,
            "longitude": float(longitude) if has_position else None,
            "location_precision": "address" if has_position else "commune",
            "opening_hours": _text(item.get("horaires_accueil")),
            "phone": _text(item.get("telephone")),
            "email": _text(item.get("courriel")),
            "website": _text(item.get("site_web")),
            "appointment_url": "",
            "publics": sorted(publics),
            "specific_support": [],
            "support_formats": ["ADistance"] if remote else [],
            "access_modes": [],
            "fees": sorted(fees),
            "summary": "",
            "description": _text(item.get("description")),
            "services": sorted(offers),
        }
        siret = _text(item.get("siret"))
        records.append(
            Record(
                row=index,
                source_id=_text(item.get("id")),
                place=place,
                organisation_name=_text(item.get("nom")),
                organisation_siret=siret,
                updated_on=updated_on,
                commune_name=_text(item.get("commune")),
            )
        )
    return records, issues, len(structures)


def _or_none(value: str) -> str | None:
    return value or None


def document_from_places(places, *, territory_slug: str) -> dict[str, list[dict]]:
    """{"structures": [...], "services": [...]} for published places (valid against v1)."""
    structures, services = [], []
    for place in places:
        example = place.is_example or place.organisation.is_example
        source = f"{SOURCE}-exemple" if example else SOURCE  # invented data says so
        structure_id = f"{source}--{territory_slug}-{place.pk}"
        updated = (place.confirmed_at or place.updated_at).date().isoformat()
        name = place.name[:150].rstrip(".") or place.name
        description = place.description or place.summary
        structures.append(
            {
                "source": source,
                "id": structure_id,
                "nom": name,
                "date_maj": updated,
                "description": description if len(description) >= 5 else None,
                "lien_source": None,
                "siret": _or_none(place.organisation.siret),
                "commune": place.area.name,
                "code_postal": _or_none(place.postal_code),
                "code_insee": place.area.code,
                "adresse": _or_none(place.address),
                "complement_adresse": _or_none(place.address_complement),
                "longitude": place.longitude,
                "latitude": place.latitude,
                "telephone": _or_none(phone_for_standard(place.phone) or place.phone),
                "courriel": _or_none(place.email),
                "site_web": _or_none(place.website),
                "horaires_accueil": _or_none(place.opening_hours),
                "accessibilite_lieu": None,
                "reseaux_porteurs": None,
            }
        )
        frais = sorted({FRAIS_OF_FEE[f] for f in place.fees if f in FRAIS_OF_FEE})
        publics = sorted({PUBLIC_OF_KEY[p] for p in place.publics if p in PUBLIC_OF_KEY})
        for offer in place.services_snapshot:
            term = voc.SERVICE_BY_KEY.get(offer["service"])
            if term is None:
                continue
            services.append(
                {
                    "source": source,
                    "structure_id": structure_id,
                    "id": f"{structure_id}--{term.key}",
                    "nom": term.standard,
                    "description": f"{term.standard} ({name}).",
                    "date_maj": updated,
                    "thematiques": [THEMATIQUE_OF_SERVICE[term.key]],
                    "frais": frais[0] if len(frais) == 1 else None,
                    "publics": publics or None,
                    "modes_accueil": ["a-distance", "en-presentiel"]
                    if "ADistance" in place.support_formats
                    else ["en-presentiel"],
                    "code_insee": place.area.code,
                    "commune": place.area.name,
                    "latitude": place.latitude,
                    "longitude": place.longitude,
                }
            )
    return {"structures": structures, "services": services}
