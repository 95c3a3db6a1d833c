#!/usr/bin/env python3
"""Search quality in one run: nDCG@10, recall@10 and MRR@10 of the plain whole-document BM25 baseline,
each single mode, the hybrid and its ablations, on the project sets and SciFact train.

    .venv/bin/python scripts/bench_search_quality.py                    # the full report (Markdown)
    .venv/bin/python scripts/bench_search_quality.py --sets blind-dev,learnsys --variants hybrid \\
        --grid dense_weight=0.5,0.6,0.7                                 # a tuning sweep (dev split only)

Sets: ``learnsys`` (corpus/eval: written with the corpus in view, a regression set), ``blind-dev`` and
``blind-test`` (corpus/eval/blind: written by people who had not seen the corpus, every document judged;
evaluated over the documents it was judged on, corpus/eval/blind/corpus-ids.txt), ``scifact`` (SciFact
train, ../shared/benchmarks/scifact-train). Query vectors and chunk vectors go through the embedding cache.
"""

from __future__ import annotations

import argparse
import itertools
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
from learnsys.search.evaluate import (  # noqa: E402
    CachedQueryEncoder,
    evaluate_index,
    evaluation_config,
    load_beir,
    load_blind_set,
    load_project_set,
)
from learnsys.search.graph_boost import GraphBooster  # noqa: E402
from learnsys.search.index_store import embedding_cache_dir  # noqa: E402
from learnsys.search.retriever import PLAIN_MODE, HybridRetriever  # noqa: E402
from learnsys.search.terminology import Terminology  # noqa: E402

BLIND = ROOT / "corpus" / "eval" / "blind"
VARIANTS: dict[str, dict[str, object]] = {
    "plain BM25 (bm25s, whole documents)": dict(mode=PLAIN_MODE),
    "bm25: chunks (best passage)": dict(mode="bm25", lexical_grain="chunk"),
    "bm25: whole document": dict(mode="bm25", lexical_grain="doc"),
    "bm25: fields (BM25F)": dict(mode="bm25", lexical_grain="fields"),
    "bm25: fields + passage": dict(mode="bm25", lexical_grain="fields+passage"),
    "dense": dict(mode="dense"),
    "hybrid": dict(mode="hybrid"),
    "hybrid, no expansion": dict(mode="hybrid", expand=False),
    "hybrid, no boost": dict(mode="hybrid", boost=False, type_prior=0.0),
    "hybrid, no graph boost (type prior kept)": dict(mode="hybrid", boost=False),
    "hybrid, no fields (chunk BM25)": dict(mode="hybrid", lexical_grain="chunk"),
}
SHORT = {"plain": "plain BM25 (bm25s, whole documents)", "hybrid": "hybrid", "dense": "dense"}


def parse_value(text: str) -> object:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scifact", type=Path, default=ROOT.parent / "shared" / "benchmarks" / "scifact-train")
    parser.add_argument("--sets", default="learnsys,blind-dev,blind-test,scifact")
    parser.add_argument("--variants", default="all", help="comma-separated names (or plain/hybrid/dense), or all")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="config change, all variants")
    parser.add_argument("--grid", action="append", default=[], metavar="KEY=V1,V2", help="sweep (hybrid variants)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    settings = get_settings()
    encoder = Encoder.shared()
    cache = EmbeddingCache(embedding_cache_dir(settings.index_dir, encoder.name), encoder.dim)
    queries_encoder = CachedQueryEncoder(encoder, cache)
    terminology = Terminology.load(settings.ontology_dir / "terminology.ttl")
    reference = load_reference_data(settings.data_dir, settings.lin_membership_file)
    documents, _ = load_corpus(settings.corpus_dir)
    wanted = args.sets.split(",")
    datasets = []
    if "learnsys" in wanted:
        datasets.append((load_project_set(settings.corpus_dir, documents), reference))
    for split in ("dev", "test"):
        if f"blind-{split}" in wanted and (BLIND / "qrels" / f"{split}.tsv").exists():
            datasets.append((load_blind_set(settings.corpus_dir, split, documents), reference))
    if "scifact" in wanted and (args.scifact / "corpus.jsonl").exists():
        datasets.append((load_beir(args.scifact), None))

    names = list(VARIANTS) if args.variants == "all" else [SHORT.get(v, v) for v in args.variants.split(",")]
    common = {k: parse_value(v) for k, v in (item.split("=", 1) for item in args.set)}
    grid = [(k, [parse_value(x) for x in v.split(",")]) for k, v in (item.split("=", 1) for item in args.grid)]
    runs: list[tuple[str, dict[str, object]]] = []
    for name in names:
        base = {**VARIANTS[name], **common}
        if grid and base.get("mode") == "hybrid":
            for combo in itertools.product(*[values for _, values in grid]):
                change = dict(zip([k for k, _ in grid], combo, strict=True))
                label = name + " " + " ".join(f"{k}={v}" for k, v in change.items())
                runs.append((label, {**base, **change}))
        else:
            runs.append((name, base))

    table: dict[str, dict[str, dict[str, float]]] = {}
    indexes: dict[tuple[str, ...], object] = {}
    Encoder.limit_threads(1)  # one query at a time: see docs/search.md
    for dataset, ref in datasets:
        started = time.perf_counter()
        key = tuple(sorted(d.id for d in dataset.documents))
        if key not in indexes:
            indexes[key] = build_index(dataset.documents, encoder, cache, reference=ref)[0]
        index = indexes[key]
        print(
            f"# {dataset.name}: {len(dataset.documents)} docs, {len(index.chunks)} chunks, "
            f"{len(dataset.queries)} queries ({time.perf_counter() - started:.1f}s)",
            file=sys.stderr,
        )
        retriever = HybridRetriever(queries_encoder, terminology, GraphBooster(ref) if ref else None)
        rows = {}
        for label, v in runs:
            v = dict(v)
            mode, expand, boost = v.pop("mode"), v.pop("expand", True), v.pop("boost", True)
            cfg = evaluation_config(str(mode), expand=bool(expand), boost=bool(boost), **v)
            rows[label] = evaluate_index(index, retriever, dataset, cfg)
            print(f"  {label}: {rows[label]}", file=sys.stderr)
        table[dataset.name] = rows
    print("| set | variant | nDCG@10 | recall@10 | MRR@10 | queries |")
    print("|---|---|---:|---:|---:|---:|")
    for name, rows in table.items():
        for variant, m in rows.items():
            print(
                f"| {name} | {variant} | {m['ndcg@10']:.4f} | {m['recall@10']:.4f} | {m['mrr@10']:.4f} | "
                f"{m['queries']} |"
            )
    if args.json:
        args.json.write_text(json.dumps(table, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
