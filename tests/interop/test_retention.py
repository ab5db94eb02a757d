"""Retention rule "interop.source_contacts": the phone and e-mail a source gave for a place are
erased from its provenance once the source stopped sending the place, and from decided
conflicts; the other imported values and the place itself stay."""

import datetime as dt

import pytest
from django.utils import timezone

from maillage.core.extensions import RETENTION_RULES
from maillage.directory.models import Place
from maillage.interop import retention, services
from maillage.interop.models import FieldConflict, Format, SourceRecord
from tests.factories import SYSTEM
from tests.interop.conftest import EXAMPLE_CSV


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def _import(territory, source: str):
    return services.import_places(
        territory=territory,
        data=EXAMPLE_CSV.read_bytes(),
        filename="exemple.csv",
        file_format=Format.LIEUX_CSV,
        source=source,
        by=SYSTEM,
        publish=True,
    )


@pytest.fixture
def sources(reims_territory):
    """The same file imported from two sources: "ancienne" last sent it 400 days ago, "active"
    10 days ago; a conflict on the phone was decided 400 days ago, another 10 days ago."""
    old_run = _import(reims_territory, "ancienne")
    new_run = _import(reims_territory, "active")
    SourceRecord.objects.filter(source="ancienne").update(imported_at=days_ago(400))
    SourceRecord.objects.filter(source="active").update(imported_at=days_ago(10))
    record = SourceRecord.objects.filter(source="ancienne").first()
    conflicts = {}
    for name, run, age in (("old", old_run, 400), ("recent", new_run, 10)):
        conflicts[name] = FieldConflict.objects.create(
            record=record,
            run=run,
            field="phone",
            current="06 12 34 56 78",
            incoming="05 56 00 00 00",
            status=FieldConflict.Status.KEPT,
            decided_at=days_ago(age),
        )
    FieldConflict.objects.create(  # open: a coordinator still has to decide it
        record=record, run=old_run, field="email", current="a@example.org", incoming="b@x.org"
    )
    return {"territory": reims_territory, "conflicts": conflicts}


def _values(source: str) -> list[dict]:
    return [r.values for r in SourceRecord.objects.filter(source=source).order_by("source_id")]


def test_rule_is_registered_with_its_period():
    rule = RETENTION_RULES["interop.source_contacts"]
    assert rule.days == retention.SOURCE_CONTACTS_DAYS == 365
    assert rule.purge is retention.source_contacts_purge


def test_contacts_of_stale_sources_and_decided_conflicts_are_erased(sources):
    stale_before, active_before = _values("ancienne"), _values("active")
    assert any(v.get("phone") or v.get("email") for v in stale_before)
    places = {p.pk: (p.phone, p.email) for p in Place.objects.all()}
    count = retention.source_contacts_purge(before=days_ago(365), by=SYSTEM)
    assert count == len(stale_before) + 1  # every stale record, the old decided conflict
    stale = _values("ancienne")
    assert all("phone" not in v and "email" not in v for v in stale)
    # The rest of what the source said stays (names, addresses, hours, services…).
    assert stale == [
        {k: v for k, v in values.items() if k not in ("phone", "email")} for values in stale_before
    ]
    assert _values("active") == active_before
    old, recent = (FieldConflict.objects.get(pk=c.pk) for c in sources["conflicts"].values())
    assert (old.current, old.incoming) == ("", "")
    assert (recent.current, recent.incoming) == ("06 12 34 56 78", "05 56 00 00 00")
    still_open = FieldConflict.objects.get(status=FieldConflict.Status.OPEN)
    assert still_open.current == "a@example.org"
    assert {p.pk: (p.phone, p.email) for p in Place.objects.all()} == places


def test_dry_run_counts_and_the_rule_is_idempotent(sources):
    stale_before = _values("ancienne")
    would = retention.source_contacts_purge(before=days_ago(365), dry_run=True, by=SYSTEM)
    assert would == len(stale_before) + 1 and _values("ancienne") == stale_before
    assert retention.source_contacts_purge(before=days_ago(365), by=SYSTEM) == would
    assert retention.source_contacts_purge(before=days_ago(365), by=SYSTEM) == 0


def test_a_source_that_sends_the_place_again_gets_its_values_back(sources):
    stale_before = _values("ancienne")
    retention.source_contacts_purge(before=days_ago(365), by=SYSTEM)
    _import(sources["territory"], "ancienne")
    assert _values("ancienne") == stale_before


def test_a_decided_conflict_cannot_be_decided_again_once_erased(sources, client):
    from django.core.exceptions import ValidationError
    from django.urls import reverse

    from tests import factories

    territory = sources["territory"]
    retention.source_contacts_purge(before=days_ago(365), by=SYSTEM)
    old = FieldConflict.objects.get(pk=sources["conflicts"]["old"].pk)
    place = old.record.place
    phone = place.phone
    coordinator = factories.user(territory=territory, role=factories.Role.COORDINATOR)
    with pytest.raises(ValidationError, match="already decided"):
        services.conflict_decide(conflict=old, take_source=True, by=coordinator)
    client.force_login(coordinator)
    url = reverse("interop:conflict_decide", kwargs={"territory": territory.slug, "pk": old.pk})
    response = client.post(url, {"decision": "take"}, follow=True)
    assert "already decided" in response.content.decode()
    place.refresh_from_db()
    assert place.phone == phone  # the erased value never reaches the place


def test_records_are_written_in_batches_with_the_same_result(sources, monkeypatch):
    monkeypatch.setattr(retention, "_BATCH", 2)  # three records: a full batch, then one
    record = SourceRecord.objects.get(source="ancienne")
    for source_id in ("b", "c"):
        SourceRecord.objects.create(
            territory=record.territory,
            place=record.place,
            source="ancienne",
            source_id=source_id,
            values={**record.values, "phone": f"06 00 00 00 0{len(source_id)}"},
            imported_at=days_ago(400),
        )
    stale_before = _values("ancienne")
    assert len(stale_before) == 3
    assert retention.source_contacts_purge(before=days_ago(365), by=SYSTEM) == len(stale_before) + 1
    assert _values("ancienne") == [
        {k: v for k, v in values.items() if k not in ("phone", "email")} for values in stale_before
    ]
