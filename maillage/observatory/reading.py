"""Reading a file of survey responses (CSV or XLSX) into rows of text. No database."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
SEPARATORS = ",;\t"


class UnreadableFile(ValueError):
    """The file cannot be read at all. Carries a message for the person who sent it."""


@dataclass(frozen=True)
class ResponseTable:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number in the file, header = 1; values)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_csv(data: bytes) -> ResponseTable:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    header = text.split("\n", 1)[0]
    if not header.strip():
        raise UnreadableFile(_("The first line must name the columns."))
    delimiter = max(SEPARATORS, key=lambda s: len(next(csv.reader([header], delimiter=s))))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns = [c.strip() for c in next(reader)]
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((number, {c: _text(v) for c, v in zip(columns, values, strict=False)}))
    return ResponseTable(columns=columns, rows=rows)


def read_xlsx(data: bytes) -> ResponseTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile(
            _("This file cannot be opened as an Excel workbook (.xlsx): %(error)s")
            % {"error": error}
        ) from error
    try:
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None)
        if not header or not any(header):
            raise UnreadableFile(_("The first line must name the columns."))
        columns = [_text(c) for c in header]
        rows = []
        for number, values in enumerate(lines, start=2):
            if not any(_text(v) for v in values):
                continue
            rows.append((number, {c: _text(v) for c, v in zip(columns, values, strict=False)}))
    finally:
        workbook.close()
    return ResponseTable(columns=columns, rows=rows)


def read_responses(data: bytes, filename: str) -> ResponseTable:
    """Rows of a CSV (UTF-8 or Windows-1252, comma, semicolon or tab) or XLSX file."""
    if len(data) > MAX_BYTES:
        raise UnreadableFile(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": len(data) / 1e6, "limit": MAX_BYTES / 1e6}
        )
    if filename.lower().endswith(".xlsx") or data.startswith(b"PK\x03\x04"):
        table = read_xlsx(data)
    elif b"\x00" in data[:4096]:
        raise UnreadableFile(_("This is neither a CSV nor an XLSX file."))
    else:
        table = read_csv(data)
    if len(table.rows) > MAX_ROWS:
        raise UnreadableFile(
            _("The file has more than %(max)s rows. Split it.") % {"max": MAX_ROWS}
        )
    return table
