"""Production: refuses to start, naming the variable, when a setting would be unsafe.

Checked here, at start-up, rather than left to `check --deploy`: a missing or weak secret key,
debug pages, host names or a database left to their development defaults, and e-mails (which
carry password and invitation links) printed to the log.
"""

from django.core.exceptions import ImproperlyConfigured

from maillage.settings import env
from maillage.settings.base import *  # noqa: F403
from maillage.settings.base import (
    DATABASES,
    DEBUG,
    EMAIL_BACKEND,
    SECRET_KEY,
    SILENCED_SYSTEM_CHECKS,
)

WEAK_KEY_PREFIXES = ("django-insecure-", "dev-only-", "test-only-", "change-me", "changeme")


def _refuse(message: str) -> None:
    raise ImproperlyConfigured(f"Production refuses to start: {message}")


def secret_key_problem(key: str | None) -> str:
    """Why `key` is not a production secret key ("" when it is one). The same rule as Django's
    deployment check: at least 50 characters, at least 5 different ones, not a known default."""
    if not key:
        return "set MAILLAGE_SECRET_KEY"
    if len(key) < 50 or len(set(key)) < 5 or key.lower().startswith(WEAK_KEY_PREFIXES):
        return (
            "MAILLAGE_SECRET_KEY is too weak (use at least 50 random characters, for example "
            "the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    return ""


if problem := secret_key_problem(SECRET_KEY):
    _refuse(problem)
if DEBUG:
    _refuse("MAILLAGE_DEBUG must be false (debug pages show settings and code to anyone)")
if not env.is_set("MAILLAGE_ALLOWED_HOSTS"):
    _refuse("set MAILLAGE_ALLOWED_HOSTS to the site's host names, separated by commas")
if not env.is_set("MAILLAGE_DATABASE_URL"):
    _refuse(
        "set MAILLAGE_DATABASE_URL (postgres://user:password@host:port/name; "
        "sqlite:///path/to/file.sqlite3 only if you choose SQLite on purpose)"
    )
if EMAIL_BACKEND.endswith("console.EmailBackend"):
    _refuse(
        "set MAILLAGE_EMAIL_URL to a mail server (smtp://, smtp+tls:// or smtp+ssl://): "
        "the console backend would write password and invitation links into the log"
    )
if DATABASES["default"]["ENGINE"].endswith("sqlite3") and DATABASES["default"]["NAME"] in {
    "",
    ":memory:",
}:
    _refuse("MAILLAGE_DATABASE_URL names an in-memory SQLite database: data would be lost")

# Behind a reverse proxy that terminates HTTPS and sets X-Forwarded-Proto (docs/operations.md).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer probes over plain HTTP
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000  # one year: browsers refuse plain HTTP for the site
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False  # preloading is a decision for the domain's owner, not the software
# Asking browsers to preload HSTS for the whole domain is the domain owner's decision, made at
# hstspreload.org; the software does not claim it.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]
