"""Providers: list with filters, one provider's profile."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from learnsys.api import examples
from learnsys.api.deps import ServicesDep
from learnsys.api.problems import ProblemError, not_found
from learnsys.kg.profiles import (
    assessment_dict,
    assessments_of,
    current_assessment,
    effective_segment,
    latest_observations,
    list_providers,
    observation_dict,
    provider_summary,
)
from learnsys.kg.records import TRUST_TYPES
from learnsys.oversight.support import provider_support

router = APIRouter(tags=["providers"])


@router.get("/providers", summary="List providers (NHS trusts) with filters",
            responses={200: {"content": {"application/json": {"example": {
                "total": 1, "offset": 0, "limit": 50, "items": [{
                    "ods": "RXN", "name": "Lancashire Teaching Hospitals NHS Foundation Trust", "type": "acute",
                    "subtype": "Acute - Teaching", "region": {"code": "Y62", "name": "North West"},
                    "icb": {"code": "QE1", "name": "Healthier Lancashire and South Cumbria"},
                    "lin": {"id": "lin-y62", "name": "North West Learning and Improvement Network"}}]}}}}})
def get_providers(
    services: ServicesDep,
    region: Annotated[str | None, Query(description="NHS England region code, e.g. Y62", max_length=3)] = None,
    icb: Annotated[str | None, Query(description="ICB code, e.g. QE1", max_length=3)] = None,
    type: Annotated[str | None, Query(description=f"Trust type: {', '.join(TRUST_TYPES)}")] = None,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    data = services.reference
    if region is not None and region not in data.regions:
        raise ProblemError(422, "Unknown region", f"No region {region!r}; use one of {', '.join(data.regions)}.",
                           field="region")
    if icb is not None and icb not in data.icbs:
        raise ProblemError(422, "Unknown ICB", f"No ICB {icb!r}.", field="icb")
    if type is not None and type not in TRUST_TYPES:
        raise ProblemError(422, "Unknown trust type", f"Use one of {', '.join(TRUST_TYPES)}.", field="type")
    items = list_providers(data, region, icb, type)
    page = items[offset:offset + limit]
    return {"total": len(items), "offset": offset, "limit": limit,
            "items": [provider_summary(data, p) for p in page]}


@router.get("/providers/{ods}", summary="One provider: organisation, latest metrics, assessments, support",
            responses={200: {"content": {"application/json": {"example": examples.PROVIDER}}},
                       404: {"description": "Unknown ODS code (problem+json)"}})
def get_provider(services: ServicesDep, ods: str) -> dict[str, Any]:
    data = services.reference
    provider = data.providers.get(ods.upper())
    if provider is None:
        raise not_found("provider", ods, "ods")
    latest = latest_observations(data, provider.ods)
    current = current_assessment(data, provider.ods)
    profile = provider_summary(data, provider)
    profile["latest_metrics"] = [observation_dict(o, data) for o in sorted(latest.values(), key=lambda o: o.metric)]
    profile["assessments"] = [assessment_dict(a, data) for a in assessments_of(data, provider.ods)]
    profile["current_assessment"] = assessment_dict(current, data) if current else None
    segment, note = effective_segment(current, assessments_of(data, provider.ods)) if current else (None, None)
    profile["current_segment"], profile["segment_note"] = segment, note
    profile["support"] = provider_support(data, provider.ods, services.settings.ontology_dir, services.graph)
    profile["context"] = {"year": data.context_year.get(provider.ods), "variables": data.context.get(provider.ods)}
    return profile
