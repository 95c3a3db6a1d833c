"""Benchmark: the built graph on Oxigraph (learnsys's store) vs rdflib's in-memory store, side by side.

Reports build time, graph size, load time, and median / p95 latency over N runs of
(a) a two-hop query (trusts -> ICB -> region names, for one region) and
(b) an aggregate (count trusts per region).
Usage: .venv/bin/python scripts/bench_sparql.py [--runs 100]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from learnsys.config import Settings
from learnsys.kg.build import GRAPH_FILE, graph_builds
from learnsys.kg.namespaces import SPARQL_PREFIXES
from learnsys.pipeline import build

TWO_HOP = SPARQL_PREFIXES + """
SELECT ?trust ?name ?icbName ?regionName WHERE {
  ?trust ls:icb ?icb ; skos:prefLabel ?name .
  ?icb skos:prefLabel ?icbName ; ls:region ?region .
  ?region skos:prefLabel ?regionName ; skos:notation "Y62" .
}"""
AGGREGATE = SPARQL_PREFIXES + """
SELECT ?region (COUNT(?trust) AS ?trusts) WHERE {
  ?trust a/rdfs:subClassOf* ls:Provider ; ls:region ?region .
} GROUP BY ?region"""


def timed(fn, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp))
        start = time.perf_counter()
        manifest = build(settings, progress=lambda m: None, search=False)["graph"]
        build_s = time.perf_counter() - start
        nt = graph_builds(settings.index_dir).current() / GRAPH_FILE

        start = time.perf_counter()
        store = ox.Store()
        store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
        ox_load = time.perf_counter() - start
        start = time.perf_counter()
        graph = Graph()
        graph.parse(str(nt), format="nt")
        rdflib_load = time.perf_counter() - start

        print(f"graph build (reference data + corpus + indicative scoring, no search): {build_s:.1f} s")
        print(f"graph size: {manifest['counts']['triples']} triples\n")
        print(f"{'':44}{'Oxigraph':>14}{'rdflib memory':>16}{'ratio':>8}")
        print(f"{'load N-Triples (s)':44}{ox_load:>14.2f}{rdflib_load:>16.2f}{rdflib_load / ox_load:>8.1f}")
        for name, query in (("two-hop (trust-ICB-region)", TWO_HOP), ("count trusts per region", AGGREGATE)):
            ox_rows = len(list(store.query(query)))
            rdf_rows = len(list(graph.query(query)))
            assert ox_rows == rdf_rows, (name, ox_rows, rdf_rows)
            ox_med, ox_p95 = timed(lambda q=query: list(store.query(q)), args.runs)
            rdf_med, rdf_p95 = timed(lambda q=query: list(graph.query(q)), args.runs)
            print(f"{name + ' median (ms)':44}{ox_med:>14.2f}{rdf_med:>16.2f}{rdf_med / ox_med:>8.1f}")
            print(f"{name + ' p95 (ms)':44}{ox_p95:>14.2f}{rdf_p95:>16.2f}{rdf_p95 / ox_p95:>8.1f}")
        print(f"\n{args.runs} runs each, same process, same graph; results identical ({ox_rows} rows in the last).")


if __name__ == "__main__":
    main()
