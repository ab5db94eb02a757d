"""axe-core (WCAG 2.1 A and AA), desktop and phone, on an edit form showing an error and on a
delete confirmation page."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_accessibility import DESKTOP, PHONE, WCAG_21_AA, _check, _sign_in

pytestmark = pytest.mark.browser


def _axe(page):
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()


def test_edit_form_with_an_error_and_delete_confirmation_have_no_wcag_violations(
    live_server, page, roadmap_demo
):
    from maillage.roadmap.models import ActionPlan

    plan = ActionPlan.objects.get(territory=roadmap_demo)
    base = f"{live_server.url}/{roadmap_demo.slug}/roadmap"
    _sign_in(page, live_server, "coordination")
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.goto(f"{base}/plans/{plan.pk}/edit/")
        page.fill("#id_end_year", "2000")  # before the first year
        page.click("form.stack > button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.locator(".error-summary").count() == 1
        assert page.locator("#id_end_year").count() == 1
        _axe(page)
        _check(page, f"{base}/plans/{plan.pk}/delete/")
        assert page.locator("main form button.danger").count() == 1
        assert page.locator("main ul li").count() > 0  # what the deletion also deletes
    assert ActionPlan.objects.filter(pk=plan.pk).exists()
