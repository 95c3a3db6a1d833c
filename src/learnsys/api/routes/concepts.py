"""SKOS concept schemes (NOF segments, domains, priority areas, MSFs, methods, offers, terminology)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from learnsys.api.deps import ServicesDep
from learnsys.api.problems import not_found

router = APIRouter(tags=["concepts"])


@router.get("/concepts", summary="The concept schemes and how many concepts each holds",
            responses={200: {"content": {"application/json": {"example": {
                "schemes": [{"scheme": "nof-segment", "concepts": 5}]}}}}})
def list_schemes(services: ServicesDep) -> dict[str, Any]:
    return {"schemes": [{"scheme": name, "concepts": len(items)} for name, items in sorted(services.concepts.items())]}


@router.get("/concepts/{scheme}", summary="All concepts of one scheme",
            responses={200: {"content": {"application/json": {"example": {
                "scheme": "priority-area", "concepts": [{"notation": "uec", "prefLabel": "Urgent and emergency care",
                                                         "altLabels": ["UEC"]}]}}}},
                       404: {"description": "Unknown scheme (problem+json)"}})
def get_scheme(services: ServicesDep, scheme: str) -> dict[str, Any]:
    schemes = services.concepts
    if scheme not in schemes:
        raise not_found("concept scheme", scheme, "scheme")
    concepts = sorted(schemes[scheme].values(), key=lambda c: c.notation)
    return {"scheme": scheme, "concepts": [c.to_dict() for c in concepts]}
