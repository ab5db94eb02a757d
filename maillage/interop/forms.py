"""Forms of the interop pages: what a coordinator uploads or decides."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from maillage.core import uploads
from maillage.interop.models import Format, FreshnessRequest


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=format_lazy("{} {}", _("CSV or JSON."), uploads.limits_help()),
    )
    file_format = forms.ChoiceField(label=_("Format"), choices=Format.choices)
    source = forms.SlugField(
        label=_("Source"),
        max_length=100,
        help_text=_(
            "A short name of who produced the file, for example cartographie-nationale. "
            "Importing again from the same source updates the same places."
        ),
    )
    valid_rows_only = forms.BooleanField(
        label=_("Import the valid rows even if some rows are rejected"),
        required=False,
        help_text=_("By default nothing is imported when a row has an error."),
    )
    publish = forms.BooleanField(label=_("Publish the new places at once"), required=False)


class ConflictForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("keep", _("Keep the hand-made value")), ("take", _("Take the source's value"))]
    )


class DuplicateForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            ("keep_a", _("Same place: keep the left one, archive the right one")),
            ("keep_b", _("Same place: keep the right one, archive the left one")),
            ("reject", _("Two different places")),
        ],
    )


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Subject of the e-mail"), max_length=200)
    message = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )
    valid_days = forms.IntegerField(
        label=_("Days the links stay valid"), min_value=1, max_value=90, initial=30
    )


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[
            (FreshnessRequest.Answer.CONFIRMED, _("Everything is still correct")),
            (FreshnessRequest.Answer.UPDATE, _("Something must change")),
        ]
    )
