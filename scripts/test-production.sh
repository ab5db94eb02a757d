#!/usr/bin/env bash
# The production stage of `make test`: Maillage deployed as docs/operations.md says — an
# environment file, production settings, PostgreSQL, collectstatic into the manifest storage,
# gunicorn on a loopback port, the background worker — then tests/production drives it over
# HTTP. The same concurrency test then runs against gunicorn on a SQLite file (the embedded
# default). Finally a backup is restored with pg_restore and compared with its source.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
step() { printf '\n== %s\n' "$*"; }
work="$(mktemp -d)"
pids=()
pg_base=""
databases=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for db in "${databases[@]}"; do
    psql "$pg_base/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {  # URL, log: until the server answers, or show its log and fail
  for _ in $(seq 1 120); do
    if .venv/bin/python -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$1" 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "The server at $1 did not answer; its log:" >&2; tail -50 "$2" >&2; exit 1
}

# One stage: $1 = name, $2 = database URL. Writes the environment file the operator would.
deploy() {
  local name="$1" database_url="$2"
  local dir="$work/$name"
  mkdir -p "$dir/static" "$dir/media" "$dir/mail"
  cat > "$dir/maillage.env" <<ENV
# Written once by the operator (docs/operations.md); read by manage.py, gunicorn and cron.
DJANGO_SETTINGS_MODULE=maillage.settings.prod
MAILLAGE_SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
MAILLAGE_ALLOWED_HOSTS=127.0.0.1,localhost
MAILLAGE_DATABASE_URL=$database_url
MAILLAGE_EMAIL_URL=file://$dir/mail
MAILLAGE_EMAIL_FROM=Maillage <maillage@stage.invalid>
MAILLAGE_STATIC_ROOT=$dir/static
MAILLAGE_MEDIA_ROOT=$dir/media
MAILLAGE_ADDRESS_GEOCODER_URL=
MAILLAGE_MAP_TILES_URL=/static/img/offline-tile.png
ENV
  # Only the file chooses the settings, as for the operator's shell and cron.
  (
    unset DJANGO_SETTINGS_MODULE MAILLAGE_DATABASE_URL
    export MAILLAGE_ENV_FILE="$dir/maillage.env"
    .venv/bin/python manage.py check --deploy --fail-level WARNING
    .venv/bin/python manage.py migrate --noinput -v0
    .venv/bin/python manage.py collectstatic --noinput -v0
    .venv/bin/python manage.py load_demo --with-users >/dev/null
    DJANGO_SUPERUSER_PASSWORD="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(20))')" \
      .venv/bin/python manage.py createsuperuser --noinput --username admin \
      --email admin@stage.invalid >/dev/null
  )
}

serve() {  # name, port: gunicorn (+ the worker) in the background, logs in $work/name/server.log
  local name="$1" port="$2" dir="$work/$1"
  (
    unset DJANGO_SETTINGS_MODULE MAILLAGE_DATABASE_URL
    export MAILLAGE_ENV_FILE="$dir/maillage.env"
    exec .venv/bin/gunicorn --config python:maillage.gunicorn --bind "127.0.0.1:$port" \
      maillage.wsgi:application
  ) >>"$dir/server.log" 2>&1 &
  pids+=("$!")
  (
    unset DJANGO_SETTINGS_MODULE MAILLAGE_DATABASE_URL
    export MAILLAGE_ENV_FILE="$dir/maillage.env"
    exec .venv/bin/python manage.py run_tasks --interval 1
  ) >>"$dir/worker.log" 2>&1 &
  pids+=("$!")
  wait_for "http://127.0.0.1:$port/healthz" "$dir/server.log"
}

stage_tests() {  # name, port, database, pytest arguments…
  local name="$1" port="$2" database="$3"; shift 3
  MAILLAGE_STAGE_URL="http://127.0.0.1:$port" MAILLAGE_STAGE_LOG="$work/$name/server.log" \
  MAILLAGE_STAGE_DATABASE="$database" MAILLAGE_STAGE_MAIL_DIR="$work/$name/mail" \
  MAILLAGE_STAGE_ADMIN_EMAIL=admin@stage.invalid \
    .venv/bin/pytest -p no:django -p no:cacheprovider -p no:randomly -q \
      -W "ignore::pytest.PytestConfigWarning" "$@"
}

step "Production stage on PostgreSQL: deploy (check --deploy, migrate, collectstatic, demo)"
pg_url="$(scripts/find-postgres.sh)"
pg_base="${pg_url%/*}"
stage_db="maillage_stage_$$"
databases+=("$stage_db")
psql "$pg_base/postgres" -qc "CREATE DATABASE $stage_db"
deploy postgres "$pg_base/$stage_db"
port="$(free_port)"
serve postgres "$port"
step "Production stage on PostgreSQL: pages, sign-in, a write, API, PDF, worker, errors, concurrency"
stage_tests postgres "$port" "$pg_base/$stage_db" tests/production

step "Backup and restore (pg_dump / pg_restore)"
restored_db="maillage_restored_$$"
databases+=("$restored_db")
pg_dump --format=custom --file="$work/backup.dump" "$pg_base/$stage_db"
psql "$pg_base/postgres" -qc "CREATE DATABASE $restored_db"
pg_restore --no-owner --dbname="$pg_base/$restored_db" "$work/backup.dump"
.venv/bin/python - "$pg_base/$stage_db" "$pg_base/$restored_db" <<'PY'
import sys

import psycopg

def counts(url):
    with psycopg.connect(url) as connection:
        tables = [r[0] for r in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}

source, restored = counts(sys.argv[1]), counts(sys.argv[2])
assert source == restored, {t: (source.get(t), restored.get(t)) for t in source if source.get(t) != restored.get(t)}
print(f"restored {len(source)} tables, {sum(source.values())} rows, identical counts")
PY

step "Production stage on SQLite (the embedded default): concurrent saves"
deploy sqlite "sqlite:///$work/sqlite/maillage.sqlite3"
port="$(free_port)"
serve sqlite "$port"
stage_tests sqlite "$port" "$work/sqlite/maillage.sqlite3" tests/production/test_concurrency.py \
  tests/production/test_stage.py::test_every_public_page_answers_and_its_static_files_are_served
