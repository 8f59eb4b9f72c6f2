"""Reading the knowledge base: counts, failures, search, organisation profiles, timelines.

Every function takes an engine and returns plain data (dicts and lists),
which the CLI prints as tables or JSON and the web layer will render.
Signatures are counted once per statement: a statement reposted on three
sites, or printed in two languages, is one signature of each signatory.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, and_, case, func, literal_column, or_, select, text

from solidarity_atlas.store.schema import (
    claims,
    cosignatures,
    documents,
    events,
    inputs,
    mentions,
    org_names,
    org_statements,
    organizations,
    persons,
    signatures,
    statement_signers,
    statements,
)

SNIPPET_WORDS = 16
RANKED_MATCHES = 5_000  # up to this many matches are ranked by relevance (bm25); beyond, the latest come first


def stats(engine: Engine) -> dict[str, int]:
    with engine.connect() as c:
        status = dict(c.execute(select(inputs.c.status, func.count()).group_by(inputs.c.status)).tuples().all())

        def count(table: Any) -> int:
            return int(c.execute(select(func.count()).select_from(table)).scalar_one())

        return {
            "documents": count(documents), "statements": count(statements),
            "inputs": sum(status.values()), "inputs_stored": status.get("stored", 0),
            "inputs_duplicate": status.get("duplicate", 0), "inputs_quarantined": status.get("quarantined", 0),
            "organizations": count(organizations),
            "signatures": count(statement_signers),  # once per statement, however many copies
            "signature_mentions": count(signatures), "persons": count(persons), "mentions": count(mentions),
            "events": count(events), "claims": count(claims),
        }


def failures(engine: Engine) -> list[dict[str, str]]:
    with engine.connect() as c:
        rows = c.execute(select(inputs.c.uri, inputs.c.reason).where(inputs.c.status == "quarantined")
                         .order_by(inputs.c.id)).all()
    return [{"input": r.uri, "reason": r.reason or ""} for r in rows]


def fts_query(query: str) -> str:
    """A user's words as an FTS5 query: each word a quoted term (so no word is taken for syntax), all required."""
    terms = [t.replace('"', '""') for t in query.split() if t.strip('"')]
    return " ".join(f'"{t}"' for t in terms)


def search(engine: Engine, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Documents whose title or main text has every word of the query, best first, with a snippet."""
    if not query.strip():
        return []
    with engine.connect() as c:
        if c.dialect.name == "sqlite":
            terms = fts_query(query)
            # Ranking scores every match: for a word found in most of the atlas, the latest documents instead.
            common = c.execute(text("SELECT rowid FROM documents_fts WHERE documents_fts MATCH :q LIMIT 1 OFFSET :n"),
                               {"q": terms, "n": RANKED_MATCHES}).first() is not None
            order = "documents_fts.rowid DESC" if common else "rank"
            rows = c.execute(text(
                "SELECT d.id, d.title, d.date, d.doc_type, d.source, d.statement_id, "
                "snippet(documents_fts, 1, '[', ']', '…', :words) AS snippet "
                "FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid "
                f"WHERE documents_fts MATCH :q ORDER BY {order} LIMIT :limit"
            ), {"q": terms, "limit": limit, "words": SNIPPET_WORDS}).mappings().all()
        elif c.dialect.name == "postgresql":
            rows = _search_postgresql(c, query, limit)
        else:
            like = f"%{query}%"
            rows = c.execute(select(documents.c.id, documents.c.title, documents.c.date, documents.c.doc_type,
                                    documents.c.source, documents.c.statement_id,
                                    func.substr(documents.c.clean_text, 1, 160).label("snippet"))
                             .where(or_(documents.c.title.ilike(like), documents.c.clean_text.ilike(like)))
                             .limit(limit)).mappings().all()
    return [dict(r) for r in rows]


# -- full-text search on PostgreSQL --------------------------------------------------------------------------------
# documents.search is a tsvector of each document's title and main text in its first language's text search
# configuration, with a GIN index; the functions it is made with are in the database (migration 0007).  These
# expressions are the ones to use wherever documents are searched on PostgreSQL (the CLI here, the website).

_SEARCH: ColumnElement[Any] = literal_column("documents.search")


def ts_query(words: str) -> ColumnElement[Any]:
    """The words as a tsquery: every word required, as each language's configuration stems it (NULL, matching
    nothing, when no word is left once stop words are dropped).  The function is immutable: the planner computes it
    once from the bound words, and then estimates the GIN index's cost from the actual query (as a scalar subquery
    it could not, and would scan the table)."""
    return func.atlas_tsquery(words)


def ts_match(words: str) -> ColumnElement[bool]:
    """Documents with every word of ``words`` (the GIN index answers it): a WHERE condition on ``documents``."""
    return _SEARCH.op("@@")(ts_query(words))


def ts_rank(words: str) -> ColumnElement[Any]:
    """How well a document matches ``words``, higher better: ORDER BY ``ts_rank(words).desc()``."""
    return func.ts_rank(_SEARCH, ts_query(words))


def ts_snippet(words: str, start: str = "[", stop: str = "]", length: int = SNIPPET_WORDS) -> ColumnElement[Any]:
    """A passage of a document's main text around the words found, each found word between ``start`` and
    ``stop`` (ts_headline: the words as the document's own language stems them, and as written).  It reads the
    whole text: compute it for a page of results, not for every match.  (Not :func:`ts_query`: ts_headline with
    the query in every configuration costs a third of a second per document.)"""
    config = func.atlas_search_config(documents.c.languages)
    options = f'StartSel="{start}", StopSel="{stop}", MaxWords={length}, MinWords={max(1, length // 2)}'
    query = func.plainto_tsquery(config, words).op("||")(func.plainto_tsquery("simple", words))
    return func.ts_headline(config, documents.c.clean_text, query, options)


def index_first(c: Connection) -> None:
    """PostgreSQL: no sequential scan in the rest of this transaction, where the full-text index can answer.

    The planner prices ``@@`` on a ``tsvector`` as a cheap operator, so for words found in a third of the atlas it
    reads every document's ``tsvector`` instead of the GIN index: 62 ms for a count over 10,000 documents (3,477
    matches) against 8.5 ms through the index, and ranking the same matches 76 against 35 ms
    (bench/README.md).  ``SET LOCAL`` ends with the transaction."""
    if c.dialect.name == "postgresql":
        c.exec_driver_sql("SET LOCAL enable_seqscan = off")


def _search_postgresql(c: Connection, query: str, limit: int) -> list[Any]:
    index_first(c)
    match = ts_match(query)
    # As on SQLite: ranking reads every match's tsvector; for words found in most of the atlas, the latest instead.
    common = c.execute(select(documents.c.id).where(match).limit(1).offset(RANKED_MATCHES)).first() is not None
    order = [documents.c.id.desc()] if common else [ts_rank(query).desc(), documents.c.id.desc()]
    ids = list(c.execute(select(documents.c.id).where(match).order_by(*order).limit(limit)).scalars())
    if not ids:
        return []
    found = {r.id: r for r in c.execute(
        select(documents.c.id, documents.c.title, documents.c.date, documents.c.doc_type, documents.c.source,
               documents.c.statement_id, ts_snippet(query).label("snippet"))
        .where(documents.c.id.in_(ids))).mappings()}
    return [found[i] for i in ids]


def find_org(engine: Engine, name: str) -> str | None:
    """The id of the organisation a name means: an id, a name seen in a document, or the resolver's answer."""
    with engine.connect() as c:
        if c.execute(select(organizations.c.id).where(organizations.c.id == name)).first():
            return name
        row = c.execute(select(org_names.c.org_id).where(func.lower(org_names.c.name) == name.casefold())).first()
        if row:
            return str(row.org_id)
        from solidarity_atlas.resolve.orgs import resolver

        resolved = resolver().resolve(name).org.org_id
        if c.execute(select(organizations.c.id).where(organizations.c.id == resolved)).first():
            return resolved
        row = c.execute(select(organizations.c.id).where(func.lower(organizations.c.name) == name.casefold())).first()
        return str(row.id) if row else None


def org_profile(engine: Engine, org_id: str, top: int = 10, listed: int = 100) -> dict[str, Any] | None:
    """What the knowledge base knows of one organisation: the statements it signed or issued (the latest
    ``listed`` of them, and counts by year of all), its co-signers and the names it went by."""
    with engine.connect() as c:
        org = c.execute(select(organizations).where(organizations.c.id == org_id)).mappings().first()
        if org is None:
            return None
        aliases = sorted(c.execute(select(org_names.c.name).where(org_names.c.org_id == org_id)).scalars())
        # Read from the organisation's own index (org_statements): a handful of rows per year, the latest first.
        years = c.execute(select(org_statements.c.year, func.count(), func.min(org_statements.c.date),
                                 func.max(org_statements.c.date))
                          .where(org_statements.c.org_id == org_id)
                          .group_by(org_statements.c.year).order_by(org_statements.c.year)).all()
        total = sum(n for _, n, _, _ in years)
        by_year = {year: n for year, n, _, _ in years if year is not None}
        first = min((low for _, _, low, _ in years if low), default=None)
        last = max((high for _, _, _, high in years if high), default=None)
        latest = (select(org_statements.c.statement_id).where(org_statements.c.org_id == org_id)
                  .order_by(org_statements.c.date.desc(), org_statements.c.statement_id.desc()).limit(listed))
        rows = c.execute(select(statements.c.id, statements.c.title, statements.c.date, statements.c.doc_type)
                         .where(statements.c.id.in_(latest.scalar_subquery()))
                         .order_by(statements.c.date.desc(), statements.c.id.desc())).all()
        shown = [r.id for r in rows]
        roles: dict[int, set[str]] = {}
        sources: dict[int, list[str]] = {}
        # The copies of those statements first, then this organisation's signatures on them: two small look-ups
        # (one join would walk every signature of a prolific organisation).
        copies = c.execute(select(documents.c.id, documents.c.statement_id, documents.c.source)
                           .where(documents.c.statement_id.in_(shown)).order_by(documents.c.id)).all()
        statement_of = {d.id: d.statement_id for d in copies}
        for d in copies:
            sources.setdefault(d.statement_id, []).append(d.source)
        # The organisation is picked out here, not in SQL: given its id, SQLite would walk that organisation's
        # whole index instead of the few documents' signatures.
        for document_id, role, signer in c.execute(select(signatures.c.document_id, signatures.c.role,
                                                          signatures.c.org_id)
                                                   .where(signatures.c.document_id.in_(list(statement_of)))):
            if signer == org_id:
                roles.setdefault(statement_of[document_id], set()).add(role)
        other = case((cosignatures.c.org_a == org_id, cosignatures.c.org_b), else_=cosignatures.c.org_a)
        co = c.execute(
            select(other.label("org_id"), organizations.c.name, organizations.c.country,
                   cosignatures.c.statements.label("together"))
            .join(organizations, organizations.c.id == other)
            .where(or_(cosignatures.c.org_a == org_id, cosignatures.c.org_b == org_id))
            .order_by(cosignatures.c.statements.desc(), other).limit(top)
        ).all()
    items = [{"statement": r.id, "date": r.date, "title": r.title, "doc_type": r.doc_type,
              "roles": sorted(roles.get(r.id, ())), "sources": sources.get(r.id, [])} for r in reversed(rows)]
    return {
        "org_id": org_id, "name": org["name"], "country": org["country"], "kind": org["kind"],
        "registry": bool(org["registry"]), "aliases": aliases, "statement_count": total, "statements": items,
        "by_year": {str(y): n for y, n in by_year.items()}, "first": first, "last": last,
        "co_signers": [{"org_id": r.org_id, "name": r.name, "country": r.country, "together": r.together}
                       for r in co],
    }


def timeline(engine: Engine, country: str, limit: int = 500) -> list[dict[str, Any]]:
    """Events in a country, each with the claim of every source, and the statements issued there, by date."""
    country = country.upper()
    out: list[dict[str, Any]] = []
    with engine.connect() as c:
        for event in c.execute(select(events).where(events.c.country == country)
                               .order_by(events.c.date, events.c.id).limit(limit)).mappings():
            found = c.execute(
                select(claims.c.count, claims.c.claim, claims.c.quote, claims.c.date, documents.c.id,
                       documents.c.title, documents.c.date.label("published"), documents.c.source)
                .join(documents, documents.c.id == claims.c.document_id)
                .where(claims.c.event_id == event["id"]).order_by(documents.c.date, documents.c.id)
            ).all()
            publishers = _publishers(c, [r.id for r in found])
            out.append({
                "kind": "event", "date": event["date"], "type": event["type"], "place": event["place"],
                "country": event["country"], "id": event["id"],
                "claims": [{"count": r.count, "claim": r.claim, "quote": r.quote, "document": r.id,
                            "source": r.source, "title": r.title, "published": r.published,
                            "by": publishers.get(r.id)} for r in found],
            })
        about = c.execute(
            select(statements.c.id, statements.c.date, statements.c.title, statements.c.doc_type)
            .join(documents, documents.c.statement_id == statements.c.id)
            .where(and_(documents.c.country == country, statements.c.doc_type != "news_report"))
            .distinct().order_by(statements.c.date).limit(limit)
        ).all()
        out.extend({"kind": "statement", "date": r.date, "type": r.doc_type, "title": r.title, "id": r.id}
                   for r in about)
    return sorted(out, key=lambda e: (e["date"] or "9999", e["kind"], e["id"]))


def _publishers(c: Any, document_ids: list[int]) -> dict[int, str]:
    """The first issuer (else signatory) of each document, to say whose figure a claim is."""
    if not document_ids:
        return {}
    rows = c.execute(
        select(signatures.c.document_id, organizations.c.name, signatures.c.role, signatures.c.position)
        .join(organizations, organizations.c.id == signatures.c.org_id)
        .where(signatures.c.document_id.in_(document_ids))
        .order_by(signatures.c.document_id, signatures.c.role, signatures.c.position)  # "issuer" < "signatory"
    ).all()
    out: dict[int, str] = {}
    for r in rows:
        out.setdefault(r.document_id, r.name)
    return out
