"""Duplicate detection: unit behaviour, and precision/recall on real labelled pairs."""

import csv
import json
from pathlib import Path

import pytest

from maillage.interop.deduplication import PlaceRow, find_candidates, precision_recall

HINAURA = Path(__file__).parent / "data" / "hinaura"


def _row(id, name, lat=45.0, lon=5.0, **kw):
    return PlaceRow(id=id, name=name, latitude=lat, longitude=lon, **kw)


def test_similar_names_close_together_are_candidates():
    rows = [
        _row(1, "France Services Pays d'Huriel"),
        _row(2, "Espace France Services Pays d'Huriel", lat=45.0003),  # ~33 m
        _row(3, "Médiathèque", lat=45.0004),
    ]
    pairs = {(c.a, c.b) for c in find_candidates(rows)}
    assert pairs == {(1, 2)}


def test_same_name_far_apart_is_not_a_candidate_without_the_same_address():
    rows = [
        _row(1, "Club informatique", phone="+33 4 00 00 00 01", email="c@x.fr", address="1 place"),
        _row(
            2,
            "Club informatique",
            lat=45.02,
            phone="04 00 00 00 01",
            email="c@x.fr",
            address="2 rue",
        ),
    ]
    assert find_candidates(rows) == []


def test_same_address_and_name_is_a_candidate_even_if_badly_geocoded():
    rows = [
        _row(1, "Mairie de Beaumont", address="1 Parc de la Mairie", postal_code="74160"),
        _row(
            2, "Mairie de Beaumont", lat=45.02, address="1 parc de la mairie", postal_code="74160"
        ),
    ]
    (candidate,) = find_candidates(rows)
    assert "address" in candidate.reasons and candidate.distance_m > 2000


def test_shared_identifiers_close_together():
    rows = [
        _row(1, "EPN des quartiers Sud-Est", phone="0477464941", email="epn@x.fr"),
        _row(2, "Espace Alfred Sisley", lat=45.0001, phone="+33477464941", email="EPN@x.fr"),
    ]
    (candidate,) = find_candidates(rows)
    assert candidate.reasons == ("email", "phone", "close")


def _labelled():
    places = {p["id"]: p for p in json.loads((HINAURA / "source.json").read_text("utf-8"))}
    with (HINAURA / "duplicates-labelled.csv").open(encoding="utf-8") as file:
        labels = list(csv.DictReader(file))
    return places, labels


def test_labelled_set_is_what_its_readme_says():
    places, labels = _labelled()
    assert len(places) == 687
    counts = {
        k: sum(1 for r in labels if r["label"] == k) for k in ("same", "different", "ambiguous")
    }
    assert counts == {"same": 15, "different": 1074, "ambiguous": 4}


def test_precision_and_recall_on_real_labelled_pairs():
    """Real places of the Hinaura network (cartographie-nationale 5.22.0); pairs labelled as
    described in tests/interop/data/hinaura/label_duplicates.py. Ambiguous pairs excluded."""
    places, labels = _labelled()
    rows = [
        PlaceRow(
            id=int(p["id"]),
            name=p["nom"],
            latitude=p["latitude"],
            longitude=p["longitude"],
            phone=p.get("telephone", ""),
            email=p.get("courriel", ""),
            website=p.get("site_web", ""),
            address=p["adresse"],
            postal_code=p["code_postal"],
        )
        for p in places.values()
    ]
    predicted = {(c.a, c.b) for c in find_candidates(rows)}
    labelled = {
        tuple(sorted((int(r["id_a"]), int(r["id_b"])))): r["label"] == "same"
        for r in labels
        if r["label"] != "ambiguous"
    }
    ambiguous = {
        tuple(sorted((int(r["id_a"]), int(r["id_b"])))) for r in labels if r["label"] == "ambiguous"
    }
    # every proposed pair was labelled: precision is exact, not estimated on a sample
    assert predicted <= set(labelled) | ambiguous
    precision, recall = precision_recall(predicted, labelled)
    assert precision >= 0.95
    assert recall >= 0.90
    assert (round(precision, 3), round(recall, 3)) == (1.0, 0.933)


@pytest.mark.parametrize(
    ("predicted", "expected"), [(set(), (1.0, 0.0)), ({(1, 2), (3, 4)}, (0.5, 1.0))]
)
def test_precision_recall(predicted, expected):
    assert precision_recall(predicted, {(1, 2): True, (3, 4): False}) == expected


def test_approximate_positions_are_not_evidence_of_one_location():
    """Two demo places at their commune's centre are 0 m apart: that proves nothing."""
    rows = [
        _row(1, "France Services Talence", approximate=True),
        _row(2, "Bus France Services de Talence", approximate=True),
        _row(3, "France Services Talence", approximate=True, phone="0556000000"),
        _row(4, "France Services - Talence", approximate=True, phone="05 56 00 00 00"),
    ]
    assert {(c.a, c.b) for c in find_candidates(rows)} == {(3, 4)}
