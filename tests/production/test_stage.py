"""Production as an operator deploys it (docs/operations.md): gunicorn, production settings,
collected static files, the worker. Run by scripts/test-production.sh, part of `make test`."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.production.browser_client import StageClient, form_to

PASSWORD = "demo-maillage-2026"
LINK = re.compile(r"""<a\s[^>]*href="([^"#]+)""")
ASSET = re.compile(r"""<(?:link[^>]+href|script[^>]+src|img[^>]+src)="(/static/[^"]+)\"""")
# The policy's core: scripts from the site only, never inline (maillage/settings/headers.py).
STRICT_POLICY = re.compile(r"(^|; )script-src 'self'(;|$)")
SKIPPED_LINKS = ("/logout", "/i18n/", "/admin/", ".csv", ".xlsx", ".json", ".pdf", ".geojson")


def _crawl(client: StageClient, start: str, *, limit: int) -> tuple[dict[str, int], list[str]]:
    """Follow the site's own links breadth first (one query string per path, so that a page
    of search filters does not count a thousand times); the status of each page, and the HTML
    pages sent without the strict Content-Security-Policy (docs/operations.md)."""
    seen_paths: set[str] = set()
    queue, statuses, without_policy = [start], {}, []
    while queue and len(statuses) < limit:
        url = queue.pop(0)
        path = urllib.parse.urlsplit(url).path
        if path in seen_paths:
            continue
        seen_paths.add(path)
        response = client.get(url)
        statuses[url] = response.status
        if response.status != 200 or "html" not in response.header("Content-Type"):
            continue
        if not STRICT_POLICY.search(response.header("Content-Security-Policy") or ""):
            without_policy.append(url)
        for href in LINK.findall(response.text):
            href = href.replace("&amp;", "&")
            parts = urllib.parse.urlsplit(urllib.parse.urljoin(url, href))
            if parts.netloc or not parts.path.startswith("/"):
                continue
            if any(skip in parts.path for skip in SKIPPED_LINKS):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return statuses, without_policy


def _assets(client: StageClient, paths: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for path in paths:
        page = client.get(path)
        for asset in ASSET.findall(page.text):
            if asset not in found:
                response = client.get(asset)
                found[asset] = response.status
    return found


def test_plain_http_is_redirected_to_https_with_hsts(stage, stage_env):
    plain = stage(proxy_https=False)
    answer = plain.get(f"/{stage_env['territory']}/")
    assert answer.status == 301
    assert answer.header("Location").startswith("https://")
    secure = stage().get(f"/{stage_env['territory']}/")
    assert secure.status == 200
    hsts = secure.header("Strict-Transport-Security")
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    permissions = secure.header("Permissions-Policy")
    assert "geolocation=(self)" in permissions and "camera=()" in permissions
    assert secure.header("X-Request-ID")


def test_health_answers_over_plain_http_for_the_load_balancer(stage):
    answer = stage(proxy_https=False).get("/healthz")
    assert answer.status == 200
    assert b'"database": "ok"' in answer.body


def test_every_public_page_answers_and_its_static_files_are_served(stage, stage_env):
    client = stage()
    territory = stage_env["territory"]
    statuses, without_policy = _crawl(client, f"/{territory}/", limit=120)
    english, english_without_policy = _crawl(client, f"/en/{territory}/", limit=30)
    statuses.update(english)
    without_policy += english_without_policy
    for extra in (f"/{territory}/places/?q=numérique", "/login/", "/password/reset/"):
        answer = client.get(extra)
        statuses[extra] = answer.status
        if not STRICT_POLICY.search(answer.header("Content-Security-Policy") or ""):
            without_policy.append(extra)
    errors = {url: status for url, status in statuses.items() if status >= 400}
    assert not errors, errors
    assert without_policy == [], "HTML pages sent without the Content-Security-Policy"
    assert len(statuses) >= 40, sorted(statuses)
    places = [url for url in statuses if re.search(r"/places/\d+/$", url)]
    assert places, "the crawl reached no place page"
    assets = _assets(client, [f"/{territory}/", places[0], f"/{territory}/observatory/"])
    assert assets and all(status == 200 for status in assets.values()), assets
    # Hashed names from the manifest, compressed, cached for a long time.
    assert all(re.search(r"\.[0-9a-f]{12}\.", asset) for asset in assets if "vendor" not in asset)
    css = next(a for a in assets if a.endswith(".css"))
    answer = client.get(css)
    assert answer.header("Content-Encoding") == "gzip"
    assert "max-age=315360000" in answer.header("Cache-Control")


def test_the_api_and_its_openapi_document(stage, stage_env):
    client = stage()
    listed = client.get("/api/v1/territories")
    assert listed.status == 200
    assert stage_env["territory"] in listed.text
    schema = client.get("/api/v1/openapi.json")
    assert schema.status == 200 and '"openapi"' in schema.text
    search = client.get(f"/api/v1/territories/{stage_env['territory']}/places?limit=5")
    assert search.status == 200, search.text[:300]
    # Swagger UI from the collected static files (no CDN), under the same policy as the pages.
    docs = client.get("/api/v1/docs?lang=fr")
    assert docs.status == 200
    assert STRICT_POLICY.search(docs.header("Content-Security-Policy"))
    assert '<html lang="fr">' in docs.text and "documentation interactive" in docs.text
    assets = _assets(client, ["/api/v1/docs"])
    assert sorted(a.rsplit("/", 1)[-1].split(".")[0] for a in assets) == [
        "api-docs",
        "swagger-ui",
        "swagger-ui-bundle",
    ]
    assert all(status == 200 for status in assets.values()), assets
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", docs.text)  # nothing from a CDN


def test_sign_in_write_and_read_back(stage, stage_env):
    client = stage()
    client.sign_in("coordination", PASSWORD)
    territory = stage_env["territory"]
    manage = client.get(f"/{territory}/manage/")
    assert manage.status == 200
    confirm = form_to(manage.text, r"/manage/places/\d+/confirm/", f"/{territory}/manage/")
    answer = client.submit(confirm)
    assert answer.status == 302, (answer.status, answer.text[:300])
    place_id = re.search(r"/places/(\d+)/confirm/", confirm.action).group(1)
    history = client.get(f"/{territory}/manage/places/{place_id}/history/")
    assert history.status == 200
    assert "coordination" in history.text  # the write is recorded with its author


def test_signed_in_pages_answer(stage, stage_env):
    client = stage()
    client.sign_in("coordination", PASSWORD)
    territory = stage_env["territory"]
    statuses, without_policy = _crawl(client, f"/{territory}/manage/", limit=80)
    errors = {url: status for url, status in statuses.items() if status >= 400}
    assert not errors, errors
    assert without_policy == [], "HTML pages sent without the Content-Security-Policy"
    assert len(statuses) >= 20


def test_the_annual_report_renders_as_pdf(stage, stage_env):
    client = stage()
    client.sign_in("coordination", PASSWORD)
    year = time.gmtime().tm_year - 1
    answer = client.get(f"/{stage_env['territory']}/roadmap/report/{year}/pdf/", timeout=180)
    assert answer.status == 200, answer.text[:300]
    assert answer.header("Content-Type") == "application/pdf"
    assert answer.body.startswith(b"%PDF-") and len(answer.body) > 10_000


def test_the_worker_computes_a_diagnostic_requested_on_the_page(stage, stage_env):
    client = stage()
    client.sign_in("coordination", PASSWORD)
    territory = stage_env["territory"]
    home = client.get(f"/{territory}/diagnostic/")
    assert home.status == 200
    form = form_to(home.text, r"/diagnostic/runs/$", f"/{territory}/diagnostic/")
    answer = client.submit(form)
    assert answer.status == 302, (answer.status, answer.text[:500])
    run_id = re.search(r"/runs/(\d+)/", answer.header("Location")).group(1)
    deadline = time.monotonic() + 240
    status = ""
    while time.monotonic() < deadline:
        run = client.get(f"/api/v1/territories/{territory}/diagnostic/runs/{run_id}")
        assert run.status == 200, run.text[:300]
        status = re.search(r'"status": "(\w+)"', run.text).group(1)
        if status in {"done", "failed"}:
            break
        time.sleep(1)
    assert status == "done", run.text[:500]


def test_the_worker_imports_a_file_uploaded_on_the_page(stage, stage_env):
    # The page stores the file and queues the run; `run_tasks` (the worker the stage starts,
    # as docs/operations.md says) imports it. The standard's own example row: imported, or
    # refused with its report if its commune is not the demo territory's: either way, done.
    client = stage()
    client.sign_in("coordination", PASSWORD)
    territory = stage_env["territory"]
    page = client.get(f"/{territory}/open-data/imports/")
    assert page.status == 200, page.text[:300]
    form = form_to(page.text, r"/open-data/imports/$", f"/{territory}/open-data/imports/")
    example = Path("data/standards/lieux-mediation-numerique/exemple-valide.csv").read_bytes()
    answer = client.submit(
        form, files={"file": ("lieux.csv", example)}, file_format="lieux-csv", source="stage"
    )
    assert answer.status == 302, (answer.status, answer.text[:500])
    run_page = answer.header("Location") + "?follow=1"  # refreshes itself while queued
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run = client.get(run_page)
        assert run.status == 200, run.text[:300]
        if 'http-equiv="refresh"' not in run.text:
            break
        time.sleep(1)
    assert 'http-equiv="refresh"' not in run.text, run.text[-1500:]
    assert "Rows read" in run.text or "Lignes lues" in run.text, run.text[-1500:]


def test_password_links_are_mailed_not_logged(stage, stage_env):
    if not stage_env["mail_dir"]:
        pytest.skip("the stage gives no mail folder")
    before = set(Path(stage_env["mail_dir"]).glob("*"))
    client = stage()
    page = client.get("/password/reset/")
    form = form_to(page.text, r"/password/reset/$", "/password/reset/")
    answer = client.submit(form, email=stage_env["admin_email"])
    assert answer.status == 302
    written = set(Path(stage_env["mail_dir"]).glob("*")) - before
    assert written, "no e-mail written by the file backend"
    mail = "".join(p.read_text(encoding="utf-8") for p in written)
    link = re.search(r"/password/reset/[^/\s]+/[^/\s]+/", mail)
    assert link, mail[-500:]
    log = Path(stage_env["log"]).read_text(encoding="utf-8", errors="replace")
    assert link.group(0) not in log  # the one-time link is in the e-mail, never in the log


def _rename_table(database: str, old: str, new: str) -> None:
    statement = f'ALTER TABLE "{old}" RENAME TO "{new}"'
    if database.startswith("postgres"):
        subprocess.run(["psql", database, "-qc", statement], check=True)
    else:
        with sqlite3.connect(database) as connection:
            connection.execute(statement)


def test_an_error_is_logged_with_its_traceback_and_request_id(stage, stage_env):
    client = stage()
    territory = stage_env["territory"]
    results = client.get(f"/{territory}/places/")
    place = re.search(r"/places/(\d+)/", results.text).group(0)
    _rename_table(stage_env["database"], "directory_place", "directory_place_away")
    try:
        # A query string no one asked before: not in any worker's page cache.
        broken = client.get(
            f"/{territory}{place}?forced-error=1", headers={"X-Request-ID": "stage-error-0001"}
        )
    finally:
        _rename_table(stage_env["database"], "directory_place_away", "directory_place")
    assert broken.status == 500
    assert "stage-error-0001" in broken.text  # the page gives the code to report
    assert client.get(f"/{territory}{place}").status == 200  # and the site is back
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        log = Path(stage_env["log"]).read_text(encoding="utf-8", errors="replace")
        if "stage-error-0001" in log:
            break
        time.sleep(0.2)
    line = next(line for line in log.splitlines() if "stage-error-0001" in line)
    assert "ERROR" in line and "django.request" in line
    after = log[log.index(line) :]
    assert "Traceback (most recent call last)" in after
    assert "directory_place" in after
