"""Territories (tenants), their areas, and who may do what in each."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Territory(models.Model):
    """A territory running its digital-inclusion policy: every record belongs to one."""

    class Kind(models.TextChoices):
        EPCI = "epci", _("Intercommunality")
        DEPARTEMENT = "departement", _("Département")
        REGION = "region", _("Region")
        COMMUNE = "commune", _("Commune")
        OTHER = "other", _("Other territory")

    slug = models.SlugField(_("short name in addresses"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = models.CharField(_("country code"), max_length=2, default="FR")
    official_code = models.CharField(
        _("official code"),
        max_length=20,
        blank=True,
        help_text=_("SIREN of the intercommunality or département, or a Eurostat code."),
    )
    # Bounding box of the territory's areas, kept to warn about coordinates outside it.
    bbox_south = models.FloatField(null=True, blank=True)
    bbox_west = models.FloatField(null=True, blank=True)
    bbox_north = models.FloatField(null=True, blank=True)
    bbox_east = models.FloatField(null=True, blank=True)
    # A new random value at every change of the territory's directory (see
    # directory.search_index): lets each worker know when its search index is out of date.
    directory_version = models.CharField(max_length=32, default="", editable=False)

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """An official area of a territory: a commune (INSEE code) or a Eurostat LAU."""

    class Kind(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        LAU = "lau", _("Local administrative unit")

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="areas")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMMUNE)
    code = models.CharField(
        _("official code"),
        max_length=20,
        validators=[
            RegexValidator(r"^[0-9A-Z_]{2,20}$", _("Use the official code, for example 33063."))
        ],
    )
    name = models.CharField(_("name"), max_length=200)
    postal_codes = models.JSONField(_("postal codes"), default=list, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    latitude = models.FloatField(
        _("latitude of the centre"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude of the centre"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    contour = models.JSONField(_("contour (GeoJSON geometry)"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "code"], name="area_unique_code"),
            models.CheckConstraint(
                condition=models.Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="area_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one territory. Structure members are tied to organisations in
    `directory.OrganisationMember`."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        STRUCTURE = "structure", _("Structure member")
        PRESCRIBER = "prescriber", _("Prescriber")
        PARTNER = "partner", _("Partner (read only)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "territory", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.territory} · {self.role}"


class Invitation(models.Model):
    """A role offered to an e-mail address; the role exists only once the person accepts.

    The link sent by e-mail carries a random token; only its SHA-256 is stored, so the table
    alone does not let anybody accept. An invitation is answered once (accepted, declined or
    revoked) and expires after `expires_at`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Withdrawn")

    email = models.EmailField(_("e-mail address"), max_length=254)
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)
    # The account that accepted (the person may use another address than the invited one).
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending", answered_at__isnull=True)
                | (~models.Q(status="pending") & models.Q(answered_at__isnull=False)),
                name="invitation_answered_when_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.territory} · {self.role} · {self.status}"
