"""The production stage (scripts/test-production.sh) runs these tests against gunicorn serving
production settings; they need the address of that server, so other runs do not collect them."""

import os

import pytest

STAGE_URL = os.environ.get("MAILLAGE_STAGE_URL", "")
collect_ignore_glob = [] if STAGE_URL else ["test_*.py"]


@pytest.fixture(scope="session")
def stage():
    from tests.production.browser_client import StageClient

    def client(**kwargs):
        return StageClient(STAGE_URL, **kwargs)

    return client


@pytest.fixture(scope="session")
def stage_env():
    return {
        "url": STAGE_URL,
        "log": os.environ.get("MAILLAGE_STAGE_LOG", ""),
        "database": os.environ.get("MAILLAGE_STAGE_DATABASE", ""),
        "mail_dir": os.environ.get("MAILLAGE_STAGE_MAIL_DIR", ""),
        "territory": os.environ.get("MAILLAGE_STAGE_TERRITORY", "bordeaux-metropole"),
        "engine": os.environ.get("MAILLAGE_STAGE_ENGINE", "postgresql"),
        "admin_email": os.environ.get("MAILLAGE_STAGE_ADMIN_EMAIL", ""),
    }
