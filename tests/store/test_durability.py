"""Durability of acknowledged writes: 32 concurrent submissions lose and duplicate nothing, and a server
killed with SIGKILL in the middle of a stream of writes keeps every write it acknowledged (both engines)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from learnsys.config import REPO_ROOT
from learnsys.store import audit
from learnsys.store import documents as doc_store
from learnsys.store.db import Database
from tests.conftest import free_port
from tests.store.test_documents import fixture_settings, new_case
from tests.store.test_documents_api import cli_token, start


def submission(i: int) -> str:
    return new_case(f"test-concurrent-{i:02d}", f"Concurrent submission number {i}")


def test_32_concurrent_submissions_are_all_stored_once(database: Database, tmp_path: Path) -> None:
    settings = fixture_settings(tmp_path, database)
    services, server = start(settings)
    team = cli_token(database, "team@nhs.net", "--role", "team", "--provider", "RCB")
    headers = {"Authorization": f"Bearer {team}"}
    with server:
        def post(i: int) -> int:
            with httpx.Client(base_url=server.url, timeout=120) as client:
                return client.post("/v1/documents", content=submission(i % 32), headers=headers).status_code

        with ThreadPoolExecutor(max_workers=32) as pool:  # 32 distinct ids, then each id again at once
            codes = list(pool.map(post, range(64)))
    services.follower.stop()
    assert sorted(codes) == [201] * 32 + [409] * 32, codes
    queue = doc_store.review_queue(database)
    ids = [v.document_id for v in queue if v.document_id.startswith("test-concurrent-")]
    assert sorted(ids) == [f"test-concurrent-{i:02d}" for i in range(32)]  # every one stored, none twice
    with database.read() as session:
        events = audit.events(session, entity="document", limit=10_000)
    submitted = [e for e in events if e.action == "document.submit"]
    assert len(submitted) == 32


def serve(settings, database: Database, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src"), "LEARNSYS_DATABASE_URL": database.url,
           "LEARNSYS_CORPUS_DIR": str(settings.corpus_dir), "LEARNSYS_INDEX_DIR": str(settings.index_dir),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.Popen([sys.executable, "-m", "learnsys.cli", "serve", "--port", str(port)], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def wait_ready(url: str, process: subprocess.Popen, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "server exited during start"
        try:
            if httpx.get(f"{url}/ready", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError("server not ready")


def test_kill_9_mid_writes_keeps_every_acknowledged_write(database: Database, tmp_path: Path) -> None:
    settings = fixture_settings(tmp_path, database)
    team = cli_token(database, "team@nhs.net", "--role", "team", "--provider", "RCB")
    reviewer = cli_token(database, "reviewer@nhs.net", "--role", "reviewer")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    process = serve(settings, database, port, log)
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer(first: int) -> None:
        with httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {team}"}) as client:
            for i in range(first, first + 1000, 4):
                if stop.is_set():
                    return
                doc_id = f"test-kill-{i:04d}"
                try:
                    r = client.post("/v1/documents", content=new_case(doc_id, f"Kill test {i}"))
                except httpx.TransportError:
                    return
                if r.status_code == 201:
                    acknowledged.append(doc_id)

    try:
        wait_ready(url, process)
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while len(acknowledged) < 12 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)  # mid-stream: requests are in flight
        process.wait(30)
        stop.set()
        for thread in threads:
            thread.join(60)
    finally:
        if process.poll() is None:
            process.kill()
    assert len(acknowledged) >= 12, log.read_text()[-2000:]

    stored = {v.document_id for v in doc_store.review_queue(database) if v.document_id.startswith("test-kill-")}
    assert set(acknowledged) <= stored  # nothing acknowledged is lost
    with database.read() as session:  # nothing half-written: each stored submission has its audit row
        events = audit.events(session, entity="document", limit=10_000)
    audited = {e.entity_id for e in events if e.action == "document.submit"}
    assert stored == audited

    process = serve(settings, database, port, log)  # and a restarted server serves them
    try:
        wait_ready(url, process)
        with httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {reviewer}"}) as client:
            for doc_id in acknowledged:
                r = client.get(f"/v1/documents/{doc_id}")
                assert r.status_code == 200, (doc_id, r.text)
                assert f"Kill test {int(doc_id.rsplit('-', 1)[1])}" in r.text
    finally:
        process.terminate()
        process.wait(30)
