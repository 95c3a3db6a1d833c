"""The hybrid retriever: expand -> lexical + dense -> fuse -> graph boost -> documents with explanations."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from learnsys.search.dense import Encoder
from learnsys.search.expansion import EXPANSION_WEIGHT, ExpandedQuery, expand_query
from learnsys.search.filters import Filters, doc_mask, facets
from learnsys.search.fusion import DENSE_WEIGHT, RRF_K, FusionMethod, fuse, ranks
from learnsys.search.index_store import SearchIndex
from learnsys.search.snippets import make_snippet
from learnsys.search.terminology import Terminology

LEXICAL_CANDIDATES = 1000  # documents kept from BM25
DENSE_CANDIDATE_CHUNKS = 300  # chunks asked of faiss
RESULT_FLOOR = 0.5  # the result set (total, facets): fused score >= this share of the best fused score
BOOST_TOP = 200  # the boost (<= 15%) is computed for the best fused documents only
MAX_PAGE_END = 10_100  # offset + k can reach this (service limits)


MODES = ("bm25", "dense", "hybrid")


@dataclass
class RetrievalConfig:
    mode: str = "hybrid"
    fusion: FusionMethod = FusionMethod.CONVEX
    dense_weight: float = DENSE_WEIGHT
    rrf_k: int = RRF_K
    expansion_weight: float = EXPANSION_WEIGHT
    expand: bool = True
    graph_boost: bool = True
    lexical_candidates: int = LEXICAL_CANDIDATES
    dense_candidate_chunks: int = DENSE_CANDIDATE_CHUNKS
    result_floor: float = RESULT_FLOOR


@dataclass
class Boost:
    value: float = 0.0
    reason: str = ""


class Booster(Protocol):
    def boost(
        self, index: SearchIndex, doc_rows: list[int], areas: list[str], for_provider: str | None
    ) -> dict[int, Boost]: ...


@dataclass
class Hit:
    doc: int  # row in index.docs
    score: float
    fused: float
    lexical_rank: int | None
    lexical_score: float | None
    dense_rank: int | None
    dense_score: float | None
    boost: Boost
    best_chunk: int


@dataclass
class Retrieval:
    """The ranked result set; ``Hit`` records (with ranks and explanations) are made only when asked for."""

    query: ExpandedQuery
    ranked: list[int]  # document rows, best first: the whole result set
    scores: dict[int, float]
    fused: dict[int, float]
    lexical: dict[int, float]
    dense: dict[int, float]
    boosts: dict[int, Boost]
    best_chunk: dict[int, int]
    areas: list[str] = field(default_factory=list)

    def top(self, start: int, stop: int) -> list[Hit]:
        lr, dr = ranks(self.lexical), ranks(self.dense)
        return [
            Hit(
                d,
                self.scores[d],
                self.fused[d],
                lr.get(d),
                self.lexical.get(d),
                dr.get(d),
                self.dense.get(d),
                self.boosts.get(d, Boost()),
                self.best_chunk[d],
            )
            for d in self.ranked[start:stop]
        ]

    @property
    def hits(self) -> list[Hit]:
        return self.top(0, len(self.ranked))


def best_per_doc(
    chunk_rows: np.ndarray, chunk_scores: np.ndarray, chunk_doc: np.ndarray, limit: int
) -> tuple[dict[int, float], dict[int, int]]:
    """Max chunk score per document (top ``limit`` documents) and the chunk that gave it."""
    if len(chunk_rows) == 0:
        return {}, {}
    order = np.argsort(-chunk_scores, kind="stable")
    docs = chunk_doc[chunk_rows[order]]
    _, first = np.unique(docs, return_index=True)
    first.sort()
    first = first[:limit]
    rows, scores = chunk_rows[order][first], chunk_scores[order][first]
    best = {int(chunk_doc[r]): float(s) for r, s in zip(rows, scores, strict=True)}
    where = {int(chunk_doc[r]): int(r) for r in rows}
    return best, where


class HybridRetriever:
    """Runs one query against one in-memory ``SearchIndex``."""

    def __init__(
        self,
        encoder: Encoder | None,
        terminology: Terminology,
        booster: Booster | None = None,
        config: RetrievalConfig | None = None,
    ):
        self.encoder, self.terminology, self.booster = encoder, terminology, booster
        self.config = config or RetrievalConfig()

    def retrieve(
        self,
        index: SearchIndex,
        text: str,
        *,
        filters: Filters | None = None,
        for_provider: str | None = None,
        config: RetrievalConfig | None = None,
    ) -> Retrieval:
        cfg = config or self.config
        query = expand_query(text, self.terminology, weight=cfg.expansion_weight, expand=cfg.expand)
        dmask = doc_mask(index, filters) if filters else None
        cmask = dmask[index.chunk_doc] if dmask is not None else None

        lexical: dict[int, float] = {}
        lexical_chunk: dict[int, int] = {}
        if cfg.mode in ("bm25", "hybrid") and query.weighted_terms:
            scores = index.lexical.score(query.weighted_terms)
            if cmask is not None:
                scores[~cmask] = 0.0
            rows = np.flatnonzero(scores > 0)
            if len(rows) > 4 * cfg.lexical_candidates:
                top = np.argpartition(-scores[rows], 4 * cfg.lexical_candidates)[: 4 * cfg.lexical_candidates]
                rows = rows[top]
            lexical, lexical_chunk = best_per_doc(rows, scores[rows], index.chunk_doc, cfg.lexical_candidates)

        dense: dict[int, float] = {}
        dense_chunk: dict[int, int] = {}
        if cfg.mode in ("dense", "hybrid") and self.encoder is not None and len(index.chunks):
            vector = self.encoder.encode_query(query.dense_text)
            rows, scores = index.dense.search(vector, cfg.dense_candidate_chunks, cmask)
            dense, dense_chunk = best_per_doc(rows, scores, index.chunk_doc, len(index.docs))

        if cfg.mode == "bm25":
            fused = dict(lexical)
        elif cfg.mode == "dense":
            fused = dict(dense)
        else:
            fused = fuse(lexical, dense, method=cfg.fusion, dense_weight=cfg.dense_weight, rrf_k=cfg.rrf_k)

        # the result set: documents within reach of the best one (weak matches on generic words drop out)
        best = max(fused.values(), default=0.0)
        if cfg.result_floor > 0:
            members = [d for d, v in fused.items() if v > 0 and v >= cfg.result_floor * best]
        else:
            members = list(fused)
        leaders = heapq.nlargest(BOOST_TOP, members, key=fused.__getitem__)
        areas = query.priority_areas or infer_areas(index, leaders[:5])
        boosts: dict[int, Boost] = {}
        if cfg.graph_boost and self.booster is not None and leaders:
            boosts = self.booster.boost(index, leaders, areas, for_provider)
        scores = {d: fused[d] * (1.0 + boosts[d].value) if d in boosts else fused[d] for d in members}
        ids = index.docs
        ranked = sorted(members, key=lambda d: (-scores[d], ids[d].id))
        best_chunk = {d: lexical_chunk.get(d, dense_chunk.get(d, -1)) for d in ranked[:MAX_PAGE_END]}
        best_chunk = {d: c if c >= 0 else index.doc_chunks[d][0] for d, c in best_chunk.items()}
        return Retrieval(query, ranked, scores, fused, lexical, dense, boosts, best_chunk, areas)

    def search(
        self,
        index: SearchIndex,
        text: str,
        *,
        k: int = 10,
        offset: int = 0,
        filters: Filters | None = None,
        for_provider: str | None = None,
        config: RetrievalConfig | None = None,
    ) -> dict[str, Any]:
        """The API response: a page of documents with snippets and explanations, facets and the total."""
        retrieval = self.retrieve(index, text, filters=filters, for_provider=for_provider, config=config)
        stems = retrieval.query.highlight_stems
        results = []
        for hit in retrieval.top(offset, offset + k):
            doc = index.docs[hit.doc]
            chunk = index.chunks[hit.best_chunk]
            results.append(
                {
                    "id": doc.id,
                    "title": doc.title,
                    "type": doc.type,
                    "providers": doc.providers,
                    "priority_areas": doc.priority_areas,
                    "published": doc.published,
                    "evidence": doc.evidence,
                    "setting": doc.setting,
                    "scale": doc.scale,
                    "score": round(hit.score, 6),
                    "snippet": make_snippet(chunk.text, stems),
                    "section": chunk.section,
                    "sources": [s["url"] for s in doc.sources if s.get("url")],
                    "explanation": {
                        "lexical_rank": hit.lexical_rank,
                        "lexical_score": None if hit.lexical_score is None else round(hit.lexical_score, 4),
                        "dense_rank": hit.dense_rank,
                        "dense_score": None if hit.dense_score is None else round(hit.dense_score, 4),
                        "fused_score": round(hit.fused, 6),
                        "graph_boost": round(hit.boost.value, 4),
                        "boost_reason": hit.boost.reason,
                        "synonyms_used": retrieval.query.synonyms_used,
                    },
                }
            )
        return {
            "query": text,
            "expanded_terms": retrieval.query.synonyms_used,
            "priority_areas": retrieval.areas,
            "total": len(retrieval.ranked),
            "offset": offset,
            "k": k,
            "results": results,
            "facets": facets(index, retrieval.ranked),
            "build_id": index.build_id,
        }


def infer_areas(index: SearchIndex, top_docs: list[int]) -> list[str]:
    """The priority areas of the query, read from its best documents when the terminology gave none."""
    counts: dict[str, float] = {}
    for rank, d in enumerate(top_docs):
        for area in index.docs[d].priority_areas:
            counts[area] = counts.get(area, 0.0) + 1.0 / (rank + 1)
    if not counts:
        return []
    best = max(counts.values())
    return [a for a, c in sorted(counts.items(), key=lambda kv: -kv[1]) if c >= 0.5 * best][:2]
