from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosticConfig(AppConfig):
    name = "maillage.diagnostic"
    verbose_name = _("Territorial diagnostic")

    def ready(self):
        from maillage.diagnostic.demo import load_demo
        from maillage.diagnostic.indicators import population_near_procedures
        from maillage.diagnostic.permissions import can_view_diagnostic
        from maillage.territories import indicators
        from maillage.web.extensions import (
            DemoLoader,
            Section,
            register_demo_loader,
            register_section,
        )

        register_section(
            Section(
                "diagnostic",
                "diagnostic:home",
                _("Diagnostic"),
                order=50,
                signed_in_only=True,
                visible_to=can_view_diagnostic,
            )
        )
        register_demo_loader(DemoLoader("diagnostic", load_demo, order=40))
        indicators.register(population_near_procedures)
