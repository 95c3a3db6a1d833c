"""Buddy matching and improvement collaboratives: rank buddies, assign mentors, plan waves."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from learnsys.api.deps import ServicesDep
from learnsys.api.problems import ProblemError, not_found
from learnsys.buddies.assignment import UnknownScope, assign, assignment_csv
from learnsys.buddies.config import BuddyConfig, FactorWeights
from learnsys.buddies.matcher import BuddyMatcher, UnknownProvider, matcher_for
from learnsys.buddies.topics import UnknownTopic
from learnsys.buddies.waves import UnknownFamily, collaborative_iri, plan_to_ntriples, plan_waves
from learnsys.services import Services

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
    format: Annotated[Literal["json", "csv"] | None, Query(description="csv (or send Accept: text/csv)")] = None,
) -> Any:
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
    store: bool = Field(True, description="store the plan in the knowledge graph")


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
    stored = False
    if body.store and services.graph is not None and plan["waves"]:  # a collaborative needs a wave
        services.graph.add_ntriples(triples)
        stored = True
    plan["collaborative"] = {
        "iri": str(collaborative_iri(plan)),
        "stored": stored,
        "triples": triples.count(b"\n"),
    }
    return plan
