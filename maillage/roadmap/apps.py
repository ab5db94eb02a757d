from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoadmapConfig(AppConfig):
    name = "maillage.roadmap"
    verbose_name = _("Governance and roadmap")

    def ready(self):
        from maillage.core.extensions import (
            DemoLoader,
            Section,
            register_demo_loader,
            register_section,
        )
        from maillage.roadmap.demo import load_demo
        from maillage.roadmap.permissions import can_read

        register_section(
            Section(
                "roadmap",
                "roadmap:home",
                _("Roadmap"),
                order=60,
                signed_in_only=True,
                visible_to=can_read,
            )
        )
        register_demo_loader(DemoLoader("roadmap", load_demo, order=60))
