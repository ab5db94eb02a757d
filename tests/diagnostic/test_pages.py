"""Pages: forms, upload error reports, progress without JavaScript, French sentences."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from maillage.diagnostic import presenters, services
from maillage.diagnostic.computation import RunParameters
from maillage.diagnostic.models import DiagnosticRun, FragilityIndicator, IndicatorValue
from tests import factories
from tests.factories import SYSTEM, Role


def en(name, **kwargs):
    """The English page (unprefixed addresses are in French, the default language)."""
    with translation.override("en"):
        return reverse(name, **kwargs)


@pytest.fixture
def coordinator_client(client, territory, bordeaux, pessac):
    client.force_login(factories.user(territory=territory, role=Role.COORDINATOR))
    return client


def test_upload_errors_name_the_line_and_column(coordinator_client, territory):
    url = en("diagnostic:candidates", kwargs={"territory": territory.slug})
    upload = SimpleUploadedFile("s.csv", b"name,latitude,longitude,kind\nA,95,-0.5,market\n")
    response = coordinator_client.post(url, {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "Row 2, column “latitude”" in html


def test_indicator_is_added_then_its_values_typed(coordinator_client, territory, bordeaux):
    slug = territory.slug
    response = coordinator_client.post(
        en("diagnostic:indicators", kwargs={"territory": slug}),
        {
            "action": "create",
            "key": "aged_65_plus",
            "label": "65 ans et plus",
            "axis": "index",
            "higher_is_fragile": "on",
            "weight": "1",
            "source": "INSEE, recensement",
            "year": "2021",
        },
    )
    indicator = FragilityIndicator.objects.get()
    assert response["Location"].endswith(f"/indicators/{indicator.pk}/values/")
    values_url = en("diagnostic:indicator_values", kwargs={"territory": slug, "pk": indicator.pk})
    assert coordinator_client.get(values_url).status_code == 200
    coordinator_client.post(values_url, {f"area_{bordeaux.pk}": "21.5"})
    assert list(IndicatorValue.objects.values_list("value", flat=True)) == [21.5]
    # The same identifier twice is refused with a message.
    again = coordinator_client.post(
        en("diagnostic:indicators", kwargs={"territory": slug}),
        {
            "action": "create",
            "key": "aged_65_plus",
            "label": "x",
            "axis": "index",
            "weight": "1",
            "source": "x",
            "year": "2021",
        },
    )
    assert again.status_code == 400 and "already has an indicator" in again.content.decode()


def test_values_import_through_the_page(coordinator_client, territory, bordeaux):
    FragilityIndicator.objects.create(
        territory=territory, key="no_4g", label="4G", source="ARCEP", year=2024
    )
    url = en("diagnostic:indicators", kwargs={"territory": territory.slug})
    upload = SimpleUploadedFile("v.csv", b"indicator,code,value\nno_4g,33063,1.5\n")
    response = coordinator_client.post(url, {"action": "import", "values-file": upload})
    assert response.status_code == 302
    assert IndicatorValue.objects.get().value == 1.5


def test_pending_run_shows_progress_and_a_refresh_link(coordinator_client, territory):
    run = services.diagnostic_run_request(
        territory=territory, by=SYSTEM, parameters=RunParameters(index="custom"), inline=False
    )
    url = en("diagnostic:run", kwargs={"territory": territory.slug, "pk": run.pk})
    html = coordinator_client.get(url).content.decode()
    assert "<progress" in html and 'value="0"' in html
    assert f'href="{url}"' in html  # refresh by hand, without JavaScript
    home = coordinator_client.get(en("diagnostic:home", kwargs={"territory": territory.slug}))
    assert "A diagnostic is being computed" in home.content.decode()
    status = coordinator_client.get(
        f"/api/v1/territories/{territory.slug}/diagnostic/runs/{run.pk}"
    )
    assert status.json()["status"] == "pending" and status.json()["areas"] is None


def test_start_from_the_form_and_read_the_result(coordinator_client, territory):
    url = en("diagnostic:run_start", kwargs={"territory": territory.slug})
    response = coordinator_client.post(
        url,
        {
            "index": "custom",
            "method": "rank",
            "missing": "reweight",
            "need": "",
            "radius_km": "10",
            "decay": "gaussian",
            "demand": "population",
            "candidates": "communes",
            "k": "2",
            "cover_km": "5",
            "solver": "greedy",
        },
    )
    run = DiagnosticRun.objects.get()
    assert response["Location"].endswith(f"/runs/{run.pk}/")
    html = coordinator_client.get(response["Location"]).content.decode()
    assert run.status == "done" and "Pessac" in html and "Greedy solution" in html
    # No indicator of the territory's own index has values: the weight column says so.
    assert presenters.indicators_incomplete(run)
    assert "Weight of indicators available (%)" in html


def test_form_errors_are_summarised(coordinator_client, territory):
    url = en("diagnostic:run_start", kwargs={"territory": territory.slug})
    response = coordinator_client.post(url, {"index": "custom", "k": "0"})
    assert response.status_code == 400
    assert 'href="#id_k"' in response.content.decode()


def test_reasons_read_in_french():
    with translation.override("fr"):
        text = presenters.reason_text({"code": "no_saturday", "km": 5.0}, need="")
        need = presenters.reason_text(
            {"code": "no_place_for_need", "km": 10.0}, need="category:procedures"
        )
    assert text == "Aucun lieu ouvert le samedi à moins de 5 km"
    assert "Démarches en ligne" in need or "démarches" in need.lower()


def test_weight_column_shown_only_when_an_indicator_is_missing():
    def run_with(*coverages):
        return DiagnosticRun(result={"areas": [{"coverage": c} for c in coverages]})

    assert not presenters.indicators_incomplete(run_with(1.0, 1.0))
    assert presenters.indicators_incomplete(run_with(1.0, 0.75))
    assert presenters.indicators_incomplete(run_with(1.0, None))
