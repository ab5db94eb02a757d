"""Production: refuses to start without a secret key and explicit hosts."""

from django.core.exceptions import ImproperlyConfigured

from maillage.settings.base import *  # noqa: F403
from maillage.settings.base import ALLOWED_HOSTS, DEBUG, SECRET_KEY

if not SECRET_KEY:
    raise ImproperlyConfigured("Set MAILLAGE_SECRET_KEY: production refuses to start without it.")
if DEBUG:
    raise ImproperlyConfigured("MAILLAGE_DEBUG must be false in production.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set MAILLAGE_ALLOWED_HOSTS to the site's host names.")

SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
