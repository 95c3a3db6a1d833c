"""Provider and concept endpoints, and problem bodies for bad input."""

from __future__ import annotations

import httpx


def test_provider_list_filters_and_pages(live_server) -> None:
    response = httpx.get(f"{live_server.url}/v1/providers", params={"region": "Y62", "type": "acute", "limit": 5})
    body = response.json()
    assert response.status_code == 200 and body["total"] >= 10 and len(body["items"]) == 5
    assert all(item["region"]["code"] == "Y62" for item in body["items"])
    second = httpx.get(f"{live_server.url}/v1/providers",
                       params={"region": "Y62", "type": "acute", "limit": 5, "offset": 5}).json()
    assert {i["ods"] for i in second["items"]}.isdisjoint({i["ods"] for i in body["items"]})


def test_provider_profile(live_server) -> None:
    body = httpx.get(f"{live_server.url}/providers/RXN").json()
    assert body["name"].startswith("Lancashire Teaching")
    assert body["icb"]["code"] == "QE1" and body["region"]["code"] == "Y62"
    assert body["lin"]["name"].startswith("North West")
    assert any(m["metric"] == "ae_4h_all" for m in body["latest_metrics"])
    statuses = {a["status"] for a in body["assessments"]}
    assert "official" in statuses
    assert body["current_assessment"]["status"] == "official"


def test_unknown_provider_is_404_problem(live_server) -> None:
    response = httpx.get(f"{live_server.url}/providers/ZZZ99")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == "ods"


def test_bad_filter_values_are_422_problems(live_server) -> None:
    for params, field in (({"region": "Y99"}, "region"), ({"type": "hospital"}, "type"), ({"limit": "abc"}, "limit")):
        response = httpx.get(f"{live_server.url}/providers", params=params)
        assert response.status_code == 422, params
        assert response.json()["field"] == field


def test_concept_schemes(live_server) -> None:
    segments = httpx.get(f"{live_server.url}/v1/concepts/nof-segment").json()["concepts"]
    assert [c["notation"] for c in segments] == ["1", "2", "3", "4", "5"]
    assert any("NPIP" in text or "National Provider Improvement Programme" in text
               for text in segments[3]["nhseSupport"])
    terms = httpx.get(f"{live_server.url}/v1/concepts/terminology").json()["concepts"]
    assert len(terms) >= 100
    assert httpx.get(f"{live_server.url}/v1/concepts/nonsense").status_code == 404


def test_health_ready_and_request_id(live_server) -> None:
    response = httpx.get(f"{live_server.url}/health", headers={"X-Request-ID": "abc123"})
    assert response.json()["status"] == "ok" and response.headers["x-request-id"] == "abc123"
    assert httpx.get(f"{live_server.url}/v1/ready").json()["status"] == "ready"
