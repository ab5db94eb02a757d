"""Demo of the open-data app: nothing invented. It looks for duplicates among the demo places
(idempotent: pairs already found or decided are not added again)."""

from __future__ import annotations

from maillage.core.actors import SystemActor
from maillage.interop import duplicates

DEMO_LOADER = SystemActor("demo loader")


def load_demo(territory, *, with_users: bool = False) -> None:
    duplicates.duplicates_detect(territory=territory, by=DEMO_LOADER)
