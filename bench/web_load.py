"""Load benchmark of the website: latency and throughput of its pages at 20 concurrent clients, 100,000 statements.

1. **Database.** Builds a SQLite knowledge base of ``--statements`` synthetic statements at ``--db`` (default
   ``bench/out/web-100k.db``), or reuses the file when it exists.  The rows are written by the project's own store
   writer (``store/writer.py``, ``Writer.write``) from extraction records made here: generating documents and
   running them through extraction would take 20 minutes or more on two cores, and the pages read only what the
   writer stores.  The records are shaped like the real ones: a registry of a few hundred organisations (the
   package's registry and local unions, committees and fronts) in regional blocs, with popular ones signing far
   more than others, so co-signatures cluster; statement kinds, dates from 2000 to 2024, places of issue and
   languages; texts of 1-3 KB (headline, dateline, paragraphs, the signatory list, a chrome line) with the located
   evidence of every signatory, person, demand and event, so the statement pages highlight; persons named across
   documents; events drawn from a pool of happenings, so several documents report one; and translations (the same
   signatories in another language a day later), which the writer finds and files under one statement.
2. **Server.** ``python bench/web_load.py serve`` in a separate process: ``create_app`` with the API's per-client
   rate limit off (it limits ``/api/v1`` only, which these pages do not call, but a benchmark must never measure
   a 429), served as ``solidarity serve`` serves it (``web.server.serve``: one worker process per CPU, two
   threads each); ``--workers N`` and ``--threads N`` try other settings.
3. **Load.** In a third process, ``--users`` clients (20) with no pause between requests (or, with ``--think MIN
   MAX``, a pause drawn between MIN and MAX seconds, a second figure, never the target's), for ``--duration``
   seconds (30) per page type: the home page, a search (a mix of places, common words, organisation names,
   acronyms, other languages, phrases and words found nowhere), a random statement, a random organisation.  The
   clients are ``wrk`` (``--load wrk``; C, about 0.05 ms of CPU per request, with a Lua script that draws each
   request's path from the same lists) or Locust (``--load locust``; Python, 0.3-1 ms per request, taken from the
   same two cores as the server's); by default wrk when it is installed, else Locust, and the report says which.
4. **Report.** Per page type: requests, median, p95, p99 and max latency (ms), requests/s, errors (any status
   but 200 for Locust; for wrk, 400 and above, and sockets that failed) and the CPU time per request of the server
   and of the load generator; as a table, and as JSON in ``--json-out``
   (``bench/out/web_load.json``).  The target is a p95 under 100 ms at 20 clients on this 2-core machine.

Run ``python bench/web_load.py --help``; see bench/README.md.  wrk comes from the system (Debian: ``apt-get install
wrk``); Locust is a bench-only dependency (``pip install -e '.[bench]'``).  This is a benchmark, not a test: it
reports, it never asserts.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import csv
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_DB = HERE / "out" / "web-100k.db"
DEFAULT_JSON = HERE / "out" / "web_load.json"
PAGES = ("home", "search", "statement", "organisation")
TARGET_P95_MS = 100.0
BATCH = 500  # documents per writer transaction
TRANSLATED = 0.08  # share of statements that get a second copy in another language
LOCAL_ORGS = 260  # organisations made up here, beside the registry's
HAPPENINGS_PER_STATEMENT = 0.35  # distinct happenings in the pool, per statement: several reports of most of them
WARM_UP = 25  # requests per page type sent (and not timed) before its load run
SERVER_START = 120.0  # seconds allowed for the server to answer (it checks the schema of a 1 GB database)
PAGE_ENV = "WEB_LOAD_PAGE"  # set for the Locust process: which page type its users request
THINK_ENV = "WEB_LOAD_THINK"  # ...and, if set, the [min, max] seconds a user reads a page before the next request
TARGETS_ENV = "WEB_LOAD_TARGETS"  # ...and the JSON file of statement ids, organisation ids and search words

# -- vocabulary --------------------------------------------------------------------------------------------------

FIRST_YEAR, LAST_YEAR = 2000, 2024
BLOCS = {  # countries of each regional bloc: organisations of one bloc sign together most
    "western europe": ["GR", "PT", "ES", "DE", "FR", "IT", "GB", "BE", "NL", "SE", "DK", "IE", "LU", "CY", "AT"],
    "eastern europe": ["RU", "UA", "BY", "CZ", "HU", "RS", "PL", "HR", "BG", "RO", "SK", "KZ", "MD", "LV"],
    "americas": ["MX", "CU", "VE", "CO", "CL", "AR", "BR", "UY", "PE", "BO", "EC", "US", "CA", "SV"],
    "middle east": ["TR", "LB", "SY", "PS", "IQ", "IR", "JO", "EG", "IL", "SD", "TN"],
    "asia": ["IN", "JP", "PH", "BD", "LK", "NP", "PK", "VN", "KR", "AU"],
    "africa": ["ZA", "NG", "KE", "SN", "ZW", "MA", "DZ"],
}
CITIES = {
    "GR": ["Athens", "Piraeus", "Thessaloniki", "Patras"], "PT": ["Lisbon", "Porto", "Setúbal"],
    "ES": ["Madrid", "Barcelona", "Seville", "Bilbao"], "DE": ["Berlin", "Hamburg", "Munich", "Essen"],
    "FR": ["Paris", "Marseille", "Lyon"], "IT": ["Rome", "Milan", "Turin", "Naples"], "GB": ["London", "Glasgow"],
    "BE": ["Brussels", "Antwerp"], "NL": ["Amsterdam", "Rotterdam"], "SE": ["Stockholm"], "DK": ["Copenhagen"],
    "IE": ["Dublin"], "LU": ["Luxembourg"], "CY": ["Nicosia", "Limassol"], "AT": ["Vienna"],
    "RU": ["Moscow", "Saint Petersburg", "Novosibirsk"], "UA": ["Kyiv", "Odesa", "Kharkiv"], "BY": ["Minsk"],
    "CZ": ["Prague", "Ostrava"], "HU": ["Budapest"], "RS": ["Belgrade"], "PL": ["Warsaw"], "HR": ["Zagreb"],
    "BG": ["Sofia"], "RO": ["Bucharest"], "SK": ["Bratislava"], "KZ": ["Almaty", "Zhanaozen", "Aktau"],
    "MD": ["Chisinau"], "LV": ["Riga"], "MX": ["Mexico City", "Monterrey"], "CU": ["Havana"],
    "VE": ["Caracas", "Maracaibo"], "CO": ["Bogotá", "Medellín", "Cali"], "CL": ["Santiago", "Valparaíso"],
    "AR": ["Buenos Aires", "Córdoba"], "BR": ["São Paulo", "Rio de Janeiro"], "UY": ["Montevideo"],
    "PE": ["Lima"], "BO": ["La Paz"], "EC": ["Quito"], "US": ["New York", "Chicago"], "CA": ["Toronto"],
    "SV": ["San Salvador"], "TR": ["Istanbul", "Ankara", "Izmir", "Soma"], "LB": ["Beirut"],
    "SY": ["Damascus"], "PS": ["Ramallah", "Gaza"], "IQ": ["Baghdad", "Basra"], "IR": ["Tehran"],
    "JO": ["Amman"], "EG": ["Cairo"], "IL": ["Tel Aviv"], "SD": ["Khartoum"], "TN": ["Tunis"],
    "IN": ["New Delhi", "Kolkata", "Mumbai"], "JP": ["Tokyo", "Osaka"], "PH": ["Manila"], "BD": ["Dhaka"],
    "LK": ["Colombo"], "NP": ["Kathmandu"], "PK": ["Karachi", "Lahore"], "VN": ["Hanoi"], "KR": ["Seoul"],
    "AU": ["Sydney"], "ZA": ["Johannesburg", "Cape Town", "Durban"], "NG": ["Lagos"], "KE": ["Nairobi"],
    "SN": ["Dakar"], "ZW": ["Harare"], "MA": ["Casablanca"], "DZ": ["Algiers"],
}
HOTSPOTS = {"KZ": 6, "TR": 8, "CO": 7, "CL": 5, "UA": 6, "GR": 6, "PH": 5, "IN": 5, "PS": 6, "BR": 4, "ZA": 4,
            "SD": 3, "IR": 4, "EG": 3, "BY": 3, "VE": 3, "FR": 3, "ES": 3, "US": 2, "BD": 2}  # countries reported on
LOCAL_KINDS = [  # (name pattern, kind) of the organisations made up here
    ("Union of {trade} of {city}", "union"), ("{city} Trades Council", "union"),
    ("Federation of {trade} Workers", "union"), ("Committee for the Defence of Political Prisoners, {city}", "other"),
    ("{city} Solidarity Committee", "other"), ("Youth Front of {city}", "youth"), ("Women's League of {city}", "women"),
    ("Workers' Centre of {city}", "union"), ("Tenants' Association of {city}", "other"),
]
TRADES = ["Dockers", "Metalworkers", "Miners", "Teachers", "Railway Workers", "Textile Workers", "Health Workers",
          "Oil Workers", "Builders", "Transport Workers", "Seafarers", "Printers", "Farm Workers", "Steelworkers"]
FIRST_NAMES = ["Maria", "Nikos", "Ana", "José", "Elena", "Dmitri", "Ahmed", "Fatma", "Carlos", "Irina", "João",
               "Giorgos", "Olga", "Mehmet", "Luisa", "Pedro", "Natalia", "Ali", "Sofia", "Juan", "Yusuf", "Katerina",
               "Miguel", "Anna", "Hassan", "Rosa", "Sergei", "Leila", "Thomas", "Priya", "Rahul", "Aiko", "Kwame",
               "Thandiwe", "Bongani", "Layla", "Omar", "Marta", "Luca", "Ingrid"]
SURNAMES = ["Papadopoulou", "Georgiou", "Silva", "García", "Petrova", "Ivanov", "Hassan", "Yilmaz", "Rodríguez",
            "Sokolova", "Santos", "Nikolaidis", "Kuznetsova", "Demir", "Fernández", "Pereira", "Smirnova", "Kaya",
            "Alexiou", "López", "Öztürk", "Martínez", "Costa", "Morozov", "Haddad", "Mendoza", "Volkova", "Khalil",
            "Müller", "Sharma", "Banerjee", "Tanaka", "Mensah", "Dlamini", "Nkosi", "Mansour", "Rossi", "Berg",
            "Quispe", "Chávez", "Oliveira", "Popescu", "Novak", "Horváth", "Jensen", "Kowalski", "Okafor", "Mwangi"]
ROLES = ["General Secretary", "trade unionist", "political prisoner", "President of the union", "journalist",
         "student leader", "member of parliament", "lawyer", "strike leader", "Secretary of the Central Committee"]
SEARCH_WORDS = {  # what readers search for; each kind taken in turn
    "place": ["Zhanaozen", "Piraeus", "Soma", "Valparaíso", "Bogotá", "Kolkata", "Gaza", "Odesa", "Durban"],
    "common word": ["strike", "workers", "solidarity", "repression", "police", "wages", "prisoners", "union"],
    "organisation": ["Communist Party of Greece", "Portuguese Communist Party", "World Federation of Trade Unions",
                     "Dockers", "Solidarity Committee", "Communist Party of Turkey"],
    "acronym": ["KKE", "PAME", "WFTU", "AKEL", "PCP", "CITU"],
    "phrase": ["general strike", "hunger strike", "political prisoners", "trade union rights", "oil workers"],
    "other language": ["huelga", "solidaridad", "Streik", "Solidarität", "забастовка", "солидарность"],
    "nothing": ["xylophonist", "quasiparticle", "hovercraft eels"],
}

TEXTS: dict[str, dict[str, list[str]]] = {
    "en": {
        "title": ["Joint statement: solidarity with the {trade} of {place}", "Stop the repression in {country}!",
                  "Resolution on the {event} in {place}", "Free the political prisoners of {country}",
                  "Declaration of {org} on the situation in {country}", "Hands off the {trade} of {place}",
                  "{org}: the {event} in {place} is a crime against the working class"],
        "filler": ["The undersigned parties and organisations express their full solidarity with the working people "
                   "of {country}.", "The struggle of the {trade} of {place} is the struggle of the whole working "
                   "class.", "We call on the labour movement everywhere to raise its voice.",
                   "The government bears full responsibility for what has happened.",
                   "Only the united struggle of the workers can stop the attack on their rights.",
                   "We salute the courage of the {trade} and of their families.",
                   "Monopolies and their governments want the workers to pay for the crisis.",
                   "International solidarity is the weapon of the peoples."],
        "event": {"killing": "On {day} the police killed {count} {trade} in {place}.",
                  "detention": "On {day} {count} {trade} were arrested in {place}.",
                  "sentencing": "On {day} a court in {place} sentenced {count} trade unionists to prison.",
                  "ban": "On {day} the authorities banned the union of the {trade} in {place}.",
                  "strike": "Since {day} {count} {trade} in {place} have been on strike.",
                  "protest": "On {day} {count} people marched in {place} against the government.",
                  "persecution": "Since {day} the {trade} of {place} have been persecuted for their union work.",
                  "legislation": "On {day} parliament passed a law against the right to strike.",
                  "military_action": "On {day} troops attacked the neighbourhoods of {place}.",
                  "meeting": "On {day} {count} delegates met in {place}."},
        "demand": ["We demand the immediate release of all political prisoners.",
                   "We demand an end to the persecution of communists and trade unionists.",
                   "We demand full trade union rights for the {trade}.",
                   "We demand that those responsible be brought to justice.",
                   "We demand the reinstatement of every dismissed worker."],
        "person": ["{role} {person} addressed the rally.", "The arrest of {person}, {role}, must be revoked."],
        "signed": "Signed by:", "menu": "Home | News | Statements | Contact",
    },
    "es": {
        "title": ["Declaración conjunta: solidaridad con los {trade} de {place}", "¡Alto a la represión en {country}!",
                  "Libertad para los presos políticos de {country}"],
        "filler": ["Los partidos firmantes expresan su plena solidaridad con el pueblo trabajador de {country}.",
                   "La lucha de los {trade} de {place} es la lucha de toda la clase obrera.",
                   "Llamamos a la solidaridad internacional con la huelga.",
                   "El gobierno es el responsable de la represión."],
        "event": {"strike": "Desde el {day}, {count} {trade} de {place} están en huelga.",
                  "detention": "El {day} fueron detenidos {count} {trade} en {place}.",
                  "killing": "El {day} la policía asesinó a {count} {trade} en {place}.",
                  "protest": "El {day} {count} personas marcharon en {place}."},
        "demand": ["Exigimos la libertad inmediata de todos los presos políticos.",
                   "Exigimos el fin de la persecución de los sindicalistas."],
        "person": ["{role} {person} habló en la manifestación."],
        "signed": "Firman:", "menu": "Inicio | Noticias | Declaraciones | Contacto",
    },
    "de": {
        "title": ["Gemeinsame Erklärung: Solidarität mit den {trade} von {place}",
                  "Stoppt die Repression in {country}!"],
        "filler": ["Die unterzeichnenden Parteien erklären ihre volle Solidarität mit den Werktätigen in {country}.",
                   "Der Streik der {trade} in {place} ist ein Kampf der ganzen Arbeiterklasse.",
                   "Internationale Solidarität ist die Waffe der Völker."],
        "event": {"strike": "Seit dem {day} streiken {count} {trade} in {place}.",
                  "detention": "Am {day} wurden {count} {trade} in {place} verhaftet.",
                  "protest": "Am {day} demonstrierten {count} Menschen in {place}."},
        "demand": ["Wir fordern die sofortige Freilassung aller politischen Gefangenen."],
        "person": ["{role} {person} sprach auf der Kundgebung."],
        "signed": "Unterzeichner:", "menu": "Start | Nachrichten | Erklärungen | Kontakt",
    },
    "ru": {
        "title": ["Совместное заявление: солидарность с рабочими {place}", "Остановить репрессии в {country}!"],
        "filler": ["Подписавшие партии выражают полную солидарность с трудящимися {country}.",
                   "Забастовка рабочих {place} — это борьба всего рабочего класса.",
                   "Международная солидарность — оружие народов."],
        "event": {"strike": "С {day} бастуют {count} рабочих в {place}.",
                  "detention": "{day} в {place} были арестованы {count} рабочих.",
                  "protest": "{day} в {place} вышли на улицы {count} человек."},
        "demand": ["Мы требуем немедленного освобождения всех политических заключённых."],
        "person": ["{role} {person} выступил на митинге."],
        "signed": "Подписали:", "menu": "Главная | Новости | Заявления | Контакты",
    },
}
LANGUAGES = {"en": 0.72, "es": 0.12, "de": 0.08, "ru": 0.08}
DEMAND_CODES = ["release_prisoners", "end_persecution", "union_rights", "accountability", "reinstate_workers"]
KINDS = {"joint_statement": 0.40, "resolution": 0.10, "petition": 0.08, "declaration": 0.17, "news_report": 0.25}


# -- the synthetic atlas -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Org:
    id: str
    name: str
    country: str | None
    bloc: str
    weight: float  # how often it signs, relative to the others


@dataclass(frozen=True, slots=True)
class Happening:
    type: str
    day: date
    country: str
    place: str
    count: int | None


class Atlas:
    """Draws the records of the synthetic atlas: organisations in blocs, persons, happenings, statements."""

    def __init__(self, statements: int, seed: int):
        from solidarity_atlas.resolve.orgs import new_org_id
        from solidarity_atlas.resolve.registry import registry

        self.rng = random.Random(seed)
        bloc_of = {c: bloc for bloc, countries in BLOCS.items() for c in countries}
        entries = sorted(registry().entries.values(), key=lambda e: e.id)
        orgs = []
        for rank, entry in enumerate(self.rng.sample(entries, len(entries)), 1):
            bloc = bloc_of.get(entry.country or "", "international")
            orgs.append(Org(entry.id, entry.name, entry.country, bloc, 1 / rank ** 0.8))  # a Zipf-like popularity
        cities = [(c, city) for c, names in CITIES.items() for city in names]
        for i in range(LOCAL_ORGS):
            country, city = self.rng.choice(cities)
            pattern, _kind = self.rng.choice(LOCAL_KINDS)
            name = pattern.format(trade=self.rng.choice(TRADES), city=city)
            org_id = new_org_id(name, country)
            if any(o.id == org_id for o in orgs):
                continue
            orgs.append(Org(org_id, name, country, bloc_of.get(country, "international"), 0.05 / (1 + i % 40)))
        self.orgs = orgs
        self.by_bloc: dict[str, list[Org]] = {}
        for org in orgs:
            self.by_bloc.setdefault(org.bloc, []).append(org)
        self.bloc_names = [b for b in self.by_bloc if b != "international"]
        self.bloc_weights = [sum(o.weight for o in self.by_bloc[b]) for b in self.bloc_names]
        self.persons = [f"{f} {s}" for f in FIRST_NAMES for s in SURNAMES]
        self.rng.shuffle(self.persons)
        self.person_weights = [1 / (i + 1) ** 0.9 for i in range(len(self.persons))]
        self.happenings = self._happenings(max(50, int(statements * HAPPENINGS_PER_STATEMENT)))
        self.days = [h.day for h in self.happenings]

    def _happenings(self, n: int) -> list[Happening]:
        countries, weights = list(HOTSPOTS), list(HOTSPOTS.values())
        found = []
        span = (date(LAST_YEAR, 12, 31) - date(FIRST_YEAR, 1, 1)).days
        types = list(TEXTS["en"]["event"])
        for _ in range(n):
            country = self.rng.choices(countries, weights)[0]
            day = date(FIRST_YEAR, 1, 1) + timedelta(days=int(span * self.rng.random() ** 0.7))  # more of late
            kind = self.rng.choice(types)
            count = self.rng.choice([None, self.rng.randint(2, 40), self.rng.randint(50, 5000)])
            found.append(Happening(kind, day, country, self.rng.choice(CITIES[country]), count))
        return sorted(found, key=lambda h: h.day)

    def day(self) -> date:
        """A date of issue: later years have more statements, as the sites that publish them grew."""
        span = (date(LAST_YEAR, 12, 31) - date(FIRST_YEAR, 1, 1)).days
        return date(FIRST_YEAR, 1, 1) + timedelta(days=int(span * self.rng.random() ** 0.7))

    def signatories(self, kind: str) -> list[Org]:
        if kind in ("declaration", "news_report"):
            return []
        size = min(int(self.rng.lognormvariate(2.1, 0.7)) + 2, 80)  # median about 10, a few international meetings
        bloc = self.rng.choices(self.bloc_names, self.bloc_weights)[0]
        home = self.by_bloc[bloc]
        chosen: dict[str, Org] = {}
        for _ in range(size * 3):
            pool = home if self.rng.random() < 0.75 else self.orgs
            org = self.rng.choices(pool, [o.weight for o in pool])[0]
            chosen.setdefault(org.id, org)
            if len(chosen) >= size:
                break
        return list(chosen.values())

    def reported(self, issued: date) -> list[Happening]:
        """Happenings of the weeks before ``issued``, which a statement of that day reports."""
        end = bisect.bisect_right(self.days, issued)
        start = bisect.bisect_left(self.days, issued - timedelta(days=30))
        if end <= start:
            return []
        return [self.happenings[self.rng.randrange(start, end)] for _ in range(self.rng.choice([0, 1, 1, 1, 2, 3]))]


class TextBuilder:
    """A page's text line by line, with its blocks and the offsets of what was extracted from it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.at = 0
        self.blocks: list[Any] = []

    def line(self, text: str, kind: str = "paragraph", *, level: int = 0, drop: str | None = None) -> int:
        from solidarity_atlas.model import Block

        start = self.at
        self.parts.append(text)
        self.at += len(text) + 1
        self.blocks.append(Block(start, start + len(text), kind, level, drop))  # type: ignore[arg-type]
        return start

    @property
    def text(self) -> str:
        return "\n".join(self.parts)


def make_record(atlas: Atlas, n: int, original: Any | None = None) -> Any:
    """One document's extraction record and page (an :class:`Extracted`): a new statement, or (``original``) its
    translation a day later."""
    import hashlib
    import zlib

    from solidarity_atlas.model import Event, Org, Page, PageHints, Person, Record, Span
    from solidarity_atlas.store.writer import Extracted

    rng = atlas.rng
    if original is None:
        kind = rng.choices(list(KINDS), list(KINDS.values()))[0]
        language = rng.choices(list(LANGUAGES), list(LANGUAGES.values()))[0]
        issued = atlas.day()
        signers = atlas.signatories(kind)
        reported = atlas.reported(issued)
    else:
        kind, issued, signers, reported = original
        language = rng.choice([lang for lang in LANGUAGES if lang != "en"])
        issued = issued + timedelta(days=1)
    words = TEXTS[language]
    issuer = signers[0] if signers else rng.choices(atlas.orgs, [o.weight for o in atlas.orgs])[0]
    about = reported[0] if reported else None
    country_code = about.country if about else rng.choice(list(HOTSPOTS))
    place_of_issue_country = issuer.country if issuer.country in CITIES else rng.choice(list(CITIES))
    place_of_issue = rng.choice(CITIES[place_of_issue_country])
    fill = {"trade": rng.choice(TRADES).lower() if language == "en" else rng.choice(TRADES),
            "place": about.place if about else rng.choice(CITIES[country_code]),
            "country": country_name(country_code), "org": issuer.name,
            "event": (about.type if about else "strike").replace("_", " ")}
    page = TextBuilder()
    page.line(words["menu"], "line", drop="menu")
    title = rng.choice(words["title"]).format(**fill)
    page.line(title, "heading", level=1)
    page.line(f"{place_of_issue}, {issued.isoformat()}", "line")
    evidence: dict[str, Span] = {}
    events, persons, demands = [], [], []

    def sentence(text: str) -> tuple[int, int]:
        start = page.line(text)
        return start, start + len(text)

    for _ in range(rng.randint(1, 3)):
        sentence(rng.choice(words["filler"]).format(**fill))
    for happening in reported:
        template = words["event"].get(happening.type) or TEXTS["en"]["event"][happening.type]
        text = template.format(day=happening.day.isoformat(), count=happening.count or "dozens of",
                               place=happening.place, trade=fill["trade"])
        start, end = sentence(text)
        i = len(events)
        events.append(Event(happening.type, happening.day.isoformat(), happening.place, happening.country,
                            happening.count))
        evidence[f"events.{i}"] = Span(text, start, end)
        if happening.count is not None:
            figure = str(happening.count)
            at = text.find(figure)
            if at >= 0:
                evidence[f"events.{i}.claim"] = Span(figure, start + at, start + at + len(figure))
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        name = rng.choices(atlas.persons, atlas.person_weights)[0]
        role = rng.choice(ROLES)
        text = rng.choice(words["person"]).format(role=role, person=name)
        start, _end = sentence(text)
        at = start + text.index(name)
        evidence[f"persons.{len(persons)}"] = Span(name, at, at + len(name))
        persons.append(Person(name, role, issuer.name if rng.random() < 0.3 else None))
    for code in rng.sample(DEMAND_CODES, rng.choice([0, 1, 1, 2, 3])):
        template = words["demand"][DEMAND_CODES.index(code) % len(words["demand"])]
        start, end = sentence(template.format(**fill))
        evidence[f"demands.{code}"] = Span(template.format(**fill), start, end)
        demands.append(code)
    for _ in range(rng.randint(1, 3)):
        sentence(rng.choice(words["filler"]).format(**fill))
    orgs = []
    if signers:
        page.line(words["signed"], "line")
        for i, org in enumerate(signers):
            written = org.name if rng.random() < 0.8 else f"{org.name} ({country_name(org.country or '')})"
            start = page.line(f"{i + 1}. {written}", "item") + len(f"{i + 1}. ")
            evidence[f"signatories.{i}"] = Span(written, start, start + len(written))
            orgs.append(Org(written, org.name, org.country, org.id))
    issuers = [Org(issuer.name, issuer.name, issuer.country, issuer.id)]
    text = page.text
    digest = hashlib.sha256(f"{n}\n{text}".encode()).hexdigest()
    site = f"{issuer.id.split('-')[0]}-{zlib.crc32(issuer.id.encode()) % 1000}"
    url = f"https://{site}.example.org/{issued.year}/{n}.html"
    record = Record(source=url, title=title, date=issued.isoformat(), place=place_of_issue, languages=[language],
                    doc_type=kind, issuers=issuers, signatories=orgs, persons=persons, demands=demands,
                    events=events, evidence=evidence)
    body = Page(url, text, page.blocks, "html", "utf-8", digest, len(text.encode()), PageHints())
    fetched = f"{issued.isoformat()}T12:00:00Z"
    # No text signature: copies by text would need a MinHash of every text (1-2 ms a document).  Translations are
    # found by the writer from the signatories, which is how a statement gets a second copy here.
    extracted = Extracted(url, record, body, url=url, fetched_at=fetched, signature=None)
    return extracted, (kind, issued, signers, reported)


_COUNTRY_NAMES: dict[str, str] = {}


def country_name(code: str) -> str:
    if code not in _COUNTRY_NAMES:
        import pycountry

        found = pycountry.countries.get(alpha_2=code) if code else None
        _COUNTRY_NAMES[code] = str(getattr(found, "common_name", None) or found.name) if found else code
    return _COUNTRY_NAMES[code]


def build_database(path: Path, statements: int, seed: int) -> dict[str, Any]:
    """Write ``statements`` statements (and their translations) through the store writer into a new database."""
    from solidarity_atlas.store.db import connect
    from solidarity_atlas.store.writer import Writer

    say(f"building {path} with {statements:,} statements (seed {seed})")
    started = time.perf_counter()
    partial = path.with_name(path.name + ".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    engine = connect(str(partial))
    with tempfile.TemporaryDirectory() as empty:
        os.environ["SOLIDARITY_JUDGEMENTS"] = str(Path(empty) / "none.jsonl")  # no correction applies
        atlas = Atlas(statements, seed)
        writer = Writer(engine)
        batch: list[Any] = []
        recent: list[tuple[Any, ...]] = []  # originals whose translation is still to come
        made = written = translations = 0
        while made < statements or recent:
            if recent and (made >= statements or atlas.rng.random() < TRANSLATED):
                translations += 1
                item, _ = make_record(atlas, statements + translations, original=recent.pop(0))
            else:
                item, shape = make_record(atlas, made)
                made += 1
                if shape[2] and len(shape[2]) >= 3 and atlas.rng.random() < TRANSLATED:
                    recent.append(shape)
            batch.append(item)
            if len(batch) >= BATCH:
                counts = writer.write(batch)
                written += counts.stored
                batch = []
                if made % 10_000 < BATCH:
                    say(f"  {made:,} statements generated, {written:,} documents stored, "
                        f"{time.perf_counter() - started:.0f} s")
        if batch:
            written += writer.write(batch).stored
    engine.dispose()
    with contextlib.closing(sqlite3.connect(partial)) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    partial.rename(path)
    seconds = time.perf_counter() - started
    say(f"built in {seconds:.0f} s")
    return {"seconds": round(seconds, 1), "documents_written": written}


def describe_database(path: Path) -> dict[str, Any]:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as c:
        counts = {name: c.execute(f"SELECT count(*) FROM {name}").fetchone()[0]  # noqa: S608 - fixed names
                  for name in ("statements", "documents", "organizations", "signatures", "cosignatures", "persons",
                               "mentions", "events", "claims")}
        top = c.execute("SELECT count(*) FROM org_statements GROUP BY org_id ORDER BY 1 DESC LIMIT 1").fetchone()
    counts["statements_of_the_busiest_organisation"] = top[0] if top else 0
    return {"path": str(path), "mb": round(path.stat().st_size / 1e6, 1), "rows": counts}


def load_targets(path: Path, seed: int) -> dict[str, Any]:
    """What the simulated readers ask for: every statement id, every organisation id, the search words."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as c:
        statement_ids = [r[0] for r in c.execute("SELECT id FROM statements")]
        org_ids = [r[0] for r in c.execute("SELECT id FROM organizations")]
    words = [w for kind in SEARCH_WORDS.values() for w in kind]
    return {"statements": statement_ids, "organizations": org_ids, "words": words, "seed": seed}


def page_path(page: str, targets: dict[str, Any], rng: random.Random) -> str:
    from urllib.parse import quote, urlencode

    if page == "home":
        return "/"
    if page == "search":
        return "/search?" + urlencode({"q": rng.choice(targets["words"])})
    if page == "statement":
        return f"/statements/{rng.choice(targets['statements'])}"
    if page == "organisation":
        return "/organizations/" + quote(rng.choice(targets["organizations"]), safe="")
    raise ValueError(page)


# -- the server --------------------------------------------------------------------------------------------------


def serve(db: Path, port: int, workers: int | None, threads: int | None) -> None:
    """Run the website as ``solidarity serve`` runs it (``web.server.serve``: its worker processes, its thread pool),
    with the API's rate limit off."""
    from solidarity_atlas.store.db import connect
    from solidarity_atlas.web import server

    url = connect(str(db)).url.render_as_string(hide_password=False)  # migrated once, as solidarity serve does
    server.serve(url, host="127.0.0.1", port=port, workers=workers, threads=threads or server.THREADS,
                 rate_per_second=0)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def cpu_seconds(self) -> float:
        """CPU time of the server and its worker processes so far (from /proc)."""
        total = 0.0
        ticks = os.sysconf("SC_CLK_TCK")
        for pid in [self.process.pid, *children(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        return total


    def memory_mb(self) -> list[float]:
        """Resident memory of each worker process (or of the one server process), in MB."""
        pids = [c for c in children(self.process.pid) if _is_worker(c)] or [self.process.pid]
        sizes = []
        for pid in pids:
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{pid}/status").read_text()
                sizes.append(round(int(status.split("VmRSS:")[1].split()[0]) / 1024, 1))
        return sizes


def _is_worker(pid: int) -> bool:
    """A uvicorn worker process, not multiprocessing's resource tracker."""
    try:
        return "resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return False


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found + [g for c in found for g in children(c)]


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_server(db: Path, workers: int, threads: int, folder: Path) -> Iterator[Server]:
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "serve", "--db", str(db),
                                    "--port", str(port), "--workers", str(workers), "--threads", str(threads)],
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + SERVER_START
        while True:
            if process.poll() is not None:
                raise BenchError(f"the server ended with {process.returncode}: {log.read_text()[-1500:]}")
            try:
                with urllib.request.urlopen(server.url + "/static/style.css", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise BenchError(f"the server did not answer in {SERVER_START:.0f} s") from None
                time.sleep(0.3)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# -- the load ----------------------------------------------------------------------------------------------------


def warm_up(server: Server, page: str, targets: dict[str, Any], rng: random.Random) -> None:
    for _ in range(WARM_UP):
        with contextlib.suppress(urllib.error.HTTPError), \
                urllib.request.urlopen(server.url + page_path(page, targets, rng), timeout=60) as r:
            r.read()


# -- the load generator: wrk (default, when installed) or Locust ------------------------------------------------

LOADS = ("wrk", "locust")
WRK_THREADS = 2  # wrk's event-loop threads, one per core of this machine; the users are shared among them
WRK_TIMEOUT = 30  # seconds before wrk gives up on an answer (its default, 2 s, would count slow pages as errors)
WRK_SCRIPT = """-- bench/web_load.py's script for wrk: each request picks a path from the file, at random.
local paths = {}
for line in io.lines(%(paths)s) do paths[#paths + 1] = line end
local think_min, think_max = %(think_min)d, %(think_max)d  -- milliseconds; 0, 0: no pause
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(%(seed)d + id * 7919)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

if think_max > 0 then
  function delay()
    return math.random(think_min, think_max)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WEB_LOAD_RESULT {"requests": %%d, "duration_us": %%d, "bytes": %%d, "connect": %%d, "read": %%d, ' ..
    '"write": %%d, "status": %%d, "timeout": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, ' ..
    '"max_us": %%d, "mean_us": %%.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
"""


def locust_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("locust") is not None


def choose_load(wanted: str, wrk: str | None = None, locust: bool | None = None) -> tuple[str, str | None]:
    """The load generator to use and, when it is not the one asked for, why: ``wanted`` is ``wrk``, ``locust``
    or ``auto`` (wrk when installed, it costs the shared cores far less CPU per request, else Locust).  ``wrk``
    is its path (default: looked up on PATH), ``locust`` whether Locust can be imported (default: looked up).
    Raises :class:`BenchError` when the one asked for, or both, are missing."""
    wrk = wrk if wrk is not None else shutil.which("wrk")
    locust = locust if locust is not None else locust_installed()
    if wanted == "wrk" and not wrk:
        raise BenchError("wrk is not installed (Debian: apt-get install wrk), or use --load locust")
    if wanted == "locust" and not locust:
        raise BenchError("Locust is not installed (pip install -e '.[bench]'), or use --load wrk")
    if wanted != "auto":
        return wanted, None
    if wrk:
        return "wrk", None
    if locust:
        return "locust", "wrk is not installed (Debian: apt-get install wrk): using Locust, whose own CPU per " \
                         "request (0.3-1 ms) is taken from the cores the server runs on"
    raise BenchError("no load generator: install wrk (Debian: apt-get install wrk) or Locust "
                     "(pip install -e '.[bench]')")


def wrk_paths(page: str, targets: dict[str, Any]) -> list[str]:
    """Every path wrk may request for ``page``: the one home page, each search, each statement, each
    organisation (drawn at random among them for each request, as Locust's users do)."""
    from urllib.parse import quote, urlencode

    if page == "home":
        return ["/"]
    if page == "search":
        return ["/search?" + urlencode({"q": word}) for word in targets["words"]]
    if page == "statement":
        return [f"/statements/{i}" for i in targets["statements"]]
    if page == "organisation":
        return ["/organizations/" + quote(i, safe="") for i in targets["organizations"]]
    raise ValueError(page)


def wrk_script(paths_file: Path, seed: int, think: tuple[float, float] | None = None) -> str:
    low, high = (round(think[0] * 1000), round(think[1] * 1000)) if think else (0, 0)
    return WRK_SCRIPT % {"paths": json.dumps(str(paths_file)), "seed": seed, "think_min": low, "think_max": high}


def wrk_command(wrk: str, url: str, users: int, seconds: int, script: Path) -> list[str]:
    return [wrk, "--threads", str(max(1, min(WRK_THREADS, users))), "--connections", str(users),
            "--duration", f"{seconds}s", "--timeout", f"{WRK_TIMEOUT}s", "--script", str(script), url]


def parse_wrk(output: str) -> dict[str, Any]:
    """The figures the script's ``done()`` wrote, from wrk's output."""
    for line in output.splitlines():
        if line.startswith("WEB_LOAD_RESULT "):
            found: dict[str, Any] = json.loads(line.removeprefix("WEB_LOAD_RESULT "))
            return found
    raise BenchError(f"wrk wrote no figures: {output[-1500:]}")


def run_wrk(server: Server, page: str, targets: dict[str, Any], users: int, seconds: int, folder: Path,
            think: tuple[float, float] | None = None, seed: int = 1, wrk: str = "wrk") -> dict[str, Any]:
    """One wrk run against one page type: ``users`` connections on :data:`WRK_THREADS` threads, each sending its
    next request as soon as the answer is in (or after a pause, ``think``)."""
    paths_file = folder / f"wrk-{page}.paths"
    paths_file.write_text("\n".join(wrk_paths(page, targets)) + "\n", encoding="utf-8")
    script = folder / f"wrk-{page}.lua"
    script.write_text(wrk_script(paths_file, seed, think), encoding="utf-8")
    command = wrk_command(wrk, server.url, users, seconds, script)
    cpu_before, client_before = server.cpu_seconds(), _children_cpu()
    run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, check=False)
    cpu, client_cpu = server.cpu_seconds() - cpu_before, _children_cpu() - client_before
    if run.returncode != 0:
        raise BenchError(f"wrk failed ({run.returncode}): {run.stderr[-1500:]}")
    got = parse_wrk(run.stdout)
    return wrk_figures(page, got, users, seconds, cpu, client_cpu)


def wrk_figures(page: str, got: dict[str, Any], users: int, seconds: int, cpu: float,
                client_cpu: float) -> dict[str, Any]:
    """One run's figures, as :func:`run_locust` gives them, from what the wrk script wrote (``got``)."""
    requests = int(got["requests"])
    errors = {kind: int(got[kind]) for kind in ("connect", "read", "write", "status", "timeout") if got[kind]}
    p95 = round(got["p95_us"] / 1000, 1)
    return {
        "page": page, "users": users, "seconds": seconds, "requests": requests,
        "median_ms": round(got["p50_us"] / 1000, 1), "p95_ms": p95, "p99_ms": round(got["p99_us"] / 1000, 1),
        "max_ms": round(got["max_us"] / 1000, 1), "mean_ms": round(got["mean_us"] / 1000, 1),
        "requests_per_s": round(requests / (got["duration_us"] / 1e6), 1) if got["duration_us"] else 0.0,
        # wrk counts an answer of status 400 or more under "status", and sockets that failed under the others
        "errors": sum(errors.values()), "errors_by_kind": errors,
        "bytes_mean": round(got["bytes"] / requests) if requests else 0,
        "server_cpu_ms_per_request": round(1000 * cpu / requests, 2) if requests else None,
        "client_cpu_ms_per_request": round(1000 * client_cpu / requests, 2) if requests else None,
        "target_met": p95 < TARGET_P95_MS,
    }


def run_locust(server: Server, page: str, targets_file: Path, users: int, seconds: int, folder: Path,
               think: tuple[float, float] | None = None) -> dict[str, Any]:
    """One headless Locust run against one page type; its figures from Locust's CSV files."""
    prefix = folder / f"locust-{page}"
    command = [sys.executable, "-m", "locust", "-f", str(Path(__file__).resolve()), "--headless",
               "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s",
               "--host", server.url, "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
               "--stop-timeout", "10", "--exit-code-on-error", "0"]
    env = {**os.environ, PAGE_ENV: page, TARGETS_ENV: str(targets_file)}
    if think:
        env[THINK_ENV] = json.dumps(think)
    cpu_before, client_before = server.cpu_seconds(), _children_cpu()
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 120, check=False)
    cpu, client_cpu = server.cpu_seconds() - cpu_before, _children_cpu() - client_before
    if run.returncode != 0:
        raise BenchError(f"locust failed ({run.returncode}): {run.stderr[-1500:]}")
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    with open(f"{prefix}_failures.csv", newline="", encoding="utf-8") as handle:
        failures = {row["Error"]: int(row["Occurrences"]) for row in csv.DictReader(handle)}
    row = rows[page]
    requests = int(row["Request Count"])
    return {
        "page": page, "users": users, "seconds": seconds, "requests": requests,
        "median_ms": float(row["50%"]), "p95_ms": float(row["95%"]), "p99_ms": float(row["99%"]),
        "max_ms": round(float(row["Max Response Time"]), 1), "mean_ms": round(float(row["Average Response Time"]), 1),
        "requests_per_s": round(float(row["Requests/s"]), 1), "errors": int(row["Failure Count"]),
        "errors_by_kind": failures, "bytes_mean": round(float(row["Average Content Size"])),
        "server_cpu_ms_per_request": round(1000 * cpu / requests, 2) if requests else None,
        "client_cpu_ms_per_request": round(1000 * client_cpu / requests, 2) if requests else None,
        "target_met": float(row["95%"]) < TARGET_P95_MS,
    }


def _children_cpu() -> float:
    """CPU seconds of the finished child processes of this one (the Locust runs: the load's own cost)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# The Locust side: this file is also the locustfile.  Locust imports it as a module (never as __main__), with
# PAGE_ENV telling which page type its users read; each user requests it again as soon as the answer is in, or,
# with THINK_ENV ("--think MIN MAX"), after reading it for a random time between MIN and MAX seconds.
if __name__ != "__main__" and os.environ.get(PAGE_ENV):
    from locust import FastHttpUser, between, constant, task

    _PAGE = os.environ[PAGE_ENV]
    _TARGETS = json.loads(Path(os.environ[TARGETS_ENV]).read_text(encoding="utf-8"))
    _THINK = json.loads(os.environ[THINK_ENV]) if os.environ.get(THINK_ENV) else None

    class Reader(FastHttpUser):
        wait_time = between(*_THINK) if _THINK else constant(0)

        def on_start(self) -> None:
            self.rng = random.Random()

        @task
        def read(self) -> None:
            with self.client.get(page_path(_PAGE, _TARGETS, self.rng), name=_PAGE, catch_response=True) as answer:
                if answer.status_code != 200:
                    answer.failure(f"HTTP {answer.status_code}")


# -- report ------------------------------------------------------------------------------------------------------


class BenchError(Exception):
    pass


def say(message: str) -> None:
    print(f"  {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def report(figures: dict[str, Any]) -> str:
    db = figures["database"]
    rows = db["rows"]
    lines = [
        "Solidarity Atlas - web load benchmark",
        f"  {figures['cpus']} CPUs; Python {figures['python']}; SQLite {figures['sqlite']}; load average "
        f"{figures['load_before']} before, {figures['load_after']} after",
        f"  database {db['path']} ({db['mb']} MB): {rows['statements']:,} statements, {rows['documents']:,} documents,"
        f" {rows['organizations']:,} organisations, {rows['signatures']:,} signatures, {rows['events']:,} events,"
        f" {rows['persons']:,} persons" + (f"; built in {figures['build']['seconds']} s" if figures["build"] else
                                           "; reused"),
        f"  server: uvicorn ({figures.get('http', '?')}, {figures.get('loop', '?')}), {figures['workers']} worker(s) "
        f"of {figures['threads']} threads, API rate limit off; "
        f"load: {figures['load']}, {figures['users']} users "
        + (f"pausing {figures['think'][0]:g}-{figures['think'][1]:g} s between requests (THINK TIME: not the "
           "no-pause figure)" if figures.get("think") else "without pauses")
        + f", {figures['duration']} s per page type",
        "",
        f"  {'page':<14} {'requests':>9} {'req/s':>8} {'median ms':>10} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'errors':>7} {'CPU ms/req':>11} {'load ms/req':>12}  p95 < {TARGET_P95_MS:.0f} ms",
    ]
    for r in figures["pages"]:
        lines.append(f"  {r['page']:<14} {r['requests']:>9,} {r['requests_per_s']:>8.1f} {r['median_ms']:>10.0f} "
                     f"{r['p95_ms']:>8.0f} {r['p99_ms']:>8.0f} {r['max_ms']:>8.0f} {r['errors']:>7} "
                     f"{r['server_cpu_ms_per_request'] or 0:>11.2f} {r.get('client_cpu_ms_per_request') or 0:>12.2f}"
                     f"  {'met' if r['target_met'] else 'MISSED'}")
    if figures.get("server_rss_mb"):
        lines.append(f"  server memory at the end (resident, MB per process): {figures['server_rss_mb']}")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Load benchmark of the Solidarity Atlas website "
                                                 "(see bench/README.md).")
    parser.add_argument("command", nargs="?", choices=("run", "build", "serve"), default="run",
                        help="run (default): build or reuse the database, serve it, load it; build: the database "
                             "only; serve: the server only (used by run)")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"the database, reused if it exists ({DEFAULT_DB})")
    parser.add_argument("--statements", type=int, default=100_000, help="statements of a new database (100000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the data and the requests (1)")
    parser.add_argument("--users", type=int, default=20, help="concurrent clients (20)")
    parser.add_argument("--duration", type=int, default=30, help="seconds of load per page type (30)")
    parser.add_argument("--pages", nargs="+", choices=PAGES, default=list(PAGES), help="page types to load")
    parser.add_argument("--workers", type=int, default=None,
                        help="server processes (default: as solidarity serve, one per CPU, at most 8)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads running the endpoints in each worker process (default: as solidarity serve, 2)")
    parser.add_argument("--think", type=float, nargs=2, metavar=("MIN", "MAX"), default=None,
                        help="seconds each user waits between requests, drawn between MIN and MAX, as a person "
                             "reading the page would (default: no pause)")
    parser.add_argument("--load", choices=("auto", *LOADS), default="auto",
                        help="the load generator: wrk (C, under a tenth of a millisecond of CPU per request), "
                             "locust (Python, 0.3-1 ms), or auto (default): wrk if installed, else Locust")
    parser.add_argument("--port", type=int, default=0, help="port (serve only)")
    parser.add_argument("--json-out", type=Path, default=DEFAULT_JSON, help=f"the JSON results ({DEFAULT_JSON})")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "serve":
        serve(args.db, args.port, args.workers, args.threads)
        return 0
    from solidarity_atlas.web import server as web_server

    args.db.parent.mkdir(parents=True, exist_ok=True)
    workers = args.workers or web_server.default_workers()
    threads = args.threads or web_server.THREADS
    figures: dict[str, Any] = {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                               "sqlite": sqlite3.sqlite_version, "load_before": load_average(),
                               "users": args.users, "duration": args.duration, "think": args.think,
                               "workers": workers, "threads": threads, **web_server.implementations(),
                               "build": None, "pages": []}
    try:
        load, why = choose_load(args.load) if args.command == "run" else ("", None)
        if why:
            say(why)
        figures["load"] = load
        if not args.db.exists():
            figures["build"] = build_database(args.db, args.statements, args.seed)
        figures["database"] = describe_database(args.db)
        if args.command == "build":
            print(json.dumps(figures["database"], indent=2))
            return 0
        targets = load_targets(args.db, args.seed)
        with tempfile.TemporaryDirectory(prefix="solidarity-web-load-") as tmp:
            folder = Path(tmp)
            targets_file = folder / "targets.json"
            targets_file.write_text(json.dumps(targets), encoding="utf-8")
            with running_server(args.db, workers, threads, folder) as server:
                rng = random.Random(args.seed)
                for page in args.pages:
                    say(f"{page}: warm-up, then {args.users} users for {args.duration} s")
                    warm_up(server, page, targets, rng)
                    if load == "wrk":
                        result = run_wrk(server, page, targets, args.users, args.duration, folder, args.think,
                                         args.seed, shutil.which("wrk") or "wrk")
                    else:
                        result = run_locust(server, page, targets_file, args.users, args.duration, folder,
                                            args.think)
                    say(f"{page}: median {result['median_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, "
                        f"{result['requests_per_s']} req/s, {result['errors']} errors")
                    figures["pages"].append(result)
                figures["server_rss_mb"] = server.memory_mb()
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    figures["load_after"] = load_average()
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(report(figures))
    print(f"\n  figures written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
