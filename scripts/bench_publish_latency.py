"""Benchmark: how long until a published document is searchable, on the server that published it and on
another server following the same database through its change poller.

Two in-process servers (real uvicorn, real index, one database) start on a copy of a corpus; N synthetic
case studies (made from one corpus document, labelled as synthetic test data) are submitted by a team
account and published by a reviewer. For each: seconds until the publish call returned (the document is then
searchable on server A), and seconds from publishing until server B's /v1/search returns it.

Between publishes it waits until both servers' graphs have caught up, so each figure is one publish on its
own (the graph rebuild, seconds of CPU in the same process, would otherwise slow the next one down).

Usage: PYTHONPATH=src .venv/bin/python scripts/bench_publish_latency.py [--docs 5] [--poll 2.0]
       [--corpus corpus] [--work DIR (kept: reuses the embedding cache)] [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import httpx  # noqa: E402
import uvicorn  # noqa: E402

from learnsys.api.app import create_app  # noqa: E402
from learnsys.config import REPO_ROOT, Settings  # noqa: E402
from learnsys.pipeline import load_services  # noqa: E402
from learnsys.store import accounts  # noqa: E402

TEMPLATE = REPO_ROOT / "tests" / "search" / "fixtures" / "case-studies" / "test-nwas-handover.md"
WORDS = ["amber", "birch", "cedar", "delta", "ember", "fjord", "garnet", "harbour", "indigo", "juniper"]


def serve(app: object) -> tuple[uvicorn.Server, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def synthetic_case(i: int) -> tuple[str, str]:
    word = WORDS[i % len(WORDS)] + str(i)
    doc_id = f"bench-synthetic-{word}"
    text = TEMPLATE.read_text().replace("id: test-nwas-handover", f"id: {doc_id}").replace(
        "Ambulance crews released faster", f"Synthetic benchmark case {word} zebrafinch")
    return doc_id, text


def found(url: str, doc_id: str, word: str) -> bool:
    r = httpx.get(f"{url}/v1/search", params={"q": f"synthetic benchmark case {word} zebrafinch", "k": 3}, timeout=60)
    return doc_id in [h["id"] for h in r.json()["results"]]


def graph_current(services: object) -> bool:
    """The server's graph build records the store's current published set (its rebuild has finished)."""
    from learnsys.kg.build import current_manifest
    from learnsys.published import STORE_INPUT, served_documents

    _, fingerprint = served_documents(services.store, services.settings)  # type: ignore[attr-defined]
    manifest = current_manifest(services.settings.index_dir) or {}  # type: ignore[attr-defined]
    return manifest.get("inputs", {}).get(STORE_INPUT) == fingerprint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=5)
    parser.add_argument("--poll", type=float, default=2.0, help="LEARNSYS_STORE_POLL_S of the servers")
    parser.add_argument("--corpus", type=Path, default=REPO_ROOT / "tests" / "search" / "fixtures")
    parser.add_argument("--database-url", help="default: a new SQLite file in the work folder")
    parser.add_argument("--work", type=Path, help="a folder kept between runs (default: a temp folder)")
    args = parser.parse_args()
    root = args.work or Path(tempfile.mkdtemp(prefix="bench-publish-"))
    for stale in ("corpus", "b", "learnsys.db", "learnsys.db-wal", "learnsys.db-shm"):
        path = root / stale
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    shutil.copytree(args.corpus, root / "corpus", ignore=shutil.ignore_patterns("eval"))
    url = args.database_url or f"sqlite:///{root / 'learnsys.db'}"
    settings_a = Settings(corpus_dir=root / "corpus", index_dir=root / "a", database_url=url,
                          store_poll_s=args.poll, reload_poll_s=0.0)
    started = time.perf_counter()
    services_a = load_services(settings_a, progress=lambda m: None)
    first_start = time.perf_counter() - started
    shutil.copytree(settings_a.index_dir, root / "b")
    services_b = load_services(settings_a.model_copy(update={"index_dir": root / "b"}), progress=lambda m: None)
    _, team = accounts.create_user(services_a.store, "bench-team@example.nhs.uk", "team", provider="RCB")
    _, reviewer = accounts.create_user(services_a.store, "bench-reviewer@example.nhs.uk", "reviewer")
    _, url_a = serve(create_app(services_a))
    _, url_b = serve(create_app(services_b))
    on_a, on_b, graphs = [], [], []
    for i in range(args.docs):
        doc_id, text = synthetic_case(i)
        word = WORDS[i % len(WORDS)] + str(i)
        r = httpx.post(f"{url_a}/v1/documents", json={"content": text},
                       headers={"Authorization": f"Bearer {team}"}, timeout=120)
        r.raise_for_status()
        t0 = time.perf_counter()
        httpx.post(f"{url_a}/v1/documents/{doc_id}/publish", headers={"Authorization": f"Bearer {reviewer}"},
                   timeout=120).raise_for_status()
        on_a.append(time.perf_counter() - t0)
        assert found(url_a, doc_id, word), f"{doc_id} not searchable on A after publish returned"
        while not found(url_b, doc_id, word):
            if time.perf_counter() - t0 > 120:
                raise SystemExit(f"{doc_id} not found on B within 120 s")
            time.sleep(0.1)
        on_b.append(time.perf_counter() - t0)
        while not all(graph_current(s) for s in (services_a, services_b)):
            time.sleep(0.2)
        graphs.append(time.perf_counter() - t0)
    engine = services_a.store.dialect
    docs = len(services_a.documents)
    print(f"{engine}, {docs} documents served, poll every {args.poll} s, {args.docs} publishes "
          f"(first start incl. build {first_start:.1f} s)")
    print(f"searchable on the publishing server (publish call returned): median {statistics.median(on_a):.2f} s, "
          f"max {max(on_a):.2f} s")
    print(f"searchable on the other server:                         median {statistics.median(on_b):.2f} s, "
          f"max {max(on_b):.2f} s")
    print(f"both graphs current again:                              median {statistics.median(graphs):.2f} s, "
          f"max {max(graphs):.2f} s")
    for services in (services_a, services_b):
        services.follower.stop()
    if args.work is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
