"""Forms of the members' pages: inviting a person with a role."""

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.territories.models import Membership

ROLE_HELP = {
    Membership.Role.COORDINATOR: _(
        "Coordinator: runs the directory, the observatory, the diagnostic and the roadmap, "
        "and gives roles."
    ),
    Membership.Role.STRUCTURE: _(
        "Structure: keeps the places of its structure up to date (attach the person to the "
        "structure on the structure's page)."
    ),
    Membership.Role.PRESCRIBER: _(
        "Prescriber: a social worker or reception agent who finds the right place for a person."
    ),
    Membership.Role.PARTNER: _("Partner or funder: reads the dashboards, plans and reports."),
}


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the person"),
        max_length=254,
        help_text=_("They receive an e-mail; without an account yet, a link to choose a password."),
    )
    # No role chosen in advance: giving one (coordinator above all) must be a decision.
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("Choose a role")), *Membership.Role.choices]
    )
