from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "maillage.interop"
    verbose_name = _("Open data")

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
        from maillage.interop import demo, retention, services, tasks
        from maillage.interop.indicators import places_confirmed_by_campaign
        from maillage.interop.models import ImportRun

        register_section(Section("interop", "interop:open_data", _("Open data"), order=70))
        register_demo_loader(DemoLoader("interop", demo.load_demo, order=20))
        register(WorkKind(services.IMPORT_RUNS, ImportRun, tasks.import_run_task))
        register_computed_indicator(places_confirmed_by_campaign)
        register_retention_rule(
            RetentionRule(
                "interop.import_values",
                _("raw values quoted in the reports of place imports"),
                retention.IMPORT_VALUES_DAYS,
                retention.import_values_purge,
            )
        )
        register_retention_rule(
            RetentionRule(
                "interop.campaign_emails",
                _("e-mail addresses freshness campaigns wrote to, after their links expired"),
                retention.CAMPAIGN_EMAILS_DAYS,
                retention.campaign_emails_purge,
            )
        )
        register_retention_rule(
            RetentionRule(
                "interop.source_contacts",
                _(
                    "phone numbers and e-mail addresses kept from sources that stopped sending a "
                    "place, and in decided conflicts"
                ),
                retention.SOURCE_CONTACTS_DAYS,
                retention.source_contacts_purge,
            )
        )
