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


class NewAccountForm(forms.Form):
    """The password of the account created when accepting an invitation."""

    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters, not a common password."),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ: type the same one twice."))
        return data
