"""Reading uploaded files: size limits, encoding and separator detection, CSV and JSON rows.

No database: tested on bytes.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

MAX_BYTES = 30 * 1024 * 1024  # a national extract of 25,000 places is about 20 MB
MAX_ROWS = 60_000
SEPARATORS = ",;\t"


class UnreadableFile(ValueError):
    """The file cannot be read at all (too big, not text, no header). Carries a user message."""


@dataclass(frozen=True)
class Table:
    rows: list[dict[str, Any]]  # row number in the file (header = 1) is index + 2 for CSV
    encoding: str = ""
    delimiter: str = ""
    first_row_number: int = 2


def decode(data: bytes) -> tuple[str, str]:
    """Text of `data` and the encoding used: UTF-8 with or without BOM, else Windows-1252 /
    Latin-1 (every byte is valid Latin-1, so this never fails on a text file)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def detect_delimiter(header_line: str) -> str:
    """The separator giving the most columns in the header (`|` separates values in a cell)."""
    counts = {}
    for sep in SEPARATORS:
        counts[sep] = len(next(csv.reader([header_line], delimiter=sep)))
    return max(SEPARATORS, key=lambda s: (counts[s], -SEPARATORS.index(s)))


def check_size(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        raise UnreadableFile(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB. Split it by département.")
            % {"size": len(data) / 1e6, "limit": MAX_BYTES / 1e6}
        )
    if b"\x00" in data[:4096]:
        raise UnreadableFile(_("This is not a text file (CSV or JSON)."))


def read_csv(data: bytes) -> Table:
    check_size(data)
    text, encoding = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    header_line = text.split("\n", 1)[0]
    if not header_line.strip():
        raise UnreadableFile(_("The first line must name the columns."))
    delimiter = detect_delimiter(header_line)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise UnreadableFile(
                _("The file has more than %(max)s rows. Split it.") % {"max": MAX_ROWS}
            )
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            rows.append({})  # keeps row numbers right; reported as an empty row
            continue
        rows.append({(k or "").strip(): (v or "").strip() for k, v in row.items() if k})
    return Table(rows=rows, encoding=encoding, delimiter=delimiter)


def read_json(data: bytes) -> tuple[Any, str]:
    check_size(data)
    text, encoding = decode(data)
    try:
        return json.loads(text), encoding
    except json.JSONDecodeError as error:
        raise UnreadableFile(
            _("This JSON cannot be read (line %(line)s, column %(column)s: %(error)s).")
            % {"line": error.lineno, "column": error.colno, "error": error.msg}
        ) from error
