#!/usr/bin/env bash
# The whole test suite: lint, migrations, tests on SQLite (with the browser checks) and on
# PostgreSQL, the analysis package without Django, and the comparisons with peer libraries.
# `make test` and .ci/run both call this script.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh dev
export PYTHONHASHSEED=0
step() { printf '\n== %s\n' "$*"; }

if ! command -v chromium >/dev/null; then
  step "Installing Debian's Chromium for the accessibility checks"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is missing: install Debian's chromium package (needed by tests/browser)." >&2
    exit 1
  fi
fi

if ! .venv/bin/python -c "import weasyprint" 2>/dev/null; then
  step "Installing the system libraries of WeasyPrint (PDF reports)"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null
  else
    echo "WeasyPrint cannot load: install Debian's libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core." >&2
    exit 1
  fi
fi

step "Lint and format (ruff)"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

step "Architecture (import-linter)"
.venv/bin/lint-imports

step "Types (mypy)"
MAILLAGE_DATABASE_URL="sqlite:///:memory:" .venv/bin/mypy

step "Migrations match the models"
MAILLAGE_DATABASE_URL="sqlite:///:memory:" DJANGO_SETTINGS_MODULE=maillage.settings.test \
  .venv/bin/python manage.py makemigrations --check --dry-run

step "Tests on SQLite (with the browser checks)"
MAILLAGE_DATABASE_URL="sqlite:///:memory:" .venv/bin/pytest -m "not peers" -q

step "Tests on PostgreSQL"
pg_url="$(scripts/find-postgres.sh)"
MAILLAGE_DATABASE_URL="$pg_url" .venv/bin/pytest -m "not peers and not browser" -q

step "The analysis package without Django"
if [ ! -x .venv-analysis/bin/python ]; then python3 -m venv .venv-analysis; fi
.venv-analysis/bin/python -m pip install --quiet --disable-pip-version-check \
  -r requirements/analysis.txt pytest==9.2.0
if .venv-analysis/bin/python -c "import django" 2>/dev/null; then
  echo "django must not be installed in .venv-analysis" >&2; exit 1
fi
# pyproject's DJANGO_SETTINGS_MODULE is unknown without pytest-django: ignore that warning.
PYTHONPATH=. .venv-analysis/bin/pytest -p no:django -p no:cacheprovider -q \
  -W "ignore::pytest.PytestConfigWarning" tests/analysis

step "Production stage (gunicorn, production settings, PostgreSQL and SQLite, the worker)"
scripts/test-production.sh

for peers in scripts/test-peers-*.sh; do
  step "Comparisons with peer libraries: $peers"
  bash "$peers"
done
step "All checks passed"
