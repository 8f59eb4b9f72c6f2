"""The hostile corpus of :mod:`hostile` through ``solidarity ingest`` and ``solidarity extract``, as subprocesses.

Every input must end stored, duplicate or quarantined with the reason its case expects: nothing lost, no crash
(a reason saying "internal error" is a crash caught by the last guard), no hang (the runs have a time limit), and
the peak memory of each run stays bounded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from hostile import CAP, Case, Corpus, write_corpus
from solidarity_atlas.ingest.files import discover
from solidarity_atlas.ingest.reader import SUFFIXES, printable
from solidarity_atlas.store.schema import inputs
from test_bad_inputs import PEAK_RSS_WRAPPER

RUN_TIMEOUT = 400  # seconds for one run over the whole corpus: a hang fails the test, it does not stall the suite
PEAK_RSS_LIMIT_KIB = 1536 * 1024  # 1.5 GiB for the run and all its worker processes
CRASH_MARKS = ("internal error", "cannot read (")  # the reasons of the last guards in api/kb and ingest.sources


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_kib: int

    def describe(self) -> str:
        return f"exit {self.returncode} after {self.seconds:.1f} s\n--- stderr (last 4000)\n{self.stderr[-4000:]}"


def run(command: list[str], cwd: Path, rss_file: Path) -> Run:
    env = dict(os.environ)
    env.update({
        "SOLIDARITY_MAX_BYTES": str(CAP),
        "SOLIDARITY_JUDGEMENTS": str(cwd / "judgements.jsonl"),
        "SOLIDARITY_DOC_TIMEOUT": "60",
    })
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", PEAK_RSS_WRAPPER, str(rss_file), *command], cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=RUN_TIMEOUT, check=False)
    seconds = time.monotonic() - started
    return Run(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8", "replace"), seconds,
               int(rss_file.read_text()))


@dataclass(frozen=True)
class Ingested:
    corpus: Corpus
    run: Run
    rows: dict[str, tuple[str, str]]  # uri -> (status, reason)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return write_corpus(tmp_path_factory.mktemp("hostile") / "corpus")


@pytest.fixture(scope="module")
def ingested(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    work = tmp_path_factory.mktemp("ingest")
    db = work / "atlas.db"
    result = run(["ingest", "--jobs", "2", "--db", str(db), str(corpus.root), *(c.path for c in corpus.urls)],
                 work, work / "rss")
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        rows = {r.uri: (r.status, r.reason or "") for r in connection.execute(
            select(inputs.c.uri, inputs.c.status, inputs.c.reason))}
    engine.dispose()
    return Ingested(corpus, result, rows)


def test_corpus_is_large_enough(corpus: Corpus) -> None:
    assert len(corpus.cases) >= 200
    assert len(corpus.urls) >= 20
    giant = corpus.root / "big" / "two-hundred-mb-one-line.txt"
    assert giant.stat().st_size == 200 * 1024 * 1024


def _uris_of(case: Case, base: str, uris: list[str]) -> list[str]:
    if case.is_url:
        return [u for u in uris if u == base]
    return [u for u in uris if u == base or u.startswith((base + "!", base + "#"))]


def _matches(pattern: str, uri: str) -> bool:
    return uri.startswith(pattern[:-1]) if pattern.endswith("*") else uri == pattern


def _outcome_ok(expected: str, status: str, reason: str) -> bool:
    if expected in ("stored", "duplicate"):
        return status == expected
    wanted = expected.removeprefix("quarantined: ")
    return status == "quarantined" and wanted in reason


def test_ingest_ends_without_crash_within_time_and_memory(ingested: Ingested) -> None:
    result = ingested.run
    assert result.returncode == 0, result.describe()
    assert "Traceback" not in result.stderr, result.describe()
    assert result.peak_rss_kib < PEAK_RSS_LIMIT_KIB, f"peak RSS {result.peak_rss_kib} KiB"


def test_every_input_ends_as_its_case_expects(ingested: Ingested) -> None:
    uris = list(ingested.rows)
    problems: list[str] = []
    claimed: set[str] = set()
    for case in ingested.corpus.cases:
        base = ingested.corpus.base(case)
        mine = _uris_of(case, base, uris)
        claimed.update(mine)
        used = set()
        for uri in mine:
            status, reason = ingested.rows[uri]
            rule = next(((p, o) for p, o in case.expect if _matches(base + p, uri)), None)
            if rule is None:
                problems.append(f"{uri}: {status} {reason!r}, which no rule of its case expects")
                continue
            used.add(rule)
            if not _outcome_ok(rule[1], status, reason):
                problems.append(f"{uri}: {status} {reason!r}, expected {rule[1]!r}")
        for rule in set(case.expect) - used:
            problems.append(f"{base}{rule[0]}: expected {rule[1]!r}, but no such input was recorded")
    problems += [f"{uri}: recorded but belongs to no case" for uri in set(uris) - claimed]
    assert not problems, "\n".join(problems)


def test_nothing_lost_and_no_crash(ingested: Ingested) -> None:
    statuses = [status for status, _ in ingested.rows.values()]
    stored, duplicate, quarantined = (statuses.count(s) for s in ("stored", "duplicate", "quarantined"))
    assert stored + duplicate + quarantined == len(ingested.rows)
    summary = ingested.run.stderr.strip().splitlines()[-1]
    assert summary == (f"solidarity: {stored} stored, 0 unchanged, {duplicate} duplicate, {quarantined} "
                       "quarantined"), ingested.run.describe()
    crashes = {uri: reason for uri, (_, reason) in ingested.rows.items() if reason.startswith(CRASH_MARKS)}
    assert not crashes
    print(f"\nhostile ingest: {len(ingested.corpus.cases)} cases, {len(ingested.rows)} inputs: {stored} stored, "
          f"{duplicate} duplicate, {quarantined} quarantined, 0 lost; {ingested.run.seconds:.1f} s, "
          f"peak RSS {ingested.run.peak_rss_kib // 1024} MiB")


def test_refused_urls_were_never_fetched(ingested: Ingested) -> None:
    for case in ingested.corpus.urls:
        status, reason = ingested.rows[case.path]
        assert status == "quarantined" and "HTTP" not in reason, (case.path, reason)


def test_extract_gives_one_line_per_file(corpus: Corpus, ingested: Ingested,
                                         tmp_path_factory: pytest.TempPathFactory) -> None:
    work = tmp_path_factory.mktemp("extract")
    result = run(["extract", "--jobs", "2", str(corpus.root)], work, work / "rss")
    assert "Traceback" not in result.stderr, result.describe()
    assert result.returncode == 1, result.describe()  # some inputs fail
    assert result.peak_rss_kib < PEAK_RSS_LIMIT_KIB, f"peak RSS {result.peak_rss_kib} KiB"
    records = [json.loads(line)["source"] for line in result.stdout.splitlines()]
    errors, skipped = {}, {}
    for line in result.stderr.splitlines():
        for prefix, into in (("solidarity: error: ", errors), ("solidarity: skipped ", skipped)):
            if line.startswith(prefix):
                path, _, reason = line[len(prefix):].partition(": ")
                into[path] = reason
    found = [printable(f.path) for f in discover([str(corpus.root)])]
    assert len(records) + len(errors) + len(skipped) == len(found), result.describe()
    crashes = {p: r for p, r in errors.items() if r.startswith(CRASH_MARKS)}
    assert not crashes
    # The same verdict as the ingest for every plain file: a record where it was stored, an error where not.
    problems = []
    for case in corpus.files:
        path = corpus.base(case)
        if Path(case.path).suffix.lower() not in SUFFIXES:
            if path not in skipped and not os.path.isdir(corpus.root / case.path):
                problems.append(f"{path}: not skipped")
            continue
        status, _reason = ingested.rows[path]
        if status in ("stored", "duplicate"):
            if records.count(path) != 1:
                problems.append(f"{path}: {status} by ingest, but {records.count(path)} records from extract")
        elif path not in errors:
            problems.append(f"{path}: quarantined by ingest, but no error line from extract")
    assert not problems, "\n".join(problems) + "\n" + result.describe()
    print(f"\nhostile extract: {len(found)} files: {len(records)} records, {len(errors)} errors, {len(skipped)} "
          f"skipped; {result.seconds:.1f} s, peak RSS {result.peak_rss_kib // 1024} MiB")
