from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosticConfig(AppConfig):
    name = "maillage.diagnostic"
    verbose_name = _("Territorial diagnostic")

    def ready(self):
        # Register sections (web.extensions), demo loaders and computed indicators here.
        pass
