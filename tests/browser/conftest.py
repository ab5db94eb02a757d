"""Headless Chromium (Debian's package) driven by Playwright, against the live test server."""

import os
import shutil
import sqlite3

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (fixtures) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# Every page the browser tests open must obey the Content-Security-Policy: a blocked inline
# script or style, or a request to a source the policy does not list, fails the test. The page's
# own `securitypolicyviolation` event is reported on the console with this prefix, and Chromium's
# "Refused to …" console messages are caught as well (they come even without JavaScript).
CSP_MARK = "csp-violation:"
CSP_LISTENER = f"""
document.addEventListener("securitypolicyviolation", function (event) {{
  console.error("{CSP_MARK} " + event.effectiveDirective + " blocked " + (event.blockedURI || "inline")
    + " in " + event.sourceFile + ":" + event.lineNumber + " (" + event.documentURI + ")");
}});
"""


class CspViolations(list):
    """The CSP violations reported in one browser context; `watch(context)` starts collecting."""

    def watch(self, context) -> None:
        context.add_init_script(CSP_LISTENER)
        context.on("console", self._console)

    def _console(self, message) -> None:
        text = message.text
        if text.startswith(CSP_MARK) or "Content Security Policy" in text:
            self.append(f"{message.page.url if message.page else '?'}: {text}")

    def check(self) -> None:
        assert not self, "Content-Security-Policy violations:\n" + "\n".join(self)


@pytest.fixture
def csp_violations():
    """Call `csp_violations.watch(context)` on a context a test makes itself; checked at the end."""
    violations = CspViolations()
    yield violations
    violations.check()


@pytest.fixture
def page(browser, csp_violations):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    csp_violations.watch(context)
    # No request leaves this machine: anything not served by the live server is refused.
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://localhost", "http://127.0.0.1"))
            else route.abort()
        ),
    )
    page = context.new_page()
    yield page
    context.close()


class DemoCopies:
    """The demos, each loaded once per test session (per xdist worker) and copied aside.

    Loading a demo takes many seconds; restoring a copy of the in-memory SQLite database takes
    a fraction of one. Every test gets a fresh copy, so a test may write: the next one
    starts from the same data. On another database (PostgreSQL) each test loads its demo."""

    def __init__(self):
        self._copies: dict[str, tuple[sqlite3.Connection, int]] = {}  # name: (copy, territory id)

    @staticmethod
    def _copyable() -> bool:
        from django.db import connection

        return connection.vendor == "sqlite" and connection.is_in_memory_db()

    def get(self, name: str, load):
        """The territory after `load()` (which returns it), from the copy when there is one."""
        from django.contrib.contenttypes.models import ContentType
        from django.db import connection

        from maillage.territories.models import Territory

        if not self._copyable():
            return load()
        if name in self._copies:
            copy, territory_id = self._copies[name]
            connection.ensure_connection()
            copy.backup(connection.connection)
            # The restored rows replace those the previous test's flush created again.
            ContentType.objects.clear_cache()
            return Territory.objects.get(pk=territory_id)
        territory = load()
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        self._copies[name] = (copy, territory.pk)
        return territory

    def close(self):
        for copy, _territory_id in self._copies.values():
            copy.close()


@pytest.fixture(scope="session")
def _demo_copies():
    copies = DemoCopies()
    yield copies
    copies.close()


def _load_directory_demo():
    from maillage.directory.demo import load_demo

    return load_demo(with_users=True)


@pytest.fixture
def demo(transactional_db, _demo_copies):
    """The directory demo (Bordeaux Métropole, with its demo users)."""
    return _demo_copies.get("directory", _load_directory_demo)


def _with_app_demo(copies: DemoCopies, module: str):
    def load():
        from importlib import import_module

        territory = copies.get("directory", _load_directory_demo)
        import_module(f"maillage.{module}.demo").load_demo(territory, with_users=True)
        return territory

    return load


@pytest.fixture
def diagnostic(transactional_db, _demo_copies):
    """The directory demo plus the diagnostic's (indicators, candidate sites, a done run)."""
    return _demo_copies.get("diagnostic", _with_app_demo(_demo_copies, "diagnostic"))


@pytest.fixture
def observatory(transactional_db, _demo_copies):
    """The directory demo plus the observatory's (a wave, its margins, a published run)."""
    return _demo_copies.get("observatory", _with_app_demo(_demo_copies, "observatory"))


@pytest.fixture
def roadmap_demo(transactional_db, _demo_copies):
    """The directory demo plus the roadmap's (bodies, meetings, a plan, indicators)."""
    return _demo_copies.get("roadmap", _with_app_demo(_demo_copies, "roadmap"))
