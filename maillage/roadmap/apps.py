from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoadmapConfig(AppConfig):
    name = "maillage.roadmap"
    verbose_name = _("Governance and roadmap")

    def ready(self):
        # Register sections (web.extensions), demo loaders and computed indicators here.
        pass
