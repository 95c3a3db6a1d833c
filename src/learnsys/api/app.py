"""The FastAPI application: versioned routers over one ``Services`` object."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, PlainTextResponse

from learnsys import __version__, web
from learnsys.api.observability import RequestMetrics, install_observability
from learnsys.api.problems import PROBLEM_JSON, ProblemError, install_problem_handlers
from learnsys.api.routes import (
    accounts,
    audit,
    buddies,
    collaboratives,
    concepts,
    context,
    documents,
    oversight,
    providers,
    search,
    sparql,
    teams,
)
from learnsys.config import Settings, get_settings
from learnsys.services import Services

log = logging.getLogger(__name__)
API_ROUTERS: list[APIRouter] = [providers.router, concepts.router, sparql.router, oversight.router, search.router,
                                 context.router, buddies.router, accounts.router, audit.router, documents.router,
                                 collaboratives.router, teams.router]
OPEN_WHILE_LOADING = {"/health", "/ready", "/v1/health", "/v1/ready", "/openapi.json", "/docs", "/"}
PROMETHEUS_EXAMPLE = (
    '# TYPE learnsys_requests_total counter\n'
    'learnsys_requests_total{route="/search",method="GET",status="200"} 12\n'
    '# TYPE learnsys_graph_triples gauge\nlearnsys_graph_triples 415932\n')
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["type", "title", "status"], "additionalProperties": True,
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"}, "instance": {"type": "string"},
                   "field": {"type": ["string", "null"]}},
}
DESCRIPTION = """learnsys: the knowledge graph and best-practice search service of the NHS improvement system.

Every path is versioned under `/v1`; the unversioned paths are aliases. Errors are RFC 9457
`application/problem+json` bodies naming the offending field."""


def create_app(services: Services | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the app. Without ``services`` it loads (building on first start) in the background."""
    settings = settings or (services.settings if services else get_settings())
    metrics = RequestMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.services is None:
            threading.Thread(target=_load, args=(app, settings), daemon=True, name="learnsys-load").start()
        yield

    app = FastAPI(title="learnsys API", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.services = services
    app.state.load_error = None
    app.state.metrics = metrics
    install_problem_handlers(app)
    install_observability(app, metrics)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
                       allow_headers=["*"], expose_headers=["X-Request-ID"])

    @app.middleware("http")
    async def _require_services(request: Request, call_next: Any) -> Any:
        path = request.url.path
        if app.state.services is None and path not in OPEN_WHILE_LOADING and not path.startswith("/static"):
            problem = ProblemError(503, "Starting up", "The graph and indexes are still loading; retry shortly.")
            return JSONResponse(problem.body(path), status_code=503, media_type=PROBLEM_JSON,
                                headers={"Retry-After": "5"})
        return await call_next(request)

    @app.middleware("http")
    async def _prometheus_by_accept(request: Request, call_next: Any) -> Any:
        """``GET /metrics`` is the metric catalogue (JSON) unless the client asks for Prometheus text."""
        if request.method == "GET" and request.url.path in ("/metrics", "/v1/metrics") and \
                _wants_prometheus(request.headers.get("accept", "")):
            return PlainTextResponse(metrics.render(_gauges(app.state.services)),
                                     media_type="text/plain; version=0.0.4")
        return await call_next(request)

    system = APIRouter(tags=["system"])

    @system.get("/health", summary="Liveness: the process is up",
                responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}})
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @system.get("/ready", summary="Readiness: the graph and indexes are loaded",
                responses={200: {"content": {"application/json": {"example": {"status": "ready"}}}},
                           503: {"description": "Still loading (problem+json)"}})
    def ready(request: Request) -> Any:
        loaded: Services | None = request.app.state.services
        if loaded is None or not loaded.ready:
            detail = str(request.app.state.load_error or "the graph and indexes are loading")
            problem = ProblemError(503, "Not ready", detail)
            return JSONResponse(problem.body("/ready"), status_code=503, media_type=PROBLEM_JSON)
        return {"status": "ready", "triples": len(loaded.graph) if loaded.graph else 0,
                "documents": len(loaded.documents)}

    @system.get("/metrics/prometheus", summary="Prometheus metrics: requests, latencies, graph and index sizes",
                response_class=PlainTextResponse,
                responses={200: {"content": {"text/plain": {"example": PROMETHEUS_EXAMPLE}}}})
    def prometheus(request: Request) -> PlainTextResponse:
        return PlainTextResponse(metrics.render(_gauges(request.app.state.services)),
                                 media_type="text/plain; version=0.0.4")

    install_problem_openapi(app)
    app.include_router(web.router)
    for prefix in ("", "/v1"):
        app.include_router(system, prefix=prefix, include_in_schema=prefix == "/v1")
        for router in API_ROUTERS:
            app.include_router(router, prefix=prefix, include_in_schema=prefix == "/v1")
    return app


def install_problem_openapi(app: FastAPI) -> None:
    """Document every 4xx/5xx response as an RFC 9457 problem body in the OpenAPI schema."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = PROBLEM_SCHEMA
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for item in schema["paths"].values():
            for operation in item.values():
                responses = operation.get("responses") if isinstance(operation, dict) else None
                if responses is None:
                    continue
                for code, response in responses.items():
                    if code[0] in "45":
                        response["content"] = problem
                responses.setdefault("4XX", {"description": "Client error (RFC 9457 problem details)",
                                             "content": problem})
                responses.setdefault("5XX", {"description": "Not ready, time limit or server error",
                                             "content": problem})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _wants_prometheus(accept: str) -> bool:
    """Prometheus scrapers ask for text/plain or OpenMetrics; browsers and JSON clients do not put them first."""
    first = accept.split(",")[0].split(";")[0].strip().lower()
    return first in ("text/plain", "application/openmetrics-text")


def _gauges(services: Services | None) -> dict[str, float]:
    if services is None:
        return {"ready": 0}
    gauges: dict[str, float] = {"ready": float(services.ready), "documents": len(services.documents),
                                "providers": len(services.reference.providers),
                                "observations": len(services.reference.observations)}
    if services.graph is not None:
        gauges["graph_triples"] = len(services.graph)
    if services.search is not None:
        gauges["index_chunks"] = services.search.status()["chunks"]
    return gauges


def _load(app: FastAPI, settings: Settings) -> None:
    from learnsys.pipeline import load_services

    try:
        app.state.services = load_services(settings, progress=lambda m: print(f"[learnsys] {m}", flush=True))
    except Exception as exc:  # surfaced through /ready
        log.exception("loading failed")
        app.state.load_error = exc
        print(f"[learnsys] loading failed: {exc}", flush=True)
