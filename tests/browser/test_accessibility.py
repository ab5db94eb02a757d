"""axe-core (WCAG 2.1 A and AA rules) on the pages people use, in French and English, on a
desktop and a phone screen; plus the checks axe cannot do: a title, a skip link that works,
no horizontal scrolling on a phone."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from maillage.directory.demo import DEMO_PASSWORD
from maillage.directory.models import Place

pytestmark = pytest.mark.browser

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def _check(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    assert page.title().strip(), f"{url} has no title"
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, f"{url}\n{results.generate_report()}"
    skip = page.locator("a.skip-link")
    if skip.count():
        assert skip.get_attribute("href") == "#content"
        assert page.locator("#content").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{url} scrolls sideways ({width}px > {viewport}px)"


def _public_urls(demo):
    place = Place.objects.get(name="France Services Pessac")
    slug = demo.slug
    return [
        f"/{slug}/",
        f"/{slug}/?simple=1",
        f"/{slug}/places/?where=Pessac&service=AideAuxDemarchesAdministratives",
        f"/{slug}/places/?category=procedures&simple=1",
        f"/{slug}/places/?where=Atlantis",  # an error message
        f"/{slug}/places/{place.pk}/",
        f"/{slug}/places/{place.pk}/print/",
        "/login/",
        "/password/reset/",
        "/password/reset/sent/",
        f"/en/{slug}/",
        f"/en/{slug}/places/?where=Talence",
        f"/en/{slug}/places/{place.pk}/",
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_public_pages_have_no_wcag_violations(live_server, page, demo, viewport):
    page.set_viewport_size(viewport)
    for url in _public_urls(demo):
        _check(page, live_server.url + url)


def _sign_in(page, live_server, username):
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]:has-text('Se connecter'), form.stack button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_structure_and_coordinator_pages_have_no_wcag_violations(live_server, page, demo, viewport):
    page.set_viewport_size(viewport)
    place = Place.objects.get(name="Pimms Médiation Bordeaux")
    slug = demo.slug
    _sign_in(page, live_server, "structure")
    for url in (f"/{slug}/manage/", f"/{slug}/manage/places/{place.pk}/edit/"):
        _check(page, live_server.url + url)
    page.context.clear_cookies()
    _sign_in(page, live_server, "coordination")
    for url in (
        f"/{slug}/manage/",
        f"/{slug}/manage/places/{place.pk}/history/",
        f"/{slug}/manage/organisations/",
        f"/{slug}/manage/organisations/{place.organisation_id}/",
        f"/{slug}/manage/organisations/new/",
        f"/{slug}/members/",
        f"/en/{slug}/members/",
    ):
        _check(page, live_server.url + url)
    # The invitation form with its errors.
    page.goto(f"{live_server.url}/{slug}/members/")
    page.fill("#id_email", "pas une adresse")
    page.click("main form button[type=submit]:has-text('Envoyer')")
    assert page.locator(".error-summary").is_visible()
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()


def test_edit_form_with_errors_has_no_wcag_violations(live_server, page, demo):
    place = Place.objects.get(name="Pimms Médiation Bordeaux")
    _sign_in(page, live_server, "structure")
    page.goto(f"{live_server.url}/{demo.slug}/manage/places/{place.pk}/edit/")
    page.fill("#id_opening_hours", "lundi 9h-12h")
    page.fill("#id_name", "")
    page.click("form.stack > button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".error-summary").count() == 1
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()


def test_main_menu_folds_on_a_phone_and_stays_open_on_a_desktop(live_server, page, demo):
    _sign_in(page, live_server, "coordination")
    url = f"{live_server.url}/{demo.slug}/"
    workspace = page.get_by_role("link", name="Mon espace")
    page.set_viewport_size(PHONE)
    page.goto(url)
    assert not workspace.is_visible()  # folded: the page starts near the top of the screen
    assert page.locator("header").bounding_box()["height"] < 160
    summary = page.locator("details.site-menu > summary")
    summary.focus()
    page.keyboard.press("Enter")  # a native disclosure: keyboard, no JavaScript needed
    assert workspace.is_visible()
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    page.set_viewport_size(DESKTOP)
    page.goto(url)
    assert workspace.is_visible() and not summary.is_visible()


def test_invitation_lockout_and_my_roles_pages_have_no_wcag_violations(live_server, page, demo):
    from django.conf import settings
    from django.contrib.auth.models import User

    from maillage.territories import members
    from maillage.territories.models import Membership

    def axe_clean(expected_status, response):
        assert response.status == expected_status, response.url
        page.wait_for_load_state("networkidle")
        assert page.title().strip()
        results = Axe().run(page, options=WCAG_21_AA)
        assert results.violations_count == 0, f"{response.url}\n{results.generate_report()}"

    def wrong_password(prefix=""):
        page.goto(f"{live_server.url}{prefix}/login/")
        page.fill("#id_username", "verrou")
        page.fill("#id_password", "pas le bon")
        with page.expect_navigation() as navigation:
            page.click("form.stack button[type=submit]")
        return navigation.value

    tokens = []
    members.invitation_create(
        territory=demo,
        email="lou@example.org",
        role=Membership.Role.PARTNER,
        by=User.objects.get(username="coordination"),
        link_for=lambda token: tokens.append(token) or f"/invitation/{token}/",
    )
    invitation = f"{live_server.url}/invitation/{tokens[0]}/"
    _check(page, invitation)
    page.fill("#id_password1", "court")
    page.fill("#id_password2", "court")
    with page.expect_navigation() as navigation:
        page.click("main form button[type=submit]:has-text('Créer')")
    assert page.locator(".error-summary").is_visible()
    axe_clean(200, navigation.value)
    axe_clean(404, page.goto(f"{live_server.url}/invitation/inconnu/"))
    # Locked out: the 429 page, in French and English.
    locked = User.objects.create_user("verrou", password="un mot de passe 2026")
    Membership.objects.create(user=locked, territory=demo, role=Membership.Role.PARTNER)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert wrong_password().status == 200
    axe_clean(429, wrong_password())
    assert "Connexion suspendue" in page.locator("h1").inner_text()
    axe_clean(429, wrong_password("/en"))
    assert "Sign-in paused" in page.locator("h1").inner_text()
    # The coordinator's members page lists the invitation and the locked-out member.
    _sign_in(page, live_server, "coordination")
    _check(page, f"{live_server.url}/{demo.slug}/members/")
    assert "verrou" in page.content() and "lou@example.org" in page.content()
    _check(page, f"{live_server.url}/my-roles/")
    _check(page, invitation)  # signed in: accept with this account
