"""A registry of indicators that any app can compute for a territory.

The roadmap reads indicators from here without importing the apps that compute them: the
directory registers "published places", the observatory its survey estimates, and so on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from maillage.territories.models import Territory


@dataclass(frozen=True)
class ComputedIndicator:
    key: str  # stable identifier, e.g. "directory.published_places"
    label: str  # lazily translated
    unit: str  # lazily translated, e.g. "places", "%"
    compute: Callable[[Territory, dt.date], float | None]  # value on that date, None if unknown
    source: str = ""  # which part of Maillage computes it


_REGISTRY: dict[str, ComputedIndicator] = {}


def register(indicator: ComputedIndicator) -> None:
    _REGISTRY[indicator.key] = indicator


def get(key: str) -> ComputedIndicator:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise KeyError(f"no computed indicator {key!r}; known: {sorted(_REGISTRY)}") from None


def available() -> list[ComputedIndicator]:
    return sorted(_REGISTRY.values(), key=lambda i: i.key)
