"""A small validator of CSV text against a Frictionless Table Schema.

Checks what the standard's schema uses: the header (names and order), `required`, `unique`,
`pattern` (whole value), `enum`, `maxLength`/`minLength`, and the types `string`, `number`,
`integer`, `boolean` and `date` (format `default`: ISO 8601 YYYY-MM-DD). No database, no Django.
The frictionless library would do more, at the price of ~20 transitive dependencies.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any


def _type_error(kind: str, value: str) -> str | None:
    try:
        if kind == "number":
            float(value)
        elif kind == "integer":
            int(value)
        elif kind == "boolean":
            if value.lower() not in {"true", "false", "1", "0", "yes", "no"}:
                return "not a boolean"
        elif kind == "date":
            dt.date.fromisoformat(value)
    except ValueError:
        return f"not a {kind}"
    return None


def validate_csv(text: str, schema: dict[str, Any], *, delimiter: str = ",") -> list[str]:
    """Errors as "row N, field F: reason" (row 1 is the header); empty when valid."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, [])
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    errors = []
    if header != names:
        errors.append(f"row 1: header {header} differs from the schema's fields {names}")
        return errors
    seen: dict[str, set[str]] = {f["name"]: set() for f in fields}
    patterns = {
        f["name"]: re.compile(f["constraints"]["pattern"])
        for f in fields
        if f.get("constraints", {}).get("pattern")
    }
    for number, cells in enumerate(reader, start=2):
        if len(cells) != len(names):
            errors.append(f"row {number}: {len(cells)} cells, expected {len(names)}")
            continue
        for f, value in zip(fields, cells, strict=True):
            name, constraints = f["name"], f.get("constraints", {})
            where = f"row {number}, field {name}"
            if value == "":
                if constraints.get("required"):
                    errors.append(f"{where}: required")
                continue
            problem = _type_error(f.get("type", "string"), value)
            if problem:
                errors.append(f"{where}: {problem} ({value!r})")
            # Frictionless patterns match the whole value.
            if name in patterns and not patterns[name].fullmatch(value):
                errors.append(f"{where}: does not match {patterns[name].pattern!r}")
            if "enum" in constraints and value not in constraints["enum"]:
                errors.append(f"{where}: {value!r} not in {constraints['enum']}")
            if "maxLength" in constraints and len(value) > constraints["maxLength"]:
                errors.append(f"{where}: longer than {constraints['maxLength']}")
            if "minLength" in constraints and len(value) < constraints["minLength"]:
                errors.append(f"{where}: shorter than {constraints['minLength']}")
            if constraints.get("unique"):
                if value in seen[name]:
                    errors.append(f"{where}: {value!r} is not unique")
                seen[name].add(value)
    return errors
