"""A petition-sized signatory list is stored whole but counts in no co-signature pair."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from solidarity_atlas.analyze.network import cosignature_graph
from solidarity_atlas.cli import app
from solidarity_atlas.store.db import connect
from solidarity_atlas.store.schema import MAX_COSIGNERS


def _statement(path: Path, title: str, place_date: str, names: list[str]) -> None:
    body = [title, "", place_date, "",
            "We, the undersigned organisations, condemn the ban on the independent union and demand that it be "
            "lifted at once, together with the release of every arrested worker.", "", "Signed by:", ""]
    body += [f"{i}. {name}" for i, name in enumerate(names, 1)]
    path.write_text("\n".join(body) + "\n", encoding="utf-8")


def test_a_list_past_the_limit_is_stored_whole_and_makes_no_pairs(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    many = MAX_COSIGNERS + 40
    _statement(corpus / "petition.txt", "Joint statement against the ban on the union", "Athens, 3 March 2015",
               [f"Workers Committee of Factory {i} (Greece)" for i in range(1, many + 1)])
    _statement(corpus / "small.txt", "Joint statement on the miners' strike", "Madrid, 5 May 2015",
               ["Communist Party of Spain", "Communist Party of Greece", "Portuguese Communist Party"])
    db = tmp_path / "atlas.db"
    result = CliRunner().invoke(app, ["ingest", str(corpus), "--db", str(db)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as c:
        sizes = sorted(n for (n,) in c.execute("SELECT count(*) FROM statement_signers GROUP BY statement_id"))
        assert sizes == [3, many]  # every signatory of the petition is kept...
        assert c.execute("SELECT count(*), sum(statements) FROM cosignatures").fetchone() == (3, 3)  # ...no pair
    graph = cosignature_graph(connect(str(db)), since=2015, until=2015)  # built from the signers, not the pairs
    assert graph.number_of_edges() == 3
    from solidarity_atlas.web.data import network

    for since, until in ((None, None), (2015, 2015)):  # the pair counts, and a year range read from the signers
        drawn = network(connect(str(db)), since, until)
        assert len(drawn["edges"]) == 3, (since, drawn["edges"])
        assert all(node["cosignatures"] == 2 for node in drawn["nodes"])
