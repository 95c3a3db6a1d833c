"""The buddy routes through a real uvicorn server: shapes, CSV, graph storage, problem bodies, OpenAPI."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from learnsys.api.app import API_ROUTERS, create_app
from learnsys.api.routes import buddies as buddy_routes
from tests.conftest import LiveServer


@pytest.fixture(scope="module")
def server(buddy_services):
    app = create_app(buddy_services)
    if buddy_routes.router not in API_ROUTERS:  # mount it here if the app does not (yet)
        for prefix in ("", "/v1"):
            app.include_router(buddy_routes.router, prefix=prefix, include_in_schema=prefix == "/v1")
    with LiveServer(app) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        yield client


def test_buddies(server):
    response = server.get("/v1/providers/rwa/buddies", params={"topic": "UEC", "k": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["provider"]["ods"] == "RWA" and body["topic"]["notation"] == "uec"
    assert len(body["buddies"]) == 3
    first = body["buddies"][0]
    assert set(first) >= {"ods", "name", "score", "factors", "evidence"}
    assert server.get("/providers/RWA/buddies", params={"topic": "uec", "k": 3}).json() == body


@pytest.mark.parametrize(
    "path,params,status,field",
    [
        ("/v1/providers/ZZZ/buddies", {"topic": "uec"}, 404, "ods"),
        ("/v1/providers/RWA/buddies", {"topic": "dentistry"}, 422, "topic"),
        ("/v1/providers/RWA/buddies", {}, 422, "topic"),
        ("/v1/providers/RWA/buddies", {"topic": "uec", "k": 0}, 422, "k"),
    ],
)
def test_buddies_problems(server, path, params, status, field):
    response = server.get(path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == field and response.json()["status"] == status


def test_assign_json_and_csv(server):
    body = {"scope": "Y63", "topic": "uec", "capacity": 2}
    result = server.post("/v1/buddies/assign", json=body)
    assert result.status_code == 200
    data = result.json()
    assert set(data) >= {"pairs", "unmatched", "total_score", "assessments"}
    assert all(set(p) >= {"mentee", "mentor", "score", "factors"} for p in data["pairs"])
    assert all(set(u) >= {"ods", "reason"} for u in data["unmatched"])
    as_csv = server.post("/v1/buddies/assign", params={"format": "csv"}, json=body)
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == len(data["pairs"]) + len(data["unmatched"])
    by_accept = server.post("/v1/buddies/assign", json=body, headers={"Accept": "text/csv"})
    assert by_accept.text == as_csv.text


@pytest.mark.parametrize(
    "body,field",
    [
        ({"scope": "Y99", "topic": "uec", "capacity": 2}, "scope"),
        ({"scope": "national", "topic": "nope", "capacity": 2}, "topic"),
        ({"scope": "national", "topic": "uec", "capacity": 0}, "capacity"),
        ({"scope": "national", "topic": "uec", "capacities": {"ZZZ": 1}}, "capacities"),
        (
            {
                "topic": "uec",
                "weights": {"complementarity": 0.9, "context": 0.9, "evidence": 0, "proximity": 0, "capacity": 0},
            },
            "weights",
        ),
    ],
)
def test_assign_problems(server, body, field):
    response = server.post("/v1/buddies/assign", json=body)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_planning_is_open_and_writes_nothing(server, buddy_services):
    response = server.post("/v1/collaboratives/plan", json={"topic": "uec", "wave_size": 33, "waves": 3})
    assert response.status_code == 200
    plan = response.json()
    assert [w["number"] for w in plan["waves"]] == [1, 2, 3] and not plan["collaborative"]["stored"]
    iri = plan["collaborative"]["iri"]
    result = buddy_services.graph.query(f"ASK {{ <{iri}> ?p ?o }}")
    assert result.to_sparql_json()["boolean"] is False  # saving needs an account (tests/store/test_plans.py)
    anonymous = server.post("/v1/collaboratives/plan", json={"topic": "uec", "store": True})
    assert anonymous.status_code == 401
    bad = server.post("/v1/collaboratives/plan", json={"topic": "uec", "family": "dental"})
    assert bad.status_code == 422 and bad.json()["field"] == "family"


def test_openapi_has_examples(server):
    spec = server.get("/openapi.json").json()
    paths = spec["paths"]
    get = paths["/v1/providers/{ods}/buddies"]["get"]
    assert get["responses"]["200"]["content"]["application/json"]["example"]["buddies"]
    for path in ("/v1/buddies/assign", "/v1/collaboratives/plan"):
        post = paths[path]["post"]
        assert post["requestBody"]["content"]["application/json"]["examples"]
        assert post["responses"]["200"]["content"]["application/json"]["example"]
