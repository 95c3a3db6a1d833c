"""The SPARQL 1.1 Protocol endpoint through a real HTTP server, over the shipped data."""

from __future__ import annotations

import httpx
import pytest

SPARQL_JSON = "application/sparql-results+json"
PREFIX = "PREFIX ls: <https://w3id.org/learnsys/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


def select(server, query: str, method: str = "GET") -> list[dict]:
    if method == "GET":
        response = httpx.get(f"{server.url}/sparql", params={"query": query}, timeout=30)
    else:
        response = httpx.post(f"{server.url}/v1/sparql", content=query,
                              headers={"Content-Type": "application/sparql-query"}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(SPARQL_JSON)
    return response.json()["results"]["bindings"]


def count(server, where: str) -> int:
    rows = select(server, PREFIX + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")
    return int(rows[0]["n"]["value"])


def test_trusts_icbs_and_regions(live_server) -> None:
    assert count(live_server, "?x a/rdfs:subClassOf* ls:Provider") >= 190
    assert count(live_server, "?x a ls:IntegratedCareBoard") == 42
    assert count(live_server, "?x a ls:Region") == 7
    # every trust has exactly one region and one ICB
    rows = select(live_server, PREFIX + """
        SELECT ?t (COUNT(DISTINCT ?r) AS ?regions) (COUNT(DISTINCT ?i) AS ?icbs) WHERE {
          ?t a/rdfs:subClassOf* ls:Provider . OPTIONAL { ?t ls:region ?r } OPTIONAL { ?t ls:icb ?i } }
        GROUP BY ?t HAVING (COUNT(DISTINCT ?r) != 1 || COUNT(DISTINCT ?i) != 1)""", method="POST")
    assert rows == []


def test_official_assessments_and_monthly_observations(live_server) -> None:
    assert count(live_server, "?a a ls:OversightAssessment ; ls:official true ; ls:provider ?x") >= 190
    for metric in ("ae_4h_all", "rtt_18w_pct", "cancer_62d"):
        rows = select(live_server, PREFIX + f"""
            SELECT ?p (COUNT(DISTINCT ?period) AS ?months) WHERE {{
              ?o ls:metric <https://w3id.org/learnsys/id/metric/{metric}> ; ls:provider ?p ; ls:period ?period }}
            GROUP BY ?p HAVING (COUNT(DISTINCT ?period) >= 12)""")
        assert len(rows) >= 100, metric


def test_analyst_question_weakest_four_hour_in_north_west(live_server) -> None:
    """Acute trusts in the North West with the weakest 4-hour performance, with ICB, LIN and support."""
    rows = select(live_server, PREFIX + """
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?name ?icbName ?linName (AVG(?v) AS ?fourHour) WHERE {
          ?t a ls:AcuteTrust ; ls:region <https://w3id.org/learnsys/id/org/Y62> ; skos:prefLabel ?name ;
             ls:icb/skos:prefLabel ?icbName .
          ?lin org:hasMember ?t ; skos:prefLabel ?linName .
          ?o ls:provider ?t ; ls:metric <https://w3id.org/learnsys/id/metric/ae_4h_all> ; ls:value ?v ;
             ls:period ?p . FILTER(?p IN ("2025-05", "2025-06", "2025-07"))
        } GROUP BY ?name ?icbName ?linName ORDER BY ?fourHour LIMIT 5""")
    assert len(rows) == 5
    values = [float(r["fourHour"]["value"]) for r in rows]
    assert values == sorted(values) and 40 < values[0] < 100
    assert all("North West" in r["linName"]["value"] for r in rows)


def test_construct_returns_turtle_or_json_ld(live_server) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { BIND(<https://w3id.org/learnsys/id/org/R0A> AS ?s) ?s ?p ?o }"
    turtle = httpx.get(f"{live_server.url}/sparql", params={"query": query}, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    assert "R0A" in turtle.text
    jsonld = httpx.get(f"{live_server.url}/sparql", params={"query": query},
                       headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert jsonld.json()[0]["@id"].endswith("/org/R0A")


def test_ask(live_server) -> None:
    response = httpx.get(f"{live_server.url}/sparql",
                         params={"query": "ASK { <https://w3id.org/learnsys/id/org/Y56> ?p ?o }"})
    assert response.json() == {"head": {}, "boolean": True}


@pytest.mark.parametrize("request_kwargs", [
    {"method": "POST", "data": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
    {"method": "POST", "content": "DELETE WHERE { ?s ?p ?o }",
     "headers": {"Content-Type": "application/sparql-update"}},
    {"method": "GET", "params": {"update": "CLEAR ALL"}},
    {"method": "POST", "content": "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
     "headers": {"Content-Type": "application/sparql-query"}},
])
def test_updates_are_refused_and_change_nothing(live_server, request_kwargs) -> None:
    before = len(live_server.server.config.app.state.services.graph)
    kwargs = dict(request_kwargs)
    method = kwargs.pop("method")
    response = httpx.request(method, f"{live_server.url}/sparql", **kwargs)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == response.status_code
    assert len(live_server.server.config.app.state.services.graph) == before
    assert count(live_server, "?x ?p <urn:c>") == 0


def test_malformed_query_is_a_problem_naming_the_field(live_server) -> None:
    response = httpx.get(f"{live_server.url}/sparql", params={"query": "SELEKT nothing"})
    assert response.status_code == 400
    assert response.json()["field"] == "query"


def test_result_cap_and_time_limit(services) -> None:
    from learnsys.kg.store import QueryTimeout

    result = services.graph.query("SELECT ?s WHERE { ?s ?p ?o }", max_results=5)
    assert len(result.rows) == 5 and result.truncated
    with pytest.raises(QueryTimeout):
        services.graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout_s=0.5)
