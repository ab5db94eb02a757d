from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservatoryConfig(AppConfig):
    name = "maillage.observatory"
    verbose_name = _("Observatory")

    def ready(self):
        from maillage.core.background import WorkKind, register
        from maillage.core.extensions import (
            DemoLoader,
            RetentionRule,
            Section,
            register_computed_indicator,
            register_demo_loader,
            register_retention_rule,
            register_section,
        )
        from maillage.observatory import demo, retention, services, tasks
        from maillage.observatory import indicators as observatory_indicators
        from maillage.observatory.models import ImportReport, WeightingRun

        register_section(Section("observatory", "observatory:panorama", _("Observatory"), order=40))
        register_demo_loader(DemoLoader("observatory", demo.load_demo, order=40))
        register(WorkKind(services.RESPONSE_IMPORTS, ImportReport, tasks.responses_import_task))
        register(WorkKind(services.WEIGHTING_RUNS, WeightingRun, tasks.weighting_run_task))
        register_retention_rule(
            RetentionRule(
                "observatory.import_values",
                _("raw cell values quoted in survey import reports"),
                retention.IMPORT_VALUES_DAYS,
                retention.import_values_purge,
            )
        )
        for indicator in (
            observatory_indicators.been_to_place,
            observatory_indicators.knows_place,
            observatory_indicators.admin_difficulty,
        ):
            register_computed_indicator(indicator)
