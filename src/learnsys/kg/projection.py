"""A networkx projection of the organisational and practice graph, for graph algorithms.

Nodes are ``"org:<ODS>"``, ``"lin:<id>"``, ``"doc:<id>"`` and ``"concept:<scheme>/<notation>"``, each
with a ``kind`` attribute; edges carry a ``relation`` (``in_icb``, ``in_region``, ``member_of``,
``attributed_to``, ``about``, ``exemplar``). Observations stay out: they are data, not structure.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from learnsys.corpus.documents import CONCEPT_FIELDS, Document
from learnsys.kg.records import ReferenceData


def project(data: ReferenceData, documents: Iterable[Document] = ()) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for region in data.regions.values():
        graph.add_node(f"org:{region.code}", kind="region", name=region.name)
    for icb in data.icbs.values():
        graph.add_node(f"org:{icb.code}", kind="icb", name=icb.name)
        graph.add_edge(f"org:{icb.code}", f"org:{icb.region_code}", relation="in_region")
    for provider in data.providers.values():
        node = f"org:{provider.ods}"
        graph.add_node(node, kind="provider", name=provider.name, trust_type=provider.trust_type)
        graph.add_edge(node, f"org:{provider.icb_code}", relation="in_icb")
        graph.add_edge(node, f"org:{provider.region_code}", relation="in_region")
    for lin in data.lins.values():
        graph.add_node(f"lin:{lin.id}", kind="lin", name=lin.name)
        graph.add_edge(f"lin:{lin.id}", f"org:{lin.region_code}", relation="hosted_by")
        for member in lin.members:
            graph.add_edge(f"org:{member}", f"lin:{lin.id}", relation="member_of")
    for doc in documents:
        node = f"doc:{doc.id}"
        graph.add_node(node, kind=doc.type, name=doc.title)
        for code in doc.providers:
            graph.add_edge(node, f"org:{code}", relation="attributed_to")
        for field_name, scheme in CONCEPT_FIELDS.items():
            for notation in getattr(doc, field_name):
                concept = f"concept:{scheme}/{notation}"
                graph.add_node(concept, kind="concept", scheme=scheme)
                graph.add_edge(node, concept, relation="about")
        for exemplar in doc.exemplars:
            graph.add_edge(node, f"doc:{exemplar}", relation="exemplar")
    return graph


def providers_sharing_practice(graph: nx.MultiDiGraph, ods: str, concept: str) -> set[str]:
    """Providers two hops away from ``ods`` through documents about ``concept`` (co-attributed peers)."""
    docs = {d for d, _, rel in graph.in_edges(f"org:{ods}", data="relation") if rel == "attributed_to"}
    docs = {d for d in docs if graph.has_edge(d, concept)}
    return {o.removeprefix("org:") for d in docs for _, o, rel in graph.out_edges(d, data="relation")
            if rel == "attributed_to" and o != f"org:{ods}"}
