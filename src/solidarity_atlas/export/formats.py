"""The exports of the knowledge base, one function per kind of file.

Tables go out one file each, read from the database :data:`CHUNK_ROWS` rows at a time, so exporting a
large atlas never holds a whole table in memory.  Beside each row comes what a researcher would otherwise
have to join by hand: a signature's organisation and statement, a claim's document and event, an
organisation's names as documents wrote them.  The columns that only serve re-extraction and copy detection
(a page's raw text, its blocks, markup hints and MinHash) stay in the database.

Every file is written under a temporary name and renamed once complete, so an interrupted export leaves
the previous file, or none, never a truncated one.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from itertools import groupby, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, Connection, Engine, Integer, Select, inspect, select

from solidarity_atlas.errors import AtlasError
from solidarity_atlas.store.schema import (
    TABLES,
    claims,
    demands,
    documents,
    events,
    inputs,
    mentions,
    org_names,
    organizations,
    persons,
    signatures,
    statements,
)

if TYPE_CHECKING:
    import networkx as nx

CHUNK_ROWS = 10_000  # rows fetched and written at once (one Parquet row group): a few MB whatever the table size
HEAVY_COLUMNS = ("text", "blocks", "hints", "minhash")  # for re-extraction and copy detection, not for readers
# A document's whole main text: thousands of characters over many lines in one cell, which spreadsheets and
# OpenRefine import badly. JSON Lines and Parquet keep it, for text mining.
CSV_LEFT_OUT = ("clean_text",)
ALIAS_SEPARATOR = " | "  # between an organisation's names as written: OpenRefine and pandas split on it
NO_COMMUNITY = -1  # a node Louvain gave no community (never, once analysed): unlike 0, which is a community
NETWORK_FILE = "network"
POPOLO_FILE = "popolo.json"
DATASETTE_FILE = "metadata.json"
DEFAULT_DATABASE_NAME = "atlas"  # Datasette names a database after its file; a server database has none


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"
    graphml = "graphml"
    gexf = "gexf"
    popolo = "popolo"
    datasette = "datasette"


TABLE_FORMATS = (ExportFormat.csv, ExportFormat.jsonl, ExportFormat.parquet)


class ExportError(AtlasError):
    """The export cannot be written where asked: the message says why."""


@dataclass(frozen=True, slots=True)
class Written:
    """One file an export wrote, with how much it holds."""

    path: Path
    count: int  # rows, nodes, organisations or tables, as ``summary`` says
    summary: str


@dataclass(frozen=True, slots=True)
class TableExport:
    """One exported table: its columns (name and kind: int, bool or str) and its rows, chunk by chunk."""

    name: str
    columns: tuple[tuple[str, str], ...]
    chunks: Callable[[Connection], Iterator[list[dict[str, Any]]]]

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]


# -- the tables --------------------------------------------------------------------------------------------


def _kind(column_type: Any) -> str:
    if isinstance(column_type, Boolean):
        return "bool"
    if isinstance(column_type, Integer):  # SmallInteger and BigInteger too
        return "int"
    return "str"


def _from_query(name: str, query: Select[Any]) -> TableExport:
    columns = tuple((key, _kind(column.type)) for key, column in zip(query.selected_columns.keys(),
                                                                      query.selected_columns, strict=True))

    def chunks(connection: Connection) -> Iterator[list[dict[str, Any]]]:
        result = connection.execution_options(yield_per=CHUNK_ROWS).execute(query)
        for partition in result.mappings().partitions():
            yield [dict(row) for row in partition]

    return TableExport(name, columns, chunks)


def _batched(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK_ROWS)):
        yield chunk


def _rows(table: TableExport, connection: Connection) -> Iterator[dict[str, Any]]:
    for chunk in table.chunks(connection):
        yield from chunk


def _organizations() -> TableExport:
    """Organisations with their names as written, one row each (the join gives a row per name)."""
    query = (select(organizations, org_names.c.name.label("alias"))
             .outerjoin(org_names, org_names.c.org_id == organizations.c.id)
             .order_by(organizations.c.id, org_names.c.name))
    joined = _from_query("organizations", query)

    def merged(connection: Connection) -> Iterator[dict[str, Any]]:
        for _, group in groupby(_rows(joined, connection), key=lambda row: row["id"]):
            rows = list(group)
            first = {k: v for k, v in rows[0].items() if k != "alias"}
            first["aliases"] = ALIAS_SEPARATOR.join(row["alias"] for row in rows if row["alias"])
            yield first

    columns = tuple(c for c in joined.columns if c[0] != "alias") + (("aliases", "str"),)
    return TableExport("organizations", columns, lambda connection: _batched(merged(connection)))


def tables(fmt: ExportFormat) -> list[TableExport]:
    """The tables a researcher gets, in the order of the schema; CSV without the documents' main text."""
    left_out = set(HEAVY_COLUMNS) | (set(CSV_LEFT_OUT) if fmt == ExportFormat.csv else set())
    return [
        _from_query("statements", select(statements).order_by(statements.c.id)),
        _from_query("documents", select(*(c for c in documents.c if c.name not in left_out))
                    .order_by(documents.c.id)),
        _from_query("inputs", select(inputs).order_by(inputs.c.id)),
        _organizations(),
        _from_query("signatures", select(
            signatures, organizations.c.name.label("org_name"), organizations.c.country.label("org_country"),
            documents.c.statement_id, documents.c.date.label("document_date"))
            .join(organizations, organizations.c.id == signatures.c.org_id)
            .join(documents, documents.c.id == signatures.c.document_id)
            .order_by(signatures.c.id)),
        _from_query("persons", select(persons).order_by(persons.c.id)),
        _from_query("mentions", select(mentions, persons.c.name.label("person_name"))
                    .join(persons, persons.c.id == mentions.c.person_id).order_by(mentions.c.id)),
        _from_query("demands", select(demands).order_by(demands.c.id)),
        _from_query("events", select(events).order_by(events.c.id)),
        _from_query("claims", select(
            claims, events.c.type.label("event_type"), documents.c.title.label("document_title"),
            documents.c.date.label("document_date"), documents.c.source.label("document_source"),
            documents.c.url.label("document_url"))
            .join(events, events.c.id == claims.c.event_id)
            .join(documents, documents.c.id == claims.c.document_id)
            .order_by(claims.c.id)),
    ]


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed to it when the block ends without an error."""
    partial = path.with_name(f".{path.name}.part")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_csv(table: TableExport, connection: Connection, path: Path) -> int:
    count = 0
    with _replacing(path) as partial, partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.names)
        for chunk in table.chunks(connection):
            writer.writerows([row[name] for name in table.names] for row in chunk)
            count += len(chunk)
    return count


def write_jsonl(table: TableExport, connection: Connection, path: Path) -> int:
    count = 0
    with _replacing(path) as partial, partial.open("w", encoding="utf-8", newline="\n") as handle:
        for chunk in table.chunks(connection):
            handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in chunk)
            count += len(chunk)
    return count


def write_parquet(table: TableExport, connection: Connection, path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow_types = {"int": pa.int64(), "bool": pa.bool_(), "str": pa.string()}
    schema = pa.schema([pa.field(name, arrow_types[kind], nullable=True) for name, kind in table.columns])
    count = 0
    with _replacing(path) as partial, pq.ParquetWriter(str(partial), schema) as writer:
        for chunk in table.chunks(connection):
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
            count += len(chunk)
    return count


WRITERS: dict[ExportFormat, Callable[[TableExport, Connection, Path], int]] = {
    ExportFormat.csv: write_csv, ExportFormat.jsonl: write_jsonl, ExportFormat.parquet: write_parquet,
}


def export_tables(engine: Engine, fmt: ExportFormat, folder: Path) -> list[Written]:
    """One file per table, ``folder/<table>.<format>``."""
    out: list[Written] = []
    with engine.connect() as connection:
        for table in tables(fmt):
            path = folder / f"{table.name}.{fmt.value}"
            count = WRITERS[fmt](table, connection, path)
            out.append(Written(path, count, f"{count} rows"))
    return out


# -- the network -------------------------------------------------------------------------------------------


def gephi_graph(engine: Engine) -> nx.Graph:
    """The analysed co-signature network with only the attributes GraphML and GEXF carry: no None anywhere,
    the organisation's name as ``label`` (Gephi's node label) and an integer ``weight`` per edge."""
    import networkx as nx

    from solidarity_atlas.analyze.network import analyse, cosignature_graph

    graph = cosignature_graph(engine)
    analyse(graph)
    clean = nx.Graph()
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        clean.add_node(
            node, label=str(data.get("name") or node), country=str(data.get("country") or ""),
            kind=str(data.get("kind") or ""), statements=int(data.get("statements") or 0),
            degree=int(data.get("degree") or 0), strength=int(data.get("strength") or 0),
            betweenness=float(data.get("betweenness") or 0.0),
            community=int(data.get("community", NO_COMMUNITY)),
        )
    for a, b, data in sorted(graph.edges(data=True)):
        clean.add_edge(a, b, weight=int(data.get("weight") or 1))
    return clean


def export_network(engine: Engine, fmt: ExportFormat, folder: Path) -> list[Written]:
    """``folder/network.graphml`` or ``folder/network.gexf``."""
    import networkx as nx

    graph = gephi_graph(engine)
    path = folder / f"{NETWORK_FILE}.{fmt.value}"
    with _replacing(path) as partial:
        if fmt == ExportFormat.graphml:
            nx.write_graphml(graph, partial, named_key_ids=True)
        else:
            nx.write_gexf(graph, partial)
    summary = f"{graph.number_of_nodes()} organisations, {graph.number_of_edges()} links"
    return [Written(path, graph.number_of_nodes(), summary)]


# -- Popolo ------------------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _area_id(country: str) -> str:
    return f"country:{country}"


def popolo(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Organisations, persons and their memberships as Popolo JSON (https://www.popoloproject.com/specs/).

    A membership is a mention whose organisation (as the document gives it) is a stored organisation, found
    by id, by a name a document wrote, or by the resolver; one per person and organisation, with the first
    role given and the pages it was read on.
    """
    from solidarity_atlas.resolve.countries import countries

    out_orgs: list[dict[str, Any]] = []
    names: dict[str, str] = {}  # folded id, name or alias -> org id
    ids: set[str] = set()
    used_countries: set[str] = set()
    with engine.connect() as connection:
        for row in _rows(_organizations(), connection):
            aliases = [a for a in row["aliases"].split(ALIAS_SEPARATOR) if a and a != row["name"]]
            org: dict[str, Any] = {"id": row["id"], "name": row["name"]}
            if row["kind"]:
                org["classification"] = row["kind"]
            if row["country"]:
                org["area_id"] = _area_id(row["country"])
                used_countries.add(row["country"])
            if aliases:
                org["other_names"] = [{"name": a} for a in aliases]
            out_orgs.append(org)
            ids.add(row["id"])
            for name in (row["id"], row["name"], *aliases):
                names.setdefault(_fold(name), row["id"])

        out_persons: list[dict[str, Any]] = []
        written = (select(persons.c.id, persons.c.name, mentions.c.name.label("written"))
                   .outerjoin(mentions, mentions.c.person_id == persons.c.id)
                   .distinct().order_by(persons.c.id, mentions.c.name))
        for person_id, group in groupby(connection.execute(written), key=lambda r: r.id):
            rows = list(group)
            person: dict[str, Any] = {"id": person_id, "name": rows[0].name}
            others = [r.written for r in rows if r.written and r.written != rows[0].name]
            if others:
                person["other_names"] = [{"name": n} for n in others]
            out_persons.append(person)

        members: dict[tuple[str, str], dict[str, Any]] = {}
        said = connection.execute(
            select(mentions.c.person_id, mentions.c.org, mentions.c.role, documents.c.id.label("document_id"),
                   documents.c.url, documents.c.title)
            .join(documents, documents.c.id == mentions.c.document_id)
            .where(mentions.c.org.is_not(None), mentions.c.org != "")
            .order_by(mentions.c.id)
        )
        for mention in said:
            org_id = _stored_org(mention.org, names, ids)
            if org_id is None:
                continue
            member = members.setdefault((mention.person_id, org_id), {
                "id": f"{mention.person_id}@{org_id}", "person_id": mention.person_id, "organization_id": org_id,
            })
            if mention.role and "role" not in member:
                member["role"] = mention.role
            if mention.url and mention.url not in {s["url"] for s in member.get("sources", [])}:
                note = f"document {mention.document_id}" + (f": {mention.title}" if mention.title else "")
                member.setdefault("sources", []).append({"url": mention.url, "note": note})
    areas = [{"id": _area_id(code), "name": countries().english.get(code, code), "classification": "country",
              "identifiers": [{"scheme": "ISO 3166-1 alpha-2", "identifier": code}]}
             for code in sorted(used_countries)]
    return {"organizations": out_orgs, "persons": out_persons, "memberships": list(members.values()),
            "areas": areas}


def _stored_org(text: str, names: dict[str, str], ids: set[str]) -> str | None:
    """The stored organisation a mention's ``org`` text means, if any."""
    found = names.get(_fold(text))
    if found is not None:
        return found
    from solidarity_atlas.resolve.orgs import resolver

    resolved = resolver().resolve(text).org.org_id
    return resolved if resolved in ids else None


def export_popolo(engine: Engine, folder: Path) -> list[Written]:
    data = popolo(engine)
    path = folder / POPOLO_FILE
    with _replacing(path) as partial:
        partial.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    summary = (f"{len(data['organizations'])} organizations, {len(data['persons'])} persons, "
               f"{len(data['memberships'])} memberships")
    return [Written(path, len(data["organizations"]), summary)]


# -- Datasette ---------------------------------------------------------------------------------------------

TABLE_NOTES: dict[str, str] = {
    "statements": "One row per statement: the documents that are copies of one another (reposts, translations) "
                  "share it, so a statement is counted once however often it was published.",
    "documents": "One row per distinct text read (by the hash of its bytes), with what was extracted from it. "
                 "The search box searches titles and main texts.",
    "inputs": "Every place a document was read from (file, archive member, WARC record, URL) and what became of "
              "it: stored, a duplicate of a stored document, or quarantined with the reason.",
    "lsh_bands": "Locality-sensitive hashes of each document's MinHash, used to find copies of a text.",
    "organizations": "Organisations that issued or signed documents, under the resolver's id.",
    "org_names": "Each name an organisation was written under in some document.",
    "signatures": "An organisation issuing or signing a document, with the name as written and where.",
    "statement_signers": "Each organisation that signed a statement, once, whatever the number of its copies.",
    "cosignatures": "Pairs of organisations and the number of statements both signed: the co-signature network.",
    "org_statements": "Each statement an organisation signed or issued, with the statement's date.",
    "persons": "People named in documents, one row per person across documents.",
    "mentions": "A person named in one document, with the role and organisation the text gives.",
    "demands": "Demands a document makes, by code, with the sentence that makes them.",
    "events": "Happenings (strikes, arrests, rallies...) reported by one document or several.",
    "claims": "What one document says of one event: its figure and date, and the sentence it is said in.",
    "users": "Curators who may sign in to the web application (password hashes: never published).",
    "sessions": "Signed-in sessions of the web application.",
    "audit_log": "Every change made and every sign-in tried in the web application.",
}

_OFFSETS = "Offset in documents.text where the quoted span {}."
_SPAN = {"start": _OFFSETS.format("starts"), "end": _OFFSETS.format("ends")}
_DOCUMENT = {"document_id": "The document it was extracted from (documents.id)."}

COLUMN_NOTES: dict[str, dict[str, str]] = {
    "statements": {
        "id": "Statement id.",
        "title": "Title of the first document stored of this statement.",
        "date": "Date of that document, ISO, as precise as the text gives it.",
        "year": "Year of the date.",
        "doc_type": "Kind of text: joint_statement, resolution, petition, news_report...",
        "copies": "Number of stored documents that are copies or translations of it.",
    },
    "documents": {
        "id": "Document id.",
        "content_hash": "SHA-256 of the bytes read.",
        "source": "The first input it was read from (a path or URL).",
        "url": "Web address of the page, when it was fetched from the web.",
        "fetched_at": "When it was fetched (UTC).",
        "title": "Title as extracted.",
        "date": "Date of issue, ISO, as precise as the text gives it.",
        "year": "Year of the date.",
        "place": "Place of issue, in English.",
        "country": "ISO 3166-1 alpha-2 code of the place of issue's country.",
        "languages": "ISO 639-1 codes of its languages, comma-separated, the most used first.",
        "doc_type": "Kind of text: joint_statement, resolution, petition, news_report...",
        "flags": "Comma-separated remarks of the extraction.",
        "statement_id": "The statement it is a copy of (statements.id).",
        "format": "Format it was read as (txt, md, html...).",
        "encoding": "Character encoding its bytes were decoded from.",
        "size": "Size in bytes.",
        "text": "The decoded page text; every offset in the other tables indexes it.",
        "clean_text": "The main text without navigation and other page chrome; what search searches.",
        "blocks": "JSON: the page's blocks, kept so extraction can run again.",
        "hints": "JSON: what the markup said (HTML title, meta date, site name).",
        "minhash": "MinHash signature of the main text, to find copies.",
        "extracted_at": "When it was extracted (UTC).",
        "extractor": "Version of Solidarity Atlas that extracted it.",
    },
    "inputs": {
        "id": "Input id.",
        "uri": "Where it was read from: a path, an archive member, a WARC record or a URL.",
        "content_hash": "SHA-256 of the bytes read.",
        "status": "stored, duplicate or quarantined.",
        "reason": "Why it was quarantined.",
        "document_id": "The document its bytes are (documents.id).",
        "url": "Web address, when fetched from the web.",
        "fetched_at": "When it was fetched (UTC).",
        "size": "Size in bytes.",
        "first_seen": "When an ingest first read it (UTC).",
        "last_seen": "When an ingest last read it (UTC).",
    },
    "lsh_bands": {
        "document_id": "The document (documents.id).",
        "band": "Band number of the MinHash.",
        "hash": "Hash of the band's values.",
    },
    "organizations": {
        "id": "The resolver's id: the name's words and the country code.",
        "name": "Canonical English name.",
        "country": "ISO 3166-1 alpha-2 code of its country; empty for international bodies.",
        "kind": "party, union, front, youth, international...",
        "registry": "1 when it is a known organisation of the bundled registry.",
    },
    "org_names": {
        "org_id": "The organisation (organizations.id).",
        "name": "The name as a document wrote it.",
    },
    "signatures": {
        "id": "Signature id.",
        **_DOCUMENT,
        "org_id": "The organisation (organizations.id).",
        "role": "signatory or issuer.",
        "raw": "The organisation's name as the document wrote it.",
        "position": "Place in the document's list of signatories or issuers, from 0.",
        **_SPAN,
    },
    "statement_signers": {
        "statement_id": "The statement (statements.id).",
        "org_id": "An organisation that signed it (organizations.id).",
    },
    "cosignatures": {
        "org_a": "One organisation of the pair (the smaller id).",
        "org_b": "The other organisation of the pair.",
        "statements": "Statements both signed.",
    },
    "org_statements": {
        "org_id": "The organisation (organizations.id).",
        "statement_id": "A statement it signed or issued (statements.id).",
        "year": "The statement's year.",
        "date": "The statement's date.",
    },
    "persons": {
        "id": "Person id: the surname's spelling-blind key and the first initial.",
        "name": "The fullest spelling of the name seen.",
    },
    "mentions": {
        "id": "Mention id.",
        **_DOCUMENT,
        "person_id": "The person (persons.id).",
        "name": "The name as this document gives it.",
        "role": "Role the text gives (president, leader...).",
        "org": "Organisation the text attaches the person to.",
        "quote": "The text the name was read from.",
        **_SPAN,
    },
    "demands": {
        "id": "Demand id.",
        **_DOCUMENT,
        "code": "The kind of demand (release of prisoners, lifting a ban...).",
        "quote": "The sentence making it.",
        **_SPAN,
    },
    "events": {
        "id": "Event id.",
        "type": "Kind of happening: strike, arrest, rally...",
        "date": "Fullest date any report gives, ISO.",
        "place": "Where, in English.",
        "country": "ISO 3166-1 alpha-2 code.",
    },
    "claims": {
        "id": "Claim id.",
        "event_id": "The event reported (events.id).",
        **_DOCUMENT,
        "count": "The number the document gives, if any.",
        "claim": "The figure as written: 70, seventy, dozens.",
        "date": "The date this document gives the happening.",
        "place": "The place this document gives.",
        "quote": "The sentence reporting it.",
        **_SPAN,
    },
    "users": {
        "id": "User id.",
        "name": "The name a curator signs in with.",
        "password_hash": "The password's argon2id hash.",
        "created_at": "When the user was added, UTC.",
    },
    "sessions": {
        "id": "SHA-256 of the session cookie.",
        "who": "The user's name, or admin-token.",
        "csrf": "The token the session's forms send back.",
        "credential": "For an admin-token session, the SHA-256 of the token.",
        "client": "The address it was opened from.",
        "created_at": "When it was opened, UTC.",
        "expires_at": "When it ends, UTC.",
    },
    "audit_log": {
        "id": "Entry id.",
        "at": "When, UTC.",
        "who": "The user's name, admin-token, or the name tried at a failed sign-in.",
        "client": "The client's address.",
        "operation": "merge, split, alias, rename, signatory, not_statement, login, login_failed, logout...",
        "judgement": "The judgement written, as JSON.",
    },
}

TABLE_SETTINGS: dict[str, dict[str, Any]] = {
    "statements": {"label_column": "title", "sort_desc": "date", "facets": ["doc_type", "year"]},
    "documents": {"label_column": "title", "sort_desc": "date", "facets": ["doc_type", "country", "year"],
                  "fts_table": "documents_fts", "fts_pk": "id"},
    "inputs": {"sort_desc": "last_seen", "facets": ["status"]},
    "lsh_bands": {"hidden": True},  # internal to copy detection
    "organizations": {"label_column": "name", "sort": "name", "facets": ["country", "kind"]},
    "org_names": {"sort": "name"},
    "signatures": {"facets": ["role"]},
    "persons": {"label_column": "name", "sort": "name"},
    "demands": {"facets": ["code"]},
    "events": {"sort_desc": "date", "facets": ["type", "country"]},
    # The web application's accounts: hidden from the table list (publish an export rather than this database).
    "users": {"hidden": True},
    "sessions": {"hidden": True},
    "audit_log": {"hidden": True},
}

INTERNAL_TABLES = ("alembic_version",)  # the schema's migration stamp, hidden in the browser
FTS_TABLE_PREFIX = "documents_fts"  # the FTS5 index and its shadow tables: searched through documents


def database_name(engine: Engine) -> str:
    """The name Datasette gives the database: its file name without the extension."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        return Path(str(engine.url.database)).stem
    return DEFAULT_DATABASE_NAME


def datasette_metadata(engine: Engine) -> dict[str, Any]:
    """Datasette's metadata.json for the database: descriptions of every table and column, full-text search
    on documents, the columns that label rows, default sorts and facets."""
    described: dict[str, Any] = {}
    for name in TABLES:
        settings = dict(TABLE_SETTINGS.get(name, {}))
        if engine.dialect.name != "sqlite":  # the FTS5 table is SQLite's (PostgreSQL searches documents.search)
            settings.pop("fts_table", None)
            settings.pop("fts_pk", None)
        described[name] = {"description": TABLE_NOTES[name], "columns": COLUMN_NOTES[name], **settings}
    present = inspect(engine).get_table_names()
    for name in present:
        if name in INTERNAL_TABLES or name.startswith(FTS_TABLE_PREFIX):
            described[name] = {"hidden": True}
    return {
        "title": "Solidarity Atlas",
        "description": "Statements, resolutions, petitions and news reports of the labour and communist movement "
                       "with who signed them, who is named in them, what they demand and what happenings they "
                       "report; every extracted value points back to its document and the offsets of its text.",
        "source": "The documents' publishers: see documents.source and documents.url",
        "license": "Texts remain under their publishers' terms",
        "databases": {database_name(engine): {"tables": described}},
    }


def export_datasette(engine: Engine, folder: Path) -> list[Written]:
    data = datasette_metadata(engine)
    path = folder / DATASETTE_FILE
    with _replacing(path) as partial:
        partial.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [Written(path, len(TABLES), f"{len(TABLES)} tables described")]


# -- all together ------------------------------------------------------------------------------------------


def check_folder(folder: Path) -> Path:
    """The output folder, which may not exist yet, but whose parent must: else :class:`ExportError`."""
    folder = folder.expanduser()
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is a file, not a folder")
    parent = folder.resolve().parent
    if not parent.is_dir():
        raise ExportError(f"the folder {parent} does not exist")
    return folder


def export(engine: Engine, fmt: ExportFormat, folder: Path) -> list[Written]:
    """Write the knowledge base into ``folder`` (created if missing) in one format; the files written."""
    folder = check_folder(folder)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise ExportError(f"{folder}: cannot create the folder ({exc.strerror})") from None
    if fmt in TABLE_FORMATS:
        return export_tables(engine, fmt, folder)
    if fmt in (ExportFormat.graphml, ExportFormat.gexf):
        return export_network(engine, fmt, folder)
    if fmt == ExportFormat.popolo:
        return export_popolo(engine, folder)
    return export_datasette(engine, folder)
