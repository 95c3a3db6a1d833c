"""The oversight routes through a real uvicorn server, including problem bodies."""

from __future__ import annotations

import httpx


def get(server, path: str, **params) -> httpx.Response:
    return httpx.get(f"{server.url}{path}", params=params, timeout=30)


def assert_problem(response: httpx.Response, status: int, field: str | None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    if field is not None:
        assert response.json()["field"] == field


def test_metric_catalogue(oversight_server) -> None:
    body = get(oversight_server, "/v1/metrics").json()
    ids = {m["id"] for m in body["items"]}
    assert {"ae_4h_all", "ae_4h_type1", "ae_12h_dta", "ae_12h_dta_per_1000", "rtt_18w_pct", "OF0013"} <= ids
    one = get(oversight_server, "/metrics/ae_4h_all").json()
    assert one["direction"] == "higher" and one["unit"] == "percent" and one["granularity"] == "month"
    assert [t["value"] for t in one["targets"]] == [78.0, 82.0]
    assert_problem(get(oversight_server, "/metrics/nope"), 404, "metric_id")


def test_variation_json_csv_and_bad_period(oversight_server) -> None:
    body = get(oversight_server, "/metrics/ae_4h_all/variation", period="2025-07").json()
    assert body["period"] == "2025-07" and body["total"] > 100
    csv_response = get(oversight_server, "/metrics/ae_4h_all/variation", period="2025-07", format="csv")
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert csv_response.text.startswith("provider,")
    assert_problem(get(oversight_server, "/metrics/ae_4h_all/variation", period="1999-01"), 422, "period")
    assert_problem(
        get(oversight_server, "/metrics/ae_4h_all/variation", peer_group="postcode"), 422, "peer_group"
    )


def test_spc_chart_json_and_svg(oversight_server) -> None:
    body = get(oversight_server, "/v1/providers/RGT/spc/ae_4h_all", start="2024-06", end="2025-07").json()
    assert len(body["points"]) == 14 and body["unit"] == "percent" and "percent" in body["values_are"]
    assert body["ucl"] > body["mean"] > body["lcl"] and body["target"] == 78.0
    assert body["assurance"] in ("consistently_pass", "consistently_fail", "hit_and_miss")
    svg = get(oversight_server, "/providers/RGT/spc/ae_4h_all.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and svg.text.startswith("<svg")
    assert get(oversight_server, "/providers/RGT/spc/ae_4h_all", format="svg").text.startswith("<svg")


def test_spc_problems(oversight_server) -> None:
    assert_problem(get(oversight_server, "/providers/ZZZ/spc/ae_4h_all"), 404, "ods")
    assert_problem(get(oversight_server, "/providers/RGT/spc/nope"), 404, "metric")
    short = get(oversight_server, "/providers/RGT/spc/ae_4h_all", start="2025-01", end="2025-07")
    assert_problem(short, 422, "metric")
    assert short.json()["title"] == "Series too short" and short.json()["points"] == 7
    assert_problem(get(oversight_server, "/providers/RGT/spc/OF0013"), 422, "metric")
    assert_problem(get(oversight_server, "/providers/RGT/spc/ae_4h_all", start="2025-13"), 422, "start")


def test_signals(oversight_server) -> None:
    body = get(oversight_server, "/signals", metric="ae_4h_all", start="2024-06", end="2025-07").json()
    assert body["total"] > 0 and all(r["improvement_signals"] for r in body["items"])
    current = get(
        oversight_server, "/signals", metric="ae_4h_all", start="2024-06", end="2025-07", current_only="true"
    ).json()
    assert 0 < current["total"] <= body["total"]
    assert_problem(get(oversight_server, "/signals", metric="nope"), 404, "metric")


def test_assessments_and_support(oversight_server) -> None:
    body = get(oversight_server, "/providers/RGT/assessments").json()
    assert body["current"]["official"] is True
    statuses = {a["status"] for a in body["items"]}
    assert statuses == {"official", "indicative"}
    assert all(a["official"] is False for a in body["items"] if a["status"] == "indicative")
    support = get(oversight_server, "/providers/RX9/support").json()
    assert support["status"] == "indicative" and support["support"]["offers"]
    assert_problem(get(oversight_server, "/providers/ZZZ/support"), 404, "ods")


def test_what_if(oversight_server) -> None:
    url = f"{oversight_server.url}/score/what-if"
    body = httpx.post(url, json={"provider": "RGT", "changes": {"ae_4h_all": 78}}, timeout=30).json()
    assert body["official"] is False and body["scenario"]["metric_scores"]["OF1013"] == 1.0
    assert_problem(httpx.post(url, json={"provider": "RGT", "changes": {"bogus": 1}}), 422, "changes.bogus")
    assert_problem(httpx.post(url, json={"provider": "ZZZ", "changes": {"OF0013": 1}}), 404, "ods")
    assert_problem(httpx.post(url, json={"provider": "RGT"}), 422, "changes")
    assert_problem(httpx.post(url, json={"provider": "RV3", "changes": {"OF0013": 1}}), 422, "provider")


def test_variation_of_a_nof_metric_by_quarter(oversight_server) -> None:
    body = get(oversight_server, "/metrics/OF0013/variation", period="2025/26 Q1", peer_group="region").json()
    assert body["total"] == 123 and body["direction"] == "higher"
    assert all(r["trust_type"] in ("acute", "specialist-acute") for r in body["items"])
