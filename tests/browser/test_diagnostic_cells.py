"""axe-core (WCAG 2.1 A and AA) on the population squares: their page empty, with an import
error report, and filled; then a run on the squares chosen in the form, read in French and
English, on a desktop and a phone screen. Everything works without JavaScript."""

import pytest

from analysis.grid import laea_europe_from_latlon
from maillage.diagnostic import selectors
from maillage.diagnostic.models import DiagnosticRun
from tests.browser.test_accessibility import DESKTOP, PHONE, _check, _sign_in
from tests.browser.test_diagnostic_matrix import _no_violations, _upload

pytestmark = pytest.mark.browser


def _squares_file(territory) -> bytes:
    """Synthetic squares in INSEE's columns: for each commune, the 200 m square of its centre
    and the three next to it to the north and east (a fifth of its population each, the rest
    in the centre's), plus one square of a commune outside the territory."""
    lines = ["Idcar_200m;Idcar_1km;Ind;lcog_geo"]
    for area in selectors.territory_areas(territory):
        easting, northing = laea_europe_from_latlon(lat=area.latitude, lon=area.longitude)
        east, north = int(easting // 200 * 200), int(northing // 200 * 200)
        people = area.population or 0
        for k, (dn, de) in enumerate([(0, 0), (200, 0), (0, 200), (200, 200)]):
            share = 0.4 if k == 0 else 0.2
            square = f"CRS3035RES200mN{north + dn}E{east + de}"
            lines.append(f"{square};x;{round(people * share, 1)};{area.code}")
    lines.append("CRS3035RES200mN2400000E3400000;x;120;40088")  # in the Landes: skipped
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_squares_import_and_run_have_no_wcag_violations(live_server, page, diagnostic, viewport):
    page.set_viewport_size(viewport)
    slug = diagnostic.slug
    squares_url = f"{live_server.url}/{slug}/diagnostic/squares/"
    _sign_in(page, live_server, "coordination")
    _check(page, squares_url)
    assert "Aucun carreau de population chargé" in page.content()
    page.goto(f"{live_server.url}/{slug}/diagnostic/")
    assert page.locator("#id_demand_points").count() == 0  # no squares: no choice
    page.goto(squares_url)

    # A bad file: the report names the line and the column, and leads to the file field.
    _upload(
        page,
        "carreaux.csv",
        b"Idcar_200m;Ind;lcog_geo\nCRS3035RES200mN2473200E3486000;abc;33063\nxyz;2;33063\n",
    )
    summary = page.locator(".error-summary")
    assert "Ligne 2, colonne «\u00a0ind\u00a0»" in summary.inner_text()
    assert "Ligne 3, colonne «\u00a0idcar_200m\u00a0»" in summary.inner_text()
    assert summary.locator("a").first.get_attribute("href") == "#id_file"
    _no_violations(page)

    # A good file, then a run on the squares chosen in the form.
    _upload(page, "carreaux.csv", _squares_file(diagnostic))
    assert page.locator(".error-summary").count() == 0
    assert "1 carreau hors du territoire ignoré" in page.content()
    _no_violations(page)
    page.goto(f"{live_server.url}/{slug}/diagnostic/")
    page.select_option("#id_demand_points", "squares")
    with page.expect_navigation():
        page.click("form.search-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    run = DiagnosticRun.objects.filter(territory=diagnostic).order_by("-pk").first()
    assert run.parameters["demand_points"] == "squares" and run.status == "done"
    assert "carreaux de population (200 m) importés le" in page.content()
    assert page.locator("a[href$='/squares.csv']").count() == 1
    _no_violations(page)
    _check(page, f"{live_server.url}/en/{slug}/diagnostic/runs/{run.pk}/")
    assert "population squares (200 m) imported on" in page.content()
    _check(page, f"{live_server.url}/en/{slug}/diagnostic/squares/")

    # A partner reads the page, without the forms.
    page.context.clear_cookies()
    _sign_in(page, live_server, "partenaire")
    _check(page, squares_url)
    assert page.locator("#id_file").count() == 0
    assert page.locator("form[action$='/squares/clear/']").count() == 0
