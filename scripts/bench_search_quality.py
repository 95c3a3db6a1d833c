#!/usr/bin/env python3
"""Quality table: BM25, dense and hybrid (and hybrid without graph boost / expansion) on the project set
and on SciFact train, through the same pipeline as ``learnsys eval``. Prints a Markdown table.

    .venv/bin/python scripts/bench_search_quality.py [--scifact DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from learnsys.config import get_settings  # noqa: E402
from learnsys.corpus.documents import load_corpus  # noqa: E402
from learnsys.kg.reference import load_reference_data  # noqa: E402
from learnsys.search.build import build_index  # noqa: E402
from learnsys.search.dense import EmbeddingCache, Encoder  # noqa: E402
from learnsys.search.evaluate import evaluate_index, evaluation_config, load_beir, load_project_set  # noqa: E402
from learnsys.search.graph_boost import GraphBooster  # noqa: E402
from learnsys.search.index_store import embedding_cache_dir  # noqa: E402
from learnsys.search.retriever import HybridRetriever  # noqa: E402
from learnsys.search.terminology import Terminology  # noqa: E402

VARIANTS = [
    ("bm25", dict(mode="bm25")),
    ("dense", dict(mode="dense")),
    ("hybrid", dict(mode="hybrid")),
    ("hybrid, no graph boost", dict(mode="hybrid", boost=False)),
    ("hybrid, no expansion", dict(mode="hybrid", expand=False)),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scifact", type=Path, default=ROOT.parent / "shared" / "benchmarks" / "scifact-train")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    settings = get_settings()
    encoder = Encoder.shared()
    cache = EmbeddingCache(embedding_cache_dir(settings.index_dir, encoder.name), encoder.dim)
    terminology = Terminology.load(settings.ontology_dir / "terminology.ttl")
    reference = load_reference_data(settings.data_dir, settings.lin_membership_file)
    documents, _ = load_corpus(settings.corpus_dir)
    datasets = [(load_project_set(settings.corpus_dir, documents), reference, True)]
    if (args.scifact / "corpus.jsonl").exists():
        datasets.append((load_beir(args.scifact), None, True))
    table: dict[str, dict[str, dict[str, float]]] = {}
    for dataset, ref, expand_default in datasets:
        started = time.perf_counter()
        index, embedded = build_index(dataset.documents, encoder, cache, reference=ref)
        print(
            f"# {dataset.name}: {len(dataset.documents)} docs, {len(index.chunks)} chunks, "
            f"{embedded} embedded, "
            f"{len(dataset.queries)} queries ({time.perf_counter() - started:.1f}s)",
            file=sys.stderr,
        )
        retriever = HybridRetriever(encoder, terminology, GraphBooster(ref) if ref else None)
        Encoder.limit_threads(1)  # one query at a time: see docs/search.md
        rows = {}
        for name, v in VARIANTS:
            if ref is None and "boost" in v:
                continue
            expand = v.get("expand", expand_default)
            cfg = evaluation_config(v["mode"], expand=expand, boost=v.get("boost", True))
            rows[name] = evaluate_index(index, retriever, dataset, cfg)
            print(f"  {name}: {rows[name]}", file=sys.stderr)
        table[dataset.name] = rows
    print("| dataset | variant | nDCG@10 | recall@10 | recall@100 | MRR@10 | ms/query |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, rows in table.items():
        for variant, m in rows.items():
            print(
                f"| {name} | {variant} | {m['ndcg@10']:.4f} | {m['recall@10']:.4f} | {m['recall@100']:.4f} | "
                f"{m['mrr@10']:.4f} | {m['ms_per_query']:.1f} |"
            )
    if args.json:
        args.json.write_text(json.dumps(table, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
