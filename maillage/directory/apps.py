from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "maillage.directory"
    verbose_name = _("Directory")

    def ready(self):
        from maillage.directory.indicators import published_places
        from maillage.territories import indicators
        from maillage.web.extensions import Section, register_section

        register_section(Section("directory", "directory:search", _("Find help"), order=10))
        indicators.register(published_places)
