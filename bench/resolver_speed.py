"""Speed benchmark for the organisation resolver (``Resolver.resolve``).

1. Builds a registry of at least ``--registry-names`` names (default 2,000): the real
   ``data/organizations.csv``, extended with synthetic organisations written to a temporary
   CSV when the real one has fewer names.
2. Generates a workload of ``--names`` signatory names (default 20,000) as lists write them —
   abbreviations, country prefixes and suffixes, acronyms, case and spacing, typos, native and
   translated names, sub-bodies — plus about 20% invented organisations; times ``resolve()``
   cold (each distinct name once, fresh cache), as a stream (the workload in order, fresh cache)
   and warm (every name cached), and counts the names by method.
3. Extracts ``--docs`` generated documents (default 300, generator of ``extract_throughput.py``)
   with ``solidarity_atlas.api.extract_file`` and measures the share of the time spent inside
   ``Resolver.resolve``, which is wrapped with a timer for the run.

Run ``python bench/resolver_speed.py --help``; see bench/README.md.
This is a benchmark, not a test: it never asserts, it reports.
"""

from __future__ import annotations

import argparse
import csv
import gc
import importlib
import json
import os
import platform
import random
import re
import shlex
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

from solidarity_atlas import api
from solidarity_atlas.extract import pipeline
from solidarity_atlas.lexicons import load as load_lexicons
from solidarity_atlas.resolve import countries as countries_mod
from solidarity_atlas.resolve import orgs
from solidarity_atlas.resolve.countries import countries
from solidarity_atlas.resolve.judgements import Judgements
from solidarity_atlas.resolve.names import FILLERS, english, parse
from solidarity_atlas.resolve.orgs import Resolution, Resolver
from solidarity_atlas.resolve.registry import OrgEntry, Registry, load_entries, name_key
from solidarity_atlas.resolve.text import fold, slug

Figures = dict[str, Any]

METHODS = ("judgement", "name", "acronym", "concept", "fuzzy", "part", "new")
UNKNOWN_SHARE = 0.2  # share of the workload that names organisations the registry does not hold
UNKNOWN_DISTINCT = 0.6  # distinct unknown names per unknown slot: the rest are repeats
ZIPF = 0.8  # popularity of registry organisations: weight 1 / rank**ZIPF (lists repeat the big parties)
VARIANT_POOL = 500  # distinct workload names the "list variants" documents draw their signatories from
FIELDS = ("id", "name", "country", "kind", "acronyms", "native", "aliases")

# --------------------------------------------------------------------------------------
# 1. Registry
# --------------------------------------------------------------------------------------

CITIES: list[tuple[str, str]] = [
    ("Porto", "PT"), ("Lisbon", "PT"), ("Thessaloniki", "GR"), ("Patras", "GR"), ("Piraeus", "GR"),
    ("Barcelona", "ES"), ("Seville", "ES"), ("Valencia", "ES"), ("Bilbao", "ES"), ("Lyon", "FR"),
    ("Marseille", "FR"), ("Lille", "FR"), ("Turin", "IT"), ("Genoa", "IT"), ("Naples", "IT"),
    ("Hamburg", "DE"), ("Leipzig", "DE"), ("Dortmund", "DE"), ("Glasgow", "GB"), ("Liverpool", "GB"),
    ("Sheffield", "GB"), ("Cork", "IE"), ("Antwerp", "BE"), ("Rotterdam", "NL"), ("Gothenburg", "SE"),
    ("Bergen", "NO"), ("Aarhus", "DK"), ("Tampere", "FI"), ("Gdansk", "PL"), ("Brno", "CZ"),
    ("Debrecen", "HU"), ("Cluj-Napoca", "RO"), ("Plovdiv", "BG"), ("Novi Sad", "RS"), ("Izmir", "TR"),
    ("Limassol", "CY"), ("Kharkiv", "UA"), ("Novosibirsk", "RU"), ("Yekaterinburg", "RU"), ("Minsk", "BY"),
    ("Almaty", "KZ"), ("Kolkata", "IN"), ("Chennai", "IN"), ("Karachi", "PK"), ("Chittagong", "BD"),
    ("Colombo", "LK"), ("Kathmandu", "NP"), ("Cebu", "PH"), ("Osaka", "JP"), ("Busan", "KR"),
    ("Durban", "ZA"), ("Lagos", "NG"), ("Mombasa", "KE"), ("Alexandria", "EG"), ("Casablanca", "MA"),
    ("Sfax", "TN"), ("Basra", "IQ"), ("Aleppo", "SY"), ("Tripoli", "LB"), ("Haifa", "IL"),
    ("Rosario", "AR"), ("Valparaiso", "CL"), ("Arequipa", "PE"), ("Medellin", "CO"), ("Maracaibo", "VE"),
    ("Guayaquil", "EC"), ("Santa Cruz de la Sierra", "BO"), ("Salto", "UY"), ("Monterrey", "MX"),
    ("Santiago de Cuba", "CU"), ("Sao Paulo", "BR"), ("Recife", "BR"), ("Porto Alegre", "BR"),
    ("Toronto", "CA"), ("Montreal", "CA"), ("Chicago", "US"), ("Detroit", "US"), ("Melbourne", "AU"),
]
TRADES = [
    "Metal", "Dock", "Textile", "Railway", "Mine", "Bank", "Health", "Postal", "Construction", "Transport",
    "Food", "Chemical", "Energy", "Hotel", "Printing", "Shipyard",
]
PROFESSIONS = [
    "Teachers", "Nurses", "Journalists", "Dockers", "Miners", "Seafarers", "Farmers", "Pensioners", "Engineers",
    "Bakers", "Drivers", "Doctors", "Artists", "Lawyers", "Students", "Tenants",
]
CITY_TEMPLATES = [
    ("Union of {trade} Workers of {city}", "{city} {trade} Workers' Union"),
    ("{city} Federation of {trade} Unions", "Federation of {trade} Unions of {city}"),
    ("Trades Council of {city} {trade} Workers", "{city} {trade} Trades Council"),
]
DEMONYM_TEMPLATES = [
    ("{demonym} Federation of {profession}", "Federation of {demonym} {profession}"),
    ("{demonym} Union of {trade} Workers", "{demonym} {trade} Workers' Union"),
    ("{demonym} Association of Progressive {profession}", "Progressive {profession} of {country}"),
]


def count_names(entries: Sequence[OrgEntry]) -> dict[str, int]:
    parts = {
        "canonical": len(entries),
        "native": sum(len(e.native) for e in entries),
        "aliases": sum(len(e.aliases) for e in entries),
        "acronyms": sum(len(e.acronyms) for e in entries),
    }
    return {**parts, "total": sum(parts.values())}


def english_demonyms() -> dict[str, str]:
    """ISO code -> the English demonym ("GR" -> "Greek"), from the package's countries table."""
    found: dict[str, str] = {}
    path = resources.files("solidarity_atlas") / "data" / "countries.csv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            code, first = row["code"].strip(), row["demonyms"].split("|")[0].strip()
            if len(code) == 2 and first[:1].isupper():
                found.setdefault(code, first)
    return found


def initials(name: str) -> str:
    return "".join(w[0] for w in re.findall(r"[^\W\d_][\w'-]*", name) if w[0].isupper() and fold(w) not in FILLERS)


def synthetic_rows(rng: random.Random, needed: int, taken: set[str]) -> list[dict[str, str]]:
    """Synthetic unions (name, one alias, one acronym: three names each) until ``needed`` names are made."""
    demonyms = english_demonyms()
    english = countries().english
    rows: list[dict[str, str]] = []
    made = 0
    for attempt in range(needed * 20):
        if made >= needed:
            break
        if rng.random() < 0.4:
            city, code = rng.choice(CITIES)
            template = rng.choice(CITY_TEMPLATES)
            slots = {"city": city, "trade": rng.choice(TRADES)}
        else:
            code = rng.choice(sorted(demonyms))
            template = rng.choice(DEMONYM_TEMPLATES)
            slots = {"demonym": demonyms[code], "country": english.get(code, code), "trade": rng.choice(TRADES),
                     "profession": rng.choice(PROFESSIONS)}
        name, alias = (t.format(**slots) for t in template)
        if attempt >= needed * 10:  # combinations running out: numbered branches
            name, alias = f"{name}, Branch {attempt}", f"{alias}, Branch {attempt}"
        if name_key(name) in taken or name_key(alias) in taken:
            continue
        taken.update({name_key(name), name_key(alias)})
        acronym = initials(name)
        rows.append({
            "id": f"{slug(name_key(name))}-{code.lower()}", "name": name, "country": code, "kind": "union",
            "acronyms": acronym if len(acronym) >= 2 else "", "native": "", "aliases": alias,
        })
        made += 2 + (len(acronym) >= 2)
    return rows


@dataclass
class RegistrySetup:
    entries: list[OrgEntry]
    real: dict[str, int]
    synthetic: dict[str, int]
    synthetic_csv: str | None


def build_entries(rng: random.Random, minimum: int, work: Path) -> RegistrySetup:
    real_entries = load_entries()
    real = count_names(real_entries)
    needed = minimum - real["total"]
    if needed <= 0:
        return RegistrySetup(real_entries, real, count_names([]), None)
    taken = {name_key(n) for e in real_entries for n in e.names}
    path = work / "synthetic-organizations.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("# Synthetic organisations for bench/resolver_speed.py; not facts.\n")
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(synthetic_rows(rng, needed, taken))
    synthetic_entries = load_entries(path)
    return RegistrySetup(real_entries + synthetic_entries, real, count_names(synthetic_entries), str(path))


# --------------------------------------------------------------------------------------
# 2. Workload: registry names as signatory lists write them, and invented organisations
# --------------------------------------------------------------------------------------

TRANSLATIONS: dict[str, dict[str, str]] = {
    "es": {"communist": "Comunista", "party": "Partido", "workers": "de los Trabajadores", "socialist": "Socialista",
           "union": "Unión", "youth": "Juventud", "federation": "Federación", "league": "Liga",
           "revolutionary": "Revolucionario", "new": "Nuevo", "peoples": "del Pueblo", "democratic": "Democrático",
           "front": "Frente", "general": "General", "confederation": "Confederación", "national": "Nacional",
           "movement": "Movimiento", "marxist": "Marxista", "leninist": "Leninista", "popular": "Popular",
           "progressive": "Progresista", "united": "Unido", "unified": "Unificado"},
    "pt": {"communist": "Comunista", "party": "Partido", "workers": "dos Trabalhadores", "socialist": "Socialista",
           "union": "União", "youth": "Juventude", "federation": "Federação", "league": "Liga",
           "revolutionary": "Revolucionário", "new": "Novo", "peoples": "do Povo", "democratic": "Democrático",
           "front": "Frente", "confederation": "Confederação", "national": "Nacional", "movement": "Movimento",
           "marxist": "Marxista", "leninist": "Leninista", "popular": "Popular", "progressive": "Progressista",
           "united": "Unido", "unified": "Unificado"},
    "fr": {"communist": "Communiste", "party": "Parti", "workers": "des Travailleurs", "socialist": "Socialiste",
           "union": "Union", "youth": "Jeunesse", "federation": "Fédération", "league": "Ligue",
           "revolutionary": "Révolutionnaire", "new": "Nouveau", "peoples": "du Peuple", "democratic": "Démocratique",
           "front": "Front", "general": "Générale", "confederation": "Confédération", "national": "National",
           "movement": "Mouvement", "marxist": "Marxiste", "leninist": "Léniniste", "popular": "Populaire",
           "progressive": "Progressiste", "united": "Uni", "unified": "Unifié"},
    "de": {"communist": "Kommunistische", "party": "Partei", "workers": "Arbeiter", "socialist": "Sozialistische",
           "union": "Union", "youth": "Jugend", "federation": "Föderation", "league": "Liga",
           "revolutionary": "Revolutionäre", "new": "Neue", "peoples": "Völker", "democratic": "Demokratische",
           "front": "Front", "general": "Allgemeine", "confederation": "Konföderation", "national": "Nationale",
           "movement": "Bewegung", "marxist": "Marxistische", "leninist": "Leninistische", "progressive": "Progressive",
           "united": "Vereinigte", "unified": "Vereinigte"},
}
ROMANCE = frozenset({"es", "pt", "fr"})
OF = {"es": "de", "pt": "de", "fr": "de", "de": "der"}
SUB_BODIES = [
    ", Central Committee", " – International Department", ", Political Bureau", " – Secretariat",
    ", Executive Committee", " – International Relations Section", ", Comrade {person}, General Secretary",
    " – {person}, President",
]
PERSONS = ["María López", "Yannis Papadopoulos", "John Smith", "Ana Souza", "Ivan Petrov", "Ahmed Hassan", "Li Wei"]
DASHES = [" – ", " - ", " — "]
UNKNOWN_TYPES = [
    "Workers' Collective", "Solidarity Committee", "Association of Progressive Dockers", "Circle of Marxist Studies",
    "Tenants' League", "Union of Seasonal Farmhands", "Friends of the People Society", "Anti-Imperialist Forum",
    "Committee for Peace and Bread", "Popular Assembly", "Movement for Workers' Dignity",
    "Federation of Independent Bakers", "Coordination of Rank-and-File Teachers", "Front for Land and Water",
    "Brigade of Solidarity Volunteers", "Network of Migrant Workers", "Cooperative of Fishermen",
    "Council of Unemployed Youth", "Initiative for Public Health", "Guild of Printers and Typesetters",
]
SYLLABLES = ["vel", "mor", "ta", "ska", "rin", "do", "bar", "lo", "zen", "qua", "ti", "vos", "ka", "ne", "lu",
             "pra", "gor", "mi", "den", "sa", "ul", "tro", "bek", "an"]


@dataclass(frozen=True, slots=True)
class Item:
    raw: str
    expected: str | None  # the registry id the name should resolve to; None for an invented organisation
    kind: str


@dataclass
class Workload:
    items: list[Item]  # in resolution order, repeats included
    distinct: list[Item]  # first sight of each raw string, in order

    @property
    def names(self) -> list[str]:
        return [i.raw for i in self.items]


def round_trip(english_word: str, translation: str) -> bool:
    """Whether the package's word table reads the translation back as the English word."""
    words = [w for w in fold(translation).split() if w not in FILLERS]
    return bool(words) and all(english(w) == english(english_word) for w in words)


def abbreviations() -> list[tuple[str, str]]:
    """(expansion, abbreviation), longest expansion first: ("Communist Workers' Party", "CWP")."""
    table = load_lexicons().tables.get("abbreviations", {})
    pairs = [(v, k) for k, v in table.items() if k[-1].isupper() and v.endswith(("Party", "League"))]
    return sorted(pairs, key=lambda p: len(p[0]), reverse=True)


class VariantMaker:
    """Writes one registry organisation the way a signatory list might."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.english = countries().english
        self.abbreviations = abbreviations()
        self.translations = {lang: {k: v for k, v in table.items() if round_trip(k, v)}
                             for lang, table in TRANSLATIONS.items()}
        self.kinds: dict[str, tuple[float, Callable[[OrgEntry], str | None]]] = {
            "canonical": (1.0, lambda e: e.name),
            "abbreviation": (1.5, self.abbreviated),
            "name (country)": (1.0, lambda e: self.with_country(e.name, e, "{name} ({country})")),
            "country: name": (0.8, lambda e: self.with_country(e.name, e, "{country}: {name}")),
            "name, country": (0.8, lambda e: self.with_country(e.name, e, "{name}, {country}")),
            "name – acronym": (1.0, self.name_acronym),
            "case/spacing": (1.0, self.case_spacing),
            "typo": (1.0, self.typo),
            "native/alias": (1.0, self.native),
            "acronym + country": (1.5, self.acronym),
            "translated": (0.7, self.translated),
            "sub-body": (0.5, self.sub_body),
        }

    def make(self, entry: OrgEntry) -> Item:
        kinds = list(self.kinds)
        weights = [self.kinds[k][0] for k in kinds]
        for _ in range(10):
            kind = self.rng.choices(kinds, weights)[0]
            raw = self.kinds[kind][1](entry)
            if raw:
                return Item(raw, entry.id, kind)
        return Item(entry.name, entry.id, "canonical")

    def country(self, entry: OrgEntry) -> str | None:
        return self.english.get(entry.country) if entry.country else None

    def with_country(self, name: str, entry: OrgEntry, template: str) -> str | None:
        country = self.country(entry)
        return template.format(name=name, country=country) if country else None

    def abbreviated(self, entry: OrgEntry) -> str | None:
        for expansion, short in self.abbreviations:
            if expansion in entry.name:
                return entry.name.replace(expansion, short, 1)  # "CP of Greece", "Hungarian WP"
        return None

    def name_acronym(self, entry: OrgEntry) -> str | None:
        if not entry.acronyms:
            return None
        acronym = self.rng.choice(entry.acronyms)
        form = self.rng.choice(["{name}{dash}{acronym}", "{name} ({acronym})"])
        return form.format(name=entry.name, dash=self.rng.choice(DASHES), acronym=acronym)

    def case_spacing(self, entry: OrgEntry) -> str:
        name = self.rng.choice(entry.names)
        change = self.rng.choice(["upper", "lower", "title", "spaces", "padding", "nbsp"])
        if change == "upper":
            return name.upper()
        if change == "lower":
            return name.lower()
        if change == "title":
            return name.title()
        if change == "spaces":
            return re.sub(" ", lambda _: " " * self.rng.randint(1, 3), name)
        if change == "padding":
            return " " * self.rng.randint(1, 3) + name + self.rng.choice(["", " ", "  ", "\t", " .", ";"])
        return name.replace(" ", "\u00a0", 1)

    def typo(self, entry: OrgEntry) -> str | None:
        """One letter wrong in one long word: swapped, dropped, doubled or replaced."""
        name = self.rng.choice((entry.name, *entry.native))
        folded = fold(name).split()
        country_words = {w for m in countries().find(folded) for w in folded[m.start:m.end]}
        # Not in the country's words: without a country the resolver never tries a fuzzy match, by design.
        words = [m.span() for m in re.finditer(r"[^\W\d_]{7,}", name) if fold(m.group()) not in country_words]
        if not words:
            return None
        start, end = self.rng.choice(words)
        i = self.rng.randrange(start + 1, end - 1)
        op = self.rng.choice(["swap", "drop", "double", "replace"])
        if op == "swap" and name[i] != name[i + 1]:
            return name[:i] + name[i + 1] + name[i] + name[i + 2:]
        if op == "double":
            return name[:i] + name[i] + name[i:]
        if op == "replace":
            letter = self.rng.choice([c for c in "aeiourstnlm" if c != name[i].lower()])
            return name[:i] + letter + name[i + 1:]
        return name[:i] + name[i + 1:]

    def native(self, entry: OrgEntry) -> str | None:
        others = (*entry.native, *entry.aliases)
        if not others:
            return None
        name = self.rng.choice(others)
        return self.with_country(name, entry, "{name} ({country})") if self.rng.random() < 0.3 else name

    def acronym(self, entry: OrgEntry) -> str | None:
        """"KKE (Greece)", "AKEL, Cyprus", "Portugal: PCP", "PAME – Greece"; bare for international bodies."""
        if not entry.acronyms:
            return None
        acronym = self.rng.choice(entry.acronyms)
        country = self.country(entry)
        if not country:
            return acronym  # "WFTU"
        form = self.rng.choice(["{acronym} ({country})", "{acronym}, {country}", "{country}: {acronym}",
                                "{acronym}{dash}{country}"])
        return form.format(acronym=acronym, country=country, dash=self.rng.choice(DASHES))

    def translated(self, entry: OrgEntry) -> str | None:
        """The English name's words in Spanish, Portuguese, French or German, the country in brackets:
        "Partido Comunista (Greece)" — a name only the concept index can match."""
        country = self.country(entry)
        if not country:
            return None
        words = fold(entry.name).split()
        own = fold(country)
        mentions = [  # the country itself ("of Spain", "Brazilian"), not a region filed under it ("of Catalonia")
            m for m in countries().find(words)
            if m.code == entry.country and (m.demonym or " ".join(words[m.start:m.end]) == own)
        ]
        drop = {i for m in mentions for i in range(m.start, m.end)}
        for m in mentions:  # "of (the) Greece": the joining words go with the country
            j = m.start - 1
            while j >= 0 and words[j] in FILLERS:
                drop.add(j)
                j -= 1
        core = [w for i, w in enumerate(words) if i not in drop]
        lang = self.rng.choice(sorted(self.translations))
        table = self.translations[lang]
        if not core or any(w not in table and w not in FILLERS for w in core):
            return None
        cut = next((i for i, w in enumerate(core) if w in FILLERS), len(core))
        head, tail = core[:cut], core[cut:]
        if lang in ROMANCE:
            head.reverse()  # "Communist Party" -> "Partido Comunista"
        out = [table[w] for w in head]
        for i, word in enumerate(tail):
            if word not in FILLERS:
                out.append(table[word])
                continue
            following = next((w for w in tail[i + 1:] if w not in FILLERS), None)
            if word == "of" and following is not None and table[following][:1].isupper():
                out.append(OF[lang])  # "Union de Jeunesse"; "de los Trabajadores" brings its own
        text = " ".join(out)
        return f"{text[:1].upper()}{text[1:]} ({country})"

    def sub_body(self, entry: OrgEntry) -> str:
        suffix = self.rng.choice(SUB_BODIES).format(person=self.rng.choice(PERSONS))
        return f"{entry.name}{suffix}"


class UnknownMaker:
    """Invented organisations: invented places, or real countries and cities with invented bodies."""

    def __init__(self, rng: random.Random, reg: Registry):
        self.rng = rng
        self.registry = reg
        self.english = sorted(countries().english.values())

    def place(self) -> str:
        for _ in range(50):
            word = "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3)))
            word += self.rng.choice(["", "", "ia", "a", "stan", "ovo", "land"])
            if countries().lookup(word) is None:
                return word.capitalize()
        return "Nowhere"

    def make(self) -> str:
        kind = self.rng.choice(UNKNOWN_TYPES)
        form = self.rng.choice([
            "{place} {kind}", "{kind} of {place}", "{kind} ({country})", "{country}: {kind}", "{kind}, {city}",
            "{kind}{dash}{acronym}", "{demonym} {kind}",
        ])
        place = self.place()
        return form.format(
            place=place, kind=kind, country=self.rng.choice(self.english), city=self.rng.choice(CITIES)[0],
            dash=self.rng.choice(DASHES), acronym=initials(f"{place} {kind}").upper(), demonym=f"{place}n",
        )

    def pool(self, size: int) -> list[str]:
        found: dict[str, None] = {}
        for _ in range(size * 20):
            if len(found) >= size:
                break
            raw = self.make()
            if not self.registry.named(raw) and not self.registry.named(parse(raw).name):
                found[raw] = None
        return list(found)


def build_workload(rng: random.Random, entries: list[OrgEntry], reg: Registry, total: int) -> Workload:
    ranked = entries[:]
    rng.shuffle(ranked)
    weights = [1 / (rank + 1) ** ZIPF for rank in range(len(ranked))]
    unknown_slots = round(total * UNKNOWN_SHARE)
    maker = VariantMaker(rng)
    items = [maker.make(entry) for entry in rng.choices(ranked, weights, k=total - unknown_slots)]
    pool = UnknownMaker(rng, reg).pool(max(1, round(unknown_slots * UNKNOWN_DISTINCT)))
    items += [Item(raw, None, "unknown") for raw in rng.choices(pool, k=unknown_slots)]
    rng.shuffle(items)
    first: dict[str, Item] = {}
    for item in items:
        first.setdefault(item.raw, item)
    return Workload(items, list(first.values()))


# --------------------------------------------------------------------------------------
# Resolver timing
# --------------------------------------------------------------------------------------


def string_caches() -> list[Any]:
    """The package's per-string memos (``fold``, ``name_key``, ``parse``, pycountry look-ups, ...): they live
    for the whole process, across Resolver instances.  Table loaders (``countries()``, ``registry()``) and
    the resolver itself (``orgs._resolver``) are not among them: unbounded or single-entry caches stay."""
    found: list[Any] = [countries_mod._pycountry]
    for module_name, module in list(sys.modules.items()):
        if module_name.split(".")[0] != "solidarity_atlas":
            continue
        for value in vars(module).values():
            info = getattr(value, "cache_info", None)
            if (callable(info) and getattr(value, "__module__", None) == module_name
                    and (info().maxsize or 0) > 1 and value not in found):
                found.append(value)
    return found


def cache_names() -> list[str]:
    return sorted(f"{f.__module__.removeprefix('solidarity_atlas.')}.{f.__name__}" for f in string_caches())


def clear_process_caches() -> None:
    """Start cold: forget every name the process has already taken apart."""
    for function in string_caches():
        function.cache_clear()


def warm_tables() -> None:
    """Load the countries, words, lexicons and gazetteer before anything is timed."""
    api.warm_up()
    for text in ("Communist Party of Greece (KKE)", "Partido Comunista de España, Madrid", "Zz Front (Narnia)"):
        parse(text)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))] if ordered else 0.0


@dataclass
class ColdPass:
    seconds: float
    results: list[tuple[Item, Resolution, float]]


def cold_pass(resolver: Resolver, distinct: list[Item]) -> ColdPass:
    resolver._cache.clear()
    clear_process_caches()
    gc.collect()
    results: list[tuple[Item, Resolution, float]] = []
    clock = time.perf_counter
    start = clock()
    for item in distinct:
        t0 = clock()
        found = resolver.resolve(item.raw)
        results.append((item, found, clock() - t0))
    return ColdPass(clock() - start, results)


def loop_seconds(resolver: Resolver, names: list[str]) -> float:
    gc.collect()
    resolve = resolver.resolve
    start = time.perf_counter()
    for raw in names:
        resolve(raw)
    return time.perf_counter() - start


def rate(count: int, seconds: float) -> float | None:
    return count / seconds if seconds > 0 else None


def method_figures(cold: ColdPass, workload: Workload) -> Figures:
    occurrences = Counter(workload.names)
    by_method: dict[str, list[float]] = {m: [] for m in METHODS}
    weighted: Counter[str] = Counter()
    for item, found, seconds in cold.results:
        by_method.setdefault(found.method, []).append(seconds)
        weighted[found.method] += occurrences[item.raw]
    spent = sum(s for _, _, s in cold.results) or 1.0
    figures: Figures = {}
    for method, times in by_method.items():
        if not times and method == "judgement":
            continue
        figures[method] = {
            "distinct": len(times),
            "distinct_share": len(times) / max(1, len(cold.results)),
            "workload_share": weighted[method] / max(1, len(workload.items)),
            "mean_us": 1e6 * sum(times) / len(times) if times else None,
            "p50_us": 1e6 * percentile(times, 0.5) if times else None,
            "p95_us": 1e6 * percentile(times, 0.95) if times else None,
            "time_share": sum(times) / spent,
        }
    return figures


def kind_figures(cold: ColdPass, workload: Workload) -> Figures:
    occurrences = Counter(i.kind for i in workload.items)
    figures: Figures = {}
    for item, found, _ in cold.results:
        row = figures.setdefault(item.kind, {"names": occurrences[item.kind], "distinct": 0, "as_expected": 0,
                                             "methods": Counter()})
        row["distinct"] += 1
        row["methods"][found.method] += 1
        expected = found.method == "new" if item.expected is None else found.org.org_id == item.expected
        row["as_expected"] += expected
    for row in figures.values():
        row["as_expected_share"] = row["as_expected"] / row["distinct"]
        row["methods"] = dict(row["methods"].most_common())
    return dict(sorted(figures.items(), key=lambda kv: (kv[0] == "unknown", -kv[1]["names"])))


def measure_resolver(entries: list[OrgEntry], workload: Workload) -> Figures:
    warm_tables()
    clear_process_caches()
    start = time.perf_counter()
    resolver = Resolver(Registry(entries), Judgements())
    build = time.perf_counter() - start
    cold = cold_pass(resolver, workload.distinct)
    resolver._cache.clear()  # a fresh resolver cache, but the process still knows the names
    fresh_cache = loop_seconds(resolver, [i.raw for i in workload.distinct])
    resolver._cache.clear()
    clear_process_caches()
    stream = loop_seconds(resolver, workload.names)  # first sight resolves, repeats hit the cache
    warm = loop_seconds(resolver, workload.names)  # everything cached
    total = len(workload.items)
    return {
        "build_seconds": build,
        "cleared_caches": cache_names(),
        "index_keys": {"names": len(resolver.registry.by_name), "acronyms": len(resolver.registry.by_acronym),
                       "concepts": len(resolver.registry.by_concept)},
        "passes": {
            "cold": {"names": len(workload.distinct), "seconds": cold.seconds,
                     "names_per_s": rate(len(workload.distinct), cold.seconds)},
            "fresh_cache": {"names": len(workload.distinct), "seconds": fresh_cache,
                            "names_per_s": rate(len(workload.distinct), fresh_cache)},
            "stream": {"names": total, "seconds": stream, "names_per_s": rate(total, stream)},
            "warm": {"names": total, "seconds": warm, "names_per_s": rate(total, warm)},
        },
        "methods": method_figures(cold, workload),
        "kinds": kind_figures(cold, workload),
    }


# --------------------------------------------------------------------------------------
# 3. Share of extraction time spent resolving
# --------------------------------------------------------------------------------------


@dataclass
class Clock:
    seconds: float = 0.0
    calls: int = 0
    misses: int = 0
    miss_seconds: float = 0.0
    lookup_seconds: float = 0.0  # orgs.resolver(): the resolver for the current judgements file
    lookups: int = 0
    depth: int = 0
    keys: set[tuple[str, str | None]] = field(default_factory=set)
    miss_methods: Counter[str] = field(default_factory=Counter)


@contextmanager
def timed_resolution(clock: Clock) -> Iterator[None]:
    """Wrap ``Resolver.resolve`` (and the pipeline's ``resolver()`` look-up) with timers, in-process."""
    original_resolve = Resolver.resolve
    original_lookup = pipeline.resolver

    def resolve(self: Resolver, raw: str, context_country: str | None = None) -> Resolution:
        if clock.depth:
            return original_resolve(self, raw, context_country)
        miss = (raw, context_country) not in self._cache
        clock.depth += 1
        start = time.perf_counter()
        try:
            found = original_resolve(self, raw, context_country)
        finally:
            elapsed = time.perf_counter() - start
            clock.depth -= 1
        clock.calls += 1
        clock.seconds += elapsed
        clock.keys.add((raw, context_country))
        if miss:
            clock.misses += 1
            clock.miss_seconds += elapsed
            clock.miss_methods[found.method] += 1
        return found

    def lookup() -> Resolver:
        start = time.perf_counter()
        try:
            return original_lookup()
        finally:
            clock.lookups += 1
            clock.lookup_seconds += time.perf_counter() - start

    Resolver.resolve = resolve  # type: ignore[method-assign]
    pipeline.resolver = lookup  # type: ignore[assignment]
    try:
        yield
    finally:
        Resolver.resolve = original_resolve  # type: ignore[method-assign]
        pipeline.resolver = original_lookup  # type: ignore[assignment]


def corpus_generator() -> ModuleType:
    """bench/extract_throughput.py, for its document generator."""
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    return importlib.import_module("extract_throughput")


def generate_docs(gen: ModuleType, root: Path, count: int, seed: int, names: list[str] | None) -> list[Path]:
    """Documents from extract_throughput's generator; ``names`` replaces its 75 signatories."""
    saved = gen.ORGANISATIONS
    if names is not None:
        gen.ORGANISATIONS = names
    try:
        return list(gen.generate_corpus(root, count, seed).files)
    finally:
        gen.ORGANISATIONS = saved


def extract_timed(files: list[Path]) -> Figures:
    orgs.resolver()._cache.clear()
    clear_process_caches()
    gc.collect()
    clock = Clock()
    total = 0.0
    errors = signatories = 0
    with timed_resolution(clock):
        for path in files:
            start = time.perf_counter()
            outcome = api.extract_file(str(path))
            total += time.perf_counter() - start
            errors += outcome.error is not None
            signatories += len(outcome.record.signatories) if outcome.record else 0
    return {
        "docs": len(files), "errors": errors, "signatories": signatories, "seconds": total,
        "docs_per_s": rate(len(files), total), "resolve_calls": clock.calls, "resolve_distinct": len(clock.keys),
        "resolve_distinct_raw": len({raw for raw, _ in clock.keys}),
        "miss_methods": dict(clock.miss_methods.most_common()),
        "resolve_misses": clock.misses, "resolve_seconds": clock.seconds, "miss_seconds": clock.miss_seconds,
        "resolve_share": clock.seconds / total if total else None,
        "lookup_calls": clock.lookups, "lookup_seconds": clock.lookup_seconds,
        "with_lookup_share": (clock.seconds + clock.lookup_seconds) / total if total else None,
    }


def measure_extraction(work: Path, docs: int, seed: int, workload: Workload) -> Figures:
    os.environ["SOLIDARITY_JUDGEMENTS"] = str(work / "no-judgements.jsonl")  # as in part 2: no judgements
    gen = corpus_generator()
    rng = random.Random(seed)
    pool = [i.raw for i in rng.sample(workload.distinct, min(VARIANT_POOL, len(workload.distinct)))]
    sets = {
        "bench names": generate_docs(gen, work / "docs-bench", docs, seed, None),
        "list variants": generate_docs(gen, work / "docs-variants", docs, seed, pool),
    }
    warm_tables()
    for path in generate_docs(gen, work / "docs-warmup", 3, seed + 1, None):  # first-use costs of the pipeline
        api.extract_file(str(path))
    return {label: extract_timed(files) for label, files in sets.items()}


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def num(value: object, spec: str = ",.0f", missing: str = "n/a") -> str:
    return missing if value is None else format(value, spec)


def pct(value: object) -> str:
    return num(value, ".1%")


def report_registry(fig: Figures) -> list[str]:
    reg = fig["registry"]
    real, syn = reg["real"], reg["synthetic"]
    lines = [
        "Registry",
        f"  real (organizations.csv): {real['canonical']:,} organisations, {real['total']:,} names "
        f"(canonical {real['canonical']:,} + native {real['native']:,} + aliases {real['aliases']:,} "
        f"+ acronyms {real['acronyms']:,})",
    ]
    if syn["total"]:
        lines.append(f"  synthetic: {syn['canonical']:,} organisations, {syn['total']:,} names "
                     f"(temporary CSV, seed {fig['seed']})")
    else:
        lines.append(f"  synthetic: none (the real registry already has >= {reg['minimum']:,} names)")
    keys = fig["resolver"]["index_keys"]
    lines.append(f"  total: {real['canonical'] + syn['canonical']:,} organisations, {reg['total_names']:,} names; "
                 f"index keys: {keys['names']:,} names, {keys['acronyms']:,} acronyms, {keys['concepts']:,} concepts")
    build_ms = fig["resolver"]["build_seconds"] * 1e3
    lines.append(f"  Resolver(Registry(entries), Judgements()) built in {build_ms:,.1f} ms")
    return lines


def report_workload(fig: Figures) -> list[str]:
    load_ = fig["workload"]
    lines = [
        "",
        "Workload",
        f"  {load_['names']:,} names, {load_['distinct']:,} distinct ({pct(1 - load_['distinct'] / load_['names'])} "
        f"repeats); {load_['unknown']:,} invented organisations ({pct(load_['unknown'] / load_['names'])}), "
        f"{load_['unknown_distinct']:,} distinct",
        "",
        f"  {'kind':<18}{'names':>7}{'distinct':>10}{'as expected':>13}  methods (distinct names)",
    ]
    for kind, row in fig["resolver"]["kinds"].items():
        methods = ", ".join(f"{m} {n:,}" for m, n in row["methods"].items())
        lines.append(f"  {kind:<18}{row['names']:>7,}{row['distinct']:>10,}{pct(row['as_expected_share']):>13}  "
                     f"{methods}")
    lines.append("  (as expected: the registry id the variant was made from; for invented ones, method \"new\")")
    return lines


def report_speed(fig: Figures) -> list[str]:
    passes = fig["resolver"]["passes"]
    notes = {
        "cold": "each distinct name once, fresh cache, string caches cleared",
        "fresh_cache": "the same again, fresh resolver cache, string caches (parse, fold, ...) warm",
        "stream": "the workload in order, cold: first sight resolves, repeats hit",
        "warm": "the workload again, every name cached",
    }
    lines = ["", "Resolver speed (one core, in-process)",
             f"  {'pass':<12}{'names':>8}{'seconds':>10}{'names/s':>12}  what"]
    for name, row in passes.items():
        label = name.replace("_", " ")
        lines.append(f"  {label:<12}{row['names']:>8,}{row['seconds']:>10.3f}{num(row['names_per_s']):>12}  "
                     f"{notes[name]}")
    lines += ["", "  by method (cold pass)",
              f"  {'method':<9}{'distinct':>9}{'share':>8}{'workload':>10}{'mean µs':>10}{'p50 µs':>9}{'p95 µs':>9}"
              f"{'time':>8}"]
    for method, row in fig["resolver"]["methods"].items():
        lines.append(f"  {method:<9}{row['distinct']:>9,}{pct(row['distinct_share']):>8}"
                     f"{pct(row['workload_share']):>10}"
                     f"{num(row['mean_us']):>10}{num(row['p50_us']):>9}{num(row['p95_us']):>9}"
                     f"{pct(row['time_share']):>8}")
    lines.append("  (share: of distinct names; workload: of all names, repeats counted; time: of the cold pass)")
    lines.append(f"  cold = these per-string caches cleared first: {', '.join(fig['resolver']['cleared_caches'])}")
    return lines


def report_extraction(fig: Figures) -> list[str]:
    lines = ["", "Extraction: time inside Resolver.resolve (api.extract_file, in-process, one core)",
             f"  {'documents':<15}{'docs':>6}{'errors':>7}{'signat.':>9}{'seconds':>9}{'docs/s':>8}{'calls':>8}"
             f"{'distinct':>9}{'resolve s':>11}{'share':>8}{'+lookup':>9}"]
    for label, row in fig["extraction"].items():
        lines.append(f"  {label:<15}{row['docs']:>6,}{row['errors']:>7,}{row['signatories']:>9,}{row['seconds']:>9.2f}"
                     f"{num(row['docs_per_s'], ',.1f'):>8}{row['resolve_calls']:>8,}{row['resolve_distinct']:>9,}"
                     f"{row['resolve_seconds']:>11.3f}{pct(row['resolve_share']):>8}{pct(row['with_lookup_share']):>9}")
    lines += [
        "  bench names: extract_throughput.py's 75 signatories; list variants: drawn from "
        f"{VARIANT_POOL} distinct workload names",
        "  share: time inside Resolver.resolve / time inside extract_file; +lookup: with the pipeline's "
        "resolver() look-ups",
    ]
    for label, row in fig["extraction"].items():
        methods = ", ".join(f"{m} {n:,}" for m, n in row["miss_methods"].items())
        lines += [
            f"  {label}: {pct(row['resolve_share'])} of extraction time spent resolving",
            f"    {row['resolve_misses']:,} misses ({row['resolve_distinct_raw']:,} distinct strings; the cache key is "
            f"string + place of issue) took {row['miss_seconds']:.3f} s: {methods}",
            f"    {row['lookup_calls']:,} resolver() look-ups took {row['lookup_seconds']:.3f} s",
        ]
    return lines


def render_report(fig: Figures) -> str:
    head = [
        f"command: {fig['command']}",
        f"Python {fig['python']} on {fig['platform']}; {fig['cpus']} CPUs; "
        f"load average {num(fig['load_average'], '.2f')} before, {num(fig.get('load_average_after'), '.2f')} after",
        f"seed {fig['seed']}",
        "",
    ]
    return "\n".join(head + report_registry(fig) + report_workload(fig) + report_speed(fig)
                     + (report_extraction(fig) if fig.get("extraction") else []))


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return value


def non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the organisation resolver and its share of extraction.")
    parser.add_argument("--names", type=positive_int, default=20_000, help="workload size (default 20000)")
    parser.add_argument("--docs", type=non_negative_int, default=300,
                        help="documents per extraction set (default 300; 0 skips the extraction part)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--registry-names", type=positive_int, default=2_000,
                        help="extend the registry with synthetic organisations to at least this many names "
                             "(default 2000)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of the report")
    return parser.parse_args(argv)


def command_line(argv: Sequence[str] | None) -> str:
    if argv is not None:
        return shlex.join(["python", "bench/resolver_speed.py", *argv])
    return shlex.join(getattr(sys, "orig_argv", [sys.executable, *sys.argv]))


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    figures: Figures = {
        "command": command_line(argv), "python": platform.python_version(), "platform": platform.platform(),
        "cpus": os.cpu_count(), "load_average": load_average(), "seed": args.seed,
    }
    saved_env = os.environ.get("SOLIDARITY_JUDGEMENTS")
    try:
        with tempfile.TemporaryDirectory(prefix="solidarity-resolver-bench-") as tmp:
            work = Path(tmp)
            rng = random.Random(args.seed)
            setup = build_entries(rng, args.registry_names, work)
            figures["registry"] = {
                "minimum": args.registry_names, "real": setup.real, "synthetic": setup.synthetic,
                "total_names": setup.real["total"] + setup.synthetic["total"],
            }
            workload = build_workload(rng, setup.entries, Registry(setup.entries), args.names)
            unknown = [i for i in workload.items if i.expected is None]
            figures["workload"] = {
                "names": len(workload.items), "distinct": len(workload.distinct), "unknown": len(unknown),
                "unknown_distinct": len({i.raw for i in unknown}),
            }
            figures["resolver"] = measure_resolver(setup.entries, workload)
            if args.docs > 0:
                figures["extraction"] = measure_extraction(work, args.docs, args.seed, workload)
    finally:
        if saved_env is None:
            os.environ.pop("SOLIDARITY_JUDGEMENTS", None)
        else:
            os.environ["SOLIDARITY_JUDGEMENTS"] = saved_env
    figures["load_average_after"] = load_average()
    print(json.dumps(figures, indent=2, ensure_ascii=False) if args.json else render_report(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
