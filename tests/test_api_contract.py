"""The API answers as its OpenAPI description says: a bounded, deterministic schemathesis run.

Schemathesis' `st run` calls every operation of `/api/v1/openapi.json` on the live test server
(the test's database, where the demo territory is loaded) with up to 25 generated requests,
valid and invalid (fewer only where the parameters allow fewer), plus its coverage cases
(boundaries, missing and unexpected values, other methods): as the territory's coordinator,
and anonymously for the operations that may answer 403. Every check runs: no server error,
status code documented, content type and body conformant to the schema, valid requests
accepted and invalid ones rejected. Path parameters are mostly (80 %) drawn from the demo's
real identifiers, so that answers with data are checked too, not only the 404s.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

SEED = 20261203
EXAMPLES_PER_OPERATION = 25
HOOKS = Path(__file__).with_name("api_contract_hooks.py")
# (location, name) of the parameters that take an identifier of the demo.
PATH_IDENTIFIERS = [
    ("path", "slug"),
    ("path", "place_id"),
    ("path", "run_id"),
    ("path", "plan_id"),
    ("path", "key"),
    ("query", "run"),
]


def _demo_identifiers() -> dict[str, list]:
    """The demo's territory and the identifiers the API's paths take, per parameter."""
    from maillage.diagnostic.demo import load_demo as load_diagnostic
    from maillage.diagnostic.models import DiagnosticRun
    from maillage.directory.demo import load_demo as load_directory
    from maillage.directory.models import Place
    from maillage.interop import selectors as interop_selectors
    from maillage.observatory.demo import load_demo as load_observatory
    from maillage.observatory.models import WeightingRun
    from maillage.roadmap.demo import load_demo as load_roadmap
    from maillage.roadmap.models import ActionPlan

    territory = load_directory(with_users=True)
    for load in (load_diagnostic, load_observatory, load_roadmap):
        load(territory, with_users=True)
    places = Place.objects.filter(territory=territory).order_by("pk")
    identifiers = {
        "slug": [territory.slug],
        # Published places, and others (404 to anonymous callers, shown to the coordinator).
        "place_id": [p.pk for p in places.filter(status=Place.Status.PUBLISHED)[:3]]
        + [p.pk for p in places.exclude(status=Place.Status.PUBLISHED)[:2]],
        "run_id": list(
            DiagnosticRun.objects.filter(territory=territory).values_list("pk", flat=True)
        ),
        "run": list(
            WeightingRun.objects.filter(wave__territory=territory).values_list("pk", flat=True)
        ),
        "plan_id": list(
            ActionPlan.objects.filter(territory=territory).values_list("pk", flat=True)
        ),
        "key": [d.key for d in interop_selectors.open_data_summary(territory).downloads],
    }
    assert all(identifiers.values()), f"the demo lacks some identifiers: {identifiers}"
    return identifiers


def _config(identifiers: dict[str, list], headers: dict[str, str]) -> str:
    """The run's schemathesis.toml: seeded and deterministic, every check, the demo's
    identifiers as likely values (80 %) of the path parameters that name them."""
    lines = [
        f"seed = {SEED}",
        f"hooks = {json.dumps(str(HOOKS))}",
        "[generation]",
        'mode = "all"',
        f"max-examples = {EXAMPLES_PER_OPERATION}",
        "deterministic = true",
        "[checks]",
        "enabled = true",
        # Links between operations (stateful phase): GET only, so no state to explore; off
        # to keep the run short.
        "[phases.stateful]",
        "enabled = false",
        "[headers]",
        *(f"{name} = {json.dumps(value)}" for name, value in headers.items()),
        "[dictionaries]",
        *(f"{name} = {{ values = {json.dumps(values)} }}" for name, values in identifiers.items()),
        "[parameters]",
        *(
            f'"{location}.{name}" = {{ dictionary = "{name}", probability = 0.8 }}'
            for location, name in PATH_IDENTIFIERS
        ),
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("caller", ["coordinator", "anonymous"])
def test_the_api_answers_as_its_openapi_description_says(caller, live_server, tmp_path):
    """As the coordinator, who may call every operation; anonymously, the operations that
    answer 403 to some callers (the others answer an anonymous caller as they answer the
    coordinator). Two tests, so that the two runs may take the two cores."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    identifiers = _demo_identifiers()
    client = Client()
    headers: dict[str, str] = {}
    selection: list[str] = []
    if caller == "coordinator":
        client.force_login(get_user_model().objects.get(username="coordination"))
        headers["Cookie"] = f"sessionid={client.cookies['sessionid'].value}"
    else:
        restricted = [
            path
            for path, operations in client.get("/api/v1/openapi.json").json()["paths"].items()
            if any("403" in operation["responses"] for operation in operations.values())
        ]
        assert restricted, "no operation documents a 403"
        selection = ["--include-path-regex", f"^({'|'.join(map(re.escape, restricted))})$"]
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(identifiers, headers), encoding="utf-8")
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "st"),
            "--config-file",
            str(config),
            "--no-color",
            "run",
            f"{live_server.url}/api/v1/openapi.json",
            "--workers",
            "1",
            *selection,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # schemathesis' and hypothesis' caches
        timeout=600,
        check=False,
    )
    print(run.stdout[run.stdout.find("Examples") :])  # the summary, with -rP
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
