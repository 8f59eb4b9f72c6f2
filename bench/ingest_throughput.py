"""Ingest and query benchmark for the knowledge base (``solidarity ingest``, ``search``, ``org show``).

For each corpus size (``--docs``, default 10,000 and 100,000 documents, made by the generator of
``extract_throughput.py``), it:

1. generates the corpus (fixed seed) and counts its distinct texts;
2. times ``solidarity extract CORPUS --format jsonl`` as a subprocess (extraction alone);
3. times ``solidarity ingest CORPUS --db DB --quiet`` into a fresh SQLite file (or, with ``--db-url``, a fresh schema
   of a PostgreSQL database), and measures the database on disk;
4. compares the two (target: ingest within 1.5x of extraction);
5. times ``queries.search`` and ``find_org`` + ``org_profile`` in-process on that database (target: p95 under
   50 ms at 100,000 documents), and the CLI ``search`` and ``org show`` once each as subprocesses;
6. times a second ingest of the unchanged corpus into the same database.

Wall time, CPU time (``getrusage(RUSAGE_CHILDREN)`` deltas) and peak memory are measured for every subprocess.
Peak memory has two figures: the largest single process (``ru_maxrss`` of the command, which covers the command
and the workers it waited for, as reported by a small launcher: GNU ``time -f %M``, else a Python wrapper), and the
largest sum over the process tree (proportional set size, sampled from ``/proc/PID/smaps_rollup``).

Run ``python bench/ingest_throughput.py --help``; see bench/README.md.
This is a benchmark, not a test: it never asserts, it reports.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import json
import math
import os
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import extract_throughput as gen  # noqa: E402  (the corpus generator, next to this file)

try:
    import resource
except ImportError:  # not on Windows: CPU times of the subprocesses are then not reported
    resource = None  # type: ignore[assignment]

Figures = dict[str, Any]  # JSON-like figures, printed by --json and used by the report

TARGET_INGEST_RATIO = 1.5  # ingest time / extraction time
TARGET_P95_MS = 50.0  # search and org show, at 100,000 documents
WARM_UP = 10  # queries run (and not timed) before each timed series
SAMPLE_EVERY = 0.5  # seconds between two memory samples of a process tree
RESCAN_EVERY = 4  # samples between two scans of /proc for the tree's processes (a scan costs more than a sample)
MB = 1_000_000
STDERR_TAIL = 15  # lines of a failed command's stderr kept in the JSON figures
QUICK_DOCS = 500
QUICK_QUERIES = 50

# --------------------------------------------------------------------------------------
# Query workloads, from the generator's vocabulary
# --------------------------------------------------------------------------------------

SEARCH_COMMON = ["strike", "workers", "solidarity", "government", "police", "wages", "demonstration", "union"]
SEARCH_ACRONYMS = ["KKE", "PAME", "WFTU", "AKEL", "COSATU", "CITU", "PCPE", "DKP"]
SEARCH_PHRASES = [
    "general strike",
    "steel workers",
    "hunger strike",
    "collective agreement",
    "picket lines",
    "Zhanaozen oil",
    "Piraeus dockers",
]
SEARCH_FOREIGN = ["huelga", "Streik", "solidaridad", "Solidarität", "солидарность", "забастовка"]
SEARCH_NOTHING = ["xylophonist", "Velmoria", "quasiparticle", "hovercraft eels", "Zhanaozen xylophonist"]

ORG_ACRONYMS = [
    "KKE",
    "PAME",
    "WFTU",
    "AKEL",
    "PCP",
    "CITU",
    "AITUC",
    "COSATU",
    "DKP",
    "TKP",
    "PCPE",
    "CCOO",
    "RMT",
    "PCdoB",
    "PTB",
]
ORG_NAMES = [
    "Communist Party of Greece",
    "Communist Party of Greece (KKE)",
    "Portuguese Communist Party",
    "World Federation of Trade Unions",
    "South African Communist Party",
    "Japanese Communist Party",
    "Communist Party of the Russian Federation",
    "Tudeh Party of Iran",
    "Zenroren",
    "Communist Party of Bohemia and Moravia",
    "Lebanese Communist Party",
    "Communist Party of Cuba",
]
ORG_UNKNOWN = [
    "Velmoria Tenants' League",
    "Union of Imaginary Workers",
    "Communist Party of Atlantis",
    "ZZQX",
    "Federation of Lunar Miners",
]
CLI_SEARCH = "Zhanaozen"
CLI_ORG = "KKE"


def search_pool() -> dict[str, list[str]]:
    """Search strings by kind: places, common words, organisation names, acronyms, phrases, other languages,
    and strings no document holds."""
    cities = list(dict.fromkeys(gen.EN_PIECES["city"] + gen.LANGS["en"].cities))
    countries = [c.removeprefix("the ") for c in gen.EN_PIECES["country"]]
    names = [re.sub(r"\s*\(.*?\)", "", o) for o in gen.ORGANISATIONS if " " in o]
    return {
        "place": ["Zhanaozen", *cities, *countries],
        "common word": SEARCH_COMMON,
        "organisation name": list(dict.fromkeys(names)),
        "acronym": SEARCH_ACRONYMS,
        "two-word phrase": SEARCH_PHRASES,
        "not English": SEARCH_FOREIGN,
        "no match": SEARCH_NOTHING,
    }


def org_pool() -> dict[str, list[str]]:
    return {"acronym": ORG_ACRONYMS, "full name": ORG_NAMES, "unknown": ORG_UNKNOWN}


def workload(pool: dict[str, list[str]], count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` (kind, text) pairs, taking the kinds in turn and each kind's items in a shuffled cycle."""
    rng = random.Random(seed)
    cycles: dict[str, Iterator[str]] = {}
    for kind, items in pool.items():
        shuffled = list(items)
        rng.shuffle(shuffled)
        cycles[kind] = _cycle(shuffled)
    kinds = list(pool)
    return [(kinds[i % len(kinds)], next(cycles[kinds[i % len(kinds)]])) for i in range(count)]


def _cycle(items: list[str]) -> Iterator[str]:
    while True:
        yield from items


# --------------------------------------------------------------------------------------
# Subprocesses: wall time, CPU time, peak memory
# --------------------------------------------------------------------------------------


@dataclass
class Run:
    """One measured subprocess."""

    args: list[str]
    seconds: float | None = None
    cpu_seconds: float | None = None
    max_rss_kb: int | None = None  # the largest single process (ru_maxrss, from the launcher)
    tree_pss_kb: int | None = None  # the largest sampled sum of PSS over the process tree
    tree_rss_kb: int | None = None  # the same with RSS (counts pages shared after fork once per process)
    processes: int = 0  # most processes seen at once in the tree
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    error: str | None = None


def children_cpu() -> float | None:
    """CPU seconds used so far by finished child processes (and the children they waited for)."""
    if resource is None:
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class TreeSampler(threading.Thread):
    """Samples the summed memory of every process in a session (the command and its workers)."""

    def __init__(self, session: int, launcher: int | None = None) -> None:
        super().__init__(daemon=True)
        self.session = session
        self.launcher = str(launcher)  # the launcher process itself is not counted
        self.stopped = threading.Event()
        self.pss_kb = 0
        self.rss_kb = 0
        self.processes = 0
        self.available = Path("/proc/self/smaps_rollup").exists()
        self.samples = 0
        self.pids: list[str] = []

    def run(self) -> None:
        while self.available and not self.stopped.wait(SAMPLE_EVERY):
            self.sample()

    def stop(self) -> None:
        self.stopped.set()
        self.join()

    def members(self) -> list[str]:
        found = []
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[-1].split()  # after "pid (comm)": state ppid pgrp session ...
            if len(fields) > 3 and fields[3] == str(self.session) and entry.name != self.launcher:
                found.append(entry.name)
        return found

    def sample(self) -> None:
        pss = rss = 0
        if self.samples % RESCAN_EVERY == 0:
            self.pids = self.members()
        self.samples += 1
        alive = 0
        for pid in self.pids:
            try:
                text = Path("/proc", pid, "smaps_rollup").read_text()
            except OSError:
                continue
            pss += _kb(text, "Pss")
            rss += _kb(text, "Rss")
            alive += 1
        self.pss_kb, self.rss_kb = max(self.pss_kb, pss), max(self.rss_kb, rss)
        self.processes = max(self.processes, alive)


def _kb(text: str, key: str) -> int:
    match = re.search(rf"^{key}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def last_line(*texts: str) -> str:
    """The last telling line of the first text that has one (SQLAlchemy's "Background on this error" is not)."""
    for text in texts:
        lines = [line.strip() for line in text.splitlines() if line.strip() and "sqlalche.me/e/" not in line]
        if lines:
            return lines[-1][:300]
    return "(no output)"


# Peak memory of a command is read by a small launcher process, not from this process's own wait4: a child forked
# from this process inherits its high-water RSS (the Linux kernel copies it on fork and keeps it across exec), so
# ru_maxrss of a direct child is at least this process's own peak. A launcher that starts small, GNU time or this
# Python wrapper, forks the command from a small address space and reports the command's ru_maxrss.
GNU_TIME = "/usr/bin/time"
WRAPPER = (
    "import os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "p.returncode = 0\n"
    "code = os.waitstatus_to_exitcode(status)\n"
    "with open(sys.argv[1], 'w') as f:\n"
    "    f.write((f'Command terminated by signal {-code}\\n' if code < 0 else '') + f'{usage.ru_maxrss}\\n')\n"
    "sys.exit(128 - code if code < 0 else code)\n"
)


@functools.cache
def memory_method() -> str:
    """'GNU time' when /usr/bin/time is GNU time (it has -f and -o), else 'python wrapper'."""
    try:
        probe = [GNU_TIME, "-f", "%M", "-o", os.devnull, "true"]
        ok = subprocess.run(probe, capture_output=True, timeout=10, check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return "GNU time" if ok else "python wrapper"


def launched(args: list[str], peak_file: Path) -> list[str]:
    if memory_method() == "GNU time":
        return [GNU_TIME, "-f", "%M", "-o", str(peak_file), *args]
    return [sys.executable, "-c", WRAPPER, str(peak_file), *args]


def read_peak(peak_file: Path) -> tuple[int | None, int | None]:
    """The command's peak RSS in kB, and the signal that ended it (if one did), from the launcher's file."""
    try:
        lines = peak_file.read_text().split("\n")
    except OSError:
        return None, None
    peak = next((int(line) for line in reversed(lines) if line.strip().isdigit()), None)
    killed = next((int(m.group(1)) for m in map(re.compile(r"terminated by signal (\d+)").search, lines) if m), None)
    return peak, killed


def describe_exit(run: Run, killed_by: int | None) -> str:
    if killed_by is not None or (run.returncode is not None and run.returncode < 0):
        number = killed_by if killed_by is not None else -(run.returncode or 0)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "?"
        return f"killed by signal {number} ({name}), not by this benchmark: {last_line(run.stderr, run.stdout)}"
    return f"exit {run.returncode}: {last_line(run.stderr, run.stdout)}"


def run_command(args: list[str], timeout: float) -> Run:
    """Run ``args`` (through a launcher, in a new session); wall time, CPU time and memory of it and its workers."""
    run = Run(args)
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        cpu_start, start = children_cpu(), time.perf_counter()
        try:
            proc = subprocess.Popen(
                launched(args, peak_file),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            run.error = f"cannot run {args[0]}: {exc.strerror}"
            return run
        sampler = TreeSampler(proc.pid, launcher=proc.pid)
        sampler.start()
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, _usage = os.wait4(proc.pid, 0)  # its ru_maxrss would be this process's peak: see above
        except BaseException:
            kill()
            proc.wait()
            raise
        finally:
            timer.cancel()
            sampler.stop()
        run.seconds = time.perf_counter() - start
        cpu_end = children_cpu()
        proc.returncode = run.returncode = os.waitstatus_to_exitcode(status)
        run.cpu_seconds = cpu_end - cpu_start if cpu_end is not None and cpu_start is not None else None
        run.max_rss_kb, killed_by = read_peak(peak_file)
        if sampler.available:
            run.tree_pss_kb, run.tree_rss_kb, run.processes = sampler.pss_kb, sampler.rss_kb, sampler.processes
        out.seek(0)
        err.seek(0)
        run.stdout = out.read().decode("utf-8", errors="replace")
        run.stderr = err.read().decode("utf-8", errors="replace")
    if timed_out.is_set():
        run.error = f"timed out after {timeout:.0f} s"
    elif run.returncode != 0:
        run.error = describe_exit(run, killed_by)
    return run


def run_figures(run: Run | None, docs: int | None = None) -> Figures | None:
    if run is None:
        return None
    seconds, cpu = run.seconds, run.cpu_seconds
    return {
        "error": run.error,
        "seconds": _round(seconds, 3),
        "cpu_seconds": _round(cpu, 3),
        "cores_used": _round(cpu / seconds, 2) if cpu is not None and seconds else None,
        "docs_per_s": _round(docs / seconds, 1) if docs and seconds else None,
        "peak_rss_mb": _round(run.max_rss_kb * 1024 / MB, 1) if run.max_rss_kb else None,
        "tree_peak_pss_mb": _round(run.tree_pss_kb * 1024 / MB, 1) if run.tree_pss_kb else None,
        "tree_peak_rss_mb": _round(run.tree_rss_kb * 1024 / MB, 1) if run.tree_rss_kb else None,
        "processes": run.processes or None,
        "cli_summary": last_line(run.stderr) if run.stderr.strip() else None,
        "stderr_tail": run.stderr.splitlines()[-STDERR_TAIL:] if run.error else None,
    }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def solidarity_command() -> list[str]:
    return gen.extract_command()  # `solidarity` next to sys.executable, else `python -m solidarity_atlas`


# --------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------


def make_corpus(root: Path, docs: int, seed: int) -> tuple[gen.Corpus, Figures]:
    start = time.perf_counter()
    corpus = gen.generate_corpus(root, docs, seed)
    seconds = time.perf_counter() - start
    digests = [hashlib.sha256(path.read_bytes()).hexdigest() for path in corpus.files]
    distinct = len(set(digests))
    return corpus, {
        "dir": str(root),
        "seed": seed,
        "documents": len(corpus.files),
        "distinct_texts": distinct,
        "duplicates": len(corpus.files) - distinct,
        "mb": round(corpus.total_bytes / MB, 2),
        "avg_bytes": corpus.total_bytes // max(len(corpus.files), 1),
        "by_ext": dict(corpus.by_ext),
        "by_lang": dict(corpus.by_lang),
        "generate_seconds": round(seconds, 2),
    }


def measure_extract(corpus: gen.Corpus, jobs: int, out: Path, timeout: float) -> Run:
    args = [
        *solidarity_command(),
        "extract",
        str(corpus.root),
        "--format",
        "jsonl",
        "--output",
        str(out),
        "--jobs",
        str(jobs),
    ]
    out.unlink(missing_ok=True)
    run = run_command(args, timeout)
    if run.error is None:
        run.error = check_output(out, len(corpus.files))
    out.unlink(missing_ok=True)
    return run


def check_output(out: Path, expected: int) -> str | None:
    """What is wrong with extract's output (one JSON line per document), read line by line to keep memory low."""
    if not out.exists():
        return f"extract wrote no output file {out}"
    lines = 0
    with out.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            lines += 1
            try:
                json.loads(line)
            except ValueError:
                return f"output line {number} is not valid JSON: {line[:80]!r}"
    return None if lines == expected else f"output has {lines} lines, expected {expected} (one per document)"


def ingest_args(corpus_root: Path, db: Path | str, jobs: int) -> list[str]:
    return [*solidarity_command(), "ingest", str(corpus_root), "--db", str(db), "--jobs", str(jobs), "--quiet"]


SUMMARY_RE = re.compile(r"(\d+) stored, (\d+) unchanged, (\d+) duplicate, (\d+) quarantined")


def summary_counts(run: Run) -> dict[str, int] | None:
    match = SUMMARY_RE.search(run.stderr)
    if not match:
        return None
    return dict(zip(("stored", "unchanged", "duplicate", "quarantined"), map(int, match.groups()), strict=True))


def db_files(db: Path) -> dict[str, int]:
    sizes = {}
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db}{suffix}")
        sizes[suffix.lstrip("-") or "db"] = path.stat().st_size if path.exists() else 0
    return sizes


def db_size(db: Path, docs: int) -> Figures:
    """The database on disk after the run, and after a TRUNCATE checkpoint (WAL folded in and emptied)."""
    after_run = db_files(db)
    figures: Figures = {"after_run": after_run, "after_run_mb": round(sum(after_run.values()) / MB, 1)}
    try:
        with contextlib.closing(sqlite3.connect(db)) as connection:
            busy, log, done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            page_size = connection.execute("PRAGMA page_size").fetchone()[0]
            free = connection.execute("PRAGMA freelist_count").fetchone()[0]
    except sqlite3.Error as exc:
        figures["checkpoint_error"] = str(exc)
        return figures
    after = db_files(db)
    figures.update(
        {
            "checkpoint": {"busy": busy, "log_frames": log, "checkpointed": done},
            "after_checkpoint": after,
            "after_checkpoint_mb": round(sum(after.values()) / MB, 1),
            "free_pages_mb": round(free * page_size / MB, 1),
            "bytes_per_document": round(sum(after.values()) / max(docs, 1)),
        }
    )
    return figures


class PostgresAtlas:
    """A fresh schema of the ``--db-url`` database for one corpus size (dropped afterwards): the URL given to
    ``--db`` sets the connections' search_path to it."""

    def __init__(self, url: str, docs: int) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        base = make_url(url)
        self.schema = f"bench_ingest_{docs}_{os.getpid()}"
        self.admin = create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as c:
            c.exec_driver_sql(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
            c.exec_driver_sql(f"CREATE SCHEMA {self.schema}")
        self.url = base.update_query_dict({"options": f"-csearch_path={self.schema}"}).render_as_string(False)

    def sizes(self, docs: int) -> tuple[Figures, dict[str, float]]:
        """The schema's tables and indexes on disk (pg_total_relation_size: TOAST included), and MB of each."""
        from sqlalchemy import text

        with self.admin.connect() as c:
            rows = c.execute(text(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relkind = 'r' ORDER BY 2 DESC"),
                {"schema": self.schema}).all()
            indexes = c.execute(text(
                "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = :schema AND c.relkind = 'i' ORDER BY 2 DESC"),
                {"schema": self.schema}).all()
        total = sum(size for _, size in rows)
        figures: Figures = {"total_mb": round(total / MB, 1), "bytes_per_document": round(total / max(docs, 1))}
        tables = {name: round(size / MB, 1) for name, size in sorted([*rows, *indexes], key=lambda r: -r[1])}
        return figures, tables

    def drop(self) -> None:
        with self.admin.connect() as c:
            c.exec_driver_sql(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
        self.admin.dispose()


def table_sizes(db: Path) -> dict[str, float] | None:
    """MB per table and index (SQLite's dbstat), or None when this SQLite has no dbstat."""
    try:
        with contextlib.closing(sqlite3.connect(db)) as connection:
            rows = connection.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    except sqlite3.Error:
        return None
    return {name: round(size / MB, 1) for name, size in rows}


@dataclass
class Series:
    """Latencies of one kind of query."""

    seconds: list[float] = field(default_factory=list)
    results: list[int] = field(default_factory=list)
    by_kind: dict[str, tuple[list[float], list[int]]] = field(default_factory=dict)
    stopped_early: bool = False

    def add(self, kind: str, seconds: float, results: int) -> None:
        self.seconds.append(seconds)
        self.results.append(results)
        times, counts = self.by_kind.setdefault(kind, ([], []))
        times.append(seconds)
        counts.append(results)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``share`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def latency(seconds: Sequence[float], results: Sequence[int]) -> Figures:
    if not seconds:
        return {"count": 0}
    return {
        "count": len(seconds),
        "median_ms": round(statistics.median(seconds) * 1000, 2),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 2),
        "max_ms": round(max(seconds) * 1000, 2),
        "mean_results": round(statistics.fmean(results), 1),
    }


def series_figures(series: Series, error: str | None) -> Figures:
    figures: Figures = {
        **latency(series.seconds, series.results),
        "error": error,
        "stopped_early": series.stopped_early,
    }
    figures["by_kind"] = {kind: latency(*pair) for kind, pair in series.by_kind.items()}
    return figures


def time_series(
    call: Callable[[str], int], warm_up: list[tuple[str, str]], items: list[tuple[str, str]], budget: float
) -> Series:
    for _, text in warm_up:
        call(text)
    series = Series()
    started = time.perf_counter()
    for kind, text in items:
        start = time.perf_counter()
        results = call(text)
        series.add(kind, time.perf_counter() - start, results)
        if time.perf_counter() - started > budget:
            series.stopped_early = len(series.seconds) < len(items)
            break
    return series


def measure_queries(db: Path | str, count: int, seed: int, budget: float) -> Figures:
    """``queries.search`` and ``find_org`` + ``org_profile``, in this process, after a warm-up."""
    from solidarity_atlas.store import queries
    from solidarity_atlas.store.db import connect

    engine = connect(str(db))
    figures: Figures = {}
    try:

        def search(text: str) -> int:
            return len(queries.search(engine, text))

        def org_show(text: str) -> int:
            org_id = queries.find_org(engine, text)
            profile = queries.org_profile(engine, org_id) if org_id else None
            if not profile:
                return 0
            return int(profile.get("statement_count", len(profile["statements"])))  # the list may be capped

        for key, call, pool in (("search", search, search_pool()), ("org_show", org_show, org_pool())):
            items = workload(pool, count, seed)
            warm_up = workload(pool, WARM_UP, seed + 1)  # other strings, drawn the same way
            try:
                figures[key] = series_figures(time_series(call, warm_up, items, budget), None)
            except Exception as exc:  # noqa: BLE001 - a failing query is reported, the benchmark goes on
                figures[key] = {"count": 0, "error": f"{type(exc).__name__}: {exc}"}
            figures[key]["target"] = target(figures[key].get("p95_ms"), TARGET_P95_MS)
        figures["stats"] = queries.stats(engine)
    finally:
        engine.dispose()
    return figures


def target(value: float | None, goal: float) -> Figures:
    return {"value": value, "target": goal, "met": None if value is None else value <= goal}


def measure_cli(db: Path | str, timeout: float) -> Figures:
    cmd = solidarity_command()
    search = run_command([*cmd, "search", CLI_SEARCH, "--db", str(db)], timeout)
    org = run_command([*cmd, "org", "show", CLI_ORG, "--db", str(db)], timeout)
    return {
        "search": {"query": CLI_SEARCH, "seconds": _round(search.seconds, 3), "error": search.error},
        "org_show": {
            "name": CLI_ORG,
            "seconds": _round(org.seconds, 3),
            "error": org.error,
            "output_lines": len(org.stdout.splitlines()),
        },
    }


def ratio(num: float | None, den: float | None) -> float | None:
    return round(num / den, 2) if num is not None and den else None


def measure_size(args: argparse.Namespace, docs: int, work: Path) -> Figures:
    figures: Figures = {"docs": docs, "jobs": args.jobs}
    root = (args.corpus_dir / f"docs-{docs}") if args.corpus_dir else work / f"corpus-{docs}"
    say(f"[{docs}] generating the corpus in {root}")
    corpus, figures["corpus"] = make_corpus(root, docs, args.seed)
    figures["corpus"]["kept"] = args.corpus_dir is not None
    extract_run = None
    if not args.skip_extract:
        say(f"[{docs}] extract --jobs {args.jobs}")
        extract_run = measure_extract(corpus, args.jobs, work / "extract.jsonl", args.timeout)
    figures["extract"] = run_figures(extract_run, docs)
    if figures["extract"]:
        say(f"[{docs}] extract: {brief(figures['extract'])}")

    if args.db_url:
        server = PostgresAtlas(args.db_url, docs)
        try:
            return measure_ingest(args, docs, root, server.url, extract_run, figures, server)
        finally:
            server.drop()
    db = (args.db_dir if args.db_dir else work) / f"ingest-{docs}.db"
    return measure_ingest(args, docs, root, db, extract_run, figures, None)


def measure_ingest(args: argparse.Namespace, docs: int, root: Path, db: Path | str, extract_run: Run | None,
                   figures: Figures, server: PostgresAtlas | None) -> Figures:
    """Ingest, the database's size, the queries and a second ingest, into an SQLite file or a PostgreSQL schema."""
    figures["backend"] = "PostgreSQL" if server else "SQLite"
    say(f"[{docs}] ingest --jobs {args.jobs} into {server.schema if server else db}")
    ingest_run = run_command(ingest_args(root, db, args.jobs), args.timeout)
    figures["ingest"] = run_figures(ingest_run, docs)
    figures["ingest"]["counts"] = summary_counts(ingest_run)
    say(f"[{docs}] ingest: {brief(figures['ingest'])}")
    exists = ingest_run.error is None if server else Path(db).exists()
    if server:
        figures["database"], figures["database_tables_mb"] = server.sizes(docs) if exists else (None, None)
    else:
        figures["database"] = db_size(Path(db), docs) if exists else None
        figures["database_tables_mb"] = table_sizes(Path(db)) if exists else None

    seconds = extract_run.seconds if extract_run and not extract_run.error else None
    ingest_seconds = ingest_run.seconds if not ingest_run.error else None
    cpu = extract_run.cpu_seconds if extract_run and not extract_run.error else None
    figures["ratio"] = {
        "ingest_vs_extract_wall": ratio(ingest_seconds, seconds),
        "ingest_vs_extract_cpu": ratio(ingest_run.cpu_seconds if not ingest_run.error else None, cpu),
    }
    figures["ratio"]["target"] = target(figures["ratio"]["ingest_vs_extract_wall"], TARGET_INGEST_RATIO)

    if exists and ingest_run.error is None:
        say(f"[{docs}] {args.queries} searches and {args.queries} org look-ups, in-process")
        try:
            figures["queries"] = measure_queries(db, args.queries, args.seed, args.query_budget)
        except Exception as exc:  # noqa: BLE001 - e.g. the database cannot be opened: reported
            figures["queries"] = {"error": f"{type(exc).__name__}: {exc}"}
        for key in ("search", "org_show"):
            series = figures["queries"].get(key) or {}
            say(
                f"[{docs}] {key}: median {series.get('median_ms')} ms, p95 {series.get('p95_ms')} ms, "
                f"max {series.get('max_ms')} ms over {series.get('count')} calls"
            )
        say(f"[{docs}] CLI search and org show")
        figures["cli"] = measure_cli(db, args.timeout)
        say(f"[{docs}] re-ingest of the unchanged corpus")
        again = run_command(ingest_args(root, db, args.jobs), args.timeout)
        figures["reingest"] = run_figures(again, docs)
        figures["reingest"]["counts"] = summary_counts(again)
        say(f"[{docs}] re-ingest: {brief(figures['reingest'])}")
    else:
        reason = "no database" if not exists else "the ingest failed"
        figures["queries"] = {"error": f"not measured: {reason}"}
        figures["cli"] = None
        figures["reingest"] = None
    return figures


def brief(run: Figures) -> str:
    """One line of a run's figures, so that a progress log keeps them if the benchmark is stopped."""
    if run.get("error"):
        return f"failed: {run['error']}"
    return (
        f"{run['seconds']} s, {run['docs_per_s']} docs/s, {run['cpu_seconds']} CPU s, "
        f"peak RSS {run['peak_rss_mb']} MB, tree PSS {run['tree_peak_pss_mb']} MB; {run['cli_summary']}"
    )


def say(message: str) -> None:
    """A progress line on stderr (the report or the JSON goes to stdout)."""
    print(f"  {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def num(value: object, spec: str, missing: str = "n/a") -> str:
    return gen.num(value, spec, missing)


def verdict(item: object) -> str:
    return gen.verdict(item)


def run_row(label: str, data: Figures | None) -> str:
    if data is None:
        return f"  {label:<26} (skipped)"
    if data.get("error"):
        return f"  {label:<26} failed: {data['error']}"
    return (
        f"  {label:<26} {num(data['seconds'], '9.2f')} {num(data['docs_per_s'], '9.1f')} "
        f"{num(data['cpu_seconds'], '9.1f')} {num(data['cores_used'], '6.2f')} "
        f"{num(data['peak_rss_mb'], '10.1f')} {num(data['tree_peak_pss_mb'], '10.1f')} "
        f"{num(data['processes'], '5d')}"
    )


def report_size(fig: Figures) -> list[str]:
    corpus = fig["corpus"]
    langs = ", ".join(f"{k} {v}" for k, v in sorted(corpus["by_lang"].items()))
    lines = [
        "",
        f"== {fig['docs']} documents, --jobs {fig['jobs']} ==",
        f"  corpus: {corpus['documents']} documents, {corpus['distinct_texts']} distinct texts "
        f"({corpus['duplicates']} byte-identical duplicates), {corpus['mb']:.1f} MB, avg {corpus['avg_bytes']} "
        f"bytes ({langs}); generated in {corpus['generate_seconds']:.1f} s",
        f"          in {corpus['dir']}" + ("" if corpus["kept"] else " (temporary)"),
        "",
        f"  {'step':<26} {'seconds':>9} {'docs/s':>9} {'CPU s':>9} {'cores':>6} {'peak RSS':>10} "
        f"{'tree PSS':>10} {'procs':>5}",
        run_row("extract (jsonl)", fig["extract"]),
        run_row(f"ingest ({fig.get('backend', 'SQLite')})", fig["ingest"]),
        run_row("re-ingest (unchanged)", fig.get("reingest")),
        "  (peak RSS: largest single process, MB; tree PSS: largest sampled sum over the process tree, MB)",
    ]
    for key, label in (("extract", "extract"), ("ingest", "ingest"), ("reingest", "re-ingest")):
        data = fig.get(key)
        if data and data.get("cli_summary") and not data.get("error"):
            lines.append(f"  {label} said: {data['cli_summary']}")
    return lines + report_database(fig) + report_queries(fig) + report_targets(fig)


def report_database(fig: Figures) -> list[str]:
    data = fig.get("database")
    if not data:
        return ["", "  database: none (the ingest failed before creating it)"]
    if "total_mb" in data:  # PostgreSQL
        lines = ["", f"  schema on disk: {data['total_mb']:.1f} MB (tables, TOAST and indexes), "
                     f"{num(data.get('bytes_per_document'), 'd')} bytes per document"]
        tables = fig.get("database_tables_mb")
        if tables:
            lines.append("  largest tables and indexes (MB): "
                         + ", ".join(f"{name} {size:.1f}" for name, size in list(tables.items())[:8]))
        return lines
    run = data["after_run"]
    lines = [
        "",
        f"  database after the run: {data['after_run_mb']:.1f} MB (db {run['db'] / MB:.1f} + wal "
        f"{run['wal'] / MB:.1f} + shm {run['shm'] / MB:.1f} MB)",
    ]
    if "after_checkpoint_mb" in data:
        lines.append(
            f"  after wal_checkpoint(TRUNCATE): {data['after_checkpoint_mb']:.1f} MB, "
            f"{num(data.get('bytes_per_document'), 'd')} bytes per document, "
            f"{data['free_pages_mb']:.1f} MB free pages"
        )
    elif "checkpoint_error" in data:
        lines.append(f"  checkpoint failed: {data['checkpoint_error']}")
    tables = fig.get("database_tables_mb")
    if tables:
        biggest = ", ".join(f"{name} {size:.1f}" for name, size in list(tables.items())[:8])
        lines.append(f"  largest tables and indexes (MB): {biggest}")
    stats = (fig.get("queries") or {}).get("stats")
    if stats:
        lines.append("  holds: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in stats.items()))
    return lines


def latency_row(label: str, data: Figures) -> str:
    if data.get("error") and not data.get("count"):
        return f"    {label:<24} failed: {data['error']}"
    return (
        f"    {label:<24} {num(data.get('count'), '5d')} {num(data.get('median_ms'), '10.2f')} "
        f"{num(data.get('p95_ms'), '9.2f')} {num(data.get('max_ms'), '9.2f')} {num(data.get('mean_results'), '9.1f')}"
    )


def report_queries(fig: Figures) -> list[str]:
    data = fig.get("queries") or {}
    if "search" not in data:
        return ["", f"  queries: {data.get('error', 'not measured')}"]
    lines = ["", f"  queries, in-process after {WARM_UP} warm-up calls    n  median ms    p95 ms    max ms   results"]
    for key, label in (("search", "search"), ("org_show", "org show (find+profile)")):
        series = data[key]
        lines.append(latency_row(label, series))
        for kind, kind_data in series.get("by_kind", {}).items():
            lines.append(latency_row(f"  {kind}", kind_data))
        if series.get("stopped_early"):
            lines.append("    (stopped early: the time budget for this series ran out, see --query-budget)")
    lines.append("    (results: rows returned by search, at most 20; statements of the organisation found by org show)")
    cli = fig.get("cli")
    if cli:
        parts = []
        for key, what in (
            ("search", f"search {cli['search']['query']}"),
            ("org_show", f"org show {cli['org_show']['name']}"),
        ):
            item = cli[key]
            parts.append(
                f"solidarity {what}: " + (f"failed ({item['error']})" if item["error"] else f"{item['seconds']:.2f} s")
            )
        lines.append("  CLI, once each, start-up included: " + "; ".join(parts))
    return lines


def report_targets(fig: Figures) -> list[str]:
    r = fig["ratio"]
    queries = fig.get("queries") or {}
    lines = [
        "",
        f"  {'targets':<36} {'value':>10} {'target':>10}  status",
        f"  {'ingest time / extract time':<36} {num(r['ingest_vs_extract_wall'], '9.2f')}x {'<= 1.5x':>10}  "
        f"{verdict(r['target'])}   (CPU time ratio {num(r['ingest_vs_extract_cpu'], '.2f')}x)",
    ]
    for key, label in (("search", "search p95"), ("org_show", "org show p95")):
        item = (queries.get(key) or {}).get("target")
        value = item["value"] if item else None
        lines.append(f"  {label:<36} {num(value, '8.2f')}ms {'< 50 ms':>10}  {verdict(item)}")
    if fig["docs"] < 100_000:
        lines.append("  (the query target is set for 100,000 documents; at this size it is for information)")
    return lines


def library_line(library: Figures) -> str:
    if "commit" not in library:
        return f"in {library['package']} (no git commit found)"
    changed = library["src_changed"]
    return f"at commit {library['commit']}" + (f", with {len(changed)} changed files under src/" if changed else "")


def render_report(figures: Figures) -> str:
    lines = [
        "Solidarity Atlas - ingest and query benchmark",
        f"  CPUs: os.cpu_count() = {figures['cpu_count']}, usable = {figures['usable_cpus']}; "
        f"Python {figures['python']}; SQLite {figures['sqlite']}",
        f"  command: {' '.join(figures['command'])}; library {library_line(figures['library'])}",
        f"  load average (1 min): {num(figures['load_average_before'], '.2f')} before, "
        f"{num(figures['load_average_after'], '.2f')} after",
        f"  memory: peak RSS = ru_maxrss of the command as its launcher ({figures['memory_method']}) reports it:",
        "          the largest single process, workers included;",
        "          tree PSS = largest sum of Pss over the command's session, sampled every "
        f"{SAMPLE_EVERY} s from /proc",
    ]
    for size in figures["sizes"]:
        lines += report_size(size)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark `solidarity ingest` and the knowledge-base queries.")
    parser.add_argument(
        "--docs",
        type=gen.positive_int,
        nargs="+",
        default=[10_000, 100_000],
        help="corpus sizes (default 10000 100000)",
    )
    parser.add_argument("--jobs", type=gen.positive_int, default=1, help="--jobs of extract and ingest (default 1)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the corpus and queries (default 1)")
    parser.add_argument(
        "--corpus-dir",
        type=Path,
        default=None,
        help="write each corpus to DIR/docs-N and keep it (must be empty or new)",
    )
    parser.add_argument(
        "--db-dir",
        type=Path,
        default=None,
        help="write each database to DIR/ingest-N.db and keep it (the file must not exist)",
    )
    parser.add_argument(
        "--queries",
        type=gen.positive_int,
        default=200,
        help="timed searches, and timed org look-ups, per size (default 200)",
    )
    parser.add_argument(
        "--query-budget",
        type=float,
        default=600.0,
        help="seconds allowed per timed query series before it stops early (default 600)",
    )
    parser.add_argument(
        "--db-url",
        default=None,
        help="ingest into a fresh schema of this PostgreSQL database (postgresql+psycopg://user@host/db), dropped "
        "afterwards, instead of an SQLite file",
    )
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds allowed per subprocess")
    parser.add_argument("--skip-extract", action="store_true", help="do not time extraction alone")
    parser.add_argument(
        "--quick", action="store_true", help=f"smoke check: {QUICK_DOCS} documents and {QUICK_QUERIES} queries"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of the report")
    args = parser.parse_args(argv)
    if args.quick:
        args.docs, args.queries = [QUICK_DOCS], QUICK_QUERIES
    return args


def check_dirs(args: argparse.Namespace) -> None:
    if args.db_dir is not None:
        if not args.db_dir.is_dir():
            raise gen.BenchError(f"--db-dir {args.db_dir} is not a folder")
        for docs in args.docs:
            if any(Path(f"{args.db_dir / f'ingest-{docs}.db'}{s}").exists() for s in ("", "-wal", "-shm")):
                raise gen.BenchError(f"{args.db_dir / f'ingest-{docs}.db'} exists; the benchmark needs a fresh file")
    if args.corpus_dir is not None:
        for docs in args.docs:
            gen.check_corpus_dir(args.corpus_dir / f"docs-{docs}")


def library_version() -> Figures:
    """The checkout's commit, and the files under src/ changed since it (others may edit the same checkout)."""
    import solidarity_atlas

    root = Path(solidarity_atlas.__file__).resolve().parents[2]
    figures: Figures = {"package": str(Path(solidarity_atlas.__file__).parent)}
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], **GIT_RUN)
        changed = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "src"], **GIT_RUN)
    except (OSError, subprocess.SubprocessError):
        return figures
    if head.returncode == 0:
        figures["commit"] = head.stdout.strip()
        figures["src_changed"] = [line[3:] for line in changed.stdout.splitlines()]
    return figures


GIT_RUN: dict[str, Any] = {"capture_output": True, "text": True, "timeout": 30, "check": False}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    figures: Figures = {
        "cpu_count": os.cpu_count(),
        "usable_cpus": gen.usable_cpus(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "command": solidarity_command(),
        "argv": sys.argv[1:] if argv is None else list(argv),
        "load_average_before": gen.load_average(),
        "memory_method": memory_method(),
        "library": library_version(),
        "sizes": [],
    }
    try:
        check_dirs(args)
        with tempfile.TemporaryDirectory(prefix="solidarity-ingest-bench-") as tmp:
            for docs in args.docs:
                figures["sizes"].append(measure_size(args, docs, Path(tmp)))
    except gen.BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    figures["load_average_after"] = gen.load_average()
    print(json.dumps(figures, indent=2, ensure_ascii=False) if args.json else render_report(figures))
    return 1 if any(failed(size) for size in figures["sizes"]) else 0


def failed(size: Figures) -> bool:
    """Whether a subprocess or a query series of this size failed."""
    runs = [size.get(key) for key in ("extract", "ingest", "reingest")]
    queries = size.get("queries") or {}
    series = [queries.get(key) or {} for key in ("search", "org_show")]
    return (
        any(run and run.get("error") for run in runs)
        or bool(queries.get("error"))
        or any(s.get("error") for s in series)
    )


if __name__ == "__main__":
    sys.exit(main())
