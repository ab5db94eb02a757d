"""Key flows as a person does them, in a real browser."""

import pytest

from maillage.directory.models import Place

pytestmark = pytest.mark.browser


def test_find_help_without_javascript(live_server, browser, demo, csp_violations):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    csp_violations.watch(context)
    page = context.new_page()
    page.goto(f"{live_server.url}/{demo.slug}/")
    page.fill("#id_where", "Talence")
    page.select_option("#id_service", "AideAuxDemarchesAdministratives")
    page.click("form.search-form button[type=submit]")
    page.wait_for_load_state()
    assert "/places/?" in page.url  # a shareable search URL
    names = page.locator(".results-list h3 a").all_inner_texts()
    assert names[:2] == ["Bus France Services de Talence", "France Services Talence"] or set(
        names[:3]
    ) >= {"Bus France Services de Talence", "France Services Talence"}
    page.locator(".results-list h3 a").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() in names
    context.close()


def test_still_correct_button_confirms_the_place(live_server, page, demo):
    place = Place.objects.get(name="Pimms Médiation Bordeaux")
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", "structure")
    page.fill("#id_password", "demo-maillage-2026")
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/{demo.slug}/manage/")
    row = page.locator("li", has=page.locator(f"a:text-is('{place.name}')"))
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    place.refresh_from_db()
    assert place.confirmed_at is not None
    assert page.locator(".messages").inner_text().strip()
