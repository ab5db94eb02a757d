import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from maillage.directory.forms import PlaceSearchForm
from maillage.directory.models import Place
from maillage.directory.selectors import SearchCriteria, place_search
from tests import factories

PARIS = ZoneInfo("Europe/Paris")
# Monday 23 November 2026, 10:30 in Bordeaux.
MONDAY_MORNING = dt.datetime(2026, 11, 23, 10, 30, tzinfo=PARIS)


@pytest.fixture
def places(territory, bordeaux, pessac):
    org = factories.organisation(territory, name="Centre social Bordeaux Nord")
    return {
        "bordeaux": factories.place(
            org,
            bordeaux,
            name="Médiathèque Mériadeck",
            opening_hours="Mo-Fr 09:00-12:00",
            publics=["Seniors"],
            languages=["fr", "es"],
            fees=["Gratuit"],
            step_free_access="yes",
            services_=(("AideAuxDemarchesAdministratives", 3),),
        ),
        "pessac": factories.place(
            org,
            pessac,
            name="Espace numérique de Pessac",
            opening_hours="Sa 10:00-12:00",
            fees=["Payant"],
            services_=(("LoisirsEtCreationsNumeriques", 2),),
        ),
        "draft": factories.place(org, bordeaux, name="Brouillon", status=Place.Status.DRAFT),
    }


def names(result):
    return [hit.place.name for hit in result.hits]


def test_words_are_case_and_accent_insensitive(territory, places):
    for query in ("MERIADECK", "mériadeck", "Meriadeck mediatheque"):
        result = place_search(territory=territory, criteria=SearchCriteria(q=query))
        assert names(result) == ["Médiathèque Mériadeck"], query


def test_service_labels_are_searchable_in_french_standard_wording(territory, places):
    result = place_search(territory=territory, criteria=SearchCriteria(q="démarches"))
    assert names(result) == ["Médiathèque Mériadeck"]


def test_drafts_are_never_public(territory, places):
    result = place_search(territory=territory, criteria=SearchCriteria())
    assert "Brouillon" not in names(result)
    assert result.total == 2


def test_nearest_first_from_a_point_with_distances(territory, places):
    # A point in Pessac: the Pessac place first, then Bordeaux. By the equirectangular
    # approximation: dlat 0.0463° = 5.148 km, dlon 0.0968° × cos 44.81° = 7.638 km → 9.211 km.
    result = place_search(
        territory=territory, criteria=SearchCriteria(latitude=44.7915, longitude=-0.6760)
    )
    assert names(result) == ["Espace numérique de Pessac", "Médiathèque Mériadeck"]
    assert result.hits[0].distance_km == pytest.approx(0.0, abs=1e-9)
    assert result.hits[1].distance_km == pytest.approx(9.211, abs=0.005)


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (
            SearchCriteria(services=("LoisirsEtCreationsNumeriques",)),
            ["Espace numérique de Pessac"],
        ),
        (SearchCriteria(category="procedures"), ["Médiathèque Mériadeck"]),
        (SearchCriteria(public="Seniors"), ["Médiathèque Mériadeck"]),
        (SearchCriteria(language="es"), ["Médiathèque Mériadeck"]),
        (SearchCriteria(step_free=True), ["Médiathèque Mériadeck"]),
        (SearchCriteria(free_of_charge=True), ["Médiathèque Mériadeck"]),
    ],
)
def test_filters(territory, places, criteria, expected):
    assert names(place_search(territory=territory, criteria=criteria)) == expected


def test_open_now_uses_the_territory_local_time(territory, places):
    result = place_search(
        territory=territory, criteria=SearchCriteria(open_now=True), now=MONDAY_MORNING
    )
    assert names(result) == ["Médiathèque Mériadeck"]
    saturday = dt.datetime(2026, 11, 28, 11, 0, tzinfo=PARIS)
    result = place_search(territory=territory, criteria=SearchCriteria(open_now=True), now=saturday)
    assert names(result) == ["Espace numérique de Pessac"]


def test_open_now_respects_public_holidays(territory, bordeaux):
    org = factories.organisation(territory)
    factories.place(
        org, bordeaux, name="Fermé les jours fériés", opening_hours="Mo-Fr 09:00-17:00; PH off"
    )
    christmas = dt.datetime(2026, 12, 25, 10, 0, tzinfo=PARIS)  # a Friday, public holiday
    result = place_search(
        territory=territory, criteria=SearchCriteria(open_now=True), now=christmas
    )
    assert names(result) == []


def test_pagination(territory, bordeaux):
    org = factories.organisation(territory)
    for n in range(25):
        factories.place(org, bordeaux, name=f"Lieu {n:02d}")
    first = place_search(territory=territory, criteria=SearchCriteria(), page=1, page_size=10)
    last = place_search(territory=territory, criteria=SearchCriteria(), page=3, page_size=10)
    assert (first.total, first.pages) == (25, 3)
    assert names(first)[0] == "Lieu 00"
    assert names(last) == [f"Lieu {n}" for n in range(20, 25)]


def test_where_accepts_commune_names_and_postal_codes(territory, places):
    for text in ("pessac", "33600", "Pessac"):
        form = PlaceSearchForm({"where": text}, territory=territory)
        assert form.is_valid(), form.errors
        assert form.criteria().area.name == "Pessac"


def test_unknown_commune_gets_a_clear_error(territory, places):
    form = PlaceSearchForm({"where": "Atlantis"}, territory=territory)
    assert not form.is_valid()
    assert "Atlantis" in form.errors["where"][0]
    form = PlaceSearchForm({"commune": "99999"}, territory=territory)
    assert not form.is_valid()
    assert "99999" in form.errors["commune"][0]
