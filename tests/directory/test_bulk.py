"""Bulk writes keep the guarantees of place_create / place_update."""

import pytest
from django.core.exceptions import PermissionDenied

from maillage.directory import bulk
from maillage.directory.models import Organisation, Place, PlaceService
from maillage.directory.services import ServiceOffer
from tests import factories
from tests.factories import SYSTEM


def _data(area, **extra):
    values = {
        "name": "Lieu",
        "area": area,
        "latitude": area.latitude,
        "longitude": area.longitude,
        "opening_hours": "Mo-Fr 09:00-12:00",
    }
    values.update(extra)
    return values


def test_creates_places_organisations_services_and_history(territory, bordeaux):
    before = territory.directory_version
    org = Organisation(name="Nouvelle association", kind="association")
    result = bulk.places_bulk_write(
        territory=territory,
        writes=[
            bulk.PlaceWrite(
                _data(bordeaux, name="Lieu Un"),
                [ServiceOffer("AideAuxDemarchesAdministratives", 2)],
                org,
            ),
            bulk.PlaceWrite(_data(bordeaux, name="Lieu Deux"), [], org),
        ],
        by=SYSTEM,
        reason="Imported",
        status=Place.Status.PUBLISHED,
    )
    assert len(result.created) == 2 and org.pk is not None
    place = Place.objects.get(name="Lieu Un")
    assert place.status == "published" and place.organisation == org
    assert " lieu un " in place.search_text and "nouvelle association" in place.search_text
    assert place.services_snapshot == [
        {"service": "AideAuxDemarchesAdministratives", "stars": 2, "note": ""}
    ]
    assert PlaceService.objects.get(place=place).category == "procedures"
    record = place.history.get()
    assert record.history_change_reason == "Imported" and record.history_type == "+"
    assert org.history.count() == 1
    territory.refresh_from_db()
    assert territory.directory_version != before


def test_updates_bump_the_version_and_record_history(territory, bordeaux):
    org = factories.organisation(territory)
    place = factories.place(org, bordeaux, name="Avant")
    coordinator = factories.user(territory=territory, role=factories.Role.COORDINATOR)
    bulk.places_bulk_write(
        territory=territory,
        writes=[bulk.PlaceWrite({"name": "Après"}, None, place_id=place.pk)],
        by=coordinator,
        reason="Updated",
    )
    place.refresh_from_db()
    assert (place.name, place.version) == ("Après", 2)
    assert " apres " in place.search_text
    latest = place.history.first()
    assert (latest.history_user, latest.history_change_reason) == (coordinator, "Updated")
    assert place.services_snapshot  # unchanged when services is None


def test_one_invalid_row_stops_everything(territory, bordeaux, pessac):
    other = factories.territory("other")
    foreign = factories.area(other, code="75056", name="Paris", lat=48.85, lon=2.35)
    org = factories.organisation(territory)
    writes = [
        bulk.PlaceWrite(_data(bordeaux), [], org),
        bulk.PlaceWrite(_data(bordeaux, email="not-an-email"), [], org),
        bulk.PlaceWrite(_data(foreign), [], org),
        bulk.PlaceWrite(_data(pessac, opening_hours="whenever"), [], org),
        bulk.PlaceWrite(_data(pessac, fees=["Cher"]), [ServiceOffer("Jardinage")], org),
    ]
    with pytest.raises(bulk.BulkPlaceErrors) as error:
        bulk.places_bulk_write(territory=territory, writes=writes, by=SYSTEM, reason="x")
    assert {i: sorted(e) for i, e in error.value.errors.items()} == {
        1: ["email"],
        2: ["area"],
        3: ["opening_hours"],
        4: ["fees", "services"],
    }
    assert not Place.objects.exists()
    result = bulk.places_bulk_write(
        territory=territory, writes=writes, by=SYSTEM, reason="x", skip_invalid=True
    )
    assert result.created_index == [0] and sorted(result.errors) == [1, 2, 3, 4]
    assert Place.objects.count() == 1


def test_invalid_organisation_is_reported_on_its_rows(territory, bordeaux):
    org = Organisation(name="X", kind="association", siret="12345678901234")
    result = bulk.places_bulk_write(
        territory=territory,
        writes=[bulk.PlaceWrite(_data(bordeaux), [], org)],
        by=SYSTEM,
        reason="x",
        skip_invalid=True,
    )
    assert list(result.errors[0]) == ["siret"] and not Organisation.objects.exists()


def test_only_coordinators(territory, bordeaux):
    structure = factories.user(territory=territory, role=factories.Role.STRUCTURE)
    with pytest.raises(PermissionDenied):
        bulk.places_bulk_write(territory=territory, writes=[], by=structure, reason="x")


def test_mark_confirmed(territory, bordeaux):
    place = factories.place(factories.organisation(territory), bordeaux)
    assert (
        bulk.places_mark_confirmed(
            place_ids=[place.pk], territory=territory, reason="Confirmed", by=SYSTEM
        )
        == 1
    )
    place.refresh_from_db()
    assert place.confirmed_at and place.version == 2
    assert place.history.first().history_change_reason == "Confirmed"


def test_history_records_equal_their_rows_and_can_be_reverted_to(territory, bordeaux):
    from maillage.directory import services

    coordinator = factories.user(territory=territory, role=factories.Role.COORDINATOR)
    org = Organisation(name="Association du bulk", kind="association")
    bulk.places_bulk_write(
        territory=territory,
        writes=[
            bulk.PlaceWrite(
                _data(bordeaux, name=f"Lieu {n}"),
                [ServiceOffer("LoisirsEtCreationsNumeriques", 1)],
                org,
            )
            for n in range(3)
        ],
        by=coordinator,
        reason="Imported",
        status=Place.Status.PUBLISHED,
    )
    for place in Place.objects.filter(organisation=org):
        record = place.history.get()
        tracked = [f.attname for f in Place.history.model.tracked_fields]
        assert {n: getattr(record, n) for n in tracked} == {n: getattr(place, n) for n in tracked}
        assert record.history_user == coordinator
    # The import is a version like any other: edit, then go back to it.
    place = Place.objects.get(name="Lieu 0")
    first = place.history.get()
    services.place_update(
        place_id=place.pk,
        data={"name": "Renommé"},
        services=[],
        expected_version=place.version,
        by=coordinator,
    )
    services.place_revert(place=place, history_id=first.history_id, by=coordinator)
    place.refresh_from_db()
    assert place.name == "Lieu 0"
    assert list(place.services.values_list("service", flat=True)) == [
        "LoisirsEtCreationsNumeriques"
    ]
