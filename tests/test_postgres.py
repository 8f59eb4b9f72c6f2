"""PostgreSQL as the shared store: concurrent ingests, full-text search in each document's language, very large
texts.  Skipped unless SOLIDARITY_TEST_PG is set (see conftest.py); the rest of the suite runs on it too."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from conftest import Atlases, pg_url
from solidarity_atlas import kb
from solidarity_atlas.store import queries
from solidarity_atlas.store.db import connect
from solidarity_atlas.store.schema import documents, events, inputs

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"

pytestmark = pytest.mark.skipif(pg_url() is None, reason="SOLIDARITY_TEST_PG is not set")


@pytest.fixture()
def pg_atlas(tmp_path: Path) -> Iterator[Callable[[], str]]:
    """Fresh PostgreSQL atlases (schemas)."""
    atlases = Atlases("postgresql", tmp_path)
    yield atlases
    atlases.close()


def _corpus(folder: Path, n: int) -> None:
    """n texts made from the examples, each with a line of its own (so no two share their bytes), and a copy of
    every tenth under another name (the same bytes: a duplicate input)."""
    sources = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".txt", ".md"))
    folder.mkdir()
    for i in range(n):
        source = sources[i % len(sources)]
        data = source.read_bytes() + f"\n\nReference number {i} of the archive.\n".encode()
        (folder / f"{i:04d}-{source.name}").write_bytes(data)
        if i % 10 == 0:
            (folder / f"{i:04d}-copy-{source.name}").write_bytes(data)


def _content(url: str) -> dict[str, object]:
    """What an atlas holds, ids and times aside: the counts, every input's status and the documents' hashes."""
    engine = connect(url, migrate_schema=False)
    try:
        with engine.connect() as c:
            status = sorted(c.execute(select(inputs.c.uri, inputs.c.status)).tuples())
            hashes = sorted(c.execute(select(documents.c.content_hash)).scalars())
            happenings = sorted(c.execute(select(events.c.type, events.c.country, events.c.date, events.c.place))
                                .tuples(), key=repr)
        return {"stats": queries.stats(engine), "inputs": status, "documents": hashes, "events": happenings}
    finally:
        engine.dispose()


def test_four_concurrent_ingests_store_what_one_clean_run_stores(pg_atlas: Callable[[], str], tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    _corpus(folder, 120)
    clean, shared = pg_atlas(), pg_atlas()
    env = {**os.environ, "SOLIDARITY_INGEST_BATCH": "8"}
    command = [sys.executable, "-m", "solidarity_atlas", "ingest", str(folder), "--quiet", "--db"]
    subprocess.run([*command, clean], env=env, check=True, capture_output=True, timeout=600)
    # All start on an empty database: they migrate it once between them, then write batches in turn.
    running = [subprocess.Popen([*command, shared], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for _ in range(4)]
    for process in running:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err.decode()
    expected, got = _content(clean), _content(shared)
    assert got == expected
    stats = got["stats"]
    assert isinstance(stats, dict)
    assert stats["documents"] == 120 and stats["inputs_duplicate"] == 12 and stats["events"] > 0
    engine = connect(shared, migrate_schema=False)
    with engine.connect() as c:
        twice = c.execute(select(documents.c.content_hash).group_by(documents.c.content_hash)
                          .having(func.count() > 1)).all()
    engine.dispose()
    assert twice == []


SPANISH = """Paro general en Valparaíso

Los trabajadores portuarios de Valparaíso han convocado huelgas en todos los muelles contra la privatización
del puerto. Los sindicatos denuncian las detenciones de sus delegados y exigen la libertad de los detenidos.
"""

ENGLISH = """Dockers strike in Piraeus

The dock workers of Piraeus have struck for the third week against the sale of the container terminal. The unions
condemn the arrests of their delegates and demand the release of the detained workers.
"""


def test_search_stems_each_document_in_its_language(pg_atlas: Callable[[], str], tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "es.txt").write_text(SPANISH, encoding="utf-8")
    (folder / "en.txt").write_text(ENGLISH, encoding="utf-8")
    engine = connect(pg_atlas())
    assert kb.ingest([str(folder)], engine).stored == 2
    with engine.connect() as c:
        configs = dict(c.execute(text("SELECT languages, atlas_search_config(languages)::text FROM documents")).all())
    assert configs == {"es": "spanish", "en": "english"}
    # "huelga" finds "huelgas" (Spanish stems), "strikes" finds "strike" (English stems); each marked in the snippet
    [spanish] = queries.search(engine, "huelga detenido")
    assert spanish["source"].endswith("es.txt") and "[huelgas]" in spanish["snippet"].lower()
    [english] = queries.search(engine, "strikes arrested")
    assert english["source"].endswith("en.txt") and "[strike]" in english["snippet"]
    assert queries.search(engine, "huelga strike") == []  # every word is required
    # An English stop word: the English text is indexed without it, the Spanish one lacks it; and it is no error.
    assert queries.search(engine, "the") == []
    # The website's search reads the same index, stemmed the same way.
    from solidarity_atlas.web.data import Filters
    from solidarity_atlas.web.data import search as web_search

    found = web_search(engine, "huelga detenido", Filters(), limit=20, offset=0)
    from solidarity_atlas.web.data import HIT_START

    assert HIT_START + "huelgas" in found["items"][0]["snippet"].lower()  # the stemmed form, marked
    assert [hit["source"].rsplit("/", 1)[-1] for hit in found["items"]] == ["es.txt"] and found["total"] == 1


def test_a_text_too_large_for_one_tsvector_is_stored_and_found_by_its_start(pg_atlas: Callable[[], str],
                                                                              tmp_path: Path) -> None:
    import random
    import string

    rng = random.Random(7)
    words = " ".join("".join(rng.choices(string.ascii_lowercase, k=7)) for _ in range(150_000))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "large.txt").write_text("Zhanaozen archive\n\n" + words + "\n", encoding="utf-8")
    engine = connect(pg_atlas())
    assert kb.ingest([str(folder)], engine).stored == 1
    assert [h["title"] for h in queries.search(engine, "zhanaozen")] == ["Zhanaozen archive"]


def test_searches_read_the_full_text_index_not_every_document(pg_atlas: Callable[[], str], tmp_path: Path) -> None:
    """The planner prices ``@@`` too low and would read every document's tsvector for a common word; a search's
    transaction turns sequential scans off (``queries.index_first``), and only that transaction."""
    url = pg_atlas()
    _corpus(tmp_path / "in", 12)
    engine = connect(url)
    kb.ingest([str(tmp_path / "in")], engine)
    match = select(documents.c.id).where(queries.ts_match("strike"))
    explain = f"EXPLAIN {match.compile(engine, compile_kwargs={'literal_binds': True})}"
    with engine.connect() as c:
        assert "ix_documents_search" not in "\n".join(c.exec_driver_sql(explain).scalars())  # a dozen rows: a scan
        queries.index_first(c)
        assert "ix_documents_search" in "\n".join(c.exec_driver_sql(explain).scalars())
    with engine.connect() as c:
        assert c.exec_driver_sql("SHOW enable_seqscan").scalar_one() == "on"
    assert queries.search(engine, "strike")
    engine.dispose()
