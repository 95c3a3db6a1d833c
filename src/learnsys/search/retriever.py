"""The hybrid retriever: expand -> lexical + dense -> fuse -> graph boost -> documents with explanations."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from learnsys.kg.peers import PeerModel
from learnsys.search.dense import Encoder
from learnsys.search.expansion import (
    ACRONYM_WEIGHT,
    EVERYDAY_WEIGHT,
    EXPANSION_WEIGHT,
    SENSE_THRESHOLD,
    ExpandedQuery,
    expand_query,
)
from learnsys.search.fields import plain_query
from learnsys.search.filters import Filters, doc_mask, facets
from learnsys.search.fusion import DENSE_WEIGHT, RRF_K, FusionMethod, fuse, ranks
from learnsys.search.index_store import SearchIndex
from learnsys.search.intent import Intent, framing_words, question_intent
from learnsys.search.snippets import make_snippet
from learnsys.search.terminology import Concept, CorpusWords, Terminology, corpus_words
from learnsys.search.text import stem

LEXICAL_CANDIDATES = 1000  # documents kept from BM25
DENSE_CANDIDATE_CHUNKS = 300  # chunks asked of faiss
RESULT_FLOOR = 0.5  # the result set (total, facets): fused score >= this share of the best fused score
BOOST_TOP = 200  # the boost (<= 15%) is computed for the best fused documents only
MAX_PAGE_END = 10_100  # offset + k can reach this (service limits)


PLAIN_MODE = "bm25-doc-plain"  # the baseline: bm25s over whole documents, nothing else
MODES = ("bm25", "dense", "hybrid", PLAIN_MODE)
GRAINS = ("chunk", "doc", "fields", "fields+passage")  # how the lexical arm scores a document

# Grid-searched on the blind dev split by scripts/tune_search.py (docs/search.md): the grain and passage weight
# were chosen there; the area threshold and type prior were swept and kept (no change moved dev by 0.005).
LEXICAL_GRAIN = "fields+passage"
PASSAGE_WEIGHT = 0.6  # fields+passage: (1 - w) x BM25F + w x best-chunk BM25, each scaled by its best
AREA_MIN_CONFIDENCE = 0.5  # a priority area drives the performance boost only if more sure than this
TYPE_PRIOR = 0.08  # score x (1 + prior) for the document type the question's framing asks for


@dataclass
class RetrievalConfig:
    mode: str = "hybrid"
    fusion: FusionMethod = FusionMethod.CONVEX
    dense_weight: float = DENSE_WEIGHT
    rrf_k: int = RRF_K
    expansion_weight: float = EXPANSION_WEIGHT
    acronym_weight: float = ACRONYM_WEIGHT
    everyday_weight: float = EVERYDAY_WEIGHT
    sense_threshold: float = SENSE_THRESHOLD
    expand: bool = True
    graph_boost: bool = True
    lexical_grain: str = LEXICAL_GRAIN
    passage_weight: float = PASSAGE_WEIGHT
    area_min_confidence: float = AREA_MIN_CONFIDENCE
    type_prior: float = TYPE_PRIOR
    drop_framing: bool = True
    lexical_candidates: int = LEXICAL_CANDIDATES
    dense_candidate_chunks: int = DENSE_CANDIDATE_CHUNKS
    result_floor: float = RESULT_FLOOR


@dataclass
class Boost:
    value: float = 0.0
    reason: str = ""
    for_provider: str = ""  # with for_provider=ODS: how this document relates to that provider, or why not


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
    areas: list[str] = field(default_factory=list)  # the priority areas sure enough to drive the boost
    area_confidence: dict[str, float] = field(default_factory=dict)
    intent: Intent = field(default_factory=lambda: Intent(None))
    priors: dict[int, float] = field(default_factory=dict)  # document type prior per document row
    peer_notes: dict[int, str] = field(default_factory=dict)  # similar_to: documents from its peers, why

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
        peers: PeerModel | None = None,
    ):
        self.encoder, self.terminology, self.booster = encoder, terminology, booster
        self.config = config or RetrievalConfig()
        self.peers = peers  # the one peer model (learnsys.kg.peers), for ``similar_to``
        self._concept_vectors: np.ndarray | None = None
        self._concept_rows: dict[str, int] = {}

    # ---- per-terminology and per-index state -----------------------------------------------------
    def concept_vectors(self) -> np.ndarray | None:
        """Embeddings of each concept's labels and definition (for the sense check), made once."""
        if self._concept_vectors is None and self.encoder is not None:
            concepts = list(self.terminology.concepts.values())
            self._concept_rows = {c.iri: i for i, c in enumerate(concepts)}
            self._concept_vectors = self.encoder.encode([c.sense_text for c in concepts])
        return self._concept_vectors

    def corpus_words(self, index: SearchIndex) -> CorpusWords:
        """How this index's corpus uses the terminology's words; computed once per loaded index."""
        cached = index.__dict__.get("_corpus_words")
        if cached is None or cached[0] is not self.terminology:
            whole = index.fields
            n = max(1, whole.num_docs) if whole is not None else 1

            def share(term: str) -> float:
                tid = whole.vocab.get(term) if whole is not None else None
                return 0.0 if tid is None else float(whole.indptr[tid + 1] - whole.indptr[tid]) / n

            texts = [c.text for c in index.chunks] + [d.title for d in index.docs]
            cached = (self.terminology, corpus_words(self.terminology, texts, share))
            index.__dict__["_corpus_words"] = cached
        return cached[1]

    # ---- one query -------------------------------------------------------------------------------
    def retrieve(
        self,
        index: SearchIndex,
        text: str,
        *,
        filters: Filters | None = None,
        for_provider: str | None = None,
        similar_to: str | None = None,
        config: RetrievalConfig | None = None,
    ) -> Retrieval:
        cfg = config or self.config
        plain = cfg.mode == PLAIN_MODE
        vectors: dict[str, np.ndarray] = {}

        def encode(t: str) -> np.ndarray:
            if t not in vectors:
                vectors[t] = self.encoder.encode_query(t)  # type: ignore[union-attr]
            return vectors[t]

        similarity = None
        if self.encoder is not None and cfg.mode in ("dense", "hybrid"):
            concept_vectors = self.concept_vectors()

            def similarity(concept: Concept) -> float | None:
                row = self._concept_rows.get(concept.iri)
                return None if row is None or concept_vectors is None else float(concept_vectors[row] @ encode(text))

        query = expand_query(
            text,
            self.terminology,
            weight=cfg.expansion_weight,
            acronym_weight=cfg.acronym_weight,
            everyday_weight=cfg.everyday_weight,
            expand=cfg.expand and not plain,
            corpus_words=self.corpus_words(index) if cfg.expand and not plain else None,
            similarity=similarity,
            sense_threshold=cfg.sense_threshold,
        )
        intent = Intent(None) if plain else question_intent(text)
        lexical_terms = dict(query.weighted_terms)
        if cfg.drop_framing and intent.wants == "case-study":
            framing = {stem(w) for w in framing_words(text)}
            kept = {t: w for t, w in lexical_terms.items() if t not in framing}
            if any(t in query.user_terms for t in kept):
                lexical_terms = kept
        # Filters select from the one result set (scored without them), so a facet's count is the total its
        # filter gives.
        dmask = doc_mask(index, filters) if filters else None

        lexical: dict[int, float] = {}
        lexical_chunk: dict[int, int] = {}
        if cfg.mode in ("bm25", "hybrid", PLAIN_MODE) and lexical_terms:
            chunk_scores = index.lexical.score(lexical_terms)
            rows = np.flatnonzero(chunk_scores > 0)
            passage, lexical_chunk = best_per_doc(rows, chunk_scores[rows], index.chunk_doc, len(index.docs))
            lexical = self._lexical_scores(index, cfg, query.text if plain else lexical_terms, passage)

        dense: dict[int, float] = {}
        dense_chunk: dict[int, int] = {}
        if cfg.mode in ("dense", "hybrid") and self.encoder is not None and len(index.chunks):
            rows, scores = index.dense.search(encode(query.dense_text), cfg.dense_candidate_chunks)
            dense, dense_chunk = best_per_doc(rows, scores, index.chunk_doc, len(index.docs))

        if cfg.mode in ("bm25", PLAIN_MODE):
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
        if dmask is not None:
            members = [d for d in members if dmask[d]]
        leaders = heapq.nlargest(BOOST_TOP, members, key=fused.__getitem__)
        confidence = area_confidence(query, index, leaders[:5])
        areas = confident_areas(confidence, cfg.area_min_confidence)
        boosts: dict[int, Boost] = {}
        if cfg.graph_boost and not plain and self.booster is not None and leaders:
            boosts = self.booster.boost(index, leaders, areas, for_provider)
        priors: dict[int, float] = {}
        if intent.wants and cfg.type_prior > 0 and not plain:
            priors = {d: cfg.type_prior for d in members if index.docs[d].type == intent.wants}
        scores = {
            d: fused[d] * (1.0 + (boosts[d].value if d in boosts else 0.0)) * (1.0 + priors.get(d, 0.0))
            for d in members
        }
        ids = index.docs
        peer_notes = self.peer_notes(index, members, similar_to) if similar_to else {}
        ranked = sorted(members, key=lambda d: (d not in peer_notes, -scores[d], ids[d].id))
        best_chunk = {d: lexical_chunk.get(d, dense_chunk.get(d, -1)) for d in ranked[:MAX_PAGE_END]}
        best_chunk = {d: c if c >= 0 else index.doc_chunks[d][0] for d, c in best_chunk.items()}
        return Retrieval(
            query,
            ranked,
            scores,
            fused,
            lexical,
            dense,
            boosts,
            best_chunk,
            areas,
            confidence,
            intent,
            priors,
            peer_notes,
        )

    def peer_notes(self, index: SearchIndex, members: list[int], similar_to: str) -> dict[int, str]:
        """The documents among ``members`` from ``similar_to``'s peers (the one peer model), with why."""
        if self.peers is None:
            return {}
        peers = self.peers.peers(similar_to)
        rank_of = {p.ods: (i, p) for i, p in enumerate(peers, start=1)}
        notes: dict[int, str] = {}
        for d in members:
            found = sorted(rank_of[o] for o in index.docs[d].providers if o in rank_of)
            if found:
                rank, peer = found[0]
                notes[d] = (
                    f"{peer.ods} is peer {rank} of {len(peers)} of {similar_to} "
                    f"(context distance {peer.distance:.2f}, same trust family)"
                )
        return notes

    def similar_summary(self, similar_to: str | None, retrieval: Retrieval) -> dict[str, Any] | None:
        if not similar_to:
            return None
        peers = [p.ods for p in self.peers.peers(similar_to)] if self.peers is not None else []
        return {"ods": similar_to, "peers": peers, "documents_from_peers": len(retrieval.peer_notes)}

    def _lexical_scores(
        self,
        index: SearchIndex,
        cfg: RetrievalConfig,
        terms_or_text: dict[str, float] | str,
        passage: dict[int, float],
    ) -> dict[int, float]:
        """Document scores of the lexical arm at the configured grain (top ``lexical_candidates``)."""
        if isinstance(terms_or_text, str):  # the plain baseline: bm25s tokens over whole documents
            whole = index.plain.score(plain_query(terms_or_text))  # type: ignore[union-attr]
        elif cfg.lexical_grain == "chunk":
            whole = None
        else:
            source = index.single if cfg.lexical_grain == "doc" else index.fields
            whole = source.score(terms_or_text)  # type: ignore[union-attr]
        if whole is None:
            scores = passage
        else:
            if cfg.lexical_grain == "fields+passage" and not isinstance(terms_or_text, str) and passage:
                top_whole = float(whole.max()) or 1.0
                top_passage = max(passage.values()) or 1.0
                whole = (1.0 - cfg.passage_weight) * whole / top_whole
                for d, v in passage.items():
                    whole[d] += cfg.passage_weight * v / top_passage
            rows = np.flatnonzero(whole > 0)
            scores = {int(d): float(whole[d]) for d in rows}
        if len(scores) > cfg.lexical_candidates:
            scores = dict(heapq.nlargest(cfg.lexical_candidates, scores.items(), key=lambda kv: kv[1]))
        return scores

    def search(
        self,
        index: SearchIndex,
        text: str,
        *,
        k: int = 10,
        offset: int = 0,
        filters: Filters | None = None,
        for_provider: str | None = None,
        similar_to: str | None = None,
        config: RetrievalConfig | None = None,
    ) -> dict[str, Any]:
        """The API response: a page of documents with snippets and explanations, facets and the total."""
        retrieval = self.retrieve(
            index, text, filters=filters, for_provider=for_provider, similar_to=similar_to, config=config
        )
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
                        "type_prior": round(retrieval.priors.get(hit.doc, 0.0), 4),
                        "type_reason": retrieval.intent.reason if hit.doc in retrieval.priors else "",
                        "synonyms_used": retrieval.query.synonyms_used,
                        "concepts": [m.concept.notation for m in retrieval.query.matches if m.used],
                        "concept_reasons": [
                            {"concept": m.concept.notation, "matched": m.surface, "why": m.reason}
                            for m in retrieval.query.matches
                            if m.used
                        ],
                        "for_provider": hit.boost.for_provider,
                        "similar_to": retrieval.peer_notes.get(
                            hit.doc, f"no provider of this document is among {similar_to}'s peers" if similar_to else ""
                        ),
                    },
                }
            )
        return {
            "query": text,
            "expanded_terms": retrieval.query.synonyms_used,
            "concepts": [m.explain() for m in retrieval.query.matches],
            "priority_areas": retrieval.areas,
            "area_confidence": retrieval.area_confidence,
            "intent": retrieval.intent.wants,
            "similar_to": self.similar_summary(similar_to, retrieval),
            "total": len(retrieval.ranked),
            "offset": offset,
            "k": k,
            "results": results,
            "facets": facets(index, retrieval.ranked),
            "build_id": index.build_id,
        }


def confident_areas(confidence: dict[str, float], threshold: float) -> list[str]:
    """The (at most two) areas sure enough to drive the boost: more than ``threshold``, so an area only the
    terminology names, against every result (0.5), does not."""
    return [a for a, c in confidence.items() if c > threshold][:2]


def area_confidence(query: ExpandedQuery, index: SearchIndex, top_docs: list[int]) -> dict[str, float]:
    """How sure we are of each priority area of the query (0-1, most sure first): the share of the best
    documents (rank-weighted) that are about it, averaged with the share of the query's concepts that are
    about it when the terminology recognised any. A concept's area that the results do not bear out (or
    results spread over many areas) falls below the threshold and drives no boost."""
    votes: dict[str, float] = {}
    total = 0.0
    for rank, d in enumerate(top_docs):
        weight = 1.0 / (rank + 1)
        total += weight
        for area in index.docs[d].priority_areas:
            votes[area] = votes.get(area, 0.0) + weight
    shares = {a: v / total for a, v in votes.items()} if total else {}
    concepts = query.area_confidence
    if concepts:
        shares = {a: (concepts.get(a, 0.0) + shares.get(a, 0.0)) / 2 for a in set(concepts) | set(shares)}
    return {a: round(c, 3) for a, c in sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))}
