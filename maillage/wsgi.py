"""The WSGI application served by gunicorn (docs/operations.md). Reads the same environment file
as manage.py and the scheduled jobs; without one, the production settings."""

from django.core.wsgi import get_wsgi_application

from maillage.settings.env import load_file

load_file(default_settings="maillage.settings.prod")
application = get_wsgi_application()
