"""The project keeps its promises to its operators: documented settings, the two commands."""

import ast
import re
from pathlib import Path

import pytest

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


# The rules of docs/coding-style.md that a machine can check. Each check returns its offences as
# "path:line: what", so that a failure says where to look; the tests below read no database.

PACKAGES = ("maillage", "analysis", "bench")
# Writes (ORM calls that change rows) belong in services.py. These modules write too, each for
# the reason given; they are called by services, commands or the background worker, never by
# a page directly.
WRITERS = {
    "maillage/*/demo.py": "demo loaders, run by `manage.py load_demo`",
    "maillage/directory/bulk.py": "batched writes of an import, called by the import services",
    "maillage/diagnostic/squares.py": "population squares import, called by diagnostic services",
    "maillage/diagnostic/jobs.py": "the background worker claims and finishes diagnostic runs",
    "maillage/interop/duplicates.py": "duplicate candidates, called by the interop services",
    "maillage/interop/freshness.py": "freshness campaigns, called by the interop services",
    "maillage/interop/retention.py": "a retention rule, run by `manage.py purge_personal_data`",
    "maillage/directory/retention.py": "a retention rule, run by `manage.py purge_personal_data`",
    "maillage/core/extensions.py": "the shared eraser of the retention rules",
    "maillage/core/background.py": "the worker claims, beats, fails and requeues background work",
    "maillage/territories/members.py": "the members' services (invite, accept, revoke, leave, purge)",
    "maillage/territories/lockouts.py": "lifting a sign-in lockout, purging failed sign-ins",
    "maillage/roadmap/editing.py": "the registry of editable roadmap records (generic edit)",
}
# Modules past MAX_LINES lines, each one a candidate for splitting; none may pass HARD_MAX_LINES.
MAX_LINES = 400
HARD_MAX_LINES = 800
LARGE_MODULES = {
    "analysis/accessibility.py",
    "analysis/estimation.py",
    "analysis/fragility.py",
    "analysis/weighting.py",
    "bench/bench_raking.py",
    "bench/report.py",
    "maillage/core/uploads.py",
    "maillage/diagnostic/computation.py",
    "maillage/diagnostic/presenters.py",
    "maillage/diagnostic/selectors.py",
    "maillage/diagnostic/services.py",
    "maillage/diagnostic/views.py",
    "maillage/directory/services.py",
    "maillage/directory/views.py",
    "maillage/interop/services.py",
    "maillage/observatory/services.py",
    "maillage/observatory/views.py",
    "maillage/roadmap/editing.py",
    "maillage/roadmap/models.py",
    "maillage/roadmap/services.py",
    "maillage/roadmap/views.py",
}
GRAB_BAG_NAMES = {"utils", "helpers", "misc", "common", "tools"}
WRITE_METHODS = {
    "save",
    "delete",
    "create",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext"}
TEMPLATE_CALLS = {"render", "render_to_string", "get_template", "select_template"}


def python_modules(*packages: str) -> list[Path]:
    return sorted(
        path
        for package in packages or PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def where(path: Path, node: ast.AST | int) -> str:
    line = node if isinstance(node, int) else node.lineno
    return f"{path.relative_to(ROOT)}:{line}"


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def grab_bag_modules() -> list[str]:
    """Modules or packages named utils, helpers, misc…: name them for what they hold."""
    return [
        f"{path.relative_to(ROOT)}:1: name it for what it holds"
        for path in python_modules()
        if path.stem in GRAB_BAG_NAMES or path.parent.name in GRAB_BAG_NAMES
    ]


def write_calls(tree: ast.Module):
    """ORM calls that change rows: save/delete/create…, and `.update(**fields)` (keywords
    only, which tells a QuerySet's update from a dict's)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method in WRITE_METHODS or (method == "update" and node.keywords and not node.args):
                yield node


def writes_outside_services() -> list[str]:
    """Writes are in services.py, or in a module of WRITERS with its reason."""
    allowed = {path for pattern in WRITERS for path in ROOT.glob(pattern)}
    return [
        f"{where(path, call)}: {ast.unparse(call.func)}() writes outside services.py"
        for path in python_modules("maillage")
        if path.name != "services.py" and path not in allowed
        for call in write_calls(parsed(path))
    ]


def listed_writers_that_do_not_write() -> list[str]:
    """An exception to the rule above that no longer writes leaves the list (a moved module is
    taken out of it by hand)."""
    return [
        f"{pattern}: writes nothing; take it out of WRITERS"
        for pattern in WRITERS
        if "*" not in pattern
        and (ROOT / pattern).is_file()
        and not any(write_calls(parsed(ROOT / pattern)))
    ]


def public_services() -> list[tuple[Path, ast.FunctionDef]]:
    return [
        (path, node)
        for path in sorted(ROOT.glob("maillage/*/services.py"))
        for node in parsed(path).body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    ]


def services_with_positional_parameters() -> list[str]:
    """A service that acts for someone (it takes `by`) takes every parameter by keyword."""
    offences = []
    for path, function in public_services():
        arguments = function.args
        positional = [a.arg for a in arguments.posonlyargs + arguments.args]
        if "by" in [a.arg for a in arguments.kwonlyargs] and positional:
            offences.append(f"{where(path, function)}: {function.name}({', '.join(positional)}, …)")
    return offences


def services_undocumented_and_untyped() -> list[str]:
    """A public service has a docstring, or annotations on every parameter and its result."""
    offences = []
    for path, function in public_services():
        arguments = function.args
        every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
        typed = function.returns is not None and all(a.annotation for a in every)
        if not typed and not ast.get_docstring(function):
            offences.append(f"{where(path, function)}: {function.name}: add a docstring or types")
    return offences


def is_gettext(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    function = node.func
    name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
    return name in GETTEXT


def sentences_by_concatenation() -> list[str]:
    """A translated sentence is whole: `_("… %(name)s …") % {...}`, never `_("…") + x`."""
    offences = []
    for path in python_modules("maillage"):
        for node in ast.walk(parsed(path)):
            glued = (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Add)
                and (is_gettext(node.left) or is_gettext(node.right))
            ) or (
                isinstance(node, ast.JoinedStr)
                and any(
                    isinstance(v, ast.FormattedValue) and is_gettext(v.value) for v in node.values
                )
            )
            if glued:
                offences.append(f"{where(path, node)}: {ast.unparse(node)[:80]}")
    return offences


def template_names(tree: ast.Module):
    """(node, name) of the templates a module names: any "….html" string, and the strings given
    to render()/render_to_string()/get_template() or assigned to a `…template_name`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if re.fullmatch(r"[\w/.-]+\.html", node.value):
                yield node, node.value
        elif isinstance(node, ast.Call) and is_named(node.func, TEMPLATE_CALLS):
            for argument in [*node.args, *(k.value for k in node.keywords)]:
                if isinstance(argument, ast.Constant) and str(argument.value).endswith(".txt"):
                    yield argument, argument.value
        elif isinstance(node, ast.Assign | ast.keyword):
            targets = node.targets if isinstance(node, ast.Assign) else [node]
            value = node.value
            for target in targets:
                name = getattr(target, "id", None) or getattr(target, "arg", None) or ""
                if name.endswith("template_name") and isinstance(value, ast.Constant):
                    yield value, value.value


def is_named(function: ast.AST, names: set[str]) -> bool:
    name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
    return name in names


def missing_templates() -> list[str]:
    """Every template named in the code or in an include/extends tag exists."""
    directories = sorted(ROOT.glob("maillage/*/templates"))

    def exists(name: str) -> bool:
        return any((directory / name).is_file() for directory in directories)

    offences = [
        f"{where(path, node)}: template {name} does not exist"
        for path in python_modules("maillage")
        for node, name in template_names(parsed(path))
        if not exists(name)
    ]
    tag = re.compile(r"{%\s*(?:include|extends)\s+[\"']([^\"']+)[\"']")
    for directory in directories:
        for template in sorted(directory.rglob("*.html")) + sorted(directory.rglob("*.txt")):
            text = template.read_text(encoding="utf-8")
            for number, line in enumerate(text.splitlines(), 1):
                offences += [
                    f"{where(template, number)}: template {name} does not exist"
                    for name in tag.findall(line)
                    if not exists(name)
                ]
    return offences


def oversized_modules() -> list[str]:
    """Past MAX_LINES a module is listed in LARGE_MODULES; none passes HARD_MAX_LINES."""
    offences = []
    for path in python_modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        name = str(path.relative_to(ROOT))
        if lines > HARD_MAX_LINES or (lines > MAX_LINES and name not in LARGE_MODULES):
            offences.append(f"{name}:{lines}: {lines} lines; split it by what it does")
    return offences


def signal_receivers() -> list[str]:
    """No business logic in signals: the project imports neither django.dispatch nor the
    model signals (a service does the work where it is called)."""
    offences = []
    for path in python_modules("maillage"):
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                names += [alias.name for alias in node.names]
                if any(
                    n.startswith(("django.dispatch", "django.db.models.signals")) for n in names
                ):
                    offences.append(f"{where(path, node)}: {ast.unparse(node)}")
    return offences


#: Modules that may write CSV without the formula guard, with their reason.
PLAIN_CSV_WRITERS = {
    "maillage/web/spreadsheets.py": "the guard itself",
    "maillage/observatory/demo.py": "writes the demo's survey file, read back by the importer",
}


def csv_written_without_the_formula_guard() -> list[str]:
    """Every CSV people download goes through `web.spreadsheets.writer` / `DictWriter`, which
    neutralise a cell a spreadsheet would run as a formula; `csv.writer` / `csv.DictWriter`
    only in PLAIN_CSV_WRITERS."""
    offences = []
    for path in python_modules("maillage"):
        if str(path.relative_to(ROOT)) in PLAIN_CSV_WRITERS:
            continue
        for node in ast.walk(parsed(path)):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"writer", "DictWriter"}
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            ) or (
                isinstance(node, ast.ImportFrom)
                and node.module == "csv"
                and {a.name for a in node.names} & {"writer", "DictWriter"}
            ):
                offences.append(f"{where(path, node)}: {ast.unparse(node)}")
    return offences


def unmirrored_test_directories() -> list[str]:
    """tests/<name>/ mirrors maillage/<name>/ or analysis/, besides browser/, peers/ and
    production/ (the production stage, run against gunicorn by scripts/test-production.sh)."""
    return [
        f"{directory.relative_to(ROOT)}: no package maillage/{directory.name} or {directory.name}/"
        for directory in sorted(p for p in (ROOT / "tests").iterdir() if p.is_dir())
        if directory.name not in {"browser", "peers", "production", "__pycache__"}
        and not (ROOT / "maillage" / directory.name).is_dir()
        and not (ROOT / directory.name / "__init__.py").is_file()
    ]


CHECKS = [
    grab_bag_modules,
    writes_outside_services,
    listed_writers_that_do_not_write,
    services_with_positional_parameters,
    sentences_by_concatenation,
    missing_templates,
    oversized_modules,
    unmirrored_test_directories,
    signal_receivers,
    services_undocumented_and_untyped,
    csv_written_without_the_formula_guard,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_coding_style(check):
    offences = check()
    assert offences == [], f"{check.__doc__ or check.__name__}\n" + "\n".join(offences)


def test_the_coding_style_page_names_every_check_and_only_those():
    page = (ROOT / "docs" / "coding-style.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(test_coding_style\[\w+\])`", page))
    checks = {f"test_coding_style[{c.__name__}]" for c in CHECKS}
    assert sorted(checks - named) == [], "Say in docs/coding-style.md which rule these check"
    assert sorted(named - checks) == [], "docs/coding-style.md names checks that do not exist"
