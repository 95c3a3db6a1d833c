"""Provider lookups over the reference data: listing with filters, and one provider's profile."""

from __future__ import annotations

from typing import Any

from learnsys.kg.records import Assessment, Observation, Provider, ReferenceData


def provider_summary(data: ReferenceData, provider: Provider) -> dict[str, Any]:
    lin = data.lin_of(provider.ods)
    region, icb = data.regions[provider.region_code], data.icbs[provider.icb_code]
    return {
        "ods": provider.ods,
        "name": provider.name,
        "type": provider.trust_type,
        "subtype": provider.trust_subtype,
        "region": {"code": region.code, "name": region.name},
        "icb": {"code": icb.code, "name": icb.name},
        "lin": {"id": lin.id, "name": lin.name} if lin else None,
    }


def list_providers(data: ReferenceData, region: str | None = None, icb: str | None = None,
                   trust_type: str | None = None) -> list[Provider]:
    """Providers matching every given filter (region/ICB code, trust type), sorted by name."""
    out = [p for p in data.providers.values()
           if (region is None or p.region_code == region)
           and (icb is None or p.icb_code == icb)
           and (trust_type is None or p.trust_type == trust_type
                or (trust_type == "acute" and p.trust_type == "specialist-acute"))]
    return sorted(out, key=lambda p: p.name)


def latest_observations(data: ReferenceData, ods: str) -> dict[str, Observation]:
    """The latest observation of each metric for one provider."""
    latest: dict[str, Observation] = {}
    for obs in data.observations:
        if obs.provider == ods and (obs.metric not in latest or obs.period > latest[obs.metric].period):
            latest[obs.metric] = obs
    return latest


def assessments_of(data: ReferenceData, ods: str) -> list[Assessment]:
    """Newest first; official before indicative for the same period."""
    items = [a for a in data.assessments if a.provider == ods]
    return sorted(items, key=lambda a: (a.period, a.official), reverse=True)


def pick_current(assessments: list[Assessment]) -> Assessment | None:
    """The latest official assessment with a segment; failing that, the latest indicative one."""
    with_segment = [a for a in assessments if a.segment is not None]
    official = sorted((a for a in with_segment if a.official), key=lambda a: a.period)
    indicative = sorted((a for a in with_segment if not a.official), key=lambda a: a.period)
    return (official or indicative or [None])[-1]


def current_assessment(data: ReferenceData, ods: str) -> Assessment | None:
    """The assessment that applies now: official takes precedence over indicative."""
    return pick_current(assessments_of(data, ods))


def effective_segment(current: Assessment, held: list[Assessment]) -> tuple[int | None, str | None]:
    """The segment to act on: segment 5 if the provider is in the Recovery Support Programme.

    League tables carry no programme flag; the latest published flag (from the NOF data file) is used then.
    """
    if current.recovery_support is not None or not current.official:
        return current.final_segment, None
    flagged = sorted(
        (a for a in held if a.official and a.recovery_support is not None), key=lambda a: a.period
    )
    if flagged and flagged[-1].recovery_support:
        return 5, (
            f"Segment 5: in the Recovery Support Programme as published for {flagged[-1].period}; "
            f"the {current.period} record does not carry that flag."
        )
    return current.final_segment, None


def assessment_dict(item: Assessment, data: ReferenceData) -> dict[str, Any]:
    """An assessment as the API shows it; ``segment`` is the segment to act on (5 in Recovery Support)."""
    source = data.sources.get(item.source)
    return {
        "period": item.period,
        "status": "official" if item.official else "indicative",
        "official": item.official,
        "segment": item.final_segment,
        "adjusted_segment": item.segment,
        "unadjusted_segment": item.unadjusted_segment,
        "average_score": item.average_score,
        "financial_deficit": item.financial_deficit,
        "recovery_support": item.recovery_support,
        "rank": item.rank,
        "domain_scores": item.domain_scores,
        "domain_segments": item.domain_segments,
        "method": item.method,
        "source": item.source,
        "source_title": source.title if source else item.source,
        "source_url": source.url if source else None,
    }


def observation_dict(obs: Observation, data: ReferenceData) -> dict[str, Any]:
    metric = data.metrics.get(obs.metric)
    return {
        "metric": obs.metric,
        "label": metric.label if metric else obs.metric,
        "unit": metric.unit if metric else None,
        "direction": metric.direction if metric else None,
        "period": obs.period,
        "value": obs.value,
        "national_median": obs.median,
        "rank": obs.rank,
        "source": obs.source,
    }
