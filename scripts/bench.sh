#!/usr/bin/env bash
# Run every benchmark (never part of the tests). Each writes bench/results/<name>.json with its
# figures, the machine, the load and the versions; the tables of docs/benchmarks.md are then
# rebuilt from those files (bench/report.py). Peers run in the same run, on the same inputs.
# Takes 15–30 minutes; the figures depend on the machine's load, which the tables show.
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
echo "== Open data: importing 25,000 places, SQLite"
MAILLAGE_DATABASE_URL="sqlite:///$PWD/var/bench-import.sqlite3" .venv/bin/python bench/bench_import.py
echo "== Public pages under load: gunicorn, PostgreSQL, 200 wrk clients (apt-get install wrk)"
.venv/bin/python bench/bench_load.py
echo "== Observatory: the 5,000-respondent pipeline"
.venv/bin/python bench/bench_observatory.py
echo "== Long imports as background tasks: 100,000 places and respondents"
MAILLAGE_DATABASE_URL="sqlite:///$PWD/var/bench-tasks.sqlite3" .venv/bin/python bench/bench_tasks.py

# The peers' venvs (.venv-peers-obs, .venv-peers-balance, .venv-peers-diag): the peer scripts
# build them when missing and run the peer comparison tests.
for peers in scripts/test-peers-*.sh; do bash "$peers" >/dev/null; done
echo "== Observatory: raking and calibration of 1,000,000 respondents, against peers"
PYTHONPATH=. .venv-peers-obs/bin/python bench/bench_raking.py
echo "== Diagnostic: E2SFCA accessibility, against PySAL access"
PYTHONPATH=. .venv-peers-diag/bin/python bench/bench_accessibility.py --repeats 9 --peer-repeats 2
echo "== Diagnostic: maximal covering location, against spopt"
PYTHONPATH=. .venv-peers-diag/bin/python bench/bench_siting.py

echo "== docs/benchmarks.md"
.venv/bin/python bench/report.py
