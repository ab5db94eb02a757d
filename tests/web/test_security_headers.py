"""Every response sends the Content-Security-Policy and the Permissions-Policy, and no page
needs what the policy refuses (an inline script, style or event handler).

The browser tests check the pages they open in Chromium (tests/browser/conftest.py); this test
reaches every URL pattern of the site, as a visitor, a coordinator and an administrator."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, get_resolver

from maillage.settings.headers import content_security_policy, tile_source

# --- The policy itself -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("https://tiles.example.org:8443/{z}/{x}/{y}.png", "https://tiles.example.org:8443"),
        ("//tiles.example.org/{z}/{x}/{y}.png", "tiles.example.org"),
        ("/static/img/offline-tile.png", None),  # the site's own: 'self' covers it
        ("", None),  # no map
        (None, None),
    ],
)
def test_the_tile_server_is_the_only_other_image_source(url, source):
    assert tile_source(url) == source
    images = content_security_policy(url)["DIRECTIVES"]["img-src"]
    assert images == ["'self'", "data:"] + ([source] if source else [])


def test_a_placeholder_the_policy_cannot_express_is_refused_with_the_value():
    with pytest.raises(ImproperlyConfigured, match=r"tiles\.\{s\}\.example\.org"):
        tile_source("https://tiles.{s}.example.org/{z}/{x}/{y}.png")


def test_the_policy_allows_nothing_inline_and_nothing_from_elsewhere():
    directives = content_security_policy("https://tile.openstreetmap.org/{z}/{x}/{y}.png")[
        "DIRECTIVES"
    ]
    everything = " ".join(" ".join(sources) for sources in directives.values())
    assert "unsafe" not in everything and "*" not in everything
    assert directives["default-src"] == directives["script-src"] == directives["style-src"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == directives["form-action"] == ["'self'"]


# --- Every URL pattern -------------------------------------------------------------------------

# Values put in the URL parameters: the demo territory, and the first row of each table (the
# demos fill every table, so most detail pages answer 200 rather than 404).
VALUES = {"year": "2026", "token": "not-a-token", "uidb64": "MQ", "code": "33522"}
VALUES |= {"key": "lieux-csv", "kind": "actions", "app_label": "auth", "url": "x"}
# The PDF report is no web page (WeasyPrint renders it; its HTML view is crawled).
SKIPPED = re.compile(r"/pdf/$")
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
INLINE = {
    "an inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)"),
    "a style element": re.compile(r"<style[\s>]"),
    "a style attribute": re.compile(r"<[a-zA-Z][^>]*\sstyle\s*="),
    "an event handler": re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*="),
    "a javascript: URL": re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:"""),
}


ROOT = Path(__file__).resolve().parents[2]
# Templates that are no web page: WeasyPrint reads the PDF report's own styles (its HTML view,
# roadmap/report.html, is a page like the others).
NOT_PAGES = {"maillage/roadmap/templates/roadmap/report_print.html"}


def test_no_template_holds_inline_code():
    """Every template, reached by the crawl below or not (error states, rare pages)."""
    found = []
    for path in sorted(ROOT.glob("maillage/*/templates/**/*.html")):
        relative = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        for what, pattern in INLINE.items():
            found += [f"{relative}: {what}" for _match in pattern.finditer(text)]
    assert sorted(set(found) - {f"{page}: a style element" for page in NOT_PAGES}) == []
    assert len(list(ROOT.glob("maillage/*/templates/**/*.html"))) > 50


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _urls(slug: str) -> list[str]:
    urls = []
    values = VALUES | {"territory": slug, "slug": slug}
    for route in _patterns(get_resolver().url_patterns):
        if route.startswith("^") or "(?P" in route:  # the admin's regular expressions
            continue
        path = PARAMETER.sub(lambda match: values.get(match[1], "1"), route)
        if not SKIPPED.search("/" + path):
            urls.append("/" + path)
    return urls


@pytest.fixture
def all_demos(django_db_reset_sequences):
    """Every demo, loaded after the sequences restart, so that each table's first row has id 1
    on PostgreSQL as on SQLite."""
    from maillage.directory.demo import load_demo

    territory = load_demo(with_users=True)
    for app in ("interop", "observatory", "diagnostic", "roadmap"):
        __import__(f"maillage.{app}.demo", fromlist=["load_demo"]).load_demo(
            territory, with_users=True
        )
    return territory


def test_every_url_sends_the_policies_and_no_page_needs_inline_code(client, all_demos):
    from django.contrib.auth import get_user_model

    policy = client.get("/healthz").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    User = get_user_model()
    admin = User.objects.create_superuser("csp-admin", "csp-admin@example.org", "x")
    urls = _urls(all_demos.slug)
    assert len(urls) > 150
    answered, pages, problems = 0, set(), []
    for visitor in (None, User.objects.get(username="coordination"), admin):
        client.logout()
        if visitor:
            client.force_login(visitor)
        for url in urls + [f"/en{url}" for url in urls if not url.startswith("/api/")][:20]:
            response = client.get(url)
            answered += 1
            if response.headers.get("Content-Security-Policy") != policy:
                problems.append(f"{url}: no Content-Security-Policy ({response.status_code})")
            if "geolocation=(self)" not in response.headers.get("Permissions-Policy", ""):
                problems.append(f"{url}: no Permissions-Policy ({response.status_code})")
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            pages.add(url)
            html = response.content.decode()
            for what, found in INLINE.items():
                for match in found.finditer(html):
                    problems.append(f"{url}: {what}: {html[match.start() : match.start() + 90]}")
    assert problems == []
    # The crawl reached the pages, not only their 404s and redirects: a check that cannot
    # pass vacuously (with the demos, 137 URLs answer 200 with HTML, of 627 requests).
    assert len(pages) >= 120, sorted(pages)
