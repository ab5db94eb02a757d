#!/usr/bin/env bash
# Print a PostgreSQL URL for a throw-away test database, starting the local server if needed.
# Honors MAILLAGE_TEST_POSTGRES_URL (its database name is only a prefix: pytest-django creates
# and drops "test_<name>"). Otherwise connects with libpq's usual variables: PGHOST (default
# 127.0.0.1), PGPORT (5432), PGUSER (postgres), and a password from PGPASSWORD or ~/.pgpass, or
# everything from a service file entry named by PGSERVICE. The role needs CREATEDB.
set -euo pipefail
if [ -n "${MAILLAGE_TEST_POSTGRES_URL:-}" ]; then
  echo "$MAILLAGE_TEST_POSTGRES_URL"; exit 0
fi
host="${PGHOST:-127.0.0.1}"; port="${PGPORT:-5432}"; user="${PGUSER:-postgres}"
ready() { pg_isready -q -h "$host" -p "$port" 2>/dev/null; }
if ! command -v pg_isready >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing PostgreSQL from Debian's packages…" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  else
    echo "PostgreSQL is not installed: install it or set MAILLAGE_TEST_POSTGRES_URL." >&2; exit 1
  fi
fi
if [ -z "${PGSERVICE:-}" ] && ! ready; then
  for version in $(ls /etc/postgresql 2>/dev/null); do
    echo "Starting PostgreSQL $version…" >&2
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  done
  for _ in $(seq 1 30); do ready && break; sleep 1; done
  ready || { echo "No PostgreSQL server answers on $host:$port." >&2; exit 1; }
fi
if [ -n "${PGSERVICE:-}" ]; then
  base="postgres://"  # host, port, user and password come from the service file
else
  base="postgres://$user@$host:$port"
fi
if ! problem="$(psql "$base/postgres" -Atqc 'SELECT 1' 2>&1 >/dev/null)"; then
  cat >&2 <<MESSAGE
Cannot connect to PostgreSQL as "$user" on $host:$port:
  ${problem}
The tests need a role that may create databases (CREATEDB). Give its password with PGPASSWORD
or ~/.pgpass, another role with PGUSER, a service file entry with PGSERVICE, or a whole URL with
MAILLAGE_TEST_POSTGRES_URL=postgres://user:password@host:port/maillage.
MESSAGE
  exit 1
fi
echo "$base/maillage_$$"
