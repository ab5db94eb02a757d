"""/api/v1/docs in a real browser: Swagger UI from the site's own files, under the CSP."""

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("language", "title"),
    [("fr", "documentation interactive"), ("en", "interactive documentation")],
)
def test_the_api_docs_work_offline_in_the_visitors_language(
    live_server, page, transactional_db, language, title
):
    elsewhere = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(live_server.url) else elsewhere.append(request.url)
        ),
    )
    response = page.goto(f"{live_server.url}/api/v1/docs?lang={language}")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Swagger UI drew the operations from the OpenAPI document it fetched from the site.
    page.locator(".opblock").first.wait_for(timeout=20_000)
    assert page.locator(".opblock").count() >= 10
    assert page.locator("html").get_attribute("lang") == language
    assert title in page.title()
    assert elsewhere == []  # nothing from a CDN, no validator badge: the page works offline
