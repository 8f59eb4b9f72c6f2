"""The knowledge-base workflows: ingest (sources -> extraction -> store) and re-extraction of stored text.

Inputs stream in lazily; each is looked up first (an input already stored
with the same bytes is left alone, bytes stored from another input make a
duplicate), the rest are extracted in worker processes, and the results are
written in batches, one transaction each (see :mod:`store.writer`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import PurePosixPath
from typing import Any, TypeVar

from sqlalchemy import Engine, delete, select, update

from solidarity_atlas import settings
from solidarity_atlas.analyze import copies
from solidarity_atlas.api import warm_up
from solidarity_atlas.errors import InputError
from solidarity_atlas.extract.pipeline import extract
from solidarity_atlas.ingest.reader import HTML_SUFFIXES, MARKDOWN_SUFFIXES, page_from_bytes
from solidarity_atlas.model import Block, Page, PageHints
from solidarity_atlas.store.schema import claims, demands, documents, inputs, mentions, signatures
from solidarity_atlas.store.writer import Counts, Extracted, Failed, Writer, drop_empty_events

WINDOW_PER_JOB = 16  # documents in flight per worker process
CHUNK = 4  # documents sent to a worker at a time

T = TypeVar("T")
R = TypeVar("R")


@dataclass(slots=True)
class ToExtract:
    uri: str
    name: str
    data: bytes
    url: str | None
    fetched_at: str | None
    recurring: frozenset[int]


@dataclass(slots=True)
class Unchanged:
    uri: str


def ingest(arguments: Iterable[str], engine: Engine, *, jobs: int = 1, fetcher: Any = None,
           on_item: Callable[[str, str], None] | None = None) -> Counts:
    """Ingest files, folders, globs, archives, WARC files and URLs; the counts of what became of them.

    ``on_item(uri, status)`` is told of every input as it is written (for progress and failure lines).
    """
    from solidarity_atlas.ingest.sources import iter_sources

    arguments = list(arguments)
    recurring = _recurring_signal(arguments)
    writer = Writer(engine)
    counts = Counts()
    prepared = (_prepare(engine, item, recurring) for item in iter_sources(arguments, fetcher=fetcher))
    for batch in _chunks(_ordered_map(_extract_one, prepared, jobs), settings.ingest_batch()):
        unchanged = [o for o in batch if isinstance(o, Unchanged)]
        counts.unchanged += len(unchanged)
        written = writer.write(o for o in batch if not isinstance(o, Unchanged))
        counts.add(written)
        if on_item:
            for o in batch:
                on_item(o.uri, "unchanged" if isinstance(o, Unchanged) else
                        f"quarantined: {o.reason}" if isinstance(o, Failed) else "written")
    return counts


def _recurring_signal(arguments: list[str]) -> dict[str, frozenset[int]]:
    """The recurring-line signal of each folder of plain files (site chrome repeated on every page)."""
    from solidarity_atlas.ingest.boilerplate import recurring_lines
    from solidarity_atlas.ingest.files import discover

    local = [a for a in arguments if "://" not in a]
    files = [f.path for f in discover(local) if f.status == "file"]
    return recurring_lines(files) if len(files) >= settings.boilerplate_min_docs() else {}


def _prepare(engine: Engine, item: Any, recurring: dict[str, frozenset[int]]) -> Any:
    """What to do with one source item: nothing (stored already), quarantine it, or extract it."""
    if item.error is not None or item.data is None:
        return Failed(item.uri, item.error or "no content", url=item.url, fetched_at=item.fetched_at)
    digest = hashlib.sha256(item.data).hexdigest()
    with engine.connect() as connection:
        known = connection.execute(select(inputs.c.content_hash).where(inputs.c.uri == item.uri)).first()
    if known is not None and known.content_hash == digest:
        return Unchanged(item.uri)  # the same bytes from the same place: nothing to do
    group = os.path.dirname(item.uri) if "://" not in item.uri and "!" not in item.uri and "#" not in item.uri else ""
    return ToExtract(item.uri, item.name, item.data, item.url, item.fetched_at, recurring.get(group, frozenset()))


def _extract_one(task: Any) -> Any:
    """Worker side: read and extract one document (other outcomes pass through)."""
    if not isinstance(task, ToExtract):
        return task
    suffix = PurePosixPath(task.name).suffix.lower()
    digest = hashlib.sha256(task.data).hexdigest()
    try:
        page = page_from_bytes(task.uri, task.data, is_html=suffix in HTML_SUFFIXES,
                               markdown=suffix in MARKDOWN_SUFFIXES, recurring=task.recurring)
        record = extract(page)
    except InputError as exc:
        return Failed(task.uri, str(exc), digest, len(task.data), task.url, task.fetched_at)
    except RecursionError:
        return Failed(task.uri, "document nested too deeply", digest, len(task.data), task.url, task.fetched_at)
    except Exception as exc:  # noqa: BLE001 - one broken document must not stop the ingest
        return Failed(task.uri, f"internal error: {type(exc).__name__}: {exc}", digest, len(task.data), task.url,
                      task.fetched_at)
    return Extracted(task.uri, record, page, task.url, task.fetched_at, copies.signature(page.clean_text))


def reextract(engine: Engine, *, jobs: int = 1) -> int:
    """Run extraction again over every stored document's text (after the extractor or the judgements changed).

    Documents keep their ids, inputs and statements; what was extracted from them is replaced.
    """
    writer = Writer(engine)
    done = 0
    for batch in _chunks(_ordered_map(_reextract_one, _stored_pages(engine), jobs), settings.ingest_batch()):
        with engine.begin() as connection:
            for document_id, record in batch:
                for table in (signatures, mentions, demands, claims):
                    connection.execute(delete(table).where(table.c.document_id == document_id))
                connection.execute(update(documents).where(documents.c.id == document_id)
                                   .values(**writer._metadata(record)))
                writer.write_extraction(connection, document_id, record)
            drop_empty_events(connection)
        done += len(batch)
    return done


def _stored_pages(engine: Engine) -> Iterator[tuple[int, Page]]:
    last = 0
    columns = (documents.c.id, documents.c.source, documents.c.text, documents.c.blocks, documents.c.hints,
               documents.c.format, documents.c.encoding, documents.c.content_hash, documents.c.size)
    while True:
        with engine.connect() as connection:
            rows = connection.execute(select(*columns).where(documents.c.id > last).order_by(documents.c.id)
                                      .limit(settings.ingest_batch())).fetchall()
        if not rows:
            return
        for row in rows:
            blocks = [Block(s, e, kind, level, drop, container) for s, e, kind, level, drop, container
                      in json.loads(row.blocks)]
            hints = PageHints(**json.loads(row.hints)) if row.hints else PageHints()
            yield row.id, Page(row.source, row.text, blocks, row.format, row.encoding, row.content_hash, row.size,
                               hints)
        last = rows[-1].id


def _reextract_one(task: tuple[int, Page]) -> tuple[int, Any]:
    document_id, page = task
    return document_id, extract(page)


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _apply(func: Callable[[T], R], items: list[T]) -> list[R]:
    return [func(item) for item in items]


def _ordered_map(func: Callable[[T], R], items: Iterable[T], jobs: int) -> Iterator[R]:
    """``map`` in input order over ``jobs`` forked processes, with a bounded number of items in flight."""
    if jobs <= 1:
        yield from map(func, items)
        return
    warm_up()  # forked workers inherit the loaded models
    chunks = _chunks(items, CHUNK)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        window = deque(pool.submit(_apply, func, c) for c in islice(chunks, jobs * WINDOW_PER_JOB // CHUNK))
        while window:
            head = window.popleft()
            for chunk in islice(chunks, 1):
                window.append(pool.submit(_apply, func, chunk))
            yield from head.result()
