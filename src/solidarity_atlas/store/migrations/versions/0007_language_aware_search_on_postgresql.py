"""Full-text search in each document's language on PostgreSQL; SQLite is left as it is.

Revision 0001 gave PostgreSQL a ``search`` column of ``to_tsvector('simple', ...)``: words as written, no stems.
This revision makes the column with the text search configuration of the document's first language (``english``
for ``en``, ``spanish`` for ``es``...; ``simple`` for a language PostgreSQL has none for), through two functions
kept in the database so that the search queries use the same ones:

- ``atlas_search_config(languages)``: the configuration of a ``documents.languages`` value;
- ``atlas_tsquery(words)``: the words as a query in every configuration used (the OR of the distinct ones): a
  document matches when it has every word stemmed as its own language stems it, and the GIN index answers it.

``atlas_tsvector`` indexes a text whose tsvector would pass PostgreSQL's 1 MB limit by its first 250,000
characters (fewer, if even these pass it), so no document is refused for its size.  The sequence ``atlas_writes`` counts the batches written:
a writer that finds it moved since its own last batch knows another process wrote, and reads again what it keeps
in memory (see store/writer.py).  On SQLite (FTS5, see 0001) this revision does nothing.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 15:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# ISO 639-1 code -> PostgreSQL's text search configuration (those a server lacks are left out when migrating)
CONFIGURATIONS = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish", "nl": "dutch",
    "en": "english", "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
    "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian", "lt": "lithuanian", "ne": "nepali",
    "no": "norwegian", "nb": "norwegian", "nn": "norwegian", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sr": "serbian", "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish",
    "yi": "yiddish",
}
TRUNCATED = 250_000  # characters indexed of a text too large for one tsvector


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    known = set(bind.exec_driver_sql("SELECT cfgname FROM pg_catalog.pg_ts_config").scalars())
    used = {code: name for code, name in CONFIGURATIONS.items() if name in known}
    cases = " ".join(f"WHEN '{code}' THEN '{name}'::regconfig" for code, name in sorted(used.items()))
    queries = ", ".join(f"plainto_tsquery('{name}', words)" for name in sorted({*used.values(), "simple"}))
    op.execute(
        "CREATE OR REPLACE FUNCTION atlas_search_config(languages text) RETURNS regconfig "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
        f"$$ SELECT CASE split_part(coalesce(languages, ''), ',', 1) {cases} ELSE 'simple'::regconfig END $$"
    )
    # The OR of the distinct queries only (most languages stem most words alike, and each branch costs every row it
    # is matched against); NULL, matching nothing, when only stop words are given.
    op.execute(
        "CREATE OR REPLACE FUNCTION atlas_tsquery(words text) RETURNS tsquery "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
        "SELECT string_agg(DISTINCT '(' || q::text || ')', ' | ')::tsquery "
        f"FROM unnest(ARRAY[{queries}]) AS q WHERE numnode(q) > 0 $$"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION atlas_tsvector(config regconfig, body text) RETURNS tsvector "
        f"LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$ DECLARE kept integer := {TRUNCATED}; "
        "BEGIN RETURN to_tsvector(config, body); "
        "EXCEPTION WHEN program_limit_exceeded THEN LOOP "
        "BEGIN RETURN to_tsvector(config, left(body, kept)); "
        "EXCEPTION WHEN program_limit_exceeded THEN kept := kept / 2; END; END LOOP; END $$"
    )
    op.execute("DROP INDEX IF EXISTS ix_documents_search")
    op.execute("ALTER TABLE documents DROP COLUMN IF EXISTS search")
    op.execute(
        "ALTER TABLE documents ADD COLUMN search tsvector GENERATED ALWAYS AS "
        "(atlas_tsvector(atlas_search_config(languages), coalesce(title, '') || ' ' || clean_text)) STORED"
    )
    op.execute("CREATE INDEX ix_documents_search ON documents USING gin (search)")
    op.execute("CREATE SEQUENCE IF NOT EXISTS atlas_writes")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_documents_search")
    op.execute("ALTER TABLE documents DROP COLUMN IF EXISTS search")
    op.execute(
        "ALTER TABLE documents ADD COLUMN search tsvector GENERATED ALWAYS AS "
        "(to_tsvector('simple', coalesce(title, '') || ' ' || clean_text)) STORED"
    )
    op.execute("CREATE INDEX ix_documents_search ON documents USING gin (search)")
    op.execute("DROP SEQUENCE IF EXISTS atlas_writes")
    for name in ("atlas_tsvector(regconfig, text)", "atlas_tsquery(text)", "atlas_search_config(text)"):
        op.execute(f"DROP FUNCTION IF EXISTS {name}")
