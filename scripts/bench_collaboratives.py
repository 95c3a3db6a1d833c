"""Benchmark the collaborative workspace on a real SQLite store: the faculty dashboard for 35 teams x 10
measures x 24 months (median and p95 of repeated calls), and the CSV import of one team's year (12 months x 10
measures, each run into a fresh team), both through ``CollaborativeService`` as the API calls it.

    PYTHONPATH=src .venv/bin/python scripts/bench_collaboratives.py [--repeats 30]

The data is synthetic (a seeded random walk) and never leaves the temporary database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from learnsys.collaboratives.model import CollaborativeSpec, MeasureSpec, TeamSpec
from learnsys.collaboratives.service import CollaborativeService
from learnsys.config import REPO_ROOT
from learnsys.kg.reference import load_reference_data
from learnsys.oversight.spc import month_range
from learnsys.store import migrate
from learnsys.store.accounts import Account
from learnsys.store.db import Database

TEAMS, MEASURES, MONTHS = 35, 10, 24


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    reference = load_reference_data(REPO_ROOT / "data" / "reference")
    rng = random.Random(11)
    providers = sorted(reference.providers)[:TEAMS + args.repeats]
    months = month_range("2024-01", "2025-12")
    measures = [MeasureSpec(id=f"m{k}", name=f"Measure {k}", type="process", unit="count",
                            direction="higher" if k % 2 else "lower", definition="synthetic benchmark measure",
                            target=50.0) for k in range(MEASURES)]
    spec = CollaborativeSpec(id="bench", title="Benchmark (synthetic)", priority_area="uec", region="national",
                             start=date(2024, 1, 1), measures=measures)
    admin = Account(id=0, email="bench@localhost", role="admin")

    def series() -> dict[str, float]:
        level, out = rng.uniform(30, 70), {}
        for month in months:
            level += rng.gauss(0, 2)
            out[month] = round(level, 1)
        return out

    teams = [{"spec": TeamSpec(id=f"t{k}", provider=ods, name=f"Team {k}"),
              "values": {m.id: series() for m in measures}} for k, ods in enumerate(providers[:TEAMS])]
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate.upgrade(database)
        service = CollaborativeService(database, reference)
        started = time.perf_counter()
        loaded = service.load_bulk(admin, spec, teams)
        load_s = time.perf_counter() - started
        timings = []
        for _ in range(args.repeats + 1):
            started = time.perf_counter()
            board = service.dashboard(admin, "bench")
            timings.append(time.perf_counter() - started)
        timings = timings[1:]  # the first call warms caches
        assert len(board["teams"]) == TEAMS and len(board["teams"][0]["measures"]) == MEASURES
        year = month_range("2025-01", "2025-12")
        header = "month," + ",".join(m.id for m in measures)
        csv_text = header + "\n" + "\n".join(
            m + "," + ",".join(f"{rng.uniform(10, 90):.1f}" for _ in measures) for m in year) + "\n"
        imports = []
        for k, ods in enumerate(providers[TEAMS:TEAMS + args.repeats]):
            service.enrol(admin, "bench", TeamSpec(id=f"csv{k}", provider=ods, name=f"CSV team {k}"))
            started = time.perf_counter()
            result = service.import_csv(admin, f"csv{k}", csv_text, "year.csv", today=date(2026, 1, 15))
            imports.append(time.perf_counter() - started)
            assert result["created"] == 12 * MEASURES
        database.dispose()
    print(f"store: SQLite (WAL), {loaded['teams']} teams x {MEASURES} measures x {MONTHS} months "
          f"= {loaded['values']} values (bulk load {load_s:.2f} s)")
    print(f"dashboard ({args.repeats} calls): median {statistics.median(timings) * 1000:.1f} ms, "
          f"p95 {p95(timings) * 1000:.1f} ms")
    print(f"CSV import of a year (12 months x {MEASURES} measures, {len(imports)} runs): median "
          f"{statistics.median(imports) * 1000:.1f} ms, p95 {p95(imports) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
