from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    name = "maillage.territories"
    verbose_name = _("Territories")

    def ready(self):
        from maillage.core.extensions import (
            RetentionRule,
            Section,
            register_retention_rule,
            register_section,
        )
        from maillage.territories import lockouts, members
        from maillage.territories.permissions import is_coordinator

        register_section(
            Section(
                "members",
                "territories:members",
                _("Members"),
                order=95,
                signed_in_only=True,
                visible_to=is_coordinator,
            )
        )
        register_retention_rule(
            RetentionRule(
                "territories.unanswered_invitations",
                _("accounts of invitations nobody accepted (no password chosen, never signed in)"),
                members.UNANSWERED_INVITATION_DAYS,
                members.invitations_unanswered_purge,
            )
        )
        register_retention_rule(
            RetentionRule(
                "territories.failed_sign_ins",
                _("failed sign-ins: user name tried, IP address, browser, time (login throttling)"),
                lockouts.FAILED_SIGN_INS_DAYS,
                lockouts.failed_sign_ins_purge,
            )
        )
        register_retention_rule(
            RetentionRule(
                "territories.invitations",
                _("invitations (e-mail address, role) once expired or answered"),
                members.ANSWERED_INVITATION_DAYS,
                members.invitations_expired_purge,
            )
        )
