"""The open-data pages and API: downloads, import form, report, duplicates, conflicts."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.directory.models import Place
from maillage.interop.models import DuplicateCandidate, ImportRun, SourceRecord
from tests import factories
from tests.factories import SYSTEM
from tests.interop.conftest import EXAMPLE_CSV
from tests.interop.helpers import csv_bytes, variant


def test_open_data_page_lists_downloads_with_licence_and_date(client, territory, bordeaux):
    org = factories.organisation(territory, is_example=True)
    factories.place(
        org, bordeaux, name="Lieu", address="1 rue X", postal_code="33000", is_example=True
    )
    page = client.get(f"/en/{territory.slug}/open-data/")
    assert page.status_code == 200
    text = page.text
    for expected in (
        "lieux.csv",
        "lieux.json",
        "data-inclusion.json",
        "lieux.geojson",
        "datapackage.json",
        "Licence Ouverte",
        "example data",
    ):
        assert expected in text
    api = client.get(f"/api/v1/territories/{territory.slug}/open-data").json()
    assert api["licence"].startswith("Licence Ouverte") and api["example_places"] == 1
    assert [d["key"] for d in api["downloads"]] == [
        "lieux-csv",
        "lieux-json",
        "data-inclusion",
        "geojson",
        "datapackage",
    ]
    response = client.get(api["downloads"][0]["url"])
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert "EXEMPLE" in rows[0]["source"]
    assert client.get(f"/api/v1/territories/{territory.slug}/open-data/nope").status_code == 404


def test_import_through_the_page_and_download_the_report(client, reims_territory):
    coordinator = factories.user(territory=reims_territory, role=factories.Role.COORDINATOR)
    client.force_login(coordinator)
    url = f"/en/{reims_territory.slug}/open-data/imports/"
    bad = csv_bytes([variant(id="a"), variant(id="b", code_postal="1")])
    response = client.post(
        url,
        {
            "file": SimpleUploadedFile("lieux.csv", bad, "text/csv"),
            "file_format": "lieux-csv",
            "source": "hinaura",
        },
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302 and run.status == "refused"
    page = client.get(f"/en/{reims_territory.slug}/open-data/imports/{run.pk}/")
    assert "code_postal" in page.text and "Nothing was written" in page.text
    report = client.get(f"/{reims_territory.slug}/open-data/imports/{run.pk}/report.csv")
    assert report.content.decode().splitlines()[1].startswith("3,code_postal,1,")
    client.post(
        url,
        {
            "file": SimpleUploadedFile("lieux.csv", bad, "text/csv"),
            "file_format": "lieux-csv",
            "source": "hinaura",
            "valid_rows_only": "on",
            "publish": "on",
        },
    )
    assert Place.objects.get().status == "published"


def test_unreadable_file_is_refused_on_the_run_page(client, reims_territory):
    # The file is read by the background task: its run is refused with the reason.
    client.force_login(factories.user(territory=reims_territory, role=factories.Role.COORDINATOR))
    response = client.post(
        f"/en/{reims_territory.slug}/open-data/imports/",
        {
            "file": SimpleUploadedFile("x.json", b"{not json", "application/json"),
            "file_format": "lieux-json",
            "source": "x",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "This JSON cannot be read" in response.text
    assert "Nothing was written" in response.text


def test_duplicates_are_found_compared_and_merged_keeping_provenance(client, reims_territory):
    from maillage.interop import services

    coordinator = factories.user(territory=reims_territory, role=factories.Role.COORDINATOR)
    for source, name in (("hinaura", "Anonymal"), ("dora", "Association Anonymal")):
        services.import_places(
            territory=reims_territory,
            data=csv_bytes([variant(nom=name)]),
            filename="f",
            file_format="lieux-csv",
            source=source,
            by=SYSTEM,
            publish=True,
        )
    client.force_login(coordinator)
    client.post(f"/{reims_territory.slug}/open-data/duplicates/")
    candidate = DuplicateCandidate.objects.get()
    page = client.get(f"/en/{reims_territory.slug}/open-data/duplicates/{candidate.pk}/")
    assert "Association Anonymal" in page.text and "dora" in page.text
    client.post(
        f"/{reims_territory.slug}/open-data/duplicates/{candidate.pk}/", {"decision": "keep_a"}
    )
    candidate.refresh_from_db()
    assert candidate.status == "merged"
    kept = Place.objects.get(pk=candidate.place_a_id)
    assert sorted(SourceRecord.objects.filter(place=kept).values_list("source", flat=True)) == [
        "dora",
        "hinaura",
    ]
    assert Place.objects.get(pk=candidate.place_b_id).status == "archived"
    # both sources now update the kept place
    run = services.import_places(
        territory=reims_territory,
        data=csv_bytes([variant(nom="Association Anonymal", horaires="Mo 10:00-12:00")]),
        filename="f",
        file_format="lieux-csv",
        source="dora",
        by=SYSTEM,
    )
    kept.refresh_from_db()
    assert (run.updated, kept.opening_hours) == (1, "Mo 10:00-12:00")
    # looking again proposes nothing: the decision is remembered
    client.post(f"/{reims_territory.slug}/open-data/duplicates/")
    assert DuplicateCandidate.objects.count() == 1


def test_rejection_is_remembered(client, reims_territory):
    from maillage.interop import duplicates, services

    coordinator = factories.user(territory=reims_territory, role=factories.Role.COORDINATOR)
    services.import_places(
        territory=reims_territory,
        data=csv_bytes([variant(id="1"), variant(id="2")]),
        filename="f",
        file_format="lieux-csv",
        source="s",
        by=SYSTEM,
    )
    assert duplicates.duplicates_detect(territory=reims_territory, by=SYSTEM) == 1
    client.force_login(coordinator)
    candidate = DuplicateCandidate.objects.get()
    client.post(
        f"/{reims_territory.slug}/open-data/duplicates/{candidate.pk}/", {"decision": "reject"}
    )
    assert duplicates.duplicates_detect(territory=reims_territory, by=SYSTEM) == 0
    assert DuplicateCandidate.objects.get().status == "rejected"


def test_conflict_page(client, reims_territory):
    from maillage.directory import services as directory_services
    from maillage.interop import services

    coordinator = factories.user(territory=reims_territory, role=factories.Role.COORDINATOR)
    services.import_places(
        territory=reims_territory,
        data=EXAMPLE_CSV.read_bytes(),
        filename="f",
        file_format="lieux-csv",
        source="s",
        by=SYSTEM,
    )
    place = Place.objects.get()
    directory_services.place_update(
        place_id=place.pk,
        data={"phone": "05 56 00 00 00"},
        services=None,
        expected_version=1,
        by=coordinator,
    )
    services.import_places(
        territory=reims_territory,
        data=csv_bytes([variant(telephone="+33299999999")]),
        filename="f",
        file_format="lieux-csv",
        source="s",
        by=SYSTEM,
    )
    client.force_login(coordinator)
    page = client.get(f"/en/{reims_territory.slug}/open-data/conflicts/")
    assert "+33299999999" in page.text and "05 56 00 00 00" in page.text
    from maillage.interop.models import FieldConflict

    conflict = FieldConflict.objects.get()
    client.post(f"/{reims_territory.slug}/open-data/conflicts/{conflict.pk}/", {"decision": "keep"})
    conflict.refresh_from_db()
    assert conflict.status == "kept"
    place.refresh_from_db()
    assert place.phone == "05 56 00 00 00"
