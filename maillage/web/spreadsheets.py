"""CSV cells that a spreadsheet would run as a formula are neutralised (OWASP "CSV injection").

One function for every CSV the project writes (open data, observatory estimates and reports,
roadmap and diagnostic exports).
"""

from __future__ import annotations

import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?[\d .]+$")


def neutralise(value: str) -> str:
    """Prefix a cell with an apostrophe when a spreadsheet would evaluate it (=, +, -, @, tab,
    carriage return). Signed plain numbers (a +33 phone number, -1.5) are left as they are: a
    spreadsheet reads them as numbers, never as formulas."""
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value
