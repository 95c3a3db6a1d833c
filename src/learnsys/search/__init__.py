"""Hybrid best-practice search: lexical (BM25) + dense (MiniLM/faiss) + knowledge-graph-aware ranking.

Data flows one way: corpus documents -> ``chunking`` -> ``lexical`` / ``dense`` indexes -> ``index_store``
(versioned builds on disk) -> ``retriever`` (expansion, fusion, graph boost, snippets) -> ``service`` ->
API routes (``learnsys.api.routes.search``) and CLI (``learnsys.search.cli``).
"""
