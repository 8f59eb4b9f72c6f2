"""Organisation names as list items write them, taken apart.

"Partido Comunista da Índia (Marxista) (Índia)", "Brasil: Partido Comunista
do Brasil (PCdoB)", "PAME – Greece", "AKEL, Cyprus", "CP of Peru
[Patria-Roja]", "Hungarian CWP", "CPof Malta": the country written beside
the name, the acronyms, the abbreviations to expand, and the qualifiers that
tell parties apart ("(Marxist)", "[Unified]", "(PKP-1930)"), which stay in
the name.  ``concept`` is the name's words in English, country words and
fillers left out, so that names in different languages can be compared.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from solidarity_atlas import memo
from solidarity_atlas.lexicons import load
from solidarity_atlas.resolve.countries import NO_COUNTRY, CountryMention, countries
from solidarity_atlas.resolve.text import fold, script
from solidarity_atlas.shapes import abbreviation_pattern, is_acronym

_COUNTRY_FIRST = re.compile(r"^(?P<country>[^:()\[\]]{2,40}):\s+(?P<rest>\S.*)$")
_TRAILING_BRACKET = re.compile(r"\s*[(\[](?P<inner>[^()\[\]]+)[)\]]\s*$")
_TRAILING_SEPARATED = re.compile(r"(?:\s*,\s*|\s+[-–—]\s+|\s*[–—]\s*)(?P<inner>[^,–—]+?)\s*$")
# "Union of Communist parties-CPSU": an acronym glued to a name of several words (not "PIT-CNT").
_GLUED_ACRONYM = re.compile(r"(?<=[^\W\d_]{2})-(?P<inner>[A-ZА-ЯЁΑ-Ω]{3,10})$")
# Words that join the parts of a name in the corpus languages; never distinguishing.
FILLERS = frozenset({
    "the", "of", "de", "del", "la", "las", "los", "el", "da", "do", "das", "dos", "du", "des", "le", "les", "l",
    "di", "della", "delle", "dei", "degli", "d", "der", "den", "dem", "του", "της", "των", "το", "η", "ο",
})


@dataclass(frozen=True, slots=True)
class ParsedName:
    raw: str
    name: str  # the organisation's own words: country affixes off, abbreviations expanded
    acronyms: tuple[str, ...]
    affix_country: str | None  # the country written beside the name
    name_country: str | None  # the country the name's own words give ("of Greece", "Brazilian")
    concept: frozenset[str]  # English words of the name, without country words and fillers
    translated: bool = False  # some word of the name was not English
    country_form: str = "none"  # how the name's words give its country: "name", "demonym" or "none"

    @property
    def country(self) -> str | None:
        code = self.affix_country or self.name_country
        return None if code == NO_COUNTRY else code

    @property
    def international(self) -> bool:
        return (self.affix_country or self.name_country) == NO_COUNTRY


@lru_cache(maxsize=memo.TEXTS)
def parse(raw: str) -> ParsedName:
    text = " ".join(raw.split()).strip(" .;,:")
    table = countries()
    affix: str | None = None
    acronyms: list[str] = []
    if (m := _COUNTRY_FIRST.match(text)) and (code := table.lookup(m.group("country"))):
        affix, text = code, m.group("rest")
    for _ in range(4):  # "Partido Comunista da Índia (Marxista) (Índia)": peel from the end
        m = _peelable(text)
        if not m or m.start() == 0:
            break
        inner = m.group("inner").strip()
        code = table.lookup(inner)
        if inner.casefold() in load().words("org.qualifiers"):
            break  # "(ML)", "(Marxist-Leninist)": it tells parties apart and stays in the name
        if code and affix in (None, code):
            affix = code
        elif _acronym_like(inner):
            acronyms.append(inner)
        else:
            break  # a qualifier that tells parties apart: it stays in the name
        text = text[: m.start()].strip(" ,")
    if affix is None and (city := _city_affix(text)):
        affix = city  # "Arbeitskreis Internationale Solidarität, Hamburg": the city tells the country
    words = text.split()
    glued = expand(words[0]) != words[0] if words else False  # "CPof Malta" is "CP of Malta", not an acronym
    if len(words) >= 2 and not glued and _acronym_like(words[0]) and (code := table.lookup(" ".join(words[1:]))):
        affix = affix or code  # "PPP Guyana"
        text = words[0]
    if _acronym_like(text):
        acronyms.insert(0, text)
    name = expand(text)
    folded = fold(name).split()
    mentions = table.find(folded)
    name_country = _name_country(mentions)
    form = "none" if not mentions else ("demonym" if all(m.demonym for m in mentions) else "name")
    country_words = {i for m in mentions for i in range(m.start, m.end)}
    content = [w for i, w in enumerate(folded) if i not in country_words and w not in FILLERS]
    concept = frozenset(english(w) for w in content)
    translated = any(english(w) != w for w in content) or script(name) != "latin"
    return ParsedName(raw, name, tuple(acronyms), affix, name_country, concept, translated, form)


CITY_MIN_POPULATION = 100_000  # smaller places share their names with words and with other places


def _city_affix(text: str) -> str | None:
    m = re.search(r",\s*(?P<city>[^,()]{3,30})$", text)
    if not m:
        return None
    from solidarity_atlas.resolve.places import gazetteer

    place = gazetteer().lookup(m.group("city"))
    return place.country if place and place.population >= CITY_MIN_POPULATION else None


def _name_country(mentions: list[CountryMention]) -> str | None:
    """The country a name's own words give: a country's name before a demonym ("Lao" in "Lao động" is
    a word of Vietnamese, "Việt Nam" the country), a state before a region of several ("Kurdistan-Iraq")."""
    if not mentions:
        return None
    ranked = sorted(mentions, key=lambda m: (m.code == NO_COUNTRY, m.demonym, m.start))
    return ranked[0].code


def _peelable(text: str) -> re.Match[str] | None:
    """The last affix: a bracket, or a part after a comma or dash ("– CPI(M)" before "(M)")."""
    glued = _GLUED_ACRONYM.search(text)
    if glued and " " not in text[: glued.start()]:
        glued = None  # "PIT-CNT", "СКП-КПСС": one acronym with a hyphen, not a name and an acronym
    found = (_TRAILING_SEPARATED.search(text), _TRAILING_BRACKET.search(text), glued)
    matches = [m for m in found if m and m.start() > 0]
    for m in matches:
        inner = m.group("inner").strip()
        if countries().lookup(inner) or _acronym_like(inner):
            return m
    return matches[0] if matches else None


def _acronym_like(text: str) -> bool:
    return " " not in text.strip() and is_acronym(text.strip())


def expand(text: str) -> str:
    """"CP of Albania" -> "Communist Party of Albania"; "CPof Malta" -> "Communist Party of Malta"."""
    table = {k.casefold(): v for k, v in load().tables.get("abbreviations", {}).items()}

    def replace(m: re.Match[str]) -> str:
        word = m.group(0)
        expansion = table.get(word.casefold(), word)
        following = text[m.end(): m.end() + 2]
        return expansion + (" " if following in ("of", "in") else "")

    return abbreviation_pattern().sub(replace, text)


@cache
def _words() -> tuple[dict[str, str], list[tuple[str, str]]]:
    exact: dict[str, str] = {}
    stems: list[tuple[str, str]] = []
    path = resources.files("solidarity_atlas") / "data" / "orgwords.csv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            for variant in row["variants"].split("|"):
                if variant.endswith("*"):
                    stems.append((fold(variant[:-1]), row["english"]))
                elif fold(variant):
                    exact.setdefault(fold(variant), row["english"])
    stems.sort(key=lambda s: len(s[0]), reverse=True)
    return exact, stems


@lru_cache(maxsize=memo.WORDS)
def english(word: str) -> str:
    """One folded word of a name in English, where the word table knows it."""
    exact, stems = _words()
    if word in exact:
        return exact[word]
    for stem, meaning in stems:
        if word.startswith(stem):
            return meaning
    return word
