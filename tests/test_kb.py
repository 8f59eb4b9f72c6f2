"""The knowledge base: ingest, idempotence, copies and translations, changes, quarantine, queries, crash safety."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from conftest import rows
from solidarity_atlas import kb
from solidarity_atlas.cli import app
from solidarity_atlas.store import queries
from solidarity_atlas.store.db import connect
from solidarity_atlas.store.schema import documents, inputs, signatures

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
SHARED = ROOT.parent / "shared"
runner = CliRunner()

SIGNERS = [
    "Communist Party of Greece", "Portuguese Communist Party", "Communist Party of Turkey",
    "Communist Party of the Russian Federation", "Communist Party of Mexico", "Lebanese Communist Party",
]

STATEMENT = """Solidarity with the dockers of Valparaíso

{chrome}

The undersigned parties salute the dock workers of Valparaíso, who have been on strike for three weeks against
the privatisation of the port. We condemn the arrests of their delegates by the police on 4 March 2024 and demand
the immediate release of every detained worker and the withdrawal of all charges against them. The right to strike
is not negotiable, and no court order will break the unity of the workers of the port.

We call on the workers of every country to send messages of solidarity to the union of the dockers.

Signed by:
{signers}

4 March 2024
"""

TRANSLATION = """Solidaridad con los portuarios de Valparaíso

Los partidos firmantes saludan a los trabajadores portuarios de Valparaíso, que llevan tres semanas en huelga contra
la privatización del puerto. Condenamos las detenciones de sus delegados por la policía el 4 de marzo de 2024 y
exigimos la libertad inmediata de todos los trabajadores detenidos y el retiro de todos los cargos contra ellos.

Firman:
{signers}

4 de marzo de 2024
"""


def _statement(chrome: str = "") -> str:
    return STATEMENT.format(chrome=chrome, signers="\n".join(f"{i}. {s}" for i, s in enumerate(SIGNERS, 1)))


@pytest.fixture()
def db(atlas_url: str) -> str:
    """A fresh database: SQLite, and PostgreSQL too when SOLIDARITY_TEST_PG is set (see conftest.py)."""
    return atlas_url


def _ingest(*args: str, db: str) -> str:
    result = runner.invoke(app, ["ingest", *args, "--db", db])
    assert result.exit_code == 0, result.output
    return result.output


def _stats(db: str) -> dict[str, int]:
    return queries.stats(connect(db))


def test_ingest_the_examples_then_again_changes_nothing(db: str) -> None:
    out = _ingest(str(EXAMPLES), db=db)
    files = len([p for p in EXAMPLES.iterdir() if not p.name.startswith(".")])
    first = _stats(db)
    assert first["inputs"] == files
    assert first["inputs_stored"] + first["inputs_duplicate"] + first["inputs_quarantined"] == files
    assert first["documents"] == first["inputs_stored"] > 0
    assert first["signatures"] > 0 and first["events"] > 0 and first["claims"] >= first["events"]
    assert f"{first['inputs_stored']} stored" in out
    before = rows(db, "SELECT * FROM inputs ORDER BY id")
    out = _ingest(str(EXAMPLES), db=db)
    assert f"{files} unchanged" in out
    assert _stats(db) == first
    assert rows(db, "SELECT * FROM inputs ORDER BY id") == before


def test_every_input_ends_stored_duplicate_or_quarantined(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(_statement(), encoding="utf-8")
    (folder / "copy-of-a.txt").write_text(_statement(), encoding="utf-8")  # the same bytes
    (folder / "report.pdf").write_bytes(b"%PDF-1.4 not a text")
    (folder / "empty.txt").write_text("   \n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(folder), str(tmp_path / "missing.txt"), "--db", db])
    assert result.exit_code == 0, result.output
    stats = _stats(db)
    assert (stats["inputs_stored"], stats["inputs_duplicate"], stats["inputs_quarantined"]) == (1, 1, 3)
    failed = {Path(f["input"]).name: f["reason"] for f in queries.failures(connect(db))}
    assert set(failed) == {"report.pdf", "empty.txt", "missing.txt"}
    assert all(reason for reason in failed.values())
    listed = json.loads(runner.invoke(app, ["failures", "--db", db, "--json"]).output)
    assert {Path(f["input"]).name for f in listed} == set(failed)
    as_json = json.loads(runner.invoke(app, ["stats", "--db", db, "--json"]).output)
    for key in ("documents", "statements", "inputs_stored", "inputs_duplicate", "inputs_quarantined",
                "organizations", "signatures", "persons", "events", "claims"):
        assert key in as_json


def test_copies_on_other_sites_and_translations_are_one_statement(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "sites"
    folder.mkdir()
    (folder / "site-one.txt").write_text(_statement("Home | News | Statements | Contact"), encoding="utf-8")
    (folder / "site-two.txt").write_text(_statement("Inicio | Noticias | Documentos | Enlaces"), encoding="utf-8")
    signers = "\n".join(f"{i}. {s}" for i, s in enumerate(SIGNERS, 1))
    (folder / "traduccion.txt").write_text(TRANSLATION.format(signers=signers), encoding="utf-8")
    _ingest(str(folder), db=db)
    stats = _stats(db)
    assert stats["documents"] == 3
    assert stats["statements"] == 1
    assert stats["signatures"] == len(SIGNERS)  # each organisation signed one statement, however many copies
    engine = connect(db)
    profile = queries.org_profile(engine, queries.find_org(engine, "KKE") or "")
    assert profile is not None and len(profile["statements"]) == 1
    assert len(profile["statements"][0]["sources"]) == 3
    pairs = rows(db, "SELECT count(*), min(statements), max(statements) FROM cosignatures")[0]
    assert pairs == (len(SIGNERS) * (len(SIGNERS) - 1) // 2, 1, 1)  # three copies, one statement signed together


def test_another_statement_of_the_same_signers_is_not_a_copy(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "two"
    folder.mkdir()
    (folder / "one.txt").write_text(_statement(), encoding="utf-8")
    other = _statement().replace("dockers of Valparaíso", "miners of Lota").replace(
        "dock workers of Valparaíso, who have been on strike for three weeks against\nthe privatisation of the port",
        "coal miners of Lota, locked out by the mining company for a month after\ndemanding safety in the pits")
    (folder / "two.txt").write_text(other, encoding="utf-8")
    _ingest(str(folder), db=db)
    assert _stats(db)["statements"] == 2


def test_a_changed_document_is_extracted_again(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    path = folder / "statement.txt"
    path.write_text(_statement(), encoding="utf-8")
    _ingest(str(folder), db=db)
    path.write_text(_statement().replace("6. Lebanese Communist Party\n", ""), encoding="utf-8")
    out = _ingest(str(folder), db=db)
    assert "1 stored" in out
    stats = _stats(db)
    assert stats["documents"] == 1 and stats["inputs"] == 1  # the old text went with its extraction
    assert stats["signatures"] == len(SIGNERS) - 1
    n = len(SIGNERS) - 1
    assert rows(db, "SELECT count(*) FROM cosignatures")[0][0] == n * (n - 1) // 2


def test_search_org_show_timeline_and_network(db: str) -> None:
    _ingest(str(EXAMPLES), db=db)
    engine = connect(db)
    hits = queries.search(engine, "Zhanaozen")
    assert hits and all("[" in h["snippet"] for h in hits)
    # Query syntax is taken as words, not an error: on PostgreSQL "and" and "or" are English stop words.
    hits = queries.search(engine, 'AND "OR ( NEAR')
    assert hits == [] if engine.dialect.name == "sqlite" else all("[near]" in h["snippet"].lower() for h in hits)
    result = runner.invoke(app, ["search", "zhanaozen", "--db", db, "--json"])
    assert result.exit_code == 0 and json.loads(result.output)
    result = runner.invoke(app, ["org", "show", "KKE", "--db", db])
    assert result.exit_code == 0 and "statements:" in result.output
    result = runner.invoke(app, ["timeline", "--country", "KZ", "--db", db, "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert [r["date"] for r in rows] == sorted(r["date"] or "9999" for r in rows)
    result = runner.invoke(app, ["network", "--db", db, "--json"])
    summary = json.loads(result.output)
    assert summary["nodes"] > 0 and summary["edges"] > 0 and summary["communities"]


def test_read_commands_need_a_database(tmp_path: Path) -> None:
    result = runner.invoke(app, ["stats", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "no database" in result.output


@pytest.mark.skipif(not (SHARED / "eval" / "dev" / "docs").is_dir(), reason="../shared is not beside the project")
def test_kke_statements_and_the_zhanaozen_claims(db: str) -> None:
    _ingest(str(SHARED / "seeds"), str(SHARED / "eval" / "dev" / "docs"), db=db)
    engine = connect(db)
    kke = queries.org_profile(engine, queries.find_org(engine, "KKE") or "")
    assert kke is not None and kke["country"] == "GR" and len(kke["statements"]) >= 5
    killings = [e for e in queries.timeline(engine, "KZ") if e["kind"] == "event" and e["type"] == "killing"
                and e["place"] == "Zhanaozen"]
    assert killings
    figures = {c["count"] for c in killings[0]["claims"]} | {c["claim"] for c in killings[0]["claims"]}
    assert len(killings[0]["claims"]) >= 3 and len(figures - {None}) >= 2  # several sources, different figures


def test_reextract_keeps_ids_and_applies_new_judgements(db: str, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "statement.txt").write_text(_statement(), encoding="utf-8")
    _ingest(str(folder), db=db)
    engine = connect(db)
    with engine.connect() as c:
        ids = c.execute(select(documents.c.id)).scalars().all()
        before = set(c.execute(select(signatures.c.org_id)).scalars())
    judgements = tmp_path / "judgements.jsonl"
    monkeypatch.setenv("SOLIDARITY_JUDGEMENTS", str(judgements))
    target = queries.find_org(engine, "Lebanese Communist Party")
    assert target is not None
    result = runner.invoke(app, ["org", "rename", target, "Lebanese Communist Party (LCP)"])
    assert result.exit_code == 0, result.output
    assert kb.reextract(engine) == 1
    with engine.connect() as c:
        assert c.execute(select(documents.c.id)).scalars().all() == ids
        assert set(c.execute(select(signatures.c.org_id)).scalars()) == before
        stored = c.execute(select(inputs.c.status)).scalars().all()
    assert stored == ["stored"]


def _corpus(folder: Path, n: int) -> None:
    """n distinct statements written from the examples (each with a line of its own, so no two are copies)."""
    sources = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".txt", ".md"))
    folder.mkdir()
    for i in range(n):
        source = sources[i % len(sources)]
        data = source.read_bytes()  # some examples are in legacy code pages: kept as they are
        (folder / f"{i:04d}-{source.name}").write_bytes(data + f"\n\nReference number {i} of the archive.\n".encode())


@pytest.mark.sqlite_only  # the database is a file read while the writer is killed
def test_a_killed_ingest_resumes_to_the_counts_of_a_clean_run(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    _corpus(folder, 300)
    clean, killed = str(tmp_path / "clean.db"), str(tmp_path / "killed.db")
    env = {**os.environ, "SOLIDARITY_INGEST_BATCH": "10", "SOLIDARITY_CACHE_DIR": os.environ.get(
        "SOLIDARITY_CACHE_DIR", str(Path.home() / ".cache" / "solidarity-atlas"))}
    command = [sys.executable, "-m", "solidarity_atlas", "ingest", str(folder), "--quiet", "--db"]
    subprocess.run([*command, clean], env=env, check=True, capture_output=True, timeout=600)
    process = subprocess.Popen([*command, killed], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 300
    stored = 0
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        try:
            stored = sqlite3.connect(killed, timeout=1).execute("SELECT count(*) FROM inputs").fetchone()[0]
        except sqlite3.Error:
            continue
        if stored >= 30:
            break
    assert process.poll() is None, "the ingest ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)  # the command and its extraction worker, as a crash would take both
    process.wait()
    partial = sqlite3.connect(killed).execute("SELECT count(*) FROM inputs").fetchone()[0]
    assert 30 <= partial < 300 and partial % 10 == 0  # whole batches only
    subprocess.run([*command, killed], env=env, check=True, capture_output=True, timeout=600)
    assert _stats(killed) == _stats(clean)
    check = sqlite3.connect(killed).execute("PRAGMA integrity_check").fetchone()[0]
    assert check == "ok"
    orphans = sqlite3.connect(killed).execute(
        "SELECT count(*) FROM signatures WHERE document_id NOT IN (SELECT id FROM documents)").fetchone()[0]
    assert orphans == 0


def test_ingest_of_a_folder_copy_counts_duplicates(db: str, tmp_path: Path) -> None:
    copy = tmp_path / "mirror"
    shutil.copytree(EXAMPLES, copy)
    _ingest(str(EXAMPLES), db=db)
    first = _stats(db)
    _ingest(str(copy), db=db)
    second = _stats(db)
    assert second["documents"] == first["documents"]
    assert second["inputs_duplicate"] == first["inputs_duplicate"] + first["inputs_stored"]


@pytest.mark.sqlite_only
def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = connect(str(tmp_path / "atlas.db"))
    with engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_the_migrations_build_exactly_the_schema(db: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from solidarity_atlas.store.schema import metadata

    def made_by_sql(name: str | None, kind: str, parents: dict[str, str | None]) -> bool:
        """The full-text tables (FTS5 on SQLite), the search column, its GIN index and the persons' prefix index
        (PostgreSQL): made by the migrations' own SQL, not by the metadata (migrations/env.py leaves them out the
        same way)."""
        return bool(name) and ((kind == "table" and str(name).startswith("documents_fts"))
                               or (kind == "column" and name == "search" and parents.get("table_name") == "documents")
                               or (kind == "index" and name in ("ix_documents_search", "ix_persons_id_pattern")))

    engine = connect(db)
    with engine.connect() as c:
        context = MigrationContext.configure(c, opts={"include_name": lambda *a: not made_by_sql(*a)})
        differences = compare_metadata(context, metadata)
    assert differences == []
    if engine.dialect.name == "postgresql":
        with engine.connect() as c:
            assert c.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_documents_search' "
                                  "AND schemaname = current_schema()")).scalar_one().endswith("USING gin (search)")
            assert c.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_persons_id_pattern' "
                                  "AND schemaname = current_schema()")).scalar_one().endswith("(id text_pattern_ops)")


def test_a_statement_with_one_signatory_and_its_removal(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "alone"
    folder.mkdir()
    path = folder / "alone.txt"
    alone = STATEMENT.format(chrome="", signers="1. Communist Party of Greece")
    path.write_text(alone, encoding="utf-8")
    _ingest(str(folder), db=db)
    assert _stats(db)["signatures"] == 1
    assert rows(db, "SELECT count(*) FROM cosignatures")[0][0] == 0
    path.write_text(alone.replace("1. Communist Party of Greece", "1. Portuguese Communist Party"), encoding="utf-8")
    _ingest(str(folder), db=db)
    signers = rows(db, "SELECT org_id FROM statement_signers")
    assert len(signers) == 1 and "portug" in signers[0][0]
