"""The data files are facts: valid codes, no duplicates, the documented shape."""

from __future__ import annotations

import csv
import tomllib
from importlib import resources

import pycountry

from solidarity_atlas.lexicons import load
from solidarity_atlas.resolve.places import gazetteer, key

DATA = resources.files("solidarity_atlas") / "data"
KNOWN_KEYS = {
    "chrome.prefixes", "chrome.related", "published.labels", "doctype.joint_statement", "doctype.resolution",
    "doctype.petition", "doctype.declaration", "doctype.news_report", "doctype.first_person",
    "doctype.addressee", "doctype.resolution_body", "doctype.salutation", "place.prepositions",
    "org.heads", "org.plurals", "signatures.intro", "signatures.inline", "signatures.and", "signatures.articles",
    "signatures.clause", "abbreviations.CP",
}


def test_lexicons_have_a_language_and_only_known_keys() -> None:
    for entry in (DATA / "lexicons").iterdir():
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        assert data["language"] == entry.name[:-5]
        assert pycountry.languages.get(alpha_2=data["language"]) is not None
        keys = {f"{s}.{k}" for s, v in data.items() if isinstance(v, dict) for k in v if s != "abbreviations"}
        assert keys <= KNOWN_KEYS, keys - KNOWN_KEYS
        for section, values in data.items():
            if isinstance(values, dict) and section != "abbreviations":
                for name, phrases in values.items():
                    assert len(phrases) == len(set(phrases)), f"{entry.name}: duplicate in {section}.{name}"
                    assert all(p.strip() == p and p for p in phrases), f"{entry.name}: blank or padded phrase"


def test_lexicons_merge_across_languages() -> None:
    lexicon = load()
    assert lexicon.languages_of("published.labels")["опубликовано"] == "ru"
    assert lexicon.pattern("chrome.related", at_start=True).match("Читайте также: новости")


def test_places_rows_have_valid_countries_and_no_clashing_variants() -> None:
    seen: dict[str, str] = {}
    with (DATA / "places.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            assert pycountry.countries.get(alpha_2=row["country"]) is not None, row
            for name in [row["name"], *row["variants"].split("|")]:
                k = key(name)
                assert seen.get(k, row["name"]) == row["name"], f"{name!r} names {seen[k]} and {row['name']}"
                seen[k] = row["name"]


def test_gazetteer_finds_cities_in_any_script() -> None:
    gaz = gazetteer()
    assert gaz.lookup("Αθήνα").name == "Athens"  # type: ignore[union-attr]
    assert gaz.lookup("Москва").name == "Moscow"  # type: ignore[union-attr]
    assert gaz.lookup("Ciudad de México").name == "Mexico City"  # type: ignore[union-attr]
    assert gaz.lookup("Zanaozen").country == "KZ"  # type: ignore[union-attr]
    assert gaz.lookup("Athens").country == "GR"  # the most populous Athens
    assert gaz.lookup("Solidarity") is None
