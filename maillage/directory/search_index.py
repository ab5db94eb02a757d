"""An in-memory, vectorised index of a territory's published places, for the public search.

Every filter of the search is a boolean mask over numpy arrays, and distances are computed with
`analysis.geo.haversine_km`, so a query over 25,000 places costs a few milliseconds on SQLite
and PostgreSQL alike (see docs/benchmarks.md). The index is rebuilt when the territory's
`directory_version` changes (every directory write sets a new one, in the same transaction)
or when it is older than `MAX_AGE`, and lives in each worker process.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

import numpy as np

from maillage.directory import opening_hours
from maillage.directory import vocabularies as voc
from maillage.directory.models import Place
from maillage.territories.models import Territory

MAX_AGE = 6 * 3600  # seconds; rebuild at least this often
_BITS = {
    "services": {t.key: i for i, t in enumerate(voc.SERVICES)},
    "categories": {t.key: i for i, t in enumerate(voc.SERVICE_CATEGORIES)},
    "publics": {t.key: i for i, t in enumerate(voc.PUBLICS)},
    "languages": {t.key: i for i, t in enumerate(voc.LANGUAGES)},
    "fees": {t.key: i for i, t in enumerate(voc.FEES)},
}


def bit(vocabulary: str, key: str) -> int:
    """The bit of `key` in a vocabulary's mask (0 when the key is unknown: matches nothing)."""
    position = _BITS[vocabulary].get(key)
    return 0 if position is None else 1 << position


def _mask(vocabulary: str, keys) -> int:
    value = 0
    for key in keys or ():
        value |= bit(vocabulary, key)
    return value


@dataclass(frozen=True)
class DirectoryIndex:
    version: str
    built_at: float
    ids: np.ndarray  # int64, place primary keys
    latitude: np.ndarray  # float64, degrees
    longitude: np.ndarray
    area_id: np.ndarray  # int64
    services: np.ndarray  # uint32 bit masks
    categories: np.ndarray
    publics: np.ndarray
    languages: np.ndarray
    fees: np.ndarray
    step_free: np.ndarray  # bool
    hours: np.ndarray  # int32, index into `unique_hours`
    unique_hours: tuple[str, ...]
    name_order: np.ndarray  # int64, rank of each place when sorted by name

    def __len__(self) -> int:
        return len(self.ids)

    def open_mask(self, moment: dt.datetime, *, country: str, among: np.ndarray) -> np.ndarray:
        """Which places are open at the naive local time `moment`, checked exactly (public
        holidays included) once per distinct opening-hours text among the candidates."""
        result = np.zeros(len(self.ids), dtype=bool)
        candidates = np.flatnonzero(among)
        if candidates.size == 0:
            return result
        needed = np.unique(self.hours[candidates])
        open_texts = np.zeros(len(self.unique_hours), dtype=bool)
        for index in needed:
            open_texts[index] = opening_hours.is_open(
                self.unique_hours[index], moment, country=country
            )
        result[candidates] = open_texts[self.hours[candidates]]
        return result


def build(territory: Territory, *, version: str) -> DirectoryIndex:
    rows = list(
        Place.objects.filter(territory=territory, status=Place.Status.PUBLISHED)
        .order_by("pk")
        .values_list(
            "pk",
            "latitude",
            "longitude",
            "area_id",
            "name",
            "opening_hours",
            "publics",
            "languages",
            "fees",
            "step_free_access",
            "services_snapshot",
        )
    )
    n = len(rows)
    unique_hours: dict[str, int] = {}
    hours = np.empty(n, dtype=np.int32)
    services = np.zeros(n, dtype=np.uint32)
    categories = np.zeros(n, dtype=np.uint32)
    publics = np.zeros(n, dtype=np.uint32)
    languages = np.zeros(n, dtype=np.uint32)
    fees = np.zeros(n, dtype=np.uint32)
    step_free = np.zeros(n, dtype=bool)
    for i, row in enumerate(rows):
        hours[i] = unique_hours.setdefault(row[5].strip(), len(unique_hours))
        offered = [s["service"] for s in row[10]]
        services[i] = _mask("services", offered)
        categories[i] = _mask(
            "categories",
            {voc.SERVICE_BY_KEY[s].category for s in offered if s in voc.SERVICE_BY_KEY},
        )
        publics[i] = _mask("publics", row[6])
        languages[i] = _mask("languages", row[7])
        fees[i] = _mask("fees", row[8])
        step_free[i] = row[9] == Place.StepFree.YES
    names = [row[4].casefold() for row in rows]
    order = sorted(range(n), key=lambda i: (names[i], rows[i][0]))
    name_order = np.empty(n, dtype=np.int64)
    name_order[order] = np.arange(n)
    return DirectoryIndex(
        version=version,
        built_at=time.monotonic(),
        ids=np.fromiter((r[0] for r in rows), dtype=np.int64, count=n),
        latitude=np.fromiter((r[1] for r in rows), dtype=np.float64, count=n),
        longitude=np.fromiter((r[2] for r in rows), dtype=np.float64, count=n),
        area_id=np.fromiter((r[3] for r in rows), dtype=np.int64, count=n),
        services=services,
        categories=categories,
        publics=publics,
        languages=languages,
        fees=fees,
        step_free=step_free,
        hours=hours,
        unique_hours=tuple(unique_hours),
        name_order=name_order,
    )


_cache: dict[int, DirectoryIndex] = {}
_lock = threading.Lock()


def _fresh(cached: DirectoryIndex | None, version: str) -> bool:
    return (
        cached is not None
        and cached.version == version
        and time.monotonic() - cached.built_at < MAX_AGE
    )


def index_for(territory: Territory) -> DirectoryIndex:
    """The current index of `territory`, built on first use and after every change.

    The version is read from the database (one primary-key lookup), not from the possibly
    older `territory` object, so a change made by another process is seen at once.
    """
    version = (
        Territory.objects.filter(pk=territory.pk).values_list("directory_version", flat=True).get()
    )
    cached = _cache.get(territory.pk)
    if _fresh(cached, version):
        return cached
    with _lock:
        cached = _cache.get(territory.pk)
        if not _fresh(cached, version):
            cached = build(territory, version=version)
            _cache[territory.pk] = cached
    return cached
