import pytest

from maillage.directory.text import fold, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mérignac – Capeyron", "merignac capeyron"),
        ("ŒUVRE d'Église", "oeuvre d eglise"),
        ("Straße", "strasse"),
        ("Lormont/Génicart (33310)", "lormont genicart 33310"),
        ("  ", ""),
    ],
)
def test_fold(text, expected):
    assert fold(text) == expected


def test_words():
    assert words("Médiathèque  de Bègles!") == ["mediatheque", "de", "begles"]
