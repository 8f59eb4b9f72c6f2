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
    "signatures.clause", "abbreviations.CP", "issuers.participants", "org.person_titles", "org.subbodies",
    "org.qualifiers", "signatures.regions", "units.words", "rights.marker", "rights.union", "rights.strike",
    "rights.assembly", "rights.party",
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


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def test_registry_ids_countries_kinds_and_names_are_valid() -> None:
    from solidarity_atlas.resolve.registry import KINDS, name_key
    from solidarity_atlas.resolve.text import slug

    rows = _rows("organizations.csv")
    assert len(rows) >= 200
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for row in rows:
        country = row["country"]
        assert row["name"].strip(), row
        assert row["kind"] in KINDS, row["id"]
        if country:
            assert pycountry.countries.get(alpha_2=country) is not None, row["id"]
            assert row["id"].endswith("-" + country.lower()), row["id"]
        else:
            assert row["id"].endswith("-int"), row["id"]
        assert row["id"].rsplit("-", 1)[0] == slug(row["name"]), f"{row['id']} is not the slug of {row['name']!r}"
    # No name, native name or alias may belong to two organisations of one country: the resolver could not choose.
    owner: dict[tuple[str, str], str] = {}
    for row in rows:
        for name in [row["name"], *row["native"].split("|"), *row["aliases"].split("|")]:
            key = (row["country"], name_key(name))
            if key[1]:
                assert owner.setdefault(key, row["id"]) == row["id"], f"{name!r}: {owner[key]} and {row['id']}"


def test_registry_keeps_distinct_parties_apart() -> None:
    ids = {r["id"] for r in _rows("organizations.csv")}
    for pair in [
        ("communist-party-of-denmark-dk", "communist-party-in-denmark-dk"),
        ("communist-party-of-britain-gb", "new-communist-party-of-britain-gb"),
        ("communist-party-of-india-in", "communist-party-of-india-marxist-in"),
        ("brazilian-communist-party-br", "communist-party-of-brazil-br"),
    ]:
        assert set(pair) <= ids, pair


def test_countries_table_covers_iso_and_maps_each_name_once() -> None:
    from solidarity_atlas.resolve.countries import NO_COUNTRY
    from solidarity_atlas.resolve.text import fold

    rows = _rows("countries.csv")
    codes = {r["code"] for r in rows}
    assert {c.alpha_2 for c in pycountry.countries} <= codes
    seen: dict[str, str] = {}
    for row in rows:
        assert row["code"] == NO_COUNTRY or pycountry.countries.get(alpha_2=row["code"]) is not None, row
        for name in [row["name"], *row["names"].split("|"), *row["demonyms"].split("|")]:
            if fold(name):
                assert seen.setdefault(fold(name), row["code"]) == row["code"], name


def test_orgwords_variants_are_unique_per_row() -> None:
    for row in _rows("orgwords.csv"):
        variants = row["variants"].split("|")
        assert len(variants) == len(set(variants)), row["english"]


def test_cue_files_share_one_shape_and_are_clean() -> None:
    shapes = {}
    for entry in (DATA / "cues").iterdir():
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        assert data["language"] == entry.name[:-5]
        shapes[entry.name] = {
            (s, k) for s, v in data.items() if isinstance(v, dict) and not s.startswith("numbers") for k in v
        }
        for section, values in data.items():
            if not isinstance(values, dict):
                continue
            for name, value in values.items():
                if section.startswith("numbers"):
                    assert isinstance(value, int), (entry.name, name)
                    continue
                assert len(value) == len(set(value)), f"{entry.name}: duplicate in {section}.{name}"
                assert all(p == p.strip().lower() and p for p in value), f"{entry.name}: {section}.{name}"
    assert len(shapes) == 9
    first = next(iter(shapes.values()))
    assert all(shape == first for shape in shapes.values())
