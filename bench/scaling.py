"""Scaling benchmark for ``solidarity extract``: one process, two processes, and a Dask cluster.

Generates a corpus with the generator of ``extract_throughput.py`` (default 20,000 documents, fixed seed), then
times, as subprocesses, on the same files:

* ``solidarity extract --jobs 1`` (the reference);
* ``solidarity extract --jobs 2`` (local worker processes);
* ``solidarity extract --engine dask --jobs 2`` (a ``distributed.LocalCluster`` of two one-thread worker
  processes, started by the command), or ``--scheduler ADDRESS`` for a running cluster (``--workers`` then says
  how many worker threads it has, for the efficiency figure).

For each: wall time, docs/s, CPU time of the command and its workers (``getrusage(RUSAGE_CHILDREN)``), speed-up
over one process and scaling efficiency (speed-up / workers). Every run's output is checked to hold one line per
document. The issue's target: two processes at least 1.7x one process.

Run ``python bench/scaling.py --help``. This is a benchmark, not a test: it reports and never asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import extract_throughput as gen  # noqa: E402  (the corpus generator, next to this file)

try:
    import resource
except ImportError:  # not on Windows
    resource = None  # type: ignore[assignment]

TARGET_SPEEDUP = 1.7  # two processes against one


@dataclass
class Run:
    label: str
    workers: int
    seconds: float | None = None
    cpu_seconds: float | None = None
    docs_per_s: float | None = None
    speedup: float | None = None
    efficiency: float | None = None
    error: str | None = None


def children_cpu() -> float | None:
    if resource is None:
        return None
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_extract(corpus: Path, out: Path, extra: list[str], expected: int, timeout: float, run: Run) -> Run:
    args = [*gen.extract_command(), "extract", str(corpus), "--format", "jsonl", "--output", str(out), *extra]
    out.unlink(missing_ok=True)
    env = {**os.environ, "NO_COLOR": "1"}
    start, cpu_start = time.perf_counter(), children_cpu()
    try:
        proc = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace",
                              timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        run.error = f"timed out after {timeout:.0f} s"
        return run
    seconds, cpu_end = time.perf_counter() - start, children_cpu()
    if proc.returncode != 0:
        run.error = f"exit {proc.returncode}: {gen.last_line(proc.stderr, proc.stdout)}"
        return run
    with out.open(encoding="utf-8") as handle:
        lines = sum(1 for _ in handle)
    if lines != expected:
        run.error = f"{lines} records for {expected} documents"
        return run
    run.seconds = seconds
    run.docs_per_s = expected / seconds
    if cpu_start is not None and cpu_end is not None:
        run.cpu_seconds = cpu_end - cpu_start
    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark solidarity extract on 1 and 2 processes and on Dask.")
    parser.add_argument("--docs", type=gen.positive_int, default=20000, help="documents to generate (default 20000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the corpus (default 1)")
    parser.add_argument("--corpus-dir", type=Path, help="generate the corpus here and keep it (must be empty or new)")
    parser.add_argument("--scheduler", help="a running Dask scheduler to use instead of a LocalCluster")
    parser.add_argument("--workers", type=gen.positive_int, default=2,
                        help="worker threads of the Dask cluster (default 2: the LocalCluster's)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds allowed per run")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="solidarity-scaling-") as tmp:
        work = Path(tmp)
        root = args.corpus_dir or work / "corpus"
        print(f"generating {args.docs} documents in {root}", file=sys.stderr)
        corpus = gen.generate_corpus(root, args.docs, args.seed)
        count = len(corpus.files)
        out = work / "out.jsonl"
        dask_extra = ["--scheduler", args.scheduler] if args.scheduler else ["--engine", "dask", "--jobs", "2"]
        plan = [
            (Run("local, --jobs 1", 1), ["--jobs", "1"]),
            (Run("local, --jobs 2", 2), ["--jobs", "2"]),
            (Run("dask " + (args.scheduler or "LocalCluster, 2 workers"), args.workers), dask_extra),
        ]
        load_before = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
        runs = []
        for run, extra in plan:
            print(f"timing {run.label}", file=sys.stderr)
            runs.append(time_extract(root, out, extra, count, args.timeout, run))
        load_after = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    reference = runs[0].seconds
    for run in runs:
        if reference and run.seconds:
            run.speedup = reference / run.seconds
            run.efficiency = run.speedup / run.workers
    figures = {"docs": count, "corpus_bytes": corpus.total_bytes, "cpus": os.cpu_count(),
               "load_average": [load_before, load_after], "runs": [asdict(r) for r in runs],
               "target_speedup_2_processes": TARGET_SPEEDUP}
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"Solidarity Atlas - extraction scaling, {count} documents ({corpus.total_bytes / 1e6:.1f} MB), "
          f"{os.cpu_count()} CPUs, load average {load_before} before, {load_after} after")
    print(f"  {'run':<34} {'seconds':>8} {'docs/s':>8} {'CPU s':>8} {'speed-up':>9} {'efficiency':>10}")
    for r in runs:
        if r.error:
            print(f"  {r.label:<34} failed: {r.error}")
            continue
        print(f"  {r.label:<34} {r.seconds:8.2f} {r.docs_per_s:8.1f} {gen.num(r.cpu_seconds, '.1f'):>8} "
              f"{gen.num(r.speedup, '.2f'):>9} {gen.num(r.efficiency, '.2f'):>10}")
    two = runs[1].speedup
    status = "n/a" if two is None else ("MET" if two >= TARGET_SPEEDUP else "MISSED")
    print(f"  two processes / one: {gen.num(two, '.2f')}x (target >= {TARGET_SPEEDUP}x): {status}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
