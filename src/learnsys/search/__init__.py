"""Hybrid best-practice search: lexical (BM25) + dense (MiniLM/faiss) + knowledge-graph-aware ranking.

Data flows one way: corpus documents -> ``chunking`` -> ``lexical`` / ``dense`` indexes -> ``index_store``
(versioned builds on disk) -> ``retriever`` (fusion, graph boost, snippets) -> ``service`` -> API / CLI.
"""

from learnsys.search.build import build_search


__all__ = ["build_search"]
