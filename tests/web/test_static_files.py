"""Static files as production serves them: collected into a manifest (hashed names, compressed),
and every `{% static %}` of a template found in it. A missing file or a reference to one (a
source map, an image in a stylesheet) makes `collectstatic` fail, and with no manifest every
production page answers 500."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
STATIC_TAG = re.compile(r"""{%\s*static\s+['"]([^'"]+)['"]\s*%}""")
PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def _template_references() -> list[tuple[str, str]]:
    references = []
    for template in sorted((ROOT / "maillage").rglob("templates/**/*.html")):
        for path in STATIC_TAG.findall(template.read_text(encoding="utf-8")):
            references.append((str(template.relative_to(ROOT)), path))
    return references


def test_every_static_reference_of_a_template_is_a_file():
    references = _template_references()
    assert len(references) > 20  # the pattern still finds the tags
    missing = [f"{template}: {path}" for template, path in references if not finders.find(path)]
    assert not missing, "templates name static files that do not exist:\n" + "\n".join(missing)


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=str(root), STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


def test_collectstatic_writes_the_production_manifest(collected):
    import json

    manifest = json.loads((collected / "staticfiles.json").read_text(encoding="utf-8"))
    paths = manifest["paths"]
    for _template, path in _template_references():
        assert path in paths, f"{path} is not in the manifest"
        hashed = collected / paths[path]
        assert hashed.is_file()
        if hashed.suffix in {".css", ".js"}:
            assert hashed.with_name(hashed.name + ".gz").is_file()  # served compressed
            assert hashed.with_name(hashed.name + ".br").is_file()  # Brotli too (brotli pinned)


def test_a_stylesheet_naming_a_missing_file_fails_collectstatic_with_its_name(tmp_path):
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "css" / "broken.css").write_text(
        "body { background: url('../img/removed.png'); }", encoding="utf-8"
    )
    with (
        override_settings(
            STATIC_ROOT=str(tmp_path / "out"),
            STORAGES=PRODUCTION_STORAGES,
            STATICFILES_DIRS=[str(source)],
        ),
        pytest.raises(Exception, match=r"removed\.png"),
    ):
        call_command("collectstatic", interactive=False, verbosity=0)


def test_production_storage_is_the_manifest():
    from maillage.settings import base

    assert base.STORAGES["staticfiles"] == PRODUCTION_STORAGES["staticfiles"]
    assert settings.STATIC_URL
