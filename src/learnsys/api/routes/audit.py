"""The audit trail (admin): ``GET /audit?since=&actor=&entity=``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from learnsys.api.auth import AdminUser
from learnsys.api.deps import ServicesDep
from learnsys.store import audit

router = APIRouter(tags=["accounts"])


class AuditEventPublic(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    events: list[AuditEventPublic]
    count: int


AUDIT_EXAMPLE = {"count": 1, "events": [{
    "seq": 412, "at": "2026-12-02T09:14:03.120000+00:00", "actor": "reviewer@example.nhs.uk",
    "action": "document.publish", "entity_type": "document", "entity_id": "rcb-virtual-ward",
    "before": {"status": "submitted", "published_version": None},
    "after": {"status": "published", "published_version": 1}}]}


@router.get("/audit", response_model=AuditPage, summary="Audit events, oldest first (admin)",
            responses={200: {"content": {"application/json": {"example": AUDIT_EXAMPLE}}},
                       401: {"description": "No token"}, 403: {"description": "Not an admin"}})
def get_audit(
    services: ServicesDep,
    user: AdminUser,
    since: Annotated[datetime | None, Query(description="ISO date-time; events at or after it")] = None,
    actor: Annotated[str | None, Query(max_length=320, description="the actor's email")] = None,
    entity: Annotated[str | None, Query(max_length=250, description="a type (document) or type:id")] = None,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_EVENTS)] = audit.MAX_EVENTS,
) -> AuditPage:
    if since is not None and since.tzinfo is None:
        from datetime import UTC

        since = since.replace(tzinfo=UTC)
    with services.store.read() as session:
        rows = audit.events(session, since=since, actor=actor.lower() if actor else None, entity=entity,
                            limit=limit)
    return AuditPage(events=[AuditEventPublic(**vars(r)) for r in rows], count=len(rows))
