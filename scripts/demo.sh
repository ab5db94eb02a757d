#!/usr/bin/env bash
# Install, migrate, load the demo territory and serve it at http://127.0.0.1:8000 (SQLite).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh base
mkdir -p var
export DJANGO_SETTINGS_MODULE=maillage.settings.dev
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py load_demo --with-users
exec .venv/bin/python manage.py runserver "${MAILLAGE_ADDRESS:-127.0.0.1:8000}"
