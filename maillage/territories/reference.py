"""The national reference of French communes shipped in `data/communes/` (read-only, no
database): what `manage.py territory_create` builds a territory from.

- `communes.json.gz`, `epci.json.gz`, `departements.json.gz`: `@etalab/decoupage-administratif`
  6.0.0, millésime 2026 (INSEE's Code officiel géographique, the DGCL's intercommunalities,
  INSEE's legal populations in force in 2026, i.e. those of 2023; La Poste's postal codes).
- `france-communes-centroids-2018.csv`: centre of each commune (area-weighted centroid of its
  IGN Admin Express 2018 contour); communes created since then take the mean centre of the
  former communes they now hold (delegated or associated communes of the reference).
- `communes-<département>-2018.geojson`: contours, for the départements the repository has.
See data/README.md for sources and licences.
"""

from __future__ import annotations

import csv
import gzip
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "data" / "communes"
SOURCE = (
    "INSEE COG and legal populations in force in 2026 (@etalab/decoupage-administratif 6.0.0); "
    "centres and contours: IGN Admin Express COG 2018 (france-geojson)"
)
POPULATION_YEAR = 2023  # INSEE's legal populations "millésime 2023", in force on 1 January 2026


class UnknownCode(ValueError):
    """A code the reference does not know; the message says what to give instead."""


@dataclass(frozen=True)
class CommuneRef:
    code: str
    name: str
    departement: str
    population: int
    postal_codes: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    contour: dict[str, Any] | None


@dataclass(frozen=True)
class Selection:
    name: str  # the EPCI's or département's name, or "" for a list of communes
    kind: str  # Territory.Kind value
    official_code: str
    communes: list[CommuneRef]


@cache
def _read_json(name: str) -> list[dict[str, Any]]:
    """One file of the reference, decompressed and parsed once per process (read-only)."""
    with gzip.open(DATA / f"{name}.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)


@cache
def _communes() -> dict[str, dict[str, Any]]:
    return {c["code"]: c for c in _read_json("communes") if c["type"] == "commune-actuelle"}


@cache
def _former_communes() -> dict[str, list[str]]:
    """Current commune code → codes of the delegated/associated communes it holds."""
    held: dict[str, list[str]] = {}
    for c in _read_json("communes"):
        if c["type"] in {"commune-deleguee", "commune-associee"} and c.get("chefLieu"):
            held.setdefault(c["chefLieu"], []).append(c["code"])
    return held


@cache
def _centres() -> dict[str, tuple[float, float]]:
    with open(DATA / "france-communes-centroids-2018.csv", encoding="utf-8") as f:
        return {
            row["code_insee"]: (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(f)
        }


@cache
def _contours(departement: str) -> dict[str, dict[str, Any]]:
    paths = sorted(DATA.glob(f"communes-{departement}-*-2018.geojson"))
    if not paths:
        return {}
    features = json.loads(paths[0].read_text(encoding="utf-8"))["features"]
    return {f["properties"]["code"]: f["geometry"] for f in features}


def _centre(code: str) -> tuple[float, float] | None:
    centres = _centres()
    if code in centres:
        return centres[code]
    former = [centres[c] for c in _former_communes().get(code, []) if c in centres]
    if not former:
        return None
    return (
        sum(lat for lat, _lon in former) / len(former),
        sum(lon for _lat, lon in former) / len(former),
    )


def commune(code: str) -> CommuneRef:
    """One current commune by its INSEE code."""
    record = _communes().get(code.strip().upper())
    if record is None:
        raise UnknownCode(
            f"{code!r} is not the INSEE code of a current commune (5 characters, for example "
            f"33063 for Bordeaux; arrondissements of Paris, Lyon and Marseille are not communes)"
        )
    centre = _centre(record["code"])
    return CommuneRef(
        code=record["code"],
        name=record["nom"],
        departement=record["departement"],
        population=int(record.get("population") or 0),
        postal_codes=tuple(record.get("codesPostaux") or ()),
        latitude=centre[0] if centre else None,
        longitude=centre[1] if centre else None,
        contour=_contours(record["departement"]).get(record["code"]),
    )


def epci(siren: str) -> Selection:
    """An intercommunality (EPCI à fiscalité propre) by its SIREN, with its member communes."""
    found = next((e for e in _read_json("epci") if e["code"] == siren.strip()), None)
    if found is None:
        raise UnknownCode(
            f"{siren!r} is not the SIREN of an intercommunality of 2026 (9 digits, for "
            f"example 243300316 for Bordeaux Métropole)"
        )
    members = [commune(m["code"]) for m in found["membres"]]
    return Selection(found["nom"], "epci", found["code"], sorted(members, key=lambda c: c.code))


def departement(code: str) -> Selection:
    """A département by its code (33, 2A, 971…), with all its communes."""
    wanted = code.strip().upper()
    found = next((d for d in _read_json("departements") if d["code"] == wanted), None)
    if found is None:
        raise UnknownCode(f"{code!r} is not a département code (for example 33, 2A or 971)")
    members = [commune(c) for c, r in sorted(_communes().items()) if r["departement"] == wanted]
    return Selection(found["nom"], "departement", found["code"], members)


def communes(codes: list[str]) -> Selection:
    """A territory made of the listed communes (a commune, a group of communes, a pays…)."""
    unique = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not unique:
        raise UnknownCode("Give at least one INSEE commune code.")
    problems = []
    members = []
    for code in unique:
        try:
            members.append(commune(code))
        except UnknownCode as error:
            problems.append(str(error))
    if problems:
        raise UnknownCode("; ".join(problems))
    kind = "commune" if len(members) == 1 else "other"
    return Selection(members[0].name if kind == "commune" else "", kind, "", members)
