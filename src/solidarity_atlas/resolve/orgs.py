"""Resolve a signatory as written to one canonical organisation.

In order: a human judgement about this very string; an exact name (folded:
case, accents, quotes, "the" do not count) with or without the country
written beside it; an acronym, in the country given; the concept — the
name's words in English, in the country given — which carries a name across
languages ("Partido Comunista da Grécia" = "Communist Party of Greece");
a fuzzy match within the same country that forgives typos but never a
distinguishing word ("CP in Denmark" is not "CP of Denmark", "Syrian CP"
not "Syrian CP [Unified]").  An organisation none of these finds is new,
with an id made from its name and country, so the same unknown party gets
the same id in every document.  Nothing is dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from solidarity_atlas import memo, settings
from solidarity_atlas.model import Org
from solidarity_atlas.resolve import judgements as judgements_mod
from solidarity_atlas.resolve.countries import writes_in
from solidarity_atlas.resolve.names import ParsedName, parse
from solidarity_atlas.resolve.registry import OrgEntry, Registry, name_key, registry
from solidarity_atlas.resolve.text import fold, script, slug

FUZZY_CUTOFF = 88  # rapidfuzz ratio; below it two names are different organisations
TYPO_CUTOFF = 80  # two differing words are one word misspelt at or above this ratio
TYPO_MIN_LENGTH = 5  # shorter words ("of", "in", "new") are never typos of each other


@dataclass(frozen=True, slots=True)
class Resolution:
    org: Org
    method: str  # judgement, name, acronym, concept, fuzzy, new


class Resolver:
    def __init__(self, reg: Registry, judgements: judgements_mod.Judgements):
        self.registry = reg
        self.judgements = judgements
        for org_id, names in judgements.aliases.items():
            reg.add_names(org_id, names)
        self._cache: dict[tuple[str, str | None], Resolution] = {}  # the latest memo.NAMES names resolved

    def resolve(self, raw: str, context_country: str | None = None) -> Resolution:
        """The organisation ``raw`` names; ``context_country`` (where the document was issued) is
        the country of a new organisation whose name says none, when written in that country's script."""
        key = (raw, context_country)
        found = self._cache.get(key)
        if found is None:
            found = self._resolve(raw, context_country)
            if len(self._cache) >= memo.NAMES:
                del self._cache[next(iter(self._cache))]  # the oldest: a worker's memory stays flat
            self._cache[key] = found
        return found

    def in_document(self, document: str, raw: str, context_country: str | None = None) -> Org | None:
        """The organisation ``raw`` names in the document whose hash is ``document``: a person's judgement about
        that very signature first (None when it names no signatory), else :meth:`resolve`'s answer."""
        fix = self.judgements.signatory(document, raw) if self.judgements.signatories else None
        if fix is None:
            return self.resolve(raw, context_country).org
        if fix["org_id"] is None:
            return None
        target = str(fix["org_id"])
        return self._finish(raw, target, fix.get("name") or target, fix.get("country"), "judgement").org

    def _resolve(self, raw: str, context_country: str | None) -> Resolution:
        if context_country is not None:
            known = self.resolve(raw)  # the context only matters for an organisation the registry lacks
            if known.method != "new" or known.org.country is not None:
                return known
        split = self.judgements.splits.get(fold(raw))
        if split is not None:
            return self._finish(raw, str(split["new_id"]), split.get("name") or raw, split.get("country"), "judgement")
        parsed = parse(raw)
        for method, org_id in self._candidates(parsed):
            if org_id:
                entry = self.registry.entries.get(org_id)
                if entry is not None:
                    return self._finish(raw, org_id, entry.name, entry.country, method)
        # "Deutsche Kommunistische Partei (DKP), Parteivorstand – Patrik Köbele, Vorsitzender": a sub-body or
        # a person after the organisation's name; the organisation is the first part.
        head = first_segment(raw)
        if head != raw and _subordinate(raw[len(head):]):
            for _, org_id in self._candidates(parse(head)):
                if org_id and (entry := self.registry.entries.get(org_id)) is not None:
                    return self._finish(raw, org_id, entry.name, entry.country, "part")
        name = parsed.name
        country = parsed.country
        # The id comes from the name alone, so that it is one id wherever the name stands; the place of issue
        # only fills in the country of an organisation whose name says none.
        org_id = new_org_id(name, country, international=parsed.international)
        local = context_country and writes_in(context_country, script(name))
        if country is None and not parsed.international and local:
            country = context_country
        return self._finish(raw, org_id, name, country, "new")

    def _candidates(self, p: ParsedName) -> Iterator[tuple[str, str | None]]:
        # A full name is trusted over the country its words suggest ("Cuba Solidarity Campaign" is British);
        # only a country written beside it must agree.
        yield "name", self._choose(self.registry.named(p.raw), p, by_affix_only=True)
        yield "name", self._choose(self.registry.named(p.name), p, by_affix_only=True)
        for acronym in p.acronyms:
            yield "acronym", self._choose(self.registry.acronym(acronym), p)
        # The concept carries a name across languages ("Partido Comunista da Grécia"). In English it bridges
        # only grammar: "CP of Egypt" = "Egyptian CP", "Socialist People's Front of Lithuania" = "Socialist
        # People's Front"; two names of a country are two parties ("CP of Great Britain" is not the "CP of
        # Britain"). Not for bodies of no one country either: "CP of Kurdistan" is not the CPSU.
        if p.concept and p.country:
            found = self.registry.by_concept.get((p.country, p.concept), set())
            ids = {i for i, form in found if p.translated or form != p.country_form}
            yield "concept", self._choose(ids, p)
        yield "fuzzy", self._fuzzy(p)

    def _choose(self, ids: set[str], p: ParsedName, *, by_affix_only: bool = False) -> str | None:
        """The one candidate that fits the country given; None when none or several do."""
        if not ids:
            return None
        if by_affix_only and len(ids) == 1 and p.affix_country is None:
            return next(iter(ids))
        if p.country or p.international:
            wanted = None if p.international else p.country
            fitting = [i for i in ids if self.registry.entries[i].country == wanted]
            if not fitting and p.affix_country is None:
                fitting = [i for i in ids if self.registry.entries[i].country is None]  # "CP of Soviet Union"
            ids = set(fitting)
        return next(iter(ids)) if len(ids) == 1 else None

    def _fuzzy(self, p: ParsedName) -> str | None:
        if not (p.country or p.international):
            return None
        pool = self.registry.by_country.get(None if p.international else p.country, [])
        choices = {}
        for org_id in pool:
            for name in self.registry.entries[org_id].names:
                choices[name_key(name)] = org_id
        query = name_key(p.name)
        if not query or not choices:
            return None
        for match, score, _ in process.extract(query, list(choices), scorer=fuzz.ratio, limit=3):
            if score >= FUZZY_CUTOFF and same_words(query, match):
                return choices[match]
        return None

    def _finish(self, raw: str, org_id: str, name: str, country: str | None, method: str) -> Resolution:
        org_id = self.judgements.canonical(org_id)
        entry = self.registry.entries.get(org_id)
        if entry is not None:
            name, country = entry.name, entry.country
        if (renamed := self.judgements.renames.get(org_id)) is not None:
            name = renamed.get("name") or name
            country = renamed.get("country", country)
        return Resolution(Org(raw=raw, name=name, country=country, org_id=org_id), method)


def new_org_id(name: str, country: str | None, *, international: bool = False) -> str:
    """The id of an organisation the registry lacks: its name without articles, and its country.

    "Party of the Communists of Serbia" and "Party of Communists of Serbia" get one id.
    """
    suffix = country or ("int" if international else "xx")
    return f"{slug(name_key(name))}-{suffix.lower()}"


_SEGMENT = re.compile(r",\s+|\s+[-–—]\s+")


def first_segment(raw: str) -> str:
    """The text before the first comma or spaced dash outside brackets."""
    depth = 0
    for i, c in enumerate(raw):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and i > 0 and _SEGMENT.match(raw, i):
            return raw[:i].strip()
    return raw


def _subordinate(rest: str) -> bool:
    """Whether what follows a name is a sub-body, a person's role or a place ("Parteivorstand", "Berlin"),
    not a qualifier that makes another party ("– Marxist-Leninist", ", Reconstituted")."""
    from solidarity_atlas.lexicons import load
    from solidarity_atlas.resolve.places import gazetteer

    folded = rest.casefold()
    if any(term in folded for term in load().get("org.subbodies")):
        return True
    return any(gazetteer().lookup(part.strip(" ,–—-")) for part in re.split(r"[,–—]|\s-\s", rest) if part.strip())


def same_words(a: str, b: str) -> bool:
    """Equal word for word but for typos: no word added, dropped or exchanged for another."""
    left, right = Counter(a.split()), Counter(b.split())
    only_left = list((left - right).elements())
    only_right = list((right - left).elements())
    if len(only_left) != len(only_right):
        return False
    for word in only_left:
        match = next(
            (w for w in only_right if min(len(w), len(word)) >= TYPO_MIN_LENGTH and fuzz.ratio(w, word) >= TYPO_CUTOFF),
            None,
        )
        if match is None:
            return False
        only_right.remove(match)
    return True


@lru_cache(maxsize=1)
def _resolver(path: str, stamp: tuple[int, int]) -> Resolver:
    return Resolver(registry_copy(), judgements_mod.load(Path(path)))


def registry_copy() -> Registry:
    """A registry of its own when judgements will add aliases to it; the shared one otherwise."""
    from solidarity_atlas.resolve.registry import fresh_registry

    return fresh_registry() if settings.judgements_path().exists() else registry()


def resolver() -> Resolver:
    """The resolver with the current judgements (reloaded when the file changes).

    The file is known by its modification time and its size: two judgements appended within one tick of the
    file system's clock (a few milliseconds, as a curator in the web application may) still change the size."""
    path = settings.judgements_path()
    found = path.stat() if path.exists() else None
    stamp = (found.st_mtime_ns, found.st_size) if found else (0, 0)
    return _resolver(str(path), stamp)


def list_orgs(country: str | None = None, kind: str | None = None, search: str | None = None) -> list[OrgEntry]:
    """Registry entries, filtered, sorted by country and name."""
    reg = resolver().registry
    wanted = fold(search) if search else None
    out = []
    for entry in reg.entries.values():
        if country and (entry.country or "") != country.upper():
            continue
        if kind and entry.kind != kind:
            continue
        if wanted and not any(wanted in fold(n) for n in (*entry.names, *entry.acronyms)):
            continue
        out.append(entry)
    return sorted(out, key=lambda e: (e.country or "", e.name))


def entry_json(entry: OrgEntry) -> dict[str, Any]:
    return {"id": entry.id, "name": entry.name, "country": entry.country, "kind": entry.kind,
            "acronyms": list(entry.acronyms), "native": list(entry.native), "aliases": list(entry.aliases)}


def describe(name: str) -> dict[str, Any]:
    """How a name (or an id) resolves, with the registry entry and the judgements about it."""
    current = resolver()
    entry = current.registry.entries.get(name)
    if entry is not None:
        info: dict[str, Any] = {"org_id": entry.id, "name": entry.name, "country": entry.country, "method": "id"}
    else:
        found = current.resolve(name)
        info = {"org_id": found.org.org_id, "name": found.org.name, "country": found.org.country,
                "method": found.method}
        entry = current.registry.entries.get(found.org.org_id)
    if entry is not None:
        info.update({k: v for k, v in entry_json(entry).items() if k in ("acronyms", "native", "aliases", "kind")})
    info["judgements"] = current.judgements.about(str(info["org_id"]))
    return info
