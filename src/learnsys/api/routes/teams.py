"""A collaborative team's workspace: monthly values (one at a time or a CSV year), PDSA cycles, monthly
reports, faculty feedback, change points, its SPC charts, and a case-study draft from sustained improvement.

Edits use optimistic concurrency: every record has an ETag; changing an existing one needs ``If-Match``
(a stale one gets 412, none at all 428).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from learnsys.api.auth import CurrentUser, OptionalUser
from learnsys.api.deps import ServicesDep
from learnsys.api.problems import ProblemError
from learnsys.api.routes.collaboratives import collaboratives_service, run, set_etag
from learnsys.collaboratives.model import (
    SYNTHETIC_NOTE,
    CaseStudyRequest,
    ChangePointSpec,
    CycleSpec,
    FeedbackSpec,
    MeasureSpec,
    ReportSpec,
    ValueSpec,
)
from learnsys.collaboratives.submissions import submit_case_study
from learnsys.collaboratives.values_csv import values_to_csv

router = APIRouter(tags=["collaborative teams"])
MAX_CSV_BYTES = 512_000
MONTH = Annotated[str, Path(description="YYYY-MM", examples=["2025-04"])]
TeamId = Annotated[str, Path(max_length=64, examples=["demo-rxn"])]
IfMatch = Annotated[str | None, Header(alias="If-Match", description="the ETag of your last read")]
SPC_EXAMPLE = {
    "team_id": "demo-rxn", "measure": {"id": "ae_4h_all", "name": "A&E attendances within four hours (all types)",
                                       "unit": "%", "direction": "higher", "target": 78.0},
    "months": 12, "target": 78.0, "target_source": "collaborative measure",
    "variation": "special_cause_improvement_high", "assurance": "hit_and_miss",
    "cycles": [{"number": 1, "change_idea": "Clinician streaming within minutes of arrival", "start": "2025-09-05",
                "month": "2025-09", "decision": "adopt", "document_id": "guide-ed-streaming-initial-assessment"}],
    "change_points": [],
    "chart": {"mean": 74.1, "ucl": 79.3, "lcl": 68.9, "phases": [], "signals": [], "points": []},
}


def _documents(services: ServicesDep) -> set[str]:
    return set(services.documents)


@router.get("/teams/improved", summary="Which teams improved a measure (special-cause improvement), across the "
                                        "collaboratives you can see")
def improved_teams(services: ServicesDep, user: OptionalUser,
                   measure: Annotated[str, Query(min_length=1, max_length=64, examples=["ae_4h_all"])],
                   collaborative_id: Annotated[str | None, Query(max_length=64)] = None) -> dict[str, Any]:
    return run(lambda: collaboratives_service(services).improved_teams(user, measure, collaborative_id))


@router.get("/teams/{team_id}/summary", summary="How a team is doing: latest values, variation, signals, score")
def team_summary(services: ServicesDep, user: OptionalUser, team_id: TeamId) -> dict[str, Any]:
    return run(lambda: collaboratives_service(services).team_summary(user, team_id))


@router.get("/teams/{team_id}", summary="A team: aim, members by role, measures, cycles, reports")
def get_team(services: ServicesDep, user: OptionalUser, team_id: TeamId, response: Response) -> dict[str, Any]:
    out, tag = run(lambda: collaboratives_service(services).team(user, team_id))
    set_etag(response, tag)
    return out


@router.post("/teams/{team_id}/measures", status_code=201, summary="Add a measure for this team only")
def add_team_measure(services: ServicesDep, user: CurrentUser, team_id: TeamId, body: MeasureSpec) -> dict[str, Any]:
    return run(lambda: collaboratives_service(services).add_team_measure(user, team_id, body))


@router.get("/teams/{team_id}/values", summary="Every monthly value of the team (JSON or the CSV shape)")
def get_values(services: ServicesDep, user: OptionalUser, team_id: TeamId, response: Response,
               format: Annotated[Literal["json", "csv"], Query()] = "json") -> Any:
    out, tag = run(lambda: collaboratives_service(services).values(user, team_id))
    if format == "csv":
        months = sorted({v["month"] for v in out["values"]})
        measures = sorted({v["measure_id"] for v in out["values"]})
        text = values_to_csv(months, measures, {(v["month"], v["measure_id"]): v["value"] for v in out["values"]})
        return Response(text, media_type="text/csv; charset=utf-8", headers={"ETag": tag})
    set_etag(response, tag)
    return out


@router.get("/teams/{team_id}/measures/{measure_id}/values/{month}", summary="One month's value (with its ETag)")
def get_value(services: ServicesDep, user: OptionalUser, team_id: TeamId, measure_id: str, month: MONTH,
              response: Response) -> dict[str, Any]:
    out, tag = run(lambda: collaboratives_service(services).get_value(user, team_id, measure_id, month))
    set_etag(response, tag)
    return out


@router.put(
    "/teams/{team_id}/measures/{measure_id}/values/{month}",
    summary="Set one month's value (If-Match needed to change an existing one)",
    responses={201: {"description": "Created"}, 403: {"description": "Not this team's user"},
               412: {"description": "Stale If-Match"}, 428: {"description": "If-Match missing for an edit"}},
)
def put_value(services: ServicesDep, user: CurrentUser, team_id: TeamId, measure_id: str, month: MONTH,
              body: ValueSpec, response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    out, tag, created = run(lambda: collaboratives_service(services).put_value(
        user, team_id, measure_id, month, body, if_match))
    set_etag(response, tag)
    response.status_code = 201 if created else 200
    return out


@router.post(
    "/teams/{team_id}/values.csv",
    summary="Upload months of values as CSV (month,<measure_id>,...): refused whole with file:line errors",
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"},
                                                            "example": "month,ae_4h_all\n2025-04,71.2\n"}}}}
)
async def post_values_csv(services: ServicesDep, user: CurrentUser, team_id: TeamId, request: Request,
                          filename: Annotated[str, Query(max_length=200)] = "values.csv",
                          if_match: IfMatch = None) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_CSV_BYTES:
        raise ProblemError(413, "File too large", f"At most {MAX_CSV_BYTES} bytes.", field="file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemError(422, "Invalid file", "The CSV must be UTF-8 text.", field="file") from exc
    return run(lambda: collaboratives_service(services).import_csv(user, team_id, text, filename, if_match))


@router.post("/teams/{team_id}/cycles", status_code=201, summary="Log a PDSA cycle")
def add_cycle(services: ServicesDep, user: CurrentUser, team_id: TeamId, body: CycleSpec,
              response: Response) -> dict[str, Any]:
    out, tag = run(lambda: collaboratives_service(services).add_cycle(user, team_id, body, _documents(services)))
    set_etag(response, tag)
    response.headers["Location"] = f"/v1/teams/{team_id}/cycles/{out['number']}"
    return out


@router.put("/teams/{team_id}/cycles/{number}", summary="Update a PDSA cycle (If-Match)")
def update_cycle(services: ServicesDep, user: CurrentUser, team_id: TeamId, number: int, body: CycleSpec,
                 response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    out, tag = run(lambda: collaboratives_service(services).update_cycle(user, team_id, number, body, if_match,
                                                                         _documents(services)))
    set_etag(response, tag)
    return out


class ReportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    progress_score: float = Field(description="IHI progress score, 1 to 5 in steps of 0.5")
    narrative: str = Field(min_length=1, max_length=4000)


@router.get("/teams/{team_id}/reports/{month}", summary="One monthly report with feedback (and its ETag)")
def get_report(services: ServicesDep, user: OptionalUser, team_id: TeamId, month: MONTH,
               response: Response) -> dict[str, Any]:
    out, tag = run(lambda: collaboratives_service(services).get_report(user, team_id, month))
    set_etag(response, tag)
    return out


@router.put("/teams/{team_id}/reports/{month}", summary="Submit or revise the monthly report (If-Match to revise)")
def put_report(services: ServicesDep, user: CurrentUser, team_id: TeamId, month: MONTH, body: ReportBody,
               response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    try:
        spec = ReportSpec(month=month, progress_score=body.progress_score, narrative=body.narrative)
    except ValueError as exc:  # pydantic ValidationError: name the field
        err = exc.errors()[0] if hasattr(exc, "errors") else {"loc": ("month",), "msg": str(exc)}
        field = str(err["loc"][0]) if err.get("loc") else "month"
        raise ProblemError(422, "Invalid request", f"{field}: {err['msg']}", field=field) from exc
    out, tag, created = run(lambda: collaboratives_service(services).put_report(user, team_id, spec, if_match))
    set_etag(response, tag)
    response.status_code = 201 if created else 200
    return out


@router.post("/teams/{team_id}/reports/{month}/feedback", status_code=201,
             summary="Faculty feedback on a report, optionally with the agreed progress score")
def add_feedback(services: ServicesDep, user: CurrentUser, team_id: TeamId, month: MONTH,
                 body: FeedbackSpec) -> dict[str, Any]:
    return run(lambda: collaboratives_service(services).add_feedback(user, team_id, month, body))


@router.post("/teams/{team_id}/measures/{measure_id}/change-points", status_code=201,
             summary="Declare a change point: the chart's limits are recalculated from this month")
def add_change_point(services: ServicesDep, user: CurrentUser, team_id: TeamId, measure_id: str,
                     body: ChangePointSpec) -> dict[str, Any]:
    return run(lambda: collaboratives_service(services).add_change_point(user, team_id, measure_id, body))


@router.get(
    "/teams/{team_id}/measures/{measure_id}/spc",
    summary="The team's XmR chart: PDSA cycles marked, rebased at change points, variation and assurance",
    responses={200: {"content": {"application/json": {"example": SPC_EXAMPLE}, "image/svg+xml": {}}}},
)
def get_spc(services: ServicesDep, user: OptionalUser, team_id: TeamId, measure_id: str,
            format: Annotated[Literal["json", "svg"], Query()] = "json") -> Any:
    chart, demo = run(lambda: collaboratives_service(services).chart(user, team_id, measure_id))
    if format == "svg":
        title = f"{'[SYNTHETIC DEMO] ' if demo else ''}{team_id}: {chart.measure.name}"
        svg = chart.svg(title)
        if svg is None:
            raise ProblemError(409, "Too few months", chart.reason or "no chart", field="measure_id")
        return Response(svg, media_type="image/svg+xml")
    out = chart.to_dict()
    if demo:
        out["synthetic"] = SYNTHETIC_NOTE
    return out


@router.get("/teams/{team_id}/measures/{measure_id}/spc.svg", summary="The team's XmR chart as SVG",
            responses={200: {"content": {"image/svg+xml": {}}}})
def get_spc_svg(services: ServicesDep, user: OptionalUser, team_id: TeamId, measure_id: str) -> Any:
    return get_spc(services, user, team_id, measure_id, "svg")


@router.post("/teams/{team_id}/case-study", status_code=201,
             summary="Draft a case study from sustained special-cause improvement; it enters the review queue")
def post_case_study(services: ServicesDep, user: CurrentUser, team_id: TeamId, body: CaseStudyRequest,
                    request: Request) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    return run(lambda: submit_case_study(services, collaboratives_service(services), user, team_id, body, base))
