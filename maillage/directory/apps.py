from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "maillage.directory"
    verbose_name = _("Directory")

    def ready(self):
        from maillage.core.extensions import (
            Section,
            register_computed_indicator,
            register_section,
        )
        from maillage.directory.indicators import published_places

        register_section(Section("directory", "directory:search", _("Find help"), order=10))
        register_computed_indicator(published_places)

        from maillage.directory.services import organisation_invitation_join
        from maillage.territories.members import register_acceptance_step

        register_acceptance_step(organisation_invitation_join)
