"""axe-core (WCAG 2.1 A and AA) on the diagnostic pages, French and English, desktop and phone;
the run form with errors; the progress box of a pending run; an upload error report."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from maillage.diagnostic import services
from maillage.diagnostic.computation import RunParameters
from maillage.diagnostic.models import DiagnosticRun, FragilityIndicator
from tests.browser.test_accessibility import DESKTOP, PHONE, WCAG_21_AA, _check, _sign_in
from tests.factories import SYSTEM

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_diagnostic_pages_have_no_wcag_violations(live_server, page, diagnostic, viewport):
    page.set_viewport_size(viewport)
    slug = diagnostic.slug
    run = DiagnosticRun.objects.get(territory=diagnostic, status="done")
    pending = services.diagnostic_run_request(
        territory=diagnostic, by=SYSTEM, parameters=RunParameters(), inline=False
    )
    indicator = FragilityIndicator.objects.filter(territory=diagnostic).first()
    _sign_in(page, live_server, "coordination")
    urls = [
        f"/{slug}/diagnostic/",
        f"/{slug}/diagnostic/runs/{pending.pk}/",
        f"/{slug}/diagnostic/indicators/",
        f"/{slug}/diagnostic/candidates/",
        f"/en/{slug}/diagnostic/",
    ]
    if viewport == DESKTOP:  # same templates as above: one screen size is enough
        urls += [
            f"/{slug}/diagnostic/runs/{run.pk}/",
            f"/{slug}/diagnostic/indicators/{indicator.pk}/values/",
            f"/en/{slug}/diagnostic/indicators/",
        ]
    for url in urls:
        _check(page, live_server.url + url)
    page.context.clear_cookies()
    _sign_in(page, live_server, "partenaire")
    _check(page, live_server.url + f"/{slug}/diagnostic/")


def test_run_form_errors_and_upload_report_have_no_wcag_violations(live_server, page, diagnostic):
    slug = diagnostic.slug
    _sign_in(page, live_server, "coordination")
    page.goto(f"{live_server.url}/{slug}/diagnostic/")
    page.fill("#id_k", "0")
    page.click("form.search-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".error-summary").count() == 1
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()

    page.goto(f"{live_server.url}/{slug}/diagnostic/candidates/")
    page.set_input_files(
        "#id_file",
        files=[
            {
                "name": "sites.csv",
                "mimeType": "text/csv",
                "buffer": b"name,latitude,longitude,kind\nMarket,95,-0.5,market\n",
            }
        ],
    )
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Ligne 2" in page.locator(".error-summary").inner_text()
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
