"""Authorisation dependencies over a real HTTP server and a real database: 401, 403, /v1/me, /v1/audit."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import APIRouter, Depends

from learnsys.api.app import create_app
from learnsys.api.auth import require_faculty, require_regional, require_team
from learnsys.config import Settings
from learnsys.services import Services
from learnsys.store import accounts
from tests.conftest import LiveServer


@pytest.fixture
def server(database, reference, tokens) -> Iterator[str]:
    services = Services(settings=Settings(), reference=reference, graph=None, ready=True, store=database)
    app = create_app(services)
    scoped = APIRouter()  # the scope dependencies as a subsystem would use them

    @scoped.post("/v1/test/regions/{region}", dependencies=[Depends(require_regional())])
    def regional_write(region: str) -> dict:
        return {"ok": region}

    @scoped.post("/v1/test/providers/{ods}", dependencies=[Depends(require_team())])
    def team_write(ods: str) -> dict:
        return {"ok": ods}

    @scoped.post("/v1/test/collaboratives/{collaborative_id}",
                 dependencies=[Depends(require_faculty(region_of=lambda s, c: "Y63" if c.endswith("y63") else None))])
    def faculty_write(collaborative_id: str) -> dict:
        return {"ok": collaborative_id}

    app.include_router(scoped)
    with LiveServer(app) as live:
        yield live.url


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_me_needs_a_valid_token(server: str, tokens: dict[str, str], database) -> None:
    r = httpx.get(f"{server}/v1/me")
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["www-authenticate"] == "Bearer" and r.json()["field"] == "Authorization"
    for header in ("Bearer nope", "Basic dXNlcjpwdw==", f"Bearer {tokens['team']}x"):
        assert httpx.get(f"{server}/v1/me", headers={"Authorization": header}).status_code == 401, header
    r = httpx.get(f"{server}/v1/me", headers=bearer(tokens["team"]))
    assert r.status_code == 200
    assert r.json() == {"email": "team@example.nhs.uk", "role": "team", "scope": {"provider": "RCB"}}
    accounts.revoke_user(database, "team@example.nhs.uk")
    assert httpx.get(f"{server}/v1/me", headers=bearer(tokens["team"])).status_code == 401


def test_audit_is_for_admins(server: str, tokens: dict[str, str]) -> None:
    assert httpx.get(f"{server}/v1/audit").status_code == 401
    for role in ("reviewer", "regional", "faculty", "team"):
        r = httpx.get(f"{server}/v1/audit", headers=bearer(tokens[role]))
        assert r.status_code == 403 and r.json()["title"] == "Forbidden", role
    r = httpx.get(f"{server}/v1/audit", headers=bearer(tokens["admin"]), params={"entity": "user:team@example.nhs.uk"})
    assert r.status_code == 200
    events = r.json()["events"]
    assert [(e["action"], e["after"]["scope"]) for e in events] == [("user.create", {"provider": "RCB"})]
    assert httpx.get(f"{server}/v1/audit", headers=bearer(tokens["admin"]),
                     params={"since": "2999-01-01T00:00:00Z"}).json()["count"] == 0
    assert httpx.get(f"{server}/v1/audit", headers=bearer(tokens["admin"]),
                     params={"actor": "nobody@nhs.net"}).json()["count"] == 0
    r = httpx.get(f"{server}/v1/audit", headers=bearer(tokens["admin"]), params={"since": "yesterday"})
    assert r.status_code == 422 and r.json()["field"] == "since"


@pytest.mark.parametrize(("path", "allowed", "refused"), [
    ("/v1/test/regions/Y63", {"admin", "regional"}, {"reviewer", "faculty", "team", "other_regional"}),
    ("/v1/test/providers/RCB", {"admin", "regional", "team"}, {"reviewer", "faculty", "other_team", "other_regional"}),
    ("/v1/test/collaboratives/uec-y63", {"admin", "regional", "faculty"},
     {"reviewer", "team", "other_team", "other_regional"}),
])
def test_scope_dependencies(server: str, tokens: dict[str, str], path: str, allowed: set, refused: set) -> None:
    assert httpx.post(f"{server}{path}").status_code == 401
    for role in allowed:
        assert httpx.post(f"{server}{path}", headers=bearer(tokens[role])).status_code == 200, role
    for role in refused:
        r = httpx.post(f"{server}{path}", headers=bearer(tokens[role]))
        assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json"), role
