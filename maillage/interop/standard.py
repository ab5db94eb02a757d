"""The national standard of digital-mediation places, v1.0.2 (pinned).

"Standard de données des lieux de médiation numérique", LaMednum/standard-mediation-num,
schema.json at commit e347ff40a0072ed2e0caf7f04384dfd2c84dbaff, kept in
data/standards/lieux-mediation-numerique/schema-v1.0.2.json (Frictionless Table Schema).
Multi-valued cells are separated by `|`. The mapping of the standard's French wording to the
directory's keys is `Term.standard` in maillage/directory/vocabularies.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from maillage.core.uploads import RowReport
from maillage.directory import vocabularies as voc
from maillage.directory.selectors import place_open_data_id
from maillage.interop.records import Record, standard_from_keys, terms_from_standard

VERSION = "1.0.2"
SCHEMA_PATH = (
    Path(settings.BASE_DIR)
    / "data"
    / "standards"
    / "lieux-mediation-numerique"
    / "schema-v1.0.2.json"
)
SOURCE_URL = "https://github.com/LaMednum/standard-mediation-num"
UNKNOWN_PIVOT = "00000000000000"  # the national cartography's value when no SIRET is known

# Standard column → (directory field, vocabulary) for multi-valued cells kept on the place.
_PLACE_LISTS = {
    "publics_specifiquement_adresses": ("publics", voc.PUBLICS),
    "prise_en_charge_specifique": ("specific_support", voc.SPECIFIC_SUPPORT),
    "frais_a_charge": ("fees", voc.FEES),
    "modalites_acces": ("access_modes", voc.ACCESS_MODES),
    "modalites_accompagnement": ("support_formats", voc.SUPPORT_FORMATS),
}
# The national cartography's `typologie` codes → the directory's organisation kinds.
TYPOLOGIE_TO_KIND = {
    "ASSO": "association",
    "CCAS": "ccas",
    "CIAS": "ccas",
    "BIB": "library",
    "MUNI": "commune",
    "CS": "social_centre",
    "CSC": "social_centre",
    "FRANCE_SERVICE": "france_services",
    "MSAP": "france_services",
    "EPN": "public_digital_space",
    "CHRS": "shelter",
    "ENTREP": "company",
}
KIND_TO_TYPOLOGIE = {
    "association": "ASSO",
    "ccas": "CCAS",
    "library": "BIB",
    "commune": "MUNI",
    "social_centre": "CS",
    "france_services": "FRANCE_SERVICE",
    "public_digital_space": "EPN",
    "shelter": "CHRS",
    "company": "ENTREP",
}
_FR_PHONE = re.compile(r"^0[1-9]\d{8}$")


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def field_names() -> tuple[str, ...]:
    return tuple(f["name"] for f in schema()["fields"])


@cache
def _patterns() -> dict[str, re.Pattern]:
    return {
        f["name"]: re.compile(f["constraints"]["pattern"])
        for f in schema()["fields"]
        if f.get("constraints", {}).get("pattern")
    }


def split_values(value: str) -> list[str]:
    """The values of a multi-valued cell of the standard (separated by `|`)."""
    return [v.strip() for v in value.split("|") if v.strip()]


def _keys(column: str, value: str, terms, row: int, issues: list[RowReport]) -> list[str]:
    mapping = terms_from_standard(terms)
    keys = []
    for item in split_values(value):
        if item in mapping:
            if mapping[item] not in keys:
                keys.append(mapping[item])
        else:
            issues.append(
                RowReport(
                    row=row,
                    column=column,
                    value=item,
                    message=_("Unknown value; the standard v%(version)s accepts: %(values)s.")
                    % {"version": VERSION, "values": "; ".join(mapping)},
                )
            )
    return keys


def _number(column: str, value: str, row: int, issues: list[RowReport]) -> float | None:
    if not value:
        return None
    try:
        return float(value.replace(",", "."))
    except ValueError:
        issues.append(
            RowReport(
                row=row, column=column, value=value, message=_("Expected a number, like 44.8378.")
            )
        )
        return None


def record_from_row(row: dict[str, str], number: int) -> tuple[Record | None, list[RowReport]]:
    """Read one row of the standard (CSV cells or JSON values as strings)."""
    issues: list[RowReport] = []
    get = {k: ("" if v is None else str(v).strip()) for k, v in row.items()}.get
    if not any(get(name, "") for name in field_names()):
        return None, [
            RowReport(
                row=number,
                column="",
                value="",
                message=_("Empty row, or no column of the standard."),
            )
        ]
    for f in schema()["fields"]:
        if f.get("constraints", {}).get("required") and not get(f["name"], ""):
            issues.append(
                RowReport(
                    row=number, column=f["name"], value="", message=_("Required by the standard.")
                )
            )
    checked_by_vocabulary = {*_PLACE_LISTS, "services", "dispositif_programmes_nationaux"}
    for name, pattern in _patterns().items():
        value = get(name, "")
        if value and name not in checked_by_vocabulary and not pattern.fullmatch(value):
            issues.append(
                RowReport(
                    row=number,
                    column=name,
                    value=value,
                    message=_("Does not match the format of the standard (%(pattern)s).")
                    % {"pattern": pattern.pattern},
                )
            )
    updated_on = None
    if get("date_maj", ""):
        try:
            updated_on = dt.date.fromisoformat(get("date_maj", ""))
        except ValueError:
            issues.append(
                RowReport(
                    row=number,
                    column="date_maj",
                    value=get("date_maj", ""),
                    message=_("Expected a date YYYY-MM-DD."),
                )
            )
    latitude = _number("latitude", get("latitude", ""), number, issues)
    longitude = _number("longitude", get("longitude", ""), number, issues)
    if (latitude is None) != (longitude is None):
        issues.append(
            RowReport(
                row=number,
                column="longitude",
                value="",
                message=_("Give both latitude and longitude, or neither."),
            )
        )
    summary = get("presentation_resume", "")
    if len(summary) > 280:
        issues.append(
            RowReport(
                row=number,
                column="presentation_resume",
                value=summary[:40],
                message=_("At most 280 characters."),
            )
        )
    place: dict[str, Any] = {
        "name": get("nom", ""),
        "is_mobile": "Itinérant" in split_values(get("itinerance", "")),
        "address": get("adresse", ""),
        "address_complement": get("complement_adresse", ""),
        "postal_code": get("code_postal", ""),
        "area": get("code_insee", ""),
        "latitude": latitude,
        "longitude": longitude,
        "location_precision": "address" if latitude is not None else "commune",
        "opening_hours": get("horaires", ""),
        "phone": get("telephone", ""),
        "email": (split_values(get("courriels", "")) or [""])[0],
        "website": (split_values(get("site_web", "")) or [""])[0],
        "appointment_url": get("prise_rdv", ""),
        "summary": summary,
        "description": get("presentation_detail", ""),
    }
    for column, (name, terms) in _PLACE_LISTS.items():
        place[name] = _keys(column, get(column, ""), terms, number, issues)
    place["services"] = sorted(_keys("services", get("services", ""), voc.SERVICES, number, issues))
    labels = _keys(
        "dispositif_programmes_nationaux",
        get("dispositif_programmes_nationaux", ""),
        voc.PROGRAMMES,
        number,
        issues,
    )
    pivot = get("pivot", "")
    siret = pivot if len(pivot) == 14 and pivot.isdigit() and pivot != UNKNOWN_PIVOT else ""
    parent = get("structure_parente", "")  # "SIRET ou nom de la structure parente"
    typologies = split_values(get("typologie", ""))
    kind = next((TYPOLOGIE_TO_KIND[t] for t in typologies if t in TYPOLOGIE_TO_KIND), "other")
    if issues:
        return None, issues
    return (
        Record(
            row=number,
            source_id=get("id", ""),
            place=place,
            organisation_name=parent if parent and not parent.isdigit() else get("nom", ""),
            organisation_siret=siret,
            organisation_kind=kind,
            organisation_labels=labels,
            updated_on=updated_on,
            commune_name=get("commune", ""),
        ),
        [],
    )


# Directory field → the standard's column, to report errors found by the directory's checks.
COLUMN_OF_FIELD = {
    "name": "nom",
    "address": "adresse",
    "address_complement": "complement_adresse",
    "postal_code": "code_postal",
    "area": "code_insee",
    "latitude": "latitude",
    "longitude": "longitude",
    "opening_hours": "horaires",
    "phone": "telephone",
    "email": "courriels",
    "website": "site_web",
    "appointment_url": "prise_rdv",
    "summary": "presentation_resume",
    "description": "presentation_detail",
    "services": "services",
    "siret": "pivot",
    "labels": "dispositif_programmes_nationaux",
    **{name: column for column, (name, _terms) in _PLACE_LISTS.items()},
}


def phone_for_standard(phone: str) -> str:
    """French numbers written nationally (05 56…) in the standard's +33 form; others as they are
    when they already match the standard, else left out (the standard would reject them)."""
    digits = re.sub(r"[^\d+]", "", phone)
    if _FR_PHONE.match(digits):
        digits = "+33" + digits[1:]
    return digits if digits and _patterns()["telephone"].match(digits) else ""


def row_from_place(place, *, territory_slug: str) -> dict[str, str]:
    """One row of the standard for a published place (values as strings, `|` between values)."""
    organisation = place.organisation
    source = f"Maillage {territory_slug}"
    if place.is_example or organisation.is_example:
        source += " (EXEMPLE : données inventées pour la démonstration)"
    services = sorted(s["service"] for s in place.services_snapshot)
    return {
        "id": place_open_data_id(territory_slug, place.pk),
        "pivot": organisation.siret or UNKNOWN_PIVOT,
        "nom": place.name,
        "commune": place.area.name,
        "code_postal": place.postal_code or (place.area.postal_codes or [""])[0],
        "code_insee": place.area.code,
        "adresse": place.address,
        "complement_adresse": place.address_complement,
        "latitude": f"{place.latitude:.6f}".rstrip("0").rstrip("."),
        "longitude": f"{place.longitude:.6f}".rstrip("0").rstrip("."),
        "typologie": KIND_TO_TYPOLOGIE.get(organisation.kind, ""),
        "telephone": phone_for_standard(place.phone),
        "courriels": place.email,
        "site_web": place.website,
        "horaires": place.opening_hours,
        "presentation_resume": place.summary,
        "presentation_detail": place.description,
        "source": source,
        "itinerance": "Itinérant" if place.is_mobile else "Fixe",
        "structure_parente": organisation.name if organisation.name != place.name else "",
        "date_maj": (place.confirmed_at or place.updated_at).date().isoformat(),
        "services": "|".join(standard_from_keys(voc.SERVICES, services)),
        "publics_specifiquement_adresses": "|".join(standard_from_keys(voc.PUBLICS, place.publics)),
        "prise_en_charge_specifique": "|".join(
            standard_from_keys(voc.SPECIFIC_SUPPORT, place.specific_support)
        ),
        "frais_a_charge": "|".join(standard_from_keys(voc.FEES, place.fees)),
        "dispositif_programmes_nationaux": "|".join(
            standard_from_keys(voc.PROGRAMMES, organisation.labels)
        ),
        "formations_labels": "",
        "autres_formations_labels": "",
        "modalites_acces": "|".join(standard_from_keys(voc.ACCESS_MODES, place.access_modes)),
        "modalites_accompagnement": "|".join(
            standard_from_keys(voc.SUPPORT_FORMATS, place.support_formats)
        ),
        "fiche_acces_libre": "",
        "prise_rdv": place.appointment_url,
    }


def exportable(place) -> bool:
    """The standard requires an address and a postal code; a place without them (e.g. placed at
    its commune's centre) is left out of the standard's files and counted on the open-data page."""
    return bool(place.address and (place.postal_code or place.area.postal_codes))
