"""Oversight analytics: metric catalogue, variation, SPC charts and signals, NOF scoring, segment support."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, Field

from learnsys.api import examples
from learnsys.api.deps import ServicesDep
from learnsys.api.problems import ProblemError, not_found
from learnsys.kg.profiles import assessment_dict
from learnsys.kg.records import ReferenceData
from learnsys.oversight import charts, scoring, spc, support, variation
from learnsys.oversight.metrics import index_of, list_metrics, metric_summary

router = APIRouter(tags=["oversight"])
Month = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


def _metric(data: ReferenceData, metric_id: str, field: str = "metric_id") -> Any:
    metric = data.metrics.get(metric_id)
    if metric is None:
        raise not_found("metric", metric_id, field)
    return metric


def _provider(data: ReferenceData, ods: str) -> Any:
    provider = data.providers.get(ods.upper())
    if provider is None:
        raise not_found("provider", ods, "ods")
    return provider


@router.get("/metrics", summary="The metric catalogue: every metric with its definition, unit and direction",
            responses={200: {"content": {"application/json": {"example": examples.METRICS}}}})
def get_metrics(
    services: ServicesDep,
    granularity: Annotated[Literal["month", "quarter", "year"] | None, Query()] = None,
    prefix: Annotated[str | None, Query(max_length=20, description="id prefix, e.g. OF0 or ae_")] = None,
) -> dict[str, Any]:
    items = list_metrics(services.reference, granularity=granularity, prefix=prefix)
    return {"total": len(items), "items": items}


@router.get("/metrics/{metric_id}", summary="One metric: definition, source, periods held, targets",
            responses={200: {"content": {"application/json": {"example": examples.METRIC}}}})
def get_metric(metric_id: str, services: ServicesDep) -> dict[str, Any]:
    return metric_summary(services.reference, _metric(services.reference, metric_id))


@router.get(
    "/metrics/{metric_id}/variation",
    summary="Each trust's value, national percentile, rank within trust type and position against peers",
    responses={200: {"content": {"application/json": {"example": examples.VARIATION}, "text/csv": {}}}},
)
def get_variation(
    metric_id: str,
    services: ServicesDep,
    period: Annotated[
        str | None, Query(max_length=20, description="e.g. 2025-07 or 2025/26 Q1; default latest")
    ] = None,
    peer_group: Annotated[Literal["trust-type", "family", "region", "nearest"], Query()] = "trust-type",
    k: Annotated[int, Query(ge=1, le=50, description="peers for peer_group=nearest")] = 10,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    data = services.reference
    metric = _metric(data, metric_id)
    periods = index_of(data).periods(metric.id)
    if not periods:
        raise ProblemError(404, "No data", f"No observations are held for {metric.id!r}.", field="metric_id")
    chosen = period or periods[-1]
    if chosen not in periods:
        raise ProblemError(
            422,
            "Unknown period",
            f"{metric.id} has no data for {chosen!r}.",
            field="period",
            available=periods,
        )
    rows = variation.variation(data, metric.id, chosen, peer_group, k)
    if format == "csv":
        return PlainTextResponse(
            variation.to_csv(rows),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{metric.id}-variation.csv"'},
        )
    return {
        "metric": metric.id,
        "period": chosen,
        "unit": metric.unit,
        "direction": metric.direction,
        "peer_group": peer_group,
        "total": len(rows),
        "items": [r.__dict__ for r in rows],
    }


@router.get(
    "/providers/{ods}/spc/{metric}",
    summary="XmR chart (Making Data Count) of a provider's monthly metric; .svg or format=svg for an image",
    responses={200: {"content": {"application/json": {"example": examples.SPC}, "image/svg+xml": {}}},
               422: {"description": "series too short"}},
)
def get_spc(
    ods: str,
    metric: str,
    services: ServicesDep,
    start: Month = None,
    end: Month = None,
    target: Annotated[float | None, Query(description="override the metric's target")] = None,
    shift: Annotated[int, Query(ge=3, le=20, description="points in a shift")] = spc.SpcRules.shift,
    trend: Annotated[int, Query(ge=3, le=20, description="points in a trend")] = spc.SpcRules.trend,
    two_of_three: Annotated[bool, Query()] = True,
    min_points: Annotated[
        int, Query(ge=6, le=120, description="shortest series charted")
    ] = spc.SpcRules.min_points,
    format: Annotated[Literal["json", "svg"], Query()] = "json",
) -> Any:
    if metric.endswith(".svg"):
        metric, format = metric[:-4], "svg"
    data = services.reference
    provider = _provider(data, ods)
    m = _metric(data, metric, "metric")
    if m.granularity != "month":
        raise ProblemError(
            422,
            "Not a monthly metric",
            f"{m.id} is published by {m.granularity}; SPC charts need a monthly series.",
            field="metric",
        )
    rules = spc.SpcRules(shift=shift, trend=trend, two_of_three=two_of_three, min_points=min_points)
    try:
        chart = spc.provider_chart(data, provider.ods, m.id, start=start, end=end, target=target, rules=rules)
    except spc.SeriesTooShort as exc:
        raise ProblemError(
            422, "Series too short", str(exc), field="metric", points=exc.n, min_points=exc.minimum
        ) from exc
    if format == "svg":
        return Response(charts.render_svg(chart, f"{provider.name}: {m.label}"), media_type="image/svg+xml")
    body = chart.to_dict()
    body.update(
        name=provider.name,
        label=m.label,
        values_are=f"{m.unit} (percentages 0-100)" if m.unit == "percent" else m.unit,
        method="XmR: limits = mean +/- 2.66 x mean moving range; rules per NHS England Making Data Count",
    )
    return body


@router.get("/signals", summary="Trusts with special-cause improvement on a monthly metric (learn from them)",
            responses={200: {"content": {"application/json": {"example": examples.SIGNALS}}}})
def get_signals(
    services: ServicesDep,
    metric: Annotated[str, Query(max_length=60)] = "ae_4h_all",
    start: Month = None,
    end: Month = None,
    current_only: Annotated[bool, Query(description="only trusts whose latest point is improvement")] = False,
) -> dict[str, Any]:
    data = services.reference
    m = _metric(data, metric, "metric")
    if m.granularity != "month":
        raise ProblemError(422, "Not a monthly metric", f"{m.id} is not a monthly series.", field="metric")
    rows = spc.improving_providers(data, m.id, start=start, end=end)
    if current_only:
        rows = [r for r in rows if r["variation"].startswith("special_cause_improvement")]
    return {"metric": m.id, "start": start, "end": end, "total": len(rows), "items": rows}


@router.get(
    "/providers/{ods}/assessments",
    summary="Official and indicative NOF assessments; official ones take precedence",
    responses={200: {"content": {"application/json": {"example": examples.ASSESSMENTS}}}},
)
def get_assessments(ods: str, services: ServicesDep) -> dict[str, Any]:
    data = services.reference
    provider = _provider(data, ods)
    current, held = support.current_assessment(data, provider.ods)
    items = sorted(held, key=lambda a: (a.period, a.official), reverse=True)
    segment, note = support.effective_segment(current, held) if current else (None, None)
    return {
        "provider": provider.ods,
        "name": provider.name,
        "current": assessment_dict(current, data) if current else None,
        "current_segment": segment,
        "note": note,
        "items": [assessment_dict(a, data) for a in items],
    }


@router.get(
    "/providers/{ods}/support", summary="The support a provider's NOF segment brings (official or indicative)",
    responses={200: {"content": {"application/json": {"example": examples.SUPPORT}}}},
)
def get_support(ods: str, services: ServicesDep) -> dict[str, Any]:
    data = services.reference
    provider = _provider(data, ods)
    try:
        return support.provider_support(
            data, provider.ods, services.settings.ontology_dir, getattr(services, "graph", None)
        )
    except support.SupportTableMissing as exc:
        raise ProblemError(503, "Support table unavailable", str(exc)) from exc


class WhatIf(BaseModel):
    provider: str = Field(description="ODS code of an acute or ambulance trust", examples=["RGT"])
    changes: dict[str, float] = Field(
        description="metric id (NOF value id such as OF0013, or a series id such as ae_4h_all) -> new value",
        examples=[{"ae_4h_all": 78.0}],
    )
    period: str | None = Field(
        default=None, description="published period to start from, default the latest in the loaded data")


@router.post(
    "/score/what-if", summary="Indicative segment if some metric values changed (NOF 2025/26 method)"
)
def post_what_if(services: ServicesDep, request: Annotated[WhatIf, Body()]) -> dict[str, Any]:
    data = services.reference
    provider = _provider(data, request.provider)
    if not request.changes:
        raise ProblemError(422, "No changes", "Give at least one metric value to change.", field="changes")
    try:
        cohort = scoring.cohort_for(data, provider.ods, request.period)
    except LookupError as exc:
        field = "period" if request.period and "published" in str(exc) else "provider"
        raise ProblemError(422, "Cannot score this provider", str(exc), field=field) from exc
    accepted = {r.value_id for r in cohort.rules.values() if r.value_id and not r.use_published_score}
    aliases = scoring.SERIES_ALIASES if cohort.name == "acute" else {}
    for key in request.changes:
        if aliases.get(key, key) not in accepted:
            raise ProblemError(
                422,
                "Unknown metric",
                f"{key!r} is not a metric whose value can be changed for {cohort.name} trusts.",
                field=f"changes.{key}",
                accepted=sorted(accepted | set(aliases)),
            )
    try:
        result = scoring.what_if(data, provider.ods, request.changes, request.period)
    except LookupError as exc:
        raise ProblemError(422, "Cannot score this provider", str(exc), field="provider") from exc
    result.update(
        official=False,
        status="indicative",
        method=f"NOF 2025/26 method re-run over the {cohort.name} cohort with the changed values; "
        "ranks recomputed from values for baseline and scenario alike. Indicative only.",
    )
    return result
