"""The one reader of uploaded files, on bytes (no database)."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from maillage.core import uploads
from maillage.core.uploads import RowReport, UnreadableFile


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


ROWS = "nom;commune\nMaison France services de Bègles;Bègles\nCafé numérique;Pessac\n"


def _xlsx(rows) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (ROWS.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + ROWS.encode("utf-8"), "utf-8-sig"),
        (ROWS.encode("cp1252"), "cp1252"),
        (ROWS.encode("utf-16"), "utf-16"),
    ],
)
def test_every_encoding_gives_the_same_rows(data, encoding):
    table = uploads.read_table(data, "places.csv")
    assert table.encoding == encoding
    assert table.columns == ["nom", "commune"]
    assert table.rows == [
        (2, {"nom": "Maison France services de Bègles", "commune": "Bègles"}),
        (3, {"nom": "Café numérique", "commune": "Pessac"}),
    ]


def test_cp1252_punctuation_is_kept_and_bytes_cp1252_lacks_are_read_as_latin1():
    table = uploads.read_table("nom\nl’atelier – “numérique”\n".encode("cp1252"))
    assert table.rows == [(2, {"nom": "l’atelier – “numérique”"})]
    assert "\ufffd" not in table.rows[0][1]["nom"]
    # 0x81 has no character in Windows-1252: the text is Latin-1.
    table = uploads.read_table(b"nom\nab\x81c\xe9\n")
    assert table.encoding == "latin-1"
    assert table.rows == [(2, {"nom": "ab\x81cé"})]


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_the_separator_is_the_one_that_splits_the_header(separator):
    out = io.StringIO()
    csv.writer(out, delimiter=separator).writerows([["a", "b", "c"], ["1", "2,5", "x;y"]])
    table = uploads.read_table(out.getvalue().encode())
    assert table.delimiter == separator
    assert table.rows == [(2, {"a": "1", "b": "2,5", "c": "x;y"})]


def test_windows_line_ends_blank_rows_and_row_numbers():
    table = uploads.read_table(b"a,b\r\n1,2\r\n\r\n,\r\n3,4\r\n")
    assert table.rows == [(2, {"a": "1", "b": "2"}), (5, {"a": "3", "b": "4"})]


def test_a_short_row_is_named():
    with pytest.raises(UnreadableFile) as caught:
        uploads.read_table(b"a,b,c\n1,2,3\n4,5\n")
    assert caught.value.report.row == 3
    assert caught.value.report.column == "c"
    assert "2 values" in caught.value.report.message


def test_a_file_without_header_or_binary_is_refused():
    with pytest.raises(UnreadableFile):
        uploads.read_table(b"\n1,2\n")
    with pytest.raises(UnreadableFile) as caught:
        uploads.read_table(b"\x00\x01\x02" * 10)
    assert "not a text file" in str(caught.value)


def test_the_size_limit_stops_reading_an_upload(settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "bytes": 1000}
    upload = io.BytesIO(b"x" * 10_000_000)
    with pytest.raises(UnreadableFile):
        uploads.read_upload(upload)
    assert upload.tell() == 1001  # read one byte past the limit, not the whole file
    assert uploads.read_upload(io.BytesIO(b"a\n1\n")) == b"a\n1\n"


def test_a_long_field_names_its_row_and_the_limit_not_a_csv_error():
    data = b"a,b\n1,2\n3," + b"x" * 200_000 + b"\n5,6\n"
    with pytest.raises(UnreadableFile) as caught:
        uploads.read_table(data)
    report = caught.value.report
    assert report.row == 3
    assert "131,072" in report.message
    assert "field larger" not in str(caught.value)


def test_an_unclosed_quote_stops_at_the_field_limit_not_at_the_end(settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "field_characters": 1000}
    data = b'a,b\n1,"never closed\n' + b"2,3\n" * 2_000_000
    started = time.perf_counter()
    with pytest.raises(UnreadableFile) as caught:
        uploads.read_table(data)
    assert caught.value.report.row == 2
    assert time.perf_counter() - started < 5  # stops after 1,000 characters, not 8 MB


def test_the_row_limit_is_checked_while_reading_csv(settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "rows": 3}
    assert len(uploads.read_table(b"a\n1\n2\n3\n").rows) == 3
    with pytest.raises(UnreadableFile) as caught:
        uploads.read_table(b"a\n1\n2\n3\n4\n")
    assert "more than 3 rows" in str(caught.value)


def test_xlsx_is_read_and_its_row_limit_stops_the_stream(settings):
    table = uploads.read_table(_xlsx([["a", "b", None], [1.0, "x", None], [None, None], [2.5]]))
    assert table.encoding == "xlsx"
    assert table.columns == ["a", "b"]
    assert table.rows == [(2, {"a": "1", "b": "x"}), (4, {"a": "2.5", "b": ""})]

    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "rows": 1000}
    # Written in write-only mode, like many tools: the sheet does not state its size.
    big = _xlsx([["a"], *([i] for i in range(300_000))])
    started = time.perf_counter()
    with pytest.raises(UnreadableFile) as caught:
        uploads.read_table(big, "big.xlsx")
    elapsed = time.perf_counter() - started
    assert "more than 1,000 rows" in str(caught.value)
    # Reading the 300,000 rows takes seconds; stopping at 1,001 takes a fraction of one.
    assert elapsed < 2


def test_a_damaged_xlsx_is_refused_with_advice():
    with pytest.raises(UnreadableFile) as caught:
        uploads.read_table(b"PK\x03\x04 not a workbook", "file.xlsx")
    assert "XLSX" in str(caught.value)


def test_json_is_read_with_its_encoding():
    document, encoding = uploads.read_json(json.dumps([{"nom": "Bègles"}]).encode("cp1252"))
    assert document == [{"nom": "Bègles"}]
    assert encoding == "utf-8"  # json.dumps escapes non-ASCII: the bytes are ASCII
    document, encoding = uploads.read_json('[{"nom": "Bègles"}]'.encode("cp1252"))
    assert (document, encoding) == ([{"nom": "Bègles"}], "cp1252")


def test_deeply_nested_json_is_refused_before_parsing():
    data = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(UnreadableFile) as caught:
        uploads.read_json(data)
    assert "64 levels" in str(caught.value)
    # Brackets inside strings do not count.
    document, _ = uploads.read_json(json.dumps(["[" * 1000, {"a": "}}}"}]).encode())
    assert document[0] == "[" * 1000


def test_json_limits_and_syntax_errors(settings):
    with pytest.raises(UnreadableFile) as caught:
        uploads.read_json(json.dumps(["x" * 200_000]).encode())
    assert "131,072" in str(caught.value)
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "rows": 2}
    with pytest.raises(UnreadableFile):
        uploads.read_json(b"[1, 2, 3]")
    with pytest.raises(UnreadableFile) as caught:
        uploads.read_json(b'[{"a": 1,}]')
    assert "line 1" in str(caught.value)


def test_a_row_report_reads_as_a_sentence_in_both_languages():
    report = RowReport(3, "commune", "The value is empty.")
    with translation.override("en"):
        assert str(report) == "Row 3, column “commune”: The value is empty."
        assert str(RowReport(0, "", "Too big.")) == "Too big."
    with translation.override("fr"):
        assert str(RowReport(3, "", "x")) == "Ligne 3\u00a0: x"


def _stating(rows: int) -> bytes:
    """A workbook of three rows whose sheet states `rows` rows (as Excel writes the size)."""
    workbook = Workbook()
    for i in range(3):
        workbook.active.append([i])
    out = io.BytesIO()
    workbook.save(out)
    source, result = zipfile.ZipFile(out), io.BytesIO()
    with zipfile.ZipFile(result, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:A3" />' in content
                content = content.replace(b'ref="A1:A3"', f'ref="A1:A{rows}"'.encode())
            target.writestr(item, content)
    return result.getvalue()


def test_an_xlsx_that_states_too_many_rows_is_refused_before_reading(settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "rows": 1000}
    with pytest.raises(UnreadableFile) as caught:
        uploads.read_table(_stating(3_000_000))
    assert "more than 1,000 rows" in str(caught.value)
    # A statement within the limit is no reason to refuse; the rows are counted anyway.
    assert len(uploads.read_table(_stating(1001)).rows) == 2


def test_the_rows_of_an_xlsx_are_counted_exactly_at_the_limit(settings):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "rows": 1000}
    at_limit = _xlsx([["a"], *([f"v{i}"] for i in range(1000))])
    assert len(uploads.read_table(at_limit).rows) == 1000
    with pytest.raises(UnreadableFile):
        uploads.read_table(_xlsx([["a"], *([f"v{i}"] for i in range(1001))]))


def test_the_upload_limits_are_stated_once_and_the_proxy_limit_derives_from_them():
    """docs/operations.md states `UPLOAD_LIMITS`; every nginx `client_max_body_size` in the
    docs is the file limit plus 1 MB; no other page restates the limits."""
    import re
    from pathlib import Path

    from django.conf import settings as django_settings

    docs = Path(django_settings.BASE_DIR) / "docs"
    limits = django_settings.UPLOAD_LIMITS
    megabytes = limits["bytes"] // (1024 * 1024)
    operations = (docs / "operations.md").read_text(encoding="utf-8")
    stated = " ".join(operations.split())  # the paragraph wraps lines
    assert f"at most {megabytes} MB" in stated
    assert f"{limits['rows']:,} rows" in stated
    assert f"{limits['field_characters']:,} characters" in stated
    proxy = re.findall(r"client_max_body_size (\d+)m", operations)
    assert proxy and set(proxy) == {str(megabytes + 1)}
    assert f"**{megabytes + 1} MB**" in stated
    for page in docs.rglob("*.md"):
        if page.name in {"operations.md", "benchmarks.md"}:
            continue
        text = " ".join(page.read_text(encoding="utf-8").split())
        restated = [
            figure
            for figure in (f"{megabytes} MB", f"{limits['rows']:,} ", "client_max_body_size ")
            if figure in text
        ]
        assert restated == [], f"{page.name} restates the upload limits: link to operations.md"
