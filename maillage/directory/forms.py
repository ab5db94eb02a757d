"""Forms: the public search (also used by the API) and the structure's place form."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from maillage.directory import opening_hours
from maillage.directory import vocabularies as voc
from maillage.directory.geocoding import geocoder_for
from maillage.directory.models import Organisation, Place
from maillage.directory.selectors import SearchCriteria
from maillage.directory.services import EDITABLE_FIELDS
from maillage.territories.models import Area, Territory

_ANY = [("", _("Any"))]


class PlaceSearchForm(forms.Form):
    q = forms.CharField(
        label=_("What are you looking for?"),
        required=False,
        max_length=200,
        help_text=_("For example: CAF, printing, e-mail, library"),
    )
    where = forms.CharField(
        label=_("Where?"),
        required=False,
        max_length=200,
        help_text=_("A commune, a postal code or an address"),
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    commune = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    service = forms.ChoiceField(
        label=_("Help with"), required=False, choices=_ANY + voc.SERVICE_CHOICES
    )
    category = forms.ChoiceField(
        label=_("Kind of help"), required=False, choices=_ANY + voc.CATEGORY_CHOICES
    )
    public = forms.ChoiceField(label=_("For"), required=False, choices=_ANY + voc.PUBLIC_CHOICES)
    language = forms.ChoiceField(
        label=_("Language spoken"), required=False, choices=_ANY + voc.LANGUAGE_CHOICES
    )
    step_free = forms.BooleanField(label=_("Step-free access"), required=False)
    free = forms.BooleanField(label=_("Free of charge"), required=False)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    # "Open at" another moment than now (API and shareable links; local time of the territory).
    at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    page = forms.IntegerField(
        required=False, min_value=1, max_value=10_000, widget=forms.HiddenInput
    )

    def __init__(self, *args, territory: Territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory
        self.location = None

    def clean_where(self):
        text = self.cleaned_data["where"].strip()
        if text:
            self.location = geocoder_for(self.territory).locate(text)
            if self.location is None:
                raise forms.ValidationError(
                    _(
                        "We could not find “%(text)s” in %(territory)s. "
                        "Try the name of a commune or a postal code."
                    ),
                    params={"text": text, "territory": self.territory.name},
                    code="unknown_place",
                )
        return text

    def clean_commune(self):
        code = self.cleaned_data["commune"].strip()
        if not code:
            return None
        area = Area.objects.filter(territory=self.territory, code=code).first()
        if area is None:
            raise forms.ValidationError(
                _("There is no commune with the code “%(code)s” in %(territory)s."),
                params={"code": code, "territory": self.territory.name},
                code="unknown_commune",
            )
        return area

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return data

    def criteria(self) -> SearchCriteria:
        d = self.cleaned_data
        lat, lon = d.get("lat"), d.get("lon")
        area = self.location.area if self.location else None
        label = ""
        if lat is None and self.location is not None and area is None:
            lat, lon = self.location.latitude, self.location.longitude
            label = self.location.label
        return SearchCriteria(
            origin_label=label,
            q=d.get("q") or "",
            area=area,
            commune=d.get("commune"),
            latitude=lat,
            longitude=lon,
            services=(d["service"],) if d.get("service") else (),
            category=d.get("category") or "",
            public=d.get("public") or "",
            language=d.get("language") or "",
            step_free=bool(d.get("step_free")),
            free_of_charge=bool(d.get("free")),
            open_now=bool(d.get("open_now")),
        )


class CheckboxList(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


def _https_urls(field, **kwargs):
    # Addresses typed without a scheme are https (Django 6's default, asked for explicitly).
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class PlaceForm(forms.ModelForm):
    """What a structure edits. Validation that needs the database is the service's job."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    languages = CheckboxList(
        label=_("Languages spoken"), required=False, choices=voc.LANGUAGE_CHOICES
    )
    publics = CheckboxList(
        label=_("Publics specifically welcomed"), required=False, choices=voc.PUBLIC_CHOICES
    )
    specific_support = CheckboxList(
        label=_("Specific support"), required=False, choices=voc.SPECIFIC_SUPPORT_CHOICES
    )
    support_formats = CheckboxList(
        label=_("How help is given"), required=False, choices=voc.SUPPORT_FORMAT_CHOICES
    )
    delivery_modes = CheckboxList(
        label=_("Where help is given"), required=False, choices=voc.DELIVERY_MODE_CHOICES
    )
    access_modes = CheckboxList(
        label=_("How to come"), required=False, choices=voc.ACCESS_MODE_CHOICES
    )
    fees = CheckboxList(label=_("Fees"), required=False, choices=voc.FEE_CHOICES)

    class Meta:
        model = Place
        formfield_callback = _https_urls
        fields = list(EDITABLE_FIELDS)  # the service decides what a person may edit
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "access_directions": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, territory: Territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(territory=territory)
        self.fields["area"].empty_label = None
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs["step"] = "any"
            self.fields[name].required = False
            self.fields[name].help_text = _(
                "Leave empty if you do not know it: the place is then shown at the centre of "
                "its commune, marked as approximate."
            )
        for name in ("phone",):
            self.fields[name].widget.attrs["autocomplete"] = "tel"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["website"].widget.attrs["autocomplete"] = "url"
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs.setdefault("aria-describedby", f"id_{name}_helptext")

    def clean(self):
        data = super().clean()
        area = data.get("area")
        missing = data.get("latitude") is None or data.get("longitude") is None
        if missing and area is not None:
            # No geocoder is wired yet: the commune's centre, said to be approximate.
            data["latitude"], data["longitude"] = area.latitude, area.longitude
            data["location_precision"] = Place.Precision.COMMUNE
        return data

    def clean_opening_hours(self):
        text = self.cleaned_data["opening_hours"].strip()
        problem = opening_hours.validate(text)
        if problem:
            raise forms.ValidationError(problem, code="opening_hours")
        return text


class PlaceServiceForm(forms.Form):
    service = forms.ChoiceField(
        label=_("Service"), choices=voc.SERVICE_CHOICES, widget=forms.HiddenInput
    )
    offered = forms.BooleanField(label=_("Offered here"), required=False)
    stars = forms.TypedChoiceField(
        label=_("Level"),
        coerce=int,
        required=False,
        choices=[(int(t.key), t.label) for t in voc.STARS],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("offered") and not data.get("stars"):
            self.add_error("stars", _("Choose a level for a service you offer."))
        return data


PlaceServiceFormSet = forms.formset_factory(
    PlaceServiceForm, extra=0, max_num=len(voc.SERVICES), validate_max=True
)


def service_initial(snapshot: list[dict]) -> list[dict]:
    offered = {s["service"]: s for s in snapshot}
    return [
        {
            "service": t.key,
            "offered": t.key in offered,
            "stars": offered.get(t.key, {}).get("stars", 1),
            "note": offered.get(t.key, {}).get("note", ""),
        }
        for t in voc.SERVICES
    ]


class OrganisationForm(forms.ModelForm):
    labels = CheckboxList(
        label=_("National programmes and labels"), required=False, choices=voc.PROGRAMME_CHOICES
    )
    local_programmes = forms.CharField(
        label=_("Local programmes"),
        required=False,
        max_length=300,
        help_text=_("Separated by commas, for example: ALADDIN"),
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind", "siret", "website", "labels", "local_programmes"]
        formfield_callback = _https_urls

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["local_programmes"] = ", ".join(self.instance.local_programmes)

    def clean_local_programmes(self):
        text = self.cleaned_data["local_programmes"]
        return [item.strip() for item in text.split(",") if item.strip()]


class MemberForm(forms.Form):
    """Invite a person to keep the organisation's places: an e-mail address, never looked up."""

    email = forms.EmailField(
        label=_("E-mail address of the person"),
        max_length=254,
        help_text=_(
            "They receive an invitation to accept, with their account or a new one; they keep "
            "the places once they accept."
        ),
    )


class ReturnForm(forms.Form):
    """Where to go back after a button's action (a page of this site, else the default)."""

    next = forms.CharField(required=False, max_length=2000)

    def target(self, request) -> str:
        """The page to go back to, or "" when none (or another site's) was given."""
        from django.utils.http import url_has_allowed_host_and_scheme

        target = self.cleaned_data.get("next", "") if self.is_valid() else ""
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return target
        return ""


class PlaceStatusForm(ReturnForm):
    """The status buttons of a place (publish, archive, back to draft)."""

    status = forms.ChoiceField(choices=Place.Status.choices)
