"""Development: the embedded SQLite demo, debug pages, e-mails printed to the console."""

import os

os.environ.setdefault("MAILLAGE_DEBUG", "true")

from maillage.settings.base import *  # noqa: F403
from maillage.settings.base import SECRET_KEY

if not SECRET_KEY:
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
