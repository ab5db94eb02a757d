"""Views read what a request sends through a form, never by hand: a form says what a bad value
does (a form error, or a 400), where `request.POST.get("status")` let any value through."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BY_HAND = re.compile(r"request\.(POST|GET)(\[|\.get\(|\.getlist\(|\.dict\()")

#: Reads left as they are (file and line), with the reason. Middleware and context processors
#: are not views.
ALLOWED = {
    ("maillage/web/middleware.py", 'wanted = request.GET.get("lang")'): "language switch",
    (
        "maillage/web/context_processors.py",
        '"simple_mode": request.GET.get("simple") == "1",',
    ): "the simple-mode flag of every page",
    (
        "maillage/web/views.py",
        'if default is not None and not request.GET.get("all"):',
    ): "`?all` on the home page: a flag, any value means yes",
    (
        "maillage/diagnostic/views.py",
        'if "values-file" in request.FILES or request.POST.get("action") == "import":',
    ): "which of the page's two forms was sent (each is then read by its form)",
    (
        "maillage/directory/views.py",
        'if request.method == "POST" and request.POST.get("action") == "add_member":',
    ): "which of the page's two forms was sent (each is then read by its form)",
}


def _reads_by_hand() -> set[tuple[str, str]]:
    found = set()
    for path in sorted((ROOT / "maillage").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        for line in path.read_text(encoding="utf-8").splitlines():
            if BY_HAND.search(line):
                found.add((relative, line.strip()))
    return found


def test_views_read_requests_through_forms():
    assert _reads_by_hand() - set(ALLOWED) == set()


def test_the_allowed_reads_still_exist():
    assert set(ALLOWED) - _reads_by_hand() == set()
