"""Extraction on a Dask cluster (``--engine dask``): the same records, in input order, as the local engine."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from solidarity_atlas import api
from solidarity_atlas.cli import app
from solidarity_atlas.parallel import ClusterError, DaskRunner

distributed = pytest.importorskip("distributed")

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev" / "docs"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "corpus"


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


def _corpus(tmp_path: Path) -> Path:
    source = DEV if DEV.is_dir() else EXAMPLES
    target = tmp_path / "corpus"
    shutil.copytree(source, target)
    (target / "broken.html").write_bytes(b"")  # no text: fails, and must fail in its place
    return target


def test_a_dask_cluster_gives_the_local_records_in_the_same_order(tmp_path: Path, cluster) -> None:
    corpus = _corpus(tmp_path)
    runner = CliRunner()
    local = runner.invoke(app, ["extract", str(corpus), "--evidence"])
    dask = runner.invoke(app, ["extract", str(corpus), "--evidence", "--scheduler", cluster.scheduler_address])
    assert local.exit_code == dask.exit_code == 1  # the broken file
    local_lines = [line for line in local.stdout.splitlines() if line.startswith("{")]
    dask_lines = [line for line in dask.stdout.splitlines() if line.startswith("{")]
    assert len(local_lines) >= 5
    assert dask_lines == local_lines
    assert f"error: {corpus / 'broken.html'}" in dask.stderr


def test_outcomes_come_back_in_input_order_with_failures_in_place(tmp_path: Path, cluster) -> None:
    corpus = _corpus(tmp_path)
    files = sorted(str(p) for p in corpus.iterdir()) + [str(tmp_path / "missing.txt")]
    outcomes = list(api.extract_files(files, engine="dask", scheduler=cluster.scheduler_address))
    assert [o.source for o in outcomes] == files
    assert outcomes[-1].record is None and outcomes[-1].error == "no such file or directory"
    broken = files.index(str(corpus / "broken.html"))
    assert outcomes[broken].record is None and outcomes[broken].error
    assert all(o.record is not None for i, o in enumerate(outcomes) if i not in (broken, len(files) - 1))


def test_without_a_scheduler_a_local_cluster_of_jobs_processes_is_started(tmp_path: Path) -> None:
    source = EXAMPLES if EXAMPLES.is_dir() else DEV
    files = sorted(str(p) for p in source.iterdir() if p.is_file())[:4]
    outcomes = list(api.extract_files(files, jobs=2, engine="dask"))
    expected = [api.extract_file(f) for f in files]
    assert [json.dumps(o.record.to_contract()) if o.record else o.error for o in outcomes] == \
        [json.dumps(o.record.to_contract()) if o.record else o.error for o in expected]


def test_an_unreachable_scheduler_is_one_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("solidarity_atlas.parallel.CONNECT_TIMEOUT", "2s")
    (tmp_path / "a.txt").write_text("Joint statement of the parties.\n\nWe demand the release of the workers.\n")
    result = CliRunner().invoke(app, ["extract", str(tmp_path), "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "error: cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    with pytest.raises(ClusterError), DaskRunner("tcp://127.0.0.1:9"):
        pass


def test_a_scheduler_with_the_local_engine_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["extract", str(tmp_path), "--engine", "local", "--scheduler", "tcp://x:1"])
    assert result.exit_code == 2
    assert "--scheduler is for --engine dask" in result.stderr


def _stats(db: Path) -> dict:
    result = CliRunner().invoke(app, ["stats", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_an_ingest_on_a_dask_cluster_stores_what_a_local_ingest_stores(tmp_path: Path, cluster) -> None:
    corpus = _corpus(tmp_path)
    runner = CliRunner()
    local = runner.invoke(app, ["ingest", str(corpus), "--db", str(tmp_path / "local.db"), "--quiet"])
    dask = runner.invoke(app, ["ingest", str(corpus), "--db", str(tmp_path / "dask.db"), "--quiet",
                               "--scheduler", cluster.scheduler_address])
    assert local.exit_code == dask.exit_code == 0, dask.output
    assert local.stderr.splitlines()[-1] == dask.stderr.splitlines()[-1]  # "N stored, 0 unchanged, ..."
    local_stats, dask_stats = _stats(tmp_path / "local.db"), _stats(tmp_path / "dask.db")
    assert local_stats == dask_stats
    assert dask_stats["inputs_quarantined"] == 1 and dask_stats["documents"] >= 5
    again = runner.invoke(app, ["reextract", "--db", str(tmp_path / "dask.db"),
                                "--scheduler", cluster.scheduler_address])
    assert again.exit_code == 0, again.output
    assert _stats(tmp_path / "dask.db") == dask_stats
