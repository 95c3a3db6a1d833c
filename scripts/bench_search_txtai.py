#!/usr/bin/env python3
"""learnsys hybrid search beside txtai's hybrid search, in one run: same model, same chunks, same queries.

txtai gets the same all-MiniLM-L6-v2 vectors (through its ``external`` vectors method backed by the same
SentenceTransformer and our embedding cache, so neither engine pays for corpus encoding here) and runs its
own BM25 + dense hybrid. Both rank chunks and are scored per document (best chunk). Query latency is
measured in-process for both (query encoding included), queries in the same order, after a warm-up.

    .venv/bin/python scripts/bench_search_txtai.py [--scifact DIR] [--repeat 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from learnsys.config import get_settings  # noqa: E402
from learnsys.corpus.documents import load_corpus  # noqa: E402
from learnsys.kg.reference import load_reference_data  # noqa: E402
from learnsys.search.build import build_index  # noqa: E402
from learnsys.search.chunking import chunk_document  # noqa: E402
from learnsys.search.dense import EmbeddingCache, Encoder  # noqa: E402
from learnsys.search.evaluate import Dataset, evaluation_config, load_beir, load_project_set, score_run  # noqa: E402
from learnsys.search.graph_boost import GraphBooster  # noqa: E402
from learnsys.search.index_store import embedding_cache_dir  # noqa: E402
from learnsys.search.retriever import HybridRetriever  # noqa: E402
from learnsys.search.terminology import Terminology  # noqa: E402


def percentiles(ms: list[float]) -> dict[str, float]:
    a = np.array(ms)
    return {"p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)), "p99": float(np.percentile(a, 99))}


def chunk_texts(dataset: Dataset) -> tuple[list[str], list[str], list[str]]:
    """(chunk hash, indexed text, doc id) for every chunk, as learnsys builds them."""
    keys, texts, owners = [], [], []
    for doc in sorted(dataset.documents, key=lambda d: d.id):
        for c in chunk_document(doc.id, doc.title, doc.body, doc.summary):
            keys.append(c.content_hash)
            texts.append(c.indexed_text)
            owners.append(doc.id)
    return keys, texts, owners


def run_txtai(dataset: Dataset, encoder: Encoder, cache: EmbeddingCache, repeat: int) -> dict:
    from txtai import Embeddings

    keys, texts, owners = chunk_texts(dataset)
    by_text = dict(zip(texts, keys, strict=True))

    def transform(inputs: list[str]) -> np.ndarray:
        hits = [t for t in inputs if t in by_text]
        if len(hits) == len(inputs):  # corpus chunks: the cached vectors (the same model's output)
            vectors, _ = cache.get_or_encode([by_text[t] for t in inputs], inputs, encoder)
            return vectors
        return encoder.encode(list(inputs))

    embeddings = Embeddings(method="external", transform=transform, hybrid=True, content=False, backend="faiss")
    started = time.perf_counter()
    embeddings.index([(i, t, None) for i, t in enumerate(texts)])
    build_s = time.perf_counter() - started
    Encoder.limit_threads(1)
    queries = list(dataset.queries.items())
    for _, q in queries[:20]:
        embeddings.search(q, 10)
    run: dict[str, list[str]] = {}
    latencies: list[float] = []
    for _ in range(repeat):
        for qid, q in queries:
            t0 = time.perf_counter()
            hits = embeddings.search(q, 300)
            latencies.append((time.perf_counter() - t0) * 1000)
            ranking: list[str] = []
            for row, _score in hits:
                doc = owners[int(row)]
                if doc not in ranking:
                    ranking.append(doc)
            run[qid] = ranking[:100]
    return {
        **score_run(run, dataset.qrels),
        **percentiles(latencies),
        "build_s": round(build_s, 1),
        "chunks": len(texts),
    }


def run_learnsys(
    dataset: Dataset, encoder: Encoder, cache: EmbeddingCache, reference: object | None, expand: bool, repeat: int
) -> dict:
    terminology = Terminology.load(get_settings().ontology_dir / "terminology.ttl")
    started = time.perf_counter()
    index, _ = build_index(dataset.documents, encoder, cache, reference=reference)
    build_s = time.perf_counter() - started
    retriever = HybridRetriever(encoder, terminology, GraphBooster(reference) if reference else None)
    config = evaluation_config("hybrid", expand=expand)
    Encoder.limit_threads(1)
    queries = list(dataset.queries.items())
    for _, q in queries[:20]:
        retriever.retrieve(index, q, config=config)
    run: dict[str, list[str]] = {}
    latencies: list[float] = []
    for _ in range(repeat):
        for qid, q in queries:
            t0 = time.perf_counter()
            ranked = retriever.retrieve(index, q, config=config).ranked
            latencies.append((time.perf_counter() - t0) * 1000)
            run[qid] = [index.docs[d].id for d in ranked[:100]]
    return {
        **score_run(run, dataset.qrels),
        **percentiles(latencies),
        "build_s": round(build_s, 1),
        "chunks": len(index.chunks),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scifact", type=Path, default=ROOT.parent / "shared" / "benchmarks" / "scifact-train")
    parser.add_argument("--repeat", type=int, default=1, help="passes over the queries for latency")
    args = parser.parse_args()
    settings = get_settings()
    encoder = Encoder.shared()
    cache = EmbeddingCache(embedding_cache_dir(settings.index_dir, encoder.name), encoder.dim)
    reference = load_reference_data(settings.data_dir, settings.lin_membership_file)
    documents, _ = load_corpus(settings.corpus_dir)
    datasets: list[tuple[Dataset, object | None, bool]] = [
        (load_project_set(settings.corpus_dir, documents), reference, True)
    ]
    if (args.scifact / "corpus.jsonl").exists():
        datasets.append((load_beir(args.scifact), None, True))
    print("| dataset | engine | chunks | nDCG@10 | recall@100 | MRR@10 | p50 ms | p95 ms | p99 ms | index s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for dataset, ref, expand in datasets:
        for name, result in (
            ("learnsys hybrid", run_learnsys(dataset, encoder, cache, ref, expand, args.repeat)),
            ("txtai hybrid", run_txtai(dataset, encoder, cache, args.repeat)),
        ):
            print(
                f"| {dataset.name} | {name} | {result['chunks']} | {result['ndcg@10']:.4f} | "
                f"{result['recall@100']:.4f} | {result['mrr@10']:.4f} | {result['p50']:.1f} | "
                f"{result['p95']:.1f} | {result['p99']:.1f} | {result['build_s']} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
