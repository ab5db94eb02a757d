"""scripts/find-postgres.sh says what it needs when it cannot connect (a password, another
role, a service, or a whole URL) instead of failing with libpq's bare message."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "find-postgres.sh"
pytestmark = pytest.mark.skipif(not shutil.which("psql"), reason="no PostgreSQL client here")


def _run(**variables: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "MAILLAGE_"))}
    environment.update(variables)
    return subprocess.run(["bash", str(SCRIPT)], env=environment, capture_output=True, text=True)


def test_an_unknown_role_is_explained_with_the_ways_to_connect():
    done = _run(PGUSER="maillage_no_such_role")
    assert done.returncode == 1
    assert 'Cannot connect to PostgreSQL as "maillage_no_such_role"' in done.stderr
    for way in ("PGPASSWORD", "~/.pgpass", "PGSERVICE", "MAILLAGE_TEST_POSTGRES_URL", "CREATEDB"):
        assert way in done.stderr
    assert done.stdout == ""


def test_a_given_url_is_used_as_it_is():
    done = _run(MAILLAGE_TEST_POSTGRES_URL="postgres://someone:secret@db.example:5433/maillage")
    assert done.returncode == 0
    assert done.stdout.strip() == "postgres://someone:secret@db.example:5433/maillage"
