"""Extension points shared by the apps: the sections of the site and the demo loaders.

Each app registers what it adds in its `AppConfig.ready()`, so that the base template, the
`load_demo` command and the other apps never import it (apps depend downwards only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


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


SECTIONS: dict[str, Section] = {}
DEMO_LOADERS: dict[str, DemoLoader] = {}


def register_section(section: Section) -> None:
    SECTIONS[section.key] = section


def register_demo_loader(loader: DemoLoader) -> None:
    DEMO_LOADERS[loader.key] = loader


def sections() -> list[Section]:
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))


def demo_loaders() -> list[DemoLoader]:
    return sorted(DEMO_LOADERS.values(), key=lambda d: (d.order, d.key))
