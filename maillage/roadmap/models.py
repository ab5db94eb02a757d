"""Governance (bodies, meetings, decisions), action plans, indicators and the inventory of
actions of a territory's actors.

Every record belongs to a territory, directly or through its parent (a meeting through its
body, an action through its plan). `is_example` marks what was invented for the demonstration:
pages, reports, exports and the API label it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from maillage.directory.models import Organisation
from maillage.territories.models import Area, Territory

_EXAMPLE_HELP = _("Invented for the demonstration; shown as such to every reader.")


def _is_example():
    return models.BooleanField(_("example data"), default=False, help_text=_EXAMPLE_HELP)


def _source_note():
    return models.TextField(_("source"), blank=True)


# --- Governance ------------------------------------------------------------------------------


class Body(models.Model):
    """A governance body: strategic committee, partners group, network, committee of communes."""

    class Level(models.TextChoices):
        STRATEGIC = "strategic", _("Strategic")
        OPERATIONAL = "operational", _("Operational")
        NETWORK = "network", _("Network of field structures")
        WORKING_GROUP = "working_group", _("Working group")

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="bodies")
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    chair = models.CharField(_("chair"), max_length=200, blank=True)
    chair_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("chairing organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    meetings_per_year = models.PositiveSmallIntegerField(
        _("meetings per year"), validators=[MaxValueValidator(52)]
    )
    purpose = models.TextField(_("purpose"), blank=True)
    is_example = _is_example()
    source_note = _source_note()

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["territory", "level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "name"], name="roadmap_body_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class BodyMember(models.Model):
    """A member of a body: an organisation of the directory, or people described in words
    ("the 28 mayors"), with their role, their college and the number of seats."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")
        SECRETARIAT = "secretariat", _("Secretariat")

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="body_memberships",
    )
    name = models.CharField(
        _("person or group"),
        max_length=200,
        blank=True,
        help_text=_("When the member is not an organisation of the directory."),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    college = models.CharField(_("college"), max_length=120, blank=True)
    seats = models.PositiveSmallIntegerField(
        _("seats"), default=1, validators=[MinValueValidator(1)]
    )
    must_be_invited = models.BooleanField(_("must be invited"), default=True)
    is_example = _is_example()
    source_note = _source_note()

    class Meta:
        verbose_name = _("body member")
        verbose_name_plural = _("body members")
        ordering = ["body", "role", "college", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(name=""),
                name="roadmap_member_is_someone",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.organisation.name if self.organisation_id else self.name


class Meeting(models.Model):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    is_example = _is_example()
    source_note = _source_note()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.body} · {self.date.isoformat()}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(BodyMember, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)

    class Meta:
        ordering = ["meeting", "member"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="roadmap_attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.status}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))
    is_example = _is_example()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class FollowUp(models.Model):
    """A follow-up action a decision creates; it may point to an action of a plan."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="follow_ups")
    description = models.TextField(_("follow-up action"))
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    action = models.ForeignKey(
        "Action",
        verbose_name=_("action of the plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    is_example = _is_example()

    class Meta:
        ordering = ["decision", "id"]

    def __str__(self) -> str:
        return self.description[:80]


# --- Action plans ----------------------------------------------------------------------------


class ActionPlan(models.Model):
    """A roadmap or an URBACT Integrated Action Plan for a territory and a period."""

    class Framework(models.TextChoices):
        ROADMAP = "roadmap", _("Territorial roadmap")
        URBACT = "urbact", _("URBACT Integrated Action Plan")

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="action_plans")
    title = models.CharField(_("title"), max_length=200)
    framework = models.CharField(
        _("framework"), max_length=20, choices=Framework.choices, default=Framework.ROADMAP
    )
    start_year = models.PositiveSmallIntegerField(
        _("first year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    end_year = models.PositiveSmallIntegerField(
        _("last year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    context = models.TextField(_("context and vision"), blank=True)
    is_example = _is_example()
    source_note = _source_note()

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["territory", "-start_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="roadmap_plan_period"
            )
        ]

    def __str__(self) -> str:
        return self.title


class StrategicObjective(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="objectives")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("strategic objective"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.title


class ExpectedResult(models.Model):
    objective = models.ForeignKey(
        StrategicObjective, on_delete=models.CASCADE, related_name="results"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("expected result"), max_length=300)

    class Meta:
        ordering = ["objective", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Action(models.Model):
    """An action sheet ("fiche-action")."""

    class Status(models.TextChoices):
        IDEA = "idea", _("Idea")
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        ABANDONED = "abandoned", _("Abandoned")

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    result = models.ForeignKey(
        ExpectedResult,
        verbose_name=_("expected result"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    code = models.CharField(_("number"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        Organisation,
        verbose_name=_("lead organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_actions",
    )
    target_publics = models.TextField(_("target publics"), blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    calendar = models.TextField(
        _("calendar"), blank=True, help_text=_("Milestones in words, for example “every June”.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    success_indicators = models.TextField(_("success indicators"), blank=True)
    indicators = models.ManyToManyField(
        "IndicatorDefinition",
        verbose_name=_("indicators followed"),
        blank=True,
        related_name="actions",
    )
    is_example = _is_example()
    source_note = _source_note()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["plan", "code", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="roadmap_action_dates",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ActionPartner(models.Model):
    class Role(models.TextChoices):
        PILOT = "pilot", _("Pilot")
        CO_PILOT = "co_pilot", _("Co-pilot")
        OPERATIONAL = "operational", _("Operational partner")
        CO_FUNDER = "co_funder", _("Co-funder")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="action_partnerships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_example = _is_example()

    class Meta:
        ordering = ["action", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "organisation", "role"], name="roadmap_partner_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.role}"


class FundingLine(models.Model):
    class Status(models.TextChoices):
        EXPECTED = "expected", _("Foreseen")
        REQUESTED = "requested", _("Requested")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="funding")
    source = models.CharField(_("source of funding"), max_length=200)
    amount = models.DecimalField(
        _("amount (euros)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    is_example = _is_example()

    class Meta:
        ordering = ["action", "id"]

    def __str__(self) -> str:
        return f"{self.source} · {self.amount}"


class Risk(models.Model):
    class Kind(models.TextChoices):
        FINANCIAL = "financial", _("Financial")
        ORGANISATIONAL = "organisational", _("Organisational")
        PARTNERSHIP = "partnership", _("Partnership")
        TECHNICAL = "technical", _("Technical")
        PUBLIC = "public", _("Reaching the public")
        LEGAL = "legal", _("Legal")

    class Level(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="risks")
    description = models.TextField(_("risk"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    probability = models.CharField(_("probability"), max_length=10, choices=Level.choices)
    impact = models.CharField(_("impact"), max_length=10, choices=Level.choices)
    mitigation = models.TextField(_("mitigation"), blank=True)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    is_example = _is_example()

    class Meta:
        ordering = ["action", "id"]

    def __str__(self) -> str:
        return self.description[:80]


class Activity(models.Model):
    """The log of an action: what was done (or is upcoming), with its results."""

    class State(models.TextChoices):
        DONE = "done", _("Done")
        UPCOMING = "upcoming", _("Upcoming")
        FUTURE = "future", _("Future")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="activities")
    date = models.DateField(_("date"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    what = models.TextField(_("what"))
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    results = models.TextField(_("results"), blank=True)
    keep = models.TextField(_("what to keep"), blank=True)
    change = models.TextField(_("what to change"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_example = _is_example()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["action", "date", "id"]

    def __str__(self) -> str:
        return self.what[:80]


# --- Indicators ------------------------------------------------------------------------------


class IndicatorDefinition(models.Model):
    class Direction(models.TextChoices):
        UP = "up", _("Higher is better")
        DOWN = "down", _("Lower is better")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        COMPUTED = "computed", _("Computed by Maillage")

    class Scope(models.TextChoices):
        NATIONAL = "national", _("National target")
        LOCAL = "local", _("Territory")
        PROGRAMME = "programme", _("Local programme")

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40)
    direction = models.CharField(
        _("direction"), max_length=4, choices=Direction.choices, default=Direction.UP
    )
    source = models.CharField(
        _("source of values"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    computed_key = models.CharField(
        _("computed indicator"),
        max_length=100,
        blank=True,
        help_text=_("Key in the registry of computed indicators."),
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    programme = models.CharField(_("programme"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_example = _is_example()
    source_note = _source_note()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["territory", "scope", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "code"], name="roadmap_indicator_unique_code"
            ),
            models.CheckConstraint(
                condition=Q(source="manual", computed_key="")
                | (Q(source="computed") & ~Q(computed_key="")),
                name="roadmap_indicator_computed_has_key",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(
        IndicatorDefinition, on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(
        _("by the end of"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the source gives no deadline."),
    )
    value = models.FloatField(_("target"))
    is_example = _is_example()
    source_note = _source_note()

    class Meta:
        ordering = ["indicator", "year"]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.value}"


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(
        IndicatorDefinition, on_delete=models.CASCADE, related_name="values"
    )
    date = models.DateField(_("date"))
    value = models.FloatField(_("value"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_example = _is_example()

    class Meta:
        ordering = ["indicator", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "date"], name="roadmap_indicator_value_unique_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.date.isoformat()}"


# --- Inventory of the actors' actions --------------------------------------------------------


class InventoryEntry(models.Model):
    """One action of one of the territory's actors, as the structure describes it."""

    class Audience(models.TextChoices):
        PUBLIC = "public", _("The public directly")
        INTERMEDIARIES = "intermediaries", _("Intermediaries (professionals, volunteers)")

    class Category(models.TextChoices):
        RIGHTS = "rights", _("Access to rights")
        TRAINING = "training", _("Training and support")
        RESOURCES = "resources", _("Resources and tools")
        AWARENESS = "awareness", _("Awareness")

    class Carrier(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        ASSOCIATION = "association", _("Association")
        PUBLIC_BODY = "public_body", _("Other public body")
        SOCIAL = "social", _("Social centre or shelter")
        PRIVATE = "private", _("Company")
        OTHER = "other", _("Other")

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="inventory")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="inventory_entries",
    )
    carrier = models.CharField(_("kind of carrier"), max_length=20, choices=Carrier.choices)
    title = models.CharField(_("name of the action"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(_("for whom"), max_length=20, choices=Audience.choices)
    category = models.CharField(_("kind of action"), max_length=20, choices=Category.choices)
    area = models.ForeignKey(
        Area,
        verbose_name=_("commune"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_example = _is_example()

    class Meta:
        verbose_name = _("inventory entry")
        verbose_name_plural = _("inventory entries")
        ordering = ["territory", "organisation__name", "title"]

    def __str__(self) -> str:
        return self.title


class ReferenceFigure(models.Model):
    """A figure a published document printed (e.g. the roadmap's count of 490 actions), kept
    beside the live statistics for comparison."""

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="reference_figures"
    )
    key = models.SlugField(_("code"), max_length=60)
    label = models.CharField(_("figure"), max_length=200)
    value = models.FloatField(_("value"))
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    source_note = _source_note()

    class Meta:
        ordering = ["territory", "id"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "key"], name="roadmap_figure_unique_key")
        ]

    def __str__(self) -> str:
        return self.label
