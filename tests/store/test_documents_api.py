"""The review flow over real HTTP servers on one database: a team submits, a reviewer publishes, search on
every server finds it; two servers follow each other through the change sequence (SQLite and PostgreSQL)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from learnsys.config import REPO_ROOT, Settings
from learnsys.store.db import Database
from tests.conftest import LiveServer
from tests.store.test_documents import fixture_settings, new_case

QUERY = "frailty unit older people home sooner"


def cli_token(database: Database, *args: str) -> str:
    """An account made by ``learnsys users add``; its token is the last line of standard output."""
    env = {**os.environ, "LEARNSYS_DATABASE_URL": database.url, "PYTHONPATH": str(REPO_ROOT / "src")}
    done = subprocess.run([sys.executable, "-m", "learnsys.cli", "users", "add", *args], env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.strip().splitlines()[-1]


def start(settings: Settings):
    from learnsys.api.app import create_app
    from learnsys.pipeline import load_services

    services = load_services(settings, progress=lambda m: None)
    return services, LiveServer(create_app(services))


@pytest.fixture
def two_servers(database: Database, tmp_path: Path) -> Iterator[tuple[str, str, object]]:
    """Servers A and B, each with its own index folder, on one database."""
    settings_a = fixture_settings(tmp_path / "a", database).model_copy(update={"store_poll_s": 0.5,
                                                                               "reload_poll_s": 0.0})
    services_a, server_a = start(settings_a)
    shutil.copytree(settings_a.index_dir, tmp_path / "b-indexes")  # B starts from a copy, then follows alone
    settings_b = settings_a.model_copy(update={"index_dir": tmp_path / "b-indexes"})
    services_b, server_b = start(settings_b)
    with server_a, server_b:
        yield server_a.url, server_b.url, services_b
    for services in (services_a, services_b):
        services.follower.stop()


def hits(url: str, query: str = QUERY) -> list[str]:
    r = httpx.get(f"{url}/v1/search", params={"q": query, "k": 5}, timeout=60)
    assert r.status_code == 200, r.text
    return [h["id"] for h in r.json()["results"]]


def wait_for(predicate, timeout_s: float = 30.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError(f"not true within {timeout_s} s")


def test_submit_review_publish_search_everywhere_and_audit(database: Database, two_servers) -> None:
    url_a, url_b, services_b = two_servers
    team = cli_token(database, "x@nhs.net", "--role", "team", "--provider", "RCB")
    reviewer = cli_token(database, "reviewer@nhs.net", "--role", "reviewer")
    admin = cli_token(database, "admin@nhs.net", "--role", "admin")
    text = new_case()
    doc_id = "test-rcb-frailty"
    with httpx.Client(base_url=url_a, timeout=120) as a:
        assert a.post("/v1/documents", content=text).status_code == 401
        r = a.post("/v1/documents", json={"content": text}, headers={"Authorization": f"Bearer {team}"})
        assert r.status_code == 201, r.text
        assert r.json() == {"id": doc_id, "version": 1, "status": "submitted", "type": "case-study"}
        assert r.headers["location"] == f"/v1/documents/{doc_id}"
        assert a.post("/v1/documents", content=text, headers={"Authorization": f"Bearer {team}",
                                                               "Content-Type": "text/markdown"}).status_code == 409
        bad = a.post("/v1/documents", json={"content": new_case("test-x").replace("[RX7]", "[NOPE]")},
                     headers={"Authorization": f"Bearer {team}"})
        assert bad.status_code == 422 and bad.json()["field"] == "providers"
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert doc_id not in hits(url_a)
        assert a.get(f"/v1/documents/{doc_id}").status_code == 404  # not published: hidden from readers
        mine = a.get(f"/v1/documents/{doc_id}", headers={"Authorization": f"Bearer {team}"})
        assert mine.status_code == 200 and mine.json()["status"] == "submitted"
        assert a.get("/v1/submissions", headers={"Authorization": f"Bearer {team}"}).status_code == 403
        queue = a.get("/v1/submissions", headers={"Authorization": f"Bearer {reviewer}"}).json()
        assert [s["document_id"] for s in queue["submissions"]] == [doc_id]
        refused = a.post(f"/v1/documents/{doc_id}/publish", headers={"Authorization": f"Bearer {team}"})
        assert refused.status_code == 403 and refused.json()["field"] == "Authorization"
        assert a.post(f"/v1/documents/{doc_id}/publish").status_code == 401
        assert doc_id not in hits(url_a) and doc_id not in hits(url_b)

        published_at = time.monotonic()
        r = a.post(f"/v1/documents/{doc_id}/publish", headers={"Authorization": f"Bearer {reviewer}"})
        assert r.status_code == 200 and r.json()["status"] == "published", r.text
        assert hits(url_a)[0] == doc_id  # the publishing server serves it when the call returns
        wait_for(lambda: doc_id in hits(url_b), 30 - (time.monotonic() - published_at))  # the other server
        shown = httpx.get(f"{url_b}/v1/documents/{doc_id}", timeout=30).json()
        assert shown["providers"] == ["RX7"] and shown["version"] == 1 and shown["status"] == "published"
        wait_for(lambda: doc_id in services_b.documents and services_b.graph is not None)

        # a new version under review leaves version 1 live; a rejection keeps it live too
        revised = text.replace("Frailty unit sends older people home sooner", "Frailty unit revised edition")
        r = a.put(f"/v1/documents/{doc_id}", content=revised, headers={"Authorization": f"Bearer {team}",
                                                                        "Content-Type": "text/markdown"})
        assert r.status_code == 200 and r.json()["version"] == 2
        assert a.put("/v1/documents/other-id", content=revised,
                     headers={"Authorization": f"Bearer {team}"}).json()["field"] == "id"
        assert a.get(f"/v1/documents/{doc_id}").json()["version"] == 1
        no_reason = a.post(f"/v1/documents/{doc_id}/reject", json={},
                           headers={"Authorization": f"Bearer {reviewer}"})
        assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
        r = a.post(f"/v1/documents/{doc_id}/reject", json={"reason": "needs a source for the figure"},
                   headers={"Authorization": f"Bearer {reviewer}"})
        assert r.status_code == 200 and r.json()["status"] == "rejected"
        assert hits(url_a)[0] == doc_id

        # withdrawal: refused to the team, done by the reviewer; gone from search on both servers
        assert a.delete(f"/v1/documents/{doc_id}", headers={"Authorization": f"Bearer {team}"}).status_code == 403
        assert a.delete(f"/v1/documents/{doc_id}", headers={"Authorization": f"Bearer {reviewer}"}).status_code == 200
        assert doc_id not in hits(url_a)
        wait_for(lambda: doc_id not in hits(url_b))
        versions = a.get(f"/v1/documents/{doc_id}/versions", headers={"Authorization": f"Bearer {reviewer}"})
        assert [(v["number"], v["status"], v["author"]) for v in versions.json()["versions"]] == [
            (1, "withdrawn", "x@nhs.net"), (2, "rejected", "x@nhs.net")]

        trail = a.get("/v1/audit", params={"entity": f"document:{doc_id}"},
                      headers={"Authorization": f"Bearer {admin}"}).json()["events"]
        assert [(e["action"], e["actor"]) for e in trail] == [
            ("document.submit", "x@nhs.net"), ("document.publish", "reviewer@nhs.net"),
            ("document.revise", "x@nhs.net"), ("document.reject", "reviewer@nhs.net"),
            ("document.withdraw", "reviewer@nhs.net")]
        assert trail[1]["before"]["status"] == "submitted" and trail[1]["after"]["status"] == "published"
        assert a.get("/v1/audit", headers={"Authorization": f"Bearer {reviewer}"}).status_code == 403


def test_a_restart_reconciles_the_index_with_the_store(database: Database, tmp_path: Path) -> None:
    """A commit whose index rebuild never ran (kill -9 between the two) is served after the next start."""
    from learnsys.pipeline import load_services
    from learnsys.store import accounts
    from learnsys.store import documents as doc_store

    settings = fixture_settings(tmp_path, database)
    load_services(settings, progress=lambda m: None, follow=False)
    _, token = accounts.create_user(database, "t@nhs.net", "team", provider="RCB")
    _, rtoken = accounts.create_user(database, "r@nhs.net", "reviewer")
    team, reviewer = accounts.authenticate(database, token), accounts.authenticate(database, rtoken)
    doc_store.submit(database, team, "test-rcb-frailty", "case-study", new_case())
    doc_store.publish(database, reviewer, "test-rcb-frailty")  # committed; no server refreshed anything
    restarted = load_services(settings, progress=lambda m: None, follow=False)
    from learnsys.search.service import SearchRequest

    found = restarted.search.search(SearchRequest(QUERY, k=3))["results"]
    assert found[0]["id"] == "test-rcb-frailty"
    assert "test-rcb-frailty" in restarted.documents
    ask = "ASK { ?d ?p ?o . FILTER(CONTAINS(STR(?d), 'test-rcb-frailty')) }"
    assert restarted.graph.query(ask).to_sparql_json()["boolean"] is True


def test_kill_9_mid_publish_leaves_store_index_and_graph_agreeing(tmp_path: Path) -> None:
    """A real ``learnsys serve`` killed with SIGKILL while a publish runs; after a restart the store, the
    search index and the graph agree (published and found everywhere, or still submitted and found nowhere)."""
    import signal

    from learnsys.store import accounts, migrate
    from learnsys.store import documents as doc_store
    from tests.conftest import free_port

    database = Database(f"sqlite:///{tmp_path / 'learnsys.db'}")
    migrate.upgrade(database)
    settings = fixture_settings(tmp_path, database)
    _, team = accounts.create_user(database, "t@nhs.net", "team", provider="RCB")
    _, reviewer = accounts.create_user(database, "r@nhs.net", "reviewer")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src"), "LEARNSYS_DATABASE_URL": database.url,
           "LEARNSYS_CORPUS_DIR": str(settings.corpus_dir), "LEARNSYS_INDEX_DIR": str(settings.index_dir)}

    def serve() -> tuple[subprocess.Popen, str]:
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "learnsys.cli", "serve", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            try:
                return httpx.get(f"{url}/v1/ready", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(ready, 300)
        return proc, url

    proc, url = serve()
    doc_id = "test-rcb-frailty"
    r = httpx.post(f"{url}/v1/documents", json={"content": new_case()}, headers={"Authorization": f"Bearer {team}"},
                   timeout=60)
    assert r.status_code == 201, r.text

    def publish() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the server dies under it
            httpx.post(f"{url}/v1/documents/{doc_id}/publish", headers={"Authorization": f"Bearer {reviewer}"},
                       timeout=60)

    caller = threading.Thread(target=publish)
    caller.start()
    time.sleep(0.3)  # the commit and the index rebuild are under way
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    caller.join(60)

    proc, url = serve()
    try:
        is_published = doc_id in doc_store.published_texts(database)
        assert (doc_id in hits(url)) == is_published
        ask = f"ASK {{ ?d ?p ?o . FILTER(CONTAINS(STR(?d), '{doc_id}')) }}"
        r = httpx.get(f"{url}/v1/sparql", params={"query": ask}, headers={"Accept": "application/sparql-results+json"},
                      timeout=60)
        assert r.json()["boolean"] is is_published
        if not is_published:  # the publish never committed: it can be done now, and is served at once
            r = httpx.post(f"{url}/v1/documents/{doc_id}/publish", headers={"Authorization": f"Bearer {reviewer}"},
                           timeout=60)
            assert r.status_code == 200 and hits(url)[0] == doc_id
    finally:
        proc.kill()
        proc.wait(30)
