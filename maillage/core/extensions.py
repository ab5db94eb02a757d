"""Extension points shared by the apps: the sections of the site, the demo loaders, the
retention rules of personal data and the computed indicators.

Each app registers what it adds in its `AppConfig.ready()`, so that the base template, the
`load_demo` command, the roadmap and the other apps never import it (apps depend downwards
only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class Section:
    """A part of the site shown in the main menu of a territory's pages."""

    key: str
    url_name: str  # reversed with the territory's slug as `territory`
    label: str  # lazily translated
    order: int = 100
    signed_in_only: bool = False
    # visible_to(user, territory) -> bool: show the entry only to those who may open it.
    visible_to: Callable[..., bool] | None = None


@dataclass(frozen=True)
class DemoLoader:
    """Adds an app's demo data to a territory; must be idempotent."""

    key: str
    load: Callable[..., None]  # load(territory, *, with_users: bool) -> None
    order: int = 100


@dataclass(frozen=True)
class RetentionRule:
    """Personal data an app keeps only for a while (docs/privacy.md lists them all).

    `purge(before=..., dry_run=...)` erases what was recorded before `before` and returns
    how many records it changed (or would change, with `dry_run`). It must be idempotent
    and write in one transaction: the `purge_personal_data` command runs it on a schedule.
    """

    key: str
    description: str  # lazily translated
    days: int  # default retention, in days
    purge: Callable[..., int]  # purge(*, before: datetime, dry_run: bool, by: Actor) -> int


@dataclass(frozen=True)
class ComputedIndicator:
    """A value an app computes for a territory on a date, read by the roadmap's reports
    without importing that app (the directory registers "published places", the
    observatory its survey estimates, and so on)."""

    key: str  # stable identifier, e.g. "directory.published_places"
    label: str  # lazily translated
    unit: str  # lazily translated, e.g. "places", "%"
    # compute(territory, date) -> the value on that date, None if unknown
    compute: Callable[..., float | None]
    source: str = ""  # which part of Maillage computes it


SECTIONS: dict[str, Section] = {}
DEMO_LOADERS: dict[str, DemoLoader] = {}
RETENTION_RULES: dict[str, RetentionRule] = {}
COMPUTED_INDICATORS: dict[str, ComputedIndicator] = {}


def register_section(section: Section) -> None:
    SECTIONS[section.key] = section


def register_demo_loader(loader: DemoLoader) -> None:
    DEMO_LOADERS[loader.key] = loader


def register_retention_rule(rule: RetentionRule) -> None:
    RETENTION_RULES[rule.key] = rule


def register_computed_indicator(indicator: ComputedIndicator) -> None:
    COMPUTED_INDICATORS[indicator.key] = indicator


def sections() -> list[Section]:
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))


def demo_loaders() -> list[DemoLoader]:
    return sorted(DEMO_LOADERS.values(), key=lambda d: (d.order, d.key))


def retention_rules() -> list[RetentionRule]:
    return sorted(RETENTION_RULES.values(), key=lambda r: r.key)


def computed_indicators() -> list[ComputedIndicator]:
    return sorted(COMPUTED_INDICATORS.values(), key=lambda i: i.key)


def computed_indicator(key: str) -> ComputedIndicator:
    """The computed indicator registered as `key`; KeyError names the known ones."""
    try:
        return COMPUTED_INDICATORS[key]
    except KeyError:
        known = sorted(COMPUTED_INDICATORS)
        raise KeyError(f"no computed indicator {key!r}; known: {known}") from None


def erase_quoted_values(queryset: QuerySet[Any], *, field: str, dry_run: bool) -> int:
    """Blank the ``"value"`` of every item of a JSON list `field` (an import report's
    problems) in the records of `queryset`; the other keys stay. Returns how many records
    had something to erase. Call it inside a transaction (a retention rule's `purge`)."""
    changed = []
    for record in queryset.select_for_update().only("pk", field):
        items = getattr(record, field)
        if any(item.get("value") for item in items):
            setattr(record, field, [{**item, "value": ""} for item in items])
            changed.append(record)
    if not dry_run:
        queryset.model.objects.bulk_update(changed, [field], batch_size=200)
    return len(changed)
