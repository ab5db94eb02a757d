"""Every import page reads files with the one reader (core.uploads): the same file gets the
same message on each, the page answers (no 500) and nothing is written. Places are imported
by a background task (run at once in tests): their page redirects to the run, refused with the
message, and that run (the report) is all that is written.

The three files: an Excel-saved (Windows-1252) file, read past its accented first row up to a
short row; a UTF-8 file with a short row; one with a 200,000-character value.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from maillage.core import uploads
from maillage.diagnostic.models import CandidateSite, IndicatorValue, PopulationSquare, TravelRoute
from maillage.directory.models import Place
from maillage.interop.models import ImportRun
from maillage.observatory import services as observatory_services
from maillage.observatory.models import ImportReport, MarginSet, Respondent
from maillage.territories.models import Membership
from tests import factories

WRITTEN = (
    Place,
    ImportRun,
    Respondent,
    ImportReport,
    MarginSet,
    IndicatorValue,
    CandidateSite,
    TravelRoute,
    PopulationSquare,
)


@dataclass(frozen=True)
class ImportPage:
    key: str
    url: str  # with {territory} and {wave}
    columns: tuple[str, ...]
    fields: dict[str, str]  # the form's other fields
    file_field: str = "file"
    status: int = 200  # of the page showing a refused file (the diagnostic's pages say 400)
    queued: bool = False  # read by a background task: the run's page shows the refusal


PAGES = [
    ImportPage(
        "places",
        "/{territory}/open-data/imports/",
        ("id", "nom", "commune"),
        {"file_format": "lieux-csv", "source": "test"},
        queued=True,
    ),
    ImportPage(
        "survey responses",
        "/{territory}/observatory/manage/waves/{wave}/import/",
        ("commune_code", "q1"),
        {},
        queued=True,
    ),
    ImportPage(
        "margins",
        "/{territory}/observatory/manage/margins/new/",
        ("commune_code", "margin", "category", "population"),
        {"name": "Census", "source": "INSEE"},
    ),
    ImportPage(
        "indicator values",
        "/{territory}/diagnostic/indicators/",
        ("indicator", "code", "value"),
        {"action": "import"},
        file_field="values-file",
        status=400,
    ),
    ImportPage(
        "candidate sites",
        "/{territory}/diagnostic/candidates/",
        ("name", "latitude", "longitude", "kind"),
        {},
        status=400,
    ),
    ImportPage(
        "travel matrix",
        "/{territory}/diagnostic/matrix/",
        ("area_code", "place_id", "minutes"),
        {"source": ""},
        status=400,
    ),
    ImportPage(
        "population squares",
        "/{territory}/diagnostic/squares/",
        ("square_id", "population", "area_code"),
        {"source": ""},
        status=400,
    ),
]


def _cp1252_then_short_row(columns) -> bytes:
    full = ["Bègles – l’atelier « numérique »"] * len(columns)
    text = ";".join(columns) + "\r\n" + ";".join(full) + "\r\n" + "33063\r\n"
    return text.encode("cp1252")


def _short_row(columns) -> bytes:
    return (",".join(columns) + "\n" + ",".join(["1"] * (len(columns) - 1)) + "\n").encode()


def _long_field(columns) -> bytes:
    values = ["1"] * len(columns)
    values[-1] = "x" * 200_000
    return (",".join(columns) + "\n" + ",".join(values) + "\n").encode()


FILES = {
    "cp1252": (_cp1252_then_short_row, 3),
    "short row": (_short_row, 2),
    "200,000 characters": (_long_field, 2),
}


@pytest.fixture
def coordinator_client(territory, bordeaux):
    client = Client()
    client.force_login(factories.user(territory=territory, role=Membership.Role.COORDINATOR))
    return client


@pytest.fixture
def wave(territory, bordeaux):
    grid = observatory_services.grid_adopt(territory=territory, version="1", by=factories.SYSTEM)
    return observatory_services.wave_create(
        territory=territory, grid=grid, name="Vague 1", is_synthetic=True, by=factories.SYSTEM
    )


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WRITTEN}


@pytest.mark.parametrize("file_kind", list(FILES))
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.key)
def test_every_import_page_gives_the_readers_message_and_writes_nothing(
    page, file_kind, territory, wave, coordinator_client
):
    make, row = FILES[file_kind]
    data = make(page.columns)
    with pytest.raises(uploads.UnreadableFile) as refused:
        uploads.read_table(data)
    assert refused.value.report.row == row
    before = _counts()
    url = page.url.format(territory=territory.slug, wave=wave.pk)
    upload = SimpleUploadedFile("file.csv", data, content_type="text/csv")
    response = coordinator_client.post(
        url, {**page.fields, page.file_field: upload}, follow=page.queued
    )
    assert response.status_code == page.status
    with translation.override("fr"):  # the page's language (no prefix: French)
        message = str(refused.value.report)
    assert message in html.unescape(response.content.decode())
    if page.key == "places":
        assert ImportRun.objects.get().status == ImportRun.Status.REFUSED
        before["ImportRun"] += 1
    elif page.queued:
        assert ImportReport.objects.get().status == ImportReport.Status.FAILED
        before["ImportReport"] += 1
    assert _counts() == before


def test_the_cp1252_file_is_read_as_text_not_refused_for_its_encoding():
    with translation.override("en"):
        data = _cp1252_then_short_row(("name", "kind"))
        with pytest.raises(uploads.UnreadableFile) as refused:
            uploads.read_table(data)
        # The error is the short row 3: row 2, in Windows-1252, was read.
        assert str(refused.value).startswith("Row 3, column “kind”")
        assert uploads.read_table(data[: data.rindex(b"33063")]).rows == [
            (
                2,
                {
                    "name": "Bègles – l’atelier « numérique »",
                    "kind": "Bègles – l’atelier « numérique »",
                },
            )
        ]


@pytest.mark.parametrize("file_format", ["lieux-json", "data-inclusion"])
def test_deeply_nested_json_is_refused_on_the_places_page(
    file_format, territory, coordinator_client
):
    data = b"[" * 50_000 + b"]" * 50_000
    response = coordinator_client.post(
        f"/{territory.slug}/open-data/imports/",
        {
            "file_format": file_format,
            "source": "test",
            "file": SimpleUploadedFile("places.json", data),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "64" in html.unescape(response.content.decode())
    assert ImportRun.objects.get().status == ImportRun.Status.REFUSED
    assert not Place.objects.exists()


def test_deeply_nested_json_is_refused_as_a_codebook(territory, wave, coordinator_client):
    with translation.override("fr"):
        with pytest.raises(uploads.UnreadableFile) as refused:
            uploads.read_json(b"{" + b'"a":{' * 100 + b"}" * 101)
        message = str(refused.value)
    response = coordinator_client.post(
        f"/{territory.slug}/observatory/manage/waves/{wave.pk}/import/",
        {
            "file": SimpleUploadedFile("responses.csv", b"commune_code\n33063\n"),
            "codebook": SimpleUploadedFile("codebook.json", b"{" + b'"a":{' * 100 + b"}" * 101),
        },
    )
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert not Respondent.objects.exists() and not ImportReport.objects.exists()
