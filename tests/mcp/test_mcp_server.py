"""The MCP server, driven by the SDK's own client over stdio: `learnsys mcp` as a real subprocess."""

from __future__ import annotations

import json
import sys
from typing import Any

import anyio
import pytest

from learnsys.config import REPO_ROOT, Settings

TOOLS = {"search_practice", "get_document", "find_buddies", "provider_profile", "sparql_select"}


async def _session(settings: Settings) -> dict[str, Any]:
    from mcp.client import Client
    from mcp.client.stdio import StdioServerParameters

    env = {"LEARNSYS_INDEX_DIR": str(settings.index_dir), "LEARNSYS_DATABASE_URL": settings.database_url,
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "PYTHONPATH": str(REPO_ROOT / "src"), "TOKENIZERS_PARALLELISM": "false"}
    params = StdioServerParameters(command=sys.executable, args=["-m", "learnsys.cli", "mcp"], env=env,
                                   cwd=str(REPO_ROOT))
    out: dict[str, Any] = {"calls": {}}
    async with Client(params, read_timeout_seconds=300) as client:
        out["tools"] = (await client.list_tools()).tools
        search = await client.call_tool("search_practice", {"query": "patient-initiated follow-up", "k": 3})
        out["calls"]["search_practice"] = search
        first = search.structured_content["results"][0]["id"] if search.structured_content else "x"
        calls = {
            "get_document": {"doc_id": first},
            "find_buddies": {"ods": "RXN", "topic": "uec", "k": 3},
            "provider_profile": {"ods": "RXN"},
            "sparql_select": {"query": "SELECT ?t ?name WHERE { ?t a ls:AcuteTrust ; skos:prefLabel ?name } "
                                       "ORDER BY ?name", "limit": 5},
            "search_practice_filtered": ("search_practice", {"query": "A&E waits", "k": 2,
                                                             "priority_area": ["uec"], "type": "case-study"}),
            "get_document_unknown": ("get_document", {"doc_id": "no-such-document"}),
            "provider_profile_unknown": ("provider_profile", {"ods": "ZZZ"}),
            "sparql_update": ("sparql_select", {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}),
            "find_buddies_bad_topic": ("find_buddies", {"ods": "RXN", "topic": "astrology"}),
        }
        for key, spec in calls.items():
            name, args = spec if isinstance(spec, tuple) else (key, spec)
            out["calls"][key] = await client.call_tool(name, args)
    return out


@pytest.fixture(scope="module")
def mcp_session(services: Any, settings: Settings) -> dict[str, Any]:
    # `services` first: it builds the graph and indexes into settings.index_dir for the subprocess to load
    return anyio.run(_session, settings)


def test_lists_every_tool_with_schema_and_description(mcp_session: dict[str, Any]) -> None:
    tools = {t.name: t for t in mcp_session["tools"]}
    assert set(tools) >= TOOLS
    for name in TOOLS:
        tool = tools[name]
        assert tool.description and len(tool.description) > 80, name
        schema = tool.input_schema
        assert schema["type"] == "object" and schema["properties"], name
        for prop, spec in schema["properties"].items():
            assert spec.get("description"), f"{name}.{prop} has no description"
        assert tool.annotations is not None and tool.annotations.read_only_hint is True
    assert tools["search_practice"].input_schema["required"] == ["query"]
    assert tools["sparql_select"].input_schema["required"] == ["query"]


def _ok(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    assert json.loads(result.content[0].text) == result.structured_content
    return result.structured_content


def test_search_practice(mcp_session: dict[str, Any]) -> None:
    data = _ok(mcp_session["calls"]["search_practice"])
    assert data["total"] >= 1 and 1 <= len(data["results"]) <= 3
    top = data["results"][0]
    assert top["id"] and top["title"] and top["citation"] and top["why"]
    assert "<mark>" not in top["snippet"]
    assert any("pifu" in r["id"] or "follow-up" in r["title"].lower() for r in data["results"])
    filtered = _ok(mcp_session["calls"]["search_practice_filtered"])
    assert all(r["type"] == "case-study" and "uec" in r["priority_areas"] for r in filtered["results"])


def test_get_document(mcp_session: dict[str, Any]) -> None:
    search = mcp_session["calls"]["search_practice"].structured_content
    doc = _ok(mcp_session["calls"]["get_document"])
    assert doc["id"] == search["results"][0]["id"] and doc["body"] and doc["sources"]
    missing = mcp_session["calls"]["get_document_unknown"]
    assert missing.is_error and "no-such-document" in missing.content[0].text


def test_find_buddies(mcp_session: dict[str, Any]) -> None:
    data = _ok(mcp_session["calls"]["find_buddies"])
    assert data["provider"]["ods"] == "RXN" and data["topic"]["notation"] == "uec"
    assert data["buddies"] and all(b["ods"] != "RXN" and b["factors"] for b in data["buddies"])
    bad = mcp_session["calls"]["find_buddies_bad_topic"]
    assert bad.is_error and "astrology" in bad.content[0].text


def test_provider_profile(mcp_session: dict[str, Any]) -> None:
    data = _ok(mcp_session["calls"]["provider_profile"])
    assert data["ods"] == "RXN" and data["region"]["code"] == "Y62" and data["latest_metrics"]
    assert data["current_assessment"]["status"] in ("official", "indicative")
    missing = mcp_session["calls"]["provider_profile_unknown"]
    assert missing.is_error and "ZZZ" in missing.content[0].text


def test_sparql_select(mcp_session: dict[str, Any]) -> None:
    data = _ok(mcp_session["calls"]["sparql_select"])
    assert data["variables"] == ["t", "name"] and data["count"] == 5 and data["truncated"] is True
    assert all(row["t"].startswith("https://w3id.org/learnsys/id/org/") for row in data["rows"])
    update = mcp_session["calls"]["sparql_update"]
    assert update.is_error
