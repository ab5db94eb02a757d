#!/usr/bin/env bash
# The whole test suite: lint, migrations, tests on SQLite (with the browser checks) and on
# PostgreSQL, the analysis package without Django, and the comparisons with peer libraries.
# `make test` and .ci/run both call this script.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh dev
step() { printf '\n== %s\n' "$*"; }
# Tests run in random order (pytest-randomly prints its seed) and with a random hash seed, the
# same in every xdist worker (they must collect the same tests): printed here to replay a run.
export PYTHONHASHSEED="${PYTHONHASHSEED:-$((RANDOM * 32768 + RANDOM))}"
echo "PYTHONHASHSEED=$PYTHONHASHSEED"
workers="${MAILLAGE_TEST_WORKERS:-2}"  # pytest-xdist processes (this machine has 2 cores)
counts="$(mktemp)"
trap 'rm -f "$counts"' EXIT
# Runs a test command and keeps the counts it prints last, for the summary at the end. Fails as
# the command fails, pytest's exit code 5 (no test collected) included.
counted() {
  local name="$1" log status=0
  shift
  log="$(mktemp)"
  "$@" 2>&1 | tee "$log" || status=$?
  printf '%-40s %s\n' "$name" "$(grep -E '[0-9]+ (passed|failed|errors?)\b|no tests ran' "$log" \
    | sed -E 's/^=+ | =+$//g' | paste -sd ';')" >> "$counts"
  rm -f "$log"
  return "$status"
}

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

# tests/analysis runs once, below, without Django. Each xdist worker has its own database
# (in memory on SQLite, suffixed _gw0, _gw1 on PostgreSQL) and its own live server.
step "Tests on SQLite (with the browser checks)"
MAILLAGE_DATABASE_URL="sqlite:///:memory:" counted "SQLite (with the browser checks)" \
  .venv/bin/pytest -m "not peers" --ignore=tests/analysis -n "$workers" --dist worksteal -q

# Pure tests (no database) ran on SQLite already.
step "Tests on PostgreSQL (those that use the database)"
pg_url="$(scripts/find-postgres.sh)"
MAILLAGE_DATABASE_URL="$pg_url" counted "PostgreSQL (tests using the database)" \
  .venv/bin/pytest -m "not peers and not browser" --ignore=tests/analysis --database-only \
  -n "$workers" --dist worksteal -q

step "The analysis package without Django"
if [ ! -x .venv-analysis/bin/python ]; then python3 -m venv .venv-analysis; fi
.venv-analysis/bin/python -m pip install --quiet --disable-pip-version-check \
  -r requirements/analysis.txt pytest==9.2.0 pytest-randomly==5.1.0
if .venv-analysis/bin/python -c "import django" 2>/dev/null; then
  echo "django must not be installed in .venv-analysis" >&2; exit 1
fi
# pyproject's DJANGO_SETTINGS_MODULE is unknown without pytest-django: ignore that warning.
PYTHONPATH=. counted "analysis without Django" .venv-analysis/bin/pytest -p no:django \
  -p no:cacheprovider -q -W "ignore::pytest.PytestConfigWarning" tests/analysis

step "Production stage (gunicorn, production settings, PostgreSQL and SQLite, the worker)"
scripts/test-production.sh

for peers in scripts/test-peers-*.sh; do
  step "Comparisons with peer libraries: $peers"
  counted "peers: $(basename "$peers" .sh)" bash "$peers"
done
step "All checks passed"
cat "$counts"
