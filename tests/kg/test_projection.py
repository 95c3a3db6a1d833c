"""The networkx projection mirrors the organisational structure and the corpus links."""

from __future__ import annotations

import networkx as nx

from learnsys.kg.projection import project


def test_projection_structure(services) -> None:
    graph = project(services.reference, services.documents.values())
    providers = [n for n, kind in graph.nodes(data="kind") if kind == "provider"]
    assert len(providers) == len(services.reference.providers)
    # every provider reaches exactly one region directly and through its ICB
    for node in providers:
        regions = {v for _, v, rel in graph.out_edges(node, data="relation") if rel == "in_region"}
        icbs = {v for _, v, rel in graph.out_edges(node, data="relation") if rel == "in_icb"}
        assert len(regions) == 1 and len(icbs) == 1
        icb_region = {v for _, v, rel in graph.out_edges(next(iter(icbs)), data="relation") if rel == "in_region"}
        assert icb_region == regions
    # every guide's exemplar is a case-study node; documents connect providers to concepts
    for node, kind in graph.nodes(data="kind"):
        if kind == "guide":
            for _, target, rel in graph.out_edges(node, data="relation"):
                if rel == "exemplar":
                    assert graph.nodes[target]["kind"] == "case-study"
    assert nx.has_path(graph.to_undirected(as_view=True), "concept:priority-area/uec", "org:Y62")
