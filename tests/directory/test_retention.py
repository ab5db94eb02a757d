"""Retention rule "directory.contact_history": the phone and e-mail of replaced versions of a
place are erased after their period; the place, its latest version and every other field stay."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from maillage.core.extensions import RETENTION_RULES
from maillage.directory import retention, services
from maillage.directory.models import Place
from tests import factories
from tests.factories import SYSTEM, Role


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def set_date(record, days: int) -> None:
    type(record).objects.filter(history_id=record.history_id).update(history_date=days_ago(days))


@pytest.fixture
def coordinator(territory):
    return factories.user(territory=territory, role=Role.COORDINATOR)


@pytest.fixture
def versions(territory, bordeaux, coordinator):
    """A place with three versions: v1 (a mediator's own line and address) replaced 380 days
    ago by v2 (the switchboard), itself replaced 10 days ago by v3 (a new name)."""
    org = factories.organisation(territory, name="Centre social")
    place = factories.place(
        org, bordeaux, name="Espace 1", phone="06 12 34 56 78", email="marie.dupont@example.org"
    )
    for data in (
        {"phone": "05 56 00 00 00", "email": "accueil@example.org", "name": "Espace 2"},
        {"name": "Espace 3"},
    ):
        place.refresh_from_db()
        services.place_update(
            place_id=place.pk, data=data, services=None, expected_version=place.version, by=SYSTEM
        )
    v1, v2, v3 = place.history.order_by("history_date")
    set_date(v1, 400)
    set_date(v2, 380)
    set_date(v3, 10)
    # A place not changed for two years: its only version is what it shows now.
    still = factories.place(org, bordeaux, name="Antenne", phone="05 56 11 11 11")
    set_date(still.history.get(), 730)
    place.refresh_from_db()
    return {"place": place, "still": still, "ids": [v.history_id for v in (v1, v2, v3)]}


def history_rows(place):
    return {v.history_id: (v.name, v.phone, v.email, v.contact_erased) for v in place.history.all()}


def purge(*args) -> str:
    out = io.StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


def count_of(output: str, key: str) -> int:
    line = next(line for line in output.splitlines() if line.startswith(key + ":"))
    return int(line.rsplit(" ", 1)[1])


def test_rule_is_registered_with_its_period():
    rule = RETENTION_RULES["directory.contact_history"]
    assert rule.days == retention.CONTACT_HISTORY_DAYS == 365
    assert rule.purge is retention.contact_history_purge


def test_old_versions_lose_their_contact_recent_ones_and_the_place_keep_it(versions):
    place, still = versions["place"], versions["still"]
    v1, v2, v3 = versions["ids"]
    before = {**history_rows(place), **history_rows(still)}

    assert count_of(purge(), "directory.contact_history") == 1

    after = history_rows(place)
    assert after[v1] == ("Espace 1", "", "", True)  # replaced 380 days ago: erased
    assert after[v2] == before[v2] == ("Espace 2", "05 56 00 00 00", "accueil@example.org", False)
    assert after[v3] == before[v3]  # the latest version
    assert history_rows(still) == {k: before[k] for k in history_rows(still)}
    current = Place.objects.get(pk=place.pk)
    assert (current.name, current.phone, current.email, current.version) == (
        "Espace 3",
        "05 56 00 00 00",
        "accueil@example.org",
        place.version,
    )


def test_dry_run_counts_and_a_second_run_changes_nothing(versions):
    place = versions["place"]
    before = history_rows(place)
    assert count_of(purge("--dry-run"), "directory.contact_history") == 1
    assert history_rows(place) == before
    purge()
    assert count_of(purge(), "directory.contact_history") == 0


def test_a_shorter_period_reaches_more_recent_replacements(versions):
    purge("--days", "directory.contact_history=5")
    rows = history_rows(versions["place"])
    v1, v2, v3 = versions["ids"]
    assert rows[v1][3] and rows[v2][3] and not rows[v3][3]  # v2 was replaced 10 days ago
    assert rows[v3][1:3] == ("05 56 00 00 00", "accueil@example.org")


def test_revert_to_an_erased_version_brings_back_the_rest_and_keeps_the_contact(
    versions, coordinator
):
    place = versions["place"]
    purge()
    services.place_revert(place=place, history_id=versions["ids"][0], by=coordinator)
    place.refresh_from_db()
    assert place.name == "Espace 1"  # the other fields come back
    assert (place.phone, place.email) == ("05 56 00 00 00", "accueil@example.org")


def test_history_page_says_the_contact_was_erased(client, territory, versions, coordinator):
    purge()
    client.force_login(coordinator)
    with translation.override("en"):
        url = reverse(
            "directory:place_history",
            kwargs={"territory": territory.slug, "pk": versions["place"].pk},
        )
    page = client.get(url).content.decode()
    assert "have been erased" in page
    assert "06 12 34 56 78" not in page and "marie.dupont" not in page


def test_the_last_version_of_a_deleted_place_is_erased_after_the_period(territory, bordeaux):
    org = factories.organisation(territory)
    place = factories.place(org, bordeaux, phone="06 00 00 00 01", email="p@example.org")
    history = Place.history.model
    place_id = place.pk
    place.delete()
    created, deletion = history.objects.filter(id=place_id).order_by("history_date")
    set_date(created, 410)
    set_date(deletion, 400)
    assert retention.contact_history_purge(before=days_ago(365), by=SYSTEM) == 2
    assert set(history.objects.filter(id=place_id).values_list("phone", "email")) == {("", "")}
