"""CSV cells that a spreadsheet would run as a formula are neutralised (OWASP "CSV injection").

One guard for every CSV the project writes (open data, observatory estimates and reports,
roadmap and diagnostic exports): write through `writer` or `DictWriter` below, which neutralise
every text cell, rather than `csv.writer` (tests/test_consistency.py checks it).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?[\d .]+$")


def neutralise(value: str) -> str:
    """Prefix a cell with an apostrophe when a spreadsheet would evaluate it (=, +, -, @, tab,
    carriage return). Signed plain numbers (a +33 phone number, -1.5) are left as they are: a
    spreadsheet reads them as numbers, never as formulas. Neutralising twice changes nothing."""
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


class writer:
    """`csv.writer` whose every text cell is neutralised (numbers and None pass unchanged)."""

    def __init__(self, file: Any, **options: Any) -> None:
        self._writer = csv.writer(file, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class DictWriter(csv.DictWriter):  # type: ignore[type-arg]
    """`csv.DictWriter` whose every text cell is neutralised."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: _cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for rowdict in rowdicts:
            self.writerow(rowdict)
