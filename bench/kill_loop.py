"""Crash and resume: ingests killed with SIGKILL at random points, each re-run to the end and checked.

Generates a corpus (the generator of ``extract_throughput.py``; default 3,000 documents, fixed seed), ingests it
once cleanly, then ``--rounds`` times (default 10): starts ``solidarity ingest`` into a new SQLite file, kills the
command and its extraction workers with SIGKILL at a random point (once a random number of inputs, between none
and 90 % of them, is written, plus a random delay of up to half a second, so that kills land before, between and
within batches), checks the partial database (``PRAGMA integrity_check``, ``PRAGMA foreign_key_check``, inputs
written in whole batches), runs the same ingest again to the end, and compares with the clean run: the counts of
``solidarity stats --json``, the set of stored content hashes, and every input's status.

Prints one line per round and a summary: rounds, rounds consistent, inputs lost or duplicated (must be 0).
The exit status is 1 if any round differs, so the script can be run in CI; it never takes longer than
``--timeout`` seconds per command.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import extract_throughput as gen  # noqa: E402  (the corpus generator, next to this file)

BATCH = 25  # SOLIDARITY_INGEST_BATCH for the runs: many commits, so a kill lands between and within batches


def command() -> list[str]:
    return gen.extract_command()


def ingest(corpus: Path, db: str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*command(), "ingest", str(corpus), "--db", db, "--jobs", "2", "--quiet"], env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def stats(db: str, env: dict[str, str]) -> dict[str, int]:
    done = subprocess.run([*command(), "stats", "--db", db, "--json"], env=env, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def inputs_of(path: Path) -> tuple[dict[str, str], set[str]]:
    with sqlite3.connect(path) as connection:
        statuses = dict(connection.execute("SELECT uri, status FROM inputs"))
        hashes = {row[0] for row in connection.execute("SELECT content_hash FROM documents")}
    return statuses, hashes


def _written(path: Path) -> int:
    """Inputs an ingest has committed so far (0 before the database exists or while it is being created)."""
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=1) as connection:
            return connection.execute("SELECT count(*) FROM inputs").fetchone()[0]
    except sqlite3.Error:
        return 0


def partial_checks(path: Path) -> list[str]:
    """What is wrong with a database an ingest was killed while writing (nothing, for a consistent one)."""
    problems = []
    with sqlite3.connect(path) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        if integrity != "ok":
            problems.append(f"integrity_check: {integrity}")
        foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
        if foreign:
            problems.append(f"{len(foreign)} rows point at missing rows ({foreign[0]})")
        written = connection.execute("SELECT count(*) FROM inputs").fetchone()[0]
    if written % BATCH:
        problems.append(f"{written} inputs: not whole batches of {BATCH}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kill ingests with SIGKILL at random points and check each re-run.")
    parser.add_argument("--docs", type=gen.positive_int, default=3000, help="documents to generate (default 3000)")
    parser.add_argument("--rounds", type=gen.positive_int, default=10, help="ingests killed (default 10)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the corpus and of the kill times (default 1)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds allowed per command")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    env = {**os.environ, "SOLIDARITY_INGEST_BATCH": str(BATCH), "NO_COLOR": "1"}
    failures = counted = 0
    with tempfile.TemporaryDirectory(prefix="solidarity-kill-loop-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        gen.generate_corpus(corpus, args.docs, args.seed)
        clean = work / "clean.db"
        start = time.perf_counter()
        done = ingest(corpus, str(clean), env, args.timeout)
        clean_seconds = time.perf_counter() - start
        if done.returncode != 0:
            print(f"the clean ingest failed: {gen.last_line(done.stderr)}")
            return 1
        clean_stats = stats(str(clean), env)
        clean_inputs, clean_hashes = inputs_of(clean)
        print(f"clean ingest of {args.docs} documents: {clean_seconds:.1f} s; {gen.last_line(done.stderr)}")
        for round_ in range(1, args.rounds + 1):
            db = work / f"killed-{round_}.db"
            target, extra = rng.randint(0, int(0.9 * args.docs)), rng.uniform(0.0, 0.5)
            process = subprocess.Popen(
                [*command(), "ingest", str(corpus), "--db", str(db), "--jobs", "2", "--quiet"], env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            started = time.perf_counter()
            while process.poll() is None and _written(db) < target:
                time.sleep(0.05)
            time.sleep(extra)
            delay = time.perf_counter() - started
            if process.poll() is not None:
                print(f"round {round_}: the ingest ended before the kill at {delay:.1f} s; not counted")
                continue
            os.killpg(process.pid, signal.SIGKILL)  # the command and its workers, as a crash takes them
            process.wait()
            written = _written(db)
            problems = partial_checks(db) if db.exists() else []
            rerun = ingest(corpus, str(db), env, args.timeout)
            if rerun.returncode != 0:
                problems.append(f"the re-run failed: {gen.last_line(rerun.stderr)}")
            else:
                if stats(str(db), env) != clean_stats:
                    problems.append(f"counts differ: {stats(str(db), env)} != {clean_stats}")
                statuses, hashes = inputs_of(db)
                lost = set(clean_inputs) - set(statuses)
                extra = set(statuses) - set(clean_inputs)
                changed = [uri for uri in statuses if uri in clean_inputs and statuses[uri] != clean_inputs[uri]]
                if lost or extra or changed or hashes != clean_hashes:
                    problems.append(f"inputs lost {len(lost)}, extra {len(extra)}, other status {len(changed)}, "
                                    f"documents differ {len(hashes ^ clean_hashes)}")
            counted += 1
            failures += bool(problems)
            verdict = "consistent" if not problems else "; ".join(problems)
            print(f"round {round_}: killed at {delay:.1f} s with {written} inputs written; re-run: {verdict}")
            db.unlink(missing_ok=True)
    print(f"{counted} ingests killed and re-run, {counted - failures} consistent, {failures} with differences")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
