"""Every export format, read back: tables (CSV, JSON Lines, Parquet), the network (GraphML, GEXF), Popolo and
Datasette metadata, and the ``export`` command."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, distinct, func, insert, select, update
from typer.testing import CliRunner

from solidarity_atlas.analyze.copies import signature
from solidarity_atlas.cli import app
from solidarity_atlas.export import formats
from solidarity_atlas.export.formats import ExportFormat, export
from solidarity_atlas.extract.pipeline import extract
from solidarity_atlas.ingest.reader import read_page
from solidarity_atlas.store import schema
from solidarity_atlas.store.db import connect
from solidarity_atlas.store.schema import documents, mentions, org_names, organizations, persons, signatures
from solidarity_atlas.store.writer import Extracted, Writer

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
runner = CliRunner()

EXPORTED = ("statements", "documents", "inputs", "organizations", "signatures", "persons", "mentions", "demands",
            "events", "claims")
UNKNOWN_ORG = "Friends of the Lighthouse Keepers"  # names no stored organisation: gives no membership
PAGE_URL = "https://example.org/statement-1"  # the web address given to the first document


@pytest.fixture(scope="module")
def atlas(module_atlas_url: str) -> tuple[Engine, str]:
    """The example corpus stored in a fresh database (SQLite, and PostgreSQL when SOLIDARITY_TEST_PG is set), plus
    two mentions that name an organisation."""
    path = module_atlas_url
    engine = connect(path)
    items = []
    for file in sorted(EXAMPLES.iterdir()):
        page = read_page(file)
        items.append(Extracted(uri=str(file), record=extract(page), page=page, signature=signature(page.clean_text)))
    Writer(engine).write(items)
    with engine.begin() as c:
        alias = c.execute(select(org_names.c.org_id, org_names.c.name).join(
            organizations, organizations.c.id == org_names.c.org_id).where(org_names.c.name != organizations.c.name)
            .order_by(org_names.c.org_id)).first()
        person = c.execute(select(persons.c.id).order_by(persons.c.id)).scalars().first()
        assert alias is not None and person is not None
        for org in (alias.name.upper(), UNKNOWN_ORG):
            c.execute(insert(mentions).values(document_id=1, person_id=person, name="X", role="spokesperson",
                                              org=org))
        c.execute(update(documents).where(documents.c.id == 1).values(url=PAGE_URL))
    return engine, path


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(schema.metadata.tables[table])).scalar_one())


def test_csv_has_every_row_and_joins_in_names(atlas: tuple[Engine, str], tmp_path: Path) -> None:
    engine, _ = atlas
    written = export(engine, ExportFormat.csv, tmp_path / "out")
    assert [w.path.name for w in written] == [f"{t}.csv" for t in EXPORTED]
    read: dict[str, list[dict[str, str]]] = {}
    for table in EXPORTED:
        with (tmp_path / "out" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            read[table] = list(csv.DictReader(handle))
        assert len(read[table]) == _count(engine, table), table
    assert not {"text", "clean_text", "blocks", "hints", "minhash"} & set(read["documents"][0])
    names = {row["id"]: row["name"] for row in read["organizations"]}
    signed = [row for row in read["signatures"] if row["role"] == "signatory"]
    assert signed and all(row["org_name"] == names[row["org_id"]] for row in signed)
    with engine.connect() as c:
        first = c.execute(select(signatures.c.id, organizations.c.name).join(
            organizations, organizations.c.id == signatures.c.org_id)
            .where(signatures.c.role == "signatory").order_by(signatures.c.id)).first()
        aliases: dict[str, str] = dict(c.execute(select(org_names.c.org_id, org_names.c.name)
                                                 .order_by(org_names.c.name)).tuples().all())
    assert first is not None
    assert next(r for r in signed if r["id"] == str(first.id))["org_name"] == first.name
    for row in read["organizations"]:  # every name a document wrote is among the aliases
        if row["id"] in aliases:
            assert aliases[row["id"]] in row["aliases"].split(formats.ALIAS_SEPARATOR)


def test_jsonl_lines_parse_and_keep_the_main_text(atlas: tuple[Engine, str], tmp_path: Path) -> None:
    engine, _ = atlas
    export(engine, ExportFormat.jsonl, tmp_path)
    for table in EXPORTED:
        lines = (tmp_path / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines]
        assert len(rows) == _count(engine, table), table
    docs = [json.loads(line) for line in (tmp_path / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(d["clean_text"] and "text" not in d and "minhash" not in d for d in docs)
    assert any(not d["clean_text"].isascii() for d in docs)  # written as UTF-8, not \\u escapes
    assert "\\u" not in (tmp_path / "documents.jsonl").read_text(encoding="utf-8")


def test_parquet_reads_back_with_the_same_columns_in_several_row_groups(
        atlas: tuple[Engine, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, _ = atlas
    monkeypatch.setattr(formats, "CHUNK_ROWS", 7)  # several chunks per table, as a large atlas would have
    export(engine, ExportFormat.parquet, tmp_path / "pq")
    export(engine, ExportFormat.jsonl, tmp_path / "jl")
    for table in EXPORTED:
        data = pq.read_table(tmp_path / "pq" / f"{table}.parquet")
        assert data.num_rows == _count(engine, table), table
        first = json.loads((tmp_path / "jl" / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()[0])
        assert data.column_names == list(first), table
        assert data.to_pylist()[0] == first, table
    orgs = pq.ParquetFile(tmp_path / "pq" / "organizations.parquet")
    assert orgs.metadata.num_row_groups == -(-_count(engine, "organizations") // 7)
    assert str(orgs.schema_arrow.field("registry").type) == "bool"
    assert str(pq.read_schema(tmp_path / "pq" / "documents.parquet").field("year").type) == "int64"
    assert not list((tmp_path / "pq").glob(".*.part"))


def _signed_orgs(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(select(func.count(distinct(signatures.c.org_id))).join(
            documents, documents.c.id == signatures.c.document_id)
            .where(signatures.c.role == "signatory", documents.c.statement_id.is_not(None))).scalar_one())


def _together(engine: Engine, a: str, b: str) -> int:
    """Statements both organisations signed, counted in SQL."""
    def signed_by(org: str) -> Any:
        return (select(documents.c.statement_id).join(signatures, signatures.c.document_id == documents.c.id)
                .where(signatures.c.org_id == org, signatures.c.role == "signatory"))

    with engine.connect() as c:
        return int(c.execute(select(func.count(distinct(documents.c.statement_id))).where(
            documents.c.statement_id.in_(signed_by(a)), documents.c.statement_id.in_(signed_by(b)))).scalar_one())


@pytest.mark.parametrize("fmt, read", [(ExportFormat.graphml, nx.read_graphml), (ExportFormat.gexf, nx.read_gexf)])
def test_network_files_read_back_with_attributes_and_weights(
        atlas: tuple[Engine, str], tmp_path: Path, fmt: ExportFormat, read: Any) -> None:
    engine, _ = atlas
    written = export(engine, fmt, tmp_path)
    graph = read(tmp_path / f"network.{fmt.value}")
    assert written[0].count == graph.number_of_nodes() == _signed_orgs(engine) > 2
    with engine.connect() as c:
        names: dict[str, str] = dict(c.execute(select(organizations.c.id, organizations.c.name)).tuples().all())
    for node, data in graph.nodes(data=True):
        assert {"country", "community", "degree", "strength", "betweenness", "statements", "kind"} <= set(data)
        assert data["label"] == names[node]
        assert int(data["community"]) >= 0 and int(data["degree"]) == graph.degree(node)
    a, b, heaviest = max(graph.edges(data=True), key=lambda e: (e[2]["weight"], e[0], e[1]))
    assert heaviest["weight"] == _together(engine, a, b) > 1
    a, b, lightest = min(graph.edges(data=True), key=lambda e: (e[2]["weight"], e[0], e[1]))
    assert lightest["weight"] == _together(engine, a, b)


def test_popolo_memberships_point_at_listed_people_and_organisations(
        atlas: tuple[Engine, str], tmp_path: Path) -> None:
    engine, _ = atlas
    export(engine, ExportFormat.popolo, tmp_path)
    data = json.loads((tmp_path / "popolo.json").read_text(encoding="utf-8"))
    orgs = {o["id"]: o for o in data["organizations"]}
    people = {p["id"] for p in data["persons"]}
    areas = {a["id"] for a in data["areas"]}
    assert len(orgs) == _count(engine, "organizations") and len(people) == _count(engine, "persons")
    assert data["memberships"], "the mention naming an organisation by an alias, in capitals, is a membership"
    for member in data["memberships"]:
        assert member["organization_id"] in orgs and member["person_id"] in people
        assert member["role"] == "spokesperson"
        assert member["sources"][0]["url"] == PAGE_URL and member["sources"][0]["note"].startswith("document 1")
    assert len(data["memberships"]) == 1  # the unknown organisation gives none
    for org in orgs.values():
        assert org["name"] and all(n["name"] != org["name"] for n in org.get("other_names", []))
        assert "area_id" not in org or org["area_id"] in areas
    assert any(o.get("other_names") for o in orgs.values())


def test_datasette_metadata_describes_every_table_and_column(atlas: tuple[Engine, str], tmp_path: Path) -> None:
    engine, path = atlas
    export(engine, ExportFormat.datasette, tmp_path)
    data = json.loads((tmp_path / "metadata.json").read_text(encoding="utf-8"))
    assert data["title"] and data["description"]
    sqlite = engine.dialect.name == "sqlite"
    tables = data["databases"][Path(path).stem if sqlite else formats.DEFAULT_DATABASE_NAME]["tables"]
    for name in schema.TABLES:
        columns = {c.name for c in schema.metadata.tables[name].columns}
        assert tables[name]["description"], name
        assert set(tables[name]["columns"]) == columns, name
        for setting in ("label_column", "sort", "sort_desc"):
            assert setting not in tables[name] or tables[name][setting] in columns, (name, setting)
    if sqlite:  # Datasette searches SQLite's FTS5 table; a server database has none
        assert tables["documents"]["fts_table"] == "documents_fts" and tables["documents"]["fts_pk"] == "id"
    else:
        assert "fts_table" not in tables["documents"]
    assert {tables[t]["label_column"] for t in ("organizations", "persons")} == {"name"}
    assert {tables[t]["label_column"] for t in ("statements", "documents")} == {"title"}
    assert tables["alembic_version"] == {"hidden": True}
    assert not sqlite or tables["documents_fts"] == {"hidden": True}


def test_export_command_writes_and_reports_each_file(atlas: tuple[Engine, str], tmp_path: Path) -> None:
    engine, path = atlas
    out = tmp_path / "new-folder"
    result = runner.invoke(app, ["export", "--format", "csv", "--output", str(out), "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.csv" for t in EXPORTED)
    assert f"organizations.csv ({_count(engine, 'organizations')} rows)" in result.stderr
    again = runner.invoke(app, ["export", "--format", "gexf", "--output", str(out), "--db", str(path)])
    assert again.exit_code == 0, again.output
    assert (out / "network.gexf").is_file() and "organisations" in again.stderr


@pytest.mark.parametrize("case", ["no database", "no parent folder", "output is a file", "bad format"])
def test_export_command_errors_in_one_line(atlas: tuple[Engine, str], tmp_path: Path, case: str) -> None:
    _, path = atlas
    db, output, fmt = str(path), tmp_path / "out", "jsonl"
    if case == "no database":
        db = str(tmp_path / "missing.db")
    elif case == "no parent folder":
        output = tmp_path / "absent" / "out"
    elif case == "output is a file":
        output.write_text("", encoding="utf-8")
    else:
        fmt = "xlsx"
    result = runner.invoke(app, ["export", "--format", fmt, "--output", str(output), "--db", db])
    assert result.exit_code != 0
    if case != "bad format":
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("solidarity: error:"), result.stderr
        assert {"no database": "no database at", "no parent folder": "absent does not exist",
                "output is a file": "is a file"}[case] in lines[0]
    assert not (tmp_path / "missing.db").exists()
    assert case == "output is a file" or not output.exists()
