"""Curation applied to stored rows (store/curation.py), on every backend: a merge, a rename and a document judged no
statement leave the derived tables what the signatures say."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select, text

from solidarity_atlas import kb
from solidarity_atlas.model import Org
from solidarity_atlas.store import curation, queries
from solidarity_atlas.store.db import connect
from solidarity_atlas.store.schema import documents, organizations, signatures

STATEMENT = """Solidarity with the {workers} of {city}

The undersigned parties salute the {workers} of {city}, who have been on strike for {weeks} weeks against the closure
of their workplaces. We condemn the arrest of their delegates by the police on {day} March 2024 and demand the
immediate release of every detained worker and the withdrawal of all charges against them.

Signed by:
{signers}

{day} March 2024
"""

PARTIES = ["Communist Party of Greece", "Portuguese Communist Party", "Communist Party of Turkey",
           "Union of Lighthouse Keepers of Chile"]


def _atlas(folder: Path, url: str) -> Engine:
    folder.mkdir()
    for i, (workers, city) in enumerate([("dock workers", "Valparaíso"), ("coal miners", "Lota")]):
        signers = "\n".join(f"{n}. {name}" for n, name in enumerate(PARTIES[i:] + PARTIES[:i], 1))
        (folder / f"{i}.txt").write_text(STATEMENT.format(workers=workers, city=city, weeks=2 + i, day=4 + 7 * i,
                                                          signers=signers), encoding="utf-8")
    engine = connect(url)
    assert kb.ingest([str(folder)], engine).stored == 2
    return engine


def _derived_in_step(engine: Engine) -> None:
    with engine.connect() as c:
        def rows(sql: str) -> set[tuple[object, ...]]:
            return {tuple(r) for r in c.execute(text(sql))}

        assert rows("SELECT statement_id, org_id FROM statement_signers") == rows(
            "SELECT DISTINCT d.statement_id, s.org_id FROM signatures s JOIN documents d ON d.id = s.document_id "
            "WHERE s.role = 'signatory'")
        assert rows("SELECT statement_id, org_id FROM org_statements") == rows(
            "SELECT DISTINCT d.statement_id, s.org_id FROM signatures s JOIN documents d ON d.id = s.document_id")
        assert rows("SELECT org_a, org_b, statements FROM cosignatures") == rows(
            "SELECT a.org_id, b.org_id, count(*) FROM statement_signers a JOIN statement_signers b "
            "ON a.statement_id = b.statement_id AND a.org_id < b.org_id GROUP BY a.org_id, b.org_id")


def test_a_merge_a_rename_and_a_document_that_is_no_statement(atlas_url: str, tmp_path: Path) -> None:
    engine = _atlas(tmp_path / "in", atlas_url)
    keepers = queries.find_org(engine, "Union of Lighthouse Keepers of Chile")
    greece = queries.find_org(engine, "KKE")
    assert keepers and greece
    with engine.connect() as c:
        stored = {r.org_id: r for r in c.execute(select(signatures.c.org_id, signatures.c.raw))}
        count = text("SELECT count(*) FROM signatures WHERE org_id = :o AND role = 'signatory'")
        theirs, ours = c.execute(count, {"o": keepers}).scalar_one(), c.execute(count, {"o": greece}).scalar_one()

    def merged(_hash: str, raw: str, _country: str | None) -> Org | None:
        """The keepers' union judged to be the KKE (a merge): every other name resolves as stored."""
        org_id = next(org for org, row in stored.items() if row.raw == raw)
        return Org(raw, raw, "GR" if org_id == keepers else None, greece if org_id == keepers else org_id)

    with engine.begin() as c:
        changes = curation.reresolve_organizations(c, [keepers], merged)
    assert changes.signatures >= theirs == 2 and changes.statements == 2 and changes.organizations == 1
    _derived_in_step(engine)
    with engine.connect() as c:
        assert c.execute(select(organizations.c.id).where(organizations.c.id == keepers)).first() is None
        assert c.execute(count, {"o": greece}).scalar_one() == ours + theirs

    with engine.begin() as c:
        assert curation.rename(c, greece, "KKE (renamed)", "GR").organizations == 1
    assert queries.org_profile(engine, greece)["name"] == "KKE (renamed)"  # type: ignore[index]

    with engine.connect() as c:
        first = c.execute(select(documents.c.id).order_by(documents.c.id)).scalars().first()
    assert first is not None
    with engine.begin() as c:
        curation.not_statement(c, first)
    _derived_in_step(engine)
    with engine.connect() as c:
        assert c.execute(select(documents.c.doc_type).where(documents.c.id == first)).scalar_one() == "other"
        assert c.execute(select(signatures.c.id).where(signatures.c.document_id == first)).first() is None
    assert queries.stats(engine)["signatures"] == len(PARTIES) - 1  # the other statement's signatories only
