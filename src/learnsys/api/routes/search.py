"""Search and documents: hybrid best-practice search, one document, and token-protected writes."""

from __future__ import annotations

import hmac
import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from learnsys.api.deps import ServicesDep
from learnsys.api.problems import ProblemError, not_found
from learnsys.collaboratives.evidence import with_learning
from learnsys.pipeline import schedule_graph_refresh
from learnsys.search.filters import FILTER_NAMES
from learnsys.search.service import (
    MAX_K,
    MAX_OFFSET,
    MAX_QUERY_CHARS,
    DocumentExists,
    DocumentNotFound,
    InvalidSearch,
    SearchRequest,
    SearchService,
    SearchUnavailable,
)
from learnsys.search.validation import InvalidDocument
from learnsys.services import Services

router = APIRouter(tags=["search"])
MAX_DOCUMENT_BYTES = 200_000
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


DOCUMENT_EXAMPLE = {
    "id": "bolton-pifu-dermatology",
    "title": "Bolton rolls out patient-initiated follow-up across 22 specialties, "
             "with dermatology saving 150 appointments",
    "type": "case-study", "providers": ["RMC"], "priority_areas": ["elective"], "msf": [],
    "nof_domains": ["access", "effectiveness-experience"], "methods": ["pathway-redesign"],
    "metrics": [{"name": "Dermatology follow-up appointments freed", "baseline": None, "result": 150,
                 "unit": "count", "period": "November 2021 to September 2022"}],
    "published": "2022-09", "published_precision": "month",
    "contact": {"team": "Outpatients transformation team, Bolton NHS Foundation Trust",
                "url": "https://www.boltonft.nhs.uk/"},
    "evidence": "trust-reported", "setting": "acute", "scale": "trust",
    "sources": [{"url": "https://boltonft.nhs.uk/news/2022/09/"
                        "tackling-boltons-waiting-lists-by-putting-patients-in-control",
                 "title": "Tackling Bolton's waiting lists by putting patients in control",
                 "publisher": "Bolton NHS Foundation Trust"}],
    "summary": "Bolton NHS Foundation Trust introduced patient-initiated follow-up (PIFU) in 22 specialties ...",
    "body": "## The problem\n...",
}
WRITTEN_EXAMPLE = {"id": "new-case-study", "type": "case-study", "build_id": "20261126T031500-a1b2c3",
                   "counts": {"documents": 192, "chunks": 1650}}
DELETED_EXAMPLE = {"id": "new-case-study", "deleted": True, "build_id": "20261126T031700-d4e5f6",
                   "counts": {"documents": 191, "chunks": 1640}}

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


@router.get(
    "/documents/{doc_id}",
    summary="One corpus document: front matter fields and body",
    responses={200: {"content": {"application/json": {"example": DOCUMENT_EXAMPLE}}},
               404: {"description": "Unknown document (problem+json)"}},
)
def get_document(services: ServicesDep, doc_id: Annotated[str, Path(max_length=200)]) -> dict[str, Any]:
    try:
        out = _service(services).get_document(doc_id)
    except DocumentNotFound as exc:
        raise not_found("document", doc_id, "doc_id") from exc
    return out | with_learning(services, doc_id)


def _authorise(services: Services, authorization: str | None) -> None:
    token = services.settings.api_token
    if not token:
        raise ProblemError(403, "Writes disabled", "Document writes are disabled: no API token is configured.")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise ProblemError(401, "Unauthorized", "A valid bearer token is required.", field="Authorization")


async def _document_text(request: Request) -> str:
    raw = await request.body()
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise ProblemError(413, "Document too large", f"At most {MAX_DOCUMENT_BYTES} bytes.", field="body")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemError(422, "Invalid document", "The body must be UTF-8 text.", field="body") from exc
    if request.headers.get("content-type", "").split(";")[0].strip() == "application/json":
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProblemError(422, "Invalid document", f"Invalid JSON: {exc.msg}", field="body") from exc
        if not isinstance(payload, dict) or not isinstance(payload.get("content"), str):
            raise ProblemError(
                422,
                "Invalid document",
                "JSON body needs a 'content' string holding the Markdown document with its front matter.",
                field="content",
            )
        text = payload["content"]
    if not text.strip():
        raise ProblemError(422, "Invalid document", "The document is empty.", field="body")
    return text


def _write_problem(exc: Exception, doc_id: str | None = None) -> ProblemError:
    if isinstance(exc, InvalidDocument):
        first = exc.problems[0]
        return ProblemError(
            422,
            "Invalid document",
            str(exc),
            field=first[0],
            errors=[{"field": f, "line": line, "message": m} for f, line, m in exc.problems],
        )
    if isinstance(exc, DocumentExists):
        return ProblemError(
            409, "Document exists", f"Document {exc.args[0]!r} exists; use PUT to replace it.", field="id"
        )
    return not_found("document", doc_id or str(exc.args[0]), "doc_id")


def _written(services: Services, doc: Any, manifest: dict[str, Any]) -> dict[str, Any]:
    services.documents[doc.id] = doc
    schedule_graph_refresh(services)
    return {
        "id": doc.id,
        "type": doc.type,
        "build_id": manifest.get("build_id"),
        "counts": manifest.get("counts"),
    }


DOC_BODY = {
    "content": {
        "text/markdown": {"schema": {"type": "string"}},
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"content": {"type": "string"}},
                "required": ["content"],
            }
        },
    }
}


@router.post(
    "/documents",
    status_code=201,
    summary="Add a document (bearer token); reindexes incrementally",
    openapi_extra={"requestBody": DOC_BODY},
    responses={
        201: {"content": {"application/json": {"example": WRITTEN_EXAMPLE}}},
        401: {"description": "Missing or wrong token"},
        409: {"description": "Id exists"},
        422: {"description": "Invalid document (problem+json naming the field)"},
    },
)
async def create_document(
    services: ServicesDep,
    request: Request,
    response: Response,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    _authorise(services, authorization)
    text = await _document_text(request)
    try:
        doc, manifest = await _in_thread(_service(services).put_document, text, create=True)
    except (InvalidDocument, DocumentExists) as exc:
        raise _write_problem(exc) from exc
    response.headers["Location"] = f"/documents/{doc.id}"
    return _written(services, doc, manifest)


@router.put(
    "/documents/{doc_id}",
    summary="Replace a document (bearer token); reindexes incrementally",
    openapi_extra={"requestBody": DOC_BODY},
    responses={
        200: {"content": {"application/json": {"example": WRITTEN_EXAMPLE}}},
        401: {"description": "Missing or wrong token"},
        404: {"description": "Unknown document"},
        422: {"description": "Invalid document (problem+json naming the field)"},
    },
)
async def replace_document(
    services: ServicesDep,
    doc_id: str,
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    _authorise(services, authorization)
    text = await _document_text(request)
    try:
        doc, manifest = await _in_thread(_service(services).put_document, text, doc_id=doc_id)
    except (InvalidDocument, DocumentNotFound) as exc:
        raise _write_problem(exc, doc_id) from exc
    return _written(services, doc, manifest)


@router.delete(
    "/documents/{doc_id}",
    summary="Delete a document (bearer token); reindexes incrementally",
    responses={200: {"content": {"application/json": {"example": DELETED_EXAMPLE}}},
               401: {"description": "Missing or wrong token"}, 404: {"description": "Unknown document"}},
)
async def delete_document(
    services: ServicesDep, doc_id: str, authorization: Annotated[str | None, Header()] = None
) -> dict[str, Any]:
    _authorise(services, authorization)
    try:
        manifest = await _in_thread(_service(services).remove_document, doc_id)
    except (InvalidDocument, DocumentNotFound) as exc:
        raise _write_problem(exc, doc_id) from exc
    services.documents.pop(doc_id, None)
    schedule_graph_refresh(services)
    return {
        "id": doc_id,
        "deleted": True,
        "build_id": manifest.get("build_id"),
        "counts": manifest.get("counts"),
    }


async def _in_thread(func: Any, *args: Any, **kwargs: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(func, *args, **kwargs)
