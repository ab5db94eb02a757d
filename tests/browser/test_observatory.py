"""axe-core (WCAG 2.1 A and AA) on the observatory's pages, in French and English, on a desktop
and a phone screen, public and coordinator pages (the `_check` of test_accessibility)."""

import pytest

from tests.browser.test_accessibility import DESKTOP, PHONE, _check, _sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_observatory_pages_have_no_wcag_violations(live_server, page, observatory, viewport):
    page.set_viewport_size(viewport)
    base = f"/{observatory.slug}/observatory/"
    urls = [
        base,
        f"{base}communes/33318/",
        f"{base}methodology/",
        f"{base}compare/?indicator=knows_place&first=33063&second=33318",
        f"{base}grid/",
        f"/en{base}",
        f"/en{base}methodology/",
    ]
    for url in urls:
        _check(page, live_server.url + url)
    _sign_in(page, live_server, "coordination")
    for url in (
        f"{base}manage/",
        f"{base}manage/waves/new/",
        f"{base}manage/runs/new/",
        f"{base}manage/margins/new/",
    ):
        _check(page, live_server.url + url)


def test_import_report_has_no_wcag_violations(live_server, page, observatory, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    from maillage.observatory.models import Wave
    from tests.browser.test_accessibility import WCAG_21_AA

    wave = Wave.objects.get(territory=observatory)
    bad = tmp_path / "bad.csv"
    bad.write_text("P_COMMUNE,P_AGE,P_SEX\n33063,17,f\n", encoding="utf-8")
    _sign_in(page, live_server, "coordination")
    page.goto(f"{live_server.url}/{observatory.slug}/observatory/manage/waves/{wave.pk}/import/")
    page.set_input_files("#id_file", str(bad))
    page.click("form.stack > button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".error-summary").count() == 1
    assert page.locator("table.data").count() >= 1
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()


def test_work_in_progress_pages_have_no_wcag_violations(live_server, page, observatory):
    """The pages of queued work (a survey import, a weighting run) and of a failed one: the
    progress box of `core/_work_progress.html`, the reason of a failure. No timed reload unless
    the visitor asks for it (`?follow=1`): axe's `meta-refresh` rule (WCAG 2.2.1)."""
    from maillage.observatory.models import ImportReport, MarginSet, Wave, WeightingRun

    wave = Wave.objects.get(territory=observatory)
    margins = MarginSet.objects.filter(territory=observatory).first()
    report = ImportReport.objects.create(wave=wave, filename="r.csv", status="queued")
    queued = WeightingRun.objects.create(wave=wave, margin_set=margins, status="queued")
    failed = WeightingRun.objects.create(
        wave=wave, margin_set=margins, status="failed", error="The weighting is impossible."
    )
    _sign_in(page, live_server, "coordination")
    base = f"/{observatory.slug}/observatory/manage/"
    for url in (f"{base}reports/{report.pk}/", f"{base}runs/{queued.pk}/"):
        _check(page, live_server.url + url)
        assert page.locator('meta[http-equiv="refresh"]').count() == 0
        assert page.locator("progress").count() == 1
        page.goto(f"{live_server.url}{url}?follow=1")
        assert page.locator('meta[http-equiv="refresh"]').count() == 1
    _check(page, f"{live_server.url}{base}runs/{failed.pk}/?follow=1")
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
