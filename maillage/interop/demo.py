"""Demo of the open-data app: nothing invented. It looks for duplicates among the demo places
(idempotent: pairs already found or decided are not added again)."""

from __future__ import annotations

from maillage.interop import duplicates
from maillage.territories.actors import SystemActor

DEMO_LOADER = SystemActor("demo loader")


def load_demo(territory, *, with_users: bool = False) -> None:
    duplicates.duplicates_detect(territory=territory, by=DEMO_LOADER)
