"""Peak memory of ``solidarity ingest`` on one WARC file of N records, for several N.

A crawl arrives as WARC files of hundreds of thousands of records; the ingest must read one the way it reads a
folder: record by record, with memory that does not grow with the number of records.  For each size (``--docs``,
default 10,000 and 100,000) this script writes the documents of ``extract_throughput.py``'s generator (fixed seed)
straight into one ``.warc.gz`` as HTTP responses (HTML and plain text, one URL each), ingests it into a fresh
SQLite file with ``--jobs`` workers, and reports wall time and peak memory (largest process, and the sum of PSS over
the process tree, measured as ``ingest_throughput.py`` measures them), then the ratio of the largest size's peaks
to the smallest's.

    python bench/warc_memory.py                       # 10,000 and 100,000 records, --jobs 2
    python bench/warc_memory.py --docs 2000 20000     # quicker

This is a benchmark, not a test: it never asserts, it reports.  See bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import extract_throughput as gen  # noqa: E402  (the corpus generator, next to this file)
import ingest_throughput as measure  # noqa: E402  (subprocess timing and memory sampling)


def write_warc(path: Path, count: int, seed: int) -> int:
    """``count`` generated documents as response records of one gzipped WARC file; its size in bytes."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    rng = random.Random(seed)
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for index in range(count):
            doc, author = gen.make_doc(rng)
            html = index % 3 == 2
            body = gen.fit_size(doc, author, gen.render_html if html else gen.render_txt).encode("utf-8")
            media_type = "text/html; charset=utf-8" if html else "text/plain; charset=utf-8"
            headers = StatusAndHeaders("200 OK", [("Content-Type", media_type)], protocol="HTTP/1.1")
            url = f"https://statements.example.org/{doc.year}/{index:07d}-{doc.kind}-{doc.lang}"
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))
    return path.stat().st_size


def measure_size(count: int, jobs: int, seed: int, folder: Path, timeout: float) -> dict[str, Any]:
    warc = folder / f"crawl-{count}.warc.gz"
    start = time.perf_counter()
    size = write_warc(warc, count, seed)
    written = time.perf_counter() - start
    print(f"  {time.strftime('%H:%M:%S')} [{count}] WARC written: {size / measure.MB:.1f} MB in {written:.1f} s",
          file=sys.stderr)
    db = folder / f"atlas-{count}.db"
    run = measure.run_command([*gen.extract_command(), "ingest", str(warc), "--db", str(db), "--jobs", str(jobs),
                               "--quiet"], timeout)
    figures = measure.run_figures(run, count)
    assert figures is not None
    print(f"  {time.strftime('%H:%M:%S')} [{count}] ingest: {figures['seconds']} s, peak RSS "
          f"{figures['peak_rss_mb']} MB, tree PSS {figures['tree_peak_pss_mb']} MB; {figures['cli_summary']}",
          file=sys.stderr)
    warc.unlink()
    for leftover in folder.glob(f"atlas-{count}.db*"):
        leftover.unlink()
    return {"records": count, "warc_mb": round(size / measure.MB, 1), "ingest": figures}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Peak memory of `solidarity ingest` on one WARC file.")
    parser.add_argument("--docs", type=gen.positive_int, nargs="+", default=[10_000, 100_000],
                        help="records per WARC file (default 10000 100000)")
    parser.add_argument("--jobs", type=gen.positive_int, default=2, help="--jobs of the ingest (default 2)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generator (default 1)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds allowed per ingest")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="solidarity-warc-bench-") as tmp:
        sizes = [measure_size(n, args.jobs, args.seed, Path(tmp), args.timeout) for n in args.docs]
    first, last = sizes[0]["ingest"], sizes[-1]["ingest"]
    ratios = {key: round(last[key] / first[key], 2) if first[key] and last[key] else None
              for key in ("peak_rss_mb", "tree_peak_pss_mb")}
    report = {"jobs": args.jobs, "memory_method": measure.memory_method(), "sizes": sizes,
              "largest_vs_smallest": ratios}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{'records':>9} {'WARC MB':>8} {'seconds':>8} {'peak RSS MB':>12} {'tree PSS MB':>12}")
        for size in sizes:
            f = size["ingest"]
            print(f"{size['records']:9d} {size['warc_mb']:8.1f} {f['seconds']:8.1f} {f['peak_rss_mb']:12.1f} "
                  f"{f['tree_peak_pss_mb']:12.1f}")
        print(f"largest / smallest: peak RSS {ratios['peak_rss_mb']}x, tree PSS {ratios['tree_peak_pss_mb']}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
