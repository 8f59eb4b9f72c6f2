"""The store writer: rows made in the extraction worker, statements run on the cursor, derived tables kept in step
once per batch, and renamed organisations stored under their new name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import bindparam, create_engine, insert, select, text
from sqlalchemy.dialects import postgresql
from typer.testing import CliRunner

from conftest import rows
from solidarity_atlas import kb
from solidarity_atlas.analyze.copies import signature
from solidarity_atlas.cli import app
from solidarity_atlas.extract.pipeline import extract
from solidarity_atlas.ingest.reader import read_page
from solidarity_atlas.store import known
from solidarity_atlas.store.db import Raw, connect, prepare
from solidarity_atlas.store.schema import events, lsh_bands, metadata
from solidarity_atlas.store.writer import Extracted, Writer, document_of

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
runner = CliRunner()

STATEMENT = """Joint statement: solidarity with the {workers} of {city}

The undersigned communist and workers' parties salute the {workers} of {city}, who have been on strike for
{weeks} weeks against the closure of their workplaces and the sacking of their union delegates. We condemn the arrest
of {count} strikers by the police on {day} March 2024 and demand the immediate release of every detained worker, the
withdrawal of all charges against them and the reinstatement of the dismissed delegates. The right to strike and to
organise is not negotiable, and no court order will break the unity of the {workers} of {city}.

We call on the workers of every country to send messages of solidarity to the union of the {workers}.

Signed by:
{signers}

{day} March 2024
"""

TRANSLATION = """Declaración conjunta: solidaridad con los {trabajadores} de {city}

Los partidos comunistas y obreros firmantes saludan a los {trabajadores} de {city}, que llevan {weeks} semanas en
huelga contra el cierre de sus lugares de trabajo y el despido de sus delegados sindicales. Condenamos la detención de
{count} huelguistas por la policía el {day} de marzo de 2024 y exigimos la libertad inmediata de todos los
trabajadores detenidos, el retiro de todos los cargos contra ellos y la readmisión de los delegados despedidos.

Llamamos a los trabajadores de todos los países a enviar mensajes de solidaridad al sindicato.

Firman:
{signers}

{day} de marzo de 2024
"""

# (workers, trabajadores, city): the topic of each statement, so that no two are copies of one another
TOPICS = [("dock workers", "portuarios", "Valparaíso"), ("coal miners", "mineros", "Lota"),
          ("bus drivers", "conductores", "Montevideo"), ("nurses", "enfermeros", "Rosario"),
          ("steel workers", "metalúrgicos", "Monterrey"), ("teachers", "maestros", "Oaxaca")]

PARTIES = ["Communist Party of Greece", "Portuguese Communist Party", "Communist Party of Turkey",
           "Communist Party of the Russian Federation", "Communist Party of Mexico", "Lebanese Communist Party",
           "South African Communist Party", "Japanese Communist Party"]


def _signers(names: list[str]) -> str:
    return "\n".join(f"{i}. {name}" for i, name in enumerate(names, 1))


def _dump(db: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the knowledge base's tables, but the times of extraction and of sight."""
    skip = {"inputs": {"first_seen", "last_seen"}, "documents": {"extracted_at"}}
    engine = connect(db, migrate_schema=False)
    out = {}
    try:
        with engine.connect() as c:
            for table in metadata.sorted_tables:
                columns = [column for column in table.c if column.name not in skip.get(table.name, ())]
                out[table.name] = [tuple(r) for r in c.execute(select(*columns).order_by(*columns))]
    finally:
        engine.dispose()
    return out


def test_rows_made_in_the_worker_are_the_rows_of_the_record(new_atlas: Callable[[], str]) -> None:
    """kb.ingest hands the writer rows made in the worker; Extracted hands it the record and the page: the same
    database either way."""
    files = sorted(p for p in EXAMPLES.iterdir() if not p.name.startswith("."))
    items = []
    for file in files:
        page = read_page(file)
        items.append((str(file), extract(page), page))
    as_objects, as_rows = new_atlas(), new_atlas()
    Writer(connect(as_objects)).write(
        [Extracted(uri, record, page, signature=signature(page.clean_text)) for uri, record, page in items])
    Writer(connect(as_rows)).write(
        [document_of(uri, record, page, signature=signature(page.clean_text)) for uri, record, page in items])
    assert _dump(as_objects) == _dump(as_rows)
    assert _dump(as_rows)["signatures"]


def test_the_pair_counts_kept_batch_by_batch_are_the_counts_of_the_signatures(tmp_path: Path, atlas_url: str,
                                                                             monkeypatch) -> None:
    """Copies, translations and changed documents across batches of one: ``statement_signers``, ``cosignatures``
    and ``org_statements`` stay what the signatures say."""
    monkeypatch.setenv("SOLIDARITY_INGEST_BATCH", "1")
    folder = tmp_path / "in"
    folder.mkdir()
    for i, (workers, trabajadores, city) in enumerate(TOPICS):
        names = _signers(PARTIES[i % 3:i % 3 + 4 + i % 2])
        facts = {"city": city, "weeks": 2 + i, "count": 10 + i}
        (folder / f"en-{i}.txt").write_text(STATEMENT.format(workers=workers, day=4 + 2 * i, signers=names, **facts),
                                            encoding="utf-8")
        (folder / f"es-{i}.txt").write_text(TRANSLATION.format(trabajadores=trabajadores, day=5 + 2 * i,
                                                               signers=names, **facts), encoding="utf-8")
    db = atlas_url
    engine = connect(db)
    kb.ingest([str(folder)], engine)
    _check_derived_tables(db, statements=6, documents=12)  # each Spanish text a translation of an English one
    (folder / "es-0.txt").write_text(TRANSLATION.format(trabajadores="portuarios", city="Valparaíso", weeks=2,
                                                        count=10, day=5, signers=_signers(PARTIES[5:8])),
                                     encoding="utf-8")
    (folder / "en-1.txt").write_text("A line too short to be anything.\n", encoding="utf-8")
    kb.ingest([str(folder)], engine)
    # Each changed text leaves the statement it was a copy of, and is a statement of its own.
    _check_derived_tables(db, statements=8, documents=12)


def _check_derived_tables(db: str, *, statements: int, documents: int) -> None:
    assert rows(db, "SELECT count(*) FROM statements")[0][0] == statements
    assert rows(db, "SELECT count(*) FROM documents")[0][0] == documents
    signed = set(rows(db, "SELECT DISTINCT d.statement_id, s.org_id FROM signatures s JOIN documents d ON "
                           "d.id = s.document_id WHERE s.role = 'signatory'"))
    assert set(rows(db, "SELECT statement_id, org_id FROM statement_signers")) == signed
    named = set(rows(db, "SELECT DISTINCT d.statement_id, s.org_id FROM signatures s JOIN documents d ON "
                          "d.id = s.document_id"))
    assert set(rows(db, "SELECT statement_id, org_id FROM org_statements")) == named
    pairs = set(rows(db, "SELECT a.org_id, b.org_id, count(*) FROM statement_signers a JOIN statement_signers b "
                          "ON a.statement_id = b.statement_id AND a.org_id < b.org_id GROUP BY 1, 2"))
    assert set(rows(db, "SELECT org_a, org_b, statements FROM cosignatures")) == pairs
    assert pairs


@pytest.mark.parametrize("registry", [True, False])
def test_a_fresh_ingest_stores_a_renamed_organisation_under_its_new_name(tmp_path: Path, new_atlas: Callable[[], str],
                                                                         monkeypatch, registry: bool) -> None:
    judgements = tmp_path / "judgements.jsonl"
    monkeypatch.setenv("SOLIDARITY_JUDGEMENTS", str(judgements))
    folder = tmp_path / "in"
    folder.mkdir()
    signers = PARTIES[:3] + (["Lebanese Communist Party"] if registry else ["Union of Lighthouse Keepers of Chile"])
    path = folder / "statement.txt"
    path.write_text(STATEMENT.format(workers="dock workers", city="Valparaíso", weeks=3, count=12, day=4,
                                     signers=_signers(signers)), encoding="utf-8")
    probe = connect(new_atlas())
    kb.ingest([str(folder)], probe)
    with probe.connect() as c:
        org_id, registered = c.execute(text(
            "SELECT id, registry FROM organizations WHERE id LIKE 'lebanese%' OR id LIKE '%lighthouse%'")).one()
    assert bool(registered) is registry
    result = runner.invoke(app, ["org", "rename", org_id, "The Renamed Organisation", "--country", "uy"])
    assert result.exit_code == 0, result.output
    db = new_atlas()
    kb.ingest([str(folder)], connect(db))
    row = rows(db, "SELECT name, country, registry FROM organizations WHERE id = :id", id=org_id)[0]
    assert (row[0], row[1], bool(row[2])) == ("The Renamed Organisation", "UY", registry)
    # What a rename judgement does to stored rows (the web application's curation) is what a fresh ingest stores.
    assert kb.reextract(connect(db)) == 1
    assert rows(db, "SELECT name, country FROM organizations WHERE id = :id", id=org_id) == [
        ("The Renamed Organisation", "UY")]


def test_statements_prepared_once_take_rows_in_the_callers_order(atlas_url: str) -> None:
    engine = connect(atlas_url)
    statement = insert(events).values(country=bindparam("country"), type=bindparam("type"))
    with engine.begin() as connection:
        raw = Raw(connection)
        first = raw.insert(statement, ("type", "country"), ("strike", "GR"))
        if engine.dialect.name == "sqlite":
            raw.returning = False  # a database without INSERT ... RETURNING: the cursor's last row id
        second = raw.insert(statement, ("type", "country"), ("arrest", "CL"))
        # a bound constant (the band) between the caller's values
        query = select(lsh_bands.c.document_id).where(lsh_bands.c.band == 7, lsh_bands.c.hash == bindparam("h"))
        assert raw.execute(query, ("h",), (42,)).fetchall() == []
        assert raw.rows(select(events.c.type).where(events.c.id.in_([first, second])).order_by(events.c.id)) == [
            ("strike",), ("arrest",)]
    assert second == first + 1
    assert rows(atlas_url, "SELECT type, country FROM events ORDER BY id") == [("strike", "GR"), ("arrest", "CL")]
    # A named paramstyle (PostgreSQL's drivers) gets the constants by name, and no RETURNING it did not ask for.
    prepared = prepare(postgresql.psycopg.dialect(), query, ("h",))
    assert "%(h)s" in prepared.sql and prepared.pick is None and 7 in prepared.constants.values()
    assert "RETURNING" not in prepare(postgresql.psycopg.dialect(), statement, ("type", "country")).sql
    with create_engine("sqlite://").connect() as connection:
        positional = prepare(connection.dialect, query, ("h",))
    assert positional.pick is not None and positional.pick((42, *positional.fixed)) == (7, 42)


SHARED = ROOT.parent / "shared"


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared is absent")
def test_a_writer_that_remembers_nothing_writes_the_same_atlas(new_atlas: Callable[[], str], monkeypatch) -> None:
    """What the writer remembers of stored rows (store/known.py) only spares look-ups: with every limit at 0, so
    that each organisation, name, person and event of a document is looked up in the database again, the atlas
    written a document a batch is the same, row for row and id for id."""
    files = sorted(p for folder in (SHARED / "seeds", SHARED / "eval" / "dev" / "docs", EXAMPLES)
                   for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    items = []
    for file in files:
        page = read_page(file)
        items.append(document_of(str(file), extract(page), page, signature=signature(page.clean_text)))
    remembering, forgetting = new_atlas(), new_atlas()
    writer = Writer(connect(remembering))
    for item in items:
        writer.write([item])
    for limit in ("ORGS", "NAMES", "SURNAMES", "EVENTS"):
        monkeypatch.setattr(known, limit, 0)
    writer = Writer(connect(forgetting))
    for item in items:
        writer.write([item])
        assert not (writer._known.orgs or writer._known.people or writer._known.groups)
    atlas = _dump(remembering)
    assert _dump(forgetting) == atlas
    # What makes the comparison worth it: events reported by several documents, persons named in several.
    assert len({event for _id, event, *_ in atlas["claims"]}) < len(atlas["claims"])
    named = [person for _id, _doc, person, *_ in atlas["mentions"]]
    assert len(set(named)) < len(named)
