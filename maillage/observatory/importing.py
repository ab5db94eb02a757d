"""Checking a file of responses against the grid, through a codebook. No database.

A codebook says which file column holds which question and, per question, which file value
means which answer code: ``{"columns": {"Q1 age": "P_AGE"}, "values": {"P_AGE": {"1":
"18_24"}}, "design_weight": "poids"}``. Without one, columns are named by question codes and
hold answer codes.

Problems are reported per row (row number in the file, column, value, reason):
- errors (the row cannot be used): a value that is not an answer of the question, a missing
  commune, age band, sex or education (needed to weight), a design weight that is not a
  positive number;
- warnings (the row is kept): a missing answer to another question (stored as no answer).
Columns the grid does not ask for are never stored (names, contacts…) and reported once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from maillage.core.uploads import ERROR, WARNING, RowReport, Table
from maillage.observatory.grid import Grid

REQUIRED_PROFILES = ("commune", "age_band", "sex", "education")


@dataclass(frozen=True)
class Codebook:
    columns: dict[str, str] = field(default_factory=dict)  # file column -> question code
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # question -> file -> code
    design_weight: str = ""

    @classmethod
    def from_json(cls, data: Mapping) -> Codebook:
        if not isinstance(data, Mapping):
            raise ValueError(_("A codebook is a JSON object."))
        columns = data.get("columns", {})
        values = data.get("values", {})
        if not isinstance(columns, Mapping) or not isinstance(values, Mapping):
            raise ValueError(_("“columns” and “values” must be JSON objects."))
        return cls(
            columns={str(k): str(v) for k, v in columns.items()},
            values={str(q): {str(k): str(v) for k, v in m.items()} for q, m in values.items()},
            design_weight=str(data.get("design_weight", "")),
        )


def problem_as_dict(report: RowReport) -> dict:
    """A row report as an import report stores it (`ImportReport.problems`)."""
    return {
        "row": report.row,
        "column": report.column,
        "value": report.value,
        "reason": report.message,
        "severity": report.severity,
    }


@dataclass(frozen=True)
class CheckedRow:
    row: int
    commune: str
    design_weight: float | None
    answers: dict[str, str]


@dataclass(frozen=True)
class CheckResult:
    valid: list[CheckedRow]
    problems: list[RowReport]
    rows_read: int

    @property
    def errors(self) -> list[RowReport]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def rows_rejected(self) -> int:
        return len({p.row for p in self.errors if p.row > 1})


def check_responses(
    table: Table, *, grid: Grid, commune_codes: set[str], codebook: Codebook | None
) -> CheckResult:
    """Map and validate every row; return the usable rows and every problem found."""
    codebook = codebook or Codebook()
    question_of = {c: codebook.columns.get(c, c) for c in table.columns}
    known = {q.code: q for q in grid.questions}
    weight_column = codebook.design_weight or (
        "design_weight" if "design_weight" in table.columns else ""
    )
    problems: list[RowReport] = []
    column_of: dict[str, str] = {}
    for column, question in question_of.items():
        if question in known:
            column_of[question] = column
        elif column != weight_column and column:
            problems.append(
                RowReport(
                    row=1,
                    column=column,
                    value="",
                    message=_("Column not in the grid: ignored, not stored."),
                    severity=WARNING,
                )
            )
    missing_columns = [q for q in known if q not in column_of]
    for code in missing_columns:
        question = known[code]
        required = question.profile in REQUIRED_PROFILES
        problems.append(
            RowReport(
                row=1,
                column=code,
                value="",
                message=_("No column for the question %(code)s.") % {"code": code},
                severity=ERROR if required else WARNING,
            )
        )
    if any(p.severity == ERROR for p in problems):
        return CheckResult(valid=[], problems=problems, rows_read=len(table.rows))
    valid: list[CheckedRow] = []
    for number, values in table.rows:
        row_errors = False
        answers: dict[str, str] = {}
        for code, column in column_of.items():
            question = known[code]
            raw = values.get(column, "")
            value = codebook.values.get(code, {}).get(raw, raw)
            allowed = commune_codes if question.options_from == "areas" else set(question.codes)
            if value == "":
                required = question.profile in REQUIRED_PROFILES
                reason = (
                    _("Missing answer: needed to weight the survey.")
                    if required
                    else _("Missing answer.")
                )
                problems.append(
                    RowReport(
                        row=number,
                        column=column,
                        value=raw,
                        message=reason,
                        severity=ERROR if required else WARNING,
                    )
                )
                row_errors |= required
                continue
            if value not in allowed:
                shown = ", ".join(sorted(allowed)[:12])
                problems.append(
                    RowReport(
                        row=number,
                        column=column,
                        value=raw,
                        message=_("Not an answer code of %(code)s (expected one of: %(codes)s).")
                        % {"code": code, "codes": shown},
                    )
                )
                row_errors = True
                continue
            answers[code] = value
        weight = None
        if weight_column:
            raw = values.get(weight_column, "")
            try:
                weight = float(raw.replace(",", "."))
                if not weight > 0 or weight == float("inf"):
                    raise ValueError
            except ValueError:
                problems.append(
                    RowReport(
                        row=number,
                        column=weight_column,
                        value=raw,
                        message=_("A design weight is a positive number."),
                    )
                )
                row_errors = True
        if not row_errors:
            commune = answers[grid.profile_question("commune").code]
            valid.append(CheckedRow(number, commune, weight, answers))
    return CheckResult(valid=valid, problems=problems, rows_read=len(table.rows))
