"""The project keeps its promises to its operators: documented settings, the two commands."""

from pathlib import Path

from maillage.settings import env

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented():
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    missing = [s.name for s in env.SETTINGS if f"`{s.name}`" not in operations]
    assert not missing, f"Document in docs/operations.md: {missing}"


def test_readme_has_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_every_management_command_is_documented():
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    commands = sorted(
        p.stem
        for p in ROOT.glob("maillage/*/management/commands/*.py")
        if not p.stem.startswith("_")
    )
    assert commands
    missing = [c for c in commands if f"`{c}" not in operations]
    assert not missing, f"Document in docs/operations.md: {missing}"


def test_production_refuses_to_start_without_a_secret(monkeypatch):
    import importlib
    import sys

    import pytest
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("MAILLAGE_SECRET_KEY", raising=False)
    monkeypatch.setenv("MAILLAGE_DEBUG", "false")
    sys.modules.pop("maillage.settings.prod", None)
    sys.modules.pop("maillage.settings.base", None)
    with pytest.raises(ImproperlyConfigured, match="MAILLAGE_SECRET_KEY"):
        importlib.import_module("maillage.settings.prod")
