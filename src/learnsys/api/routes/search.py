"""Search: hybrid best-practice search (GET and POST). Documents are in routes/documents.py."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from learnsys.api.deps import ServicesDep
from learnsys.api.problems import ProblemError
from learnsys.search.filters import FILTER_NAMES
from learnsys.search.service import (
    MAX_K,
    MAX_OFFSET,
    MAX_QUERY_CHARS,
    InvalidSearch,
    SearchRequest,
    SearchService,
    SearchUnavailable,
)
from learnsys.services import Services

router = APIRouter(tags=["search"])
Values = Annotated[list[str] | None, Query(max_length=20)]
SEARCH_EXAMPLE = {
    "query": "PIFU derm",
    "expanded_terms": ["patient-initiated follow-up"],
    "priority_areas": ["elective"],
    "total": 12,
    "offset": 0,
    "k": 10,
    "results": [
        {
            "id": "bolton-pifu-dermatology",
            "title": "Bolton rolls out patient-initiated follow-up ...",
            "type": "case-study",
            "providers": ["RMC"],
            "score": 0.93,
            "snippet": "... moved them onto a <mark>PIFU</mark> pathway ...",
            "sources": ["https://boltonft.nhs.uk/news/..."],
            "explanation": {
                "lexical_rank": 1,
                "lexical_score": 14.2,
                "dense_rank": 2,
                "dense_score": 0.61,
                "fused_score": 0.88,
                "graph_boost": 0.05,
                "boost_reason": "measured impact: 4 reported figure(s) (+0.015)",
                "synonyms_used": ["patient-initiated follow-up"],
            },
        }
    ],
    "facets": {"type": {"case-study": 9, "guide": 3}},
}


class SearchBody(BaseModel):
    """POST /search body: the same fields as the GET query string; filters take a value or a list."""

    model_config = ConfigDict(extra="forbid")
    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    k: int = Field(10, ge=1, le=MAX_K)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    priority_area: list[str] | str | None = None
    msf: list[str] | str | None = None
    nof_domain: list[str] | str | None = None
    region: list[str] | str | None = None
    icb: list[str] | str | None = None
    provider: list[str] | str | None = None
    type: list[str] | str | None = None
    method: list[str] | str | None = None
    evidence: list[str] | str | None = None
    setting: list[str] | str | None = None
    scale: list[str] | str | None = None
    published_after: date | None = None
    for_provider: str | None = Field(None, max_length=10)
    similar_to: str | None = Field(None, max_length=10)
    mode: Literal["hybrid", "bm25", "dense", "bm25-doc-plain"] = "hybrid"
    boost: bool = True


def _service(services: Services) -> SearchService:
    if services.search is None:
        raise ProblemError(503, "Search unavailable", "The search index is not loaded; run `learnsys build`.")
    return services.search


def _run(services: Services, request: SearchRequest) -> JSONResponse:
    """The response is serialised directly (no response-model pass over the nested result: ~ms saved)."""
    service = _service(services)
    try:
        return JSONResponse(service.search(request))
    except InvalidSearch as exc:
        raise ProblemError(422, "Invalid search", str(exc), field=exc.field) from exc
    except SearchUnavailable as exc:
        raise ProblemError(503, "Search unavailable", str(exc)) from exc


def _values(value: list[str] | str | None) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    return [v.strip() for item in items for v in item.split(",") if v.strip()]


@router.get(
    "/search",
    summary="Hybrid search over case studies and guides",
    responses={
        200: {"content": {"application/json": {"example": SEARCH_EXAMPLE}}},
        422: {"description": "Invalid parameter (problem+json naming the field)"},
    },
)
def search_get(
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="the question, in your words")],
    k: Annotated[int, Query(ge=1, le=MAX_K, description="results per page")] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    priority_area: Values = None,
    msf: Values = None,
    nof_domain: Values = None,
    region: Values = None,
    icb: Values = None,
    provider: Values = None,
    type: Values = None,
    method: Values = None,
    evidence: Values = None,
    setting: Values = None,
    scale: Values = None,
    published_after: Annotated[date | None, Query(description="YYYY-MM-DD (exclusive)")] = None,
    for_provider: Annotated[str | None, Query(max_length=10, description="ODS code to personalise for")] = None,
    mode: Annotated[Literal["hybrid", "bm25", "dense", "bm25-doc-plain"], Query()] = "hybrid",
    boost: bool = True,
    similar_to: Annotated[
        str | None, Query(max_length=10, description="ODS code: documents from this trust's peers first")
    ] = None,
) -> JSONResponse:
    raw = {
        "priority_area": priority_area,
        "msf": msf,
        "nof_domain": nof_domain,
        "region": region,
        "icb": icb,
        "provider": provider,
        "type": type,
        "method": method,
        "evidence": evidence,
        "setting": setting,
        "scale": scale,
    }
    filters = {name: _values(v) for name, v in raw.items() if v}
    request = SearchRequest(q, k, offset, filters, published_after, for_provider, mode, boost, similar_to)
    return _run(services, request)


@router.post(
    "/search",
    summary="Hybrid search with a JSON body",
    responses={
        200: {"content": {"application/json": {"example": SEARCH_EXAMPLE}}},
        422: {"description": "Invalid body (problem+json naming the field)"},
    },
)
def search_post(services: ServicesDep, body: SearchBody) -> JSONResponse:
    filters = {name: _values(getattr(body, name)) for name in FILTER_NAMES if getattr(body, name)}
    return _run(
        services,
        SearchRequest(
            body.q,
            body.k,
            body.offset,
            filters,
            body.published_after,
            body.for_provider,
            body.mode,
            body.boost,
            body.similar_to,
        ),
    )
