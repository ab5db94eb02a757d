"""Pages, CSV and API show the published run's figures — equal to what `analysis` computes —
label synthetic data and assumed margins, and never show a cell under 5 respondents."""

import csv
import datetime as dt
import io

import numpy as np
import pytest

from analysis.estimation import mean_ci
from maillage.core import extensions
from maillage.observatory import selectors, services
from maillage.observatory.grid import evaluate, load_grid
from maillage.observatory.models import Estimate, Respondent, WeightingRun
from tests.factories import SYSTEM

pytestmark = pytest.mark.django_db
GRID = load_grid("1")


def _reference(run, indicator, domain=None):
    """The estimate recomputed from the stored responses and weights with `mean_ci`."""
    arrays = selectors.wave_arrays(run.wave)
    weights = np.asarray(run.weights)
    assert arrays.ids.tolist() == run.respondent_ids
    from maillage.observatory import pipeline

    outcome = pipeline.weigh(arrays, GRID, run.margin_set.margins, pipeline.WeightingSettings())
    np.testing.assert_allclose(outcome.weights, weights, rtol=1e-12)
    y = evaluate(GRID.indicator(indicator).when, arrays.answers)
    mask = None if domain is None else arrays.communes == domain
    return mean_ci(y, weights, strata=arrays.communes, calibration=outcome.calibration, domain=mask)


def test_page_csv_and_api_figures_equal_analysis_results(client, territory, published_run):
    ref = _reference(published_run, "knows_place")
    ref_commune = _reference(published_run, "knows_place", "33318")
    api = client.get(
        f"/api/v1/territories/{territory.slug}/observatory/estimates?indicator=knows_place"
    ).json()
    rows = {(r["domain"], r["domain_code"]): r for r in api["results"]}
    assert rows[("territory", "")]["percent"] == pytest.approx(100 * ref.estimate, rel=1e-12)
    assert rows[("territory", "")]["ci95_lower"] == pytest.approx(100 * ref.lower, rel=1e-12)
    assert rows[("territory", "")]["ci95_upper"] == pytest.approx(100 * ref.upper, rel=1e-12)
    assert rows[("commune", "33318")]["percent"] == pytest.approx(
        100 * ref_commune.estimate, rel=1e-12
    )
    assert rows[("commune", "33318")]["respondents"] == ref_commune.n
    body = client.get(f"/en/{territory.slug}/observatory/?indicator=knows_place").content.decode()
    assert f"{100 * ref_commune.estimate:.1f}" in body
    assert f"{100 * ref_commune.lower:.1f} – {100 * ref_commune.upper:.1f}" in body
    text = client.get(f"/{territory.slug}/observatory/estimates.csv").content.decode()
    line = next(
        r
        for r in csv.DictReader(io.StringIO(text))
        if r["indicator"] == "knows_place" and r["domain"] == "territory"
    )
    assert float(line["percent"]) == pytest.approx(100 * ref.estimate, abs=0.005)


def test_cells_under_five_respondents_are_suppressed_everywhere(client, territory, published_run):
    assert Respondent.objects.filter(area__code="33004").count() == 3
    stored = Estimate.objects.filter(run=published_run, domain_kind="commune", domain_code="33004")
    assert stored.exists() and all(e.suppressed and e.estimate is None for e in stored)
    api = client.get(
        f"/api/v1/territories/{territory.slug}/observatory/estimates?domain=commune&domain_code=33004"
    ).json()
    assert api["results"] and all(
        r["suppressed"] and r["percent"] is None and r["respondents"] is None
        for r in api["results"]
    )
    text = client.get(f"/{territory.slug}/observatory/estimates.csv").content.decode()
    for row in csv.DictReader(io.StringIO(text)):
        if row["domain_code"] == "33004":
            assert row["percent"] == row["respondents"] == "" and row["suppressed"] == "yes"
        if row["respondents"]:
            assert int(row["respondents"]) >= 5
    page = client.get(f"/en/{territory.slug}/observatory/communes/33004/").content.decode()
    assert "fewer than 5" in page
    methodology = client.get(f"/en/{territory.slug}/observatory/methodology/").content.decode()
    assert "<td>3</td>" not in methodology


def test_synthetic_data_and_assumed_margins_are_labelled(client, territory, published_run):
    for url in ("", "communes/33063/", "methodology/", "compare/"):
        page = client.get(f"/en/{territory.slug}/observatory/{url}").content.decode()
        assert "Synthetic data" in page, url
        assert "Assumed margins" in page, url
    text = client.get(f"/{territory.slug}/observatory/estimates.csv").content.decode()
    first = next(csv.DictReader(io.StringIO(text)))
    assert first["synthetic_data"] == "yes" and first["assumed_margins"] == "yes"
    api = client.get(f"/api/v1/territories/{territory.slug}/observatory/estimates").json()
    assert api["synthetic_data"] is True and api["assumed_margins"] is True


def test_pages_have_charts_with_tables(client, territory, published_run):
    page = client.get(f"/{territory.slug}/observatory/").content.decode()
    charts = page.count('role="img"')
    assert charts == 4 + 4  # axes and subgroups (the test communes have no contour: no map)
    assert page.count("<table") == charts + 1  # one per chart, plus the communes' table


def test_commune_difference_and_french_page(client, territory, published_run):
    page = client.get(
        f"/{territory.slug}/observatory/compare/?indicator=knows_place&first=33063&second=33318"
    ).content.decode()
    assert "valeur p" in page or "p-value" in page
    assert "Bordeaux" in page


def test_nothing_public_without_a_published_run(client, territory, published_run):
    services.weighting_run_unpublish(run=published_run, by=SYSTEM)
    assert client.get(f"/{territory.slug}/observatory/").status_code == 200
    assert client.get(f"/{territory.slug}/observatory/estimates.csv").status_code == 404
    assert (
        client.get(f"/api/v1/territories/{territory.slug}/observatory/estimates").status_code == 404
    )


def test_a_run_that_did_not_converge_cannot_be_published(wave, margins, published_run):
    run = services.weighting_run_create(wave=wave, margin_set=margins, max_iterations=1, by=SYSTEM)
    assert not run.converged
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.weighting_run_publish(run=run, by=SYSTEM)


def test_indicator_for_the_roadmap(territory, published_run):
    indicator = extensions.computed_indicator("observatory.been_to_place")
    value = indicator.compute(territory, dt.date.today() + dt.timedelta(days=1))
    stored = Estimate.objects.get(
        run=published_run, indicator="been_to_place", domain_kind="territory"
    )
    assert value == pytest.approx(100 * stored.estimate)
    assert indicator.compute(territory, dt.date(2000, 1, 1)) is None


def test_demo_reproduces_the_headlines_and_is_idempotent(client):
    from maillage.directory.demo import load_demo
    from maillage.observatory.demo import load_demo as load_observatory

    territory = load_demo()
    load_observatory(territory)
    load_observatory(territory)
    run = WeightingRun.objects.get(wave__territory=territory, status="published")
    assert Respondent.objects.filter(wave=run.wave).count() == 5000
    assert run.wave.is_synthetic and run.margin_set.is_assumed
    api = client.get(
        f"/api/v1/territories/{territory.slug}/observatory/estimates?domain=territory"
    ).json()
    by_code = {r["indicator"]: r for r in api["results"]}
    page = client.get(f"/{territory.slug}/observatory/").content.decode()
    assert 'class="chart map"' in page and page.count("<path d=") >= 28
    for indicator in GRID.indicators:
        if indicator.headline is not None:
            r = by_code[indicator.code]
            assert r["ci95_lower"] <= indicator.headline <= r["ci95_upper"], indicator.code


def test_coordinator_flow_through_the_pages(client, territory, communes, margins, survey_rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests import factories
    from tests.observatory.conftest import csv_bytes

    coordinator = factories.user(territory=territory, role=factories.Role.COORDINATOR)
    client.force_login(coordinator)
    base = f"/{territory.slug}/observatory/manage/"
    response = client.post(f"{base}waves/new/", {"name": "Vague 2025"})
    assert response.status_code == 302
    wave = territory.observatory_waves.get(name="Vague 2025")
    bad = [dict(r) for r in survey_rows]
    bad[0]["P_SEX"] = "x"
    response = client.post(
        f"{base}waves/{wave.pk}/import/",
        {"file": SimpleUploadedFile("r.csv", csv_bytes(bad), content_type="text/csv")},
    )
    report_url = response["Location"]
    page = client.get(report_url).content.decode()
    assert "P_SEX" in page and Respondent.objects.filter(wave=wave).count() == 0
    report_csv = client.get(report_url + "report.csv").content.decode()
    assert "2,P_SEX,x," in report_csv
    client.post(
        f"{base}waves/{wave.pk}/import/",
        {
            "file": SimpleUploadedFile("r.csv", csv_bytes(bad), content_type="text/csv"),
            "import_valid_rows": "on",
        },
    )
    assert Respondent.objects.filter(wave=wave).count() == len(bad) - 1
    response = client.post(
        f"{base}runs/new/",
        {
            "wave": wave.pk,
            "margin_set": margins.pk,
            "tolerance": "1e-6",
            "max_iterations": "100",
            "variance_method": "bootstrap",
            "replicates": "30",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    run = WeightingRun.objects.get(wave=wave)
    assert run.variance_method == "bootstrap" and run.converged
    client.post(f"{base}runs/{run.pk}/status/", {"status": "published"})
    run.refresh_from_db()
    assert run.status == "published"


def test_wave_differences_are_shown(client, territory, wave, margins, survey_rows, published_run):
    second = services.wave_create(territory=territory, grid=wave.grid, name="Vague 2", by=SYSTEM)
    from tests.observatory.conftest import csv_bytes

    services.responses_import(
        wave=second, data=csv_bytes(survey_rows[::-1]), filename="b.csv", by=SYSTEM
    )
    services.weighting_run_publish(
        run=services.weighting_run_create(wave=second, margin_set=margins, by=SYSTEM), by=SYSTEM
    )
    page = client.get(f"/en/{territory.slug}/observatory/compare/").content.decode()
    assert "Vague 1" in page and "p-value" in page


def test_commune_difference_equals_analysis(client, territory, published_run):
    from analysis.estimation import domain_difference
    from maillage.observatory import pipeline

    arrays = selectors.wave_arrays(published_run.wave)
    outcome = pipeline.weigh(
        arrays, GRID, published_run.margin_set.margins, pipeline.WeightingSettings()
    )
    y = evaluate(GRID.indicator("unable_bank").when, arrays.answers)
    ref = domain_difference(
        y,
        outcome.weights,
        first=arrays.communes == "33063",
        second=arrays.communes == "33318",
        strata=arrays.communes,
        calibration=outcome.calibration,
    )
    page = client.get(
        f"/en/{territory.slug}/observatory/compare/?indicator=unable_bank&first=33063&second=33318"
    ).content.decode()
    assert f"= {100 * ref.difference:.1f} points" in page
    assert f"{ref.p_value:.3f}" in page


def test_margins_used_by_a_run_cannot_change(territory, margins, published_run):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.margin_set_create(
            territory=territory,
            name=margins.name,
            margins=margins.margins,
            source="other",
            is_assumed=True,
            by=SYSTEM,
        )


FORMULAS = ('=HYPERLINK("http://x","clic")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)")


def test_estimates_csv_neutralises_a_formula_in_every_text_cell(client, territory, published_run):
    from maillage.observatory.models import Wave

    for formula in FORMULAS:
        Wave.objects.filter(pk=published_run.wave_id).update(name=formula)
        text = client.get(f"/{territory.slug}/observatory/estimates.csv").content.decode()
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows and {r["wave"] for r in rows} == {"'" + formula}
        assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values())
        # Figures stay numbers (a signed number is never a formula).
        assert all(float(r["percent"]) >= 0 for r in rows if r["percent"])
