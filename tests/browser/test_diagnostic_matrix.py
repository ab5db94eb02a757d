"""axe-core (WCAG 2.1 A and AA) on the distance / travel-time matrix: its page empty, with an
upload error report, and filled; then a run on the matrix chosen in the form, read in French
and English, on a desktop and a phone screen."""

import csv
import io

import pytest
from axe_playwright_python.sync_playwright import Axe

from maillage.diagnostic import selectors
from maillage.diagnostic.models import DiagnosticRun
from tests.browser.test_accessibility import DESKTOP, PHONE, WCAG_21_AA, _check, _sign_in

pytestmark = pytest.mark.browser


def _filled_template(territory) -> bytes:
    """The page's template with every pair at 3 minutes per km as the crow flies, roughly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["area_code", "place_id", "minutes"])
    for row in selectors.travel_matrix_template(territory):
        dlat, dlon = (row[4] - row[7]) * 111.2, (row[5] - row[8]) * 79.0
        writer.writerow([row[0], row[1], round(3 * (dlat**2 + dlon**2) ** 0.5, 1)])
    return out.getvalue().encode()


def _upload(page, name: str, content: bytes) -> None:
    page.set_input_files(
        "#id_file", files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    with page.expect_navigation():
        page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state("networkidle")


def _no_violations(page) -> None:
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth"), "the page scrolls sideways"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_matrix_upload_and_run_have_no_wcag_violations(live_server, page, diagnostic, viewport):
    page.set_viewport_size(viewport)
    slug = diagnostic.slug
    matrix_url = f"{live_server.url}/{slug}/diagnostic/matrix/"
    _sign_in(page, live_server, "coordination")
    _check(page, matrix_url)

    # A bad file: the report names the line and the column, and leads to the file field.
    _upload(page, "routes.csv", b"area_code,place_id,minutes\n33063,maillage-x-1,abc\n99999,1,2\n")
    summary = page.locator(".error-summary")
    assert "Ligne 2, colonne «\u00a0place_id\u00a0»" in summary.inner_text()
    assert "Ligne 3, colonne «\u00a0area_code\u00a0»" in summary.inner_text()
    assert summary.locator("a").first.get_attribute("href") == "#id_file"
    _no_violations(page)

    # A good file, then a run on it chosen in the form (works without JavaScript too).
    _upload(page, "routes.csv", _filled_template(diagnostic))
    assert page.locator(".error-summary").count() == 0
    _no_violations(page)
    page.goto(f"{live_server.url}/{slug}/diagnostic/")
    page.select_option("#id_distance", "matrix")
    page.fill("#id_matrix_radius", "30")
    page.select_option("#id_demand", "population")
    with page.expect_navigation():
        page.click("form.search-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    run = DiagnosticRun.objects.filter(territory=diagnostic).order_by("-pk").first()
    assert run.parameters["distance"] == "matrix" and run.status == "done"
    assert "30 minutes (matrice de temps de trajet envoyée)" in page.content()
    _no_violations(page)
    _check(page, f"{live_server.url}/en/{slug}/diagnostic/runs/{run.pk}/")
    assert "within 30 minutes (uploaded travel-time matrix)" in page.content()
    _check(page, f"{live_server.url}/en/{slug}/diagnostic/matrix/")

    # A partner reads the page, without the forms.
    page.context.clear_cookies()
    _sign_in(page, live_server, "partenaire")
    _check(page, matrix_url)
    assert page.locator("#id_file").count() == 0
