"""Countries named in organisation names and list items, in any corpus language.

``data/countries.csv`` gives every ISO 3166-1 country its names and demonyms
in the corpus languages (with the case forms party names use: "Греции",
"Ελλάδας", "Österreichs"), and historic or disputed names mapped to the
country a statement from them belongs to; ``--`` marks names of no one
country (Soviet Union, Kurdistan).  pycountry answers for any official
English name the table lacks.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from solidarity_atlas.resolve.text import fold

NO_COUNTRY = "--"
# Countries whose own organisations write their names in these scripts (others: Latin, for this purpose).
SCRIPTS = {
    "greek": frozenset({"GR", "CY"}),
    "cyrillic": frozenset({"RU", "UA", "BY", "BG", "RS", "MK", "KZ", "KG", "TJ", "MN", "MD", "ME", "BA"}),
}


def writes_in(code: str, script_name: str) -> bool:
    """Whether a country's organisations name themselves in this script."""
    if script_name in SCRIPTS:
        return code in SCRIPTS[script_name]
    return True
MAX_WORDS = 5  # longest country name in words ("Bosnia and Herzegovina", "República Democrática del Congo")


@dataclass(frozen=True, slots=True)
class CountryMention:
    code: str  # ISO alpha-2, or NO_COUNTRY
    start: int  # word index
    end: int
    demonym: bool


class Countries:
    def __init__(self, names: dict[str, str], demonyms: dict[str, str], english: dict[str, str]):
        self._names = names
        self._demonyms = demonyms
        self.english = english  # code -> English short name
        # The first word of every name: a position whose word is none of them starts no country's name.
        self._starts = frozenset(k.split()[0] for k in (*names, *demonyms) if k)
        self._automaton: Any = None

    def lookup(self, name: str) -> str | None:
        """The code a whole string names (a country name or demonym), else None."""
        key = fold(name)
        return self._names.get(key) or self._demonyms.get(key) or _pycountry(name)

    def find(self, words: list[str]) -> list[CountryMention]:
        """Country names and demonyms among folded words, longest first, not overlapping."""
        found: list[CountryMention] = []
        i = 0
        starts = self._starts
        while i < len(words):
            if words[i] not in starts:
                i += 1
                continue
            for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
                key = " ".join(words[i : i + n])
                code = self._names.get(key)
                demonym = False
                if code is None:
                    code, demonym = self._demonyms.get(key), True
                if code:
                    found.append(CountryMention(code, i, i + n, demonym))
                    i += n
                    break
            else:
                i += 1
        return found


    def codes_in(self, folded: str) -> list[str]:
        """Codes of the countries named in a folded text (see :func:`fold`), in order: the same names as
        :meth:`find` (longest first, not overlapping, whole words), found in one Aho-Corasick pass."""
        if self._automaton is None:
            self._automaton = self._build_automaton()
        text = f" {folded} "
        spans: list[tuple[int, int, str]] = []
        for end, (length, code) in self._automaton.iter(text):
            if text[end + 1] == " ":  # the key starts with a space: the match starts at a word and must end at one
                spans.append((end + 1 - length, end + 1, code))
        spans.sort(key=lambda s: (s[0], s[0] - s[1]))
        out, reach = [], -1
        for start, end, code in spans:
            if start >= reach:
                out.append(code)
                reach = end
        return out

    def _build_automaton(self) -> Any:
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for table in (self._demonyms, self._names):  # a country's name outranks a demonym spelled the same
            for name, code in table.items():
                if name and len(name.split()) <= MAX_WORDS:
                    automaton.add_word(f" {name}", (len(name) + 1, code))
        automaton.make_automaton()
        return automaton


@cache
def _pycountry(name: str) -> str | None:
    import pycountry

    if len(name.strip()) <= 3:
        return None  # "FSM", "PCB": ISO codes look like acronyms of organisations
    try:
        return str(pycountry.countries.lookup(name.strip()).alpha_2)
    except LookupError:
        return None


@cache
def countries() -> Countries:
    names: dict[str, str] = {}
    demonyms: dict[str, str] = {}
    english: dict[str, str] = {}
    path = resources.files("solidarity_atlas") / "data" / "countries.csv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            code = row["code"].strip()
            if code != NO_COUNTRY:
                english.setdefault(code, row["name"].strip())
            for name in [row["name"], *row["names"].split("|")]:
                if fold(name):
                    names.setdefault(fold(name), code)
            for demonym in row["demonyms"].split("|"):
                if fold(demonym):
                    demonyms.setdefault(fold(demonym), code)
    return Countries(names, demonyms, english)
