"""Builds duplicates-labelled.csv: the labelled pairs of real places used to measure the
deduplication (tests/interop/test_deduplication.py). Run: python label_duplicates.py

Data: source.json, 687 real digital-mediation places of the Hinaura network (Auvergne-Rhône-
Alpes), shipped by the npm package @gouvfr-anct/cartographie-nationale 5.22.0
(assets/data/source.json, Licence Ouverte 2.0, LICENSE.md beside it).

Pool of pairs to label (a superset of every pair the matcher can propose): every pair of
places less than 1 km apart, or sharing a phone number, an e-mail or a website, or with the
same street address and postal code, or with similar names (RapidFuzz token_sort_ratio >= 80
on folded names) in the same postal code.

Labels ("same" = one establishment at one location described twice):
- the pairs less than 150 m apart or with the same street address were read one by one by a
  reviewer (names, addresses, phones, e-mails, websites) and labelled by hand in MANUAL below,
  with "ambiguous" when the fields do not allow a decision (excluded from the measures);
- every other pair of the pool is "different" by definition: two different street addresses
  more than 150 m apart are two locations, even of one organisation (network-wide phone
  numbers, e-mails and websites are common: a county's libraries share one phone).
One reviewer, no second opinion: see docs/interop.md for the limits.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
import unicodedata
from pathlib import Path

from rapidfuzz import fuzz

HERE = Path(__file__).parent
SAME, DIFFERENT, AMBIGUOUS = "same", "different", "ambiguous"
MANUAL = {
    # (id_a, id_b): (label, reason)
    ("124", "895"): (SAME, "same name but 'Espace', same address and phone"),
    ("166", "473"): (SAME, "same name, address and phone"),
    ("432", "846"): (SAME, "same name, address, phone, e-mail; one geocoded 648 m off"),
    ("466", "1020"): (SAME, "EPN of the Espace Sisley: same address, phone, e-mail, website"),
    ("653", "654"): (SAME, "identical records"),
    ("776", "826"): (
        SAME,
        "the Seyssel library is the Médiathèque Victor Hugo: same address, e-mail, website",
    ),
    ("870", "915"): (SAME, "Mairie (de) Sermoyer: same address, phone, e-mail"),
    ("882", "958"): (SAME, "conseiller(e) numérique at the same address and phone"),
    ("926", "930"): (SAME, "same name, address, phone; one geocoded 2 km off"),
    ("944", "948"): (SAME, "identical name, address, contacts"),
    ("993", "1029"): (SAME, "identical name, address, contacts"),
    ("999", "1011"): (SAME, "identical name, address, contacts"),
    ("1027", "1035"): (
        SAME,
        "same centre social, same phone, e-mail, website; address written two ways",
    ),
    ("1042", "1043"): (SAME, "identical name, address, contacts; 275 m apart"),
    ("1063", "1064"): (SAME, "identical records"),
    ("293", "1015"): (
        AMBIGUOUS,
        "France Services of the Relais Sancy vs its conseiller numérique at another address",
    ),
    ("765", "828"): (
        AMBIGUOUS,
        "departmental direction and solidarity hub in one building, same phone",
    ),
    ("765", "880"): (
        AMBIGUOUS,
        "departmental direction and solidarity house in one building, same phone",
    ),
    ("828", "880"): (
        AMBIGUOUS,
        "Espace Pompidou solidarity hub vs Maison de la Solidarité: same address and contacts, maybe one place",
    ),
    ("15", "16"): (DIFFERENT, "two structures, two addresses"),
    ("18", "160"): (
        DIFFERENT,
        "MJC and a canteen-activity space in the same centre, other contacts",
    ),
    ("18", "479"): (DIFFERENT, "MJC vs town hall"),
    ("19", "24"): (DIFFERENT, "library and youth information desk in one building, own contacts"),
    ("20", "21"): (DIFFERENT, "cyber-space and library of La Turbine, own phones and e-mails"),
    ("20", "452"): (DIFFERENT, "cyber-space vs town hall"),
    ("30", "34"): (DIFFERENT, "library vs another structure"),
    ("80", "819"): (DIFFERENT, "France Services vs library"),
    ("94", "452"): (DIFFERENT, "two structures"),
    ("95", "1003"): (DIFFERENT, "youth desk vs a company, same street"),
    ("100", "101"): (DIFFERENT, "social centre vs France Services"),
    ("111", "812"): (DIFFERENT, "France Services and youth desk in one building, own contacts"),
    ("111", "837"): (DIFFERENT, "France Services vs cyberbase"),
    ("119", "121"): (DIFFERENT, "two associations at one address"),
    ("160", "479"): (DIFFERENT, "two structures"),
    ("169", "987"): (DIFFERENT, "France Services vs library"),
    ("184", "1036"): (DIFFERENT, "social centre vs town hall"),
    ("208", "791"): (DIFFERENT, "two structures"),
    ("229", "231"): (DIFFERENT, "library vs CCAS"),
    ("232", "854"): (DIFFERENT, "MJC vs library"),
    ("232", "884"): (DIFFERENT, "MJC vs France Services"),
    ("239", "478"): (DIFFERENT, "library vs town hall"),
    ("239", "489"): (DIFFERENT, "library vs seniors service"),
    ("241", "925"): (
        DIFFERENT,
        "fab lab vs mediation point of one association, two addresses and phones",
    ),
    ("299", "947"): (DIFFERENT, "library vs France Services"),
    ("305", "1012"): (DIFFERENT, "library vs France Services"),
    ("414", "415"): (DIFFERENT, "CCAS vs library"),
    ("431", "846"): (DIFFERENT, "two structures"),
    ("432", "437"): (DIFFERENT, "socio-cultural centre vs library"),
    ("433", "436"): (DIFFERENT, "two associations"),
    ("436", "437"): (DIFFERENT, "association vs library"),
    ("438", "439"): (DIFFERENT, "two structures at one address"),
    ("438", "440"): (DIFFERENT, "two structures"),
    ("439", "440"): (DIFFERENT, "two structures"),
    ("445", "462"): (DIFFERENT, "two structures"),
    ("445", "791"): (DIFFERENT, "two structures"),
    ("478", "489"): (DIFFERENT, "town hall vs seniors service"),
    ("484", "765"): (DIFFERENT, "municipal digital workshop vs departmental direction"),
    ("484", "828"): (DIFFERENT, "municipal digital workshop vs departmental hub"),
    ("484", "880"): (DIFFERENT, "municipal digital workshop vs departmental house"),
    ("485", "1101"): (DIFFERENT, "two structures"),
    ("760", "764"): (DIFFERENT, "library vs Micro-Folie"),
    ("812", "837"): (DIFFERENT, "youth desk vs cyberbase"),
    ("821", "885"): (DIFFERENT, "library vs social relay"),
    ("854", "884"): (DIFFERENT, "library vs France Services"),
    ("888", "889"): (DIFFERENT, "town hall and its library: one building, own e-mails"),
    ("946", "953"): (DIFFERENT, "two structures"),
    ("1054", "1092"): (DIFFERENT, "two structures"),
    ("1073", "1102"): (DIFFERENT, "two structures"),
    ("1078", "1105"): (DIFFERENT, "two structures"),
    ("1088", "1152"): (DIFFERENT, "France Services vs town hall"),
    ("1113", "1125"): (DIFFERENT, "library vs MJC"),
}


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def metres(a: dict, b: dict) -> float:
    p1, p2 = math.radians(a["latitude"]), math.radians(b["latitude"])
    dp, dl = p2 - p1, math.radians(b["longitude"] - a["longitude"])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371000 * math.asin(math.sqrt(h))


def shares(a: dict, b: dict, key: str) -> bool:
    return bool(a.get(key)) and a[key].strip().lower() == (b.get(key) or "").strip().lower()


def main() -> None:
    places = json.loads((HERE / "source.json").read_text(encoding="utf-8"))
    rows = []
    for a, b in itertools.combinations(places, 2):
        distance = metres(a, b)
        same_address = (
            fold(a["adresse"]) == fold(b["adresse"]) and a["code_postal"] == b["code_postal"]
        )
        similar = fuzz.token_sort_ratio(fold(a["nom"]), fold(b["nom"])) >= 80
        shared = any(shares(a, b, k) for k in ("telephone", "courriel", "site_web"))
        in_pool = (
            distance <= 1000
            or shared
            or same_address
            or (similar and a["code_postal"] == b["code_postal"])
        )
        if not in_pool:
            continue
        key = (a["id"], b["id"])
        if distance <= 150 or same_address:
            label, reason = MANUAL[key]  # every such pair is labelled by hand
        else:
            label, reason = MANUAL.get(
                key, (DIFFERENT, "different street addresses more than 150 m apart")
            )
        rows.append([a["id"], b["id"], label, f"{distance:.0f}", reason])
    with (HERE / "duplicates-labelled.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id_a", "id_b", "label", "distance_m", "reason"])
        writer.writerows(rows)
    counts = {
        label: sum(1 for r in rows if r[2] == label) for label in (SAME, DIFFERENT, AMBIGUOUS)
    }
    print(f"{len(rows)} pairs: {counts}")


if __name__ == "__main__":
    main()
