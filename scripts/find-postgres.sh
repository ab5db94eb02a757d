#!/usr/bin/env bash
# Print a PostgreSQL URL for a throw-away test database, starting the local server if needed.
# Honors MAILLAGE_TEST_POSTGRES_URL (its database name is only a prefix: pytest-django creates
# and drops "test_<name>").
set -euo pipefail
if [ -n "${MAILLAGE_TEST_POSTGRES_URL:-}" ]; then
  echo "$MAILLAGE_TEST_POSTGRES_URL"; exit 0
fi
host=127.0.0.1; port=5432
ready() { pg_isready -q -h "$host" -p "$port" 2>/dev/null; }
if ! command -v pg_isready >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing PostgreSQL from Debian's packages…" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  else
    echo "PostgreSQL is not installed: install it or set MAILLAGE_TEST_POSTGRES_URL." >&2; exit 1
  fi
fi
if ! ready; then
  for version in $(ls /etc/postgresql 2>/dev/null); do
    echo "Starting PostgreSQL $version…" >&2
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  done
  for _ in $(seq 1 30); do ready && break; sleep 1; done
fi
ready || { echo "No PostgreSQL server answers on $host:$port." >&2; exit 1; }
echo "postgres://postgres@$host:$port/maillage_$$"
