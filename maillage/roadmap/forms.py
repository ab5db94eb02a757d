"""Forms of the roadmap: what a person may type, validated before any service is called."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.directory.models import Organisation
from maillage.roadmap.models import (
    Action,
    ActionPartner,
    ActionPlan,
    Activity,
    Attendance,
    Body,
    BodyMember,
    Decision,
    ExpectedResult,
    FollowUp,
    FundingLine,
    IndicatorDefinition,
    IndicatorTarget,
    IndicatorValue,
    InventoryEntry,
    Meeting,
    Risk,
    StrategicObjective,
)
from maillage.roadmap.services import ACTION_EDITABLE_FIELDS
from maillage.territories.models import Area

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActionForm(forms.ModelForm):
    """An action's own part, which its lead and partners may change."""

    class Meta:
        model = Action
        fields = ACTION_EDITABLE_FIELDS
        widgets = {"start_date": _DATE, "end_date": _DATE}

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end comes after the start."))
        return data


class ActivityForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ("date", "state", "what", "participants", "results", "keep", "change")
        widgets = {"date": _DATE}

    def clean(self):
        data = super().clean()
        if data.get("state") == Activity.State.DONE and not data.get("date"):
            self.add_error("date", _("Give the date of an activity that is done."))
        return data


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ("date", "place", "agenda", "minutes")
        widgets = {"date": _DATE}


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.CharField(
        label=_("Follow-up action it creates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_DATE)
    action = forms.ModelChoiceField(
        label=_("Action of the plan it concerns"), queryset=Action.objects.none(), required=False
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = Action.objects.filter(plan__territory=territory)

    def clean(self):
        data = super().clean()
        if (data.get("due_date") or data.get("action")) and not data.get("follow_up"):
            self.add_error("follow_up", _("Describe the follow-up action."))
        return data


class DecisionTextForm(forms.ModelForm):
    """A recorded decision's text (its follow-up actions are changed one by one)."""

    class Meta:
        model = Decision
        fields = ("text",)
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ("description", "owner", "due_date", "done", "action")
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "due_date": _DATE}

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.filter(territory=territory).order_by(
            "name"
        )
        self.fields["action"].queryset = Action.objects.filter(plan__territory=territory)


class AttendanceForm(forms.ModelForm):
    """One member's attendance at one meeting."""

    class Meta:
        model = Attendance
        fields = ("status",)


class MeetingAttendanceForm(forms.Form):
    """The attendance of a meeting: one optional answer per member of the body (a member left
    without an answer keeps theirs). Fields are named `member-<id>`."""

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for member in self.members:
            self.fields[f"member-{member.pk}"] = forms.ChoiceField(
                choices=Attendance.Status.choices, required=False
            )

    def statuses(self) -> dict[int, str]:
        """Member id → status, for the members given an answer (valid form only)."""
        return {
            member.pk: self.cleaned_data[f"member-{member.pk}"]
            for member in self.members
            if self.cleaned_data[f"member-{member.pk}"]
        }

    def members_in_error(self) -> list:
        return [member for member in self.members if f"member-{member.pk}" in self.errors]


class CalendarYearForm(forms.Form):
    """The year a calendar page shows (`?year=`; this year when absent)."""

    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)


class IndicatorValueForm(forms.ModelForm):
    class Meta:
        model = IndicatorValue
        fields = ("date", "value", "note")
        widgets = {"date": _DATE}


class InventoryEntryForm(forms.ModelForm):
    class Meta:
        model = InventoryEntry
        fields = ("organisation", "title", "description", "audience", "category", "area")
        widgets = {"audience": forms.RadioSelect, "category": forms.RadioSelect}

    def __init__(self, *args, territory, organisation_ids, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(territory=territory).order_by("name")
        if organisation_ids is not None:
            organisations = organisations.filter(pk__in=organisation_ids)
        self.fields["organisation"].queryset = organisations
        self.fields["area"].queryset = Area.objects.filter(territory=territory).order_by("name")
        self.fields["area"].required = False


class ActionPlanForm(forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = ("title", "framework", "start_year", "end_year", "context")

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", _("The last year comes after the first year."))
        return data


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = StrategicObjective
        fields = ("title", "description")


class ExpectedResultForm(forms.ModelForm):
    class Meta:
        model = ExpectedResult
        fields = ("title",)


class ActionCreateForm(ActionForm):
    """A new action of a plan (the coordinator's): its place in the plan, number and lead too."""

    class Meta(ActionForm.Meta):
        fields = ("code", "title", "result", "lead", *ACTION_EDITABLE_FIELDS)

    def __init__(self, *args, plan: ActionPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].queryset = ExpectedResult.objects.filter(objective__plan=plan)
        self.fields["lead"].queryset = Organisation.objects.filter(
            territory=plan.territory
        ).order_by("name")


class PartnerForm(forms.ModelForm):
    class Meta:
        model = ActionPartner
        fields = ("organisation", "role")

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            territory=territory
        ).order_by("name")


class FundingLineForm(forms.ModelForm):
    class Meta:
        model = FundingLine
        fields = ("source", "amount", "status")


class RiskForm(forms.ModelForm):
    class Meta:
        model = Risk
        fields = ("description", "kind", "probability", "impact", "mitigation", "owner")
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class BodyForm(forms.ModelForm):
    class Meta:
        model = Body
        fields = ("name", "level", "chair", "chair_organisation", "meetings_per_year", "purpose")

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair_organisation"].queryset = Organisation.objects.filter(
            territory=territory
        ).order_by("name")


class BodyMemberForm(forms.ModelForm):
    class Meta:
        model = BodyMember
        fields = ("organisation", "name", "role", "college", "seats", "must_be_invited")

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            territory=territory
        ).order_by("name")

    def clean(self):
        data = super().clean()
        if not data.get("organisation") and not (data.get("name") or "").strip():
            self.add_error("name", _("Choose an organisation or write who the member is."))
        return data


def _computed_choices() -> list[tuple[str, str]]:
    from maillage.core import extensions

    return [("", _("No: entered by hand"))] + [
        (i.key, f"{i.label} ({i.source})") for i in extensions.computed_indicators()
    ]


class IndicatorForm(forms.Form):
    code = forms.SlugField(
        label=_("Code"),
        max_length=60,
        help_text=_("Letters, digits and hyphens, for example aladdin-people-trained."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=40, help_text=_("For example: people."))
    scope = forms.ChoiceField(label=_("Scope"), choices=IndicatorDefinition.Scope.choices)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=IndicatorDefinition.Direction.choices
    )
    computed_key = forms.ChoiceField(
        label=_("Computed by Maillage"),
        required=False,
        help_text=_("Leave “entered by hand” unless another part of Maillage computes it."),
    )
    programme = forms.CharField(label=_("Programme"), max_length=100, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    target = forms.FloatField(label=_("Target"), required=False)
    target_year = forms.IntegerField(
        label=_("Target due by the end of"), required=False, min_value=2000, max_value=2100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["computed_key"].choices = _computed_choices()

    def clean(self):
        data = super().clean()
        if data.get("target_year") and data.get("target") is None:
            self.add_error("target", _("Give the target for this year."))
        return data


class TargetForm(forms.ModelForm):
    class Meta:
        model = IndicatorTarget
        fields = ("value", "year")


class IndicatorEditForm(forms.ModelForm):
    """An indicator's description; its code stays (exports and the API name it)."""

    computed_key = forms.ChoiceField(
        label=_("Computed by Maillage"),
        required=False,
        help_text=_("Leave “entered by hand” unless another part of Maillage computes it."),
    )

    class Meta:
        model = IndicatorDefinition
        fields = ("name", "unit", "scope", "direction", "computed_key", "programme", "description")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["computed_key"].choices = _computed_choices()

    def clean(self):
        data = super().clean()
        # The source follows the key (a database constraint ties them).
        self.instance.source = (
            IndicatorDefinition.Source.COMPUTED
            if data.get("computed_key")
            else IndicatorDefinition.Source.MANUAL
        )
        return data
