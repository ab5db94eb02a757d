"""Production settings refuse to start, naming the variable, when a setting is unsafe; the
environment file is the one way to choose settings for manage.py, the server and cron."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from maillage.settings import env

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "DJANGO_SETTINGS_MODULE": "maillage.settings.prod",
    "MAILLAGE_SECRET_KEY": secrets.token_urlsafe(50),
    "MAILLAGE_ALLOWED_HOSTS": "maillage.example.org",
    "MAILLAGE_DATABASE_URL": "postgres://maillage@127.0.0.1:5432/maillage",
    "MAILLAGE_EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org",
}


def _start(environment: dict[str, str], *, env_file: Path | None = None):
    """Load the settings as the server does, in a fresh interpreter; (exit code, stderr)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MAILLAGE_", "DJANGO_"))}
    clean.update(environment)
    # No environment file unless the test gives one (a developer's maillage.env is not read).
    clean["MAILLAGE_ENV_FILE"] = str(env_file) if env_file else os.devnull
    code = (
        "import os, importlib; from maillage.settings.env import load_file; "
        "load_file(default_settings='x'); "
        "s = importlib.import_module(os.environ['DJANGO_SETTINGS_MODULE']); "
        "print(s.DATABASES['default']['ENGINE'], s.EMAIL_BACKEND)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    return done.returncode, done.stdout + done.stderr


def test_production_starts_with_every_required_variable():
    code, output = _start(GOOD)
    assert code == 0, output
    assert "postgresql" in output and "smtp.EmailBackend" in output


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"MAILLAGE_SECRET_KEY": None}, "set MAILLAGE_SECRET_KEY"),
        ({"MAILLAGE_SECRET_KEY": "short-key"}, "MAILLAGE_SECRET_KEY is too weak"),
        ({"MAILLAGE_SECRET_KEY": "django-insecure-" + "x1y2z3" * 10}, "MAILLAGE_SECRET_KEY"),
        ({"MAILLAGE_SECRET_KEY": "a" * 60}, "MAILLAGE_SECRET_KEY is too weak"),
        ({"MAILLAGE_ALLOWED_HOSTS": None}, "MAILLAGE_ALLOWED_HOSTS"),
        ({"MAILLAGE_DATABASE_URL": None}, "MAILLAGE_DATABASE_URL"),
        ({"MAILLAGE_DATABASE_URL": "sqlite:///:memory:"}, "in-memory SQLite"),
        ({"MAILLAGE_EMAIL_URL": None}, "MAILLAGE_EMAIL_URL"),
        ({"MAILLAGE_EMAIL_URL": "console://"}, "MAILLAGE_EMAIL_URL"),
        ({"MAILLAGE_EMAIL_URL": "pop3://x"}, "MAILLAGE_EMAIL_URL must start with"),
        ({"MAILLAGE_DEBUG": "true"}, "MAILLAGE_DEBUG must be false"),
    ],
)
def test_production_refuses_to_start_and_names_the_variable(change, named):
    environment = dict(GOOD)
    for name, value in change.items():
        if value is None:
            environment.pop(name)
        else:
            environment[name] = value
    code, output = _start(environment)
    assert code != 0
    assert named in output


def test_sqlite_chosen_on_purpose_is_accepted(tmp_path):
    code, output = _start({**GOOD, "MAILLAGE_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"})
    assert code == 0, output
    assert "sqlite3" in output


def test_the_environment_file_chooses_the_settings_and_the_process_environment_wins(tmp_path):
    file = tmp_path / "maillage.env"
    lines = [f"{name}={value}" for name, value in GOOD.items() if name != "MAILLAGE_EMAIL_URL"]
    file.write_text(
        "# written once by the operator\n"
        + "\n".join(lines)
        + "\nexport MAILLAGE_EMAIL_URL='console://'\n",
        encoding="utf-8",
    )
    # The file alone: its console e-mail is refused, so the file was read (settings = prod).
    code, output = _start({}, env_file=file)
    assert code != 0 and "MAILLAGE_EMAIL_URL" in output
    # The process environment wins over the file.
    code, output = _start({"MAILLAGE_EMAIL_URL": GOOD["MAILLAGE_EMAIL_URL"]}, env_file=file)
    assert code == 0, output


def test_a_missing_environment_file_named_explicitly_is_an_error(tmp_path):
    missing = tmp_path / "nowhere.env"
    code, output = _start(GOOD, env_file=missing)
    assert code != 0 and str(missing) in output


def test_parse_file_reads_names_values_quotes_and_reports_the_bad_line():
    text = "# comment\n\nA=1\nexport B = 'two words'\nC=\"x=y\"\n"
    assert env.parse_file(text) == {"A": "1", "B": "two words", "C": "x=y"}
    with pytest.raises(ValueError, match="line 2"):
        env.parse_file("A=1\nnot a pair\n")


def test_manage_py_and_the_server_read_the_same_file():
    manage = (ROOT / "manage.py").read_text(encoding="utf-8")
    wsgi = (ROOT / "maillage" / "wsgi.py").read_text(encoding="utf-8")
    assert "load_file(" in manage and "load_file(" in wsgi
    assert "DJANGO_SETTINGS_MODULE" not in manage + wsgi  # chosen by load_file only
