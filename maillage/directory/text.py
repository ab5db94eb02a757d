"""Text folding for case- and accent-insensitive search, identical on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, strip accents and punctuation: "Mérignac – Capeyron" → "merignac capeyron".

    Letters outside Latin script are dropped, as the search index keeps ASCII words only.
    """
    lowered = text.casefold().replace("œ", "oe").replace("æ", "ae")  # casefold: ß → ss
    ascii_only = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    return _NON_WORD.sub(" ", ascii_only).strip()


def words(text: str) -> list[str]:
    return [w for w in fold(text).split() if w]
