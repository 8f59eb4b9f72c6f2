"""Cue words per language, read from ``data/lexicons/<lang>.toml``.

The lexicons are data: phrases that mark site chrome, posting stamps,
document kinds, first-person demands and the like.  They are merged across
languages, because a line's language is often unknown (a menu line has two
words) and a page mixes languages.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True, eq=False)
class Lexicon:
    """Phrases by ``section.key`` (``chrome.prefixes``), each with its language."""

    phrases: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)  # abbreviations: CP -> Communist Party; numbers

    def get(self, key: str) -> tuple[str, ...]:
        return _get(self, key)

    def words(self, key: str) -> frozenset[str]:
        """The phrases of a list as a set, for membership tests."""
        return _words(self, key)

    def languages_of(self, key: str) -> dict[str, str]:
        return {p: lang for p, lang in self.phrases.get(key, ())}

    def pattern(self, key: str, *, at_start: bool = False, folded: bool = False) -> re.Pattern[str]:
        """One compiled regex for a phrase list, longest phrase first, whole words only.

        ``folded=True`` gives a case-sensitive pattern for text already casefolded
        (the phrases are stored casefolded): several times faster on long texts.
        """
        return _pattern(self, key, at_start, folded)


HITS_CACHE = 4096  # casefolded texts whose cue hits are kept


@dataclass(frozen=True, slots=True)
class Hit:
    key: str
    start: int
    end: int


class Matcher:
    """All phrases of several lexicon lists in one Aho-Corasick automaton (pyahocorasick): one pass over a
    casefolded text finds every cue of every list, whole words only ("phrase*" a stem)."""

    def __init__(self, keys: tuple[str, ...]):
        import ahocorasick

        self._automaton = ahocorasick.Automaton()
        table: dict[str, list[tuple[str, bool]]] = {}
        for key in keys:
            for phrase in load().get(key):
                stem = phrase.endswith("*")
                text = phrase.rstrip("*")
                if text:
                    table.setdefault(text, []).append((key, stem))
        for text, owners in table.items():
            self._automaton.add_word(text, (len(text), tuple(owners)))
        if table:
            self._automaton.make_automaton()
        self._empty = not table

        # Sentences are read by several extractors: ``hits`` keeps the hits of the latest ones.
        self.hits = lru_cache(maxsize=HITS_CACHE)(self.find)

    def find(self, folded: str) -> tuple[Hit, ...]:
        """Every cue in a casefolded text (not cached: for long texts read once)."""
        if self._empty:
            return ()
        out = []
        for end, (length, owners) in self._automaton.iter(folded):
            start = end - length + 1
            if start > 0 and (folded[start - 1].isalnum() or folded[start - 1] == "_"):
                continue
            right_open = end + 1 >= len(folded) or not (folded[end + 1].isalnum() or folded[end + 1] == "_")
            for key, stem in owners:
                if stem or right_open:
                    out.append(Hit(key, start, end + 1))
        return tuple(out)


@cache
def matcher(keys: tuple[str, ...]) -> Matcher:
    return Matcher(keys)


def sentence_cues() -> Matcher:
    """The cues a sentence is read for, demands and events, in one automaton both extractors share."""
    return matcher(tuple(sorted(k for k in load().phrases if k.startswith(("demands.", "events.")))))


@cache
def _get(lexicon: Lexicon, key: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for p, _ in lexicon.phrases.get(key, ())))


@cache
def _words(lexicon: Lexicon, key: str) -> frozenset[str]:
    return frozenset(_get(lexicon, key))


@cache
def _pattern(lexicon: Lexicon, key: str, at_start: bool, folded: bool) -> re.Pattern[str]:
    return _compile(lexicon.get(key), at_start, folded)


def _compile(phrases: tuple[str, ...], at_start: bool, folded: bool) -> re.Pattern[str]:
    """Whole words; a phrase ending in "*" is a stem and matches any ending ("arrest*": arrested, arrests)."""
    def one(phrase: str) -> str:
        if phrase.endswith("*"):
            return re.escape(phrase[:-1]) + r"\w*"
        return re.escape(phrase) + r"(?!\w)"

    alternatives = "|".join(one(p) for p in sorted(set(phrases), key=len, reverse=True))
    if not alternatives:
        return re.compile(r"(?!x)x")
    head = r"^\s*" if at_start else r"(?<!\w)"
    return re.compile(rf"{head}(?:{alternatives})", 0 if folded else re.IGNORECASE)


@cache
def load() -> Lexicon:
    merged: dict[str, list[tuple[str, str]]] = {}
    tables: dict[str, dict[str, Any]] = {}
    root = resources.files("solidarity_atlas") / "data"
    entries = [e for name in ("lexicons", "cues") if (root / name).is_dir() for e in (root / name).iterdir()]
    for entry in sorted(entries, key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        lang = str(data.get("language", entry.name[:-5]))
        for section, values in data.items():
            if not isinstance(values, dict):
                continue
            for key, phrases in values.items():
                if isinstance(phrases, (str, int)):  # a table of one value per key (abbreviations, numbers)
                    # Keys compare with casefolded text: "Τρεις" -> "τρεισ" must find "τρεις".
                    tables.setdefault(section, {})[str(key).casefold() if section == "numbers" else str(key)] = phrases
                    continue
                merged.setdefault(f"{section}.{key}", []).extend((str(p).casefold(), lang) for p in phrases)
    return Lexicon({k: tuple(v) for k, v in merged.items()}, {k: dict(v) for k, v in tables.items()})
