"""French and English are complete: every user-facing string is in the catalogs, translated,
compiled, and no template shows text outside a translation tag."""

import gettext
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ("fr", "en")
# The project catalog and each app's own (see LOCALE_PATHS).
CATALOGS = [Path(p).relative_to(ROOT) for p in settings.LOCALE_PATHS]
PO_FILES = [(c, lang) for c in CATALOGS for lang in LANGUAGES]


def _po(language: str, catalog: Path = Path("locale")) -> Path:
    return ROOT / catalog / language / "LC_MESSAGES" / "django.po"


def _msgids(po: Path) -> set[str]:
    out = subprocess.run(
        ["msgcat", "--no-wrap", "--no-location", str(po)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(re.findall(r'^msgid "(.+)"$', out, flags=re.MULTILINE))


@pytest.mark.parametrize(("catalog", "language"), PO_FILES, ids=str)
def test_catalog_has_no_untranslated_or_fuzzy_entry(catalog, language):
    po = str(_po(language, catalog))
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", po],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", po],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "msgid" not in untranslated, untranslated
    assert "msgid" not in fuzzy, fuzzy
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", po], check=True)


@pytest.mark.parametrize(("catalog", "language"), PO_FILES, ids=str)
def test_compiled_catalog_is_up_to_date(catalog, language, tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(_po(language, catalog))], check=True)
    committed = _po(language, catalog).with_suffix(".mo")
    with open(fresh, "rb") as a, open(committed, "rb") as b:
        assert gettext.GNUTranslations(a)._catalog == gettext.GNUTranslations(b)._catalog, (
            "Run: python manage.py compilemessages --ignore='.venv*'"
        )


def test_catalogs_contain_every_string_of_the_code(tmp_path):
    """makemessages on a copy of the code finds no msgid the committed catalogs lack."""
    copy = tmp_path / "repo"
    shutil.copytree(
        ROOT / "maillage", copy / "maillage", ignore=shutil.ignore_patterns("__pycache__", "static")
    )
    shutil.copytree(ROOT / "locale", copy / "locale")
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    subprocess.run(
        [
            "python",
            "-m",
            "django",
            "makemessages",
            "-l",
            "fr",
            "--no-location",
            "--add-location=never",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "DJANGO_SETTINGS_MODULE": "maillage.settings.test",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": f"{copy}:{ROOT}",
        }
        | _python_env(),
    )
    missing = {}
    for catalog in CATALOGS:
        extracted = _msgids(copy / catalog / "fr" / "LC_MESSAGES" / "django.po")
        lacking = extracted - _msgids(_po("fr", catalog))
        if lacking:
            missing[str(catalog)] = sorted(lacking)
    assert not missing, f"Run scripts/translations.sh and translate: {missing}"


def _python_env() -> dict:
    import os
    import sys

    return {"PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}


class _TextFinder(HTMLParser):
    """Collects visible text and text attributes that are not template variables or tags."""

    ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "value"}

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value and re.search(r"[A-Za-zÀ-ÿ]{2,}", value):
                if tag == "input" and name == "value":
                    continue
                self.found.append(f"{tag}[{name}]={value!r}")

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and re.search(r"[A-Za-zÀ-ÿ]{2,}", data):
            self.found.append(data.strip())


# Words that are the same in every language: the product's name and proper nouns.
ALLOWED_WORDS = {"Maillage", "OpenStreetMap"}


def _strip_template_syntax(source: str) -> str:
    source = re.sub(
        r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", "", source, flags=re.DOTALL
    )
    source = re.sub(r"{#.*?#}", "", source, flags=re.DOTALL)
    source = re.sub(r"{%.*?%}", "", source, flags=re.DOTALL)
    return re.sub(r"{{.*?}}", "", source, flags=re.DOTALL)


@pytest.mark.parametrize(
    "template",
    sorted((ROOT / "maillage").glob("*/templates/**/*.html")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_templates_show_no_text_outside_translation_tags(template):
    finder = _TextFinder()
    finder.feed(_strip_template_syntax(template.read_text(encoding="utf-8")))
    leftovers = [
        text
        for text in finder.found
        if set(re.findall(r"[A-Za-zÀ-ÿ]{2,}", text.split("=", 1)[-1])) - ALLOWED_WORDS
    ]
    assert not leftovers, f"Wrap in {{% translate %}}: {leftovers}"


def test_no_gettext_call_inside_an_f_string():
    """xgettext does not see `_("…")` inside an f-string: the text would never be translated."""
    pattern = re.compile(r"""\bf(["']).*?\{[^}]*\b(?:_|gettext|gettext_lazy|pgettext)\(""")
    offenders = []
    for path in sorted((ROOT / "maillage").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert not offenders, f"Move the translated text out of the f-string: {offenders}"


@pytest.mark.parametrize("catalog", CATALOGS, ids=str)
def test_french_punctuation_keeps_its_space_on_the_same_line(catalog):
    # French puts a space before ? ! ; : and inside « »; an ordinary space lets a lone "?"
    # wrap to the next line on a phone: the catalogs use a no-break space (U+00A0).
    out = subprocess.run(
        ["msgcat", "--no-wrap", "--no-location", str(_po("fr", catalog))],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    translations = re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', out, flags=re.MULTILINE)
    breaking = [
        text
        for text in translations
        if re.search(r" [?!;:](?:\s|$|\\n)|« | »", text.replace("\\n", "\n"))
    ]
    assert not breaking, breaking


def test_no_template_puts_punctuation_after_a_translation():
    # "{% translate 'Status' %}:" gives "État:" in French, which needs "État :" (no-break
    # space): the punctuation belongs in the translated string.
    offending = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(ROOT.glob("maillage/*/templates/**/*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\{%\s*(?:translate|trans)\s[^%]*%\}\s?[:;?!]", line)
    ]
    assert not offending, offending
