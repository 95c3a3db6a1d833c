"""Saved buddy assignments and collaborative wave plans (core, no HTTP): stored per region with their
graph statements, audited, and projected into the RDF graph as one named graph each."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from learnsys.store import audit
from learnsys.store.accounts import Account
from learnsys.store.db import Database
from learnsys.store.errors import StoreError
from learnsys.store.tables import SavedPlan

ENTITY = "plan"
KINDS = ("assignment", "wave-plan")
NATIONAL = "national"


class PlanNotPermitted(StoreError, PermissionError):
    """The caller's role or region does not cover saving this plan."""

    field = "scope"


class PlanMissing(StoreError, LookupError):
    field = "plan_id"


@dataclass(frozen=True)
class Plan:
    id: str
    kind: str
    region: str
    topic: str
    iri: str
    created_by: str
    created_at: datetime
    result: dict[str, Any]

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "region": self.region, "topic": self.topic, "iri": self.iri,
                "created_by": self.created_by, "created_at": self.created_at.isoformat()}


def _plan(row: SavedPlan) -> Plan:
    return Plan(row.id, row.kind, row.region, row.topic, row.iri, row.created_by, row.created_at, row.result)


def may_save(user: Account, region: str) -> bool:
    """Regional users save plans for their own region; a national plan needs an admin."""
    return user.is_admin if region == NATIONAL else user.covers_region(region)


def plan_id(kind: str, iri: str) -> str:
    return hashlib.sha256(f"{kind}|{iri}".encode()).hexdigest()[:16]


def save(database: Database, user: Account, *, kind: str, region: str, topic: str, iri: str,
         request: dict[str, Any], result: dict[str, Any], ntriples: bytes) -> tuple[Plan, bool]:
    """Store a plan (idempotent on its IRI: the same plan saved twice is stored once). Returns the plan and
    whether it was new."""
    if kind not in KINDS:
        raise ValueError(f"unknown plan kind {kind!r}")
    if not may_save(user, region):
        raise PlanNotPermitted(f"{user.email} ({user.role}) may not save a plan for {region}: "
                               + ("national plans need an admin" if region == NATIONAL
                                  else "a regional account saves plans for its own region only"))
    with database.write() as session:
        existing = session.execute(select(SavedPlan).where(SavedPlan.iri == iri)).scalar_one_or_none()
        if existing is not None:
            return _plan(existing), False
        row = SavedPlan(id=plan_id(kind, iri), kind=kind, region=region, topic=topic, iri=iri,
                        request=json.loads(json.dumps(request)), result=json.loads(json.dumps(result)),
                        ntriples=ntriples.decode(), created_by=user.actor)
        session.add(row)
        session.flush()
        audit.record(session, user.actor, f"plan.save-{kind}", ENTITY, row.id, None,
                     {"kind": kind, "region": region, "topic": topic, "iri": iri})
        return _plan(row), True


def list_plans(database: Database, *, region: str | None = None, kind: str | None = None) -> list[Plan]:
    """Saved plans, newest first, optionally for one region or kind."""
    query = select(SavedPlan).order_by(SavedPlan.created_at.desc(), SavedPlan.id)
    if region:
        query = query.where(SavedPlan.region == region)
    if kind:
        query = query.where(SavedPlan.kind == kind)
    with database.read() as session:
        return [_plan(row) for row in session.execute(query).scalars()]


def get(database: Database, ident: str) -> Plan:
    with database.read() as session:
        row = session.get(SavedPlan, ident)
        if row is None:
            raise PlanMissing(f"no saved plan {ident!r}")
        return _plan(row)


def graph_statements(database: Database) -> list[tuple[str, bytes]]:
    """(named graph IRI, N-Triples) of every saved plan, for projection into the RDF graph."""
    with database.read() as session:
        return [(row.iri, row.ntriples.encode()) for row in session.execute(select(SavedPlan)).scalars()]


def project_all(graph: Any, database: Database | None) -> int:
    """Put every saved plan into ``graph`` (each in its own named graph); returns how many."""
    if graph is None or database is None:
        return 0
    statements = graph_statements(database)
    for name, data in statements:
        graph.replace_graph(name, data)
    return len(statements)
