from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosticConfig(AppConfig):
    name = "maillage.diagnostic"
    verbose_name = _("Territorial diagnostic")

    def ready(self):
        from maillage.core.background import register_step
        from maillage.core.extensions import (
            DemoLoader,
            Section,
            register_computed_indicator,
            register_demo_loader,
            register_section,
        )
        from maillage.diagnostic.demo import load_demo
        from maillage.diagnostic.indicators import population_near_procedures
        from maillage.diagnostic.jobs import diagnostic_jobs_step
        from maillage.diagnostic.permissions import can_view_diagnostic

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
        register_computed_indicator(population_near_procedures)
        register_step("diagnostic", diagnostic_jobs_step)
