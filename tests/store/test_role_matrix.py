"""Every document-review and audit endpoint against every role, over a real server and store (both engines):
no token 401, a role that does not cover the action 403, the roles that do 2xx. (Plan saves:
tests/store/test_plans.py; collaborative and team writes: tests/collaboratives/test_api_flow.py.)"""

from __future__ import annotations

from pathlib import Path

import httpx

from learnsys.store.db import Database
from tests.store.test_documents import fixture_settings, new_case
from tests.store.test_documents_api import start

ROLES = ["admin", "reviewer", "regional", "other_regional", "faculty", "team", "other_team"]
REVIEWERS = {"admin", "reviewer"}


def test_every_role_on_every_review_endpoint(database: Database, tokens: dict[str, str], tmp_path: Path) -> None:
    services, server = start(fixture_settings(tmp_path, database))

    def as_(who: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[who]}"} if who else {}

    with server, httpx.Client(base_url=server.url, timeout=120) as client:
        # submit: any signed-in role
        assert client.post("/v1/documents", content=new_case("test-matrix-anon")).status_code == 401
        for who in ROLES:
            r = client.post("/v1/documents", content=new_case(f"test-matrix-{who.replace('_', '-')}"),
                            headers=as_(who))
            assert r.status_code == 201, (who, r.text)

        def pending(tag: str) -> str:
            doc_id = f"test-matrix-{tag}"
            assert client.post("/v1/documents", content=new_case(doc_id), headers=as_("team")).status_code == 201
            return doc_id

        for action in ("publish", "reject"):
            doc_id = pending(action)
            body = {"reason": "needs a source for the figure"} if action == "reject" else None
            for who in [None, *ROLES]:
                if who in REVIEWERS:
                    continue
                r = client.post(f"/v1/documents/{doc_id}/{action}", json=body, headers=as_(who))
                assert r.status_code == (401 if who is None else 403), (action, who, r.text)
                assert r.headers["content-type"].startswith("application/problem+json")
            for who in sorted(REVIEWERS):
                target = doc_id if who == "admin" else pending(f"{action}-{who}")
                r = client.post(f"/v1/documents/{target}/{action}", json=body, headers=as_(who))
                assert r.status_code == 200, (action, who, r.text)

        published = "test-matrix-publish"  # published by the admin above; withdraw = reviewer or admin
        for who in [None, *ROLES]:
            if who in REVIEWERS:
                continue
            assert client.delete(f"/v1/documents/{published}", headers=as_(who)).status_code == (
                401 if who is None else 403), who
        assert client.delete(f"/v1/documents/{published}", headers=as_("reviewer")).status_code == 200

        for path, allowed in (("/v1/submissions", REVIEWERS), ("/v1/audit", {"admin"})):
            assert client.get(path).status_code == 401
            for who in ROLES:
                assert client.get(path, headers=as_(who)).status_code == (200 if who in allowed else 403), (path, who)
    services.follower.stop()
