"""axe-core (WCAG 2.1 A/AA) on the open-data pages, desktop and phone, French and English;
and the coordinator's key flow: an import refused with its report, then a duplicate merged."""

import pytest

from maillage.directory.models import Place
from maillage.interop import duplicates, freshness, services
from maillage.interop.models import DuplicateCandidate, Format, FreshnessCampaign, ImportRun
from tests.browser.test_accessibility import DESKTOP, PHONE, _check, _sign_in
from tests.factories import SYSTEM
from tests.interop.helpers import csv_bytes, variant

pytestmark = pytest.mark.browser


@pytest.fixture
def interop_demo(demo):
    from django.contrib.auth import get_user_model

    coordinator = get_user_model().objects.get(username="coordination")
    rows = [
        variant(id="a", code_insee="33063", code_postal="33000", commune="Bordeaux"),
        variant(id="b", code_insee="51454"),
        variant(id="c", code_insee="33318", code_postal="33600", horaires="le matin"),
    ]
    services.import_places(
        territory=demo,
        data=csv_bytes(rows),
        filename="lieux.csv",
        file_format=Format.LIEUX_CSV,
        source="essai",
        by=coordinator,
    )
    imported = Place.objects.filter(territory=demo).first()
    Place.objects.filter(pk=imported.pk).update(email="contact@example.org")
    duplicates.duplicates_detect(territory=demo, by=SYSTEM)
    if not DuplicateCandidate.objects.exists():
        a, b = Place.objects.filter(territory=demo).order_by("pk")[:2]
        DuplicateCandidate.objects.create(
            territory=demo, place_a=a, place_b=b, score=90, distance_m=0
        )
    freshness.campaign_send(
        territory=demo,
        title="Vos lieux sont-ils à jour ?",
        message="",
        valid_days=30,
        by=coordinator,
        link_for=lambda token: token,
    )
    return demo


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_open_data_pages_have_no_wcag_violations(live_server, page, interop_demo, viewport):
    page.set_viewport_size(viewport)
    slug = interop_demo.slug
    request = FreshnessCampaign.objects.get().requests.first()
    token = freshness.request_token(request)
    for url in (
        f"/{slug}/open-data/",
        f"/en/{slug}/open-data/",
        f"/{slug}/open-data/freshness/{token}/",
        f"/en/{slug}/open-data/freshness/{token}/",
    ):
        _check(page, live_server.url + url)
    if request.answer == "waiting":  # the demo is shared by both viewports
        freshness.request_answer(request=request, answer="update", by=freshness.LINK_HOLDER)
    for url in (  # the page of a link used already
        f"/{slug}/open-data/freshness/{token}/",
        f"/en/{slug}/open-data/freshness/{token}/",
    ):
        _check(page, live_server.url + url)
    response = page.goto(f"{live_server.url}/{slug}/open-data/freshness/{token}x/")
    assert response.status == 404
    _sign_in(page, live_server, "coordination")
    run = ImportRun.objects.get()
    candidate = DuplicateCandidate.objects.first()
    campaign = FreshnessCampaign.objects.get()
    for url in (
        f"/{slug}/open-data/imports/",
        f"/{slug}/open-data/imports/{run.pk}/",
        f"/en/{slug}/open-data/imports/{run.pk}/",
        f"/{slug}/open-data/duplicates/",
        f"/{slug}/open-data/duplicates/{candidate.pk}/",
        f"/{slug}/open-data/conflicts/",
        f"/{slug}/open-data/campaigns/",
        f"/{slug}/open-data/campaigns/{campaign.pk}/",
    ):
        _check(page, live_server.url + url)


def test_import_form_errors_and_merge_flow(live_server, page, interop_demo):
    slug = interop_demo.slug
    _sign_in(page, live_server, "coordination")
    page.goto(f"{live_server.url}/en/{slug}/open-data/imports/")
    page.click("form.stack button[type=submit]")  # nothing filled in
    page.wait_for_load_state("networkidle")
    assert page.locator(".error-summary a[href='#id_file']").count() == 1
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_accessibility import WCAG_21_AA

    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    candidate = DuplicateCandidate.objects.first()
    page.goto(f"{live_server.url}/en/{slug}/open-data/duplicates/{candidate.pk}/")
    page.check("input[value=keep_a]")
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state("networkidle")
    candidate.refresh_from_db()
    assert candidate.status == "merged"
    assert Place.objects.get(pk=candidate.place_b_id).status == "archived"
