"""Builders of test files in the national standard, from its real example row."""

from __future__ import annotations

import csv
import io

from tests.interop.conftest import EXAMPLE_CSV


def example_row() -> dict[str, str]:
    """The standard's own valid example (exemple-valide.csv, LaMednum/standard-mediation-num)."""
    return next(csv.DictReader(io.StringIO(EXAMPLE_CSV.read_text(encoding="utf-8"))))


def csv_bytes(
    rows: list[dict[str, str]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(example_row()), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def variant(**changes: str) -> dict[str, str]:
    row = example_row()
    row.update(changes)
    return row
