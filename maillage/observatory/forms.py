"""Forms of the observatory: what a coordinator sends, and the panorama's choices."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from maillage.core import uploads
from maillage.observatory.grid import Grid
from maillage.observatory.importing import Codebook
from maillage.observatory.models import MarginSet, Wave, WeightingRun
from maillage.territories.models import Territory


class IndicatorChoiceForm(forms.Form):
    """Which indicator the map and the subgroup charts show."""

    indicator = forms.ChoiceField(label=_("Indicator"))

    def __init__(self, *args, grid: Grid, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.code, i.text) for i in grid.indicators]


class CompareForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"))
    first = forms.ChoiceField(label=_("First commune"))
    second = forms.ChoiceField(label=_("Second commune"))

    def __init__(self, *args, grid: Grid, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(i.code, i.text) for i in grid.indicators]
        choices = [(a.code, a.name) for a in communes]
        self.fields["first"].choices = choices
        self.fields["second"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("first") == data.get("second"):
            self.add_error("second", _("Choose two different communes."))
        return data


class RunChoiceForm(forms.Form):
    """The run a results page shows (`?run=<id>`; the latest published one when absent)."""

    run = forms.IntegerField(min_value=1, required=False)


class RunStatusForm(forms.Form):
    """The publish and unpublish buttons of a weighting run."""

    status = forms.ChoiceField(choices=WeightingRun.Status.choices)


class WaveForm(forms.Form):
    name = forms.CharField(label=_("Name of the wave"), max_length=200)
    fieldwork_start = forms.DateField(
        label=_("Fieldwork start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    fieldwork_end = forms.DateField(
        label=_("Fieldwork end"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, territory: Territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Wave.objects.filter(territory=self.territory, name=name).exists():
            raise forms.ValidationError(_("A wave of this territory already has this name."))
        return name

    def clean(self):
        data = super().clean()
        start, end = data.get("fieldwork_start"), data.get("fieldwork_end")
        if start and end and end < start:
            self.add_error("fieldwork_end", _("The end comes after the start."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File of responses (CSV or XLSX)"),
        help_text=format_lazy(
            "{} {}",
            _("One line per respondent, one column per question. No names or contacts."),
            uploads.limits_help(),
        ),
    )
    codebook = forms.FileField(
        label=_("Codebook (JSON, optional)"),
        required=False,
        help_text=_(
            "Which column holds which question and which value means which answer. Without "
            "one, columns are named by question codes and hold answer codes."
        ),
    )
    import_valid_rows = forms.BooleanField(
        label=_("If some rows have errors, import the valid rows anyway"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Send a .csv or .xlsx file."))
        return upload

    def clean_codebook(self):
        upload = self.cleaned_data.get("codebook")
        if not upload:
            return None
        try:
            document, _encoding = uploads.read_json(uploads.read_upload(upload))
            return Codebook.from_json(document)
        except ValueError as error:  # UnreadableFile, or a document that is no codebook
            raise forms.ValidationError(str(error)) from error


class MarginsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    source = forms.CharField(
        label=_("Source"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: INSEE, population census 2021, tables BTX_TD_POP1B and BTX_TD_FOR2."
        ),
    )
    file = forms.FileField(
        label=_("Margins (CSV)"),
        help_text=_("Columns commune_code, margin (age_sex or education), category, population."),
    )
    is_assumed = forms.BooleanField(
        label=_("These totals are assumptions, not census figures"), required=False
    )


class RunForm(forms.Form):
    wave = forms.ModelChoiceField(label=_("Wave"), queryset=Wave.objects.none())
    margin_set = forms.ModelChoiceField(
        label=_("Population margins"), queryset=MarginSet.objects.none()
    )
    tolerance = forms.FloatField(
        label=_("Tolerance (largest relative gap to a margin)"),
        initial=1e-6,
        min_value=1e-12,
        max_value=0.1,
    )
    max_iterations = forms.IntegerField(
        label=_("Maximum sweeps"), initial=100, min_value=1, max_value=10_000
    )
    bound_lower = forms.FloatField(
        label=_("Lowest adjustment factor (optional)"), required=False, min_value=0, max_value=0.99
    )
    bound_upper = forms.FloatField(
        label=_("Highest adjustment factor (optional)"), required=False, min_value=1.01
    )
    trim_ratio = forms.FloatField(
        label=_("Trim weights above this multiple of the mean weight (optional)"),
        required=False,
        min_value=1.01,
    )
    variance_method = forms.ChoiceField(
        label=_("Confidence intervals"), choices=WeightingRun.Variance.choices
    )
    replicates = forms.IntegerField(
        label=_("Bootstrap replicates"), initial=100, min_value=20, max_value=1000
    )

    def __init__(self, *args, territory: Territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wave"].queryset = Wave.objects.filter(territory=territory)
        self.fields["margin_set"].queryset = MarginSet.objects.filter(territory=territory)

    def clean(self):
        data = super().clean()
        if (data.get("bound_lower") is None) != (data.get("bound_upper") is None):
            self.add_error("bound_upper", _("Give both bounds, or neither."))
        return data
