"""The audit trail: ``record()`` adds one row in the caller's write transaction, so change and audit commit together."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from learnsys.store.tables import AuditEvent

MAX_EVENTS = 1000


def _jsonable(value: Any) -> Any:
    return None if value is None else json.loads(json.dumps(value, default=str))


def record(session: Session, actor: str, action: str, entity_type: str, entity_id: str,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> AuditEvent:
    """Audit one change inside ``Database.write()`` (the row carries that transaction's change number)."""
    seq = session.info.get("seq")
    if seq is None:
        raise RuntimeError("audit.record needs a write transaction (Database.write())")
    event = AuditEvent(seq=seq, actor=actor, action=action, entity_type=entity_type, entity_id=str(entity_id),
                       before=_jsonable(before), after=_jsonable(after))
    session.add(event)
    return event


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def events(session: Session, *, since: datetime | None = None, actor: str | None = None,
           entity: str | None = None, limit: int = MAX_EVENTS) -> list[AuditEntry]:
    """Audit rows, oldest first. ``entity`` is a type (``document``) or ``type:id`` (``document:x``)."""
    query = select(AuditEvent).order_by(AuditEvent.seq, AuditEvent.id).limit(limit)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if entity:
        kind, _, ident = entity.partition(":")
        query = query.where(AuditEvent.entity_type == kind)
        if ident:
            query = query.where(AuditEvent.entity_id == ident)
    return [AuditEntry(e.seq, e.at.isoformat(), e.actor, e.action, e.entity_type, e.entity_id, e.before, e.after)
            for e in session.execute(query).scalars()]
