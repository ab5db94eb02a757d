import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from maillage.directory import services
from maillage.directory.models import Place, PlaceService
from tests import factories
from tests.factories import SYSTEM, Role


@pytest.fixture
def org(territory):
    return factories.organisation(territory, name="Médiathèque Jean-Jacques")


def test_create_place_writes_services_search_text_and_history(org, bordeaux):
    place = factories.place(
        org,
        bordeaux,
        name="Espace Numérique Saint-Michel",
        opening_hours="Mo-Fr 09:00-12:00",
        services_=(("AideAuxDemarchesAdministratives", 3),),
    )
    assert place.status == Place.Status.PUBLISHED
    assert list(
        PlaceService.objects.filter(place=place).values_list("service", "category", "stars")
    ) == [("AideAuxDemarchesAdministratives", "procedures", 3)]
    assert " espace numerique saint michel " in place.search_text
    assert "mediatheque jean jacques" in place.search_text
    assert place.history.count() == 1
    assert place.services_snapshot == [
        {"service": "AideAuxDemarchesAdministratives", "stars": 3, "note": ""}
    ]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("opening_hours", "Mo-Fr 25:00-12:00", "opening_hours"),
        ("name", "", "name"),
        ("phone", "call us", "phone"),
        ("latitude", 123.0, "latitude"),
        ("fees", ["Cheap"], "fees"),
        ("postal_code", "3300", "postal_code"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(org, bordeaux, field, value, expected):
    with pytest.raises(ValidationError) as error:
        factories.place(org, bordeaux, **{field: value})
    assert expected in error.value.message_dict
    assert Place.objects.count() == 0
    assert PlaceService.objects.count() == 0


def test_unknown_service_and_stars_out_of_range_are_refused(org, bordeaux):
    with pytest.raises(ValidationError) as error:
        factories.place(org, bordeaux, services_=(("Teleportation", 2),))
    assert "Teleportation" in str(error.value)
    with pytest.raises(ValidationError):
        factories.place(org, bordeaux, services_=(("LoisirsEtCreationsNumeriques", 4),))
    assert Place.objects.count() == 0


def test_commune_of_another_territory_is_refused(org):
    other = factories.territory(slug="other", name="Other")
    foreign = factories.area(other, code="75056", name="Paris", lat=48.85, lon=2.35)
    with pytest.raises(ValidationError) as error:
        factories.place(org, foreign)
    assert "area" in error.value.message_dict


@translation.override("en")
def test_coordinates_outside_the_territory_only_warn(org, bordeaux):
    _place, warnings = services.place_create(
        organisation=org,
        by=SYSTEM,
        services=[],
        data={"name": "Lieu", "area": bordeaux, "latitude": -0.57, "longitude": 44.83},
    )
    assert len(warnings) == 1
    assert "swapped" in warnings[0]


def test_update_bumps_version_and_a_stale_version_conflicts_with_the_difference(
    territory, org, bordeaux
):
    place = factories.place(org, bordeaux, name="Avant", phone="0556000000")
    alice = factories.user(territory=territory, role=Role.STRUCTURE, organisations=[org])
    bob = factories.user(territory=territory, role=Role.STRUCTURE, organisations=[org])
    opened_version = place.version
    services.place_update(
        place_id=place.pk,
        data={"phone": "0556111111"},
        services=None,
        expected_version=opened_version,
        by=alice,
    )
    with pytest.raises(services.PlaceEditConflict) as conflict:
        services.place_update(
            place_id=place.pk,
            data={"name": "Après"},
            services=None,
            expected_version=opened_version,
            by=bob,
        )
    changes = {c.field: (c.before, c.after) for c in conflict.value.changes}
    assert changes == {"phone": ("0556000000", "0556111111")}
    place.refresh_from_db()
    assert place.name == "Avant"  # the second save did not overwrite anything
    assert place.phone == "0556111111"
    assert place.version == opened_version + 1


@translation.override("en")
def test_revert_brings_back_fields_and_services(territory, org, bordeaux):
    coordinator = factories.user(territory=territory, role=Role.COORDINATOR)
    place = factories.place(
        org, bordeaux, name="Version 1", services_=(("LoisirsEtCreationsNumeriques", 1),)
    )
    first = place.history.earliest("history_date")
    services.place_update(
        place_id=place.pk,
        data={"name": "Version 2"},
        by=coordinator,
        services=[services.ServiceOffer("AideAuxDemarchesAdministratives", 3)],
        expected_version=place.version,
    )
    services.place_revert(place=place, history_id=first.history_id, by=coordinator)
    place.refresh_from_db()
    assert place.name == "Version 1"
    assert list(place.services.values_list("service", "stars")) == [
        ("LoisirsEtCreationsNumeriques", 1)
    ]
    latest = place.history.latest("history_date")
    assert latest.history_user == coordinator
    assert latest.history_change_reason == "Reverted to version 1"


def test_revert_to_a_version_of_another_place_is_refused(territory, org, bordeaux):
    coordinator = factories.user(territory=territory, role=Role.COORDINATOR)
    place = factories.place(org, bordeaux, name="Lieu un")
    other = factories.place(org, bordeaux, name="Lieu deux")
    foreign = other.history.earliest("history_date").history_id
    with translation.override("en"), pytest.raises(ValidationError, match="not a version of"):
        services.place_revert(place=place, history_id=foreign, by=coordinator)
    place.refresh_from_db()
    assert (place.name, place.history.count()) == ("Lieu un", 1)


def test_confirm_records_who_and_when(territory, org, bordeaux):
    member = factories.user(territory=territory, role=Role.STRUCTURE, organisations=[org])
    place = factories.place(org, bordeaux)
    services.place_confirm(place=place, by=member)
    place.refresh_from_db()
    assert place.confirmed_by == member
    assert place.confirmed_at is not None


def test_only_coordinators_publish(territory, org, bordeaux):
    member = factories.user(territory=territory, role=Role.STRUCTURE, organisations=[org])
    place = factories.place(org, bordeaux, status=Place.Status.DRAFT)
    with pytest.raises(PermissionDenied):
        services.place_set_status(place=place, status=Place.Status.PUBLISHED, by=member)
    coordinator = factories.user(territory=territory, role=Role.COORDINATOR)
    services.place_set_status(place=place, status=Place.Status.PUBLISHED, by=coordinator)
    place.refresh_from_db()
    assert place.status == Place.Status.PUBLISHED


def test_database_constraints_back_the_invariants(org, bordeaux):
    from django.db import IntegrityError, transaction

    place = factories.place(org, bordeaux)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlaceService.objects.create(
            place=place, service="LoisirsEtCreationsNumeriques", category="culture", stars=5
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Place.objects.filter(pk=place.pk).update(latitude=200)


@pytest.mark.parametrize(
    ("siret", "valid"),
    [
        ("43493312300029", True),  # the standard's valid example
        ("35600000000048", True),  # La Poste, head office: Luhn
        ("35600000049837", True),  # a La Poste establishment: digit sum multiple of 5
        ("43493312300028", False),
        ("4349331230002", False),
        ("4349331230002A", False),
    ],
)
def test_siret_checksum(territory, siret, valid):
    if valid:
        factories.organisation(territory, siret=siret)
    else:
        with pytest.raises(ValidationError) as error:
            factories.organisation(territory, siret=siret)
        assert "siret" in error.value.message_dict
