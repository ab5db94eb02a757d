"""The formula guard every CSV export writes through (`maillage.web.spreadsheets`)."""

import csv
import io

import pytest

from maillage.web import spreadsheets


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_writer_neutralises_every_text_cell_and_leaves_numbers(start):
    out = io.StringIO()
    writer = spreadsheets.writer(out)
    writer.writerow([f"{start}cmd|' /C calc'!A0", 3, -1.5, None, "Bordeaux", "-1.5", "+33 5 56"])
    writer.writerows([[f"{start}A1"]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == [
        f"'{start}cmd|' /C calc'!A0",
        "3",
        "-1.5",
        "",
        "Bordeaux",
        "-1.5",
        "+33 5 56",
    ]
    assert rows[1] == [f"'{start}A1"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_dict_writer_neutralises_every_text_cell(start):
    out = io.StringIO()
    writer = spreadsheets.DictWriter(out, fieldnames=["name", "count"])
    writer.writeheader()
    writer.writerow({"name": f"{start}SUM(A1:A9)", "count": 7})
    writer.writerows([{"name": f"{start}x", "count": -2}])
    assert list(csv.DictReader(io.StringIO(out.getvalue()))) == [
        {"name": f"'{start}SUM(A1:A9)", "count": "7"},
        {"name": f"'{start}x", "count": "-2"},
    ]


def test_neutralising_twice_changes_nothing():
    once = spreadsheets.neutralise("=1+1")
    assert spreadsheets.neutralise(once) == once == "'=1+1"
