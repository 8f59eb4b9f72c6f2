"""Running the website: uvicorn, with one process or several (``solidarity serve --workers N``).

One Python process serves pages on one core at a time (the GIL), so the
website runs a process per core: uvicorn starts ``workers`` processes that
take turns accepting connections on one socket, each with its own
application (:func:`worker_app`), thread pool, database connections and
cache.  What each process keeps for itself, and what that means, is told in
README.md (Web): the cache notices changes made by the others (see
:mod:`solidarity_atlas.web.cache`), sessions and the sign-in limit live in
the database, the API's rate limit is counted per process.

A worker process is started afresh (uvicorn spawns it) and finds its
settings in the environment variable :data:`WORKER_ENV`, written by
:func:`serve`: the database URL, the threads, the rate limit and the path of
the admin token file (never the token itself).
"""

from __future__ import annotations

import json
import os
from typing import Any

from fastapi import FastAPI

from solidarity_atlas.web.app import RATE_BURST, RATE_PER_SECOND, THREADS, create_app

WORKER_ENV = "SOLIDARITY_SERVE_WORKER"  # the settings of a worker process, as JSON (set by serve)
MAX_DEFAULT_WORKERS = 8  # each process holds its own interpreter, caches and connections: 80-150 MB


def default_workers() -> int:
    """One worker process per CPU this process may run on, at most :data:`MAX_DEFAULT_WORKERS`."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_DEFAULT_WORKERS))


def implementations() -> dict[str, str]:
    """The HTTP parser and event loop uvicorn runs here: its C ones (httptools, uvloop: dependencies of the
    project, 0.3-1 ms less CPU a page) when they can be imported, else its pure-Python parser (h11) and asyncio's
    loop, which is what uvicorn's "auto" settings choose."""
    from importlib.util import find_spec

    return {"http": "httptools" if find_spec("httptools") else "h11",
            "loop": "uvloop" if find_spec("uvloop") and os.name != "nt" else "asyncio"}


def serve(url: str, *, host: str = "127.0.0.1", port: int = 8000, workers: int | None = None,
          threads: int | None = THREADS, admin_token_file: str | None = None, secure_cookies: bool | None = None,
          rate_per_second: float = RATE_PER_SECOND, rate_burst: int = RATE_BURST) -> None:
    """Serve the knowledge base at ``url`` (already migrated) until the process is stopped: ``workers``
    processes (default :func:`default_workers`), each running ``threads`` requests at once.  The admin token is
    read from ``admin_token_file`` by each process, else from ``$SOLIDARITY_ADMIN_TOKEN``."""
    import uvicorn

    settings = {"url": url, "threads": threads, "admin_token_file": admin_token_file,
                "secure_cookies": secure_cookies, "rate_per_second": rate_per_second, "rate_burst": rate_burst}
    count = workers if workers is not None else default_workers()
    if count <= 1:
        uvicorn.run(_application(settings), host=host, port=port, server_header=False)
        return
    os.environ[WORKER_ENV] = json.dumps(settings)  # inherited by the worker processes uvicorn spawns
    uvicorn.run(f"{__name__}:worker_app", factory=True, host=host, port=port, workers=count, server_header=False)


def worker_app() -> FastAPI:
    """The application of one worker process, from the settings :func:`serve` left in the environment."""
    return _application(json.loads(os.environ[WORKER_ENV]))


def _application(settings: dict[str, Any]) -> FastAPI:
    from solidarity_atlas.store.db import connect
    from solidarity_atlas.web.auth import read_token_file

    token = read_token_file(settings["admin_token_file"]) if settings.get("admin_token_file") else None
    engine = connect(settings["url"], migrate_schema=False)  # serve's caller migrated it once, before the workers
    return create_app(engine=engine, admin_token=token, secure_cookies=settings.get("secure_cookies"),
                      threads=settings.get("threads"), rate_per_second=settings["rate_per_second"],
                      rate_burst=settings["rate_burst"])
