"""The grid file: complete in French and English, indicators that name real answers."""

import numpy as np
import pytest

from maillage.observatory.grid import evaluate, grid_versions, load_grid, parse_grid

GRID = load_grid("1")


def test_version_1_is_shipped():
    assert "1" in grid_versions()
    assert GRID.version == "1"


def test_every_wording_is_in_french_and_english():
    texts = [GRID.title, GRID.population, *GRID.axes.values()]
    for q in GRID.questions:
        texts.append(q.wording)
        texts.extend(o.label for o in q.options)
    for i in GRID.indicators:
        texts.append(i.label)
    for s in GRID.subgroups:
        texts.append(s.label)
        texts.extend(level.label for level in s.levels)
    for text in texts:
        assert text.get("fr", "").strip() and text.get("en", "").strip(), text


def test_the_four_axes_and_profile_variables_are_covered():
    axes = {q.axis for q in GRID.questions}
    assert {"equipment", "connection", "usages", "feelings", "profile"} <= axes
    profiles = {q.profile for q in GRID.questions if q.profile}
    assert profiles == {"commune", "age_band", "sex", "education", "employment", "household"}


def test_headline_indicators_are_defined():
    codes = {i.code for i in GRID.indicators}
    assert {
        "no_device",
        "owns_computer",
        "owns_smartphone",
        "daily_life_harder",
        "admin_difficulty",
        "unable_bank",
        "unable_medical",
        "fears_theft",
        "fears_false_info",
        "knows_place",
        "been_to_place",
        "helps_relatives",
        "asks_relative_first",
    } <= codes


def test_an_indicator_naming_an_unknown_answer_is_refused():
    data = {
        "version": "x",
        "title": {"fr": "x", "en": "x"},
        "axes": [{"code": "equipment", "label": {"fr": "É", "en": "E"}}],
        "questions": [
            {
                "code": "Q",
                "axis": "equipment",
                "wording": {"fr": "q", "en": "q"},
                "options": [{"code": "yes", "label": {"fr": "oui", "en": "yes"}}],
            }
        ],
        "indicators": [
            {
                "code": "i",
                "axis": "equipment",
                "label": {},
                "when": {"question": "Q", "answers": ["oui"]},
            }
        ],
    }
    with pytest.raises(ValueError, match="no answers"):
        parse_grid(data)


def test_evaluate_all_any_and_missing():
    answers = {
        "EQ_COMPUTER": np.array(["no", "yes", "no", ""]),
        "EQ_SMARTPHONE": np.array(["no", "no", "yes", "no"]),
        "EQ_TABLET": np.array(["no", "no", "no", "no"]),
    }
    y = evaluate(GRID.indicator("no_device").when, answers)
    assert y[:3].tolist() == [1.0, 0.0, 0.0]
    assert np.isnan(y[3])


def test_a_territory_adds_questions_but_not_over_common_codes():
    extra = {
        "code": "X_LIBRARY",
        "axis": "usages",
        "wording": {"fr": "Bibliothèque ?", "en": "Library?"},
        "options": [{"code": "yes", "label": {"fr": "Oui", "en": "Yes"}}],
    }
    grid = GRID.with_extra_questions([extra])
    assert not grid.question("X_LIBRARY").common
    assert grid.question("EQ_COMPUTER").common
    with pytest.raises(ValueError, match="reuse common codes"):
        GRID.with_extra_questions([{**extra, "code": "EQ_COMPUTER"}])
