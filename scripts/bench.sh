#!/usr/bin/env bash
# Run the benchmarks (never part of the tests). Results go to bench/results/ and are copied by
# hand into docs/benchmarks.md with the machine they ran on.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh dev
mkdir -p var bench/results
echo "== Directory search API, SQLite"
MAILLAGE_DATABASE_URL="sqlite:///$PWD/var/bench.sqlite3" .venv/bin/python bench/bench_search.py
echo "== Directory search API, PostgreSQL"
pg_url="$(scripts/find-postgres.sh)"
pg_bench="${pg_url%/*}/maillage_bench"
psql "${pg_url%/*}/postgres" -qc "DROP DATABASE IF EXISTS maillage_bench" -c "CREATE DATABASE maillage_bench"
MAILLAGE_DATABASE_URL="$pg_bench" .venv/bin/python bench/bench_search.py
echo "== Public pages under load: gunicorn, PostgreSQL, 200 wrk clients (apt-get install wrk)"
.venv/bin/python bench/bench_load.py
for peers in scripts/test-peers-*.sh; do bash "$peers" >/dev/null; done  # builds the peer venvs
echo "== Observatory: raking and calibration"
PYTHONPATH=. .venv-peers-obs/bin/python bench/bench_raking.py
echo "== Observatory: the 5,000-respondent pipeline"
.venv/bin/python bench/bench_observatory.py
for script in bench/bench_accessibility.py bench/bench_siting.py; do
  if [ -f "$script" ]; then
    echo "== $script"
    PYTHONPATH=. .venv-peers-diag/bin/python "$script"
  fi
done
