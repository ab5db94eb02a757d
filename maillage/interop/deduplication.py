"""Finding places that several sources describe twice. No Django: plain rows in, pairs out.

Candidates come from three blocks: places within `CLOSE_M` (≈100 m) of each other (spatial
index of `analysis.geo.pairs_within`), places sharing an identifier (SIRET, phone, e-mail,
website) and places with the same street address and postal code. Names are compared with
RapidFuzz (`token_sort_ratio` on folded names without articles, 0–100). A pair is a candidate
when

- it is within `CLOSE_M` and the names are similar (≥ `NAME_SIMILAR`), or
- it is within `CLOSE_M` and shares two identifiers, or one identifier and the address, or
- it has the same address and similar names, whatever the distance (one of the two was
  geocoded badly: 275 m, 648 m and 2 km in the labelled set).

A network's shared phone, e-mail or website alone never makes a pair (a county's libraries
share one phone): the place must be the same location too. A position that is only the
commune's centre says nothing about the location: such a pair needs
similar names and a shared identifier, or the same address. The rule and its thresholds were
chosen on the labelled set of real pairs described in docs/interop.md (in-sample: see there).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from rapidfuzz import fuzz

from analysis.geo import haversine_km, pairs_within
from maillage.directory.text import fold

CLOSE_M = 100.0
NAME_SIMILAR = 80.0
MAX_SHARED_GROUP = 25  # an identifier shared by more places is a network's, not a place's
_NOISE = re.compile(r"\b(de|du|des|la|le|les|l|d|et|a|au|aux)\b")


@dataclass(frozen=True)
class PlaceRow:
    id: int
    name: str
    latitude: float
    longitude: float
    phone: str = ""
    email: str = ""
    website: str = ""
    siret: str = ""
    address: str = ""
    postal_code: str = ""
    approximate: bool = False  # placed at its commune's centre


@dataclass(frozen=True)
class Candidate:
    a: int  # the smaller id
    b: int
    score: float  # name similarity, 0–100
    distance_m: float
    reasons: tuple[str, ...] = field(default=())


def normalise_name(name: str) -> str:
    return " ".join(_NOISE.sub(" ", fold(name)).split())


def _identifiers(row: PlaceRow) -> list[tuple[str, str]]:
    keys = []
    digits = re.sub(r"\D", "", row.phone)
    if len(digits) >= 9:
        keys.append(("phone", digits[-9:]))
    if row.email:
        keys.append(("email", row.email.strip().lower()))
    if row.website:
        site = re.sub(r"^https?://(www\.)?", "", row.website.strip().lower()).rstrip("/")
        if site:
            keys.append(("website", site))
    if row.siret:
        keys.append(("siret", row.siret))
    return keys


def _address_key(row: PlaceRow) -> str:
    address = fold(row.address)
    return f"{address}|{row.postal_code}" if address and row.postal_code else ""


def find_candidates(rows: list[PlaceRow]) -> list[Candidate]:
    """Candidate pairs among `rows`, best score first."""
    if len(rows) < 2:
        return []
    lat = np.array([r.latitude for r in rows])
    lon = np.array([r.longitude for r in rows])
    near = pairs_within(lat1=lat, lon1=lon, lat2=lat, lon2=lon, radius_km=CLOSE_M / 1000).tocoo()
    pairs: set[tuple[int, int]] = {
        (int(i), int(j)) for i, j in zip(near.row, near.col, strict=True) if i < j
    }
    shared: dict[tuple[int, int], list[str]] = defaultdict(list)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        for key in _identifiers(row):
            groups[key].append(index)
        if _address_key(row):
            groups[("address", _address_key(row))].append(index)
    for (kind, _value), members in groups.items():
        if 1 < len(members) <= MAX_SHARED_GROUP:
            for i, j in combinations(members, 2):
                shared[(i, j)].append(kind)
                pairs.add((i, j))
    names = [normalise_name(r.name) for r in rows]
    found = []
    for i, j in pairs:
        score = fuzz.token_sort_ratio(names[i], names[j])
        distance_m = float(
            haversine_km(lat1=lat[i], lon1=lon[i], lat2=lat[j], lon2=lon[j]) * 1000.0
        )
        kinds = sorted(set(shared.get((i, j), [])))
        same_address = "address" in kinds
        identifiers = len(kinds) - same_address
        approximate = rows[i].approximate or rows[j].approximate
        close = distance_m <= CLOSE_M and not approximate
        similar = score >= NAME_SIMILAR
        is_candidate = (
            (close and similar)
            or (close and (identifiers >= 2 or (identifiers >= 1 and same_address)))
            or (same_address and similar)
            or (approximate and similar and identifiers >= 1)
        )
        if not is_candidate:
            continue
        reasons = list(kinds)
        if close:
            reasons.append("close")
        if similar:
            reasons.append("name")
        a, b = sorted((rows[i].id, rows[j].id))
        found.append(Candidate(a, b, round(score, 1), round(distance_m, 1), tuple(reasons)))
    return sorted(found, key=lambda c: (-c.score, c.a, c.b))


def precision_recall(
    predicted: set[tuple[int, int]], labelled: dict[tuple[int, int], bool]
) -> tuple[float, float]:
    """Precision and recall of `predicted` pairs on the labelled pairs only (True = same place).

    Precision = TP / (TP + FP) over labelled pairs predicted; recall = TP / labelled positives.
    """
    tp = sum(1 for pair, same in labelled.items() if same and pair in predicted)
    fp = sum(1 for pair, same in labelled.items() if not same and pair in predicted)
    positives = sum(1 for same in labelled.values() if same)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / positives if positives else 1.0
    return precision, recall
