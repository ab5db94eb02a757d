"""Settings shared by every environment. Machine-specific values come from `env`."""

from __future__ import annotations

import datetime as dt

import dj_database_url
from django.utils.translation import gettext_lazy as _

from maillage.settings import env, headers

BASE_DIR = env.BASE_DIR
SECRET_KEY = env.read("MAILLAGE_SECRET_KEY")
DEBUG = env.read_bool("MAILLAGE_DEBUG")
ALLOWED_HOSTS = env.read_list("MAILLAGE_ALLOWED_HOSTS")
DEFAULT_TERRITORY = env.read("MAILLAGE_DEFAULT_TERRITORY")
MAP_TILES_URL = env.read("MAILLAGE_MAP_TILES_URL")
ADDRESS_GEOCODER_URL = env.read("MAILLAGE_ADDRESS_GEOCODER_URL")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "maillage.core",
    "maillage.web",
    "maillage.territories",
    "maillage.directory",
    "maillage.interop",
    "maillage.observatory",
    "maillage.diagnostic",
    "maillage.roadmap",
]

MIDDLEWARE = [
    "maillage.web.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside whitenoise: static files (SVG images, the API docs' scripts) get the headers too.
    "csp.middleware.CSPMiddleware",
    "maillage.web.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "maillage.web.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns the lockout that the authentication backend signals into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "maillage.urls"
WSGI_APPLICATION = "maillage.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "maillage.web.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.parse(env.read("MAILLAGE_DATABASE_URL"), conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default as a real database: concurrent writers wait for each other (busy
    # timeout) instead of failing with "database is locked"; IMMEDIATE takes the write lock
    # when a transaction starts, so a read-then-write never fails on upgrading its lock; WAL
    # lets readers go on while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Memory of each worker process, no extra service (docs/operations.md, "Caching"). The public
# pages have their own cache so that they never push out the geocoder's answers.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public_pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "public-pages",
        "OPTIONS": {"MAX_ENTRIES": 1000},  # pages of 5–25 KB: at most ~25 MB per worker
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes). The first backend refuses any sign-in, right password or not,
# while the account is locked out; it needs the request, so tests sign in with `force_login`
# (or `client.login(request=…)`).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Per account, whatever the address it is tried from: an attacker moving between addresses
# gains nothing, and one office behind a single address does not lock out all its colleagues.
# Not by address: behind the reverse proxy every request comes from 127.0.0.1 (one wrong
# password too many would lock everybody out), hence axes' warning W006 silenced.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# 10 wrong passwords lock the account for 30 minutes after the last one: at most 480 guesses a
# day against passwords of 12 characters or more that are not on the common-passwords list,
# while a person who mistypes (3-4 times) is never stopped.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True  # the count starts again after a successful sign-in
AXES_LOCKOUT_CALLABLE = "maillage.web.lockout.lockout_page"  # HTTP 429, says when to retry
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not recorded (nothing needs them)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:workspace"
LOGOUT_REDIRECT_URL = "web:home"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
# Each app added after the directory keeps its own catalog (maillage/<app>/locale); the
# project catalog holds the rest. More specific paths first: makemessages puts each string in
# the first path whose folder contains its file.
LOCALE_PATHS = [
    *sorted(p.parent for p in (BASE_DIR / "maillage").glob("*/locale/fr")),
    BASE_DIR / "locale",
]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.read("MAILLAGE_STATIC_ROOT")
MEDIA_URL = "media/"
MEDIA_ROOT = env.read("MAILLAGE_MEDIA_ROOT")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Long work (place and survey imports, weighting runs) runs as tasks of Django's task API
# (the django-tasks backport until Django 6): queued in the database, so on SQLite and
# PostgreSQL alike, and run by `manage.py run_tasks` (docs/operations.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

_email_url = env.read("MAILLAGE_EMAIL_URL") or "console://"
if _email_url.startswith("console:"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif _email_url.startswith("file:"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = _email_url.removeprefix("file://") or str(BASE_DIR / "var" / "mail")
else:
    from urllib.parse import unquote, urlparse

    _parsed = urlparse(_email_url)
    if _parsed.scheme not in {"smtp", "smtp+tls", "smtp+ssl"}:
        raise ValueError(
            f"MAILLAGE_EMAIL_URL must start with console://, file://, smtp://, smtp+tls:// or "
            f"smtp+ssl://, not {_parsed.scheme}://"
        )
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _parsed.hostname
    EMAIL_PORT = _parsed.port or {"smtp+ssl": 465, "smtp+tls": 587}.get(_parsed.scheme, 25)
    EMAIL_HOST_USER = unquote(_parsed.username or "")
    EMAIL_HOST_PASSWORD = unquote(_parsed.password or "")
    EMAIL_USE_TLS = _parsed.scheme == "smtp+tls"
    EMAIL_USE_SSL = _parsed.scheme == "smtp+ssl"

DEFAULT_FROM_EMAIL = env.read("MAILLAGE_EMAIL_FROM")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp) and Permissions-Policy, explained in headers.py. Neither
# uses a nonce, so a cached page keeps a valid header.
CONTENT_SECURITY_POLICY = headers.content_security_policy(MAP_TILES_URL)
PERMISSIONS_POLICY = headers.PERMISSIONS_POLICY

# What one uploaded file may hold, for every import (maillage.core.uploads; docs/operations.md).
UPLOAD_LIMITS = {
    "bytes": 30 * 1024 * 1024,  # a national extract of 25,000 places is about 20 MB
    "rows": 200_000,  # population squares of the largest département
    "field_characters": 131_072,
}

SIMPLE_HISTORY_REVERT_DISABLED = True  # reverts go through directory.services.place_revert

# Everything goes to standard error, which the application server and the worker keep in their
# logs: errors of requests with their traceback (django.request), security warnings
# (django.security), and Maillage's own messages. Each line carries the request id that the
# response also sends as X-Request-ID, so a person's report can be matched with its traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "maillage.web.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s",
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_id"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        # Django's own handlers print only with DEBUG on: send its messages to the root instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "maillage": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
