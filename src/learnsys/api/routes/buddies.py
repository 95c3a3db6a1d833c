"""Buddy matching and improvement collaboratives: rank buddies, assign mentors, plan waves."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from learnsys.api.auth import OptionalUser, forbidden, unauthorized
from learnsys.api.deps import ServicesDep
from learnsys.api.problems import ProblemError, not_found
from learnsys.buddies.assignment import UnknownScope, assign, assignment_csv
from learnsys.buddies.assignment_graph import assignment_iri, assignment_to_ntriples
from learnsys.buddies.config import BuddyConfig, FactorWeights
from learnsys.buddies.matcher import BuddyMatcher, UnknownProvider, matcher_for
from learnsys.buddies.topics import UnknownTopic
from learnsys.buddies.waves import UnknownFamily, collaborative_iri, plan_to_ntriples, plan_waves
from learnsys.services import Services
from learnsys.store import plans as plan_store
from learnsys.store.accounts import Account

router = APIRouter(tags=["buddies"])

_FACTORS_EXAMPLE = {
    "complementarity": 0.2675,
    "context": 0.1027,
    "evidence": 0.0375,
    "proximity": 0.09,
    "capacity": 0.1333,
}
BUDDIES_EXAMPLE = {
    "provider": {
        "ods": "RWA",
        "name": "Hull University Teaching Hospitals NHS Trust",
        "family": "acute",
        "region": "Y63",
        "icb": "QOQ",
        "challenged": True,
        "assessment": {
            "segment": 4,
            "period": "2025/26 Q3",
            "status": "official",
            "source": "nof-acute-league-q3-2025-26-derived",
        },
        "headline": {"metric": "ae_4h_all", "value": 60.68, "period": "2026-05"},
        "domain_score": {"domain": "access", "score": 3.15, "period": "2025/26 Q1", "status": "official"},
    },
    "topic": {
        "notation": "uec",
        "label": "Urgent and emergency care",
        "domain": "access",
        "headline_metric": "ae_4h_all",
    },
    "eligible_candidates": 16,
    "buddies": [
        {
            "ods": "RTF",
            "name": "Northumbria Healthcare NHS Foundation Trust",
            "score": 0.631,
            "factors": _FACTORS_EXAMPLE,
            "evidence": [
                {
                    "kind": "case-study",
                    "id": "northumbria-emergency-care-hospital",
                    "title": "Northumbria's specialist emergency care hospital",
                }
            ],
            "floors": {
                "headline": {
                    "metric": "ae_4h_all",
                    "mentee": {"value": 60.68, "period": "2026-05"},
                    "mentor": {"value": 91.01, "period": "2026-05"},
                },
                "domain": {
                    "domain": "access",
                    "mentee": {"score": 3.15, "period": "2025/26 Q1"},
                    "mentor": {"score": 1.42, "period": "2025/26 Q1"},
                },
            },
            "factor_details": {
                "proximity": {
                    "value": 0.6,
                    "weight": 0.15,
                    "contribution": 0.09,
                    "data": {"same_icb": False, "same_region": True, "same_lin": True},
                }
            },
        }
    ],
}
ASSIGN_EXAMPLE = {
    "scope": "Y63",
    "topic": {"notation": "uec", "label": "Urgent and emergency care"},
    "capacity": 2,
    "assessments": "official",
    "challenged": 18,
    "mentors_available": 4,
    "pairs": [{"mentee": "RWA", "mentor": "RTF", "score": 0.631, "factors": _FACTORS_EXAMPLE}],
    "unmatched": [
        {
            "ods": "RCD",
            "name": "Harrogate and District NHS Foundation Trust",
            "reason": "all 3 eligible mentors (RTF, RVW, R0B) are at capacity",
        }
    ],
    "total_score": 4.5123,
    "baseline": {"method": "greedy: best-scoring pair first", "pairs": 8, "total_score": 4.4012},
}
PLAN_EXAMPLE = {
    "topic": {"notation": "uec", "label": "Urgent and emergency care"},
    "scope": "national",
    "family": "acute",
    "wave_size": 33,
    "assessments": "official",
    "cohort": {
        "providers": 134,
        "with_topic_data": 124,
        "median_position": 0.489,
        "participants": 102,
        "scheduled": 99,
    },
    "waves": [
        {
            "number": 1,
            "size": 33,
            "regions": {"Y56": 4, "Y60": 7},
            "members": [{"ods": "RXN", "region": "Y62", "segment": 3, "position": 0.49}],
            "faculty": [{"ods": "RTF", "region": "Y63", "segment": 1, "position": 0.93}],
        }
    ],
    "intensive_support": [{"ods": "RWA", "segment": 4, "reason": "segment 4 and in the bottom 15% on the topic"}],
    "later_waves": [],
    "no_topic_data": [{"ods": "RBV", "reason": "no recent value on the headline measure"}],
    "collaborative": {
        "iri": "https://w3id.org/learnsys/id/collaborative/uec/national-acute-1a2b3c4d5e",
        "stored": True,
        "triples": 143,
    },
}


def _problem(status: int, title: str, detail: str, field: str) -> ProblemError:
    return ProblemError(status, title, detail, field=field)


def _matcher(services: Services, weights: FactorWeights | None = None) -> BuddyMatcher:
    return matcher_for(services, BuddyConfig(weights=weights) if weights else None)


def _run(call: Any) -> Any:
    """Map the buddy subsystem's lookups onto problem responses naming the field."""
    try:
        return call()
    except UnknownProvider as exc:
        raise not_found("provider", exc.ods, "ods") from exc
    except UnknownTopic as exc:
        raise _problem(422, "Unknown topic", str(exc), "topic") from exc
    except UnknownScope as exc:
        raise _problem(422, "Unknown scope", str(exc), "scope") from exc
    except UnknownFamily as exc:
        raise _problem(422, "Unknown family", str(exc), "family") from exc


@router.get(
    "/providers/{ods}/buddies",
    summary="Rank buddy trusts for a provider on a topic, with reasons",
    responses={
        200: {"content": {"application/json": {"example": BUDDIES_EXAMPLE}}},
        404: {"description": "Unknown ODS code (problem+json, field `ods`)"},
        422: {"description": "Unknown topic or bad k (problem+json naming the field)"},
    },
)
def get_buddies(
    services: ServicesDep,
    ods: str,
    topic: Annotated[
        str,
        Query(min_length=1, max_length=80, description="priority area notation or label", examples=["uec"]),
    ],
    k: Annotated[int, Query(ge=1, le=50, description="how many buddies")] = 5,
) -> dict[str, Any]:
    return _run(lambda: _matcher(services).rank(ods, topic, k))


class AssignRequest(BaseModel):
    """Pair every challenged provider in scope with a mentor."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"scope": "Y63", "topic": "uec", "capacity": 2}]}
    )

    topic: str = Field(min_length=1, max_length=80, description="priority area notation or label")
    scope: str = Field("national", max_length=20, description="region code (e.g. Y62) or 'national'")
    capacity: int = Field(2, ge=1, le=50, description="mentees per mentor")
    capacities: dict[str, int] | None = Field(None, description="per-mentor capacity overrides by ODS code")
    mentors_from: Literal["scope", "national"] = Field("scope", description="where mentors may come from")
    weights: FactorWeights | None = Field(None, description="factor weights (sum to 1); default from config")
    format: Literal["json", "csv"] | None = Field(None, description="csv for regional teams")
    store: bool = Field(False, description="save the assignment in the store of record and the graph "
                                           "(a regional account for that region, or admin)")


@router.post(
    "/buddies/assign",
    summary="Assign mentors to every challenged provider in scope (min-cost flow)",
    responses={
        200: {
            "content": {
                "application/json": {"example": ASSIGN_EXAMPLE},
                "text/csv": {
                    "example": "status,mentee,mentee_name,mentor,...\npaired,RWA,Hull ...,RTF,Northumbria ...\n"
                },
            }
        },
        422: {"description": "Unknown topic or scope, bad capacity (problem+json naming the field)"},
    },
)
def post_assign(
    services: ServicesDep,
    request: Request,
    body: Annotated[
        AssignRequest,
        Body(
            openapi_examples={
                "regional": {
                    "summary": "North East and Yorkshire, UEC, two mentees each",
                    "value": {"scope": "Y63", "topic": "uec", "capacity": 2},
                },
                "national-csv": {
                    "summary": "National elective assignment as CSV",
                    "value": {"scope": "national", "topic": "elective", "capacity": 3, "format": "csv"},
                },
            }
        ),
    ],
    user: OptionalUser,
    format: Annotated[Literal["json", "csv"] | None, Query(description="csv (or send Accept: text/csv)")] = None,
) -> Any:
    if body.store:
        _may_save(user, body.scope)
    if body.capacities:
        unknown = sorted(c for c in body.capacities if c.upper() not in services.reference.providers)
        if unknown:
            raise _problem(
                422,
                "Unknown provider",
                f"capacities name unknown ODS codes: {', '.join(unknown)}",
                "capacities",
            )
        if any(v < 0 for v in body.capacities.values()):
            raise _problem(422, "Invalid capacity", "capacities must be 0 or more", "capacities")
    caps = {c.upper(): v for c, v in (body.capacities or {}).items()}
    result = _run(
        lambda: assign(_matcher(services, body.weights), body.topic, body.scope, body.capacity, caps, body.mentors_from)
    )
    if body.store and user is not None:
        result["saved"] = _save(services, user, "assignment", result["scope"], result["topic"]["notation"],
                                str(assignment_iri(result)), body.model_dump(), result,
                                assignment_to_ntriples(result))
    wanted = format or body.format
    if wanted == "csv" or (wanted is None and "text/csv" in request.headers.get("accept", "")):
        name = f"buddies-{result['scope']}-{result['topic']['notation']}.csv".lower()
        return Response(
            assignment_csv(result),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return result


class PlanRequest(BaseModel):
    """Plan a structured improvement collaborative in waves."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"topic": "uec", "wave_size": 33, "waves": 3}]}
    )

    topic: str = Field(min_length=1, max_length=80)
    wave_size: int = Field(33, ge=1, le=200, description="trusts per wave (the ESC ran 30-35)")
    waves: int = Field(3, ge=1, le=20)
    scope: str = Field("national", max_length=20, description="region code or 'national'")
    family: str | None = Field(None, description="trust-type family; default the one the topic fits")
    faculty_per_wave: int | None = Field(None, ge=0, le=50)
    store: bool = Field(False, description="save the plan in the store of record and the graph "
                                           "(a regional account for that region, or admin)")


@router.post(
    "/collaboratives/plan",
    summary="Plan improvement collaborative waves (middle of the pack first)",
    responses={
        200: {"content": {"application/json": {"example": PLAN_EXAMPLE}}},
        422: {"description": "Unknown topic, scope or family (problem+json naming the field)"},
    },
)
def post_plan(
    services: ServicesDep,
    user: OptionalUser,
    body: Annotated[
        PlanRequest,
        Body(
            openapi_examples={
                "uec": {
                    "summary": "Urgent and emergency care, three waves of 33",
                    "value": {"topic": "uec", "wave_size": 33, "waves": 3},
                }
            }
        ),
    ],
) -> dict[str, Any]:
    if body.store:
        _may_save(user, body.scope)
    plan = _run(
        lambda: plan_waves(
            _matcher(services),
            body.topic,
            body.wave_size,
            body.waves,
            body.scope,
            body.family,
            body.faculty_per_wave,
        )
    )
    triples = plan_to_ntriples(plan)
    iri = str(collaborative_iri(plan))
    saved = None
    if body.store and user is not None and plan["waves"]:  # a collaborative needs a wave
        saved = _save(services, user, "wave-plan", plan["scope"], plan["topic"]["notation"], iri,
                      body.model_dump(), plan, triples)
    plan["collaborative"] = {"iri": iri, "stored": saved is not None, "triples": triples.count(b"\n")}
    if saved:
        plan["saved"] = saved
    return plan


def _may_save(user: Account | None, scope: str) -> None:
    """Saving needs an account whose role and region cover the plan's scope (planning alone stays open)."""
    if user is None:
        raise unauthorized("Saving a plan needs a bearer token (planning without `store` needs none).")
    if not plan_store.may_save(user, scope):
        raise forbidden(f"{user.email} ({user.role}) may not save a plan for {scope}: a regional account saves "
                        "its own region's plans, an admin national ones.")


def _save(services: Services, user: Account, kind: str, region: str, topic: str, iri: str,
          request: dict[str, Any], result: dict[str, Any], triples: bytes) -> dict[str, Any]:
    if services.store is None:
        raise ProblemError(503, "Store unavailable", "The store of record is not open.")
    plan, new = plan_store.save(services.store, user, kind=kind, region=region, topic=topic, iri=iri,
                                request=request, result=result, ntriples=triples)
    if services.graph is not None:
        services.graph.replace_graph(plan.iri, triples)
    return {**plan.summary(), "new": new}


PLAN_SUMMARY_EXAMPLE = {
    "id": "3f1c9a0d5b7e2a41",
    "kind": "wave-plan",
    "region": "Y63",
    "topic": "uec",
    "iri": "https://w3id.org/learnsys/id/collaborative/uec/y63-acute-1a2b3c4d5e",
    "created_by": "regional@example.nhs.uk",
    "created_at": "2026-12-02T21:40:00+00:00",
}


@router.get("/plans", summary="Saved buddy assignments and wave plans, newest first (per region)",
            responses={200: {"content": {"application/json": {"example": {
                "count": 1, "plans": [PLAN_SUMMARY_EXAMPLE]}}}}})
def list_plans(
    services: ServicesDep,
    region: Annotated[str | None, Query(max_length=20, description="region code or 'national'")] = None,
    kind: Annotated[Literal["assignment", "wave-plan"] | None, Query()] = None,
) -> dict[str, Any]:
    if services.store is None:
        raise ProblemError(503, "Store unavailable", "The store of record is not open.")
    items = [p.summary() for p in plan_store.list_plans(services.store, region=region, kind=kind)]
    return {"count": len(items), "plans": items}


@router.get("/plans/{plan_id}", summary="One saved plan with its full result",
            responses={200: {"content": {"application/json": {"example": {
                **PLAN_SUMMARY_EXAMPLE, "result": PLAN_EXAMPLE}}}},
                       404: {"description": "No saved plan with that id (problem+json)"}})
def get_plan(services: ServicesDep, plan_id: Annotated[str, Path(max_length=40)]) -> dict[str, Any]:
    if services.store is None:
        raise ProblemError(503, "Store unavailable", "The store of record is not open.")
    try:
        plan = plan_store.get(services.store, plan_id)
    except plan_store.PlanMissing:
        raise not_found("plan", plan_id, "plan_id") from None
    return {**plan.summary(), "result": plan.result}
