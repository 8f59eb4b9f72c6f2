"""What a writer remembers of the stored rows, so that a batch looks up little: bounded, backed by the database.

The writer asks, for every signature, whether the organisation and the name as written are stored; for every
person named, which persons share the surname; for every event reported, which stored happenings it may be. Asking
the database each time would cost a query per row; keeping all of it in memory would grow with the atlas (and be
read again whole whenever another process wrote).  So each kind is a bounded cache:

- organisations and their names: the ids (and pairs) met lately; one not remembered is written again with
  ``INSERT ... ON CONFLICT DO NOTHING``, which leaves a stored row as it is;
- persons: the persons of a surname key, read with one indexed query the first time the key is met;
- events: the happenings of one type, country and year (or with no date), read with one indexed query.

Within a batch nothing is forgotten (the batch's own new rows are only in memory until it is written); after a
batch is committed each cache is cut back to its limit, least recently used first.  :meth:`Known.forget` drops
everything, when a batch was rolled back or another process wrote.
"""

from __future__ import annotations

from bisect import insort
from collections import OrderedDict
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, or_, select

from solidarity_atlas.store.db import Raw
from solidarity_atlas.store.schema import events, persons

ORGS = 50_000  # organisation ids remembered
NAMES = 100_000  # (organisation, name as written) pairs remembered
SURNAMES = 20_000  # surname keys whose persons are remembered
EVENTS = 20_000  # events remembered, over the (type, country, year) groups read

Event = list[Any]  # [id, date, place], changed in place when a report gives a fuller date or a place
Group = tuple[str, str | None, str | None]  # type, country, year (None: undated)


class Known:
    def __init__(self) -> None:
        self.orgs: OrderedDict[str, None] = OrderedDict()
        self.names: OrderedDict[tuple[str, str], None] = OrderedDict()
        self.people: OrderedDict[str, dict[str, str]] = OrderedDict()  # surname key -> person id -> fullest name
        self.groups: OrderedDict[Group, list[Event]] = OrderedDict()
        self._events = 0  # events held in groups

    def forget(self) -> None:
        self.orgs.clear()
        self.names.clear()
        self.people.clear()
        self.groups.clear()
        self._events = 0

    def trim(self) -> None:
        """After a committed batch: each cache back to its limit, the least recently used entries first."""
        for remembered, limit in ((self.orgs, ORGS), (self.names, NAMES), (self.people, SURNAMES)):
            while len(remembered) > limit:
                remembered.popitem(last=False)
        while self._events > EVENTS and self.groups:
            self._events -= len(self.groups.popitem(last=False)[1])

    # -- organisations ------------------------------------------------------------------------------------------

    def new_org(self, org_id: str) -> bool:
        """Whether the organisation is to be written (not remembered as stored); it is remembered from now on."""
        return _first_time(self.orgs, org_id)

    def new_name(self, org_id: str, name: str) -> bool:
        return _first_time(self.names, (org_id, name))

    # -- persons ------------------------------------------------------------------------------------------------

    def persons(self, raw: Raw, key: str) -> dict[str, str]:
        """Person id -> name, of the persons whose surname key is ``key`` (ids ``key`` and ``key-X``); the caller
        adds the persons it makes to this dict."""
        found = self.people.get(key)
        if found is not None:
            self.people.move_to_end(key)
            return found
        if raw.dialect.name == "postgresql":  # LIKE on the text_pattern_ops index (any collation)
            row: tuple[str, ...] = (key, _like_escaped(key) + "-%")
        else:  # a range of the primary key (SQLite compares text byte by byte; "." follows "-")
            row = (key, key + "-", key + ".")
        statement, names = _persons_of_key(raw.dialect.name)
        found = {person_id: name for person_id, name in raw.execute(statement, names, row).fetchall()}
        self.people[key] = found
        return found

    # -- events -------------------------------------------------------------------------------------------------

    def group(self, raw: Raw, kind: str, country: str | None, year: str | None) -> list[Event]:
        """The stored events of one type and country, of one year (None: undated), in the order of their ids."""
        key = (kind, country, year)
        found = self.groups.get(key)
        if found is not None:
            self.groups.move_to_end(key)
            return found
        statement, names = _events_of_group(country is not None, year is not None)
        row = tuple(v for v in (kind, country, year) if v is not None)
        found = [list(r) for r in raw.execute(statement, names, row).fetchall()]
        self.groups[key] = found
        self._events += len(found)
        return found

    def add_event(self, kind: str, country: str | None, event: Event) -> None:
        """A new event, or one that now has a date: into its group, when that group is held, in the order of the
        ids (as the group is read), so that what is remembered never changes which event a report is found to be."""
        found = self.groups.get((kind, country, event[1][:4] if event[1] else None))
        if found is not None:
            insort(found, event, key=_event_id)
            self._events += 1

    def remove_event(self, kind: str, country: str | None, year: str | None, event: Event) -> None:
        found = self.groups.get((kind, country, year))
        if found is not None and event in found:
            found.remove(event)
            self._events -= 1

    def first_event(self, raw: Raw, kind: str, country: str | None, place: str | None) -> Event | None:
        """The oldest stored event of a type and country whose place is ``place`` or none (any place, for none):
        the one an undated report is of."""
        statement, names = _first_event(country is not None, place is not None)
        row = tuple(v for v in (kind, country, place) if v is not None)
        rows = raw.execute(statement, names, row).fetchall()
        return list(rows[0]) if rows else None

    def changed_place(self, kind: str, country: str | None, date: str | None, event_id: int, place: str) -> None:
        """A stored event (met through :meth:`first_event`) was given a place: so is its copy, if its group is held."""
        for event in self.groups.get((kind, country, date[:4] if date else None), ()):
            if event[0] == event_id:
                event[2] = place
                return

def _event_id(event: Event) -> int:
    return int(event[0])


def _first_time(remembered: OrderedDict[Any, None], key: Any) -> bool:
    if key in remembered:
        remembered.move_to_end(key)
        return False
    remembered[key] = None
    return True


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@cache
def _persons_of_key(dialect: str) -> tuple[Any, tuple[str, ...]]:
    query = select(persons.c.id, persons.c.name)
    if dialect == "postgresql":
        return query.where(or_(persons.c.id == bindparam("key"),
                               persons.c.id.like(bindparam("pattern"), escape="\\"))), ("key", "pattern")
    return query.where(or_(persons.c.id == bindparam("key"),
                           (persons.c.id >= bindparam("low")) & (persons.c.id < bindparam("high")))), \
        ("key", "low", "high")


def _country_is(has_country: bool) -> Any:
    # "= NULL" finds nothing, and PostgreSQL cannot use an index for IS NOT DISTINCT FROM: two statements
    return events.c.country == bindparam("country") if has_country else events.c.country.is_(None)


@cache
def _events_of_group(has_country: bool, has_year: bool) -> tuple[Any, tuple[str, ...]]:
    dated = func.substr(events.c.date, 1, 4) == bindparam("year") if has_year else events.c.date.is_(None)
    query = (select(events.c.id, events.c.date, events.c.place)
             .where(events.c.type == bindparam("type"), _country_is(has_country), dated).order_by(events.c.id))
    return query, ("type", *(["country"] if has_country else []), *(["year"] if has_year else []))


@cache
def _first_event(has_country: bool, has_place: bool) -> tuple[Any, tuple[str, ...]]:
    query = select(events.c.id, events.c.date, events.c.place).where(events.c.type == bindparam("type"),
                                                                     _country_is(has_country))
    if has_place:
        query = query.where(or_(events.c.place.is_(None), events.c.place == bindparam("place")))
    query = query.order_by(events.c.id).limit(1)
    return query, ("type", *(["country"] if has_country else []), *(["place"] if has_place else []))
