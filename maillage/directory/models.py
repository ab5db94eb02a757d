"""Organisations, their places, and the services offered there."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from maillage.directory import vocabularies as voc
from maillage.territories.models import Area, Territory

LA_POSTE_SIREN = "356000000"  # its establishments may use another rule (sum of digits % 5)


def validate_siret(value: str) -> None:
    """14 digits with a right Luhn checksum (or, for La Poste's establishments, a digit sum
    that is a multiple of 5)."""
    if not (len(value) == 14 and value.isdigit()):
        raise ValidationError(_("A SIRET has 14 digits, without spaces."), code="siret_format")
    total = 0
    for position, char in enumerate(reversed(value)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    valid = total % 10 == 0 or (
        value.startswith(LA_POSTE_SIREN) and sum(int(c) for c in value) % 5 == 0
    )
    if not valid:
        raise ValidationError(
            _("This SIRET number is not valid: check the 14 digits."), code="siret_checksum"
        )


phone_validator = RegexValidator(
    r"^\+?[0-9 .()-]{6,20}$",
    _("Write a phone number with digits, for example 05 56 00 00 00 or +33 5 56 00 00 00."),
)


class Organisation(models.Model):
    """A structure: association, CCAS, library, France Services, commune…"""

    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="organisations")
    name = models.CharField(_("name"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    kind = models.CharField(_("kind"), max_length=30, choices=voc.ORGANISATION_KIND_CHOICES)
    labels = models.JSONField(_("national programmes and labels"), default=list, blank=True)
    local_programmes = models.JSONField(
        _("local programmes"),
        default=list,
        blank=True,
        help_text=_("Programmes of the territory, for example ALADDIN."),
    )
    website = models.URLField(_("website"), blank=True)
    is_example = models.BooleanField(
        _("example data"),
        default=False,
        help_text=_("Invented for the demonstration; shown as such to every reader."),
    )
    source_note = models.TextField(_("source"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationMember(models.Model):
    """A user who keeps an organisation's places up to date."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="organisation_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation}"


class OrganisationInvitation(models.Model):
    """The organisation a structure member's invitation is for: once the person accepts the
    invitation (`territories.Invitation`), they keep its places."""

    invitation = models.OneToOneField(
        "territories.Invitation", on_delete=models.CASCADE, related_name="organisation_link"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )

    def __str__(self) -> str:
        return f"{self.invitation} · {self.organisation}"


class PlaceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Place.Status.PUBLISHED)

    def of_territory(self, territory: Territory):
        return self.filter(territory=territory)


class Place(models.Model):
    """Where people get help: an organisation's site or mobile unit."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Precision(models.TextChoices):
        ADDRESS = "address", _("At the address")
        COMMUNE = "commune", _("Approximate (centre of the commune)")

    class StepFree(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        UNKNOWN = "unknown", _("Not known")

    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="places")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="places")
    name = models.CharField(_("name"), max_length=200)
    is_mobile = models.BooleanField(_("mobile unit"), default=False)
    address = models.CharField(_("address"), max_length=300, blank=True)
    address_complement = models.CharField(_("address complement"), max_length=300, blank=True)
    postal_code = models.CharField(
        _("postal code"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", _("A French postal code has 5 digits."))],
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="places", verbose_name=_("commune")
    )
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    location_precision = models.CharField(
        _("location precision"), max_length=10, choices=Precision.choices, default=Precision.ADDRESS
    )
    access_directions = models.TextField(
        _("how to get there"),
        blank=True,
        help_text=_("Public transport, entrance, floor: what a visitor needs to find you."),
    )
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=500,
        blank=True,
        help_text=_(
            "OpenStreetMap syntax, for example: Mo-Fr 09:00-12:00,14:00-17:00; Sa 10:00-12:00"
        ),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    appointment_url = models.URLField(_("online booking"), blank=True)
    step_free_access = models.CharField(
        _("step-free access"), max_length=10, choices=StepFree.choices, default=StepFree.UNKNOWN
    )
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    publics = models.JSONField(_("publics specifically welcomed"), default=list, blank=True)
    specific_support = models.JSONField(_("specific support"), default=list, blank=True)
    support_formats = models.JSONField(_("how help is given"), default=list, blank=True)
    delivery_modes = models.JSONField(_("where help is given"), default=list, blank=True)
    access_modes = models.JSONField(_("how to come"), default=list, blank=True)
    fees = models.JSONField(_("fees"), default=list, blank=True)
    summary = models.CharField(_("short description"), max_length=280, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    confirmed_at = models.DateTimeField(_("last confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_example = models.BooleanField(
        _("example data"),
        default=False,
        help_text=_("Invented for the demonstration; shown as such to every reader."),
    )
    source_note = models.TextField(_("source"), blank=True)
    # Written only by directory.services: the concurrency token, the folded text searched by
    # words, and the services as they were at each version (so that history can revert them).
    version = models.PositiveIntegerField(default=1)
    search_text = models.TextField(default="", editable=False)
    services_snapshot = models.JSONField(default=list, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["search_text"])

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name"]
        indexes = [
            models.Index(
                fields=["territory", "status", "latitude", "longitude"], name="place_geo_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="place_coordinates_valid",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="place_name_required"),
        ]

    def __str__(self) -> str:
        return self.name


class PlaceService(models.Model):
    """A service offered at a place, self-assessed with 1 to 3 stars."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="services")
    service = models.CharField(_("service"), max_length=60, choices=voc.SERVICE_CHOICES)
    category = models.CharField(
        _("category"), max_length=30, choices=voc.CATEGORY_CHOICES, editable=False
    )
    stars = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(1), MaxValueValidator(3)], default=1
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("service at a place")
        verbose_name_plural = _("services at places")
        constraints = [
            models.UniqueConstraint(fields=["place", "service"], name="place_service_unique"),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=3), name="place_service_stars_1_3"
            ),
        ]
        indexes = [
            models.Index(fields=["service", "place"], name="place_service_idx"),
            models.Index(fields=["category", "place"], name="place_category_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.place} · {self.service}"
