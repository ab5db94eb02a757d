"""The common survey grid: questions, answer options and indicator definitions, as data.

Each version of the grid is a JSON file in `maillage/observatory/grids/` (``v1.json``…). Its
wording is in French and English inside the file (it is content, not interface text, so it is
not in the gettext catalogs). A territory adopts a version (`GridAdoption`) and may add its own
questions; indicators defined on the common questions stay comparable between territories.

An indicator is a condition on answers: ``{"question": Q, "answers": [codes]}``, or
``{"all": [...]}`` / ``{"any": [...]}`` of conditions. A respondent counts as 1 when the
condition holds, 0 when it does not, and is left out (missing) when a question it reads has
no answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from django.utils.translation import get_language

GRIDS_DIR = Path(__file__).resolve().parent / "grids"
PROFILE_VARIABLES = ("commune", "age_band", "sex", "education", "employment", "household")


def localised(text: Mapping[str, str] | None) -> str:
    """The wording in the active language (French or English), falling back to the other."""
    if not text:
        return ""
    language = (get_language() or "fr")[:2]
    return text.get(language) or text.get("fr") or text.get("en") or ""


@dataclass(frozen=True)
class Option:
    code: str
    label: dict[str, str]

    @property
    def text(self) -> str:
        return localised(self.label)


@dataclass(frozen=True)
class Question:
    code: str
    axis: str
    wording: dict[str, str]
    options: tuple[Option, ...]
    profile: str = ""  # one of PROFILE_VARIABLES for a profile question
    options_from: str = ""  # "areas": the options are the territory's communes
    common: bool = True  # False for a question a territory added

    @property
    def text(self) -> str:
        return localised(self.wording)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(o.code for o in self.options)

    def label_of(self, code: str) -> str:
        for option in self.options:
            if option.code == code:
                return option.text
        return code


@dataclass(frozen=True)
class Indicator:
    code: str
    axis: str
    label: dict[str, str]
    when: dict
    headline: float | None = None  # published figure (percent) the demo reproduces, if any

    @property
    def text(self) -> str:
        return localised(self.label)

    @property
    def questions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(_questions_of(self.when)))


@dataclass(frozen=True)
class SubgroupLevel:
    code: str
    label: dict[str, str]
    when: dict

    @property
    def text(self) -> str:
        return localised(self.label)


@dataclass(frozen=True)
class Subgroup:
    code: str
    label: dict[str, str]
    levels: tuple[SubgroupLevel, ...]

    @property
    def text(self) -> str:
        return localised(self.label)


@dataclass(frozen=True)
class Grid:
    version: str
    title: dict[str, str]
    population: dict[str, str]
    axes: dict[str, dict[str, str]]
    questions: tuple[Question, ...]
    indicators: tuple[Indicator, ...]
    subgroups: tuple[Subgroup, ...]
    margins: tuple[dict, ...] = field(default=())

    @property
    def text(self) -> str:
        return localised(self.title)

    def question(self, code: str) -> Question:
        for q in self.questions:
            if q.code == code:
                return q
        raise KeyError(f"grid {self.version} has no question {code!r}")

    def indicator(self, code: str) -> Indicator:
        for i in self.indicators:
            if i.code == code:
                return i
        raise KeyError(f"grid {self.version} has no indicator {code!r}")

    def profile_question(self, variable: str) -> Question:
        for q in self.questions:
            if q.profile == variable:
                return q
        raise KeyError(f"grid {self.version} has no profile question for {variable!r}")

    def axis_label(self, axis: str) -> str:
        return localised(self.axes.get(axis))

    def with_extra_questions(self, extra: Sequence[Mapping]) -> Grid:
        """This grid plus a territory's own questions (marked `common=False`)."""
        added = tuple(_question(q, common=False) for q in extra)
        clash = {q.code for q in added} & {q.code for q in self.questions}
        if clash:
            raise ValueError(f"added questions reuse common codes: {sorted(clash)}")
        return Grid(
            version=self.version,
            title=self.title,
            population=self.population,
            axes=self.axes,
            questions=self.questions + added,
            indicators=self.indicators,
            subgroups=self.subgroups,
            margins=self.margins,
        )


def _questions_of(condition: Mapping) -> list[str]:
    if "question" in condition:
        return [condition["question"]]
    key = "all" if "all" in condition else "any"
    return [q for part in condition[key] for q in _questions_of(part)]


def _question(data: Mapping, *, common: bool = True) -> Question:
    return Question(
        code=data["code"],
        axis=data["axis"],
        wording=dict(data["wording"]),
        options=tuple(Option(o["code"], dict(o["label"])) for o in data.get("options", ())),
        profile=data.get("profile", ""),
        options_from=data.get("options_from", ""),
        common=common,
    )


def parse_grid(data: Mapping) -> Grid:
    """Build a :class:`Grid` from its JSON form, checking that indicators name real answers."""
    grid = Grid(
        version=str(data["version"]),
        title=dict(data["title"]),
        population=dict(data.get("population", {})),
        axes={a["code"]: dict(a["label"]) for a in data["axes"]},
        questions=tuple(_question(q) for q in data["questions"]),
        indicators=tuple(
            Indicator(
                code=i["code"],
                axis=i["axis"],
                label=dict(i["label"]),
                when=i["when"],
                headline=i.get("headline"),
            )
            for i in data["indicators"]
        ),
        subgroups=tuple(
            Subgroup(
                code=s["code"],
                label=dict(s["label"]),
                levels=tuple(
                    SubgroupLevel(lv["code"], dict(lv["label"]), lv["when"])
                    for lv in s.get("levels", ())
                ),
            )
            if "levels" in s
            else _subgroup_from_question(s, data)
            for s in data.get("subgroups", ())
        ),
        margins=tuple(data.get("weighting", {}).get("margins", ())),
    )
    known = {q.code: set(q.codes) for q in grid.questions}
    for indicator in grid.indicators:
        _check_condition(indicator.when, known, f"indicator {indicator.code}")
    return grid


def _subgroup_from_question(s: Mapping, data: Mapping) -> Subgroup:
    question = next(q for q in data["questions"] if q["code"] == s["question"])
    return Subgroup(
        code=s["code"],
        label=dict(s["label"]),
        levels=tuple(
            SubgroupLevel(
                o["code"], dict(o["label"]), {"question": s["question"], "answers": [o["code"]]}
            )
            for o in question["options"]
        ),
    )


def _check_condition(condition: Mapping, known: Mapping[str, set], where: str) -> None:
    if "question" in condition:
        codes = known.get(condition["question"])
        if codes is None:
            raise ValueError(f"{where}: unknown question {condition['question']!r}")
        unknown = set(condition["answers"]) - codes
        if unknown:
            raise ValueError(f"{where}: {condition['question']} has no answers {sorted(unknown)}")
        return
    for part in condition.get("all", condition.get("any", [])):
        _check_condition(part, known, where)


@cache
def grid_versions() -> tuple[str, ...]:
    """Versions shipped in `grids/`, oldest first."""
    return tuple(sorted(p.stem[1:] for p in GRIDS_DIR.glob("v*.json")))


@cache
def load_grid(version: str) -> Grid:
    """The common grid of that version (cached: the files never change at run time)."""
    path = GRIDS_DIR / f"v{version}.json"
    if not path.exists():
        raise KeyError(f"no grid version {version!r}; shipped: {grid_versions()}")
    with open(path, encoding="utf-8") as f:
        return parse_grid(json.load(f))


def evaluate(condition: Mapping, answers: Mapping[str, np.ndarray]) -> np.ndarray:
    """Evaluate a condition on answer arrays (one array of codes per question, "" = missing).

    Returns a float array: 1.0 where the condition holds, 0.0 where it does not, NaN where a
    question it reads is unanswered.
    """
    if "question" in condition:
        values = answers[condition["question"]]
        out = np.isin(values, list(condition["answers"])).astype(np.float64)
        out[values == ""] = np.nan
        return out
    parts = [evaluate(p, answers) for p in condition["all" if "all" in condition else "any"]]
    stacked = np.vstack(parts)
    missing = np.isnan(stacked).any(axis=0)
    filled = np.nan_to_num(stacked, nan=0.0)
    result = filled.min(axis=0) if "all" in condition else filled.max(axis=0)
    return np.where(missing, np.nan, result)
