"""SPARQL 1.1 Protocol endpoint (query only): GET and POST, JSON results, Turtle or JSON-LD graphs."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import Response

from learnsys.api.deps import ServicesDep
from learnsys.api.problems import ProblemError
from learnsys.kg.store import QueryError, QueryTimeout

router = APIRouter(tags=["sparql"])

SPARQL_JSON = "application/sparql-results+json"
EXAMPLE_QUERY = ("SELECT ?region (COUNT(?trust) AS ?trusts) WHERE { ?trust a/rdfs:subClassOf* ls:Provider ; "
                 "ls:region ?region } GROUP BY ?region")


def _answer(services: ServicesDep, query: str, accept: str) -> Response:
    if not query.strip():
        raise ProblemError(400, "Missing query", "Pass a SPARQL query as 'query'.", field="query")
    if len(query) > 20_000:
        raise ProblemError(413, "Query too long", "Queries are limited to 20,000 characters.", field="query")
    try:
        result = services.graph.query(query)
    except QueryError as exc:
        raise ProblemError(400, "Malformed query", str(exc), field="query") from exc
    except QueryTimeout as exc:
        raise ProblemError(503, "Query time limit", str(exc), field="query") from exc
    headers = {"X-Result-Truncated": "true"} if result.truncated else {}
    if result.kind == "graph":
        if "json" in accept:
            return Response(result.serialize_graph("json-ld"), media_type="application/ld+json", headers=headers)
        return Response(result.serialize_graph("turtle"), media_type="text/turtle", headers=headers)
    import json

    return Response(json.dumps(result.to_sparql_json()), media_type=SPARQL_JSON, headers=headers)


def _refuse_update() -> ProblemError:
    return ProblemError(403, "Updates are not allowed",
                        "This SPARQL endpoint is read-only: SPARQL Update requests are refused and change nothing.",
                        field="update")


@router.get("/sparql", summary="SPARQL query (GET, ?query=)",
            responses={200: {"content": {SPARQL_JSON: {"example": {
                "head": {"vars": ["region", "trusts"]},
                "results": {"bindings": [{"region": {"type": "uri", "value": "https://w3id.org/learnsys/id/org/Y62"},
                                          "trusts": {"type": "literal", "value": "31"}}]}}},
                "text/turtle": {}, "application/ld+json": {}}},
                       400: {"description": "Malformed query"}, 403: {"description": "Update refused"}})
def sparql_get(services: ServicesDep, request: Request, query: str = EXAMPLE_QUERY) -> Response:
    if "update" in request.query_params:
        raise _refuse_update()
    return _answer(services, query, request.headers.get("accept", ""))


@router.post("/sparql", summary="SPARQL query (POST form or application/sparql-query body)",
             openapi_extra={"requestBody": {"content": {
                 "application/sparql-query": {"schema": {"type": "string"}, "example": EXAMPLE_QUERY},
                 "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                     "query": {"type": "string"}}}, "example": {"query": EXAMPLE_QUERY}}}}},
             responses={200: {"content": {SPARQL_JSON: {}, "text/turtle": {}, "application/ld+json": {}}},
                        400: {"description": "Malformed query"}, 403: {"description": "Update refused"},
                        415: {"description": "Unsupported body type"}})
async def sparql_post(services: ServicesDep, request: Request) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = (await request.body()).decode("utf-8", errors="replace")
    if content_type == "application/sparql-update" or "update" in request.query_params:
        raise _refuse_update()
    if content_type == "application/sparql-query":
        query = body
    elif content_type == "application/x-www-form-urlencoded":
        form = parse_qs(body)
        if "update" in form:
            raise _refuse_update()
        query = (form.get("query") or [""])[0]
    else:
        raise ProblemError(415, "Unsupported media type",
                           "Send application/sparql-query or an application/x-www-form-urlencoded form.",
                           field="content-type")
    return _answer(services, query, request.headers.get("accept", ""))
