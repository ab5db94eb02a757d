"""axe-core (WCAG 2.1 A and AA) on the roadmap's pages, desktop and phone, for a coordinator and
a structure member, including a form with errors."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_accessibility import DESKTOP, PHONE, WCAG_21_AA, _check, _sign_in

pytestmark = pytest.mark.browser


def _urls(territory):
    from maillage.roadmap.models import ActionPlan, Body

    slug = territory.slug
    plan = ActionPlan.objects.get(territory=territory)
    action = plan.actions.get(code="1")
    body = Body.objects.get(territory=territory, name="Comité stratégique")
    meeting = body.meetings.first()
    return [
        f"/{slug}/roadmap/",
        f"/{slug}/roadmap/bodies/{body.pk}/",
        f"/{slug}/roadmap/meetings/{meeting.pk}/",
        f"/{slug}/roadmap/calendar/?year=2025",
        f"/{slug}/roadmap/plans/{plan.pk}/",
        f"/{slug}/roadmap/plans/{plan.pk}/urbact/",
        f"/{slug}/roadmap/actions/{action.pk}/",
        f"/{slug}/roadmap/actions/{action.pk}/edit/",
        f"/{slug}/roadmap/actions/{action.pk}/activities/new/",
        f"/{slug}/roadmap/indicators/",
        f"/{slug}/roadmap/inventory/",
        f"/{slug}/roadmap/inventory/new/",
        f"/{slug}/roadmap/report/2025/",
        f"/en/{slug}/roadmap/report/2025/",
        f"/{slug}/roadmap/meetings/{meeting.pk}/attendance/",
        f"/{slug}/roadmap/plans/{plan.pk}/actions/new/",
        f"/{slug}/roadmap/actions/{action.pk}/risks/new/",
        f"/{slug}/roadmap/indicators/new/",
        f"/{slug}/roadmap/bodies/{body.pk}/members/new/",
    ]


# On a phone: the pages with wide tables, charts and forms (the others share their layout).
PHONE_PAGES = ("/bodies/", "/plans/", "/actions/", "/indicators/", "/report/", "/attendance/")


def test_roadmap_pages_have_no_wcag_violations(live_server, page, roadmap_demo):
    """Desktop then phone, in one test: the demo is loaded once (it takes most of the time)."""
    _sign_in(page, live_server, "coordination")
    urls = _urls(roadmap_demo)
    page.set_viewport_size(DESKTOP)
    for url in urls:
        _check(page, live_server.url + url)
    page.set_viewport_size(PHONE)
    for url in [u for u in urls if any(p in u for p in PHONE_PAGES)][:8]:
        _check(page, live_server.url + url)


def test_structure_member_form_with_errors_has_no_wcag_violations(live_server, page, roadmap_demo):
    from maillage.roadmap.models import Action

    action = Action.objects.get(plan__territory=roadmap_demo, code="1")  # Pimms is a partner
    _sign_in(page, live_server, "structure")
    page.goto(f"{live_server.url}/{roadmap_demo.slug}/roadmap/actions/{action.pk}/activities/new/")
    page.check("#id_state_0") if page.locator("#id_state_0").count() else page.select_option(
        "#id_state", "done"
    )
    page.click("form.stack > button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".error-summary").count() == 1
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
