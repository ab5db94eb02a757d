"""Validation of what coordinators type or upload for the diagnostic."""

from __future__ import annotations

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from maillage.core import uploads
from maillage.diagnostic.computation import RunParameters
from maillage.diagnostic.models import FragilityIndicator, PopulationGrid, TravelMatrix
from maillage.diagnostic.presenters import INDEXES, METHODS
from maillage.directory import vocabularies as voc


def need_choices() -> list[tuple[str, object]]:
    choices: list[tuple[str, object]] = [("", _("Any service of the directory"))]
    for category in voc.SERVICE_CATEGORIES:
        choices.append((f"category:{category.key}", category.label))
    for service in voc.SERVICES:
        choices.append((f"service:{service.key}", service.label))
    return choices


class RunForm(forms.Form):
    index = forms.ChoiceField(label=_("Fragility index"), choices=list(INDEXES.items()))
    method = forms.ChoiceField(
        label=_("Normalisation (the territory's own indicators only)"),
        choices=list(METHODS.items()),
        initial="deciles",
    )
    missing = forms.ChoiceField(
        label=_("Missing values"),
        choices=[
            ("reweight", _("Use the indicators an area has (at least half of the weight)")),
            ("propagate", _("No index for an area with any missing value")),
        ],
        initial="reweight",
    )
    need = forms.ChoiceField(
        label=_("Need (service or category of services)"),
        choices=need_choices,
        initial="category:procedures",
        required=False,
    )
    radius_km = forms.FloatField(
        label=_("Catchment radius (km)"), min_value=0.5, max_value=100, initial=10
    )
    decay = forms.ChoiceField(
        label=_("Distance decay"),
        choices=[
            ("steps", _("Three equal zones weighing 1, 0.68 and 0.22 (default)")),
            ("gaussian", _("Gaussian, width half the radius")),
        ],
        initial="steps",
    )
    demand = forms.ChoiceField(
        label=_("Demand"),
        choices=[
            ("fragile", _("Fragile population (population weighted by the index)")),
            ("population", _("Whole population")),
        ],
        initial="fragile",
    )
    candidates = forms.ChoiceField(
        label=_("Candidate sites"),
        choices=[
            ("communes", _("The communes' centres")),
            ("uploaded", _("The uploaded candidate sites")),
        ],
        initial="communes",
    )
    k = forms.IntegerField(
        label=_("Number of sites to choose"), min_value=1, max_value=50, initial=3
    )
    cover_km = forms.FloatField(
        label=_("A site covers people within (km)"), min_value=0.5, max_value=50, initial=5
    )
    solver = forms.ChoiceField(
        label=_("Method"),
        choices=[
            ("auto", _("Automatic: exact up to 300 candidates, else greedy")),
            ("exact", _("Exact (integer programming)")),
            ("greedy", _("Greedy (at least 1 − 1/e ≈ 0.63 of the best coverage)")),
        ],
        initial="auto",
    )
    uncovered_only = forms.BooleanField(
        label=_("Count only people with no place for this need within the site distance"),
        required=False,
    )

    #: Catchment on an uploaded matrix: default and bounds, per unit.
    MATRIX_RADIUS = {"km": (10, 0.5, 100), "minutes": (20, 1, 240)}

    def __init__(
        self,
        *args,
        matrix: TravelMatrix | None = None,
        grid: PopulationGrid | None = None,
        **kwargs,
    ):
        """`matrix`: the territory's uploaded matrix; the choice of distance is only offered
        when there is one. `grid`: its population squares (`selectors.population_grid`, with
        `square_count`); the choice of demand points is only offered when there are some."""
        super().__init__(*args, **kwargs)
        self.matrix = matrix
        self.grid = grid
        if grid is not None:
            self._add_demand_points(grid)
        if matrix is None:
            return
        minutes = matrix.unit == TravelMatrix.Unit.MINUTES
        initial, low, high = self.MATRIX_RADIUS[matrix.unit]
        self.fields["radius_km"].label = _("Catchment radius, great-circle distance (km)")
        self.fields["distance"] = forms.ChoiceField(
            label=_("Distance"),
            choices=[
                ("great_circle", _("Great-circle distance from each commune's centre (default)")),
                (
                    "matrix",
                    _("The uploaded travel-time matrix (minutes)")
                    if minutes
                    else _("The uploaded road-distance matrix (km)"),
                ),
            ],
            initial="great_circle",
        )
        self.fields["matrix_radius"] = forms.FloatField(
            label=_("Catchment on the uploaded matrix (minutes)")
            if minutes
            else _("Catchment on the uploaded matrix (km)"),
            help_text=_("Used with the uploaded matrix, instead of the catchment radius."),
            min_value=low,
            max_value=high,
            initial=initial,
            required=False,
        )

    def _add_demand_points(self, grid: PopulationGrid) -> None:
        count = getattr(grid, "square_count", 0)
        self.fields["demand_points"] = forms.ChoiceField(
            label=_("Demand points"),
            choices=[
                ("communes", _("The communes: everybody at the commune's centre (default)")),
                (
                    "squares",
                    ngettext(
                        "The %(count)s population square imported on %(date)s",
                        "The %(count)s population squares imported on %(date)s",
                        count,
                    )
                    % {
                        "count": formats.number_format(count, force_grouping=True),
                        "date": formats.date_format(
                            timezone.localtime(grid.uploaded_at), "SHORT_DATE_FORMAT"
                        ),
                    },
                ),
            ],
            initial="communes",
            help_text=_(
                "On squares, the accessibility is computed where people live, then averaged "
                "per commune weighted by population. Great-circle distances only."
            ),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("distance") == "matrix" and cleaned.get("matrix_radius") is None:
            self.add_error("matrix_radius", _("Give the catchment on the matrix."))
        if cleaned.get("demand_points") == "squares" and cleaned.get("distance") == "matrix":
            self.add_error(
                "demand_points",
                _(
                    "The population squares cannot be used with the uploaded matrix: its routes "
                    "start from the communes' centres, not from the squares. Choose the "
                    "great-circle distance, or the communes as demand points."
                ),
            )
        return cleaned

    def parameters(self) -> RunParameters:
        data = dict(self.cleaned_data)
        distance = data.pop("distance", "") or "great_circle"
        matrix_radius = data.pop("matrix_radius", None)
        data["demand_points"] = data.pop("demand_points", "") or "communes"
        if distance != "matrix":
            return RunParameters(**data)
        return RunParameters(
            **data, distance="matrix", matrix_unit=self.matrix.unit, matrix_radius=matrix_radius
        )


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = FragilityIndicator
        fields = [
            "key",
            "label",
            "axis",
            "higher_is_fragile",
            "weight",
            "source",
            "year",
            "reference",
        ]

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory

    def clean_key(self):
        key = self.cleaned_data["key"]
        if FragilityIndicator.objects.filter(territory=self.territory, key=key).exists():
            raise forms.ValidationError(
                _("The territory already has an indicator with this identifier.")
            )
        return key


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"), help_text=uploads.limits_help())

    def clean_file(self):
        try:
            return uploads.read_upload(self.cleaned_data["file"])
        except uploads.UnreadableFile as error:
            raise forms.ValidationError(str(error)) from error


class TravelMatrixUploadForm(CsvUploadForm):
    source = forms.CharField(
        label=_("Source (optional)"),
        max_length=300,
        required=False,
        help_text=_("How the values were computed, for example “OSRM, car, 2025”."),
    )


class PopulationSquaresUploadForm(CsvUploadForm):
    source = forms.CharField(
        label=_("Source (optional)"),
        max_length=300,
        required=False,
        help_text=_("Where the squares come from, for example “INSEE Filosofi 2019, 200 m”."),
    )


class IndicatorValuesForm(forms.Form):
    """One field per area: the coordinator types the values (empty: missing)."""

    def __init__(self, *args, areas, values: dict[int, float], **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = list(areas)
        for area in self.areas:
            self.fields[f"area_{area.pk}"] = forms.FloatField(
                label=area.name, required=False, initial=values.get(area.pk)
            )

    def values(self):
        return {area: self.cleaned_data.get(f"area_{area.pk}") for area in self.areas}
