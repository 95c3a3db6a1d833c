"""The front-end contract: OpenAPI examples, problem+json errors, CORS, request ids, readiness, Prometheus.

Runs against the real uvicorn server (``live_server``) over HTTP.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from learnsys.api.problems import PROBLEM_JSON

METHODS = ("get", "post", "put", "delete", "patch")


@pytest.fixture(scope="module")
def client(live_server: Any) -> httpx.Client:
    with httpx.Client(base_url=live_server.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def openapi(client: httpx.Client) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def _has_example(node: Any, spec: dict[str, Any], seen: frozenset[str] = frozenset()) -> bool:
    """An example anywhere in a media type / schema / parameter object (following ``$ref``s)."""
    if isinstance(node, dict):
        if node.get("example") is not None or node.get("examples"):
            return True
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/") and ref not in seen:
            target: Any = spec
            for part in ref[2:].split("/"):
                target = target.get(part, {}) if isinstance(target, dict) else {}
            if _has_example(target, spec, seen | {ref}):
                return True
        return any(_has_example(v, spec, seen) for v in node.values())
    if isinstance(node, list):
        return any(_has_example(v, spec, seen) for v in node)
    return False


def test_every_path_is_versioned_and_documented(openapi: dict[str, Any]) -> None:
    paths = openapi["paths"]
    assert paths, "no operations documented"
    assert all(p.startswith("/v1/") for p in paths), [p for p in paths if not p.startswith("/v1/")]
    for required in ("/v1/search", "/v1/context", "/v1/providers/{ods}", "/v1/sparql", "/v1/health",
                     "/v1/ready", "/v1/metrics/prometheus"):
        assert required in paths, required


def test_openapi_has_an_example_for_every_endpoint(openapi: dict[str, Any]) -> None:
    missing = []
    for path, item in openapi["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            success = {code: r for code, r in operation.get("responses", {}).items() if code.startswith("2")}
            if not (_has_example(success, openapi) or _has_example(operation.get("requestBody"), openapi)
                    or _has_example(operation.get("parameters"), openapi)):
                missing.append(f"{method.upper()} {path}")
    assert not missing, f"operations without any example: {missing}"


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), [
    ("GET", "/v1/providers/ZZZ99", {}, 404),
    ("GET", "/v1/no/such/path", {}, 404),
    ("GET", "/no-such-page", {}, 404),
    ("GET", "/v1/providers?limit=0", {}, 422),
    ("GET", "/v1/search?q=", {}, 422),
    ("GET", "/v1/search?q=ae&k=abc", {}, 422),
    ("GET", "/v1/search?q=ae&priority_area=astrology", {}, 422),
    ("GET", "/v1/context?q=ae&budget=0", {}, 422),
    ("GET", "/v1/context?q=ae&region=XXX", {}, 422),
    ("GET", "/v1/context", {}, 422),
    ("GET", "/v1/concepts/no-such-scheme", {}, 404),
    ("GET", "/v1/metrics/no_such_metric", {}, 404),
    ("GET", "/v1/documents/no-such-document", {}, 404),
    ("POST", "/v1/search", {"json": {"q": "ae", "k": 0}}, 422),
    ("POST", "/v1/documents", {"content": "---\nid: x\n---\n"}, 401),
    ("DELETE", "/v1/health", {}, 405),
    ("POST", "/v1/sparql", {"content": "INSERT DATA { <a:a> <a:b> <a:c> }",
                            "headers": {"Content-Type": "application/sparql-update"}}, 403),
    ("GET", "/v1/sparql?query=SELEKT", {}, 400),
    ("GET", "/static/../app.py", {}, 404),
])
def test_every_4xx_is_problem_json(client: httpx.Client, method: str, path: str, kwargs: dict[str, Any],
                                   status: int) -> None:
    response = client.request(method, path, **kwargs)
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"]
    if status == 422:
        assert body.get("field"), body


def test_cors_allows_configured_origins_only(client: httpx.Client, services: Any) -> None:
    allowed = services.settings.cors_origins[0]
    preflight = client.options("/v1/search", headers={"Origin": allowed, "Access-Control-Request-Method": "GET",
                                                      "Access-Control-Request-Headers": "X-Request-ID"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == allowed
    simple = client.get("/v1/health", headers={"Origin": allowed})
    assert simple.headers["access-control-allow-origin"] == allowed
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()
    foreign = client.get("/v1/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in foreign.headers


def test_request_id_on_every_response(client: httpx.Client) -> None:
    for path in ("/v1/health", "/v1/providers/ZZZ99", "/", "/v1/search?q=pifu&k=1"):
        response = client.get(path)
        assert len(response.headers.get("x-request-id", "")) >= 16, path
    echoed = client.get("/v1/health", headers={"X-Request-ID": "front-end-123"})
    assert echoed.headers["x-request-id"] == "front-end-123"


def test_health_and_ready(client: httpx.Client, settings: Any) -> None:
    assert client.get("/health").json()["status"] == "ok"
    ready = client.get("/v1/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert ready.json()["documents"] > 0 and ready.json()["triples"] > 0


def test_not_ready_until_loaded(settings: Any) -> None:
    from fastapi.testclient import TestClient

    from learnsys.api.app import create_app

    app = create_app(None, settings)  # no lifespan run here: nothing is loading
    client = TestClient(app)
    response = client.get("/ready")
    assert response.status_code == 503 and response.headers["content-type"].startswith(PROBLEM_JSON)
    assert client.get("/health").status_code == 200
    busy = client.get("/v1/search?q=pifu")
    assert busy.status_code == 503 and busy.headers.get("retry-after")


def test_prometheus_metrics(client: httpx.Client) -> None:
    client.get("/v1/search?q=pifu&k=1")
    client.get("/v1/providers/RXN")
    response = client.get("/metrics/prometheus")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert '# TYPE learnsys_requests_total counter' in text
    # the route label is the route template (the /v1 path and its alias may share one label)
    assert re.search(r'learnsys_requests_total\{route="(/v1)?/search",method="GET",status="200"\} \d+', text)
    assert re.search(r'learnsys_request_seconds_bucket\{route="(/v1)?/providers/\{ods\}",method="GET",le="\+Inf"\}',
                     text)
    for gauge in ("learnsys_graph_triples", "learnsys_documents", "learnsys_providers", "learnsys_index_chunks"):
        assert f"\n{gauge} " in text, gauge
    for line in text.splitlines():  # every sample line is "name{labels} value"
        if line and not line.startswith("#"):
            float(line.rsplit(" ", 1)[1])


def test_metrics_content_negotiation(client: httpx.Client) -> None:
    """``/metrics``: JSON catalogue by default, Prometheus text when the client prefers it."""
    catalogue = client.get("/v1/metrics")
    assert catalogue.headers["content-type"].startswith("application/json") and catalogue.json()["items"]
    for accept in ("text/plain", "application/openmetrics-text; version=1.0.0,text/plain;q=0.5"):
        scraped = client.get("/metrics", headers={"Accept": accept})
        assert scraped.status_code == 200
        assert scraped.headers["content-type"].startswith("text/plain"), accept
        assert "learnsys_requests_total" in scraped.text


def test_context_passages_within_budget(client: httpx.Client) -> None:
    response = client.get("/v1/context", params={"q": "patient-initiated follow-up dermatology", "budget": 600})
    assert response.status_code == 200
    body = response.json()
    assert body["budget"] == 600 and 0 < body["used_tokens"] <= 600
    assert body["passages"] and sum(p["tokens"] for p in body["passages"]) == body["used_tokens"]
    first = body["passages"][0]
    for key in ("doc_id", "title", "providers", "source_urls", "text", "citation"):
        assert first[key], key
    assert first["doc_id"] in first["citation"] and first["title"] in first["citation"]
    small = client.get("/v1/context", params={"q": "patient-initiated follow-up", "budget": 60}).json()
    assert small["used_tokens"] <= 60 and len(small["passages"]) <= 1


def test_context_filters_match_search(client: httpx.Client) -> None:
    params = {"q": "waiting times", "priority_area": "uec", "type": "case-study"}
    context = client.get("/v1/context", params={**params, "budget": 3000}).json()
    search = client.get("/v1/search", params={**params, "k": 50}).json()
    allowed = {r["id"] for r in search["results"]}
    assert context["passages"] and {p["doc_id"] for p in context["passages"]} <= allowed
    assert context["passages"][0]["doc_id"] == search["results"][0]["id"]


def test_web_page_and_static_files(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "content-security-policy" in page.headers
    for name, kind in (("app.js", "text/javascript"), ("style.css", "text/css")):
        asset = client.get(f"/static/{name}")
        assert asset.status_code == 200 and asset.headers["content-type"].startswith(kind)
    assert "http://" not in page.text.replace("http://www.w3.org", "") and "https://" not in page.text
