"""Test data builders. They go through the domain services, like the application does."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

from maillage.core.actors import Actor, SystemActor
from maillage.directory import services
from maillage.directory.models import Organisation, OrganisationMember, Place
from maillage.territories.models import Area, Membership, Territory

#: Who writes the tests' data: the system, as the demo loader does.
SYSTEM = SystemActor("tests")

_seq = itertools.count(1)


def territory(slug: str = "test-metropole", **kwargs) -> Territory:
    defaults = {
        "name": "Test Métropole",
        "kind": Territory.Kind.EPCI,
        "bbox_south": 44.7,
        "bbox_north": 45.0,
        "bbox_west": -0.8,
        "bbox_east": -0.4,
    }
    defaults.update(kwargs)
    return Territory.objects.create(slug=slug, **defaults)


def area(
    t: Territory,
    code: str = "33063",
    name: str = "Bordeaux",
    lat: float = 44.8378,
    lon: float = -0.5792,
    postal_codes=("33000", "33800"),
    population=265328,
) -> Area:
    return Area.objects.create(
        territory=t,
        code=code,
        name=name,
        latitude=lat,
        longitude=lon,
        postal_codes=list(postal_codes),
        population=population,
    )


def organisation(
    t: Territory, name: str | None = None, kind: str = "association", **kwargs
) -> Organisation:
    return services.organisation_create(
        territory=t, name=name or f"Association {next(_seq)}", kind=kind, by=SYSTEM, **kwargs
    )


def place(
    org: Organisation,
    a: Area,
    *,
    name: str | None = None,
    status=Place.Status.PUBLISHED,
    services_=(("MaitriseDesOutilsNumeriquesDuQuotidien", 2),),
    by: Actor = SYSTEM,
    **data,
) -> Place:
    values = {
        "name": f"Lieu {next(_seq)}" if name is None else name,
        "area": a,
        "latitude": a.latitude,
        "longitude": a.longitude,
        "opening_hours": "Mo-Fr 09:00-17:00",
    }
    values.update(data)
    created, _warnings = services.place_create(
        organisation=org,
        data=values,
        by=by,
        status=status,
        services=[services.ServiceOffer(key, stars) for key, stars in services_],
    )
    return created


def user(
    username: str | None = None,
    *,
    territory: Territory | None = None,
    role: str | None = None,
    organisations=(),
):
    account = get_user_model().objects.create_user(
        username=username or f"user{next(_seq)}", password="correct horse battery staple"
    )
    if territory is not None and role is not None:
        Membership.objects.create(user=account, territory=territory, role=role)
    for org in organisations:
        OrganisationMember.objects.create(user=account, organisation=org)
    return account


Role = Membership.Role
