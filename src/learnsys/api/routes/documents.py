"""Documents in the store of record, with review: submit, publish / reject, revise, withdraw, read, queue.

Any signed-in role may submit (``POST /documents``) or propose a new version (``PUT``); reviewers and admins
publish, reject and withdraw. A published document is searchable on this server when the publish call
returns, and on every other server once its change poller sees the change (``LEARNSYS_STORE_POLL_S``).
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from learnsys import published
from learnsys.api.auth import CurrentUser, OptionalUser, ReviewerUser
from learnsys.api.deps import ServicesDep
from learnsys.api.problems import ProblemError
from learnsys.collaboratives.evidence import with_learning
from learnsys.corpus.documents import DocumentError, parse_document
from learnsys.search.validation import InvalidDocument
from learnsys.services import Services
from learnsys.store import documents as doc_store

log = logging.getLogger(__name__)
router = APIRouter(tags=["documents"])
MAX_DOCUMENT_BYTES = 200_000
DocId = Annotated[str, Path(max_length=200)]
DOC_BODY = {"content": {
    "text/markdown": {"schema": {"type": "string"}},
    "application/json": {"schema": {"type": "object", "properties": {"content": {"type": "string"}},
                                    "required": ["content"]}}}}
VERSION_EXAMPLE = {"document_id": "rcb-virtual-ward", "number": 2, "status": "submitted",
                   "author": "team@rcb.nhs.uk", "submitted_at": "2026-12-02T09:10:00+00:00", "reviewer": None,
                   "reviewed_at": None, "note": None, "content_hash": "9f2c..."}
DOCUMENT_EXAMPLE = {
    "id": "bolton-pifu-dermatology", "title": "Bolton rolls out patient-initiated follow-up ...",
    "type": "case-study", "providers": ["RMC"], "priority_areas": ["elective"], "published": "2022-09",
    "summary": "Bolton NHS Foundation Trust introduced patient-initiated follow-up ...", "body": "## The problem\n...",
    "status": "published", "document_status": "published", "version": 1, "published_version": 1,
    "author": "seed:corpus", "submitted_at": "2026-12-02T08:00:00+00:00"}


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=2000, description="why, for the author")


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
            raise ProblemError(422, "Invalid document", "JSON body needs a 'content' string holding the Markdown "
                               "document with its front matter.", field="content")
        text = payload["content"]
    if not text.strip():
        raise ProblemError(422, "Invalid document", "The document is empty.", field="body")
    return text


def _problem(exc: Exception) -> ProblemError:
    if isinstance(exc, InvalidDocument):
        field, _line, _message = exc.problems[0]
        return ProblemError(422, "Invalid document", str(exc), field=field,
                            errors=[{"field": f, "line": line, "message": m} for f, line, m in exc.problems])
    if isinstance(exc, doc_store.DocumentStoreError):
        titles = {404: "Unknown document", 403: "Forbidden", 409: "Conflict"}
        return ProblemError(exc.status, titles.get(exc.status, "Refused"), str(exc), field=exc.field)
    raise exc


def _validate(services: Services, text: str, expected_id: str | None = None) -> Any:
    if services.reference is None:
        raise ProblemError(503, "Not ready", "Reference data is not loaded; cannot validate codes.")
    return published.validate_submission(text, services.store, services.settings, services.reference,
                                         expected_id=expected_id)


def _serve_now(services: Services) -> None:
    """Make this server's index match the store now; the poller rebuilds the graph (and retries on failure)."""
    try:
        published.sync(services, graph=False)
    except Exception:  # committed already: the change poller applies it at its next tick
        log.exception("refreshing the search index after a document change failed")
    if services.follower is not None:
        services.follower.poke()


def _written(version: doc_store.Version, **extra: Any) -> dict[str, Any]:
    return {"id": version.document_id, "version": version.number, "status": version.status, **extra}


@router.post("/documents", status_code=201, summary="Submit a document for review (any signed-in role)",
             openapi_extra={"requestBody": DOC_BODY},
             responses={201: {"content": {"application/json": {"example": {
                 "id": "rcb-virtual-ward", "version": 1, "status": "submitted"}}}},
                 401: {"description": "No token"}, 409: {"description": "Id exists"},
                 422: {"description": "Invalid document (problem+json naming the field)"}})
async def submit_document(services: ServicesDep, request: Request, response: Response,
                          user: CurrentUser) -> dict[str, Any]:
    text = await _document_text(request)
    try:
        doc = await run_in_threadpool(_validate, services, text)
        version = await run_in_threadpool(doc_store.submit, services.store, user, doc.id, doc.type, text)
    except (InvalidDocument, doc_store.DocumentStoreError) as exc:
        raise _problem(exc) from exc
    response.headers["Location"] = f"/v1/documents/{doc.id}"
    return _written(version, type=doc.type)


@router.put("/documents/{doc_id}", summary="Submit a new version for review; the published one stays live",
            openapi_extra={"requestBody": DOC_BODY},
            responses={200: {"content": {"application/json": {"example": {
                "id": "rcb-virtual-ward", "version": 2, "status": "submitted"}}}},
                401: {"description": "No token"}, 404: {"description": "Unknown document"},
                422: {"description": "Invalid document (problem+json naming the field)"}})
async def revise_document(services: ServicesDep, doc_id: DocId, request: Request,
                          user: CurrentUser) -> dict[str, Any]:
    text = await _document_text(request)
    try:
        doc = await run_in_threadpool(_validate, services, text, doc_id)
        version = await run_in_threadpool(doc_store.revise, services.store, user, doc_id, doc.type, text)
    except (InvalidDocument, doc_store.DocumentStoreError) as exc:
        raise _problem(exc) from exc
    return _written(version, type=doc.type)


@router.post("/documents/{doc_id}/publish", summary="Publish the pending submission (reviewer or admin)",
             responses={200: {"content": {"application/json": {"example": {
                 "id": "rcb-virtual-ward", "version": 1, "status": "published"}}}},
                 401: {"description": "No token"}, 403: {"description": "Not a reviewer"},
                 404: {"description": "Unknown document"}, 409: {"description": "Nothing to publish"}})
async def publish_document(services: ServicesDep, doc_id: DocId, user: ReviewerUser) -> dict[str, Any]:
    try:
        version = await run_in_threadpool(doc_store.publish, services.store, user, doc_id)
    except doc_store.DocumentStoreError as exc:
        raise _problem(exc) from exc
    await run_in_threadpool(_serve_now, services)
    return _written(version)


@router.post("/documents/{doc_id}/reject", summary="Reject the pending submission with a reason (reviewer or admin)",
             responses={200: {"content": {"application/json": {"example": {
                 "id": "rcb-virtual-ward", "version": 1, "status": "rejected"}}}},
                 401: {"description": "No token"}, 403: {"description": "Not a reviewer"},
                 404: {"description": "Unknown document"}, 409: {"description": "Nothing to reject"}})
async def reject_document(services: ServicesDep, doc_id: DocId, body: Rejection,
                          user: ReviewerUser) -> dict[str, Any]:
    try:
        version = await run_in_threadpool(doc_store.reject, services.store, user, doc_id, body.reason)
    except doc_store.DocumentStoreError as exc:
        raise _problem(exc) from exc
    return _written(version, reason=body.reason)


@router.delete("/documents/{doc_id}", summary="Withdraw a published document, keeping its history "
               "(reviewer or admin)",
               responses={200: {"content": {"application/json": {"example": {
                   "id": "rcb-virtual-ward", "version": 1, "status": "withdrawn"}}}},
                   401: {"description": "No token"}, 403: {"description": "Not a reviewer"},
                   404: {"description": "Unknown document"}, 409: {"description": "Not published"},
                   422: {"description": "Still an exemplar of a guide"}})
async def withdraw_document(services: ServicesDep, doc_id: DocId, user: ReviewerUser) -> dict[str, Any]:
    try:
        await run_in_threadpool(published.check_withdrawal, services.store, services.settings, doc_id)
        version = await run_in_threadpool(doc_store.withdraw, services.store, user, doc_id)
    except (InvalidDocument, doc_store.DocumentStoreError) as exc:
        raise _problem(exc) from exc
    await run_in_threadpool(_serve_now, services)
    return _written(version)


@router.get("/documents/{doc_id}", summary="One document: published to everyone; a submission to its author "
            "and reviewers",
            responses={200: {"content": {"application/json": {"example": DOCUMENT_EXAMPLE}}},
                       404: {"description": "Unknown document (problem+json)"}})
def get_document(services: ServicesDep, doc_id: DocId, user: OptionalUser) -> dict[str, Any]:
    try:
        shown = doc_store.get(services.store, doc_id, user)
    except doc_store.DocumentStoreError as exc:
        raise _problem(exc) from exc
    try:
        fields = parse_document(shown.content, doc_id).to_dict()
    except DocumentError:
        fields = {"id": shown.id, "type": shown.type}
    version = shown.version
    return {**fields, "status": version.status, "document_status": shown.document_status,
            "version": version.number, "published_version": shown.published_version, "author": version.author,
            "submitted_at": version.submitted_at.isoformat(), "content": shown.content,
            **with_learning(services, doc_id)}


@router.get("/documents/{doc_id}/versions", summary="Every version of a document with who and when",
            responses={200: {"content": {"application/json": {"example": {"id": "rcb-virtual-ward",
                                                                          "versions": [VERSION_EXAMPLE]}}}},
                       404: {"description": "Unknown document"}})
def document_versions(services: ServicesDep, doc_id: DocId, user: OptionalUser) -> dict[str, Any]:
    try:
        rows = doc_store.versions(services.store, doc_id, user)
    except doc_store.DocumentStoreError as exc:
        raise _problem(exc) from exc
    return {"id": doc_id, "versions": [v.to_dict() for v in rows]}


@router.get("/submissions", summary="The review queue: submissions waiting, oldest first (reviewer or admin)",
            responses={200: {"content": {"application/json": {"example": {"count": 1,
                                                                          "submissions": [VERSION_EXAMPLE]}}}},
                       401: {"description": "No token"}, 403: {"description": "Not a reviewer"}})
def review_queue(services: ServicesDep, user: ReviewerUser) -> dict[str, Any]:
    rows = doc_store.review_queue(services.store)
    return {"count": len(rows), "submissions": [v.to_dict() for v in rows]}
