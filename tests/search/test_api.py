"""The search routes through a real HTTP server (uvicorn in a thread) over a real index."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from learnsys.api.problems import install_problem_handlers
from learnsys.api.routes import search as search_routes
from learnsys.search.service import SearchService
from learnsys.services import Services

FIXTURES = Path(__file__).parent / "fixtures"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_server(service: SearchService) -> tuple[uvicorn.Server, threading.Thread, str]:
    services = Services(settings=service.settings, reference=service.reference, graph=None, search=service, ready=True)
    app = FastAPI()
    install_problem_handlers(app)
    app.state.services = services
    app.include_router(search_routes.router)
    app.include_router(search_routes.router, prefix="/v1")
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    return srv, thread, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def ro_server(service: SearchService) -> Iterator[str]:
    """A server over the shared read-only index."""
    srv, thread, url = run_server(service)
    yield url
    srv.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def server(fresh: SearchService) -> Iterator[str]:
    """A server over a writable corpus and index of its own."""
    srv, thread, url = run_server(fresh)
    yield url
    srv.should_exit = True
    thread.join(timeout=5)


def test_get_and_post_search(ro_server: str) -> None:
    with httpx.Client(base_url=ro_server, timeout=30) as client:
        r = client.get("/search", params={"q": "PIFU derm", "k": 3})
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) >= {"results", "facets", "total", "query", "expanded_terms"}
        assert body["results"][0]["id"] in ("test-bolton-pifu", "test-guide-pifu")
        r = client.post("/v1/search", json={"q": "handover", "priority_area": ["uec"], "k": 2})
        assert r.status_code == 200, r.text
        assert r.json()["results"][0]["id"] == "test-nwas-handover"
        r = client.get("/search", params=[("q", "patients"), ("region", "Y62"), ("type", "case-study")])
        assert r.status_code == 200 and r.json()["facets"]["region"] == {"Y62": r.json()["total"]}


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"q": ""}, 422, "q"),
        ({"q": "x" * 10_000}, 422, "q"),
        ({"q": "x", "k": "0"}, 422, "k"),
        ({"q": "x", "k": "100000"}, 422, "k"),
        ({"q": "x", "k": "abc"}, 422, "k"),
        ({}, 422, "q"),
        ({"q": "x", "priority_area": "nonsense"}, 422, "priority_area"),
        ({"q": "x", "icb": "QZZ"}, 422, "icb"),
        ({"q": "x", "published_after": "yesterday"}, 422, "published_after"),
        ({"q": "x", "for_provider": "ZZZ"}, 422, "for_provider"),
        ({"q": "x", "offset": "-1"}, 422, "offset"),
    ],
)
def test_bad_queries_get_problem_bodies(ro_server: str, params: dict, status: int, field: str) -> None:
    r = httpx.get(f"{ro_server}/search", params=params, timeout=30)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == field


def test_bad_post_bodies(ro_server: str) -> None:
    server = ro_server
    for body, field in (({"q": "x", "k": 0}, "k"), ({"q": "x", "colour": "red"}, "colour"), ({"k": 3}, "q")):
        r = httpx.post(f"{server}/search", json=body, timeout=30)
        assert r.status_code == 422 and r.json()["field"] == field, r.text
