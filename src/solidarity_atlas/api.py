"""The library behind the CLI: everything ``solidarity`` does, callable from Python.

    >>> from solidarity_atlas.api import extract_file
    >>> record = extract_file("examples/corpus/js-zhanaozen-solidarity.txt").record
"""

from __future__ import annotations

import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from solidarity_atlas import settings
from solidarity_atlas.errors import InputError
from solidarity_atlas.extract.pipeline import extract
from solidarity_atlas.ingest.reader import page_of_file, printable, read_bytes, read_page
from solidarity_atlas.model import Page, Record

WINDOW_PER_JOB = 32  # documents in flight per worker: order is kept, memory stays bounded
CHUNK = 8  # documents sent to a worker at a time: fewer round trips between processes


@dataclass(slots=True)
class Outcome:
    """What became of one input: a record, or the reason it failed."""

    source: str
    record: Record | None = None
    error: str | None = None


def extract_file(path: str, recurring: frozenset[int] = frozenset()) -> Outcome:
    """Read and extract one file; never raises for a bad input."""
    return _guarded(path, lambda: read_page(path, recurring))


def extract_bytes(path: str, data: bytes, recurring: frozenset[int] = frozenset()) -> Outcome:
    """Extract one file whose bytes were read elsewhere; never raises for a bad input."""
    return _guarded(path, lambda: page_of_file(path, data, recurring))


class DocumentTimeout(BaseException):
    """One document took longer than its time limit (``SOLIDARITY_DOC_TIMEOUT``).

    A BaseException, as KeyboardInterrupt is, so that no ``except Exception`` in a library on the way (trafilatura,
    lxml callbacks, dateparser) can swallow it and let the document run on.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(f"timed out after {seconds:g} s")
        self.seconds = seconds


@contextmanager
def time_limit(seconds: float | None = None) -> Iterator[None]:
    """Raise :class:`DocumentTimeout` in the body once it has run ``seconds`` (default: the setting).

    SIGALRM with a one-shot real-time timer: Python runs the handler between two bytecodes, so the body is stopped at
    the first Python-level step after the deadline; a single long call into C (one regular-expression search, one
    lxml parse) finishes first.  Signals reach only the main thread, so elsewhere (a Dask worker's thread, a caller's
    thread) and where a real-time timer is already armed (the caller's own), the body runs without a limit.
    """
    seconds = settings.doc_timeout() if seconds is None else seconds
    if (
        seconds <= 0
        or not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
        or signal.getitimer(signal.ITIMER_REAL)[0] > 0
    ):
        yield
        return

    def expired(signum: int, frame: object) -> None:
        raise DocumentTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


def _guarded(path: str, page: Callable[[], Page]) -> Outcome:
    """Read and extract within the document time limit; every failure becomes the outcome's error."""
    path = printable(path)  # a file name that is not UTF-8 still makes valid JSON and error lines
    try:
        with time_limit():
            return Outcome(path, extract(page()))
    except DocumentTimeout as exc:
        return Outcome(path, error=str(exc))
    except InputError as exc:
        return Outcome(path, error=str(exc))
    except RecursionError:
        return Outcome(path, error="document nested too deeply")
    except MemoryError:
        return Outcome(path, error="out of memory")
    except Exception as exc:  # noqa: BLE001 - one broken document must not stop the batch
        return Outcome(path, error=f"internal error: {type(exc).__name__}: {exc}")


def warm_up() -> None:
    """Load the gazetteer, the lexicons and the language models once, up front."""
    from solidarity_atlas.extract.dates import find_dates
    from solidarity_atlas.extract.languages import block_language
    from solidarity_atlas.extract.persons import is_first_name
    from solidarity_atlas.lexicons import load
    from solidarity_atlas.resolve.places import gazetteer
    from solidarity_atlas.resolve.registry import registry

    gazetteer()
    load()
    registry()
    is_first_name("Maria")
    find_dates("Athens, 11 December 2011")
    # lingua loads a model per language on first use: one Latin and one Cyrillic text load them all.
    block_language("The workers of the oil fields went on strike for their wages and their union.")
    block_language("Рабочие нефтяных месторождений объявили забастовку за зарплату и профсоюз.")


_RECURRING: dict[str, frozenset[int]] = {}


def _init_worker(recurring: dict[str, frozenset[int]]) -> None:
    _RECURRING.clear()
    _RECURRING.update(recurring)


def _work(path: str) -> Outcome:
    return extract_file(path, _RECURRING.get(os.path.dirname(path), frozenset()))


def _work_chunk(paths: list[str]) -> list[Outcome]:
    return [_work(p) for p in paths]


def _chunks(paths: Iterator[str], size: int) -> Iterator[list[str]]:
    while chunk := list(islice(paths, size)):
        yield chunk


def extract_files(
    paths: Iterable[str], *, jobs: int = 1, recurring: dict[str, frozenset[int]] | None = None,
    engine: str = "local", scheduler: str | None = None,
) -> Iterator[Outcome]:
    """Outcomes in input order, with ``jobs`` processes; inputs are read lazily.

    ``engine="dask"``: on the Dask cluster whose scheduler is at ``scheduler``, or on a cluster of ``jobs`` local
    processes started for the run (see :mod:`solidarity_atlas.parallel`); this process reads the files and sends
    their bytes.
    """
    recurring = recurring or {}
    if engine == "dask":
        from solidarity_atlas.parallel import DaskRunner

        with DaskRunner(scheduler, jobs) as runner:
            yield from runner.map_chunks(_work_bytes_chunk, _read_chunks(iter(paths), CHUNK), runner.share(recurring))
        return
    if jobs <= 1:
        _init_worker(recurring)
        yield from (_work(p) for p in paths)
        return
    chunks = _chunks(iter(paths), CHUNK)
    warm_up()  # forked workers inherit the loaded models instead of each loading its own
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(recurring,)) as pool:
        window = deque(pool.submit(_work_chunk, c) for c in islice(chunks, jobs * WINDOW_PER_JOB // CHUNK))
        while window:
            head = window.popleft()
            for chunk in islice(chunks, 1):
                window.append(pool.submit(_work_chunk, chunk))
            yield from head.result()


# A file as sent to a Dask worker: its path, and its bytes or why they could not be read.
_Read = tuple[str, bytes | None, str | None]


def _read_chunks(paths: Iterator[str], size: int) -> Iterator[list[_Read]]:
    for chunk in _chunks(paths, size):
        items: list[_Read] = []
        for path in chunk:
            try:
                items.append((path, read_bytes(Path(path)), None))
            except InputError as exc:
                items.append((path, None, str(exc)))
        yield items


def _work_bytes_chunk(items: list[_Read], recurring: dict[str, frozenset[int]]) -> list[Outcome]:
    """A Dask task: extract a chunk of files from their bytes."""
    out = []
    for path, data, error in items:
        if data is None:
            out.append(Outcome(path, error=error))
        else:
            out.append(extract_bytes(path, data, recurring.get(os.path.dirname(path), frozenset())))
    return out
