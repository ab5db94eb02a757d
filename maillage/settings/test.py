"""Tests: fast password hashing, in-memory e-mail, static files served by the finders."""

from maillage.settings.base import *  # noqa: F403
from maillage.settings.base import DATABASES
from maillage.settings.headers import content_security_policy

SECRET_KEY = "test-only-insecure-key"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run at once, inside the request that enqueues them, so that a test of a page sees its
# outcome; the tests of the queue itself switch to the database backend (tests/core/test_tasks).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": ""}  # in-memory test database
MAP_TILES_URL = "/static/img/offline-tile.png"  # no network in tests: a local blank tile
CONTENT_SECURITY_POLICY = content_security_policy(MAP_TILES_URL)
ADDRESS_GEOCODER_URL = ""  # no network in tests; tests/directory/test_geocoding serves one
# Tests see every change at once, whatever made it; tests/directory/test_page_cache.py turns the
# public page cache on.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "public_pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
