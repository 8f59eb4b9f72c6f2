"""Normal forms of names shared by the resolvers."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from solidarity_atlas import memo

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"', "«": '"', "»": '"',
                         "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})
_NON_WORD = re.compile(r"[^\w']+")
# Combining marks left by NFKD (accents, the Greek tonos, the Turkish dot): one regex pass is C-speed.
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@lru_cache(maxsize=memo.TEXTS)
def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form; word order and every word kept."""
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text.translate(_QUOTES).casefold()))
    text = text.replace("'s ", "s ").replace("s' ", "s ")  # Workers' Party / Worker's Party / Workers Party
    return " ".join(_NON_WORD.sub(" ", text).replace("'", "").split())


def slug(text: str) -> str:
    """An ASCII id part: "Εργατικό Κέντρο Λάρισας" -> "ergatiko-kentro-larisas"."""
    from unidecode import unidecode

    return "-".join(fold(unidecode(text)).split())


@lru_cache(maxsize=memo.WORDS)
def script(text: str) -> str:
    """"greek", "cyrillic" or "latin": the script most letters of a name are in."""
    greek = sum("\u0370" <= c <= "\u03ff" or "\u1f00" <= c <= "\u1fff" for c in text)
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in text)
    latin = sum(c.isascii() and c.isalpha() for c in text)
    best = max((latin, "latin"), (greek, "greek"), (cyrillic, "cyrillic"))
    return best[1]
