from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservatoryConfig(AppConfig):
    name = "maillage.observatory"
    verbose_name = _("Observatory")

    def ready(self):
        # Register sections (web.extensions), demo loaders and computed indicators here.
        pass
