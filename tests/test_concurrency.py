"""Several ingests writing one SQLite atlas at once: nothing lost, nothing stored twice, no crash."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from solidarity_atlas.store import queries
from solidarity_atlas.store.db import connect

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "corpus"


def _corpus(folder: Path, n: int) -> None:
    """n distinct statements made from the examples (each with a line of its own, so no two are copies)."""
    sources = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".txt", ".md"))
    folder.mkdir()
    for i in range(n):
        source = sources[i % len(sources)]
        (folder / f"{i:04d}-{source.name}").write_bytes(
            source.read_bytes() + f"\n\nArchive reference {i}.\n".encode())


@pytest.mark.sqlite_only  # SQLite's own case; tests/test_postgres.py has PostgreSQL's
def test_two_ingests_at_once_into_one_sqlite_file_store_what_one_stores(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus, 160)
    env = {**os.environ, "SOLIDARITY_INGEST_BATCH": "8"}  # many small transactions, so the two interleave
    command = [sys.executable, "-m", "solidarity_atlas", "ingest", str(corpus), "--quiet", "--db"]
    clean, shared = tmp_path / "clean.db", tmp_path / "shared.db"
    subprocess.run([*command, str(clean)], env=env, check=True, capture_output=True, timeout=600)
    # Both read the same folder in the same order: they race for every document.
    processes = [subprocess.Popen([*command, str(shared)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    outcomes = [p.communicate(timeout=600) for p in processes]
    for process, (_out, err) in zip(processes, outcomes, strict=True):
        assert process.returncode == 0, err[-2000:]
        assert "Traceback" not in err
    assert queries.stats(connect(str(shared))) == queries.stats(connect(str(clean)))
    with sqlite3.connect(shared) as db:
        assert db.execute("SELECT count(*), count(DISTINCT content_hash) FROM documents").fetchone() == (160, 160)
        assert db.execute("SELECT count(*) FROM inputs WHERE status != 'stored'").fetchone()[0] == 0
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
