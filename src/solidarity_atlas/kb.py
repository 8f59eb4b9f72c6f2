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

from sqlalchemy import Engine, select

from solidarity_atlas import settings
from solidarity_atlas.analyze import copies
from solidarity_atlas.api import DocumentTimeout, time_limit, warm_up
from solidarity_atlas.errors import InputError
from solidarity_atlas.extract.pipeline import extract
from solidarity_atlas.ingest.reader import HTML_SUFFIXES, MARKDOWN_SUFFIXES, page_from_bytes
from solidarity_atlas.model import Block, Page, PageHints
from solidarity_atlas.parallel import DaskSpec, apply_each
from solidarity_atlas.store.db import refresh_statistics
from solidarity_atlas.store.schema import documents, inputs
from solidarity_atlas.store.writer import Counts, Failed, Writer, document_of, extraction_of

LOOKUP_CHUNK = 64  # source items looked up in the inputs table with one query
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
           on_item: Callable[[str, str], None] | None = None, dask: DaskSpec | None = None) -> Counts:
    """Ingest files, folders, globs, archives, WARC files and URLs; the counts of what became of them.

    ``on_item(uri, status)`` is told of every input as it is written (for progress and failure lines).
    ``dask``: extract on a Dask cluster instead of ``jobs`` local processes (this process reads the inputs and
    writes the database; the workers only extract).
    """
    from solidarity_atlas.ingest.sources import iter_sources

    arguments = list(arguments)
    recurring = _recurring_signal(arguments)
    writer = Writer(engine)
    counts = Counts()
    prepared = _prepared(engine, iter_sources(arguments, fetcher=fetcher), recurring)
    # Even with one job, extraction runs in a worker process: the writer works on one batch while the next is
    # extracted.
    batch_size = settings.ingest_batch()
    # Two batches in flight, so the worker never waits for the writer.
    extracted = _ordered_map(_extract_one, prepared, jobs, pool=True, ahead=2 * batch_size, dask=dask)
    for batch in _chunks(extracted, batch_size):
        unchanged = [o for o in batch if isinstance(o, Unchanged)]
        counts.unchanged += len(unchanged)
        written = writer.write(o for o in batch if not isinstance(o, Unchanged))
        counts.add(written)
        if on_item:
            for o in batch:
                on_item(o.uri, "unchanged" if isinstance(o, Unchanged) else
                        f"quarantined: {o.reason}" if isinstance(o, Failed) else "written")
    if counts.stored:
        refresh_statistics(engine)  # PostgreSQL's planner statistics (see store.db)
    return counts


def _recurring_signal(arguments: list[str]) -> dict[str, frozenset[int]]:
    """The recurring-line signal of each folder of plain files (site chrome repeated on every page)."""
    from solidarity_atlas.ingest.boilerplate import recurring_lines
    from solidarity_atlas.ingest.files import discover

    local = [a for a in arguments if "://" not in a]
    return recurring_lines(f.path for f in discover(local) if f.status == "file")


def _prepared(engine: Engine, items: Iterable[Any], recurring: dict[str, frozenset[int]]) -> Iterator[Any]:
    """What to do with each source item: nothing (stored already with the same bytes), quarantine it, or extract
    it; the inputs already known are looked up a chunk of items at a time."""
    for chunk in _chunks(items, LOOKUP_CHUNK):
        uris = [item.uri for item in chunk]
        with engine.connect() as connection:
            known = dict(connection.execute(select(inputs.c.uri, inputs.c.content_hash)
                                            .where(inputs.c.uri.in_(uris))).tuples().all())
        for item in chunk:
            yield _prepare(item, known.get(item.uri), recurring)


def _prepare(item: Any, known_hash: str | None, recurring: dict[str, frozenset[int]]) -> Any:
    if item.error is not None or item.data is None:
        return Failed(item.uri, item.error or "no content", url=item.url, fetched_at=item.fetched_at)
    digest = hashlib.sha256(item.data).hexdigest()
    if known_hash == digest:
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
        with time_limit():  # SOLIDARITY_DOC_TIMEOUT: this runs in a worker process's main thread
            page = page_from_bytes(task.uri, task.data, is_html=suffix in HTML_SUFFIXES,
                                   markdown=suffix in MARKDOWN_SUFFIXES, recurring=task.recurring)
            record = extract(page)
    except DocumentTimeout as exc:
        return Failed(task.uri, str(exc), digest, len(task.data), task.url, task.fetched_at)
    except InputError as exc:
        return Failed(task.uri, str(exc), digest, len(task.data), task.url, task.fetched_at)
    except RecursionError:
        return Failed(task.uri, "document nested too deeply", digest, len(task.data), task.url, task.fetched_at)
    except Exception as exc:  # noqa: BLE001 - one broken document must not stop the ingest
        return Failed(task.uri, f"internal error: {type(exc).__name__}: {exc}", digest, len(task.data), task.url,
                      task.fetched_at)
    # The rows are made here, in the worker: the writer is one process, and plain values cross over cheaply.
    return document_of(task.uri, record, page, task.url, task.fetched_at, copies.signature(page.clean_text))


def reextract(engine: Engine, *, jobs: int = 1, dask: DaskSpec | None = None) -> int:
    """Run extraction again over every stored document's text (after the extractor or the judgements changed).

    Documents keep their ids, inputs and statements; what was extracted from them is replaced.
    """
    writer = Writer(engine)
    done = 0
    for batch in _chunks(_ordered_map(_reextract_one, _stored_pages(engine), jobs, dask=dask), settings.ingest_batch()):
        done += writer.rewrite(batch)
    if done:
        refresh_statistics(engine)  # PostgreSQL's planner statistics (see store.db)
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
    return document_id, extraction_of(extract(page))


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _apply(func: Callable[[T], R], items: list[T]) -> list[R]:
    return [func(item) for item in items]


def _die_with_parent() -> None:
    """A worker ends when the ingest that started it is killed (Linux): no orphan left waiting for work."""
    try:
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the worker ends when it next finds the pool's pipe closed


def _ordered_map(func: Callable[[T], R], items: Iterable[T], jobs: int, *, pool: bool = False,
                 ahead: int = 0, dask: DaskSpec | None = None) -> Iterator[R]:
    """``map`` in input order over ``jobs`` forked processes (in this process for one job, unless ``pool``), with
    at most ``ahead`` items (or 16 per job) in flight; or over the workers of a Dask cluster."""
    if dask is not None:
        with dask.runner() as runner:
            yield from runner.map_chunks(apply_each, _chunks(items, CHUNK), func)
        return
    if jobs <= 1 and not pool:
        yield from map(func, items)
        return
    warm_up()  # forked workers inherit the loaded models
    chunks = _chunks(items, CHUNK)
    with ProcessPoolExecutor(max_workers=max(1, jobs), initializer=_die_with_parent) as executor:
        in_flight = max(max(1, jobs) * WINDOW_PER_JOB, ahead) // CHUNK
        window = deque(executor.submit(_apply, func, c) for c in islice(chunks, in_flight))
        while window:
            head = window.popleft()
            for chunk in islice(chunks, 1):
                window.append(executor.submit(_apply, func, chunk))
            yield from head.result()
