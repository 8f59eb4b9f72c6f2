"""Normal forms of names shared by the resolvers."""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"', "«": '"', "»": '"',
                         "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})
_NON_WORD = re.compile(r"[^\w']+")


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form; word order and every word kept."""
    text = unicodedata.normalize("NFKD", text.translate(_QUOTES).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("'s ", "s ").replace("s' ", "s ")  # Workers' Party / Worker's Party / Workers Party
    return " ".join(_NON_WORD.sub(" ", text).replace("'", "").split())


def slug(text: str) -> str:
    return "-".join(fold(text).split())
