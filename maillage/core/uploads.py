"""Reading an uploaded file into rows: the one reader of every import (places, survey
responses, margins, codebooks, diagnostic indicators, sites, matrices and population squares).

- size: the bytes are read up to the limit, never further (`read_upload`);
- encoding: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"), else
  Windows-1252 (Excel's "CSV" on Windows), else Latin-1: a text file is never refused nor
  mangled for its encoding;
- CSV: the separator (comma, semicolon or tab) is the one giving most columns in the header;
- XLSX: the first sheet, streamed in read-only mode;
- limits on rows and on the characters of one value are checked while reading, so a file of
  millions of rows stops at the limit (`settings.UPLOAD_LIMITS`, documented in
  docs/operations.md);
- JSON: nesting deeper than `MAX_JSON_DEPTH` is refused before parsing.

Everything that goes wrong is a `RowReport` (row in the file, column, message, value) carried
by `UnreadableFile`. No database: tested on bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import gettext as _

SEPARATORS = ",;\t"
ERROR = "error"  # the row (or the file) is refused
WARNING = "warning"  # the row is kept; something in it was left out or changed
MAX_JSON_DEPTH = 64
_XLSX_MAGIC = b"PK\x03\x04"
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>]")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+:[A-Z]+(\d+)"')


@dataclass(frozen=True)
class UploadLimits:
    """What one uploaded file may hold (from `settings.UPLOAD_LIMITS`)."""

    bytes: int
    rows: int  # data rows, the header excluded (or items of a JSON array)
    field_characters: int  # characters of one value


def limits() -> UploadLimits:
    return UploadLimits(**settings.UPLOAD_LIMITS)


def _limits_help() -> str:
    return _(
        "At most %(megabytes)s MB and %(rows)s rows. Any encoding a spreadsheet saves in "
        "(UTF-8, Windows-1252, Latin-1); separator comma, semicolon or tab."
    ) % {
        "megabytes": limits().bytes // (1024 * 1024),
        "rows": formats.number_format(limits().rows, force_grouping=True),
    }


#: The help of every upload field: what a file may hold (lazy: the language and the settings
#: of the request).
limits_help = lazy(_limits_help, str)


@dataclass(frozen=True)
class RowReport:
    """A problem in an imported file, for the person who sent it.

    `row` is the row in the file (the header is row 1; in a JSON array, the first item is
    row 1; 0 means the file as a whole), `column` the column's name ("" when none),
    `message` a plain-language sentence saying what to do, `value` the offending value,
    `severity` ERROR or WARNING. Every import reports with it (reading, checking rows)."""

    row: int
    column: str
    message: str
    value: str = ""
    severity: str = ERROR

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Row %(row)s, column “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return self.message


class UnreadableFile(ValueError):
    """The file cannot be read at all; `report` says where and why (nothing was written)."""

    def __init__(self, report: RowReport):
        super().__init__(str(report))
        self.report = report


def _refuse(message: str, *, row: int = 0, column: str = "", value: str = "") -> UnreadableFile:
    return UnreadableFile(RowReport(row, column, message, value))


@dataclass(frozen=True)
class Table:
    """The rows of a CSV or XLSX file. Values are text, stripped; blank rows are left out."""

    columns: list[str]  # names of the first row, stripped
    rows: list[tuple[int, dict[str, str]]]  # (row in the file, header = 1; values by column)
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1" or "xlsx"
    delimiter: str  # "" for XLSX


def _too_big(limit: int) -> UnreadableFile:
    return _refuse(
        _("The file is larger than %(limit)s MB. Split it (by département, for example).")
        % {"limit": limit // (1024 * 1024)}
    )


def read_upload(upload: IO[bytes]) -> bytes:
    """The bytes of an uploaded file, read up to the size limit and no further."""
    limit = limits().bytes
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _too_big(limit)
    return data


def decode(data: bytes) -> tuple[str, str]:
    """Text of `data` and the encoding used: UTF-8 with or without BOM, UTF-16 with BOM,
    else Windows-1252, else Latin-1 (every byte is valid Latin-1). Raises UnreadableFile for
    binary content."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass  # a BOM and then something else: try the single-byte encodings
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise _refuse(_("This is not a text file: save it as CSV (or XLSX) and send it again."))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def detect_delimiter(header_line: str) -> str:
    """The separator giving the most columns in the header (ties: comma, then semicolon)."""
    return max(
        SEPARATORS,
        key=lambda s: (len(next(csv.reader([header_line], delimiter=s))), -SEPARATORS.index(s)),
    )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _no_header() -> UnreadableFile:
    return _refuse(_("The first row must name the columns."), row=1)


def _too_many_rows(limit: int) -> UnreadableFile:
    return _refuse(
        _("The file has more than %(limit)s rows. Split it and send the parts one by one.")
        % {"limit": formats.number_format(limit, force_grouping=True)}
    )


def _too_long(row: int, column: str, limit: int) -> UnreadableFile:
    return _refuse(
        _(
            "A value is longer than %(limit)s characters, the most a cell may hold. Check "
            "the quotes in this row: an unclosed quote runs on to the end of the file."
        )
        % {"limit": formats.number_format(limit, force_grouping=True)},
        row=row,
        column=column,
    )


def _table(
    columns: list[str],
    lines: Iterable[tuple[int, list[Any]]],
    *,
    encoding: str,
    delimiter: str,
    pad: bool,
    check_columns: Callable[[list[str]], object] | None = None,
) -> Table:
    """Rows of `lines` ((row number, values) after the header), limits checked while
    iterating."""
    limit = limits()
    if not any(columns):
        raise _no_header()
    if check_columns is not None:
        check_columns(columns)
    rows: list[tuple[int, dict[str, str]]] = []
    read = 0
    for number, cells in lines:
        texts = [_cell_text(c) for c in cells]
        if not any(texts):
            continue
        read += 1
        if read > limit.rows:
            raise _too_many_rows(limit.rows)
        for index, text in enumerate(texts):
            if len(text) > limit.field_characters:
                column = columns[index] if index < len(columns) else ""
                raise _too_long(number, column, limit.field_characters)
        if len(texts) < len(columns):
            if not pad:
                raise _refuse(
                    _(
                        "This row has %(found)s values but the first row names %(expected)s "
                        "columns. Check the separators and quotes in this row."
                    )
                    % {"found": len(texts), "expected": len(columns)},
                    row=number,
                    column=columns[len(texts)],
                )
            texts += [""] * (len(columns) - len(texts))
        rows.append((number, {c: t for c, t in zip(columns, texts, strict=False) if c}))
    return Table(columns=columns, rows=rows, encoding=encoding, delimiter=delimiter)


def read_csv(data: bytes, *, check_columns: Callable[[list[str]], object] | None = None) -> Table:
    """Rows of a CSV file (any of the encodings and separators above)."""
    text, encoding = decode(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    header_line = text.split("\n", 1)[0].rstrip("\r")
    if not header_line.strip():
        raise _no_header()
    delimiter = detect_delimiter(header_line)
    field_limit = limits().field_characters
    # The csv module stops at its own field limit; set it one above ours so that a long value
    # is reported with its row and column rather than as csv.Error.
    csv.field_size_limit(field_limit + 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [c.strip() for c in next(reader)]

    def lines() -> Iterator[tuple[int, list[str]]]:
        number = 1
        while True:
            number += 1
            try:
                yield number, next(reader)
            except StopIteration:
                return
            except csv.Error:
                raise _too_long(number, "", field_limit) from None

    return _table(
        columns,
        lines(),
        encoding=encoding,
        delimiter=delimiter,
        pad=False,
        check_columns=check_columns,
    )


def _xlsx_first_sheet(data: bytes) -> Iterator[tuple[int, dict[int, Any]]]:
    """(row number, {column number: value}) of the first sheet, streamed.

    `openpyxl.load_workbook(read_only=True)` scans a whole sheet that does not state its
    size (write-only tools omit it) before giving the first row: 3 million rows take half a
    minute. Its reader's steps are run here without that scan, and the sheet's XML is parsed
    as it is read, so the row limit stops it early."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser

    try:
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [rel for _sheet, rel in reader.parser.find_sheets() if "worksheet" in rel.Type]
        with reader.archive.open(sheets[0].target) as start:
            stated = _DIMENSION.search(start.read(4096))
        source = reader.archive.open(sheets[0].target)
    except Exception as error:  # openpyxl and zipfile raise many kinds for a damaged file
        raise _refuse(
            _("This file cannot be opened as an Excel workbook (.xlsx): save it again as XLSX.")
        ) from error
    # A sheet that states its size (Excel, LibreOffice do) and is too long is refused at once;
    # otherwise its rows are counted in the raw XML (fast: no cell is parsed) up to the limit.
    # The count while parsing stays, as a statement may be false.
    if (stated and int(stated.group(1)) - 1 > limits().rows) or _more_rows_than(
        reader.archive, sheets[0].target, limits().rows + 1
    ):
        source.close()
        raise _too_many_rows(limits().rows)
    with source:
        parser = WorkSheetParser(
            source,
            reader.shared_strings,
            data_only=True,
            epoch=reader.wb.epoch,
            date_formats=reader.wb._date_formats,
            timedelta_formats=reader.wb._timedelta_formats,
        )
        for number, cells in parser.parse():
            yield number, {cell["column"]: cell["value"] for cell in cells}


def _more_rows_than(archive: zipfile.ZipFile, member: str, limit: int) -> bool:
    """Whether the sheet's XML has more than `limit` rows, read in chunks up to that point."""
    count, tail = 0, b""
    with archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            block = tail + chunk
            keep = len(block) - 16  # a tag cut at the chunk's end is counted with the next
            count += sum(1 for m in _ROW_TAG.finditer(block) if m.start() < keep)
            if count > limit:
                return True
            tail = block[keep:]
    count += len(_ROW_TAG.findall(tail))
    return count > limit


def read_xlsx(data: bytes, *, check_columns: Callable[[list[str]], object] | None = None) -> Table:
    """Rows of the first sheet of an XLSX workbook, streamed."""
    rows = _xlsx_first_sheet(data)
    number, header = next(rows, (1, {}))
    width = max((c for c, v in header.items() if _cell_text(v)), default=0)
    columns = [_cell_text(header.get(c)) for c in range(1, width + 1)]
    if number != 1:
        columns = []  # the first row is empty: no header

    def lines() -> Iterator[tuple[int, list[Any]]]:
        for number, cells in rows:
            yield number, [cells.get(c) for c in range(1, width + 1)]
            # Values beyond the header's columns are ignored, as in a CSV.

    return _table(
        columns, lines(), encoding="xlsx", delimiter="", pad=True, check_columns=check_columns
    )


def is_xlsx(data: bytes, filename: str = "") -> bool:
    return filename.lower().endswith(".xlsx") or data.startswith(_XLSX_MAGIC)


def read_table(
    data: bytes,
    filename: str = "",
    *,
    check_columns: Callable[[list[str]], object] | None = None,
) -> Table:
    """Rows of a CSV or XLSX file (XLSX by its name or its content).

    `check_columns(columns)`, when given, is called once the header is read and before any
    row: an import that needs some columns says so first (its exception propagates)."""
    if len(data) > limits().bytes:
        raise _too_big(limits().bytes)
    read = read_xlsx if is_xlsx(data, filename) else read_csv
    return read(data, check_columns=check_columns)


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def read_json(data: bytes) -> tuple[Any, str]:
    """The document of a JSON file and its encoding. Nesting deeper than `MAX_JSON_DEPTH`,
    strings longer than the field limit and arrays of more items than the row limit are
    refused (before parsing for the first two)."""
    limit = limits()
    if len(data) > limit.bytes:
        raise _too_big(limit.bytes)
    text, encoding = decode(data)
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise _refuse(
                    _(
                        "This JSON nests more than %(depth)s levels deep (line %(line)s): no "
                        "import needs that many. Check how the file was made."
                    )
                    % {"depth": MAX_JSON_DEPTH, "line": text.count("\n", 0, match.start()) + 1}
                )
        elif token in "]}":
            depth -= 1
        elif len(token) - 2 > limit.field_characters:
            raise _too_long(0, "", limit.field_characters)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise _refuse(
            _("This JSON cannot be read (line %(line)s, column %(column)s: %(error)s).")
            % {"line": error.lineno, "column": error.colno, "error": error.msg}
        ) from error
    if isinstance(document, list) and len(document) > limit.rows:
        raise _too_many_rows(limit.rows)
    return document, encoding
