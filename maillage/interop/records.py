"""The neutral form of an imported row, between a file format and the directory."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from maillage.core.uploads import RowReport
from maillage.directory import vocabularies as voc

# Directory fields an import may set on a place (a subset of services.EDITABLE_FIELDS).
IMPORTED_FIELDS = (
    "name",
    "is_mobile",
    "address",
    "address_complement",
    "postal_code",
    "area",  # the INSEE code here; resolved to the territory's Area when written
    "latitude",
    "longitude",
    "location_precision",
    "opening_hours",
    "phone",
    "email",
    "website",
    "appointment_url",
    "publics",
    "specific_support",
    "support_formats",
    "access_modes",
    "fees",
    "summary",
    "description",
    "services",  # sorted list of service keys
)


def report_as_dict(report: RowReport) -> dict[str, Any]:
    """A row report as an import run stores it (`ImportRun.issues` and `.notes`). `row` is the
    row in the file (the header is row 1) or the position in a JSON array (first = 1)."""
    return {
        "row": report.row,
        "field": report.column,
        "value": report.value,
        "reason": report.message,
    }


@dataclass
class Record:
    row: int
    source_id: str
    place: dict[str, Any]  # IMPORTED_FIELDS → value; `area` is an INSEE code
    organisation_name: str
    organisation_siret: str = ""
    organisation_kind: str = "other"
    organisation_labels: list[str] = field(default_factory=list)
    updated_on: dt.date | None = None
    commune_name: str = ""


_BY_WORDING: dict[int, dict[str, str]] = {}


def terms_from_standard(terms: tuple[voc.Term, ...]) -> dict[str, str]:
    """The standard's French wording → the directory's key (from `Term.standard`). Cached by
    the vocabulary's identity: hashing the terms would translate their lazy labels."""
    mapping = _BY_WORDING.get(id(terms))
    if mapping is None:
        mapping = _BY_WORDING[id(terms)] = {t.standard: t.key for t in terms if t.standard}
    return mapping


def standard_from_keys(terms: tuple[voc.Term, ...], keys: list[str]) -> list[str]:
    by_key = {t.key: t.standard for t in terms}
    return [by_key[k] for k in keys if by_key.get(k)]
