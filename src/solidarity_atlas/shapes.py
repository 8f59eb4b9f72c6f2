"""Shapes of words in organisation names: acronyms and list abbreviations."""

from __future__ import annotations

import re
from functools import cache

from solidarity_atlas.lexicons import load

_ACRONYM_CHARS = re.compile(r"^[A-ZΑ-ΩА-ЯЁ0-9][\w()\-–/&.]{1,12}$")


def is_acronym(word: str) -> bool:
    """"KKE", "CGTP-IN", "PCdoB", "CPI(M)", "ΠΑΜΕ", "КПРФ": mostly capitals, two at least."""
    word = word.strip("()[]«»\"'.,;:")
    if not _ACRONYM_CHARS.match(word):
        return False
    upper = sum(c.isupper() for c in word)
    return upper >= 2 and upper >= sum(c.islower() for c in word)



@cache
def abbreviation_pattern() -> re.Pattern[str]:
    """"CP", "WP", "NCP"... as words, also glued to "of"/"in" ("CPof Malta") or in lower case ("Cp")."""
    table = load().tables.get("abbreviations", {})
    alternatives = "|".join(re.escape(a) for a in sorted(table, key=len, reverse=True))
    return re.compile(rf"(?<![\w'’])(?:{alternatives})(?=(?:of|in)?(?![\w'’]))", re.IGNORECASE)


