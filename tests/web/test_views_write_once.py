"""A view never calls two writing services on one path outside one transaction: a failure in
the second would leave the first written. A page that changes two things calls one service
that does both (for example `roadmap.services.decision_add` with its follow-up)."""

import ast
import itertools
from pathlib import Path

from tests.territories.test_actors import WRITES

ROOT = Path(__file__).resolve().parents[2]
WRITING_NAMES = {name.rsplit(".", 1)[1] for name, _f in WRITES}
VIEW_MODULES = ("views.py", "manage_views.py", "api.py")


def _writing_calls(function: ast.AST):
    """(name, line, branch path, inside transaction.atomic) of each writing call."""

    def walk(node, path, atomic):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in WRITING_NAMES:
                yield name, node.lineno, path, atomic
        if isinstance(node, ast.If | ast.Try):
            arms = (
                [("body", node.body), ("orelse", node.orelse)]
                if isinstance(node, ast.If)
                else [("body", node.body + node.orelse + node.finalbody)]
                + [(f"except{i}", h.body) for i, h in enumerate(node.handlers)]
            )
            if isinstance(node, ast.If):
                yield from walk(node.test, path, atomic)
            for arm, statements in arms:
                for statement in statements:
                    yield from walk(statement, (*path, (id(node), arm)), atomic)
            return
        if isinstance(node, ast.With) and any(
            "atomic" in ast.unparse(item.context_expr) for item in node.items
        ):
            atomic = True
        for child in ast.iter_child_nodes(node):
            yield from walk(child, path, atomic)

    for statement in function.body:
        yield from walk(statement, (), False)


def _same_path(a, b) -> bool:
    """False when the two calls sit in different arms of one `if` or `try`."""
    arms_a, arms_b = dict(a), dict(b)
    return all(arms_a[node] == arms_b[node] for node in arms_a.keys() & arms_b.keys())


def test_no_view_calls_two_writing_services_outside_one_transaction():
    found = []
    for module in VIEW_MODULES:
        for path in sorted((ROOT / "maillage").glob(f"*/{module}")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                calls = list(_writing_calls(function))
                for a, b in itertools.combinations(calls, 2):
                    if _same_path(a[2], b[2]) and not (a[3] and b[3]):
                        found.append(f"{path.name}:{function.name}: {a[0]} then {b[0]}")
    assert found == []


def test_the_check_sees_two_writes_on_one_path():
    source = """
def view(request):
    if request.method == "POST":
        grid = services.grid_adopt(territory=t, version="1", by=request.user)
        services.wave_create(territory=t, grid=grid, by=request.user)
    try:
        services.weighting_run_publish(run=r, by=request.user)
    except ValidationError:
        pass
    if ok:
        services.place_confirm(place=p, by=request.user)
    else:
        services.place_revert(place=p, history_id=1, by=request.user)
"""
    function = ast.parse(source).body[0]
    calls = list(_writing_calls(function))
    pairs = {(a[0], b[0]) for a, b in itertools.combinations(calls, 2) if _same_path(a[2], b[2])}
    assert ("grid_adopt", "wave_create") in pairs
    assert ("place_confirm", "place_revert") not in pairs
