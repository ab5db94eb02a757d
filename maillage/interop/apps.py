from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "maillage.interop"
    verbose_name = _("Open data")

    def ready(self):
        from maillage.interop import demo
        from maillage.interop.indicators import places_confirmed_by_campaign
        from maillage.territories import indicators
        from maillage.web.extensions import (
            DemoLoader,
            Section,
            register_demo_loader,
            register_section,
        )

        register_section(Section("interop", "interop:open_data", _("Open data"), order=70))
        register_demo_loader(DemoLoader("interop", demo.load_demo, order=20))
        indicators.register(places_confirmed_by_campaign)
