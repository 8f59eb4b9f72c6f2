"""Extraction on a Dask cluster: the same work as the local worker processes, spread over machines.

``solidarity extract --engine dask`` and ``solidarity ingest --engine dask`` send
documents, a chunk at a time, to the workers of a Dask distributed cluster
(``--scheduler tcp://HOST:8786``), or of a cluster of ``--jobs`` local worker
processes started for the run when no scheduler is named.  The workers need this
package installed (the same version) but no access to the inputs: the command
reads each file itself and sends its bytes, so the workers may be other
machines.  Results come back in input order, and no more than a fixed window of
chunks is in flight, so memory stays bounded whatever the number of inputs.

Each chunk's function must not raise for a bad document (it returns the
failure as a value, as the local workers do); an exception here means the
cluster itself failed, and is reported as :class:`ClusterError`.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from solidarity_atlas.errors import AtlasError

T = TypeVar("T")
R = TypeVar("R")

CHUNKS_PER_THREAD = 4  # chunks in flight per worker thread: the next is there when one is done
CONNECT_TIMEOUT = "15s"  # waiting for the scheduler before giving up


class ClusterError(AtlasError):
    """The Dask cluster could not be reached, or failed while working."""


@dataclass(frozen=True, slots=True)
class DaskSpec:
    """Which Dask cluster to use: the scheduler at ``scheduler``, else ``workers`` local processes."""

    scheduler: str | None = None
    workers: int = 1

    def runner(self) -> DaskRunner:
        return DaskRunner(self.scheduler, self.workers)


def apply_each(chunk: list[T], func: Callable[[T], R]) -> list[R]:
    """A Dask task: ``func`` on each item of a chunk (``func`` is sent as the shared value)."""
    return [func(item) for item in chunk]


class DaskRunner:
    """A client of a Dask cluster, for one run (a context manager).

    ``scheduler``: the scheduler's address (``tcp://host:8786``); None starts a
    cluster of ``workers`` local processes of one thread each, closed with the
    runner.
    """

    def __init__(self, scheduler: str | None = None, workers: int = 1):
        self.scheduler = scheduler
        self.workers = max(1, workers)
        self._stack = contextlib.ExitStack()
        self.client: Any = None

    def __enter__(self) -> DaskRunner:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ClusterError("--engine dask needs the 'distributed' package: pip install 'solidarity-atlas[dask]'") \
                from None
        try:
            if self.scheduler:
                self.client = self._stack.enter_context(Client(self.scheduler, timeout=CONNECT_TIMEOUT))
            else:
                cluster = self._stack.enter_context(LocalCluster(
                    n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=None))
                self.client = self._stack.enter_context(Client(cluster))
        except (OSError, TimeoutError) as exc:
            self._stack.close()
            where = f"the Dask scheduler at {self.scheduler}" if self.scheduler else "a local Dask cluster"
            raise ClusterError(f"cannot reach {where}: {exc}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def threads(self) -> int:
        """Worker threads the cluster has now (at least one)."""
        return max(1, sum(self.client.nthreads().values()))

    def share(self, value: Any) -> Any:
        """``value`` copied once to every worker; pass what this returns to :meth:`map_chunks` as ``shared``."""
        return self.client.scatter([value], broadcast=True, hash=False)[0]

    def map_chunks(self, func: Callable[[list[T], Any], list[R]], chunks: Iterable[list[T]],
                   shared: Any = None) -> Iterator[R]:
        """``func(chunk, shared)`` on the workers for every chunk; the results, in the order of the chunks."""
        window = self.threads() * CHUNKS_PER_THREAD
        pending: deque[Any] = deque()
        it = iter(chunks)
        try:
            pending.extend(self._submit(func, chunk, shared) for chunk in islice(it, window))
            while pending:
                head = pending.popleft()
                try:
                    results = head.result()
                except Exception as exc:  # a worker died on it, or the cluster went away
                    raise ClusterError(f"the Dask cluster failed: {type(exc).__name__}: {exc}") from exc
                head.release()
                pending.extend(self._submit(func, chunk, shared) for chunk in islice(it, 1))
                yield from results
        finally:
            for future in pending:
                future.cancel()

    def _submit(self, func: Callable[..., Any], chunk: list[Any], shared: Any) -> Any:
        try:
            return self.client.submit(func, chunk, shared, pure=False)
        except Exception as exc:  # the client is closed or lost its scheduler
            raise ClusterError(f"the Dask cluster failed: {type(exc).__name__}: {exc}") from exc
