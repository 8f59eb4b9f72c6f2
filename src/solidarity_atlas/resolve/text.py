"""Normal forms of names shared by the resolvers."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"', "«": '"', "»": '"',
                         "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})
_NON_WORD = re.compile(r"[^\w']+")


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form; word order and every word kept."""
    text = unicodedata.normalize("NFKD", text.translate(_QUOTES).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("'s ", "s ").replace("s' ", "s ")  # Workers' Party / Worker's Party / Workers Party
    return " ".join(_NON_WORD.sub(" ", text).replace("'", "").split())


def slug(text: str) -> str:
    """An ASCII id part: "Εργατικό Κέντρο Λάρισας" -> "ergatiko-kentro-larisas"."""
    from unidecode import unidecode

    return "-".join(fold(unidecode(text)).split())


@lru_cache(maxsize=1 << 16)
def script(text: str) -> str:
    """"greek", "cyrillic" or "latin": the script most letters of a name are in."""
    greek = sum("\u0370" <= c <= "\u03ff" or "\u1f00" <= c <= "\u1fff" for c in text)
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in text)
    latin = sum(c.isascii() and c.isalpha() for c in text)
    best = max((latin, "latin"), (greek, "greek"), (cyrillic, "cyrillic"))
    return best[1]
