"""docs/api.md lists every endpoint of the OpenAPI description, and says truly who may call it."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
API_PAGE = ROOT / "docs" / "api.md"
# A row of the endpoint table: | `GET /api/v1/...` | who may call it | what |
ROW = re.compile(r"^\|\s*`(?P<method>[A-Z]+) (?P<path>/api/v1/[^`]*)`\s*\|(?P<who>[^|]+)\|")
# Values put in the path parameters for an anonymous call.
PATH_VALUES = {"slug": None, "place_id": "999999", "run_id": "999999", "plan_id": "999999"}
PATH_VALUES["key"] = "lieux-csv"


def documented_endpoints() -> dict[tuple[str, str], str]:
    """(method, path) -> who may call it, from the table of docs/api.md."""
    rows: dict[tuple[str, str], str] = {}
    for line_number, line in enumerate(API_PAGE.read_text(encoding="utf-8").splitlines(), 1):
        match = ROW.match(line)
        if match:
            key = (match["method"], match["path"])
            assert key not in rows, f"docs/api.md:{line_number}: {key} is listed twice"
            rows[key] = match["who"].strip()
    return rows


def test_the_page_has_an_endpoint_table():
    rows = documented_endpoints()
    assert len(rows) >= 10, "docs/api.md: the endpoint table was not found"
    assert all(who for who in rows.values())


@pytest.fixture
def openapi(client, db) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_endpoint_table_equals_the_openapi_description(openapi):
    served = {
        (method.upper(), path): operation
        for path, operations in openapi["paths"].items()
        for method, operation in operations.items()
    }
    documented = documented_endpoints()
    assert sorted(set(served) - set(documented)) == [], "Add these endpoints to docs/api.md"
    assert sorted(set(documented) - set(served)) == [], "docs/api.md lists endpoints that are gone"
    # The schema declares no security scheme today (the API uses the site's session); when it
    # does, the page must not call that endpoint open to anyone.
    wrongly_public = [
        key
        for key, operation in served.items()
        if operation.get("security") and documented[key].startswith("anyone")
    ]
    assert wrongly_public == [], "docs/api.md calls these public; OpenAPI says they need a key"


def test_the_who_column_matches_what_an_anonymous_caller_gets(client, territory):
    """Endpoints "anyone…" never answer 403 to an anonymous call; the others always do."""
    values = PATH_VALUES | {"slug": territory.slug}
    wrong = []
    for (method, path), who in documented_endpoints().items():
        url = re.sub(r"\{(\w+)\}", lambda m: values[m[1]], path)
        status = client.generic(method, url).status_code
        assert status != 500, f"{method} {url} failed"
        if who.startswith("anyone") == (status == 403):
            wrong.append(f"{method} {path}: documented as “{who}”, anonymous call gave {status}")
    assert wrong == [], "\n".join(wrong)


def _models(annotation, found: set[type] | None = None) -> set[type]:
    """The pydantic models in an annotation (`X`, `list[X]`, `X | None`…) and in their fields."""
    from pydantic import BaseModel

    found = set() if found is None else found
    is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
    if is_model and annotation not in found:
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, found)
    for arg in getattr(annotation, "__args__", ()):
        _models(arg, found)
    return found


def test_every_schema_name_is_unique_and_each_operation_has_its_own_schemas(openapi):
    """Two models of one name would share one OpenAPI component, and an operation would be
    described by another's model: names are unique, and each response of
    /api/v1/openapi.json refers to the model its function declares."""
    from maillage.api import api

    models_by_name: dict[str, set[type]] = {}
    declared: dict[tuple[str, str, int], str | None] = {}
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            url = re.sub(r"\{(?:\w+:)?(\w+)\}", r"{\1}", "/api/v1/" + (prefix + path).lstrip("/"))
            for operation in path_view.operations:
                for status, wrapper in operation.response_models.items():
                    # ninja wraps the declared annotation in a model with one field, `response`.
                    fields = getattr(wrapper, "model_fields", {})
                    if "response" not in fields:
                        continue
                    annotation = fields["response"].annotation
                    for model in _models(annotation):
                        models_by_name.setdefault(model.__name__, set()).add(model)
                    inner = getattr(annotation, "__args__", (annotation,))[0]
                    name = getattr(inner, "__name__", None) if _models(inner) else None
                    for method in operation.methods:
                        declared[(method.lower(), url, int(status))] = name
    collisions = {name: models for name, models in models_by_name.items() if len(models) > 1}
    assert collisions == {}, "Give these models unique names"
    wrong = []
    for (method, url, status), name in declared.items():
        response = openapi["paths"][url][method]["responses"][str(status)]
        schema = json.dumps(response.get("content", {}).get("application/json", {}))
        served = re.findall(r"#/components/schemas/(\w+)", schema)
        if name is not None and served != [name]:
            wrong.append(f"{method.upper()} {url} {status}: declares {name}, served {served}")
    assert wrong == []
    assert len({(m, u) for m, u, _s in declared}) == sum(len(o) for o in openapi["paths"].values())
