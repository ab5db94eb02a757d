"""The demo loader (idempotent, nothing invented) and the import/export commands."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maillage.directory.demo import load_demo
from maillage.interop import demo
from maillage.interop.models import DuplicateCandidate, ImportRun
from tests.interop.conftest import EXAMPLE_CSV
from tests.interop.helpers import csv_bytes, variant


def test_demo_loader_is_idempotent(db):
    territory = load_demo(with_users=False)
    demo.load_demo(territory, with_users=False)
    found = DuplicateCandidate.objects.count()
    demo.load_demo(territory, with_users=False)
    assert DuplicateCandidate.objects.count() == found


def test_import_command_with_progress_and_summary(reims_territory, tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_bytes(EXAMPLE_CSV.read_bytes())
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_places",
        "grand-reims",
        str(path),
        "--source",
        "exemple",
        "--publish",
        stdout=out,
        stderr=err,
    )
    assert "[##############################] written" in err.getvalue()
    assert "1 rows, 1 created, 0 updated, 0 unchanged, 0 rejected" in out.getvalue()
    out = io.StringIO()
    call_command(
        "export_places", "grand-reims", "--format", "geojson", stdout=out, stderr=io.StringIO()
    )
    assert json.loads(out.getvalue())["features"][0]["properties"]["nom"] == "Anonymal"


def test_import_command_refuses_a_file_with_errors_and_writes_the_report(reims_territory, tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_bytes(
        csv_bytes(
            [variant(id="a"), variant(id="b", code_postal="xx")], delimiter=";", encoding="cp1252"
        )
    )
    report = tmp_path / "report.csv"
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command(
            "import_places",
            "grand-reims",
            str(path),
            "--source",
            "s",
            "--report",
            str(report),
            stdout=out,
            stderr=io.StringIO(),
        )
    assert "row 3, code_postal" in out.getvalue()
    assert "separator ';'" in out.getvalue() and "encoding cp1252" in out.getvalue()
    assert report.read_text(encoding="utf-8").splitlines()[1].startswith("3,code_postal,xx,")
    assert ImportRun.objects.get().status == "refused"
    with pytest.raises(CommandError, match="No territory"):
        call_command("import_places", "nowhere", str(path), "--source", "s")
