"""Benchmark: the store of record on SQLite and on PostgreSQL, side by side in one run.

For each engine, on an empty database: seconds to migrate it (``migrate.upgrade``), then document submissions
through the core store (``learnsys.store.documents.submit`` by a team account, each write one
``Database.write()`` transaction with its audit row): N writes by one writer, then N more shared by 8
concurrent writer threads. Reports writes per second and p50/p95 latency per write, and PostgreSQL/SQLite
ratios (pooled connections are opened before timing). The documents are the test fixtures' case studies
with their id replaced (synthetic test data).

SQLite uses a temporary file; PostgreSQL a throwaway cluster (scripts/pg_cluster.sh) unless --pg-url is given
(it must point at an empty database).

Usage: PYTHONPATH=src .venv/bin/python scripts/bench_store.py [--writes 200] [--threads 8]
       [--pg-url postgresql+psycopg://USER@HOST/DB]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import text

from learnsys.config import REPO_ROOT
from learnsys.corpus.documents import parse_document
from learnsys.store import accounts, migrate
from learnsys.store import documents as doc_store
from learnsys.store.db import Database

CASE_STUDIES = REPO_ROOT / "tests" / "search" / "fixtures" / "case-studies"
PG_CLUSTER = REPO_ROOT / "scripts" / "pg_cluster.sh"


def templates() -> list[tuple[str, str]]:
    """``(id, text)`` of each fixture case study."""
    found = []
    for path in sorted(CASE_STUDIES.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        found.append((parse_document(text).id, text))
    return found


def make_text(template: tuple[str, str], doc_id: str) -> str:
    old_id, text = template
    return text.replace(f"id: {old_id}", f"id: {doc_id}", 1)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def warm_up(database: Database, connections: int) -> None:
    """Open ``connections`` pooled connections at once, so no timed write pays for connecting."""
    barrier = threading.Barrier(connections)

    def hold() -> None:
        with database.read() as session:
            session.execute(text("SELECT 1"))
            barrier.wait()

    with ThreadPoolExecutor(max_workers=connections) as pool:
        for future in [pool.submit(hold) for _ in range(connections)]:
            future.result()


def run_writes(database: Database, team: accounts.Account, prefix: str, writes: int, threads: int,
               sources: list[tuple[str, str]]) -> dict[str, float]:
    """``writes`` submissions shared by ``threads`` writers: writes/s over the wall time and latency per write."""
    latencies: list[float] = []
    lock = threading.Lock()

    def writer(indices: range) -> None:
        own = []
        for i in indices:
            doc_id = f"bench-{prefix}-{i:05d}"
            text = make_text(sources[i % len(sources)], doc_id)
            started = time.perf_counter()
            doc_store.submit(database, team, doc_id, "case-study", text)
            own.append(time.perf_counter() - started)
        with lock:
            latencies.extend(own)

    chunks = [range(t, writes, threads) for t in range(threads)]
    warm_up(database, threads)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(writer, chunk) for chunk in chunks]:
            future.result()  # a failed write fails the benchmark
    wall = time.perf_counter() - started
    assert len(latencies) == writes
    return {"per_s": writes / wall, "p50_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * percentile(latencies, 0.95)}


def bench_engine(url: str, writes: int, threads: int) -> dict[str, float]:
    database = Database(url)
    try:
        started = time.perf_counter()
        migrate.upgrade(database)
        figures = {"migrate_s": time.perf_counter() - started}
        team, _ = accounts.create_user(database, "bench-team@example.org", "team", provider="RCB", actor="bench")
        sources = templates()
        for label, count in (("1", 1), (str(threads), threads)):
            result = run_writes(database, team, f"w{label}", writes, count, sources)
            figures.update({f"{key}@{label}": value for key, value in result.items()})
        return figures
    finally:
        database.dispose()


def with_pg(pg_url: str | None, body: Callable[[str], dict[str, float]]) -> dict[str, float]:
    if pg_url:
        return body(pg_url)
    parent = Path(tempfile.mkdtemp(prefix="bench-store-pg-"))
    parent.chmod(0o755)  # run as root, the cluster's owner (postgres) must reach DIR
    cluster = parent / "pg"
    url = subprocess.run(["bash", str(PG_CLUSTER), "start", str(cluster)], check=True, capture_output=True,
                         text=True).stdout.strip().splitlines()[-1]
    try:
        return body(url)
    finally:
        subprocess.run(["bash", str(PG_CLUSTER), "stop", str(cluster)], check=False)
        shutil.rmtree(parent, ignore_errors=True)


def table(sqlite: dict[str, float], pg: dict[str, float], threads: int) -> str:
    rows = [("migrate empty db (s)", "migrate_s", 3)]
    for label in ("1", str(threads)):
        rows += [(f"writes/s, {label} writer(s)", f"per_s@{label}", 1),
                 (f"p50 ms/write, {label} writer(s)", f"p50_ms@{label}", 1),
                 (f"p95 ms/write, {label} writer(s)", f"p95_ms@{label}", 1)]
    lines = [f"| {'measure':<28} | {'SQLite':>9} | {'PostgreSQL':>10} | {'PG/SQLite':>9} |",
             f"|{'-' * 30}|{'-' * 10}:|{'-' * 11}:|{'-' * 10}:|"]
    for name, key, digits in rows:
        lines.append(f"| {name:<28} | {sqlite[key]:>9.{digits}f} | {pg[key]:>10.{digits}f} | "
                     f"{pg[key] / sqlite[key]:>9.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=200, help="submissions per writer setting (default 200)")
    parser.add_argument("--threads", type=int, default=8, help="concurrent writers (default 8)")
    parser.add_argument("--pg-url", help="an empty PostgreSQL database (default: a throwaway cluster)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        sqlite = bench_engine(f"sqlite:///{tmp}/store.db", args.writes, args.threads)
    pg = with_pg(args.pg_url, lambda url: bench_engine(url, args.writes, args.threads))
    print(f"{args.writes} submissions per setting; latencies are medians (p50) and p95 of one run")
    print(table(sqlite, pg, args.threads))


if __name__ == "__main__":
    main()
