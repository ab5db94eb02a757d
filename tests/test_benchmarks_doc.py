"""docs/benchmarks.md's tables are built from bench/results/ by bench/report.py (pure tests)."""

from __future__ import annotations

import re

from bench import report

RESULTS = report.load_results()
DOC = report.DOC.read_text(encoding="utf-8")


def test_the_tables_are_what_the_results_files_give():
    assert report.render(DOC, RESULTS) == DOC, (
        "docs/benchmarks.md differs from bench/results/: run `python bench/report.py`"
    )


def test_a_table_edited_by_hand_is_rebuilt():
    block = next(report.BLOCK.finditer(DOC))
    edited = DOC.replace(block.group(0), block.group(1) + "| typed | in |\n" + block.group(4))
    assert edited != DOC
    assert report.render(edited, RESULTS) == DOC


def test_every_benchmark_script_has_a_results_file():
    scripts = {path.name for path in (report.ROOT / "bench").glob("bench_*.py")}
    recorded = {result["benchmark"] for result in RESULTS.values()}
    assert scripts - recorded == set(), "run these benchmarks (make bench) and commit their results"


def test_every_results_file_records_when_where_and_with_what():
    for name, result in RESULTS.items():
        assert result["name"] == name
        assert result["git"]["commit"], name
        assert {"cpu", "cores", "memory_gb"} <= result["machine"].keys(), name
        assert len(result["load_average"]["start"]) == 3, name
        assert len(result["load_average"]["end"]) == 3, name
        assert result["versions"]["python"] and result["versions"]["numpy"], name
        assert result["parameters"] and result["figures"], name


def test_every_block_of_the_page_has_a_builder_and_every_builder_a_block():
    names = [match.group(2) for match in report.BLOCK.finditer(DOC)]
    assert sorted(names) == sorted(report.BLOCKS)


def test_the_prose_around_the_tables_holds_no_measured_figure():
    prose = report.BLOCK.sub("", DOC)
    figures = re.findall(r"\d[\d.,]*\s?(?:ms|s|GB|MB|×)(?!\w)", prose)
    assert figures == [], "move these figures into a results file and its table"
