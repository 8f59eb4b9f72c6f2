"""The co-signature network: organisations linked by the statements they signed together.

Nodes are organisations (with name, country, kind, statements signed);
an edge's weight is the number of statements both signed, each statement
counted once however many copies of it are stored.  Communities come from
Louvain modularity (networkx, fixed seed, so runs agree); centralities are
degree, weighted degree and betweenness (sampled on large graphs).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Any

import networkx as nx
from sqlalchemy import Engine, distinct, func, select

from solidarity_atlas.store.schema import (
    MAX_COSIGNERS,
    cosignatures,
    documents,
    organizations,
    signatures,
    statement_signers,
    statements,
)

SEED = 1  # Louvain and betweenness sampling are random: a fixed seed makes two runs give the same answer
EXACT_BETWEENNESS = 500  # above this many nodes, betweenness is estimated from this many sampled sources


def cosignature_graph(engine: Engine, *, since: int | None = None, until: int | None = None) -> nx.Graph:
    """The network of the statements dated within [since, until] (years; undated statements only when no
    range is given)."""
    query = (select(distinct(documents.c.statement_id), signatures.c.org_id)
             .join(documents, documents.c.id == signatures.c.document_id)
             .join(statements, statements.c.id == documents.c.statement_id)
             .where(signatures.c.role == "signatory"))
    if since is not None:
        query = query.where(statements.c.year >= since)
    if until is not None:
        query = query.where(statements.c.year <= until)
    if since is None and until is None:
        return _whole_graph(engine)
    signed: dict[int, set[str]] = defaultdict(set)
    with engine.connect() as c:
        for statement_id, org_id in c.execute(query):
            signed[statement_id].add(org_id)
        info = {r.id: r for r in c.execute(select(organizations.c.id, organizations.c.name, organizations.c.country,
                                                  organizations.c.kind))}
    graph = nx.Graph()
    count: dict[str, int] = defaultdict(int)
    for orgs in signed.values():
        for org in orgs:
            count[org] += 1
        if len(orgs) > MAX_COSIGNERS:
            continue  # a petition-sized list counts in no pair (as the writer's pair counts)
        for a, b in combinations(sorted(orgs), 2):
            weight = graph[a][b]["weight"] + 1 if graph.has_edge(a, b) else 1
            graph.add_edge(a, b, weight=weight)
    for org, n in count.items():
        row = info.get(org)
        graph.add_node(org, name=row.name if row else org, country=(row.country if row else None) or "",
                       kind=(row.kind if row else None) or "", statements=n)
    return graph


def _whole_graph(engine: Engine) -> nx.Graph:
    """The network of all statements, read from the pair counts the writer keeps."""
    graph = nx.Graph()
    with engine.connect() as c:
        counts = dict(c.execute(select(statement_signers.c.org_id, func.count())
                                .group_by(statement_signers.c.org_id)).tuples().all())
        for a, b, n in c.execute(select(cosignatures.c.org_a, cosignatures.c.org_b, cosignatures.c.statements)):
            graph.add_edge(a, b, weight=n)
        info = {r.id: r for r in c.execute(select(organizations.c.id, organizations.c.name, organizations.c.country,
                                                  organizations.c.kind).where(organizations.c.id.in_(list(counts))))}
    for org, n in counts.items():
        row = info.get(org)
        graph.add_node(org, name=row.name if row else org, country=(row.country if row else None) or "",
                       kind=(row.kind if row else None) or "", statements=n)
    return graph


def analyse(graph: nx.Graph) -> dict[str, Any]:
    """Communities and centralities, also written onto the nodes (``community``, ``degree``, ``strength``,
    ``betweenness``) for the GraphML and GEXF exports."""
    if graph.number_of_nodes() == 0:
        return {"nodes": 0, "edges": 0, "communities": [], "top": []}
    communities = sorted(nx.community.louvain_communities(graph, weight="weight", seed=SEED), key=len, reverse=True)
    for index, members in enumerate(communities):
        for node in members:
            graph.nodes[node]["community"] = index
    n = graph.number_of_nodes()
    k = None if n <= EXACT_BETWEENNESS else EXACT_BETWEENNESS
    betweenness = nx.betweenness_centrality(graph, k=k, seed=SEED, normalized=True)
    for node in graph.nodes:
        graph.nodes[node]["degree"] = graph.degree(node)
        graph.nodes[node]["strength"] = graph.degree(node, weight="weight")
        graph.nodes[node]["betweenness"] = round(betweenness[node], 6)
    top = sorted(graph.nodes, key=lambda x: (-graph.nodes[x]["strength"], x))
    return {
        "nodes": n, "edges": graph.number_of_edges(),
        "modularity": round(nx.community.modularity(graph, communities, weight="weight"), 4),
        "communities": [sorted(members) for members in communities],
        "top": [{"org_id": node, **graph.nodes[node]} for node in top],
    }
