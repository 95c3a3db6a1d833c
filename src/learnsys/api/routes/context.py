"""Context for chat assistants: the passages that answer a question, with citations, within a token budget.

``GET /context?q=…&budget=…`` runs the same hybrid search as ``/search`` (same filters, same ranking,
graph boost included) and returns chunks rather than documents: first the best chunk of each ranked
document, in rank order; then, while the budget allows, further chunks of the top documents ordered by
their BM25 score for the query. Each passage carries the document id, title, providers, source URLs and
a ready-made citation string.

Tokens are estimated, not counted with a tokenizer: ``ceil(words × 1.3)`` (English prose with a
sub-word tokenizer averages about 1.3 tokens a word). A passage's cost is the estimate of its text plus
its citation. Passages are added whole while they fit; the first one that does not fit is cut at a
word boundary if at least ``MIN_PASSAGE_TOKENS`` remain, and marked ``truncated``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from learnsys.api.deps import ServicesDep
from learnsys.api.problems import ProblemError
from learnsys.kg.records import ReferenceData
from learnsys.search.retriever import RetrievalConfig
from learnsys.search.service import (
    MAX_QUERY_CHARS,
    InvalidSearch,
    SearchRequest,
    SearchService,
    SearchUnavailable,
)

router = APIRouter(tags=["context"])

TOKENS_PER_WORD = 1.3
DEFAULT_BUDGET = 1500
MIN_BUDGET, MAX_BUDGET = 50, 20_000
MIN_PASSAGE_TOKENS = 40
MAX_DOCUMENTS = 20  # ranked documents whose chunks may be used
TOKEN_METHOD = "estimated: ceil(words x 1.3) over passage text plus citation"
Values = Annotated[list[str] | None, Query(max_length=20)]

CONTEXT_EXAMPLE = {
    "query": "PIFU dermatology",
    "budget": 600,
    "used_tokens": 412,
    "token_estimate": TOKEN_METHOD,
    "documents_considered": 12,
    "passages": [{
        "rank": 1, "doc_id": "bolton-pifu-dermatology", "id": "bolton-pifu-dermatology#3",
        "title": "Bolton rolls out patient-initiated follow-up in dermatology", "type": "case-study",
        "providers": ["RMC"], "provider_names": ["Bolton NHS Foundation Trust"],
        "section": "What they did", "published": "2023-05-10",
        "source_urls": ["https://www.boltonft.nhs.uk/news/"],
        "text": "Patients with stable long-term skin conditions were moved onto a PIFU pathway ...",
        "tokens": 190, "truncated": False, "score": 0.93,
        "citation": "Bolton rolls out patient-initiated follow-up in dermatology (case study; Bolton NHS "
                    "Foundation Trust, RMC; 2023-05-10), section \"What they did\". learnsys document "
                    "bolton-pifu-dermatology. Source: https://www.boltonft.nhs.uk/news/",
    }],
}


def estimate_tokens(text: str) -> int:
    """Approximate tokens: ``ceil(words × 1.3)``."""
    words = len(text.split())
    return math.ceil(words * TOKENS_PER_WORD) if words else 0


def _truncate_words(text: str, tokens: int) -> str:
    words = text.split()
    keep = max(1, int(tokens / TOKENS_PER_WORD))
    return " ".join(words[:keep]) + (" …" if keep < len(words) else "")


@dataclass
class Candidate:
    doc_row: int
    chunk_row: int
    score: float
    doc_rank: int


def citation(doc: Any, section: str, names: list[str]) -> str:
    """``Title (type; provider names, ODS; published), section "…". learnsys document ID. Source: URL``."""
    parts = [doc.type.replace("-", " ")]
    if doc.providers:
        parts.append(", ".join(f"{n}, {o}" if n and n != o else o for n, o in zip(names, doc.providers,
                                                                                    strict=True)))
    if doc.published:
        parts.append(doc.published)
    text = f"{doc.title} ({'; '.join(parts)})"
    if section:
        text += f', section "{section}"'
    text += f". learnsys document {doc.id}."
    urls = [s["url"] for s in doc.sources if s.get("url")]
    if urls:
        text += f" Source: {urls[0]}"
    return text


def build_context(service: SearchService, reference: ReferenceData | None, request: SearchRequest,
                  budget: int, max_passages: int = 50) -> dict[str, Any]:
    """The passages for ``request`` within ``budget`` estimated tokens (see the module docstring)."""
    filters = service.check(request)
    index = service.index()
    retriever = service.retriever()
    config = RetrievalConfig(mode=request.mode, graph_boost=request.boost)
    retrieval = retriever.retrieve(index, request.q, filters=filters, for_provider=request.for_provider,
                                   config=config)
    hits = retrieval.hits[:MAX_DOCUMENTS]
    first = [Candidate(h.doc, h.best_chunk, h.score, rank) for rank, h in enumerate(hits, start=1)]
    seen = {c.chunk_row for c in first}
    more: list[Candidate] = []
    if hits and retrieval.query.weighted_terms:
        lexical = index.lexical.score(retrieval.query.weighted_terms)
        for rank, hit in enumerate(hits[:5], start=1):
            rows = [r for r in index.doc_chunks[hit.doc] if r not in seen and lexical[r] > 0]
            best = float(lexical[hit.best_chunk]) or 1.0
            more += [Candidate(hit.doc, r, hit.score * min(1.0, float(lexical[r]) / best), rank) for r in rows]
        more.sort(key=lambda c: (-c.score, c.doc_rank, c.chunk_row))

    passages: list[dict[str, Any]] = []
    used = 0
    for cand in [*first, *more]:
        if len(passages) >= max_passages or budget - used < MIN_PASSAGE_TOKENS:
            break
        doc, chunk = index.docs[cand.doc_row], index.chunks[cand.chunk_row]
        names = [reference.providers[o].name if reference and o in reference.providers else o
                 for o in doc.providers]
        cite = citation(doc, chunk.section, names)
        text = chunk.text.strip()
        cost = estimate_tokens(text) + estimate_tokens(cite)
        truncated = False
        if used + cost > budget:
            room = budget - used - estimate_tokens(cite)
            if room < MIN_PASSAGE_TOKENS:
                continue  # a shorter later passage may still fit
            text, truncated = _truncate_words(text, room), True
            cost = estimate_tokens(text) + estimate_tokens(cite)
            if used + cost > budget:
                continue
        used += cost
        passages.append({
            "rank": len(passages) + 1, "doc_id": doc.id, "id": f"{doc.id}#{chunk.ordinal}", "title": doc.title,
            "type": doc.type, "providers": list(doc.providers), "provider_names": names,
            "section": chunk.section, "published": doc.published,
            "source_urls": [s["url"] for s in doc.sources if s.get("url")],
            "text": text, "tokens": cost, "truncated": truncated, "score": round(cand.score, 6),
            "citation": cite,
        })
    return {"query": request.q, "budget": budget, "used_tokens": used, "token_estimate": TOKEN_METHOD,
            "documents_considered": len(hits), "passages": passages}


def _values(value: list[str] | None) -> list[str]:
    return [v.strip() for item in value or [] for v in item.split(",") if v.strip()]


@router.get("/context", summary="Passages with citations for a chat assistant, within a token budget",
            description=__doc__,
            responses={200: {"content": {"application/json": {"example": CONTEXT_EXAMPLE}}},
                       422: {"description": "Invalid parameter (problem+json naming the field)"},
                       503: {"description": "Search index not loaded (problem+json)"}})
def get_context(
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="the user's question")],
    budget: Annotated[int, Query(ge=MIN_BUDGET, le=MAX_BUDGET,
                                 description="token budget (estimated as ceil(words x 1.3))")] = DEFAULT_BUDGET,
    max_passages: Annotated[int, Query(ge=1, le=50, description="at most this many passages")] = 20,
    priority_area: Values = None, msf: Values = None, nof_domain: Values = None, region: Values = None,
    icb: Values = None, provider: Values = None, type: Values = None, method: Values = None,
    published_after: Annotated[date | None, Query(description="YYYY-MM-DD (exclusive)")] = None,
    for_provider: Annotated[str | None, Query(max_length=10, description="ODS code to personalise for")] = None,
) -> dict[str, Any]:
    raw = {"priority_area": priority_area, "msf": msf, "nof_domain": nof_domain, "region": region, "icb": icb,
           "provider": provider, "type": type, "method": method}
    filters = {name: _values(v) for name, v in raw.items() if _values(v)}
    if services.search is None:
        raise ProblemError(503, "Search unavailable", "The search index is not loaded; run `learnsys build`.")
    request = SearchRequest(q, k=max_passages, filters=filters, published_after=published_after,
                            for_provider=for_provider)
    try:
        return build_context(services.search, services.reference, request, budget, max_passages)
    except InvalidSearch as exc:
        raise ProblemError(422, "Invalid search", str(exc), field=exc.field) from exc
    except SearchUnavailable as exc:
        raise ProblemError(503, "Search unavailable", str(exc)) from exc
