"""The knowledge base's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

A *document* is one distinct text (by the hash of its raw bytes); an *input*
is one place it was read from (a file, an archive member, a WARC record, a
URL) and ends stored, a duplicate of a stored document, or quarantined with
its reason.  Documents that are copies of one another (a statement reposted
on several sites, or published in two languages) share a *statement*.
Everything extracted hangs off its document with the offsets of the text it
came from, so every value can be traced to its source; deleting a document
deletes what was extracted from it.  Events are happenings across documents:
each document that reports one adds a *claim* (its figure, its sentence).

Migrations (Alembic, ``store/migrations``) create these tables; the two must
agree, which a test checks.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

statements = Table(
    "statements", metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text),
    Column("date", String(10)),
    Column("year", Integer, index=True),
    Column("doc_type", String(20)),
    Column("copies", Integer, nullable=False, default=1),
)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True),
    Column("content_hash", String(64), nullable=False, unique=True),  # sha256 of the raw bytes
    Column("source", Text, nullable=False),  # the first input it was read from
    Column("url", Text),
    Column("fetched_at", String(32)),
    Column("title", Text),
    Column("date", String(10), index=True),  # ISO, at the precision the text gives
    Column("year", Integer),
    Column("place", Text),
    Column("country", String(2), index=True),  # the place of issue's country
    Column("languages", Text),  # comma-separated ISO 639-1 codes, most text first
    Column("doc_type", String(20), index=True),
    Column("flags", Text),  # comma-separated
    Column("statement_id", ForeignKey("statements.id", ondelete="SET NULL")),
    Column("format", String(8)),
    Column("encoding", String(32)),
    Column("size", Integer),
    Column("text", Text, nullable=False),  # the decoded page text: every offset below indexes it
    Column("clean_text", Text, nullable=False),  # the main text, for search
    Column("blocks", Text, nullable=False),  # JSON: the page's blocks, so extraction can run again
    Column("hints", Text),  # JSON: what the markup said (HTML title, meta date, site name)
    Column("minhash", LargeBinary),  # the text's MinHash signature, for copies
    Column("extracted_at", String(32)),
    Column("extractor", String(32)),  # package version that extracted it
    # A statement's copies, and (without reading a row: rows hold whole texts) the countries they were issued in.
    Index("ix_documents_statement_id_country", "statement_id", "country"),
)

inputs = Table(
    "inputs", metadata,
    Column("id", Integer, primary_key=True),
    Column("uri", Text, nullable=False, unique=True),
    Column("content_hash", String(64), index=True),
    Column("status", String(16), nullable=False, index=True),  # stored, duplicate, quarantined
    Column("reason", Text),
    Column("document_id", ForeignKey("documents.id", ondelete="SET NULL"), index=True),
    Column("url", Text),
    Column("fetched_at", String(32)),
    Column("size", Integer),
    Column("first_seen", String(32), nullable=False),
    Column("last_seen", String(32), nullable=False),
)

lsh_bands = Table(
    "lsh_bands", metadata,
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("band", SmallInteger, primary_key=True),
    Column("hash", BigInteger, nullable=False),
    # The documents that share a band, read from the index alone (see migration 0006).
    Index("ix_lsh_bands_band_hash_document_id", "band", "hash", "document_id"),
)

organizations = Table(
    "organizations", metadata,
    Column("id", String(120), primary_key=True),  # the resolver's org_id
    Column("name", Text, nullable=False),
    Column("country", String(2), index=True),
    Column("kind", String(20)),
    Column("registry", Boolean, nullable=False, default=False),  # a known organisation of data/organizations.csv
)

org_names = Table(
    "org_names", metadata,
    Column("org_id", ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
    Column("name", Text, primary_key=True),  # as written in a document
)

signatures = Table(
    "signatures", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("org_id", ForeignKey("organizations.id"), nullable=False),
    Column("role", String(10), nullable=False),  # signatory or issuer
    Column("raw", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("start", Integer),
    Column("end", Integer),
    # An organisation's signatures, by role, with their documents: what it issued is read from the index alone.
    Index("ix_signatures_org_id_role_document_id", "org_id", "role", "document_id"),
)

# Derived from signatures, kept in step by the writer: who signed each statement (once, whatever the copies), and
# how many statements each pair of organisations signed together -- so an organisation's co-signers and the
# network are read, not computed, on a large atlas.
statement_signers = Table(
    "statement_signers", metadata,
    Column("statement_id", ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True),
    Column("org_id", ForeignKey("organizations.id"), primary_key=True, index=True),
)

# A statement signed by more organisations than this counts in no co-signature pair: its n(n-1)/2 pairs (50 million
# for a list of 10,000) would swamp the network and the writer's memory, and such a list is a petition's, not a
# joint statement's.  Its signatures, signers and statements by organisation are stored as for any other.
MAX_COSIGNERS = 500

cosignatures = Table(
    "cosignatures", metadata,
    Column("org_a", ForeignKey("organizations.id"), primary_key=True),  # the smaller id of the two
    Column("org_b", ForeignKey("organizations.id"), primary_key=True, index=True),
    Column("statements", Integer, nullable=False),
)

# Every statement an organisation signed or issued, with the statement's date: an organisation's profile (by year,
# first and last, the latest statements) is read from these two indexes, whatever the size of the atlas.
org_statements = Table(
    "org_statements", metadata,
    Column("org_id", ForeignKey("organizations.id"), primary_key=True),
    Column("statement_id", ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("year", Integer),
    Column("date", String(10)),
    Index("ix_org_statements_org_id_year_date", "org_id", "year", "date"),
    Index("ix_org_statements_org_id_date", "org_id", "date"),
)

persons = Table(
    "persons", metadata,
    Column("id", String(120), primary_key=True),
    Column("name", Text, nullable=False),
)

mentions = Table(
    "mentions", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("person_id", ForeignKey("persons.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),  # the name as this document gives it
    Column("role", Text),
    Column("org", Text),
    Column("quote", Text),
    Column("start", Integer),
    Column("end", Integer),
)

demands = Table(
    "demands", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("code", String(40), nullable=False, index=True),
    Column("quote", Text),
    Column("start", Integer),
    Column("end", Integer),
)

events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("type", String(20), nullable=False),
    Column("date", String(10)),
    Column("place", Text),
    Column("country", String(2)),
    Index("ix_events_type_country_date", "type", "country", "date"),
    Index("ix_events_country_date", "country", "date"),
)

claims = Table(
    "claims", metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("count", Integer),  # the number the document gives, if any
    Column("claim", Text),  # the figure as written: "70", "seventy", "dozens"
    Column("date", String(10)),  # the date this document gives the happening
    Column("place", Text),
    Column("quote", Text, nullable=False),  # the sentence
    Column("start", Integer),
    Column("end", Integer),
)

# Curation in the web application: its users, their sessions, and the log of every change and sign-in.

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),  # argon2id, in its PHC string form; never the password
    Column("created_at", String(32), nullable=False),
)

sessions = Table(
    "sessions", metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the cookie's random value: a copy of the table opens none
    Column("who", String(80), nullable=False, index=True),  # a user's name, or "admin-token"
    Column("csrf", String(64), nullable=False),  # the synchroniser token every form and API call of it must send
    Column("credential", String(64)),  # an admin-token session: SHA-256 of the token, so a new token ends it
    Column("client", String(64)),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False, index=True),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(32), nullable=False, index=True),
    Column("who", String(80), nullable=False),
    Column("client", String(64)),
    Column("operation", String(32), nullable=False),  # merge, split, ..., login, login_failed, logout
    Column("judgement", Text),  # JSON: the judgement written, or what a sign-in was
)

TABLES = ("statements", "documents", "inputs", "lsh_bands", "organizations", "org_names", "signatures",
          "statement_signers", "cosignatures", "org_statements", "persons", "mentions", "demands", "events", "claims",
          "users", "sessions", "audit_log")
