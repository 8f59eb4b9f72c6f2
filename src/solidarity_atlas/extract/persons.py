"""People named in a text, in Latin, Cyrillic and Greek script, merged across spellings.

A name is a run of capitalised words (initials allowed: "A. Tasbulatov") that
is not an organisation, a place, a country or a month, and that either opens
with a known first name (gender-guesser's list of some 40,000), follows a
title or role ("President", "Mr.", "Prime Minister"), or stands where only a
ruler's name stands ("the Nazarbaef regime", "режим Назарбаева").  A lone
surname counts when a full name of the same person is in the text.

Spellings of one person are merged by a key built from the surname
transliterated to Latin (Назарбаев, Nazarbaev, Nazarbayev, Nazarbaef and
Ναζαρμπάγεφ share one), Russian names being put in the nominative first
(pymorphy3): "Ларису Харькову" is Larisa Kharkova.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache, lru_cache

from solidarity_atlas import memo
from solidarity_atlas.diskcache import load_or_build
from solidarity_atlas.extract.dates import month_names
from solidarity_atlas.lexicons import load
from solidarity_atlas.model import Block, Page, Person, Span
from solidarity_atlas.resolve.countries import countries
from solidarity_atlas.resolve.names import english
from solidarity_atlas.resolve.places import gazetteer
from solidarity_atlas.resolve.text import fold, script
from solidarity_atlas.shapes import is_acronym

_NAME_WORD = r"(?:[A-ZÀ-ÖØ-ÞĀ-ŽΑ-ΩΆ-ΏА-ЯЁІЇЄҚҢӨҮҰҺ][\w'’\-]*[\w]|[A-ZА-ЯΑ-Ω]\.)"
_PARTICLE = r"(?:de|da|do|dos|del|van|von|der|bin|ibn|al|el|di|la|le)"
_RUN = re.compile(rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{0,6}}")
_WORD_OF_NAME = re.compile(_NAME_WORD)
_INITIAL = re.compile(r"^[A-ZА-ЯΑ-Ω]\.$")
# Greek digraphs before the letter-by-letter transliteration: Ναζαρμπάγεφ -> Nazarbagef.
_GREEK_DIGRAPHS = (("μπ", "b"), ("ντ", "nt"), ("γκ", "g"), ("γγ", "ng"), ("ου", "ou"), ("αυ", "av"), ("ευ", "ev"),
                   ("γε", "ye"), ("γι", "yi"), ("φ", "f"), ("χ", "kh"), ("ψ", "ps"), ("θ", "th"))
_TITLE_GLUED = re.compile(r"\b(?:Mr|Mrs|Ms|Dr)\.(?=[A-Z])")
# Words that stand before a ruler's name: "the Nazarbaef regime", "режим Назарбаева", "καθεστώτος Ναζαρμπάγεφ".
_REGIME_AFTER = re.compile(
    r"^\s+(?:regime|government|administration|dictatorship|yönetim\w*|rejim\w*|hükümet\w*)\b", re.IGNORECASE
)
# "The president of the union, Giorgos Sifonios, said": a role just before; "Thabo Mokoena – SACP Spokesperson".
_APPOSITION_BEFORE = re.compile(r",\s*$")
_APPOSITION_AFTER = re.compile(r"^\s*(?:,|–|—|-)\s*")
WINDOW = 60  # characters looked at around a name for a title, a quotation mark or "regime"
_QUOTED = re.compile(r"[«“\"„‘']\s*$")
_REGIME_BEFORE = re.compile(
    r"(?:режим[а-я]*|καθεστώτ[α-ωάέήίόύώ]*|régimen|regime|régime|regimes?)\s+$", re.IGNORECASE
)
_COMMON = frozenset(
    "the a an on in at of for to by and or but we our they their this that these those it its his her since when "
    "after before during while with without from into about as if all both each every no not only also however "
    "then there here today yesterday mr mrs ms dr st "
    # places and directions are not parts of people's names
    "sea ocean river gulf strait island islands square street avenue embassy mountains valley bay lake "
    "north south east west northern southern eastern western central "
    "doğu batı kuzey güney nord sud est ouest norte sur este oeste süd ost "
    # continents, documents and companies
    "african european asian american arab latin resolution statement declaration law code company corporation "
    "free режим regime régime régimen καθεστώς red "
    # articles and prepositions that open sentences in the corpus languages
    "en el la los las un una unos del al eine ein einer eines der die das dem den le les une du des au aux il lo gli "
    "os as um uma no na nos nas em в во на и по η ο το οι τα στην στο στη bir ve".split()
)
MIN_SURNAME = 3


@dataclass(slots=True)
class _Mention:
    text: str
    start: int
    end: int
    tokens: list[str]
    title: str | None = None


@dataclass(slots=True)
class _Person:
    mentions: list[_Mention] = field(default_factory=list)
    key: str = ""


@cache
def _first_names() -> frozenset[str]:
    """gender-guesser's first names (some 40,000, lower-cased), kept in the cache folder between runs."""
    from importlib.metadata import version

    return load_or_build("first-names", ("first-names", version("gender-guesser")), _read_first_names)


def _read_first_names() -> frozenset[str]:
    import gender_guesser.detector as gender

    return frozenset(gender.Detector(case_sensitive=False).names)


@cache
def _morph():  # noqa: ANN202 - pymorphy3 has no types
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=memo.WORDS)
def is_first_name(token: str) -> bool:
    if len(token) < 2 or token.casefold() in _COMMON or not token[0].isupper():
        return False
    if script(token) == "cyrillic":
        return _cyrillic_first_name(token)
    if script(token) == "greek":
        token = latin(token)  # Νίκος -> Nikos
    return token.lower() in _first_names()


def _cyrillic_first_name(token: str) -> bool:
    return any("Name" in p.tag for p in _morph().parse(token)[:3])


@cache
def _stopwords() -> frozenset[str]:
    lexicon = load()
    words: set[str] = set(_COMMON) | set(month_names())
    for key in ("org.heads", "org.plurals", "org.subbodies", "signatures.regions"):
        words.update(w for w in lexicon.get(key) if " " not in w)
    return frozenset(fold(w) for w in words)


@lru_cache(maxsize=memo.WORDS)
def _not_a_name_word(token: str) -> bool:
    if _INITIAL.match(token):
        return False  # "A." of "A. Tasbulatov"
    f = fold(token)
    if not f or f in _stopwords() or is_acronym(token):
        return True
    if english(f) != f or f in _org_vocabulary() or f in _country_words():
        return True  # "Labour", "Communist", "Young"; "Republic", "States", "Kingdom"
    if len(f) > 3 and _is_place(token) and not is_first_name(token):
        return True  # "Odessa House", "En Cali"; not "Vladimir Kozlov"
    return bool(countries().lookup(token))


@cache
def _country_words() -> frozenset[str]:
    words: set[str] = set()
    for name in countries().english.values():
        words.update(fold(name).split())
    words.update(("republic", "republique", "republica", "republik", "bundesrepublik", "kingdom", "states",
                  "federation", "union", "emirates", "islands"))
    return frozenset(w for w in words if len(w) > 3)


@cache
def _org_vocabulary() -> frozenset[str]:
    import csv
    from importlib import resources

    words: set[str] = set()
    path = resources.files("solidarity_atlas") / "data" / "orgwords.csv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            words.add(fold(row["english"]))
    return frozenset(words | {"young", "assembly", "asamblea", "assemblee", "assembleia", "company"})


def _titles() -> re.Pattern[str]:
    return load().pattern("org.person_titles")


def _candidates(text: str, offset: int) -> list[_Mention]:
    text = _TITLE_GLUED.sub(lambda m: m.group(0) + " ", text) if _TITLE_GLUED.search(text) else text
    titles = _titles()
    out: list[_Mention] = []
    for m in _RUN.finditer(text):
        trimmed = _trimmed(m.group(0))
        if trimmed is None:
            continue
        first, last, token_tuple, title = trimmed
        tokens = list(token_tuple)
        begin, end = m.start() + first, m.start() + last
        if title is None and (word := _word_before(text, begin)) and titles.fullmatch(word):
            title = word
        mention = _Mention(text[begin:end], offset + begin, offset + end, tokens, title)
        if _looks_like_person(mention, text, begin, end):
            out.append(mention)
    return out


def _word_before(text: str, begin: int) -> str | None:
    """The word just before a name, with no comma or full stop: "President" of "President Nazarbayev"."""
    before = text[max(0, begin - WINDOW):begin]
    if not before[-1:].isspace():
        return None
    words = before.split()
    return words[-1].rstrip(".,") if words else None


@cache
def _title_heads() -> tuple[frozenset[str], tuple[str, ...]]:
    """First words of the person titles, and the stems among them: a word that is none of them opens none."""
    heads: set[str] = set()
    stems: list[str] = []
    for phrase in load().get("org.person_titles"):
        first = phrase.split()[0].casefold() if phrase.split() else ""
        if first.endswith("*"):
            stems.append(first.rstrip("*"))
        elif first:
            heads.update((first, first.rstrip(".")))
    return frozenset(heads), tuple(stems)


def _may_open_title(token: str) -> bool:
    heads, stems = _title_heads()
    word = token.casefold()
    return word in heads or word.startswith(stems) or not word.isalpha()


@lru_cache(maxsize=memo.TEXTS)
def _trimmed(run: str) -> tuple[int, int, tuple[str, ...], str | None] | None:
    """A run of capitalised words without the words that cannot be part of a name ("The", "President",
    "Prime Minister", "Comrade" before it; "Party" after it): where the name starts and ends in the run,
    its words and the title it followed.  None when no name is left."""
    leading_title = load().pattern("org.person_titles", at_start=True)
    tokens = run.split()
    start = 0
    title = None
    while tokens:
        rest = " ".join(tokens)
        t = leading_title.match(rest) if _may_open_title(tokens[0]) else None
        if t and (t.end() == len(rest) or rest[t.end()] == " "):
            title = rest[: t.end()].rstrip(".,")
            consumed = len(rest[: t.end()].split())
        elif _not_a_name_word(tokens[0]):
            consumed = 1
        else:
            break
        for token in tokens[:consumed]:
            start = run.index(token, start) + len(token)
        tokens = tokens[consumed:]
    while tokens and _not_a_name_word(tokens[-1]):
        tokens = tokens[:-1]
    if not tokens or not tokens[0][:1].isupper() or any(_not_a_name_word(t) for t in tokens if not t.endswith(".")):
        return None
    if len(tokens) >= 2 and countries().lookup(" ".join(tokens)):
        return None  # "South African"
    begin = run.index(tokens[0], start)
    end = run.index(tokens[-1], begin) + len(tokens[-1])
    return begin, end, tuple(tokens), title


def _looks_like_person(m: _Mention, text: str, begin: int, end: int) -> bool:
    tokens = m.tokens
    surname = tokens[-1]
    if len(surname.strip(".")) < MIN_SURNAME:
        return False
    if len(tokens) >= 2 and tokens[0].endswith(".") and len(tokens[0]) == 2:
        return True  # "A. Tasbulatov"
    if m.title:
        return True
    if _QUOTED.search(text, max(0, begin - WINDOW), begin):
        return False  # «Raúl Isidro Burgos», «Henry Reeve»: a school or brigade named after someone
    if _REGIME_AFTER.match(text[end:end + WINDOW]) or _REGIME_BEFORE.search(text, max(0, begin - WINDOW), begin):
        return True
    if len(tokens) >= 2 and _role_near(text, begin, end):
        return True
    if len(surname) >= 5 and not _is_place(surname) and _titled(text[max(0, begin - 80):begin]):
        return True  # "the former member of CPSU CC Politburo Nazarbaev"
    return len(tokens) >= 2 and is_first_name(tokens[0]) and not _is_place(" ".join(tokens))


def _titled(before: str) -> bool:
    """A role just before, with only organisation words between: "member of CPSU CC Politburo"."""
    clause = re.split(r"[,;:.!?()]", before)[-1]
    if not any(_may_open_title(word.strip("\"'«»“”‘’[]")) for word in clause.split()):
        return False  # no word a title starts with
    matches = list(load().pattern("org.person_titles").finditer(clause))
    if not matches:
        return False
    between = clause[matches[-1].end():].split()
    return all(_not_a_name_word(w) or is_acronym(w) for w in between)


def _role_near(text: str, begin: int, end: int) -> bool:
    """A role in apposition: "the president of the union, X Y," or "X Y – SACP National Spokesperson"."""
    roles = load().pattern("org.person_titles")
    before = text[max(0, begin - 80):begin]
    if _APPOSITION_BEFORE.search(before) and roles.search(before.rsplit(".", 1)[-1]):
        return True
    after = text[end:end + 60]
    if (m := _APPOSITION_AFTER.match(after)) and (r := roles.search(after[m.end():])):
        between = after[m.end():m.end() + r.start()].split()
        return len(between) <= 3 and not any(w.casefold() in load().words("signatures.and") for w in between)
    return False


def _is_place(name: str) -> bool:
    found = gazetteer().lookup(name)
    return found is not None and found.population >= 50_000


def _nominative(tokens: list[str]) -> list[str]:
    """Russian names in the nominative case: "Ларису Харькову" -> "Лариса Харькова"."""
    if not tokens or script(" ".join(tokens)) != "cyrillic":
        return tokens
    return list(_nominative_cached(tuple(tokens)))


@lru_cache(maxsize=memo.TEXTS)
def _nominative_cached(tokens: tuple[str, ...]) -> tuple[str, ...]:
    morph = _morph()
    gender = None
    first = morph.parse(tokens[0])
    for p in first:
        if "Name" in p.tag:
            gender = p.tag.gender
            break
    out = []
    for token in tokens:
        parses = [p for p in morph.parse(token) if {"Name"} & set(p.tag.grammemes) or "Surn" in p.tag
                  or "Patr" in p.tag]
        chosen = next((p for p in parses if gender is None or p.tag.gender == gender or "ms-f" in p.tag), None)
        if chosen is None:
            out.append(_feminine_guess(token) if gender == "femn" else token)
            continue
        form = chosen.inflect({"nomn"})
        word = form.word if form else chosen.normal_form
        if gender == "femn" and word.endswith(("ов", "ев", "ин")):
            word += "а"
        out.append(word[:1].upper() + word[1:])
    return tuple(out)


def _feminine_guess(token: str) -> str:
    for ending, nominative in (("ову", "ова"), ("еву", "ева"), ("ину", "ина"), ("ой", "а"), ("ую", "ая")):
        if token.endswith(ending):
            return token[: -len(ending)] + nominative
    return token


def latin(name: str) -> str:
    from unidecode import unidecode

    if script(name) == "greek":
        lowered = "".join(c for c in unicodedata.normalize("NFD", name.casefold()) if not unicodedata.combining(c))
        for a, b in _GREEK_DIGRAPHS:
            lowered = lowered.replace(a, b)
        name = " ".join(w[:1].upper() + w[1:] for w in lowered.split())
    text = unidecode(name) if script(name) != "latin" else name
    return text.replace("'", "")


@lru_cache(maxsize=memo.WORDS)
def person_key(surname: str) -> str:
    """A spelling-blind key for a surname: Nazarbaev, Nazarbayev, Nazarbaef, Назарбаев, Ναζαρμπάγεφ."""
    s = unicodedata.normalize("NFKD", latin(surname).casefold())
    s = "".join(c for c in s if c.isalpha())
    for a, b in (("dzh", "j"), ("zh", "j"), ("kh", "h"), ("sch", "sh"), ("ph", "f"), ("ks", "x"), ("ck", "k"),
                 ("y", "i"), ("c", "j"), ("mp", "b"), ("gh", "g")):
        s = s.replace(a, b)
    s = re.sub(r"(.)\1+", r"\1", s)
    s = re.sub(r"(?:ef|ev|eff)$", "ev", s)
    s = s.replace("ai", "a").replace("ia", "a").replace("ie", "e")
    return s


def _deletions(key: str) -> set[str]:
    """The key and every key one character shorter made from it."""
    return {key} | {key[:i] + key[i + 1:] for i in range(len(key))}


class _Spans:
    """Whether an offset falls inside any of a set of spans, by binary search."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self.starts = [s for s, _ in spans]
        self.reach: list[int] = []  # the furthest end among the spans up to each one
        for _, end in spans:
            self.reach.append(max(end, self.reach[-1]) if self.reach else end)

    def covers(self, at: int) -> bool:
        i = bisect_right(self.starts, at) - 1
        return i >= 0 and self.reach[i] > at


def _close(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 6:
        return False
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b) <= 1


def find_persons(page: Page, blocks: list[Block]) -> list[tuple[Person, list[Span]]]:
    """People of the text, each once, with every mention as evidence."""
    mentions: list[_Mention] = []
    for block in blocks:
        mentions.extend(_candidates(page.block_text(block), block.start))
    # A lone surname found elsewhere as part of a full name is that person.
    full = [m for m in mentions if len(m.tokens) >= 2]
    surnames = {person_key(" ".join(_nominative(m.tokens[-1:]))) for m in full}
    taken = _Spans([(m.start, m.end) for m in mentions])
    for block in blocks if surnames else ():
        text = page.block_text(block)
        for m in _WORD_OF_NAME.finditer(text):
            token = m.group(0)
            if len(token) <= 3 or person_key(" ".join(_nominative([token]))) not in surnames:
                continue
            if taken.covers(block.start + m.start()):
                continue  # part of a name already found
            if not _not_a_name_word(token):
                mentions.append(_Mention(token, block.start + m.start(), block.start + m.end(), [token]))
    people: list[_Person] = []
    # Each person is found by the keys one deletion away from theirs: a key within one edit of another shares one
    # of them, so a mention is compared with a few people, not with every one (a list of thousands of names).
    by_variant: dict[str, list[int]] = {}
    for mention in sorted(mentions, key=lambda m: m.start):
        key = person_key(_nominative(mention.tokens)[-1])
        variants = _deletions(key)
        candidates = sorted({i for v in variants for i in by_variant.get(v, ())})
        match = next((i for i in candidates if _close(people[i].key, key)), None)
        if match is not None:
            people[match].mentions.append(mention)
            continue
        for v in variants:
            by_variant.setdefault(v, []).append(len(people))
        people.append(_Person([mention], key))
    out: list[tuple[Person, list[Span]]] = []
    for person in people:
        spans = [Span(m.text, m.start, m.end) for m in person.mentions]
        out.append((Person(_display(person), _role(person), None), spans))
    return _dedupe(out)


def _display(person: _Person) -> str:
    """The fullest Latin spelling the text gives; else the fullest name transliterated."""
    ranked = sorted(person.mentions, key=lambda m: (script(m.text) != "latin", -len(m.tokens), m.start))
    best = ranked[0]
    tokens = _nominative(best.tokens)
    return latin(" ".join(tokens))


def _role(person: _Person) -> str | None:
    return next((m.title for m in person.mentions if m.title), None)


def _dedupe(found: list[tuple[Person, list[Span]]]) -> list[tuple[Person, list[Span]]]:
    seen: set[str] = set()
    out = []
    for person, spans in found:
        k = fold(person.name)
        if k not in seen:
            seen.add(k)
            out.append((person, spans))
    return out
