"""The MCP tools "how is team X doing" and "which teams improved measure M": `learnsys mcp` as a real
subprocess on the same SQLite store, answering through the same service as the API."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import anyio
import pytest

from learnsys.collaboratives.model import CollaborativeSpec, MeasureSpec, TeamSpec
from learnsys.config import REPO_ROOT, Settings
from learnsys.oversight.spc import month_range
from learnsys.store import accounts

CID = "mcp-collab"
SHIFT = [70.2, 71.8, 70.9, 72.4, 70.5, 78.1, 79.4, 80.2, 79.0, 80.7, 81.1, 79.8]
FLAT = [74.0, 75.5, 73.9, 75.1, 74.4, 75.8, 74.2, 75.0, 73.8, 75.6, 74.5, 75.2]


@pytest.fixture(scope="module")
def seeded(services: Any) -> dict[str, Any]:
    service, db = services.collaboratives, services.store
    regional = accounts.authenticate(db, accounts.create_user(db, "mcp-regional@nhs.test", "regional",
                                                              region="Y62")[1])
    admin = accounts.authenticate(db, accounts.create_user(db, "mcp-admin@nhs.test", "admin")[1])
    _, faculty = accounts.create_user(db, "mcp-faculty@nhs.test", "faculty", collaborative=CID)
    measure = MeasureSpec(id="mcp_ae", name="Four-hour performance", type="outcome", unit="%", direction="higher",
                          definition="Attendances within four hours", target=78.0)
    service.create(regional, CollaborativeSpec(id=CID, title="MCP test collaborative", priority_area="uec",
                                               region="Y62", start=date(2025, 1, 1), measures=[measure]))
    months = month_range("2025-01", "2025-12")
    for team_id, ods, series in (("mcp-a", "RBT", SHIFT), ("mcp-b", "RMC", FLAT)):
        service.enrol(regional, CID, TeamSpec(id=team_id, provider=ods, name=f"Team {team_id}"))
        text = "month,mcp_ae\n" + "\n".join(f"{m},{v}" for m, v in zip(months, series, strict=True)) + "\n"
        service.import_csv(admin, team_id, text)
    faculty_account = accounts.authenticate(db, faculty)
    return {"faculty": faculty, "summary": service.team_summary(faculty_account, "mcp-a"),
            "improved": service.improved_teams(faculty_account, "mcp_ae")}


async def _calls(settings: Settings, token: str | None) -> dict[str, Any]:
    from mcp.client import Client
    from mcp.client.stdio import StdioServerParameters

    env = {"LEARNSYS_INDEX_DIR": str(settings.index_dir), "LEARNSYS_DATABASE_URL": settings.database_url,
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO_ROOT / "src"),
           "TOKENIZERS_PARALLELISM": "false", **({"LEARNSYS_MCP_TOKEN": token} if token else {})}
    params = StdioServerParameters(command=sys.executable, args=["-m", "learnsys.cli", "mcp"], env=env,
                                   cwd=str(REPO_ROOT))
    async with Client(params, read_timeout_seconds=300) as client:
        return {"status": await client.call_tool("collaborative_team_status", {"team_id": "mcp-a"}),
                "improved": await client.call_tool("teams_improving_measure", {"measure": "mcp_ae"}),
                "unknown": await client.call_tool("collaborative_team_status", {"team_id": "no-such-team"})}


def test_tools_answer_from_the_same_service(services: Any, settings: Settings, seeded: dict[str, Any]) -> None:
    calls = anyio.run(_calls, settings, seeded["faculty"])
    status = calls["status"]
    assert not status.is_error, status.content
    assert status.structured_content == seeded["summary"]
    assert "special-cause improvement on Four-hour performance" in status.structured_content["summary"]
    improved = calls["improved"].structured_content
    assert improved == seeded["improved"] and [t["team_id"] for t in improved["teams"]] == ["mcp-a"]
    assert calls["unknown"].is_error and "no-such-team" in calls["unknown"].content[0].text


def test_without_a_token_real_teams_are_not_shown(services: Any, settings: Settings,
                                                  seeded: dict[str, Any]) -> None:
    calls = anyio.run(_calls, settings, None)
    assert calls["status"].is_error and "Unauthorized" in calls["status"].content[0].text
    assert calls["improved"].structured_content["teams"] == []
