from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "maillage.interop"
    verbose_name = _("Open data")

    def ready(self):
        # Register sections (web.extensions), demo loaders and computed indicators here.
        pass
