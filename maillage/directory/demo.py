"""The demo territory: Bordeaux Métropole's 28 communes and the structures its roadmap names.

Real: the communes (INSEE), their populations and contours, the structures' names, kinds,
communes and programmes. Invented and marked `is_example`: each place's position (the centre of
its commune, marked approximate), opening hours and services.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from maillage.core.actors import SystemActor
from maillage.directory import services
from maillage.directory.models import Organisation, OrganisationMember, Place
from maillage.directory.text import fold
from maillage.territories.models import Area, Membership, Territory
from maillage.territories.services import membership_grant, territory_load_communes

DEMO_LOADER = SystemActor("demo loader")

DATA = Path(settings.BASE_DIR) / "data"
SLUG = "bordeaux-metropole"
# The roadmap writes "Martignas-sur-Jalles"; the commune's official name is "Martignas-sur-Jalle".
COMMUNE_ALIASES = {"martignas sur jalles": "33273"}
KINDS = {
    "France Services": "france_services",
    "commune": "commune",
    "public body": "public_body",
    "association": "association",
    "social centre": "social_centre",
    "shelter": "shelter",
    "library": "library",
    "public digital space": "public_digital_space",
}
PROGRAMMES = {
    "France Services": "FranceServices",
    "Conseillers numériques": "ConseillersNumeriques",
    "Aidants Connect": "AidantsConnect",
}
# Example hours per kind of structure (invented, typical of each kind).
EXAMPLE_HOURS = {
    "france_services": "Mo-Fr 09:00-12:00,13:30-17:00; PH off",
    "commune": "Mo-Fr 08:30-12:00,13:30-17:30; PH off",
    "library": "Tu,Th,Fr 13:00-18:00; We,Sa 10:00-18:00; PH off",
    "social_centre": "Mo-Fr 09:00-12:00,14:00-18:00; PH off",
    "association": "Mo-Th 09:00-12:30,14:00-17:30; Fr 09:00-12:30; PH off",
    "shelter": "Mo-Fr 10:00-12:00,14:00-16:00; PH off",
    "public_digital_space": "Tu-Sa 10:00-12:30,14:00-18:00; PH off",
}
DEMO_PASSWORD = "demo-maillage-2026"


def _example_services(kind: str, programmes: list[str], name: str) -> list[services.ServiceOffer]:
    offers: dict[str, int] = {}
    if kind == "france_services":
        offers.update(
            {"AideAuxDemarchesAdministratives": 3, "MaitriseDesOutilsNumeriquesDuQuotidien": 1}
        )
    if "Conseillers numériques" in programmes:
        offers.update(
            {"MaitriseDesOutilsNumeriquesDuQuotidien": 2, "UtilisationSecuriseeDuNumerique": 2}
        )
        offers.setdefault("AideAuxDemarchesAdministratives", 1)
    if "ALADDIN" in programmes:
        offers.setdefault("MaitriseDesOutilsNumeriquesDuQuotidien", 2)
        offers.setdefault("InsertionProfessionnelleViaLeNumerique", 1)
    if kind in {"library", "public_digital_space"}:
        offers.update({"AccesInternetEtMaterielInformatique": 2, "LoisirsEtCreationsNumeriques": 2})
    if kind == "social_centre":
        offers.setdefault("ParentaliteEtEducationAvecLeNumerique", 1)
    if "Emmaüs" in name:
        offers["MaterielInformatiqueAPrixSolidaire"] = 3
    if not offers:
        offers["MaitriseDesOutilsNumeriquesDuQuotidien"] = 1
    return [services.ServiceOffer(key, stars) for key, stars in offers.items()]


@transaction.atomic
def load_demo(*, with_users: bool = False) -> Territory:
    """Create (or refresh) the demo territory. Idempotent: run it as often as you like."""
    territory, _created = Territory.objects.update_or_create(
        slug=SLUG,
        defaults={
            "name": "Bordeaux Métropole",
            "kind": Territory.Kind.EPCI,
            "official_code": "243300316",
            "country": "FR",
        },
    )
    territory_load_communes(
        territory=territory,
        communes_csv=DATA / "communes" / "bordeaux-metropole-communes.csv",
        centroids_csv=DATA / "communes" / "bordeaux-metropole-centroids.csv",
        contours_geojson=DATA / "communes" / "bordeaux-metropole-communes-2018.geojson",
        source="INSEE COG via @etalab/decoupage-administratif 6.0.0; IGN Admin Express 2018",
        by=DEMO_LOADER,
    )
    areas = {fold(a.name): a for a in Area.objects.filter(territory=territory)}
    by_code = {a.code: a for a in areas.values()}
    with open(DATA / "bordeaux-roadmap" / "structures-named-in-roadmap.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        name = row["name"].strip()
        programmes = [p for p in row["programmes"].split("|") if p]
        kind = KINDS[row["kind"]]
        organisation = Organisation.objects.filter(territory=territory, name=name).first()
        if organisation is None:
            organisation = services.organisation_create(
                territory=territory,
                name=name,
                kind=kind,
                by=DEMO_LOADER,
                labels=[PROGRAMMES[p] for p in programmes if p in PROGRAMMES],
                local_programmes=[p for p in programmes if p not in PROGRAMMES],
                source_note="Named in Bordeaux Métropole's roadmap “France Numérique Ensemble "
                f"2024-2027”. {row['note']}".strip(),
            )
        commune = row["commune"].strip()
        if not commune or kind == "public_body" or organisation.places.exists():
            continue
        key = fold(commune)
        area = areas.get(key) or by_code.get(COMMUNE_ALIASES.get(key, ""))
        if area is None:
            raise ValueError(
                f"structures-named-in-roadmap.csv: unknown commune {commune!r} for {name!r}"
            )
        services.place_create(
            organisation=organisation,
            by=DEMO_LOADER,
            is_example=True,
            status=Place.Status.PUBLISHED,
            data={
                "name": name,
                "area": area,
                "latitude": area.latitude,
                "longitude": area.longitude,
                "location_precision": Place.Precision.COMMUNE,
                "postal_code": area.postal_codes[0] if area.postal_codes else "",
                "is_mobile": row["mobile"] == "yes",
                "opening_hours": EXAMPLE_HOURS.get(kind, EXAMPLE_HOURS["association"]),
                "fees": ["Gratuit"],
                "support_formats": ["AccompagnementIndividuel"],
                "delivery_modes": ["on_site"],
                "access_modes": ["SePresenter", "Telephoner"],
                "languages": ["fr"],
                "source_note": "Example data: position at the commune's centre; hours and "
                "services invented for the demonstration.",
            },
            services=_example_services(kind, programmes, name),
        )
    if with_users:
        _demo_users(territory)
    return territory


def _demo_users(territory: Territory) -> None:
    User = get_user_model()

    def user(username: str, first_name: str) -> object:
        account, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first_name}
        )
        if created:
            account.set_password(DEMO_PASSWORD)
            account.save()
        return account

    membership_grant(
        user=user("coordination", "Camille"),
        territory=territory,
        role=Membership.Role.COORDINATOR,
        by=DEMO_LOADER,
    )
    structure = user("structure", "Sami")
    membership_grant(
        user=structure, territory=territory, role=Membership.Role.STRUCTURE, by=DEMO_LOADER
    )
    for name in ("Pimms Médiation Bordeaux", "France Services Pimms Médiation Bordeaux"):
        organisation = Organisation.objects.get(territory=territory, name=name)
        OrganisationMember.objects.get_or_create(organisation=organisation, user=structure)
    membership_grant(
        user=user("prescription", "Lou"),
        territory=territory,
        role=Membership.Role.PRESCRIBER,
        by=DEMO_LOADER,
    )
    membership_grant(
        user=user("partenaire", "Alix"),
        territory=territory,
        role=Membership.Role.PARTNER,
        by=DEMO_LOADER,
    )
