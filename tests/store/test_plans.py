"""Saved buddy assignments and wave plans: only a regional account for the region (or an admin) saves them;
they are audited, listed per region, projected into the graph, and come back after a restart (both engines)."""

from __future__ import annotations

import dataclasses

import httpx
import pyoxigraph as ox
import pytest

from learnsys.api.app import create_app
from learnsys.kg.store import GraphStore
from learnsys.store import audit, plans
from learnsys.store.db import Database
from tests.buddies.conftest import buddy_services  # noqa: F401  (the session's real buddy services)
from tests.conftest import LiveServer

LS = "https://w3id.org/learnsys/ontology#"
PLAN = {"topic": "uec", "wave_size": 10, "waves": 2, "scope": "Y63"}
ASSIGN = {"topic": "uec", "scope": "Y63", "capacity": 2}


@pytest.fixture
def api(buddy_services, database: Database):  # noqa: F811
    services = dataclasses.replace(buddy_services, store=database, graph=GraphStore(ox.Store()))
    with LiveServer(create_app(services)) as live, httpx.Client(base_url=live.url, timeout=60) as client:
        yield client, services


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ask(graph: GraphStore, pattern: str) -> bool:
    return graph.query(f"ASK {{ {pattern} }}").to_sparql_json()["boolean"]


def test_planning_is_open_but_saving_needs_the_region(api, tokens: dict[str, str], database: Database) -> None:
    client, services = api
    open_plan = client.post("/v1/collaboratives/plan", json=PLAN)
    assert open_plan.status_code == 200 and open_plan.json()["collaborative"]["stored"] is False
    iri = open_plan.json()["collaborative"]["iri"]
    assert not ask(services.graph, f"<{iri}> ?p ?o")  # planning alone writes nothing
    refused = {
        None: 401, "team": 403, "faculty": 403, "reviewer": 403, "other_regional": 403,
    }
    for who, status in refused.items():
        r = client.post("/v1/collaboratives/plan", json={**PLAN, "store": True},
                        headers=bearer(tokens[who]) if who else {})
        assert r.status_code == status, (who, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert plans.list_plans(database) == []

    saved = client.post("/v1/collaboratives/plan", json={**PLAN, "store": True}, headers=bearer(tokens["regional"]))
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["collaborative"]["stored"] and body["saved"]["new"] and body["saved"]["region"] == "Y63"
    assert ask(services.graph, f"<{iri}> a <{LS}ImprovementCollaborative> ; <{LS}wave> ?w")
    again = client.post("/v1/collaboratives/plan", json={**PLAN, "store": True}, headers=bearer(tokens["admin"]))
    assert again.json()["saved"]["new"] is False  # the same plan is stored once
    national = client.post("/v1/collaboratives/plan", json={**PLAN, "scope": "national", "store": True},
                           headers=bearer(tokens["regional"]))
    assert national.status_code == 403  # national plans need an admin

    listed = client.get("/v1/plans", params={"region": "Y63"}).json()
    assert listed["count"] == 1 and listed["plans"][0]["iri"] == iri
    assert client.get("/v1/plans", params={"region": "Y62"}).json()["count"] == 0
    one = client.get(f"/v1/plans/{listed['plans'][0]['id']}").json()
    assert one["result"]["waves"][0]["members"] == body["waves"][0]["members"]
    assert client.get("/v1/plans/nope").status_code == 404
    with database.read() as session:
        events = audit.events(session, entity="plan")
    assert [(e.action, e.actor) for e in events] == [("plan.save-wave-plan", "regional@example.nhs.uk")]


def test_assignments_are_saved_and_survive_a_restart(api, tokens: dict[str, str], database: Database) -> None:
    client, services = api
    assert client.post("/v1/buddies/assign", json={**ASSIGN, "store": True},
                       headers=bearer(tokens["other_regional"])).status_code == 403
    r = client.post("/v1/buddies/assign", json={**ASSIGN, "store": True}, headers=bearer(tokens["regional"]))
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["pairs"] and result["saved"]["kind"] == "assignment"
    iri = result["saved"]["iri"]
    mentee, mentor = result["pairs"][0]["mentee"], result["pairs"][0]["mentor"]
    pattern = (f"<{iri}> a <{LS}BuddyAssignment> ; <{LS}pairing> ?p . ?p <{LS}mentee> "
               f"<https://w3id.org/learnsys/id/org/{mentee}> ; <{LS}mentor> <https://w3id.org/learnsys/id/org/{mentor}>")
    assert ask(services.graph, pattern)
    restarted = GraphStore(ox.Store())  # a fresh graph from files knows nothing of it ...
    assert not ask(restarted, pattern)
    assert plans.project_all(restarted, Database(database.url)) == 1  # ... until the store projects it
    assert ask(restarted, pattern)
