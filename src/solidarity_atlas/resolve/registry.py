"""The organisation registry: ``data/organizations.csv`` loaded and indexed.

Each organisation has a stable id, a canonical English name, a country
(none for international bodies), a kind, and its acronyms, native names and
other names.  Indexes answer: which organisations go by this name (folded),
by this acronym (as written), or by this concept in this country
(the name's English words, see :mod:`solidarity_atlas.resolve.names`).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from solidarity_atlas import memo
from solidarity_atlas.diskcache import load_or_build, package_files
from solidarity_atlas.resolve.names import FILLERS, parse
from solidarity_atlas.resolve.text import fold

KINDS = frozenset({"party", "union", "front", "youth", "international", "other"})


@dataclass(frozen=True, slots=True)
class OrgEntry:
    id: str
    name: str
    country: str | None
    kind: str
    acronyms: tuple[str, ...]
    native: tuple[str, ...]
    aliases: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.native, *self.aliases)


@lru_cache(maxsize=memo.TEXTS)
def name_key(text: str) -> str:
    """The folded form names are indexed by; "the" and other fillers do not count."""
    return " ".join(w for w in fold(text).split() if w not in FILLERS)


class Registry:
    def __init__(self, entries: list[OrgEntry]):
        self.entries = {e.id: e for e in entries}
        self.by_name: dict[str, set[str]] = defaultdict(set)
        self.by_acronym: dict[str, set[str]] = defaultdict(set)
        # (country, concept) -> (id, how the name gives the country: "name", "demonym" or "none")
        self.by_concept: dict[tuple[str | None, frozenset[str]], set[tuple[str, str]]] = defaultdict(set)
        self.by_country: dict[str | None, list[str]] = defaultdict(list)
        for e in entries:
            self.add_names(e.id, e.names)
            for acronym in e.acronyms:
                self.by_acronym[_acronym_key(acronym)].add(e.id)
            self.by_country[e.country].append(e.id)
            for name in (e.name, *e.native):
                parsed = parse(name)
                if parsed.concept:
                    self.by_concept[(e.country, parsed.concept)].add((e.id, parsed.country_form))

    def add_names(self, org_id: str, names: tuple[str, ...] | list[str]) -> None:
        for name in names:
            if name_key(name):
                self.by_name[name_key(name)].add(org_id)

    def named(self, text: str) -> set[str]:
        return self.by_name.get(name_key(text), set())

    def acronym(self, text: str) -> set[str]:
        return self.by_acronym.get(_acronym_key(text), set())

    def __len__(self) -> int:
        return len(self.entries)


def _acronym_key(acronym: str) -> str:
    """Acronyms compare without dots, dashes and case: "CGTP-IN" = "CGTP IN", "KPRF" = "kprf"."""
    return fold(acronym).replace(" ", "")


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (cell or "").split("|") if p.strip())


def load_entries(path: Path | None = None) -> list[OrgEntry]:
    source = path or resources.files("solidarity_atlas") / "data" / "organizations.csv"
    with source.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    return [
        OrgEntry(
            row["id"].strip(), row["name"].strip(), row["country"].strip() or None, row["kind"].strip(),
            _split(row.get("acronyms")), _split(row.get("native")), _split(row.get("aliases")),
        )
        for row in rows
    ]


# What the registry's indexes are built from: the data, and the code that parses names.
_SOURCES = ("data/organizations.csv", "data/countries.csv", "data/orgwords.csv", "data/lexicons", "resolve/names.py",
            "resolve/registry.py", "resolve/countries.py", "resolve/text.py", "lexicons.py", "shapes.py")


@cache
def registry() -> Registry:
    """The shared registry (see :func:`fresh_registry`)."""
    return fresh_registry()


def fresh_registry() -> Registry:
    """A registry of one's own, indexed once per version of its data and code and kept in the cache folder."""
    return load_or_build("registry", package_files(*_SOURCES), lambda: Registry(load_entries()))
